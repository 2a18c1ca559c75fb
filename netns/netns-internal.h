/* netns/ internals: the one transport (nl.c) every request goes through, and the request builders. */
#pragma once

#include <libmnl/libmnl.h>

#include "netns.h"

/* big enough for one dump batch; libmnl's own size macro is a runtime (VLA) value */
#define NL_BUF_SIZE 32768

struct nl_sock {
        struct mnl_socket *mnl;
        unsigned portid;
        unsigned seq;
        char err[256];
};

/* Open an nfnetlink socket (NETLINK_NETFILTER) in the current network namespace: nft.c reads nf_tables
 * set elements through it (and writes them through libnftables). */
int nl_open_netfilter(nl_sock **ret);
/* Prepare a request header in buf with the next sequence number. */
struct nlmsghdr *nl_msg_new(nl_sock *nl, void *buf, uint16_t type, uint16_t flags);
/* Is nlh a dump request (answered by many messages and NLMSG_DONE, not by an ACK)? */
bool nl_msg_is_dump(const struct nlmsghdr *nlh);
/* Send nlh, run cb on each reply (may be NULL), wait for the ACK/DONE; -errno on failure. A callback fails
 * by returning MNL_CB_ERROR with errno set; a dump is always read to its end, so the socket stays usable. */
int nl_call(nl_sock *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);

/* Switch the calling thread into the network namespace nsfd (netns fd or pidfd; < 0 = stay). *ret_saved
 * receives what netns_leave() needs to switch back. */
int netns_enter(int nsfd, int *ret_saved);
/* Switch back and close saved; aborts the process if that fails, never leaves it in the wrong namespace. */
void netns_leave(int saved);

/* Is name usable as an interface name (the kernel's dev_valid_name())? */
bool netns_ifname_valid(const char *name);
/* Address length of family (4 or 16), or -EAFNOSUPPORT. */
int netns_family_len(int family);

/* Request builders: fill buf (NL_BUF_SIZE bytes) without sending, so unit tests can inspect the messages.
 * type selects add (RTM_NEW*) or delete (RTM_DEL*). */
int netns_req_veth_create(nl_sock *nl, void *buf, const char *host_if, const char *ct_if, int ct_nsfd,
                          const uint8_t host_mac[6], const uint8_t ct_mac[6], struct nlmsghdr **ret);
/* A new link of a kind without kind data (bridge, ifb); txqlen 0 keeps the kind's default. */
int netns_req_link_create(nl_sock *nl, void *buf, const char *name, const char *kind, unsigned txqlen,
                          struct nlmsghdr **ret);
int netns_req_bridge_create(nl_sock *nl, void *buf, const char *name, struct nlmsghdr **ret);
int netns_req_addr(nl_sock *nl, void *buf, uint16_t type, int ifindex, int family, const void *addr,
                   unsigned prefixlen, struct nlmsghdr **ret);
int netns_req_route(nl_sock *nl, void *buf, uint16_t type, int family, const void *dst, unsigned dst_len,
                    const void *gw, int oif, unsigned char scope, struct nlmsghdr **ret);
int netns_req_neigh_proxy(nl_sock *nl, void *buf, uint16_t type, int family, const void *addr, int ifindex,
                          struct nlmsghdr **ret);
int netns_req_rule(nl_sock *nl, void *buf, uint16_t type, int family, unsigned priority, const char *iifname,
                   const void *src, unsigned src_len, bool blackhole, struct nlmsghdr **ret);
int netns_req_htb_qdisc(nl_sock *nl, void *buf, int ifindex, struct nlmsghdr **ret);
int netns_req_htb_class(nl_sock *nl, void *buf, int ifindex, uint64_t rate_bps, uint64_t burst_bytes,
                        struct nlmsghdr **ret);
int netns_req_ifb_create(nl_sock *nl, void *buf, const char *name, struct nlmsghdr **ret);
int netns_req_ingress_redirect(nl_sock *nl, void *buf, int ifindex, int target_ifindex,
                               struct nlmsghdr **ret);
/* stats.c: the RTM_GETLINK dump request; one reply message parsed: 1 a link (*ret filled), 0 not a link
 * message, -EBADMSG a malformed one. */
int netns_req_link_dump(nl_sock *nl, void *buf, struct nlmsghdr **ret);
int netns_link_stats_parse(const struct nlmsghdr *nlh, netns_link_stats *ret);
