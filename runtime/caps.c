/* Capabilities: the default bounding set of a CT, and empty inheritable/ambient sets. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "base/macro.h"
#include "ct-internal.h"

/* Never granted to a CT by default: host-wide knobs that a namespace does not contain. */
const char *const ct_dropped_caps[] = {
        "cap_sys_module",
        "cap_sys_time",
        "cap_sys_rawio",
        "cap_mac_admin",
        "cap_mac_override",
        "cap_syslog",
        "cap_wake_alarm",
        "cap_block_suspend",
        "cap_audit_control",
        "cap_sys_pacct",
        "cap_bpf",
        "cap_perfmon",
        NULL,
};

int ct_drop_capabilities(char *err, size_t errlen)
{
        for (size_t i = 0; ct_dropped_caps[i]; i++) {
                cap_value_t v;
                if (cap_from_name(ct_dropped_caps[i], &v) < 0)
                        continue; /* a name this libcap does not know: the kernel cannot have it either */
                if (v > (cap_value_t)cap_max_bits() - 1)
                        continue; /* the running kernel does not have it */
                if (!CAP_IS_SUPPORTED(v))
                        continue;
                if (prctl(PR_CAPBSET_DROP, v, 0, 0, 0) < 0 && errno != EINVAL) {
                        snprintf(err, errlen, "Cannot drop %s from the bounding set: %s", ct_dropped_caps[i],
                                 strerror(errno));
                        return -errno;
                }
        }
        if (cap_reset_ambient() < 0) {
                snprintf(err, errlen, "Cannot clear the ambient capabilities: %s", strerror(errno));
                return -errno;
        }
        cap_t caps = cap_get_proc();
        if (!caps) {
                snprintf(err, errlen, "Cannot read capabilities: %s", strerror(errno));
                return -errno;
        }
        int r = 0;
        if (cap_clear_flag(caps, CAP_INHERITABLE) < 0 || cap_set_proc(caps) < 0) {
                r = -errno;
                snprintf(err, errlen, "Cannot clear the inheritable capabilities: %s", strerror(errno));
        }
        cap_free(caps);
        return r;
}
