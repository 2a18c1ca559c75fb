/* vpsctl list: vzlist's options, fields, column widths and JSON. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/log.h"
#include "cli.h"

struct row {
        ct *c;
        ct_status st;
        bool have_stats;
        cg_stats stats;
        int disk; /* 0 not read yet, 1 read, -1 none (no project quota) */
        ct_disk_usage du;
};

enum field_kind {
        F_CTID,
        F_SMART_NAME,
        F_STATUS,
        F_UBC,
        F_DISK,
        F_LXCFS,
        F_UPTIME,
        F_CPU,
        F_LAVERAGE,
        F_VSWAP,
        F_NONE, /* a vzlist field of a setting vpsctl does not have: always "-" (null) */
        F_KEY,
};

/* vzlist's beancounters, in vzlist's order */
enum ubc_res {
        UBC_KMEMSIZE,
        UBC_LOCKEDPAGES,
        UBC_PRIVVMPAGES,
        UBC_SHMPAGES,
        UBC_NUMPROC,
        UBC_PHYSPAGES,
        UBC_VMGUARPAGES,
        UBC_OOMGUARPAGES,
        UBC_NUMTCPSOCK,
        UBC_NUMFLOCK,
        UBC_NUMPTY,
        UBC_NUMSIGINFO,
        UBC_TCPSNDBUF,
        UBC_TCPRCVBUF,
        UBC_OTHERSOCKBUF,
        UBC_DGRAMRCVBUF,
        UBC_NUMOTHERSOCK,
        UBC_DCACHESIZE,
        UBC_NUMFILE,
        UBC_NUMIPTENT,
        UBC_SWAPPAGES,
        DISK_SPACE,
        DISK_INODES,
};

struct field {
        const char *name;
        const char *header;
        const char *fmt;
        enum field_kind kind;
        const struct ct_key *key;
        bool alias; /* not listed by -j without -o */
        enum ubc_res res;
        int idx; /* beancounter column: 0 held, 1 maxheld, 2 barrier, 3 limit, 4 failcnt */
};

/* vzlist's beancounter fields: NAME, NAME.m (maxheld), .b (barrier), .l (limit), .f (failcnt) */
#define UBC(n, h, r)                                                                                     \
        { n, h, "%10s", F_UBC, NULL, false, r, 0 }, { n ".m", h ".M", "%10s", F_UBC, NULL, true, r, 1 }, \
                { n ".b", h ".B", "%10s", F_UBC, NULL, true, r, 2 },                                     \
                { n ".l", h ".L", "%10s", F_UBC, NULL, true, r, 3 },                                     \
        {                                                                                                \
                n ".f", h ".F", "%10s", F_UBC, NULL, true, r, 4                                          \
        }

