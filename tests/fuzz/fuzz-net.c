/* IP_ADDRESS and NETIF (the CT's network config) and netns/'s address and MAC parsers. Input: one byte
 * choosing the parser, then the value. Invariants: what parses formats to text that parses to the same
 * thing (IP_ADDRESS lists, NETIF, single addresses, MACs); every interface name NETIF yields is a valid
 * kernel interface name. */
#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>

#include "base/log.h"
#include "fuzz.h"
#include "netns/netns.h"
#include "runtime/config.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void)argc;
        (void)argv;
        log_set_max_level(LOG_LEVEL_ERR - 1);
        return 0;
}

static void ip_list(const char *s)
{
        struct ct_ip *a = NULL, *b = NULL;
        size_t n = 0, m = 0;
        int r = ct_ip_list_parse(s, &a, &n);
        FUZZ_ASSERT(r == 0 || r == -EINVAL);
        if (r == 0) {
                size_t len = 1;
                for (size_t i = 0; i < n; i++)
                        len += strlen(a[i].text) + 1;
                char *joined = calloc(1, len);
                FUZZ_ASSERT(joined);
                for (size_t i = 0; i < n; i++) {
                        FUZZ_ASSERT(a[i].family == AF_INET || a[i].family == AF_INET6);
                        FUZZ_ASSERT(a[i].prefixlen <= (a[i].family == AF_INET ? 32u : 128u));
                        FUZZ_ASSERT(ct_ip_in(&a[i], a, n));
                        if (i)
                                strcat(joined, " ");
                        strcat(joined, a[i].text);
                }
                FUZZ_ASSERT(ct_ip_list_parse(joined, &b, &m) == 0 && m == n);
                for (size_t i = 0; i < n; i++) {
                        FUZZ_ASSERT(ct_ip_same(&a[i], &b[i]) && a[i].prefixlen == b[i].prefixlen);
                        FUZZ_ASSERT(streq(a[i].text, b[i].text));
                }
                free(joined);
        }
        free(a);
        free(b);
}

static void netif(const char *s)
{
        struct ct_netif *a = NULL, *b = NULL;
        size_t n = 0, m = 0;
        char *t = NULL, *u = NULL;
        int r = ct_netif_list_parse(101, s, &a, &n);
        FUZZ_ASSERT(r == 0 || r == -EINVAL || r == -ERANGE);
        if (r == 0) {
                for (size_t i = 0; i < n; i++) {
                        FUZZ_ASSERT(ct_ifname_valid(a[i].ifname) && ct_ifname_valid(a[i].host_ifname));
                        FUZZ_ASSERT(!a[i].bridge[0] || ct_ifname_valid(a[i].bridge));
                }
                FUZZ_ASSERT(ct_netif_format(a, n, &t) == 0);
                r = ct_netif_list_parse(101, t ? t : "", &b, &m);
                if (r != 0 || m != n) {
                        fprintf(stderr,
                                "NETIF \"%s\" formats as \"%s\", which reads back as %zu interfaces (%d)\n",
                                s, fuzz_str(t), m, r);
                        abort();
                }
                FUZZ_ASSERT(ct_netif_format(b, m, &u) == 0);
                FUZZ_ASSERT(streq_ptr(t, u));
                for (size_t i = 0; i < n; i++) {
                        FUZZ_ASSERT(streq(a[i].ifname, b[i].ifname) &&
                                    streq(a[i].host_ifname, b[i].host_ifname));
                        FUZZ_ASSERT(streq(a[i].bridge, b[i].bridge));
                        FUZZ_ASSERT(memcmp(a[i].mac, b[i].mac, 6) == 0 &&
                                    memcmp(a[i].host_mac, b[i].host_mac, 6) == 0);
                }
        }
        free(t);
        free(u);
        free(a);
        free(b);
}

static void addr(const char *s)
{
        unsigned char a[16], b[16];
        unsigned pa, pb;
        int fa, fb;
        char text[INET6_ADDRSTRLEN + 8], buf[INET6_ADDRSTRLEN];
        if (netns_parse_addr(s, &fa, a, &pa) == 0) {
                FUZZ_ASSERT(fa == AF_INET || fa == AF_INET6);
                FUZZ_ASSERT(pa <= (fa == AF_INET ? 32u : 128u));
                FUZZ_ASSERT(inet_ntop(fa, a, buf, sizeof(buf)));
                snprintf(text, sizeof(text), "%s/%u", buf, pa);
                FUZZ_ASSERT(netns_parse_addr(text, &fb, b, &pb) == 0);
                FUZZ_ASSERT(fa == fb && pa == pb && memcmp(a, b, 16) == 0);
        }
        uint8_t m[6], m2[6];
        char mt[NETNS_MAC_STRLEN];
        if (netns_parse_mac(s, m) == 0) {
                FUZZ_ASSERT(netns_parse_mac(netns_format_mac(m, mt), m2) == 0 && memcmp(m, m2, 6) == 0);
                FUZZ_ASSERT(strcasecmp(mt, s) == 0);
        }
        netns_mac_from_seed(s, m);
        FUZZ_ASSERT((m[0] & 0x03) == 0x02); /* locally administered, unicast */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size < 1)
                return 0;
        char *s = fuzz_string(data + 1, size - 1);
        switch (data[0] % 3) {
        case 0:
                ip_list(s);
                break;
        case 1:
                netif(s);
                break;
        default:
                addr(s);
        }
        free(s);
        return 0;
}
