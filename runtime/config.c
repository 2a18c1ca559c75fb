/* The key table and the OpenVZ-format config parser/writer. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/log.h"
#include "base/parse.h"
#include "config-internal.h"
#include "templates/templates.h"

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
          .fmt = "%9s",
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
        STR("VE_LAYOUT", NULL, "layout", "LAYOUT", "%6s", layout, CT_KEY_CT | CT_KEY_GLOBAL | CT_KEY_NOSET,
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
          .flags = CT_KEY_CT | CT_KEY_GLOBAL,
          .help = "the default seccomp filter (yes|no; default yes)" },
        { .key = "NO_NEW_PRIVS",
          .option = "no_new_privs",
          .field = "no_new_privs",
          .header = "NNP",
          .fmt = "%3s",
          .parse = parse_tristate,
          .format = format_tristate,
          .offset = offsetof(struct ct_config, no_new_privs),
          .flags = CT_KEY_CT | CT_KEY_GLOBAL,
          .help = "set no_new_privs on the CT's processes: setuid programs (su, passwd, sudo) gain nothing "
                  "(yes|no; default no)" },
        STR("SECCOMP_ALLOW", "seccomp_allow", NULL, NULL, NULL, seccomp_allow, CT_KEY_CT | CT_KEY_GLOBAL,
            parse_syscall_list,
            "system calls the default seccomp filter lets this CT make, space separated"),
        STR("SECCOMP_DENY", "seccomp_deny", NULL, NULL, NULL, seccomp_deny, CT_KEY_CT | CT_KEY_GLOBAL,
            parse_syscall_list, "more system calls to deny (EPERM), space separated"),
        STR("CAPABILITY", "capability", "capability", "CAPABILITY", "%-20s", capability,
            CT_KEY_CT | CT_KEY_GLOBAL, parse_capability,
            "capabilities on or off against the default set: name:on|off, separated by spaces or commas"),
        STR("DEVICES", "devices", "devices", "DEVICES", "%-20s", devices, CT_KEY_CT | CT_KEY_LIVE,
            parse_devices,
            "device nodes the CT may open besides the standard ones: b|c:MAJOR:MINOR|all:r|w|rw|none, space "
            "separated"),
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

int ct_subst_veid(const char *in, unsigned ctid, char **ret)
{
        static const char *const vars[] = { "${VEID}", "$VEID", "${CTID}", "$CTID" };
        char id[16], *out;
        size_t len = 0, alloc = strlen(in) * 2 + 32;

        snprintf(id, sizeof(id), "%u", ctid);
        out = malloc(alloc);
        if (!out)
                return -ENOMEM;
        for (const char *p = in; *p;) {
                size_t vl = 0;
                for (size_t i = 0; i < ELEMENTSOF(vars) && !vl; i++)
                        if (strncmp(p, vars[i], strlen(vars[i])) == 0)
                                vl = strlen(vars[i]);
                const char *add = vl ? id : p;
                size_t al = vl ? strlen(id) : 1;
                if (len + al + 1 > alloc) {
                        alloc = (len + al + 1) * 2;
                        char *t = realloc(out, alloc);
                        if (!t) {
                                free(out);
                                return -ENOMEM;
                        }
                        out = t;
                }
                memcpy(out + len, add, al);
                len += al;
                p += vl ? vl : 1;
        }
        out[len] = 0;
        *ret = out;
        return 0;
}

int ct_config_init(struct ct_config *c, const char *prefix, unsigned ctid)
{
        const char *p = streq(prefix, "/") ? "" : prefix;

        *c = (struct ct_config){
                .ctid = ctid,
                .onboot = CT_UNSET,
                .disabled = CT_UNSET,
                .seccomp = CT_UNSET,
                .no_new_privs = CT_UNSET,
                .userns = CT_UNSET,
                .stop_timeout = 60,
                .lock_timeout = 5,
                .template_keep = 3,
                .ram_barrier = CT_U64_UNSET,
                .ram_limit = CT_U64_UNSET,
                .swap_barrier = CT_U64_UNSET,
                .swap_limit = CT_U64_UNSET,
                .memguarantee = -1,
                .numproc_barrier = CT_U64_UNSET,
                .numproc_limit = CT_U64_UNSET,
                .iolimit = CT_U64_UNSET,
                .iopslimit = CT_U64_UNSET,
                .ioprio = -1,
        };
        if (asprintf(&c->ve_root, "%s/var/lib/vpsctl/root/$VEID", p) < 0 ||
            asprintf(&c->ve_private, "%s/var/lib/vpsctl/private/$VEID", p) < 0 ||
            asprintf(&c->template_dir, "%s/var/lib/vpsctl/templates", p) < 0 ||
            !(c->cgroup_parent = strdup("vpsctl")) || !(c->layout = strdup("overlay")) ||
            !(c->configfile = strdup("basic")))
                return -ENOMEM;
        return 0;
}

void ct_config_done(struct ct_config *c)
{
        for (size_t i = 0; i < ct_keys_count; i++)
                if (ct_keys[i].format == format_string) {
                        char **s = (char **)FIELD(c, &ct_keys[i]);
                        free(*s);
                        *s = NULL;
                }
}

int ct_config_set_value(struct ct_config *c, const struct ct_key *k, const char *value)
{
        return k->parse(k, value, FIELD(c, k));
}

int ct_key_option_value(const struct ct_key *k, const char *opt, char **ret)
{
        if (k->from_option)
                return k->from_option(opt, ret);
        *ret = strdup(opt);
        return *ret ? 0 : -ENOMEM;
}

int ct_config_format_value(const struct ct_config *c, const struct ct_key *k, char **ret)
{
        return k->format(k, (const char *)c + k->offset, ret);
}

/* Split one line into KEY and unquoted VALUE. 0 = nothing (blank/comment), 1 = got one, -EINVAL = bad. */
static int split_line(char *line, char **ret_key, char **ret_value)
{
        char *p = line;
        while (isspace((unsigned char)*p))
                p++;
        if (*p == 0 || *p == '#')
                return 0;
        char *key = p;
        while (isalnum((unsigned char)*p) || *p == '_')
                p++;
        if (p == key || *p != '=')
                return -EINVAL;
        *p++ = 0;
        char *val = p, *end;
        if (*p == '"' || *p == '\'') {
                char q = *p++;
                val = p;
                end = strchr(p, q);
                if (!end)
                        return -EINVAL;
                *end++ = 0;
        } else {
                end = p + strcspn(p, " \t#");
                if (*end)
                        *end++ = 0;
        }
        while (isspace((unsigned char)*end))
                end++;
        if (*end && *end != '#')
                return -EINVAL;
        *ret_key = key;
        *ret_value = val;
        return 1;
}

