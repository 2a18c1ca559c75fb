/* The network options of `set` and `create`: --ipadd/--ipdel, --netif_add/--netif_del, --nameserver,
 * --searchdomain. They edit lists (IP_ADDRESS, NETIF) or replace them (NAMESERVER, SEARCHDOMAIN); the result
 * becomes ordinary key changes. */
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/log.h"
#include "cli.h"

/* Append a copy of s to the NULL-terminated list *v of *n entries (base/macro.h's strv). */
static int append(char ***v, size_t *n, const char *s)
{
        char **m = realloc(*v, (*n + 2) * sizeof(char *));
        if (!m)
                return -ENOMEM;
        *v = m;
        m[*n + 1] = NULL;
        if (!(m[*n] = strdup(s)))
                return -ENOMEM;
        (*n)++;
        return 0;
}

void cli_netopts_done(struct cli_netopts *o)
{
        strv_free(o->ipadd);
        strv_free(o->ipdel);
        strv_free(o->netif_add);
        strv_free(o->netif_del);
        strv_free(o->nameserver);
        strv_free(o->searchdomain);
        free(o->v_ip[0]);
        free(o->v_ip[1]);
        free(o->v_netif[0]);
        free(o->v_netif[1]);
        free(o->v_ns);
        free(o->v_sd);
        safe_close(o->ip_lock);
        *o = (struct cli_netopts){ .ip_lock = -EBADF };
}

/* "eth0[,mac,host_ifname,host_mac,bridge]" -> "ifname=eth0,mac=..,..." with the empty fields left out */
static int netif_spec(const char *spec, char **ret)
{
        static const char *const names[] = { "ifname", "mac", "host_ifname", "host_mac", "bridge" };
        _cleanup_free_ char *copy = strdup(spec), *out = NULL;
        size_t i = 0, len = 0;
        if (!copy || !(out = calloc(1, strlen(spec) + 64)))
                return -ENOMEM;
        for (char *p = copy, *f; (f = strsep(&p, ",")); i++) {
                if (i >= ELEMENTSOF(names))
                        return -EINVAL;
                if (!*f) {
                        if (i == 0)
                                return -EINVAL;
                        continue;
                }
                len += (size_t)sprintf(out + len, "%s%s=%s", len ? "," : "", names[i], f);
        }
        struct ct_netif *ifs = NULL;
        size_t n;
        int r = ct_netif_list_parse(CTID_MIN, out, &ifs, &n);
        free(ifs);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(out);
        return 0;
}

int cli_netopts_take(struct cli_netopts *o, const char *opt, const char *value)
{
        int r;
        if (streq(opt, "ipadd") || streq(opt, "ipdel")) {
                struct ct_ip *ip = NULL;
                size_t n = 0;
                bool del = streq(opt, "ipdel");
                if (!(del && streq(value, "all"))) {
                        r = ct_ip_list_parse(value, &ip, &n);
                        free(ip);
                        if (r < 0 || n != 1) {
                                log_error("Bad value for --%s: \"%s\" (an IPv4 or IPv6 address%s)", opt,
                                          value, del ? ", or all" : ", with an optional /LEN");
                                return EXIT_VZ_BAD_VALUE;
                        }
                }
                r = del ? append(&o->ipdel, &o->n_ipdel, value) : append(&o->ipadd, &o->n_ipadd, value);
        } else if (streq(opt, "netif_add")) {
                char *s = NULL;
                r = netif_spec(value, &s);
                if (r == -EINVAL) {
                        log_error("Bad value for --netif_add: \"%s\" "
                                  "(ifname[,mac,host_ifname,host_mac,bridge]: "
                                  "interface names up to 15 characters, MACs as aa:bb:cc:dd:ee:ff)",
                                  value);
                        return EXIT_VZ_BAD_VALUE;
                }
                if (r >= 0) {
                        r = append(&o->netif_add, &o->n_netif_add, s);
                        free(s);
                }
        } else if (streq(opt, "netif_del")) {
                if (!streq(value, "all") && !ct_ifname_valid(value)) {
                        log_error("Bad value for --netif_del: \"%s\" (a CT interface name, or all)", value);
                        return EXIT_VZ_BAD_VALUE;
                }
                r = append(&o->netif_del, &o->n_netif_del, value);
        } else if (streq(opt, "nameserver")) {
                _cleanup_free_ char *host = NULL;
                if (streq(value, "inherit")) {
                        r = ct_host_nameservers(&host);
                        if (r < 0) {
                                log_error_errno(r, "--nameserver inherit: cannot read the host's "
                                                   "/etc/resolv.conf: %m");
                                return EXIT_VZ_SYSTEM;
                        }
                        value = host;
                } else {
                        struct ct_ip *ip = NULL;
                        size_t n = 0;
                        r = ct_ip_list_parse(value, &ip, &n);
                        free(ip);
                        if (r < 0 || n != 1 || strchr(value, '/')) {
                                log_error("Bad value for --nameserver: \"%s\" (an IPv4 or IPv6 address, or "
                                          "inherit)",
                                          value);
                                return EXIT_VZ_BAD_VALUE;
                        }
                }
                r = *value ? append(&o->nameserver, &o->n_nameserver, value) : 0;
                o->set_ns = true;
        } else if (streq(opt, "searchdomain")) {
                struct ct_config scratch;
                if (ct_config_init(&scratch, "/", 0) < 0)
                        return EXIT_VZ_SYSTEM;
                r = ct_config_set_value(&scratch, ct_key_by_name("SEARCHDOMAIN"), value);
                ct_config_done(&scratch);
                if (r < 0 || !*value || strchr(value, ' ')) {
                        log_error("Bad value for --searchdomain: \"%s\" (one domain name per option)",
                                  value);
                        return EXIT_VZ_BAD_VALUE;
                }
                r = append(&o->searchdomain, &o->n_searchdomain, value);
                o->set_sd = true;
        } else
                return -ENOENT;
        return r < 0 ? EXIT_VZ_SYSTEM : 0;
}

