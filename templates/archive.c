/* Tarballs: importing a rootfs tarball (OpenVZ/LXC/any `tar -C rootfs -c .`) and exporting a template.
 *
 * The system's GNU tar does the work, in the build sandbox (templates/sandbox.c), not libarchive in our
 * process: this is not a hot path, tar already handles every member type, owners, xattrs, ACLs, sparse
 * files and hard links and refuses `..` members and symlinks out of the tree on extraction, and a hostile
 * archive's parser bugs then live in a short-lived process of its own rather than in vpsctl. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/log.h"
#include "templates-internal.h"

int tmpl_compression_sniff(int fd, tmpl_compression *ret)
{
        unsigned char b[512];
        ssize_t n = pread(fd, b, sizeof(b), 0);

        if (n < 0)
                return negative_errno();
        if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
                *ret = TMPL_COMPRESSION_GZIP;
        else if (n >= 6 && memcmp(b,
                                  "\xfd"
                                  "7zXZ\0",
                                  6) == 0)
                *ret = TMPL_COMPRESSION_XZ;
        else if (n >= 4 && memcmp(b, "\x28\xb5\x2f\xfd", 4) == 0)
                *ret = TMPL_COMPRESSION_ZSTD;
        else if (n >= 3 && memcmp(b, "BZh", 3) == 0)
                *ret = TMPL_COMPRESSION_BZIP2;
        else if (n >= 262 && memcmp(b + 257, "ustar", 5) == 0)
                *ret = TMPL_COMPRESSION_NONE;
        else
                *ret = TMPL_COMPRESSION_UNKNOWN;
        return 0;
}

static const struct {
        const char *suffix;
        tmpl_compression c;
} suffixes[] = {
        { ".tar.gz", TMPL_COMPRESSION_GZIP },  { ".tgz", TMPL_COMPRESSION_GZIP },
        { ".tar.xz", TMPL_COMPRESSION_XZ },    { ".txz", TMPL_COMPRESSION_XZ },
        { ".tar.zst", TMPL_COMPRESSION_ZSTD }, { ".tar.zstd", TMPL_COMPRESSION_ZSTD },
        { ".tzst", TMPL_COMPRESSION_ZSTD },    { ".tar.bz2", TMPL_COMPRESSION_BZIP2 },
        { ".tbz2", TMPL_COMPRESSION_BZIP2 },   { ".tar", TMPL_COMPRESSION_NONE },
};

static bool ends_with(const char *s, const char *suffix)
{
        size_t a = strlen(s), b = strlen(suffix);
        return a > b && strcasecmp(s + a - b, suffix) == 0;
}

tmpl_compression tmpl_compression_from_name(const char *file)
{
        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++)
                if (ends_with(file, suffixes[i].suffix))
                        return suffixes[i].c;
        return TMPL_COMPRESSION_UNKNOWN;
}

const char *tmpl_compression_program(tmpl_compression c)
{
        static const char *const progs[] = {
                [TMPL_COMPRESSION_NONE] = NULL,     [TMPL_COMPRESSION_GZIP] = "gzip",
                [TMPL_COMPRESSION_XZ] = "xz",       [TMPL_COMPRESSION_ZSTD] = "zstd",
                [TMPL_COMPRESSION_BZIP2] = "bzip2",
        };
        return (size_t)c < ELEMENTSOF(progs) ? progs[c] : NULL;
}

static const char *tar_flag(tmpl_compression c)
{
        switch (c) {
        case TMPL_COMPRESSION_GZIP:
                return "--gzip";
        case TMPL_COMPRESSION_XZ:
                return "--xz";
        case TMPL_COMPRESSION_ZSTD:
                return "--zstd";
        case TMPL_COMPRESSION_BZIP2:
                return "--bzip2";
        default:
                return NULL;
        }
}

int tmpl_name_from_file(const char *file, char **ret)
{
        _cleanup_free_ char *copy = strdup(file);
        if (!copy)
                return -ENOMEM;
        char *b = basename(copy);
        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++)
                if (ends_with(b, suffixes[i].suffix)) {
                        b[strlen(b) - strlen(suffixes[i].suffix)] = 0;
                        break;
                }
        if (!tmpl_name_valid(b))
                return -EINVAL;
        *ret = strdup(b);
        return *ret ? 0 : -ENOMEM;
}

static void to_log(void *userdata, const char *line)
{
        FILE *f = userdata;
        if (f) {
                fputs(line, f);
                fputc('\n', f);
        } else
                log_debug("tar: %s", line);
}

static char *const tar_env[] = { (char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin", (char *)"LC_ALL=C", NULL };

int tmpl_extract(const char *file, const char *dir, FILE *log)
{
        _cleanup_close_ int fd = open(file, O_RDONLY | O_CLOEXEC);
        tmpl_compression c = TMPL_COMPRESSION_UNKNOWN;
        int r, status;

        if (fd < 0)
                return negative_errno();
        r = tmpl_compression_sniff(fd, &c);
        if (r < 0)
                return r;
        if (c == TMPL_COMPRESSION_UNKNOWN)
                return -EMEDIUMTYPE;
        const char *prog = tmpl_compression_program(c);
        if (prog && !tmpl_program_available(prog))
                return -ENOPROTOOPT;
        /* the archive is read through our fd: what we sniffed is what tar reads */
        char src[64];
        snprintf(src, sizeof(src), "/proc/self/fd/%d", fd);
        int keep = fcntl(fd, F_GETFD);
        if (keep < 0 || fcntl(fd, F_SETFD, keep & ~FD_CLOEXEC) < 0)
                return negative_errno();
        char *argv[] = { (char *)"tar",
                         (char *)"--extract",
                         (char *)"--file",
                         src,
                         (char *)"--directory",
                         (char *)dir,
                         (char *)"--numeric-owner",
                         (char *)"--same-owner",
                         (char *)"--same-permissions",
                         (char *)"--xattrs",
                         (char *)"--xattrs-include=*",
                         (char *)"--acls",
                         (char *)tar_flag(c),
                         NULL };
        if (log)
                fprintf(log, "+ tar --extract --file %s --directory %s %s\n", file, dir,
                        strempty(tar_flag(c)));
        tmpl_run_opts o = { .env = tar_env, .line = to_log, .userdata = log };
        r = tmpl_run(argv, &o, &status);
        (void)fcntl(fd, F_SETFD, keep);
        if (r < 0)
                return r;
        if (status != 0) {
                if (log)
                        fprintf(log, "tar failed with exit status %d\n", status);
                return -EPROTO;
        }
        return 0;
}

