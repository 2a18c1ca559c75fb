/* runtime/ internals of the OCI front end's engine side (oci.c, oci-child.c, oci-seccomp.c). */
#pragma once

#include <stddef.h>

#include "engine-internal.h"
#include "oci-spec.h"

/* A container of config.json on spawn_process(): sp first, so the callbacks find the rest. */
struct oci_child {
        struct spawn_proc sp;
        const struct oci_spec *spec;
        const char *bundle; /* absolute */
        const char *rootfs; /* absolute */
        int fifo_fd;        /* STATE/exec.fifo's read end, opened by the parent (the state directory is
                             * root's: a child in a user namespace could not open it), inherited */
        const void *bpf;    /* struct sock_filter[bpf_len], built by oci_seccomp_build(); NULL: none */
        size_t bpf_len;
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
