/*
 * SPDX-License-Identifier: ISC
 * One worker of a workers= listener: it accepts in its engine's loop,
 * reads a peer's PROXY header (accept-proxy) and runs the listening
 * kind's ready steps (a TLS handshake), opens the other address in
 * non-blocking steps, and adds the pair to the engine; a failure ends
 * only its own connection.  workers.c forks and reaps the workers.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "engine.h"
#include "log.h"
#include "net.h"
#include "opener.h"
#include "proxyproto.h"
#include "reaper.h"
#include "sig.h"
#include "worker.h"
#include "xmalloc.h"

/* Peers accepted in one go before the pairs get their turn. */
#define WORKER_ACCEPTS 64

/*
 * Out of descriptors: try again after this many seconds even if no
 * connection of its own ended (another process may have freed some).
 */
#define WORKER_RESUME 1.0

struct worker;

/* What a peer waits for before it becomes a pair. */
enum conn_phase {
	CONN_PROXY, /* its PROXY header (accept-proxy) */
	CONN_READY, /* the listening kind's ready steps (TLS handshake) */
	CONN_OPEN   /* the other address's open */
};

/* One peer: being readied and opened for, then a pair in the engine. */
struct conn {
	struct engine_watch w; /* the other address's open under way */
	struct worker *wk;
	struct endpoint peer, other;
	struct open_ctx ctx;
	struct open_wait ow;
	unsigned long id;
	enum conn_phase phase;
	struct proxy_reader *pr; /* CONN_PROXY: the header so far */
	bool opening;
	bool stalled; /* out of descriptors for the other address: later */
	struct conn *prev, *next; /* the opening list */
};

struct worker {
	const struct serve_plan *p;
	struct listener *l;
	struct engine *e;
	struct engine_watch lw, sw; /* listener, stop pipe */
	int stop_fd;
	size_t live; /* peers accepted and not yet closed */
	size_t max;  /* max-children=; 0 none */
	unsigned long ids;
	bool draining;
	bool starved;     /* out of descriptors: not accepting */
	bool noted;       /* ...and said so, until a connection ends */
	double resume_at; /* starved: look again then at the latest */
	bool listening;   /* the listener is watched for peers */
	struct conn *opening;
};

static bool
worker_out_of_fds(int e)
{
	return e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM;
}

/* Watches the listener for peers when this worker may take one. */
static void
worker_listen_update(struct worker *wk)
{
	bool want = !wk->draining && !wk->starved &&
	    (wk->max == 0 || wk->live < wk->max);

	if (want == wk->listening || wk->l->fd == -1)
		return;
	if (engine_want(wk->e, wk->l->fd, want ? POLLER_IN : 0) == -1)
		log_warn(
		    "%s: epoll: %s", wk->p->listen->label, strerror(errno));
	wk->listening = want;
}

static void
worker_starve(struct worker *wk, const char *err)
{
	/* Once per shortage, not at every look after WORKER_RESUME. */
	if (!wk->noted)
		log_notice("%s: %s: not accepting until a connection ends "
			   "(%zu open here)",
		    wk->p->listen->label, err, wk->live);
	wk->noted = true;
	wk->starved = true;
	wk->resume_at = clock_deadline(WORKER_RESUME);
	worker_listen_update(wk);
}

static void conn_begin(struct conn *c);
static void conn_wait(struct conn *c);

/* Descriptors may be free again: a stalled open first, then accepting. */
static void
worker_resume(struct worker *wk)
{
	struct conn *c;

	wk->starved = false;
	for (c = wk->opening; c != NULL; c = c->next)
		if (c->stalled) {
			c->stalled = false;
			conn_begin(c);
			break;
		}
	worker_listen_update(wk);
}

/*
 * A connection is over: its descriptors are free, first for a peer
 * whose other address found none, then for the next peer.
 */
static void
worker_release(struct worker *wk)
{
	wk->live--;
	if (wk->noted) {
		wk->noted = false;
		log_notice("%s: accepting again", wk->p->listen->label);
	}
	worker_resume(wk);
}

static void
conn_unlist(struct conn *c)
{
	struct worker *wk = c->wk;

	if (!c->opening)
		return;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		wk->opening = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	c->opening = false;
}

/* Releases what the step under way holds (the peer stays open). */
static void
conn_abort_open(struct conn *c)
{
	const struct addr_kind *k = c->wk->p->other->kind;
	const struct addr_kind *lk = c->wk->p->listen->kind;

	switch (c->phase) {
	case CONN_PROXY:
		free(c->pr);
		c->pr = NULL;
		break;
	case CONN_READY:
		if (lk->ready_abort != NULL)
			lk->ready_abort(&c->ow);
		break;
	case CONN_OPEN:
		if (k->open_abort != NULL)
			k->open_abort(&c->ow);
		break;
	}
}

