/* Per-interface counters of a namespace: one RTM_GETLINK dump, IFLA_STATS64 of each link. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "netns-internal.h"

int netns_req_link_dump(nl_sock *nl, void *buf, struct nlmsghdr **ret)
{
        struct nlmsghdr *nlh = nl_msg_new(nl, buf, RTM_GETLINK, NLM_F_DUMP);
        struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        /* no VF or per-address-family extras: the dump stays one small message per link */
        mnl_attr_put_u32(nlh, IFLA_EXT_MASK, 0);
        *ret = nlh;
        return 0;
}

static int link_attr_cb(const struct nlattr *attr, void *data)
{
        const struct nlattr **tb = data;
        uint16_t t = mnl_attr_get_type(attr);
        if (t == IFLA_IFNAME || t == IFLA_STATS64)
                tb[t] = attr;
        return MNL_CB_OK;
}

int netns_link_stats_parse(const struct nlmsghdr *nlh, netns_link_stats *ret)
{
        const struct nlattr *tb[IFLA_MAX + 1] = { NULL };

        if (nlh->nlmsg_type != RTM_NEWLINK)
                return 0;
        if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct ifinfomsg))
                return -EBADMSG;
        const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
        if (mnl_attr_parse(nlh, sizeof(*ifi), link_attr_cb, tb) < 0)
                return -EBADMSG;
        const struct nlattr *name = tb[IFLA_IFNAME];
        if (!name || mnl_attr_get_payload_len(name) == 0)
                return -EBADMSG;
        netns_link_stats s = { .ifindex = ifi->ifi_index, .up = (ifi->ifi_flags & IFF_UP) != 0 };
        size_t len = strnlen(mnl_attr_get_payload(name), mnl_attr_get_payload_len(name));
        if (len == 0 || len >= sizeof(s.ifname))
                return -EBADMSG;
        memcpy(s.ifname, mnl_attr_get_payload(name), len);
        /* a link without counters (none the kernel keeps) reads as zeros */
        const struct nlattr *st = tb[IFLA_STATS64];
        if (st) {
                struct rtnl_link_stats64 k = { 0 };
                /* older kernels send a shorter struct: take what is there */
                memcpy(&k, mnl_attr_get_payload(st), MIN((size_t)mnl_attr_get_payload_len(st), sizeof(k)));
                s.rx_bytes = k.rx_bytes;
                s.tx_bytes = k.tx_bytes;
                s.rx_packets = k.rx_packets;
                s.tx_packets = k.tx_packets;
                s.rx_errors = k.rx_errors;
                s.tx_errors = k.tx_errors;
                s.rx_dropped = k.rx_dropped;
                s.tx_dropped = k.tx_dropped;
        }
        *ret = s;
        return 1;
}

struct stats_list {
        netns_link_stats *v;
        size_t n, alloc;
};

static int stats_dump_cb(const struct nlmsghdr *nlh, void *data)
{
        struct stats_list *l = data;
        netns_link_stats s;
        int r = netns_link_stats_parse(nlh, &s);
        if (r <= 0)
                return MNL_CB_OK; /* not a link, or one we cannot name: skipped, not fatal */
        if (l->n == l->alloc) {
                size_t n = l->alloc ? l->alloc * 2 : 4;
                netns_link_stats *t = reallocarray(l->v, n, sizeof(*t));
                if (!t) {
                        errno = ENOMEM;
                        return MNL_CB_ERROR;
                }
                l->v = t;
                l->alloc = n;
        }
        l->v[l->n++] = s;
        return MNL_CB_OK;
}

int netns_link_stats_list(nl_sock *nl, netns_link_stats **ret, size_t *ret_n)
{
        char buf[NL_BUF_SIZE];
        int r = -EINTR;

        /* a dump interrupted by a concurrent change is incomplete: take it again */
        for (unsigned attempt = 0; attempt < 5 && r == -EINTR; attempt++) {
                struct stats_list l = { 0 };
                struct nlmsghdr *nlh;
                (void)netns_req_link_dump(nl, buf, &nlh);
                r = nl_call(nl, nlh, stats_dump_cb, &l);
                if (r < 0) {
                        free(l.v);
                        continue;
                }
                *ret = l.v;
                *ret_n = l.n;
        }
        return r;
}
