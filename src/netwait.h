/*
 * SPDX-License-Identifier: ISC
 * Waiting on sockets (netwait.c): readiness with a timeout that caught
 * signals may end, connect with connect-timeout=, whole sends and exact
 * receives for a protocol step before the relay, accept, and sleeping
 * between retries.  Failures fill the caller's err[DUCT_ERR_LEN].
 */
#ifndef DUCT_NETWAIT_H
#define DUCT_NETWAIT_H

#include <sys/socket.h>
#include <stdbool.h>
#include <stddef.h>

#include "duct.h"

struct optvals;

/*
 * Connects fd (non-blocking) to sa, waiting at most timeout seconds
 * (0: no limit) and waking for SIGINT/SIGTERM.  Returns 0, or -1 with err
 * ("connect: Connection refused", "connect: timed out after 2s") and errno.
 */
int net_connect(int fd, const struct sockaddr *sa, socklen_t len,
    double timeout, char *err);

/*
 * Waits until fd is readable (or writable), for timeout seconds (< 0: no
 * limit), waking on the caught signals.  Returns 1 ready, 0 timed out,
 * -1 with errno (EINTR when a signal arrived).
 */
int net_wait(int fd, bool writable, double timeout);

/*
 * Like net_wait(), but SIGCHLD and SIGUSR1 do not end the wait (their
 * flags stay set for whoever handles them); only a terminating signal
 * gives -1 with EINTR.  The timeout is a deadline across signals.
 */
int net_wait_quiet(int fd, bool writable, double timeout);

/*
 * Waits until the listening socket fd is readable or stop (-1: none) is:
 * a pipe whose writer closing means "accept no more".  quiet as for
 * net_wait_quiet().  Returns 1 for fd, 2 for stop, 0 timed out, -1 with
 * errno.
 */
int net_wait_listener(int fd, int stop, bool quiet, double timeout);

/*
 * Sleeps for seconds, waking only for a terminating signal (SIGINT,
 * SIGTERM, SIGHUP).  Returns 0, or -1 with errno EINTR.
 */
int net_sleep(double seconds);

/*
 * Writes all len bytes to the non-blocking socket fd, waiting for room
 * until deadline (0: none).  Returns 0, or -1 with err ("send: ...",
 * "timed out") and errno (EINTR: a terminating signal arrived).
 */
int net_send_all(
    int fd, const void *buf, size_t len, double deadline, char *err);

/*
 * Reads exactly len bytes from the non-blocking socket fd, never more,
 * waiting until deadline (0: none).  Returns 0; -1 with err and errno
 * (ECONNRESET with "closed" in err when the peer closed first, ETIMEDOUT,
 * EINTR).
 */
int net_recv_exact(int fd, void *buf, size_t len, double deadline, char *err);

/*
 * Accepts a peer on the listening socket lfd as a non-blocking,
 * close-on-exec socket.  Returns the fd, -2 when nothing was pending, or
 * -1 with err.
 */
int net_accept(
    int lfd, struct sockaddr_storage *peer, socklen_t *len, char *err);

/* Ends a refused peer's connection: shutdown(2) both ways, then close. */
void net_refuse(int fd);

/*
 * net_accept(), then the peer checks of o (range=, sourceport=, lowport):
 * a peer they refuse is closed, and -3 returned with err saying "refused
 * connection from PEER: why" for the caller to warn with.  Otherwise as
 * net_accept().
 */
int net_accept_peer(int lfd, const struct optvals *o,
    struct sockaddr_storage *peer, socklen_t *len, char *err);

/*
 * connect(2) on the non-blocking fd without waiting: 0 connected, 1 in
 * progress (wait until fd is writable, then net_connect_result()), or -1
 * with err and errno.
 */
int net_connect_start(
    int fd, const struct sockaddr *sa, socklen_t len, char *err);

/* The outcome of a connect in progress: 0, or -1 with err and errno. */
int net_connect_result(int fd, char *err);

#endif
