/*
 * SPDX-License-Identifier: ISC
 * Socket helpers in the manner of a small anet: each does one chore,
 * returns -1 on failure and explains it in the caller's buffer.  Nothing
 * here logs or exits, and nothing knows about address kinds.
 */
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/udp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "endpoint.h"
#include "activation.h"
#include "clock.h"
#include "net.h"
#include "sig.h"
#include "xmalloc.h"

int
net_check_port(const char *port, char *err)
{
	char *end;
	long v;

	if (port == NULL || *port == '\0') {
		snprintf(err, DUCT_ERR_LEN, "port missing");
		return -1;
	}
	if (*port >= '0' && *port <= '9') {
		v = strtol(port, &end, 10);
		if (*end == '\0' && v >= 0 && v <= 65535)
			return 0;
		snprintf(err, DUCT_ERR_LEN, "invalid port \"%s\"", port);
		return -1;
	}
	if (getservbyname(port, NULL) == NULL) {
		snprintf(err, DUCT_ERR_LEN, "unknown service \"%s\"", port);
		return -1;
	}
	return 0;
}

int
net_port_number(const char *port)
{
	struct servent *se;
	char *end;
	long v;

	if (port == NULL || *port == '\0')
		return -1;
	v = strtol(port, &end, 10);
	if (*end == '\0')
		return v >= 0 && v <= 65535 ? (int)v : -1;
	if ((se = getservbyname(port, "tcp")) == NULL)
		return -1;
	return ntohs((unsigned short)se->s_port);
}

int
net_split_hostport(const char *text, char **host, char **port, char *err)
{
	const char *colon;

	*host = *port = NULL;
	if (text[0] == '[') {
		const char *end = strchr(text, ']');

		if (end == NULL || (end[1] != '\0' && end[1] != ':')) {
			snprintf(err, DUCT_ERR_LEN, "malformed address \"%s\"",
			    text);
			return -1;
		}
		*host = xstrndup(text + 1, end - text - 1);
		if (end[1] == ':')
			*port = xstrdup(end + 2);
		return 0;
	}
	colon = strchr(text, ':');
	if (colon != NULL && strchr(colon + 1, ':') != NULL) {
		/* A bare IPv6 literal without a port. */
		*host = xstrdup(text);
		return 0;
	}
	if (colon == NULL) {
		*host = xstrdup(text);
		return 0;
	}
	*host = xstrndup(text, colon - text);
	*port = xstrdup(colon + 1);
	return 0;
}

char *
net_unbracket(const char *host)
{
	size_t n = strlen(host);

	if (n >= 2 && host[0] == '[' && host[n - 1] == ']')
		return xstrndup(host + 1, n - 2);
	return xstrdup(host);
}

