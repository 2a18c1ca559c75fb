/* CTID.conf and vpsctl.conf: OpenVZ KEY="value" files, driven by one static key table. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/macro.h"

#define CTID_MIN 101U
#define CTID_MAX 2147483644U

/* The CT side of routed (venet) networking. */
#define CT_VENET_IF "venet0"

typedef enum ct_key_flags {
        CT_KEY_CT = 1 << 0,     /* valid in CTID.conf */
        CT_KEY_GLOBAL = 1 << 1, /* valid in vpsctl.conf (as a default for CTs when also CT_KEY_CT) */
        CT_KEY_SUBST = 1 << 2,  /* $VEID / $CTID are substituted */
        CT_KEY_LIVE = 1 << 3,   /* set applies it to a running CT */
        CT_KEY_NOSET = 1 << 4,  /* not changeable by `set` */
        CT_KEY_ALIAS = 1 << 5,  /* another option for a key listed before it (--ram for PHYSPAGES) */
        CT_KEY_RESTART =
                1 << 6, /* a running CT has it from its start: a change needs a restart (--setmode) */
} ct_key_flags;

#define CT_U64_UNSET (UINT64_MAX - 1)

typedef enum ct_tristate {
        CT_UNSET = -1,
        CT_NO = 0,
        CT_YES = 1,
} ct_tristate;

struct ct_config {
        unsigned ctid;
        char *ve_root;
        char *ve_private;
        char *ostemplate;
        char *hostname;
        char *name;
        char *description;
        int onboot;         /* ct_tristate */
        unsigned bootorder; /* autostart: higher first; 0 (unset) after every CT that has one */
        int disabled;       /* ct_tristate */
        unsigned stop_timeout;
        char *layout;
        char *ip_address;
        char *netif;
        char *nameserver;
        char *searchdomain;
        char *origin_sample;
        /* resources (resources.c); CG_UNSET-style sentinels: UINT64_MAX - 1 = unset */
        uint64_t ram_barrier, ram_limit;   /* bytes */
        uint64_t swap_barrier, swap_limit; /* bytes */
        int memguarantee;                  /* percent of ram, -1 unset (auto) */
        unsigned cpuunits;                 /* 0 unset */
        unsigned cpulimit;                 /* 0 unset/unlimited */
        bool cpulimit_of_host;             /* "N%": percent of the whole host, not of one CPU */
        unsigned cpus;                     /* 0 unset */
        char *cpumask;
        uint64_t numproc_barrier, numproc_limit;
        uint64_t iolimit; /* bytes/s, 0 = none, UINT64_MAX - 1 unset */
        uint64_t iopslimit;
        int ioprio;                                /* 0..7, -1 unset */
        uint64_t diskspace_soft, diskspace_hard;   /* bytes (project quota); UINT64_MAX - 1 unset */
        uint64_t diskinodes_soft, diskinodes_hard; /* inodes */
        /* confinement (caps.c, seccomp.c, userns.c) */
        int userns;                    /* ct_tristate: unset = no (CTs from before user namespaces) */
        unsigned local_uid, local_gid; /* 0 unset */
        int seccomp;                   /* ct_tristate: unset = on */
        int no_new_privs;              /* ct_tristate: unset = no */
        char *seccomp_allow, *seccomp_deny;
        char *capability;
        char *devices;
        char *rate, *rate_in; /* RATE (the CT's outgoing traffic), RATE_IN (its incoming): ct_rate_bits() */
        ct_tristate lxcfs;    /* lxcfs's /proc views (lxcfs.c); unset = yes */
        /* global only */
        char *template_dir;
        char *cgroup_parent;
        unsigned lock_timeout;
        char *configfile;
        char *busybox;
        unsigned template_keep; /* generations of a template kept by a rebuild */
        unsigned ve_parallel;   /* autostart/stop-all: CTs at a time; 0 = one per CPU */
        ct_tristate console;    /* a console pty and its keeper (vpsctl console); unset = no */
        ct_tristate logging;    /* the command log (LOGFILE and syslog); unset = yes */
        char *logfile;
        unsigned log_level; /* 0: commands, errors, warnings; 1: and notices; 2: and the rest */
        char *neighbour_devs;
        char *lxcfs_dir; /* where the host's lxcfs is mounted (default /var/lib/lxcfs, not under the prefix)
                          */
};

