/* The OCI container's process, in the child of spawn_process(): joined namespaces, config.json's mounts,
 * /dev, pivot_root, masked and read-only paths, sysctls; then its confinement (rlimits, capability sets,
 * user, no_new_privs, seccomp) and the wait on exec.fifo until `start`. Errors as sentences naming the
 * field. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/macro.h"
#include "cgroups/cgroups.h"
#include "oci-internal.h"

static const struct {
        const char *name;
        bool clear;
        unsigned long flag;
} mount_flags[] = {
        { "ro", false, MS_RDONLY },
        { "rw", true, MS_RDONLY },
        { "nosuid", false, MS_NOSUID },
        { "suid", true, MS_NOSUID },
        { "nodev", false, MS_NODEV },
        { "dev", true, MS_NODEV },
        { "noexec", false, MS_NOEXEC },
        { "exec", true, MS_NOEXEC },
        { "sync", false, MS_SYNCHRONOUS },
        { "async", true, MS_SYNCHRONOUS },
        { "noatime", false, MS_NOATIME },
        { "atime", true, MS_NOATIME },
        { "relatime", false, MS_RELATIME },
        { "norelatime", true, MS_RELATIME },
        { "strictatime", false, MS_STRICTATIME },
        { "nodiratime", false, MS_NODIRATIME },
        { "diratime", true, MS_NODIRATIME },
        { "bind", false, MS_BIND },
        { "rbind", false, MS_BIND | MS_REC },
        { "private", false, MS_PRIVATE },
        { "rprivate", false, MS_PRIVATE | MS_REC },
        { "slave", false, MS_SLAVE },
        { "rslave", false, MS_SLAVE | MS_REC },
        { "shared", false, MS_SHARED },
        { "rshared", false, MS_SHARED | MS_REC },
        { "unbindable", false, MS_UNBINDABLE },
        { "runbindable", false, MS_UNBINDABLE | MS_REC },
        { "defaults", false, 0 },
};

const char *oci_mount_option_name(size_t i)
{
        return i < ELEMENTSOF(mount_flags) ? mount_flags[i].name : NULL;
}

#define PROPAGATION (MS_PRIVATE | MS_SLAVE | MS_SHARED | MS_UNBINDABLE)

/* A mount's options: flags (propagation apart) and the rest as data. -EINVAL for "idmap" and the like. */
int oci_mount_options(char *const *options, unsigned long *ret_flags, unsigned long *ret_prop, char *data,
                      size_t datalen, const char **ret_bad)
{
        unsigned long flags = 0, prop = 0;
        size_t n = 0;
        data[0] = 0;
        STRV_FOREACH (o, (char **)options) {
                bool known = false;
                for (size_t i = 0; i < ELEMENTSOF(mount_flags) && !known; i++)
                        if (streq(*o, mount_flags[i].name)) {
                                known = true;
                                if (mount_flags[i].flag & PROPAGATION)
                                        prop = mount_flags[i].flag;
                                else if (mount_flags[i].clear)
                                        flags &= ~mount_flags[i].flag;
                                else
                                        flags |= mount_flags[i].flag;
                        }
                if (known)
                        continue;
                if (streq(*o, "idmap") || streq(*o, "ridmap") || streq(*o, "tmpcopyup") ||
                    streq(*o, "copy-symlink") || streq(*o, "rro") || strncmp(*o, "x-", 2) == 0) {
                        *ret_bad = *o;
                        return -EINVAL;
                }
                int w = snprintf(data + n, datalen - n, "%s%s", n ? "," : "", *o);
                if (w < 0 || (size_t)w >= datalen - n) {
                        *ret_bad = *o;
                        return -E2BIG;
                }
                n += (size_t)w;
        }
        *ret_flags = flags;
        *ret_prop = prop;
        return 0;
}

static int mount_on_fd(const char *src, int fd, const char *type, unsigned long flags, const char *data)
{
        char target[64];
        snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
        return mount(src, target, type, flags, data) < 0 ? negative_errno() : 0;
}

/* Create dest (and its parents) inside the root, never through a symlink out of it: a directory, or a
 * file when the source is not one. Returns an O_PATH fd of it. */
