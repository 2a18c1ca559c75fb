/* The CT's own files from its config: /etc/hostname (HOSTNAME), /etc/resolv.conf (NAMESERVER,
 * SEARCHDOMAIN) and /etc/hosts (HOSTNAME and the first IP_ADDRESS), written through templates/. A file
 * that cannot be written is a warning: the CT runs without it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "base/fileio.h"
#include "base/log.h"
#include "engine-internal.h"
#include "netns/netns.h"
#include "templates/templates.h"

void ct_guest_write_files(ct *c, const char *root, bool hostname, bool net)
{
        tmpl_guest g = { .root = root };
        int r;

        if (ct_userns(&c->cfg)) {
                g.uid = c->cfg.local_uid;
                g.gid = c->cfg.local_gid;
        }
        if (hostname && c->cfg.hostname && (r = tmpl_guest_set_hostname(&g, c->cfg.hostname)) < 0)
                log_warning_errno(r, "Cannot write /etc/hostname of CT %u: %m, ignoring", c->id);
        if (!net)
                return;
        if (c->cfg.nameserver || c->cfg.searchdomain) {
                char header[128];
                snprintf(header, sizeof(header),
                         "written by vpsctl (vpsctl set %u --nameserver/--searchdomain)", c->id);
                r = tmpl_guest_set_resolver(&g, header, c->cfg.nameserver, c->cfg.searchdomain);
                if (r < 0)
                        log_warning_errno(r, "Cannot write /etc/resolv.conf of CT %u: %m, ignoring", c->id);
        }
        if (c->cfg.hostname && c->cfg.ip_address && *c->cfg.ip_address) {
                _cleanup_free_ struct ct_ip *ips = NULL;
                size_t n;
                if (ct_ip_list_parse(c->cfg.ip_address, &ips, &n) < 0 || n == 0)
                        return;
                char a[INET6_ADDRSTRLEN];
                inet_ntop(ips[0].family, ips[0].addr, a, sizeof(a));
                if ((r = tmpl_guest_set_hosts(&g, a, c->cfg.hostname)) < 0)
                        log_warning_errno(r, "Cannot write /etc/hosts of CT %u: %m, ignoring", c->id);
        }
}

int ct_host_nameservers(char **ret)
{
        _cleanup_free_ char *buf = NULL, *out = NULL;
        size_t len = 0;
        int r = read_full_file_at(AT_FDCWD, "/etc/resolv.conf", &buf, NULL);
        if (r < 0)
                return r;
        if (!(out = calloc(1, strlen(buf) + 1)))
                return -ENOMEM;
        for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                char ns[INET6_ADDRSTRLEN + 8];
                int fam;
                unsigned char a[16];
                unsigned pl;
                if (sscanf(l, " nameserver %53s", ns) == 1 && netns_parse_addr(ns, &fam, a, &pl) >= 0)
                        len += (size_t)sprintf(out + len, "%s%s", len ? " " : "", ns);
        }
        *ret = TAKE_PTR(out);
        return 0;
}