int
net_resolve(const char *host, const char *port, int family, int socktype,
    bool passive, struct addrinfo **res, char *err)
{
	struct addrinfo hints;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = socktype;
	hints.ai_flags = passive ? AI_PASSIVE : 0;
	if (host != NULL && *host == '\0')
		host = NULL;
	rc = getaddrinfo(host, port, &hints, res);
	if (rc != 0) {
		snprintf(err, DUCT_ERR_LEN, "resolve %s: %s", host ? host : "*",
		    rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return -1;
	}
	return 0;
}

struct addrinfo *
net_resolve_literal(
    const char *host, const char *port, int family, int socktype)
{
	struct addrinfo hints, *res = NULL;
	char *h;

	if (host == NULL || *host == '\0' || port == NULL)
		return NULL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = socktype;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	h = net_unbracket(host);
	if (getaddrinfo(h, port, &hints, &res) != 0)
		res = NULL;
	free(h);
	return res;
}

const struct addrinfo *
net_addresses(const char *host, const char *port, int family, int socktype,
    const struct addrinfo *known, struct addrinfo **fresh, char *err)
{
	char *h;
	int rc;

	*fresh = NULL;
	if (known != NULL)
		return known;
	h = net_unbracket(host);
	rc = net_resolve(h, port, family, socktype, false, fresh, err);
	free(h);
	return rc == -1 ? NULL : *fresh;
}

int
net_socket(int family, int type, char *err)
{
	return net_socket_proto(family, type, 0, err);
}

int
net_socket_proto(int family, int type, int protocol, char *err)
{
	int fd;

	fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
	if (fd == -1 && type == SOCK_RAW && (errno == EPERM || errno == EACCES))
		snprintf(err, DUCT_ERR_LEN,
		    "socket: %s (raw sockets need root or CAP_NET_RAW)",
		    strerror(errno));
	else if (fd == -1)
		snprintf(err, DUCT_ERR_LEN, "socket: %s", strerror(errno));
	return fd;
}

int
net_bind(int fd, const struct sockaddr *sa, socklen_t len, char *err)
{
	char buf[NET_ADDRSTRLEN];

	if (bind(fd, sa, len) == 0)
		return 0;
	net_format(sa, len, buf, sizeof(buf));
	snprintf(err, DUCT_ERR_LEN, "bind %s: %s", buf, strerror(errno));
	return -1;
}

/*
 * Waits until fd is readable (or writable) or stop (-1: none) is
 * readable; stop wins when both are.  Returns 1, 2 for stop, 0 timed out,
 * or -1 with errno.
 */
static int
net_wait_fds(int fd, bool writable, int stop, double timeout)
{
	struct timespec ts, *tsp = NULL;
	fd_set rset, wset;
	int n;

	if (sig_term_pending()) {
		errno = EINTR;
		return -1;
	}
	if (timeout >= 0) {
		ts.tv_sec = (time_t)timeout;
		ts.tv_nsec = (long)((timeout - floor(timeout)) * 1e9);
		tsp = &ts;
	}
	FD_ZERO(&rset);
	FD_ZERO(&wset);
	FD_SET(fd, writable ? &wset : &rset);
	if (stop != -1)
		FD_SET(stop, &rset);
	n = pselect((fd > stop ? fd : stop) + 1, &rset, writable ? &wset : NULL,
	    NULL, tsp, sig_waitmask());
	if (n > 0 && stop != -1 && FD_ISSET(stop, &rset))
		return 2;
	return n > 0 ? 1 : n;
}

int
net_wait(int fd, bool writable, double timeout)
{
	return net_wait_fds(fd, writable, -1, timeout);
}

static int
net_wait_fds_quiet(int fd, bool writable, int stop, double timeout)
{
	double left = timeout, end = clock_now() + timeout;
	int n;

	for (;;) {
		n = net_wait_fds(fd, writable, stop, left);
		if (n != -1 || errno != EINTR || sig_term_pending())
			return n;
		if (timeout >= 0) {
			left = end - clock_now();
			if (left <= 0)
				return 0;
		}
	}
}

int
net_wait_quiet(int fd, bool writable, double timeout)
{
	return net_wait_fds_quiet(fd, writable, -1, timeout);
}

int
net_wait_listener(int fd, int stop, bool quiet, double timeout)
{
	return quiet ? net_wait_fds_quiet(fd, false, stop, timeout)
		     : net_wait_fds(fd, false, stop, timeout);
}

int
net_sleep(double seconds)
{
	double end = clock_now() + seconds, left = seconds;
	struct timespec ts;

	while (left > 0) {
		if (sig_term_pending()) {
			errno = EINTR;
			return -1;
		}
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - floor(left)) * 1e9);
		/* Nothing to watch: pselect() only waits, signals let in. */
		pselect(0, NULL, NULL, NULL, &ts, sig_waitmask());
		left = end - clock_now();
	}
	if (sig_term_pending()) {
		errno = EINTR;
		return -1;
	}
	return 0;
}

