/* ct-probe: attempts the escapes of tests/security/escapes.sh from inside a CT (and a few look-ups
 * from the host), printing one line per attempt: `NAME OK` or `NAME ERRNONAME`.
 *
 * Linked statically, so it runs in any CT root without the host's libraries. Every attempt is
 * harmless when it succeeds: the system calls get arguments that fail after the permission checks
 * (or create something that dies with the process), and nothing here writes a host-wide knob
 * except `write`, which the test points at a file it checks and restores.
 *
 *   ct-probe syscalls [NAME...]         the denied system calls (all of them without NAME)
 *   ct-probe writeopen PATH...          open(PATH, O_WRONLY), nothing written
 *   ct-probe write PATH TEXT            open(PATH, O_WRONLY|O_TRUNC) and write TEXT
 *   ct-probe rewrite PATH               write the file's own contents back to it (no change)
 *   ct-probe read PATH                  print the first line of PATH
 *   ct-probe exewrite PID               write a byte of /proc/PID/exe back: directly, and re-opened
 *                                       from an O_PATH fd (runc's CVE-2019-5736 attack)
 *   ct-probe gethandle PATH             name_to_handle_at: prints `TYPE HEX`
 *   ct-probe openhandle MNT TYPE HEX    open_by_handle_at on a handle, relative to the mount of MNT
 *   ct-probe fds                        the open fds (but the one reading /proc/self/fd) and the cwd */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* the keyring ABI (linux/keyctl.h), spelled out: keyutils' headers need not be installed */
#define PROBE_KEYCTL_GET_KEYRING_ID    0
#define PROBE_KEY_SPEC_SESSION_KEYRING (-3)
#define PROBE_KEY_SPEC_PROCESS_KEYRING (-2)
/* kexec_load: an architecture no kernel has, so a permitted call fails with EINVAL */
#define PROBE_KEXEC_ARCH_BOGUS (0xfffeUL << 16)
/* perf_event_open: a software dummy counter of this process */
#define PROBE_PERF_TYPE_SOFTWARE  1
#define PROBE_PERF_COUNT_SW_DUMMY 9
#define PROBE_PERF_ATTR_SIZE_VER0 64

static const struct {
        int no;
        const char *name;
} errno_names[] = {
        { EPERM, "EPERM" },     { ENOENT, "ENOENT" },
        { ESRCH, "ESRCH" },     { EIO, "EIO" },
        { ENXIO, "ENXIO" },     { E2BIG, "E2BIG" },
        { ENOEXEC, "ENOEXEC" }, { EBADF, "EBADF" },
        { EAGAIN, "EAGAIN" },   { ENOMEM, "ENOMEM" },
        { EACCES, "EACCES" },   { EFAULT, "EFAULT" },
        { EBUSY, "EBUSY" },     { EEXIST, "EEXIST" },
        { EXDEV, "EXDEV" },     { ENODEV, "ENODEV" },
        { ENOTDIR, "ENOTDIR" }, { EISDIR, "EISDIR" },
        { EINVAL, "EINVAL" },   { ETXTBSY, "ETXTBSY" },
        { EROFS, "EROFS" },     { ENOSYS, "ENOSYS" },
        { ELOOP, "ELOOP" },     { ENODATA, "ENODATA" },
        { ENOKEY, "ENOKEY" },   { EOPNOTSUPP, "EOPNOTSUPP" },
        { ESTALE, "ESTALE" },   { EKEYREVOKED, "EKEYREVOKED" },
        { ENOTTY, "ENOTTY" },   { EOVERFLOW, "EOVERFLOW" },
        { ENOSPC, "ENOSPC" },   { ENOTSUP, "ENOTSUP" },
};

static const char *errno_name(int e)
{
        static char buf[32];
        for (size_t i = 0; i < ELEMENTSOF(errno_names); i++)
                if (errno_names[i].no == e)
                        return errno_names[i].name;
        snprintf(buf, sizeof(buf), "E%d", e);
        return buf;
}

