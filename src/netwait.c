/*
 * SPDX-License-Identifier: ISC
 * Waiting on sockets (netwait.h): every wait goes through pselect() with
 * the caught signals let in, so SIGINT and SIGTERM end it at once.
 */
#include <sys/select.h>
#include <sys/socket.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "netfmt.h"
#include "netwait.h"
#include "options.h"
#include "sig.h"

/*
 * Waits until fd is readable (or writable) or stop (-1: none) is
 * readable; stop wins when both are.  Returns 1, 2 for stop, 0 timed out,
 * or -1 with errno.
 */
static int
net_wait_fds(int fd, bool writable, int stop, double timeout)
{
	struct timespec ts, *tsp = NULL;
	fd_set rset, wset;
	int n;

	if (sig_term_pending()) {
		errno = EINTR;
		return -1;
	}
	if (timeout >= 0) {
		ts.tv_sec = (time_t)timeout;
		ts.tv_nsec = (long)((timeout - floor(timeout)) * 1e9);
		tsp = &ts;
	}
	FD_ZERO(&rset);
	FD_ZERO(&wset);
	FD_SET(fd, writable ? &wset : &rset);
	if (stop != -1)
		FD_SET(stop, &rset);
	n = pselect((fd > stop ? fd : stop) + 1, &rset, writable ? &wset : NULL,
	    NULL, tsp, sig_waitmask());
	if (n > 0 && stop != -1 && FD_ISSET(stop, &rset))
		return 2;
	return n > 0 ? 1 : n;
}

int
net_wait(int fd, bool writable, double timeout)
{
	return net_wait_fds(fd, writable, -1, timeout);
}

static int
net_wait_fds_quiet(int fd, bool writable, int stop, double timeout)
{
	double left = timeout, end = clock_now() + timeout;
	int n;

	for (;;) {
		n = net_wait_fds(fd, writable, stop, left);
		if (n != -1 || errno != EINTR || sig_term_pending())
			return n;
		if (timeout >= 0) {
			left = end - clock_now();
			if (left <= 0)
				return 0;
		}
	}
}

int
net_wait_quiet(int fd, bool writable, double timeout)
{
	return net_wait_fds_quiet(fd, writable, -1, timeout);
}

int
net_wait_listener(int fd, int stop, bool quiet, double timeout)
{
	return quiet ? net_wait_fds_quiet(fd, false, stop, timeout)
		     : net_wait_fds(fd, false, stop, timeout);
}

int
net_sleep(double seconds)
{
	double end = clock_now() + seconds, left = seconds;
	struct timespec ts;

	while (left > 0) {
		if (sig_term_pending()) {
			errno = EINTR;
			return -1;
		}
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - floor(left)) * 1e9);
		/* Nothing to watch: pselect() only waits, signals let in. */
		pselect(0, NULL, NULL, NULL, &ts, sig_waitmask());
		left = end - clock_now();
	}
	if (sig_term_pending()) {
		errno = EINTR;
		return -1;
	}
	return 0;
}

/* Waits for fd until deadline; fills err and returns -1 when it cannot. */
static int
net_wait_until(int fd, bool writable, double deadline, char *err)
{
	int n = net_wait_quiet(fd, writable, clock_left(deadline));

	if (n == 1)
		return 0;
	if (n == 0) {
		snprintf(err, DUCT_ERR_LEN, "timed out");
		errno = ETIMEDOUT;
	} else {
		snprintf(err, DUCT_ERR_LEN, "%s", strerror(errno));
	}
	return -1;
}

/*
 * Sends (sending) or receives exactly len bytes at p, waiting for fd
 * until deadline: the loop of net_send_all() and net_recv_exact().
 */
