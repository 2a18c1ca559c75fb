/* /proc/sys/net of a network namespace. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "base/fileio.h"
#include "base/log.h"
#include "netns-internal.h"

/* Relative, no empty, "." or ".." components: the path can only name something under /proc/sys/net. */
static bool sysctl_path_valid(const char *path)
{
        if (!path || !*path || strlen(path) >= 1024)
                return false;
        for (const char *p = path; *p;) {
                size_t n = strcspn(p, "/");
                if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
                        return false;
                p += n;
                if (*p == '/' && *++p == 0)
                        return false;
        }
        return true;
}

/* /proc/sys/net shows the namespace of the task that looks it up, and some handlers act on the writer's
 * namespace rather than the file's: open, write or read, and close, all from inside nsfd. */
static int sysctl_access(int nsfd, const char *path, const char *value, char **ret)
{
        int saved, r;

        if (!sysctl_path_valid(path))
                return -EINVAL;
        r = netns_enter(nsfd, &saved);
        if (r < 0)
                return r;
        int dfd = open("/proc/sys/net", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                r = negative_errno();
        else if (value)
                r = write_string_at(dfd, path, value);
        else
                r = read_one_line_at(dfd, path, ret);
        safe_close(dfd);
        netns_leave(saved);
        return r;
}

int netns_sysctl_write(int nsfd, const char *path, const char *value)
{
        if (!value || !*value)
                return -EINVAL;
        int r = sysctl_access(nsfd, path, value, NULL);
        if (r < 0)
                log_debug_errno(r, "Failed to write '%s' to /proc/sys/net/%s: %m", value, strna(path));
        return r;
}

int netns_sysctl_read(int nsfd, const char *path, char **ret)
{
        if (!ret)
                return -EINVAL;
        return sysctl_access(nsfd, path, NULL, ret);
}
