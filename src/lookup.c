/*
 * SPDX-License-Identifier: ISC
 * Lookups in a thread: each request has a detached thread and a pipe.  The
 * thread owns the request until it publishes its answer; whichever of the
 * thread and lookup_abort() comes second frees it, decided by one atomic
 * exchange, so an abandoned lookup costs nothing but its own wait.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "duct.h"
#include "lookup.h"
#include "xmalloc.h"

/* getaddrinfo() with NSS modules wants more than a tiny stack. */
#define LOOKUP_STACK (256 * 1024)

enum { LOOKUP_BUSY, LOOKUP_DONE, LOOKUP_ABANDONED };

struct lookup {
	char *host, *port;
	struct addrinfo hints;
	struct addrinfo *res;
	int rc;
	int rfd, wfd;
	atomic_int state;
};

static void
lookup_free(struct lookup *r)
{
	if (r->res != NULL)
		freeaddrinfo(r->res);
	if (r->rfd != -1)
		close(r->rfd);
	free(r->host);
	free(r->port);
	free(r);
}

static void *
lookup_thread(void *arg)
{
	struct lookup *r = arg;
	int wfd = r->wfd;
	ssize_t n;

	r->rc = getaddrinfo(r->host, r->port, &r->hints, &r->res);
	/* After the exchange r may be gone: only wfd is still ours. */
	if (atomic_exchange(&r->state, LOOKUP_DONE) == LOOKUP_ABANDONED) {
		r->rfd = -1;
		lookup_free(r);
	} else {
		do
			n = write(wfd, "", 1);
		while (n == -1 && errno == EINTR);
	}
	close(wfd);
	return NULL;
}

/* A detached thread with every signal blocked; 0 or an errno value. */
static int
lookup_spawn(struct lookup *r)
{
	pthread_attr_t attr;
	pthread_t t;
	sigset_t all, old;
	int e;

	if ((e = pthread_attr_init(&attr)) != 0)
		return e;
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, LOOKUP_STACK);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&t, &attr, lookup_thread, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	return e;
}

struct lookup *
lookup_start(const char *host, const char *port, const struct addrinfo *hints,
    int *fd, char *err)
{
	struct lookup *r = xcalloc(1, sizeof(*r));
	int p[2], e;

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == -1) {
		snprintf(err, DUCT_ERR_LEN, "looking up %s: %s", host,
		    strerror(errno));
		free(r);
		return NULL;
	}
	r->rfd = p[0];
	r->wfd = p[1];
	r->host = xstrdup(host);
	r->port = port != NULL ? xstrdup(port) : NULL;
	r->hints = *hints;
	r->hints.ai_addr = NULL;
	r->hints.ai_canonname = NULL;
	r->hints.ai_next = NULL;
	atomic_init(&r->state, LOOKUP_BUSY);
	if ((e = lookup_spawn(r)) != 0) {
		snprintf(err, DUCT_ERR_LEN, "looking up %s: no thread: %s",
		    host, strerror(e));
		close(r->wfd);
		lookup_free(r);
		return NULL;
	}
	*fd = r->rfd;
	return r;
}

int
lookup_ready(const struct lookup *r)
{
	struct pollfd pfd = { .fd = r->rfd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1;
}

int
lookup_finish(struct lookup *r, struct addrinfo **res)
{
	int rc = r->rc;

	/* The thread's write, seen through the pipe, orders its stores. */
	atomic_load(&r->state);
	*res = r->res;
	r->res = NULL;
	lookup_free(r);
	return rc;
}

void
lookup_abort(struct lookup *r)
{
	/* Once the exchange is made, a busy thread may free r at once. */
	int rfd = r->rfd;

	if (atomic_exchange(&r->state, LOOKUP_ABANDONED) == LOOKUP_DONE) {
		lookup_free(r);
		return;
	}
	/* The thread frees r, all but the read end, which is ours. */
	close(rfd);
}