static int
net_all(int fd, char *p, size_t len, bool sending, double deadline, char *err)
{
	ssize_t n;

	while (len > 0) {
		n = sending ? send(fd, p, len, MSG_NOSIGNAL)
			    : recv(fd, p, len, 0);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n == 0 && !sending) {
			snprintf(err, DUCT_ERR_LEN,
			    "the server closed the connection");
			errno = ECONNRESET;
			return -1;
		}
		if (n == -1 && errno != EAGAIN && errno != EINTR) {
			snprintf(err, DUCT_ERR_LEN, "%s: %s",
			    sending ? "send" : "recv", strerror(errno));
			return -1;
		}
		if (net_wait_until(fd, sending, deadline, err) == -1)
			return -1;
	}
	return 0;
}

int
net_send_all(int fd, const void *buf, size_t len, double deadline, char *err)
{
	/* send(2) only reads the bytes: the cast drops no promise. */
	return net_all(fd, (char *)(uintptr_t)buf, len, true, deadline, err);
}

int
net_recv_exact(int fd, void *buf, size_t len, double deadline, char *err)
{
	return net_all(fd, buf, len, false, deadline, err);
}

int
net_connect(
    int fd, const struct sockaddr *sa, socklen_t len, double timeout, char *err)
{
	socklen_t elen = sizeof(int);
	int n, soerr = 0;

	if (connect(fd, sa, len) == 0)
		return 0;
	if (errno != EINPROGRESS && errno != EINTR) {
		snprintf(err, DUCT_ERR_LEN, "connect: %s", strerror(errno));
		return -1;
	}
	n = net_wait_quiet(fd, true, timeout > 0 ? timeout : -1);
	if (n == 0) {
		snprintf(
		    err, DUCT_ERR_LEN, "connect: timed out after %gs", timeout);
		errno = ETIMEDOUT;
		return -1;
	}
	if (n == -1) {
		snprintf(err, DUCT_ERR_LEN, "connect: %s", strerror(errno));
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &elen) == -1)
		soerr = errno;
	if (soerr != 0) {
		snprintf(err, DUCT_ERR_LEN, "connect: %s", strerror(soerr));
		errno = soerr;
		return -1;
	}
	return 0;
}

int
net_accept(int lfd, struct sockaddr_storage *peer, socklen_t *len, char *err)
{
	int fd;

	*len = sizeof(*peer);
	fd = accept4(
	    lfd, (struct sockaddr *)peer, len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd >= 0)
		return fd;
	switch (errno) {
	case EAGAIN:
	case EINTR:
	case ECONNABORTED:
	case EPROTO:
		return -2;
	}
	snprintf(err, DUCT_ERR_LEN, "accept: %s", strerror(errno));
	return -1;
}

void
net_refuse(int fd)
{
	/*
	 * The FIN first: the peer reads end of file before the reset that
	 * closing with its request still unread sends, and ends cleanly.
	 */
	shutdown(fd, SHUT_RDWR);
	close(fd);
}

int
net_accept_peer(int lfd, const struct optvals *o, struct sockaddr_storage *peer,
    socklen_t *len, char *err)
{
	char who[NET_ADDRSTRLEN], whybuf[64];
	const char *why;
	int fd;

	if ((fd = net_accept(lfd, peer, len, err)) < 0)
		return fd;
	if ((why = opts_peer_refusal(
		 o, (struct sockaddr *)peer, whybuf, sizeof(whybuf))) == NULL)
		return fd;
	net_refuse(fd);
	net_format((struct sockaddr *)peer, *len, who, sizeof(who));
	snprintf(err, DUCT_ERR_LEN, "refused connection from %s: %s", who, why);
	return -3;
}

int
net_connect_start(int fd, const struct sockaddr *sa, socklen_t len, char *err)
{
	if (connect(fd, sa, len) == 0)
		return 0;
	if (errno == EINPROGRESS || errno == EINTR)
		return 1;
	snprintf(err, DUCT_ERR_LEN, "connect: %s", strerror(errno));
	return -1;
}

int
net_connect_result(int fd, char *err)
{
	socklen_t elen = sizeof(int);
	int soerr = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &elen) == -1)
		soerr = errno;
	if (soerr == 0)
		return 0;
	snprintf(err, DUCT_ERR_LEN, "connect: %s", strerror(soerr));
	errno = soerr;
	return -1;
}
