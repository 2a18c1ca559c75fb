/* The CT's seccomp filter (libseccomp): everything is allowed except host-wide knobs a namespace does not
 * contain, which fail with EPERM. The same filter for init and for every exec/enter, on every architecture
 * the host runs (x86-64 also runs i386 and x32 code). SECCOMP="no" turns it off; SECCOMP_ALLOW and
 * SECCOMP_DENY adjust the list per CT.
 *
 * libseccomp compiles the filter to BPF once per configuration: the program is kept in
 * run/vpsctl/seccomp/HASH.bpf, keyed by everything it is made of (the denied calls, the architectures,
 * libseccomp's version, FILTER_VERSION), read by the parent before clone and loaded by the child with
 * seccomp(2). A cache file is used only when it is exactly what it claims to be (see cache_read). */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/keyctl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/fileio.h"

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

int ct_seccomp_foreach_denied(const struct ct_config *cfg,
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

/* Bump when the way the filter is built changes (actions, attributes, architectures): every cached
 * program then misses and is rebuilt. */
#define FILTER_VERSION 1
#define CACHE_MAGIC    "VZSCBPF1"
/* a few hundred instructions in practice; the kernel takes at most BPF_MAXINSNS */
#define CACHE_MAX_INSNS BPF_MAXINSNS

/* a 64-bit x86 host runs 32-bit code too: the filter covers every ABI a CT can call in */
const uint32_t ct_seccomp_extra_arches[] = {
#if defined(__x86_64__)
        SCMP_ARCH_X86,
        SCMP_ARCH_X32,
#elif defined(__aarch64__)
        SCMP_ARCH_ARM,
#endif
        0,
};

struct cache_header {
        char magic[8];
        uint32_t key_len;
        uint32_t n_insns;
        uint64_t checksum; /* FNV-1a of the key and the instructions: a torn or flipped file misses */
};

static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
        const unsigned char *p = data;
        for (size_t i = 0; i < len; i++)
                h = (h ^ p[i]) * 0x100000001b3ULL;
        return h;
}

#define FNV_OFFSET 0xcbf29ce484222325ULL

struct key_buf {
        char *s;
        size_t len, size;
};

static int key_add(struct key_buf *k, const char *s)
{
        size_t n = strlen(s);
        if (k->len + n + 1 > k->size) {
                size_t size = (k->len + n + 1) * 2;
                char *p = realloc(k->s, size);
                if (!p)
                        return -ENOMEM;
                k->s = p;
                k->size = size;
        }
        memcpy(k->s + k->len, s, n + 1);
        k->len += n;
        return 0;
}

static int key_add_denied(const char *name, const char *why, void *u)
{
        (void)why;
        int r = key_add(u, " ");
        return r < 0 ? r : key_add(u, name);
}

/* Everything the compiled program depends on, as text: the cache file's name is its hash, and its
 * header holds it whole, so a hash collision is a miss, not a wrong filter. */
static int cache_key(const struct ct_config *cfg, char **ret)
{
        struct key_buf k = {};
        const struct scmp_version *v = seccomp_version();
        char line[160];
        snprintf(line, sizeof(line), "vpsctl seccomp filter %d\nlibseccomp %u.%u.%u\narch %u",
                 FILTER_VERSION, v ? v->major : 0, v ? v->minor : 0, v ? v->micro : 0,
                 seccomp_arch_native());
        int r = key_add(&k, line);
        for (size_t i = 0; r >= 0 && ct_seccomp_extra_arches[i]; i++) {
                snprintf(line, sizeof(line), " %u", ct_seccomp_extra_arches[i]);
                r = key_add(&k, line);
        }
        if (r >= 0)
                r = key_add(&k, "\nerrno EPERM:");
        if (r >= 0)
                r = ct_seccomp_foreach_denied(cfg, key_add_denied, &k);
        if (r >= 0)
                r = key_add(&k, "\n");
        if (r < 0) {
                free(k.s);
                return r;
        }
        *ret = k.s;
        return 0;
}

