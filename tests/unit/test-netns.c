/* netns/: requests built without sending them, address and MAC parsers, MACs from a seed. No root. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "netns/netns-internal.h"
#include "test-helpers.h"

#define TB_MAX 64

static int collect_cb(const struct nlattr *attr, void *data)
{
        const struct nlattr **tb = data;
        uint16_t t = mnl_attr_get_type(attr);
        if (t < TB_MAX)
                tb[t] = attr;
        return MNL_CB_OK;
}

/* Attributes of a message after its fixed header of hdrlen bytes. */
static int parse_msg(const struct nlmsghdr *nlh, size_t hdrlen, const struct nlattr **tb)
{
        memset(tb, 0, TB_MAX * sizeof(const struct nlattr *));
        return mnl_attr_parse(nlh, (unsigned)hdrlen, collect_cb, tb);
}

static int parse_nested(const struct nlattr *nest, const struct nlattr **tb)
{
        memset(tb, 0, TB_MAX * sizeof(const struct nlattr *));
        return mnl_attr_parse_nested(nest, collect_cb, tb);
}

static bool attr_is(const struct nlattr *a, const void *payload, size_t len)
{
        return a && mnl_attr_get_payload_len(a) == len && memcmp(mnl_attr_get_payload(a), payload, len) == 0;
}

static bool attr_is_str(const struct nlattr *a, const char *s)
{
        /* a string attribute may or may not carry its NUL */
        if (!a)
                return false;
        size_t len = mnl_attr_get_payload_len(a), n = strlen(s);
        const char *p = mnl_attr_get_payload(a);
        return (len == n || (len == n + 1 && p[n] == 0)) && memcmp(p, s, n) == 0;
}

static bool attr_is_u32(const struct nlattr *a, uint32_t v)
{
        return a && mnl_attr_get_payload_len(a) == 4 && mnl_attr_get_u32(a) == v;
}

/* the message is whole: every attribute's length stays inside the message */
static bool msg_sane(const struct nlmsghdr *nlh, size_t hdrlen)
{
        const struct nlattr *tb[TB_MAX];
        return nlh->nlmsg_len >= mnl_nlmsg_size(hdrlen) && nlh->nlmsg_len <= NL_BUF_SIZE &&
               parse_msg(nlh, hdrlen, tb) >= 0;
}

