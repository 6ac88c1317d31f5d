/*
 * SPDX-License-Identifier: ISC
 * Unit tests of the datagram endpoints (dgram.c) over loopback UDP
 * sockets: the read-ahead queue (drain, take by sender, give), one read
 * per datagram, a datagram larger than the buffer cut and not split,
 * filtering by peer, sendto to the peer, and end of file after one.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dgram.h"
#include "log.h"
#include "unit.h"

/* Every wait for a datagram has this deadline, in milliseconds. */
#define WAIT_MS 10000

/* A UDP socket bound to 127.0.0.1 port 0; its address in *sin. */
static int
udp_bound(struct sockaddr_in *sin, bool nonblock)
{
	socklen_t len = sizeof(*sin);
	int fd;

	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return -1;
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)sin, sizeof(*sin)) == -1 ||
	    getsockname(fd, (struct sockaddr *)sin, &len) == -1 ||
	    (nonblock && fcntl(fd, F_SETFL, O_NONBLOCK) == -1)) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool
send_to(int fd, const char *text, const struct sockaddr_in *to)
{
	return sendto(fd, text, strlen(text), 0, (const struct sockaddr *)to,
		   sizeof(*to)) == (ssize_t)strlen(text);
}

/* Waits (bounded) until fd has a datagram to read. */
static bool
readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, WAIT_MS) == 1;
}

/* Drains fd into q until q holds n datagrams; each wait is bounded. */
static size_t
drain_n(int fd, struct dgram_queue *q, size_t n)
{
	char err[DUCT_ERR_LEN];

	while (q->n < n && readable(fd))
		if (dgram_drain(fd, q, 64, err) == -1)
			break;
	return q->n;
}

static bool
msg_is(const struct dgram_msg *m, const char *text)
{
	return m != NULL && m->len == strlen(text) &&
	    memcmp(m->data, text, m->len) == 0;
}

static void
test_queue(void)
{
	struct sockaddr_in r, a, b;
	struct dgram_queue q, mine;
	int rfd = udp_bound(&r, true), afd = udp_bound(&a, false),
	    bfd = udp_bound(&b, false);

	CHECK(rfd != -1 && afd != -1 && bfd != -1);
	dgram_queue_init(&q);
	dgram_queue_init(&mine);
	CHECK(send_to(afd, "a1", &r));
	CHECK(send_to(bfd, "b1", &r));
	CHECK(send_to(afd, "a2", &r));
	CHECK(send_to(bfd, "b2", &r));
	CHECK(send_to(afd, "", &r)); /* an empty datagram is one too */
	CHECK(drain_n(rfd, &q, 5) == 5);

	/* A's datagrams move over, in order; B's stay, in order. */
	dgram_queue_take(&q, (struct sockaddr *)&a, sizeof(a), &mine);
	CHECK(mine.n == 3 && q.n == 2);
	CHECK(msg_is(mine.head, "a1"));
	CHECK(mine.head != NULL && msg_is(mine.head->next, "a2"));
	CHECK(mine.tail != NULL && mine.tail->len == 0);
	CHECK(msg_is(q.head, "b1") && msg_is(q.tail, "b2"));

	dgram_queue_clear(&q);
	dgram_queue_clear(&mine);
	CHECK(q.n == 0 && q.head == NULL && mine.n == 0);
	close(rfd);
	close(afd);
	close(bfd);
}

/* Reads from ep, waiting (bounded) while it wants to read. */
static ssize_t
ep_read(struct endpoint *ep, char *buf, size_t len)
{
	ssize_t n;

	while ((n = ep->ops->read(ep, buf, len)) == IO_WANT_READ)
		if (!readable(ep->rfd))
			return IO_ERR;
	return n;
}

static void
test_endpoint(void)
{
	struct sockaddr_in r, a, b;
	struct endpoint ep;
	char buf[64];
	int rfd = udp_bound(&r, true), afd = udp_bound(&a, false),
	    bfd = udp_bound(&b, false);
	ssize_t n;

	CHECK(rfd != -1 && afd != -1 && bfd != -1);
	memset(&ep, 0, sizeof(ep));
	snprintf(ep.label, sizeof(ep.label), "test");
	dgram_init(&ep, rfd, EP_READABLE | EP_WRITABLE,
	    DGRAM_SENDTO | DGRAM_FILTER, (struct sockaddr *)&a, sizeof(a));
	CHECK(ep.flags & EP_DGRAM);

	/* B is not the peer: its datagram is dropped, A's is read. */
	CHECK(send_to(bfd, "from b", &r));
	CHECK(send_to(afd, "from a", &r));
	n = ep_read(&ep, buf, sizeof(buf));
	CHECK(n == 6 && memcmp(buf, "from a", 6) == 0);

	/* One read is one datagram, never two. */
	CHECK(send_to(afd, "one", &r));
	CHECK(send_to(afd, "two", &r));
	CHECK(ep_read(&ep, buf, sizeof(buf)) == 3);
	CHECK(ep_read(&ep, buf, sizeof(buf)) == 3);
	CHECK(memcmp(buf, "two", 3) == 0);

	/* Larger than the buffer: cut to it, the rest not read later. */
	CHECK(send_to(afd, "0123456789", &r));
	CHECK(send_to(afd, "next", &r));
	CHECK(ep_read(&ep, buf, 4) == 4);
	CHECK(memcmp(buf, "0123", 4) == 0);
	CHECK(ep_read(&ep, buf, sizeof(buf)) == 4);
	CHECK(memcmp(buf, "next", 4) == 0);

	/* A write is one datagram to the peer. */
	CHECK(ep.ops->write(&ep, "answer", 6) == 6);
	CHECK(readable(afd));
	CHECK(recv(afd, buf, sizeof(buf), 0) == 6);
	CHECK(memcmp(buf, "answer", 6) == 0);

	ep.ops->close(&ep);
	CHECK(ep.priv == NULL);
	close(afd);
	close(bfd);
}

static void
test_give_and_oneshot(void)
{
	struct sockaddr_in r, a;
	struct dgram_queue early;
	struct endpoint ep;
	char buf[64];
	int rfd = udp_bound(&r, true), afd = udp_bound(&a, false);

	CHECK(rfd != -1 && afd != -1);
	dgram_queue_init(&early);
	CHECK(send_to(afd, "early", &r));
	CHECK(drain_n(rfd, &early, 1) == 1);
	CHECK(send_to(afd, "later", &r));

	memset(&ep, 0, sizeof(ep));
	dgram_init(&ep, rfd, EP_READABLE, DGRAM_ONESHOT, NULL, 0);
	/* What was read ahead is read first, and is pending meanwhile. */
	dgram_give(&ep, &early);
	CHECK(early.n == 0);
	CHECK(ep.ops->pending != NULL && ep.ops->pending(&ep) > 0);
	CHECK(ep_read(&ep, buf, sizeof(buf)) == 5);
	CHECK(memcmp(buf, "early", 5) == 0);
	/* ONESHOT: end of file after one datagram, "later" stays unread. */
	CHECK(ep_read(&ep, buf, sizeof(buf)) == 0);
	ep.ops->close(&ep);
	close(afd);
}

int
main(void)
{
	/* The cut datagram's warning is expected. */
	log_set_level(LOG_LVL_ERR);
	test_queue();
	test_endpoint();
	test_give_and_oneshot();
	return unit_done("test_dgram");
}
