/* runtime/ internals of the OCI front end's engine side (oci.c, oci-child.c, oci-seccomp.c). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "engine-internal.h"
#include "oci-spec.h"

/* A container of config.json on spawn_process(): sp first, so the callbacks find the rest. */
struct oci_child {
        struct spawn_proc sp;
        const struct oci_spec *spec;
        const char *id;
        const char *bundle; /* absolute */
        const char *rootfs; /* absolute */
        int fifo_fd;        /* STATE/exec.fifo's read end, opened by the parent (the state directory is
                             * root's: a child in a user namespace could not open it), inherited */
        const void *bpf;    /* struct sock_filter[bpf_len], built by oci_seccomp_build(); NULL: none */
        size_t bpf_len;
        int started_fd; /* with startContainer hooks: STATE/start.fifo, where the child writes why a hook
                         * failed (nothing: they all passed), read by `start`; else -EBADF */
        /* the parent's */
        int state_dfd;
};

/* oci-child.c: spawn_proc's setup_root, confine and wait_before_exec for an OCI container. */
int oci_child_root(const struct spawn_proc *sp, char *err, size_t errlen);
int oci_child_confine(const struct spawn_proc *sp, char *err, size_t errlen);
int oci_child_wait(const struct spawn_proc *sp);
/* A mount's options: mount flags, propagation flags, the rest joined as data; -EINVAL with *ret_bad for
 * an option vpsctl does not apply (idmap, tmpcopyup, x-...). */
/* The mount options oci_mount_options() knows as flags, by index; NULL past the last. */
const char *oci_mount_option_name(size_t i);
int oci_mount_options(char *const *options, unsigned long *ret_flags, unsigned long *ret_prop, char *data,
                      size_t datalen, const char **ret_bad);

/* oci-seccomp.c: the BPF program of linux.seccomp, built here in the parent through libseccomp, loaded by
 * the child with seccomp(2). *ret: struct sock_filter[*ret_len]. Errors as a sentence in err. */
int oci_seccomp_build(const struct oci_seccomp *sc, void **ret, size_t *ret_len, char *err, size_t errlen);

/* oci-hooks.c: the runtime-spec's state of a container (`state`'s output, every hook's stdin). */
int oci_state_build(const char *id, const char *status, pid_t pid, const char *bundle,
                    const struct oci_spec *s, char **ret);
/* Run hooks.KIND in order, each with state on its stdin. warn_id NULL: the first failure ends the run,
 * -CT_EACTIONSCRIPT with "hooks.KIND[N] PATH: exited 3" in err; a container id: a failure is a warning
 * naming it, and the next hook runs (poststart, poststop). Logs nothing else (the child calls it too). */
int oci_hooks_run(const struct oci_spec *s, enum oci_hook_kind k, const char *state, const char *warn_id,
                  char *err, size_t errlen);

/* oci.c: the capabilities libcap knows but those of drop (bit N: capability N), as a JSON array of
 * "CAP_..." names (features, spec --from-ct). */
struct json_object *oci_cap_array(uint64_t drop);
