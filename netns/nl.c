/* The netlink transport: socket, request/ACK, dumps, errors as negative errno. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/netlink.h>

#include "base/log.h"
#include "netns-internal.h"

int nl_open(nl_sock **ret)
{
        nl_sock *nl = calloc(1, sizeof(*nl));
        if (!nl)
                return -ENOMEM;
        nl->mnl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
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

/* Keep the extended-ACK text before libmnl turns the error message into errno. */
static int error_cb(const struct nlmsghdr *nlh, void *data)
{
        nl_sock *nl = data;
        const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

        if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
                return MNL_CB_ERROR;
        if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
                unsigned off = sizeof(*e);
                if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
                        off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
                mnl_attr_parse(nlh, off, ext_ack_cb, nl);
        }
        if (e->error == 0)
                return MNL_CB_STOP;
        errno = -e->error;
        return MNL_CB_ERROR;
}

int nl_call(nl_sock *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
        static mnl_cb_t ctl[NLMSG_MIN_TYPE] = { [NLMSG_ERROR] = error_cb };
        char buf[NL_BUF_SIZE];
        unsigned seq = nlh->nlmsg_seq;
        int r;

        nl->err[0] = 0;
        if (!(nlh->nlmsg_flags & NLM_F_DUMP))
                nlh->nlmsg_flags |= NLM_F_ACK;
        if (mnl_socket_sendto(nl->mnl, nlh, nlh->nlmsg_len) < 0)
                return negative_errno();
        for (;;) {
                ssize_t n = mnl_socket_recvfrom(nl->mnl, buf, sizeof(buf));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                /* libmnl reports failure as -1 + errno: convert it once, here */
                errno = 0;
                r = mnl_cb_run2(buf, (size_t)n, seq, nl->portid, cb, data, ctl, ELEMENTSOF(ctl));
                if (r == MNL_CB_ERROR)
                        return negative_errno();
                if (r == MNL_CB_STOP)
                        return 0;
        }
}
