/*
 * SPDX-License-Identifier: ISC
 * The poller's two backends.  Both keep a table indexed by descriptor of
 * what each is watched for, so that callers may state their wants on
 * every pass and the kernel hears only of changes.  epoll is level
 * triggered; a descriptor watched for nothing is taken out of the epoll
 * set, since epoll reports hang-ups even to an empty interest.
 */
#include "config.h"

#include <sys/epoll.h>
#include <sys/select.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "duct.h"
#include "poller.h"
#include "sig.h"
#include "xmalloc.h"

struct poller_fd {
	void *data;
	unsigned gen; /* counts the poller_add() calls for the descriptor */
	unsigned want;
	unsigned flags;
	bool used;
	bool in_kernel; /* epoll: in the epoll set */
};

struct poller {
	enum poller_kind kind;
	int epfd;
	struct poller_fd *fds; /* indexed by descriptor */
	int nfds;              /* entries in fds */
	int maxfd;             /* select: highest used descriptor, or -1 */
	struct epoll_event *evbuf;
	int evcap;
};

struct poller *
poller_new(enum poller_kind kind, char *err)
{
	struct poller *p = xcalloc(1, sizeof(*p));

	p->kind = kind;
	p->epfd = -1;
	p->maxfd = -1;
	if (kind == POLLER_EPOLL &&
	    (p->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		snprintf(
		    err, DUCT_ERR_LEN, "epoll_create1: %s", strerror(errno));
		free(p);
		return NULL;
	}
	return p;
}

void
poller_free(struct poller *p)
{
	if (p == NULL)
		return;
	if (p->epfd != -1)
		close(p->epfd);
	free(p->fds);
	free(p->evbuf);
	free(p);
}

const char *
poller_name(const struct poller *p)
{
	return p->kind == POLLER_EPOLL ? "epoll" : "select";
}

int
poller_add(struct poller *p, int fd, void *data, unsigned flags, char *err)
{
	unsigned gen;
	int n;

	if (fd < 0 || (p->kind == POLLER_SELECT && fd >= FD_SETSIZE)) {
		snprintf(err, DUCT_ERR_LEN,
		    "descriptor %d is not below FD_SETSIZE (%d); select() "
		    "cannot watch it",
		    fd, FD_SETSIZE);
		return -1;
	}
	if (fd >= p->nfds) {
		n = p->nfds > 0 ? p->nfds : 64;
		while (n <= fd)
			n *= 2;
		p->fds = xrealloc(p->fds, (size_t)n * sizeof(*p->fds));
		memset(p->fds + p->nfds, 0,
		    (size_t)(n - p->nfds) * sizeof(*p->fds));
		p->nfds = n;
	}
	gen = p->fds[fd].gen + 1;
	memset(&p->fds[fd], 0, sizeof(p->fds[fd]));
	p->fds[fd].gen = gen;
	p->fds[fd].used = true;
	p->fds[fd].data = data;
	p->fds[fd].flags = flags;
	if (fd > p->maxfd)
		p->maxfd = fd;
	return 0;
}

void
poller_remove(struct poller *p, int fd)
{
	if (fd < 0 || fd >= p->nfds || !p->fds[fd].used)
		return;
	if (p->fds[fd].in_kernel)
		epoll_ctl(p->epfd, EPOLL_CTL_DEL, fd, NULL);
	p->fds[fd].used = false;
	p->fds[fd].in_kernel = false;
	p->fds[fd].want = 0;
	p->fds[fd].data = NULL;
	while (p->maxfd >= 0 && !p->fds[p->maxfd].used)
		p->maxfd--;
}

static int
poller_epoll_want(struct poller *p, int fd, unsigned events)
{
	struct poller_fd *f = &p->fds[fd];
	struct epoll_event ev;
	int op;

	if (events == 0) {
		if (f->in_kernel && epoll_ctl(p->epfd, EPOLL_CTL_DEL, fd, NULL))
			return -1;
		f->in_kernel = false;
		return 0;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = ((events & POLLER_IN) ? EPOLLIN : 0) |
	    ((events & POLLER_OUT) ? EPOLLOUT : 0);
	if (!f->in_kernel && (f->flags & POLLER_EXCLUSIVE))
		ev.events |= EPOLLEXCLUSIVE;
	ev.data.fd = fd;
	/* An exclusive wait cannot be modified, only taken out and put in. */
	if (f->in_kernel && (f->flags & POLLER_EXCLUSIVE)) {
		if (epoll_ctl(p->epfd, EPOLL_CTL_DEL, fd, NULL) == -1)
			return -1;
		f->in_kernel = false;
		ev.events |= EPOLLEXCLUSIVE;
	}
	op = f->in_kernel ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (epoll_ctl(p->epfd, op, fd, &ev) == -1)
		return -1;
	f->in_kernel = true;
	return 0;
}

int
poller_want(struct poller *p, int fd, unsigned events)
{
	struct poller_fd *f;

	if (fd < 0 || fd >= p->nfds || !p->fds[fd].used) {
		errno = EBADF;
		return -1;
	}
	f = &p->fds[fd];
	if (f->want == events)
		return 0;
	if (p->kind == POLLER_EPOLL && poller_epoll_want(p, fd, events) == -1)
		return -1;
	f->want = events;
	return 0;
}

static void
poller_timespec(double timeout, struct timespec *ts)
{
	ts->tv_sec = (time_t)timeout;
	ts->tv_nsec = (long)((timeout - floor(timeout)) * 1e9);
}

static int
poller_wait_select(
    struct poller *p, double timeout, struct poller_event *ev, int max)
{
	struct timespec ts, *tsp = NULL;
	fd_set rs, ws;
	unsigned got;
	int fd, n, out = 0;

	FD_ZERO(&rs);
	FD_ZERO(&ws);
	for (fd = 0; fd <= p->maxfd; fd++) {
		if (p->fds[fd].want & POLLER_IN)
			FD_SET(fd, &rs);
		if (p->fds[fd].want & POLLER_OUT)
			FD_SET(fd, &ws);
	}
	if (timeout >= 0) {
		poller_timespec(timeout, &ts);
		tsp = &ts;
	}
	n = pselect(p->maxfd + 1, &rs, &ws, NULL, tsp, sig_waitmask());
	if (n <= 0)
		return n;
	for (fd = 0; fd <= p->maxfd && out < max; fd++) {
		got = (FD_ISSET(fd, &rs) ? POLLER_IN : 0) |
		    (FD_ISSET(fd, &ws) ? POLLER_OUT : 0);
		if (got == 0)
			continue;
		ev[out].fd = fd;
		ev[out].events = got;
		ev[out].data = p->fds[fd].data;
		ev[out].gen = p->fds[fd].gen;
		out++;
	}
	return out;
}

static int
poller_wait_epoll(
    struct poller *p, double timeout, struct poller_event *ev, int max)
{
	unsigned got;
	int i, n, fd, ms, out = 0;

	if (max > p->evcap) {
		p->evbuf = xrealloc(p->evbuf, (size_t)max * sizeof(*p->evbuf));
		p->evcap = max;
	}
	/* Rounded up: a timer due in 0.2 ms must not spin until then. */
	ms = timeout < 0    ? -1
	    : timeout > 1e6 ? 1000000000
			    : (int)ceil(timeout * 1e3);
	n = epoll_pwait(p->epfd, p->evbuf, max, ms, sig_waitmask());
	for (i = 0; i < n; i++) {
		fd = p->evbuf[i].data.fd;
		/* An error or hang-up is news to a reader and a writer alike. */
		got = ((p->evbuf[i].events &
			   (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP))
			      ? POLLER_IN
			      : 0) |
		    ((p->evbuf[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			    ? POLLER_OUT
			    : 0);
		got &= p->fds[fd].want;
		if (got == 0)
			continue;
		ev[out].fd = fd;
		ev[out].events = got;
		ev[out].data = p->fds[fd].data;
		ev[out].gen = p->fds[fd].gen;
		out++;
	}
	return n < 0 ? -1 : out;
}

int
poller_wait(struct poller *p, double timeout, struct poller_event *ev, int max)
{
	if (p->kind == POLLER_EPOLL)
		return poller_wait_epoll(p, timeout, ev, max);
	return poller_wait_select(p, timeout, ev, max);
}

void *
poller_current(const struct poller *p, const struct poller_event *ev)
{
	const struct poller_fd *f;

	if (ev->fd < 0 || ev->fd >= p->nfds)
		return NULL;
	f = &p->fds[ev->fd];
	return f->used && f->gen == ev->gen ? f->data : NULL;
}
