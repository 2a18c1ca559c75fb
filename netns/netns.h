/* netns: rtnetlink through libmnl. Links, addresses, routes of a network namespace. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/macro.h"

typedef struct nl_sock nl_sock;

/* Open an rtnetlink socket in the calling thread's current network namespace. */
int nl_open(nl_sock **ret);
/* Open an rtnetlink socket in the namespace nsfd (/proc/PID/ns/net or a pidfd; < 0 = the caller's): the
 * calling thread setns()es in, opens the socket and setns()es back (aborts if it cannot come back). */
int nl_open_in(int nsfd, nl_sock **ret);
void nl_close(nl_sock *nl);
/* Extended-ACK text of the last failed request, or NULL. */
const char *nl_last_error(const nl_sock *nl);

/* Look up an interface index by name (RTM_GETLINK); -ENODEV if absent. */
int netns_link_index(nl_sock *nl, const char *ifname, int *ret_ifindex);
/* Set a link up or down. */
int netns_link_set_up(nl_sock *nl, int ifindex, bool up);
/* Bring up the loopback interface of the current network namespace. */
int netns_loopback_up(void);
/* veth pair: host_if in nl's namespace, its peer ct_if created directly in ct_nsfd (netns fd or pidfd; < 0 =
 * nl's namespace). MACs may be NULL (kernel random). -EEXIST if a name is taken. */
int netns_veth_create(nl_sock *nl, const char *host_if, const char *ct_if, int ct_nsfd,
                      const uint8_t host_mac[6], const uint8_t ct_mac[6]);
/* Delete a link by name (a veth takes its peer with it); -ENODEV if absent. */
int netns_link_del(nl_sock *nl, const char *ifname);
int netns_link_set_mtu(nl_sock *nl, int ifindex, unsigned mtu);
int netns_link_set_mac(nl_sock *nl, int ifindex, const uint8_t mac[6]);
/* Rename a link; most drivers refuse (-EBUSY) while the link is up. */
int netns_link_rename(nl_sock *nl, int ifindex, const char *newname);
/* Enslave ifindex to a bridge master_ifindex; 0 = detach. */
int netns_link_set_master(nl_sock *nl, int ifindex, int master_ifindex);
/* Create a bridge (down); -EEXIST if the name is taken. */
int netns_bridge_create(nl_sock *nl, const char *name);

/* Addresses: family AF_INET/AF_INET6, addr in network byte order (struct in_addr / in6_addr). Adding an
 * existing address gives -EEXIST, deleting an absent one -EADDRNOTAVAIL. */
int netns_addr_add(nl_sock *nl, int ifindex, int family, const void *addr, unsigned prefixlen);
int netns_addr_del(nl_sock *nl, int ifindex, int family, const void *addr, unsigned prefixlen);
typedef struct netns_addr {
        int family;
        int ifindex;
        unsigned prefixlen;
        unsigned char addr[16];
} netns_addr;
/* List the addresses of one link (all links when ifindex is 0); *ret is one free()able array. */
int netns_addr_list(nl_sock *nl, int ifindex, netns_addr **ret, size_t *ret_n);

/* Routes in the main table: dst/dst_len (dst NULL = default), via gw (NULL = none), out via oif (0 = none),
 * scope RT_SCOPE_UNIVERSE or RT_SCOPE_LINK. -EEXIST if present / -ESRCH if absent. */
int netns_route_add(nl_sock *nl, int family, const void *dst, unsigned dst_len, const void *gw, int oif,
                    unsigned char scope);
int netns_route_del(nl_sock *nl, int family, const void *dst, unsigned dst_len, const void *gw, int oif);

/* Proxy ARP / proxy NDP entry (NTF_PROXY) for addr on ifindex. Adding an existing entry succeeds (the kernel
 * ignores NLM_F_EXCL for these); deleting an absent one gives -ENOENT. */
int netns_neigh_proxy_add(nl_sock *nl, int family, const void *addr, int ifindex);
int netns_neigh_proxy_del(nl_sock *nl, int family, const void *addr, int ifindex);

/* Policy routing rules at priority: packets that came in on iifname (NULL = any) from src/src_len (NULL =
 * any) are looked up in the main table, or dropped (blackhole). A rule that exists gives -EEXIST; deleting
 * an absent one -ENOENT. */
int netns_rule_add(nl_sock *nl, int family, unsigned priority, const char *iifname, const void *src,
                   unsigned src_len, bool blackhole);
