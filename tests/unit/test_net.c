/*
 * Unit tests of the socket helpers a forked child leans on: printing an
 * address without stdio (IPv4, bracketed IPv6, the port's extremes and
 * truncation), and resolving a numeric HOST:PORT once, which must give
 * up on names, service names and a family that does not fit.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <netdb.h>
#include <string.h>

#include "net.h"
#include "unit.h"

static void
format_in(const char *ip, int port, size_t outlen, char *out)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, ip, &sin.sin_addr);
	net_format((struct sockaddr *)&sin, sizeof(sin), out, outlen);
}

static void
test_format(void)
{
	struct sockaddr_in6 sin6;
	char out[NET_ADDRSTRLEN];

	format_in("127.0.0.1", 8080, sizeof(out), out);
	CHECK(strcmp(out, "127.0.0.1:8080") == 0);
	format_in("10.1.2.3", 0, sizeof(out), out);
	CHECK(strcmp(out, "10.1.2.3:0") == 0);
	format_in("255.255.255.255", 65535, sizeof(out), out);
	CHECK(strcmp(out, "255.255.255.255:65535") == 0);
	format_in("127.0.0.1", 8080, 6, out);
	CHECK(strcmp(out, "127.0") == 0);
	memset(out, 'x', sizeof(out));
	format_in("127.0.0.1", 8080, 1, out);
	CHECK(out[0] == '\0' && out[1] == 'x');

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(443);
	inet_pton(AF_INET6, "::1", &sin6.sin6_addr);
	net_format((struct sockaddr *)&sin6, sizeof(sin6), out, sizeof(out));
	CHECK(strcmp(out, "[::1]:443") == 0);
	inet_pton(AF_INET6, "fe80:1:2:3:4:5:6:7", &sin6.sin6_addr);
	sin6.sin6_port = htons(1);
	net_format((struct sockaddr *)&sin6, sizeof(sin6), out, sizeof(out));
	CHECK(strcmp(out, "[fe80:1:2:3:4:5:6:7]:1") == 0);
}

static int
literal_family(const char *host, const char *port, int family)
{
	struct addrinfo *res =
	    net_resolve_literal(host, port, family, SOCK_STREAM);
	int f;

	if (res == NULL)
		return -1;
	f = res->ai_family;
	CHECK(res->ai_socktype == SOCK_STREAM);
	freeaddrinfo(res);
	return f;
}

static void
test_literal(void)
{
	struct addrinfo *res;
	char out[NET_ADDRSTRLEN];

	CHECK(literal_family("127.0.0.1", "80", AF_UNSPEC) == AF_INET);
	CHECK(literal_family("127.0.0.1", "80", AF_INET) == AF_INET);
	CHECK(literal_family("127.0.0.1", "80", AF_INET6) == -1);
	CHECK(literal_family("[::1]", "80", AF_UNSPEC) == AF_INET6);
	CHECK(literal_family("::1", "80", AF_INET6) == AF_INET6);
	CHECK(literal_family("::1", "80", AF_INET) == -1);
	/* Names and service names are left to each peer's own lookup. */
	CHECK(literal_family("localhost", "80", AF_UNSPEC) == -1);
	CHECK(literal_family("127.0.0.1", "http", AF_UNSPEC) == -1);
	CHECK(literal_family("", "80", AF_UNSPEC) == -1);
	CHECK(literal_family("127.0.0.1", NULL, AF_UNSPEC) == -1);

	res = net_resolve_literal("127.0.0.1", "8080", AF_UNSPEC, SOCK_DGRAM);
	CHECK(res != NULL && res->ai_next == NULL);
	if (res != NULL) {
		CHECK(res->ai_socktype == SOCK_DGRAM);
		net_format(res->ai_addr, res->ai_addrlen, out, sizeof(out));
		CHECK(strcmp(out, "127.0.0.1:8080") == 0);
		freeaddrinfo(res);
	}
}

int
main(void)
{
	test_format();
	test_literal();
	return unit_done("test_net");
}
