/* Resource keys (vzctl formats) and their translation into cgroup limits. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/log.h"
#include "base/parse.h"
#include "config-internal.h"
#include "ct-internal.h"

#define PAGE 4096ULL

/* One side of "barrier:limit": "unlimited", a size with K/M/G/T, or (pages) a bare number of pages. */
static int parse_amount(const char *s, bool pages, uint64_t *ret)
{
        uint64_t v;
        if (streq(s, "unlimited") || streq(s, "max")) {
                *ret = UINT64_MAX;
                return 0;
        }
        if (!pages || !isdigit((unsigned char)s[strlen(s) - 1]))
                return pages ? parse_size(s, ret) : safe_atou64(s, ret);
        int r = safe_atou64(s, &v);
        if (r < 0)
                return r;
        if (v > UINT64_MAX / PAGE)
                return -ERANGE;
        *ret = v * PAGE;
        return 0;
}

static int parse_pair(const char *v, bool pages, uint64_t out[2])
{
        char buf[128];
        if (!*v || strlen(v) >= sizeof(buf))
                return -EINVAL;
        snprintf(buf, sizeof(buf), "%s", v);
        char *colon = strchr(buf, ':');
        uint64_t b, l;
        int r;
        if (colon) {
                *colon = 0;
                if ((r = parse_amount(buf, pages, &b)) < 0 || (r = parse_amount(colon + 1, pages, &l)) < 0)
                        return r;
        } else {
                if ((r = parse_amount(buf, pages, &l)) < 0)
                        return r;
                b = l;
        }
        if (b > l)
                return -ERANGE; /* barrier above limit */
        out[0] = b;
        out[1] = l;
        return 0;
}

int parse_pages_pair(const struct ct_key *k, const char *v, void *field)
{
        uint64_t p[2];
        int r = parse_pair(v, true, p);
        if (r < 0)
                return r;
        if (streq(k->key, "PHYSPAGES") && p[1] < 4 * 1024 * 1024)
                return -ERANGE; /* less than 4M cannot even start init */
        memcpy(field, p, sizeof(p));
        return 0;
}

static void amount_str(uint64_t v, bool pages, char *buf, size_t len)
{
        if (v == UINT64_MAX)
                snprintf(buf, len, "unlimited");
        else if (pages) {
                /* always with a unit: a bare number in the file means pages */
                if (v % 1024)
                        v = (v + PAGE - 1) / PAGE * PAGE;
                if (v == 0)
                        snprintf(buf, len, "0");
                else
                        format_size(v, buf, (unsigned)len);
        } else
                snprintf(buf, len, "%llu", (unsigned long long)v);
}

static int format_pair(const void *field, bool pages, char **ret)
{
        const uint64_t *p = field;
        char b[32], l[32];
        if (p[1] == CT_U64_UNSET) {
                *ret = NULL;
                return 0;
        }
        amount_str(p[0], pages, b, sizeof(b));
        amount_str(p[1], pages, l, sizeof(l));
        return asprintf(ret, "%s:%s", b, l) < 0 ? -ENOMEM : 0;
}

int format_pages_pair(const struct ct_key *k, const void *field, char **ret)
{
        (void)k;
        return format_pair(field, true, ret);
}

int parse_count_pair(const struct ct_key *k, const char *v, void *field)
{
        uint64_t p[2];
        (void)k;
        int r = parse_pair(v, false, p);
        if (r < 0)
                return r;
        if (p[1] == 0)
                return -ERANGE;
        memcpy(field, p, sizeof(p));
        return 0;
}

int format_count_pair(const struct ct_key *k, const void *field, char **ret)
{
        (void)k;
        return format_pair(field, false, ret);
}

int parse_memguarantee(const struct ct_key *k, const char *v, void *field)
{
        unsigned u;
        (void)k;
        if (streq(v, "auto")) {
                *(int *)field = -1;
                return 0;
        }
        int r = safe_atou(v, &u);
        if (r < 0)
                return r;
        if (u > 100)
                return -ERANGE;
        *(int *)field = (int)u;
        return 0;
}

int format_memguarantee(const struct ct_key *k, const void *field, char **ret)
{
        (void)k;
        int v = *(const int *)field;
        *ret = NULL;
        return v < 0 ? 0 : asprintf(ret, "%d", v) < 0 ? -ENOMEM : 0;
}

int parse_cpulimit(const struct ct_key *k, const char *v, void *field)
{
        char buf[32];
        unsigned u;
        (void)k;
        snprintf(buf, sizeof(buf), "%s", v);
        size_t n = strlen(buf);
        bool host = n > 0 && buf[n - 1] == '%';
        if (host)
                buf[n - 1] = 0;
        int r = safe_atou(buf, &u);
        if (r < 0)
                return r;
        if (host ? u > 100 : u > 100 * 4096)
                return -ERANGE;
        struct ct_config *c = (struct ct_config *)((char *)field - offsetof(struct ct_config, cpulimit));
        c->cpulimit = u;
        c->cpulimit_of_host = host;
        return 0;
}

