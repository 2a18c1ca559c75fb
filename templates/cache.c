/* The template cache: generations in their own directories, an atomically swapped "current". */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/log.h"
#include "templates-internal.h"

bool tmpl_name_valid(const char *name)
{
        if (!name || !*name || name[0] == '.' || strlen(name) > 64)
                return false;
        for (const char *p = name; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      *p == '.' || *p == '_' || *p == '-'))
                        return false;
        return true;
}

int tmpl_open_dir(const char *templates_dir, const char *name, bool create, int *ret_dfd, int *ret_lockfd)
{
        _cleanup_close_ int dfd = -EBADF, lfd = -EBADF;
        int r;

        if (create) {
                r = mkdir_p_at(AT_FDCWD, templates_dir, 0755);
                if (r < 0)
                        return r;
                _cleanup_close_ int base = open(templates_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (base < 0)
                        return -errno;
                if (mkdirat(base, name, 0755) < 0 && errno != EEXIST)
                        return -errno;
                dfd = openat(base, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        } else {
                char p[PATH_MAX];
                snprintf(p, sizeof(p), "%s/%s", templates_dir, name);
                dfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        }
        if (dfd < 0)
                return -errno;
        lfd = openat(dfd, ".lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (lfd < 0)
                return -errno;
        if (flock(lfd, LOCK_EX) < 0)
                return -errno;
        *ret_dfd = TAKE_FD(dfd);
        *ret_lockfd = TAKE_FD(lfd);
        return 0;
}

int tmpl_new_generation_name(char **ret)
{
        struct timespec ts;
        struct tm tm;
        char buf[64];

        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        size_t n = strftime(buf, sizeof(buf), "%Y%m%d-%H%M%S", &tm);
        snprintf(buf + n, sizeof(buf) - n, "-%09ld", ts.tv_nsec);
        *ret = strdup(buf);
        return *ret ? 0 : -ENOMEM;
}

int tmpl_commit_generation(int tdfd, const char *build_dir, const char *gen)
{
        _cleanup_free_ char *tmplink = NULL;

        /* a generation is only ever published whole */
        if (syncfs(tdfd) < 0)
                return -errno;
        if (renameat(tdfd, build_dir, tdfd, gen) < 0)
                return -errno;
        if (asprintf(&tmplink, ".current.%s", gen) < 0)
                return -ENOMEM;
        (void)unlinkat(tdfd, tmplink, 0);
        if (symlinkat(gen, tdfd, tmplink) < 0)
                return -errno;
        if (renameat(tdfd, tmplink, tdfd, "current") < 0) {
                int r = -errno;
                (void)unlinkat(tdfd, tmplink, 0);
                return r;
        }
        if (fsync(tdfd) < 0)
                return -errno;
        return 0;
}

int tmpl_current_rootfs(const char *templates_dir, const char *name, char **ret_rootfs)
{
        char link[PATH_MAX], gen[NAME_MAX + 1];

        if (!tmpl_name_valid(name))
                return -EINVAL;
        snprintf(link, sizeof(link), "%s/%s/current", templates_dir, name);
        ssize_t n = readlink(link, gen, sizeof(gen) - 1);
        if (n < 0)
                return -errno;
        gen[n] = 0;
        if (strchr(gen, '/') || gen[0] == '.')
                return -EUCLEAN;
        char *p;
        if (asprintf(&p, "%s/%s/%s/rootfs", templates_dir, name, gen) < 0)
                return -ENOMEM;
        struct stat st;
        if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode)) {
                free(p);
                return -ENOENT;
        }
        *ret_rootfs = p;
        return 0;
}
