/*
 * SPDX-License-Identifier: ISC
 * Sending and receiving exact byte counts on a non-blocking socket
 * without waiting, for the handshakes of the proxy kinds run as open
 * steps (workers=) or with waiting between the steps (steps.c).  No byte
 * past the count is read: the rest belongs to the tunnel.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "duct.h"
#include "exchange.h"

int
exchange_send(int fd, const void *buf, size_t len, size_t *done, char *err)
{
	const char *p = buf;
	ssize_t n;

	while (*done < len) {
		n = send(fd, p + *done, len - *done, MSG_NOSIGNAL);
		if (n > 0) {
			*done += (size_t)n;
			continue;
		}
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 1;
		if (n == -1 && errno == EINTR)
			continue;
		snprintf(err, DUCT_ERR_LEN, "send: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
exchange_recv(int fd, void *buf, size_t len, size_t *done, char *err)
{
	char *p = buf;
	ssize_t n;

	while (*done < len) {
		n = recv(fd, p + *done, len - *done, 0);
		if (n > 0) {
			*done += (size_t)n;
			continue;
		}
		if (n == 0) {
			snprintf(err, DUCT_ERR_LEN,
			    "the server closed the connection");
			errno = ECONNRESET;
			return -1;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 1;
		if (errno == EINTR)
			continue;
		snprintf(err, DUCT_ERR_LEN, "recv: %s", strerror(errno));
		return -1;
	}
	return 0;
}
