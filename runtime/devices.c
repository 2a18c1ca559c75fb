/* DEVICES: which device nodes a CT may open (vzctl's --devices b|c:MAJOR:MINOR|all:r|w|rw|none). The
 * standard nodes are always allowed; everything else is denied unless DEVICES allows it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "engine-internal.h"

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