int tmpl_export(const char *templates_dir, const char *name, const char *file)
{
        _cleanup_close_ int tdfd = -EBADF, glk = -EBADF;
        _cleanup_free_ char *gen = NULL, *rootfs = NULL, *tmp = NULL, *copy = NULL;
        int r, status;

        tmpl_compression c = tmpl_compression_from_name(file);
        if (c == TMPL_COMPRESSION_UNKNOWN)
                return -EMEDIUMTYPE;
        const char *prog = tmpl_compression_program(c);
        if (prog && !tmpl_program_available(prog))
                return -ENOPROTOOPT;
        r = tmpl_open_dir(templates_dir, name, false, &tdfd);
        if (r < 0)
                return r;
        /* shared: a rebuild may publish meanwhile, but cannot prune what we read */
        r = tmpl_lock(tdfd, TMPL_GEN_LOCK, LOCK_SH, false, &glk);
        if (r < 0)
                return r;
        r = tmpl_read_current(tdfd, &gen);
        if (r < 0)
                return r;
        if (asprintf(&rootfs, "%s/%s/%s/rootfs", templates_dir, name, gen) < 0)
                return -ENOMEM;
        /* written aside in the same directory, renamed in whole */
        if (!(copy = strdup(file)))
                return -ENOMEM;
        const char *base = basename(copy);
        size_t dirlen = (size_t)(base - copy);
        if (asprintf(&tmp, "%.*s.%s.vpsctl-export.%d", (int)dirlen, file, base, (int)getpid()) < 0)
                return -ENOMEM;
        char *argv[] = { (char *)"tar",
                         (char *)"--create",
                         (char *)"--file",
                         tmp,
                         (char *)"--directory",
                         rootfs,
                         (char *)"--numeric-owner",
                         (char *)"--sort=name",
                         (char *)"--xattrs",
                         (char *)"--xattrs-include=*",
                         (char *)"--acls",
                         (char *)".",
                         NULL,
                         NULL };
        if (tar_flag(c)) {
                argv[11] = (char *)tar_flag(c);
                argv[12] = (char *)".";
        }
        tmpl_run_opts o = { .env = tar_env, .line = to_log };
        r = tmpl_run(argv, &o, &status);
        if (r >= 0 && status != 0)
                r = -EPROTO;
        if (r >= 0) {
                _cleanup_close_ int fd = open(tmp, O_RDONLY | O_CLOEXEC);
                if (fd < 0 || fsync(fd) < 0)
                        r = negative_errno();
        }
        if (r >= 0 && rename(tmp, file) < 0)
                r = negative_errno();
        if (r < 0)
                (void)unlink(tmp);
        return r;
}
