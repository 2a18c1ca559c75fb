/* The OCI runtime's verbs on the engine: create (config.json checked whole, then the state directory, the
 * cgroup and its limits, the process spawned through spawn_process() and left waiting on exec.fifo), start,
 * state, kill, delete. No daemon: the state of a container is its directory under --root and the facts
 * (its process alive with the recorded start time, the fifo still there). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fdpass.h"
#include "base/fileio.h"
#include "base/log.h"
#include "oci-internal.h"

#define OCI_CGROUP_PARENT "vpsctl-oci"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

int oci_write_default_spec(const char *bundle)
{
        _cleanup_close_ int dfd = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return log_error_errno(-errno, "Cannot open the bundle directory %s: %m", bundle);
        if (exists_at(dfd, "config.json")) {
                log_error("%s/config.json exists; remove it first", bundle);
                return -EEXIST;
        }
        int r = write_file_atomic_at(dfd, "config.json", oci_spec_default_json,
                                     strlen(oci_spec_default_json), 0644);
        if (r < 0)
                return log_error_errno(r, "Cannot write %s/config.json: %m", bundle);
        return 0;
}

static bool valid_id(const char *id)
{
        size_t n = strlen(id);
        if (n == 0 || n > 128 || !isalnum((unsigned char)id[0]))
                return false;
        return strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

static int check_id(const char *id)
{
        if (valid_id(id))
                return 0;
        log_error("\"%s\" is not a container id: 1 to 128 letters, digits, '_', '.', '-', starting with a "
                  "letter or digit",
                  id);
        return -EINVAL;
}

/* linux.resources that the cgroup layer cannot take: refused, naming the field. */
static int check_resources(const struct oci_spec *s)
{
        /* cg_limits has one disk */
        int64_t major = -1, minor = -1;
        for (size_t t = 0; t < 4; t++)
                for (size_t i = 0; i < s->resources.n_blkio_throttle[t]; i++) {
                        const struct oci_blkio_device *d = &s->resources.blkio_throttle[t][i];
                        if ((major >= 0 && (d->major != major || d->minor != minor)) ||
                            s->resources.n_blkio_throttle[t] > 1) {
                                log_error(
                                        "config.json: linux.resources.blockIO: vpsctl throttles one device");
                                return -EINVAL;
                        }
                        major = d->major;
                        minor = d->minor;
                }
        if (s->resources.n_blkio_weight_device) {
                log_error(
                        "config.json: linux.resources.blockIO.weightDevice is not supported by vpsctl yet");
                return -EINVAL;
        }
        return 0;
}

/* What config.json asks that this version parses but does not apply: refused, naming the field. */
static int check_applicable(const struct oci_spec *s, const char *console_socket)
{
        unsigned long seen = 0;
        for (size_t i = 0; i < s->n_namespaces; i++) {
                int t = s->namespaces[i].type;
                seen |= (unsigned long)t;
                if (s->namespaces[i].path && t != CLONE_NEWNET && t != CLONE_NEWIPC && t != CLONE_NEWUTS) {
                        log_error("config.json: linux.namespaces[%zu].path: vpsctl joins only network, ipc "
                                  "and uts "
                                  "namespaces",
                                  i);
                        return -EINVAL;
                }
        }
        if (!(seen & CLONE_NEWNS)) {
                log_error("config.json: linux.namespaces: vpsctl needs a mount namespace");
                return -EINVAL;
        }
        if (!!(seen & CLONE_NEWUSER) != (s->n_uid_mappings && s->n_gid_mappings)) {
                log_error("config.json: linux.uidMappings and gidMappings go with a user namespace, and it "
                          "with them");
                return -EINVAL;
        }
        /* the kernel raises an ambient capability only if it is permitted and inheritable */
        uint64_t lost = s->process.caps[4] & ~(s->process.caps[2] & s->process.caps[3]);
        if (lost) {
                char *name = cap_to_name((cap_value_t)__builtin_ctzll(lost));
                log_error("config.json: process.capabilities.ambient: %s is not both permitted and "
                          "inheritable; "
                          "add it to both sets or remove it from ambient",
                          name ? name : "a capability");
                cap_free(name);
                return -EINVAL;
        }
        if (s->process.terminal && !console_socket) {
                log_error("config.json: process.terminal needs --console-socket");
                return -EINVAL;
        }
        if (!s->process.terminal && console_socket) {
                log_error("--console-socket is for a process.terminal; config.json has none");
                return -EINVAL;
        }
        if (s->cgroups_path && strchr(s->cgroups_path, ':')) {
                log_error("config.json: linux.cgroupsPath \"%s\" is systemd's form; vpsctl manages cgroupfs "
                          "paths only",
                          s->cgroups_path);
                return -EINVAL;
        }
        if (s->cgroups_path && strstr(s->cgroups_path, "..")) {
                log_error("config.json: linux.cgroupsPath must not climb with \"..\"");
                return -EINVAL;
        }
        return check_resources(s);
}

static void build_limits(const struct oci_spec *s, cg_limits *l)
{
        cg_limits_init(l);
        if (s->resources.memory_limit.set)
                l->mem_max = s->resources.memory_limit.v < 0 ? CG_UNLIMITED
                                                             : (uint64_t)s->resources.memory_limit.v;
        if (s->resources.memory_swap.set) {
                /* the spec's swap is memory + swap */
                int64_t sw = s->resources.memory_swap.v, mem = s->resources.memory_limit.v;
                if (sw < 0 || !s->resources.memory_limit.set || mem < 0)
                        l->swap_max = CG_UNLIMITED;
                else
                        l->swap_max = sw > mem ? (uint64_t)(sw - mem) : 0;
        }
        if (s->resources.cpu_shares.set) /* the kernel's shares -> weight mapping */
                l->cpu_weight = 1 + ((uint64_t)(s->resources.cpu_shares.v - 2) * 9999) / 262142;
        if (s->resources.cpu_quota.set)
                l->cpu_quota_us =
                        s->resources.cpu_quota.v < 0 ? CG_UNLIMITED : (uint64_t)s->resources.cpu_quota.v;
        if (s->resources.cpu_period.set)
                l->cpu_period_us = (uint64_t)s->resources.cpu_period.v;
        if (s->resources.cpu_quota.set && !s->resources.cpu_period.set)
                l->cpu_period_us = 100000;
        if (s->resources.cpu_cpus)
                l->cpuset = s->resources.cpu_cpus;
        if (s->resources.pids_limit.set)
                l->pids_max =
                        s->resources.pids_limit.v <= 0 ? CG_UNLIMITED : (uint64_t)s->resources.pids_limit.v;
        if (s->resources.blkio_weight.set)
                l->io_weight = (uint64_t)s->resources.blkio_weight.v;
        uint64_t *io[4] = { &l->io_rbps, &l->io_wbps, &l->io_riops, &l->io_wiops };
        for (size_t t = 0; t < 4; t++)
                if (s->resources.n_blkio_throttle[t]) {
                        l->io_major = (unsigned)s->resources.blkio_throttle[t][0].major;
                        l->io_minor = (unsigned)s->resources.blkio_throttle[t][0].minor;
                        *io[t] = s->resources.blkio_throttle[t][0].rate;
                }
}

