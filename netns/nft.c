/* Source guards in nftables, through libnftables (no nft binary): one table of vpsctl's own, "inet vpsctl",
 * whose per-link state is set elements only:
 *
 *   set links  { type ifname }                 the guarded links
 *   set allow4 { type ifname . ipv4_addr }     a link's allowed IPv4 sources
 *   set allow6 { type ifname . ipv6_addr }     a link's allowed IPv6 sources
 *   chain prerouting { hook prerouting priority raw; policy accept }
 *           iifname != @links accept
 *           iifname . ip saddr != @allow4 drop
 *           ip6 saddr { ::, fe80::/10 } accept
 *           iifname . ip6 saddr != @allow6 drop
 *
 * Why so: every packet the host receives walks the base chains of every table on its hook, so a table (or
 * a base chain) per CT would cost each packet hundreds of chains on a dense host; here it costs a set
 * lookup or two. And the rules and sets are the same whatever the number of links: a change adds and
 * deletes elements of one link, with no chain or verdict-map element per link, which libnftables would
 * read back in full (rules, chains, anonymous sets) and the kernel re-validate (jumps) on every commit.
 * Measured with 500 and 1000 guarded links: a chain per link behind a verdict map took 62 and 173 ms per
 * change; elements take under 1 ms. Each change is one nftables transaction (the kernel applies all of it
 * or none): it re-declares the skeleton (the sets, the base chain and its four rules, flushed and added
 * again), so it works on a host where the table was half made or its rules flushed; deletes the link's
 * elements as the sets hold them (read just before); adds the new ones. Concurrent changes for different
 * links do not disturb each other (the caller serialises changes of one link). Nothing outside the table
 * is touched; a table inet vpsctl that someone else made with other sets is refused, not changed. When
 * the last guard goes the skeleton stays (empty sets: "iifname != @links accept" lets everything by);
 * `nft delete table inet vpsctl` removes it while no guard is needed. */
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
        "        set links { type ifname; }\n"                                                    \
        "        set allow4 { type ifname . ipv4_addr; }\n"                                       \
        "        set allow6 { type ifname . ipv6_addr; }\n"                                       \
        "        chain prerouting { type filter hook prerouting priority raw; policy accept; }\n" \
        "}\n"                                                                                     \
        "flush chain inet vpsctl prerouting\n"                                                    \
        "add rule inet vpsctl prerouting iifname != @links accept\n"                              \
        "add rule inet vpsctl prerouting iifname . ip saddr != @allow4 drop\n"                    \
        "add rule inet vpsctl prerouting ip6 saddr { ::, fe80::/10 } accept\n"                    \
        "add rule inet vpsctl prerouting iifname . ip6 saddr != @allow6 drop\n"

/* A link name goes into the script between double quotes, unescaped (and is looked for so in a listing):
 * letters, digits and ".-_" only. */
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

/* Run script as one transaction. *ret_output (if given) receives what it printed; on failure *ret_error (if
 * given) libnftables' message, its first line. */
