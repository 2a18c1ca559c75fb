/* vpsctl oci spec --from-ct CTID: an OCI bundle for an existing CT, for an OCI client (podman, containerd)
 * to run. DIR/rootfs is a copy of the CT's root, taken while the CT is stopped (its root mounted for the
 * copy, as `vpsctl mount` does, seen through its idmapped mount when it has a user namespace, so the copy's
 * owners are the ids its mapping gives); DIR/config.json is runc's default spec with the CT's host name,
 * its limits as the engine maps them (ct_build_limits()), its capability bounding set (caps.c), its seccomp
 * denials (seccomp.c) and its user namespace mapping. A copy, not the CT's own files: nothing stops the CT
 * from starting again while the OCI container runs, and two systems must not write one tree. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/log.h"
#include "oci-internal.h"

static json_object *jstr(const char *s)
{
        return json_object_new_string(s);
}

static json_object *ju64(uint64_t v)
{
        return json_object_new_int64(v > INT64_MAX ? INT64_MAX : (int64_t)v);
}

/* linux.resources from the CT's limits as start applies them; devices stay the default spec's */
static int add_resources(ct *c, json_object *res)
{
        cg_limits l;
        bool implicit_swap;
        int r = ct_build_limits(c, NULL, 0, &l, &implicit_swap);
        if (r < 0)
                return r;
        json_object *mem = json_object_new_object();
        if (l.mem_max != CG_UNSET && l.mem_max != CG_UNLIMITED) {
                json_object_object_add(mem, "limit", ju64(l.mem_max));
                /* the runtime-spec's swap is memory + swap */
                if (l.swap_max != CG_UNSET && l.swap_max != CG_UNLIMITED)
                        json_object_object_add(mem, "swap", ju64(l.mem_max + l.swap_max));
        }
        if (json_object_object_length(mem))
                json_object_object_add(res, "memory", mem);
        else
                json_object_put(mem);
        json_object *cpu = json_object_new_object();
        if (l.cpu_weight != CG_UNSET) /* the inverse of the kernel's shares -> weight mapping */
                json_object_object_add(cpu, "shares", ju64(2 + ((l.cpu_weight - 1) * 262142 + 9998) / 9999));
        if (l.cpu_quota_us != CG_UNSET && l.cpu_quota_us != CG_UNLIMITED) {
                json_object_object_add(cpu, "quota", ju64(l.cpu_quota_us));
                json_object_object_add(cpu, "period", ju64(l.cpu_period_us));
        }
        if (l.cpuset && *l.cpuset)
                json_object_object_add(cpu, "cpus", jstr(l.cpuset));
        if (json_object_object_length(cpu))
                json_object_object_add(res, "cpu", cpu);
        else
                json_object_put(cpu);
        if (l.pids_max != CG_UNSET && l.pids_max != CG_UNLIMITED) {
                json_object *pids = json_object_new_object();
                json_object_object_add(pids, "limit", ju64(l.pids_max));
                json_object_object_add(res, "pids", pids);
        }
        static const char *const throttles[] = { "throttleReadBpsDevice", "throttleWriteBpsDevice",
                                                 "throttleReadIOPSDevice", "throttleWriteIOPSDevice" };
        const uint64_t rates[] = { l.io_rbps, l.io_wbps, l.io_riops, l.io_wiops };
        json_object *blkio = json_object_new_object();
        if (l.io_weight != CG_UNSET)
                json_object_object_add(blkio, "weight", ju64(l.io_weight));
        for (size_t t = 0; t < ELEMENTSOF(throttles); t++) {
                if (rates[t] == CG_UNSET || rates[t] == CG_UNLIMITED || (!l.io_major && !l.io_minor))
                        continue;
                json_object *d = json_object_new_object(), *a = json_object_new_array();
                json_object_object_add(d, "major", ju64(l.io_major));
                json_object_object_add(d, "minor", ju64(l.io_minor));
                json_object_object_add(d, "rate", ju64(rates[t]));
                json_object_array_add(a, d);
                json_object_object_add(blkio, throttles[t], a);
        }
        if (json_object_object_length(blkio))
                json_object_object_add(res, "blockIO", blkio);
        else
                json_object_put(blkio);
        return 0;
}