/* linux.resources.devices, then the devices the runtime-spec makes every container have (null, zero, full,
 * random, urandom, tty, ptmx, the pts), as runc appends them: on a default of deny. */
static int apply_devices(const struct oci_spec *s, cg_ct *cg)
{
        static const cg_device_rule defaults[] = {
                { 'c', 1, 3, CG_DEV_READ | CG_DEV_WRITE | CG_DEV_MKNOD, true },
                { 'c', 1, 5, CG_DEV_READ | CG_DEV_WRITE | CG_DEV_MKNOD, true },
                { 'c', 1, 7, CG_DEV_READ | CG_DEV_WRITE | CG_DEV_MKNOD, true },
                { 'c', 1, 8, CG_DEV_READ | CG_DEV_WRITE | CG_DEV_MKNOD, true },
                { 'c', 1, 9, CG_DEV_READ | CG_DEV_WRITE | CG_DEV_MKNOD, true },
                { 'c', 5, 0, CG_DEV_READ | CG_DEV_WRITE | CG_DEV_MKNOD, true },
                { 'c', 5, 2, CG_DEV_READ | CG_DEV_WRITE | CG_DEV_MKNOD, true },
                { 'c', 136, -1, CG_DEV_READ | CG_DEV_WRITE | CG_DEV_MKNOD, true },
        };
        _cleanup_free_ cg_device_rule *rules =
                calloc(s->resources.n_devices + ELEMENTSOF(defaults), sizeof(cg_device_rule));
        size_t n = 0;
        if (!rules)
                return -ENOMEM;
        /* cg_ct_set_devices() denies by default: a leading deny-all rule is that default */
        for (size_t i = 0; i < s->resources.n_devices; i++) {
                const struct oci_device_rule *d = &s->resources.devices[i];
                if (!d->allow && d->type == 'a' && d->major < 0 && d->minor < 0 && n == 0)
                        continue;
                rules[n++] = (cg_device_rule){ .type = d->type,
                                               .major = (int)d->major,
                                               .minor = (int)d->minor,
                                               .allow = d->allow,
                                               .access = (strchr(d->access, 'r') ? CG_DEV_READ : 0) |
                                                         (strchr(d->access, 'w') ? CG_DEV_WRITE : 0) |
                                                         (strchr(d->access, 'm') ? CG_DEV_MKNOD : 0) };
        }
        memcpy(rules + n, defaults, sizeof(defaults));
        return cg_ct_set_devices(cg, rules, n + ELEMENTSOF(defaults));
}

/* cgroupsPath "/a/b/c" -> parent "a/b", name "c"; none -> vpsctl-oci/ID */
static int cgroup_names(const struct oci_spec *s, const char *id, char **ret_parent, char **ret_name)
{
        if (!s->cgroups_path || !*s->cgroups_path) {
                *ret_parent = strdup(OCI_CGROUP_PARENT);
                *ret_name = strdup(id);
        } else {
                const char *p = s->cgroups_path;
                while (*p == '/')
                        p++;
                const char *slash = strrchr(p, '/');
                if (!slash || slash == p || !slash[1]) {
                        *ret_parent = strdup(OCI_CGROUP_PARENT);
                        *ret_name = strndup(p, slash && !slash[1] ? (size_t)(slash - p) : strlen(p));
                } else {
                        *ret_parent = strndup(p, (size_t)(slash - p));
                        *ret_name = strdup(slash + 1);
                }
        }
        return *ret_parent && *ret_name && **ret_name ? 0 : -EINVAL;
}

static int write_maps(pid_t pid, const char *file, const struct oci_idmap *m, size_t n)
{
        char path[64], buf[340 * 36] = "";
        size_t len = 0;
        for (size_t i = 0; i < n; i++)
                len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%u %u %u\n", m[i].container_id,
                                        m[i].host_id, m[i].size);
        snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
        return write_string_at(AT_FDCWD, path, buf);
}

static int oci_created(const struct spawn_proc *sp, pid_t pid)
{
        const struct oci_child *x = (const struct oci_child *)sp;
        const struct oci_spec *s = x->spec;
        unsigned long long start;
        char state[256];
        int r;
        if (s->n_uid_mappings && ((r = write_maps(pid, "uid_map", s->uid_mappings, s->n_uid_mappings)) < 0 ||
                                  (r = write_maps(pid, "gid_map", s->gid_mappings, s->n_gid_mappings)) < 0))
                return log_error_errno(
                        r, "Cannot write the id maps of %s (linux.uidMappings, gidMappings): %m", sp->what);
        if ((r = proc_start_time(pid, &start, NULL)) < 0)
                return log_error_errno(r, "Cannot read the start time of %s's process: %m", sp->what);
        snprintf(state, sizeof(state), "PID=%d\nSTART=%llu\n", (int)pid, start);
        r = write_file_atomic_at(x->state_dfd, "state", state, strlen(state), 0600);
        if (r < 0)
                return log_error_errno(r, "Cannot record the state of %s: %m", sp->what);
        /* the namespaces exist (and their id maps), the process waits: prestart (deprecated) and
         * createRuntime, in the runtime's namespaces; a failure is create's */
        if (!s->n_hooks[OCI_HOOK_PRESTART] && !s->n_hooks[OCI_HOOK_CREATE_RUNTIME])
                return 0;
        _cleanup_free_ char *json = NULL;
        char err[512];
        if ((r = oci_state_build(x->id, "creating", pid, x->bundle, s, &json)) < 0)
                return log_error_errno(r, "Cannot write the state of %s for its hooks: %m", sp->what);
        if ((r = oci_hooks_run(s, OCI_HOOK_PRESTART, json, NULL, err, sizeof(err))) < 0 ||
            (r = oci_hooks_run(s, OCI_HOOK_CREATE_RUNTIME, json, NULL, err, sizeof(err))) < 0) {
                log_error("Cannot create %s: %s", sp->what, err);
                return r;
        }
        return 0;
}