int format_cpulimit(const struct ct_key *k, const void *field, char **ret)
{
        (void)k;
        const struct ct_config *c =
                (const struct ct_config *)((const char *)field - offsetof(struct ct_config, cpulimit));
        *ret = NULL;
        if (c->cpulimit == 0 && !c->cpulimit_of_host)
                return 0;
        return asprintf(ret, "%u%s", c->cpulimit, c->cpulimit_of_host ? "%" : "") < 0 ? -ENOMEM : 0;
}

int parse_cpumask(const struct ct_key *k, const char *v, void *field)
{
        if (!streq(v, "all")) {
                _cleanup_free_ char *copy = strdup(v);
                if (!copy)
                        return -ENOMEM;
                for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                        unsigned a, b;
                        char *dash = strchr(t, '-');
                        if (dash)
                                *dash = 0;
                        if (safe_atou(t, &a) < 0 || (dash ? safe_atou(dash + 1, &b) : (b = a, 0)) < 0)
                                return -EINVAL;
                        if (a > b || b >= 4096)
                                return -ERANGE;
                }
                if (!*v || v[strlen(v) - 1] == ',' || v[0] == ',')
                        return -EINVAL;
        }
        char **s = field;
        char *n = strdup(v);
        (void)k;
        if (!n)
                return -ENOMEM;
        free(*s);
        *s = n;
        return 0;
}

int parse_u64(const struct ct_key *k, const char *v, void *field)
{
        (void)k;
        return safe_atou64(v, (uint64_t *)field);
}

int format_u64(const struct ct_key *k, const void *field, char **ret)
{
        (void)k;
        uint64_t v = *(const uint64_t *)field;
        *ret = NULL;
        return v == CT_U64_UNSET ? 0 : asprintf(ret, "%llu", (unsigned long long)v) < 0 ? -ENOMEM : 0;
}

int parse_int_range(const struct ct_key *k, const char *v, void *field)
{
        int i;
        int r = safe_atoi(v, &i);
        if (r < 0)
                return r;
        if (i < (int)k->min || i > (int)k->max)
                return -ERANGE;
        *(int *)field = i;
        return 0;
}

int format_int(const struct ct_key *k, const void *field, char **ret)
{
        (void)k;
        int v = *(const int *)field;
        *ret = NULL;
        return v < 0 ? 0 : asprintf(ret, "%d", v) < 0 ? -ENOMEM : 0;
}

int option_ram(const char *opt, char **ret)
{
        uint64_t v;
        char b[32];
        int r = parse_size(opt, &v);
        if (r < 0)
                return r;
        amount_str(v, true, b, sizeof(b));
        return asprintf(ret, "0:%s", b) < 0 ? -ENOMEM : 0;
}

int option_iolimit(const char *opt, char **ret)
{
        uint64_t v;
        int r;
        /* vzctl: a bare number is MB/s; with a suffix it is bytes/s */
        if (isdigit((unsigned char)opt[strlen(opt) - 1])) {
                r = safe_atou64(opt, &v);
                if (r >= 0 && v > UINT64_MAX / (1024 * 1024))
                        r = -ERANGE;
                v *= 1024 * 1024;
        } else
                r = parse_size(opt, &v);
        if (r < 0)
                return r;
        return asprintf(ret, "%llu", (unsigned long long)v) < 0 ? -ENOMEM : 0;
}

static uint64_t host_mem_total(void)
{
        uint64_t kb = 0;
        _cleanup_free_ char *buf = NULL;
        if (read_full_file_at(AT_FDCWD, "/proc/meminfo", &buf, NULL) >= 0)
                (void)sscanf(buf, "MemTotal: %llu kB", (unsigned long long *)&kb);
        return kb * 1024;
}

uint64_t ct_mem_guarantee_bytes(const struct ct_config *c)
{
        if (c->memguarantee <= 0)
                return 0;
        uint64_t base =
                c->ram_limit == CT_U64_UNSET || c->ram_limit == UINT64_MAX ? host_mem_total() : c->ram_limit;
        return base / 100 * (uint64_t)c->memguarantee;
}