/* libseccomp's build of the filter, as the BPF program it would load. */
static int compile(const struct ct_config *cfg, struct ct_seccomp_prog *ret)
{
        _cleanup_close_ int mfd = -EBADF;
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        int r = 0;
        if (!ctx)
                return -ENOMEM;
        for (size_t i = 0; r >= 0 && ct_seccomp_extra_arches[i]; i++)
                if ((r = seccomp_arch_add(ctx, ct_seccomp_extra_arches[i])) == -EEXIST)
                        r = 0;
        /* root with CAP_SYS_ADMIN needs no no_new_privs to load a filter, and setuid programs in the CT
         * (su, passwd) keep working */
        if (r >= 0)
                (void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (r >= 0)
                r = ct_seccomp_foreach_denied(cfg, add_rule, ctx);
        if (r >= 0) {
                mfd = memfd_create("vpsctl-seccomp", MFD_CLOEXEC);
                r = mfd < 0 ? negative_errno() : seccomp_export_bpf(ctx, mfd);
        }
        seccomp_release(ctx);
        if (r < 0)
                return r;
        struct stat st;
        if (fstat(mfd, &st) < 0)
                return negative_errno();
        if (st.st_size <= 0 || st.st_size % (off_t)sizeof(struct sock_filter) != 0 ||
            st.st_size / (off_t)sizeof(struct sock_filter) > CACHE_MAX_INSNS)
                return -E2BIG;
        size_t len = (size_t)st.st_size;
        _cleanup_free_ struct sock_filter *insns = malloc(len);
        if (!insns)
                return -ENOMEM;
        if (pread(mfd, insns, len, 0) != (ssize_t)len)
                return -EIO;
        ret->insns = TAKE_PTR(insns);
        ret->len = (unsigned short)(len / sizeof(struct sock_filter));
        return 0;
}

/* The cache directory, if it is one only root can write to; else -EPERM (the cache is not used). */
static int cache_dir_open(const char *run_dir)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s/seccomp", run_dir);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT) {
                int r = mkdir_p_at(AT_FDCWD, path, 0755);
                if (r < 0)
                        return r;
                fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        if (fd < 0)
                return negative_errno();
        struct stat st;
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (st.st_uid != 0 || (st.st_mode & 022))
                return -EPERM;
        return TAKE_FD(fd);
}

/* The cached program for key, or -ENOENT when there is none, or -EBADMSG when the file is not one we
 * wrote for this key: not a regular file, not root's, writable by others, the wrong size, magic, key,
 * instruction count or checksum. */
static int cache_read(int dfd, const char *name, const char *key, struct ct_seccomp_prog *ret)
{
        _cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? -ENOENT : errno == ELOOP ? -EBADMSG : negative_errno();
        struct stat st;
        if (fstat(fd, &st) < 0)
                return negative_errno();
        mode_t perm = st.st_mode & 07777;
        size_t key_len = strlen(key);
        if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (perm != 0600 && perm != 0644) ||
            st.st_size < (off_t)(sizeof(struct cache_header) + key_len + sizeof(struct sock_filter)) ||
            st.st_size > (off_t)(sizeof(struct cache_header) + key_len +
                                 CACHE_MAX_INSNS * sizeof(struct sock_filter)))
                return -EBADMSG;
        size_t size = (size_t)st.st_size;
        _cleanup_free_ char *buf = malloc(size);
        if (!buf)
                return -ENOMEM;
        if (pread(fd, buf, size, 0) != (ssize_t)size)
                return -EBADMSG;
        struct cache_header h;
        memcpy(&h, buf, sizeof(h));
        const char *k = buf + sizeof(h);
        const char *prog = k + key_len;
        size_t prog_len = size - sizeof(h) - key_len;
        if (memcmp(h.magic, CACHE_MAGIC, sizeof(h.magic)) != 0 || h.key_len != key_len ||
            memcmp(k, key, key_len) != 0 || h.n_insns == 0 ||
            (size_t)h.n_insns * sizeof(struct sock_filter) != prog_len ||
            h.checksum != fnv1a(fnv1a(FNV_OFFSET, k, key_len), prog, prog_len))
                return -EBADMSG;
        struct sock_filter *insns = malloc(prog_len);
        if (!insns)
                return -ENOMEM;
        memcpy(insns, prog, prog_len);
        ret->insns = insns;
        ret->len = (unsigned short)h.n_insns;
        return 0;
}