static struct field runtime_fields[] = {
        { "ctid", "CTID", "%10s", F_CTID, NULL, false, 0, 0 },
        { "veid", "CTID", "%10s", F_CTID, NULL, true, 0, 0 },
        { "vpsid", "CTID", "%10s", F_CTID, NULL, true, 0, 0 },
        /* the name where the CT has one, else the CTID (vzlist -n's first column) */
        { "smart_name", "SMARTNAME", "%10s", F_SMART_NAME, NULL, false, 0, 0 },
        { "mount_opts", "MOUNT_OPTS", "%-16s", F_NONE, NULL, false, 0, 0 },
        { "status", "STATUS", "%-9s", F_STATUS, NULL, false, 0, 0 },
        UBC("kmemsize", "KMEMSIZE", UBC_KMEMSIZE),
        UBC("lockedpages", "LOCKEDP", UBC_LOCKEDPAGES),
        UBC("privvmpages", "PRIVVMP", UBC_PRIVVMPAGES),
        UBC("shmpages", "SHMP", UBC_SHMPAGES),
        UBC("numproc", "NPROC", UBC_NUMPROC),
        UBC("physpages", "PHYSP", UBC_PHYSPAGES),
        UBC("vmguarpages", "VMGUARP", UBC_VMGUARPAGES),
        UBC("oomguarpages", "OOMGUARP", UBC_OOMGUARPAGES),
        UBC("numtcpsock", "NTCPSOCK", UBC_NUMTCPSOCK),
        UBC("numflock", "NFLOCK", UBC_NUMFLOCK),
        UBC("numpty", "NPTY", UBC_NUMPTY),
        UBC("numsiginfo", "NSIGINFO", UBC_NUMSIGINFO),
        UBC("tcpsndbuf", "TCPSNDB", UBC_TCPSNDBUF),
        UBC("tcprcvbuf", "TCPRCVB", UBC_TCPRCVBUF),
        UBC("othersockbuf", "OTHSOCKB", UBC_OTHERSOCKBUF),
        UBC("dgramrcvbuf", "DGRAMRB", UBC_DGRAMRCVBUF),
        UBC("numothersock", "NOTHSOCK", UBC_NUMOTHERSOCK),
        UBC("dcachesize", "DCACHESZ", UBC_DCACHESIZE),
        UBC("numfile", "NFILE", UBC_NUMFILE),
        UBC("numiptent", "NIPTENT", UBC_NUMIPTENT),
        UBC("swappages", "SWAPP", UBC_SWAPPAGES),
        /* vzlist's: used, soft (.s) and hard (.h) limits; space in 1K blocks */
        { "diskspace", "DSPACE", "%10s", F_DISK, NULL, false, DISK_SPACE, 0 },
        { "diskspace.s", "DSPACE.S", "%10s", F_DISK, NULL, true, DISK_SPACE, 1 },
        { "diskspace.h", "DSPACE.H", "%10s", F_DISK, NULL, true, DISK_SPACE, 2 },
        { "diskinodes", "DINODES", "%10s", F_DISK, NULL, false, DISK_INODES, 0 },
        { "diskinodes.s", "DINODES.S", "%10s", F_DISK, NULL, true, DISK_INODES, 1 },
        { "diskinodes.h", "DINODES.H", "%10s", F_DISK, NULL, true, DISK_INODES, 2 },
        /* live: the CT's load average "1m/5m/15m", and how long its init has run */
        { "laverage", "LAVERAGE", "%14s", F_LAVERAGE, NULL, false, 0, 0 },
        { "uptime", "UPTIME", "%15s", F_UPTIME, NULL, false, 0, 0 },
        /* vpsctl's: CPU time over uptime, as ps's %CPU (top shows the rate over its interval) */
        { "cpu", "CPU%", "%6s", F_CPU, NULL, false, 0, 0 },
        { "features", "FEATURES", "%-15s", F_NONE, NULL, false, 0, 0 },
        /* yes when the CT has a RAM limit (PHYSPAGES's limit), as vzlist decides it */
        { "vswap", "VSWAP", "%5s", F_VSWAP, NULL, false, 0, 0 },
        /* did the running CT get lxcfs's /proc views: yes, no (lxcfs was not running), off (LXCFS=no) */
        { "lxcfs", "LXCFS", "%5s", F_LXCFS, NULL, false, 0, 0 },
};

/* The man page's line of runtime field i (vzlist(8) from `help --man`): false past the last; *ret_name
 * NULL for an alias and for a beancounter's or disk quota's single columns (the page names them). */
bool cli_list_field_doc(size_t i, const char **ret_name, const char **ret_doc)
{
        if (i >= ELEMENTSOF(runtime_fields))
                return false;
        const struct field *f = &runtime_fields[i];
        *ret_name = f->alias ? NULL : f->name;
        switch (f->kind) {
        case F_CTID:
                *ret_doc = "the CTID (also veid, vpsid)";
                break;
        case F_SMART_NAME:
                *ret_doc = "the CT's name, else its CTID (the first column of -n)";
                break;
        case F_STATUS:
                *ret_doc = "running, stopped, mounted or frozen";
                break;
        case F_UPTIME:
                *ret_doc = "how long the running CT's init has run, DDDdHHh:MMm:SSs";
                break;
        case F_CPU:
                *ret_doc = "the running CT's CPU time over its uptime in percent of one CPU, as ps's %CPU "
                           "(vpsctl top shows the current rate)";
                break;
        case F_LAVERAGE:
                *ret_doc = "always -: the kernel keeps no load average per CT and vpsctl has no daemon to "
                           "sample one";
                break;
        case F_VSWAP:
                *ret_doc = "yes when the CT has a RAM limit (PHYSPAGES)";
                break;
        case F_NONE:
                *ret_doc = "always -: vpsctl has no such setting";
                break;
        case F_LXCFS:
                *ret_doc = "whether the running CT got lxcfs's /proc views: yes, no or off";
                break;
        case F_DISK:
                *ret_doc = f->res == DISK_SPACE ? "1K blocks used in the private area, by project quota"
                                                : "inodes used in the private area, by project quota";
                break;
        case F_UBC:
                *ret_doc = f->res == UBC_NUMPROC     ? "processes and threads (pids cgroup); NUMPROC"
                           : f->res == UBC_PHYSPAGES ? "RAM, 4K pages (memory cgroup); PHYSPAGES"
                           : f->res == UBC_SWAPPAGES ? "swap, 4K pages (memory cgroup); SWAPPAGES"
                           : f->res == UBC_KMEMSIZE  ? "kernel memory, bytes (memory cgroup)"
                           : f->res == UBC_SHMPAGES  ? "shared memory, 4K pages (memory cgroup; held only)"
                                                    : "not counted per CT by a stock kernel: held -, limits "
                                                      "unlimited";
                break;
        case F_KEY:
                *ret_doc = "";
                break;
        }
        return true;
}