/* One line per attempt: the result of a call that returns -1 and sets errno on failure. */
static int report(const char *what, long r)
{
        if (r < 0)
                printf("%s %s\n", what, errno_name(errno));
        else
                printf("%s OK\n", what);
        return 0;
}

static long close_if_fd(long r)
{
        if (r >= 0)
                close((int)r);
        return r;
}

static long try_kexec_load(void)
{
        return syscall(SYS_kexec_load, 0UL, 0UL, NULL, PROBE_KEXEC_ARCH_BOGUS);
}

static long try_init_module(void)
{
        return syscall(SYS_init_module, NULL, 0UL, "");
}

static long try_finit_module(void)
{
        return syscall(SYS_finit_module, -1, "", 0);
}

static long try_delete_module(void)
{
        return syscall(SYS_delete_module, "vpsctl_probe_no_such_module", O_NONBLOCK);
}

static long try_open_by_handle_at(void)
{
        /* struct file_handle with 8 bytes of zeros: a handle of nothing */
        union {
                struct file_handle fh;
                unsigned char raw[sizeof(struct file_handle) + 8];
        } h;
        memset(&h, 0, sizeof(h));
        h.fh.handle_bytes = 8;
        h.fh.handle_type = 1;
        return close_if_fd(syscall(SYS_open_by_handle_at, AT_FDCWD, &h.fh, O_RDONLY));
}

static long try_keyctl(void)
{
        return syscall(SYS_keyctl, PROBE_KEYCTL_GET_KEYRING_ID, PROBE_KEY_SPEC_SESSION_KEYRING, 0);
}

static long try_add_key(void)
{
        /* in the process keyring, which dies with this process */
        return syscall(SYS_add_key, "user", "vpsctl-probe", "x", 1UL, PROBE_KEY_SPEC_PROCESS_KEYRING);
}

static long try_request_key(void)
{
        return syscall(SYS_request_key, "user", "vpsctl-probe-no-such-key", NULL, 0);
}

static long try_bpf(void)
{
        /* no such command: a permitted call fails with EINVAL */
        return syscall(SYS_bpf, 0x7fff, NULL, 0U);
}

static long try_perf_event_open(void)
{
        uint64_t attr[PROBE_PERF_ATTR_SIZE_VER0 / 8];
        memset(attr, 0, sizeof(attr));
        /* struct perf_event_attr: __u32 type, __u32 size; __u64 config; the rest zero */
        uint32_t head[2] = { PROBE_PERF_TYPE_SOFTWARE, PROBE_PERF_ATTR_SIZE_VER0 };
        memcpy(attr, head, sizeof(head));
        attr[1] = PROBE_PERF_COUNT_SW_DUMMY;
        return close_if_fd(syscall(SYS_perf_event_open, attr, 0, -1, -1, 0UL));
}

static long try_userfaultfd(void)
{
        return close_if_fd(syscall(SYS_userfaultfd, O_CLOEXEC));
}

static const struct {
        const char *name;
        long (*fn)(void);
} calls[] = {
        { "kexec_load", try_kexec_load },
        { "init_module", try_init_module },
        { "finit_module", try_finit_module },
        { "delete_module", try_delete_module },
        { "open_by_handle_at", try_open_by_handle_at },
        { "keyctl", try_keyctl },
        { "add_key", try_add_key },
        { "request_key", try_request_key },
        { "bpf", try_bpf },
        { "perf_event_open", try_perf_event_open },
        { "userfaultfd", try_userfaultfd },
};

static int cmd_syscalls(int argc, char **argv)
{
        for (size_t i = 0; i < ELEMENTSOF(calls); i++) {
                bool want = argc == 0;
                for (int j = 0; j < argc; j++)
                        if (strcmp(argv[j], calls[i].name) == 0)
                                want = true;
                if (!want)
                        continue;
                long r = calls[i].fn();
                /* the keyring's id tells the test whose session keyring the CT sees */
                if (r >= 0 && strcmp(calls[i].name, "keyctl") == 0)
                        printf("keyctl OK %ld\n", r);
                else
                        report(calls[i].name, r);
        }
        return 0;
}

