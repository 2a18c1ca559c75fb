/* runtime: the container = config + state + lifecycle. The CLI's only entry into the lower layers. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/types.h>

#include "cgroups/cgroups.h" /* types only: cg_stats */
#include "config.h"
#include "exitcodes.h"
#include "templates/templates.h" /* types only: tmpl_info, tmpl_recipe, tmpl_build_result */

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
        bool exists;        /* CTID.conf exists */
        char *config_error; /* ct_load_lenient(): "CTID.conf:LINE: what" when it cannot be parsed */
} ct;

/* Parse a CTID ("101") or look a name up among the CTs' NAME keys. -EINVAL bad syntax, -ERANGE out of range,
 * -ENOENT unknown name. */
int ct_resolve_id(struct ct_paths *p, const char *arg, unsigned *ret);
/* Load global config + CTID.conf (if any). warn: report unknown keys. */
int ct_load(struct ct_paths *p, unsigned id, bool warn, ct **ret);
/* For the read-only verbs (list, status, stat, check): a CT whose CTID.conf cannot be parsed is still
 * loaded, with the defaults for its keys and c->config_error saying what is wrong, so its status can be
 * derived from the facts (it may be running). */
int ct_load_lenient(struct ct_paths *p, unsigned id, ct **ret);
void ct_free(ct *c);
static inline void ct_freep(ct **c)
{
        ct_free(*c);
}
#define _cleanup_ct_ _cleanup_(ct_freep)

/* Take the CT's lock, waiting up to the lock timeout. -EBUSY when still busy: *ret_holder is the pid. */
int ct_lock(ct *c, const char *verb, pid_t *ret_holder);
void ct_unlock(ct *c);

/* Did the running CT get lxcfs's /proc views at its start (recorded in its state file)? */
typedef enum ct_lxcfs_state {
        CT_LXCFS_UNKNOWN, /* not running, or started before vpsctl knew of lxcfs */
        CT_LXCFS_YES,
        CT_LXCFS_MISSING, /* LXCFS was not no, but lxcfs was not running */
        CT_LXCFS_OFF,     /* LXCFS="no" */
} ct_lxcfs_state;

typedef struct ct_status {
        bool exists;
        bool mounted;
        bool running;
        bool frozen;    /* running, with every process frozen (freeze) */
        pid_t init_pid; /* host pid of the CT's init, 0 when not running */
        unsigned nproc;
        ct_lxcfs_state lxcfs;
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
        /* import-openvz: the private area is a copy of this directory tree (layout copy; no template is
         * read, ostemplate is only a label and may be NULL, config_sample is ORIGIN_SAMPLE or NULL), and the
         * new CTID.conf is config_text with the keys create sets applied over it */
        const char *import_from;
        const char *config_text;
        bool import_move; /* import_from is renamed in (same filesystem), not copied; undone on failure */
} ct_create_opts;

int ct_create(ct *c, const ct_create_opts *o);

/* import-openvz (import.c): an OpenVZ host's CTs as vpsctl CTs, key by key. */
typedef enum ct_import_action {
        CT_IMPORT_KEPT,        /* vpsctl reads the key and value as they are */
        CT_IMPORT_TRANSLATED,  /* the same thing in vpsctl's form (new_value) */
        CT_IMPORT_REPLACED,    /* vpsctl decides it (paths, layout, user namespace); new_value when known */
        CT_IMPORT_UNSUPPORTED, /* no counterpart: listed, and kept as a comment in the new CTID.conf */
} ct_import_action;
typedef struct ct_import_key {
        char *key, *value; /* as in the OpenVZ file */
        ct_import_action action;
        char *new_value;
        char *why; /* may be NULL */
} ct_import_key;
typedef struct ct_import_ct {
        unsigned id;
        char *conf;   /* ROOT/etc/vz/conf/CTID.conf */
        char *source; /* its simfs private area (under ROOT) */
        char *ostemplate, *origin_sample, *name, *ip_address;
        bool exists; /* in vpsctl already */
        bool moved; /* an interrupted import --move left its files in vpsctl's private area: the import moves
                     * them back first */
        char *refused;    /* why it cannot be imported, or NULL */
        int refused_code; /* -ENOENT no config or private area, -EEXIST in vpsctl already, -EBUSY running on
                           * the source, -EMEDIUMTYPE ploop, -EINVAL unreadable config, -EADDRNOTAVAIL its
                           * NAME is taken */
        ct_import_key *keys;
        size_t n_keys;
        char *config_text; /* the new CTID.conf, before create's keys */
} ct_import_ct;
/* Read ROOT/etc/vz/vz.conf and the CTID.conf of IDS (none: every CT of ROOT/etc/vz/conf) into a plan, one
 * entry per CT, sorted. Changes nothing. -ENOENT: ROOT has no etc/vz/conf. */
