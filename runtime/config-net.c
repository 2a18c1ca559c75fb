/* Values of the network keys: IP_ADDRESS (routed addresses) and NETIF (bridged interfaces) in OpenVZ's
 * formats, with the names and MACs derived where not given. Parsers only: links are made by net.c. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "base/parse.h"
#include "config.h"
#include "netns/netns.h"

int ct_ip_list_parse(const char *list, struct ct_ip **ret, size_t *ret_n)
{
        _cleanup_free_ struct ct_ip *ips = NULL;
        _cleanup_free_ char *copy = strdup(list ? list : "");
        size_t n = 0;

        if (!copy)
                return -ENOMEM;
        for (char *save = NULL, *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
                struct ct_ip ip = {};
                if (strlen(t) >= sizeof(ip.text))
                        return -EINVAL;
                int r = netns_parse_addr(t, &ip.family, ip.addr, &ip.prefixlen);
                if (r < 0)
                        return r;
                ip.explicit_prefix = strchr(t, '/') != NULL;
                /* the canonical text, so "2001:DB8::0:1" and "2001:db8::1" are one address */
                char a[INET6_ADDRSTRLEN];
                inet_ntop(ip.family, ip.addr, a, sizeof(a));
                if (ip.explicit_prefix)
                        snprintf(ip.text, sizeof(ip.text), "%s/%u", a, ip.prefixlen);
                else
                        snprintf(ip.text, sizeof(ip.text), "%s", a);
                struct ct_ip *m = realloc(ips, (n + 1) * sizeof(*ips));
                if (!m)
                        return -ENOMEM;
                ips = m;
                ips[n++] = ip;
        }
        *ret = TAKE_PTR(ips);
        *ret_n = n;
        return 0;
}

bool ct_ip_same(const struct ct_ip *a, const struct ct_ip *b)
{
        return a->family == b->family && memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16) == 0;
}

void ct_default_host_ifname(unsigned ctid, size_t index, char ret[16])
{
        char buf[48];
        snprintf(buf, sizeof(buf), "veth%u.%zu", ctid, index);
        if (strlen(buf) > 15) /* CTIDs of 10 digits: the kernel's names hold 15 characters */
                snprintf(buf, sizeof(buf), "vx%x.%zu", ctid, index % 1000);
        memcpy(ret, buf, 16);
        ret[15] = 0;
}

/* NETIF: "ifname=eth0,mac=..,host_ifname=..,host_mac=..,bridge=..;ifname=eth1,..." */
int ct_netif_list_parse(unsigned ctid, const char *list, struct ct_netif **ret, size_t *ret_n)
{
        _cleanup_free_ struct ct_netif *ifs = NULL;
        _cleanup_free_ char *copy = strdup(list ? list : "");
        size_t n = 0;

        if (!copy)
                return -ENOMEM;
        for (char *s1 = NULL, *e = strtok_r(copy, ";", &s1); e; e = strtok_r(NULL, ";", &s1)) {
                struct ct_netif f = {};
                for (char *s2 = NULL, *kv = strtok_r(e, ",", &s2); kv; kv = strtok_r(NULL, ",", &s2)) {
                        char *v = strchr(kv, '=');
                        if (!v)
                                return -EINVAL;
                        *v++ = 0;
                        char *dst = NULL;
                        if (streq(kv, "ifname"))
                                dst = f.ifname;
                        else if (streq(kv, "host_ifname"))
                                dst = f.host_ifname;
                        else if (streq(kv, "bridge"))
                                dst = f.bridge;
                        else if (streq(kv, "mac")) {
                                if (netns_parse_mac(v, f.mac) < 0)
                                        return -EINVAL;
                                f.has_mac = true;
                                continue;
                        } else if (streq(kv, "host_mac")) {
                                if (netns_parse_mac(v, f.host_mac) < 0)
                                        return -EINVAL;
                                f.has_host_mac = true;
                                continue;
                        } else
                                return -EINVAL;
                        if (strlen(v) >= sizeof(f.ifname) || (*v && !ct_ifname_valid(v)))
                                return -EINVAL;
                        strcpy(dst, v);
                }
                if (!f.ifname[0] || streq(f.ifname, CT_VENET_IF) || streq(f.ifname, "lo"))
                        return -EINVAL;
                for (size_t i = 0; i < n; i++)
                        if (streq(ifs[i].ifname, f.ifname))
                                return -EINVAL;
                struct ct_netif *m = realloc(ifs, (n + 1) * sizeof(*ifs));
                if (!m)
                        return -ENOMEM;
                ifs = m;
                ifs[n++] = f;
        }
        /* what was not given is derived, stable per CT and interface */
        for (size_t i = 0; i < n; i++) {
                char seed[64];
                if (!ifs[i].host_ifname[0])
                        ct_default_host_ifname(ctid, i, ifs[i].host_ifname);
                if (!ifs[i].has_mac) {
                        snprintf(seed, sizeof(seed), "%u/%s/ct", ctid, ifs[i].ifname);
                        netns_mac_from_seed(seed, ifs[i].mac);
                }
                if (!ifs[i].has_host_mac) {
                        snprintf(seed, sizeof(seed), "%u/%s/host", ctid, ifs[i].ifname);
                        netns_mac_from_seed(seed, ifs[i].host_mac);
                }
        }
        *ret = TAKE_PTR(ifs);
        *ret_n = n;
        return 0;
}