static int cmd_writeopen(int argc, char **argv)
{
        for (int i = 0; i < argc; i++) {
                char what[4200];
                snprintf(what, sizeof(what), "writeopen %s", argv[i]);
                report(what, close_if_fd(open(argv[i], O_WRONLY | O_CLOEXEC | O_NOCTTY)));
        }
        return 0;
}

static long write_all(const char *path, const char *buf, size_t len)
{
        int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -1;
        ssize_t n = write(fd, buf, len);
        int e = errno;
        close(fd);
        if (n < 0) {
                errno = e;
                return -1;
        }
        if ((size_t)n != len) {
                errno = EIO;
                return -1;
        }
        return 0;
}

static int cmd_write(const char *path, const char *text)
{
        char what[4200];
        snprintf(what, sizeof(what), "write %s", path);
        report(what, write_all(path, text, strlen(text)));
        return 0;
}

static int cmd_rewrite(const char *path)
{
        char what[4200], buf[4096];
        snprintf(what, sizeof(what), "rewrite %s", path);
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return report(what, -1);
        ssize_t n = read(fd, buf, sizeof(buf));
        int e = errno;
        close(fd);
        if (n < 0) {
                errno = e;
                return report(what, -1);
        }
        report(what, write_all(path, buf, (size_t)n));
        return 0;
}

static int cmd_read(const char *path)
{
        char what[4200], buf[4096];
        snprintf(what, sizeof(what), "read %s", path);
        FILE *f = fopen(path, "re");
        if (!f)
                return report(what, -1);
        if (!fgets(buf, sizeof(buf), f))
                buf[0] = 0;
        fclose(f);
        buf[strcspn(buf, "\n")] = 0;
        printf("%s OK %s\n", what, buf);
        return 0;
}

/* Open PATH for writing and write its first byte back unchanged: OK only if both worked. */
static long open_and_rewrite(const char *path)
{
        unsigned char b;
        int rfd = open(path, O_RDONLY | O_CLOEXEC);
        if (rfd < 0)
                return -1;
        ssize_t n = pread(rfd, &b, 1, 0);
        int e = errno;
        close(rfd);
        if (n != 1) {
                errno = n < 0 ? e : EIO;
                return -1;
        }
        int wfd = open(path, O_WRONLY | O_CLOEXEC);
        if (wfd < 0)
                return -1;
        n = pwrite(wfd, &b, 1, 0);
        e = errno;
        close(wfd);
        if (n != 1) {
                errno = n < 0 ? e : EIO;
                return -1;
        }
        return 0;
}

static int cmd_exewrite(const char *pid)
{
        char path[64], what[128];
        snprintf(path, sizeof(path), "/proc/%s/exe", pid);
        snprintf(what, sizeof(what), "exewrite %s", path);
        report(what, open_and_rewrite(path));

        /* runc's attack: hold the exe by O_PATH, then re-open it for writing through /proc/self/fd */
        snprintf(what, sizeof(what), "exewrite-reopen %s", path);
        int fd = open(path, O_PATH | O_CLOEXEC);
        if (fd < 0)
                return report(what, -1);
        char self[64];
        snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
        report(what, open_and_rewrite(self));
        close(fd);
        return 0;
}

static int cmd_gethandle(const char *path)
{
        union {
                struct file_handle fh;
                unsigned char raw[sizeof(struct file_handle) + MAX_HANDLE_SZ];
        } h;
        int mnt;
        memset(&h, 0, sizeof(h));
        h.fh.handle_bytes = MAX_HANDLE_SZ;
        if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mnt, 0) < 0) {
                fprintf(stderr, "name_to_handle_at %s: %s\n", path, errno_name(errno));
                return 1;
        }
        printf("%d ", h.fh.handle_type);
        for (unsigned i = 0; i < h.fh.handle_bytes; i++)
                printf("%02x", h.fh.f_handle[i]);
        printf("\n");
        return 0;
}