static int make_target(int rootfd, const char *dest, bool dir)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s", dest);
        for (char *p = path + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = 0;
                _cleanup_close_ int fd = open_in_root(rootfd, path, O_PATH | O_DIRECTORY);
                if (fd < 0) {
                        /* missing: create it in its parent */
                        char *slash = strrchr(path, '/');
                        *slash = 0;
                        _cleanup_close_ int parent =
                                open_in_root(rootfd, *path ? path : "/", O_PATH | O_DIRECTORY);
                        *slash = '/';
                        if (parent < 0)
                                return parent;
                        if (mkdirat(parent, slash + 1, 0755) < 0 && errno != EEXIST)
                                return negative_errno();
                }
                *p = '/';
        }
        int fd = open_in_root(rootfd, path, O_PATH);
        if (fd >= 0 || fd != -ENOENT)
                return fd;
        char *slash = strrchr(path, '/');
        *slash = 0;
        _cleanup_close_ int parent = open_in_root(rootfd, *path ? path : "/", O_PATH | O_DIRECTORY);
        if (parent < 0)
                return parent;
        if (dir ? mkdirat(parent, slash + 1, 0755) < 0 && errno != EEXIST
                : mknodat(parent, slash + 1, S_IFREG | 0644, 0) < 0 && errno != EEXIST)
                return negative_errno();
        *slash = '/';
        return open_in_root(rootfd, path, O_PATH);
}

/* A mount of type "cgroup": the container's own cgroups (it is in its cgroup namespace already, if it has
 * one). cgroup2 where the host is v2; on a v1 or hybrid host, as runc does, a tmpfs holding each hierarchy
 * of /proc/self/cgroup (and cgroup2 as unified), the tmpfs made read-only last when flags say ro. */
static int mount_cgroups(int rootfd, const char *dest, int fd, unsigned long flags)
{
        cg_version v;
        int r = cg_detect(&v);
        if (r < 0)
                return r;
        if (v == CG_VERSION_V2)
                return mount_on_fd("cgroup", fd, "cgroup2", flags, NULL);
        r = mount_on_fd("tmpfs", fd, "tmpfs", flags & ~MS_RDONLY, "mode=755");
        if (r < 0)
                return r;
        _cleanup_close_ int top = open_in_root(rootfd, dest, O_PATH | O_DIRECTORY);
        if (top < 0)
                return top;
        _cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
        if (!f)
                return negative_errno();
        char line[512];
        while (fgets(line, sizeof(line), f)) {
                /* "N:controllers:/path"; N 0 with no controllers is cgroup2 */
                char *c = strchr(line, ':'), *e = c ? strchr(c + 1, ':') : NULL;
                if (!c || !e)
                        continue;
                *e = 0;
                const char *ctrl = c + 1, *name = *ctrl ? ctrl : "unified",
                           *type = *ctrl ? "cgroup" : "cgroup2";
                char opts[256];
                if (strncmp(ctrl, "name=", 5) == 0) {
                        name = ctrl + 5;
                        snprintf(opts, sizeof(opts), "none,%s", ctrl);
                } else
                        snprintf(opts, sizeof(opts), "%s", ctrl);
                if (mkdirat(top, name, 0755) < 0 && errno != EEXIST)
                        return negative_errno();
                _cleanup_close_ int sub = openat(top, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub < 0)
                        return negative_errno();
                r = mount_on_fd(type, sub, type, flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC),
                                *ctrl ? opts : NULL);
                if (r < 0)
                        return r;
        }
        if (!(flags & MS_RDONLY))
                return 0;
        _cleanup_close_ int again = open_in_root(rootfd, dest, O_PATH | O_DIRECTORY);
        return again < 0 ? again : mount_on_fd(NULL, again, NULL, MS_REMOUNT | MS_BIND | flags, NULL);
}