bool ct_ifname_valid(const char *s)
{
        size_t n = strlen(s);
        if (n == 0 || n >= 16 || streq(s, ".") || streq(s, ".."))
                return false;
        for (const char *p = s; *p; p++)
                if (*p == '/' || *p == ':' || *p == ',' || *p == ';' || *p == '=' ||
                    isspace((unsigned char)*p) || !isprint((unsigned char)*p))
                        return false;
        return true;
}

int ct_netif_format(const struct ct_netif *ifs, size_t n, char **ret)
{
        size_t len = 1;
        _cleanup_free_ char *s = NULL;
        for (size_t i = 0; i < n; i++) {
                char m1[NETNS_MAC_STRLEN], m2[NETNS_MAC_STRLEN], one[256];
                int k = snprintf(one, sizeof(one), "%sifname=%s,mac=%s,host_ifname=%s,host_mac=%s%s%s",
                                 i ? ";" : "", ifs[i].ifname, netns_format_mac(ifs[i].mac, m1),
                                 ifs[i].host_ifname, netns_format_mac(ifs[i].host_mac, m2),
                                 ifs[i].bridge[0] ? ",bridge=" : "", ifs[i].bridge);
                char *m = realloc(s, len + (size_t)k);
                if (!m)
                        return -ENOMEM;
                if (!s)
                        m[0] = 0;
                s = m;
                strcat(s, one);
                len += (size_t)k;
        }
        if (!s && !(s = strdup("")))
                return -ENOMEM;
        *ret = TAKE_PTR(s);
        return 0;
}
bool ct_ip_in(const struct ct_ip *ip, const struct ct_ip *list, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (ct_ip_same(ip, &list[i]))
                        return true;
        return false;
}

/* RATE / RATE_IN (vzctl's RATE="dev:class:Kbits"): one entry's rate in bits/s. A bare number is Kbit/s, as
 * in vzctl; with K, M or G it is bits/s (decimal, as tc counts: 10M = 10 Mbit/s). 0 and "unlimited": none.
 */
static int rate_amount(const char *s, uint64_t *ret)
{
        uint64_t v, mult = 1000;
        size_t len = strlen(s);
        if (streq(s, "unlimited")) {
                *ret = 0;
                return 0;
        }
        if (len == 0 || len > 20)
                return -EINVAL;
        char num[24];
        memcpy(num, s, len + 1);
        switch (num[len - 1]) {
        case 'k':
        case 'K':
                mult = 1000;
                num[--len] = 0;
                break;
        case 'm':
        case 'M':
                mult = 1000 * 1000;
                num[--len] = 0;
                break;
        case 'g':
        case 'G':
                mult = 1000 * 1000 * 1000;
                num[--len] = 0;
                break;
        default:
                break;
        }
        if (len == 0 || !isdigit((unsigned char)num[0]))
                return -EINVAL;
        int r = safe_atou64(num, &v);
        if (r < 0)
                return r;
        /* 1 Tbit/s is past any link a CT has; beyond it is a typo */
        if (v > CT_RATE_MAX / mult)
                return -ERANGE;
        *ret = v * mult;
        return 0;
}

/* Split one entry into its rate; dev and class (vzctl's) are checked, and returned for the normal form. */
static int rate_entry(const char *t, uint64_t *ret_bits, char ret_prefix[80])
{
        char buf[64];
        if (strlen(t) >= sizeof(buf))
                return -EINVAL;
        snprintf(buf, sizeof(buf), "%s", t);
        char *c1 = strchr(buf, ':'), *rate = buf;
        ret_prefix[0] = 0;
        if (c1) {
                *c1 = 0;
                char *c2 = strchr(c1 + 1, ':');
                if (!c2)
                        return -EINVAL;
                *c2 = 0;
                unsigned cls;
                if (!ct_ifname_valid(buf) || safe_atou(c1 + 1, &cls) < 0)
                        return -EINVAL;
                snprintf(ret_prefix, 80, "%s:%u:", buf, cls);
                rate = c2 + 1;
        }
        return rate_amount(rate, ret_bits);
}

int ct_rate_bits(const char *v, uint64_t *ret)
{
        _cleanup_free_ char *copy = strdup(v ? v : "");
        uint64_t sum = 0;
        if (!copy)
                return -ENOMEM;
        for (char *save = NULL, *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
                uint64_t b;
                char prefix[80];
                int r = rate_entry(t, &b, prefix);
                if (r < 0)
                        return r;
                sum += b;
                if (sum > CT_RATE_MAX)
                        return -ERANGE;
        }
        *ret = sum;
        return 0;
}

int ct_rate_normalize(const char *v, char **ret)
{
        _cleanup_free_ char *copy = strdup(v), *out = strdup("");
        if (!copy || !out)
                return -ENOMEM;
        for (char *save = NULL, *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
                uint64_t b;
                char prefix[80];
                char *n = NULL;
                int r = rate_entry(t, &b, prefix);
                if (r < 0)
                        return r;
                /* Kbit/s in the file, as vzctl writes it (rounded up: a limit never grows by rounding) */
                if (asprintf(&n, "%s%s%s%llu", out, *out ? " " : "", prefix,
                             (unsigned long long)(b / 1000 + (b % 1000 != 0))) < 0)
                        return -ENOMEM;
                free(out);
                out = n;
        }
        uint64_t sum;
        int r = ct_rate_bits(out, &sum);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(out);
        return 0;
}