int ct_import_scan(struct ct_paths *p, const char *root, const unsigned *ids, size_t n_ids,
                   ct_import_ct **ret, size_t *ret_n);
void ct_import_free(ct_import_ct *v, size_t n);
/* Import one planned CT into c (loaded and locked, not existing): create's steps, with its crash safety, the
 * private area copied (layout copy). userns: ct_tristate, as create's. The refusal's code for a refused CT;
 * -EADDRINUSE an address is taken (said); the rest as ct_create. */
int ct_import_run(ct *c, const ct_import_ct *e, int userns, bool move);
int ct_destroy(ct *c);
int ct_mount(ct *c);
int ct_umount(ct *c);
/* Start; returns once init runs. wait_boot: also wait for the guest's boot scripts. */
int ct_start(ct *c, bool wait_boot);
/* Stop: init's own shutdown first (unless fast), then the cgroup is killed; then unmount. */
int ct_stop(ct *c, bool fast);
/* Freeze (true) or thaw every process of a running CT (the cgroup freezer); errors are logged.
 * -ESRCH: not running; -EALREADY: already so. */
int ct_freeze(ct *c, bool freeze);

/* An action script failed (it said why, logged): vzctl's VZ_ACTIONSCRIPT_ERROR. */
#define CT_EACTIONSCRIPT ENOTRECOVERABLE
/* DISKSPACE/DISKINODES on a filesystem without project quota (logged, naming it): vzctl's VZ_DQ_ON. */
#define CT_ENOQUOTA EMEDIUMTYPE

typedef enum ct_exec_mode {
        CT_EXEC_SHELL, /* argv joined, run by /bin/sh -c (vzctl exec/exec2) */
        CT_EXEC_STDIN, /* /bin/sh reading commands from stdin (exec CTID -) */
        CT_EXEC_ARGV,  /* argv as is (enter --exec) */
} ct_exec_mode;

/* Run a command inside a running CT; its exit status (0..255; 128+N for signal N) in ret_status.
 * -ESRCH: the CT is not running; -ECANCELED (logged): the CT was stopped while the command ran. */
int ct_exec(ct *c, ct_exec_mode mode, char **argv, int *ret_status);
/* As ct_exec, /bin/sh inside the CT reading the script from script_fd (a host file: runscript, the
 * CTID.start and CTID.stop action scripts). */
int ct_exec_script(ct *c, int script_fd, int *ret_status);
/* vpsctl console: attach the operator's terminal to the CT's console until Esc . or Ctrl-] (0), or
 * until the CT stops. -ENOENT: the CT has no console keeper (CONSOLE is not yes, or it is not running). */
int ct_console_attach(ct *c);
/* The console keeper is vpsctl re-executed with these arguments: main() hands them to it first. */
bool ct_console_keeper_argv(int argc, char **argv);
int ct_console_keeper_main(int argc, char **argv);
/* Interactive shell on a pty of the CT's own devpts; errors as ct_exec's. */
int ct_enter(ct *c, char **argv, int *ret_status);
/* set --applyconfig: the keys of config sample SAMPLE that apply to an existing CT (not its identity:
 * HOSTNAME, IP_ADDRESS, OSTEMPLATE, VE_ROOT, VE_PRIVATE, NAME, DESCRIPTION, nor what set cannot change),
 * and ORIGIN_SAMPLE=SAMPLE, as key/value pairs (ret_kv[2i], ret_kv[2i+1]; free with ct_kv_free). */
int ct_sample_changes(ct *c, const char *sample, char ***ret_kv, size_t *ret_n);
void ct_kv_free(char **kv, size_t n);
/* Set USER's password inside the CT (running, or stopped: its root is mounted for it), adding the user
 * when missing; only a SHA-512 crypt hash is written. Errors are logged. */