struct ct_key {
        const char *key;    /* OpenVZ name in the file */
        const char *option; /* `set`/`create` option without dashes, or NULL */
        const char *field;  /* `list -o` field, or NULL */
        const char *header; /* `list` column header */
        const char *fmt;    /* `list` column format, vzlist's width */
        int (*parse)(const struct ct_key *k, const char *value, void *field);
        int (*format)(const struct ct_key *k, const void *field, char **ret);
        size_t offset;
        unsigned flags;
        unsigned min, max; /* for numbers */
        const char *help;
        /* command-line value -> file value (e.g. --ram 1G -> "0:1G", --iolimit MB/s -> bytes/s) */
        int (*from_option)(const char *opt, char **ret);
};

extern const struct ct_key ct_keys[];
extern const size_t ct_keys_count;

const struct ct_key *ct_key_by_name(const char *key);
const struct ct_key *ct_key_by_option(const char *option);
const struct ct_key *ct_key_by_field(const char *field);

/* Defaults under the prefix (VE_ROOT, VE_PRIVATE, TEMPLATE, ...). */
int ct_config_init(struct ct_config *c, const char *prefix, unsigned ctid);
void ct_config_done(struct ct_config *c);
/* Parse one file on top of c. scope is CT_KEY_CT or CT_KEY_GLOBAL. Errors name file:line and key. */
int ct_config_parse_file(struct ct_config *c, const char *path, unsigned scope, bool warn_unknown);
/* The same; a parse error (-EINVAL) is returned in *ret_error as "PATH:LINE: what" instead of logged
 * (ret_error may be NULL: logged).
 * Lines end in LF or CRLF, the last may have none; a line over 16 KiB or with a NUL byte is an error; of a
 * key given twice the later line wins. */
int ct_config_parse_file_error(struct ct_config *c, const char *path, unsigned scope, bool warn_unknown,
                               char **ret_error);
/* Validate and store one value; used by the file parser and by `set`. */
int ct_config_set_value(struct ct_config *c, const struct ct_key *k, const char *value);
/* The value of a key as written to a file, or NULL when unset. */
int ct_config_format_value(const struct ct_config *c, const struct ct_key *k, char **ret);

struct ct_change {
        const char *key;
        const char *value; /* NULL deletes the key */
};
/* Rewrite PATH (or create it from TEMPLATE_TEXT) with the changes applied, keeping every other line
 * (unknown keys, comments) as it was. Atomic. */
/* The KEY=value pairs of a config text, in order, each key once (the later line wins): kv[2i] is a key,
 * kv[2i+1] its value, with room for one pair more. Lines are not checked against the key table. */
int ct_config_text_pairs(const char *text, char ***ret_kv, size_t *ret_n);
int ct_config_edit(const char *path, const char *template_text, const struct ct_change *changes, size_t n);

/* Command-line value of k's option to the value written in the file (validated by the caller). */
int ct_key_option_value(const struct ct_key *k, const char *opt, char **ret);

/* Substitute $VEID, ${VEID}, $CTID, ${CTID}. */
int ct_subst_veid(const char *in, unsigned ctid, char **ret);
/* A CTID: decimal digits only, CTID_MIN..CTID_MAX; -EINVAL if not a number, -ERANGE if out of range. */
int ct_id_parse(const char *arg, unsigned *ret);
/* Hostname syntax (RFC 1123 labels). */
bool hostname_is_valid(const char *s);
/* CT name syntax: [A-Za-z0-9._-], starting with a letter or digit, not all digits. */
bool ct_name_is_valid(const char *s);

/* config-net.c: routed addresses (IP_ADDRESS) and bridged interfaces (NETIF). */
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

/* RATE / RATE_IN: entries "[DEV:CLASS:]RATE", space separated; RATE a bare number of Kbit/s (vzctl), or
 * bits/s with K/M/G, or 0/unlimited. The CT's limit in bits/s (the entries' sum; 0 = none), and the file's
 * form of a value (Kbit/s). -EINVAL / -ERANGE on a bad one. */
#define CT_RATE_MAX 1000000000000ULL
int ct_rate_bits(const char *v, uint64_t *ret);
int ct_rate_normalize(const char *v, char **ret);

/* config-security.c: validate SECCOMP_ALLOW/DENY syscall names and CAPABILITY entries (-EINVAL). */
int ct_seccomp_check_names(const char *list);
int ct_capability_check(const char *list);