static void test_veth(void)
{
        char buf[NL_BUF_SIZE];
        nl_sock nl = { .seq = 100 };
        struct nlmsghdr *nlh = NULL;
        const uint8_t hmac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
        const uint8_t cmac[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };
        const struct nlattr *tb[TB_MAX] = { 0 }, *li[TB_MAX] = { 0 }, *data[TB_MAX] = { 0 },
                            *peer[TB_MAX] = { 0 };

        CHECK(netns_req_veth_create(&nl, buf, "veth101.0", "eth0", 7, hmac, cmac, &nlh) == 0);
        CHECK(nlh == (struct nlmsghdr *)buf);
        CHECK(nlh->nlmsg_type == RTM_NEWLINK);
        CHECK(nlh->nlmsg_flags == (NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL));
        CHECK(nlh->nlmsg_seq == 101);
        CHECK(msg_sane(nlh, sizeof(struct ifinfomsg)));
        /* NLM_F_EXCL shares its bit with NLM_F_DUMP: a create must still wait for its ACK */
        CHECK(!nl_msg_is_dump(nlh));
        const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
        CHECK(ifi->ifi_family == AF_UNSPEC && ifi->ifi_index == 0);

        CHECK(parse_msg(nlh, sizeof(struct ifinfomsg), tb) >= 0);
        CHECK(attr_is_str(tb[IFLA_IFNAME], "veth101.0"));
        CHECK(attr_is(tb[IFLA_ADDRESS], hmac, 6));
        CHECK(!tb[IFLA_NET_NS_FD]);
        CHECK(tb[IFLA_LINKINFO] && parse_nested(tb[IFLA_LINKINFO], li) >= 0);
        CHECK(attr_is_str(li[IFLA_INFO_KIND], "veth"));
        CHECK(li[IFLA_INFO_DATA] && parse_nested(li[IFLA_INFO_DATA], data) >= 0);
        CHECK(data[VETH_INFO_PEER] != NULL);
        if (data[VETH_INFO_PEER]) {
                /* the peer: an ifinfomsg, then attributes */
                const struct nlattr *p = data[VETH_INFO_PEER];
                const char *payload = mnl_attr_get_payload(p);
                size_t len = mnl_attr_get_payload_len(p);
                CHECK(len > sizeof(struct ifinfomsg));
                const struct ifinfomsg *pifi = (const struct ifinfomsg *)payload;
                CHECK(pifi->ifi_family == AF_UNSPEC && pifi->ifi_index == 0);
                memset(peer, 0, sizeof(peer));
                CHECK(mnl_attr_parse_payload(payload + sizeof(*pifi), len - sizeof(*pifi), collect_cb,
                                             peer) >= 0);
                CHECK(attr_is_str(peer[IFLA_IFNAME], "eth0"));
                CHECK(attr_is(peer[IFLA_ADDRESS], cmac, 6));
                CHECK(attr_is_u32(peer[IFLA_NET_NS_FD], 7));
        }

        /* no MACs, no namespace: the kernel picks MACs and the peer stays */
        CHECK(netns_req_veth_create(&nl, buf, "vethA", "vethB", -1, NULL, NULL, &nlh) == 0);
        CHECK(nlh->nlmsg_seq == 102);
        CHECK(parse_msg(nlh, sizeof(struct ifinfomsg), tb) >= 0);
        CHECK(!tb[IFLA_ADDRESS]);
        CHECK(tb[IFLA_LINKINFO] && parse_nested(tb[IFLA_LINKINFO], li) >= 0);
        CHECK(li[IFLA_INFO_DATA] && parse_nested(li[IFLA_INFO_DATA], data) >= 0);
        if (data[VETH_INFO_PEER]) {
                const char *payload = mnl_attr_get_payload(data[VETH_INFO_PEER]);
                size_t len = mnl_attr_get_payload_len(data[VETH_INFO_PEER]);
                memset(peer, 0, sizeof(peer));
                CHECK(mnl_attr_parse_payload(payload + sizeof(struct ifinfomsg),
                                             len - sizeof(struct ifinfomsg), collect_cb, peer) >= 0);
                CHECK(attr_is_str(peer[IFLA_IFNAME], "vethB"));
                CHECK(!peer[IFLA_ADDRESS] && !peer[IFLA_NET_NS_FD]);
        } else
                CHECK(!"no VETH_INFO_PEER");

        /* names the kernel would refuse */
        nlh = NULL;
        CHECK(netns_req_veth_create(&nl, buf, "", "eth0", -1, NULL, NULL, &nlh) == -EINVAL);
        CHECK(netns_req_veth_create(&nl, buf, "a/b", "eth0", -1, NULL, NULL, &nlh) == -EINVAL);
        CHECK(netns_req_veth_create(&nl, buf, "veth0", "..", -1, NULL, NULL, &nlh) == -EINVAL);
        CHECK(netns_req_veth_create(&nl, buf, "veth0", "eth 0", -1, NULL, NULL, &nlh) == -EINVAL);
        CHECK(netns_req_veth_create(&nl, buf, "0123456789abcdef", "eth0", -1, NULL, NULL, &nlh) == -EINVAL);
        CHECK(netns_req_veth_create(&nl, buf, "0123456789abcde", "eth0", -1, NULL, NULL, &nlh) == 0);
        CHECK(netns_req_veth_create(&nl, buf, NULL, "eth0", -1, NULL, NULL, &nlh) == -EINVAL);
}

static void test_dump_flag(void)
{
        char buf[NL_BUF_SIZE];
        nl_sock nl = { .seq = 0 };
        struct nlmsghdr *nlh;
        struct in_addr a4 = { .s_addr = htonl(0xc0000201) };

        nlh = nl_msg_new(&nl, buf, RTM_GETADDR, NLM_F_DUMP);
        CHECK(nl_msg_is_dump(nlh));
        nlh = nl_msg_new(&nl, buf, RTM_GETLINK, 0);
        CHECK(!nl_msg_is_dump(nlh));
        CHECK(netns_req_addr(&nl, buf, RTM_NEWADDR, 1, AF_INET, &a4, 24, &nlh) == 0);
        CHECK(!nl_msg_is_dump(nlh));
        CHECK(netns_req_route(&nl, buf, RTM_NEWROUTE, AF_INET, NULL, 0, &a4, 0, RT_SCOPE_UNIVERSE, &nlh) ==
              0);
        CHECK(!nl_msg_is_dump(nlh));
        CHECK(netns_req_neigh_proxy(&nl, buf, RTM_NEWNEIGH, AF_INET, &a4, 1, &nlh) == 0);
        CHECK(!nl_msg_is_dump(nlh));
        /* NEW with CREATE|EXCL|REPLACE has both dump bits, and still is no dump */
        nlh = nl_msg_new(&nl, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_REPLACE);
        CHECK(!nl_msg_is_dump(nlh));
}