static int do_mount(const struct oci_child *x, int rootfd, size_t i, char *err, size_t errlen)
{
        const struct oci_mount *m = &x->spec->mounts[i];
        unsigned long flags, prop;
        const char *bad = NULL;
        char data[4096], src[4096];
        int r = oci_mount_options(m->options, &flags, &prop, data, sizeof(data), &bad);
        if (r < 0)
                return spawn_fail(err, errlen, -EINVAL,
                                  "mounts[%zu].options: \"%s\" is not supported by vpsctl", i, bad);
        bool bind = flags & MS_BIND || streq_ptr(m->type, "bind");
        /* a bind's relative source is the bundle's */
        if (bind && m->source && m->source[0] != '/')
                snprintf(src, sizeof(src), "%s/%s", x->bundle, m->source);
        else
                snprintf(src, sizeof(src), "%s", m->source ? m->source : "none");
        struct stat st;
        bool dir = !bind || (stat(src, &st) >= 0 && S_ISDIR(st.st_mode));
        _cleanup_close_ int fd = make_target(rootfd, m->destination, dir);
        if (fd < 0)
                return spawn_fail(err, errlen, fd, "mounts[%zu]: cannot create %s in the root", i,
                                  m->destination);
        if (bind) {
                r = mount_on_fd(src, fd, NULL, MS_BIND | (flags & MS_REC), NULL);
                if (r >= 0 && (flags & ~(MS_BIND | MS_REC))) {
                        /* the bind's flags take a remount of the new mount (reopened: fd is below it) */
                        _cleanup_close_ int top = open_in_root(rootfd, m->destination, O_PATH);
                        r = top < 0 ? top
                                    : mount_on_fd(NULL, top, NULL, MS_BIND | MS_REMOUNT | (flags & ~MS_REC),
                                                  NULL);
                }
        } else if (streq_ptr(m->type, "cgroup"))
                r = mount_cgroups(rootfd, m->destination, fd, flags);
        else
                r = mount_on_fd(src, fd, m->type, flags, *data ? data : NULL);
        if (r < 0)
                return spawn_fail(err, errlen, r, "mounts[%zu]: cannot mount %s on %s", i, src,
                                  m->destination);
        if (prop) {
                _cleanup_close_ int top = open_in_root(rootfd, m->destination, O_PATH);
                if (top < 0 || (r = mount_on_fd(NULL, top, NULL, prop, NULL)) < 0)
                        return spawn_fail(err, errlen, top < 0 ? top : r,
                                          "mounts[%zu]: cannot set the propagation of %s", i,
                                          m->destination);
        }
        return 0;
}

/* /dev on a tmpfs of the config's: the runtime-spec's default devices (bound from the host's, which works
 * in a user namespace too), its symlinks, and /dev/console for a terminal. */