/* Waits for fd until deadline; fills err and returns -1 when it cannot. */
static int
net_wait_until(int fd, bool writable, double deadline, char *err)
{
	int n = net_wait_quiet(fd, writable, clock_left(deadline));

	if (n == 1)
		return 0;
	if (n == 0) {
		snprintf(err, DUCT_ERR_LEN, "timed out");
		errno = ETIMEDOUT;
	} else {
		snprintf(err, DUCT_ERR_LEN, "%s", strerror(errno));
	}
	return -1;
}

int
net_send_all(int fd, const void *buf, size_t len, double deadline, char *err)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n == -1 && errno != EAGAIN && errno != EINTR) {
			snprintf(
			    err, DUCT_ERR_LEN, "send: %s", strerror(errno));
			return -1;
		}
		if (net_wait_until(fd, true, deadline, err) == -1)
			return -1;
	}
	return 0;
}

int
net_recv_exact(int fd, void *buf, size_t len, double deadline, char *err)
{
	char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = recv(fd, p, len, 0);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n == 0) {
			snprintf(err, DUCT_ERR_LEN,
			    "the server closed the connection");
			errno = ECONNRESET;
			return -1;
		}
		if (errno != EAGAIN && errno != EINTR) {
			snprintf(
			    err, DUCT_ERR_LEN, "recv: %s", strerror(errno));
			return -1;
		}
		if (net_wait_until(fd, false, deadline, err) == -1)
			return -1;
	}
	return 0;
}

int
net_connect(
    int fd, const struct sockaddr *sa, socklen_t len, double timeout, char *err)
{
	socklen_t elen = sizeof(int);
	int n, soerr = 0;

	if (connect(fd, sa, len) == 0)
		return 0;
	if (errno != EINPROGRESS && errno != EINTR) {
		snprintf(err, DUCT_ERR_LEN, "connect: %s", strerror(errno));
		return -1;
	}
	n = net_wait_quiet(fd, true, timeout > 0 ? timeout : -1);
	if (n == 0) {
		snprintf(
		    err, DUCT_ERR_LEN, "connect: timed out after %gs", timeout);
		errno = ETIMEDOUT;
		return -1;
	}
	if (n == -1) {
		snprintf(err, DUCT_ERR_LEN, "connect: %s", strerror(errno));
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &elen) == -1)
		soerr = errno;
	if (soerr != 0) {
		snprintf(err, DUCT_ERR_LEN, "connect: %s", strerror(soerr));
		errno = soerr;
		return -1;
	}
	return 0;
}

int
net_accept(int lfd, struct sockaddr_storage *peer, socklen_t *len, char *err)
{
	int fd;

	*len = sizeof(*peer);
	fd = accept4(
	    lfd, (struct sockaddr *)peer, len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd >= 0)
		return fd;
	switch (errno) {
	case EAGAIN:
	case EINTR:
	case ECONNABORTED:
	case EPROTO:
		return -2;
	}
	snprintf(err, DUCT_ERR_LEN, "accept: %s", strerror(errno));
	return -1;
}

void
net_refuse(int fd)
{
	/*
	 * The FIN first: the peer reads end of file before the reset that
	 * closing with its request still unread sends, and ends cleanly.
	 */
	shutdown(fd, SHUT_RDWR);
	close(fd);
}

int
net_accept_peer(int lfd, const struct optvals *o, struct sockaddr_storage *peer,
    socklen_t *len, char *err)
{
	char who[NET_ADDRSTRLEN], whybuf[64];
	const char *why;
	int fd;

	if ((fd = net_accept(lfd, peer, len, err)) < 0)
		return fd;
	if ((why = opts_peer_refusal(
		 o, (struct sockaddr *)peer, whybuf, sizeof(whybuf))) == NULL)
		return fd;
	net_refuse(fd);
	net_format((struct sockaddr *)peer, *len, who, sizeof(who));
	snprintf(err, DUCT_ERR_LEN, "refused connection from %s: %s", who, why);
	return -3;
}

void
net_listener_close(struct listener *l, bool in_child)
{
	(void)in_child;
	if (l->fd != -1)
		close(l->fd);
	l->fd = -1;
}

