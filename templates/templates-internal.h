/* templates/ internals shared by the cache, the builders and provisioning. */
#pragma once

#include <stdio.h>

#include "templates.h"

/* Files in TEMPLATES_DIR/NAME/ besides the generations. */
#define TMPL_BUILD_LOCK ".build.lock" /* held by a build from start to end (pid inside) */
#define TMPL_GEN_LOCK   ".lock"       /* shared: provisioning; exclusive: commit, prune, remove */
#define TMPL_BUILD_LOG  "build.log"
#define TMPL_INFO       "info" /* in a generation: KEY="value" lines about its build */

/* Open TEMPLATES_DIR/NAME, creating it if asked. */
int tmpl_open_dir(const char *templates_dir, const char *name, bool create, int *ret_dfd);
/* flock(LOCK) of TDFD/FILE (created if missing). nonblock and busy: -EBUSY. */
int tmpl_lock(int tdfd, const char *file, int how, bool nonblock, int *ret_fd);
/* The pid written into the build lock by its holder (0 unknown). */
pid_t tmpl_build_lock_holder(int tdfd);
/* A new, sortable generation name: YYYYmmdd-HHMMSS-NNNNNNNNN. */
int tmpl_new_generation_name(char **ret);
/* Is NAME shaped like a generation? */
bool tmpl_generation_name_valid(const char *name);
/* fsync, rename BUILD_DIR to GEN, atomically point "current" at it (the caller holds TMPL_GEN_LOCK). */
int tmpl_commit_generation(int tdfd, const char *build_dir, const char *gen);
/* The generation "current" points to, or -ENOENT. */
int tmpl_read_current(int tdfd, char **ret);
/* Generations of TDFD, sorted oldest first. */
int tmpl_list_generations(int tdfd, char ***ret, size_t *ret_n);
/* Remove old generations beyond KEEP (never current, never one a user's lower points to); the caller
 * holds TMPL_GEN_LOCK exclusively. */
int tmpl_prune(int tdfd, unsigned keep, const tmpl_user *users, size_t n_users, unsigned *ret_pruned,
               unsigned *ret_kept_in_use);
/* CTIDs of USERS whose lower is the rootfs of generation GEN (dev/ino compared, not paths). */
int tmpl_generation_users(int tdfd, const char *gen, const tmpl_user *users, size_t n_users, unsigned **ret,
                          size_t *ret_n);

/* busybox.c: fill ROOTFS from a static busybox. */
int tmpl_populate_busybox(int rfd, const char *busybox);
int tmpl_check_static_elf(const char *path);

/* sandbox.c: run a command in its own pid and mount namespaces (nothing it starts outlives it, no mount
 * it makes reaches the host), optionally chrooted, optionally as nobody without network. */
typedef struct tmpl_run_opts {
        const char *root;  /* chroot into it; NULL: the host's / */
        bool mount_api;    /* with root: mount /proc, /sys and bind /dev inside it first */
        bool unprivileged; /* as nobody, no capabilities, no new privileges, own network/ipc/uts */
        int stdin_fd;      /* -1: /dev/null */
        int stdout_fd;     /* -1: /dev/null */
        char *const *env;
        unsigned timeout_s; /* 0: none */
        /* when set: stdout and stderr are read line by line and passed here (stdout_fd ignored) */
        void (*line)(void *userdata, const char *line);
        void *userdata;
} tmpl_run_opts;
/* The command's exit status (128+N if killed by signal N); -ETIME on timeout. */
int tmpl_run(char *const argv[], const tmpl_run_opts *o, int *ret_status);

/* copy.c */
/* Bytes allocated by the tree (st_blocks), hard links counted once. */
int tmpl_tree_size(int dfd, uint64_t *ret);

/* archive.c: extract tarball FILE into the empty directory DIR (in the sandbox). */
int tmpl_extract(const char *file, const char *dir, FILE *log);
/* builders.c: populate rootfs RFD/PATH per recipe; the builder's output is appended to LOG. */
int tmpl_run_debootstrap(const tmpl_recipe *r, const char *rootfs, FILE *log,
                         void (*progress)(void *, const char *), void *userdata);
int tmpl_run_script(const tmpl_recipe *r, const char *rootfs, FILE *log,
                    void (*progress)(void *, const char *), void *userdata);
/* Make a freshly built Debian tree a template: no host identity (hostname, machine-id, resolv.conf). */
int tmpl_normalize_debian(int rfd);
/* /sbin/init and /bin/sh resolve inside ROOTFS to executables, and `sh -c` runs there. */
int tmpl_verify(const char *rootfs, char **ret_why);

/* Parse a recipe's text (as a built-in recipe NAME: errors say "built-in recipe NAME:LINE"). The file
 * loader and the fuzz target share it. */
int tmpl_recipe_parse(const char *name, const char *text, tmpl_recipe **ret);

/* quota.c: give the directory fd project id PROJID and PROJINHERIT. -EOPNOTSUPP: no project ids here. */
int tmpl_quota_tag_fd(int dfd, unsigned projid);
