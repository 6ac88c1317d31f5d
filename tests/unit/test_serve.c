/*
 * SPDX-License-Identifier: ISC
 * Unit tests of the fork loop (serve.c) through serve_run(), with a
 * UNIX-LISTEN,fork listener in front of an echoing PIPE: peers served at
 * once, each in a child of its own; SIGTERM ends the parent with 128+15
 * while a child serving a peer finishes its connection.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "address.h"
#include "serve.h"
#include "sig.h"
#include "unit.h"

/* No server here may run longer; a hang fails by SIGALRM. */
#define SERVER_LIMIT 30

/* Every wait has this deadline, in milliseconds. */
#define WAIT_MS 10000

/* The fork loop in a child process of the test; exits with its status. */
static void
server(const char *path)
{
	struct address a1, a2;
	struct parse_error pe;
	struct serve_plan plan;
	struct xfer_config cfg;
	char text[sizeof(((struct sockaddr_un *)0)->sun_path) + 32];

	alarm(SERVER_LIMIT);
	sig_init();
	snprintf(text, sizeof(text), "UNIX-LISTEN:%s,fork", path);
	if (address_parse(text, 1, &a1, &pe) == -1 ||
	    address_parse("PIPE", 2, &a2, &pe) == -1)
		_exit(99);
	memset(&cfg, 0, sizeof(cfg));
	cfg.close_timeout = 5;
	cfg.forward = cfg.backward = true;
	cfg.splice = -1;
	memset(&plan, 0, sizeof(plan));
	plan.listen = &a1;
	plan.listen_ctx.dirs = EP_READABLE | EP_WRITABLE;
	plan.other = &a2;
	plan.other_ctx.dirs = EP_READABLE | EP_WRITABLE;
	plan.cfg = &cfg;
	_exit(serve_run(&plan));
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A connection to the listener at path, once it exists (bounded). */
static int
client(const char *path)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	struct sockaddr_un sun;
	double end = now() + WAIT_MS / 1000.0;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	for (;;) {
		if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
			return -1;
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
			return fd;
		close(fd);
		if (errno != ENOENT && errno != ECONNREFUSED)
			return -1;
		if (now() > end)
			return -1;
		nanosleep(&pause, NULL);
	}
}

/* Reads exactly len bytes (want 0: to end of file); the count or -1. */
static ssize_t
recv_upto(int fd, char *buf, size_t cap, size_t want)
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

/* Sends text on fd and reads it back; true when it came back whole. */
static bool
echoed(int fd, const char *text)
{
	char buf[64];
	size_t len = strlen(text);

	return write(fd, text, len) == (ssize_t)len &&
	    recv_upto(fd, buf, sizeof(buf), len) == (ssize_t)len &&
	    memcmp(buf, text, len) == 0;
}

/* Waits for pid (bounded); its exit status, or -1. */
static int
reap(pid_t pid)
{
	double end = now() + WAIT_MS / 1000.0;
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	pid_t r;
	int st;

	while ((r = waitpid(pid, &st, WNOHANG)) == 0 && now() < end)
		nanosleep(&pause, NULL);
	if (r != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
test_serve(void)
{
	char dir[] = "/tmp/duct-test-serve.XXXXXX", path[64], buf[16];
	char text[16];
	int fds[4], i, status;
	pid_t pid;

	if (mkdtemp(dir) == NULL) {
		CHECK(0);
		return;
	}
	snprintf(path, sizeof(path), "%s/s", dir);
	fflush(NULL);
	if ((pid = fork()) == 0)
		server(path);
	CHECK(pid > 0);

	/* Four peers at once, each echoed in a child of its own. */
	for (i = 0; i < 4; i++)
		CHECK((fds[i] = client(path)) != -1);
	for (i = 3; i >= 0; i--) {
		snprintf(text, sizeof(text), "peer %d", i);
		CHECK(fds[i] != -1 && echoed(fds[i], text));
	}
	for (i = 1; i < 4; i++) {
		CHECK(shutdown(fds[i], SHUT_WR) == 0);
		CHECK(recv_upto(fds[i], buf, sizeof(buf), 0) == 0);
		close(fds[i]);
	}

	/* SIGTERM: the parent stops listening and ends at once... */
	CHECK(kill(pid, SIGTERM) == 0);
	status = reap(pid);
	CHECK(status == 128 + SIGTERM);
	if (status == -1)
		kill(pid, SIGKILL);
	/* ...while the child serving peer 0 finishes its connection. */
	CHECK(echoed(fds[0], "still here"));
	CHECK(shutdown(fds[0], SHUT_WR) == 0);
	CHECK(recv_upto(fds[0], buf, sizeof(buf), 0) == 0);
	close(fds[0]);

	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_serve();
	return unit_done("test_serve");
}
