/* The CT's network: venet-style routed addresses (IP_ADDRESS), bridged veth interfaces (NETIF) and the
 * guest's resolver files. Everything goes through netns/ (rtnetlink); nothing is spawned.
 *
 * Routed mode, per CT with addresses:
 *   host  venet<CTID>  169.254.0.1/32, fe80::1/64, a host route per CT address, proxy ARP/NDP entries on
 *                      NEIGHBOUR_DEVS, fib rules: "from ADDR iif venet<CTID> lookup main" (prio 100) and
 *                      "iif venet<CTID> blackhole" (prio 101), so a CT can only send from its own addresses
 *                      to elsewhere; and, as those rules come after the local table, a source guard in
 *                      nftables (netns_guard_set: table inet vpsctl) that drops what venet<CTID> brings from
 *                      any other source before routing, so nothing spoofed reaches the host itself either.
 *                      It is there before the link and goes with it; a CT whose guard cannot be installed
 *                      (no nf_tables in the kernel) does not start.
 *   CT    venet0       ADDR/32 or /128, 169.254.0.1 dev venet0 scope link, default via 169.254.0.1,
 *                      default via fe80::1. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>

#include "base/failpoint.h"
#include "base/fileio.h"
#include "base/log.h"
#include "engine-internal.h"
#include "netns/netns.h"

#define RULE_PRIO_ALLOW 100U
#define RULE_PRIO_DROP  101U

static const unsigned char gw4[4] = { 169, 254, 0, 1 };
static const unsigned char gw6[16] = { 0xfe, 0x80, [15] = 1 };

static unsigned host_prefix(const struct ct_ip *ip)
{
        return ip->family == AF_INET ? 32 : 128;
}

static void venet_host_if(unsigned ctid, char buf[16])
{
        snprintf(buf, 16, "venet%u", ctid);
}

/* The source guard of venet<CTID>: exactly the CT's addresses (as the allow rules: host prefixes). */
static int venet_guard(ct *c, const struct ct_ip *ips, size_t n)
{
        char ifn[16];
        _cleanup_free_ netns_prefix *p = calloc(n ? n : 1, sizeof(*p));
        _cleanup_free_ char *err = NULL;
        if (!p)
                return -ENOMEM;
        venet_host_if(c->id, ifn);
        for (size_t i = 0; i < n; i++) {
                p[i].family = ips[i].family;
                memcpy(p[i].addr, ips[i].addr, sizeof(p[i].addr));
                p[i].prefixlen = host_prefix(&ips[i]);
        }
        int r = netns_guard_set(ifn, p, n, &err);
        if (r < 0)
                return log_error_errno(
                        r,
                        "CT %u: cannot install its anti-spoofing filter on %s (nftables: %s): the host's "
                        "kernel needs nf_tables (modprobe nf_tables), and table inet vpsctl "
                        "must be vpsctl's own (delete it while no CT runs to have it remade). "
                        "The CT does not run unprotected",
                        c->id, ifn, err && *err ? err : strerror(-r));
        return 0;
}

/* NEIGHBOUR_DEVS, as interface indexes in the host namespace; names that do not exist are warned about. */
static int neighbour_devs(ct *c, nl_sock *nl, int **ret, size_t *ret_n)
{
        _cleanup_free_ char *copy = strdup(c->cfg.neighbour_devs ? c->cfg.neighbour_devs : "");
        _cleanup_free_ int *idx = NULL;
        size_t n = 0;
        if (!copy)
                return -ENOMEM;
        for (char *save = NULL, *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
                int i;
                static bool warned;
                if (netns_link_index(nl, t, &i) < 0) {
                        if (warned)
                                continue;
                        warned = true;
                        log_warning("NEIGHBOUR_DEVS names \"%s\", which this host does not have; no proxy "
                                    "entries there",
                                    t);
                        continue;
                }
                int *m = realloc(idx, (n + 1) * sizeof(int));
                if (!m)
                        return -ENOMEM;
                idx = m;
                idx[n++] = i;
        }
        *ret = TAKE_PTR(idx);
        *ret_n = n;
        return 0;
}

