/*
 * SPDX-License-Identifier: ISC
 * Socket activation: the listening sockets a service manager (systemd,
 * or systemd-socket-activate) passes in LISTEN_FDS, so that a listening
 * address serves on a socket it did not bind.  Nothing here logs.
 */
#ifndef DUCT_ACTIVATION_H
#define DUCT_ACTIVATION_H

#include <sys/socket.h>

/*
 * Takes note of the descriptors passed to this process (LISTEN_PID is
 * ours, LISTEN_FDS counts them from 3), marks them close-on-exec and
 * removes LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES from the environment,
 * so that no program duct starts believes they are meant for it.  Called
 * once, first thing.
 */
void activation_init(void);

/*
 * A passed listening socket of type (SOCK_STREAM...) bound to want: the
 * same address, or for a wildcard want (0.0.0.0 or ::) a wildcard of
 * either family on the same port.  A socket is handed out once; it is
 * made non-blocking.  Returns the descriptor, or -1 when none matches.
 */
int activation_take(const struct sockaddr *want, socklen_t len, int type);

#endif
