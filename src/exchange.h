/*
 * SPDX-License-Identifier: ISC
 * The byte moves of a protocol spoken before the relay (an HTTP proxy's
 * CONNECT, a SOCKS handshake) on a non-blocking socket, in steps that
 * never wait: the caller keeps the position and the deadline, and waits
 * for what a step asks.  Errors read as net_send_all()/net_recv_exact().
 */
#ifndef DUCT_EXCHANGE_H
#define DUCT_EXCHANGE_H

#include <stddef.h>

/*
 * Sends what is left of buf[*done..len) on fd, advancing *done.  Returns
 * 0 when all is sent, 1 when fd is to be waited for until writable, or
 * -1 with err ("send: ...") and errno.
 */
int exchange_send(int fd, const void *buf, size_t len, size_t *done, char *err);

/*
 * Receives into buf[*done..len) from fd, never more, advancing *done.
 * Returns 0 when all len bytes are there, 1 when fd is to be waited for
 * until readable, or -1 with err and errno (ECONNRESET, "the server
 * closed the connection", when the peer closed first).
 */
int exchange_recv(int fd, void *buf, size_t len, size_t *done, char *err);

#endif
