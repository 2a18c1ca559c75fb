/* Policy routing rules (RTM_NEWRULE / RTM_DELRULE): how routed mode pins a CT's source addresses. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>

#include "netns-internal.h"

int netns_req_rule(nl_sock *nl, void *buf, uint16_t type, int family, unsigned priority, const char *iifname,
                   const void *src, unsigned src_len, bool blackhole, struct nlmsghdr **ret)
{
        int len = netns_family_len(family);
        if (len < 0)
                return len;
        if ((type != RTM_NEWRULE && type != RTM_DELRULE) || (iifname && !netns_ifname_valid(iifname)) ||
            src_len > (unsigned)len * 8 || (!src && src_len))
                return -EINVAL;

        struct nlmsghdr *nlh =
                nl_msg_new(nl, buf, type, type == RTM_NEWRULE ? NLM_F_CREATE | NLM_F_EXCL : 0);
        struct fib_rule_hdr *frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
        frh->family = (unsigned char)family;
        frh->src_len = (unsigned char)src_len;
        frh->action = blackhole ? FR_ACT_BLACKHOLE : FR_ACT_TO_TBL;
        frh->table = blackhole ? RT_TABLE_UNSPEC : RT_TABLE_MAIN;
        mnl_attr_put_u32(nlh, FRA_PRIORITY, priority);
        if (iifname)
                mnl_attr_put_strz(nlh, FRA_IIFNAME, iifname);
        if (src)
                mnl_attr_put(nlh, FRA_SRC, (size_t)len, src);
        if (!blackhole)
                mnl_attr_put_u32(nlh, FRA_TABLE, RT_TABLE_MAIN);
        *ret = nlh;
        return 0;
}

static int rule_change(nl_sock *nl, uint16_t type, int family, unsigned priority, const char *iifname,
                       const void *src, unsigned src_len, bool blackhole)
{
        char buf[NL_BUF_SIZE];
        struct nlmsghdr *nlh;

        int r = netns_req_rule(nl, buf, type, family, priority, iifname, src, src_len, blackhole, &nlh);
        if (r < 0)
                return r;
        return nl_call(nl, nlh, NULL, NULL);
}

int netns_rule_add(nl_sock *nl, int family, unsigned priority, const char *iifname, const void *src,
                   unsigned src_len, bool blackhole)
{
        return rule_change(nl, RTM_NEWRULE, family, priority, iifname, src, src_len, blackhole);
}

int netns_rule_del(nl_sock *nl, int family, unsigned priority, const char *iifname, const void *src,
                   unsigned src_len, bool blackhole)
{
        return rule_change(nl, RTM_DELRULE, family, priority, iifname, src, src_len, blackhole);
}
