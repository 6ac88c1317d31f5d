/*
 * Listening with fork.  The parent only listens, accepts, forks and
 * reaps; each child opens the other address itself so that a slow peer
 * never holds up the parent.  The parent keeps a list of live children so
 * that none outlives it.
 */
#include <sys/prctl.h>
#include <sys/select.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "opener.h"
#include "serve.h"
#include "sig.h"
#include "xmalloc.h"

/* How long children get after SIGTERM before SIGKILL, in seconds. */
#define SERVE_GRACE 2.0

/*
 * Datagrams have no end of file: without -T, a child serving a datagram
 * peer ends after this many seconds without data instead of never.
 */
#define SERVE_DGRAM_IDLE 60.0

/* Pause after accept ran out of descriptors or memory, in seconds. */
#define SERVE_BACKOFF 0.5

struct children {
	pid_t *pids;
	size_t n, cap;
};

static void
children_add(struct children *c, pid_t pid)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		pid_t *p = xcalloc(cap, sizeof(*p));

		if (c->n > 0)
			memcpy(p, c->pids, c->n * sizeof(*p));
		free(c->pids);
		c->pids = p;
		c->cap = cap;
	}
	c->pids[c->n++] = pid;
}

static void
children_forget(struct children *c, pid_t pid)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->pids[i] == pid) {
			c->pids[i] = c->pids[--c->n];
			return;
		}
}

static void
children_reap(struct children *c)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		children_forget(c, pid);
		if (WIFEXITED(st))
			log_info("child %ld exited with status %d", (long)pid,
			    WEXITSTATUS(st));
		else if (WIFSIGNALED(st))
			log_info("child %ld killed by signal %d", (long)pid,
			    WTERMSIG(st));
	}
}

static void
children_signal(const struct children *c, int signo)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		kill(c->pids[i], signo);
}

static void
children_end(struct children *c)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	double waited = 0;

	children_signal(c, SIGTERM);
	while (c->n > 0 && waited < SERVE_GRACE) {
		children_reap(c);
		if (c->n == 0)
			break;
		nanosleep(&ts, NULL);
		waited += 0.02;
	}
	children_signal(c, SIGKILL);
	while (c->n > 0 && waitpid(-1, NULL, 0) > 0)
		c->n--;
	free(c->pids);
	c->pids = NULL;
}

/* Errors after which the listener can go on once resources free up. */
static bool
serve_transient(int e)
{
	return e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM ||
	    e == EPERM;
}

/*
 * Sleeps up to secs (< 0: no limit) or until a signal, typically SIGCHLD
 * telling that a child ended and took its descriptors with it.
 */
static void
serve_pause(double secs)
{
	struct timespec ts, *tsp = NULL;

	if (secs >= 0) {
		ts.tv_sec = (time_t)secs;
		ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
		tsp = &ts;
	}
	pselect(0, NULL, NULL, NULL, tsp, sig_waitmask());
}

/* In the child: the transfer for one accepted peer.  Never returns. */
static void
serve_child(const struct serve_plan *p, struct listener *l,
    struct endpoint *peer, pid_t parent)
{
	struct endpoint other, *a, *b;
	struct xfer_config cfg = *p->cfg;
	char err[DUCT_ERR_LEN];
	int status;

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(1);
	sig_child_reset();
	p->listen->kind->listen_close(l, true);
	/* The peer's handshake happens here, never in the parent. */
	if (opener_ready(p->listen, peer, err) == -1) {
		if (errno == EINTR && sig_term_pending())
			exit(128 + sig_term_pending());
		log_err("%s: %s", p->listen->label, err);
		exit(1);
	}
	if (p->other_ep != NULL) {
		other = *p->other_ep;
	} else if (opener_open(p->other, &p->other_ctx, &other, err) == -1) {
		if (errno == EINTR && sig_term_pending())
			exit(128 + sig_term_pending());
		log_err("%s: %s", p->other->label, err);
		peer->ops->close(peer);
		exit(1);
	}
	if (peer->flags & EP_DGRAM) {
		if (cfg.idle_timeout == 0)
			cfg.idle_timeout = SERVE_DGRAM_IDLE;
		log_notice("%s: datagram peer: this child ends after %g s "
			   "without data (-T)",
		    p->listen->label, cfg.idle_timeout);
	}
	a = p->listen->index == 1 ? peer : &other;
	b = p->listen->index == 1 ? &other : peer;
	status = xfer_run(a, b, &cfg);
	a->ops->close(a);
	b->ops->close(b);
	exit(status);
}

int
serve_run(const struct serve_plan *p)
{
	struct children kids = { NULL, 0, 0 };
	struct listener l;
	struct endpoint peer;
	char err[DUCT_ERR_LEN];
	pid_t pid, self = getpid();
	size_t max = (size_t)p->listen->opts.max_children;
	int status = 0;

	memset(&l, 0, sizeof(l));
	if (p->listen->kind->listen(p->listen, &p->listen_ctx, &l, err) == -1) {
		log_err("%s: %s", p->listen->label, err);
		return 1;
	}
	l.wake_on_signal = true;
	for (;;) {
		if (sig_child_pending())
			children_reap(&kids);
		if (sig_term_pending())
			break;
		if (sig_stats_pending())
			children_signal(&kids, SIGUSR1);
		if (max > 0 && kids.n >= max) {
			serve_pause(-1);
			continue;
		}
		if (opener_accept(p->listen, &l, &peer, err) == -1) {
			if (errno == EINTR)
				continue;
			if (serve_transient(errno)) {
				log_err(
				    "%s: %s; retrying", p->listen->label, err);
				serve_pause(SERVE_BACKOFF);
				continue;
			}
			log_err("%s: %s", p->listen->label, err);
			status = 1;
			break;
		}
		pid = fork();
		if (pid == 0)
			serve_child(p, &l, &peer, self);
		if (pid == -1)
			log_err(
			    "%s: fork: %s", p->listen->label, strerror(errno));
		else
			children_add(&kids, pid);
		peer.ops->close(&peer);
	}
	if (sig_term_pending()) {
		log_notice("ended by signal %d", sig_term_pending());
		status = 128 + sig_term_pending();
	}
	p->listen->kind->listen_close(&l, false);
	children_end(&kids);
	return status;
}