/* Puts c on the list of opens under way (or stalled), once. */
static void
conn_list(struct conn *c)
{
	struct worker *wk = c->wk;

	if (c->opening)
		return;
	c->opening = true;
	c->prev = NULL;
	c->next = wk->opening;
	if (wk->opening != NULL)
		wk->opening->prev = c;
	wk->opening = c;
}

/* The end of a connection that never became a pair. */
static void
conn_fail(struct conn *c, const char *err, int saved)
{
	struct worker *wk = c->wk;

	/* The peer's own failure (a bad header or handshake) is its own. */
	if (c->phase == CONN_OPEN)
		log_err("%s #%lu: %s", wk->p->other->label, c->id, err);
	else
		log_notice("%s: %s", c->peer.label, err);
	conn_unlist(c);
	free(c->pr);
	opener_close(&c->peer);
	free(c);
	worker_release(wk);
	if (worker_out_of_fds(saved))
		worker_starve(wk, strerror(saved));
}

static void
conn_done(void *arg, struct endpoint *a, struct endpoint *b, int status)
{
	struct conn *c = arg;
	struct worker *wk = c->wk;

	status = opener_close_pair(a, b, status);
	log_info("#%lu: ended with status %d", c->id, status);
	free(c);
	worker_release(wk);
}

/* The other address is open: the pair joins the engine. */
static void
conn_opened(struct conn *c)
{
	const struct serve_plan *p = c->wk->p;
	struct endpoint *a, *b;
	char err[DUCT_ERR_LEN], tag[16];
	size_t n;

	conn_unlist(c);
	if (opener_finish_polled(p->other, &c->other, err) == -1) {
		conn_fail(c, err, errno);
		return;
	}
	n = strlen(c->other.label);
	snprintf(
	    c->other.label + n, sizeof(c->other.label) - n, " #%lu", c->id);
	snprintf(tag, sizeof(tag), "#%lu", c->id);
	a = p->listen->index == 1 ? &c->peer : &c->other;
	b = p->listen->index == 1 ? &c->other : &c->peer;
	if (engine_add(c->wk->e, a, b, tag, conn_done, c, err) == -1) {
		opener_close(&c->other);
		conn_fail(c, err, errno);
	}
}

/* After a step of the other address's open: 0 open, 1 waiting, -1 failed. */
static void
conn_stepped(struct conn *c, int rc, const char *err)
{
	struct worker *wk = c->wk;

	if (rc == 0) {
		conn_opened(c);
		return;
	}
	if (rc == -1 && worker_out_of_fds(errno)) {
		/* Held until a connection ends; its peer waits meanwhile. */
		worker_starve(wk, err);
		c->stalled = true;
		c->ow.fd = -1;
		c->ow.deadline = 0;
		conn_list(c);
		return;
	}
	if (rc == -1) {
		conn_fail(c, err, errno);
		return;
	}
	conn_wait(c);
}

/* Watches what the step under way waits for. */
static void
conn_wait(struct conn *c)
{
	struct worker *wk = c->wk;
	char e2[DUCT_ERR_LEN];

	if (engine_watch(wk->e, c->ow.fd, &c->w, 0, e2) == -1 ||
	    engine_want(wk->e, c->ow.fd,
		c->ow.want == IO_WANT_READ ? POLLER_IN : POLLER_OUT) == -1) {
		engine_unwatch(wk->e, c->ow.fd);
		conn_abort_open(c);
		conn_fail(c, e2, errno);
		return;
	}
	conn_list(c);
}

/* The peer is ready: the other address's open begins. */
static void
conn_readied(struct conn *c)
{
	c->phase = CONN_OPEN;
	conn_begin(c);
}

/* A step of the listening kind's ready work (a TLS handshake). */
static void
conn_ready_step(struct conn *c, bool timed_out)
{
	const struct address *a = c->wk->p->listen;
	char err[DUCT_ERR_LEN];
	int rc;

	rc = a->kind->ready_step(a, &c->peer, &c->ow, timed_out, err);
	if (rc == 0)
		conn_readied(c);
	else if (rc == -1)
		conn_fail(c, err, errno);
	else
		conn_wait(c);
}