static void test_bridge(void)
{
        char buf[NL_BUF_SIZE];
        nl_sock nl = { .seq = 0 };
        struct nlmsghdr *nlh = NULL;
        const struct nlattr *tb[TB_MAX] = { 0 }, *li[TB_MAX] = { 0 };

        CHECK(netns_req_bridge_create(&nl, buf, "vzbr0", &nlh) == 0);
        CHECK(nlh->nlmsg_type == RTM_NEWLINK);
        CHECK(nlh->nlmsg_flags == (NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL));
        CHECK(parse_msg(nlh, sizeof(struct ifinfomsg), tb) >= 0);
        CHECK(attr_is_str(tb[IFLA_IFNAME], "vzbr0"));
        CHECK(tb[IFLA_LINKINFO] && parse_nested(tb[IFLA_LINKINFO], li) >= 0);
        CHECK(attr_is_str(li[IFLA_INFO_KIND], "bridge"));
        CHECK(netns_req_bridge_create(&nl, buf, "br:0", &nlh) == -EINVAL);
}

static void test_addr(void)
{
        char buf[NL_BUF_SIZE];
        nl_sock nl = { .seq = 0 };
        struct nlmsghdr *nlh = NULL;
        const struct nlattr *tb[TB_MAX];
        struct in_addr a4, b4;
        struct in6_addr a6;

        inet_pton(AF_INET, "192.0.2.10", &a4);
        inet_pton(AF_INET, "192.0.2.255", &b4);
        CHECK(netns_req_addr(&nl, buf, RTM_NEWADDR, 5, AF_INET, &a4, 24, &nlh) == 0);
        CHECK(nlh->nlmsg_type == RTM_NEWADDR);
        CHECK(nlh->nlmsg_flags == (NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL));
        CHECK(msg_sane(nlh, sizeof(struct ifaddrmsg)));
        const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
        CHECK(ifa->ifa_family == AF_INET);
        CHECK(ifa->ifa_prefixlen == 24);
        CHECK(ifa->ifa_index == 5);
        CHECK(ifa->ifa_scope == RT_SCOPE_UNIVERSE);
        CHECK(parse_msg(nlh, sizeof(struct ifaddrmsg), tb) >= 0);
        CHECK(attr_is(tb[IFA_LOCAL], &a4, 4));
        CHECK(attr_is(tb[IFA_ADDRESS], &a4, 4));
        CHECK(attr_is(tb[IFA_BROADCAST], &b4, 4));

        /* a /32 has no broadcast address */
        CHECK(netns_req_addr(&nl, buf, RTM_NEWADDR, 5, AF_INET, &a4, 32, &nlh) == 0);
        CHECK(parse_msg(nlh, sizeof(struct ifaddrmsg), tb) >= 0);
        CHECK(!tb[IFA_BROADCAST]);

        inet_pton(AF_INET6, "2001:db8::1", &a6);
        CHECK(netns_req_addr(&nl, buf, RTM_NEWADDR, 6, AF_INET6, &a6, 64, &nlh) == 0);
        ifa = mnl_nlmsg_get_payload(nlh);
        CHECK(ifa->ifa_family == AF_INET6 && ifa->ifa_prefixlen == 64 && ifa->ifa_index == 6);
        CHECK(parse_msg(nlh, sizeof(struct ifaddrmsg), tb) >= 0);
        CHECK(attr_is(tb[IFA_LOCAL], &a6, 16));
        CHECK(attr_is(tb[IFA_ADDRESS], &a6, 16));
        CHECK(!tb[IFA_BROADCAST]);

        /* scopes `ip addr add` would pick */
        inet_pton(AF_INET6, "fe80::1", &a6);
        CHECK(netns_req_addr(&nl, buf, RTM_NEWADDR, 6, AF_INET6, &a6, 64, &nlh) == 0);
        CHECK(((const struct ifaddrmsg *)mnl_nlmsg_get_payload(nlh))->ifa_scope == RT_SCOPE_LINK);
        inet_pton(AF_INET, "127.0.0.2", &b4);
        CHECK(netns_req_addr(&nl, buf, RTM_NEWADDR, 1, AF_INET, &b4, 8, &nlh) == 0);
        CHECK(((const struct ifaddrmsg *)mnl_nlmsg_get_payload(nlh))->ifa_scope == RT_SCOPE_HOST);

        CHECK(netns_req_addr(&nl, buf, RTM_DELADDR, 5, AF_INET, &a4, 24, &nlh) == 0);
        CHECK(nlh->nlmsg_type == RTM_DELADDR);
        CHECK(nlh->nlmsg_flags == NLM_F_REQUEST);
        CHECK(parse_msg(nlh, sizeof(struct ifaddrmsg), tb) >= 0);
        CHECK(attr_is(tb[IFA_LOCAL], &a4, 4) && !tb[IFA_BROADCAST]);

        CHECK(netns_req_addr(&nl, buf, RTM_NEWADDR, 5, AF_INET, &a4, 33, &nlh) == -EINVAL);
        CHECK(netns_req_addr(&nl, buf, RTM_NEWADDR, 5, AF_INET6, &a6, 129, &nlh) == -EINVAL);
        CHECK(netns_req_addr(&nl, buf, RTM_NEWADDR, 0, AF_INET, &a4, 24, &nlh) == -EINVAL);
        CHECK(netns_req_addr(&nl, buf, RTM_NEWADDR, 5, AF_UNIX, &a4, 24, &nlh) == -EAFNOSUPPORT);
        CHECK(netns_req_addr(&nl, buf, RTM_NEWADDR, 5, AF_INET, NULL, 24, &nlh) == -EINVAL);
        CHECK(netns_req_addr(&nl, buf, RTM_NEWLINK, 5, AF_INET, &a4, 24, &nlh) == -EINVAL);
}

