/* Calls the netns/ library from a shell script: one operation per run, errors printed by errno name.
 *
 *   netns-driver [-n NS] COMMAND ARGS...
 *
 * NS is a name under /run/netns, a path (/proc/PID/ns/net) or pid:PID (a pidfd): the operation runs through
 * nl_open_in() / the nsfd of netns_sysctl_*(); without -n it runs in the driver's own namespace. After every
 * operation, failed or not, the driver checks that it is still in the namespace it started in (exit 3 if
 * not). Exit 0 on success, 1 on a library error ("error: ENAME (-N): text [kernel: ext-ack]" on stderr), 2
 * on usage. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/rtnetlink.h>

#include "base/parse.h"
#include "netns/netns.h"

static int open_ns(const char *spec)
{
        char path[512];
        unsigned pid;

        if (strncmp(spec, "pid:", 4) == 0) {
                if (safe_atou(spec + 4, &pid) < 0)
                        return -EINVAL;
                int fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
                return fd < 0 ? -errno : fd;
        }
        if (spec[0] == '/')
                snprintf(path, sizeof(path), "%s", spec);
        else
                snprintf(path, sizeof(path), "/run/netns/%s", spec);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

static int own_netns(struct stat *ret)
{
        return stat("/proc/thread-self/ns/net", ret) < 0 ? -errno : 0;
}

static int ifindex_of(nl_sock *nl, const char *name, int *ret)
{
        return netns_link_index(nl, name, ret);
}

static int parse_addr_fam(const char *s, int *family, unsigned char a[16], unsigned *plen)
{
        return netns_parse_addr(s, family, a, plen);
}

static void usage(void)
{
        fprintf(stderr, "usage: netns-driver [-n NS] COMMAND ARGS...\n"
                        "  index IF | up IF | down IF | del IF | mtu IF N | mac IF MAC | rename IF NEW\n"
                        "  master IF BRIDGE|- | bridge NAME | veth HOST CT NS|- [HOSTMAC|- CTMAC|-]\n"
                        "  addr-add IF A/P | addr-del IF A/P | addr-list [IF]\n"
                        "  route-add DST|default [via GW] [dev IF] [scope link|host]\n"
                        "  route-del DST|default [via GW] [dev IF]\n"
                        "  proxy-add IF ADDR | proxy-del IF ADDR\n"
                        "  sysctl-write PATH VALUE | sysctl-read PATH | open\n");
}

static int run_route(nl_sock *nl, bool add, int argc, char **argv)
{
        unsigned char dst[16], gw[16];
        unsigned dst_len = 0, gw_len;
        int family = 0, gw_family, oif = 0, r;
        bool have_dst = false, have_gw = false;
        unsigned char scope = RT_SCOPE_UNIVERSE;

        if (argc < 1)
                return -EINVAL;
        if (strcmp(argv[0], "default") != 0 && strcmp(argv[0], "default6") != 0) {
                r = parse_addr_fam(argv[0], &family, dst, &dst_len);
                if (r < 0)
                        return r;
                have_dst = true;
        } else
                family = strcmp(argv[0], "default6") == 0 ? AF_INET6 : AF_INET;
        for (int i = 1; i + 1 < argc; i += 2) {
                if (strcmp(argv[i], "via") == 0) {
                        r = parse_addr_fam(argv[i + 1], &gw_family, gw, &gw_len);
                        if (r < 0)
                                return r;
                        /* "default" means IPv4 unless the gateway says otherwise */
                        if (!have_dst)
                                family = gw_family;
                        else if (gw_family != family)
                                return -EINVAL;
                        have_gw = true;
                } else if (strcmp(argv[i], "dev") == 0) {
                        r = ifindex_of(nl, argv[i + 1], &oif);
                        if (r < 0)
                                return r;
                } else if (strcmp(argv[i], "scope") == 0) {
                        if (strcmp(argv[i + 1], "link") == 0)
                                scope = RT_SCOPE_LINK;
                        else if (strcmp(argv[i + 1], "host") == 0)
                                scope = RT_SCOPE_HOST;
                        else
                                return -EINVAL;
                } else
                        return -EINVAL;
        }
        if (add)
                return netns_route_add(nl, family, have_dst ? dst : NULL, dst_len, have_gw ? gw : NULL, oif,
                                       scope);
        return netns_route_del(nl, family, have_dst ? dst : NULL, dst_len, have_gw ? gw : NULL, oif);
}