int
net_unix_addr(
    const char *path, struct sockaddr_un *sun, socklen_t *len, char *err)
{
	size_t n = strlen(path);

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (n == 0 || n >= sizeof(sun->sun_path)) {
		snprintf(err, DUCT_ERR_LEN,
		    "%s unix socket path (%zu bytes, "
		    "at most %zu)",
		    n ? "too long a" : "empty", n, sizeof(sun->sun_path) - 1);
		return -1;
	}
	memcpy(sun->sun_path, path, n);
	*len = offsetof(struct sockaddr_un, sun_path) + n + 1;
	return 0;
}

int
net_unix_name(const char *name, bool abstract, struct sockaddr_un *sun,
    socklen_t *len, char *err)
{
	size_t n = strlen(name);

	if (!abstract)
		return net_unix_addr(name, sun, len, err);
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (n == 0 || n + 1 > sizeof(sun->sun_path)) {
		snprintf(err, DUCT_ERR_LEN,
		    "%s abstract socket name (%zu bytes, at most %zu)",
		    n ? "too long an" : "empty", n, sizeof(sun->sun_path) - 1);
		return -1;
	}
	/* A leading NUL and no trailing one: socat's length, so both meet. */
	memcpy(sun->sun_path + 1, name, n);
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
	return 0;
}

/* The byte a backslash escape in a quoted item stands for. */
static int
net_data_escape(int c)
{
	switch (c) {
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case 't':
		return '\t';
	case 'f':
		return '\f';
	case 'b':
		return '\b';
	case 'a':
		return '\a';
	case 'e':
		return '\033';
	case '0':
		return '\0';
	}
	return c;
}

/* A decimal number of the size type names, in host byte order. */
static int
net_data_number(
    int type, const char **pp, unsigned char *out, size_t room, size_t *n)
{
	union {
		int i;
		long l;
		short s;
		signed char b;
	} v;
	size_t size;
	char *end;
	long long x;

	errno = 0;
	x = strtoll(*pp, &end, 10);
	if (end == *pp || errno != 0)
		return -1;
	switch (type) {
	case 'l':
	case 'L':
		v.l = (long)x;
		size = sizeof(long);
		break;
	case 's':
	case 'S':
		v.s = (short)x;
		size = sizeof(short);
		break;
	case 'b':
	case 'B':
		v.b = (signed char)x;
		size = 1;
		break;
	default:
		v.i = (int)x;
		size = sizeof(int);
	}
	if (room - *n < size)
		return -2;
	memcpy(out + *n, &v, size);
	*n += size;
	*pp = end;
	return 0;
}

/*
 * One item of type at *pp into out (room bytes, *n used).  Returns 0, -1
 * for bad syntax with *why set, or -2 when out is full.
 */
static int
net_data_item(int type, const char **pp, unsigned char *out, size_t room,
    size_t *n, const char **why)
{
	const char *p = *pp;
	int c, hi, lo;

	switch (type) {
	case 'x':
		while ((hi = opts_hexval(p[0])) >= 0) {
			if ((lo = opts_hexval(p[1])) < 0) {
				*why = "odd number of hex digits";
				return -1;
			}
			if (*n == room)
				return -2;
			out[(*n)++] = (unsigned char)(hi << 4 | lo);
			p += 2;
		}
		break;
	case '"':
	case '\'':
		while ((c = *p++) != type) {
			if (c == '\\' && *p != '\0')
				c = net_data_escape(*p++);
			else if (c == '\0' || c == '\\') {
				*why = "unterminated quote";
				return -1;
			}
			if (*n == room)
				return -2;
			out[(*n)++] = (unsigned char)c;
		}
		break;
	default:
		if ((c = net_data_number(type, &p, out, room, n)) != 0) {
			*why = "a number expected";
			return c;
		}
	}
	if (p == *pp) {
		*why = "neither a type letter nor data";
		return -1;
	}
	*pp = p;
	return 0;
}

