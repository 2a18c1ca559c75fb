/* Addresses: add, delete, list (RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "base/log.h"
#include "netns-internal.h"

int netns_family_len(int family)
{
        switch (family) {
        case AF_INET:
                return 4;
        case AF_INET6:
                return 16;
        default:
                return -EAFNOSUPPORT;
        }
}

/* What `ip addr add` picks when no scope is given: loopback host-scoped, IPv6 link-local link-scoped. */
static unsigned char addr_scope(int family, const unsigned char *a)
{
        if (family == AF_INET && a[0] == 127)
                return RT_SCOPE_HOST;
        if (family == AF_INET6 && a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
                return RT_SCOPE_LINK;
        return RT_SCOPE_UNIVERSE;
}

int netns_req_addr(nl_sock *nl, void *buf, uint16_t type, int ifindex, int family, const void *addr,
                   unsigned prefixlen, struct nlmsghdr **ret)
{
        int len = netns_family_len(family);
        if (len < 0)
                return len;
        if ((type != RTM_NEWADDR && type != RTM_DELADDR) || ifindex <= 0 || !addr ||
            prefixlen > (unsigned)len * 8)
                return -EINVAL;

        struct nlmsghdr *nlh =
                nl_msg_new(nl, buf, type, type == RTM_NEWADDR ? NLM_F_CREATE | NLM_F_EXCL : 0);
        struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
        ifa->ifa_family = (unsigned char)family;
        ifa->ifa_prefixlen = (unsigned char)prefixlen;
        ifa->ifa_index = (unsigned)ifindex;
        if (type == RTM_NEWADDR) {
                ifa->ifa_scope = addr_scope(family, addr);
                /* the caller owns uniqueness (vpsctl refuses duplicates); an address that waits a second
                 * for duplicate detection is an address a CT cannot use when it starts */
                if (family == AF_INET6)
                        ifa->ifa_flags = IFA_F_NODAD;
        }
        /* IFA_ADDRESS is the peer on point-to-point links; without a peer it equals IFA_LOCAL */
        mnl_attr_put(nlh, IFA_LOCAL, (size_t)len, addr);
        mnl_attr_put(nlh, IFA_ADDRESS, (size_t)len, addr);
        if (type == RTM_NEWADDR && family == AF_INET && prefixlen < 31) {
                /* the broadcast address `ip addr add ... brd +` would set */
                uint32_t a, mask = prefixlen ? htonl(~0u << (32 - prefixlen)) : 0;
                memcpy(&a, addr, sizeof(a));
                a |= ~mask;
                mnl_attr_put(nlh, IFA_BROADCAST, sizeof(a), &a);
        }
        *ret = nlh;
        return 0;
}

static int addr_change(nl_sock *nl, uint16_t type, int ifindex, int family, const void *addr,
                       unsigned prefixlen)
{
        char buf[NL_BUF_SIZE];
        struct nlmsghdr *nlh;

        int r = netns_req_addr(nl, buf, type, ifindex, family, addr, prefixlen, &nlh);
        if (r < 0)
                return r;
        return nl_call(nl, nlh, NULL, NULL);
}

int netns_addr_add(nl_sock *nl, int ifindex, int family, const void *addr, unsigned prefixlen)
{
        return addr_change(nl, RTM_NEWADDR, ifindex, family, addr, prefixlen);
}

int netns_addr_del(nl_sock *nl, int ifindex, int family, const void *addr, unsigned prefixlen)
{
        return addr_change(nl, RTM_DELADDR, ifindex, family, addr, prefixlen);
}

struct addr_list {
        int ifindex;
        netns_addr *v;
        size_t n, alloc;
};

static int addr_attr_cb(const struct nlattr *attr, void *data)
{
        const struct nlattr **tb = data;
        uint16_t t = mnl_attr_get_type(attr);
        if (t == IFA_LOCAL || t == IFA_ADDRESS)
                tb[t] = attr;
        return MNL_CB_OK;
}

static int addr_dump_cb(const struct nlmsghdr *nlh, void *data)
{
        struct addr_list *l = data;
        const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
        const struct nlattr *tb[IFA_MAX + 1] = { NULL };

        if (nlh->nlmsg_type != RTM_NEWADDR || mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
                return MNL_CB_OK;
        if (l->ifindex > 0 && ifa->ifa_index != (unsigned)l->ifindex)
                return MNL_CB_OK;
        int len = netns_family_len(ifa->ifa_family);
        if (len < 0)
                return MNL_CB_OK;
        if (mnl_attr_parse(nlh, sizeof(*ifa), addr_attr_cb, tb) < 0)
                return MNL_CB_ERROR;
        /* the local address; IFA_ADDRESS is the peer when both are present */
        const struct nlattr *a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
        if (!a || mnl_attr_get_payload_len(a) != (unsigned)len)
                return MNL_CB_OK;

        if (l->n == l->alloc) {
                size_t n = l->alloc ? l->alloc * 2 : 8;
                netns_addr *t = reallocarray(l->v, n, sizeof(*t));
                if (!t) {
                        errno = ENOMEM;
                        return MNL_CB_ERROR;
                }
                l->v = t;
                l->alloc = n;
        }
        netns_addr *e = &l->v[l->n++];
        *e = (netns_addr){ .family = ifa->ifa_family,
                           .ifindex = (int)ifa->ifa_index,
                           .prefixlen = ifa->ifa_prefixlen };
        memcpy(e->addr, mnl_attr_get_payload(a), (size_t)len);
        return MNL_CB_OK;
}

int netns_addr_list(nl_sock *nl, int ifindex, netns_addr **ret, size_t *ret_n)
{
        char buf[NL_BUF_SIZE];
        int r = -EINTR;

        if (ifindex < 0)
                return -EINVAL;
        /* a dump interrupted by a concurrent change is incomplete: take it again */
        for (unsigned attempt = 0; attempt < 5 && r == -EINTR; attempt++) {
                struct addr_list l = { .ifindex = ifindex };
                struct nlmsghdr *nlh = nl_msg_new(nl, buf, RTM_GETADDR, NLM_F_DUMP);
                struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
                ifa->ifa_family = AF_UNSPEC;
                r = nl_call(nl, nlh, addr_dump_cb, &l);
                if (r < 0) {
                        free(l.v);
                        continue;
                }
                *ret = l.v;
                *ret_n = l.n;
        }
        return r;
}
