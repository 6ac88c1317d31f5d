/*
 * SPDX-License-Identifier: ISC
 * PROXY (PROXY-CONNECT): a TCP connection tunnelled through an HTTP proxy
 * with the CONNECT method.  The handshake is an open step like the TLS
 * handshake: it runs on a socket net.c connected, within connect-timeout=,
 * and takes the proxy's answer header and not one byte more, so that the
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
#include "fdep.h"
#include "log.h"
#include "net.h"
#include "options.h"
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
 * the port as a number, and with resolve the host's first address
 * instead of its name.  Returns 0, or -1 with err.
 */
static int
proxy_target(
    const struct address *a, int family, char *out, size_t outlen, char *err)
{
	char *host = net_unbracket(a->params[1]), addr[NET_ADDRSTRLEN];
	struct addrinfo *res;
	int port = net_port_number(a->params[2]), dummy;

	if (a->opts.resolve) {
		if (net_resolve(host, NULL, family, SOCK_STREAM, false, &res,
			err) == -1) {
			free(host);
			return -1;
		}
		net_format_host(res->ai_addr, addr, sizeof(addr), &dummy);
		freeaddrinfo(res);
		free(host);
		host = xstrdup(addr);
	}
	snprintf(out, outlen, strchr(host, ':') != NULL ? "[%s]:%d" : "%s:%d",
	    host, port);
	free(host);
	return 0;
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
 * Reads the proxy's answer header into hdr (max bytes and a NUL), up to
 * and including its empty line.  Peeking shows where the header ends
 * before anything is taken, so bytes the proxy sent after it (the
 * tunnelled server's first words) stay in the socket.  Returns 0, or -1
 * with err and errno.
 */
static int
proxy_read_header(int fd, char *hdr, size_t max, double deadline, char *err)
{
	size_t len = 0, end, take;
	ssize_t n;
	int w;

	for (;;) {
		if (len == max) {
			snprintf(err, DUCT_ERR_LEN,
			    "answer header longer than %zu bytes", max);
			errno = EPROTO;
			return -1;
		}
		n = recv(fd, hdr + len, max - len, MSG_PEEK);
		if (n == 0) {
			snprintf(err, DUCT_ERR_LEN,
			    "the proxy closed the connection %s",
			    len > 0 ? "in the middle of its answer"
				    : "without answering");
			errno = ECONNRESET;
			return -1;
		}
		if (n == -1 && errno != EAGAIN && errno != EINTR) {
			snprintf(
			    err, DUCT_ERR_LEN, "recv: %s", strerror(errno));
			return -1;
		}
		if (n == -1) {
			w = net_wait_quiet(fd, false, net_left(deadline));
			if (w == 0) {
				snprintf(err, DUCT_ERR_LEN, "timed out");
				errno = ETIMEDOUT;
				return -1;
			}
			if (w == -1) {
				snprintf(
				    err, DUCT_ERR_LEN, "%s", strerror(errno));
				return -1;
			}
			continue;
		}
		end = proxy_header_end(hdr, len, len + (size_t)n);
		take = end > 0 ? end - len : (size_t)n;
		/* Bytes peeked are there: this takes them at once. */
		if (net_recv_exact(fd, hdr + len, take, deadline, err) == -1)
			return -1;
		len += take;
		if (end > 0) {
			hdr[len] = '\0';
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

/*
 * The CONNECT exchange on fd, connected to the proxy at where.  Returns
 * 0 with the tunnel open, or -1 with err and errno.
 */
static int
proxy_handshake(const struct address *a, int fd, const char *where,
    const char *target, char *err)
{
	const struct optvals *o = &a->opts;
	double deadline = net_deadline(o->connect_timeout);
	char *auth = NULL, *req, *hdr = xmalloc(PROXY_HEADER_MAX + 1);
	char why[DUCT_ERR_LEN], status[128];
	size_t rlen;
	int code, rc = -1;

	if (o->proxyauth != NULL)
		auth = proxy_base64(o->proxyauth);
	rlen = 2 * strlen(target) + (auth ? strlen(auth) : 0) + 96;
	req = xmalloc(rlen);
	snprintf(req, rlen, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n%s%s%s\r\n",
	    target, target, auth ? "Proxy-Authorization: Basic " : "",
	    auth ? auth : "", auth ? "\r\n" : "");
	if (net_send_all(fd, req, strlen(req), deadline, why) == -1 ||
	    proxy_read_header(fd, hdr, PROXY_HEADER_MAX, deadline, why) == -1) {
		if (errno == ETIMEDOUT)
			snprintf(err, DUCT_ERR_LEN,
			    "HTTP proxy %s: no answer within "
			    "connect-timeout=%gs",
			    where, o->connect_timeout);
		else
			snprintf(err, DUCT_ERR_LEN, "HTTP proxy %s: %.300s",
			    where, why);
		goto out;
	}
	if ((code = proxy_parse(hdr, o->ignorecr, why)) == -1) {
		snprintf(
		    err, DUCT_ERR_LEN, "HTTP proxy %s: %.300s", where, why);
		errno = EPROTO;
		goto out;
	}
	proxy_status_text(hdr, status, sizeof(status));
	if (code < 200 || code > 299) {
		snprintf(err, DUCT_ERR_LEN,
		    "HTTP proxy %s refused CONNECT %s: \"%s\"%s", where, target,
		    status,
		    code == 407 || code == 401
			? (o->proxyauth ? "; check proxyauth="
					: "; it wants proxyauth=")
			: "");
		errno = ECONNREFUSED;
		goto out;
	}
	log_notice(
	    "%s: tunnel to %s through %s: %s", a->label, target, where, status);
	rc = 0;
out:
	free(auth);
	free(req);
	free(hdr);
	return rc;
}

static int
proxy_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	int family = net_pick_family(AF_UNSPEC, &a->opts, ctx->family);
	struct net_tcp_req req = {
		.host = a->params[0],
		.port = proxy_port(a),
		.family = family,
		.opts = &a->opts,
		.known = ctx->known,
		.trying = proxy_trying,
		.arg = (void *)a,
	};
	char where[NET_ADDRSTRLEN], target[NET_ADDRSTRLEN + 300];
	int fd, saved;

	if (proxy_target(a, family, target, sizeof(target), err) == -1)
		return -1;
	if ((fd = net_tcp_connect(&req, where, sizeof(where), err)) == -1)
		return -1;
	log_notice("%s: connected to the proxy at %s", a->label, where);
	if (proxy_handshake(a, fd, where, target, err) == -1) {
		saved = errno;
		close(fd);
		errno = saved; /* EINTR tells the caller a signal ended it */
		return -1;
	}
	fdep_init_socket(ep, fd, AF_INET);
	return 0;
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
};