static int populate_dev(int rootfd, char *err, size_t errlen)
{
        static const char *const devs[] = { "null", "zero", "full", "random", "urandom", "tty" };
        static const struct {
                const char *name, *to;
        } links[] = {
                { "fd", "/proc/self/fd" },       { "stdin", "/proc/self/fd/0" },
                { "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
                { "ptmx", "pts/ptmx" },          { "core", "/proc/kcore" },
        };
        _cleanup_close_ int dev = open_in_root(rootfd, "/dev", O_PATH | O_DIRECTORY);
        if (dev < 0)
                return spawn_fail(err, errlen, dev, "Cannot open /dev in the root");
        for (size_t i = 0; i < ELEMENTSOF(devs); i++) {
                char host[32];
                snprintf(host, sizeof(host), "/dev/%s", devs[i]);
                if (mknodat(dev, devs[i], S_IFREG | 0666, 0) < 0 && errno != EEXIST)
                        return spawn_fail(err, errlen, -errno, "Cannot create /dev/%s", devs[i]);
                _cleanup_close_ int fd = openat(dev, devs[i], O_PATH | O_NOFOLLOW | O_CLOEXEC);
                int r = fd < 0 ? -errno : mount_on_fd(host, fd, NULL, MS_BIND, NULL);
                if (r < 0)
                        return spawn_fail(err, errlen, r, "Cannot bind %s into the container", host);
        }
        for (size_t i = 0; i < ELEMENTSOF(links); i++)
                if (symlinkat(links[i].to, dev, links[i].name) < 0 && errno != EEXIST)
                        return spawn_fail(err, errlen, -errno, "Cannot create /dev/%s", links[i].name);
        if (mknodat(dev, "console", S_IFREG | 0600, 0) < 0 && errno != EEXIST)
                return spawn_fail(err, errlen, -errno, "Cannot create /dev/console");
        return 0;
}

static int join_namespaces(const struct oci_spec *s, char *err, size_t errlen)
{
        for (size_t i = 0; i < s->n_namespaces; i++) {
                const struct oci_namespace *ns = &s->namespaces[i];
                if (!ns->path)
                        continue;
                _cleanup_close_ int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
                if (fd < 0 || setns(fd, ns->type) < 0)
                        return spawn_fail(err, errlen, -errno, "linux.namespaces[%zu]: cannot join %s", i,
                                          ns->path);
        }
        return 0;
}

static int write_sysctls(const struct oci_spec *s, char *err, size_t errlen)
{
        for (size_t i = 0; i < s->n_sysctl; i++) {
                char path[512];
                int n = snprintf(path, sizeof(path), "/proc/sys/%s", s->sysctl[i].key);
                if (n < 0 || (size_t)n >= sizeof(path) || strstr(s->sysctl[i].key, ".."))
                        return spawn_fail(err, errlen, -EINVAL, "linux.sysctl: bad name \"%s\"",
                                          s->sysctl[i].key);
                for (char *p = path + 10; *p; p++)
                        if (*p == '.')
                                *p = '/';
                int r = write_string_at(AT_FDCWD, path, s->sysctl[i].value);
                if (r < 0)
                        return spawn_fail(err, errlen, r, "linux.sysctl: cannot set %s", s->sysctl[i].key);
        }
        return 0;
}

static int mask_paths(const struct oci_spec *s, char *err, size_t errlen)
{
        STRV_FOREACH (p, s->masked_paths) {
                struct stat st;
                if (lstat(*p, &st) < 0) {
                        if (errno == ENOENT)
                                continue;
                        return spawn_fail(err, errlen, -errno, "linux.maskedPaths: %s", *p);
                }
                int r = S_ISDIR(st.st_mode) ? mount("tmpfs", *p, "tmpfs", MS_RDONLY, "size=0")
                                            : mount("/dev/null", *p, NULL, MS_BIND, NULL);
                if (r < 0)
                        return spawn_fail(err, errlen, -errno, "linux.maskedPaths: cannot mask %s", *p);
        }
        STRV_FOREACH (p, s->readonly_paths) {
                struct statvfs sv;
                if (mount(*p, *p, NULL, MS_BIND | MS_REC, NULL) < 0) {
                        if (errno == ENOENT)
                                continue;
                        return spawn_fail(err, errlen, -errno, "linux.readonlyPaths: %s", *p);
                }
                unsigned long keep = 0;
                if (statvfs(*p, &sv) >= 0)
                        keep = sv.f_flag & (ST_NOSUID | ST_NODEV | ST_NOEXEC);
                if (mount(NULL, *p, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | keep, NULL) < 0)
                        return spawn_fail(err, errlen, -errno,
                                          "linux.readonlyPaths: cannot make %s read-only", *p);
        }
        return 0;
}

/* The process's pid in the runtime's pid namespace, for the hooks' state: read from the host's /proc while
 * it is still there (before pivot_root). */
static pid_t host_pid;

/* A hook run by the container's process: its state, then the hooks of kind k. */
static int child_hooks(const struct oci_child *x, enum oci_hook_kind k, const char *status, char *err,
                       size_t errlen)
{
        _cleanup_free_ char *state = NULL;
        if (!x->spec->n_hooks[k])
                return 0;
        int r = oci_state_build(x->id, status, host_pid, x->bundle, x->spec, &state);
        if (r < 0)
                return spawn_fail(err, errlen, r, "Cannot write the state for hooks.%s", oci_hook_names[k]);
        return oci_hooks_run(x->spec, k, state, NULL, err, errlen);
}

int oci_child_root(const struct spawn_proc *sp, char *err, size_t errlen)
{
        const struct oci_child *x = (const struct oci_child *)sp;
        const struct oci_spec *s = x->spec;
        int r = join_namespaces(s, err, errlen);
        if (r < 0)
                return r;

        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return spawn_fail(err, errlen, -errno, "Cannot make the mounts private");
        if (mount(x->rootfs, x->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
                return spawn_fail(err, errlen, -errno, "root.path: cannot bind %s", x->rootfs);
        _cleanup_close_ int rootfd = open(x->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return spawn_fail(err, errlen, -errno, "root.path: cannot open %s", x->rootfs);
        bool dev_tmpfs = false;
        for (size_t i = 0; i < s->n_mounts; i++) {
                if ((r = do_mount(x, rootfd, i, err, errlen)) < 0)
                        return r;
                if (streq(s->mounts[i].destination, "/dev") && streq_ptr(s->mounts[i].type, "tmpfs"))
                        dev_tmpfs = true;
        }
        if (dev_tmpfs && (r = populate_dev(rootfd, err, errlen)) < 0)
                return r;
        char self[32];
        ssize_t n = readlink("/proc/self", self, sizeof(self) - 1);
        if (n > 0) {
                self[n] = 0;
                host_pid = (pid_t)atoi(self);
        }
        /* in the container's namespaces, its root mounted, before pivot_root: the hook's path is the
         * host's (the runtime namespace's), as the runtime-spec says */
        if ((r = child_hooks(x, OCI_HOOK_CREATE_CONTAINER, "creating", err, errlen)) < 0)
                return r;

        if (fchdir(rootfd) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 ||
            chdir("/") < 0)
                return spawn_fail(err, errlen, -errno, "Cannot pivot into %s", x->rootfs);
        if ((r = write_sysctls(s, err, errlen)) < 0 || (r = mask_paths(s, err, errlen)) < 0)
                return r;
        if (s->root_readonly) {
                struct statvfs sv;
                unsigned long keep =
                        statvfs("/", &sv) >= 0 ? sv.f_flag & (ST_NOSUID | ST_NODEV | ST_NOEXEC) : 0;
                if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | keep, NULL) < 0)
                        return spawn_fail(err, errlen, -errno, "root.readonly: cannot make / read-only");
        }
        if (s->rootfs_propagation) {
                unsigned long flags = 0, prop = 0;
                char data[8];
                const char *bad;
                char *opt[] = { s->rootfs_propagation, NULL };
                (void)oci_mount_options(opt, &flags, &prop, data, sizeof(data), &bad);
                if (mount(NULL, "/", NULL, prop, NULL) < 0)
                        return spawn_fail(err, errlen, -errno, "linux.rootfsPropagation");
        }
        return 0;
}

static int load_seccomp(const struct oci_child *x, char *err, size_t errlen)
{
        struct sock_fprog prog = { .len = (unsigned short)x->bpf_len,
                                   .filter = (struct sock_filter *)x->bpf };
        unsigned flags = 0;
        if (x->spec->seccomp->flag_log)
                flags |= SECCOMP_FILTER_FLAG_LOG;
        if (x->spec->seccomp->flag_spec_allow)
                flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog) < 0)
                return spawn_fail(err, errlen, -errno, "linux.seccomp: cannot load the filter");
        return 0;
}

