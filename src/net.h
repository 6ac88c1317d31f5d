/*
 * SPDX-License-Identifier: ISC
 * Socket chores shared by the socket kinds.  This header declares the
 * plain ones (a socket, bind, the datagram limit) and includes the rest by
 * job: netaddr.h (text, no I/O), resolve.h (blocking resolution),
 * netwait.h (waits, connect, accept), netfmt.h (addresses as text) and
 * netip.h (IP recipes over struct optvals).  Helpers never log or exit:
 * they return -1 and write "what failed: why" into the caller's
 * err[DUCT_ERR_LEN].
 */
#ifndef DUCT_NET_H
#define DUCT_NET_H

#include <sys/socket.h>
#include <stdbool.h>
#include <stddef.h>

#include "clock.h"
#include "duct.h"
#include "facts.h"
#include "netaddr.h"
#include "netfmt.h"
#include "netip.h"
#include "netwait.h"
#include "options.h"
#include "resolve.h"

/* A non-blocking, close-on-exec socket, or -1 with err. */
int net_socket(int family, int type, char *err);

/*
 * The same with a protocol number for socket(2); a raw socket refused for
 * want of privilege says that it needs root or CAP_NET_RAW.
 */
int net_socket_proto(int family, int type, int protocol, char *err);

/* bind(2) with err ("bind 127.0.0.1:80: Address already in use"). */
int net_bind(int fd, const struct sockaddr *sa, socklen_t len, char *err);

struct listener;

/* listen_close of a kind whose listener holds its socket and nothing else. */
void net_listener_close(struct listener *l, bool in_child);

/*
 * Binds a unix socket to an abstract address of the kernel's choosing, so
 * that a datagram peer has an address to answer to.  Returns 0 or -1 with
 * err.
 */
int net_unix_autobind(int fd, char *err);

/*
 * The largest datagram the datagram socket fd can send in one piece: the
 * UDP limit of its family, or for a unix socket what its send buffer
 * allows.  0 when it cannot tell.
 */
size_t net_dgram_max(int fd);

#endif
