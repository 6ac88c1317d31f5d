/*
 * SPDX-License-Identifier: ISC
 * HAProxy's PROXY protocol (doc/proxy-protocol.txt in HAProxy's sources):
 * the header a load balancer puts before a connection's data to say whom
 * the connection is really from.  Version 1 is one text line, version 2 a
 * binary block; both are read here byte-exactly, since the bytes after
 * the header belong to the relay.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "clock.h"
#include "endpoint.h"
#include "facts.h"
#include "net.h"
#include "options.h"
#include "proxyproto.h"

/* Version 2's signature: no text protocol starts this way. */
static const unsigned char proxy_sig[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
	0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };

/* accept-proxy's deadline when connect-timeout= is not given. */
#define PROXY_DEFAULT_TIMEOUT 5.0

int
proxy_version(const char *text)
{
	if (text == NULL)
		return -1;
	if (strcasecmp(text, "v1") == 0 || strcmp(text, "1") == 0)
		return 1;
	if (strcasecmp(text, "v2") == 0 || strcmp(text, "2") == 0)
		return 2;
	return -1;
}

/*
 * An IPv4-mapped IPv6 address (a peer of a dual-stack listener) as the
 * IPv4 address it is, so that both ends of a header share a family.
 */
static const struct sockaddr *
proxy_unmap(const struct sockaddr *sa, struct sockaddr_in *out)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff };
	const struct sockaddr_in6 *s6;

	if (sa == NULL || sa->sa_family != AF_INET6)
		return sa;
	s6 = (const struct sockaddr_in6 *)(const void *)sa;
	if (memcmp(s6->sin6_addr.s6_addr, mapped, sizeof(mapped)) != 0)
		return sa;
	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	out->sin_port = s6->sin6_port;
	memcpy(&out->sin_addr, s6->sin6_addr.s6_addr + 12, 4);
	return (const struct sockaddr *)out;
}

static size_t
proxy_build_v1(
    const struct sockaddr *src, const struct sockaddr *dst, unsigned char *out)
{
	char sh[INET6_ADDRSTRLEN], dh[INET6_ADDRSTRLEN];
	int sp, dp, n;

	if (src == NULL || src->sa_family != dst->sa_family ||
	    (src->sa_family != AF_INET && src->sa_family != AF_INET6))
		return (size_t)snprintf(
		    (char *)out, PROXY_MAX, "PROXY UNKNOWN\r\n");
	net_format_host(src, sh, sizeof(sh), &sp);
	net_format_host(dst, dh, sizeof(dh), &dp);
	n = snprintf((char *)out, PROXY_MAX, "PROXY %s %s %s %d %d\r\n",
	    src->sa_family == AF_INET ? "TCP4" : "TCP6", sh, dh, sp, dp);
	return (size_t)n;
}

static size_t
proxy_build_v2(
    const struct sockaddr *src, const struct sockaddr *dst, unsigned char *out)
{
	const struct sockaddr_in *s4, *d4;
	const struct sockaddr_in6 *s6, *d6;
	const struct sockaddr_un *su, *du;
	unsigned char *p = out + 16;
	size_t len = 0;

	memcpy(out, proxy_sig, sizeof(proxy_sig));
	out[12] = 0x21; /* version 2, PROXY */
	out[13] = 0x00;
	if (src == NULL || src->sa_family != dst->sa_family) {
		out[12] = 0x20; /* LOCAL: the connection's own addresses */
	} else if (src->sa_family == AF_INET) {
		s4 = (const struct sockaddr_in *)(const void *)src;
		d4 = (const struct sockaddr_in *)(const void *)dst;
		out[13] = 0x11;
		memcpy(p, &s4->sin_addr, 4);
		memcpy(p + 4, &d4->sin_addr, 4);
		memcpy(p + 8, &s4->sin_port, 2);
		memcpy(p + 10, &d4->sin_port, 2);
		len = 12;
	} else if (src->sa_family == AF_INET6) {
		s6 = (const struct sockaddr_in6 *)(const void *)src;
		d6 = (const struct sockaddr_in6 *)(const void *)dst;
		out[13] = 0x21;
		memcpy(p, &s6->sin6_addr, 16);
		memcpy(p + 16, &d6->sin6_addr, 16);
		memcpy(p + 32, &s6->sin6_port, 2);
		memcpy(p + 34, &d6->sin6_port, 2);
		len = 36;
	} else if (src->sa_family == AF_UNIX) {
		su = (const struct sockaddr_un *)(const void *)src;
		du = (const struct sockaddr_un *)(const void *)dst;
		out[13] = 0x31;
		memset(p, 0, 216);
		memcpy(p, su->sun_path, sizeof(su->sun_path));
		memcpy(p + 108, du->sun_path, sizeof(du->sun_path));
		len = 216;
	} else {
		out[12] = 0x20;
	}
	out[14] = (unsigned char)(len >> 8);
	out[15] = (unsigned char)(len & 0xff);
	return 16 + len;
}

