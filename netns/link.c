/* Links: lookup, up/down, veth pairs, bridges, rename/mtu/mac/master, delete. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/nsfs.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "base/log.h"
#include "netns-internal.h"

bool netns_ifname_valid(const char *name)
{
        /* the kernel's dev_valid_name(): sysfs and /proc/sys/net use the name as a path component */
        if (!name || !*name || strlen(name) >= IFNAMSIZ || streq(name, ".") || streq(name, ".."))
                return false;
        for (const char *p = name; *p; p++)
                if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
                        return false;
        return true;
}

struct index_ctx {
        int ifindex;
};

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
        struct index_ctx *c = data;
        const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
        c->ifindex = ifi->ifi_index;
        return MNL_CB_OK;
}

int netns_link_index(nl_sock *nl, const char *ifname, int *ret_ifindex)
{
        char buf[NL_BUF_SIZE];
        struct index_ctx c = { .ifindex = 0 };

        if (!netns_ifname_valid(ifname))
                return -EINVAL;
        struct nlmsghdr *nlh = nl_msg_new(nl, buf, RTM_GETLINK, 0);
        struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
        /* a GET without DUMP answers with the message itself, then the ACK nl_call asks for */
        int r = nl_call(nl, nlh, link_cb, &c);
        if (r < 0)
                return r;
        if (c.ifindex <= 0)
                return -ENODEV;
        *ret_ifindex = c.ifindex;
        return 0;
}

/* An RTM_NEWLINK without NLM_F_CREATE changes the existing link ifindex. */
static struct nlmsghdr *link_change_msg(nl_sock *nl, void *buf, int ifindex)
{
        struct nlmsghdr *nlh = nl_msg_new(nl, buf, RTM_NEWLINK, 0);
        struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        ifi->ifi_index = ifindex;
        return nlh;
}

int netns_link_set_up(nl_sock *nl, int ifindex, bool up)
{
        char buf[NL_BUF_SIZE];

        if (ifindex <= 0)
                return -EINVAL;
        struct nlmsghdr *nlh = link_change_msg(nl, buf, ifindex);
        struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
        ifi->ifi_change = IFF_UP;
        ifi->ifi_flags = up ? IFF_UP : 0;
        return nl_call(nl, nlh, NULL, NULL);
}

int netns_loopback_up(void)
{
        _cleanup_nl_ nl_sock *nl = NULL;
        int r = nl_open(&nl);
        if (r < 0)
                return r;
        /* lo is always ifindex 1 in a fresh namespace; look it up anyway to be sure */
        int idx;
        r = netns_link_index(nl, "lo", &idx);
        if (r < 0)
                return r;
        return netns_link_set_up(nl, idx, true);
}

int netns_req_veth_create(nl_sock *nl, void *buf, const char *host_if, const char *ct_if, int ct_nsfd,
                          const uint8_t host_mac[6], const uint8_t ct_mac[6], struct nlmsghdr **ret)
{
        if (!netns_ifname_valid(host_if) || !netns_ifname_valid(ct_if))
                return -EINVAL;

        struct nlmsghdr *nlh = nl_msg_new(nl, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
        struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        mnl_attr_put_strz(nlh, IFLA_IFNAME, host_if);
        if (host_mac)
                mnl_attr_put(nlh, IFLA_ADDRESS, 6, host_mac);

        struct nlattr *linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
        mnl_attr_put_str(nlh, IFLA_INFO_KIND, "veth");
        struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
        struct nlattr *peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
        /* the peer is described like a whole RTM_NEWLINK: its own ifinfomsg, then its attributes */
        struct ifinfomsg *peer_ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*peer_ifi));
        peer_ifi->ifi_family = AF_UNSPEC;
        mnl_attr_put_strz(nlh, IFLA_IFNAME, ct_if);
        if (ct_mac)
                mnl_attr_put(nlh, IFLA_ADDRESS, 6, ct_mac);
        if (ct_nsfd >= 0)
                mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)ct_nsfd);
        mnl_attr_nest_end(nlh, peer);
        mnl_attr_nest_end(nlh, data);
        mnl_attr_nest_end(nlh, linkinfo);
        *ret = nlh;
        return 0;
}

