/* cgroups: one cgroup per container, on cgroup v2 or v1/hybrid, written directly and dirfd-relative. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
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
/* Move pid into the CT's cgroup (every hierarchy). */
int cg_ct_attach(cg_ct *cg, pid_t pid);
/* > 0 when any process is in the CT's cgroup or below it, 0 when none. */
int cg_ct_populated(cg_ct *cg);
/* Number of processes in the CT's cgroup tree. */
int cg_ct_count_procs(cg_ct *cg, unsigned *ret);
/* Is pid a member of the CT's cgroup tree? */
int cg_ct_has_pid(cg_ct *cg, pid_t pid);
/* Kill every process in the CT's cgroup tree with SIGKILL and wait until it is empty. */
int cg_ct_kill_all(cg_ct *cg, unsigned timeout_ms);
/* Freeze (true) or thaw (false) the whole CT. */
int cg_ct_freeze(cg_ct *cg, bool freeze);
/* Remove the CT's cgroup (and sub-cgroups the CT made) from every hierarchy; it must be empty. */
int cg_ct_destroy(cg_ct *cg);

static inline void cg_ct_freep(cg_ct **cg)
{
        cg_ct_free(*cg);
}
#define _cleanup_cg_ct_ _cleanup_(cg_ct_freep)
