/*
 * SPDX-License-Identifier: ISC
 * Unit tests of one pair's transfer (transfer.c over engine.c): end of
 * file passed on in both directions, the close timer (-t) after the first
 * one, CRLF conversion on an endpoint, and the adaptive buffer growing
 * under bulk reads, falling back after small ones and freed when idle.
 * The relay runs in a child over socketpairs; this process is its peers.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buffer.h"
#include "fdep.h"
#include "log.h"
#include "sig.h"
#include "transfer.h"
#include "unit.h"

/* No relay in these tests may run longer; a hang fails by SIGALRM. */
#define RELAY_LIMIT 20

/* Every wait for the relay has this deadline, in milliseconds. */
#define WAIT_MS 10000

/* The test's ends of the two socketpairs and the relay's pid. */
struct rig {
	int a, b; /* the peers of address 1 and address 2 */
	pid_t pid;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct xfer_config
config(double close_timeout)
{
	struct xfer_config c;

	memset(&c, 0, sizeof(c));
	c.close_timeout = close_timeout;
	c.forward = true;
	c.backward = true;
	c.splice = -1;
	return c;
}

/* The child's side: xfer_run over a1 and b1; its status is the exit. */
static void
relay_child(int a1, int b1, unsigned aflags, const struct xfer_config *cfg)
{
	struct endpoint a, b;
	char err[DUCT_ERR_LEN];

	alarm(RELAY_LIMIT);
	sig_init();
	/* fdep_init() fills in the descriptors' part; the rest starts at 0. */
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	snprintf(a.label, sizeof(a.label), "address 1");
	snprintf(b.label, sizeof(b.label), "address 2");
	if (fdep_init(&a, a1, a1, false, err) == -1 ||
	    fdep_init(&b, b1, b1, false, err) == -1) {
		fprintf(stderr, "fdep_init: %s\n", err);
		_exit(99);
	}
	a.flags |= aflags;
	_exit(xfer_run(&a, &b, cfg));
}

/* Starts a relay between two fresh socketpairs; 0, or -1 on failure. */
static int
rig_start(struct rig *r, unsigned aflags, const struct xfer_config *cfg)
{
	int sa[2], sb[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sa) == -1)
		return -1;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sb) == -1)
		goto fail_a;
	fflush(NULL);
	if ((r->pid = fork()) == -1)
		goto fail_b;
	if (r->pid == 0) {
		close(sa[0]);
		close(sb[0]);
		relay_child(sa[1], sb[1], aflags, cfg);
	}
	close(sa[1]);
	close(sb[1]);
	r->a = sa[0];
	r->b = sb[0];
	return 0;
fail_b:
	close(sb[0]);
	close(sb[1]);
fail_a:
	close(sa[0]);
	close(sa[1]);
	return -1;
}

/* Waits for the relay to end; its exit status, or -1 (killed, failed). */
static int
rig_wait(struct rig *r)
{
	int st;

	close(r->a);
	close(r->b);
	while (waitpid(r->pid, &st, 0) == -1)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int
send_all(int fd, const void *p, size_t len)
{
	const char *c = p;
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, c, len)) <= 0)
			return -1;
		c += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Reads from fd into buf (at most cap bytes) until want bytes came or,
 * with want 0, until end of file; each wait bounded by WAIT_MS.  Returns
 * the count read, or -1 on a timeout or an error.
 */
