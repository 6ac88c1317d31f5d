/*
 * SPDX-License-Identifier: ISC
 * SOCKS4 (SOCKS), SOCKS4A and SOCKS5-CONNECT (SOCKS5): a TCP connection
 * through a SOCKS server.  The connect and each handshake are open steps
 * like the TLS handshake (tcpconn.c, exchange.c; the messages are
 * socks-proto.c's), within one connect-timeout=, reading the server's
 * replies to the byte, so that the socket then carries tunnel bytes only
 * and is a plain socket endpoint.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "address.h"
#include "clock.h"
#include "exchange.h"
#include "fdep.h"
#include "log.h"
#include "lookup.h"
#include "net.h"
#include "options.h"
#include "socks-proto.h"
#include "steps.h"
#include "tcpconn.h"
#include "xmalloc.h"

#define SOCKS_DEFAULT_PORT "1080"

static const char *const socks_names[] = { "SOCKS4", "SOCKS4A", "SOCKS5" };

/*
 * SOCKS5-CONNECT:SERVER:SPORT:HOST:PORT (socat 1.8) names the server's
 * port in the address; the other forms take it from socksport=.
 */
static void
socks_split(const struct address *a, enum socks_version v, struct socks_req *r)
{
	r->v = v;
	r->server = a->params[0];
	if (a->nparams == 4) {
		r->sport = a->params[1];
		r->host = a->params[2];
		r->port = a->params[3];
		return;
	}
	r->sport = a->opts.socksport ? a->opts.socksport : SOCKS_DEFAULT_PORT;
	r->host = a->params[1];
	r->port = a->params[2];
}

static int
socks_check(
    const struct address *a, enum socks_version v, int *param, char *err)
{
	const struct optvals *o = &a->opts;
	struct socks_req r;
	int hp = a->nparams == 4 ? 2 : 1;

	socks_split(a, v, &r);
	*param = 0;
	if (r.server[0] == '\0') {
		snprintf(err, DUCT_ERR_LEN, "SOCKS server missing");
		return -1;
	}
	*param = a->nparams == 4 ? 1 : -1;
	if (net_check_port(r.sport, err) == -1)
		return -1;
	*param = hp;
	if (r.host[0] == '\0' || strlen(r.host) > 255) {
		snprintf(err, DUCT_ERR_LEN, "%s host",
		    r.host[0] ? "too long a" : "missing");
		return -1;
	}
	*param = hp + 1;
	if (net_check_port(r.port, err) == -1)
		return -1;
	*param = -1;
	if (a->nparams == 4 && o->socksport != NULL) {
		snprintf(err, DUCT_ERR_LEN,
		    "the SOCKS port is given twice (SOCKSPORT and socksport=)");
		return -1;
	}
	if (v != SOCKS_5 && o->sockspass != NULL) {
		snprintf(err, DUCT_ERR_LEN,
		    "%s has no passwords (SOCKS5-CONNECT has)", socks_names[v]);
		return -1;
	}
	if (v == SOCKS_5 &&
	    ((o->socksuser && strlen(o->socksuser) > 255) ||
		(o->sockspass && strlen(o->sockspass) > 255))) {
		snprintf(err, DUCT_ERR_LEN,
		    "socksuser= and sockspass= hold at most 255 bytes");
		return -1;
	}
	if (v == SOCKS_5 && o->socksuser != NULL && *o->socksuser == '\0') {
		snprintf(err, DUCT_ERR_LEN, "socksuser= is empty");
		return -1;
	}
	return net_check_bind(o->bind, err);
}

static int
socks4_check(const struct address *a, int *param, char *err)
{
	return socks_check(a, SOCKS_4, param, err);
}

static int
socks4a_check(const struct address *a, int *param, char *err)
{
	return socks_check(a, SOCKS_4A, param, err);
}

static int
socks5_check(const struct address *a, int *param, char *err)
{
	return socks_check(a, SOCKS_5, param, err);
}

static void
socks_prepare(const struct address *a, struct open_ctx *ctx)
{
	struct socks_req r;

	socks_split(a, SOCKS_4, &r);
	ctx->known = net_resolve_literal(r.server, r.sport,
	    net_pick_family(AF_UNSPEC, &a->opts, ctx->family), SOCK_STREAM);
}

static void
socks_trying(const char *where, void *arg)
{
	const struct address *a = arg;

	log_info("%s: connecting to the SOCKS server at %s", a->label, where);
}

/*
 * An open under way: the connect (tc), a SOCKS4 target's lookup, then
 * rounds of one request sent and one reply read to the byte (m).
 */
struct socks_open {
	struct tcpconn tc;
	struct socks_req r;
	bool connected;
	struct lookup *lookup; /* SOCKS4: the target's IPv4 address */
	int lookup_fd;
	int fd, want;
	char where[NET_ADDRSTRLEN];
	struct socks_msg m;
};