static int nft_run(const char *script, char **ret_output, char **ret_error)
{
        _cleanup_(nft_ctx_freep) struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
        if (!ctx)
                return -ENOMEM;
        if (nft_ctx_buffer_output(ctx) < 0 || nft_ctx_buffer_error(ctx) < 0)
                return -ENOMEM;
        errno = 0;
        if (nft_run_cmd_from_buffer(ctx, script) == 0) {
                if (ret_output) {
                        const char *o = nft_ctx_get_output_buffer(ctx);
                        *ret_output = strdup(o ? o : "");
                        if (!*ret_output)
                                return -ENOMEM;
                }
                return 0;
        }
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

/* The elements of link ifname in the set named set of listing, the output of `list table` (`"IFNAME" . ADDR`
 * as nft prints them, in the set's block, which ends with a line "\t}"), as one `delete element` command
 * into f (none when it has none, or there is no such set). */
static int put_delete_listed(FILE *f, const char *listing, const char *set, const char *ifname)
{
        char head[32], needle[32];
        snprintf(head, sizeof(head), "\tset %s {\n", set);
        snprintf(needle, sizeof(needle), "\"%s\" . ", ifname);
        const char *block = strstr(listing, head);
        if (!block)
                return 0;
        const char *end = strstr(block, "\n\t}");
        if (!end)
                return -EBADMSG;
        size_t n = 0;
        for (const char *p = strstr(block, needle); p && p < end; p = strstr(p + 1, needle)) {
                const char *a = p + strlen(needle);
                size_t len = strspn(a, "0123456789abcdefABCDEF:.");
                if (len == 0 || len >= INET6_ADDRSTRLEN)
                        return -EBADMSG;
                if (n == 0 && fprintf(f, "delete element inet vpsctl %s { ", set) < 0)
                        return -EIO;
                if (fprintf(f, "%s\"%s\" . %.*s", n ? ", " : "", ifname, (int)len, a) < 0)
                        return -EIO;
                n++;
        }
        return n > 0 && fputs(" }\n", f) < 0 ? -EIO : 0;
}

/* The commands that remove every allowed source of ifname, as listing (of the table) shows them. */
static int put_remove_sources(FILE *f, const char *listing, const char *ifname)
{
        int r = put_delete_listed(f, listing, "allow4", ifname);
        return r < 0 ? r : put_delete_listed(f, listing, "allow6", ifname);
}

/* The table as it is now, as `list table` prints it (one command: libnftables 1.0.6 fails a second `list
 * set` in the same run, its cache then holds only the last set asked for); fails when there is no table. */
static int list_sources(char **ret, char **ret_error)
{
        return nft_run("list table inet vpsctl\n", ret, ret_error);
}

int netns_guard_set(const char *ifname, const netns_prefix *srcs, size_t n, char **ret_error)
{
        if (!ifname_ok(ifname))
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if ((srcs[i].family != AF_INET || srcs[i].prefixlen != 32) &&
                    (srcs[i].family != AF_INET6 || srcs[i].prefixlen != 128))
                        return -EINVAL;
        _cleanup_free_ char *listing = NULL, *script = NULL;
        size_t len = 0;
        /* the link's old sources must be known, or they would stay allowed: on a host without the table (the
         * first guard) the skeleton is made first and the table read again */
        int r = list_sources(&listing, NULL);
        if (r < 0) {
                r = nft_run(SKELETON, NULL, ret_error);
                if (r < 0)
                        return r;
                r = list_sources(&listing, ret_error);
                if (r < 0)
                        return r;
        }
        FILE *f = open_memstream(&script, &len);
        if (!f)
                return -ENOMEM;
        /* one transaction: the old sources go, the new ones come, nothing between them is seen */
        r = fputs(SKELETON, f) < 0 ? -EIO : 0;
        if (r >= 0)
                r = put_remove_sources(f, listing, ifname);
        if (r >= 0 && fprintf(f, "add element inet vpsctl links { \"%s\" }\n", ifname) < 0)
                r = -EIO;
        for (size_t i = 0; r >= 0 && i < n; i++) {
                char a[INET6_ADDRSTRLEN];
                if (!inet_ntop(srcs[i].family, srcs[i].addr, a, sizeof(a)))
                        r = -errno;
                else if (fprintf(f, "add element inet vpsctl %s { \"%s\" . %s }\n",
                                 srcs[i].family == AF_INET ? "allow4" : "allow6", ifname, a) < 0)
                        r = -EIO;
        }
        if (fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0)
                return r;
        return nft_run(script, NULL, ret_error);
}

int netns_guard_del(const char *ifname)
{
        if (!ifname_ok(ifname))
                return -EINVAL;
        _cleanup_free_ char *listing = NULL, *script = NULL;
        size_t len = 0;
        bool listed = list_sources(&listing, NULL) >= 0;
        FILE *f = open_memstream(&script, &len);
        if (!f)
                return -ENOMEM;
        /* the link's element is declared first: deleting an absent one would fail the transaction */
        int r = fprintf(f,
                        "add element inet vpsctl links { \"%s\" }\n"
                        "delete element inet vpsctl links { \"%s\" }\n",
                        ifname, ifname) < 0
                        ? -EIO
                        : 0;
        if (r >= 0 && listed)
                r = put_remove_sources(f, listing, ifname);
        if (fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0)
                return r;
        r = nft_run(script, NULL, NULL);
        if (r < 0 && !listed)
                return 0; /* no table of ours (or no nftables): no guard */
        return r;
}
