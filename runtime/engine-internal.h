/* runtime/ internals shared by the lifecycle, spawn and exec code. */
#pragma once

#include <sys/types.h>

#include "cgroups/cgroups.h"
#include "config-internal.h"
#include "engine.h"

int proc_start_time(pid_t pid, unsigned long long *ret, char *ret_state);
/* lxcfs_word: "yes", "no" or "off", as ct_lxcfs_source() said (LXCFS= in the state file) */
int ct_state_write(ct *c, pid_t pid, unsigned long long start, const char *lxcfs_word);
/* Wait, up to the lock timeout, until no verb holds the CT's lock (without taking it). 1 when a verb held
 * it (and has let go, or the wait ran out), 0 when none did. */
int ct_wait_unlocked(ct *c);
/* Does a verb hold the CT's lock right now? Asked without waiting and without keeping any lock. */
bool ct_lock_held(const ct *c);
void ct_state_remove(ct *c);
int ct_open_cgroup(ct *c, bool create, cg_ct **ret);
/* The host pid of the CT's init: the recorded one if still valid, else found from the cgroup. */
int ct_find_init(ct *c, cg_ct *cg, pid_t *ret);

/* spawn.c, the lower spawn shared by the front ends: a process and its confinement, knowing nothing of
 * CTID.conf or a CT's state file. The child, in this order: moves into cg, waits until the parent has run
 * created(), becomes root of a new user namespace, unshares its mount namespace (late_mountns) and its
 * cgroup namespace (cgroupns), runs setup_root (mounts, pivot_root), brings up lo in a new network
 * namespace, sets the host name, starts a session, takes its stdio (or a console pty), runs confine
 * (capabilities, seccomp), closes every other fd, maybe waits (wait_before_exec) and execs path. Errors in
 * the child are sentences the parent logs, naming `what`. */
struct spawn_proc {
        const char *what;               /* "CT 101": the container, in messages */
        const char *what_root;          /* "The CT": "... has no executable PATH" */
        const char *what_process;       /* "its init": "... died during setup" */
        unsigned long long clone_flags; /* CLONE_NEW* */
        /* without CLONE_NEWNS in clone_flags: the child copies the mount namespace only after go, so that
         * a root created() mounted (with the child's own user namespace, for an idmapped mount) is in it,
         * and the namespace is owned by the child's user namespace as one made by clone would be */
        bool late_mountns;
        bool cgroupns;
        cg_ct *cg;
        const char *hostname; /* NULL: the namespace's own */
        int stdio_fd;         /* stdout/stderr, unless console or inherit_stdio */
        bool inherit_stdio;   /* keep the caller's 0, 1, 2 (unless console) */
        bool console;      /* a pty of the container's devpts is its /dev/console and the process's stdio */
        bool console_ctty; /* and its controlling terminal (an OCI process.terminal; a CT's init has none) */
        const char *path;  /* inside the container's root; without a slash: looked up in envp's PATH */
        char *const *argv;
        char *const *envp;
        /* in the child; messages into err */
        int (*setup_root)(const struct spawn_proc *sp, char *err, size_t errlen);
        int (*confine)(const struct spawn_proc *sp, char *err, size_t errlen);
        /* may be NULL: once set up (the parent's spawn_process() returns), block until told to exec
         * (the OCI front end's start); < 0: exit instead */
        int (*wait_before_exec)(const struct spawn_proc *sp);
        /* in the parent, once the namespaces exist and before the child may proceed (record the
         * container, write its id maps, its network); logs its errors. abandoned() undoes it. */
        int (*created)(const struct spawn_proc *sp, pid_t pid);
        void (*abandoned)(const struct spawn_proc *sp);
};
/* Returns the process's host pid, and the console's master when sp->console. Errors logged. */
int spawn_process(const struct spawn_proc *sp, pid_t *ret_pid, int *ret_console);