int ct_set_userpasswd(ct *c, const char *user, const char *password);
/* The part of a live change that failed (ct_apply_live), for the caller's exit code. */
typedef enum ct_live_part {
        CT_LIVE_NONE,
        CT_LIVE_NET,     /* routed addresses (IP_ADDRESS), bridged interfaces (NETIF) */
        CT_LIVE_RATE,    /* RATE, RATE_IN */
        CT_LIVE_DEVICES, /* DEVICES */
        CT_LIVE_LIMITS,  /* the cgroup limits: memory, processes, CPU, CPU mask, I/O */
        CT_LIVE_DISK,    /* DISKSPACE, DISKINODES */
        CT_LIVE_GUEST,   /* the host name and the guest's files */
} ct_live_part;
/* Apply live changes to a running CT; errors are logged, and *ret_part (may be NULL) says which part
 * failed. */
int ct_apply_live(ct *c, const struct ct_change *changes, size_t n, ct_live_part *ret_part);
/* Can this host apply the CT's limits with these changes (CPUs, controllers, files, devices)? The same
 * limits start applies, written to a scratch cgroup beside the CT's: 0 yes; an error logged once, naming
 * the option, the reason and what exists, otherwise. A best-effort limit (IOPRIO) warns instead. */
int ct_check_limits(ct *c, const struct ct_change *changes, size_t n);

/* Usage counters of a running CT (beancounters, rebuilt on cgroups). -ESRCH when not running. */
int ct_get_stats(ct *c, struct cg_stats *ret);

/* Disk quota (disk.c): could DISKSPACE/DISKINODES, as these changes leave them, be enforced on the private
 * area's filesystem? 0 yes (or no limit); -CT_ENOQUOTA (logged) no. */
int ct_disk_check(ct *c, const struct ct_change *changes, size_t n);
/* Usage and limits of the CT's project (running or not): bytes and inodes. -EOPNOTSUPP where the
 * filesystem has no project quota or the private area has not been given its project id yet. */
typedef struct ct_disk_usage {
        uint64_t space_used, space_soft, space_hard; /* limits 0: none */
        uint64_t inodes_used, inodes_soft, inodes_hard;
} ct_disk_usage;
int ct_get_disk_usage(ct *c, ct_disk_usage *ret);

/* metrics.c: every CT's figures in one pass (metrics, top). Read-only, no lock taken. */
typedef struct ct_metrics_link {
        char ifname[16];
        uint64_t rx_bytes, tx_bytes, rx_packets, tx_packets, rx_errors, tx_errors, rx_dropped, tx_dropped;
} ct_metrics_link;
typedef struct ct_metrics {
        unsigned id;
        char *name, *hostname; /* NULL when unset */
        bool exists, config_error;
        bool running, frozen;
        pid_t init_pid;    /* 0 when not running or not found */
        uint64_t uptime_s; /* of its init */
        /* have_stats false (stopped): only the limits of stats.mem, .swap, .pids are set, from the config
         * (CG_UNLIMITED: none) */
        bool have_stats;
        struct cg_stats stats;
        bool have_disk; /* CT_METRICS_DISK, and the private area has a project quota */
        ct_disk_usage disk;
        bool have_links; /* CT_METRICS_NET, running, with a network namespace of its own ("lo" left out) */
        ct_metrics_link *links;
        size_t n_links;
} ct_metrics;
enum {
        CT_METRICS_NET = 1 << 0,  /* the links of each running CT's network namespace (rtnetlink) */
        CT_METRICS_DISK = 1 << 1, /* disk usage and quota (quotactl) */
};
/* The CTs ids[0..n_ids) (all CTs with a config when ids is NULL), in that order; a CT that vanishes while
 * read is left out. Free with ct_metrics_free. */
int ct_metrics_collect(struct ct_paths *p, const unsigned *ids, size_t n_ids, unsigned flags,
                       ct_metrics **ret, size_t *ret_n);
void ct_metrics_free(ct_metrics *m, size_t n);

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
        unsigned invalid;  /* CTs whose config cannot be parsed (counted, when running, as unlimited) */
} ct_commitment;