int oci_child_confine(const struct spawn_proc *sp, char *err, size_t errlen)
{
        const struct oci_child *x = (const struct oci_child *)sp;
        const struct oci_spec *s = x->spec;
        int r;

        if (s->process.oom_score_adj.set) {
                char v[16];
                snprintf(v, sizeof(v), "%d", (int)s->process.oom_score_adj.v);
                if ((r = write_string_at(AT_FDCWD, "/proc/self/oom_score_adj", v)) < 0)
                        return spawn_fail(err, errlen, r, "process.oomScoreAdj");
        }
        for (size_t i = 0; i < s->process.n_rlimits; i++) {
                struct rlimit rl = { .rlim_cur = s->process.rlimits[i].soft,
                                     .rlim_max = s->process.rlimits[i].hard };
                if (setrlimit(s->process.rlimits[i].resource, &rl) < 0)
                        return spawn_fail(err, errlen, -errno, "process.rlimits[%zu]", i);
        }
        /* without no_new_privs only CAP_SYS_ADMIN may load a filter: now, before the user changes */
        if (x->bpf && !s->process.no_new_privileges && (r = load_seccomp(x, err, errlen)) < 0)
                return r;
        for (cap_value_t v = 0; v <= (cap_value_t)cap_max_bits() - 1 && v < 64; v++)
                if (!(s->process.caps[0] & (1ULL << v)) && prctl(PR_CAPBSET_DROP, v, 0, 0, 0) < 0 &&
                    errno != EINVAL)
                        return spawn_fail(err, errlen, -errno, "process.capabilities.bounding");
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 ||
            setgroups(s->process.n_additional_gids, s->process.additional_gids) < 0 ||
            setresgid(s->process.gid, s->process.gid, s->process.gid) < 0 ||
            setresuid(s->process.uid, s->process.uid, s->process.uid) < 0 ||
            prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
                return spawn_fail(err, errlen, -errno, "process.user: cannot become %u:%u", s->process.uid,
                                  s->process.gid);
        cap_t caps = cap_init();
        if (!caps)
                return -ENOMEM;
        static const cap_flag_t sets[] = { CAP_EFFECTIVE, CAP_INHERITABLE, CAP_PERMITTED };
        static const int set_index[] = { 1, 2, 3 };
        for (size_t k = 0; k < ELEMENTSOF(sets); k++)
                for (cap_value_t v = 0; v < 64; v++)
                        if (s->process.caps[set_index[k]] & (1ULL << v) && CAP_IS_SUPPORTED(v))
                                (void)cap_set_flag(caps, sets[k], 1, &v, CAP_SET);
        r = cap_set_proc(caps) < 0 ? -errno : 0;
        cap_free(caps);
        if (r < 0)
                return spawn_fail(err, errlen, r, "process.capabilities");
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
                return spawn_fail(err, errlen, -errno, "process.capabilities.ambient");
        for (cap_value_t v = 0; v < 64; v++)
                if (s->process.caps[4] & (1ULL << v) && CAP_IS_SUPPORTED(v) &&
                    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, v, 0, 0) < 0)
                        return spawn_fail(err, errlen, -errno, "process.capabilities.ambient");
        if (s->process.no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return spawn_fail(err, errlen, -errno, "process.noNewPrivileges");
        umask(s->process.umask.set ? (mode_t)s->process.umask.v : 0022);
        if (chdir(s->process.cwd) < 0)
                return spawn_fail(err, errlen, -errno, "process.cwd: %s", s->process.cwd);
        if (x->bpf && s->process.no_new_privileges && (r = load_seccomp(x, err, errlen)) < 0)
                return r;
        return 0;
}