/* IFLA_NET_NS_FD takes only a namespace file, not a pidfd: return a netns fd of our own for either. */
static int net_ns_fd(int nsfd)
{
        int t = ioctl(nsfd, NS_GET_NSTYPE);
        if (t >= 0) {
                if (t != CLONE_NEWNET)
                        return -EINVAL;
                int fd = fcntl(nsfd, F_DUPFD_CLOEXEC, 3);
                return fd < 0 ? negative_errno() : fd;
        }

        /* not a namespace file: a pidfd, which setns() accepts */
        int saved;
        int r = netns_enter(nsfd, &saved);
        if (r < 0)
                return r;
        int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        r = fd < 0 ? negative_errno() : fd;
        netns_leave(saved);
        return r;
}

int netns_veth_create(nl_sock *nl, const char *host_if, const char *ct_if, int ct_nsfd,
                      const uint8_t host_mac[6], const uint8_t ct_mac[6])
{
        char buf[NL_BUF_SIZE];
        _cleanup_close_ int fd = -EBADF;
        struct nlmsghdr *nlh;
        int r;

        if (ct_nsfd >= 0) {
                fd = net_ns_fd(ct_nsfd);
                if (fd < 0)
                        return fd;
        }
        r = netns_req_veth_create(nl, buf, host_if, ct_if, fd, host_mac, ct_mac, &nlh);
        if (r < 0)
                return r;
        r = nl_call(nl, nlh, NULL, NULL);
        if (r < 0)
                log_debug_errno(r, "RTM_NEWLINK veth %s/%s: %m (%s)", host_if, ct_if,
                                strna(nl_last_error(nl)));
        return r;
}

int netns_link_del(nl_sock *nl, const char *ifname)
{
        char buf[NL_BUF_SIZE];

        if (!netns_ifname_valid(ifname))
                return -EINVAL;
        struct nlmsghdr *nlh = nl_msg_new(nl, buf, RTM_DELLINK, 0);
        struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
        return nl_call(nl, nlh, NULL, NULL);
}

int netns_link_set_mtu(nl_sock *nl, int ifindex, unsigned mtu)
{
        char buf[NL_BUF_SIZE];

        if (ifindex <= 0 || mtu == 0)
                return -EINVAL;
        struct nlmsghdr *nlh = link_change_msg(nl, buf, ifindex);
        mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
        return nl_call(nl, nlh, NULL, NULL);
}

int netns_link_set_mac(nl_sock *nl, int ifindex, const uint8_t mac[6])
{
        char buf[NL_BUF_SIZE];

        if (ifindex <= 0 || !mac)
                return -EINVAL;
        struct nlmsghdr *nlh = link_change_msg(nl, buf, ifindex);
        mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
        return nl_call(nl, nlh, NULL, NULL);
}

int netns_link_rename(nl_sock *nl, int ifindex, const char *newname)
{
        char buf[NL_BUF_SIZE];

        if (ifindex <= 0 || !netns_ifname_valid(newname))
                return -EINVAL;
        struct nlmsghdr *nlh = link_change_msg(nl, buf, ifindex);
        mnl_attr_put_strz(nlh, IFLA_IFNAME, newname);
        return nl_call(nl, nlh, NULL, NULL);
}

int netns_link_set_master(nl_sock *nl, int ifindex, int master_ifindex)
{
        char buf[NL_BUF_SIZE];

        if (ifindex <= 0 || master_ifindex < 0)
                return -EINVAL;
        struct nlmsghdr *nlh = link_change_msg(nl, buf, ifindex);
        mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master_ifindex);
        return nl_call(nl, nlh, NULL, NULL);
}

int netns_req_link_create(nl_sock *nl, void *buf, const char *name, const char *kind, unsigned txqlen,
                          struct nlmsghdr **ret)
{
        if (!netns_ifname_valid(name))
                return -EINVAL;
        struct nlmsghdr *nlh = nl_msg_new(nl, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
        struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
        if (txqlen > 0)
                mnl_attr_put_u32(nlh, IFLA_TXQLEN, txqlen);
        struct nlattr *linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
        mnl_attr_put_str(nlh, IFLA_INFO_KIND, kind);
        mnl_attr_nest_end(nlh, linkinfo);
        *ret = nlh;
        return 0;
}

int netns_req_bridge_create(nl_sock *nl, void *buf, const char *name, struct nlmsghdr **ret)
{
        return netns_req_link_create(nl, buf, name, "bridge", 0, ret);
}

int netns_bridge_create(nl_sock *nl, const char *name)
{
        char buf[NL_BUF_SIZE];
        struct nlmsghdr *nlh;

        int r = netns_req_bridge_create(nl, buf, name, &nlh);
        if (r < 0)
                return r;
        return nl_call(nl, nlh, NULL, NULL);
}