/* Sum over running CTs; `extra` (may be NULL) is counted as if running too (start's guard). */
int ct_get_commitment(struct ct_paths *p, ct *extra, ct_commitment *ret);

/* The CT whose NAME is name, other than `except`: 0 when none. */
int ct_find_by_name(struct ct_paths *p, const char *name, unsigned except, unsigned *ret);
/* All CTIDs with a config, sorted. */
int ct_list_ids(struct ct_paths *p, unsigned **ret, size_t *ret_n);

/* autostart and stop-all (autostart.c): the CTs and their order. */
typedef struct ct_boot_entry {
        unsigned id;
        unsigned bootorder;
        bool running, disabled;
        char *config_error; /* the CT's config cannot be parsed: "CTID.conf:LINE: what" */
} ct_boot_entry;
/* Boot order: higher BOOTORDER first, CTs without one (0) last, ties by CTID; for_stop: the reverse. */
void ct_boot_order_sort(ct_boot_entry *e, size_t n, bool for_stop);
/* autostart (for_stop false): the CTs with ONBOOT="yes", and those whose config cannot be parsed (to be
 * reported); stop-all: the running CTs. Sorted. *ret_parallel: VE_PARALLEL (0 = unset). */
int ct_boot_plan(struct ct_paths *p, bool for_stop, ct_boot_entry **ret, size_t *ret_n,
                 unsigned *ret_parallel);
void ct_boot_plan_free(ct_boot_entry *e, size_t n);

/* Re-execute from a copy of ourselves nobody can write, unless already (CVE-2019-5736): the binary
 * through a private read-only overlayfs, or where the kernel cannot do that, a sealed memfd copy. */
int ct_ensure_cloned_binary(char **argv);
/* Does a command that joins or spawns into CT arg (a CTID or name; NULL or unknown: yes) need that copy?
 * Not for a CT in a user namespace whose ids on the host start above 0: none of its processes can write a
 * binary owned by the host's root, whom the namespace does not map (the kernel grants no capability over
 * an inode whose owner is unmapped), so CVE-2019-5736 has nothing to write with, and the re-exec (about
 * 4 ms of every start and exec) is skipped. The user namespace is the config's (USERNS cannot be set on
 * an existing CT: create decides), which exec and start also follow. */
bool ct_needs_sealed_binary(const char *arg);

/* net.c: the network of CTs */
/* -EADDRINUSE (and says which CT or the host has it) if an address new_list adds is taken. */
int ct_net_check_ips(ct *c, const char *new_list);
/* IP_ADDRESS and NETIF as a running CT has them set up (live-only changes included); the config's values
 * when nothing is recorded. */
int ct_net_live(ct *c, char **ret_ips, char **ret_netif);
/* guest.c: the nameservers of the host's /etc/resolv.conf, space separated (NAMESERVER="inherit"). */
int ct_host_nameservers(char **ret);

/* seccomp.c: print the CT's seccomp filter. */
int ct_seccomp_show(const struct ct_config *cfg);

/* templates.c: the template cache as this host's CTs see it. Front ends reach templates/ only through
 * these; every generation a CT uses is kept from pruning and removal. */
typedef struct ct_templates ct_templates;
/* Read vpsctl.conf for TEMPLATE, BUSYBOX, TEMPLATE_KEEP; -EINVAL a bad line (logged with file:line). */
int ct_templates_open(struct ct_paths *p, ct_templates **ret);
void ct_templates_free(ct_templates *t);
static inline void ct_templates_freep(ct_templates **t)
{
        ct_templates_free(*t);
}
const char *ct_templates_dir(const ct_templates *t);
const char *ct_templates_recipe_dir(const ct_templates *t);
bool ct_template_name_valid(const char *name);
/* "NAME" of a tarball's file name (without .tar.gz etc.). */
int ct_template_name_from_file(const char *file, char **ret);
/* Every template with its generations and their CTs (a CT whose config cannot be read is left out). */
int ct_template_list(ct_templates *t, tmpl_info **ret, size_t *ret_n);
/* Names of every recipe; one recipe (-ENOENT none, -EINVAL bad: logged with file:line). */
int ct_template_recipes(ct_templates *t, char ***ret);
int ct_template_recipe(ct_templates *t, const char *name, tmpl_recipe **ret);
/* The rootfs of NAME's current generation; -ENOENT none built. */
int ct_template_rootfs(ct_templates *t, const char *name, char **ret);
/* A recipe that imports the tarball FILE as NAME: -errno it cannot be read, -EINVAL not a regular file,
 * -EMEDIUMTYPE not a tar archive, -ENOPROTOOPT its decompressor (*ret_program) is not installed. */