/* The state of the container of directory dfd for its hooks, and the hooks of kind k run as warnings
 * (poststart, poststop: their failures do not fail the verb). */
static void run_hooks_warn(int dfd, const char *id, const struct oci_spec *s, enum oci_hook_kind k,
                           const char *status, pid_t pid)
{
        _cleanup_free_ char *bundle = NULL, *json = NULL;
        char err[512];
        if (!s->n_hooks[k])
                return;
        int r = read_one_line_at(dfd, "bundle", &bundle);
        if (r >= 0)
                r = oci_state_build(id, status, pid, bundle, s, &json);
        if (r < 0) {
                log_warning_errno(r, "Container %s: cannot write the state for hooks.%s: %m, ignoring", id,
                                  oci_hook_names[k]);
                return;
        }
        (void)oci_hooks_run(s, k, json, id, err, sizeof(err));
}

/* The config.json copied into the state directory at create (NULL if unreadable: its hooks are not run). */
static struct oci_spec *read_state_spec(int dfd)
{
        _cleanup_free_ char *text = NULL;
        struct oci_spec *s = NULL;
        char err[256];
        size_t len;
        if (read_full_file_at(dfd, "config.json", &text, &len) < 0 ||
            oci_spec_parse(text, len, &s, err, sizeof(err)) < 0)
                return NULL;
        return s;
}

static void oci_abandoned(const struct spawn_proc *sp)
{
        const struct oci_child *x = (const struct oci_child *)sp;
        (void)unlinkat(x->state_dfd, "state", 0);
}

/* A connection to --console-socket PATH. */
static int connect_console(const char *path)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        memcpy(sa.sun_path, path, strlen(path));
        _cleanup_close_ int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return negative_errno();
        return TAKE_FD(s);
}

static int send_console(const char *path, int master)
{
        _cleanup_close_ int s = connect_console(path);
        return s < 0 ? s : fd_send(s, master);
}

/* A container's state directory: open and locked (flock, released when the fd closes). */
static int open_state(const char *root, const char *id, int *ret)
{
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/%s", root, id);
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
                if (errno == ENOENT) {
                        log_error("No container \"%s\" under %s", id, root);
                        return -ENOENT;
                }
                return log_error_errno(-errno, "Cannot open %s: %m", path);
        }
        if (flock(fd, LOCK_EX) < 0) {
                int r = log_error_errno(-errno, "Cannot lock %s: %m", path);
                close(fd);
                return r;
        }
        *ret = fd;
        return 0;
}

static void remove_state(const char *root, const char *id)
{
        _cleanup_close_ int rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rfd >= 0)
                (void)rm_rf_at(rfd, id);
}

static int open_cgroup(int dfd, bool create, const char *parent_in, const char *name_in, cg_ct **ret)
{
        _cleanup_free_ char *rec = NULL;
        if (!parent_in) {
                if (read_one_line_at(dfd, "cgroup", &rec) < 0)
                        return -ENOENT;
                char *nl = strrchr(rec, '/');
                if (!nl)
                        return -EINVAL;
                *nl = 0;
                return cg_ct_open(rec, nl + 1, create, ret);
        }
        return cg_ct_open(parent_in, name_in, create, ret);
}

