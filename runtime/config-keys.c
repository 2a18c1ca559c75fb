/* The one key table of CTID.conf and vpsctl.conf (what parsing, set --save, list -o fields and help are
 * driven by), its lookups, and the parsers of the plain values it stores (strings, paths, hostnames,
 * CT names, yes/no, counts, lists). Resource, network and security values are parsed in config-values.c,
 * config-net.c and config-security.c; reading and writing the files is config.c's. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/parse.h"
#include "config-internal.h"
#include "templates/templates.h"

bool hostname_is_valid(const char *s)
{
        size_t len = s ? strlen(s) : 0, label = 0;

        if (len == 0 || len > 253 || s[0] == '.' || s[0] == '-')
                return false;
        for (const char *p = s; *p; p++) {
                if (*p == '.') {
                        if (label == 0 || p[-1] == '-')
                                return false;
                        label = 0;
                        continue;
                }
                if (!isalnum((unsigned char)*p) && *p != '-')
                        return false;
                if (++label > 63)
                        return false;
        }
        return s[len - 1] != '-';
}

bool ct_name_is_valid(const char *s)
{
        bool digits_only = true;

        if (!s || !*s || strlen(s) > 64 || !isalnum((unsigned char)s[0]))
                return false;
        for (const char *p = s; *p; p++) {
                if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
                        return false;
                if (!isdigit((unsigned char)*p))
                        digits_only = false;
        }
        return !digits_only;
}

#define FIELD(c, k) ((char *)(c) + (k)->offset)

static int parse_string(const struct ct_key *k, const char *v, void *field)
{
        char **s = field;
        (void)k;
        if (strpbrk(v, "\"\n\\`$") && !(k->flags & CT_KEY_SUBST))
                return -EINVAL;
        char *n = strdup(v);
        if (!n)
                return -ENOMEM;
        free(*s);
        *s = n;
        return 0;
}

int format_string(const struct ct_key *k, const void *field, char **ret)
{
        const char *const *s = field;
        (void)k;
        if (!*s) {
                *ret = NULL;
                return 0;
        }
        *ret = strdup(*s);
        return *ret ? 0 : -ENOMEM;
}

static int parse_path(const struct ct_key *k, const char *v, void *field)
{
        if (v[0] != '/' || strstr(v, "/../") || strpbrk(v, "\"\n,:"))
                return -EINVAL;
        return parse_string(k, v, field);
}

static int parse_hostname(const struct ct_key *k, const char *v, void *field)
{
        if (!hostname_is_valid(v))
                return -EINVAL;
        return parse_string(k, v, field);
}

static int parse_name(const struct ct_key *k, const char *v, void *field)
{
        if (!ct_name_is_valid(v))
                return -EINVAL;
        return parse_string(k, v, field);
}

static int parse_template(const struct ct_key *k, const char *v, void *field)
{
        if (!tmpl_name_valid(v))
                return -EINVAL;
        return parse_string(k, v, field);
}

static int parse_layout(const struct ct_key *k, const char *v, void *field)
{
        if (!streq(v, "overlay") && !streq(v, "copy"))
                return -EINVAL;
        return parse_string(k, v, field);
}

static int parse_tristate(const struct ct_key *k, const char *v, void *field)
{
        bool b;
        (void)k;
        int r = parse_boolean(v, &b);
        if (r < 0)
                return r;
        *(int *)field = b ? CT_YES : CT_NO;
        return 0;
}

static int format_tristate(const struct ct_key *k, const void *field, char **ret)
{
        int v = *(const int *)field;
        (void)k;
        *ret = v == CT_UNSET ? NULL : strdup(v == CT_YES ? "yes" : "no");
        return v != CT_UNSET && !*ret ? -ENOMEM : 0;
}

int parse_uint(const struct ct_key *k, const char *v, void *field)
{
        unsigned u;
        int r = parse_sec(v, &u);
        if (r < 0)
                return r;
        if (u < k->min || u > k->max)
                return -ERANGE;
        *(unsigned *)field = u;
        return 0;
}

/* A plain number (no s/m/h suffix) in k's range. */
static int parse_count(const struct ct_key *k, const char *v, void *field)
{
        unsigned u;
        int r = safe_atou(v, &u);
        if (r < 0)
                return r;
        if (u < k->min || u > k->max)
                return -ERANGE;
        *(unsigned *)field = u;
        return 0;
}

