/*
 * SPDX-License-Identifier: ISC
 * PROXY (PROXY-CONNECT): a TCP connection tunnelled through an HTTP proxy
 * with the CONNECT method.  The connect and the handshake are open steps
 * like the TLS handshake (tcpconn.c, exchange.c), within connect-timeout=,
 * and take the proxy's answer header and not one byte more, so that the
 * socket then carries tunnel bytes only and is a plain socket endpoint.
 */
#include <sys/socket.h>
#include <netinet/in.h>

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
#include "steps.h"
#include "tcpconn.h"
#include "xmalloc.h"

#define PROXY_DEFAULT_PORT "8080" /* as socat */
/* The longest answer header taken; proxies send a few hundred bytes. */
#define PROXY_HEADER_MAX 16384

static const char *
proxy_port(const struct address *a)
{
	return a->opts.proxyport != NULL ? a->opts.proxyport
					 : PROXY_DEFAULT_PORT;
}

/* A host that would break the request line or add header lines. */
static bool
proxy_bad_host(const char *host)
{
	const unsigned char *p;

	for (p = (const unsigned char *)host; *p != '\0'; p++)
		if (*p <= ' ' || *p == 0x7f)
			return true;
	return false;
}

static int
proxy_check(const struct address *a, int *param, char *err)
{
	const struct optvals *o = &a->opts;

	*param = 0;
	if (a->params[0][0] == '\0') {
		snprintf(err, DUCT_ERR_LEN, "proxy host missing");
		return -1;
	}
	*param = 1;
	if (a->params[1][0] == '\0' || proxy_bad_host(a->params[1]) ||
	    strlen(a->params[1]) > 255) {
		snprintf(err, DUCT_ERR_LEN, "%s host",
		    a->params[1][0] == '\0' ? "missing" : "invalid");
		return -1;
	}
	*param = 2;
	if (net_check_port(a->params[2], err) == -1)
		return -1;
	*param = -1;
	if (net_check_port(proxy_port(a), err) == -1) {
		snprintf(err, DUCT_ERR_LEN, "proxyport=%s is not a port",
		    proxy_port(a));
		return -1;
	}
	if (o->proxyauth != NULL && strchr(o->proxyauth, ':') == NULL) {
		snprintf(err, DUCT_ERR_LEN, "proxyauth= wants USER:PASS");
		return -1;
	}
	return net_check_bind(o->bind, err);
}

static void
proxy_prepare(const struct address *a, struct open_ctx *ctx)
{
	ctx->known = net_resolve_literal(a->params[0], proxy_port(a),
	    net_pick_family(AF_UNSPEC, &a->opts, ctx->family), SOCK_STREAM);
}

static void
proxy_trying(const char *where, void *arg)
{
	const struct address *a = arg;

	log_info("%s: connecting to the proxy at %s", a->label, where);
}

/* RFC 4648 base64 of in, NUL-terminated, into a new string. */
static char *
proxy_base64(const char *in)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = (const unsigned char *)in;
	size_t n = strlen(in), i;
	char *out = xmalloc(4 * ((n + 2) / 3) + 1), *q = out;
	unsigned v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		*q++ = tab[v >> 18 & 63];
		*q++ = tab[v >> 12 & 63];
		*q++ = tab[v >> 6 & 63];
		*q++ = tab[v & 63];
	}
	if (i < n) {
		v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		*q++ = tab[v >> 18 & 63];
		*q++ = tab[v >> 12 & 63];
		*q++ = i + 1 < n ? tab[v >> 6 & 63] : '=';
		*q++ = '=';
	}
	*q = '\0';
	return out;
}

/*
 * "HOST:PORT" as the request line wants it: an IPv6 address in brackets,
 * the port as a number, and with resolve (resolved: the lookup's first
 * answer) that address instead of the name.
 */
static void
proxy_target(const struct address *a, const struct sockaddr *resolved,
    char *out, size_t outlen)
{
	char *host = net_unbracket(a->params[1]), addr[NET_ADDRSTRLEN];
	int port = net_port_number(a->params[2]), dummy;

	if (resolved != NULL) {
		net_format_host(resolved, addr, sizeof(addr), &dummy);
		free(host);
		host = xstrdup(addr);
	}
	snprintf(out, outlen, strchr(host, ':') != NULL ? "[%s]:%d" : "%s:%d",
	    host, port);
	free(host);
}

/*
 * Where the answer header in buf[0..len) ends: the index after the
 * newline of its empty line ("\n\n" or "\n\r\n"), looking only at a
 * newline at or after from, or 0 when it has not ended yet.
 */