size_t
proxy_build(int version, const struct sockaddr *src, const struct sockaddr *dst,
    unsigned char *out)
{
	struct sockaddr_in s4, d4;

	if (src != NULL && dst != NULL) {
		src = proxy_unmap(src, &s4);
		dst = proxy_unmap(dst, &d4);
	} else {
		src = NULL;
	}
	if (version == 1)
		return proxy_build_v1(src, dst, out);
	return proxy_build_v2(src, dst, out);
}

int
proxy_send(
    const struct address *a, const struct open_ctx *ctx, int fd, char *err)
{
	const struct endpoint *peer = ctx->peer;
	struct sockaddr_storage s, d;
	socklen_t slen = sizeof(s), dlen = sizeof(d);
	const struct sockaddr *src = NULL, *dst = NULL;
	unsigned char hdr[PROXY_MAX];
	size_t n;

	if (a->opts.proxy_protocol == NULL)
		return 0;
	if (peer != NULL && peer->origin_srclen > 0) {
		src = (const struct sockaddr *)&peer->origin_src;
		dst = (const struct sockaddr *)&peer->origin_dst;
	} else if (peer != NULL && peer->rfd >= 0 &&
	    getpeername(peer->rfd, (struct sockaddr *)&s, &slen) == 0 &&
	    getsockname(peer->rfd, (struct sockaddr *)&d, &dlen) == 0) {
		src = (const struct sockaddr *)&s;
		dst = (const struct sockaddr *)&d;
	}
	n = proxy_build(proxy_version(a->opts.proxy_protocol), src, dst, hdr);
	if (net_send_all(fd, hdr, n, clock_deadline(a->opts.connect_timeout),
		err) == -1) {
		char why[DUCT_ERR_LEN];

		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, DUCT_ERR_LEN, "PROXY header: %.200s", why);
		return -1;
	}
	return 0;
}

/* A port of a v1 header: 0 to 65535 without a leading zero. */
static int
proxy_v1_port(const char *s)
{
	long v = 0;
	size_t i, n = strlen(s);

	if (n == 0 || n > 5 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v > 65535 ? -1 : (int)v;
}

/* Fills ss with host (of family, printed) and port. */
static int
proxy_v1_addr(int family, const char *host, const char *port,
    struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)(void *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)(void *)ss;
	int p = proxy_v1_port(port);

	memset(ss, 0, sizeof(*ss));
	if (p < 0)
		return -1;
	if (family == AF_INET) {
		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			return -1;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)p);
		*len = sizeof(*s4);
	} else {
		if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
			return -1;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)p);
		*len = sizeof(*s6);
	}
	return 0;
}

/*
 * The line after "PROXY " without its CRLF: "TCP4 SRC DST SPORT DPORT",
 * fields split by exactly one space, or "UNKNOWN" and anything.
 */
static int
proxy_parse_v1(char *line, struct sockaddr_storage *src, socklen_t *srclen,
    struct sockaddr_storage *dst, socklen_t *dstlen, char *err)
{
	char *f[6], *p = line;
	int n = 0, family;