int
net_parse_sockaddr(const char *text, int family, struct sockaddr_storage *ss,
    socklen_t *len, char *err)
{
	const size_t off = offsetof(struct sockaddr, sa_data);
	unsigned char *out = (unsigned char *)ss + off;
	const char *p = text, *at, *why = NULL;
	size_t n = 0;
	int type = 'i', rc;

	memset(ss, 0, sizeof(*ss));
	ss->ss_family = (sa_family_t)family;
	while (*p != '\0') {
		if (*p == ' ' || *p == '\t') {
			p++;
			continue;
		}
		at = p;
		/* A type letter starts an item; without one the last type goes on. */
		if (strchr("x\"'iIlLsSbB", *p) != NULL)
			type = *p++;
		rc = net_data_item(type, &p, out, sizeof(*ss) - off, &n, &why);
		if (rc == -2) {
			snprintf(err, DUCT_ERR_LEN,
			    "socket address data longer than %zu bytes",
			    sizeof(*ss) - off);
			return -1;
		}
		if (rc == -1) {
			snprintf(err, DUCT_ERR_LEN,
			    "bad socket address data at \"%.20s\": %s", at,
			    why);
			return -1;
		}
	}
	*len = (socklen_t)(off + n);
	return 0;
}

/* Appends n in decimal at p; returns the new end. */
static char *
net_put_decimal(char *p, unsigned n)
{
	char num[10];
	size_t i = sizeof(num);

	do {
		num[--i] = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0 && i > 0);
	memcpy(p, num + i, sizeof(num) - i);
	return p + sizeof(num) - i;
}

/*
 * An IPv4 address in dotted decimal, as inet_ntop() prints it, but
 * without the sprintf() inside it (see net_join_hostport).
 */
static void
net_format_in(const struct in_addr *a, char *host, size_t hlen)
{
	const unsigned char *b = (const unsigned char *)&a->s_addr;
	char buf[INET_ADDRSTRLEN], *p = buf;
	int i;

	for (i = 0; i < 4; i++) {
		if (i > 0)
			*p++ = '.';
		p = net_put_decimal(p, b[i]);
	}
	*p = '\0';
	xstrlcpy(host, buf, hlen);
}

void
net_format_host(const struct sockaddr *sa, char *host, size_t hlen, int *port)
{
	*port = 0;
	host[0] = '\0';
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		net_format_in(&in->sin_addr, host, hlen);
		*port = ntohs(in->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, hlen);
		*port = ntohs(in6->sin6_port);
	}
}

/*
 * "host:port", or "[host]:port" for IPv6, into out (truncated to fit).
 * Without stdio: a forked child that logs nothing then never runs
 * printf's code, whose pages cost it a fault each (bench/README).
 */
static void
net_join_hostport(
    const char *host, bool brackets, int port, char *out, size_t outlen)
{
	char buf[INET6_ADDRSTRLEN + 14], *p = buf;
	size_t hlen = strnlen(host, INET6_ADDRSTRLEN);

	if (brackets)
		*p++ = '[';
	memcpy(p, host, hlen);
	p += hlen;
	if (brackets)
		*p++ = ']';
	*p++ = ':';
	p = net_put_decimal(p, (unsigned)port);
	*p = '\0';
	if (outlen > 0)
		xstrlcpy(out, buf, outlen);
}

void
net_format(const struct sockaddr *sa, socklen_t len, char *out, size_t outlen)
{
	char host[INET6_ADDRSTRLEN];
	int port;

	switch (sa->sa_family) {
	case AF_INET:
	case AF_INET6:
		net_format_host(sa, host, sizeof(host), &port);
		net_join_hostport(
		    host, sa->sa_family == AF_INET6, port, out, outlen);
		break;
	case AF_UNIX: {
		const struct sockaddr_un *sun = (const void *)sa;
		size_t max = len > offsetof(struct sockaddr_un, sun_path)
		    ? len - offsetof(struct sockaddr_un, sun_path)
		    : 0;

		if (max > 1 && sun->sun_path[0] == '\0')
			/* The abstract namespace, shown as ss(8) does. */
			snprintf(out, outlen, "@%.*s", (int)(max - 1),
			    sun->sun_path + 1);
		else if (max == 0 || sun->sun_path[0] == '\0')
			snprintf(out, outlen, "(unnamed)");
		else
			snprintf(out, outlen, "%.*s",
			    (int)strnlen(sun->sun_path, max), sun->sun_path);
		break;
	}
	default:
		snprintf(out, outlen, "(family %d)", sa->sa_family);
	}
}