static size_t
proxy_header_end(const char *buf, size_t from, size_t len)
{
	size_t i;

	for (i = from > 1 ? from : 1; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i - 1] == '\n' ||
		    (i >= 2 && buf[i - 1] == '\r' && buf[i - 2] == '\n'))
			return i + 1;
	}
	return 0;
}

/*
 * Reads what is there of the proxy's answer header into hdr (max bytes
 * and a NUL; *len so far), up to and including its empty line; never
 * waits.  Peeking shows where the header ends before anything is taken,
 * so bytes the proxy sent after it (the tunnelled server's first words)
 * stay in the socket.  Returns 0 with the whole header, 1 when fd is to
 * be waited for until readable, or -1 with err and errno.
 */
static int
proxy_header_step(int fd, char *hdr, size_t *len, size_t max, char *err)
{
	size_t end, take, done;
	ssize_t n;

	for (;;) {
		if (*len == max) {
			snprintf(err, DUCT_ERR_LEN,
			    "answer header longer than %zu bytes", max);
			errno = EPROTO;
			return -1;
		}
		n = recv(fd, hdr + *len, max - *len, MSG_PEEK);
		if (n == 0) {
			snprintf(err, DUCT_ERR_LEN,
			    "the proxy closed the connection %s",
			    *len > 0 ? "in the middle of its answer"
				     : "without answering");
			errno = ECONNRESET;
			return -1;
		}
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 1;
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(
			    err, DUCT_ERR_LEN, "recv: %s", strerror(errno));
			return -1;
		}
		end = proxy_header_end(hdr, *len, *len + (size_t)n);
		take = end > 0 ? end - *len : (size_t)n;
		/* Bytes peeked are there: this takes them at once. */
		done = 0;
		if (exchange_recv(fd, hdr + *len, take, &done, err) != 0) {
			if (done < take && errno != ECONNRESET)
				snprintf(err, DUCT_ERR_LEN, "recv: short read");
			return -1;
		}
		*len += take;
		if (end > 0) {
			hdr[*len] = '\0';
			return 0;
		}
	}
}

/* The status line, printable and short, for messages. */
static void
proxy_status_text(const char *hdr, char *out, size_t outlen)
{
	size_t i;

	for (i = 0; i + 1 < outlen && hdr[i] != '\0' && hdr[i] != '\r' &&
	     hdr[i] != '\n';
	     i++)
		out[i] = hdr[i] >= ' ' && hdr[i] < 0x7f ? hdr[i] : '?';
	out[i] = '\0';
}

/*
 * Checks the answer header: lines end in CRLF (or in LF with ignorecr),
 * and the status line is "HTTP/x.y NNN ..." (one space or more before
 * NNN).  Returns the status code, or -1 with err.
 */
static int
proxy_parse(const char *hdr, bool ignorecr, char *err)
{
	const char *p, *sp;
	int code = 0, i;

	for (p = hdr; (p = strchr(p, '\n')) != NULL; p++) {
		if (!ignorecr && (p == hdr || p[-1] != '\r')) {
			snprintf(err, DUCT_ERR_LEN,
			    "its answer ends lines in LF, not CRLF "
			    "(ignorecr accepts that)");
			return -1;
		}
	}
	sp = strchr(hdr, ' ');
	if (strncmp(hdr, "HTTP/", 5) != 0 || sp == NULL)
		goto bad;
	/* Some proxies pad the code with more than one space. */
	while (sp[1] == ' ')
		sp++;
	for (i = 1; i <= 3; i++) {
		if (sp[i] < '0' || sp[i] > '9')
			goto bad;
		code = code * 10 + (sp[i] - '0');
	}
	if (sp[4] != ' ' && sp[4] != '\r' && sp[4] != '\n')
		goto bad;
	return code;
bad:
	snprintf(err, DUCT_ERR_LEN, "its answer is not HTTP");
	return -1;
}

/* An open under way: the connect, the request, the answer header. */
struct proxy_open {
	struct tcpconn tc;
	struct lookup *lookup; /* resolve: the target's address */
	enum {
		PROXY_LOOKING_UP,
		PROXY_CONNECTING,
		PROXY_SENDING,
		PROXY_READING
	} phase;
	int fd, want;
	char where[NET_ADDRSTRLEN];
	char target[NET_ADDRSTRLEN + 300];
	char *req; /* the CONNECT request */
	size_t sent;
	char hdr[PROXY_HEADER_MAX + 1];
	size_t hlen;
};

