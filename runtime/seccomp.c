/* The CT's seccomp filter (libseccomp): everything is allowed except host-wide knobs a namespace does not
 * contain, which fail with EPERM. The same filter for init and for every exec/enter, on every architecture
 * the host runs (x86-64 also runs i386 and x32 code). SECCOMP="no" turns it off; SECCOMP_ALLOW and
 * SECCOMP_DENY adjust the list per CT. */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/keyctl.h>

#include "base/log.h"
#include "engine-internal.h"

/* Denied by default, with the reason an operator reads in `vpsctl seccomp show`. */
static const struct {
        const char *name;
        const char *why;
} default_deny[] = {
        { "kexec_load", "replaces the host's kernel" },
        { "kexec_file_load", "replaces the host's kernel" },
        { "init_module", "loads code into the host's kernel" },
        { "finit_module", "loads code into the host's kernel" },
        { "delete_module", "unloads the host's kernel modules" },
        { "open_by_handle_at", "opens files by handle, outside the CT's root (the shocker escape)" },
        { "keyctl", "the kernel keyring is not namespaced" },
        { "add_key", "the kernel keyring is not namespaced" },
        { "request_key", "the kernel keyring is not namespaced" },
        { "bpf", "host-wide BPF programs and maps" },
        { "perf_event_open", "observes the host's other processes and kernel" },
        { "userfaultfd", "a tool for kernel exploits' race windows" },
        { "acct", "process accounting is host-wide" },
        { "swapon", "host-wide swap" },
        { "swapoff", "host-wide swap" },
        { "iopl", "raw port I/O" },
        { "ioperm", "raw port I/O" },
        { "lookup_dcookie", "kernel profiling" },
        { "settimeofday", "the clock is host-wide" },
        { "clock_settime", "the clock is host-wide" },
        { "clock_adjtime", "the clock is host-wide" },
        { "adjtimex", "the clock is host-wide" },
        { "quotactl", "quota on host filesystems" },
        { "vm86", "legacy virtual-8086 mode" },
        { "vm86old", "legacy virtual-8086 mode" },
        { "nfsservctl", "the kernel NFS server is host-wide" },
        { "fanotify_init", "watches the host's filesystems" },
};

static bool in_list(const char *list, const char *name)
{
        size_t n = strlen(name);
        for (const char *p = list; p && (p = strstr(p, name)); p += n)
                if ((p == list || p[-1] == ' ' || p[-1] == ',') && (p[n] == 0 || p[n] == ' ' || p[n] == ','))
                        return true;
        return false;
}

bool ct_seccomp_enabled(const struct ct_config *cfg)
{
        return cfg->seccomp != CT_NO;
}

/* Call fn for every syscall the CT's filter denies. */
static int for_each_denied(const struct ct_config *cfg,
                           int (*fn)(const char *name, const char *why, void *u), void *u)
{
        int r;
        for (size_t i = 0; i < ELEMENTSOF(default_deny); i++)
                if (!in_list(cfg->seccomp_allow, default_deny[i].name) &&
                    (r = fn(default_deny[i].name, default_deny[i].why, u)) < 0)
                        return r;
        _cleanup_free_ char *copy = strdup(cfg->seccomp_deny ? cfg->seccomp_deny : "");
        if (!copy)
                return -ENOMEM;
        for (char *save = NULL, *t = strtok_r(copy, " ,", &save); t; t = strtok_r(NULL, " ,", &save)) {
                bool dflt = false;
                for (size_t i = 0; i < ELEMENTSOF(default_deny); i++)
                        dflt = dflt || streq(default_deny[i].name, t);
                if (!dflt && (r = fn(t, "SECCOMP_DENY of this CT", u)) < 0)
                        return r;
        }
        return 0;
}

static int add_rule(const char *name, const char *why, void *u)
{
        (void)why;
        scmp_filter_ctx ctx = u;
        int nr = seccomp_syscall_resolve_name(name);
        if (nr == __NR_SCMP_ERROR)
                return -EINVAL;
        /* a syscall this architecture does not have is simply not in its filter */
        int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
        return r == -EDOM || r == -EFAULT ? 0 : r;
}

int ct_seccomp_load(const struct ct_config *cfg, char *err, size_t errlen)
{
        /* A fresh, empty session keyring: even with SECCOMP="no" the CT never shares the host's (or the
         * operator's) session keyring. */
        if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 && errno != ENOSYS) {
                snprintf(err, errlen, "Cannot give the CT a session keyring of its own: %s",
                         strerror(errno));
                return negative_errno();
        }
        if (cfg->no_new_privs == CT_YES && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
                snprintf(err, errlen, "Cannot set no_new_privs: %s", strerror(errno));
                return negative_errno();
        }
        if (!ct_seccomp_enabled(cfg))
                return 0;
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        int r;
        if (!ctx) {
                snprintf(err, errlen, "Cannot create the seccomp filter");
                return -ENOMEM;
        }
        /* a 64-bit x86 host runs 32-bit code too: the filter covers every ABI a CT can call in */
        static const uint32_t extra[] = {
#if defined(__x86_64__)
                SCMP_ARCH_X86,
                SCMP_ARCH_X32,
#elif defined(__aarch64__)
                SCMP_ARCH_ARM,
#endif
                0,
        };
        for (size_t i = 0; extra[i]; i++)
                if ((r = seccomp_arch_add(ctx, extra[i])) < 0 && r != -EEXIST) {
                        snprintf(err, errlen, "Cannot add an architecture to the seccomp filter: %s",
                                 strerror(-r));
                        goto out;
                }
        /* root with CAP_SYS_ADMIN needs no no_new_privs to load a filter, and setuid programs in the CT
         * (su, passwd) keep working */
        (void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        r = for_each_denied(cfg, add_rule, ctx);
        if (r < 0) {
                snprintf(err, errlen, "Cannot build the seccomp filter: %s", strerror(-r));
                goto out;
        }
        r = seccomp_load(ctx);
        if (r < 0)
                snprintf(err, errlen, "Cannot load the seccomp filter: %s", strerror(-r));
out:
        seccomp_release(ctx);
        return r < 0 ? r : 0;
}

static int print_one(const char *name, const char *why, void *u)
{
        (void)u;
        printf("  %-20s EPERM  %s\n", name, why);
        return 0;
}

int ct_seccomp_show(const struct ct_config *cfg)
{
        if (!ct_seccomp_enabled(cfg)) {
                printf("seccomp: off (SECCOMP=\"no\"): every system call is allowed\n");
                return 0;
        }
        printf("seccomp: default action allow; architectures: native");
#if defined(__x86_64__)
        printf(", x86, x32");
#elif defined(__aarch64__)
        printf(", arm");
#endif
        printf("\ndenied (errno EPERM):\n");
        int r = for_each_denied(cfg, print_one, NULL);
        if (cfg->seccomp_allow && *cfg->seccomp_allow)
                printf("allowed by SECCOMP_ALLOW: %s\n", cfg->seccomp_allow);
        return r;
}