/* vzctl reads lines of up to 16 KiB; longer is an error, not a silent cut. */
#define CONF_LINE_MAX 16384

int ct_config_parse_file(struct ct_config *c, const char *path, unsigned scope, bool warn_unknown)
{
        return ct_config_parse_file_error(c, path, scope, warn_unknown, NULL);
}

/* "PATH:LINE: what": returned in *ret_error where the caller wants it (and reports it itself), else
 * logged at error level. */
static int parse_error(char **ret_error, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int parse_error(char **ret_error, int r, const char *fmt, ...)
{
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        int k = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        if (!ret_error) {
                log_error("%s", msg);
                return r;
        }
        free(*ret_error);
        *ret_error = TAKE_PTR(msg);
        return r;
}

int ct_config_parse_file_error(struct ct_config *c, const char *path, unsigned scope, bool warn_unknown,
                               char **ret_error)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        _cleanup_free_ char *line = NULL;
        size_t len = 0;
        unsigned lineno = 0;
        ssize_t n;
        int r;

        if (!f)
                return negative_errno();
        while ((n = getline(&line, &len, f)) > 0) {
                char *key, *value;
                lineno++;
                if (n > CONF_LINE_MAX)
                        return parse_error(ret_error, -EINVAL, "%s:%u: line longer than %d bytes", path,
                                           lineno, CONF_LINE_MAX);
                if (strlen(line) != (size_t)n)
                        return parse_error(ret_error, -EINVAL, "%s:%u: a NUL byte in the line", path,
                                           lineno);
                /* LF or CRLF line ends; the last line may have none */
                line[strcspn(line, "\n")] = 0;
                size_t l = strlen(line);
                if (l > 0 && line[l - 1] == '\r')
                        line[l - 1] = 0;
                r = split_line(line, &key, &value);
                if (r == 0)
                        continue;
                if (r < 0)
                        return parse_error(ret_error, r, "%s:%u: cannot parse line, expected KEY=\"value\"",
                                           path, lineno);
                const struct ct_key *k = ct_key_by_name(key);
                if (!k || !(k->flags & scope)) {
                        if (warn_unknown)
                                log_warning("%s:%u: unknown parameter %s, ignoring", path, lineno, key);
                        continue;
                }
                _cleanup_free_ char *expanded = NULL;
                if (k->flags & CT_KEY_SUBST && c->ctid > 0) {
                        r = ct_subst_veid(value, c->ctid, &expanded);
                        if (r < 0)
                                return r;
                        value = expanded;
                }
                /* a key given twice: the later line wins (set --save keeps one line) */
                r = ct_config_set_value(c, k, value);
                if (r == -ENOMEM)
                        return log_error_errno(r, "Out of memory");
                if (r < 0)
                        return parse_error(ret_error, -EINVAL, "%s:%u: bad value for %s: \"%s\"%s", path,
                                           lineno, key, value, r == -ERANGE ? " (out of range)" : "");
        }
        return 0;
}

