/*
 * SPDX-License-Identifier: ISC
 * Address text without the network (netaddr.h): parsing and checking
 * what the user wrote, before anything is opened.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <errno.h>
#include <netdb.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netaddr.h"
#include "options.h"
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

const char *
net_wildcard(int family)
{
	return family == AF_INET6 ? "::" : "0.0.0.0";
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