/* process.capabilities: the CT's bounding set, effective and permitted as its init (root) has them */
static int add_capabilities(ct *c, json_object *process)
{
        uint64_t drop;
        if (ct_cap_dropped(&c->cfg, &drop) < 0) {
                log_error("CT %u: CAPABILITY \"%s\" cannot be parsed; fix %s", c->id, c->cfg.capability,
                          c->conf_path);
                return -EINVAL;
        }
        json_object *set = oci_cap_array(drop), *caps = json_object_new_object();
        json_object_object_add(caps, "bounding", json_object_get(set));
        json_object_object_add(caps, "effective", json_object_get(set));
        json_object_object_add(caps, "permitted", set);
        json_object_object_add(process, "capabilities", caps);
        return 0;
}

static int add_denied(const char *name, const char *why, void *u)
{
        (void)why;
        json_object_array_add(u, jstr(name));
        return 0;
}

/* clang-format off */
#define ARCH(a) { SCMP_ARCH_##a, "SCMP_ARCH_" #a }
/* clang-format on */

/* the runtime-spec's name of a libseccomp architecture: "SCMP_ARCH_X86_64" */
static const char *arch_name(uint32_t arch)
{
        static const struct {
                uint32_t arch;
                const char *name;
        } names[] = { ARCH(X86_64), ARCH(X86), ARCH(X32), ARCH(AARCH64), ARCH(ARM) };
#undef ARCH
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (names[i].arch == arch)
                        return names[i].name;
        return NULL;
}

/* linux.seccomp: what the CT's filter denies (EPERM), on the ABIs it covers */
static int add_seccomp(ct *c, json_object *linux_o)
{
        if (!ct_seccomp_enabled(&c->cfg))
                return 0;
        json_object *names = json_object_new_array(), *arches = json_object_new_array();
        int r = ct_seccomp_foreach_denied(&c->cfg, add_denied, names);
        if (r < 0) {
                json_object_put(names);
                json_object_put(arches);
                return log_error_errno(r, "Cannot list the seccomp denials of CT %u: %m", c->id);
        }
        const char *native = arch_name(seccomp_arch_native());
        if (native)
                json_object_array_add(arches, jstr(native));
        for (size_t i = 0; native && ct_seccomp_extra_arches[i]; i++)
                if (arch_name(ct_seccomp_extra_arches[i]))
                        json_object_array_add(arches, jstr(arch_name(ct_seccomp_extra_arches[i])));
        json_object *rule = json_object_new_object(), *rules = json_object_new_array(),
                    *sc = json_object_new_object();
        json_object_object_add(rule, "names", names);
        json_object_object_add(rule, "action", jstr("SCMP_ACT_ERRNO"));
        json_object_object_add(rule, "errnoRet", json_object_new_int(EPERM));
        json_object_array_add(rules, rule);
        json_object_object_add(sc, "defaultAction", jstr("SCMP_ACT_ALLOW"));
        if (json_object_array_length(arches))
                json_object_object_add(sc, "architectures", arches);
        else
                json_object_put(arches); /* an unknown host: the native ABI only */
        json_object_object_add(sc, "syscalls", rules);
        json_object_object_add(linux_o, "seccomp", sc);
        return 0;
}

static json_object *idmap(unsigned host)
{
        json_object *a = json_object_new_array(), *m = json_object_new_object();
        json_object_object_add(m, "containerID", json_object_new_int(0));
        json_object_object_add(m, "hostID", ju64(host));
        json_object_object_add(m, "size", json_object_new_int(65536));
        json_object_array_add(a, m);
        return a;
}