static int run_nl(nl_sock *nl, int argc, char **argv)
{
        const char *cmd = argv[0];
        int r, idx, idx2;

        if (strcmp(cmd, "open") == 0)
                return 0;
        if (strcmp(cmd, "index") == 0 && argc == 2) {
                r = ifindex_of(nl, argv[1], &idx);
                if (r >= 0)
                        printf("%d\n", idx);
                return r;
        }
        if ((strcmp(cmd, "up") == 0 || strcmp(cmd, "down") == 0) && argc == 2) {
                r = ifindex_of(nl, argv[1], &idx);
                return r < 0 ? r : netns_link_set_up(nl, idx, strcmp(cmd, "up") == 0);
        }
        if (strcmp(cmd, "del") == 0 && argc == 2)
                return netns_link_del(nl, argv[1]);
        if (strcmp(cmd, "mtu") == 0 && argc == 3) {
                unsigned mtu;
                r = safe_atou(argv[2], &mtu);
                if (r < 0)
                        return r;
                r = ifindex_of(nl, argv[1], &idx);
                return r < 0 ? r : netns_link_set_mtu(nl, idx, mtu);
        }
        if (strcmp(cmd, "mac") == 0 && argc == 3) {
                uint8_t mac[6];
                r = netns_parse_mac(argv[2], mac);
                if (r < 0)
                        return r;
                r = ifindex_of(nl, argv[1], &idx);
                return r < 0 ? r : netns_link_set_mac(nl, idx, mac);
        }
        if (strcmp(cmd, "rename") == 0 && argc == 3) {
                r = ifindex_of(nl, argv[1], &idx);
                return r < 0 ? r : netns_link_rename(nl, idx, argv[2]);
        }
        if (strcmp(cmd, "master") == 0 && argc == 3) {
                r = ifindex_of(nl, argv[1], &idx);
                if (r < 0)
                        return r;
                idx2 = 0;
                if (strcmp(argv[2], "-") != 0) {
                        r = ifindex_of(nl, argv[2], &idx2);
                        if (r < 0)
                                return r;
                }
                return netns_link_set_master(nl, idx, idx2);
        }
        if (strcmp(cmd, "bridge") == 0 && argc == 2)
                return netns_bridge_create(nl, argv[1]);
        if (strcmp(cmd, "veth") == 0 && (argc == 4 || argc == 6)) {
                _cleanup_close_ int peer_fd = -EBADF;
                uint8_t hmac[6], cmac[6];
                bool have_h = false, have_c = false;
                if (strcmp(argv[3], "-") != 0) {
                        peer_fd = open_ns(argv[3]);
                        if (peer_fd < 0)
                                return peer_fd;
                }
                if (argc == 6 && strcmp(argv[4], "-") != 0) {
                        r = netns_parse_mac(argv[4], hmac);
                        if (r < 0)
                                return r;
                        have_h = true;
                }
                if (argc == 6 && strcmp(argv[5], "-") != 0) {
                        r = netns_parse_mac(argv[5], cmac);
                        if (r < 0)
                                return r;
                        have_c = true;
                }
                return netns_veth_create(nl, argv[1], argv[2], peer_fd, have_h ? hmac : NULL,
                                         have_c ? cmac : NULL);
        }
        if ((strcmp(cmd, "addr-add") == 0 || strcmp(cmd, "addr-del") == 0) && argc == 3) {
                unsigned char a[16];
                unsigned plen;
                int family;
                r = parse_addr_fam(argv[2], &family, a, &plen);
                if (r < 0)
                        return r;
                r = ifindex_of(nl, argv[1], &idx);
                if (r < 0)
                        return r;
                if (strcmp(cmd, "addr-add") == 0)
                        return netns_addr_add(nl, idx, family, a, plen);
                return netns_addr_del(nl, idx, family, a, plen);
        }
        if (strcmp(cmd, "addr-list") == 0 && argc <= 2) {
                _cleanup_free_ netns_addr *v = NULL;
                size_t n;
                idx = 0;
                if (argc == 2) {
                        r = ifindex_of(nl, argv[1], &idx);
                        if (r < 0)
                                return r;
                }
                r = netns_addr_list(nl, idx, &v, &n);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < n; i++) {
                        char s[INET6_ADDRSTRLEN];
                        inet_ntop(v[i].family, v[i].addr, s, sizeof(s));
                        printf("%d %s/%u\n", v[i].ifindex, s, v[i].prefixlen);
                }
                return 0;
        }
        if (strcmp(cmd, "route-add") == 0 || strcmp(cmd, "route-del") == 0)
                return run_route(nl, strcmp(cmd, "route-add") == 0, argc - 1, argv + 1);
        if ((strcmp(cmd, "proxy-add") == 0 || strcmp(cmd, "proxy-del") == 0) && argc == 3) {
                unsigned char a[16];
                unsigned plen;
                int family;
                r = parse_addr_fam(argv[2], &family, a, &plen);
                if (r < 0)
                        return r;
                r = ifindex_of(nl, argv[1], &idx);
                if (r < 0)
                        return r;
                if (strcmp(cmd, "proxy-add") == 0)
                        return netns_neigh_proxy_add(nl, family, a, idx);
                return netns_neigh_proxy_del(nl, family, a, idx);
        }
        usage();
        exit(2);
}