int format_uint(const struct ct_key *k, const void *field, char **ret)
{
        unsigned v = *(const unsigned *)field;
        /* 0 below a key's minimum is how "unset" is stored (CPUUNITS, CPUS) */
        if (v == 0 && k->min > 0) {
                *ret = NULL;
                return 0;
        }
        return asprintf(ret, "%u", v) < 0 ? -ENOMEM : 0;
}

static int parse_ip_list(const struct ct_key *k, const char *v, void *field)
{
        /* a space separated list of ADDR[/LEN], IPv4 and IPv6 */
        _cleanup_free_ struct ct_ip *ips = NULL;
        size_t n;
        int r = ct_ip_list_parse(v, &ips, &n);
        if (r < 0)
                return r;
        return parse_string(k, v, field);
}

static int parse_nameservers(const struct ct_key *k, const char *v, void *field)
{
        /* resolvers are plain addresses, no prefix length */
        if (strchr(v, '/'))
                return -EINVAL;
        return parse_ip_list(k, v, field);
}

static int parse_netif(const struct ct_key *k, const char *v, void *field)
{
        _cleanup_free_ struct ct_netif *ifs = NULL;
        size_t n;
        int r = ct_netif_list_parse(CTID_MIN, v, &ifs, &n);
        if (r < 0)
                return r;
        return parse_string(k, v, field);
}

static int parse_syscall_list(const struct ct_key *k, const char *v, void *field)
{
        int r = ct_seccomp_check_names(v);
        if (r < 0)
                return r;
        return parse_string(k, v, field);
}

static int parse_capability(const struct ct_key *k, const char *v, void *field)
{
        int r = ct_capability_check(v);
        if (r < 0)
                return r;
        return parse_string(k, v, field);
}

static int parse_devices(const struct ct_key *k, const char *v, void *field)
{
        _cleanup_free_ cg_device_rule *rules = NULL;
        size_t n;
        int r = ct_device_rules(v, &rules, &n);
        if (r < 0)
                return r;
        return parse_string(k, v, field);
}