int ct_template_import_recipe(ct_templates *t, const char *file, const char *name, tmpl_recipe **ret,
                              const char **ret_program);
typedef struct ct_template_build_opts {
        bool if_missing;      /* do nothing when the template has a current generation */
        time_t if_older_than; /* >0: do nothing when current is younger than this many seconds */
        void (*progress)(void *userdata, const char *line); /* may be NULL */
        void (*started)(void *userdata, const char *generation);
        void *userdata;
} ct_template_build_opts;
/* Build a new generation (tmpl_build), keeping TEMPLATE_KEEP and every one a CT uses. -ENOPKG debootstrap
 * is not installed; the rest as tmpl_build(). */
int ct_template_build(ct_templates *t, tmpl_recipe *rec, const ct_template_build_opts *o,
                      tmpl_build_result *ret);
/* -EMEDIUMTYPE FILE's name says no tar format, -ENOPROTOOPT its compressor (*ret_program) is missing;
 * the rest as tmpl_export(). */
int ct_template_export(ct_templates *t, const char *name, const char *file, const char **ret_program);
/* As tmpl_remove(), refusing while any CT uses it. */
int ct_template_remove(ct_templates *t, const char *name, pid_t *ret_holder, unsigned **ret_users,
                       size_t *ret_n_users);

/* oci.c: the OCI runtime's verbs (`vpsctl oci`, `vpsctl-oci`), on the same spawn path, cgroup layer and
 * confinement as the CTs. root is the state directory (--root): one directory per container, locked while a
 * verb works on it. Errors are logged, naming the container, the option or config.json's field. */
/* Write the default config.json into bundle (refused if one exists). */
int oci_write_default_spec(const char *bundle);
/* spec --from-ct: a bundle in bundle for CT c (loaded and locked; stopped, else -EBUSY): rootfs a copy of
 * its root, config.json with its host name, limits, capabilities, seccomp denials and user namespace
 * mapping. -EEXIST: bundle holds config.json or rootfs already, unless force (they are replaced). */
int oci_spec_from_ct(ct *c, const char *bundle, bool force);
/* Set up the container of bundle/config.json, its process waiting until oci_start(); console_socket
 * (process.terminal) receives the pty master, pid_file the process's host pid. Nothing is left behind when
 * it fails. */
int oci_create(const char *root, const char *id, const char *bundle, const char *pid_file,
               const char *console_socket);
int oci_start(const char *root, const char *id);
/* The runtime-spec state of the container, as JSON text (*ret, to free). */
int oci_state_json(const char *root, const char *id, char **ret);
/* all: every process of its cgroup, also of a stopped container's (runc's kill --all). */
int oci_kill(const char *root, const char *id, int sig, bool all);
/* force: a running container is killed first. */
int oci_delete(const char *root, const char *id, bool force);
/* Freeze (pause) or thaw (resume) the container's cgroup. */
int oci_pause(const char *root, const char *id, bool pause);
/* Run process_file's process (runtime-spec process JSON), or config.json's with args, in the running
 * container: its namespaces, cgroup, confinement; with tty (or the file's process.terminal) a pty of the
 * container whose master goes to console_socket. Without detach, waits: *ret_status is its exit code (128+N
 * for signal N). pid_file: its host pid. */
int oci_exec(const char *root, const char *id, const char *process_file, char **args, bool tty,
             const char *console_socket, bool detach, const char *pid_file, int *ret_status);
/* update --resources FILE ("-": stdin): a linux.resources object applied to the container's cgroup (what it
 * sets; the rest stays). */
int oci_update(const char *root, const char *id, const char *resources_file);
/* The host pids of the container's processes (its cgroup), *ret to free. */
int oci_ps(const char *root, const char *id, pid_t **ret, size_t *ret_n);
/* What this runtime supports, as the runtime-spec's features JSON (*ret, to free). */
int oci_features_json(char **ret);
