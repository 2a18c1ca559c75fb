/* netns/ internals: the one transport (nl.c) every request goes through. */
#pragma once

#include <libmnl/libmnl.h>

#include "netns.h"

/* big enough for one dump batch; libmnl's own size macro is a runtime (VLA) value */
#define NL_BUF_SIZE 32768

struct nl_sock {
        struct mnl_socket *mnl;
        unsigned portid;
        unsigned seq;
        char err[256];
};

/* Prepare a request header in buf with the next sequence number. */
struct nlmsghdr *nl_msg_new(nl_sock *nl, void *buf, uint16_t type, uint16_t flags);
/* Send nlh, run cb on each reply (may be NULL), wait for the ACK/DONE; -errno on failure. */
int nl_call(nl_sock *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);