static void
socks_open_free(struct socks_open *o)
{
	int saved = errno;

	if (o == NULL)
		return;
	tcpconn_abort(&o->tc);
	if (o->lookup != NULL)
		lookup_abort(o->lookup);
	if (o->fd != -1)
		close(o->fd);
	free(o);
	errno = saved;
}

/*
 * SOCKS4 and SOCKS4A: one request, an 8-byte reply.  SOCKS4 carries an
 * IPv4 address, which a host name is looked up for here (in a thread,
 * so that a workers= loop goes on; SOCKS4 has no room for IPv6).
 * Returns 0 with the request queued, 1 waiting for the lookup, or -1.
 */
static int
socks4_begin(const struct address *a, struct socks_open *o, char *err)
{
	struct addrinfo hints;
	struct in_addr in;

	if (inet_pton(AF_INET, o->r.host, &in) == 1)
		return socks4_request(&a->opts, &o->r, &o->m, &in, false, err);
	if (o->r.v == SOCKS_4A) {
		in.s_addr = htonl(1);
		return socks4_request(&a->opts, &o->r, &o->m, &in, true, err);
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	o->lookup = lookup_start(o->r.host, NULL, &hints, &o->lookup_fd, err);
	if (o->lookup == NULL)
		return -1;
	o->want = IO_WANT_READ;
	return 1;
}

/* SOCKS4's lookup answered: the request with its address. */
static int
socks4_looked_up(const struct address *a, struct socks_open *o, char *err)
{
	struct addrinfo *res;
	struct in_addr in;
	int rc = lookup_finish(o->lookup, &res);

	o->lookup = NULL;
	if (rc != 0) {
		snprintf(err, DUCT_ERR_LEN, "resolve %s: %s", o->r.host,
		    gai_strerror(rc));
		errno = EHOSTUNREACH;
		return -1;
	}
	in = ((struct sockaddr_in *)(void *)res->ai_addr)->sin_addr;
	freeaddrinfo(res);
	return socks4_request(&a->opts, &o->r, &o->m, &in, false, err);
}
/*
 * The rounds of the handshake on o->fd, as far as they go without
 * waiting.  Returns 0 with the tunnel open, 1 waiting as o->want says,
 * or -1 with why and errno.
 */
static int
socks_rounds(const struct address *a, struct socks_open *o, char *why)
{
	int rc;

	if (o->lookup != NULL) {
		if ((rc = socks4_looked_up(a, o, why)) == -1)
			return -1;
	}
	for (;;) {
		if (o->m.sending) {
			rc = exchange_send(
			    o->fd, o->m.out, o->m.olen, &o->m.sent, why);
			if (rc == 1)
				o->want = IO_WANT_WRITE;
			if (rc != 0)
				return rc;
			o->m.sending = false;
		}
		rc = exchange_recv(o->fd, o->m.in, o->m.ilen, &o->m.got, why);
		if (rc == 1)
			o->want = IO_WANT_READ;
		if (rc != 0)
			return rc;
		if ((rc = socks_reply(&a->opts, &o->r, &o->m, why)) != 1)
			return rc;
	}
}

/* A step of the handshake, its failures said as the server's. */
static int
socks_exchange(
    const struct address *a, struct socks_open *o, bool timed_out, char *err)
{
	char why[DUCT_ERR_LEN];
	int rc;

	if (timed_out) {
		snprintf(err, DUCT_ERR_LEN,
		    "%s server %s: no answer within connect-timeout=%gs",
		    socks_names[o->r.v], o->where, a->opts.connect_timeout);
		errno = ETIMEDOUT;
		return -1;
	}
	rc = socks_rounds(a, o, why);
	if (rc == -1)
		snprintf(err, DUCT_ERR_LEN, "%s server %s: %.300s",
		    socks_names[o->r.v], o->where, why);
	if (rc == 0)
		log_notice("%s: tunnel to %s:%s through %s server %s", a->label,
		    o->r.host, o->r.port, socks_names[o->r.v], o->where);
	return rc;
}

/* Connected to the server: the first request, or SOCKS4's lookup. */
static int
socks_begin(const struct address *a, struct socks_open *o, char *err)
{
	char why[DUCT_ERR_LEN];
	int rc;

	o->fd = tcpconn_take(&o->tc, o->where);
	o->connected = true;
	log_notice(
	    "%s: connected to the SOCKS server at %s", a->label, o->where);
	if (o->r.v == SOCKS_5) {
		socks5_greet(&a->opts, &o->m);
		return socks_exchange(a, o, false, err);
	}
	rc = socks4_begin(a, o, why);
	if (rc == -1) {
		snprintf(err, DUCT_ERR_LEN, "%s server %s: %.300s",
		    socks_names[o->r.v], o->where, why);
		return -1;
	}
	if (rc == 1)
		return 1;
	return socks_exchange(a, o, false, err);
}

/* After a step (rc): the next phase, the wait, or the end. */
static int
socks_stepped(const struct address *a, struct socks_open *o, int rc,
    struct endpoint *ep, struct open_wait *w, char *err)
{
	if (rc == 0 && !o->connected)
		rc = socks_begin(a, o, err);
	if (rc == 1) {
		if (o->connected) {
			w->fd = o->lookup != NULL ? o->lookup_fd : o->fd;
			w->want = o->want;
		}
		w->priv = o;
		return 1;
	}
	if (rc == 0) {
		fdep_init_socket(ep, o->fd, AF_INET);
		o->fd = -1;
	}
	socks_open_free(o);
	w->priv = NULL;
	return rc;
}

static int
socks_open_start(const struct address *a, enum socks_version v,
    const struct open_ctx *ctx, struct endpoint *ep, struct open_wait *w,
    char *err)
{
	struct socks_open *o = xcalloc(1, sizeof(*o));
	struct net_tcp_req req = {
		.family = net_pick_family(AF_UNSPEC, &a->opts, ctx->family),
		.opts = &a->opts,
		.known = ctx->known,
		.trying = socks_trying,
		.arg = (void *)a,
	};

	o->fd = o->lookup_fd = -1;
	socks_split(a, v, &o->r);
	req.host = o->r.server;
	req.port = o->r.sport;
	w->deadline = clock_deadline(a->opts.connect_timeout);
	return socks_stepped(
	    a, o, tcpconn_start(&o->tc, &req, w, err), ep, w, err);
}

static int
socks4_open_start(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, struct open_wait *w, char *err)
{
	return socks_open_start(a, SOCKS_4, ctx, ep, w, err);
}

static int
socks4a_open_start(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, struct open_wait *w, char *err)
{
	return socks_open_start(a, SOCKS_4A, ctx, ep, w, err);
}

static int
socks5_open_start(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, struct open_wait *w, char *err)
{
	return socks_open_start(a, SOCKS_5, ctx, ep, w, err);
}

static int
socks_open_step(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, struct open_wait *w, bool timed_out, char *err)
{
	struct socks_open *o = w->priv;
	int rc;

	(void)ctx;
	if (!o->connected)
		rc = tcpconn_step(&o->tc, timed_out, w, err);
	else
		rc = socks_exchange(a, o, timed_out, err);
	return socks_stepped(a, o, rc, ep, w, err);
}

static void
socks_open_abort(struct open_wait *w)
{
	socks_open_free(w->priv);
	w->priv = NULL;
}

/* The one-pair and fork paths: the same steps, waiting in between. */
static int
socks_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	return steps_open(a, ctx, ep, err);
}