static int cache_write(int dfd, const char *name, const char *key, const struct ct_seccomp_prog *p)
{
        size_t key_len = strlen(key), prog_len = p->len * sizeof(struct sock_filter);
        struct cache_header h = { .key_len = (uint32_t)key_len, .n_insns = p->len };
        memcpy(h.magic, CACHE_MAGIC, sizeof(h.magic));
        h.checksum = fnv1a(fnv1a(FNV_OFFSET, key, key_len), p->insns, prog_len);
        size_t size = sizeof(h) + key_len + prog_len;
        _cleanup_free_ char *buf = malloc(size);
        if (!buf)
                return -ENOMEM;
        /* the key without its NUL: its length is in the header */
        char *q = mempcpy(buf, &h, sizeof(h));
        q = mempcpy(q, key, key_len);
        if (prog_len)
                memcpy(q, p->insns, prog_len);
        /* run/ is state a reboot voids: atomic replacement, no fsync (a torn file fails its checks) */
        return write_file_replace_at(dfd, name, buf, size, 0644);
}

void ct_seccomp_prog_done(struct ct_seccomp_prog *p)
{
        free(p->insns);
        p->insns = NULL;
        p->len = 0;
}

int ct_seccomp_prepare(ct *c, struct ct_seccomp_prog *ret)
{
        struct ct_seccomp_prog p = {};
        _cleanup_free_ char *key = NULL;
        _cleanup_close_ int dfd = -EBADF;
        char name[32];
        int r;

        if (!ct_seccomp_enabled(&c->cfg)) {
                *ret = p;
                return 0;
        }
        r = cache_key(&c->cfg, &key);
        if (r < 0)
                return log_error_errno(r, "Failed to build the seccomp filter of CT %u: %m", c->id);
        snprintf(name, sizeof(name), "%016llx.bpf", (unsigned long long)fnv1a(FNV_OFFSET, key, strlen(key)));
        dfd = cache_dir_open(c->paths->run_dir);
        if (dfd == -EPERM)
                log_warning("%s/seccomp is not a directory only root can write to: CT %u's seccomp filter "
                            "is compiled without the cache; make it root's, mode 0755",
                            c->paths->run_dir, c->id);
        else if (dfd < 0)
                log_debug_errno(dfd, "CT %u: no seccomp cache in %s/seccomp: %m", c->id, c->paths->run_dir);
        if (dfd >= 0) {
                r = cache_read(dfd, name, key, &p);
                if (r >= 0) {
                        *ret = p;
                        return 0;
                }
                if (r != -ENOENT)
                        log_debug_errno(r,
                                        "CT %u: the cached seccomp filter %s is not usable, rebuilding: %m",
                                        c->id, name);
        }
        r = compile(&c->cfg, &p);
        if (r < 0)
                return log_error_errno(r, "Failed to build the seccomp filter of CT %u: %m", c->id);
        if (dfd >= 0 && (r = cache_write(dfd, name, key, &p)) < 0)
                log_debug_errno(r, "CT %u: cannot store its seccomp filter in %s/seccomp: %m", c->id,
                                c->paths->run_dir);
        *ret = p;
        return 0;
}

int ct_seccomp_load(const struct ct_config *cfg, const struct ct_seccomp_prog *prog, char *err,
                    size_t errlen)
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
        if (!prog || !prog->insns) {
                snprintf(err, errlen, "The seccomp filter was not built");
                return -EINVAL;
        }
        /* what libseccomp's seccomp_load() does with our attributes: no flags, no no_new_privs */
        struct sock_fprog fprog = { .len = prog->len, .filter = prog->insns };
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0U, &fprog) < 0 &&
            (errno != ENOSYS || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0) < 0)) {
                snprintf(err, errlen, "Cannot load the seccomp filter: %s", strerror(errno));
                return negative_errno();
        }
        return 0;
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
        int r = ct_seccomp_foreach_denied(cfg, print_one, NULL);
        if (cfg->seccomp_allow && *cfg->seccomp_allow)
                printf("allowed by SECCOMP_ALLOW: %s\n", cfg->seccomp_allow);
        return r;
}
