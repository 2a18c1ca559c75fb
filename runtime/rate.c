/* Bandwidth limits (RATE, RATE_IN), enforced on the host's side of the CT's links: venet<CTID> of routed
 * addresses and the host ends of NETIF's veth pairs.
 *
 *   RATE_IN (what the host sends into the CT) leaves through each host-side link's egress: an HTB root
 *   qdisc there, rate = ceil = the limit (per link).
 *   RATE (what the CT sends) arrives at the host-side links' ingress: an ingress qdisc on each, whose u32
 *   match-all filter redirects (mirred) every packet to the egress of one IFB device of the CT, vzifb<CTID>,
 *   shaped by its HTB root qdisc (the CT's links together), then handed back to the link's input.
 *
 * The qdiscs of a link go with the link (stop deletes the veth pairs); the IFB is deleted at stop, and an
 * IFB left behind by an interrupted start is deleted by the next start before it makes its own. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "engine-internal.h"
#include "netns/netns.h"

#define MAX_LINKS 32

static void ifb_name(unsigned ctid, char buf[16])
{
        /* CTIDs have at most 10 digits: 15 characters, what an interface name holds */
        snprintf(buf, 16, "vzifb%u", ctid);
}

/* A burst of 20 ms at the rate, at least 128 KiB: a TCP stream's GSO packets (up to 64 KiB) pass without
 * stalling, and the first burst is a small part of any transfer that takes a second or more. */
static uint64_t burst_bytes(uint64_t bits)
{
        uint64_t b = bits / 8 / 50;
        return b < 128 * 1024 ? 128 * 1024 : b;
}

/* The host-side links the CT has now (live changes included), by index; those not there are left out. */
static int host_links(ct *c, nl_sock *nl, int ret[MAX_LINKS], char names[MAX_LINKS][16], size_t *ret_n)
{
        _cleanup_free_ char *ips = NULL, *netif = NULL;
        _cleanup_free_ struct ct_netif *ifs = NULL;
        size_t n = 0, nifs = 0;
        int r = ct_net_live(c, &ips, &netif);
        if (r < 0)
                return r;
        if (ips[strspn(ips, " \t")]) {
                snprintf(names[n], 16, "venet%u", c->id);
                if (netns_link_index(nl, names[n], &ret[n]) >= 0)
                        n++;
        }
        if (ct_netif_list_parse(c->id, netif, &ifs, &nifs) < 0)
                nifs = 0;
        for (size_t i = 0; i < nifs && n < MAX_LINKS; i++) {
                snprintf(names[n], 16, "%s", ifs[i].host_ifname);
                if (netns_link_index(nl, names[n], &ret[n]) >= 0)
                        n++;
        }
        *ret_n = n;
        return 0;
}

static bool has_network(ct *c)
{
        return (c->cfg.ip_address && *c->cfg.ip_address) || (c->cfg.netif && *c->cfg.netif);
}

