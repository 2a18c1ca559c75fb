/* runtime: the container = config + state + lifecycle. The CLI's only entry into the lower layers. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"

#define CTID_MIN 101U
#define CTID_MAX 2147483644U

struct ct_paths {
        char *prefix; /* "/" or the test prefix, without a trailing slash unless "/" */
        char *etc;    /* PREFIX/etc/vpsctl */
        char *global_conf;
        char *conf_dir; /* PREFIX/etc/vpsctl/conf */
        char *run_dir;  /* PREFIX/run/vpsctl */
};

/* Paths under VPSCTL_PREFIX (default /). */
int ct_paths_init(struct ct_paths *p);
void ct_paths_done(struct ct_paths *p);

typedef struct ct {
        unsigned id;
        struct ct_paths *paths;
        struct ct_config cfg;
        char *conf_path;
        char *run_path; /* run/vpsctl/CTID */
        int lock_fd;
        bool exists; /* CTID.conf exists */
} ct;

/* Parse a CTID ("101") or look a name up among the CTs' NAME keys. -EINVAL bad syntax, -ERANGE out of range,
 * -ENOENT unknown name. */
int ct_resolve_id(struct ct_paths *p, const char *arg, unsigned *ret);
/* Load global config + CTID.conf (if any). warn: report unknown keys. */
int ct_load(struct ct_paths *p, unsigned id, bool warn, ct **ret);
void ct_free(ct *c);
static inline void ct_freep(ct **c)
{
        ct_free(*c);
}
#define _cleanup_ct_ _cleanup_(ct_freep)

/* Take the CT's lock, waiting up to the lock timeout. -EBUSY when still busy: *ret_holder is the pid. */
int ct_lock(ct *c, const char *verb, pid_t *ret_holder);
void ct_unlock(ct *c);

typedef struct ct_status {
        bool exists;
        bool mounted;
        bool running;
        pid_t init_pid; /* host pid of the CT's init, 0 when not running */
        unsigned nproc;
} ct_status;

/* Derive the status from facts: config present, root mounted, cgroup populated, init alive. */
int ct_get_status(ct *c, ct_status *ret);

typedef struct ct_create_opts {
        const char *ostemplate;
        const char *config_sample;
        const char *layout;
        const struct ct_change *changes; /* hostname, name, description... already validated */
        size_t n_changes;
        int userns; /* ct_tristate: unset = the global USERNS, and yes where that is unset */
} ct_create_opts;

int ct_create(ct *c, const ct_create_opts *o);
int ct_destroy(ct *c);
int ct_mount(ct *c);
int ct_umount(ct *c);
/* Start; returns once init runs. wait_boot: also wait for the guest's boot scripts. */
int ct_start(ct *c, bool wait_boot);
/* Stop: init's own shutdown first (unless fast), then the cgroup is killed; then unmount. */
int ct_stop(ct *c, bool fast);

typedef enum ct_exec_mode {
        CT_EXEC_SHELL, /* argv joined, run by /bin/sh -c (vzctl exec/exec2) */
        CT_EXEC_STDIN, /* /bin/sh reading commands from stdin (exec CTID -) */
        CT_EXEC_ARGV,  /* argv as is (enter --exec) */
} ct_exec_mode;

/* Run a command inside a running CT. Returns the command's exit status (0..255; 128+N for signal N). */
int ct_exec(ct *c, ct_exec_mode mode, char **argv, int *ret_status);
/* Interactive shell on a pty of the CT's own devpts. */
int ct_enter(ct *c, char **argv, int *ret_status);
/* Apply live changes to a running CT (hostname). */
int ct_apply_live(ct *c, const struct ct_change *changes, size_t n);

/* Usage counters of a running CT (beancounters, rebuilt on cgroups). -ESRCH when not running. */
struct cg_stats;
int ct_get_stats(ct *c, struct cg_stats *ret);

/* Host commitment: memory guarantees and limits, CPU limits of the running CTs (vzmemcheck/vzcpucheck). */
typedef struct ct_commitment {
        uint64_t host_mem;
        unsigned host_cpus;
        unsigned running;
        uint64_t mem_guaranteed; /* bytes */
        uint64_t mem_limited;    /* bytes, over CTs with a RAM limit */
        unsigned mem_unlimited;  /* CTs without a RAM limit */
        uint64_t cpu_limited;    /* percent of one CPU, over CTs with a CPU limit */
        unsigned cpu_unlimited;
        uint64_t cpuunits; /* sum of weights (1000 where unset) */
} ct_commitment;

/* Sum over running CTs; `extra` (may be NULL) is counted as if running too (start's guard). */
int ct_get_commitment(struct ct_paths *p, ct *extra, ct_commitment *ret);

/* The CT whose NAME is name, other than `except`: 0 when none. */
int ct_find_by_name(struct ct_paths *p, const char *name, unsigned except, unsigned *ret);
/* All CTIDs with a config, sorted. */
int ct_list_ids(struct ct_paths *p, unsigned **ret, size_t *ret_n);

/* Re-execute from a copy of ourselves nobody can write, unless already (CVE-2019-5736): the binary
 * through a private read-only overlayfs, or where the kernel cannot do that, a sealed memfd copy. */
int ct_ensure_cloned_binary(char **argv);

/* net.c: routed addresses (IP_ADDRESS) and bridged interfaces (NETIF). */
struct ct_ip {
        int family; /* AF_INET, AF_INET6 */
        unsigned char addr[16];
        unsigned prefixlen; /* on the CT's venet0: 32/128 unless given */
        bool explicit_prefix;
        char text[64]; /* canonical "ADDR" or "ADDR/LEN" */
};
struct ct_netif {
        char ifname[16], host_ifname[16], bridge[16];
        uint8_t mac[6], host_mac[6];
        bool has_mac, has_host_mac;
};
/* Parse a space separated IP_ADDRESS list; -EINVAL on a bad address. */
int ct_ip_list_parse(const char *list, struct ct_ip **ret, size_t *ret_n);
bool ct_ip_same(const struct ct_ip *a, const struct ct_ip *b);
/* Is ip (as an address, whatever its prefix length) in list? */
bool ct_ip_in(const struct ct_ip *ip, const struct ct_ip *list, size_t n);
/* Parse NETIF; fields not given are derived (host_ifname veth<CTID>.<N>, MACs stable per CT and interface).
 */
int ct_netif_list_parse(unsigned ctid, const char *list, struct ct_netif **ret, size_t *ret_n);
int ct_netif_format(const struct ct_netif *ifs, size_t n, char **ret);
bool ct_ifname_valid(const char *s);
/* veth<CTID>.<N>, or vx<hex CTID>.<N> where that is longer than an interface name may be. */
void ct_default_host_ifname(unsigned ctid, size_t index, char ret[16]);
/* -EADDRINUSE (and says which CT or the host has it) if an address new_list adds is taken. */
int ct_net_check_ips(ct *c, const char *new_list);
/* IP_ADDRESS and NETIF as a running CT has them set up (live-only changes included); the config's values
 * when nothing is recorded. */
int ct_net_live(ct *c, char **ret_ips, char **ret_netif);
/* The nameservers of the host's /etc/resolv.conf, space separated. */
int ct_host_nameservers(char **ret);

/* seccomp.c / caps.c: validate SECCOMP_ALLOW/DENY syscall names and CAPABILITY entries (-EINVAL); print
 * the CT's seccomp filter. */
int ct_seccomp_check_names(const char *list);
int ct_capability_check(const char *list);
int ct_seccomp_show(const struct ct_config *cfg);
