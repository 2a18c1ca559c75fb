/* linux.seccomp to a BPF program, in the parent: libseccomp compiles it once, the child only loads it. */
#include <errno.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/macro.h"
#include "oci-internal.h"

int oci_seccomp_build(const struct oci_seccomp *sc, void **ret, size_t *ret_len, char *err, size_t errlen)
{
        scmp_filter_ctx ctx = seccomp_init(sc->default_action);
        _cleanup_close_ int fd = -EBADF;
        int r = 0;
        if (!ctx) {
                snprintf(err, errlen, "linux.seccomp: cannot create the filter");
                return -ENOMEM;
        }
        /* no_new_privs is process.noNewPrivileges' business, not the filter's */
        (void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        for (size_t i = 0; i < sc->n_arches; i++)
                if ((r = seccomp_arch_add(ctx, sc->arches[i])) < 0 && r != -EEXIST) {
                        snprintf(err, errlen, "linux.seccomp.architectures[%zu]: %s", i, strerror(-r));
                        goto out;
                }
        r = 0;
        for (size_t i = 0; i < sc->n_rules; i++) {
                const struct oci_seccomp_rule *rule = &sc->rules[i];
                struct scmp_arg_cmp cmp[6];
                for (size_t j = 0; j < rule->n_args; j++)
                        cmp[j] = (struct scmp_arg_cmp){ .arg = rule->args[j].index,
                                                        .op = (enum scmp_compare)rule->args[j].op,
                                                        .datum_a = rule->args[j].value,
                                                        .datum_b = rule->args[j].value_two };
                if (rule->action == sc->default_action)
                        continue; /* libseccomp refuses a rule that changes nothing */
                STRV_FOREACH (name, rule->names) {
                        int nr = seccomp_syscall_resolve_name(*name);
                        if (nr == __NR_SCMP_ERROR)
                                continue; /* as runc and crun: a call this host's architectures lack */
                        r = seccomp_rule_add_array(ctx, rule->action, nr, (unsigned)rule->n_args, cmp);
                        if (r < 0) {
                                snprintf(err, errlen, "linux.seccomp.syscalls[%zu]: cannot add %s: %s", i,
                                         *name, strerror(-r));
                                goto out;
                        }
                }
        }
        fd = memfd_create("vpsctl-seccomp", MFD_CLOEXEC);
        if (fd < 0 || (r = seccomp_export_bpf(ctx, fd)) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
                r = r < 0 ? r : negative_errno();
                snprintf(err, errlen, "linux.seccomp: cannot compile the filter: %s", strerror(-r));
                goto out;
        }
        char *buf = NULL;
        size_t len = 0;
        r = read_full_fd(fd, &buf, &len);
        if (r < 0 || len == 0 || len % sizeof(struct sock_filter) ||
            len / sizeof(struct sock_filter) > BPF_MAXINSNS) {
                free(buf);
                r = r < 0 ? r : -E2BIG;
                snprintf(err, errlen, "linux.seccomp: the compiled filter is unusable (%zu bytes)", len);
                goto out;
        }
        *ret = buf;
        *ret_len = len / sizeof(struct sock_filter);
out:
        seccomp_release(ctx);
        return r < 0 ? r : 0;
}