/* spawn.c: a CT on spawn_process(): its namespaces, its config's confinement, init exec'd. */
struct spawn_params {
        const char *root; /* host path of the mounted root */
        const char *hostname;
        const char *init; /* path inside the CT */
        int console_fd;   /* init's stdout/stderr, unless console */
        bool console;     /* a pty of the CT's devpts is its /dev/console and init's stdio; ct_spawn()
                           * returns its master in *ret_console */
        cg_ct *cg;
        unsigned ctid;
        const struct ct_config *cfg;           /* capabilities and seccomp */
        const struct ct_seccomp_prog *seccomp; /* ct_seccomp_prepare()'s program, read before clone */
        const char *lxcfs_dir;                 /* a live lxcfs to bind the /proc views from, or NULL */
        const char *lxcfs_word;                /* for the state file: "yes", "no", "off" */
        /* run once the namespaces exist, before init may run (the CT's network); may be NULL */
        int (*before_go)(ct *c, pid_t pid);
        /* With a user namespace, may be set: mounts the CT's root (at root) once the child's user namespace
         * has its maps, given an fd of it for the idmapped mount (no throwaway namespace of its own). The
         * child then copies the host's mount namespace only after go, with the root in it. */
        int (*mount_root)(ct *c, int userns_fd, void *userdata);
        void *mount_root_data;
};
int ct_spawn(ct *c, const struct spawn_params *p, pid_t *ret_pid, int *ret_console);

/* spawn-mount.c: inside the child, set up the root and pivot into it. Errors as messages. */
int spawn_setup_root(const char *root, bool userns, const char *lxcfs_dir, char *err, size_t errlen);
/* The child's failure described in err (the parent reports it) and r returned: spawn-mount.c's and
 * oci-child.c's errors. */
int spawn_fail(char *err, size_t errlen, int r, const char *fmt, ...) _printf_(4, 5);

/* lxcfs.c: the lxcfs views looked up (and lxcfs probed) by threads while a start does its other work;
 * NULL when the CT has LXCFS="no" (or on no memory: ct_lxcfs_source() then probes by itself). */
typedef struct ct_lxcfs_probe ct_lxcfs_probe;
ct_lxcfs_probe *ct_lxcfs_probe_begin(ct *c);
void ct_lxcfs_probe_free(ct_lxcfs_probe *p); /* joins the threads */
static inline void ct_lxcfs_probe_freep(ct_lxcfs_probe **p)
{
        ct_lxcfs_probe_free(*p);
}
#define _cleanup_lxcfs_probe_ _cleanup_(ct_lxcfs_probe_freep)
/* The lxcfs directory to bind the CT's /proc views from, or NULL (LXCFS="no", or no live lxcfs there:
 * warned, naming the CT and what to do); *ret_word for the state file ("yes", "no", "off"). Joins p's
 * threads first: none may run at clone(). */
const char *ct_lxcfs_source(ct *c, ct_lxcfs_probe *p, const char **ret_word);
/* In the child, after /proc and /sys are mounted in the CT's root: bind lxcfs's files over them. */
int spawn_mount_lxcfs(int rootfd, const char *dir, char *err, size_t errlen);
/* What the CT's state file says of its views. */
ct_lxcfs_state ct_lxcfs_recorded(ct *c);

/* exec.c: set the host name of a running CT (its UTS namespace). */
int ct_set_hostname_live(ct *c, const char *hostname);

/* resources.c: limits from the config (all configured keys, or only the changed ones), applied. */
int ct_build_limits(ct *c, const struct ct_change *changes, size_t n, cg_limits *l, bool *ret_implicit_swap);
/* warn: say once that a best-effort limit (IOPRIO) cannot apply on this host; it is left out, not an error.
 * Errors are logged, naming the option. */
int ct_apply_limits(ct *c, cg_ct *cg, const struct ct_change *changes, size_t n, bool warn);
int ct_set_built_limits(ct *c, cg_ct *cg, const cg_limits *l, bool implicit_swap, bool warn);
uint64_t ct_mem_guarantee_bytes(const struct ct_config *c);

/* disk.c: does the config limit disk space or inodes? Give the private area its project id (once) and
 * the config's limits (errors logged; -CT_ENOQUOTA where the filesystem cannot); clear them (destroy). */
bool ct_disk_limited(const struct ct_config *cfg);
int ct_disk_apply(ct *c);
void ct_disk_clear(ct *c);
/* Does the running CT's root (init's bounding set) hold CAP_SYS_RESOURCE over the host's filesystems? */
bool ct_disk_root_exempt(ct *c, pid_t init);

/* caps.c: the CT's bounding set (the default less CAPABILITY's offs, plus its ons), empty inheritable and
 * ambient sets. */
int ct_drop_capabilities(const struct ct_config *cfg, char *err, size_t errlen);
/* The capabilities the CT's bounding set goes without (bit N: capability N): the default removals less
 * CAPABILITY's ons, plus its offs. -EINVAL: CAPABILITY cannot be parsed. */
