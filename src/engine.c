/*
 * SPDX-License-Identifier: ISC
 * The loop over many pairs.  Each pair's descriptors sit in the poller
 * with the pair as their data; a pass ends the pairs that finished,
 * recomputes the wants of those that acted or whose timer came due (the
 * others' wants have not changed), waits, records which of a pair's
 * descriptors are ready, then lets each ready pair act once.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "dump.h"
#include "engine.h"
#include "fdinfo.h"
#include "log.h"
#include "pair.h"
#include "sig.h"
#include "xmalloc.h"

/* Events taken from the poller in one wait. */
#define ENGINE_EVENTS 256

/* A pair has at most four descriptors: each endpoint's rfd and wfd. */
#define PAIR_FDS 4

struct epair {
	struct engine_watch w; /* first: poller data are watches */
	struct pair *pr;
	struct endpoint *a, *b;
	engine_done_fn done;
	void *arg;
	int fds[PAIR_FDS];
	unsigned want[PAIR_FDS];  /* being computed */
	unsigned ready[PAIR_FDS]; /* found by the last wait */
	int nfds;
	double due;  /* when its timers need a look; < 0 never */
	bool dirty;  /* acted or added: wants to recompute */
	bool active; /* on the list of pairs to act */
	bool hot;    /* a read need not wait (bytes inside an endpoint) */
	struct epair *prev, *next;
	struct epair *next_active;
	char tag[16]; /* "#17", or "" */
};

struct engine {
	struct poller *poller;
	const struct xfer_config *cfg;
	struct epair *pairs;
	size_t npairs;
	struct epair *active;
	struct poller_event ev[ENGINE_EVENTS];
};

struct engine *
engine_new(enum poller_kind kind, const struct xfer_config *cfg, char *err)
{
	struct engine *e = xcalloc(1, sizeof(*e));

	if ((e->poller = poller_new(kind, err)) == NULL) {
		free(e);
		return NULL;
	}
	e->cfg = cfg;
	return e;
}

void
engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	poller_free(e->poller);
	free(e);
}

size_t
engine_pairs(const struct engine *e)
{
	return e->npairs;
}

int
engine_watch(
    struct engine *e, int fd, struct engine_watch *w, unsigned flags, char *err)
{
	return poller_add(e->poller, fd, w, flags, err);
}

int
engine_want(struct engine *e, int fd, unsigned events)
{
	return poller_want(e->poller, fd, events);
}

void
engine_unwatch(struct engine *e, int fd)
{
	poller_remove(e->poller, fd);
}

/* The pair's slot of fd, or -1. */
static int
epair_slot(const struct epair *ep, int fd)
{
	int i;

	for (i = 0; i < ep->nfds; i++)
		if (ep->fds[i] == fd)
			return i;
	return -1;
}

static void
epair_ready(struct engine_watch *w, unsigned events)
{
	(void)w;
	(void)events;
	/* Not called: engine_step() records a pair's events itself. */
}

static void
epair_add_fd(struct epair *ep, int fd)
{
	if (fd >= 0 && epair_slot(ep, fd) == -1)
		ep->fds[ep->nfds++] = fd;
}

int
engine_add(struct engine *e, struct endpoint *a, struct endpoint *b,
    const char *tag, engine_done_fn done, void *arg, char *err)
{
	struct epair *ep = xcalloc(1, sizeof(*ep));
	char prefix[24];
	int i;

	ep->w.ready = epair_ready;
	ep->a = a;
	ep->b = b;
	ep->done = done;
	ep->arg = arg;
	epair_add_fd(ep, a->rfd);
	epair_add_fd(ep, a->wfd);
	epair_add_fd(ep, b->rfd);
	epair_add_fd(ep, b->wfd);
	for (i = 0; i < ep->nfds; i++) {
		if (poller_add(e->poller, ep->fds[i], ep, 0, err) == -1) {
			while (i-- > 0)
				poller_remove(e->poller, ep->fds[i]);
			free(ep);
			return -1;
		}
	}
	xstrlcpy(ep->tag, tag, sizeof(ep->tag));
	snprintf(prefix, sizeof(prefix), "%s%s", tag, *tag ? ": " : "");
	ep->pr = pair_new(a, b, e->cfg, prefix);
	ep->dirty = true;
	ep->due = -1;
	ep->next = e->pairs;
	if (e->pairs != NULL)
		e->pairs->prev = ep;
	e->pairs = ep;
	e->npairs++;
	return 0;
}

/* Ends ep: its report, out of the poller and the list, its done. */
static void
engine_finish(struct engine *e, struct epair *ep, double now)
{
	int i, status;

	pair_report(ep->pr, now);
	status = pair_status(ep->pr);
	for (i = 0; i < ep->nfds; i++)
		poller_remove(e->poller, ep->fds[i]);
	if (ep->prev != NULL)
		ep->prev->next = ep->next;
	else
		e->pairs = ep->next;
	if (ep->next != NULL)
		ep->next->prev = ep->prev;
	e->npairs--;
	pair_free(ep->pr);
	ep->done(ep->arg, ep->a, ep->b, status);
	free(ep);
}

void
engine_end_all(struct engine *e, int status)
{
	double now = clock_now();

	while (e->pairs != NULL) {
		pair_set_status(e->pairs->pr, status);
		engine_finish(e, e->pairs, now);
	}
}

