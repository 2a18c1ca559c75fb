/* cgroups/ internals: backend ops and the per-CT handle. */
#pragma once

#include "cgroups.h"

#define CG_MAX_HIERARCHIES 16

struct cg_hierarchy {
        int root_fd;       /* the hierarchy's mount point */
        int fd;            /* the CT's cgroup directory, or -EBADF */
        int attach_fd;     /* its tasks/cgroup.procs, opened by cg_ct_attach_prepare(), or -EBADF */
        char *mnt;         /* mount point path, for messages */
        char *controllers; /* "cpu,cpuacct", "memory", "name=systemd", "" for cgroup2 */
        bool is_v2;        /* the unified hierarchy of a hybrid host, or the v2 host itself */
        bool borrowed;     /* root_fd, mnt and controllers belong to the process's cache of the host's
                            * hierarchies (v1/hybrid), which lives as long as the process: not freed */
};

struct cg_ops {
        cg_version version;
        int (*setup)(cg_ct *cg, bool create);
        int (*kill_all)(cg_ct *cg, unsigned timeout_ms);
        int (*freeze)(cg_ct *cg, bool freeze);
        int (*frozen)(cg_ct *cg);
        int (*populated)(cg_ct *cg);
        int (*set_limits)(cg_ct *cg, const cg_limits *l, const char **ret_what);
        int (*get_stats)(cg_ct *cg, cg_stats *ret);
};

struct cg_ct {
        const struct cg_ops *ops;
        char *path; /* PARENT/NAME */
        char *parent;
        size_t n_hier;
        struct cg_hierarchy hier[CG_MAX_HIERARCHIES];
};

extern const struct cg_ops cg_v1_ops;
extern const struct cg_ops cg_v2_ops;

/* The host's v1/hybrid hierarchies as the process's cache loads them (cgroup-v1.c): asked of the kernel
 * with statmount(2) under /sys/fs/cgroup (-EOPNOTSUPP before Linux 6.11 or where none is mounted there),
 * read from mountinfo, or the first that works (what the backend uses). One "MOUNTPOINT TYPE CONTROLLERS"
 * line each into buf; returns how many, or -errno. For the unit test that both ways agree: it reloads the
 * cache, so no CT handle may be open across it. */
typedef enum { CG_V1_FROM_ANY, CG_V1_FROM_STATMOUNT, CG_V1_FROM_MOUNTINFO } cg_v1_source;
int cg_v1_hierarchies_describe(cg_v1_source from, char *buf, size_t size);

/* Is controller c in a comma-separated list ("cpu,cpuacct")? (cgroup-v1.c) */
bool cg_has_controller(const char *list, const char *c);
/* Shared helpers (cgroup.c) */
int cg_read_pids_recursive(int dfd, pid_t **pids, size_t *n, size_t *alloc);
int cg_rmdir_recursive(int parent_fd, const char *name);
int cg_mkdir_path(int root_fd, const char *path, int *ret_fd);
int cg_wait_empty(cg_ct *cg, unsigned timeout_ms);
/* CLOCK_MONOTONIC in ms. */
long long cg_now_ms(void);
/* Take a pidfd of each pid (fd -1 where that fails), then SIGKILL it. Free *ret_fds. */
struct pollfd;
int cg_kill_pids(const pid_t *pids, size_t n, struct pollfd **ret_fds);
/* Wait until the process of every pidfd has exited, or timeout_ms passed (-ETIMEDOUT); closes them. */
int cg_wait_pidfds(struct pollfd *fds, size_t n, unsigned timeout_ms);
/* Read a small cgroupfs file into buf (NUL-terminated) with one read: its length, -EFBIG when it does not
 * fit in size - 1 bytes. */
int cg_read_small(int dfd, const char *file, char *buf, size_t size);
/* > 0 when any process is in dfd's cgroup or below it (stops at the first one found). */
int cg_any_pid_recursive(int dfd);
/* Read a single unsigned number ("max" reads as CG_UNLIMITED). */
int cg_read_u64(int dfd, const char *file, uint64_t *ret);
/* Find "key value" in a flat-keyed file (memory.events, cpu.stat, ...). */
int cg_read_keyed(int dfd, const char *file, const char *key, uint64_t *ret);
/* Several keys of one flat-keyed file in one read: each found key's value goes to its dst (the others are
 * left as they are). -errno when the file cannot be read. */
struct cg_key {
        const char *key;
        uint64_t *dst;
};
int cg_read_keys(int dfd, const char *file, const struct cg_key *keys, size_t n);
/* Write a number, or "max" for CG_UNLIMITED. */
int cg_write_u64(int dfd, const char *file, uint64_t v);
/* PSI: "some avg10=1.23 ... total=N" */
int cg_read_psi(int dfd, const char *file, unsigned *ret_avg10, uint64_t *ret_total);