static void test_route(void)
{
        char buf[NL_BUF_SIZE];
        nl_sock nl = { .seq = 0 };
        struct nlmsghdr *nlh = NULL;
        const struct nlattr *tb[TB_MAX];
        struct in_addr d4;
        struct in6_addr gw6;

        /* a host route to a CT address, out of its veth: venet-style routed mode */
        inet_pton(AF_INET, "198.51.100.7", &d4);
        CHECK(netns_req_route(&nl, buf, RTM_NEWROUTE, AF_INET, &d4, 32, NULL, 3, RT_SCOPE_LINK, &nlh) == 0);
        CHECK(nlh->nlmsg_type == RTM_NEWROUTE);
        CHECK(nlh->nlmsg_flags == (NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL));
        CHECK(msg_sane(nlh, sizeof(struct rtmsg)));
        const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
        CHECK(rtm->rtm_family == AF_INET);
        CHECK(rtm->rtm_dst_len == 32 && rtm->rtm_src_len == 0);
        CHECK(rtm->rtm_table == RT_TABLE_MAIN);
        CHECK(rtm->rtm_protocol == RTPROT_BOOT);
        CHECK(rtm->rtm_scope == RT_SCOPE_LINK);
        CHECK(rtm->rtm_type == RTN_UNICAST);
        CHECK(parse_msg(nlh, sizeof(struct rtmsg), tb) >= 0);
        CHECK(attr_is(tb[RTA_DST], &d4, 4));
        CHECK(attr_is_u32(tb[RTA_OIF], 3));
        CHECK(!tb[RTA_GATEWAY]);

        /* default route via a link-local gateway */
        inet_pton(AF_INET6, "fe80::1", &gw6);
        CHECK(netns_req_route(&nl, buf, RTM_NEWROUTE, AF_INET6, NULL, 0, &gw6, 4, RT_SCOPE_UNIVERSE, &nlh) ==
              0);
        rtm = mnl_nlmsg_get_payload(nlh);
        CHECK(rtm->rtm_family == AF_INET6 && rtm->rtm_dst_len == 0 && rtm->rtm_scope == RT_SCOPE_UNIVERSE);
        CHECK(parse_msg(nlh, sizeof(struct rtmsg), tb) >= 0);
        CHECK(!tb[RTA_DST]);
        CHECK(attr_is(tb[RTA_GATEWAY], &gw6, 16));
        CHECK(attr_is_u32(tb[RTA_OIF], 4));

        /* delete: any scope matches */
        CHECK(netns_req_route(&nl, buf, RTM_DELROUTE, AF_INET, &d4, 32, NULL, 3, RT_SCOPE_NOWHERE, &nlh) ==
              0);
        CHECK(nlh->nlmsg_type == RTM_DELROUTE && nlh->nlmsg_flags == NLM_F_REQUEST);
        rtm = mnl_nlmsg_get_payload(nlh);
        CHECK(rtm->rtm_scope == RT_SCOPE_NOWHERE && rtm->rtm_table == RT_TABLE_MAIN);
        CHECK(parse_msg(nlh, sizeof(struct rtmsg), tb) >= 0);
        CHECK(attr_is(tb[RTA_DST], &d4, 4) && attr_is_u32(tb[RTA_OIF], 3));

        CHECK(netns_req_route(&nl, buf, RTM_NEWROUTE, AF_INET, NULL, 8, NULL, 3, RT_SCOPE_LINK, &nlh) ==
              -EINVAL);
        CHECK(netns_req_route(&nl, buf, RTM_NEWROUTE, AF_INET, &d4, 33, NULL, 3, RT_SCOPE_LINK, &nlh) ==
              -EINVAL);
        CHECK(netns_req_route(&nl, buf, RTM_NEWROUTE, AF_INET, &d4, 32, NULL, 3, RT_SCOPE_NOWHERE, &nlh) ==
              -EINVAL);
        CHECK(netns_req_route(&nl, buf, RTM_NEWROUTE, 0, &d4, 32, NULL, 3, RT_SCOPE_LINK, &nlh) ==
              -EAFNOSUPPORT);
}

