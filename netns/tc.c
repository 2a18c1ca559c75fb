/* Traffic control: an HTB rate limit on a link's egress, IFB devices, and the ingress redirect (u32
 * match-all
 * + mirred) that turns a link's incoming traffic into an IFB's egress, where it can be shaped. All of it
 * RTM_*QDISC / RTM_*TCLASS / RTM_*TFILTER requests; no tc binary. */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_mirred.h>

#include "base/log.h"
#include "netns-internal.h"

#define HTB_HANDLE     0x00010000U /* 1: */
#define HTB_CLASS      0x00010001U /* 1:1, also the default class: no filter needed */
#define INGRESS_HANDLE 0xFFFF0000U /* ffff: */
/* one class: the quantum only matters between siblings; set so the kernel does not warn of r2q */
#define HTB_QUANTUM 60000U
#define IFB_TXQLEN  1000U

static struct nlmsghdr *tc_msg(nl_sock *nl, void *buf, uint16_t type, uint16_t flags, int ifindex,
                               uint32_t parent, uint32_t handle, uint32_t info)
{
        struct nlmsghdr *nlh = nl_msg_new(nl, buf, type, flags);
        struct tcmsg *t = mnl_nlmsg_put_extra_header(nlh, sizeof(*t));
        t->tcm_family = AF_UNSPEC;
        t->tcm_ifindex = ifindex;
        t->tcm_parent = parent;
        t->tcm_handle = handle;
        t->tcm_info = info;
        return nlh;
}

/* The kernel keeps an HTB class's bucket as the time its burst takes at its rate, in 64 ns ticks (what
 * iproute2's tc_calc_xmittime() computes from /proc/net/psched on every current kernel). */