static int sysctl_on(const char *path)
{
        _cleanup_free_ char *v = NULL;
        if (netns_sysctl_read(-1, path, &v) >= 0 && streq(v, "1"))
                return 0;
        return netns_sysctl_write(-1, path, "1");
}

/* The host's half of one address: route, proxy entries on devs (neighbour_devs()), allow rule. */
static int host_ip_add(ct *c, nl_sock *nl, int host_idx, const struct ct_ip *ip, const int *devs, size_t nd)
{
        char ifn[16];
        venet_host_if(c->id, ifn);
        int r = netns_route_add(nl, ip->family, ip->addr, host_prefix(ip), NULL, host_idx, RT_SCOPE_LINK);
        if (r < 0 && r != -EEXIST)
                return log_error_errno(r, "CT %u: cannot route %s to %s: %m", c->id, ip->text, ifn);
        failpoint("net.host-route");
        for (size_t i = 0; i < nd; i++) {
                r = netns_neigh_proxy_add(nl, ip->family, ip->addr, devs[i]);
                if (r < 0 && r != -EEXIST)
                        return log_error_errno(r, "CT %u: cannot add the proxy %s entry for %s: %m", c->id,
                                               ip->family == AF_INET ? "ARP" : "NDP", ip->text);
        }
        r = netns_rule_add(nl, ip->family, RULE_PRIO_ALLOW, ifn, ip->addr, host_prefix(ip), false);
        if (r < 0 && r != -EEXIST)
                return log_error_errno(r, "CT %u: cannot add the source rule for %s: %m", c->id, ip->text);
        return 0;
}

static void host_ip_del(ct *c, nl_sock *nl, const struct ct_ip *ip, const int *devs, size_t nd)
{
        char ifn[16];
        venet_host_if(c->id, ifn);
        (void)netns_route_del(nl, ip->family, ip->addr, host_prefix(ip), NULL, 0);
        for (size_t i = 0; i < nd; i++)
                (void)netns_neigh_proxy_del(nl, ip->family, ip->addr, devs[i]);
        (void)netns_rule_del(nl, ip->family, RULE_PRIO_ALLOW, ifn, ip->addr, host_prefix(ip), false);
}

static int ct_ip_add(ct *c, nl_sock *ctnl, int ct_idx, const struct ct_ip *ip)
{
        int r = netns_addr_add(ctnl, ct_idx, ip->family, ip->addr, ip->prefixlen);
        if (r < 0 && r != -EEXIST)
                return log_error_errno(r, "CT %u: cannot add %s to its %s: %m", c->id, ip->text,
                                       CT_VENET_IF);
        return 0;
}

/* Forwarding and proxy NDP, switched on where the CT's addresses need them (never switched off: other CTs
 * or the host's own routing may rely on them). */
static int host_sysctls(ct *c, nl_sock *nl, const struct ct_ip *ips, size_t n)
{
        bool v4 = false, v6 = false;
        for (size_t i = 0; i < n; i++)
                *(ips[i].family == AF_INET ? &v4 : &v6) = true;
        if (v4 && sysctl_on("ipv4/ip_forward") < 0)
                return log_error_errno(-errno, "CT %u: cannot enable IPv4 forwarding: %m", c->id);
        if (v6) {
                if (sysctl_on("ipv6/conf/all/forwarding") < 0)
                        return log_error_errno(-errno, "CT %u: cannot enable IPv6 forwarding: %m", c->id);
                _cleanup_free_ char *copy = strdup(c->cfg.neighbour_devs ? c->cfg.neighbour_devs : "");
                if (!copy)
                        return -ENOMEM;
                for (char *save = NULL, *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
                        char path[96];
                        int idx;
                        if (netns_link_index(nl, t, &idx) < 0)
                                continue;
                        snprintf(path, sizeof(path), "ipv6/conf/%s/proxy_ndp", t);
                        if (sysctl_on(path) < 0)
                                log_warning("CT %u: cannot enable proxy NDP on %s", c->id, t);
                }
        }
        return 0;
}

