/*
 * SPDX-License-Identifier: ISC
 * SOCKS4 (SOCKS), SOCKS4A and SOCKS5-CONNECT (SOCKS5): a TCP connection
 * through a SOCKS server.  The connect and each handshake are open steps
 * like the TLS handshake (tcpconn.c, exchange.c), within one
 * connect-timeout=, reading the server's replies to the byte, so that
 * the socket then carries tunnel bytes only and is a plain socket endpoint.
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
#include "exchange.h"
#include "fdep.h"
#include "log.h"
#include "lookup.h"
#include "net.h"
#include "options.h"
#include "steps.h"
#include "tcpconn.h"
#include "xmalloc.h"

#define SOCKS_DEFAULT_PORT "1080"

enum socks_version { SOCKS_4, SOCKS_4A, SOCKS_5 };

/* The server and the target, wherever the address put them. */
struct socks_req {
	enum socks_version v;
	const char *server, *sport; /* the SOCKS server */
	const char *host, *port;    /* what it connects to */
};

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

/* The reason in a SOCKS4 reply (RFC-less; the 1992 protocol note). */
static const char *
socks4_reason(int cd)
{
	switch (cd) {
	case 91:
		return "request rejected or failed";
	case 92:
		return "it could not reach the identd of this host";
	case 93:
		return "this host's identd and socksuser= name different "
		       "users";
	}
	return "unknown reply code";
}

/* The reason in a SOCKS5 reply (RFC 1928, section 6). */
static const char *
socks5_reason(int rep)
{
	switch (rep) {
	case 1:
		return "general SOCKS server failure";
	case 2:
		return "connection not allowed by its rules";
	case 3:
		return "network unreachable";
	case 4:
		return "host unreachable";
	case 5:
		return "connection refused by destination host";
	case 6:
		return "TTL expired";
	case 7:
		return "command not supported";
	case 8:
		return "address type not supported";
	}
	return "unknown reply code";
}

/* What the reply being read answers. */
enum socks_stage {
	SOCKS4_REPLY,   /* 8 bytes */
	SOCKS5_METHOD,  /* 2 bytes: the way of logging in chosen */
	SOCKS5_LOGIN,   /* 2 bytes: RFC 1929's answer */
	SOCKS5_REPLY,   /* 4 bytes: version, reply, 0, address type */
	SOCKS5_NAMELEN, /* 1 byte: the length of a bound name */
	SOCKS5_BOUND    /* the bound address and port, dropped */
};

/*
 * An open under way: the connect (tc), a SOCKS4 target's lookup, then
 * rounds of one request sent (out) and one reply read (in) to the byte.
 */