int oci_create(const char *root, const char *id, const char *bundle_arg, const char *pid_file,
               const char *console_socket)
{
        _cleanup_free_ char *bundle = NULL, *text = NULL, *rootfs = NULL, *cg_parent = NULL, *cg_name = NULL;
        _cleanup_free_ void *bpf = NULL;
        _cleanup_close_ int bdfd = -EBADF, rfd = -EBADF, dfd = -EBADF, master = -EBADF, fifo_fd = -EBADF,
                            started_fd = -EBADF;
        _cleanup_cg_ct_ cg_ct *cg = NULL;
        struct oci_spec *s = NULL;
        size_t len = 0, bpf_len = 0;
        char err[512], what[160];
        bool made = false, spawned = false;
        int r;

        if ((r = check_id(id)) < 0)
                return r;
        if (!(bundle = realpath(bundle_arg, NULL)))
                return log_error_errno(-errno, "Cannot find the bundle %s: %m", bundle_arg);
        bdfd = open(bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (bdfd < 0 || (r = read_full_file_at(bdfd, "config.json", &text, &len)) < 0)
                return log_error_errno(bdfd < 0 ? -errno : r, "Cannot read %s/config.json: %m", bundle);
        /* checked whole before anything is made: a refused config leaves nothing behind */
        r = oci_spec_parse(text, len, &s, err, sizeof(err));
        if (r < 0) {
                if (r == -EINVAL)
                        log_error("%s/config.json: %s", bundle, err);
                else
                        log_error_errno(r, "Cannot parse %s/config.json: %m", bundle);
                return r;
        }
        if ((r = check_applicable(s, console_socket)) < 0)
                goto out;
        if (s->root_path[0] == '/')
                rootfs = realpath(s->root_path, NULL);
        else if (asprintf(&rootfs, "%s/%s", bundle, s->root_path) >= 0) {
                char *abs = realpath(rootfs, NULL);
                free(rootfs);
                rootfs = abs;
        }
        if (!rootfs) {
                r = log_error_errno(-errno, "config.json: root.path %s: %m", s->root_path);
                goto out;
        }
        if ((r = cgroup_names(s, id, &cg_parent, &cg_name)) < 0) {
                log_error("config.json: linux.cgroupsPath \"%s\" names no cgroup",
                          strempty(s->cgroups_path));
                goto out;
        }
        if (s->seccomp && (r = oci_seccomp_build(s->seccomp, &bpf, &bpf_len, err, sizeof(err))) < 0) {
                log_error("config.json: %s", err);
                goto out;
        }

        if ((r = mkdir_p_at(AT_FDCWD, root, 0700)) < 0 ||
            (rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
                r = log_error_errno(r < 0 ? r : -errno, "Cannot create the state directory %s: %m", root);
                goto out;
        }
        if (mkdirat(rfd, id, 0700) < 0) {
                r = -errno;
                if (r == -EEXIST)
                        log_error("A container \"%s\" exists already under %s", id, root);
                else
                        log_error_errno(r, "Cannot create %s/%s: %m", root, id);
                goto out;
        }
        made = true;
        dfd = openat(rfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 || flock(dfd, LOCK_EX) < 0) {
                r = log_error_errno(-errno, "Cannot lock %s/%s: %m", root, id);
                goto out;
        }
        char cgrec[PATH_MAX + 2];
        snprintf(cgrec, sizeof(cgrec), "%s/%s\n", cg_parent, cg_name);
        if ((r = write_file_atomic_at(dfd, "config.json", text, len, 0600)) < 0 ||
            (r = write_file_atomic_at(dfd, "bundle", bundle, strlen(bundle), 0600)) < 0 ||
            (r = write_file_atomic_at(dfd, "cgroup", cgrec, strlen(cgrec), 0600)) < 0 ||
            (mkfifoat(dfd, "exec.fifo", 0600) < 0 && (r = -errno) < 0)) {
                log_error_errno(r, "Cannot write the state of container %s under %s: %m", id, root);
                goto out;
        }
        r = cg_ct_open(cg_parent, cg_name, true, &cg);
        if (r < 0) {
                log_error_errno(r, "Cannot create the cgroup %s/%s of container %s: %m", cg_parent, cg_name,
                                id);
                goto out;
        }
        cg_limits l;
        const char *what_missing = NULL;
        build_limits(s, &l);
        if ((r = cg_ct_set_limits(cg, &l, &what_missing)) < 0) {
                log_error_errno(r, "Cannot apply linux.resources to the cgroup of container %s%s%s: %m", id,
                                what_missing ? ": no " : "", strempty(what_missing));
                goto out;
        }
        if ((r = apply_devices(s, cg)) < 0) {
                log_error_errno(r, "Cannot apply linux.resources.devices to container %s: %m", id);
                goto out;
        }

        unsigned long long flags = 0;
        bool cgroupns = false;
        for (size_t i = 0; i < s->n_namespaces; i++) {
                if (s->namespaces[i].type == CLONE_NEWCGROUP)
                        cgroupns = true;
                else if (!s->namespaces[i].path)
                        flags |= (unsigned long long)s->namespaces[i].type;
        }
        char *default_env[] = { (char *)"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                NULL };
        snprintf(what, sizeof(what), "container %s", id);
        /* no writer yet: O_NONBLOCK opens the read end at once */
        fifo_fd = openat(dfd, "exec.fifo", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fifo_fd < 0) {
                r = log_error_errno(-errno, "Cannot open the exec.fifo of container %s: %m", id);
                goto out;
        }
        /* startContainer hooks run after `start` wrote to exec.fifo: the child tells it here how they went
         */
        if (s->n_hooks[OCI_HOOK_START_CONTAINER] &&
            ((mkfifoat(dfd, "start.fifo", 0600) < 0 && errno != EEXIST) ||
             (started_fd = openat(dfd, "start.fifo", O_RDWR | O_CLOEXEC)) < 0)) {
                r = log_error_errno(-errno, "Cannot make the start.fifo of container %s: %m", id);
                goto out;
        }
        struct oci_child x = {
                .sp = {
                        .what = what,
                        .what_root = "The container's root",
                        .what_process = "its process",
                        .clone_flags = flags,
                        .cgroupns = cgroupns,
                        .cg = cg,
                        .hostname = s->hostname,
                        .inherit_stdio = true,
                        .console = s->process.terminal,
                        .console_ctty = true,
                        .path = s->process.args[0],
                        .argv = s->process.args,
                        .envp = s->process.env ? s->process.env : default_env,
                        .setup_root = oci_child_root,
                        .confine = oci_child_confine,
                        .wait_before_exec = oci_child_wait,
                        .created = oci_created,
                        .abandoned = oci_abandoned,
                },
                .spec = s,
                .id = id,
                .bundle = bundle,
                .rootfs = rootfs,
                .fifo_fd = fifo_fd,
                .started_fd = started_fd,
                .bpf = bpf,
                .bpf_len = bpf_len,
                .state_dfd = dfd,
        };
        pid_t pid;
        spawned = true;
        r = spawn_process(&x.sp, &pid, s->process.terminal ? &master : NULL);
        if (r < 0)
                goto out;
        if (console_socket && (r = send_console(console_socket, master)) < 0) {
                log_error_errno(r, "Cannot pass the terminal of container %s to --console-socket %s: %m", id,
                                console_socket);
                goto kill;
        }
        if (pid_file) {
                char buf[32];
                snprintf(buf, sizeof(buf), "%d", (int)pid);
                if ((r = write_file_atomic_at(AT_FDCWD, pid_file, buf, strlen(buf), 0644)) < 0) {
                        log_error_errno(r, "Cannot write --pid-file %s: %m", pid_file);
                        goto kill;
                }
        }
        made = false;
        r = 0;
        goto out;
kill:
        (void)cg_ct_kill_all(cg, 1000);
out:
        if (made) {
                if (cg)
                        (void)cg_ct_destroy(cg);
                /* a container that was made is deleted: its poststop hooks run (a failing createRuntime
                 * or createContainer hook goes on at delete, as the runtime-spec's lifecycle says) */
                if (spawned)
                        run_hooks_warn(dfd, id, s, OCI_HOOK_POSTSTOP, "stopped", 0);
                remove_state(root, id);
        }
        oci_spec_free(s);
        return r;
}

typedef enum { OCI_STOPPED, OCI_CREATED, OCI_RUNNING, OCI_PAUSED } oci_status;
static const char *const status_names[] = { "stopped", "created", "running", "paused" };

/* From the facts: the recorded process alive with its recorded start time; the fifo still waiting. */
static oci_status read_status(int dfd, pid_t *ret_pid)
{
        _cleanup_free_ char *state = NULL;
        int pid = 0;
        unsigned long long start = 0, now;
        char st;
        *ret_pid = 0;
        if (read_full_file_at(dfd, "state", &state, NULL) < 0 || !strstr(state, "PID=") ||
            !strstr(state, "START=") || sscanf(strstr(state, "PID="), "PID=%d", &pid) != 1 ||
            sscanf(strstr(state, "START="), "START=%llu", &start) != 1 || pid <= 0)
                return OCI_STOPPED;
        if (proc_start_time(pid, &now, &st) < 0 || now != start || st == 'Z')
                return OCI_STOPPED;
        *ret_pid = pid;
        if (exists_at(dfd, "exec.fifo"))
                return OCI_CREATED;
        _cleanup_cg_ct_ cg_ct *cg = NULL;
        if (open_cgroup(dfd, false, NULL, NULL, &cg) >= 0 && cg_ct_frozen(cg) > 0)
                return OCI_PAUSED;
        return OCI_RUNNING;
}

int oci_start(const char *root, const char *id)
{
        _cleanup_close_ int dfd = -EBADF;
        pid_t pid;
        int r;
        if ((r = check_id(id)) < 0 || (r = open_state(root, id, &dfd)) < 0)
                return r;
        oci_status st = read_status(dfd, &pid);
        if (st != OCI_CREATED) {
                log_error("Container %s is %s, not created: only a created container starts", id,
                          status_names[st]);
                return -ESRCH;
        }
        _cleanup_close_ int fd = openat(dfd, "exec.fifo", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
                r = -errno;
                if (r == -ENXIO)
                        log_error("Container %s is not waiting to start: its process has died", id);
                else
                        log_error_errno(r, "Cannot open the exec.fifo of container %s: %m", id);
                return r;
        }
        /* opened before the process may go on, so that what it writes there is kept for us */
        _cleanup_close_ int started = openat(dfd, "start.fifo", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (started < 0 && errno != ENOENT)
                return log_error_errno(-errno, "Cannot open the start.fifo of container %s: %m", id);
        if (loop_write_nosigpipe(fd, "0", 1) < 0)
                return log_error_errno(-errno, "Cannot start container %s: %m", id);
        if (unlinkat(dfd, "exec.fifo", 0) < 0)
                return log_error_errno(-errno, "Cannot remove the exec.fifo of container %s: %m", id);
        if (started >= 0) {
                /* the startContainer hooks: EOF once the process execs (all passed) or dies; a sentence
                 * before it when one failed */
                char msg[512];
                size_t n = 0;
                struct pollfd p = { .fd = started, .events = POLLIN };
                for (;;) {
                        while (poll(&p, 1, -1) < 0)
                                if (errno != EINTR)
                                        return log_error_errno(-errno, "Cannot wait for container %s: %m",
                                                               id);
                        ssize_t k = read(started, msg + n, sizeof(msg) - 1 - n);
                        if (k < 0 && errno == EAGAIN)
                                continue;
                        if (k <= 0 || (n += (size_t)k) == sizeof(msg) - 1)
                                break;
                }
                (void)unlinkat(dfd, "start.fifo", 0);
                if (n) {
                        msg[n] = 0;
                        log_error("Cannot start container %s: %s", id, msg);
                        return -CT_EACTIONSCRIPT;
                }
        }
        struct oci_spec *s = read_state_spec(dfd);
        if (s)
                run_hooks_warn(dfd, id, s, OCI_HOOK_POSTSTART, "running", pid);
        oci_spec_free(s);
        return 0;
}

int oci_state_json(const char *root, const char *id, char **ret)
{
        _cleanup_close_ int dfd = -EBADF;
        _cleanup_free_ char *bundle = NULL;
        pid_t pid;
        int r;
        if ((r = check_id(id)) < 0 || (r = open_state(root, id, &dfd)) < 0)
                return r;
        oci_status st = read_status(dfd, &pid);
        if ((r = read_one_line_at(dfd, "bundle", &bundle)) < 0)
                return log_error_errno(r, "Cannot read the state of container %s: %m", id);
        struct oci_spec *s = read_state_spec(dfd);
        r = oci_state_build(id, status_names[st], st == OCI_STOPPED ? 0 : pid, bundle, s, ret);
        oci_spec_free(s);
        return r;
}

int oci_kill(const char *root, const char *id, int sig, bool all)
{
        _cleanup_close_ int dfd = -EBADF;
        _cleanup_cg_ct_ cg_ct *cg = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        pid_t pid;
        int r;
        if ((r = check_id(id)) < 0 || (r = open_state(root, id, &dfd)) < 0)
                return r;
        oci_status st = read_status(dfd, &pid);
        if (st == OCI_STOPPED && !all) {
                log_error("Container %s is stopped: no process to signal", id);
                return -ESRCH;
        }
        if (!all) {
                if (kill(pid, sig) < 0)
                        return log_error_errno(-errno, "Cannot signal container %s: %m", id);
                return 0;
        }
        /* --all: every process of its cgroup (what is left of a container without its own pid namespace) */
        r = open_cgroup(dfd, false, NULL, NULL, &cg);
        if (r == -ENOENT)
                return 0;
        if (r < 0 || (r = cg_ct_pids(cg, &pids, &n)) < 0)
                return log_error_errno(r, "Cannot read the processes of container %s: %m", id);
        for (size_t i = 0; i < n; i++)
                if (kill(pids[i], sig) < 0 && errno != ESRCH)
                        return log_error_errno(-errno, "Cannot signal process %d of container %s: %m",
                                               (int)pids[i], id);
        return 0;
}

int oci_delete(const char *root, const char *id, bool force)
{
        _cleanup_close_ int dfd = -EBADF;
        _cleanup_cg_ct_ cg_ct *cg = NULL;
        pid_t pid;
        int r;
        if ((r = check_id(id)) < 0 || (r = open_state(root, id, &dfd)) < 0) {
                if (r == -ENOENT && force)
                        return 0; /* runc: delete --force of what is gone succeeds */
                return r;
        }
        oci_status st = read_status(dfd, &pid);
        if (st == OCI_RUNNING && !force) {
                log_error("Container %s is running; stop it first, or delete --force", id);
                return -EBUSY;
        }
        r = open_cgroup(dfd, false, NULL, NULL, &cg);
        if (r >= 0) {
                /* a created one is killed as runc does; anything left in the cgroup too */
                if (cg_ct_populated(cg) > 0 && (r = cg_ct_kill_all(cg, 5000)) < 0)
                        return log_error_errno(r, "Cannot kill the processes of container %s: %m", id);
                if ((r = cg_ct_destroy(cg)) < 0 && r != -ENOENT)
                        return log_error_errno(r, "Cannot remove the cgroup of container %s: %m", id);
        } else if (r != -ENOENT)
                return log_error_errno(r, "Cannot open the cgroup of container %s: %m", id);
        else if (st != OCI_STOPPED && kill(pid, SIGKILL) < 0 && errno != ESRCH)
                return log_error_errno(-errno, "Cannot kill container %s: %m", id);
        /* the container is gone: poststop, in the runtime's namespaces, failures only warned */
        struct oci_spec *s = read_state_spec(dfd);
        if (s)
                run_hooks_warn(dfd, id, s, OCI_HOOK_POSTSTOP, "stopped", 0);
        oci_spec_free(s);
        remove_state(root, id);
        return 0;
}

int oci_pause(const char *root, const char *id, bool pause)
{
        _cleanup_close_ int dfd = -EBADF;
        _cleanup_cg_ct_ cg_ct *cg = NULL;
        pid_t pid;
        int r;
        if ((r = check_id(id)) < 0 || (r = open_state(root, id, &dfd)) < 0)
                return r;
        oci_status st = read_status(dfd, &pid);
        if (st != (pause ? OCI_RUNNING : OCI_PAUSED)) {
                log_error("Container %s is %s; only a %s container can be %s", id, status_names[st],
                          pause ? "running" : "paused", pause ? "paused" : "resumed");
                return -ESRCH;
        }
        if ((r = open_cgroup(dfd, false, NULL, NULL, &cg)) < 0)
                return log_error_errno(r, "Cannot open the cgroup of container %s: %m", id);
        r = cg_ct_freeze(cg, pause);
        if (r == -EOPNOTSUPP)
                log_error("Cannot %s container %s: this host has no cgroup freezer",
                          pause ? "pause" : "resume", id);
        else if (r < 0)
                log_error_errno(r, "Cannot %s container %s: %m", pause ? "pause" : "resume", id);
        return r;
}

struct json_object *oci_cap_array(uint64_t drop)
{
        json_object *a = json_object_new_array();
        for (cap_value_t v = 0; a && v <= CAP_LAST_CAP; v++) {
                char *name = v < 64 && (drop & (1ULL << v)) ? NULL : cap_to_name(v);
                if (!name)
                        continue;
                for (char *c = name; *c; c++)
                        *c = (char)toupper((unsigned char)*c);
                json_object_array_add(a, json_object_new_string(name));
                cap_free(name);
        }
        return a;
}

/* What this runtime applies, in the runtime-spec's features.md form, from the same tables the parser and
 * the child use. */
int oci_features_json(char **ret)
{
        static const char *const namespaces[] = {
                "cgroup", "ipc", "mount", "network", "pid", "user", "uts"
        };
        static const char *const actions[] = { "SCMP_ACT_ALLOW",       "SCMP_ACT_ERRNO",
                                               "SCMP_ACT_KILL",        "SCMP_ACT_KILL_PROCESS",
                                               "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
                                               "SCMP_ACT_TRACE",       "SCMP_ACT_TRAP" };
        static const char *const operators[] = { "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
                                                 "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ",
                                                 "SCMP_CMP_NE" };
        json_object *o = json_object_new_object(), *a;
        if (!o)
                return -ENOMEM;
        json_object_object_add(o, "ociVersionMin", json_object_new_string("1.0.0"));
        json_object_object_add(o, "ociVersionMax", json_object_new_string("1.2.0"));
        a = json_object_new_array();
        for (size_t k = 0; k < OCI_HOOK_KINDS; k++)
                json_object_array_add(a, json_object_new_string(oci_hook_names[k]));
        json_object_object_add(o, "hooks", a);
        a = json_object_new_array();
        for (size_t i = 0; oci_mount_option_name(i); i++)
                json_object_array_add(a, json_object_new_string(oci_mount_option_name(i)));
        json_object_object_add(o, "mountOptions", a);
        json_object *lx = json_object_new_object();
        a = json_object_new_array();
        for (size_t i = 0; i < ELEMENTSOF(namespaces); i++)
                json_object_array_add(a, json_object_new_string(namespaces[i]));
        json_object_object_add(lx, "namespaces", a);
        json_object_object_add(lx, "capabilities", oci_cap_array(0));
        cg_version cv;
        json_object *cgroup = json_object_new_object();
        bool v2 = cg_detect(&cv) >= 0 && cv == CG_VERSION_V2;
        json_object_object_add(cgroup, "v1", json_object_new_boolean(!v2));
        json_object_object_add(cgroup, "v2", json_object_new_boolean(v2));
        json_object_object_add(cgroup, "systemd", json_object_new_boolean(false));
        json_object_object_add(cgroup, "systemdUser", json_object_new_boolean(false));
        json_object_object_add(lx, "cgroup", cgroup);
        json_object *sc = json_object_new_object();
        json_object_object_add(sc, "enabled", json_object_new_boolean(true));
        a = json_object_new_array();
        for (size_t i = 0; i < ELEMENTSOF(actions); i++)
                json_object_array_add(a, json_object_new_string(actions[i]));
        json_object_object_add(sc, "actions", a);
        a = json_object_new_array();
        for (size_t i = 0; i < ELEMENTSOF(operators); i++)
                json_object_array_add(a, json_object_new_string(operators[i]));
        json_object_object_add(sc, "operators", a);
        json_object_object_add(lx, "seccomp", sc);
        json_object *off = json_object_new_object();
        json_object_object_add(off, "enabled", json_object_new_boolean(false));
        json_object_object_add(lx, "apparmor", off);
        off = json_object_new_object();
        json_object_object_add(off, "enabled", json_object_new_boolean(false));
        json_object_object_add(lx, "selinux", off);
        json_object_object_add(o, "linux", lx);
        const char *j =
                json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
        *ret = j ? strdup(j) : NULL;
        json_object_put(o);
        return *ret ? 0 : -ENOMEM;
}

int oci_ps(const char *root, const char *id, pid_t **ret, size_t *ret_n)
{
        _cleanup_close_ int dfd = -EBADF;
        _cleanup_cg_ct_ cg_ct *cg = NULL;
        int r;
        if ((r = check_id(id)) < 0 || (r = open_state(root, id, &dfd)) < 0)
                return r;
        r = open_cgroup(dfd, false, NULL, NULL, &cg);
        if (r == -ENOENT) {
                *ret = NULL; /* gone with its processes */
                *ret_n = 0;
                return 0;
        }
        if (r < 0 || (r = cg_ct_pids(cg, ret, ret_n)) < 0)
                return log_error_errno(r, "Cannot read the processes of container %s: %m", id);
        return 0;
}

static char **strv_dup(char *const *l)
{
        size_t n = 0;
        while (l && l[n])
                n++;
        char **c = calloc(n + 1, sizeof(char *));
        for (size_t i = 0; c && i < n; i++)
                if (!(c[i] = strdup(l[i]))) {
                        strv_free(c);
                        return NULL;
                }
        return c;
}

/* exec's child, in the container's pid namespace already: the container's cgroup and other namespaces,
 * the process's confinement (oci_child_confine(), as the first process), then exec. A failure is a
 * sentence on report. */
static _noreturn_ void exec_child(struct oci_child *x, cg_ct *cg, const int *ns, size_t n_ns, int console,
                                  int report)
{
        char err[512] = "";
        /* 0: the writer itself (getpid() here is a pid of the container's namespace) */
        int r = cg_ct_attach(cg, 0);
        if (r < 0) {
                snprintf(err, sizeof(err), "Cannot move into the container's cgroup: %s", strerror(-r));
                goto fail;
        }
        /* the user namespace first: the others belong to it */
        for (size_t i = 0; i < n_ns; i++)
                if (ns[i] >= 0 && setns(ns[i], 0) < 0) {
                        snprintf(err, sizeof(err), "Cannot join the container's namespaces: %s",
                                 strerror(errno));
                        goto fail;
                }
        if (console >= 0) {
                /* a pty of the container's devpts (the mount namespace joined above), its master to
                 * --console-socket, its slave the process's stdio and controlling terminal */
                int m = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC), unlock = 0, pty = -1;
                if (m < 0 || ioctl(m, TIOCSPTLCK, &unlock) < 0 ||
                    (pty = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
                        snprintf(err, sizeof(err), "Cannot open a pty in the container: %s",
                                 strerror(errno));
                        goto fail;
                }
                if ((r = fd_send(console, m)) < 0) {
                        snprintf(err, sizeof(err), "Cannot pass the terminal to --console-socket: %s",
                                 strerror(-r));
                        goto fail;
                }
                close(m);
                if (setsid() < 0 || dup2(pty, STDIN_FILENO) < 0 || dup2(pty, STDOUT_FILENO) < 0 ||
                    dup2(pty, STDERR_FILENO) < 0 || ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0) {
                        snprintf(err, sizeof(err), "Cannot make the pty the process's terminal: %s",
                                 strerror(errno));
                        goto fail;
                }
        }
        r = oci_child_confine(&x->sp, err, sizeof(err));
        if (r < 0)
                goto fail;
        /* the report pipe closes on exec: nothing else of vpsctl's goes with the process */
        if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
                snprintf(err, sizeof(err), "close_range failed: %s", strerror(errno));
                goto fail;
        }
        if (x->spec->process.env)
                environ = x->spec->process.env;
        execvp(x->spec->process.args[0], x->spec->process.args);
        snprintf(err, sizeof(err), "Cannot execute %s: %s", x->spec->process.args[0], strerror(errno));
fail:
        (void)!write(report, err, strlen(err));
        _exit(127);
}

int oci_exec(const char *root, const char *id, const char *process_file, char **args, bool tty,
             const char *console_socket, bool detach, const char *pid_file, int *ret_status)
{
        static const char *const ns_names[] = { "user", "mnt", "uts", "ipc", "net", "cgroup" };
        _cleanup_close_ int dfd = -EBADF, own_pid_ns = -EBADF, ctr_pid_ns = -EBADF, console = -EBADF;
        int rep[2] = { -EBADF, -EBADF };
        _cleanup_free_ char *text = NULL;
        _cleanup_free_ void *bpf = NULL;
        _cleanup_cg_ct_ cg_ct *cg = NULL;
        struct oci_spec *s = NULL;
        int ns[ELEMENTSOF(ns_names)];
        size_t len, bpf_len = 0;
        char err[512], path[64];
        pid_t pid;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(ns); i++)
                ns[i] = -EBADF;
        if ((r = check_id(id)) < 0 || (r = open_state(root, id, &dfd)) < 0)
                return r;
        oci_status st = read_status(dfd, &pid);
        if (st != OCI_RUNNING) {
                log_error("Container %s is %s; exec needs a running container", id, status_names[st]);
                return -ESRCH;
        }
        if ((r = read_full_file_at(dfd, "config.json", &text, &len)) < 0 ||
            (r = oci_spec_parse(text, len, &s, err, sizeof(err))) < 0)
                return log_error_errno(r, "Cannot read the config.json of container %s: %m", id);
        if (process_file) {
                _cleanup_free_ char *ptext = NULL;
                size_t plen;
                if ((r = read_full_file_at(AT_FDCWD, process_file, &ptext, &plen)) < 0) {
                        log_error_errno(r, "Cannot read --process %s: %m", process_file);
                        goto out;
                }
                if ((r = oci_spec_parse_process(ptext, plen, s, err, sizeof(err))) < 0) {
                        log_error("--process %s: %s", process_file, err);
                        goto out;
                }
        } else {
                char **a = strv_dup(args);
                if (!a) {
                        r = -ENOMEM;
                        goto out;
                }
                strv_free(s->process.args);
                s->process.args = a;
                s->process.terminal = tty;
        }
        if (s->process.terminal != !!console_socket) {
                log_error(s->process.terminal
                                  ? "exec with a terminal (--tty, process.terminal) needs --console-socket"
                                  : "--console-socket is for exec with a terminal (--tty)");
                r = -EINVAL;
                goto out;
        }
        if (console_socket && (console = connect_console(console_socket)) < 0) {
                r = log_error_errno(console, "Cannot connect to --console-socket %s: %m", console_socket);
                goto out;
        }
        if (s->seccomp && (r = oci_seccomp_build(s->seccomp, &bpf, &bpf_len, err, sizeof(err))) < 0) {
                log_error("config.json: %s", err);
                goto out;
        }
        if ((r = open_cgroup(dfd, false, NULL, NULL, &cg)) < 0) {
                log_error_errno(r, "Cannot open the cgroup of container %s: %m", id);
                goto out;
        }
        /* the container's namespaces, those that are not ours (joining one's own user namespace fails) */
        for (size_t i = 0; i < ELEMENTSOF(ns_names); i++) {
                struct stat a, b;
                snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns_names[i]);
                char self[64];
                snprintf(self, sizeof(self), "/proc/self/ns/%s", ns_names[i]);
                if (stat(path, &a) < 0 || stat(self, &b) < 0) {
                        r = log_error_errno(-errno, "Cannot find the %s namespace of container %s: %m",
                                            ns_names[i], id);
                        goto out;
                }
                if (a.st_ino == b.st_ino && a.st_dev == b.st_dev)
                        continue;
                if ((ns[i] = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
                        r = log_error_errno(-errno, "Cannot open the %s namespace of container %s: %m",
                                            ns_names[i], id);
                        goto out;
                }
        }
        snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
        own_pid_ns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
        ctr_pid_ns = open(path, O_RDONLY | O_CLOEXEC);
        if (own_pid_ns < 0 || ctr_pid_ns < 0 || pipe2(rep, O_CLOEXEC) < 0) {
                r = log_error_errno(-errno, "Cannot open the pid namespace of container %s: %m", id);
                goto out;
        }
        char what[160];
        snprintf(what, sizeof(what), "container %s", id);
        struct oci_child x = {
                .sp = { .what = what },
                .spec = s,
                .bpf = bpf,
                .bpf_len = bpf_len,
                .id = id,
                .fifo_fd = -EBADF,
                .started_fd = -EBADF,
                .state_dfd = -EBADF,
        };
        /* the pid namespace is entered by the children of who joins it: ours, for the one fork */
        if (setns(ctr_pid_ns, CLONE_NEWPID) < 0) {
                r = log_error_errno(-errno, "Cannot join the pid namespace of container %s: %m", id);
                goto out;
        }
        pid_t child = fork();
        if (child == 0) {
                rep[0] = safe_close(rep[0]);
                exec_child(&x, cg, ns, ELEMENTSOF(ns), console, rep[1]);
        }
        int saved = errno;
        if (setns(own_pid_ns, CLONE_NEWPID) < 0) {
                r = log_error_errno(-errno, "Failed to return to our own pid namespace: %m");
                if (child > 0) {
                        (void)kill(child, SIGKILL);
                        (void)waitpid(child, NULL, 0);
                }
                goto out;
        }
        if (child < 0) {
                r = log_error_errno(-saved, "Cannot fork into container %s: %m", id);
                goto out;
        }
        rep[1] = safe_close(rep[1]);
        ssize_t n = read(rep[0], err, sizeof(err) - 1);
        if (n > 0) {
                err[n] = 0;
                (void)waitpid(child, NULL, 0);
                log_error("Cannot exec in container %s: %s", id, err);
                r = -ENOEXEC;
                goto out;
        }
        if (pid_file) {
                char buf[32];
                snprintf(buf, sizeof(buf), "%d", (int)child);
                if ((r = write_file_atomic_at(AT_FDCWD, pid_file, buf, strlen(buf), 0644)) < 0) {
                        log_error_errno(r, "Cannot write --pid-file %s: %m", pid_file);
                        (void)kill(child, SIGKILL);
                        (void)waitpid(child, NULL, 0);
                        goto out;
                }
        }
        /* no lock held while the process runs: the other verbs go on */
        dfd = safe_close(dfd);
        *ret_status = 0;
        if (!detach) {
                int status;
                while (waitpid(child, &status, 0) < 0)
                        if (errno != EINTR) {
                                r = log_error_errno(-errno,
                                                    "Cannot wait for the process in container %s: %m", id);
                                goto out;
                        }
                *ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        r = 0;
out:
        for (size_t i = 0; i < ELEMENTSOF(ns); i++)
                safe_close(ns[i]);
        safe_close(rep[0]);
        safe_close(rep[1]);
        oci_spec_free(s);
        return r;
}

int oci_update(const char *root, const char *id, const char *resources_file)
{
        _cleanup_close_ int dfd = -EBADF;
        _cleanup_free_ char *text = NULL;
        _cleanup_cg_ct_ cg_ct *cg = NULL;
        struct oci_spec *s = NULL;
        char err[512];
        size_t len;
        pid_t pid;
        int r;
        if ((r = check_id(id)) < 0 || (r = open_state(root, id, &dfd)) < 0)
                return r;
        oci_status st = read_status(dfd, &pid);
        if (st == OCI_STOPPED) {
                log_error("Container %s is stopped: no cgroup to update", id);
                return -ESRCH;
        }
        r = streq(resources_file, "-") ? read_full_fd(STDIN_FILENO, &text, &len)
                                       : read_full_file_at(AT_FDCWD, resources_file, &text, &len);
        if (r < 0)
                return log_error_errno(r, "Cannot read --resources %s: %m", resources_file);
        if ((r = oci_spec_parse_resources(text, len, &s, err, sizeof(err))) < 0) {
                if (r == -EINVAL)
                        log_error("--resources %s: %s", resources_file, err);
                return r;
        }
        if ((r = check_resources(s)) < 0)
                goto out;
        if ((r = open_cgroup(dfd, false, NULL, NULL, &cg)) < 0) {
                log_error_errno(r, "Cannot open the cgroup of container %s: %m", id);
                goto out;
        }
        cg_limits l;
        const char *what_missing = NULL;
        build_limits(s, &l);
        if ((r = cg_ct_set_limits(cg, &l, &what_missing)) < 0) {
                log_error_errno(r, "Cannot update the cgroup of container %s%s%s: %m", id,
                                what_missing ? ": no " : "", strempty(what_missing));
                goto out;
        }
        if (s->resources.n_devices && (r = apply_devices(s, cg)) < 0)
                log_error_errno(r, "Cannot update the device rules of container %s: %m", id);
out:
        oci_spec_free(s);
        return r;
}