static void
proxy_open_free(struct proxy_open *o)
{
	int saved = errno;

	if (o == NULL)
		return;
	tcpconn_abort(&o->tc);
	if (o->lookup != NULL)
		lookup_abort(o->lookup);
	if (o->fd != -1)
		close(o->fd);
	free(o->req);
	free(o);
	errno = saved;
}

/* The CONNECT request for o->target, with proxyauth= when given. */
static char *
proxy_request(const struct address *a, const char *target)
{
	char *auth = NULL, *req;
	size_t rlen;

	if (a->opts.proxyauth != NULL)
		auth = proxy_base64(a->opts.proxyauth);
	rlen = 2 * strlen(target) + (auth ? strlen(auth) : 0) + 96;
	req = xmalloc(rlen);
	snprintf(req, rlen, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n%s%s%s\r\n",
	    target, target, auth ? "Proxy-Authorization: Basic " : "",
	    auth ? auth : "", auth ? "\r\n" : "");
	free(auth);
	return req;
}

/* The whole answer header is in: is the tunnel open? */
static int
proxy_answer(const struct address *a, struct proxy_open *o, char *err)
{
	const struct optvals *opts = &a->opts;
	char why[DUCT_ERR_LEN], status[128];
	int code;

	if ((code = proxy_parse(o->hdr, opts->ignorecr, why)) == -1) {
		snprintf(
		    err, DUCT_ERR_LEN, "HTTP proxy %s: %.300s", o->where, why);
		errno = EPROTO;
		return -1;
	}
	proxy_status_text(o->hdr, status, sizeof(status));
	if (code < 200 || code > 299) {
		snprintf(err, DUCT_ERR_LEN,
		    "HTTP proxy %s refused CONNECT %.200s: \"%s\"%s", o->where,
		    o->target, status,
		    code == 407 || code == 401
			? (opts->proxyauth ? "; check proxyauth="
					   : "; it wants proxyauth=")
			: "");
		errno = ECONNREFUSED;
		return -1;
	}
	log_notice("%s: tunnel to %s through %s: %s", a->label, o->target,
	    o->where, status);
	return 0;
}

/*
 * The CONNECT exchange on o->fd in steps: the request, then the answer
 * header.  Returns 0 with the tunnel open, 1 waiting as o->want says, or
 * -1 with err and errno.
 */
static int
proxy_exchange(
    const struct address *a, struct proxy_open *o, bool timed_out, char *err)
{
	char why[DUCT_ERR_LEN];
	int rc;

	if (timed_out) {
		snprintf(err, DUCT_ERR_LEN,
		    "HTTP proxy %s: no answer within connect-timeout=%gs",
		    o->where, a->opts.connect_timeout);
		errno = ETIMEDOUT;
		return -1;
	}
	if (o->phase == PROXY_SENDING) {
		rc =
		    exchange_send(o->fd, o->req, strlen(o->req), &o->sent, why);
		if (rc == 1)
			o->want = IO_WANT_WRITE;
		if (rc != 0)
			goto out;
		o->phase = PROXY_READING;
	}
	rc = proxy_header_step(o->fd, o->hdr, &o->hlen, PROXY_HEADER_MAX, why);
	if (rc == 1)
		o->want = IO_WANT_READ;
	if (rc == 0)
		return proxy_answer(a, o, err);
out:
	if (rc == -1)
		snprintf(
		    err, DUCT_ERR_LEN, "HTTP proxy %s: %.300s", o->where, why);
	return rc;
}

/* After a step (rc): the next phase, the wait, or the end. */
static int
proxy_stepped(const struct address *a, struct proxy_open *o, int rc,
    struct endpoint *ep, struct open_wait *w, char *err)
{
	if (rc == 0 && o->phase == PROXY_CONNECTING) {
		o->fd = tcpconn_take(&o->tc, o->where);
		log_notice(
		    "%s: connected to the proxy at %s", a->label, o->where);
		o->phase = PROXY_SENDING;
		rc = proxy_exchange(a, o, false, err);
	}
	if (rc == 1) {
		if (o->phase != PROXY_CONNECTING) {
			w->fd = o->fd;
			w->want = o->want;
		}
		w->priv = o;
		return 1;
	}
	if (rc == 0) {
		fdep_init_socket(ep, o->fd, AF_INET);
		o->fd = -1;
	}
	proxy_open_free(o);
	w->priv = NULL;
	return rc;
}

