/* Links: lookup and up/down. */
#include <errno.h>
#include <string.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>

#include "base/log.h"
#include "netns-internal.h"

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

        if (!ifname || strlen(ifname) >= IFNAMSIZ)
                return -EINVAL;
        struct nlmsghdr *nlh = nl_msg_new(nl, buf, RTM_GETLINK, 0);
        struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
        /* a GET without DUMP answers with the message itself, then no ACK unless asked */
        int r = nl_call(nl, nlh, link_cb, &c);
        if (r < 0)
                return r;
        if (c.ifindex <= 0)
                return -ENODEV;
        *ret_ifindex = c.ifindex;
        return 0;
}

int netns_link_set_up(nl_sock *nl, int ifindex, bool up)
{
        char buf[NL_BUF_SIZE];

        struct nlmsghdr *nlh = nl_msg_new(nl, buf, RTM_NEWLINK, 0);
        struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        ifi->ifi_index = ifindex;
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