static void test_neigh(void)
{
        char buf[NL_BUF_SIZE];
        nl_sock nl = { .seq = 0 };
        struct nlmsghdr *nlh = NULL;
        const struct nlattr *tb[TB_MAX];
        struct in_addr a4;
        struct in6_addr a6;

        inet_pton(AF_INET, "203.0.113.5", &a4);
        CHECK(netns_req_neigh_proxy(&nl, buf, RTM_NEWNEIGH, AF_INET, &a4, 2, &nlh) == 0);
        CHECK(nlh->nlmsg_type == RTM_NEWNEIGH);
        CHECK(nlh->nlmsg_flags == (NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL));
        CHECK(msg_sane(nlh, sizeof(struct ndmsg)));
        const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
        CHECK(ndm->ndm_family == AF_INET);
        CHECK(ndm->ndm_ifindex == 2);
        CHECK(ndm->ndm_flags == NTF_PROXY);
        CHECK(ndm->ndm_state == NUD_PERMANENT);
        CHECK(parse_msg(nlh, sizeof(struct ndmsg), tb) >= 0);
        CHECK(attr_is(tb[NDA_DST], &a4, 4));
        CHECK(!tb[NDA_LLADDR]);

        inet_pton(AF_INET6, "2001:db8::5", &a6);
        CHECK(netns_req_neigh_proxy(&nl, buf, RTM_DELNEIGH, AF_INET6, &a6, 2, &nlh) == 0);
        CHECK(nlh->nlmsg_type == RTM_DELNEIGH && nlh->nlmsg_flags == NLM_F_REQUEST);
        ndm = mnl_nlmsg_get_payload(nlh);
        CHECK(ndm->ndm_family == AF_INET6 && ndm->ndm_flags == NTF_PROXY);
        CHECK(parse_msg(nlh, sizeof(struct ndmsg), tb) >= 0);
        CHECK(attr_is(tb[NDA_DST], &a6, 16));

        CHECK(netns_req_neigh_proxy(&nl, buf, RTM_NEWNEIGH, AF_INET, &a4, 0, &nlh) == -EINVAL);
        CHECK(netns_req_neigh_proxy(&nl, buf, RTM_NEWNEIGH, AF_INET, NULL, 2, &nlh) == -EINVAL);
}

