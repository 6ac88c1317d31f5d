/*
 * SPDX-License-Identifier: ISC
 * Unit tests of the threaded lookup: an answer arrives through the
 * descriptor, a failed lookup reports getaddrinfo()'s code, and requests
 * abandoned before or after their answer leak nothing (run under ASan and
 * valgrind with the rest).
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <poll.h>
#include <string.h>

#include "duct.h"
#include "lookup.h"
#include "unit.h"

static struct addrinfo hints = {
	.ai_family = AF_INET,
	.ai_socktype = SOCK_STREAM,
};

/* Waits up to 10 s for fd to turn readable. */
static int
wait_readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 10000) == 1;
}

static void
test_answer(void)
{
	char err[DUCT_ERR_LEN];
	struct addrinfo *res = NULL;
	struct lookup *r;
	int fd = -1;

	hints.ai_flags = AI_NUMERICHOST;
	r = lookup_start("127.0.0.1", "4242", &hints, &fd, err);
	CHECK(r != NULL);
	if (r == NULL)
		return;
	CHECK(wait_readable(fd));
	CHECK(lookup_ready(r));
	CHECK(lookup_finish(r, &res) == 0);
	CHECK(res != NULL && res->ai_family == AF_INET);
	if (res != NULL) {
		struct sockaddr_in *sin = (struct sockaddr_in *)res->ai_addr;

		CHECK(ntohs(sin->sin_port) == 4242);
		CHECK(ntohl(sin->sin_addr.s_addr) == 0x7f000001);
		freeaddrinfo(res);
	}
}

static void
test_failure(void)
{
	char err[DUCT_ERR_LEN];
	struct addrinfo *res = NULL;
	struct lookup *r;
	int fd = -1;

	/* Not a number, and numeric hosts only: fails without any DNS. */
	hints.ai_flags = AI_NUMERICHOST;
	r = lookup_start("not-a-number", "1", &hints, &fd, err);
	CHECK(r != NULL);
	if (r == NULL)
		return;
	CHECK(wait_readable(fd));
	CHECK(lookup_finish(r, &res) != 0);
	CHECK(res == NULL);
}

static void
test_abandoned(void)
{
	char err[DUCT_ERR_LEN];
	struct lookup *r;
	int i, fd = -1;

	hints.ai_flags = AI_NUMERICHOST;
	/* At once, while the thread may still be looking up ... */
	for (i = 0; i < 50; i++) {
		r = lookup_start("127.0.0.1", "1", &hints, &fd, err);
		CHECK(r != NULL);
		if (r != NULL)
			lookup_abort(r);
	}
	/* ... and after the answer came. */
	r = lookup_start("127.0.0.1", "1", &hints, &fd, err);
	CHECK(r != NULL);
	if (r == NULL)
		return;
	CHECK(wait_readable(fd));
	lookup_abort(r);
}

int
main(void)
{
	test_answer();
	test_failure();
	test_abandoned();
	return unit_done("test_lookup");
}
