/* DEVICES: which device nodes a CT may open (vzctl's --devices b|c:MAJOR:MINOR|all:r|w|rw|none). The
 * standard nodes are always allowed; everything else is denied unless DEVICES allows it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "ct-internal.h"

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

int ct_apply_devices(ct *c, cg_ct *cg)
{
        _cleanup_free_ cg_device_rule *rules = NULL;
        size_t n;
        int r = ct_device_rules(c->cfg.devices, &rules, &n);
        if (r < 0)
                return log_error_errno(r, "CT %u: bad DEVICES \"%s\"", c->id, c->cfg.devices);
        r = cg_ct_set_devices(cg, rules, n);
        if (r == -EOPNOTSUPP) {
                log_warning(
                        "CT %u: this host has no devices cgroup controller; device access is not limited",
                        c->id);
                return 0;
        }
        if (r < 0)
                return log_error_errno(r, "Failed to set the device access of CT %u: %m", c->id);
        return 0;
}