/* After the PROXY header: the kind's ready steps, if it has them. */
static void
conn_ready_begin(struct conn *c)
{
	const struct address *a = c->wk->p->listen;

	if (a->kind->ready_step == NULL) {
		conn_readied(c);
		return;
	}
	c->phase = CONN_READY;
	memset(&c->ow, 0, sizeof(c->ow));
	conn_ready_step(c, false);
}

/* A step of reading the PROXY header, within its own deadline. */
static void
conn_proxy_step(struct conn *c, bool timed_out)
{
	const struct address *a = c->wk->p->listen;
	char err[DUCT_ERR_LEN], who[NET_ADDRSTRLEN], via[NET_ADDRSTRLEN];
	int rc;

	if (timed_out) {
		snprintf(err, sizeof(err), "PROXY header: timed out");
		errno = ETIMEDOUT;
		rc = -1;
	} else {
		rc = proxy_read_step(c->pr, c->peer.rfd, err);
	}
	if (rc == 0)
		rc = proxy_accept_done(a, &c->peer, c->pr, who, sizeof(who),
		    via, sizeof(via), err);
	if (rc == 1) {
		conn_wait(c);
		return;
	}
	if (rc == -1) {
		conn_fail(c, err, errno);
		return;
	}
	free(c->pr);
	c->pr = NULL;
	log_notice("%s: connection from %s (PROXY header from %s)",
	    c->peer.label, who, via);
	conn_ready_begin(c);
}

static void
conn_step(struct conn *c, bool timed_out)
{
	const struct address *o = c->wk->p->other;
	char err[DUCT_ERR_LEN];
	int rc;

	engine_unwatch(c->wk->e, c->ow.fd);
	if (c->phase == CONN_PROXY) {
		conn_proxy_step(c, timed_out);
		return;
	}
	if (c->phase == CONN_READY) {
		conn_ready_step(c, timed_out);
		return;
	}
	rc = o->kind->open_step(o, &c->ctx, &c->other, &c->ow, timed_out, err);
	conn_stepped(c, rc, err);
}

static void
conn_ready(struct engine_watch *w, unsigned events)
{
	(void)events;
	conn_step((struct conn *)w, false);
}

/* An accepted peer: its PROXY header, its ready steps, then the open. */
static void
conn_start(struct worker *wk, struct endpoint *peer)
{
	struct conn *c = xcalloc(1, sizeof(*c));
	size_t n;

	c->w.ready = conn_ready;
	c->wk = wk;
	c->peer = *peer;
	c->id = ++wk->ids;
	n = strlen(c->peer.label);
	snprintf(c->peer.label + n, sizeof(c->peer.label) - n, " #%lu", c->id);
	log_info("%s: connection #%lu", wk->p->listen->label, c->id);
	wk->live++;
	c->ctx = wk->p->other_ctx;
	c->ctx.peer = &c->peer;
	if (!wk->p->listen->opts.accept_proxy) {
		conn_ready_begin(c);
		return;
	}
	c->phase = CONN_PROXY;
	c->pr = xmalloc(sizeof(*c->pr));
	proxy_reader_init(c->pr);
	c->ow.fd = c->peer.rfd;
	c->ow.want = IO_WANT_READ;
	c->ow.deadline = proxy_accept_deadline(wk->p->listen);
	conn_proxy_step(c, false);
}

/* The other address's open begins (again, after a stall). */
static void
conn_begin(struct conn *c)
{
	const struct address *o = c->wk->p->other;
	char err[DUCT_ERR_LEN];
	int rc;

	memset(&c->other, 0, sizeof(c->other));
	memset(&c->ow, 0, sizeof(c->ow));
	rc = o->kind->open_start(o, &c->ctx, &c->other, &c->ow, err);
	conn_stepped(c, rc, err);
}

/* Ends every open still under way (leaving now). */
static void
worker_abort_opening(struct worker *wk)
{
	struct conn *c;

	while ((c = wk->opening) != NULL) {
		if (!c->stalled) {
			engine_unwatch(wk->e, c->ow.fd);
			conn_abort_open(c);
		}
		conn_unlist(c);
		opener_close(&c->peer);
		free(c);
		wk->live--;
	}
}

/* Opens whose connect-timeout= passed take their next step. */
static double
worker_deadlines(struct worker *wk)
{
	struct conn *c, *next;
	double t = -1, left;

	for (c = wk->opening; c != NULL; c = next) {
		next = c->next;
		if (c->ow.deadline == 0)
			continue;
		left = clock_left(c->ow.deadline);
		if (left == 0) {
			conn_step(c, true);
			/* The list may have changed under us: look again. */
			return 0;
		}
		if (t < 0 || left < t)
			t = left;
	}
	return t;
}