static void check_addr(const char *s, int family, const char *canon, unsigned prefixlen)
{
        unsigned char a[16], want[16] = { 0 };
        unsigned p = 999;
        int f = 0;

        int r = netns_parse_addr(s, &f, a, &p);
        CHECK(r == 0);
        if (r < 0) {
                fprintf(stderr, "  parsing \"%s\" failed: %d\n", s, r);
                return;
        }
        inet_pton(family, canon, want);
        CHECK(f == family);
        CHECK(memcmp(a, want, 16) == 0);
        CHECK(p == prefixlen);
}

static void check_bad_addr(const char *s)
{
        unsigned char a[16] = { 0x5a };
        unsigned p = 999;
        int f = 12345;

        int r = netns_parse_addr(s, &f, a, &p);
        CHECK(r == -EINVAL);
        if (r >= 0)
                fprintf(stderr, "  \"%s\" parsed\n", s ? s : "(null)");
        /* outputs untouched on failure */
        CHECK(f == 12345 && p == 999 && a[0] == 0x5a);
}

static void test_parse_addr(void)
{
        check_addr("192.0.2.1", AF_INET, "192.0.2.1", 32);
        check_addr("192.0.2.0/24", AF_INET, "192.0.2.0", 24);
        check_addr("0.0.0.0/0", AF_INET, "0.0.0.0", 0);
        check_addr("203.0.113.9/32", AF_INET, "203.0.113.9", 32);
        check_addr("2001:db8::1/64", AF_INET6, "2001:db8::1", 64);
        check_addr("2001:db8::1", AF_INET6, "2001:db8::1", 128);
        check_addr("2001:DB8::A/128", AF_INET6, "2001:db8::a", 128);
        check_addr("::/0", AF_INET6, "::", 0);
        check_addr("fe80::1/10", AF_INET6, "fe80::1", 10);

        check_bad_addr(NULL);
        check_bad_addr("");
        check_bad_addr("abc");
        check_bad_addr("300.1.1.1");
        check_bad_addr("1.2.3");
        check_bad_addr("1.2.3.4.5");
        check_bad_addr("1.2.3.4/33");
        check_bad_addr("1.2.3.4/");
        check_bad_addr("1.2.3.4/-1");
        check_bad_addr("1.2.3.4/+8");
        check_bad_addr("1.2.3.4/ 8");
        check_bad_addr("1.2.3.4/8 ");
        check_bad_addr("1.2.3.4/0x8");
        check_bad_addr("1.2.3.4/1000");
        check_bad_addr("1.2.3.4/24/8");
        check_bad_addr(" 1.2.3.4");
        check_bad_addr("/24");
        check_bad_addr("2001:db8::1/129");
        check_bad_addr("2001:db8:::1");
        check_bad_addr("2001:db8::g");
        check_bad_addr("fe80::1%eth0");
        check_bad_addr("2001:0db8:0000:0000:0000:0000:0000:0001:0001/64");
}

static void test_mac(void)
{
        uint8_t m[6], n[6];
        char s[NETNS_MAC_STRLEN];

        CHECK(netns_parse_mac("aa:bb:cc:dd:ee:ff", m) == 0);
        CHECK(memcmp(m, (const uint8_t[6]){ 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff }, 6) == 0);
        CHECK_STREQ(netns_format_mac(m, s), "aa:bb:cc:dd:ee:ff");
        CHECK(netns_parse_mac("02:00:0A:0b:C0:01", m) == 0);
        CHECK_STREQ(netns_format_mac(m, s), "02:00:0a:0b:c0:01");
        CHECK(netns_parse_mac(s, n) == 0 && memcmp(m, n, 6) == 0);

        memset(n, 0x77, sizeof(n));
        CHECK(netns_parse_mac(NULL, n) == -EINVAL);
        CHECK(netns_parse_mac("", n) == -EINVAL);
        CHECK(netns_parse_mac("aa:bb:cc:dd:ee", n) == -EINVAL);
        CHECK(netns_parse_mac("aa:bb:cc:dd:ee:ff:00", n) == -EINVAL);
        CHECK(netns_parse_mac("aa-bb-cc-dd-ee-ff", n) == -EINVAL);
        CHECK(netns_parse_mac("aa:bb:cc:dd:ee:fg", n) == -EINVAL);
        CHECK(netns_parse_mac("a:bb:cc:dd:ee:fff", n) == -EINVAL);
        CHECK(netns_parse_mac("aabbccddeeff", n) == -EINVAL);
        CHECK(netns_parse_mac("aa:bb:cc:dd:ee:ff ", n) == -EINVAL);
        CHECK(n[0] == 0x77 && n[5] == 0x77);
}