int
net_pick_family(int forced, const struct optvals *o, int fallback)
{
	if (forced != AF_UNSPEC)
		return forced;
	if (o->given[OPT_PF])
		return o->pf;
	return fallback;
}

int
net_check_bind(const char *bind, char *err)
{
	char *host, *port;
	int rc = 0;

	if (bind == NULL)
		return 0;
	if (net_split_hostport(bind, &host, &port, err) == -1)
		return -1;
	if (port != NULL && net_check_port(port, err) == -1)
		rc = -1;
	free(host);
	free(port);
	return rc;
}

int
net_bind_hostport(int fd, const char *text, int family, int socktype,
    const char *port, char *err)
{
	struct addrinfo *res;
	char *host, *bport;
	int rc;

	if (net_split_hostport(text, &host, &bport, err) == -1)
		return -1;
	rc = net_resolve(
	    host, bport ? bport : port, family, socktype, true, &res, err);
	if (rc == 0) {
		rc = net_bind(fd, res->ai_addr, res->ai_addrlen, err);
		freeaddrinfo(res);
	}
	free(host);
	free(bport);
	return rc;
}

/* The number of ports lowport picks from: 640 to 1023. */
#define NET_LOWPORTS 384

int
net_bind_local(
    int fd, const struct optvals *o, int family, int socktype, char *err)
{
	const char *host = o->bind;
	char port[8];
	int i, first;

	if (host == NULL && !o->given[OPT_SOURCEPORT] && !o->lowport)
		return 0;
	if (host == NULL)
		host = family == AF_INET6 ? "::" : "0.0.0.0";
	if (!o->lowport) {
		*net_put_decimal(port, (unsigned)o->sourceport) = '\0';
		return net_bind_hostport(fd, host, family, socktype,
		    o->given[OPT_SOURCEPORT] ? port : NULL, err);
	}
	/* Start somewhere else each time, as a random source port would. */
	first = (int)(getpid() % NET_LOWPORTS);
	for (i = 0; i < NET_LOWPORTS; i++) {
		*net_put_decimal(
		    port, (unsigned)(640 + (first + i) % NET_LOWPORTS)) = '\0';
		if (net_bind_hostport(fd, host, family, socktype, port, err) ==
		    0)
			return 0;
		if (errno != EADDRINUSE)
			return -1;
	}
	snprintf(err, DUCT_ERR_LEN, "lowport: no free port from 640 to 1023");
	return -1;
}

int
net_unix_autobind(int fd, char *err)
{
	struct sockaddr_un sun;

	/* Only the family: Linux picks a unique abstract name. */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sa_family_t)) == 0)
		return 0;
	snprintf(err, DUCT_ERR_LEN, "bind (automatic): %s", strerror(errno));
	return -1;
}

bool
net_addr_equal(const struct sockaddr *a, socklen_t alen,
    const struct sockaddr *b, socklen_t blen)
{
	if (a->sa_family != b->sa_family)
		return false;
	switch (a->sa_family) {
	case AF_INET: {
		const struct sockaddr_in *x = (const void *)a;
		const struct sockaddr_in *y = (const void *)b;

		return x->sin_port == y->sin_port &&
		    x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *x = (const void *)a;
		const struct sockaddr_in6 *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		    memcmp(&x->sin6_addr, &y->sin6_addr,
			sizeof(x->sin6_addr)) == 0;
	}
	case AF_UNIX: {
		const struct sockaddr_un *x = (const void *)a;
		const struct sockaddr_un *y = (const void *)b;
		size_t off = offsetof(struct sockaddr_un, sun_path);
		size_t xl = alen > off ? alen - off : 0;
		size_t yl = blen > off ? blen - off : 0;

		/* A path may come with or without its terminating NUL. */
		if (xl > 0 && x->sun_path[0] != '\0')
			xl = strnlen(x->sun_path, xl);
		if (yl > 0 && y->sun_path[0] != '\0')
			yl = strnlen(y->sun_path, yl);
		return xl > 0 && xl == yl &&
		    memcmp(x->sun_path, y->sun_path, xl) == 0;
	}
	}
	return alen == blen && memcmp(a, b, alen) == 0;
}