	if (strncmp(line, "UNKNOWN", 7) == 0 &&
	    (line[7] == '\0' || line[7] == ' ')) {
		*srclen = *dstlen = 0;
		return 0;
	}
	while (n < 6) {
		f[n++] = p;
		if ((p = strchr(p, ' ')) == NULL)
			break;
		*p++ = '\0';
	}
	if (n != 5 || p != NULL) {
		snprintf(err, DUCT_ERR_LEN,
		    "bad PROXY header: v1 wants PROTO SRC DST SPORT DPORT");
		return -1;
	}
	if (strcmp(f[0], "TCP4") == 0) {
		family = AF_INET;
	} else if (strcmp(f[0], "TCP6") == 0) {
		family = AF_INET6;
	} else {
		snprintf(err, DUCT_ERR_LEN,
		    "bad PROXY header: v1 protocol \"%.8s\" is not TCP4, "
		    "TCP6 or UNKNOWN",
		    f[0]);
		return -1;
	}
	if (proxy_v1_addr(family, f[1], f[3], src, srclen) == -1 ||
	    proxy_v1_addr(family, f[2], f[4], dst, dstlen) == -1) {
		snprintf(err, DUCT_ERR_LEN,
		    "bad PROXY header: v1 address or port does not fit %s",
		    f[0]);
		return -1;
	}
	return 0;
}

static int
proxy_parse_v2(const unsigned char *h, const unsigned char *p, size_t len,
    struct sockaddr_storage *src, socklen_t *srclen,
    struct sockaddr_storage *dst, socklen_t *dstlen, char *err)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)(void *)src;
	struct sockaddr_in *d4 = (struct sockaddr_in *)(void *)dst;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)(void *)src;
	struct sockaddr_in6 *d6 = (struct sockaddr_in6 *)(void *)dst;
	struct sockaddr_un *su = (struct sockaddr_un *)(void *)src;
	struct sockaddr_un *du = (struct sockaddr_un *)(void *)dst;

	*srclen = *dstlen = 0;
	memset(src, 0, sizeof(*src));
	memset(dst, 0, sizeof(*dst));
	if ((h[12] & 0xf0) != 0x20) {
		snprintf(err, DUCT_ERR_LEN, "bad PROXY header: version %d",
		    h[12] >> 4);
		return -1;
	}
	if ((h[12] & 0x0f) == 0x00) /* LOCAL: a health check */
		return 0;
	if ((h[12] & 0x0f) != 0x01) {
		snprintf(err, DUCT_ERR_LEN, "bad PROXY header: command %d",
		    h[12] & 0x0f);
		return -1;
	}
	switch (h[13]) {
	case 0x00: /* UNSPEC: the connection's own addresses */
		return 0;
	case 0x11:
		if (len < 12)
			break;
		s4->sin_family = d4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, p, 4);
		memcpy(&d4->sin_addr, p + 4, 4);
		memcpy(&s4->sin_port, p + 8, 2);
		memcpy(&d4->sin_port, p + 10, 2);
		*srclen = *dstlen = sizeof(*s4);
		return 0;
	case 0x21:
		if (len < 36)
			break;
		s6->sin6_family = d6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, p, 16);
		memcpy(&d6->sin6_addr, p + 16, 16);
		memcpy(&s6->sin6_port, p + 32, 2);
		memcpy(&d6->sin6_port, p + 34, 2);
		*srclen = *dstlen = sizeof(*s6);
		return 0;
	case 0x31:
		if (len < 216)
			break;
		su->sun_family = du->sun_family = AF_UNIX;
		memcpy(su->sun_path, p, sizeof(su->sun_path) - 1);
		memcpy(du->sun_path, p + 108, sizeof(du->sun_path) - 1);
		*srclen = *dstlen = sizeof(*su);
		return 0;
	default:
		snprintf(err, DUCT_ERR_LEN,
		    "bad PROXY header: address family 0x%02x on a stream",
		    h[13]);
		return -1;
	}
	snprintf(err, DUCT_ERR_LEN,
	    "bad PROXY header: %zu address bytes are too few for family "
	    "0x%02x",
	    len, h[13]);
	return -1;
}

void
proxy_reader_init(struct proxy_reader *r)
{
	memset(r, 0, sizeof(*r));
	/* Eight bytes: fewer than the shortest header of either version. */
	r->need = 8;
}

/* v1: one more byte until CRLF, then the line checked and parsed. */
static int
proxy_advance_v1(struct proxy_reader *r, char *err)
{
	unsigned char *h = r->h;
	size_t n = r->n, i;

	if (!(h[n - 2] == '\r' && h[n - 1] == '\n')) {
		if (n == PROXY_V1_MAX) {
			snprintf(err, DUCT_ERR_LEN,
			    "bad PROXY header: no CRLF within %d bytes",
			    PROXY_V1_MAX);
			return -1;
		}
		r->need = n + 1;
		return 1;
	}
	for (i = 6; i < n - 2; i++) {
		if (h[i] < 0x20 || h[i] > 0x7e) {
			snprintf(err, DUCT_ERR_LEN,
			    "bad PROXY header: v1 holds byte 0x%02x", h[i]);
			return -1;
		}
	}
	h[n - 2] = '\0';
	return proxy_parse_v1(
	    (char *)h + 6, &r->src, &r->srclen, &r->dst, &r->dstlen, err);
}

