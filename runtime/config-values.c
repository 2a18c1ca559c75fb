/* Values of the resource keys in vzctl's formats: sizes and pages ("barrier:limit", K/M/G/T, "unlimited"),
 * counts, MEMGUARANTEE, CPULIMIT, CPUMASK, the command-line forms of --ram and --iolimit, and CTIDs. Parsers
 * only: no cgroup is touched here (resources.c applies them). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/parse.h"
#include "config-internal.h"

#define PAGE 4096ULL

/* Bytes up to whole UNITs ("unlimited" stays). */
static int round_up(uint64_t v, uint64_t unit, uint64_t *ret)
{
        if (v != UINT64_MAX && v % unit) {
                if (v > UINT64_MAX - unit)
                        return -ERANGE;
                v = (v + unit - 1) / unit * unit;
        }
        *ret = v;
        return 0;
}

static int round_to_pages(uint64_t v, uint64_t *ret)
{
        return round_up(v, PAGE, ret);
}

/* One side of "barrier:limit": "unlimited", or (unit 1) a count, or a size with K/M/G/T rounded up to
 * whole units, or a bare number of units (pages for PHYSPAGES, 1K blocks for DISKSPACE). */
static int parse_amount(const char *s, uint64_t unit, uint64_t *ret)
{
        uint64_t v;
        if (!*s)
                return -EINVAL; /* and s[strlen(s) - 1] below would read the byte before s */
        if (streq(s, "unlimited") || streq(s, "max")) {
                *ret = UINT64_MAX;
                return 0;
        }
        if (unit == 1)
                return safe_atou64(s, ret);
        if (!isdigit((unsigned char)s[strlen(s) - 1])) {
                /* a size: rounded up to whole units here, as the kernel counts them, so both sides of a
                 * pair round alike ("1B:2K" never becomes a barrier above its limit when written back) */
                int r = parse_size(s, &v);
                if (r < 0)
                        return r;
                return round_up(v, unit, ret);
        }
        int r = safe_atou64(s, &v);
        if (r < 0)
                return r;
        if (v > UINT64_MAX / unit)
                return -ERANGE;
        *ret = v * unit;
        return 0;
}

static int parse_pair(const char *v, uint64_t unit, uint64_t out[2])
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
                if ((r = parse_amount(buf, unit, &b)) < 0 || (r = parse_amount(colon + 1, unit, &l)) < 0)
                        return r;
        } else {
                if ((r = parse_amount(buf, unit, &l)) < 0)
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
        int r = parse_pair(v, PAGE, p);
        if (r < 0)
                return r;
        if (streq(k->key, "PHYSPAGES") && p[1] < 4 * 1024 * 1024)
                return -ERANGE; /* less than 4M cannot even start init */
        memcpy(field, p, sizeof(p));
        return 0;
}

static void amount_str(uint64_t v, bool sized, char *buf, size_t len)
{
        if (v == UINT64_MAX)
                snprintf(buf, len, "unlimited");
        else if (sized) {
                /* always with a unit: a bare number in the file means pages or 1K blocks (values are whole
                 * ones: parse_amount rounds them) */
                if (v == 0)
                        snprintf(buf, len, "0");
                else
                        format_size(v, buf, (unsigned)len);
        } else
                snprintf(buf, len, "%llu", (unsigned long long)v);
}

static int format_pair(const void *field, bool sized, char **ret)
{
        const uint64_t *p = field;
        char b[32], l[32];
        if (p[1] == CT_U64_UNSET) {
                *ret = NULL;
                return 0;
        }
        amount_str(p[0], sized, b, sizeof(b));
        amount_str(p[1], sized, l, sizeof(l));
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
        int r = parse_pair(v, 1, p);
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

/* DISKSPACE: "soft:hard" in 1K blocks (vzctl's unit), or sizes with K/M/G/T; one value sets both. */
int parse_kb_pair(const struct ct_key *k, const char *v, void *field)
{
        uint64_t p[2];
        (void)k;
        int r = parse_pair(v, 1024, p);
        if (r < 0)
                return r;
        if (p[1] < 1024 * 1024)
                return -ERANGE; /* under 1M the CT could not even be started */
        memcpy(field, p, sizeof(p));
        return 0;
}

int format_kb_pair(const struct ct_key *k, const void *field, char **ret)
{
        (void)k;
        return format_pair(field, true, ret);
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
        if (r >= 0)
                r = round_to_pages(v, &v); /* bytes: a bare number in the file would mean pages */
        if (r < 0)
                return r;
        amount_str(v, true, b, sizeof(b));
        return asprintf(ret, "0:%s", b) < 0 ? -ENOMEM : 0;
}

int option_iolimit(const char *opt, char **ret)
{
        uint64_t v;
        int r;
        if (!*opt)
                return -EINVAL;
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

int ct_id_parse(const char *arg, unsigned *ret)
{
        uint64_t v;

        if (!arg || !*arg)
                return -EINVAL;
        for (const char *p = arg; *p; p++)
                if (!isdigit((unsigned char)*p))
                        return -EINVAL;
        if (safe_atou64(arg, &v) < 0 || v < CTID_MIN || v > CTID_MAX)
                return -ERANGE;
        *ret = (unsigned)v;
        return 0;
}
