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
#include "facts.h"
#include "log.h"
#include "net.h"
#include "opener.h"
#include "options.h"
#include "proxyproto.h"
#include "lookup.h"
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
 * A non-blocking open's state: a host name being looked up (lookup set;
 * without prepare()'s numeric answer), then the connect through its
 * answer (addrs, ours to free).
 */
struct tcp_open {
	struct lookup *lookup;
	struct addrinfo *addrs;
	struct net_tcp_conn c;
};

/* The request of tcp_connect_open(), for each step of a non-blocking one. */
static void
tcp_req(const struct address *a, const struct open_ctx *ctx,
    const struct tcp_open *o, struct net_tcp_req *req)
{
	net_ip_req(a, ctx, SOCK_STREAM, req);
	if (o->addrs != NULL)
		req->known = o->addrs;
	req->trying = opener_trying;
}

static void
tcp_open_free(struct tcp_open *o)
{
	if (o->lookup != NULL)
		lookup_abort(o->lookup);
	if (o->addrs != NULL)
		freeaddrinfo(o->addrs);
	free(o);
}

/* After a step of a non-blocking connect: done, waiting, or failed. */
static int
tcp_stepped(const struct address *a, const struct open_ctx *ctx,
    struct tcp_open *o, int rc, struct endpoint *ep, struct open_wait *w,
    char *err)
{
	if (rc == 1) {
		w->fd = o->c.fd;
		w->want = IO_WANT_WRITE;
		w->deadline = clock_deadline(a->opts.connect_timeout);
		w->priv = o;
		return 1;
	}
	if (rc == 0) {
		log_notice("%s: connected to %s", a->label, o->c.where);
		/* A few hundred bytes into a fresh socket: never waits. */
		if (proxy_send(a, ctx, o->c.fd, err) == -1)
			rc = -1;
		else
			fdep_init_socket(ep, o->c.fd, AF_INET);
		net_tcp_conn_end(&o->c, rc == 0);
	}
	tcp_open_free(o);
	w->priv = NULL;
	return rc;
}

/*
 * A host name is looked up in a thread (lookup.c), so that a workers=
 * loop goes on serving its other connections meanwhile; the wait for the
 * answer counts against connect-timeout= like the connects after it.
 */
static int
tcp_lookup_start(const struct address *a, const struct open_ctx *ctx,
    struct tcp_open *o, struct open_wait *w, char *err)
{
	struct addrinfo hints;
	char *host = net_unbracket(a->params[0]);

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = net_ip_family(a, ctx);
	hints.ai_socktype = SOCK_STREAM;
	o->lookup = lookup_start(host, a->params[1], &hints, &w->fd, err);
	free(host);
	if (o->lookup == NULL) {
		tcp_open_free(o);
		return -1;
	}
	log_info("%s: looking up %s", a->label, a->params[0]);
	w->want = IO_WANT_READ;
	w->deadline = clock_deadline(a->opts.connect_timeout);
	w->priv = o;
	return 1;
}

/* The answer of tcp_lookup_start(), then the connect: as tcp_stepped(). */
static int
tcp_lookup_done(const struct address *a, const struct open_ctx *ctx,
    struct tcp_open *o, struct endpoint *ep, struct open_wait *w,
    bool timed_out, char *err)
{
	struct net_tcp_req req;
	int rc;

	if (timed_out) {
		snprintf(
		    err, DUCT_ERR_LEN, "resolve %s: timed out", a->params[0]);
		goto fail;
	}
	rc = lookup_finish(o->lookup, &o->addrs);
	o->lookup = NULL;
	if (rc != 0) {
		snprintf(err, DUCT_ERR_LEN, "resolve %s: %s", a->params[0],
		    gai_strerror(rc));
		goto fail;
	}
	tcp_req(a, ctx, o, &req);
	rc = net_tcp_start(&req, &o->c, err);
	return tcp_stepped(a, ctx, o, rc, ep, w, err);
fail:
	tcp_open_free(o);
	w->priv = NULL;
	return -1;
}

static int
tcp_connect_start(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, struct open_wait *w, char *err)
{
	struct tcp_open *o = xcalloc(1, sizeof(*o));
	struct net_tcp_req req;

	if (ctx->known == NULL)
		return tcp_lookup_start(a, ctx, o, w, err);
	tcp_req(a, ctx, o, &req);
	return tcp_stepped(
	    a, ctx, o, net_tcp_start(&req, &o->c, err), ep, w, err);
}

static int
tcp_connect_step(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, struct open_wait *w, bool timed_out, char *err)
{
	struct tcp_open *o = w->priv;
	struct net_tcp_req req;

	if (o->lookup != NULL)
		return tcp_lookup_done(a, ctx, o, ep, w, timed_out, err);
	tcp_req(a, ctx, o, &req);
	return tcp_stepped(a, ctx, o,
	    net_tcp_continue(&req, &o->c, timed_out, err), ep, w, err);
}

static void
tcp_connect_abort(struct open_wait *w)
{
	struct tcp_open *o = w->priv;

	if (o != NULL) {
		if (o->lookup == NULL)
			net_tcp_conn_end(&o->c, false);
		tcp_open_free(o);
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

static int
tcp_accept(
    const struct address *a, struct listener *l, struct endpoint *ep, char *err)
{
	struct sockaddr_storage peer;
	socklen_t len;
	char who[NET_ADDRSTRLEN], whybuf[64];
	const char *why;
	int fd;

	if ((fd = net_accept(l->fd, &peer, &len, err)) < 0)
		return fd == -2 ? 1 : -1;
	/* With accept-proxy, range= judges the client the header names. */
	why = proxy_peer_refusal(
	    a, (struct sockaddr *)&peer, whybuf, sizeof(whybuf));
	if (why != NULL) {
		net_format((struct sockaddr *)&peer, len, who, sizeof(who));
		log_warn(
		    "%s: refused connection from %s: %s", a->label, who, why);
		net_refuse(fd);
		return 1;
	}
	if (a->opts.accept_proxy) {
		if (opts_apply_sock(fd, &a->opts, err) == -1) {
			close(fd);
			return -1;
		}
		fdep_init_socket(ep, fd, peer.ss_family);
		return 0;
	}
	/* Formatting costs a fork child pages it would not touch otherwise. */
	if (log_get_level() >= LOG_LVL_NOTICE) {
		net_format((struct sockaddr *)&peer, len, who, sizeof(who));
		log_notice("%s: connection from %s", a->label, who);
	}
	if (opts_apply_sock(fd, &a->opts, err) == -1) {
		close(fd);
		return -1;
	}
	fdep_init_socket(ep, fd, peer.ss_family);
	facts_add_socket(&ep->facts, fd, (struct sockaddr *)&peer, len);
	return 0;
}

/* accept-proxy: the header, read where the transfer will run. */
static int
tcp_ready(const struct address *a, struct endpoint *ep, char *err)
{
	char who[NET_ADDRSTRLEN], via[NET_ADDRSTRLEN];

	if (!a->opts.accept_proxy)
		return 0;
	if (proxy_accept(a, ep, who, sizeof(who), via, sizeof(via), err) == -1)
		return -1;
	log_notice("%s: connection from %s (PROXY header from %s)", a->label,
	    who, via);
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
	.accept = tcp_accept,
	.ready = tcp_ready,
	.accept_anywhere = true,
	.listen_close = net_listener_close,
};
