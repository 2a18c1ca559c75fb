/* templates: the template cache (recipes, builds, generations, current pointer, pruning, import and
 * export) and provisioning a CT's private area from a template. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* Is NAME a valid template name ([A-Za-z0-9._-], no leading dot)? */
bool tmpl_name_valid(const char *name);
/* Resolve TEMPLATES_DIR/NAME/current to the generation's rootfs path. -ENOENT if none. */
int tmpl_current_rootfs(const char *templates_dir, const char *name, char **ret_rootfs);

/* ---- recipes: TEMPLATE_DIRS/NAME.recipe, KEY="value" lines, or built in ---- */

typedef enum tmpl_type {
        TMPL_TYPE_BUSYBOX,     /* offline, from a static busybox */
        TMPL_TYPE_DEBOOTSTRAP, /* debootstrap SUITE from MIRROR */
        TMPL_TYPE_IMPORT,      /* a rootfs tarball (no recipe: `template import`) */
} tmpl_type;

typedef struct tmpl_recipe {
        char *name;
        char *path; /* the file it came from, or NULL when built in */
        tmpl_type type;
        char *description;
        char *suite, *mirror, *variant, *components, *arch; /* debootstrap */
        char *include;                                      /* packages, comma or space separated */
        char *script;                                       /* shell run chrooted after the build */
        char *busybox;                                      /* busybox: the static binary */
        char *source;                                       /* import: the tarball */
        char *text;                                         /* the recipe as read, kept in the generation */
} tmpl_recipe;

/* Load recipe NAME from the first of DIRS (NULL-terminated) that has NAME.recipe, else the built-in one.
 * -ENOENT none; -EINVAL a bad line or value (logged with file:line at error level: the caller's message
 * would not know which line). */
int tmpl_recipe_load(char *const *dirs, const char *name, tmpl_recipe **ret);
/* Names of every recipe (files in DIRS and built in), sorted, unique. */
int tmpl_recipe_list(char *const *dirs, char ***ret);
tmpl_recipe *tmpl_recipe_free(tmpl_recipe *r);
static inline void tmpl_recipe_freep(tmpl_recipe **r)
{
        tmpl_recipe_free(*r);
}
#define _cleanup_recipe_ __attribute__((cleanup(tmpl_recipe_freep)))
/* The host's Debian mirror: the first non-security `deb` source in /etc/apt (one-line or deb822). */
int tmpl_host_mirror(char **ret);
const char *tmpl_type_to_string(tmpl_type t);

/* ---- who uses a template: the private areas whose overlay lower is one of its generations ---- */

typedef struct tmpl_user {
        unsigned id; /* CTID; 0 for a private area without a CT (an interrupted create) */
        char *lower; /* where its `lower` link points */
} tmpl_user;
/* Supplied by the caller, which knows where CTs keep their private areas. Called with the template's
 * generations locked, so no create can slip in between the answer and a prune. */
typedef int (*tmpl_users_fn)(void *userdata, tmpl_user **ret, size_t *ret_n);
void tmpl_users_free(tmpl_user *u, size_t n);

/* ---- builds ---- */

typedef struct tmpl_build_opts {
        unsigned keep;        /* generations kept after a build (the in-use ones are kept anyway) */
        bool wait;            /* wait for a build in progress instead of failing with -EBUSY */
        bool if_missing;      /* (with wait) do nothing when the template has a current generation */
        time_t if_older_than; /* >0: do nothing when current is younger than this many seconds */
        tmpl_users_fn users;  /* may be NULL: then nothing is pruned */
        void *userdata;
        /* progress of a long build, one line at a time (NULL: silent); the full log is kept in
         * TEMPLATES_DIR/NAME/build.log either way */
        void (*progress)(void *userdata, const char *line);
        /* called once the build holds the lock and starts making GENERATION (may be NULL) */
        void (*started)(void *userdata, const char *generation);
} tmpl_build_opts;

typedef struct tmpl_build_result {
        char *generation;     /* the new current, or the kept one when nothing was built */
        bool built;           /* false: skipped (if_missing, if_older_than) */
        unsigned pruned;      /* generations removed */
        unsigned kept_in_use; /* old generations kept only because CTs use them */
        pid_t holder;         /* -EBUSY: pid of the build in progress (0 if unknown) */
        char *log;            /* path of build.log */
        char *why;            /* -ENOEXEC: what the verification found */
        int prune_error;      /* built, but old generations could not be pruned (-errno) */
} tmpl_build_result;
void tmpl_build_result_done(tmpl_build_result *r);

/* Build a new generation of TEMPLATES_DIR/RECIPE->name: in .NAME.building.PID, verified (/sbin/init and
 * /bin/sh exist, a shell runs inside it), then made current atomically, then old generations pruned.
 * -EBUSY another build of it runs (ret->holder); -ENOEXEC verification failed; -EPROTO the builder
 * (debootstrap, tar, SCRIPT) failed: see ret->log. A failed or interrupted build never touches current. */