struct socks_open {
	struct tcpconn tc;
	struct socks_req r;
	bool connected;
	struct lookup *lookup; /* SOCKS4: the target's IPv4 address */
	int lookup_fd;
	int fd, want;
	char where[NET_ADDRSTRLEN];
	bool sending;
	enum socks_stage stage;
	unsigned char out[3 + 255 + 255 + 8 + 256 + 2];
	size_t olen, sent;
	unsigned char in[4 + 1 + 255 + 2];
	size_t ilen, got;
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

/* The next round: o->out[0..olen) to send, then ilen bytes to read. */
static void
socks_round(struct socks_open *o, size_t ilen, enum socks_stage stage)
{
	o->sending = o->olen > 0;
	o->sent = 0;
	o->ilen = ilen;
	o->got = 0;
	o->stage = stage;
}

/*
 * The SOCKS4 or SOCKS4A request for the IPv4 address in (SOCKS4A sends
 * a name for the server to resolve behind the marker address 0.0.0.1).
 * Returns 0, or -1 with err.
 */
static int
socks4_request(const struct address *a, struct socks_open *o,
    const struct in_addr *in, bool by_name, char *err)
{
	const char *user = a->opts.socksuser;
	int port = net_port_number(o->r.port);
	unsigned char *req = o->out;
	size_t n = 8, ul, hl;

	if (user == NULL && (user = getenv("LOGNAME")) == NULL &&
	    (user = getenv("USER")) == NULL)
		user = "";
	if ((ul = strlen(user)) > 255) {
		snprintf(err, DUCT_ERR_LEN, "socksuser= longer than 255 bytes");
		errno = EINVAL;
		return -1;
	}
	req[0] = 4;
	req[1] = 1; /* CONNECT */
	req[2] = (unsigned char)(port >> 8);
	req[3] = (unsigned char)port;
	memcpy(req + 4, in, 4);
	memcpy(req + n, user, ul + 1);
	n += ul + 1;
	if (by_name) {
		hl = strlen(o->r.host);
		memcpy(req + n, o->r.host, hl + 1);
		n += hl + 1;
	}
	o->olen = n;
	socks_round(o, 8, SOCKS4_REPLY);
	return 0;
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
		return socks4_request(a, o, &in, false, err);
	if (o->r.v == SOCKS_4A) {
		in.s_addr = htonl(1);
		return socks4_request(a, o, &in, true, err);
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
	return socks4_request(a, o, &in, false, err);
}

/* SOCKS5 (RFC 1928): offer no authentication, and RFC 1929 with socksuser=. */
static void
socks5_greet(const struct optvals *opts, struct socks_open *o)
{
	size_t n = 0;

	o->out[n++] = 5;
	o->out[n++] = opts->socksuser ? 2 : 1;
	o->out[n++] = 0; /* no authentication */
	if (opts->socksuser)
		o->out[n++] = 2; /* user name and password */
	o->olen = n;
	socks_round(o, 2, SOCKS5_METHOD);
}

/* RFC 1929: user name and password, after the server chose method 2. */
static void
socks5_login(const struct optvals *opts, struct socks_open *o)
{
	const char *pass = opts->sockspass ? opts->sockspass : "";
	size_t ul = strlen(opts->socksuser), pl = strlen(pass), n = 0;

	o->out[n++] = 1;
	o->out[n++] = (unsigned char)ul;
	memcpy(o->out + n, opts->socksuser, ul);
	n += ul;
	o->out[n++] = (unsigned char)pl;
	memcpy(o->out + n, pass, pl);
	n += pl;
	o->olen = n;
	socks_round(o, 2, SOCKS5_LOGIN);
}

/*
 * CONNECT with the host as an address or, unresolved, as a name; the
 * reply's bound address is read to its last byte and dropped.
 */
static void
socks5_connect(struct socks_open *o)
{
	char *host = net_unbracket(o->r.host);
	size_t n = 0, hl = strlen(host);
	int port = net_port_number(o->r.port);
	unsigned char *buf = o->out;

	buf[n++] = 5;
	buf[n++] = 1; /* CONNECT */
	buf[n++] = 0;
	if (inet_pton(AF_INET, host, buf + n + 1) == 1) {
		buf[n++] = 1;
		n += 4;
	} else if (inet_pton(AF_INET6, host, buf + n + 1) == 1) {
		buf[n++] = 4;
		n += 16;
	} else {
		buf[n++] = 3; /* a name the server resolves */
		buf[n++] = (unsigned char)hl;
		memcpy(buf + n, host, hl);
		n += hl;
	}
	buf[n++] = (unsigned char)(port >> 8);
	buf[n++] = (unsigned char)port;
	free(host);
	o->olen = n;
	socks_round(o, 4, SOCKS5_REPLY);
}

/* A reply that says this is not a SOCKS server of the version asked. */
static int
socks_not(int version, int got, char *err)
{
	snprintf(err, DUCT_ERR_LEN, "not a SOCKS%d server (reply version %d)",
	    version, got);
	errno = EPROTO;
	return -1;
}

static int
socks4_reply(const unsigned char *rep, char *err)
{
	/* The version byte is 0; some servers echo 4. */
	if (rep[0] != 0 && rep[0] != 4)
		return socks_not(4, rep[0], err);
	if (rep[1] != 90) {
		snprintf(err, DUCT_ERR_LEN, "the SOCKS server refused: %s (%d)",
		    socks4_reason(rep[1]), rep[1]);
		errno = ECONNREFUSED;
		return -1;
	}
	return 0;
}

static int
socks5_method(const struct optvals *opts, struct socks_open *o, char *err)
{
	if (o->in[0] != 5)
		return socks_not(5, o->in[0], err);
	if (o->in[1] == 2 && opts->socksuser) {
		socks5_login(opts, o);
		return 1;
	}
	if (o->in[1] != 0) {
		snprintf(err, DUCT_ERR_LEN,
		    "the SOCKS server accepts no way of logging in that duct "
		    "offered%s",
		    opts->socksuser ? ""
				    : " (socksuser= and sockspass= offer a "
				      "user name and password)");
		errno = EACCES;
		return -1;
	}
	socks5_connect(o);
	return 1;
}

static int
socks5_reply(struct socks_open *o, char *err)
{
	const unsigned char *buf = o->in;

	if (buf[0] != 5)
		return socks_not(5, buf[0], err);
	if (buf[1] != 0) {
		snprintf(err, DUCT_ERR_LEN, "the SOCKS server refused: %s (%d)",
		    socks5_reason(buf[1]), buf[1]);
		errno = ECONNREFUSED;
		return -1;
	}
	o->olen = 0;
	switch (buf[3]) {
	case 1:
		socks_round(o, 4 + 2, SOCKS5_BOUND);
		return 1;
	case 4:
		socks_round(o, 16 + 2, SOCKS5_BOUND);
		return 1;
	case 3:
		socks_round(o, 1, SOCKS5_NAMELEN);
		return 1;
	}
	snprintf(err, DUCT_ERR_LEN,
	    "the SOCKS server's reply has address type %d", buf[3]);
	errno = EPROTO;
	return -1;
}

/*
 * A whole reply is in: 0 when the tunnel is open, 1 when the next round
 * is queued, or -1 with err.
 */
static int
socks_reply(const struct address *a, struct socks_open *o, char *err)
{
	const struct optvals *opts = &a->opts;

	switch (o->stage) {
	case SOCKS4_REPLY:
		return socks4_reply(o->in, err);
	case SOCKS5_METHOD:
		return socks5_method(opts, o, err);
	case SOCKS5_LOGIN:
		if (o->in[1] != 0) {
			snprintf(err, DUCT_ERR_LEN,
			    "the SOCKS server refused the login of \"%s\" "
			    "(check socksuser= and sockspass=)",
			    opts->socksuser);
			errno = EACCES;
			return -1;
		}
		socks5_connect(o);
		return 1;
	case SOCKS5_REPLY:
		return socks5_reply(o, err);
	case SOCKS5_NAMELEN:
		o->olen = 0;
		socks_round(o, (size_t)o->in[0] + 2, SOCKS5_BOUND);
		return 1;
	case SOCKS5_BOUND:
		break;
	}
	return 0;
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
		if (o->sending) {
			rc = exchange_send(
			    o->fd, o->out, o->olen, &o->sent, why);
			if (rc == 1)
				o->want = IO_WANT_WRITE;
			if (rc != 0)
				return rc;
			o->sending = false;
		}
		rc = exchange_recv(o->fd, o->in, o->ilen, &o->got, why);
		if (rc == 1)
			o->want = IO_WANT_READ;
		if (rc != 0)
			return rc;
		if ((rc = socks_reply(a, o, why)) != 1)
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
		socks5_greet(&a->opts, o);
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
	w->deadline = net_deadline(a->opts.connect_timeout);
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