static int run(const char *ns, int argc, char **argv)
{
        _cleanup_close_ int nsfd = -EBADF;
        int r;

        if (ns) {
                nsfd = open_ns(ns);
                if (nsfd < 0)
                        return nsfd;
        }
        const char *cmd = argv[0];
        if (strcmp(cmd, "sysctl-write") == 0) {
                if (argc != 3)
                        return -EINVAL;
                return netns_sysctl_write(nsfd, argv[1], argv[2]);
        }
        if (strcmp(cmd, "sysctl-read") == 0) {
                _cleanup_free_ char *v = NULL;
                if (argc != 2)
                        return -EINVAL;
                r = netns_sysctl_read(nsfd, argv[1], &v);
                if (r >= 0)
                        printf("%s\n", v);
                return r;
        }

        _cleanup_nl_ nl_sock *nl = NULL;
        r = nsfd >= 0 ? nl_open_in(nsfd, &nl) : nl_open(&nl);
        if (r < 0)
                return r;
        r = run_nl(nl, argc, argv);
        if (r < 0 && nl_last_error(nl))
                fprintf(stderr, "kernel: %s\n", nl_last_error(nl));
        return r;
}

int main(int argc, char **argv)
{
        const char *ns = NULL;
        struct stat before, after;

        if (argc >= 3 && strcmp(argv[1], "-n") == 0) {
                ns = argv[2];
                argc -= 2;
                argv += 2;
        }
        if (argc < 2) {
                usage();
                return 2;
        }
        if (own_netns(&before) < 0)
                return 3;

        int r = run(ns, argc - 1, argv + 1);

        if (own_netns(&after) < 0 || before.st_ino != after.st_ino || before.st_dev != after.st_dev) {
                fprintf(stderr, "error: the driver was left in another network namespace\n");
                return 3;
        }
        if (r < 0) {
                const char *name = strerrorname_np(-r);
                fprintf(stderr, "error: %s (%d): %s\n", name ? name : "?", r, strerror(-r));
                return 1;
        }
        return 0;
}