static ssize_t
recv_some(int fd, char *buf, size_t cap, size_t want)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t n;

	while (got < cap && (want == 0 || got < want)) {
		if (poll(&p, 1, WAIT_MS) != 1)
			return -1;
		if ((n = read(fd, buf + got, cap - got)) < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* True when fd reads end of file (and nothing else) within WAIT_MS. */
static bool
at_eof(int fd)
{
	char c;

	return recv_some(fd, &c, 1, 0) == 0;
}

static void
test_eof_both_ways(void)
{
	struct xfer_config cfg = config(5);
	struct rig r;
	char buf[64];

	CHECK(rig_start(&r, 0, &cfg) == 0);
	/* 1 -> 2 ends first; 2 -> 1 still carries data after it. */
	CHECK(send_all(r.a, "hello", 5) == 0);
	CHECK(shutdown(r.a, SHUT_WR) == 0);
	CHECK(recv_some(r.b, buf, sizeof(buf), 0) == 5);
	CHECK(memcmp(buf, "hello", 5) == 0);
	CHECK(send_all(r.b, "world", 5) == 0);
	CHECK(shutdown(r.b, SHUT_WR) == 0);
	CHECK(recv_some(r.a, buf, sizeof(buf), 0) == 5);
	CHECK(memcmp(buf, "world", 5) == 0);
	/* Both directions done: a normal end, well before the close timer. */
	CHECK(rig_wait(&r) == 0);
}

static void
test_close_timer(void)
{
	struct xfer_config cfg = config(0.3);
	struct rig r;
	double t0, took;
	char buf[8];

	CHECK(rig_start(&r, 0, &cfg) == 0);
	CHECK(shutdown(r.a, SHUT_WR) == 0);
	t0 = now();
	/* The end of file reaches address 2; 2 -> 1 stays open and silent. */
	CHECK(at_eof(r.b));
	/* The relay ends by itself once the close timer has run out. */
	CHECK(recv_some(r.a, buf, sizeof(buf), 0) == 0);
	took = now() - t0;
	CHECK(rig_wait(&r) == 0);
	CHECK(took >= 0.25);
	CHECK(took < RELAY_LIMIT);
}

static void
test_close_timer_waits_for_data(void)
{
	struct xfer_config cfg = config(0.3);
	struct rig r;
	char buf[64];
	int i;

	CHECK(rig_start(&r, 0, &cfg) == 0);
	CHECK(shutdown(r.a, SHUT_WR) == 0);
	CHECK(at_eof(r.b));
	/* Data keeps arriving in the closing phase: each piece goes through. */
	for (i = 0; i < 3; i++) {
		CHECK(send_all(r.b, "late", 4) == 0);
		CHECK(recv_some(r.a, buf, sizeof(buf), 4) == 4);
		CHECK(memcmp(buf, "late", 4) == 0);
	}
	CHECK(shutdown(r.b, SHUT_WR) == 0);
	CHECK(at_eof(r.a));
	CHECK(rig_wait(&r) == 0);
}

static void
test_crlf(void)
{
	struct xfer_config cfg = config(5);
	struct rig r;
	char buf[64];
	ssize_t n;

	/* Address 1 speaks CRLF: CRLF read from it is LF, LF written CRLF. */
	CHECK(rig_start(&r, EP_CRLF, &cfg) == 0);
	CHECK(send_all(r.a, "x\r\ny\r\n", 6) == 0);
	CHECK(shutdown(r.a, SHUT_WR) == 0);
	n = recv_some(r.b, buf, sizeof(buf), 0);
	CHECK(n == 4 && memcmp(buf, "x\ny\n", 4) == 0);
	CHECK(send_all(r.b, "p\nq\n", 4) == 0);
	CHECK(shutdown(r.b, SHUT_WR) == 0);
	n = recv_some(r.a, buf, sizeof(buf), 0);
	CHECK(n == 6 && memcmp(buf, "p\r\nq\r\n", 6) == 0);
	CHECK(rig_wait(&r) == 0);
}

/* True when the log file holds the text; the relay writes it by write(2). */
static bool
log_has(const char *path, const char *text)
{
	static char buf[4 << 20];
	size_t len = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return false;
	while (len < sizeof(buf) - 1 &&
	    (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	return strstr(buf, text) != NULL;
}

/* Waits (bounded) until the log holds the text. */
static bool
log_wait(const char *path, const char *text)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	double end = now() + WAIT_MS / 1000.0;

	while (!log_has(path, text)) {
		if (now() > end)
			return false;
		nanosleep(&pause, NULL);
	}
	return true;
}

/*
 * Sends 1 MiB through 1 -> 2 and reads it at address 2's peer, both at
 * once (the socket buffers hold far less).  Returns 0 when all arrived.
 */
static int
bulk(struct rig *r)
{
	static char out[1 << 20], in[1 << 20];
	struct pollfd p[2];
	size_t sent = 0, got = 0;
	ssize_t n;

	memset(out, 'z', sizeof(out));
	while (got < sizeof(in)) {
		p[0] = (struct pollfd){ .fd = r->b, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = sent < sizeof(out) ? r->a : -1,
			.events = POLLOUT };
		if (poll(p, 2, WAIT_MS) <= 0)
			return -1;
		if (p[1].revents & POLLOUT) {
			n = send(
			    r->a, out + sent, sizeof(out) - sent, MSG_DONTWAIT);
			if (n < 0 && errno != EAGAIN)
				return -1;
			sent += n > 0 ? (size_t)n : 0;
		}
		if (p[0].revents & (POLLIN | POLLHUP)) {
			if ((n = read(r->b, in + got, sizeof(in) - got)) <= 0)
				return -1;
			got += (size_t)n;
		}
	}
	return memcmp(in, out, sizeof(in)) == 0 ? 0 : -1;
}

/* Waits for a "buffer N -> min" line, N any size the buffer grows to. */
static bool
log_wait_shrunk(const char *path)
{
	char line[96];
	size_t size;
	double end = now() + WAIT_MS / 1000.0;
	struct timespec pause = { 0, 20 * 1000 * 1000 };

	for (;;) {
		for (size = BUFFER_ADAPTIVE_MIN * 4;
		     size <= BUFFER_ADAPTIVE_MAX; size *= 4) {
			snprintf(line, sizeof(line), "buffer %zu -> %zu bytes",
			    size, BUFFER_ADAPTIVE_MIN);
			if (log_has(path, line))
				return true;
		}
		if (now() > end)
			return false;
		nanosleep(&pause, NULL);
	}
}

static void
test_buffer_adapts(void)
{
	struct xfer_config cfg = config(5);
	char path[] = "/tmp/duct-test-engine.XXXXXX";
	char err[DUCT_ERR_LEN], grown[96], buf[64];
	struct rig r;
	int fd, i;

	if ((fd = mkstemp(path)) == -1) {
		CHECK(0);
		return;
	}
	close(fd);
	log_set_level(LOG_LVL_DEBUG);
	CHECK(log_open_file(path, err, sizeof(err)) == 0);
	snprintf(grown, sizeof(grown), "buffer %zu -> %zu bytes",
	    BUFFER_ADAPTIVE_MIN, BUFFER_ADAPTIVE_MIN * 4);

	CHECK(rig_start(&r, 0, &cfg) == 0);
	log_close();
	log_set_level(LOG_LVL_WARN);
	/* Bulk: reads that fill the buffer grow it. */
	CHECK(bulk(&r) == 0);
	CHECK(log_wait(path, grown));
	/* Quiet: the grown buffer is handed back, with no end of file. */
	CHECK(log_wait(path, "-byte buffer freed"));
	/*
	 * Grown again, then a long run of small reads, each one waited for
	 * so that no two arrive together: back to the smallest size.
	 */
	CHECK(bulk(&r) == 0);
	for (i = 0; i < 100; i++)
		if (send_all(r.a, "tick", 4) == -1 ||
		    recv_some(r.b, buf, sizeof(buf), 4) != 4)
			break;
	CHECK(i == 100);
	CHECK(log_wait_shrunk(path));
	CHECK(shutdown(r.a, SHUT_WR) == 0);
	CHECK(shutdown(r.b, SHUT_WR) == 0);
	CHECK(rig_wait(&r) == 0);
	unlink(path);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_eof_both_ways();
	test_close_timer();
	test_close_timer_waits_for_data();
	test_crlf();
	test_buffer_adapts();
	return unit_done("test_engine");
}