static int line_key(const char *line, char *key, size_t keysz)
{
        const char *p = line;
        while (isspace((unsigned char)*p))
                p++;
        size_t n = 0;
        while ((isalnum((unsigned char)p[n]) || p[n] == '_') && n + 1 < keysz)
                n++;
        if (n == 0 || p[n] != '=')
                return 0;
        memcpy(key, p, n);
        key[n] = 0;
        return 1;
}

int ct_config_edit(const char *path, const char *template_text, const struct ct_change *changes, size_t n)
{
        _cleanup_free_ char *old = NULL, *out = NULL;
        _cleanup_free_ bool *done = calloc(n ? n : 1, sizeof(bool));
        size_t outlen = 0;
        int r;

        if (!done)
                return -ENOMEM;
        r = read_full_file_at(AT_FDCWD, path, &old, NULL);
        if (r == -ENOENT && template_text) {
                old = strdup(template_text);
                r = old ? 0 : -ENOMEM;
        }
        if (r < 0)
                return r;

        FILE *m = open_memstream(&out, &outlen);
        if (!m)
                return -ENOMEM;
        for (char *save = NULL, *l = strtok_r(old, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                char key[64];
                ssize_t hit = -1;
                if (line_key(l, key, sizeof(key)))
                        for (size_t i = 0; i < n; i++)
                                if (streq(changes[i].key, key))
                                        hit = (ssize_t)i;
                if (hit < 0) {
                        fprintf(m, "%s\n", l);
                        continue;
                }
                /* the first occurrence takes the new value, later duplicates are dropped */
                if (!done[hit] && changes[hit].value)
                        fprintf(m, "%s=\"%s\"\n", key, changes[hit].value);
                done[hit] = true;
        }
        for (size_t i = 0; i < n; i++)
                if (!done[i] && changes[i].value) {
                        bool later = false;
                        for (size_t j = i + 1; j < n; j++)
                                later |= streq(changes[j].key, changes[i].key);
                        if (!later)
                                fprintf(m, "%s=\"%s\"\n", changes[i].key, changes[i].value);
                }
        if (fclose(m) != 0)
                return -ENOMEM;
        return write_file_atomic_at(AT_FDCWD, path, out, outlen, 0644);
}
