/* Values of the confinement keys: CAPABILITY ("name:on|off"), SECCOMP_ALLOW/SECCOMP_DENY (syscall names)
 * and DEVICES (vzctl's b|c:MAJOR:MINOR|all:r|w|rw|none, as device rules with the standard nodes). Parsers
 * only: caps.c, seccomp.c and devices.c apply them. */
#include <ctype.h>
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>

#include "config-internal.h"

/* "cap_net_admin", "NET_ADMIN", "net_admin" -> the capability's number; -EINVAL if unknown. */
static int cap_by_name(const char *name, size_t len, cap_value_t *ret)
{
        char buf[64] = "cap_";
        size_t off = strncasecmp(name, "cap_", 4) == 0 ? 0 : 4;
        if (len + off >= sizeof(buf) || len == 0)
                return -EINVAL;
        for (size_t i = 0; i < len; i++)
                buf[off + i] = (char)tolower((unsigned char)name[i]);
        buf[off + len] = 0;
        return cap_from_name(buf, ret) < 0 ? -EINVAL : 0;
}

/* Walk CAPABILITY ("net_admin:off sys_time:on", separated by spaces or commas). */
int ct_cap_settings_foreach(const char *list, int (*fn)(cap_value_t v, bool on, void *u), void *u)
{
        for (const char *p = list ? list : ""; *p;) {
                p += strspn(p, " ,");
                if (!*p)
                        break;
                size_t len = strcspn(p, " ,");
                const char *colon = memchr(p, ':', len);
                if (!colon)
                        return -EINVAL;
                size_t vlen = len - (size_t)(colon + 1 - p);
                bool on;
                if (vlen == 2 && strncasecmp(colon + 1, "on", 2) == 0)
                        on = true;
                else if (vlen == 3 && strncasecmp(colon + 1, "off", 3) == 0)
                        on = false;
                else
                        return -EINVAL;
                cap_value_t v;
                int r = cap_by_name(p, (size_t)(colon - p), &v);
                if (r < 0)
                        return r;
                if (fn && (r = fn(v, on, u)) < 0)
                        return r;
                p += len;
        }
        return 0;
}

int ct_capability_check(const char *list)
{
        return ct_cap_settings_foreach(list, NULL, NULL);
}

int ct_seccomp_check_names(const char *list)
{
        _cleanup_free_ char *copy = strdup(list ? list : "");
        if (!copy)
                return -ENOMEM;
        for (char *save = NULL, *t = strtok_r(copy, " ,", &save); t; t = strtok_r(NULL, " ,", &save))
                if (seccomp_syscall_resolve_name(t) == __NR_SCMP_ERROR)
                        return -EINVAL;
        return 0;
}

static const cg_device_rule defaults[] = {
        /* mknod of anything (opening it is what counts); in a user namespace mknod is refused anyway */
        { 'c', -1, -1, CG_DEV_MKNOD, true },
        { 'b', -1, -1, CG_DEV_MKNOD, true },
        { 'c', 1, 3, 7, true },    /* null */
        { 'c', 1, 5, 7, true },    /* zero */
        { 'c', 1, 7, 7, true },    /* full */
        { 'c', 1, 8, 7, true },    /* random */
        { 'c', 1, 9, 7, true },    /* urandom */
        { 'c', 5, 0, 7, true },    /* tty */
        { 'c', 5, 1, 7, true },    /* console */
        { 'c', 5, 2, 7, true },    /* ptmx */
        { 'c', 136, -1, 7, true }, /* pts */
};

/* One "c:10:200:rw" entry. */
static int parse_rule(const char *s, cg_device_rule *ret)
{
        char type, perm[8];
        int maj, n = 0;
        char minor[16];
        if (sscanf(s, "%c:%d:%15[^:]:%7s%n", &type, &maj, minor, perm, &n) != 4 || s[n] ||
            (type != 'b' && type != 'c') || maj < 0 || maj > 4095)
                return -EINVAL;
        cg_device_rule r = { .type = type, .major = maj, .minor = -1, .allow = true };
        if (!streq(minor, "all")) {
                char *end;
                long m = strtol(minor, &end, 10);
                if (*end || end == minor || m < 0 || m > 1048575)
                        return -EINVAL;
                r.minor = (int)m;
        }
        if (streq(perm, "r"))
                r.access = CG_DEV_READ;
        else if (streq(perm, "w"))
                r.access = CG_DEV_WRITE;
        else if (streq(perm, "rw"))
                r.access = CG_DEV_READ | CG_DEV_WRITE;
        else if (streq(perm, "none")) {
                r.access = CG_DEV_READ | CG_DEV_WRITE | CG_DEV_MKNOD;
                r.allow = false;
        } else
                return -EINVAL;
        *ret = r;
        return 0;
}

int ct_device_rules(const char *list, cg_device_rule **ret, size_t *ret_n)
{
        _cleanup_free_ char *copy = strdup(list ? list : "");
        _cleanup_free_ cg_device_rule *rules = NULL;
        size_t n = 0;
        if (!copy || !(rules = calloc(strlen(copy) / 8 + 1 + ELEMENTSOF(defaults), sizeof(*rules))))
                return -ENOMEM;
        /* the CT's own rules first: on v2 the first match decides, so "none" can take a default back */
        for (char *save = NULL, *t = strtok_r(copy, " ,", &save); t; t = strtok_r(NULL, " ,", &save)) {
                int r = parse_rule(t, &rules[n]);
                if (r < 0)
                        return r;
                n++;
        }
        memcpy(rules + n, defaults, sizeof(defaults));
        n += ELEMENTSOF(defaults);
        *ret = TAKE_PTR(rules);
        *ret_n = n;
        return 0;
}
