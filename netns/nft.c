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
 * Each change is one nftables transaction (the kernel applies all of it or none): it re-declares the
 * skeleton (the sets, the base chain and its four rules, flushed and added again), so it works on a host
 * where the table was missing, half made or its rules flushed; deletes the link's elements as the sets
 * hold them (read just before from the kernel, so none that an earlier, interrupted change left stays
 * allowed); adds the new ones. Measured with bench/guard/run, median per change with 500 and 1000 other
 * links guarded: a chain per link behind a verdict map 9.6 and 43 ms; elements read back through
 * libnftables' `list table` 4.0 and 6.2 ms; elements read back by a netlink dump, as here, 0.43 and
 * 0.53 ms (0.27 with none). Concurrent changes for different links do not disturb each other (the caller
 * serialises changes of one link). Nothing outside the table is touched; a table inet vpsctl that someone
 * else made with other sets is refused, not changed. When the last guard goes the skeleton stays (empty
 * sets, and "iifname != @links accept" lets everything by); `nft delete table inet vpsctl` removes it
 * while no guard is needed. */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <nftables/libnftables.h>

#include "base/log.h"
#include "base/macro.h"
#include "netns-internal.h"

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

/* A link name goes into the script between double quotes, unescaped: letters, digits and ".-_" only. */
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

/* libnftables is opened when a guard is first changed, not linked: with libnftnl, libxtables, libjansson
 * and libgmp it is five libraries the dynamic loader would map and relocate on every vpsctl command
 * (about 2.5 ms of each start, exec or list), while only a start or change of a CT with venet addresses
 * needs it. */
static struct {
        struct nft_ctx *(*ctx_new)(uint32_t flags);
        void (*ctx_free)(struct nft_ctx *ctx);
        int (*ctx_buffer_output)(struct nft_ctx *ctx);
        int (*ctx_buffer_error)(struct nft_ctx *ctx);
        const char *(*ctx_get_error_buffer)(struct nft_ctx *ctx);
        int (*run_cmd_from_buffer)(struct nft_ctx *ctx, const char *buf);
} nft;