size_t
net_dgram_max(int fd)
{
	socklen_t len = sizeof(int);
	int domain, sndbuf;

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) == -1)
		return 0;
	switch (domain) {
	case AF_INET:
		return IP_MAXPACKET - sizeof(struct ip) - sizeof(struct udphdr);
	case AF_INET6:
		return IP_MAXPACKET - sizeof(struct udphdr);
	case AF_UNIX:
		/* Linux refuses a datagram above the send buffer less 32. */
		len = sizeof(sndbuf);
		if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len) ==
			-1 ||
		    sndbuf <= 32)
			return 0;
		return (size_t)sndbuf - 32;
	}
	return 0;
}

static int
net_tcp_try(const struct net_tcp_req *req, const struct addrinfo *ai, char *err)
{
	const struct optvals *o = req->opts;
	int fd;

	if ((fd = net_socket(ai->ai_family, SOCK_STREAM, err)) == -1)
		return -1;
	if (opts_apply_sock(fd, o, err) == -1)
		goto fail;
	if (net_bind_local(fd, o, ai->ai_family, SOCK_STREAM, err) == -1)
		goto fail;
	if (net_connect(
		fd, ai->ai_addr, ai->ai_addrlen, o->connect_timeout, err) == -1)
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

int
net_tcp_connect(
    const struct net_tcp_req *req, char *where, size_t wlen, char *err)
{
	struct addrinfo *fresh;
	const struct addrinfo *ai, *list;
	int fd = -1;

	list = net_addresses(req->host, req->port, req->family, SOCK_STREAM,
	    req->known, &fresh, err);
	if (list == NULL)
		return -1;
	for (ai = list; ai != NULL; ai = ai->ai_next) {
		net_format(ai->ai_addr, ai->ai_addrlen, where, wlen);
		if (req->trying != NULL)
			req->trying(where, req->arg);
		fd = net_tcp_try(req, ai, err);
		if (fd != -1 || errno == EINTR)
			break;
	}
	if (fresh != NULL)
		freeaddrinfo(fresh);
	return fd;
}

int
net_connect_start(int fd, const struct sockaddr *sa, socklen_t len, char *err)
{
	if (connect(fd, sa, len) == 0)
		return 0;
	if (errno == EINPROGRESS || errno == EINTR)
		return 1;
	snprintf(err, DUCT_ERR_LEN, "connect: %s", strerror(errno));
	return -1;
}

int
net_connect_result(int fd, char *err)
{
	socklen_t elen = sizeof(int);
	int soerr = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &elen) == -1)
		soerr = errno;
	if (soerr == 0)
		return 0;
	snprintf(err, DUCT_ERR_LEN, "connect: %s", strerror(soerr));
	errno = soerr;
	return -1;
}

/* Tries c->ai and the addresses after it until one is under way. */
static int
net_tcp_next(const struct net_tcp_req *req, struct net_tcp_conn *c, char *err)
{
	const struct optvals *o = req->opts;
	int rc;

	for (; c->ai != NULL; c->ai = c->ai->ai_next) {
		net_format(c->ai->ai_addr, c->ai->ai_addrlen, c->where,
		    sizeof(c->where));
		if (req->trying != NULL)
			req->trying(c->where, req->arg);
		c->fd = net_socket(c->ai->ai_family, SOCK_STREAM, err);
		if (c->fd == -1)
			continue;
		if (opts_apply_sock(c->fd, o, err) == 0 &&
		    net_bind_local(
			c->fd, o, c->ai->ai_family, SOCK_STREAM, err) == 0 &&
		    (rc = net_connect_start(
			 c->fd, c->ai->ai_addr, c->ai->ai_addrlen, err)) != -1)
			return rc;
		close(c->fd);
		c->fd = -1;
	}
	return -1;
}