int netns_rule_del(nl_sock *nl, int family, unsigned priority, const char *iifname, const void *src,
                   unsigned src_len, bool blackhole);

/* Traffic control (tc.c). Shape a link's egress to rate_bps bits/s with a burst of burst_bytes: an HTB root
 * qdisc 1: whose default class 1:1 has rate = ceil (made, or changed in place when already there). */
int netns_tc_rate_set(nl_sock *nl, int ifindex, uint64_t rate_bps, uint64_t burst_bytes);
/* Remove the root qdisc of a link (back to the kernel's default); none is not an error. */
int netns_tc_rate_del(nl_sock *nl, int ifindex);
/* Create an IFB device (down); -EEXIST if the name is taken. */
int netns_ifb_create(nl_sock *nl, const char *name);
/* Redirect everything arriving on ifindex to the egress of target_ifindex (an IFB): an ingress qdisc with a
 * u32 match-all filter whose action is mirred egress redirect. Replaces an earlier one. */
int netns_tc_ingress_redirect(nl_sock *nl, int ifindex, int target_ifindex);
/* Remove a link's ingress qdisc and its filters; none is not an error. */
int netns_tc_ingress_del(nl_sock *nl, int ifindex);

/* Counters of every link of nl's namespace (stats.c): one RTM_GETLINK dump, IFLA_STATS64 of each link. */
typedef struct netns_link_stats {
        char ifname[16]; /* IFNAMSIZ */
        int ifindex;
        bool up;
        uint64_t rx_bytes, tx_bytes, rx_packets, tx_packets;
        uint64_t rx_errors, tx_errors, rx_dropped, tx_dropped;
} netns_link_stats;
/* *ret is one free()able array (NULL when *ret_n is 0). */
int netns_link_stats_list(nl_sock *nl, netns_link_stats **ret, size_t *ret_n);

/* Source guards (nft.c, libnftables; vpsctl's own table "inet vpsctl", nothing else touched). A packet that
 * arrives on the link named ifname (by name: the guard may come before the link) from a source in none of
 * srcs[] is dropped at prerouting, before routing decides whether it is for this host or to forward; IPv6's
 * "::" and fe80::/10 (ND, DAD) always pass, and a family with no source at all is dropped whole. The
 * sources are host addresses (/32, /128; anything else is -EINVAL), held as elements of the table's sets.
 * Set replaces the link's guard in one transaction; del removes it, and an absent one is not an error.
 * *ret_error (if given) receives libnftables' message on failure. */
typedef struct netns_prefix {
        int family; /* AF_INET, AF_INET6 */
        unsigned char addr[16];
        unsigned prefixlen;
} netns_prefix;
int netns_guard_set(const char *ifname, const netns_prefix *srcs, size_t n, char **ret_error);
int netns_guard_del(const char *ifname);

/* Write/read /proc/sys/net/PATH of the namespace nsfd (netns fd or pidfd; < 0 = the caller's), e.g.
 * ("ipv4/conf/veth101.0/rp_filter", "1"). PATH is relative, without "." or ".." components. The read returns
 * the first line, without its newline. */
int netns_sysctl_write(int nsfd, const char *path, const char *value);
int netns_sysctl_read(int nsfd, const char *path, char **ret);

/* Parse "192.0.2.1", "192.0.2.0/24", "2001:db8::1/64": family, addr (network order, v4 in the first 4 bytes,
 * the rest zeroed), prefixlen (default 32/128). */
int netns_parse_addr(const char *s, int *ret_family, unsigned char ret_addr[16], unsigned *ret_prefixlen);
/* Parse "aa:bb:cc:dd:ee:ff" (hex digits in either case). */
int netns_parse_mac(const char *s, uint8_t ret[6]);
#define NETNS_MAC_STRLEN 18
/* Format as "aa:bb:cc:dd:ee:ff"; returns buf. */
char *netns_format_mac(const uint8_t mac[6], char buf[NETNS_MAC_STRLEN]);
/* A stable, locally administered unicast MAC from a seed string (e.g. "101/eth0/ct"); the same seed gives
 * the same MAC in every version of vpsctl. */
void netns_mac_from_seed(const char *seed, uint8_t ret[6]);

static inline void nl_closep(nl_sock **nl)
{
        nl_close(*nl);
}
#define _cleanup_nl_ _cleanup_(nl_closep)