static int rate_apply(ct *c, bool fresh)
{
        uint64_t out = 0, in = 0;
        char ifb[16];
        int r;

        if (ct_rate_bits(c->cfg.rate, &out) < 0 || ct_rate_bits(c->cfg.rate_in, &in) < 0)
                return log_error_errno(-EINVAL, "CT %u: bad RATE \"%s\" or RATE_IN \"%s\"", c->id,
                                       strempty(c->cfg.rate), strempty(c->cfg.rate_in));
        /* a start without limits and without links has nothing to do, nor anything left to remove */
        if (fresh && out == 0 && in == 0 && !has_network(c))
                return 0;
        _cleanup_nl_ nl_sock *nl = NULL;
        if ((r = nl_open(&nl)) < 0)
                return log_error_errno(r, "Cannot open rtnetlink: %m");
        ifb_name(c->id, ifb);
        if (fresh) {
                r = netns_link_del(nl, ifb);
                if (r < 0 && r != -ENODEV)
                        return log_error_errno(r, "CT %u: cannot remove the stale %s: %m", c->id, ifb);
        }
        int links[MAX_LINKS];
        char names[MAX_LINKS][16];
        size_t n = 0;
        if ((r = host_links(c, nl, links, names, &n)) < 0)
                return log_error_errno(r, "CT %u: cannot read its network state: %m", c->id);

        /* incoming: each link's egress */
        for (size_t i = 0; i < n; i++) {
                if (in > 0)
                        r = netns_tc_rate_set(nl, links[i], in, burst_bytes(in));
                else if (!fresh)
                        r = netns_tc_rate_del(nl, links[i]);
                else
                        r = 0;
                if (r < 0)
                        return log_error_errno(r, "CT %u: cannot %s the incoming rate on %s: %m%s%s", c->id,
                                               in > 0 ? "set" : "remove", names[i],
                                               nl_last_error(nl) ? ": " : "", strempty(nl_last_error(nl)));
        }

        /* outgoing: the links' ingress, through the IFB */
        if (out == 0 || n == 0) {
                for (size_t i = 0; !fresh && i < n; i++)
                        (void)netns_tc_ingress_del(nl, links[i]);
                r = netns_link_del(nl, ifb);
                if (r < 0 && r != -ENODEV)
                        return log_error_errno(r, "CT %u: cannot remove %s: %m", c->id, ifb);
                return 0;
        }
        int ifb_idx;
        if (netns_link_index(nl, ifb, &ifb_idx) < 0) {
                r = netns_ifb_create(nl, ifb);
                if (r < 0)
                        return log_error_errno(r, "CT %u: cannot create %s for its outgoing rate: %m%s%s",
                                               c->id, ifb, nl_last_error(nl) ? ": " : "",
                                               strempty(nl_last_error(nl)));
                if ((r = netns_link_index(nl, ifb, &ifb_idx)) < 0)
                        return log_error_errno(r, "CT %u: %s vanished: %m", c->id, ifb);
        }
        if ((r = netns_link_set_up(nl, ifb_idx, true)) < 0)
                return log_error_errno(r, "CT %u: cannot bring %s up: %m", c->id, ifb);
        r = netns_tc_rate_set(nl, ifb_idx, out, burst_bytes(out));
        if (r < 0)
                return log_error_errno(r, "CT %u: cannot set the outgoing rate on %s: %m%s%s", c->id, ifb,
                                       nl_last_error(nl) ? ": " : "", strempty(nl_last_error(nl)));
        for (size_t i = 0; i < n; i++) {
                /* made afresh each time: the IFB may have been made again (a new ifindex) */
                r = netns_tc_ingress_redirect(nl, links[i], ifb_idx);
                if (r < 0)
                        return log_error_errno(r, "CT %u: cannot redirect the traffic of %s to %s: %m%s%s",
                                               c->id, names[i], ifb, nl_last_error(nl) ? ": " : "",
                                               strempty(nl_last_error(nl)));
        }
        return 0;
}

int ct_rate_start(ct *c)
{
        return rate_apply(c, true);
}

int ct_rate_apply_live(ct *c)
{
        return rate_apply(c, false);
}

bool ct_rate_limited(const struct ct_config *cfg)
{
        uint64_t a = 0, b = 0;
        (void)ct_rate_bits(cfg->rate, &a);
        (void)ct_rate_bits(cfg->rate_in, &b);
        return a > 0 || b > 0;
}

void ct_rate_stop(ct *c)
{
        char ifb[16];
        _cleanup_nl_ nl_sock *nl = NULL;
        /* unconditionally: a live-only change may have given the CT a rate its config does not have */
        if (nl_open(&nl) < 0)
                return;
        ifb_name(c->id, ifb);
        int r = netns_link_del(nl, ifb);
        if (r < 0 && r != -ENODEV)
                log_warning_errno(r, "CT %u: cannot remove %s: %m, ignoring", c->id, ifb);
}