/* v2: the signature, then the length, then the addresses. */
static int
proxy_advance_v2(struct proxy_reader *r, char *err)
{
	const unsigned char *h = r->h;
	size_t len;

	if (r->n < 16) {
		if (memcmp(h, proxy_sig, r->n) != 0) {
			snprintf(err, DUCT_ERR_LEN,
			    "bad PROXY header: neither \"PROXY \" nor v2's "
			    "signature");
			return -1;
		}
		r->need = 16;
		return 1;
	}
	if (memcmp(h, proxy_sig, sizeof(proxy_sig)) != 0) {
		snprintf(err, DUCT_ERR_LEN, "bad PROXY header: v2 signature");
		return -1;
	}
	len = (size_t)h[14] << 8 | h[15];
	if (len > PROXY_V2_PAYLOAD_MAX) {
		snprintf(err, DUCT_ERR_LEN,
		    "bad PROXY header: v2 length %zu is over %d", len,
		    PROXY_V2_PAYLOAD_MAX);
		return -1;
	}
	if (r->n < 16 + len) {
		r->need = 16 + len;
		return 1;
	}
	return proxy_parse_v2(
	    h, h + 16, len, &r->src, &r->srclen, &r->dst, &r->dstlen, err);
}

int
proxy_read_step(struct proxy_reader *r, int fd, char *err)
{
	ssize_t n;
	int rc;

	for (;;) {
		/* Exactly what the header still lacks: never a byte past it. */
		while (r->n < r->need) {
			n = recv(fd, r->h + r->n, r->need - r->n, 0);
			if (n > 0) {
				r->n += (size_t)n;
				continue;
			}
			if (n == 0) {
				snprintf(err, DUCT_ERR_LEN,
				    "PROXY header: the server closed the "
				    "connection");
				errno = ECONNRESET;
				return -1;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 1;
			if (errno != EINTR) {
				snprintf(err, DUCT_ERR_LEN,
				    "PROXY header: recv: %s", strerror(errno));
				return -1;
			}
		}
		if (memcmp(r->h, "PROXY ", 6) == 0)
			rc = proxy_advance_v1(r, err);
		else
			rc = proxy_advance_v2(r, err);
		if (rc != 1)
			return rc;
	}
}

/* The blocking read: the same steps, waiting until deadline. */
static int
proxy_read_wait(struct proxy_reader *r, int fd, double deadline, char *err)
{
	int rc, n;

	proxy_reader_init(r);
	while ((rc = proxy_read_step(r, fd, err)) == 1) {
		n = net_wait_quiet(fd, false, clock_left(deadline));
		if (n == 0) {
			snprintf(err, DUCT_ERR_LEN, "PROXY header: timed out");
			errno = ETIMEDOUT;
			return -1;
		}
		if (n == -1) {
			snprintf(err, DUCT_ERR_LEN, "PROXY header: %s",
			    strerror(errno));
			return -1;
		}
	}
	return rc;
}

int
proxy_read(int fd, double deadline, struct sockaddr_storage *src,
    socklen_t *srclen, struct sockaddr_storage *dst, socklen_t *dstlen,
    char *err)
{
	struct proxy_reader r;

	if (proxy_read_wait(&r, fd, deadline, err) == -1)
		return -1;
	*src = r.src;
	*dst = r.dst;
	*srclen = r.srclen;
	*dstlen = r.dstlen;
	return 0;
}

bool
proxy_from_allows(const struct address *a, const struct sockaddr *sa)
{
	return a->opts.nproxy_from == 0 ||
	    opts_networks_match(a->opts.proxy_from, a->opts.nproxy_from, sa);
}

const char *
proxy_peer_refusal(
    const struct address *a, const struct sockaddr *sa, char *buf, size_t len)
{
	if (!a->opts.accept_proxy)
		return opts_peer_refusal(&a->opts, sa, buf, len);
	return proxy_from_allows(a, sa) ? NULL : "not in proxy-from=";
}

double
proxy_accept_deadline(const struct address *a)
{
	return clock_deadline(a->opts.given[OPT_CONNECT_TIMEOUT]
		? a->opts.connect_timeout
		: PROXY_DEFAULT_TIMEOUT);
}

int
proxy_accept_done(const struct address *a, struct endpoint *ep,
    const struct proxy_reader *r, char *who, size_t wholen, char *via,
    size_t vialen, char *err)
{
	struct sockaddr_storage real;
	socklen_t rlen = sizeof(real);
	char whybuf[64];
	const char *why;

	if (getpeername(ep->rfd, (struct sockaddr *)&real, &rlen) == -1)
		rlen = 0;
	net_format((struct sockaddr *)&real, rlen, via, vialen);
	if (r->srclen == 0) {
		/* UNKNOWN or LOCAL: the connection speaks for itself. */
		snprintf(who, wholen, "%s", via);
		if (rlen > 0 &&
		    (why = opts_peer_refusal(&a->opts, (struct sockaddr *)&real,
			 whybuf, sizeof(whybuf))) != NULL) {
			snprintf(err, DUCT_ERR_LEN,
			    "refused connection from %s: %s", who, why);
			return -1;
		}
		if (rlen > 0)
			facts_add_socket(&ep->facts, ep->rfd,
			    (struct sockaddr *)&real, rlen);
		return 0;
	}
	net_format((const struct sockaddr *)&r->src, r->srclen, who, wholen);
	if ((why = opts_peer_refusal(&a->opts, (const struct sockaddr *)&r->src,
		 whybuf, sizeof(whybuf))) != NULL) {
		snprintf(err, DUCT_ERR_LEN,
		    "refused connection from %s (PROXY header from %s): %s",
		    who, via, why);
		return -1;
	}
	ep->origin_src = r->src;
	ep->origin_dst = r->dst;
	ep->origin_srclen = r->srclen;
	ep->origin_dstlen = r->dstlen;
	/* As for an accepted peer: facts of IP clients only. */
	if (r->src.ss_family == AF_UNIX)
		return 0;
	facts_add_addr(
	    &ep->facts, "PEER", (const struct sockaddr *)&r->src, r->srclen);
	facts_add_addr(
	    &ep->facts, "SOCK", (const struct sockaddr *)&r->dst, r->dstlen);
	return 0;
}

int
proxy_accept(const struct address *a, struct endpoint *ep, char *who,
    size_t wholen, char *via, size_t vialen, char *err)
{
	struct proxy_reader r;

	if (proxy_read_wait(&r, ep->rfd, proxy_accept_deadline(a), err) == -1)
		return -1;
	return proxy_accept_done(a, ep, &r, who, wholen, via, vialen, err);
}

int
proxy_check(const struct address *a, bool listening, char *err)
{
	const struct optvals *o = &a->opts;

	if (listening && o->given[OPT_PROXY_PROTOCOL]) {
		snprintf(err, DUCT_ERR_LEN,
		    "proxy-protocol= sends a header from a connecting "
		    "address; a listening one reads it with accept-proxy");
		return -1;
	}
	/* A listener's only connect-timeout= is the header's deadline. */
	if (listening && o->given[OPT_CONNECT_TIMEOUT] && !o->accept_proxy &&
	    !(a->kind->groups & G_TLS)) {
		snprintf(err, DUCT_ERR_LEN,
		    "option \"connect-timeout\" does not apply to %s without "
		    "accept-proxy",
		    a->kind->names[0]);
		return -1;
	}
	if (!listening &&
	    (o->given[OPT_ACCEPT_PROXY] || o->given[OPT_PROXY_FROM])) {
		snprintf(err, DUCT_ERR_LEN,
		    "accept-proxy and proxy-from= are for listening "
		    "addresses; a connecting one sends with proxy-protocol=");
		return -1;
	}
	if (o->given[OPT_PROXY_PROTOCOL] &&
	    proxy_version(o->proxy_protocol) == -1) {
		snprintf(err, DUCT_ERR_LEN,
		    "proxy-protocol= wants v1 or v2, got \"%.40s\"",
		    o->proxy_protocol);
		return -1;
	}
	return 0;
}