static void test_mac_from_seed(void)
{
        uint8_t a[6], b[6], c[6];
        char s[NETNS_MAC_STRLEN];

        netns_mac_from_seed("101/eth0/ct", a);
        netns_mac_from_seed("101/eth0/ct", b);
        netns_mac_from_seed("101/eth0/host", c);
        CHECK(memcmp(a, b, 6) == 0);
        CHECK(memcmp(a, c, 6) != 0);
        /* pinned: the MAC of a seed never changes between versions */
        CHECK_STREQ(netns_format_mac(a, s), "be:a5:92:87:27:84");

        unsigned distinct_first = 0;
        uint8_t first = 0;
        for (unsigned i = 0; i < 1000; i++) {
                char seed[32];
                snprintf(seed, sizeof(seed), "%u/eth0/ct", i);
                netns_mac_from_seed(seed, a);
                CHECK((a[0] & 0x02) == 0x02); /* locally administered */
                CHECK((a[0] & 0x01) == 0);    /* unicast */
                if (i == 0)
                        first = a[0];
                else if (a[0] != first)
                        distinct_first++;
        }
        /* neighbouring seeds spread over the whole MAC, not only its last bytes */
        CHECK(distinct_first > 900);

        netns_mac_from_seed("", a);
        CHECK((a[0] & 0x03) == 0x02);
        netns_mac_from_seed(NULL, b);
        CHECK(memcmp(a, b, 6) == 0);
}

static void test_rule(void)
{
        char buf[NL_BUF_SIZE];
        nl_sock nl = { .seq = 0 };
        struct nlmsghdr *nlh = NULL;
        const struct nlattr *tb[TB_MAX];
        unsigned char a4[4] = { 192, 0, 2, 10 };

        /* from 192.0.2.10 iif venet101 lookup main, priority 100 */
        CHECK(netns_req_rule(&nl, buf, RTM_NEWRULE, AF_INET, 100, "venet101", a4, 32, false, &nlh) == 0);
        CHECK(nlh->nlmsg_type == RTM_NEWRULE);
        CHECK(nlh->nlmsg_flags == (NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL));
        const struct fib_rule_hdr *frh = mnl_nlmsg_get_payload(nlh);
        CHECK(frh->family == AF_INET && frh->src_len == 32 && frh->dst_len == 0);
        CHECK(frh->action == FR_ACT_TO_TBL && frh->table == RT_TABLE_MAIN);
        CHECK(parse_msg(nlh, sizeof(*frh), tb) >= 0);
        CHECK(attr_is_u32(tb[FRA_PRIORITY], 100));
        CHECK(attr_is_str(tb[FRA_IIFNAME], "venet101"));
        CHECK(attr_is(tb[FRA_SRC], a4, 4));
        CHECK(attr_is_u32(tb[FRA_TABLE], RT_TABLE_MAIN));

        /* iif venet101 blackhole: no source, no table; a delete carries no CREATE/EXCL */
        CHECK(netns_req_rule(&nl, buf, RTM_DELRULE, AF_INET6, 101, "venet101", NULL, 0, true, &nlh) == 0);
        CHECK(nlh->nlmsg_flags == NLM_F_REQUEST);
        frh = mnl_nlmsg_get_payload(nlh);
        CHECK(frh->family == AF_INET6 && frh->src_len == 0 && frh->action == FR_ACT_BLACKHOLE);
        CHECK(parse_msg(nlh, sizeof(*frh), tb) >= 0);
        CHECK(!tb[FRA_SRC] && !tb[FRA_TABLE]);

        /* refused: a source length without a source, too long a prefix, a bad interface name */
        CHECK(netns_req_rule(&nl, buf, RTM_NEWRULE, AF_INET, 100, "venet101", NULL, 24, false, &nlh) ==
              -EINVAL);
        CHECK(netns_req_rule(&nl, buf, RTM_NEWRULE, AF_INET, 100, "venet101", a4, 33, false, &nlh) ==
              -EINVAL);
        CHECK(netns_req_rule(&nl, buf, RTM_NEWRULE, AF_INET, 100, "a/b", NULL, 0, true, &nlh) == -EINVAL);
        CHECK(netns_req_rule(&nl, buf, RTM_NEWRULE, AF_PACKET, 100, NULL, NULL, 0, true, &nlh) ==
              -EAFNOSUPPORT);
}