/* Disk usage (running or not: it is the filesystem's), limits as configured. */
static char *disk_value(const struct field *f, struct row *r)
{
        const struct ct_config *cfg = &r->c->cfg;
        uint64_t v;
        char *s = NULL;
        if (f->idx > 0) {
                const uint64_t *pair = f->res == DISK_SPACE ? &cfg->diskspace_soft : &cfg->diskinodes_soft;
                v = pair[f->idx - 1];
                if (v == CT_U64_UNSET || v == UINT64_MAX)
                        return strdup("unlimited");
        } else {
                if (r->disk == 0)
                        r->disk = ct_get_disk_usage(r->c, &r->du) >= 0 ? 1 : -1;
                if (r->disk < 0)
                        return NULL;
                v = f->res == DISK_SPACE ? r->du.space_used : r->du.inodes_used;
        }
        if (f->res == DISK_SPACE)
                v = v / 1024 + (v % 1024 != 0);
        if (asprintf(&s, "%llu", (unsigned long long)v) < 0)
                return NULL;
        return s;
}

static char *ubc_value(const struct field *f, struct row *r)
{
        const struct ct_config *cfg = &r->c->cfg;
        uint64_t div = f->res == UBC_NUMPROC || f->res == UBC_KMEMSIZE ? 1 : 4096; /* kmemsize: bytes */
        uint64_t v;
        char *s = NULL;

        if (f->idx == 2 || f->idx == 3) {
                /* barrier and limit are configuration: shown for stopped CTs too; vpsctl limits no
                 * other beancounter */
                const uint64_t *pair = f->res == UBC_NUMPROC     ? &cfg->numproc_barrier
                                       : f->res == UBC_PHYSPAGES ? &cfg->ram_barrier
                                       : f->res == UBC_SWAPPAGES ? &cfg->swap_barrier
                                                                 : NULL;
                if (!pair)
                        return strdup("unlimited");
                v = pair[f->idx - 2];
                if (v == CT_U64_UNSET || v == UINT64_MAX)
                        return strdup("unlimited");
        } else {
                if (!r->st.running)
                        return NULL;
                if (!r->have_stats) {
                        if (ct_get_stats(r->c, &r->stats) < 0)
                                return NULL;
                        r->have_stats = true;
                }
                const cg_counter *c = NULL;
                switch (f->res) {
                case UBC_NUMPROC:
                        c = &r->stats.pids;
                        break;
                case UBC_PHYSPAGES:
                        c = &r->stats.mem;
                        break;
                case UBC_SWAPPAGES:
                        c = &r->stats.swap;
                        break;
                case UBC_KMEMSIZE:
                        if (!r->stats.have_kmem || (f->idx == 4 && !r->stats.have_kmem_failcnt))
                                return NULL;
                        c = &r->stats.kmem;
                        break;
                case UBC_SHMPAGES:
                        /* held only: the kernel keeps no peak or failure count of shared memory */
                        if (!r->stats.have_shmem || f->idx != 0)
                                return NULL;
                        v = r->stats.shmem;
                        goto print;
                default:
                        return NULL; /* not measured on a stock kernel */
                }
                if (f->idx == 1 && !c->have_maxheld)
                        return NULL;
                v = f->idx == 0 ? c->held : f->idx == 1 ? c->maxheld : c->failcnt;
                if (f->idx == 4)
                        div = 1;
        }
print:
        if (asprintf(&s, "%llu", (unsigned long long)(v / div)) < 0)
                return NULL;
        return s;
}