static void
epair_want(void *arg, int fd, unsigned events)
{
	struct epair *ep = arg;
	int i = epair_slot(ep, fd);

	if (i >= 0)
		ep->want[i] |= events;
}

static unsigned
epair_ready_fd(void *arg, int fd)
{
	struct epair *ep = arg;
	int i = epair_slot(ep, fd);

	return i >= 0 ? ep->ready[i] : 0;
}

/*
 * A pair's timers and wants, when they may have changed.  Returns false
 * when the pair has ended (and is freed).
 */
static bool
engine_prepare(struct engine *e, struct epair *ep, double now)
{
	double t;
	bool end;
	int i;

	if (pair_done(ep->pr)) {
		engine_finish(e, ep, now);
		return false;
	}
	if (!ep->dirty && (ep->due < 0 || ep->due > now))
		return true;
	t = pair_timeout(ep->pr, now, &end);
	if (end) {
		engine_finish(e, ep, now);
		return false;
	}
	ep->due = t < 0 ? -1 : now + t;
	memset(ep->want, 0, sizeof(ep->want));
	ep->hot = pair_wants(ep->pr, now, epair_want, ep);
	for (i = 0; i < ep->nfds; i++)
		if (poller_want(e->poller, ep->fds[i], ep->want[i]) == -1)
			log_warn(
			    "%s: %s", poller_name(e->poller), strerror(errno));
	ep->dirty = false;
	return true;
}

static void
engine_activate(struct engine *e, struct epair *ep)
{
	if (ep->active)
		return;
	ep->active = true;
	ep->next_active = e->active;
	e->active = ep;
}

/* Records the events of one wait: pairs' readiness, watches run. */
static void
engine_dispatch(struct engine *e, int n)
{
	struct engine_watch *w;
	struct epair *ep;
	int i, slot;

	for (i = 0; i < n; i++) {
		/* A watch run before may have closed this descriptor. */
		if ((w = poller_current(e->poller, &e->ev[i])) == NULL)
			continue;
		if (w->ready != epair_ready) {
			w->ready(w, e->ev[i].events);
			continue;
		}
		ep = (struct epair *)w;
		if ((slot = epair_slot(ep, e->ev[i].fd)) < 0)
			continue;
		ep->ready[slot] |= e->ev[i].events;
		engine_activate(e, ep);
	}
}

int
engine_step(struct engine *e, double timeout)
{
	struct epair *ep, *next;
	double now = clock_now(), t = timeout;
	size_t before = e->npairs;
	bool hot = false;
	int n;

	if (sig_stats_pending() && e->cfg->statistics)
		for (ep = e->pairs; ep != NULL; ep = ep->next)
			pair_statistics(ep->pr, now);
	for (ep = e->pairs; ep != NULL; ep = next) {
		next = ep->next;
		if (!engine_prepare(e, ep, now))
			continue;
		if (ep->due >= 0 && (t < 0 || ep->due - now < t))
			t = ep->due > now ? ep->due - now : 0;
		hot |= ep->hot;
	}
	/* The last pair ended: its owner may have nothing left to wait for. */
	if (e->npairs == 0 && before > 0)
		return 0;
	if (hot)
		t = 0;
	n = poller_wait(e->poller, t, e->ev, ENGINE_EVENTS);
	if (n == -1)
		return errno == EINTR ? 0 : -1;
	engine_dispatch(e, n);
	now = clock_now();
	for (ep = e->pairs; ep != NULL; ep = ep->next)
		if (ep->hot || (ep->due >= 0 && ep->due <= now))
			engine_activate(e, ep);
	while ((ep = e->active) != NULL) {
		e->active = ep->next_active;
		ep->active = false;
		dump_set_tag(ep->tag);
		pair_act(ep->pr, now, epair_ready_fd, ep);
		memset(ep->ready, 0, sizeof(ep->ready));
		ep->dirty = true;
	}
	dump_set_tag(NULL);
	return 0;
}

struct one_pair {
	int status;
	bool ended;
};

static void
one_pair_done(void *arg, struct endpoint *a, struct endpoint *b, int status)
{
	struct one_pair *op = arg;

	(void)a;
	(void)b;
	op->status = status;
	op->ended = true;
}

int
xfer_run(struct endpoint *a, struct endpoint *b, const struct xfer_config *cfg)
{
	struct one_pair op = { 0, false };
	struct engine *e;
	char err[DUCT_ERR_LEN];
	int sig;

	if ((e = engine_new(POLLER_SELECT, cfg, err)) == NULL) {
		log_err("%s", err);
		return 1;
	}
	if (cfg->fd_info) {
		fdinfo_log(a);
		fdinfo_log(b);
	}
	if (engine_add(e, a, b, "", one_pair_done, &op, err) == -1) {
		log_err("%s", err);
		engine_free(e);
		return 1;
	}
	while (!op.ended) {
		if ((sig = sig_term_pending()) != 0) {
			log_notice("ended by signal %d", sig);
			engine_end_all(e, 128 + sig);
			break;
		}
		if (engine_step(e, -1) == -1) {
			log_err(
			    "%s: %s", poller_name(e->poller), strerror(errno));
			engine_end_all(e, 1);
		}
	}
	engine_free(e);
	return op.status;
}
