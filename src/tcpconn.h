/*
 * SPDX-License-Identifier: ISC
 * A TCP connect that never waits, for the kinds that speak a protocol
 * over TCP before the relay (OPENSSL, PROXY, SOCKS): a host name looked
 * up in a thread (lookup.c), then each address tried in turn (net.c's
 * net_tcp_start/net_tcp_continue), all under one deadline.
 */
#ifndef DUCT_TCPCONN_H
#define DUCT_TCPCONN_H

#include <stdbool.h>

#include "endpoint.h"
#include "net.h"

struct lookup;

/* One connect under way; the caller owns the struct. */
struct tcpconn {
	struct net_tcp_req req; /* a copy; its pointers are borrowed */
	struct lookup *lookup;  /* a host name being looked up, or NULL */
	struct addrinfo *addrs; /* the lookup's answer, ours to free */
	struct net_tcp_conn c;  /* the connect, once addresses are known */
	bool connecting;        /* c is live */
};

/*
 * Starts connecting as req says (req->known used when not NULL, else a
 * literal needs no lookup and a name is looked up in a thread).  Returns
 * 0 connected (tcpconn_take()), 1 when w->fd and w->want say what to wait
 * for before tcpconn_step() (w->deadline and w->priv are the caller's),
 * or -1 with err and errno (nothing left to release).
 */
int tcpconn_start(struct tcpconn *tc, const struct net_tcp_req *req,
    struct open_wait *w, char *err);

/*
 * After w->fd was ready, or the caller's deadline passed (timed_out):
 * as tcpconn_start().
 */
int tcpconn_step(
    struct tcpconn *tc, bool timed_out, struct open_wait *w, char *err);

/*
 * Once connected: the socket (the caller's now) and its peer printed in
 * where[NET_ADDRSTRLEN]; tc holds nothing more.
 */
int tcpconn_take(struct tcpconn *tc, char *where);

/* Gives up on a connect under way; tc holds nothing more. */
void tcpconn_abort(struct tcpconn *tc);

#endif
