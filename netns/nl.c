/* The netlink transport: socket, request/ACK, dumps, errors as negative errno. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "base/log.h"
#include "netns-internal.h"

static int nl_open_protocol(int protocol, nl_sock **ret)
{
        nl_sock *nl = calloc(1, sizeof(*nl));
        if (!nl)
                return -ENOMEM;
        nl->mnl = mnl_socket_open2(protocol, SOCK_CLOEXEC);
        if (!nl->mnl) {
                int r = negative_errno();
                free(nl);
                return r;
        }
        int one = 1;
        /* extended ACKs carry the kernel's reason text; worth having for messages */
        (void)mnl_socket_setsockopt(nl->mnl, NETLINK_EXT_ACK, &one, sizeof(one));
        (void)mnl_socket_setsockopt(nl->mnl, NETLINK_CAP_ACK, &one, sizeof(one));
        if (mnl_socket_bind(nl->mnl, 0, MNL_SOCKET_AUTOPID) < 0) {
                int r = negative_errno();
                mnl_socket_close(nl->mnl);
                free(nl);
                return r;
        }
        nl->portid = mnl_socket_get_portid(nl->mnl);
        nl->seq = (unsigned)time(NULL);
        *ret = nl;
        return 0;
}

int nl_open(nl_sock **ret)
{
        return nl_open_protocol(NETLINK_ROUTE, ret);
}

int nl_open_netfilter(nl_sock **ret)
{
        return nl_open_protocol(NETLINK_NETFILTER, ret);
}

int nl_open_in(int nsfd, nl_sock **ret)
{
        nl_sock *nl = NULL;
        int saved, r;

        /* a netlink socket belongs to the namespace it was created in, whatever its owner does later */
        r = netns_enter(nsfd, &saved);
        if (r < 0)
                return r;
        r = nl_open(&nl);
        netns_leave(saved);
        if (r < 0)
                return r;
        *ret = nl;
        return 0;
}

void nl_close(nl_sock *nl)
{
        if (!nl)
                return;
        mnl_socket_close(nl->mnl);
        free(nl);
}

const char *nl_last_error(const nl_sock *nl)
{
        return nl->err[0] ? nl->err : NULL;
}

struct nlmsghdr *nl_msg_new(nl_sock *nl, void *buf, uint16_t type, uint16_t flags)
{
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        nlh->nlmsg_type = type;
        nlh->nlmsg_flags = NLM_F_REQUEST | flags;
        nlh->nlmsg_seq = ++nl->seq;
        return nlh;
}

static int ext_ack_cb(const struct nlattr *attr, void *data)
{
        nl_sock *nl = data;
        if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
            mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
                snprintf(nl->err, sizeof(nl->err), "%s", mnl_attr_get_str(attr));
        return MNL_CB_OK;
}

/* The result carried by an NLMSG_ERROR (the ACK) message; keeps the extended-ACK text of a failure. */
static int ack_result(nl_sock *nl, const struct nlmsghdr *nlh)
{
        const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

        if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
                return -EBADMSG;
        if (e->error == 0)
                return 0;
        if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
                size_t off = sizeof(*e);
                if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
                        off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
                if (mnl_nlmsg_size(off) <= nlh->nlmsg_len)
                        (void)mnl_attr_parse(nlh, (unsigned)off, ext_ack_cb, nl);
        }
        return e->error < 0 ? e->error : -e->error;
}

/* A dump ends with NLMSG_DONE, whose payload is an error code (0 or -errno) and maybe ext-ACK TLVs. */
static int done_result(nl_sock *nl, const struct nlmsghdr *nlh)
{
        int e;

        if (mnl_nlmsg_get_payload_len(nlh) < sizeof(e))
                return 0;
        memcpy(&e, mnl_nlmsg_get_payload(nlh), sizeof(e));
        if (e == 0)
                return 0;
        if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
                (void)mnl_attr_parse(nlh, sizeof(e), ext_ack_cb, nl);
        return e < 0 ? e : -e;
}

/* NLM_F_DUMP is two bits, NLM_F_ROOT|NLM_F_MATCH, and NLM_F_MATCH is NLM_F_EXCL of NEW requests: only a GET
 * (RTM_GET* is 2 mod 4) with both bits set is a dump. */
bool nl_msg_is_dump(const struct nlmsghdr *nlh)
{
        return nlh->nlmsg_type >= RTM_BASE && (nlh->nlmsg_type & 3) == 2 &&
               (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
}

int nl_call(nl_sock *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
        char buf[NL_BUF_SIZE];
        unsigned seq = nlh->nlmsg_seq;
        bool stop = false;
        int r = 0;

        nl->err[0] = 0;
        if (!nl_msg_is_dump(nlh))
                nlh->nlmsg_flags |= NLM_F_ACK;
        if (mnl_socket_sendto(nl->mnl, nlh, nlh->nlmsg_len) < 0)
                return negative_errno();
        /* Read to the terminating ACK or DONE even after a failure: an abandoned dump would leave the socket
         * busy (-EBUSY) for the next one. */
        for (;;) {
                ssize_t n = mnl_socket_recvfrom(nl->mnl, buf, sizeof(buf));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        /* libmnl reports failure as -1 + errno: convert it once, here */
                        return negative_errno();
                }
                int len = (int)n;
                for (const struct nlmsghdr *m = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(m, len);
                     m = mnl_nlmsg_next(m, &len)) {
                        /* left over from an earlier request, or not an answer to us */
                        if (m->nlmsg_seq != seq || !mnl_nlmsg_portid_ok(m, nl->portid))
                                continue;
                        if (m->nlmsg_type == NLMSG_ERROR) {
                                int k = ack_result(nl, m);
                                return r < 0 ? r : k;
                        }
                        if (m->nlmsg_type == NLMSG_DONE) {
                                int k = done_result(nl, m);
                                return r < 0 ? r : k;
                        }
                        if (m->nlmsg_type == NLMSG_OVERRUN) {
                                if (r == 0)
                                        r = -ENOBUFS;
                                continue;
                        }
                        if (m->nlmsg_type < NLMSG_MIN_TYPE)
                                continue;
                        /* the dumped table changed underneath: the caller may retry */
                        if ((m->nlmsg_flags & NLM_F_DUMP_INTR) && r == 0)
                                r = -EINTR;
                        if (r < 0 || stop || !cb)
                                continue;
                        errno = 0;
                        int k = cb(m, data);
                        if (k == MNL_CB_ERROR)
                                r = negative_errno();
                        else if (k == MNL_CB_STOP)
                                stop = true;
                }
        }
}