/* The target is known: the request, then the connect to the proxy. */
static int
proxy_connect_begin(const struct address *a, const struct open_ctx *ctx,
    struct proxy_open *o, const struct sockaddr *resolved, struct endpoint *ep,
    struct open_wait *w, char *err)
{
	struct net_tcp_req req = {
		.host = a->params[0],
		.port = proxy_port(a),
		.family = net_pick_family(AF_UNSPEC, &a->opts, ctx->family),
		.opts = &a->opts,
		.known = ctx->known,
		.trying = proxy_trying,
		.arg = (void *)a,
	};

	proxy_target(a, resolved, o->target, sizeof(o->target));
	o->req = proxy_request(a, o->target);
	o->phase = PROXY_CONNECTING;
	return proxy_stepped(
	    a, o, tcpconn_start(&o->tc, &req, w, err), ep, w, err);
}

/*
 * resolve: the target's address is looked up first, in a thread, so that
 * a workers= loop goes on meanwhile.
 */
static int
proxy_lookup_start(const struct address *a, const struct open_ctx *ctx,
    struct proxy_open *o, struct open_wait *w, char *err)
{
	struct addrinfo hints;
	char *host = net_unbracket(a->params[1]);

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = net_pick_family(AF_UNSPEC, &a->opts, ctx->family);
	hints.ai_socktype = SOCK_STREAM;
	o->phase = PROXY_LOOKING_UP;
	o->lookup = lookup_start(host, NULL, &hints, &w->fd, err);
	free(host);
	if (o->lookup == NULL) {
		proxy_open_free(o);
		return -1;
	}
	w->want = IO_WANT_READ;
	w->priv = o;
	return 1;
}

static int
proxy_looked_up(const struct address *a, const struct open_ctx *ctx,
    struct proxy_open *o, struct endpoint *ep, struct open_wait *w,
    bool timed_out, char *err)
{
	struct addrinfo *res = NULL;
	int rc;

	if (timed_out) {
		snprintf(
		    err, DUCT_ERR_LEN, "resolve %s: timed out", a->params[1]);
		errno = ETIMEDOUT;
		goto fail;
	}
	rc = lookup_finish(o->lookup, &res);
	o->lookup = NULL;
	if (rc != 0) {
		snprintf(err, DUCT_ERR_LEN, "resolve %s: %s", a->params[1],
		    gai_strerror(rc));
		errno = EHOSTUNREACH;
		goto fail;
	}
	rc = proxy_connect_begin(a, ctx, o, res->ai_addr, ep, w, err);
	freeaddrinfo(res);
	return rc;
fail:
	proxy_open_free(o);
	w->priv = NULL;
	return -1;
}

static int
proxy_open_start(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, struct open_wait *w, char *err)
{
	struct proxy_open *o = xcalloc(1, sizeof(*o));

	o->fd = -1;
	w->deadline = clock_deadline(a->opts.connect_timeout);
	if (a->opts.resolve)
		return proxy_lookup_start(a, ctx, o, w, err);
	return proxy_connect_begin(a, ctx, o, NULL, ep, w, err);
}

static int
proxy_open_step(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, struct open_wait *w, bool timed_out, char *err)
{
	struct proxy_open *o = w->priv;
	int rc;

	if (o->phase == PROXY_LOOKING_UP)
		return proxy_looked_up(a, ctx, o, ep, w, timed_out, err);
	if (o->phase == PROXY_CONNECTING)
		rc = tcpconn_step(&o->tc, timed_out, w, err);
	else
		rc = proxy_exchange(a, o, timed_out, err);
	return proxy_stepped(a, o, rc, ep, w, err);
}

static void
proxy_open_abort(struct open_wait *w)
{
	proxy_open_free(w->priv);
	w->priv = NULL;
}

/* The one-pair and fork paths: the same steps, waiting in between. */
static int
proxy_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	return steps_open(a, ctx, ep, err);
}

const struct addr_kind kind_proxy_connect = {
	.names = { "PROXY", "PROXY-CONNECT" },
	.syntax = "PROXYHOST:HOST:PORT",
	.help = "connect to HOST:PORT through an HTTP proxy (CONNECT)",
	.groups = G_FD | G_SOCKET | G_IP | G_TCP | G_CONNECT | G_RETRY |
	    G_HTTP | G_CHILD,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 3,
	.max_params = 3,
	.check = proxy_check,
	.prepare = proxy_prepare,
	.open = proxy_open,
	.open_start = proxy_open_start,
	.open_step = proxy_open_step,
	.open_abort = proxy_open_abort,
};
