/* The guest's own configuration files, written from the host: /etc/hostname, /etc/hosts and
 * /etc/resolv.conf. Every path is resolved inside the guest's root, so a symlink the guest made never
 * leads a write out of it. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/macro.h"
#include "templates.h"

int tmpl_guest_write_file(const tmpl_guest *g, const char *dir, const char *name, const char *content)
{
        _cleanup_close_ int rootfd = open(g->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return negative_errno();
        _cleanup_close_ int dfd = open_in_root(rootfd, dir, O_RDONLY | O_DIRECTORY);
        if (dfd < 0)
                return dfd;
        /* In a user namespace the guest's root is a host id of its own: the file is made as that id, as if
         * the guest wrote it. Through an idmapped mount (the copy layout) nothing else could be made at
         * all: host root has no id on it (EOVERFLOW). fsuid/fsgid are the calling thread's, restored. */
        bool as_guest = g->uid || g->gid;
        int old_uid = 0, old_gid = 0;
        if (as_guest) {
                old_gid = setfsgid(g->gid);
                old_uid = setfsuid(g->uid);
        }
        int r = write_file_atomic_at(dfd, name, content, strlen(content), 0644);
        if (as_guest) {
                (void)setfsuid((uid_t)old_uid);
                (void)setfsgid((gid_t)old_gid);
        }
        if (r >= 0 && as_guest && fchownat(dfd, name, g->uid, g->gid, AT_SYMLINK_NOFOLLOW) < 0)
                r = negative_errno();
        return r;
}

int tmpl_guest_set_hostname(const tmpl_guest *g, const char *hostname)
{
        char buf[300];
        if ((size_t)snprintf(buf, sizeof(buf), "%s\n", hostname) >= sizeof(buf))
                return -E2BIG;
        return tmpl_guest_write_file(g, "etc", "hostname", buf);
}

int tmpl_guest_set_resolver(const tmpl_guest *g, const char *header, const char *nameservers,
                            const char *searchdomains)
{
        char buf[2048];
        size_t len = 0;
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "# %s\n", header);
        if (searchdomains && *searchdomains)
                len += (size_t)snprintf(buf + len, sizeof(buf) - len, "search %s\n", searchdomains);
        _cleanup_free_ char *copy = strdup(nameservers ? nameservers : "");
        if (!copy)
                return -ENOMEM;
        for (char *save = NULL, *t = strtok_r(copy, " ", &save); t && len < sizeof(buf);
             t = strtok_r(NULL, " ", &save))
                len += (size_t)snprintf(buf + len, sizeof(buf) - len, "nameserver %s\n", t);
        if (len >= sizeof(buf))
                return -E2BIG;
        return tmpl_guest_write_file(g, "etc", "resolv.conf", buf);
}

int tmpl_guest_set_hosts(const tmpl_guest *g, const char *addr, const char *hostname)
{
        /* the guest's own lines stay; ours (marked) are replaced */
        _cleanup_free_ char *old = NULL, *out = NULL;
        _cleanup_close_ int rootfd = open(g->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return negative_errno();
        /* read inside the root too: a guest's etc/hosts may be a symlink to a host file it wants to see */
        _cleanup_close_ int hfd = open_in_root(rootfd, "etc/hosts", O_RDONLY | O_NOCTTY);
        if (hfd >= 0)
                (void)read_full_fd(hfd, &old, NULL);
        size_t cap = (old ? strlen(old) : 0) + 512 + 2 * strlen(hostname), len = 0;
        if (!(out = malloc(cap)))
                return -ENOMEM;
        out[0] = 0;
        if (!old || !strstr(old, "localhost"))
                len += (size_t)snprintf(out + len, cap - len, "127.0.0.1 localhost\n::1 localhost\n");
        for (char *save = NULL, *l = old ? strtok_r(old, "\n", &save) : NULL; l;
             l = strtok_r(NULL, "\n", &save))
                if (!strstr(l, "# vpsctl"))
                        len += (size_t)snprintf(out + len, cap - len, "%s\n", l);
        const char *dot = strchr(hostname, '.');
        if (dot)
                len += (size_t)snprintf(out + len, cap - len, "%s %s %.*s # vpsctl\n", addr, hostname,
                                        (int)(dot - hostname), hostname);
        else
                len += (size_t)snprintf(out + len, cap - len, "%s %s # vpsctl\n", addr, hostname);
        if (len >= cap)
                return -E2BIG;
        return tmpl_guest_write_file(g, "etc", "hosts", out);
}