int tmpl_build(const char *templates_dir, const tmpl_recipe *recipe, const tmpl_build_opts *o,
               tmpl_build_result *ret);
/* Build the built-in busybox template from a static busybox binary (waits for a build in progress;
 * does nothing if a current generation exists by then). */
int tmpl_build_busybox(const char *templates_dir, const char *name, const char *busybox);

/* ---- the cache ---- */

typedef struct tmpl_generation {
        char *name;
        time_t built;
        uint64_t size; /* bytes on disk, hard links once */
        char *source;  /* what built it: "busybox /bin/busybox", "debootstrap bookworm URL", "import FILE" */
        bool current;
        unsigned *users; /* CTIDs using it (0 = a private area without a CT) */
        size_t n_users;
} tmpl_generation;

typedef struct tmpl_info {
        char *name;
        tmpl_generation *gens; /* oldest first */
        size_t n_gens;
        int current;   /* index into gens, -1 none */
        bool building; /* a build holds the build lock right now */
        pid_t builder;
} tmpl_info;

/* Every template under TEMPLATES_DIR with its generations and their users (USERS may be NULL). Read-only:
 * takes no lock. */
int tmpl_list(const char *templates_dir, tmpl_users_fn users, void *userdata, tmpl_info **ret,
              size_t *ret_n);
void tmpl_info_free(tmpl_info *t, size_t n);
/* Remove TEMPLATES_DIR/NAME with all its generations. -ENOENT none; -EBUSY a build runs (*ret_holder);
 * -EADDRINUSE CTs use it (*ret_users, *ret_n_users: which). */
int tmpl_remove(const char *templates_dir, const char *name, tmpl_users_fn users, void *userdata,
                pid_t *ret_holder, unsigned **ret_users, size_t *ret_n_users);

/* ---- tarballs: import as a new generation, export the current one ---- */

/* Compression of a tarball by its first bytes (import) or its name (export). */
typedef enum tmpl_compression {
        TMPL_COMPRESSION_NONE,
        TMPL_COMPRESSION_GZIP,
        TMPL_COMPRESSION_XZ,
        TMPL_COMPRESSION_ZSTD,
        TMPL_COMPRESSION_BZIP2,
        TMPL_COMPRESSION_UNKNOWN,
} tmpl_compression;
int tmpl_compression_sniff(int fd, tmpl_compression *ret);
tmpl_compression tmpl_compression_from_name(const char *file);
/* "NAME" of a tarball FILE: its base name without .tar[.gz|.xz|.zst|.bz2] / .tgz / .txz / .tzst. */
int tmpl_name_from_file(const char *file, char **ret);
/* The program that decompresses C (NULL for none). */
const char *tmpl_compression_program(tmpl_compression c);
/* Is an executable NAME in the standard PATH directories? */
bool tmpl_program_available(const char *name);
/* Export the current generation of NAME to FILE (written aside, renamed in). -ENOENT none built. */
int tmpl_export(const char *templates_dir, const char *name, const char *file);

/* ---- provisioning ---- */

/* Storage layouts of a private area. */
typedef enum tmpl_layout {
        TMPL_LAYOUT_OVERLAY,
        TMPL_LAYOUT_COPY,
} tmpl_layout;

/* Create the private area PRIVATE from template rootfs LOWER (atomic: built aside, renamed in). The
 * template's generations stay locked meanwhile, so a rebuild cannot prune LOWER under it; if it was
 * pruned before, the template's current generation is used. overlay: fs/, work/, lower -> LOWER.
 * copy: fs/ is a full copy of LOWER (reflinked where the filesystem can), independent of the template.
 * Where the filesystem has project ids, everything in it is made with PROJID (disk quota, quota.c). */
int tmpl_provision(const char *lower, const char *private_dir, tmpl_layout layout, unsigned projid);
/* The same for a copy-layout private area whose fs/ is a copy of the directory tree SRC (an OpenVZ simfs
 * private area): owners, modes, xattrs, hard links and devices kept, ids as they are on disk. move: SRC
 * itself is renamed in (-EXDEV another filesystem), its path kept in the private area until
 * tmpl_private_moved_done(); until then, an interrupted or undone create moves it back
 * (tmpl_private_unmove), never removes it. */
int tmpl_provision_tree(const char *src, const char *private_dir, unsigned projid, bool move);
/* Debris of an interrupted move into PRIVATE (or its .creating sibling): its fs/ goes back where it came
 * from (when nothing is there). 1 moved back, 0 none. */