static int cmd_openhandle(const char *mntpath, const char *type, const char *hex)
{
        union {
                struct file_handle fh;
                unsigned char raw[sizeof(struct file_handle) + MAX_HANDLE_SZ];
        } h;
        char *end;
        size_t len = strlen(hex);
        memset(&h, 0, sizeof(h));
        errno = 0;
        long t = strtol(type, &end, 10);
        if (errno || *end || len % 2 || len / 2 > MAX_HANDLE_SZ) {
                fprintf(stderr, "bad handle\n");
                return 2;
        }
        h.fh.handle_type = (int)t;
        h.fh.handle_bytes = (unsigned)(len / 2);
        for (size_t i = 0; i < len / 2; i++) {
                char b[3] = { hex[2 * i], hex[2 * i + 1], 0 };
                h.fh.f_handle[i] = (unsigned char)strtoul(b, NULL, 16);
        }
        int mfd = open(mntpath, O_RDONLY | O_CLOEXEC);
        if (mfd < 0)
                return report("openhandle", -1);
        int fd = (int)syscall(SYS_open_by_handle_at, mfd, &h.fh, O_RDONLY | O_CLOEXEC);
        close(mfd);
        if (fd < 0)
                return report("openhandle", -1);
        char buf[256];
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        buf[n > 0 ? n : 0] = 0;
        buf[strcspn(buf, "\n")] = 0;
        printf("openhandle OK %s\n", buf);
        return 0;
}

static int cmd_fds(void)
{
        DIR *d = opendir("/proc/self/fd");
        if (!d)
                return report("fds", -1);
        int self = dirfd(d);
        printf("fds");
        for (struct dirent *e; (e = readdir(d));) {
                if (e->d_name[0] == '.' || strtol(e->d_name, NULL, 10) == self)
                        continue;
                printf(" %s", e->d_name);
        }
        printf("\n");
        closedir(d);
        char cwd[4096];
        ssize_t n = readlink("/proc/self/cwd", cwd, sizeof(cwd) - 1);
        if (n < 0)
                return report("cwd", -1);
        cwd[n] = 0;
        printf("cwd %s\n", cwd);
        return 0;
}

static int usage(void)
{
        fprintf(stderr, "usage: ct-probe syscalls [NAME...] | writeopen PATH... | write PATH TEXT | "
                        "rewrite PATH | read PATH | exewrite PID | gethandle PATH | "
                        "openhandle MNT TYPE HEX | fds\n");
        return 2;
}

int main(int argc, char **argv)
{
        setvbuf(stdout, NULL, _IOLBF, 0);
        if (argc < 2)
                return usage();
        const char *cmd = argv[1];
        if (strcmp(cmd, "syscalls") == 0)
                return cmd_syscalls(argc - 2, argv + 2);
        if (strcmp(cmd, "writeopen") == 0 && argc >= 3)
                return cmd_writeopen(argc - 2, argv + 2);
        if (strcmp(cmd, "write") == 0 && argc == 4)
                return cmd_write(argv[2], argv[3]);
        if (strcmp(cmd, "rewrite") == 0 && argc == 3)
                return cmd_rewrite(argv[2]);
        if (strcmp(cmd, "read") == 0 && argc == 3)
                return cmd_read(argv[2]);
        if (strcmp(cmd, "exewrite") == 0 && argc == 3)
                return cmd_exewrite(argv[2]);
        if (strcmp(cmd, "gethandle") == 0 && argc == 3)
                return cmd_gethandle(argv[2]);
        if (strcmp(cmd, "openhandle") == 0 && argc == 5)
                return cmd_openhandle(argv[2], argv[3], argv[4]);
        if (strcmp(cmd, "fds") == 0 && argc == 2)
                return cmd_fds();
        return usage();
}