bool cli_netopts_any(const struct cli_netopts *o)
{
        return o->n_ipadd || o->n_ipdel || o->n_netif_add || o->n_netif_del || o->set_ns || o->set_sd;
}

static char *join(char **v, size_t n, const char *sep)
{
        size_t len = 1;
        for (size_t i = 0; i < n; i++)
                len += strlen(v[i]) + strlen(sep);
        char *s = calloc(1, len);
        if (!s)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                if (i)
                        strcat(s, sep);
                strcat(s, v[i]);
        }
        return s;
}

/* The new IP_ADDRESS: the current list, less --ipdel, plus --ipadd, each address once. */
/* The new IP_ADDRESS: the current list, less --ipdel, plus --ipadd, each address once. */
static int new_ip_list(const struct cli_netopts *o, const char *cur, char **ret)
{
        _cleanup_free_ struct ct_ip *have = NULL, *dels = NULL, *adds = NULL, *out = NULL;
        _cleanup_free_ char *del_text = NULL, *add_text = NULL;
        size_t n = 0, ndel = 0, nadd = 0, nout = 0;
        bool all = false;
        for (size_t j = 0; j < o->n_ipdel; j++)
                all = all || streq(o->ipdel[j], "all");
        /* the values were checked one by one when taken: parse them as lists now */
        if (!(del_text = all ? strdup("") : join(o->ipdel, o->n_ipdel, " ")) ||
            !(add_text = join(o->ipadd, o->n_ipadd, " ")))
                return -ENOMEM;
        int r = ct_ip_list_parse(cur, &have, &n);
        if (r >= 0)
                r = ct_ip_list_parse(del_text, &dels, &ndel);
        if (r >= 0)
                r = ct_ip_list_parse(add_text, &adds, &nadd);
        if (r < 0)
                return r;
        if (!(out = calloc(n + nadd + 1, sizeof(*out))))
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                if (!all && !ct_ip_in(&have[i], dels, ndel))
                        out[nout++] = have[i];
        for (size_t i = 0; i < nadd; i++)
                if (!ct_ip_in(&adds[i], out, nout))
                        out[nout++] = adds[i];
        size_t len = 1;
        for (size_t i = 0; i < nout; i++)
                len += strlen(out[i].text) + 1;
        char *s = calloc(1, len);
        if (!s)
                return -ENOMEM;
        for (size_t i = 0; i < nout; i++) {
                if (i)
                        strcat(s, " ");
                strcat(s, out[i].text);
        }
        *ret = s;
        return 0;
}

