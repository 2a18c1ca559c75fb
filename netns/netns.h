/* netns: rtnetlink through libmnl. Links, addresses, routes of a network namespace. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "base/macro.h"

typedef struct nl_sock nl_sock;

/* Open an rtnetlink socket in the calling thread's current network namespace. */
int nl_open(nl_sock **ret);
void nl_close(nl_sock *nl);
/* Extended-ACK text of the last failed request, or NULL. */
const char *nl_last_error(const nl_sock *nl);

/* Look up an interface index by name (RTM_GETLINK). */
int netns_link_index(nl_sock *nl, const char *ifname, int *ret_ifindex);
/* Set a link up or down. */
int netns_link_set_up(nl_sock *nl, int ifindex, bool up);
/* Bring up the loopback interface of the current network namespace. */
int netns_loopback_up(void);

static inline void nl_closep(nl_sock **nl)
{
        nl_close(*nl);
}
#define _cleanup_nl_ _cleanup_(nl_closep)