static uint32_t htb_ticks(uint64_t bytes, uint64_t rate_Bps)
{
        uint64_t ns = bytes * 1000000000ULL / rate_Bps;
        uint64_t t = ns >> 6;
        return t > UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

int netns_req_htb_qdisc(nl_sock *nl, void *buf, int ifindex, struct nlmsghdr **ret)
{
        if (ifindex <= 0)
                return -EINVAL;
        struct nlmsghdr *nlh =
                tc_msg(nl, buf, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, ifindex, TC_H_ROOT, HTB_HANDLE, 0);
        mnl_attr_put_strz(nlh, TCA_KIND, "htb");
        struct nlattr *opt = mnl_attr_nest_start(nlh, TCA_OPTIONS);
        struct tc_htb_glob g = { .version = 3, .rate2quantum = 10, .defcls = HTB_CLASS & 0xFFFF };
        mnl_attr_put(nlh, TCA_HTB_INIT, sizeof(g), &g);
        mnl_attr_nest_end(nlh, opt);
        *ret = nlh;
        return 0;
}

int netns_req_htb_class(nl_sock *nl, void *buf, int ifindex, uint64_t rate_bps, uint64_t burst_bytes,
                        struct nlmsghdr **ret)
{
        uint64_t Bps = rate_bps / 8;
        if (ifindex <= 0 || Bps == 0 || burst_bytes == 0)
                return -EINVAL;
        /* NLM_F_CREATE without EXCL: creates the class, or changes the one there */
        struct nlmsghdr *nlh =
                tc_msg(nl, buf, RTM_NEWTCLASS, NLM_F_CREATE, ifindex, HTB_HANDLE, HTB_CLASS, 0);
        mnl_attr_put_strz(nlh, TCA_KIND, "htb");
        struct nlattr *opt = mnl_attr_nest_start(nlh, TCA_OPTIONS);
        /* linklayer ethernet: the kernel computes packet times itself and wants no rate tables */
        struct tc_htb_opt o = {
                .rate = { .linklayer = TC_LINKLAYER_ETHERNET,
                          .rate = Bps > UINT32_MAX ? UINT32_MAX : (uint32_t)Bps },
                .ceil = { .linklayer = TC_LINKLAYER_ETHERNET,
                          .rate = Bps > UINT32_MAX ? UINT32_MAX : (uint32_t)Bps },
                .buffer = htb_ticks(burst_bytes, Bps),
                .cbuffer = htb_ticks(burst_bytes, Bps),
                .quantum = HTB_QUANTUM,
        };
        mnl_attr_put(nlh, TCA_HTB_PARMS, sizeof(o), &o);
        if (Bps >= UINT32_MAX) {
                mnl_attr_put_u64(nlh, TCA_HTB_RATE64, Bps);
                mnl_attr_put_u64(nlh, TCA_HTB_CEIL64, Bps);
        }
        mnl_attr_nest_end(nlh, opt);
        *ret = nlh;
        return 0;
}

/* Delete the root qdisc (or the ingress one); none there is not an error. */
static int qdisc_del(nl_sock *nl, int ifindex, uint32_t parent, uint32_t handle)
{
        char buf[NL_BUF_SIZE];
        if (ifindex <= 0)
                return -EINVAL;
        struct nlmsghdr *nlh = tc_msg(nl, buf, RTM_DELQDISC, 0, ifindex, parent, handle, 0);
        int r = nl_call(nl, nlh, NULL, NULL);
        /* the link's default qdisc has handle 0 and cannot be deleted: nothing of ours is there */
        return r == -ENOENT || r == -EINVAL ? 0 : r;
}

int netns_tc_rate_set(nl_sock *nl, int ifindex, uint64_t rate_bps, uint64_t burst_bytes)
{
        char buf[NL_BUF_SIZE];
        struct nlmsghdr *nlh;
        int r = netns_req_htb_qdisc(nl, buf, ifindex, &nlh);
        if (r < 0)
                return r;
        r = nl_call(nl, nlh, NULL, NULL);
        if (r == -EEXIST) {
                /* a root qdisc is there: ours (then the class is changed in place, no packet lost) or
                 * another's, which is replaced */
                r = netns_req_htb_class(nl, buf, ifindex, rate_bps, burst_bytes, &nlh);
                if (r < 0)
                        return r;
                if (nl_call(nl, nlh, NULL, NULL) >= 0)
                        return 0;
                if ((r = qdisc_del(nl, ifindex, TC_H_ROOT, 0)) < 0)
                        return r;
                if ((r = netns_req_htb_qdisc(nl, buf, ifindex, &nlh)) < 0)
                        return r;
                r = nl_call(nl, nlh, NULL, NULL);
        }
        if (r < 0) {
                log_debug_errno(r, "RTM_NEWQDISC htb on %d: %m (%s)", ifindex, strna(nl_last_error(nl)));
                return r;
        }
        r = netns_req_htb_class(nl, buf, ifindex, rate_bps, burst_bytes, &nlh);
        if (r < 0)
                return r;
        r = nl_call(nl, nlh, NULL, NULL);
        if (r < 0)
                log_debug_errno(r, "RTM_NEWTCLASS htb on %d: %m (%s)", ifindex, strna(nl_last_error(nl)));
        return r;
}

int netns_tc_rate_del(nl_sock *nl, int ifindex)
{
        return qdisc_del(nl, ifindex, TC_H_ROOT, 0);
}

int netns_req_ifb_create(nl_sock *nl, void *buf, const char *name, struct nlmsghdr **ret)
{
        /* an IFB's own default is 32 packets: the HTB class's queue takes its length from it */
        return netns_req_link_create(nl, buf, name, "ifb", IFB_TXQLEN, ret);
}

int netns_ifb_create(nl_sock *nl, const char *name)
{
        char buf[NL_BUF_SIZE];
        struct nlmsghdr *nlh;
        int r = netns_req_ifb_create(nl, buf, name, &nlh);
        if (r < 0)
                return r;
        r = nl_call(nl, nlh, NULL, NULL);
        if (r < 0)
                log_debug_errno(r, "RTM_NEWLINK ifb %s: %m (%s)", name, strna(nl_last_error(nl)));
        return r;
}

int netns_req_ingress_redirect(nl_sock *nl, void *buf, int ifindex, int target_ifindex,
                               struct nlmsghdr **ret)
{
        if (ifindex <= 0 || target_ifindex <= 0)
                return -EINVAL;
        /* priority 1, every protocol */
        struct nlmsghdr *nlh = tc_msg(nl, buf, RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL, ifindex,
                                      INGRESS_HANDLE, 0, TC_H_MAKE(1U << 16, htons(ETH_P_ALL)));
        mnl_attr_put_strz(nlh, TCA_KIND, "u32");
        struct nlattr *opt = mnl_attr_nest_start(nlh, TCA_OPTIONS);
        /* match-all: one key, offset 0, mask 0 (what `tc ... u32 match u32 0 0` sends) */
        char sel[sizeof(struct tc_u32_sel) + sizeof(struct tc_u32_key)];
        memset(sel, 0, sizeof(sel));
        struct tc_u32_sel *s = (struct tc_u32_sel *)sel;
        s->flags = TC_U32_TERMINAL;
        s->nkeys = 1;
        mnl_attr_put(nlh, TCA_U32_SEL, sizeof(sel), sel);
        struct nlattr *acts = mnl_attr_nest_start(nlh, TCA_U32_ACT);
        struct nlattr *act = mnl_attr_nest_start(nlh, 1);
        mnl_attr_put_strz(nlh, TCA_ACT_KIND, "mirred");
        struct nlattr *aopt = mnl_attr_nest_start(nlh, TCA_ACT_OPTIONS);
        struct tc_mirred m = {
                .action = TC_ACT_STOLEN,
                .eaction = TCA_EGRESS_REDIR,
                .ifindex = (uint32_t)target_ifindex,
        };
        mnl_attr_put(nlh, TCA_MIRRED_PARMS, sizeof(m), &m);
        mnl_attr_nest_end(nlh, aopt);
        mnl_attr_nest_end(nlh, act);
        mnl_attr_nest_end(nlh, acts);
        mnl_attr_nest_end(nlh, opt);
        *ret = nlh;
        return 0;
}

int netns_tc_ingress_redirect(nl_sock *nl, int ifindex, int target_ifindex)
{
        char buf[NL_BUF_SIZE];
        struct nlmsghdr *nlh;
        /* afresh: an earlier redirect may point at an IFB that has since been made again */
        int r = qdisc_del(nl, ifindex, TC_H_INGRESS, INGRESS_HANDLE);
        if (r < 0)
                return r;
        nlh = tc_msg(nl, buf, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, ifindex, TC_H_INGRESS, INGRESS_HANDLE,
                     0);
        mnl_attr_put_strz(nlh, TCA_KIND, "ingress");
        r = nl_call(nl, nlh, NULL, NULL);
        if (r < 0) {
                log_debug_errno(r, "RTM_NEWQDISC ingress on %d: %m (%s)", ifindex, strna(nl_last_error(nl)));
                return r;
        }
        r = netns_req_ingress_redirect(nl, buf, ifindex, target_ifindex, &nlh);
        if (r < 0)
                return r;
        r = nl_call(nl, nlh, NULL, NULL);
        if (r < 0)
                log_debug_errno(r, "RTM_NEWTFILTER u32 mirred on %d: %m (%s)", ifindex,
                                strna(nl_last_error(nl)));
        return r;
}

int netns_tc_ingress_del(nl_sock *nl, int ifindex)
{
        return qdisc_del(nl, ifindex, TC_H_INGRESS, INGRESS_HANDLE);
}
