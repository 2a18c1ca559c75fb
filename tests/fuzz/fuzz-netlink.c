/* Netlink request building (netns/): veth and bridge creation, addresses, routes, proxy neighbours and
 * policy rules, with fields from the input (interface names, families, prefix lengths, priorities).
 * Invariants: a builder refuses what the kernel would misread (bad names, prefix longer than the family,
 * unknown family) and what it builds is one whole message inside the buffer whose attributes parse, with
 * the names it was given. */
#include <errno.h>
#include <sys/socket.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "fuzz.h"
#include "netns/netns-internal.h"

struct cursor {
        const uint8_t *p;
        size_t n;
};

static uint8_t take_u8(struct cursor *c)
{
        if (!c->n)
                return 0;
        c->n--;
        return *c->p++;
}

static uint32_t take_u32(struct cursor *c)
{
        uint32_t v = 0;
        for (int i = 0; i < 4; i++)
                v = v << 8 | take_u8(c);
        return v;
}

/* A name of up to 20 bytes (longer than IFNAMSIZ, so too-long names are tried), or NULL for byte 0xff. */
static char *take_name(struct cursor *c, char buf[24])
{
        uint8_t len = take_u8(c);
        if (len == 0xff)
                return NULL;
        len %= 21;
        size_t i = 0;
        for (; i < len && c->n; i++)
                buf[i] = (char)take_u8(c);
        buf[i] = 0;
        return buf;
}

static void take_bytes(struct cursor *c, void *out, size_t len)
{
        for (size_t i = 0; i < len; i++)
                ((uint8_t *)out)[i] = take_u8(c);
}

static int attr_cb(const struct nlattr *a, void *data)
{
        (void)a;
        (*(unsigned *)data)++;
        return MNL_CB_OK;
}

static void check_msg(const struct nlmsghdr *nlh, const void *buf, size_t hdrlen, uint16_t type)
{
        unsigned count = 0;
        FUZZ_ASSERT((const void *)nlh == buf);
        FUZZ_ASSERT(nlh->nlmsg_type == type);
        FUZZ_ASSERT(nlh->nlmsg_len >= mnl_nlmsg_size(hdrlen) && nlh->nlmsg_len <= NL_BUF_SIZE);
        FUZZ_ASSERT(mnl_nlmsg_ok(nlh, (int)nlh->nlmsg_len));
        FUZZ_ASSERT(mnl_attr_parse(nlh, (unsigned)hdrlen, attr_cb, &count) >= 0);
        /* the attributes fill the message exactly: no trailing bytes the kernel would reject */
        FUZZ_ASSERT(count <= (nlh->nlmsg_len - mnl_nlmsg_size(hdrlen)) / 4);
}

/* does the message carry string attribute type with value s at its top level? */
struct find {
        uint16_t type;
        const char *s;
        bool found;
};

static int find_cb(const struct nlattr *a, void *data)
{
        struct find *f = data;
        if (mnl_attr_get_type(a) == f->type && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0 &&
            streq(mnl_attr_get_str(a), f->s))
                f->found = true;
        return MNL_CB_OK;
}

static bool has_str(const struct nlmsghdr *nlh, size_t hdrlen, uint16_t type, const char *s)
{
        struct find f = { type, s, false };
        (void)mnl_attr_parse(nlh, (unsigned)hdrlen, find_cb, &f);
        return f.found;
}