int ct_cap_dropped(const struct ct_config *cfg, uint64_t *ret);
/* seccomp.c: the CT's filter as a BPF program (insns NULL when SECCOMP="no"). */
struct ct_seccomp_prog {
        struct sock_filter *insns;
        unsigned short len;
};
/* In the parent, before clone: the program from the cache under run/vpsctl/seccomp, compiled and stored
 * there when it is missing, stale or not trustworthy. Errors logged, naming the CT. */
int ct_seccomp_prepare(ct *c, struct ct_seccomp_prog *ret);
void ct_seccomp_prog_done(struct ct_seccomp_prog *p);
#define _cleanup_seccomp_prog_ _cleanup_(ct_seccomp_prog_done)
/* In the child: give the calling process a fresh session keyring, no_new_privs if NO_NEW_PRIVS="yes",
 * then load prog (none when SECCOMP="no"). No file I/O, no allocation. */
int ct_seccomp_load(const struct ct_config *cfg, const struct ct_seccomp_prog *prog, char *err,
                    size_t errlen);
bool ct_seccomp_enabled(const struct ct_config *cfg);
/* The CT's filter as data (oci spec --from-ct writes it as linux.seccomp): fn for every syscall it denies
 * (with EPERM), and the ABIs it covers beside the native one (SCMP_ARCH_*, 0-terminated). */
int ct_seccomp_foreach_denied(const struct ct_config *cfg,
                              int (*fn)(const char *name, const char *why, void *u), void *u);
extern const uint32_t ct_seccomp_extra_arches[];

/* The default capability bounding set's removals, for `help` and for the tests. */
extern const char *const ct_dropped_caps[];

/* net.c: set up the CT's network after its namespaces exist and before its init runs; tear it down. */
int ct_net_start(ct *c, pid_t init);
void ct_net_stop(ct *c);
/* Bring a running CT's network from the old IP_ADDRESS/NETIF values to the ones in c->cfg. */
int ct_net_apply_live(ct *c, const char *old_ips, const char *old_netif, pid_t init);

/* rate.c: RATE / RATE_IN on the host side of the CT's links (errors logged). start: once the links exist,
 * after removing what an interrupted start left; live: to what c->cfg now says; stop: remove the IFB. */
int ct_rate_start(ct *c);
int ct_rate_apply_live(ct *c);
void ct_rate_stop(ct *c);
bool ct_rate_limited(const struct ct_config *cfg);

/* guest.c: write the CT's /etc/hostname (hostname) and its resolv.conf and hosts (net) under root, a host
 * path of its root (VE_ROOT, or /proc/PID/root of a running CT). Failures are warnings. */
void ct_guest_write_files(ct *c, const char *root, bool hostname, bool net);

/* userns.c */
bool ct_userns(const struct ct_config *cfg);
/* Write "0 UID 65536" / "0 GID 65536" maps for pid's user namespace. */
int ct_userns_write_maps(pid_t pid, unsigned uid, unsigned gid);
/* An fd of a user namespace with the CT's mapping (for idmapped mounts). */
int ct_userns_fd(unsigned uid, unsigned gid);
/* The lowest 65536-id range no other CT uses. */
int ct_userns_allocate(struct ct_paths *p, unsigned self, unsigned *ret_uid, unsigned *ret_gid);

/* devices.c: the CT's device allow-list (defaults plus DEVICES), applied to its cgroup. */
int ct_apply_devices(ct *c, cg_ct *cg);

/* samples.c: a config sample's text (ve-NAME.conf-sample in etc/vpsctl/conf, else a built-in one; "none"
 * is the empty one), checked as a CT's config would be; errors logged. */
int ct_read_sample(ct *c, const char *sample, char **ret);

/* console.c: the console keeper of a CT with CONSOLE="yes", started with the master of its console pty
 * once its init runs; it listens on run/vpsctl/CTID/console.sock before this returns. */
int ct_console_keeper_start(ct *c, int master, pid_t init);

/* actions.c: the action scripts of etc/vpsctl/conf. ct_action_host: vps.PHASE (premount, mount, umount)
 * then CTID.PHASE (those and postumount) on the host; ct_action_in_ct: CTID.PHASE (start, stop) inside
 * the running CT. 0 when each ran and succeeded or there is none; -CT_EACTIONSCRIPT (logged) otherwise. */
int ct_action_host(ct *c, const char *phase);
int ct_action_in_ct(ct *c, const char *phase);