/* RTM_GETLINK dump for the link counters; a reply parsed, including a short (older kernel) stats struct */
static void test_link_stats(void)
{
        char buf[NL_BUF_SIZE];
        nl_sock nl = { .seq = 7 };
        struct nlmsghdr *nlh = NULL;
        const struct nlattr *tb[TB_MAX];

        CHECK(netns_req_link_dump(&nl, buf, &nlh) == 0);
        CHECK(nlh->nlmsg_type == RTM_GETLINK && nl_msg_is_dump(nlh));
        CHECK(msg_sane(nlh, sizeof(struct ifinfomsg)));
        CHECK(parse_msg(nlh, sizeof(struct ifinfomsg), tb) >= 0);
        CHECK(attr_is_u32(tb[IFLA_EXT_MASK], 0));

        /* a reply as the kernel sends it */
        char rbuf[NL_BUF_SIZE];
        nlh = mnl_nlmsg_put_header(rbuf);
        nlh->nlmsg_type = RTM_NEWLINK;
        nlh->nlmsg_flags = NLM_F_MULTI;
        struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_index = 3;
        ifi->ifi_flags = IFF_UP | IFF_RUNNING;
        mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
        struct rtnl_link_stats64 k = { .rx_packets = 11,
                                       .tx_packets = 12,
                                       .rx_bytes = 1ULL << 40,
                                       .tx_bytes = 5000,
                                       .rx_errors = 1,
                                       .tx_errors = 2,
                                       .rx_dropped = 3,
                                       .tx_dropped = 4 };
        mnl_attr_put(nlh, IFLA_STATS64, sizeof(k), &k);
        netns_link_stats s;
        CHECK(netns_link_stats_parse(nlh, &s) == 1);
        CHECK(streq(s.ifname, "eth0") && s.ifindex == 3 && s.up);
        CHECK(s.rx_bytes == 1ULL << 40 && s.tx_bytes == 5000 && s.rx_packets == 11 && s.tx_packets == 12);
        CHECK(s.rx_errors == 1 && s.tx_errors == 2 && s.rx_dropped == 3 && s.tx_dropped == 4);

        /* a short stats attribute (the first four counters only), a down link */
        nlh = mnl_nlmsg_put_header(rbuf);
        nlh->nlmsg_type = RTM_NEWLINK;
        ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_index = 1;
        mnl_attr_put_strz(nlh, IFLA_IFNAME, "lo");
        mnl_attr_put(nlh, IFLA_STATS64, 4 * sizeof(uint64_t), &k);
        CHECK(netns_link_stats_parse(nlh, &s) == 1);
        CHECK(streq(s.ifname, "lo") && !s.up && s.rx_packets == 11 && s.tx_bytes == 5000 &&
              s.rx_errors == 0);

        /* no stats: zeros; no name or too long a name: malformed; another type: not a link */
        nlh = mnl_nlmsg_put_header(rbuf);
        nlh->nlmsg_type = RTM_NEWLINK;
        (void)mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        mnl_attr_put_strz(nlh, IFLA_IFNAME, "veth0");
        CHECK(netns_link_stats_parse(nlh, &s) == 1 && s.rx_bytes == 0 && s.tx_packets == 0);
        nlh = mnl_nlmsg_put_header(rbuf);
        nlh->nlmsg_type = RTM_NEWLINK;
        (void)mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        CHECK(netns_link_stats_parse(nlh, &s) == -EBADMSG);
        mnl_attr_put_strz(nlh, IFLA_IFNAME, "0123456789abcdefgh");
        CHECK(netns_link_stats_parse(nlh, &s) == -EBADMSG);
        nlh->nlmsg_type = RTM_NEWADDR;
        CHECK(netns_link_stats_parse(nlh, &s) == 0);
        nlh = mnl_nlmsg_put_header(rbuf);
        nlh->nlmsg_type = RTM_NEWLINK;
        CHECK(netns_link_stats_parse(nlh, &s) == -EBADMSG);
}

int main(void)
{
        test_link_stats();
        test_rule();
        test_veth();
        test_dump_flag();
        test_bridge();
        test_addr();
        test_route();
        test_neigh();
        test_parse_addr();
        test_mac();
        test_mac_from_seed();
        return t_finish();
}