/* Seconds since the CT's init started: /proc/uptime less init's start time (/proc/PID/stat field 22). */
static int init_uptime(pid_t pid, double *ret)
{
        char path[64];
        _cleanup_free_ char *stat = NULL, *up = NULL;
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        if (read_full_file_at(AT_FDCWD, path, &stat, NULL) < 0 ||
            read_full_file_at(AT_FDCWD, "/proc/uptime", &up, NULL) < 0)
                return -ENOENT;
        const char *p = strrchr(stat, ')'); /* the command name may hold spaces */
        unsigned long long start = 0;
        double now = 0;
        /* after the name: state, 5 ints, 7 counters, 6 ints, then starttime (clock ticks after boot) */
        static const char fmt[] =
                "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu";
        if (!p || sscanf(p + 2, fmt, &start) != 1 || sscanf(up, "%lf", &now) != 1)
                return -EINVAL;
        long tck = sysconf(_SC_CLK_TCK);
        double t = now - (double)start / (double)(tck > 0 ? tck : 100);
        *ret = t > 0 ? t : 0;
        return 0;
}

static int lookup_field(const char *name, struct field *ret)
{
        for (size_t i = 0; i < ELEMENTSOF(runtime_fields); i++)
                if (streq(runtime_fields[i].name, name)) {
                        *ret = runtime_fields[i];
                        return 0;
                }
        const struct ct_key *k = ct_key_by_field(name);
        if (!k)
                return -ENOENT;
        *ret = (struct field){ k->field, k->header, k->fmt, F_KEY, k, false, 0, 0 };
        return 0;
}

/* The field's value, or NULL when it has none ("-" in columns, null in JSON). */
static char *field_value(const struct field *f, struct row *r)
{
        char *s = NULL;
        switch (f->kind) {
        case F_CTID:
                if (asprintf(&s, "%u", r->c->id) < 0)
                        s = NULL;
                return s;
        case F_SMART_NAME:
                if (r->c->cfg.name)
                        return strdup(r->c->cfg.name);
                if (asprintf(&s, "%u", r->c->id) < 0)
                        s = NULL;
                return s;
        case F_UPTIME: {
                double t;
                if (!r->st.running || r->st.init_pid <= 0 || init_uptime(r->st.init_pid, &t) < 0)
                        return NULL;
                if (asprintf(&s, "%.3f", t) < 0)
                        s = NULL;
                return s;
        }
        case F_CPU: {
                double t;
                if (!r->st.running || r->st.init_pid <= 0 || init_uptime(r->st.init_pid, &t) < 0 || t <= 0)
                        return NULL;
                if (!r->have_stats) {
                        if (ct_get_stats(r->c, &r->stats) < 0)
                                return NULL;
                        r->have_stats = true;
                }
                if (asprintf(&s, "%.1f", (double)r->stats.cpu_usage_us / 1e4 / t) < 0)
                        s = NULL;
                return s;
        }
        case F_VSWAP: {
                uint64_t l = r->c->cfg.ram_limit;
                return strdup(l != CT_U64_UNSET && l != UINT64_MAX ? "yes" : "no");
        }
        case F_LAVERAGE:
        case F_NONE:
                return NULL;
        case F_STATUS:
                return strdup(r->st.frozen    ? "frozen"
                              : r->st.running ? "running"
                              : r->st.mounted ? "mounted"
                                              : "stopped");
        case F_UBC:
                return ubc_value(f, r);
        case F_DISK:
                return disk_value(f, r);
        case F_LXCFS:
                if (!r->st.running)
                        return NULL;
                return r->st.lxcfs == CT_LXCFS_YES       ? strdup("yes")
                       : r->st.lxcfs == CT_LXCFS_MISSING ? strdup("no")
                       : r->st.lxcfs == CT_LXCFS_OFF     ? strdup("off")
                                                         : NULL;
        case F_KEY:
                if (ct_config_format_value(&r->c->cfg, f->key, &s) < 0)
                        return NULL;
                return s;
        }
        return NULL;
}