/* The whole disk under the CT's private area, for io limits. */
static int private_disk(const char *private_dir, unsigned *ret_major, unsigned *ret_minor)
{
        struct stat st;
        char path[128], real[PATH_MAX];
        if (stat(private_dir, &st) < 0)
                return -errno;
        if (major(st.st_dev) == 0)
                return -ENODEV; /* tmpfs, overlay, btrfs subvolume...: no single block device */
        snprintf(path, sizeof(path), "/sys/dev/block/%u:%u", major(st.st_dev), minor(st.st_dev));
        if (!realpath(path, real))
                return -errno;
        char part[PATH_MAX + 16], parent_dev[PATH_MAX + 16];
        snprintf(part, sizeof(part), "%s/partition", real);
        if (access(part, F_OK) == 0) {
                _cleanup_free_ char *dev = NULL;
                snprintf(parent_dev, sizeof(parent_dev), "%s/../dev", real);
                int r = read_one_line_at(AT_FDCWD, parent_dev, &dev);
                if (r < 0)
                        return r;
                if (sscanf(dev, "%u:%u", ret_major, ret_minor) != 2)
                        return -EIO;
                return 0;
        }
        *ret_major = major(st.st_dev);
        *ret_minor = minor(st.st_dev);
        return 0;
}

static bool changed(const struct ct_change *changes, size_t n, const char *key)
{
        for (size_t i = 0; i < n; i++)
                if (streq(changes[i].key, key))
                        return true;
        return false;
}

int ct_build_limits(ct *c, const struct ct_change *changes, size_t n, cg_limits *l, bool *ret_implicit_swap)
{
        const struct ct_config *cfg = &c->cfg;
        bool live = changes != NULL;
#define WANT(key, configured) (live ? changed(changes, n, key) : (configured))

        cg_limits_init(l);
        *ret_implicit_swap = false;
        if (WANT("PHYSPAGES", cfg->ram_limit != CT_U64_UNSET))
                l->mem_max = cfg->ram_limit == CT_U64_UNSET ? CG_UNLIMITED : cfg->ram_limit;
        if (WANT("SWAPPAGES", cfg->swap_limit != CT_U64_UNSET))
                l->swap_max = cfg->swap_limit == CT_U64_UNSET ? 0 : cfg->swap_limit;
        else if (l->mem_max != CG_UNSET && cfg->swap_limit != CT_U64_UNSET)
                /* a RAM change keeps the configured swap on top of the new RAM (v1's memsw is ram+swap) */
                l->swap_max = cfg->swap_limit;
        else if (l->mem_max != CG_UNSET) {
                /* vzctl: no SWAPPAGES means no swap; where the host cannot account swap, RAM still holds */
                l->swap_max = 0;
                *ret_implicit_swap = true;
        }
        if (WANT("MEMGUARANTEE", cfg->memguarantee >= 0) ||
            (live && changed(changes, n, "PHYSPAGES") && cfg->memguarantee > 0))
                l->mem_low = ct_mem_guarantee_bytes(cfg);
        if (WANT("CPUUNITS", cfg->cpuunits > 0))
                l->cpu_weight = cfg->cpuunits ? MAX(1U, MIN(10000U, cfg->cpuunits / 10)) : 100;
        if (WANT("CPULIMIT", cfg->cpulimit > 0) || WANT("CPUS", cfg->cpus > 0)) {
                uint64_t q = CG_UNLIMITED, period = l->cpu_period_us;
                long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
                if (cfg->cpulimit > 0)
                        q = cfg->cpulimit_of_host
                                    ? (uint64_t)cfg->cpulimit * (uint64_t)MAX(ncpu, 1L) * period / 100
                                    : (uint64_t)cfg->cpulimit * period / 100;
                if (cfg->cpus > 0)
                        q = MIN(q, (uint64_t)cfg->cpus * period);
                l->cpu_quota_us = q == CG_UNLIMITED ? CG_UNLIMITED : MAX(q, 1000ULL);
        }
        if (WANT("CPUMASK", cfg->cpumask != NULL))
                l->cpuset = !cfg->cpumask || streq(cfg->cpumask, "all") ? "" : cfg->cpumask;
        if (WANT("NUMPROC", cfg->numproc_limit != CT_U64_UNSET))
                l->pids_max = cfg->numproc_limit == CT_U64_UNSET ? CG_UNLIMITED : cfg->numproc_limit;
        bool io = WANT("IOLIMIT", cfg->iolimit != CT_U64_UNSET) ||
                  WANT("IOPSLIMIT", cfg->iopslimit != CT_U64_UNSET);
        if (io) {
                int r = private_disk(cfg->ve_private, &l->io_major, &l->io_minor);
                if (r < 0)
                        return log_error_errno(
                                r,
                                "IOLIMIT/IOPSLIMIT of CT %u need the block device under its private "
                                "area %s: %m (tmpfs or overlay have none)",
                                c->id, cfg->ve_private);
                if (WANT("IOLIMIT", cfg->iolimit != CT_U64_UNSET))
                        l->io_rbps = l->io_wbps = cfg->iolimit == CT_U64_UNSET || cfg->iolimit == 0
                                                          ? CG_UNLIMITED
                                                          : cfg->iolimit;
                if (WANT("IOPSLIMIT", cfg->iopslimit != CT_U64_UNSET))
                        l->io_riops = l->io_wiops = cfg->iopslimit == CT_U64_UNSET || cfg->iopslimit == 0
                                                            ? CG_UNLIMITED
                                                            : cfg->iopslimit;
        }
        if (WANT("IOPRIO", cfg->ioprio >= 0)) {
                static const uint64_t weight[8] = { 10, 25, 50, 75, 100, 250, 500, 1000 };
                l->io_weight = weight[cfg->ioprio >= 0 ? cfg->ioprio : 4];
        }
#undef WANT
        return 0;
}

