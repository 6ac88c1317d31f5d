/*
 * SPDX-License-Identifier: ISC
 * ACCEPT-FD (socat 1.8): accept peers on a listening socket duct
 * inherited as descriptor N, as systemd's Accept=no socket units and
 * systemd-socket-activate pass them (descriptor 3 for the first).  Any
 * stream socket family; range= judges IP peers.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "address.h"
#include "log.h"
#include "net.h"
#include "options.h"
#include "proxyproto.h"
#include "sockaccept.h"

/* The descriptor parameter: a non-negative decimal number, or -1. */
static int
acceptfd_number(const char *text)
{
	char *end;
	long n;

	if (*text < '0' || *text > '9')
		return -1;
	n = strtol(text, &end, 10);
	if (*end != '\0' || n > 0x7fffffff)
		return -1;
	return (int)n;
}

static int
acceptfd_check(const struct address *a, int *param, char *err)
{
	*param = 0;
	if (acceptfd_number(a->params[0]) < 0) {
		snprintf(err, DUCT_ERR_LEN,
		    "wants a descriptor number, got \"%s\"", a->params[0]);
		return -1;
	}
	*param = -1;
	return proxy_check(a, true, err);
}

static int
acceptfd_listen(const struct address *a, const struct open_ctx *ctx,
    struct listener *l, char *err)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss), olen;
	char where[NET_ADDRSTRLEN];
	int fd = acceptfd_number(a->params[0]), on = 0, fl;

	(void)ctx;
	olen = sizeof(on);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &olen) == -1) {
		snprintf(err, DUCT_ERR_LEN, "descriptor %d: %s", fd,
		    errno == ENOTSOCK ? "not a socket" : strerror(errno));
		return -1;
	}
	if (!on) {
		snprintf(err, DUCT_ERR_LEN,
		    "descriptor %d is a socket but not a listening one", fd);
		return -1;
	}
	/* Non-blocking, as every socket duct accepts on: no lost wake-up. */
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1) {
		snprintf(err, DUCT_ERR_LEN, "descriptor %d: %s", fd,
		    strerror(errno));
		return -1;
	}
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		net_format((struct sockaddr *)&ss, len, where, sizeof(where));
	else
		snprintf(where, sizeof(where), "?");
	log_notice("%s: listening on %s (descriptor %d)", a->label, where, fd);
	l->fd = fd;
	l->priv = NULL;
	return 0;
}

const struct addr_kind kind_accept_fd = {
	.names = { "ACCEPT-FD" },
	.syntax = "N",
	.help = "accept on inherited listening socket N (socket activation)",
	.groups = G_FD | G_SOCKET | G_LISTEN | G_CHILD | G_RANGE | G_PROXY,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 1,
	.max_params = 1,
	.check = acceptfd_check,
	.listen = acceptfd_listen,
	.accept = sockaccept_peer,
	.ready = sockaccept_ready,
	.accept_anywhere = true,
	.listen_close = net_listener_close,
};