static bool numeric(const struct field *f)
{
        return f->kind == F_CTID || f->kind == F_UBC || f->kind == F_DISK || f->kind == F_UPTIME ||
               f->kind == F_CPU || (f->kind == F_KEY && f->key->key && streq(f->key->key, "STOP_TIMEOUT"));
}

static int cmp_id(const void *a, const void *b)
{
        unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
        return (x > y) - (x < y);
}

static const struct field *sort_field;
static int sort_cmp(const void *a, const void *b)
{
        struct row *x = (struct row *)a, *y = (struct row *)b;
        _cleanup_free_ char *u = field_value(sort_field, x), *v = field_value(sort_field, y);
        int c;
        if (!u || !v)
                c = !v - !u; /* none first, as vzlist sorts */
        else if (numeric(sort_field)) {
                /* a limit of none is above every number */
                unsigned long long m = streq(u, "unlimited") ? ULLONG_MAX : strtoull(u, NULL, 10),
                                   n = streq(v, "unlimited") ? ULLONG_MAX : strtoull(v, NULL, 10);
                c = (m > n) - (m < n);
                if (!c && (sort_field->kind == F_CPU || sort_field->kind == F_UPTIME)) {
                        double dm = strtod(u, NULL), dn = strtod(v, NULL); /* fractions */
                        c = (dm > dn) - (dm < dn);
                }
        } else
                c = strcmp(u, v);
        return c ? c : (x->c->id > y->c->id) - (x->c->id < y->c->id);
}

static bool is_list(const struct field *f)
{
        return f->kind == F_KEY && (streq(f->key->key, "IP_ADDRESS") || streq(f->key->key, "NAMESERVER") ||
                                    streq(f->key->key, "SEARCHDOMAIN"));
}

/* A column's cell as vzlist prints it: except in the last column, a list shows its first item and a
 * left-aligned string is cut to its column's width (unless --no-trim), so the columns stay aligned. */
static void format_cell(const struct field *f, const char *v, bool last, bool trim, char *cell, size_t size)
{
        char first[256];
        const char *s = strna(v);
        if (v && f->kind == F_UPTIME) {
                /* vzlist's DDDdHHh:MMm:SSs */
                unsigned long long t = strtoull(v, NULL, 10);
                snprintf(first, sizeof(first), "%.3llud%.2lluh:%.2llum:%.2llus", t / 86400, t / 3600 % 24,
                         t / 60 % 60, t % 60);
                s = first;
        }
        if (v && !last && is_list(f)) {
                snprintf(first, sizeof(first), "%.*s", (int)strcspn(v, " "), v);
                s = first;
        }
        snprintf(cell, size, f->fmt, s);
        int width = f->fmt[1] == '-' ? atoi(f->fmt + 2) : 0;
        if (trim && !last && width > 0 && strlen(cell) > (size_t)width)
                cell[width] = 0;
}

static void print_json_value(const struct field *f, const char *v)
{
        if (!v || (numeric(f) && streq(v, "unlimited"))) /* none, or a limit of none */
                fputs("null", stdout);
        else if (numeric(f) || (f->kind == F_SMART_NAME && v[strspn(v, "0123456789")] == 0))
                fputs(v, stdout); /* a number; a smart_name that is the CTID (names are never all digits) */
        else if (f->kind == F_VSWAP || (f->kind == F_KEY && f->key->format &&
                                        (streq(f->key->key, "ONBOOT") || streq(f->key->key, "DISABLED"))))
                fputs(streq(v, "yes") ? "true" : "false", stdout);
        else if (is_list(f)) {
                /* space separated lists are arrays in JSON */
                _cleanup_free_ char *copy = strdup(v);
                bool first = true;
                putchar('[');
                for (char *save = NULL, *t = copy ? strtok_r(copy, " ", &save) : NULL; t;
                     t = strtok_r(NULL, " ", &save), first = false) {
                        fputs(first ? "" : ", ", stdout);
                        cli_json_string(t);
                }
                putchar(']');
        } else
                cli_json_string(v);
}

