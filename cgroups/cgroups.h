/* cgroups: one cgroup per container, on cgroup v2 or v1/hybrid, written directly and dirfd-relative. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/macro.h"

typedef enum cg_version {
        CG_VERSION_V1 = 1,
        CG_VERSION_V2 = 2,
} cg_version;

typedef struct cg_ct cg_ct;

/* Which backend this host needs: v2 when /sys/fs/cgroup is cgroup2, else v1 (legacy or hybrid). */
int cg_detect(cg_version *ret);
/* Open (create=false) or create the cgroup PARENT/NAME in every hierarchy the backend uses. */
int cg_ct_open(const char *parent, const char *name, bool create, cg_ct **ret);
void cg_ct_free(cg_ct *cg);
cg_version cg_ct_version(const cg_ct *cg);
/* Path of the CT's cgroup relative to the hierarchy root, e.g. "vpsctl/101". */
const char *cg_ct_path(const cg_ct *cg);
/* A directory fd usable with clone3(CLONE_INTO_CGROUP), or -EOPNOTSUPP on v1. Owned by cg. */
int cg_ct_clone_fd(cg_ct *cg);
/* Move pid into the CT's cgroup (every hierarchy). On v1 this waits for an RCU grace period (the
 * kernel's global threadgroup lock): tens of ms. A child of ours should use cg_ct_attach_self(). */
int cg_ct_attach(cg_ct *cg, pid_t pid);
/* The CT's directory in the cgroup2 hierarchy (a v2 host's, or a hybrid host's unified one) for
 * clone3(CLONE_INTO_CGROUP) ahead of cg_ct_attach_self(), or -EOPNOTSUPP when there is none. Owned by cg. */
int cg_ct_v2_fd(cg_ct *cg);
/* A new directory fd of pid's cgroup in the cgroup2 hierarchy, which must be the CT's cgroup or one
 * below it (-EPERM otherwise): where an exec joins once the CT's own cgroup has children with controllers
 * (cgroup2's no-internal-processes rule refuses its top cgroup then, EBUSY). */
int cg_ct_open_pid_v2(cg_ct *cg, pid_t pid);
/* For a child that is to move itself (cg_ct_attach_self()): open the files it will write, with the
 * caller's credentials, which are the ones the kernel checks (the child may be in a user namespace
 * of its own by then). cg_ct_attach_done() closes them in the caller. */
int cg_ct_attach_prepare(cg_ct *cg);
void cg_ct_attach_done(cg_ct *cg);
/* In that child: move the calling process into the CT's cgroup in every hierarchy, but the cgroup2
 * one when in_v2 (clone3 put it there). It must be single-threaded: only the calling thread moves,
 * which the kernel does without the global lock and its grace period (Linux 6.1+). */
int cg_ct_attach_self(cg_ct *cg, bool in_v2);
/* > 0 when any process is in the CT's cgroup or below it, 0 when none. */
int cg_ct_populated(cg_ct *cg);
/* Number of processes in the CT's cgroup tree. */
int cg_ct_count_procs(cg_ct *cg, unsigned *ret);
/* The pids of the CT's cgroup tree (first hierarchy, sub-cgroups included), in cgroup.procs' order; *ret to
 * free. */
int cg_ct_pids(cg_ct *cg, pid_t **ret, size_t *ret_n);
/* Is pid a member of the CT's cgroup tree? */
int cg_ct_has_pid(cg_ct *cg, pid_t pid);
/* Kill every process in the CT's cgroup tree with SIGKILL and wait until it is empty. */
int cg_ct_kill_all(cg_ct *cg, unsigned timeout_ms);
/* Freeze (true) or thaw (false) the whole CT; returns once the kernel says it is done (-ETIMEDOUT after
 * 2 s: a task that cannot be frozen yet, left freezing). -EOPNOTSUPP without a freezer. */
int cg_ct_freeze(cg_ct *cg, bool freeze);
/* > 0 when the CT is frozen or being frozen, 0 when not, -EOPNOTSUPP without a freezer. */
int cg_ct_frozen(cg_ct *cg);
/* Remove the CT's cgroup (and sub-cgroups the CT made) from every hierarchy; it must be empty. */
int cg_ct_destroy(cg_ct *cg);

