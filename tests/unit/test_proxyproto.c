/*
 * SPDX-License-Identifier: ISC
 * The PROXY protocol header (src/proxyproto.c): what proxy_build() writes
 * proxy_read() reads back; v1's grammar taken strictly; the bounds; and
 * no byte after a header consumed.  Over a socketpair, no network.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "net.h"
#include "proxyproto.h"
#include "unit.h"

/* Reads a header from bytes sent down a socketpair; err on failure. */
static int
read_bytes(const void *buf, size_t len, struct sockaddr_storage *src,
    socklen_t *slen, char *rest, size_t restlen, char *err)
{
	struct sockaddr_storage dst;
	socklen_t dlen;
	int sv[2], rc;
	ssize_t n;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		return -2;
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	if (write(sv[1], buf, len) != (ssize_t)len)
		return -2;
	shutdown(sv[1], SHUT_WR);
	rc = proxy_read(sv[0], clock_deadline(1), src, slen, &dst, &dlen, err);
	if (rest != NULL) {
		n = read(sv[0], rest, restlen - 1);
		rest[n > 0 ? n : 0] = '\0';
	}
	close(sv[0]);
	close(sv[1]);
	return rc;
}

static void
sin4(struct sockaddr_in *s, const char *host, int port)
{
	memset(s, 0, sizeof(*s));
	s->sin_family = AF_INET;
	s->sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, host, &s->sin_addr);
}

static void
test_round_trip(void)
{
	struct sockaddr_in a, b;
	struct sockaddr_in6 c, d;
	struct sockaddr_storage src;
	socklen_t slen;
	unsigned char hdr[PROXY_MAX + 16];
	char out[NET_ADDRSTRLEN], rest[32], err[DUCT_ERR_LEN];
	size_t n;
	int v;

	sin4(&a, "192.0.2.7", 51234);
	sin4(&b, "198.51.100.1", 443);
	n = proxy_build(1, (struct sockaddr *)&a, (struct sockaddr *)&b, hdr);
	CHECK(n == strlen("PROXY TCP4 192.0.2.7 198.51.100.1 51234 443\r\n"));
	CHECK(memcmp(hdr, "PROXY TCP4 192.0.2.7 198.51.100.1 51234 443\r\n",
		  n) == 0);
	for (v = 1; v <= 2; v++) {
		n = proxy_build(
		    v, (struct sockaddr *)&a, (struct sockaddr *)&b, hdr);
		memcpy(hdr + n, "after", 5);
		CHECK(read_bytes(hdr, n + 5, &src, &slen, rest, sizeof(rest),
			  err) == 0);
		net_format((struct sockaddr *)&src, slen, out, sizeof(out));
		CHECK(strcmp(out, "192.0.2.7:51234") == 0);
		CHECK(strcmp(rest, "after") == 0);
	}
	memset(&c, 0, sizeof(c));
	c.sin6_family = AF_INET6;
	c.sin6_port = htons(7);
	inet_pton(AF_INET6, "2001:db8::1", &c.sin6_addr);
	d = c;
	for (v = 1; v <= 2; v++) {
		n = proxy_build(
		    v, (struct sockaddr *)&c, (struct sockaddr *)&d, hdr);
		CHECK(read_bytes(hdr, n, &src, &slen, NULL, 0, err) == 0);
		net_format((struct sockaddr *)&src, slen, out, sizeof(out));
		CHECK(strcmp(out, "[2001:db8::1]:7") == 0);
	}
	/* No client known: UNKNOWN and LOCAL, read as "no address". */
	for (v = 1; v <= 2; v++) {
		n = proxy_build(v, NULL, NULL, hdr);
		CHECK(read_bytes(hdr, n, &src, &slen, NULL, 0, err) == 0);
		CHECK(slen == 0);
	}
	CHECK(proxy_version("v1") == 1 && proxy_version("V2") == 2);
	CHECK(proxy_version("v3") == -1 && proxy_version("") == -1);
}

static void
test_bad_v1(void)
{
	static const char *const bad[] = {
		"PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n",
		"PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n",
		"PROXY TCP4 ::1 ::1 1 2\r\n",
		"PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n",
		"PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r",
		"proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n",
		"GET / HTTP/1.0\r\n\r\n",
	};
	struct sockaddr_storage src;
	socklen_t slen;
	char err[DUCT_ERR_LEN], longline[200];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CHECK(read_bytes(bad[i], strlen(bad[i]), &src, &slen, NULL, 0,
			  err) == -1);
		CHECK(err[0] != '\0');
	}
	/* 108 bytes and more without a CRLF: over the bound. */
	memset(longline, '1', sizeof(longline));
	memcpy(longline, "PROXY TCP4 ", 11);
	memcpy(longline + 150, "\r\n", 2);
	CHECK(read_bytes(longline, 152, &src, &slen, NULL, 0, err) == -1);
	CHECK(strstr(err, "no CRLF within 107") != NULL);
	/* The longest legal line fits. */
	CHECK(read_bytes("PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
			 "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 "
			 "65535\r\n",
		  104, &src, &slen, NULL, 0, err) == 0);
}

static void
test_bad_v2(void)
{
	unsigned char h[16 + 12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a,
		0x51, 0x55, 0x49, 0x54, 0x0a, 0x21, 0x11, 0x00, 0x0c };
	struct sockaddr_storage src;
	socklen_t slen;
	char err[DUCT_ERR_LEN];

	CHECK(read_bytes(h, sizeof(h), &src, &slen, NULL, 0, err) == 0);
	h[12] = 0x31; /* version 3 */
	CHECK(read_bytes(h, sizeof(h), &src, &slen, NULL, 0, err) == -1);
	h[12] = 0x22; /* command 2 */
	CHECK(read_bytes(h, sizeof(h), &src, &slen, NULL, 0, err) == -1);
	h[12] = 0x21;
	h[13] = 0x12; /* UDP over a stream */
	CHECK(read_bytes(h, sizeof(h), &src, &slen, NULL, 0, err) == -1);
	h[13] = 0x21; /* TCP6 needs 36 bytes */
	CHECK(read_bytes(h, sizeof(h), &src, &slen, NULL, 0, err) == -1);
	h[13] = 0x11;
	h[14] = 0xff; /* far over the bound */
	CHECK(read_bytes(h, sizeof(h), &src, &slen, NULL, 0, err) == -1);
	CHECK(strstr(err, "is over 512") != NULL);
	h[14] = 0x00;
	h[15] = 0x20; /* 32 bytes promised, 12 sent: end of file */
	CHECK(read_bytes(h, sizeof(h), &src, &slen, NULL, 0, err) == -1);
	h[15] = 0x0c;
	h[11] = 0x0b; /* bad signature */
	CHECK(read_bytes(h, sizeof(h), &src, &slen, NULL, 0, err) == -1);
}

int
main(void)
{
	test_round_trip();
	test_bad_v1();
	test_bad_v2();
	return unit_done("test_proxyproto");
}
