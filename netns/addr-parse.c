/* Parsing and formatting of addresses and MACs, and MACs derived from a seed. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "netns-internal.h"

int netns_parse_addr(const char *s, int *ret_family, unsigned char ret_addr[16], unsigned *ret_prefixlen)
{
        unsigned char a[16] = { 0 };
        char buf[INET6_ADDRSTRLEN];
        unsigned max, prefixlen;
        int family;

        if (!s)
                return -EINVAL;
        const char *slash = strchr(s, '/');
        size_t n = slash ? (size_t)(slash - s) : strlen(s);
        if (n == 0 || n >= sizeof(buf))
                return -EINVAL;
        memcpy(buf, s, n);
        buf[n] = 0;
        /* inet_pton() takes only the dotted quad for IPv4: no "1.2.3", no octal, no hex */
        if (inet_pton(AF_INET, buf, a) == 1) {
                family = AF_INET;
                max = 32;
        } else if (inet_pton(AF_INET6, buf, a) == 1) {
                family = AF_INET6;
                max = 128;
        } else
                return -EINVAL;

        prefixlen = max;
        if (slash) {
                const char *p = slash + 1;
                size_t k = strlen(p);
                /* digits only: no sign, no spaces, no "0x" */
                if (k == 0 || k > 3 || strspn(p, "0123456789") != k)
                        return -EINVAL;
                prefixlen = 0;
                for (; *p; p++)
                        prefixlen = prefixlen * 10 + (unsigned)(*p - '0');
                if (prefixlen > max)
                        return -EINVAL;
        }

        *ret_family = family;
        memcpy(ret_addr, a, sizeof(a));
        *ret_prefixlen = prefixlen;
        return 0;
}

static int hexval(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        c = (char)tolower((unsigned char)c);
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

int netns_parse_mac(const char *s, uint8_t ret[6])
{
        uint8_t m[6];

        if (!s || strlen(s) != 17)
                return -EINVAL;
        for (unsigned i = 0; i < 6; i++) {
                int hi = hexval(s[3 * i]), lo = hexval(s[3 * i + 1]);
                if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
                        return -EINVAL;
                m[i] = (uint8_t)(hi << 4 | lo);
        }
        memcpy(ret, m, sizeof(m));
        return 0;
}

char *netns_format_mac(const uint8_t mac[6], char buf[NETNS_MAC_STRLEN])
{
        snprintf(buf, NETNS_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
                 mac[4], mac[5]);
        return buf;
}

void netns_mac_from_seed(const char *seed, uint8_t ret[6])
{
        /* FNV-1a 64 over the seed, then the splitmix64 finalizer so that seeds differing in one character
         * differ in every byte. Operators' DHCP reservations and ARP caches remember these MACs: never
         * change this function's output. */
        uint64_t h = 0xcbf29ce484222325ULL;
        for (const char *p = strempty(seed); *p; p++) {
                h ^= (unsigned char)*p;
                h *= 0x100000001b3ULL;
        }
        h ^= h >> 30;
        h *= 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 27;
        h *= 0x94d049bb133111ebULL;
        h ^= h >> 31;
        for (unsigned i = 0; i < 6; i++)
                ret[i] = (uint8_t)(h >> (8 * i));
        /* locally administered (bit 1), unicast (bit 0 clear) */
        ret[0] = (uint8_t)((ret[0] & 0xfe) | 0x02);
}