#define CG_UNLIMITED UINT64_MAX
#define CG_UNSET     (UINT64_MAX - 1)

/* Resource limits of a CT, in kernel units. Fields left CG_UNSET (or 0/NULL where noted) are not
 * touched; CG_UNLIMITED removes a limit. */
typedef struct cg_limits {
        uint64_t mem_max;      /* bytes */
        uint64_t swap_max;     /* bytes of swap on top of mem_max */
        uint64_t mem_low;      /* bytes: best-effort guarantee */
        uint64_t cpu_weight;   /* 1..10000 (v2 cpu.weight scale) */
        uint64_t cpu_quota_us; /* per cpu_period_us; CG_UNLIMITED = no cap */
        uint64_t cpu_period_us;
        const char *cpuset; /* "0-3,5", NULL = unchanged, "" = all of the parent's */
        uint64_t pids_max;
        unsigned io_major, io_minor; /* whole-disk device for the io limits; 0:0 = none */
        uint64_t io_rbps, io_wbps, io_riops, io_wiops;
        uint64_t io_weight; /* 1..10000 (io.weight) / 1..1000 (bfq) */
} cg_limits;

/* All fields CG_UNSET. */
void cg_limits_init(cg_limits *l);
/* Write the limits that are set. Returns -EOPNOTSUPP (with *ret_what naming the file) when the
 * host lacks a controller file for a limit that was asked for. */
int cg_ct_set_limits(cg_ct *cg, const cg_limits *l, const char **ret_what);

/* Usage counters, OpenVZ beancounter style: held, maxheld, limit, failcnt. */
typedef struct cg_counter {
        uint64_t held, maxheld, limit, failcnt;
        bool have_maxheld;
} cg_counter;

typedef struct cg_stats {
        cg_counter mem, swap, pids;
        /* kernel memory charged to the CT (v1 memory.kmem.*, v2 memory.stat "kernel": held only) and its
         * shared memory (memory.stat "shmem"), bytes; have_* false where the host does not count them */
        cg_counter kmem;
        uint64_t shmem;
        bool have_kmem, have_kmem_failcnt, have_shmem;
        uint64_t oom_kills;
        uint64_t cpu_usage_us, cpu_throttled_us, cpu_nr_throttled, cpu_nr_periods;
        /* user/system split (v2 cpu.stat; v1 cpuacct.stat, in USER_HZ ticks: 10 ms steps) */
        uint64_t cpu_user_us, cpu_system_us;
        uint64_t io_rbytes, io_wbytes, io_rios, io_wios;
        /* PSI "some avg10" in percent x100, and total stall us; have_psi false where absent */
        bool have_psi;
        unsigned psi_cpu_avg10, psi_mem_avg10, psi_io_avg10;
        uint64_t psi_cpu_total_us, psi_mem_total_us, psi_io_total_us;
} cg_stats;

int cg_ct_get_stats(cg_ct *cg, cg_stats *ret);

static inline void cg_ct_freep(cg_ct **cg)
{
        cg_ct_free(*cg);
}
#define _cleanup_cg_ct_ _cleanup_(cg_ct_freep)

/* Give the CT's cgroup directories (and cgroup.procs, cgroup.threads, cgroup.subtree_control, tasks) to
 * uid:gid, the host ids of the CT's root in its user namespace; limit files stay root's. */
int cg_ct_delegate(cg_ct *cg, unsigned uid, unsigned gid);

/* Device access: default deny, then these rules (the first that matches decides on v2; on v1 the allows,
 * then the denies). type 'a' (any), 'b' or 'c'; major/minor -1 = any. */
enum { CG_DEV_READ = 1, CG_DEV_WRITE = 2, CG_DEV_MKNOD = 4 };
typedef struct cg_device_rule {
        char type;
        int major, minor;
        unsigned access;
        bool allow;
} cg_device_rule;
/* v1: the devices controller; v2: a BPF device program on the CT's cgroup (replacing its previous one).
 * -EOPNOTSUPP when neither exists. */
int cg_ct_set_devices(cg_ct *cg, const cg_device_rule *rules, size_t n);
