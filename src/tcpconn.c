/*
 * SPDX-License-Identifier: ISC
 * The non-blocking TCP connect of the kinds that talk to a server before
 * the relay starts.  A name's lookup runs in a thread so that a workers=
 * loop goes on serving meanwhile; the deadline is the caller's, which
 * bounds the lookup, every connect and the protocol after it as one.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lookup.h"
#include "net.h"
#include "tcpconn.h"

/* After net_tcp_start/net_tcp_continue: what to wait for, or the end. */
static int
tcpconn_stepped(struct tcpconn *tc, int rc, struct open_wait *w)
{
	tc->connecting = rc == 0 || rc == 1;
	if (rc == 1) {
		w->fd = tc->c.fd;
		w->want = IO_WANT_WRITE;
	}
	if (rc == -1)
		tcpconn_abort(tc);
	return rc;
}

static int
tcpconn_connect(struct tcpconn *tc, struct open_wait *w, char *err)
{
	return tcpconn_stepped(tc, net_tcp_start(&tc->req, &tc->c, err), w);
}

int
tcpconn_start(struct tcpconn *tc, const struct net_tcp_req *req,
    struct open_wait *w, char *err)
{
	struct addrinfo hints;
	char *host;

	memset(tc, 0, sizeof(*tc));
	tc->req = *req;
	tc->c.fd = -1;
	if (req->known == NULL) {
		tc->req.known = tc->addrs = net_resolve_literal(
		    req->host, req->port, req->family, SOCK_STREAM);
	}
	if (tc->req.known != NULL)
		return tcpconn_connect(tc, w, err);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = req->family;
	hints.ai_socktype = SOCK_STREAM;
	host = net_unbracket(req->host);
	tc->lookup = lookup_start(host, req->port, &hints, &w->fd, err);
	free(host);
	if (tc->lookup == NULL)
		return -1;
	w->want = IO_WANT_READ;
	return 1;
}

/* The lookup's answer is there (or the deadline passed). */
static int
tcpconn_looked_up(
    struct tcpconn *tc, bool timed_out, struct open_wait *w, char *err)
{
	int rc;

	if (timed_out) {
		snprintf(
		    err, DUCT_ERR_LEN, "resolve %s: timed out", tc->req.host);
		tcpconn_abort(tc);
		errno = ETIMEDOUT;
		return -1;
	}
	rc = lookup_finish(tc->lookup, &tc->addrs);
	tc->lookup = NULL;
	if (rc != 0) {
		snprintf(err, DUCT_ERR_LEN, "resolve %s: %s", tc->req.host,
		    gai_strerror(rc));
		tcpconn_abort(tc);
		errno = EHOSTUNREACH;
		return -1;
	}
	tc->req.known = tc->addrs;
	return tcpconn_connect(tc, w, err);
}

int
tcpconn_step(struct tcpconn *tc, bool timed_out, struct open_wait *w, char *err)
{
	if (tc->lookup != NULL)
		return tcpconn_looked_up(tc, timed_out, w, err);
	return tcpconn_stepped(
	    tc, net_tcp_continue(&tc->req, &tc->c, timed_out, err), w);
}

int
tcpconn_take(struct tcpconn *tc, char *where)
{
	int fd = tc->c.fd;

	snprintf(where, NET_ADDRSTRLEN, "%s", tc->c.where);
	net_tcp_conn_end(&tc->c, true);
	tc->connecting = false;
	tcpconn_abort(tc);
	return fd;
}

void
tcpconn_abort(struct tcpconn *tc)
{
	if (tc->lookup != NULL)
		lookup_abort(tc->lookup);
	tc->lookup = NULL;
	if (tc->connecting)
		net_tcp_conn_end(&tc->c, false);
	tc->connecting = false;
	if (tc->addrs != NULL)
		freeaddrinfo(tc->addrs);
	tc->addrs = NULL;
	tc->req.known = NULL;
}