int tmpl_private_unmove(const char *private_dir);
/* Is there such debris? 1 yes, 0 no. */
int tmpl_private_moved(const char *private_dir);
/* The move is final (the CT's config is written): forget where it came from. */
int tmpl_private_moved_done(const char *private_dir);
/* Make the directory PRIVATE goes into (0700; the ones above it 0755, on the path to VE_ROOT). */
int tmpl_private_parent(const char *private_dir);
/* Which layout does an existing private area have? */
int tmpl_private_layout(const char *private_dir, tmpl_layout *ret);
/* Copy the tree SRC_DFD into the empty directory DST_DFD: owners, modes, times, xattrs, hard links,
 * devices; file data reflinked (FICLONE) where possible, else copy_file_range. Does not cross mounts. */
int tmpl_copy_tree(int src_dfd, int dst_dfd);
/* Mount the CT's root filesystem at ROOT from its private area (overlay or bind). userns_fd >= 0: the CT
 * runs in that user namespace; the template (overlay) or the copy is seen through an idmapped mount. */
int tmpl_mount_root(const char *private_dir, const char *root, int userns_fd);
/* Can the filesystem under PATH be seen through an idmapped mount (userns_fd's mapping)? 1 yes, 0 no. */
int tmpl_idmap_supported(const char *path, int userns_fd);
/* Is ROOT a mount point? 1 yes, 0 no (or no such path), -EOPNOTSUPP: the kernel cannot say (before 5.8).
 * From the kernel's cached attributes: no round trip to a FUSE daemon. */
int tmpl_is_mounted(const char *root);
/* Unmount ROOT (lazily if busy). */
int tmpl_umount_root(const char *root);

/* ---- disk quota of a private area (quota.c): project quota, ext4 with the project feature or xfs ---- */

/* Limits in bytes and inodes; 0 is none. */
typedef struct tmpl_quota {
        uint64_t space_soft, space_hard;
        uint64_t inodes_soft, inodes_hard;
} tmpl_quota;
typedef struct tmpl_quota_usage {
        uint64_t space_used, inodes_used;
        tmpl_quota limits;
} tmpl_quota_usage;
/* Does the filesystem under DIR enforce project quota? 1 yes; 0 no, and WHY says which filesystem (and
 * device, mount point) and how to enable it (WHY may be NULL: not said); < 0 an error. */
int tmpl_quota_supported(const char *dir, char *why, size_t whylen);
/* Give everything under DIR (one filesystem, symlinks not followed) project id PROJID, directories
 * PROJINHERIT so new files inherit it. A no-op when DIR itself has it already (it is tagged last).
 * -EOPNOTSUPP: the filesystem has no project ids. */
int tmpl_quota_tag(const char *dir, unsigned projid);
/* Does DIR carry PROJID with PROJINHERIT? 1 yes, 0 no. */
int tmpl_quota_tagged(const char *dir, unsigned projid);
/* Set (q) and read the limits and usage of project PROJID on DIR's filesystem. */
int tmpl_quota_set(const char *dir, unsigned projid, const tmpl_quota *q);
int tmpl_quota_get(const char *dir, unsigned projid, tmpl_quota_usage *ret);

/* ---- guest files: the CT's own configuration, written from the host ---- */

/* A guest to write files into: root is a host path of its root (VE_ROOT, or /proc/PID/root of a running
 * CT); files written belong to uid:gid (the host ids of the CT's root; 0:0 for a privileged CT). */
typedef struct tmpl_guest {
        const char *root;
        unsigned uid, gid;
} tmpl_guest;
/* Write DIR/NAME under the guest's root (atomic), never following the guest's symlinks out of it. */
int tmpl_guest_write_file(const tmpl_guest *g, const char *dir, const char *name, const char *content);
/* /etc/hostname. */
int tmpl_guest_set_hostname(const tmpl_guest *g, const char *hostname);
/* /etc/resolv.conf: "# HEADER", then search and nameserver lines from the space separated lists (NULL:
 * none). */
int tmpl_guest_set_resolver(const tmpl_guest *g, const char *header, const char *nameservers,
                            const char *searchdomains);
/* /etc/hosts: localhost lines where the guest has none, the guest's own lines kept, and "ADDR HOSTNAME
 * SHORT # vpsctl" replacing the previous line of vpsctl's. */
int tmpl_guest_set_hosts(const tmpl_guest *g, const char *addr, const char *hostname);

/* ---- the guest's accounts (passwd.c) ---- */

/* A user name useradd accepts: [a-z_][a-z0-9_.-]*, at most 32 characters. */
bool tmpl_user_name_is_valid(const char *s);
/* Set user's password hash (crypt(3) form) in the guest's /etc/shadow (or /etc/passwd where it has no
 * shadow), adding the user (group of its name, next id from 1000, /home/USER, /bin/bash or /bin/sh) when
 * missing: *ret_created then. -EINVAL bad name or hash, -ENOENT no /etc/passwd, -EBUSY the guest holds
 * its /etc/.pwd.lock for more than 15 s. */
int tmpl_guest_set_password(const tmpl_guest *g, const char *user, const char *hash, bool *ret_created);