static int family_of(uint8_t b)
{
        static const int f[] = { AF_INET, AF_INET6, AF_UNSPEC, AF_PACKET };
        return f[b % 4];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static uint8_t buf[NL_BUF_SIZE] __attribute__((aligned(8)));
        nl_sock nl = { 0 };
        struct cursor c = { data, size };
        struct nlmsghdr *nlh = NULL;
        char n1[24], n2[24];
        unsigned char a1[16], a2[16];
        uint8_t m1[6], m2[6];

        while (c.n) {
                uint8_t op = take_u8(&c);
                int r, fam = family_of(take_u8(&c));
                unsigned plen = take_u8(&c), flen = fam == AF_INET ? 32 : 128;
                bool valid_family = fam == AF_INET || fam == AF_INET6;
                uint16_t add = take_u8(&c) & 1;
                memset(buf, 0xa5, sizeof(buf));
                switch (op % 6) {
                case 0: {
                        char *h = take_name(&c, n1), *t = take_name(&c, n2);
                        take_bytes(&c, m1, 6);
                        take_bytes(&c, m2, 6);
                        int nsfd = (int)(take_u32(&c) % 8) - 1;
                        if (!h || !t)
                                break;
                        r = netns_req_veth_create(&nl, buf, h, t, nsfd, add ? m1 : NULL,
                                                  plen & 1 ? m2 : NULL, &nlh);
                        FUZZ_ASSERT(r == 0 || r == -EINVAL);
                        FUZZ_ASSERT((r == 0) == (netns_ifname_valid(h) && netns_ifname_valid(t)));
                        if (r == 0) {
                                check_msg(nlh, buf, sizeof(struct ifinfomsg), RTM_NEWLINK);
                                FUZZ_ASSERT(has_str(nlh, sizeof(struct ifinfomsg), IFLA_IFNAME, h));
                        }
                        break;
                }
                case 1: {
                        char *b = take_name(&c, n1);
                        if (!b)
                                break;
                        r = netns_req_bridge_create(&nl, buf, b, &nlh);
                        FUZZ_ASSERT((r == 0) == netns_ifname_valid(b));
                        if (r == 0) {
                                check_msg(nlh, buf, sizeof(struct ifinfomsg), RTM_NEWLINK);
                                FUZZ_ASSERT(has_str(nlh, sizeof(struct ifinfomsg), IFLA_IFNAME, b));
                        }
                        break;
                }
                case 2: {
                        take_bytes(&c, a1, 16);
                        int ifindex = (int)take_u32(&c);
                        uint16_t type = add ? RTM_NEWADDR : RTM_DELADDR;
                        r = netns_req_addr(&nl, buf, type, ifindex, fam, a1, plen, &nlh);
                        if (!valid_family || plen > flen)
                                FUZZ_ASSERT(r < 0);
                        if (r == 0)
                                check_msg(nlh, buf, sizeof(struct ifaddrmsg), type);
                        break;
                }
                case 3: {
                        take_bytes(&c, a1, 16);
                        take_bytes(&c, a2, 16);
                        uint8_t which = take_u8(&c);
                        int oif = (int)take_u32(&c);
                        uint16_t type = add ? RTM_NEWROUTE : RTM_DELROUTE;
                        r = netns_req_route(&nl, buf, type, fam, which & 1 ? a1 : NULL, which & 1 ? plen : 0,
                                            which & 2 ? a2 : NULL, oif,
                                            which & 4 ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE, &nlh);
                        if (!valid_family || (which & 1 && plen > flen))
                                FUZZ_ASSERT(r < 0);
                        if (r == 0)
                                check_msg(nlh, buf, sizeof(struct rtmsg), type);
                        break;
                }
                case 4: {
                        take_bytes(&c, a1, 16);
                        int ifindex = (int)take_u32(&c);
                        uint16_t type = add ? RTM_NEWNEIGH : RTM_DELNEIGH;
                        r = netns_req_neigh_proxy(&nl, buf, type, fam, a1, ifindex, &nlh);
                        if (!valid_family)
                                FUZZ_ASSERT(r < 0);
                        if (r == 0)
                                check_msg(nlh, buf, sizeof(struct ndmsg), type);
                        break;
                }
                default: {
                        char *iif = take_name(&c, n1);
                        take_bytes(&c, a1, 16);
                        uint32_t prio = take_u32(&c);
                        uint8_t which = take_u8(&c);
                        uint16_t type = add ? RTM_NEWRULE : RTM_DELRULE;
                        r = netns_req_rule(&nl, buf, type, fam, prio, iif, which & 1 ? a1 : NULL,
                                           which & 1 ? plen : 0, which & 2, &nlh);
                        if (!valid_family || (which & 1 && plen > flen) || (iif && !netns_ifname_valid(iif)))
                                FUZZ_ASSERT(r < 0);
                        if (r == 0) {
                                check_msg(nlh, buf, sizeof(struct fib_rule_hdr), type);
                                if (iif)
                                        FUZZ_ASSERT(
                                                has_str(nlh, sizeof(struct fib_rule_hdr), FRA_IIFNAME, iif));
                        }
                }
                }
        }
        return 0;
}