static int parse_ifname_list(const struct ct_key *k, const char *v, void *field)
{
        _cleanup_free_ char *copy = strdup(v);
        if (!copy)
                return -ENOMEM;
        for (char *save = NULL, *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
                if (!ct_ifname_valid(t))
                        return -EINVAL;
        return parse_string(k, v, field);
}

static int parse_domain_list(const struct ct_key *k, const char *v, void *field)
{
        _cleanup_free_ char *copy = strdup(v);
        if (!copy)
                return -ENOMEM;
        for (char *save = NULL, *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
                if (!hostname_is_valid(t))
                        return -EINVAL;
        return parse_string(k, v, field);
}

static int parse_rate(const struct ct_key *k, const char *v, void *field)
{
        uint64_t bits;
        int r = ct_rate_bits(v, &bits);
        if (r < 0)
                return r;
        return parse_string(k, v, field);
}

#define STR(k, opt, fld, hdr, fm, off, fl, p, h)                                                           \
        {                                                                                                  \
                .key = k, .option = opt, .field = fld, .header = hdr, .fmt = fm, .parse = p,               \
                .format = format_string, .offset = offsetof(struct ct_config, off), .flags = fl, .help = h \
        }

const struct ct_key ct_keys[] = {
        STR("VE_ROOT", NULL, "root", "ROOT", "%-32s", ve_root,
            CT_KEY_CT | CT_KEY_GLOBAL | CT_KEY_SUBST | CT_KEY_NOSET, parse_path,
            "mount point of the CT's root ($VEID is the CTID)"),
        STR("VE_PRIVATE", NULL, "private", "PRIVATE", "%-32s", ve_private,
            CT_KEY_CT | CT_KEY_GLOBAL | CT_KEY_SUBST | CT_KEY_NOSET, parse_path, "the CT's private area"),
        STR("OSTEMPLATE", NULL, "ostemplate", "OSTEMPLATE", "%-32s", ostemplate, CT_KEY_CT | CT_KEY_NOSET,
            parse_template, "template the CT was created from"),
        STR("HOSTNAME", "hostname", "hostname", "HOSTNAME", "%-32s", hostname, CT_KEY_CT | CT_KEY_LIVE,
            parse_hostname, "host name inside the CT"),
        STR("NAME", "name", "name", "NAME", "%-32s", name, CT_KEY_CT, parse_name,
            "alias usable instead of the CTID"),
        STR("DESCRIPTION", "description", "description", "DESCRIPTION", "%-32s", description, CT_KEY_CT,
            parse_string, "free text"),
        { .key = "ONBOOT",
          .option = "onboot",
          .field = "onboot",
          .header = "ONBOOT",
          .fmt = "%6s",
          .parse = parse_tristate,
          .format = format_tristate,
          .offset = offsetof(struct ct_config, onboot),
          .flags = CT_KEY_CT,
          .help = "start the CT when the host boots (yes|no): vpsctl autostart" },
        { .key = "BOOTORDER",
          .option = "bootorder",
          .field = "bootorder",
          .header = "BOOTORDER",
          .fmt = "%10s",
          .parse = parse_count,
          .format = format_uint,
          .offset = offsetof(struct ct_config, bootorder),
          .flags = CT_KEY_CT,
          .min = 0,
          .max = 2147483647,
          .help = "autostart order: higher starts first, stops last; CTs without one start after" },
        { .key = "DISABLED",
          .option = "disabled",
          .field = "disabled",
          .header = "DISABL",
          .fmt = "%6s",
          .parse = parse_tristate,
          .format = format_tristate,
          .offset = offsetof(struct ct_config, disabled),
          .flags = CT_KEY_CT,
          .help = "refuse to start unless --force (yes|no)" },
        { .key = "STOP_TIMEOUT",
          .option = "stop-timeout",
          .field = "stop_timeout",
          .header = "STOPTMO",
          .fmt = "%7s",
          .parse = parse_uint,
          .format = format_uint,
          .offset = offsetof(struct ct_config, stop_timeout),
          .flags = CT_KEY_CT | CT_KEY_GLOBAL,
          .min = 0,
          .max = 86400,
          .help = "seconds init gets to shut down before the CT is killed" },
        STR("VE_LAYOUT", NULL, "layout", "LAYOUT", "%-6s", layout, CT_KEY_CT | CT_KEY_GLOBAL | CT_KEY_NOSET,
            parse_layout, "storage layout of the private area (overlay or copy)"),
        STR("IP_ADDRESS", NULL, "ip", "IP_ADDR", "%-15s", ip_address, CT_KEY_CT | CT_KEY_NOSET | CT_KEY_LIVE,
            parse_ip_list, "routed addresses, ADDR[/LEN] (IPv4 or IPv6), space separated"),
        STR("NETIF", NULL, "netif", "NETIF", "%-20s", netif, CT_KEY_CT | CT_KEY_NOSET | CT_KEY_LIVE,
            parse_netif,
            "bridged interfaces, ifname=..,mac=..,host_ifname=..,host_mac=..,bridge=.. separated by ';'"),
        STR("NAMESERVER", NULL, "nameserver", "NAMESERVER", "%-15s", nameserver,
            CT_KEY_CT | CT_KEY_NOSET | CT_KEY_LIVE, parse_nameservers,
            "resolvers written to the guest's resolv.conf (addresses)"),
        STR("SEARCHDOMAIN", NULL, "searchdomain", "SEARCHDOMAIN", "%-15s", searchdomain,
            CT_KEY_CT | CT_KEY_NOSET | CT_KEY_LIVE, parse_domain_list,
            "search domains for the guest's resolv.conf"),
        { .key = "USERNS",
          .option = "userns",
          .field = "userns",
          .header = "USERNS",
          .fmt = "%6s",
          .parse = parse_tristate,
          .format = format_tristate,
          .offset = offsetof(struct ct_config, userns),
          .flags = CT_KEY_CT | CT_KEY_GLOBAL | CT_KEY_NOSET,
          .help = "run the CT in its own user namespace, its root an unprivileged id range on the host "
                  "(yes|no; create decides, new CTs default to yes)" },
        { .key = "LOCAL_UID",
          .field = "local_uid",
          .header = "LOCAL_UID",
          .fmt = "%10s",
          .parse = parse_uint,
          .format = format_uint,
          .offset = offsetof(struct ct_config, local_uid),
          .flags = CT_KEY_CT | CT_KEY_NOSET,
          .min = 1,
          .max = 4294901759U,
          .help = "host uid of the CT's root (the first of its 65536 ids)" },
        { .key = "LOCAL_GID",
          .field = "local_gid",
          .header = "LOCAL_GID",
          .fmt = "%10s",
          .parse = parse_uint,
          .format = format_uint,
          .offset = offsetof(struct ct_config, local_gid),
          .flags = CT_KEY_CT | CT_KEY_NOSET,
          .min = 1,
          .max = 4294901759U,
          .help = "host gid of the CT's root group (the first of its 65536 ids)" },
        { .key = "SECCOMP",
          .option = "seccomp",
          .field = "seccomp",
          .header = "SECCOMP",
          .fmt = "%7s",
          .parse = parse_tristate,
          .format = format_tristate,
          .offset = offsetof(struct ct_config, seccomp),
          .flags = CT_KEY_CT | CT_KEY_GLOBAL | CT_KEY_RESTART,
          .help = "the default seccomp filter (yes|no; default yes)" },
        { .key = "NO_NEW_PRIVS",
          .option = "no_new_privs",
          .field = "no_new_privs",
          .header = "NNP",
          .fmt = "%3s",
          .parse = parse_tristate,
          .format = format_tristate,
          .offset = offsetof(struct ct_config, no_new_privs),
          .flags = CT_KEY_CT | CT_KEY_GLOBAL | CT_KEY_RESTART,
          .help = "set no_new_privs on the CT's processes: setuid programs (su, passwd, sudo) gain nothing "
                  "(yes|no; default no)" },
        STR("SECCOMP_ALLOW", "seccomp_allow", NULL, NULL, NULL, seccomp_allow,
            CT_KEY_CT | CT_KEY_GLOBAL | CT_KEY_RESTART, parse_syscall_list,
            "system calls the default seccomp filter lets this CT make, space separated"),
        STR("SECCOMP_DENY", "seccomp_deny", NULL, NULL, NULL, seccomp_deny,
            CT_KEY_CT | CT_KEY_GLOBAL | CT_KEY_RESTART, parse_syscall_list,
            "more system calls to deny (EPERM), space separated"),
        STR("CAPABILITY", "capability", "capability", "CAPABILITY", "%-20s", capability,
            CT_KEY_CT | CT_KEY_GLOBAL | CT_KEY_RESTART, parse_capability,
            "capabilities on or off against the default set: name:on|off, separated by spaces or commas"),
        { .key = "CONSOLE",
          .option = "console",
          .field = "console",
          .header = "CONSOLE",
          .fmt = "%7s",
          .parse = parse_tristate,
          .format = format_tristate,
          .offset = offsetof(struct ct_config, console),
          .flags = CT_KEY_CT | CT_KEY_GLOBAL | CT_KEY_RESTART,
          .help = "a console for `vpsctl console`: a pty as /dev/console, held by a small keeper process "
                  "while the CT runs (yes|no; default no: no process of vpsctl's stays)" },
        STR("DEVICES", "devices", "devices", "DEVICES", "%-20s", devices, CT_KEY_CT | CT_KEY_LIVE,
            parse_devices,
            "device nodes the CT may open besides the standard ones: b|c:MAJOR:MINOR|all:r|w|rw|none, space "
            "separated"),
        { .key = "LXCFS",
          .option = "lxcfs",
          .parse = parse_tristate,
          .format = format_tristate,
          .offset = offsetof(struct ct_config, lxcfs),
          .flags = CT_KEY_CT | CT_KEY_GLOBAL | CT_KEY_RESTART,
          .help = "lxcfs's /proc views: /proc/meminfo, cpuinfo, stat, uptime, loadavg, swaps, diskstats and "
                  "/sys/devices/system/cpu/online show the CT's limits (yes|no; default yes; needs the "
                  "host's lxcfs at LXCFS_DIR)" },
        STR("LXCFS_DIR", NULL, NULL, NULL, NULL, lxcfs_dir, CT_KEY_GLOBAL, parse_path,
            "where the host's lxcfs is mounted (default /var/lib/lxcfs)"),
        STR("NEIGHBOUR_DEVS", NULL, NULL, NULL, NULL, neighbour_devs, CT_KEY_GLOBAL, parse_ifname_list,
            "host interfaces that answer ARP/NDP for the CTs' routed addresses, space separated"),
        STR("ORIGIN_SAMPLE", NULL, "origin_sample", "ORIGIN_SAMPLE", "%32s", origin_sample,
            CT_KEY_CT | CT_KEY_NOSET, parse_name, "the sample config the CT was created with"),
        { .key = "PHYSPAGES",
          .option = "physpages",
          .parse = parse_pages_pair,
          .format = format_pages_pair,
          .offset = offsetof(struct ct_config, ram_barrier),
          .flags = CT_KEY_CT | CT_KEY_LIVE,
          .help = "RAM, barrier:limit (pages, or with K/M/G)" },
        { .key = "PHYSPAGES",
          .option = "ram",
          .parse = parse_pages_pair,
          .format = format_pages_pair,
          .offset = offsetof(struct ct_config, ram_barrier),
          .flags = CT_KEY_CT | CT_KEY_LIVE | CT_KEY_ALIAS,
          .from_option = option_ram,
          .help = "RAM limit, bytes with K/M/G (sets PHYSPAGES)" },
        { .key = "SWAPPAGES",
          .option = "swappages",
          .parse = parse_pages_pair,
          .format = format_pages_pair,
          .offset = offsetof(struct ct_config, swap_barrier),
          .flags = CT_KEY_CT | CT_KEY_LIVE,
          .help = "swap, barrier:limit (pages, or with K/M/G)" },
        { .key = "SWAPPAGES",
          .option = "swap",
          .parse = parse_pages_pair,
          .format = format_pages_pair,
          .offset = offsetof(struct ct_config, swap_barrier),
          .flags = CT_KEY_CT | CT_KEY_LIVE | CT_KEY_ALIAS,
          .from_option = option_ram,
          .help = "swap limit, bytes with K/M/G (sets SWAPPAGES)" },
        { .key = "MEMGUARANTEE",
          .option = "memguarantee",
          .field = "memguarantee",
          .header = "MEMGUAR",
          .fmt = "%7s",
          .parse = parse_memguarantee,
          .format = format_memguarantee,
          .offset = offsetof(struct ct_config, memguarantee),
          .flags = CT_KEY_CT | CT_KEY_LIVE,
          .help = "guaranteed share of RAM, percent (0..100) or auto" },
        { .key = "CPUUNITS",
          .option = "cpuunits",
          .field = "cpuunits",
          .header = "CPUUNI",
          .fmt = "%7s",
          .parse = parse_uint,
          .format = format_uint,
          .offset = offsetof(struct ct_config, cpuunits),
          .flags = CT_KEY_CT | CT_KEY_LIVE,
          .min = 8,
          .max = 500000,
          .help = "CPU weight relative to other CTs (8..500000, default 1000)" },
        { .key = "CPULIMIT",
          .option = "cpulimit",
          .field = "cpulimit",
          .header = "CPULIM",
          .fmt = "%7s",
          .parse = parse_cpulimit,
          .format = format_cpulimit,
          .offset = offsetof(struct ct_config, cpulimit),
          .flags = CT_KEY_CT | CT_KEY_LIVE,
          .help = "CPU cap: N = percent of one CPU, N% = percent of the host" },
        { .key = "CPUS",
          .option = "cpus",
          .field = "cpus",
          .header = "CPUS",
          .fmt = "%5s",
          .parse = parse_uint,
          .format = format_uint,
          .offset = offsetof(struct ct_config, cpus),
          .flags = CT_KEY_CT | CT_KEY_LIVE,
          .min = 1,
          .max = 4096,
          .help = "CPU cap in whole CPUs" },
        { .key = "CPUMASK",
          .option = "cpumask",
          .field = "cpumask",
          .header = "CPUMASK",
          .fmt = "%-15s",
          .parse = parse_cpumask,
          .format = format_string,
          .offset = offsetof(struct ct_config, cpumask),
          .flags = CT_KEY_CT | CT_KEY_LIVE,
          .help = "CPUs the CT may run on: 0-3,6 or all" },
        { .key = "NUMPROC",
          .option = "numproc",
          .parse = parse_count_pair,
          .format = format_count_pair,
          .offset = offsetof(struct ct_config, numproc_barrier),
          .flags = CT_KEY_CT | CT_KEY_LIVE,
          .help = "processes and threads, barrier:limit or N" },
        { .key = "DISKSPACE",
          .option = "diskspace",
          .parse = parse_kb_pair,
          .format = format_kb_pair,
          .offset = offsetof(struct ct_config, diskspace_soft),
          .flags = CT_KEY_CT | CT_KEY_GLOBAL | CT_KEY_LIVE,
          .help = "disk space of the private area, soft:hard or N (1K blocks, or with K/M/G/T; unlimited), "
                  "enforced by project quota (ext4 with the project feature, xfs; mounted with prjquota)" },
        { .key = "DISKINODES",
          .option = "diskinodes",
          .parse = parse_count_pair,
          .format = format_count_pair,
          .offset = offsetof(struct ct_config, diskinodes_soft),
          .flags = CT_KEY_CT | CT_KEY_GLOBAL | CT_KEY_LIVE,
          .help = "files and directories in the private area, soft:hard or N (unlimited), by project "
                  "quota" },
        { .key = "IOLIMIT",
          .option = "iolimit",
          .field = "iolimit",
          .header = "IOLIMIT",
          .fmt = "%10s",
          .parse = parse_u64,
          .format = format_u64,
          .offset = offsetof(struct ct_config, iolimit),
          .flags = CT_KEY_CT | CT_KEY_LIVE,
          .from_option = option_iolimit,
          .help = "disk bandwidth cap: MB/s on the command line (or N[KMG]), bytes/s in the file; 0 = "
                  "none" },
        { .key = "IOPSLIMIT",
          .option = "iopslimit",
          .field = "iopslimit",
          .header = "IOPSLIM",
          .fmt = "%8s",
          .parse = parse_u64,
          .format = format_u64,
          .offset = offsetof(struct ct_config, iopslimit),
          .flags = CT_KEY_CT | CT_KEY_LIVE,
          .help = "disk operations per second cap; 0 = none" },
        { .key = "IOPRIO",
          .option = "ioprio",
          .field = "ioprio",
          .header = "IOP",
          .fmt = "%3s",
          .parse = parse_int_range,
          .format = format_int,
          .offset = offsetof(struct ct_config, ioprio),
          .flags = CT_KEY_CT | CT_KEY_LIVE,
          .min = 0,
          .max = 7,
          .help = "disk I/O priority 0..7 (default 4)" },
        { .key = "RATE",
          .option = "rate",
          .field = "rate",
          .header = "RATE",
          .fmt = "%-14s",
          .parse = parse_rate,
          .format = format_string,
          .offset = offsetof(struct ct_config, rate),
          .flags = CT_KEY_CT | CT_KEY_GLOBAL | CT_KEY_LIVE,
          .from_option = ct_rate_normalize,
          .help = "bandwidth of the CT's outgoing traffic (upload), vzctl's [DEV:CLASS:]KBITS: a bare "
                  "number is Kbit/s, or bits/s with K/M/G (10M); 0 = none" },
        { .key = "RATE_IN",
          .option = "rate-in",
          .field = "rate_in",
          .header = "RATE_IN",
          .fmt = "%-14s",
          .parse = parse_rate,
          .format = format_string,
          .offset = offsetof(struct ct_config, rate_in),
          .flags = CT_KEY_CT | CT_KEY_GLOBAL | CT_KEY_LIVE,
          .from_option = ct_rate_normalize,
          .help = "bandwidth of the CT's incoming traffic (download), as RATE: Kbit/s, or bits/s with "
                  "K/M/G; 0 = none" },
        STR("TEMPLATE", NULL, NULL, NULL, NULL, template_dir, CT_KEY_GLOBAL, parse_path, "template cache"),
        STR("CGROUP_PARENT", NULL, NULL, NULL, NULL, cgroup_parent, CT_KEY_GLOBAL, parse_string,
            "cgroup under which CTs' cgroups are made"),
        { .key = "LOCK_TIMEOUT",
          .parse = parse_uint,
          .format = format_uint,
          .offset = offsetof(struct ct_config, lock_timeout),
          .flags = CT_KEY_GLOBAL,
          .min = 0,
          .max = 3600,
          .help = "seconds a command waits for a busy CT" },
        STR("CONFIGFILE", NULL, NULL, NULL, NULL, configfile, CT_KEY_GLOBAL, parse_name,
            "default sample for create"),
        STR("BUSYBOX", NULL, NULL, NULL, NULL, busybox, CT_KEY_GLOBAL, parse_path,
            "static busybox for the built-in template"),
        { .key = "VE_PARALLEL",
          .parse = parse_count,
          .format = format_uint,
          .offset = offsetof(struct ct_config, ve_parallel),
          .flags = CT_KEY_GLOBAL,
          .min = 1,
          .max = 1000,
          .help = "CTs autostart and stop-all handle at a time (default: one per CPU)" },
        { .key = "TEMPLATE_KEEP",
          .parse = parse_uint,
          .format = format_uint,
          .offset = offsetof(struct ct_config, template_keep),
          .flags = CT_KEY_GLOBAL,
          .min = 1,
          .max = 1000,
          .help = "generations of a template a rebuild keeps (those CTs use are kept anyway)" },
        { .key = "LOGGING",
          .parse = parse_tristate,
          .format = format_tristate,
          .offset = offsetof(struct ct_config, logging),
          .flags = CT_KEY_GLOBAL,
          .help = "log every command that changes a CT to LOGFILE and syslog (yes|no; default yes)" },
        STR("LOGFILE", NULL, NULL, NULL, NULL, logfile, CT_KEY_GLOBAL, parse_path,
            "the command log (default var/log/vpsctl.log)"),
        { .key = "LOG_LEVEL",
          .parse = parse_count,
          .format = format_uint,
          .offset = offsetof(struct ct_config, log_level),
          .flags = CT_KEY_GLOBAL,
          .min = 0,
          .max = 2,
          .help = "what LOGFILE gets besides the commands and their errors and warnings: 1 notices too, 2 "
                  "everything (default 0)" },
};
const size_t ct_keys_count = ELEMENTSOF(ct_keys);

const struct ct_key *ct_key_by_name(const char *key)
{
        for (size_t i = 0; i < ct_keys_count; i++)
                if (streq(ct_keys[i].key, key) && !(ct_keys[i].flags & CT_KEY_ALIAS))
                        return &ct_keys[i];
        return NULL;
}

const struct ct_key *ct_key_by_option(const char *option)
{
        for (size_t i = 0; i < ct_keys_count; i++)
                if (ct_keys[i].option && streq(ct_keys[i].option, option))
                        return &ct_keys[i];
        return NULL;
}

const struct ct_key *ct_key_by_field(const char *field)
{
        for (size_t i = 0; i < ct_keys_count; i++)
                if (ct_keys[i].field && streq(ct_keys[i].field, field))
                        return &ct_keys[i];
        return NULL;
}
