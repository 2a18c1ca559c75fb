/* Unit tests of the CT network config: IP_ADDRESS and NETIF parsing, derived names and MACs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netns/netns.h"
#include "runtime/engine.h"
#include "test-helpers.h"

static void test_ip_list(void)
{
        struct ct_ip *ips = NULL;
        size_t n = 99;

        CHECK(ct_ip_list_parse("192.0.2.10  2001:DB8::0:10 198.51.100.0/24", &ips, &n) == 0);
        CHECK(n == 3);
        if (n == 3) {
                CHECK(ips[0].family == AF_INET && ips[0].prefixlen == 32 && !ips[0].explicit_prefix);
                CHECK_STREQ(ips[0].text, "192.0.2.10");
                CHECK(ips[1].family == AF_INET6 && ips[1].prefixlen == 128);
                CHECK_STREQ(ips[1].text, "2001:db8::10"); /* canonical form */
                CHECK(ips[2].prefixlen == 24 && ips[2].explicit_prefix);
                CHECK_STREQ(ips[2].text, "198.51.100.0/24");
                CHECK(!ct_ip_same(&ips[0], &ips[1]));
        }
        free(ips);

        /* one address in two spellings is the same address */
        struct ct_ip *a = NULL, *b = NULL;
        size_t na, nb;
        CHECK(ct_ip_list_parse("2001:db8:0:0::10", &a, &na) == 0 && na == 1);
        CHECK(ct_ip_list_parse("2001:db8::10/64", &b, &nb) == 0 && nb == 1);
        if (na == 1 && nb == 1)
                CHECK(ct_ip_same(a, b));
        free(a);
        free(b);

        CHECK(ct_ip_list_parse("", &ips, &n) == 0 && n == 0);
        free(ips);
        CHECK(ct_ip_list_parse(NULL, &ips, &n) == 0 && n == 0);
        free(ips);
        const char *bad[] = { "999.1.1.1",  "192.0.2.1/33", "2001:db8::1/129", "192.0.2.1 x",
                              "192.0.2.1/", "::g",          "192.0.2.1/-1" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
                ips = NULL;
                CHECK(ct_ip_list_parse(bad[i], &ips, &n) < 0);
                free(ips);
        }
}

static void test_netif(void)
{
        struct ct_netif *ifs = NULL, *again = NULL;
        size_t n = 0, n2 = 0;
        char *s = NULL;

        CHECK(ct_netif_list_parse(101,
                                  "ifname=eth0,bridge=br0;ifname=eth1,host_ifname=h1,mac=02:00:00:00:00:01",
                                  &ifs, &n) == 0);
        CHECK(n == 2);
        if (n == 2) {
                CHECK_STREQ(ifs[0].ifname, "eth0");
                CHECK_STREQ(ifs[0].host_ifname, "veth101.0");
                CHECK_STREQ(ifs[0].bridge, "br0");
                CHECK_STREQ(ifs[1].host_ifname, "h1");
                CHECK(ifs[1].mac[5] == 1 && ifs[1].has_mac);
                /* derived MACs: locally administered unicast, stable, distinct per side */
                CHECK((ifs[0].mac[0] & 3) == 2 && (ifs[0].host_mac[0] & 3) == 2);
                CHECK(memcmp(ifs[0].mac, ifs[0].host_mac, 6) != 0);
                /* formatting and parsing again gives the same interfaces */
                CHECK(ct_netif_format(ifs, n, &s) == 0);
                CHECK(s && ct_netif_list_parse(101, s, &again, &n2) == 0 && n2 == 2);
                if (n2 == 2) {
                        CHECK(memcmp(again[0].mac, ifs[0].mac, 6) == 0);
                        CHECK(memcmp(again[0].host_mac, ifs[0].host_mac, 6) == 0);
                        CHECK_STREQ(again[1].host_ifname, "h1");
                }
        }
        free(s);
        free(again);
        free(ifs);

        /* another CT gets other MACs for the same interface name */
        struct ct_netif *x = NULL, *y = NULL;
        size_t nx, ny;
        CHECK(ct_netif_list_parse(101, "ifname=eth0", &x, &nx) == 0);
        CHECK(ct_netif_list_parse(102, "ifname=eth0", &y, &ny) == 0);
        CHECK(x && y && memcmp(x->mac, y->mac, 6) != 0);
        free(x);
        free(y);

        const char *bad[] = { "bridge=br0",
                              "ifname=",
                              "ifname=eth0;ifname=eth0",
                              "ifname=venet0",
                              "ifname=eth0,mac=zz",
                              "ifname=eth0,color=red",
                              "ifname=averyveryverylongname",
                              "ifname=a/b" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
                ifs = NULL;
                CHECK(ct_netif_list_parse(101, bad[i], &ifs, &n) < 0);
                free(ifs);
        }
}

static void test_host_ifname(void)
{
        char b[16];
        ct_default_host_ifname(101, 0, b);
        CHECK_STREQ(b, "veth101.0");
        ct_default_host_ifname(2147483644U, 1, b);
        CHECK(strlen(b) <= 15 && ct_ifname_valid(b)); /* "veth2147483644.1" would be 16 */
        CHECK_STREQ(b, "vx7ffffffc.1");
        CHECK(ct_ifname_valid("eth0") && !ct_ifname_valid("") && !ct_ifname_valid("a b") &&
              !ct_ifname_valid("0123456789abcdef") && !ct_ifname_valid(".."));
}

int main(void)
{
        test_ip_list();
        test_netif();
        test_host_ifname();
        return t_finish();
}
