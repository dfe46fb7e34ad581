#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include "smiley_netlink.h"

static int open_here(void) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
    if (fd < 0) {
        return -1;
    }
    struct sockaddr_nl address;
    memset(&address, 0, sizeof address);
    address.nl_family = AF_NETLINK;
    address.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE;
    if (bind(fd, (struct sockaddr *)&address, sizeof address) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int smiley_netlink_open(const char *netns_path) {
    if (netns_path == NULL) {
        return open_here();
    }
    int own = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (own < 0) {
        return -1;
    }
    int target = open(netns_path, O_RDONLY | O_CLOEXEC);
    if (target < 0) {
        int saved = errno;
        close(own);
        errno = saved;
        return -1;
    }
    if (setns(target, CLONE_NEWNET) < 0) {
        int saved = errno;
        close(target);
        close(own);
        errno = saved;
        return -1;
    }
    int fd = open_here();
    int saved = errno;
    if (setns(own, CLONE_NEWNET) < 0 && fd >= 0) {
        /* The thread could not return to its own namespace: refuse rather than leave it moved. */
        saved = errno;
        close(fd);
        fd = -1;
    }
    close(target);
    close(own);
    errno = saved;
    return fd;
}

static int classify(const struct nlmsghdr *message) {
    switch (message->nlmsg_type) {
    case RTM_NEWLINK:
    case RTM_DELLINK: {
        if (message->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg))) {
            return 0;
        }
        const struct ifinfomsg *info = NLMSG_DATA(message);
        if (info->ifi_flags & IFF_LOOPBACK) {
            return 0;
        }
        int up = (info->ifi_flags & IFF_UP) && (info->ifi_flags & IFF_RUNNING);
        if (message->nlmsg_type == RTM_NEWLINK && up) {
            return SMILEY_NET_LINK_UP;
        }
        return SMILEY_NET_LINK_DOWN;
    }
    case RTM_NEWROUTE:
    case RTM_DELROUTE: {
        if (message->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtmsg))) {
            return 0;
        }
        const struct rtmsg *route = NLMSG_DATA(message);
        if (message->nlmsg_type == RTM_DELROUTE) {
            return SMILEY_NET_ROUTE_REMOVED;
        }
        if (route->rtm_table != RT_TABLE_MAIN || route->rtm_type != RTN_UNICAST) {
            return 0;
        }
        return route->rtm_dst_len == 0 ? (SMILEY_NET_ROUTE_ADDED | SMILEY_NET_DEFAULT_ROUTE_ADDED)
                                       : SMILEY_NET_ROUTE_ADDED;
    }
    default:
        return 0;
    }
}

int smiley_netlink_drain(int fd) {
    /* Aligned for struct nlmsghdr; 8 KiB holds many messages, and we loop until EAGAIN. */
    union {
        struct nlmsghdr header;
        char bytes[8192];
    } buffer;
    int result = 0;
    for (;;) {
        ssize_t length = recv(fd, buffer.bytes, sizeof buffer.bytes, 0);
        if (length < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                return result;
            }
            if (errno == ENOBUFS) {
                result |= SMILEY_NET_OVERRUN;
                continue;
            }
            return -1;
        }
        if (length == 0) {
            return result;
        }
        int remaining = (int)length;
        for (const struct nlmsghdr *message = &buffer.header; NLMSG_OK(message, remaining);
             message = NLMSG_NEXT(message, remaining)) {
            if (message->nlmsg_type == NLMSG_DONE || message->nlmsg_type == NLMSG_ERROR) {
                continue;
            }
            result |= classify(message);
        }
    }
}