static int new_netif_list(const struct cli_netopts *o, ct *c, const char *base, char **ret)
{
        _cleanup_free_ struct ct_netif *have = NULL;
        size_t n = 0;
        int r = ct_netif_list_parse(c->id, base, &have, &n);
        if (r < 0)
                return r;
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
                bool drop = false;
                for (size_t j = 0; j < o->n_netif_del; j++)
                        drop = drop || streq(o->netif_del[j], "all") ||
                               streq(o->netif_del[j], have[i].ifname);
                if (!drop)
                        have[k++] = have[i];
        }
        n = k;
        for (size_t j = 0; j < o->n_netif_add; j++) {
                _cleanup_free_ struct ct_netif *a = NULL;
                size_t na;
                if ((r = ct_netif_list_parse(c->id, o->netif_add[j], &a, &na)) < 0)
                        return r;
                for (size_t i = 0; i < n; i++)
                        if (streq(have[i].ifname, a[0].ifname)) {
                                log_error("CT %u already has an interface %s; --netif_del it first", c->id,
                                          a[0].ifname);
                                return -EEXIST;
                        }
                struct ct_netif *m = realloc(have, (n + 1) * sizeof(*have));
                if (!m)
                        return -ENOMEM;
                have = m;
                have[n] = a[0];
                /* a default host-side name is numbered by position */
                if (!strstr(o->netif_add[j], "host_ifname="))
                        ct_default_host_ifname(c->id, n, have[n].host_ifname);
                for (size_t i = 0; i < n; i++)
                        if (streq(have[i].host_ifname, have[n].host_ifname)) {
                                log_error("CT %u: host interface name %s is taken by its %s", c->id,
                                          have[n].host_ifname, have[i].ifname);
                                return -EEXIST;
                        }
                n++;
        }
        return ct_netif_format(have, n, ret);
}

int cli_netopts_changes(struct cli_netopts *o, ct *c, const char *base_ips, const char *base_netif, int slot,
                        struct ct_change *changes, size_t *n, size_t max)
{
        int r;
        if (o->n_ipadd && o->ip_lock < 0) {
                /* one address check at a time host-wide, held until this command has saved or applied
                 * its addresses: two CTs cannot both take the same address */
                char path[4096];
                snprintf(path, sizeof(path), "%s/ip.lock", c->paths->run_dir);
                if (mkdir_p_at(AT_FDCWD, c->paths->run_dir, 0755) < 0 ||
                    (o->ip_lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0 ||
                    flock(o->ip_lock, LOCK_EX) < 0) {
                        log_error_errno(-errno, "Cannot lock %s: %m", path);
                        return EXIT_VZ_SYSTEM;
                }
        }
        if ((o->n_ipadd || o->n_ipdel) && *n < max) {
                free(o->v_ip[slot]);
                o->v_ip[slot] = NULL;
                if ((r = new_ip_list(o, base_ips, &o->v_ip[slot])) < 0)
                        return r == -ENOMEM ? EXIT_VZ_SYSTEM : EXIT_VZ_BAD_VALUE;
                r = ct_net_check_ips(c, o->v_ip[slot]);
                if (r == -EADDRINUSE)
                        return EXIT_VZ_IP_INUSE;
                if (r < 0)
                        return EXIT_VZ_SYSTEM;
                changes[(*n)++] = (struct ct_change){ "IP_ADDRESS", o->v_ip[slot] };
        }
        if ((o->n_netif_add || o->n_netif_del) && *n < max) {
                free(o->v_netif[slot]);
                o->v_netif[slot] = NULL;
                if ((r = new_netif_list(o, c, base_netif, &o->v_netif[slot])) < 0)
                        return r == -ENOMEM ? EXIT_VZ_SYSTEM : EXIT_VZ_BAD_VALUE;
                changes[(*n)++] = (struct ct_change){ "NETIF", o->v_netif[slot] };
        }
        if (o->set_ns && *n < max) {
                if (!o->v_ns && !(o->v_ns = join(o->nameserver, o->n_nameserver, " ")))
                        return EXIT_VZ_SYSTEM;
                changes[(*n)++] = (struct ct_change){ "NAMESERVER", o->v_ns };
        }
        if (o->set_sd && *n < max) {
                if (!o->v_sd && !(o->v_sd = join(o->searchdomain, o->n_searchdomain, " ")))
                        return EXIT_VZ_SYSTEM;
                changes[(*n)++] = (struct ct_change){ "SEARCHDOMAIN", o->v_sd };
        }
        return 0;
}