static int nft_load(char **ret_error)
{
        if (nft.run_cmd_from_buffer)
                return 0;
        void *h = dlopen("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);
        if (h) {
                *(void **)&nft.ctx_new = dlsym(h, "nft_ctx_new");
                *(void **)&nft.ctx_free = dlsym(h, "nft_ctx_free");
                *(void **)&nft.ctx_buffer_output = dlsym(h, "nft_ctx_buffer_output");
                *(void **)&nft.ctx_buffer_error = dlsym(h, "nft_ctx_buffer_error");
                *(void **)&nft.ctx_get_error_buffer = dlsym(h, "nft_ctx_get_error_buffer");
                *(void **)&nft.run_cmd_from_buffer = dlsym(h, "nft_run_cmd_from_buffer");
        }
        if (h && nft.ctx_new && nft.ctx_free && nft.ctx_buffer_output && nft.ctx_buffer_error &&
            nft.ctx_get_error_buffer && nft.run_cmd_from_buffer)
                return 0;
        const char *why = dlerror();
        log_debug("libnftables: %s", why ? why : "a symbol is missing");
        if (h)
                (void)dlclose(h);
        memset(&nft, 0, sizeof(nft));
        if (ret_error)
                *ret_error = strdup("libnftables.so.1 cannot be loaded (install Debian's libnftables1)");
        return -ELIBACC;
}

static void nft_ctx_freep(struct nft_ctx **ctx)
{
        if (*ctx)
                nft.ctx_free(*ctx);
}

/* Run script as one transaction; on failure *ret_error (if given) receives libnftables' message, its first
 * line. */
static int nft_run(const char *script, char **ret_error)
{
        int r = nft_load(ret_error);
        if (r < 0)
                return r;
        _cleanup_(nft_ctx_freep) struct nft_ctx *ctx = nft.ctx_new(NFT_CTX_DEFAULT);
        if (!ctx)
                return -ENOMEM;
        if (nft.ctx_buffer_output(ctx) < 0 || nft.ctx_buffer_error(ctx) < 0)
                return -ENOMEM;
        errno = 0;
        if (nft.run_cmd_from_buffer(ctx, script) == 0)
                return 0;
        r = errno > 0 ? -errno : -EPROTO;
        const char *e = nft.ctx_get_error_buffer(ctx);
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

/* Reading a set's elements back goes to the kernel directly (an nf_tables dump over netlink), not
 * through libnftables: its `list` builds and prints the whole table (about 6 ms with 1000 links, growing
 * with them); the dump costs a fraction of that and is only searched for one link's keys. */
struct elems {
        FILE *f;
        const char *set;       /* allow4, allow6 */
        int family;            /* of its addresses */
        unsigned char key[16]; /* the link's name, NUL padded: the key's first field */
        size_t n;
        int r;
};

/* One element's key: "IFNAME" . ADDR, the name's 16 bytes, then the address (concatenated fields are
 * each padded to 4 bytes; both here are multiples of 4). Of the link's: one more to delete. */
static void elem_key(struct elems *e, const void *key, size_t len)
{
        char a[INET6_ADDRSTRLEN];
        size_t alen = e->family == AF_INET ? 4 : 16;
        if (e->r < 0 || len != sizeof(e->key) + alen || memcmp(key, e->key, sizeof(e->key)) != 0)
                return;
        if (!inet_ntop(e->family, (const unsigned char *)key + sizeof(e->key), a, sizeof(a))) {
                e->r = -errno;
                return;
        }
        if ((e->n == 0 && fprintf(e->f, "delete element inet vpsctl %s { ", e->set) < 0) ||
            fprintf(e->f, "%s\"%s\" . %s", e->n ? ", " : "", (const char *)e->key, a) < 0)
                e->r = -EIO;
        e->n++;
}

/* A NEWSETELEM message of the dump: ELEMENTS { LIST_ELEM { KEY { DATA_VALUE } } ... } */
static int setelem_cb(const struct nlmsghdr *nlh, void *data)
{
        struct elems *e = data;
        const struct nlattr *list, *elem, *key, *val;
        mnl_attr_for_each(list, nlh, sizeof(struct nfgenmsg))
        {
                if (mnl_attr_get_type(list) != NFTA_SET_ELEM_LIST_ELEMENTS)
                        continue;
                mnl_attr_for_each_nested(elem, list)
                {
                        if (mnl_attr_get_type(elem) != NFTA_LIST_ELEM)
                                continue;
                        mnl_attr_for_each_nested(key, elem)
                        {
                                if (mnl_attr_get_type(key) != NFTA_SET_ELEM_KEY)
                                        continue;
                                mnl_attr_for_each_nested(val,
                                                         key) if (mnl_attr_get_type(val) == NFTA_DATA_VALUE)
                                        elem_key(e, mnl_attr_get_payload(val),
                                                 mnl_attr_get_payload_len(val));
                        }
                }
        }
        return MNL_CB_OK;
}

/* Into f, one `delete element` command of set for every element of link ifname it holds now (none when
 * it holds none). 1: the set exists; 0: it does not (nor, then, any element). */
static int put_delete_elements(nl_sock *nl, FILE *f, const char *set, int family, const char *ifname)
{
        struct elems e = { .set = set, .family = family };
        strncpy((char *)e.key, ifname, sizeof(e.key) - 1);
        int r = -EINTR;
        /* a dump interrupted by a change elsewhere in the table (another link's) is read again */
        for (int tries = 0; tries < 5 && r == -EINTR; tries++) {
                char buf[NL_BUF_SIZE];
                _cleanup_free_ char *cmd = NULL;
                size_t len = 0;
                struct nlmsghdr *nlh =
                        nl_msg_new(nl, buf, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETSETELEM, NLM_F_DUMP);
                struct nfgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
                g->nfgen_family = NFPROTO_INET;
                g->version = NFNETLINK_V0;
                g->res_id = 0;
                mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, "vpsctl");
                mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, set);
                e.f = open_memstream(&cmd, &len);
                if (!e.f)
                        return -ENOMEM;
                e.n = 0;
                e.r = 0;
                r = nl_call(nl, nlh, setelem_cb, &e);
                if (e.n > 0 && e.r >= 0 && fputs(" }\n", e.f) < 0)
                        e.r = -EIO;
                if (fclose(e.f) != 0 && e.r >= 0)
                        e.r = -ENOMEM;
                if (r == -ENOENT)
                        return 0; /* no table of ours yet, or not this set: no element */
                if (r >= 0)
                        return e.r < 0 ? e.r : fputs(cmd, f) < 0 ? -EIO : 1;
        }
        return r;
}

/* The commands that remove every allowed source of ifname, as the sets hold them now. 1: both sets
 * exist; 0: not both (no table of ours yet, or half of one). */
static int put_remove_sources(FILE *f, const char *ifname)
{
        _cleanup_nl_ nl_sock *nl = NULL;
        int r = nl_open_netfilter(&nl);
        if (r < 0)
                return r;
        int r4 = put_delete_elements(nl, f, "allow4", AF_INET, ifname);
        if (r4 < 0)
                return r4;
        int r6 = put_delete_elements(nl, f, "allow6", AF_INET6, ifname);
        if (r6 < 0)
                return r6;
        return r4 > 0 && r6 > 0;
}

int netns_guard_set(const char *ifname, const netns_prefix *srcs, size_t n, char **ret_error)
{
        if (!ifname_ok(ifname))
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if ((srcs[i].family != AF_INET || srcs[i].prefixlen != 32) &&
                    (srcs[i].family != AF_INET6 || srcs[i].prefixlen != 128))
                        return -EINVAL;
        _cleanup_free_ char *script = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&script, &len);
        if (!f)
                return -ENOMEM;
        /* one transaction: the old sources go (read just before: they must not stay allowed), the new ones
         * come, nothing between them is seen */
        int r = fputs(SKELETON, f) < 0 ? -EIO : 0;
        if (r >= 0)
                r = put_remove_sources(f, ifname);
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
        /* the link's element is declared first: deleting an absent one would fail the transaction */
        int r = fprintf(f,
                        "add element inet vpsctl links { \"%s\" }\n"
                        "delete element inet vpsctl links { \"%s\" }\n",
                        ifname, ifname) < 0
                        ? -EIO
                        : 0;
        /* best effort: elements left behind belong to no guarded link, and the link's next guard reads them
         * again and deletes them */
        bool ours = r >= 0 && put_remove_sources(f, ifname) > 0;
        if (fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0)
                return r;
        r = nft_run(script, NULL);
        if (r < 0 && !ours)
                return 0; /* no table of ours (or no nftables): no guard */
        return r;
}
