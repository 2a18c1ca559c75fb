/* Source guards in nftables, through libnftables (no nft binary): one table of vpsctl's own, "inet vpsctl",
 *
 *   map guards { type ifname : verdict }            link name -> jump guard-<link>
 *   chain prerouting { hook prerouting priority raw }  iifname vmap @guards
 *   chain guard-<link>                              ip saddr != { ... } drop; ip6 saddr != { ... } drop
 *
 * One table for all links rather than one per link: every packet the host receives walks the base chains
 * of every table on the hook, so a table per CT would cost each packet hundreds of chains on a dense host;
 * here it costs one map lookup. Each call is one nftables transaction (the kernel applies all of it or
 * none), and each starts by (re)declaring the skeleton, so any call works on a host where the table is
 * missing or was half made, and concurrent calls for different links do not disturb each other. Nothing
 * outside the table is touched. When the last guard goes the skeleton stays (an empty map: a lookup that
 * misses); `nft delete table inet vpsctl` removes it while no guard is needed. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <nftables/libnftables.h>

#include "base/log.h"
#include "base/macro.h"
#include "netns.h"

#define SKELETON                                                                                  \
        "table inet vpsctl {\n"                                                                   \
        "        map guards { type ifname : verdict; }\n"                                         \
        "        chain prerouting { type filter hook prerouting priority raw; policy accept; }\n" \
        "}\n"                                                                                     \
        "flush chain inet vpsctl prerouting\n"                                                    \
        "add rule inet vpsctl prerouting iifname vmap @guards\n"

/* A link name goes into the script as it is (libnftables 1.0.6 takes no quoted chain names): letters, digits
 * and ".-_" only. */
static bool ifname_ok(const char *s)
{
        size_t n = strlen(s);
        if (n == 0 || n > 15)
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      *p == '.' || *p == '-' || *p == '_'))
                        return false;
        return true;
}

static void nft_ctx_freep(struct nft_ctx **ctx)
{
        if (*ctx)
                nft_ctx_free(*ctx);
}

/* Run script as one transaction; on failure *ret_error (if given) receives libnftables' message. */
static int nft_run(const char *script, char **ret_error)
{
        _cleanup_(nft_ctx_freep) struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
        if (!ctx)
                return -ENOMEM;
        if (nft_ctx_buffer_output(ctx) < 0 || nft_ctx_buffer_error(ctx) < 0)
                return -ENOMEM;
        errno = 0;
        if (nft_run_cmd_from_buffer(ctx, script) == 0)
                return 0;
        int r = errno > 0 ? -errno : -EPROTO;
        const char *e = nft_ctx_get_error_buffer(ctx);
        if (e && strncmp(e, "Error: ", 7) == 0)
                e += 7;
        _cleanup_free_ char *msg = strdup(e ? e : "");
        if (msg) {
                /* one line for a log message: libnftables repeats the command and marks the spot below */
                char *nl = strchr(msg, '\n');
                if (nl)
                        *nl = '\0';
        }
        log_debug("nftables: %s", msg ? msg : "");
        if (ret_error)
                *ret_error = TAKE_PTR(msg);
        return r;
}

/* The commands that remove link's guard, whether it exists or not (each object is declared first, as
 * deleting an absent one would fail the whole transaction). */
static int put_remove(FILE *f, const char *ifname)
{
        return fprintf(f,
                       "add chain inet vpsctl guard-%s\n"
                       "add element inet vpsctl guards { \"%s\" : jump guard-%s }\n"
                       "delete element inet vpsctl guards { \"%s\" }\n"
                       "flush chain inet vpsctl guard-%s\n"
                       "delete chain inet vpsctl guard-%s\n",
                       ifname, ifname, ifname, ifname, ifname, ifname) < 0
                       ? -EIO
                       : 0;
}

/* ip saddr != { a, b/len, ... } drop, for one family; a family with no source at all is dropped whole. */
static int put_family(FILE *f, const char *ifname, int family, const netns_prefix *srcs, size_t n)
{
        const char *kw = family == AF_INET ? "ip" : "ip6";
        unsigned full = family == AF_INET ? 32 : 128;
        bool any = family == AF_INET6; /* IPv6 always lets ND/DAD through: ::, fe80::/10 */
        for (size_t i = 0; i < n; i++)
                any = any || srcs[i].family == family;
        if (!any)
                return fprintf(f, "add rule inet vpsctl guard-%s meta nfproto %s drop\n", ifname,
                               family == AF_INET ? "ipv4" : "ipv6") < 0
                               ? -EIO
                               : 0;
        if (fprintf(f, "add rule inet vpsctl guard-%s %s saddr != { %s", ifname, kw,
                    family == AF_INET6 ? "::, fe80::/10" : "") < 0)
                return -EIO;
        bool first = family == AF_INET;
        for (size_t i = 0; i < n; i++) {
                char a[INET6_ADDRSTRLEN];
                if (srcs[i].family != family || srcs[i].prefixlen > full)
                        continue;
                if (!inet_ntop(family, srcs[i].addr, a, sizeof(a)))
                        return -errno;
                if (fprintf(f, "%s%s", first ? "" : ", ", a) < 0)
                        return -EIO;
                if (srcs[i].prefixlen < full && fprintf(f, "/%u", srcs[i].prefixlen) < 0)
                        return -EIO;
                first = false;
        }
        return fprintf(f, " } drop\n") < 0 ? -EIO : 0;
}

int netns_guard_set(const char *ifname, const netns_prefix *srcs, size_t n, char **ret_error)
{
        if (!ifname_ok(ifname))
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (srcs[i].family != AF_INET && srcs[i].family != AF_INET6)
                        return -EAFNOSUPPORT;
        _cleanup_free_ char *script = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&script, &len);
        if (!f)
                return -ENOMEM;
        int r = fputs(SKELETON, f) < 0 ? -EIO : 0;
        if (r >= 0)
                r = put_remove(f, ifname);
        if (r >= 0)
                r = fprintf(f, "add chain inet vpsctl guard-%s\n", ifname) < 0 ? -EIO : 0;
        if (r >= 0)
                r = put_family(f, ifname, AF_INET, srcs, n);
        if (r >= 0)
                r = put_family(f, ifname, AF_INET6, srcs, n);
        if (r >= 0 &&
            fprintf(f, "add element inet vpsctl guards { \"%s\" : jump guard-%s }\n", ifname, ifname) < 0)
                r = -EIO;
        if (fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0)
                return r;
        return nft_run(script, ret_error);
}

int netns_guard_del(const char *ifname)
{
        if (!ifname_ok(ifname))
                return -EINVAL;
        _cleanup_free_ char *script = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&script, &len);
        if (!f)
                return -ENOMEM;
        int r = fputs(SKELETON, f) < 0 ? -EIO : 0;
        if (r >= 0)
                r = put_remove(f, ifname);
        if (fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0)
                return r;
        return nft_run(script, NULL);
}