static void
worker_accept(struct engine_watch *w, unsigned events)
{
	struct worker *wk =
	    (struct worker *)((char *)w - offsetof(struct worker, lw));
	const struct address *a = wk->p->listen;
	struct endpoint peer;
	char err[DUCT_ERR_LEN];
	int i, rc;

	(void)events;
	for (i = 0; i < WORKER_ACCEPTS && wk->listening; i++) {
		memset(&peer, 0, sizeof(peer));
		rc = a->kind->accept(a, wk->l, &peer, err);
		if (rc == 1)
			return;
		if (rc == -1) {
			if (worker_out_of_fds(errno))
				worker_starve(wk, err);
			else
				log_err("%s: %s", a->label, err);
			return;
		}
		if (opener_finish_polled(a, &peer, err) == -1) {
			log_err("%s: %s", a->label, err);
			continue;
		}
		conn_start(wk, &peer);
	}
}

/* Stops accepting for good; live connections go on. */
static void
worker_drain(struct worker *wk)
{
	if (wk->draining)
		return;
	wk->draining = true;
	log_info("%s: stopping: %zu connection%s to finish",
	    wk->p->listen->label, wk->live, wk->live == 1 ? "" : "s");
	if (wk->l->fd != -1) {
		engine_unwatch(wk->e, wk->l->fd);
		wk->p->listen->kind->listen_close(wk->l, true);
	}
	wk->listening = false;
}

static void
worker_stop_read(struct engine_watch *w, unsigned events)
{
	struct worker *wk =
	    (struct worker *)((char *)w - offsetof(struct worker, sw));
	char buf[16];

	(void)events;
	/* The parent closed its end: it is stopping, or gone. */
	if (read(wk->stop_fd, buf, sizeof(buf)) <= 0) {
		engine_unwatch(wk->e, wk->stop_fd);
		close(wk->stop_fd);
		wk->stop_fd = -1;
		worker_drain(wk);
	}
}

bool
worker_ends_now(void)
{
	int sig = sig_term_pending();

	return sig != 0 && (sig != SIGTERM || sig_term_count() > 1);
}

static int
worker_loop(struct worker *wk)
{
	double t, left;
	int sig;

	for (;;) {
		if (worker_ends_now())
			break;
		if (sig_term_pending() == SIGTERM)
			worker_drain(wk);
		if (wk->draining && wk->live == 0)
			return 0;
		t = worker_deadlines(wk);
		/* EXEC programs closed here and not yet ended (reaper.h). */
		left = reaper_poll();
		if (left >= 0 && (t < 0 || left < t))
			t = left;
		if (wk->starved && wk->resume_at > 0) {
			left = clock_left(wk->resume_at);
			if (left == 0)
				worker_resume(wk);
			else if (t < 0 || left < t) {
				t = left;
			}
		}
		if (engine_step(wk->e, t) == -1) {
			log_err("epoll: %s", strerror(errno));
			worker_abort_opening(wk);
			engine_end_all(wk->e, 1);
			return 1;
		}
	}
	sig = sig_term_pending();
	log_notice("ended by signal %d", sig);
	worker_abort_opening(wk);
	engine_end_all(wk->e, 128 + sig);
	return 128 + sig;
}

void
worker_main(const struct serve_plan *p, struct listener *l, int stop_fd)
{
	struct worker wk;
	struct xfer_config cfg = *p->cfg;
	char err[DUCT_ERR_LEN];
	int status = 1;

	memset(&wk, 0, sizeof(wk));
	sig_child_reset();
	wk.p = p;
	wk.l = l;
	wk.stop_fd = stop_fd;
	wk.max = (size_t)p->listen->opts.max_children;
	wk.lw.ready = worker_accept;
	wk.sw.ready = worker_stop_read;
	/* Idle connections hold no buffer memory. */
	cfg.thin = true;
	if ((wk.e = engine_new(POLLER_EPOLL, &cfg, err)) == NULL ||
	    engine_watch(wk.e, l->fd, &wk.lw, POLLER_EXCLUSIVE, err) == -1 ||
	    engine_watch(wk.e, stop_fd, &wk.sw, 0, err) == -1 ||
	    engine_want(wk.e, stop_fd, POLLER_IN) == -1) {
		log_err("%s: %s", p->listen->label, err);
		goto out;
	}
	worker_listen_update(&wk);
	status = worker_loop(&wk);
out:
	engine_free(wk.e);
	reaper_end_all();
	if (l->fd != -1)
		p->listen->kind->listen_close(l, true);
	if (wk.stop_fd != -1)
		close(wk.stop_fd);
	exit(status);
}