/* config.json's text for CT c, whose root was copied to rootfd */
static int build_config(ct *c, int rootfd, char **ret)
{
        json_object *o = json_tokener_parse(oci_spec_default_json), *process, *linux_o, *res, *ns;
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        int r = -ENOMEM;
        if (!o)
                return -ENOMEM;
        if (!json_object_object_get_ex(o, "process", &process) ||
            !json_object_object_get_ex(o, "linux", &linux_o) ||
            !json_object_object_get_ex(linux_o, "resources", &res) ||
            !json_object_object_get_ex(linux_o, "namespaces", &ns)) {
                r = -EINVAL;
                goto out;
        }
        json_object_object_add(o, "ociVersion", jstr("1.2.0"));
        /* the CT's init, as start runs it; /bin/sh where the copy has none */
        const char *init = "/sbin/init";
        fd = open_in_root(rootfd, init, O_PATH);
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 0111))
                init = "/bin/sh";
        json_object *args = json_object_new_array();
        json_object_array_add(args, jstr(init));
        json_object_object_add(process, "args", args);
        json_object_object_add(process, "terminal", json_object_new_boolean(false));
        json_object_object_add(process, "noNewPrivileges",
                               json_object_new_boolean(c->cfg.no_new_privs == CT_YES));
        json_object_object_del(process, "rlimits"); /* a CT's init has the host's */
        if ((r = add_capabilities(c, process)) < 0)
                goto out;
        json_object *root = json_object_new_object();
        json_object_object_add(root, "path", jstr("rootfs"));
        json_object_object_add(root, "readonly", json_object_new_boolean(false));
        json_object_object_add(o, "root", root);
        if (c->cfg.hostname)
                json_object_object_add(o, "hostname", jstr(c->cfg.hostname));
        else
                json_object_object_del(o, "hostname");
        if ((r = add_resources(c, res)) < 0 || (r = add_seccomp(c, linux_o)) < 0)
                goto out;
        if (ct_userns(&c->cfg)) {
                json_object *u = json_object_new_object();
                json_object_object_add(u, "type", jstr("user"));
                json_object_array_add(ns, u);
                json_object_object_add(linux_o, "uidMappings", idmap(c->cfg.local_uid));
                json_object_object_add(linux_o, "gidMappings", idmap(c->cfg.local_gid));
        }
        char ctid[16];
        snprintf(ctid, sizeof(ctid), "%u", c->id);
        json_object *ann = json_object_new_object();
        json_object_object_add(ann, "org.vpsctl.ctid", jstr(ctid));
        json_object_object_add(o, "annotations", ann);
        const char *j =
                json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
        r = j && (*ret = strdup(j)) ? 0 : -ENOMEM;
out:
        json_object_put(o);
        return r;
}

int oci_spec_from_ct(ct *c, const char *bundle, bool force)
{
        _cleanup_close_ int bdfd = -EBADF, src = -EBADF, dst = -EBADF;
        _cleanup_free_ char *text = NULL;
        ct_status st;
        bool mounted_here = false, made = false;
        int r = ct_get_status(c, &st);
        if (r < 0)
                return log_error_errno(r, "Cannot read the status of CT %u: %m", c->id);
        if (st.running) {
                log_error("CT %u is running; stop it first: its root is copied whole, and not while it "
                          "changes",
                          c->id);
                return -EBUSY;
        }
        if ((r = mkdir_p_at(AT_FDCWD, bundle, 0755)) < 0 ||
            (bdfd = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
                return log_error_errno(r < 0 ? r : -errno, "Cannot make the bundle directory %s: %m",
                                       bundle);
        if (!force && (exists_at(bdfd, "config.json") || exists_at(bdfd, "rootfs"))) {
                log_error(
                        "%s holds a bundle already (config.json or rootfs); remove them, or give --force to "
                        "replace them",
                        bundle);
                return -EEXIST;
        }
        if (force && ((r = rm_rf_at(bdfd, "rootfs")) < 0 && r != -ENOENT))
                return log_error_errno(r, "Cannot remove %s/rootfs: %m", bundle);
        if (!st.mounted) {
                if ((r = ct_mount(c)) < 0)
                        return r;
                mounted_here = true;
        }
        if (mkdirat(bdfd, "rootfs", 0755) < 0) {
                r = log_error_errno(-errno, "Cannot create %s/rootfs: %m", bundle);
                goto out;
        }
        made = true;
        src = open(c->cfg.ve_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        dst = openat(bdfd, "rootfs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (src < 0 || dst < 0) {
                r = log_error_errno(-errno, "Cannot open the root of CT %u or %s/rootfs: %m", c->id, bundle);
                goto out;
        }
        log_info("Copying the root of CT %u into %s/rootfs", c->id, bundle);
        if ((r = tmpl_copy_tree(src, dst)) < 0) {
                log_error_errno(r, "Cannot copy the root of CT %u into %s/rootfs: %m", c->id, bundle);
                goto out;
        }
        if ((r = build_config(c, dst, &text)) < 0) {
                if (r != -EINVAL)
                        log_error_errno(r, "Cannot write the config.json of CT %u: %m", c->id);
                goto out;
        }
        if ((r = write_file_atomic_at(bdfd, "config.json", text, strlen(text), 0644)) < 0) {
                log_error_errno(r, "Cannot write %s/config.json: %m", bundle);
                goto out;
        }
        made = false;
out:
        if (made)
                (void)rm_rf_at(bdfd, "rootfs");
        if (mounted_here) {
                int k = ct_umount(c);
                if (k < 0 && r >= 0)
                        r = k;
        }
        return r;
}