int
net_tcp_start(const struct net_tcp_req *req, struct net_tcp_conn *c, char *err)
{
	int rc;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->ai = net_addresses(req->host, req->port, req->family, SOCK_STREAM,
	    req->known, &c->fresh, err);
	if (c->ai == NULL)
		return -1;
	if ((rc = net_tcp_next(req, c, err)) == -1)
		net_tcp_conn_end(c, false);
	return rc;
}

int
net_tcp_continue(const struct net_tcp_req *req, struct net_tcp_conn *c,
    bool timed_out, char *err)
{
	int rc;

	if (timed_out) {
		snprintf(err, DUCT_ERR_LEN, "connect: timed out after %gs",
		    req->opts->connect_timeout);
		errno = ETIMEDOUT;
	} else if (net_connect_result(c->fd, err) == 0) {
		return 0;
	}
	close(c->fd);
	c->fd = -1;
	c->ai = c->ai->ai_next;
	if ((rc = net_tcp_next(req, c, err)) == -1)
		net_tcp_conn_end(c, false);
	return rc;
}

void
net_tcp_conn_end(struct net_tcp_conn *c, bool keep_fd)
{
	if (!keep_fd && c->fd != -1)
		close(c->fd);
	c->fd = -1;
	if (c->fresh != NULL)
		freeaddrinfo(c->fresh);
	c->fresh = NULL;
	c->ai = NULL;
}

int
net_tcp_listen(const char *port, int family, const struct optvals *o,
    char *where, size_t wlen, char *err)
{
	struct sockaddr_storage ss;
	struct addrinfo *res;
	socklen_t len = sizeof(ss);
	char *host = NULL, *bport = NULL;
	int fd, one = 1, rc;
	size_t n;

	if (o->bind != NULL &&
	    net_split_hostport(o->bind, &host, &bport, err) == -1)
		return -1;
	/* No bind= host: the IPv4 wildcard unless IPv6 was asked for. */
	if (host == NULL || *host == '\0') {
		free(host);
		host = xstrdup(family == AF_INET6 ? "::" : "0.0.0.0");
	}
	rc = net_resolve(host, port, family, SOCK_STREAM, true, &res, err);
	free(host);
	free(bport);
	if (rc == -1)
		return -1;
	/* A socket the service manager bound for us: serve on it. */
	fd = activation_take(res->ai_addr, res->ai_addrlen, SOCK_STREAM);
	if (fd != -1) {
		freeaddrinfo(res);
		if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
			net_format((struct sockaddr *)&ss, len, where, wlen);
		else
			snprintf(where, wlen, "?");
		n = strlen(where);
		snprintf(where + n, n < wlen ? wlen - n : 0,
		    " (socket passed by the service manager)");
		return fd;
	}
	if ((fd = net_socket(res->ai_family, SOCK_STREAM, err)) == -1)
		goto fail;
	if (!o->given[OPT_REUSEADDR])
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (opts_apply_sock(fd, o, err) == -1 ||
	    net_bind(fd, res->ai_addr, res->ai_addrlen, err) == -1)
		goto fail;
	if (listen(fd, o->backlog) == -1) {
		snprintf(err, DUCT_ERR_LEN, "listen: %s", strerror(errno));
		goto fail;
	}
	freeaddrinfo(res);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		net_format((struct sockaddr *)&ss, len, where, wlen);
	else
		snprintf(where, wlen, "?");
	return fd;
fail:
	if (fd != -1)
		close(fd);
	freeaddrinfo(res);
	return -1;
}