/* vzlist -j prints a beancounter as {"held", "maxheld", "barrier", "limit", "failcnt"} and a disk quota
 * as {"usage", "softlimit", "hardlimit"}: null where there is no figure or no limit. Returns whether f
 * was one (and printed). */
static bool print_json_counter(const struct field *f, struct row *r)
{
        static const char *const ubc[] = { "held", "maxheld", "barrier", "limit", "failcnt" };
        static const char *const dq[] = { "usage", "softlimit", "hardlimit" };
        if ((f->kind != F_UBC && f->kind != F_DISK) || f->idx != 0)
                return false;
        const char *const *names = f->kind == F_UBC ? ubc : dq;
        int n = f->kind == F_UBC ? 5 : 3;
        fputs("{", stdout);
        for (int i = 0; i < n; i++) {
                struct field part = *f;
                part.idx = i;
                _cleanup_free_ char *v = field_value(&part, r);
                printf("%s\n      \"%s\": ", i ? "," : "", names[i]);
                print_json_value(&part, v);
        }
        fputs("\n    }", stdout);
        return true;
}

static int parse_fields(const char *spec, struct field **ret, size_t *ret_n)
{
        _cleanup_free_ char *copy = strdup(spec);
        size_t n = 0;
        struct field *fs = calloc(strlen(spec) / 2 + 2, sizeof(*fs));
        if (!copy || !fs) {
                free(fs);
                return -ENOMEM;
        }
        for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                if (lookup_field(t, &fs[n]) < 0) {
                        if (cli_vzlist)
                                fprintf(stderr, "Unknown field: %s\n", t);
                        else
                                log_error("Unknown field \"%s\"; `vpsctl list -L` lists the fields", t);
                        free(fs);
                        return -EINVAL;
                }
                n++;
        }
        *ret = fs;
        *ret_n = n;
        return 0;
}

static void list_fields(void)
{
        for (size_t i = 0; i < ELEMENTSOF(runtime_fields); i++)
                printf("%-15s %-15s\n", runtime_fields[i].name, runtime_fields[i].header);
        for (size_t i = 0; i < ct_keys_count; i++)
                if (ct_keys[i].field)
                        printf("%-15s %-15s\n", ct_keys[i].field, ct_keys[i].header);
}

