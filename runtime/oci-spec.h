/* oci-spec.c: an OCI runtime-spec bundle's config.json (1.0.x to 1.2.x), parsed into one struct. Every
 * field vpsctl does not apply is refused, naming its JSON path ("linux.intelRdt is not supported"): a
 * config is either understood whole or not at all. Knows no CT and no front end. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* a JSON integer or number that was given; absent fields stay !set */
struct oci_i64 {
        bool set;
        int64_t v;
};

struct oci_idmap {
        uint32_t container_id, host_id, size;
};

struct oci_mount {
        char *destination, *source, *type;
        char **options; /* NULL-terminated, may be NULL */
};

struct oci_namespace {
        int type;   /* CLONE_NEW* */
        char *path; /* join this one, or NULL: create */
};

struct oci_rlimit {
        int resource; /* RLIMIT_* */
        uint64_t soft, hard;
};

struct oci_hook {
        char *path;
        char **args, **env; /* NULL-terminated, may be NULL */
        struct oci_i64 timeout;
};

enum oci_hook_kind {
        OCI_HOOK_PRESTART,
        OCI_HOOK_CREATE_RUNTIME,
        OCI_HOOK_CREATE_CONTAINER,
        OCI_HOOK_START_CONTAINER,
        OCI_HOOK_POSTSTART,
        OCI_HOOK_POSTSTOP,
        OCI_HOOK_KINDS,
};
extern const char *const oci_hook_names[OCI_HOOK_KINDS];

struct oci_device_rule {
        bool allow;
        char type;            /* 'a', 'b', 'c' */
        int64_t major, minor; /* -1: any */
        char access[4];       /* subset of "rwm" */
};

struct oci_blkio_device {
        int64_t major, minor;
        uint64_t rate;   /* throttle: bytes or ops per second */
        uint16_t weight; /* weightDevice */
};

struct oci_seccomp_arg {
        unsigned index;
        uint64_t value, value_two;
        int op; /* enum scmp_compare */
};

struct oci_seccomp_rule {
        char **names;
        uint32_t action; /* SCMP_ACT_* with the errno folded in */
        struct oci_seccomp_arg *args;
        size_t n_args;
};

struct oci_seccomp {
        uint32_t default_action;
        uint32_t *arches; /* SCMP_ARCH_* */
        size_t n_arches;
        bool flag_log, flag_spec_allow;
        struct oci_seccomp_rule *rules;
        size_t n_rules;
};

struct oci_kv {
        char *key, *value;
};

#define OCI_CAP_SETS 5 /* bounding, effective, inheritable, permitted, ambient */
extern const char *const oci_cap_set_names[OCI_CAP_SETS];

struct oci_spec {
        char *oci_version;
        struct {
                bool terminal;
                unsigned console_height, console_width;
                uint32_t uid, gid;
                gid_t *additional_gids;
                size_t n_additional_gids;
                struct oci_i64 umask;
                char **args, **env; /* NULL-terminated; args has at least one */
                char *cwd;
                bool has_caps;
                uint64_t caps[OCI_CAP_SETS]; /* bit N: capability N */
                struct oci_rlimit *rlimits;
                size_t n_rlimits;
                bool no_new_privileges;
                struct oci_i64 oom_score_adj;
        } process;
        char *root_path;
        bool root_readonly;
        char *hostname;
        struct oci_mount *mounts;
        size_t n_mounts;
        struct oci_namespace *namespaces;
        size_t n_namespaces;
        struct oci_idmap *uid_mappings, *gid_mappings;
        size_t n_uid_mappings, n_gid_mappings;
        struct {
                struct oci_i64 memory_limit, memory_swap; /* bytes; -1: unlimited */
                struct oci_i64 cpu_shares, cpu_quota, cpu_period;
                char *cpu_cpus;
                struct oci_i64 pids_limit;
                struct oci_device_rule *devices;
                size_t n_devices;
                struct oci_i64 blkio_weight;
                struct oci_blkio_device *blkio_weight_device;
                size_t n_blkio_weight_device;
                /* throttleReadBpsDevice, throttleWriteBpsDevice, throttleReadIOPSDevice,
                 * throttleWriteIOPSDevice */
                struct oci_blkio_device *blkio_throttle[4];
                size_t n_blkio_throttle[4];
        } resources;
        char *cgroups_path;
        char *rootfs_propagation;
        struct oci_seccomp *seccomp; /* NULL: none */
        char **masked_paths, **readonly_paths;
        struct oci_kv *sysctl;
        size_t n_sysctl;
        struct oci_hook *hooks[OCI_HOOK_KINDS];
        size_t n_hooks[OCI_HOOK_KINDS];
        struct oci_kv *annotations;
        size_t n_annotations;
};

/* Parse config.json's text. -EINVAL with a sentence in err naming the JSON path of what is wrong or not
 * supported; -ENOMEM. */
int oci_spec_parse(const char *text, size_t len, struct oci_spec **ret, char *err, size_t errlen);
/* exec --process FILE: the runtime-spec's process object in place of s->process; errors as in parse. */
int oci_spec_parse_process(const char *text, size_t len, struct oci_spec *s, char *err, size_t errlen);
/* update --resources FILE: a linux.resources object, into a new spec holding only resources. */
int oci_spec_parse_resources(const char *text, size_t len, struct oci_spec **ret, char *err, size_t errlen);
void oci_spec_free(struct oci_spec *s);

/* `spec`'s default config.json (runc's, vpsctl's host name). */
extern const char oci_spec_default_json[];
