/*
 * SPDX-License-Identifier: ISC
 * Unit tests of the socket helpers a forked child leans on: printing an
 * address without stdio (IPv4, bracketed IPv6, the port's extremes and
 * truncation), and resolving a numeric HOST:PORT once, which must give
 * up on names, service names and a family that does not fit; and socat's
 * data notation for the bytes of a generic socket address.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <netdb.h>
#include <string.h>
#include <unistd.h>

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

/* socat's data notation for generic socket addresses. */
static void
test_sockaddr_data(void)
{
	struct sockaddr_storage ss;
	const struct sockaddr_in *sin = (const void *)&ss;
	const unsigned char *d = (const unsigned char *)&ss + 2;
	char out[NET_ADDRSTRLEN], err[DUCT_ERR_LEN], big[2 * 130 + 2];
	socklen_t len;

	CHECK(net_parse_sockaddr("x1f907f000001x0000000000000000", AF_INET, &ss,
		  &len, err) == 0);
	CHECK(len == sizeof(struct sockaddr_in));
	CHECK(sin->sin_family == AF_INET && ntohs(sin->sin_port) == 8080);
	net_format((struct sockaddr *)&ss, len, out, sizeof(out));
	CHECK(strcmp(out, "127.0.0.1:8080") == 0);
	/* Items without a type letter go on with the last type. */
	CHECK(
	    net_parse_sockaddr("x1f90 7f000001", AF_INET, &ss, &len, err) == 0);
	CHECK(len == 8 && d[2] == 0x7f && d[5] == 1);
	CHECK(
	    net_parse_sockaddr("\"/tmp/s\\0\"", AF_UNIX, &ss, &len, err) == 0);
	CHECK(len == 2 + 7 && memcmp(d, "/tmp/s", 7) == 0);
	CHECK(net_parse_sockaddr("s-2B7", AF_INET, &ss, &len, err) == 0);
	CHECK(len == 2 + sizeof(short) + 1 && d[sizeof(short)] == 7);
	CHECK(net_parse_sockaddr("", AF_UNIX, &ss, &len, err) == 0 && len == 2);
	CHECK(net_parse_sockaddr("x123", AF_INET, &ss, &len, err) == -1);
	CHECK(strstr(err, "odd number of hex digits") != NULL);
	CHECK(net_parse_sockaddr("x12zz", AF_INET, &ss, &len, err) == -1);
	CHECK(strstr(err, "at \"zz\"") != NULL);
	CHECK(net_parse_sockaddr("\"open", AF_UNIX, &ss, &len, err) == -1);
	CHECK(strstr(err, "unterminated quote") != NULL);
	memset(big, '0', sizeof(big) - 1);
	big[0] = 'x';
	big[sizeof(big) - 1] = '\0';
	CHECK(net_parse_sockaddr(big, AF_INET, &ss, &len, err) == -1);
	CHECK(strstr(err, "longer than") != NULL);
}

/* A PORT kind's local address: bind='s host, else the family's wildcard. */
static void
test_ip_local(void)
{
	struct optvals o;
	struct addrinfo *res;
	char err[DUCT_ERR_LEN], where[NET_ADDRSTRLEN];

	opts_init(&o);
	CHECK(net_ip_local("5000", AF_UNSPEC, SOCK_DGRAM, &o, &res, err) == 0);
	net_format(res->ai_addr, res->ai_addrlen, where, sizeof(where));
	CHECK(strcmp(where, "0.0.0.0:5000") == 0);
	freeaddrinfo(res);
	CHECK(net_ip_local("5000", AF_INET6, SOCK_STREAM, &o, &res, err) == 0);
	net_format(res->ai_addr, res->ai_addrlen, where, sizeof(where));
	CHECK(strcmp(where, "[::]:5000") == 0);
	freeaddrinfo(res);
	/* bind='s port is the connecting kinds' business, not a listener's. */
	o.bind = (char *)"127.0.0.3:9";
	CHECK(net_ip_local("5000", AF_UNSPEC, SOCK_DGRAM, &o, &res, err) == 0);
	net_format(res->ai_addr, res->ai_addrlen, where, sizeof(where));
	CHECK(strcmp(where, "127.0.0.3:5000") == 0);
	freeaddrinfo(res);
	o.bind = (char *)"[::1";
	CHECK(net_ip_local("5000", AF_UNSPEC, SOCK_DGRAM, &o, &res, err) == -1);
	CHECK(strstr(err, "malformed") != NULL);
	o.bind = NULL;
}

/* SO_REUSEADDR is on unless reuseaddr= was given. */
static void
test_ip_bound(void)
{
	struct optvals o;
	struct sockaddr_in in;
	char err[DUCT_ERR_LEN];
	socklen_t len = sizeof(int);
	int fd, on = -1;

	memset(&in, 0, sizeof(in));
	in.sin_family = AF_INET;
	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	opts_init(&o);
	fd = net_ip_bound(
	    (struct sockaddr *)&in, sizeof(in), SOCK_DGRAM, &o, err);
	CHECK(fd >= 0);
	getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, &len);
	CHECK(on == 1);
	close(fd);
	o.given[OPT_REUSEADDR] = true;
	fd = net_ip_bound(
	    (struct sockaddr *)&in, sizeof(in), SOCK_STREAM, &o, err);
	CHECK(fd >= 0);
	getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, &len);
	CHECK(on == 0);
	close(fd);
}

/*
 * net_ip_open() over datagrams: with no_connect the socket only sends
 * (no peer yet), without it the socket is connected; the peer chosen is
 * handed back either way.
 */
static void
test_ip_open_dgram(void)
{
	struct net_tcp_req req;
	struct optvals o;
	struct sockaddr_storage peer, ss;
	socklen_t plen = 0, len = sizeof(ss);
	char err[DUCT_ERR_LEN], where[NET_ADDRSTRLEN];
	int fd;

	opts_init(&o);
	memset(&req, 0, sizeof(req));
	req.host = "127.0.0.1";
	req.port = "9";
	req.family = AF_UNSPEC;
	req.opts = &o;
	req.socktype = SOCK_DGRAM;
	req.no_connect = true;
	fd = net_ip_open(&req, &peer, &plen, where, sizeof(where), err);
	CHECK(fd >= 0);
	CHECK(strcmp(where, "127.0.0.1:9") == 0);
	CHECK(plen == sizeof(struct sockaddr_in));
	CHECK(getpeername(fd, (struct sockaddr *)&ss, &len) == -1);
	close(fd);
	req.no_connect = false;
	o.bind = (char *)"127.0.0.2";
	fd = net_ip_open(&req, &peer, &plen, where, sizeof(where), err);
	CHECK(fd >= 0);
	len = sizeof(ss);
	CHECK(getpeername(fd, (struct sockaddr *)&ss, &len) == 0);
	len = sizeof(ss);
	CHECK(getsockname(fd, (struct sockaddr *)&ss, &len) == 0);
	net_format((struct sockaddr *)&ss, len, where, sizeof(where));
	CHECK(strncmp(where, "127.0.0.2:", 10) == 0);
	close(fd);
	o.bind = NULL;
}

int
main(void)
{
	test_format();
	test_literal();
	test_sockaddr_data();
	test_ip_local();
	test_ip_bound();
	test_ip_open_dgram();
	return unit_done("test_net");
}