int verb_list(int argc, char **argv)
{
        static const struct option opts[] = {
                { "all", no_argument, NULL, 'a' },
                { "stopped", no_argument, NULL, 'S' },
                { "no-header", no_argument, NULL, 'H' },
                { "output", required_argument, NULL, 'o' },
                { "sort", required_argument, NULL, 's' },
                { "json", no_argument, NULL, 'j' },
                { "list", no_argument, NULL, 'L' },
                { "hostname", required_argument, NULL, 'h' },
                { "name_filter", required_argument, NULL, 'N' },
                { "description", required_argument, NULL, 'd' },
                { "name", no_argument, NULL, 'n' },
                { "no-trim", no_argument, NULL, 't' },
                {},
        };
        bool all = false, stopped = false, header = true, trim = true, json = false, only_ids = false,
             with_name = false;
        const char *spec = NULL, *sort = NULL, *hpat = NULL, *npat = NULL, *dpat = NULL;
        int o;

        optind = 1;
        while ((o = getopt_long(argc, argv, "aSHo:s:jLh:N:d:n1t", opts, NULL)) >= 0)
                switch (o) {
                case 'a':
                        all = true;
                        break;
                case 'S':
                        stopped = true;
                        break;
                case 'H':
                        header = false;
                        break;
                case 'o':
                        spec = optarg;
                        break;
                case 's':
                        sort = optarg;
                        break;
                case 'j':
                        json = true;
                        break;
                case 'L':
                        list_fields();
                        return 0;
                case 'h':
                        hpat = optarg;
                        break;
                case 'N':
                        npat = optarg;
                        break;
                case 'd':
                        dpat = optarg;
                        break;
                case 'n':
                        with_name = true;
                        break;
                case '1':
                        only_ids = true;
                        break;
                case 't':
                        trim = false;
                        break;
                default: {
                        int rc = cli_usage_error("list", "unknown option");
                        return cli_vzlist ? 1 : rc; /* vzlist: usage, exit 1 */
                }
                }
        if (only_ids) {
                spec = "ctid";
                header = false;
        }
        bool explicit_fields = spec || with_name;
        if (!spec)
                spec = with_name ? "smart_name,numproc,status,ip,hostname" /* vzlist -n: names first */
                                 : "ctid,numproc,status,ip,hostname";

        _cleanup_free_ struct field *fields = NULL;
        size_t nf = 0;
        if (json && !explicit_fields) {
                /* all fields, as vzlist -j does */
                _cleanup_free_ char *allspec = NULL;
                FILE *m = open_memstream(&allspec, &(size_t){ 0 });
                if (!m)
                        return EXIT_VZ_SYSTEM;
                for (size_t i = 0; i < ELEMENTSOF(runtime_fields); i++)
                        if (!runtime_fields[i].alias)
                                fprintf(m, "%s,", runtime_fields[i].name);
                for (size_t i = 0; i < ct_keys_count; i++)
                        if (ct_keys[i].field)
                                fprintf(m, "%s,", ct_keys[i].field);
                fclose(m);
                if (parse_fields(allspec, &fields, &nf) < 0)
                        return EXIT_VZ_SYSTEM;
        } else if (parse_fields(spec, &fields, &nf) < 0)
                return cli_vzlist ? 1 : EXIT_VZ_BAD_SYNTAX;
        for (size_t f = 0; json && cli_vzlist && f < nf; f++)
                if ((fields[f].kind == F_UBC || fields[f].kind == F_DISK) && fields[f].idx != 0) {
                        /* vzlist's: the counter's object holds them */
                        fprintf(stderr, "Field `%s' is not available in JSON output\n", fields[f].name);
                        return 1;
                }

        static struct field sf; /* sort_field points here while qsort runs */
        bool reverse = false;
        if (sort) {
                if (*sort == '-') {
                        reverse = true;
                        sort++;
                }
                if (lookup_field(sort, &sf) < 0) {
                        if (cli_vzlist) {
                                fprintf(stderr, "Invalid sort field name: %s\n", sort);
                                return 1;
                        }
                        log_error("Unknown sort field \"%s\"; `vpsctl list -L` lists the fields", sort);
                        return EXIT_VZ_BAD_SYNTAX;
                }
                sort_field = &sf;
        }

        /* which CTs: the trailing arguments, or every CT with a config */
        _cleanup_free_ unsigned *ids = NULL;
        size_t nids = 0;
        if (optind < argc) {
                ids = calloc((size_t)(argc - optind), sizeof(unsigned));
                if (!ids)
                        return EXIT_VZ_SYSTEM;
                for (int i = optind; i < argc; i++) {
                        int r = ct_resolve_id(&cli_paths, argv[i], &ids[nids]);
                        if (r < 0 && cli_vzlist) {
                                fprintf(stderr, "CT ID %s is invalid.\n", argv[i]);
                                return 1;
                        }
                        if (r < 0) {
                                log_error("\"%s\" is not a CTID or the name of a CT", argv[i]);
                                return r == -ENOENT ? EXIT_VZ_NOVE_CONFIG : EXIT_VZ_BAD_SYNTAX;
                        }
                        nids++;
                }
                all = true; /* named CTs are shown whatever their state, as vzlist does */
                /* in CTID order, each once, as vzlist lists them */
                qsort(ids, nids, sizeof(*ids), cmp_id);
                size_t u = 0;
                for (size_t i = 0; i < nids; i++)
                        if (u == 0 || ids[u - 1] != ids[i])
                                ids[u++] = ids[i];
                nids = u;
        } else if (ct_list_ids(&cli_paths, &ids, &nids) < 0) {
                log_error("Failed to read %s", cli_paths.conf_dir);
                return EXIT_VZ_SYSTEM;
        }

        struct row *rows = calloc(nids ? nids : 1, sizeof(*rows));
        size_t nr = 0;
        int rc = 0;
        if (!rows)
                return EXIT_VZ_SYSTEM;
        for (size_t i = 0; i < nids; i++) {
                struct row r = { 0 };
                if (ct_load_lenient(&cli_paths, ids[i], &r.c) < 0)
                        continue;
                if (!r.c->exists || ct_get_status(r.c, &r.st) < 0) {
                        if (optind < argc && !r.c->exists && !cli_vzlist) {
                                log_error("CT %u does not exist", ids[i]);
                                rc = EXIT_VZ_NOVE_CONFIG;
                        }
                        ct_free(r.c);
                        continue;
                }
                bool show = stopped ? !r.st.running : all || r.st.running;
                if (show && hpat && (!r.c->cfg.hostname || fnmatch(hpat, r.c->cfg.hostname, 0) != 0))
                        show = false;
                if (show && npat && (!r.c->cfg.name || fnmatch(npat, r.c->cfg.name, 0) != 0))
                        show = false;
                if (show && dpat && (!r.c->cfg.description || fnmatch(dpat, r.c->cfg.description, 0) != 0))
                        show = false;
                if (!show) {
                        ct_free(r.c);
                        continue;
                }
                rows[nr++] = r;
        }
        if (cli_vzlist && nr == 0 && optind < argc) {
                /* vzlist: CTIDs without a CT are left out; none at all is an error */
                fprintf(stderr, "Container(s) not found\n");
                free(rows);
                return 1;
        }
        if (sort_field)
                qsort(rows, nr, sizeof(*rows), sort_cmp);
        /* privileged CTs are listed with a warning: their root is the host's root */
        for (size_t i = 0; i < nr; i++)
                if (rows[i].c->cfg.userns != CT_YES && !rows[i].c->config_error)
                        log_warning("CT %u is privileged (USERNS=\"no\"): its root is root on the host; "
                                    "recreate it with --userns yes unless it needs that",
                                    rows[i].c->id);

        if (json) {
                fputs("[", stdout);
                for (size_t k = 0; k < nr; k++) {
                        size_t i = reverse ? nr - 1 - k : k;
                        printf("%s\n  {", k ? "," : "");
                        for (size_t f = 0; f < nf; f++) {
                                printf("%s\n    \"%s\": ", f ? "," : "", fields[f].name);
                                if (print_json_counter(&fields[f], &rows[i]))
                                        continue;
                                _cleanup_free_ char *v = field_value(&fields[f], &rows[i]);
                                print_json_value(&fields[f], v);
                        }
                        if (rows[i].c->config_error) {
                                printf("%s\n    \"error\": ", nf ? "," : "");
                                cli_json_string(rows[i].c->config_error);
                        }
                        fputs("\n  }", stdout);
                }
                fputs(nr ? "\n]\n" : "]\n", stdout);
        } else {
                if (header && nr + 1 > 0) {
                        char line[4096] = "";
                        for (size_t f = 0; f < nf; f++) {
                                char cell[512];
                                snprintf(cell, sizeof(cell), fields[f].fmt, fields[f].header);
                                if (f)
                                        strncat(line, " ", sizeof(line) - strlen(line) - 1);
                                strncat(line, cell, sizeof(line) - strlen(line) - 1);
                        }
                        size_t l = strlen(line);
                        while (l > 0 && line[l - 1] == ' ')
                                line[--l] = 0;
                        puts(line);
                }
                for (size_t k = 0; k < nr; k++) {
                        size_t i = reverse ? nr - 1 - k : k;
                        char line[8192] = "";
                        for (size_t f = 0; f < nf; f++) {
                                _cleanup_free_ char *v = field_value(&fields[f], &rows[i]);
                                char cell[1024];
                                format_cell(&fields[f], v, f + 1 == nf, trim, cell, sizeof(cell));
                                if (f)
                                        strncat(line, " ", sizeof(line) - strlen(line) - 1);
                                strncat(line, cell, sizeof(line) - strlen(line) - 1);
                        }
                        /* a CT whose config cannot be parsed: its columns stay where scripts read them,
                         * and what is wrong follows them */
                        if (rows[i].c->config_error)
                                snprintf(line + strlen(line), sizeof(line) - strlen(line), " ! %s",
                                         rows[i].c->config_error);
                        size_t l = strlen(line);
                        while (l > 0 && line[l - 1] == ' ')
                                line[--l] = 0;
                        puts(line);
                }
        }
        for (size_t i = 0; i < nr; i++)
                if (rows[i].c->config_error && !rc)
                        rc = EXIT_VZ_INVALID_CONFIG;
        for (size_t i = 0; i < nr; i++)
                ct_free(rows[i].c);
        free(rows);
        return rc;
}