int ct_apply_limits(ct *c, cg_ct *cg, const struct ct_change *changes, size_t n)
{
        cg_limits l;
        bool implicit_swap;
        int r = ct_build_limits(c, changes, n, &l, &implicit_swap);
        if (r < 0)
                return r;
        return ct_set_built_limits(c, cg, &l, implicit_swap);
}

int ct_set_built_limits(ct *c, cg_ct *cg, const cg_limits *limits, bool implicit_swap)
{
        cg_limits l = *limits;
        const char *what = NULL;
        int r = cg_ct_set_limits(cg, &l, &what);
        if (r == -EOPNOTSUPP && implicit_swap && what && strstr(what, "swap")) {
                /* no swap accounting on this host: the RAM limit alone, and say so once */
                log_debug("CT %u: the host does not account swap (%s); RAM limit only", c->id, what);
                l.swap_max = CG_UNSET;
                r = cg_ct_set_limits(cg, &l, &what);
        }
        if (r == -EOPNOTSUPP)
                return log_error_errno(r, "CT %u: this host's cgroups cannot apply the limit: %s is missing",
                                       c->id, what ? what : "?");
        if (r < 0)
                return log_error_errno(r, "Failed to apply the resource limits of CT %u (%s): %m", c->id,
                                       what ? what : "?");
        return 0;
}

int ct_get_stats(ct *c, cg_stats *ret)
{
        _cleanup_cg_ct_ cg_ct *cg = NULL;
        int r = ct_open_cgroup(c, false, &cg);
        if (r == -ENOENT)
                return -ESRCH;
        if (r < 0)
                return r;
        if (cg_ct_populated(cg) <= 0)
                return -ESRCH;
        return cg_ct_get_stats(cg, ret);
}

static uint64_t cpu_limit_percent(const struct ct_config *c, unsigned host_cpus)
{
        uint64_t p = UINT64_MAX;
        if (c->cpulimit > 0)
                p = c->cpulimit_of_host ? (uint64_t)c->cpulimit * host_cpus : c->cpulimit;
        if (c->cpus > 0)
                p = MIN(p, (uint64_t)c->cpus * 100);
        return p;
}

int ct_get_commitment(struct ct_paths *p, ct *extra, ct_commitment *ret)
{
        _cleanup_free_ unsigned *ids = NULL;
        size_t n;
        ct_commitment m = { .host_mem = host_mem_total(),
                            .host_cpus = (unsigned)MAX(sysconf(_SC_NPROCESSORS_ONLN), 1L) };
        int r = ct_list_ids(p, &ids, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i <= n; i++) {
                ct *c = NULL;
                bool own = false;
                if (i == n) {
                        if (!extra)
                                break;
                        c = extra;
                } else {
                        if (extra && ids[i] == extra->id)
                                continue;
                        if (ct_load(p, ids[i], false, &c) < 0)
                                continue;
                        own = true;
                        ct_status st;
                        if (ct_get_status(c, &st) < 0 || !st.running) {
                                ct_free(c);
                                continue;
                        }
                }
                m.running++;
                m.mem_guaranteed += ct_mem_guarantee_bytes(&c->cfg);
                if (c->cfg.ram_limit == CT_U64_UNSET || c->cfg.ram_limit == UINT64_MAX)
                        m.mem_unlimited++;
                else
                        m.mem_limited += c->cfg.ram_limit;
                uint64_t cpu = cpu_limit_percent(&c->cfg, m.host_cpus);
                if (cpu == UINT64_MAX)
                        m.cpu_unlimited++;
                else
                        m.cpu_limited += cpu;
                m.cpuunits += c->cfg.cpuunits ? c->cfg.cpuunits : 1000;
                if (own)
                        ct_free(c);
        }
        *ret = m;
        return 0;
}