/* Create the venet pair and everything both sides need for ips[]. ctns: the CT's network namespace. */
static int venet_up(ct *c, nl_sock *nl, int ctns, const struct ct_ip *ips, size_t n)
{
        char ifn[16], seed[64];
        uint8_t hmac[6], cmac[6];
        int hidx, cidx, r;

        venet_host_if(c->id, ifn);
        snprintf(seed, sizeof(seed), "%u/venet/host", c->id);
        netns_mac_from_seed(seed, hmac);
        snprintf(seed, sizeof(seed), "%u/venet/ct", c->id);
        netns_mac_from_seed(seed, cmac);

        r = host_sysctls(c, nl, ips, n);
        if (r < 0)
                return r;
        /* the guard first: there is no moment when the link exists unguarded */
        if ((r = venet_guard(c, ips, n)) < 0)
                return r;
        failpoint("net.guard");
        r = netns_veth_create(nl, ifn, CT_VENET_IF, ctns, hmac, cmac);
        if (r == -EEXIST)
                return log_error_errno(r,
                                       "CT %u: the host already has an interface %s; remove it or stop "
                                       "what created it",
                                       c->id, ifn);
        if (r < 0)
                return log_error_errno(r, "CT %u: cannot create the %s/%s pair: %m%s%s", c->id, ifn,
                                       CT_VENET_IF, nl_last_error(nl) ? ": " : "",
                                       nl_last_error(nl) ? nl_last_error(nl) : "");
        if ((r = netns_link_index(nl, ifn, &hidx)) < 0)
                return log_error_errno(r, "CT %u: %s vanished: %m", c->id, ifn);
        /* strict reverse-path filter: a host that runs loose mode (all=2) still gets the fib rules below */
        char path[96];
        snprintf(path, sizeof(path), "ipv4/conf/%s/rp_filter", ifn);
        (void)netns_sysctl_write(-1, path, "1");
        snprintf(path, sizeof(path), "ipv6/conf/%s/accept_ra", ifn);
        (void)netns_sysctl_write(-1, path, "0");
        if ((r = netns_link_set_up(nl, hidx, true)) < 0)
                return log_error_errno(r, "CT %u: cannot bring %s up: %m", c->id, ifn);
        r = netns_addr_add(nl, hidx, AF_INET, gw4, 32);
        if (r < 0 && r != -EEXIST)
                return log_error_errno(r, "CT %u: cannot give %s the gateway address 169.254.0.1: %m", c->id,
                                       ifn);
        r = netns_addr_add(nl, hidx, AF_INET6, gw6, 64);
        if (r < 0 && r != -EEXIST && r != -EAFNOSUPPORT && r != -EACCES)
                return log_error_errno(r, "CT %u: cannot give %s the gateway address fe80::1: %m", c->id,
                                       ifn);
        for (int fam = 0; fam < 2; fam++) {
                r = netns_rule_add(nl, fam ? AF_INET6 : AF_INET, RULE_PRIO_DROP, ifn, NULL, 0, true);
                if (r < 0 && r != -EEXIST && r != -EAFNOSUPPORT)
                        return log_error_errno(r, "CT %u: cannot add the anti-spoofing rule on %s: %m",
                                               c->id, ifn);
        }
        _cleanup_free_ int *devs = NULL;
        size_t nd = 0;
        if ((r = neighbour_devs(c, nl, &devs, &nd)) < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                if ((r = host_ip_add(c, nl, hidx, &ips[i], devs, nd)) < 0)
                        return r;

        /* the CT's side */
        _cleanup_nl_ nl_sock *ctnl = NULL;
        if ((r = nl_open_in(ctns, &ctnl)) < 0)
                return log_error_errno(r, "CT %u: cannot talk to its network namespace: %m", c->id);
        if ((r = netns_link_index(ctnl, CT_VENET_IF, &cidx)) < 0)
                return log_error_errno(r, "CT %u: %s is missing inside: %m", c->id, CT_VENET_IF);
        snprintf(path, sizeof(path), "ipv6/conf/%s/accept_ra", CT_VENET_IF);
        (void)netns_sysctl_write(ctns, path, "0");
        snprintf(path, sizeof(path), "ipv6/conf/%s/accept_dad", CT_VENET_IF);
        (void)netns_sysctl_write(ctns, path, "0");
        if ((r = netns_link_set_up(ctnl, cidx, true)) < 0)
                return log_error_errno(r, "CT %u: cannot bring its %s up: %m", c->id, CT_VENET_IF);
        for (size_t i = 0; i < n; i++)
                if ((r = ct_ip_add(c, ctnl, cidx, &ips[i])) < 0)
                        return r;
        r = netns_route_add(ctnl, AF_INET, gw4, 32, NULL, cidx, RT_SCOPE_LINK);
        if (r >= 0 || r == -EEXIST)
                r = netns_route_add(ctnl, AF_INET, NULL, 0, gw4, cidx, RT_SCOPE_UNIVERSE);
        if (r < 0 && r != -EEXIST)
                return log_error_errno(r, "CT %u: cannot set its IPv4 default route: %m", c->id);
        r = netns_route_add(ctnl, AF_INET6, NULL, 0, gw6, cidx, RT_SCOPE_UNIVERSE);
        if (r < 0 && r != -EEXIST && r != -EAFNOSUPPORT && r != -EACCES)
                return log_error_errno(r, "CT %u: cannot set its IPv6 default route: %m", c->id);
        return 0;
}

/* Remove every trace of the CT's routed and bridged networking from the host. Idempotent: also what a
 * start does first, for a CT that died without a stop. */
static void net_host_cleanup(ct *c, nl_sock *nl, const struct ct_ip *ips, size_t n,
                             const struct ct_netif *ifs, size_t nifs)
{
        char ifn[16];
        _cleanup_free_ int *devs = NULL;
        size_t nd = 0;
        venet_host_if(c->id, ifn);
        if (n > 0 && neighbour_devs(c, nl, &devs, &nd) < 0)
                nd = 0;
        for (size_t i = 0; i < n; i++)
                host_ip_del(c, nl, &ips[i], devs, nd);
        int idx;
        bool had_link = netns_link_index(nl, ifn, &idx) >= 0;
        (void)netns_link_del(nl, ifn);
        /* a guard exists only with routed addresses (n > 0 from the state or config) or their link */
        if (n > 0 || had_link)
                (void)netns_guard_del(ifn);
        for (int fam = 0; fam < 2; fam++) {
                int f = fam ? AF_INET6 : AF_INET;
                /* a rule with no source matches any source on delete: leftovers of addresses since removed
                 */
                for (int k = 0; k < 4096 && netns_rule_del(nl, f, RULE_PRIO_ALLOW, ifn, NULL, 0, false) >= 0;
                     k++)
                        ;
                for (int k = 0; k < 16 && netns_rule_del(nl, f, RULE_PRIO_DROP, ifn, NULL, 0, true) >= 0;
                     k++)
                        ;
        }
        for (size_t i = 0; i < nifs; i++)
                (void)netns_link_del(nl, ifs[i].host_ifname);
}

static int netif_up(ct *c, nl_sock *nl, int ctns, const struct ct_netif *f)
{
        int hidx, bidx = 0, r;
        if (f->bridge[0] && netns_link_index(nl, f->bridge, &bidx) < 0)
                return log_error_errno(-ENODEV, "CT %u: bridge %s of %s does not exist; create it first",
                                       c->id, f->bridge, f->ifname);
        r = netns_veth_create(nl, f->host_ifname, f->ifname, ctns, f->host_mac, f->mac);
        if (r == -EEXIST)
                return log_error_errno(r, "CT %u: the host already has an interface %s (host_ifname of %s)",
                                       c->id, f->host_ifname, f->ifname);
        if (r < 0)
                return log_error_errno(r, "CT %u: cannot create the veth pair %s/%s: %m", c->id,
                                       f->host_ifname, f->ifname);
        if ((r = netns_link_index(nl, f->host_ifname, &hidx)) < 0)
                return r;
        if (bidx && (r = netns_link_set_master(nl, hidx, bidx)) < 0)
                return log_error_errno(r, "CT %u: cannot attach %s to bridge %s: %m", c->id, f->host_ifname,
                                       f->bridge);
        if ((r = netns_link_set_up(nl, hidx, true)) < 0)
                return log_error_errno(r, "CT %u: cannot bring %s up: %m", c->id, f->host_ifname);
        return 0;
}

/* run/vpsctl/CTID/net: what the running CT's network is, as set up (saved config and live-only changes
 * alike): what a later live change starts from and what stop removes. */
static void net_state_path(ct *c, char path[4096])
{
        snprintf(path, 4096, "%s/net", c->run_path);
}

static bool net_state_exists(ct *c)
{
        char path[4096];
        net_state_path(c, path);
        return access(path, F_OK) == 0;
}

/* IP_ADDRESS and NETIF as set up; PENDING_IPS: addresses a live change is adding or removing right now
 * (or was, when it failed or vpsctl was killed in it): maybe half set up, so cleaned up too, but not
 * taken as there by the next change. */
static int net_state_write(ct *c, const char *ips, const char *netif, const char *pending)
{
        char path[4096];
        _cleanup_free_ char *buf = NULL;
        net_state_path(c, path);
        int len = asprintf(&buf, "IP_ADDRESS=\"%s\"\nNETIF=\"%s\"\nPENDING_IPS=\"%s\"\n", ips ? ips : "",
                           netif ? netif : "", pending ? pending : "");
        if (len < 0)
                return -ENOMEM;
        return write_file_atomic_at(AT_FDCWD, path, buf, (size_t)len, 0600);
}

static char *state_value(const char *buf, const char *key)
{
        size_t k = strlen(key);
        for (const char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
                if (strncmp(l, key, k) == 0 && l[k] == '=' && l[k + 1] == '"') {
                        const char *v = l + k + 2, *e = strchr(v, '"');
                        return e ? strndup(v, (size_t)(e - v)) : NULL;
                }
        return strdup("");
}

int ct_net_live(ct *c, char **ret_ips, char **ret_netif)
{
        char path[4096];
        _cleanup_free_ char *buf = NULL;
        net_state_path(c, path);
        if (read_full_file_at(AT_FDCWD, path, &buf, NULL) >= 0) {
                *ret_ips = state_value(buf, "IP_ADDRESS");
                *ret_netif = state_value(buf, "NETIF");
        } else {
                *ret_ips = strdup(c->cfg.ip_address ? c->cfg.ip_address : "");
                *ret_netif = strdup(c->cfg.netif ? c->cfg.netif : "");
        }
        if (!*ret_ips || !*ret_netif) {
                free(*ret_ips);
                free(*ret_netif);
                return -ENOMEM;
        }
        return 0;
}

/* PENDING_IPS of the state file ("" when none or no state). */
static char *net_state_pending(ct *c)
{
        char path[4096];
        _cleanup_free_ char *buf = NULL;
        net_state_path(c, path);
        if (read_full_file_at(AT_FDCWD, path, &buf, NULL) < 0)
                return strdup("");
        return state_value(buf, "PENDING_IPS");
}

struct net_conf {
        struct ct_ip *ips;
        size_t n_ips;
        struct ct_netif *ifs;
        size_t n_ifs;
};

static void net_conf_done(struct net_conf *nc)
{
        free(nc->ips);
        free(nc->ifs);
}

static int net_conf_parse(ct *c, const char *ips, const char *netif, struct net_conf *nc)
{
        *nc = (struct net_conf){};
        int r = ct_ip_list_parse(ips, &nc->ips, &nc->n_ips);
        if (r < 0)
                return log_error_errno(r, "CT %u: bad IP_ADDRESS \"%s\"", c->id, ips);
        r = ct_netif_list_parse(c->id, netif, &nc->ifs, &nc->n_ifs);
        if (r < 0) {
                net_conf_done(nc);
                return log_error_errno(r, "CT %u: bad NETIF \"%s\"", c->id, netif);
        }
        return 0;
}

static int net_conf_load(ct *c, struct net_conf *nc)
{
        return net_conf_parse(c, c->cfg.ip_address, c->cfg.netif, nc);
}

/* Remove what the last run set up (its state file) and what the config names, then forget the state. */
static void net_cleanup_all(ct *c, nl_sock *nl)
{
        _cleanup_free_ char *ips = NULL, *netif = NULL;
        struct net_conf st = {}, cf = {};
        char path[4096];
        net_state_path(c, path);
        _cleanup_free_ char *pending = net_state_pending(c), *all = NULL;
        if (net_state_exists(c) && ct_net_live(c, &ips, &netif) >= 0 &&
            asprintf(&all, "%s %s", ips, pending ? pending : "") >= 0 &&
            net_conf_parse(c, all, netif, &st) >= 0) {
                net_host_cleanup(c, nl, st.ips, st.n_ips, st.ifs, st.n_ifs);
                net_conf_done(&st);
        }
        if (net_conf_load(c, &cf) >= 0) {
                net_host_cleanup(c, nl, cf.ips, cf.n_ips, cf.ifs, cf.n_ifs);
                net_conf_done(&cf);
        }
        (void)unlink(path);
}

static int open_ct_netns(pid_t pid)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        return fd < 0 ? negative_errno() : fd;
}

int ct_net_start(ct *c, pid_t init)
{
        _cleanup_(net_conf_done) struct net_conf nc = {};
        int r = net_conf_load(c, &nc);
        if (r < 0)
                return r;
        if (nc.n_ips == 0 && nc.n_ifs == 0 && !net_state_exists(c))
                return 0; /* no network, and nothing of an earlier run to clean up: no netlink at all */
        _cleanup_nl_ nl_sock *nl = NULL;
        if ((r = nl_open(&nl)) < 0)
                return log_error_errno(r, "Cannot open rtnetlink: %m");
        net_cleanup_all(c, nl);
        if (nc.n_ips == 0 && nc.n_ifs == 0)
                return 0;
        /* recorded first: whatever part of it exists, stop finds it */
        if ((r = net_state_write(c, c->cfg.ip_address, c->cfg.netif, NULL)) < 0)
                return log_error_errno(r, "CT %u: cannot record its network state: %m", c->id);
        _cleanup_close_ int ctns = open_ct_netns(init);
        if (ctns < 0)
                return log_error_errno(ctns, "CT %u: cannot open its network namespace: %m", c->id);
        if (nc.n_ips > 0 && (r = venet_up(c, nl, ctns, nc.ips, nc.n_ips)) < 0)
                goto fail;
        for (size_t i = 0; i < nc.n_ifs; i++)
                if ((r = netif_up(c, nl, ctns, &nc.ifs[i])) < 0)
                        goto fail;
        return 0;
fail:
        net_cleanup_all(c, nl);
        return r;
}

void ct_net_stop(ct *c)
{
        _cleanup_nl_ nl_sock *nl = NULL;
        /* a CT with a network has a state file from its start (or a live change) and a config saying so */
        if (!net_state_exists(c) && (!c->cfg.ip_address || !*c->cfg.ip_address) &&
            (!c->cfg.netif || !*c->cfg.netif))
                return;
        if (nl_open(&nl) < 0)
                return;
        net_cleanup_all(c, nl);
}

int ct_net_check_ips(ct *c, const char *new_list)
{
        _cleanup_free_ struct ct_ip *ips = NULL, *mine = NULL;
        size_t n, n_mine;
        int r = ct_ip_list_parse(new_list, &ips, &n);
        if (r < 0)
                return r;
        /* what the CT has now, saved or live, is not new */
        _cleanup_free_ char *live_ips = NULL, *live_netif = NULL, *all_mine = NULL;
        if (ct_net_live(c, &live_ips, &live_netif) < 0 ||
            asprintf(&all_mine, "%s %s", c->cfg.ip_address ? c->cfg.ip_address : "", live_ips) < 0)
                return -ENOMEM;
        r = ct_ip_list_parse(all_mine, &mine, &n_mine);
        if (r < 0)
                n_mine = 0;
        /* only the addresses this change adds can collide */
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
                if (!ct_ip_in(&ips[i], mine, n_mine))
                        ips[k++] = ips[i];
        n = k;
        if (n == 0)
                return 0;

        _cleanup_free_ unsigned *ids = NULL;
        size_t nids = 0;
        if ((r = ct_list_ids(c->paths, &ids, &nids)) < 0)
                return r;
        for (size_t i = 0; i < nids; i++) {
                if (ids[i] == c->id)
                        continue;
                _cleanup_ct_ ct *o = NULL;
                if (ct_load(c->paths, ids[i], false, &o) < 0)
                        continue;
                _cleanup_free_ struct ct_ip *theirs = NULL;
                _cleanup_free_ char *o_ips = NULL, *o_netif = NULL, *o_all = NULL;
                size_t nt;
                /* its saved addresses and, while it runs, the live-only ones */
                if (ct_net_live(o, &o_ips, &o_netif) < 0 ||
                    asprintf(&o_all, "%s %s", o->cfg.ip_address ? o->cfg.ip_address : "", o_ips) < 0)
                        return -ENOMEM;
                if (ct_ip_list_parse(o_all, &theirs, &nt) < 0)
                        continue;
                for (size_t j = 0; j < n; j++)
                        if (ct_ip_in(&ips[j], theirs, nt)) {
                                log_error("IP address %s is already used by CT %u; remove it there first "
                                          "(vpsctl set %u --ipdel %s --save)",
                                          ips[j].text, ids[i], ids[i], ips[j].text);
                                return -EADDRINUSE;
                        }
        }
        _cleanup_nl_ nl_sock *nl = NULL;
        _cleanup_free_ netns_addr *host = NULL;
        size_t nh = 0;
        if (nl_open(&nl) >= 0 && netns_addr_list(nl, 0, &host, &nh) >= 0) {
                char ifn[16];
                int own = 0;
                venet_host_if(c->id, ifn);
                (void)netns_link_index(nl, ifn, &own);
                for (size_t j = 0; j < n; j++)
                        for (size_t i = 0; i < nh; i++)
                                if (host[i].ifindex != own && host[i].family == ips[j].family &&
                                    memcmp(host[i].addr, ips[j].addr, ips[j].family == AF_INET ? 4 : 16) ==
                                            0) {
                                        log_error(
                                                "IP address %s is already assigned to an interface of this "
                                                "host; a CT cannot have it",
                                                ips[j].text);
                                        return -EADDRINUSE;
                                }
        }
        return 0;
}

static int net_apply_live(ct *c, const char *old_ips, const char *old_netif, const char *pending,
                          pid_t init);

int ct_net_apply_live(ct *c, const char *old_ips, const char *old_netif, pid_t init)
{
        /* while the change is under way (and if it fails, or vpsctl is killed in it), the state names
         * both the old and the new: stop must find whatever of either exists */
        _cleanup_free_ char *before = net_state_pending(c), *pending = NULL;
        if (asprintf(&pending, "%s %s", c->cfg.ip_address ? c->cfg.ip_address : "", before ? before : "") <
            0)
                return -ENOMEM;
        /* (interfaces need no such care: their host ends go with the CT's network namespace) */
        int k = net_state_write(c, old_ips, c->cfg.netif, pending);
        if (k < 0)
                log_warning_errno(k, "CT %u: cannot record its network state: %m", c->id);
        failpoint("net.recorded");
        int r = net_apply_live(c, old_ips, old_netif, before, init);
        failpoint("net.applied");
        if (r < 0)
                return r;
        k = net_state_write(c, c->cfg.ip_address, c->cfg.netif, NULL);
        if (k < 0)
                log_warning_errno(k, "CT %u: cannot record its network state: %m", c->id);
        return r;
}

static int net_apply_live(ct *c, const char *old_ips, const char *old_netif, const char *pending, pid_t init)
{
        _cleanup_free_ struct ct_ip *was = NULL, *half = NULL;
        size_t nhalf = 0;
        _cleanup_free_ struct ct_netif *was_if = NULL;
        size_t nwas = 0, nwas_if = 0;
        _cleanup_(net_conf_done) struct net_conf nc = {};
        int r;

        if (ct_ip_list_parse(old_ips, &was, &nwas) < 0)
                nwas = 0;
        if (ct_ip_list_parse(pending, &half, &nhalf) < 0)
                nhalf = 0;
        if (ct_netif_list_parse(c->id, old_netif, &was_if, &nwas_if) < 0)
                nwas_if = 0;
        if ((r = net_conf_load(c, &nc)) < 0)
                return r;
        _cleanup_nl_ nl_sock *nl = NULL;
        if ((r = nl_open(&nl)) < 0)
                return r;
        _cleanup_close_ int ctns = open_ct_netns(init);
        if (ctns < 0)
                return ctns;

        /* routed addresses */
        char ifn[16];
        int hidx = 0;
        venet_host_if(c->id, ifn);
        bool have_venet = netns_link_index(nl, ifn, &hidx) >= 0;
        if (have_venet && nwas == 0) {
                /* a venet link without addresses: an interrupted change made it; set it up afresh */
                net_host_cleanup(c, nl, half, nhalf, NULL, 0);
                have_venet = false;
        }
        if (nc.n_ips == 0 && have_venet) {
                net_host_cleanup(c, nl, was, nwas, NULL, 0);
                net_host_cleanup(c, nl, half, nhalf, NULL, 0);
        } else if (nc.n_ips > 0 && !have_venet) {
                if ((r = venet_up(c, nl, ctns, nc.ips, nc.n_ips)) < 0)
                        return r;
        } else if (nc.n_ips > 0) {
                _cleanup_nl_ nl_sock *ctnl = NULL;
                int cidx;
                if ((r = nl_open_in(ctns, &ctnl)) < 0 ||
                    (r = netns_link_index(ctnl, CT_VENET_IF, &cidx)) < 0)
                        return log_error_errno(r, "CT %u: cannot reach its %s: %m", c->id, CT_VENET_IF);
                _cleanup_free_ int *devs = NULL;
                size_t nd = 0;
                if ((r = neighbour_devs(c, nl, &devs, &nd)) < 0)
                        return r;
                for (size_t i = 0; i < nwas; i++)
                        if (!ct_ip_in(&was[i], nc.ips, nc.n_ips)) {
                                host_ip_del(c, nl, &was[i], devs, nd);
                                (void)netns_addr_del(ctnl, cidx, was[i].family, was[i].addr,
                                                     was[i].prefixlen);
                        }
                /* what an interrupted change half added, and this one does not want */
                for (size_t i = 0; i < nhalf; i++)
                        if (!ct_ip_in(&half[i], nc.ips, nc.n_ips) && !ct_ip_in(&half[i], was, nwas)) {
                                host_ip_del(c, nl, &half[i], devs, nd);
                                (void)netns_addr_del(ctnl, cidx, half[i].family, half[i].addr,
                                                     half[i].prefixlen);
                        }
                if ((r = host_sysctls(c, nl, nc.ips, nc.n_ips)) < 0)
                        return r;
                /* removed addresses stop passing (above, their routes went) and new ones pass */
                if ((r = venet_guard(c, nc.ips, nc.n_ips)) < 0)
                        return r;
                for (size_t i = 0; i < nc.n_ips; i++)
                        if (!ct_ip_in(&nc.ips[i], was, nwas) &&
                            ((r = host_ip_add(c, nl, hidx, &nc.ips[i], devs, nd)) < 0 ||
                             (r = ct_ip_add(c, ctnl, cidx, &nc.ips[i])) < 0))
                                return r;
        }

        /* bridged interfaces: by CT-side name */
        for (size_t i = 0; i < nwas_if; i++) {
                bool keep = false;
                for (size_t j = 0; j < nc.n_ifs; j++)
                        keep = keep || streq(was_if[i].ifname, nc.ifs[j].ifname);
                if (!keep)
                        (void)netns_link_del(nl, was_if[i].host_ifname);
        }
        for (size_t j = 0; j < nc.n_ifs; j++) {
                bool had = false;
                for (size_t i = 0; i < nwas_if; i++)
                        had = had || streq(was_if[i].ifname, nc.ifs[j].ifname);
                if (!had && (r = netif_up(c, nl, ctns, &nc.ifs[j])) < 0)
                        return r;
        }
        return 0;
}
