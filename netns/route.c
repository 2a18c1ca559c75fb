/* Routes of the main table and proxy ARP/NDP entries: what routed (venet-style) mode is made of. */
#include <errno.h>
#include <sys/socket.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "base/log.h"
#include "netns-internal.h"

int netns_req_route(nl_sock *nl, void *buf, uint16_t type, int family, const void *dst, unsigned dst_len,
                    const void *gw, int oif, unsigned char scope, struct nlmsghdr **ret)
{
        int len = netns_family_len(family);
        if (len < 0)
                return len;
        if ((type != RTM_NEWROUTE && type != RTM_DELROUTE) || dst_len > (unsigned)len * 8 ||
            (!dst && dst_len) || oif < 0)
                return -EINVAL;
        if (type == RTM_NEWROUTE && scope != RT_SCOPE_UNIVERSE && scope != RT_SCOPE_LINK &&
            scope != RT_SCOPE_HOST)
                return -EINVAL;

        bool add = type == RTM_NEWROUTE;
        struct nlmsghdr *nlh = nl_msg_new(nl, buf, type, add ? NLM_F_CREATE | NLM_F_EXCL : 0);
        struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
        rtm->rtm_family = (unsigned char)family;
        rtm->rtm_dst_len = (unsigned char)dst_len;
        rtm->rtm_table = RT_TABLE_MAIN;
        if (add) {
                /* what `ip route add` sends by default */
                rtm->rtm_protocol = RTPROT_BOOT;
                rtm->rtm_scope = scope;
                rtm->rtm_type = RTN_UNICAST;
        } else {
                /* match any scope, protocol and type: the key is table, destination, gateway, device */
                rtm->rtm_scope = RT_SCOPE_NOWHERE;
        }
        if (dst)
                mnl_attr_put(nlh, RTA_DST, (size_t)len, dst);
        if (gw)
                mnl_attr_put(nlh, RTA_GATEWAY, (size_t)len, gw);
        if (oif > 0)
                mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)oif);
        *ret = nlh;
        return 0;
}

int netns_route_add(nl_sock *nl, int family, const void *dst, unsigned dst_len, const void *gw, int oif,
                    unsigned char scope)
{
        char buf[NL_BUF_SIZE];
        struct nlmsghdr *nlh;

        int r = netns_req_route(nl, buf, RTM_NEWROUTE, family, dst, dst_len, gw, oif, scope, &nlh);
        if (r < 0)
                return r;
        return nl_call(nl, nlh, NULL, NULL);
}

int netns_route_del(nl_sock *nl, int family, const void *dst, unsigned dst_len, const void *gw, int oif)
{
        char buf[NL_BUF_SIZE];
        struct nlmsghdr *nlh;

        int r = netns_req_route(nl, buf, RTM_DELROUTE, family, dst, dst_len, gw, oif, RT_SCOPE_NOWHERE,
                                &nlh);
        if (r < 0)
                return r;
        return nl_call(nl, nlh, NULL, NULL);
}

int netns_req_neigh_proxy(nl_sock *nl, void *buf, uint16_t type, int family, const void *addr, int ifindex,
                          struct nlmsghdr **ret)
{
        int len = netns_family_len(family);
        if (len < 0)
                return len;
        if ((type != RTM_NEWNEIGH && type != RTM_DELNEIGH) || !addr || ifindex <= 0)
                return -EINVAL;

        struct nlmsghdr *nlh =
                nl_msg_new(nl, buf, type, type == RTM_NEWNEIGH ? NLM_F_CREATE | NLM_F_EXCL : 0);
        struct ndmsg *ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
        ndm->ndm_family = (unsigned char)family;
        ndm->ndm_ifindex = ifindex;
        ndm->ndm_state = NUD_PERMANENT;
        /* NTF_PROXY: answer ARP/NS for addr on ifindex (a pneigh entry, not a neighbour) */
        ndm->ndm_flags = NTF_PROXY;
        mnl_attr_put(nlh, NDA_DST, (size_t)len, addr);
        *ret = nlh;
        return 0;
}

static int neigh_proxy_change(nl_sock *nl, uint16_t type, int family, const void *addr, int ifindex)
{
        char buf[NL_BUF_SIZE];
        struct nlmsghdr *nlh;

        int r = netns_req_neigh_proxy(nl, buf, type, family, addr, ifindex, &nlh);
        if (r < 0)
                return r;
        return nl_call(nl, nlh, NULL, NULL);
}

int netns_neigh_proxy_add(nl_sock *nl, int family, const void *addr, int ifindex)
{
        return neigh_proxy_change(nl, RTM_NEWNEIGH, family, addr, ifindex);
}

int netns_neigh_proxy_del(nl_sock *nl, int family, const void *addr, int ifindex)
{
        return neigh_proxy_change(nl, RTM_DELNEIGH, family, addr, ifindex);
}
