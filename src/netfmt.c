/*
 * SPDX-License-Identifier: ISC
 * Socket addresses as text (netfmt.h).
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "netfmt.h"
#include "xmalloc.h"

char *
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