#define SOCKS_GROUPS \
	(G_FD | G_SOCKET | G_IP | G_TCP | G_CONNECT | G_RETRY | G_SOCKS | \
	    G_CHILD)

const struct addr_kind kind_socks4 = {
	.names = { "SOCKS4", "SOCKS" },
	.syntax = "SOCKSHOST:HOST:PORT",
	.help = "connect to HOST:PORT through a SOCKS4 server (IPv4)",
	.groups = SOCKS_GROUPS,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 3,
	.max_params = 3,
	.check = socks4_check,
	.prepare = socks_prepare,
	.open = socks_open,
	.open_start = socks4_open_start,
	.open_step = socks_open_step,
	.open_abort = socks_open_abort,
};

const struct addr_kind kind_socks4a = {
	.names = { "SOCKS4A" },
	.syntax = "SOCKSHOST:HOST:PORT",
	.help = "the same through a SOCKS4A server, which resolves HOST",
	.groups = SOCKS_GROUPS,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 3,
	.max_params = 3,
	.check = socks4a_check,
	.prepare = socks_prepare,
	.open = socks_open,
	.open_start = socks4a_open_start,
	.open_step = socks_open_step,
	.open_abort = socks_open_abort,
};

const struct addr_kind kind_socks5_connect = {
	.names = { "SOCKS5-CONNECT", "SOCKS5" },
	.syntax = "SOCKSHOST[:SOCKSPORT]:HOST:PORT",
	.help = "connect to HOST:PORT through a SOCKS5 server",
	.groups = SOCKS_GROUPS,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 3,
	.max_params = 4,
	.check = socks5_check,
	.prepare = socks_prepare,
	.open = socks_open,
	.open_start = socks5_open_start,
	.open_step = socks_open_step,
	.open_abort = socks_open_abort,
};
