#ifndef SMILEY_NETLINK_H
#define SMILEY_NETLINK_H

/// What a batch of rtnetlink messages announced (bits of smiley_netlink_drain's result).
enum {
    /// A link (not loopback) is administratively up and has carrier (IFF_UP and IFF_RUNNING).
    SMILEY_NET_LINK_UP = 1,
    /// A link went down or lost carrier.
    SMILEY_NET_LINK_DOWN = 2,
    /// A unicast route was added to the main table.
    SMILEY_NET_ROUTE_ADDED = 4,
    /// A default route (destination length 0) was added.
    SMILEY_NET_DEFAULT_ROUTE_ADDED = 8,
    /// A route was removed.
    SMILEY_NET_ROUTE_REMOVED = 16,
    /// The kernel dropped messages (ENOBUFS): anything may have changed.
    SMILEY_NET_OVERRUN = 32,
};

/// Opens a NETLINK_ROUTE socket subscribed to RTMGRP_LINK | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE,
/// close-on-exec and non-blocking. With `netns_path` (e.g. /run/netns/NAME) the socket is made
/// inside that network namespace and the calling thread returns to its own (tests use this).
/// Returns the descriptor, or -1 with errno set.
int smiley_netlink_open(const char *netns_path);

/// Reads every message waiting on the socket without blocking and returns the SMILEY_NET_* bits
/// they announced (0: nothing waiting or nothing of interest), or -1 with errno set.
int smiley_netlink_drain(int fd);

#endif
