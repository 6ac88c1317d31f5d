/*
 * SPDX-License-Identifier: ISC
 * TCP: TCP-CONNECT (TCP, TCP4, TCP6) and TCP-LISTEN (TCP-L, TCP4-LISTEN,
 * TCP6-LISTEN).  Resolution, binding, connecting and listening are net.c's
 * TCP helpers (OPENSSL rides on the same ones); this file checks the
 * parameters, makes endpoints and says what happened.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "address.h"
#include "clock.h"
#include "fdep.h"
#include "log.h"
#include "net.h"
#include "opener.h"
#include "options.h"
#include "proxyproto.h"
#include "sockaccept.h"
#include "tcpconn.h"
#include "xmalloc.h"

static int
tcp_connect_check(const struct address *a, int *param, char *err)
{
	if (net_check_ip(a, param, err) == -1)
		return -1;
	return proxy_check(a, false, err);
}

static int
tcp_listen_check(const struct address *a, int *param, char *err)
{
	if (net_check_ip_port(a, param, err) == -1)
		return -1;
	return proxy_check(a, true, err);
}

static int
tcp_connect_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	struct net_tcp_req req;
	char where[NET_ADDRSTRLEN];
	int fd;

	net_ip_req(a, ctx, SOCK_STREAM, &req);
	req.trying = opener_trying;
	if ((fd = net_tcp_connect(&req, where, sizeof(where), err)) == -1)
		return -1;
	log_notice("%s: connected to %s", a->label, where);
	if (proxy_send(a, ctx, fd, err) == -1) {
		close(fd);
		return -1;
	}
	/* IPv4 or IPv6: either way not AF_UNIX, which is all that counts. */
	fdep_init_socket(ep, fd, AF_INET);
	return 0;
}

/*
 * A non-blocking open (workers=): tcpconn.c's connect, a host name looked
 * up in a thread so that the loop goes on serving its other connections
 * meanwhile; the lookup and the connects count against connect-timeout=.
 */

/* After a step of the connect: done, waiting, or failed. */
static int
tcp_stepped(const struct address *a, const struct open_ctx *ctx,
    struct tcpconn *tc, int rc, struct endpoint *ep, struct open_wait *w,
    char *err)
{
	char where[NET_ADDRSTRLEN];
	int fd;

	if (rc == 1) {
		w->priv = tc;
		return 1;
	}
	if (rc == 0) {
		fd = tcpconn_take(tc, where);
		log_notice("%s: connected to %s", a->label, where);
		/* A few hundred bytes into a fresh socket: never waits. */
		if (proxy_send(a, ctx, fd, err) == -1) {
			close(fd);
			rc = -1;
		} else {
			fdep_init_socket(ep, fd, AF_INET);
		}
	}
	free(tc);
	w->priv = NULL;
	return rc;
}

static int
tcp_connect_start(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, struct open_wait *w, char *err)
{
	struct tcpconn *tc = xcalloc(1, sizeof(*tc));
	struct net_tcp_req req;
	int rc;

	net_ip_req(a, ctx, SOCK_STREAM, &req);
	req.trying = opener_trying;
	w->deadline = clock_deadline(a->opts.connect_timeout);
	rc = tcpconn_start(tc, &req, w, err);
	if (rc == 1 && tc->lookup != NULL)
		log_info("%s: looking up %s", a->label, a->params[0]);
	return tcp_stepped(a, ctx, tc, rc, ep, w, err);
}

static int
tcp_connect_step(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, struct open_wait *w, bool timed_out, char *err)
{
	struct tcpconn *tc = w->priv;

	return tcp_stepped(
	    a, ctx, tc, tcpconn_step(tc, timed_out, w, err), ep, w, err);
}

static void
tcp_connect_abort(struct open_wait *w)
{
	struct tcpconn *tc = w->priv;

	if (tc != NULL) {
		tcpconn_abort(tc);
		free(tc);
	}
	w->priv = NULL;
}

static int
tcp_listen(const struct address *a, const struct open_ctx *ctx,
    struct listener *l, char *err)
{
	char where[NET_ADDRSTRLEN];
	int fd;

	fd = net_tcp_listen(a->params[0], net_ip_family(a, ctx), &a->opts,
	    where, sizeof(where), err);
	if (fd == -1)
		return -1;
	log_notice("%s: listening on %s", a->label, where);
	l->fd = fd;
	l->priv = NULL;
	return 0;
}

const struct addr_kind kind_tcp_connect = {
	.names = { "TCP-CONNECT", "TCP" },
	.syntax = "HOST:PORT",
	.help = "connect to a TCP server",
	.groups = G_FD | G_SOCKET | G_IP | G_TCP | G_CONNECT | G_RETRY |
	    G_PROXY | G_CHILD,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 2,
	.max_params = 2,
	.families = true,
	.check = tcp_connect_check,
	.prepare = net_prepare_tcp,
	.open = tcp_connect_open,
	.open_start = tcp_connect_start,
	.open_step = tcp_connect_step,
	.open_abort = tcp_connect_abort,
};

const struct addr_kind kind_tcp_listen = {
	.names = { "TCP-LISTEN", "TCP-L" },
	.syntax = "PORT",
	.help = "accept a TCP connection (many with fork)",
	.groups = G_FD | G_SOCKET | G_IP | G_TCP | G_LISTEN | G_CHILD |
	    G_RANGE | G_RETRY | G_PROXY | G_WORKERS,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 1,
	.max_params = 1,
	.families = true,
	.check = tcp_listen_check,
	.listen = tcp_listen,
	.accept = sockaccept_peer,
	.ready = sockaccept_ready,
	.accept_anywhere = true,
	.listen_close = net_listener_close,
};
