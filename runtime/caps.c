/* Capabilities: the default bounding set of a CT, and empty inheritable/ambient sets. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "base/macro.h"
#include "engine-internal.h"

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

static int note_setting(cap_value_t v, bool on, void *u)
{
        uint64_t *drop = u;
        if (v < 0 || v >= 64)
                return 0;
        if (on)
                *drop &= ~(1ULL << v);
        else
                *drop |= 1ULL << v;
        return 0;
}

int ct_cap_dropped(const struct ct_config *cfg, uint64_t *ret)
{
        uint64_t drop = 0;
        for (size_t i = 0; ct_dropped_caps[i]; i++) {
                cap_value_t v;
                /* a name this libcap does not know: the kernel cannot have it either */
                if (cap_from_name(ct_dropped_caps[i], &v) >= 0 && v >= 0 && v < 64)
                        drop |= 1ULL << v;
        }
        /* root with CAP_SYS_RESOURCE may write past ext4's hard quota limits: a privileged CT (its root is
         * the host's, in the host's user namespace) with a disk quota goes without, unless CAPABILITY says
         * sys_resource:on (overlayfs never writes with it; a user namespace's root never has it here) */
        if (!ct_userns(cfg) && ct_disk_limited(cfg))
                drop |= 1ULL << CAP_SYS_RESOURCE;
        if (ct_cap_settings_foreach(cfg->capability, note_setting, &drop) < 0)
                return -EINVAL;
        *ret = drop;
        return 0;
}

int ct_drop_capabilities(const struct ct_config *cfg, char *err, size_t errlen)
{
        uint64_t drop;
        if (ct_cap_dropped(cfg, &drop) < 0) {
                snprintf(err, errlen, "Bad CAPABILITY \"%s\"", cfg->capability);
                return -EINVAL;
        }
        for (cap_value_t v = 0; v < 64; v++) {
                if (!(drop & (1ULL << v)))
                        continue;
                if (v > (cap_value_t)cap_max_bits() - 1 || !CAP_IS_SUPPORTED(v))
                        continue; /* the running kernel does not have it */
                if (prctl(PR_CAPBSET_DROP, v, 0, 0, 0) < 0 && errno != EINVAL) {
                        _cleanup_free_ char *name = cap_to_name(v);
                        snprintf(err, errlen, "Cannot drop %s from the bounding set: %s", name ? name : "?",
                                 strerror(errno));
                        return negative_errno();
                }
        }
        /* one call, where libcap's cap_reset_ambient() asks about each capability first */
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
                snprintf(err, errlen, "Cannot clear the ambient capabilities: %s", strerror(errno));
                return negative_errno();
        }
        cap_t caps = cap_get_proc();
        if (!caps) {
                snprintf(err, errlen, "Cannot read capabilities: %s", strerror(errno));
                return negative_errno();
        }
        int r = 0;
        if (cap_clear_flag(caps, CAP_INHERITABLE) < 0 || cap_set_proc(caps) < 0) {
                r = negative_errno();
                snprintf(err, errlen, "Cannot clear the inheritable capabilities: %s", strerror(errno));
        }
        cap_free(caps);
        return r;
}