/* Close every fd from 3 up but a and b. */
static int close_all_but(int a, int b)
{
        int lo = MIN(a, b), hi = MAX(a, b);
        if (lo < 0)
                lo = hi;
        if ((lo > 3 && syscall(SYS_close_range, 3U, (unsigned)lo - 1, 0U) < 0) ||
            (hi > lo + 1 && syscall(SYS_close_range, (unsigned)lo + 1, (unsigned)hi - 1, 0U) < 0) ||
            syscall(SYS_close_range, (unsigned)hi + 1, ~0U, 0U) < 0)
                return -errno;
        return 0;
}

int oci_child_wait(const struct spawn_proc *sp)
{
        const struct oci_child *x = (const struct oci_child *)sp;
        int fd = x->fifo_fd;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        char c;
        /* Nothing of vpsctl's is held while the process waits: the state directory's lock (the verbs that
         * follow take it), the cgroup's and the bundle's fds. Only the fifos stay. */
        if (close_all_but(fd, x->started_fd) < 0)
                return -errno;
        /* no writer has come yet: poll sleeps until `start` opens the fifo and writes */
        while (poll(&p, 1, -1) < 0)
                if (errno != EINTR)
                        return -errno;
        if (read(fd, &c, 1) != 1)
                return -EIO; /* the writer left without a word: not a start */
        close(fd);
        char err[512];
        if (child_hooks(x, OCI_HOOK_START_CONTAINER, "created", err, sizeof(err)) < 0) {
                /* `start` waits on start.fifo and fails with it; the container's stderr has it too */
                dprintf(STDERR_FILENO, "vpsctl: container %s: %s\n", x->id, err);
                (void)!write(x->started_fd, err, strlen(err));
                return -ENOTRECOVERABLE;
        }
        /* start.fifo (close-on-exec) closes at the exec: `start` reads EOF, nothing written, all passed */
        return 0;
}
