/*
 * SPDX-License-Identifier: ISC
 * Listening with fork.  The parent listens, forks and reaps; a child per
 * peer opens the other address itself so that a slow peer never holds up
 * the parent.  Stream kinds fork that child before its peer arrives (it
 * accepts); datagram kinds accept in the parent.  The parent keeps a list
 * of live children to reap them and, on SIGINT or SIGHUP, to end them.
 * SIGTERM (or a listener that failed) only stops the accepting: a child
 * serving a peer finishes its connection, so a restart of the parent
 * never cuts a live session.
 */
#include "config.h"

#include <sys/select.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "fdep.h"
#include "log.h"
#include "net.h"
#include "opener.h"
#include "serve.h"
#include "sig.h"
#include "xmalloc.h"

/*
 * How long children get after SIGTERM before SIGKILL when the parent
 * ends them all, and how long a parent that leaves them waits for its
 * child forked ahead to stop listening, in seconds.
 */
#define SERVE_GRACE 2.0

/*
 * Datagrams have no end of file: without -T, a child serving a datagram
 * peer ends after this many seconds without data instead of never.
 */
#define SERVE_DGRAM_IDLE 60.0

/* Pause after accept ran out of descriptors or memory, in seconds. */
#define SERVE_BACKOFF 0.5

/*
 * Exit status of a child forked ahead whose accept ran out of descriptors
 * or memory: the parent pauses and forks a fresh one, which has the
 * parent's limits of the moment (raised with prlimit(1), say); the old
 * child would have kept its own for good.
 */
#define SERVE_RETRY 75

struct children {
	pid_t *pids;
	size_t n, cap;
};

/* The list is the parent's alone (child.h). */
static pid_t *
children_array(size_t cap)
{
	return child_parent_only(cap * sizeof(pid_t));
}

static void
children_add(struct children *c, pid_t pid)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 1024;
		pid_t *p = children_array(cap);

		if (c->n > 0)
			memcpy(p, c->pids, c->n * sizeof(*p));
		xmunmap(c->pids, c->cap * sizeof(*p));
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
children_log(pid_t pid, int st)
{
	if (WIFEXITED(st))
		log_info("child %ld exited with status %d", (long)pid,
		    WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		log_info(
		    "child %ld killed by signal %d", (long)pid, WTERMSIG(st));
}

/*
 * Reaps the children that ended.  Returns true when one of them was
 * watch (a child not yet serving a peer), with its wait status in *st.
 */
static bool
children_reap(struct children *c, pid_t watch, int *watch_st)
{
	bool seen = false;
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		children_forget(c, pid);
		children_log(pid, st);
		if (watch > 0 && pid == watch) {
			*watch_st = st;
			seen = true;
		}
	}
	return seen;
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
		children_reap(c, 0, NULL);
		if (c->n == 0)
			break;
		nanosleep(&ts, NULL);
		waited += 0.02;
	}
	children_signal(c, SIGKILL);
	while (c->n > 0 && waitpid(-1, NULL, 0) > 0)
		c->n--;
	xmunmap(c->pids, c->cap * sizeof(*c->pids));
	c->pids = NULL;
}

/* The parent leaves: the children serving peers finish on their own. */
static void
children_leave(struct children *c)
{
	if (c->n > 0)
		log_notice("%zu %s on serving %s peer%s", c->n,
		    c->n == 1 ? "child goes" : "children go",
		    c->n == 1 ? "its" : "their", c->n == 1 ? "" : "s");
	xmunmap(c->pids, c->cap * sizeof(*c->pids));
	c->pids = NULL;
	c->n = 0;
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

/* In a child: the transfer for one accepted peer.  Never returns. */
static void
serve_child(
    const struct serve_plan *p, struct listener *l, struct endpoint *peer)
{
	struct endpoint other, *a, *b;
	struct open_ctx ctx;
	struct xfer_config cfg = *p->cfg;
	char err[DUCT_ERR_LEN];
	int status;

	cfg.exiting = true;
	sig_child_reset();
	if (l != NULL)
		p->listen->kind->listen_close(l, true);
	/* The peer's handshake happens here, never in the parent. */
	if (opener_ready(p->listen, peer, err) == -1) {
		if (errno == EINTR && sig_term_pending())
			child_exit(128 + sig_term_pending());
		log_err("%s: %s", p->listen->label, err);
		child_exit(1);
	}
	ctx = p->other_ctx;
	ctx.peer = peer;
	if (p->other_ep != NULL) {
		other = *p->other_ep;
	} else if (opener_open(p->other, &ctx, &other, err) == -1) {
		if (errno == EINTR && sig_term_pending())
			child_exit(128 + sig_term_pending());
		log_err("%s: %s", p->other->label, err);
		opener_close(peer);
		child_exit(1);
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
	/*
	 * Two plain sockets need no close(2) of their own: exit(2) closes
	 * them the same way (SO_LINGER included), two system calls fewer
	 * per connection.  Sanitizer builds close, for their leak check.
	 */
#ifndef DUCT_LEAK_CHECK
	if (fdep_close_trivial(a) && fdep_close_trivial(b))
		child_exit(status);
#endif
	child_exit(opener_close_pair(a, b, status));
}

/*
 * Whether the parent's end is its children's too: SIGINT (Ctrl-C) and
 * SIGHUP (the terminal gone) mean "stop everything"; SIGTERM, the signal
 * of service managers restarting a forwarder, and a failed listener
 * leave each child to finish its connection.
 */
static bool
serve_ends_all(void)
{
	int sig = sig_term_pending();

	return sig == SIGINT || sig == SIGHUP;
}

/*
 * How the fork loops end: stop listening (l, NULL for a connecting
 * address), end or leave the children, and return status, or 128+N
 * after signal N.
 */
static int
serve_end(const struct serve_plan *p, struct listener *l, struct children *kids,
    int status)
{
	if (l != NULL)
		p->listen->kind->listen_close(l, false);
	if (sig_term_pending()) {
		log_notice("ended by signal %d", sig_term_pending());
		status = 128 + sig_term_pending();
	}
	if (serve_ends_all())
		children_end(kids);
	else
		children_leave(kids);
	return status;
}

/*
 * A child forked before its peer arrives: it accepts, tells the parent
 * with one byte on tell (so the parent forks the next one while this
 * peer is served), and serves.  Exits 1 when the listener fails for
 * good, after logging why.  Never returns.
 */
static void
serve_spare(const struct serve_plan *p, struct listener *l, int tell)
{
	struct endpoint peer;
	char err[DUCT_ERR_LEN];

	/* Until a peer comes it has allocated nothing: child_exit_bare(). */
	l->wake_on_signal = false;
	while (opener_accept(p->listen, l, &peer, err) == -1) {
		/* The parent closed the stop pipe: it accepts no more. */
		if (errno == ECANCELED)
			child_exit_bare(0);
		if (errno == EINTR && sig_term_pending())
			child_exit_bare(128 + sig_term_pending());
		if (errno == EINTR)
			continue;
		if (serve_transient(errno)) {
			log_err("%s: %s; retrying", p->listen->label, err);
			child_exit_bare(SERVE_RETRY);
		}
		log_err("%s: %s", p->listen->label, err);
		child_exit_bare(1);
	}
	while (write(tell, "", 1) == -1 && errno == EINTR)
		;
	/*
	 * tell and the stop pipe stay open until exit: they are close-on-
	 * exec, nothing waits for their end of file (the parent holds both
	 * pipes' other ends itself), and closing them would cost two system
	 * calls per connection.
	 */
	l->stop_fd = -1;
	serve_child(p, l, &peer);
}

/*
 * The parent's share of the caught signals: reaps the children that
 * ended and forwards a statistics request to those alive.  Returns true
 * when watch was among the reaped, with its wait status in *watch_st.
 */
static bool
serve_signals(struct children *kids, pid_t watch, int *watch_st)
{
	bool seen = false;

	if (sig_child_pending())
		seen = children_reap(kids, watch, watch_st);
	if (sig_stats_pending())
		children_signal(kids, SIGUSR1);
	return seen;
}

/* Drains tell; true if a spare had taken a peer. */
static bool
serve_told(int tell)
{
	char buf[16];
	bool told = false;
	ssize_t n;

	while ((n = read(tell, buf, sizeof(buf))) > 0 ||
	    (n == -1 && errno == EINTR)) {
		if (n <= 0)
			continue;
		told = true;
		/*
		 * A pipe read returns all the pipe holds up to the size
		 * asked: less means it is empty now, and a second read
		 * that only says EAGAIN would cost the parent, the one
		 * process every connection passes, a call per peer.
		 */
		if ((size_t)n < sizeof(buf))
			break;
	}
	return told;
}

/*
 * After the parent closed the stop pipe: waits a little until its spare
 * has seen that and gone, so that nothing listens once the parent has
 * exited, or has told it took a peer just before, which it then serves.
 */
static void
serve_spare_wait(struct children *kids, pid_t spare, int tell)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	fd_set rfds;
	double waited;
	int st;

	for (waited = 0; waited < SERVE_GRACE; waited += 0.02) {
		if (serve_told(tell) || children_reap(kids, spare, &st))
			return;
		FD_ZERO(&rfds);
		FD_SET(tell, &rfds);
		pselect(tell + 1, &rfds, NULL, NULL, &ts, sig_waitmask());
	}
}

/*
 * The fork loop for kinds that can accept in any process: a child (the
 * spare) is forked ahead and waits in accept, so a new peer never waits
 * for fork(2), and the parent forks the next spare while the peer is
 * served.  The spare counts toward max-children=N: with N - 1 children
 * serving there is a spare, with N there is none and nobody accepts.
 */
static int
serve_ahead(
    const struct serve_plan *p, struct listener *l, int tell[2], int stop)
{
	struct children kids = { NULL, 0, 0 };
	size_t max = (size_t)p->listen->opts.max_children;
	pid_t spare = 0;
	int st = 0, status = 0;
	fd_set rfds;

	for (;;) {
		if (serve_signals(&kids, spare, &st)) {
			spare = 0;
			/*
			 * Ended before taking a peer.  With 1 the listener
			 * failed, and it said why; with SERVE_RETRY it ran
			 * out of descriptors or memory.  One killed from
			 * outside is just replaced.
			 */
			if (!serve_told(tell[0]) && WIFEXITED(st)) {
				if (WEXITSTATUS(st) == 1) {
					status = 1;
					break;
				}
				if (WEXITSTATUS(st) == SERVE_RETRY)
					serve_pause(SERVE_BACKOFF);
			}
		}
		if (sig_term_pending())
			break;
		if (spare == 0 && (max == 0 || kids.n < max)) {
			spare = fork();
			if (spare == 0) {
				/*
				 * stop's write end must go (the pipe's end of
				 * file is the spare's signal to stop); tell's
				 * read end may stay, as above.
				 */
				close(stop);
				serve_spare(p, l, tell[1]);
			}
			if (spare == -1) {
				spare = 0;
				log_err("%s: fork: %s", p->listen->label,
				    strerror(errno));
				serve_pause(SERVE_BACKOFF);
				continue;
			}
			children_add(&kids, spare);
		}
		FD_ZERO(&rfds);
		FD_SET(tell[0], &rfds);
		if (pselect(tell[0] + 1, &rfds, NULL, NULL, NULL,
			sig_waitmask()) == 1 &&
		    serve_told(tell[0]))
			spare = 0;
	}
	close(stop);
	if (spare != 0 && !serve_ends_all())
		serve_spare_wait(&kids, spare, tell[0]);
	close(tell[0]);
	close(tell[1]);
	close(l->stop_fd);
	return serve_end(p, l, &kids, status);
}

/* A child for peer (a listener's when l is set), which the parent closes. */
static void
serve_hand_over(const struct serve_plan *p, struct listener *l,
    struct endpoint *peer, struct children *kids)
{
	pid_t pid = fork();

	if (pid == 0)
		serve_child(p, l, peer);
	if (pid == -1) {
		log_err("%s: fork: %s", p->listen->label, strerror(errno));
	} else {
		children_add(kids, pid);
		peer->flags |= EP_HANDED;
	}
	opener_close(peer);
}

/*
 * The fork loop for kinds whose listener holds state between peers (the
 * datagram kinds): the parent accepts, then forks the child for the peer.
 */
static int
serve_after(const struct serve_plan *p, struct listener *l)
{
	struct children kids = { NULL, 0, 0 };
	struct endpoint peer;
	char err[DUCT_ERR_LEN];
	size_t max = (size_t)p->listen->opts.max_children;
	int status = 0;

	l->wake_on_signal = true;
	for (;;) {
		serve_signals(&kids, 0, NULL);
		if (sig_term_pending())
			break;
		if (max > 0 && kids.n >= max) {
			serve_pause(-1);
			continue;
		}
		if (opener_accept(p->listen, l, &peer, err) == -1) {
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
		serve_hand_over(p, l, &peer, &kids);
	}
	return serve_end(p, l, &kids, status);
}

/*
 * fork on a connecting address (socat's): connect, give the connection
 * to a child that opens the other address, wait interval= (1 s by
 * default) and connect again, as long as max-children= allows.  Each
 * connect is tried as retry= and forever say; one that fails for good
 * ends the loop with status 1.
 */
static int
serve_connecting(const struct serve_plan *p)
{
	struct children kids = { NULL, 0, 0 };
	struct endpoint peer;
	char err[DUCT_ERR_LEN];
	size_t max = (size_t)p->listen->opts.max_children;
	int status = 0;

	log_started();
	for (;;) {
		serve_signals(&kids, 0, NULL);
		if (sig_term_pending())
			break;
		if (max > 0 && kids.n >= max) {
			serve_pause(-1);
			continue;
		}
		if (opener_open(p->listen, &p->listen_ctx, &peer, err) == -1) {
			if (errno == EINTR && sig_term_pending())
				break;
			log_err("%s: %s", p->listen->label, err);
			status = 1;
			break;
		}
		serve_hand_over(p, NULL, &peer, &kids);
		/* A child that ends at once must not hurry the next connect. */
		net_sleep(p->listen->opts.interval);
	}
	return serve_end(p, NULL, &kids, status);
}

int
serve_run(const struct serve_plan *p)
{
	struct listener l;
	char err[DUCT_ERR_LEN];
	int tell[2], stop[2];
	bool ahead = p->listen->kind->accept_anywhere;

	if (p->listen->kind->listen == NULL)
		return serve_connecting(p);
	memset(&l, 0, sizeof(l));
	l.stop_fd = -1;
	/*
	 * Before listening, so the descriptors are all there once it is.
	 * Nothing is ever written to stop: its write end closing, when the
	 * parent ends in any way, tells the spare to accept no more.
	 */
	if (ahead && pipe2(tell, O_CLOEXEC | O_NONBLOCK) == -1) {
		log_err("%s: pipe: %s", p->listen->label, strerror(errno));
		return 1;
	}
	if (ahead && pipe2(stop, O_CLOEXEC) == -1) {
		log_err("%s: pipe: %s", p->listen->label, strerror(errno));
		close(tell[0]);
		close(tell[1]);
		return 1;
	}
	if (opener_listen(p->listen, &p->listen_ctx, &l, err) == -1) {
		log_err("%s: %s", p->listen->label, err);
		if (ahead) {
			close(tell[0]);
			close(tell[1]);
			close(stop[0]);
			close(stop[1]);
		}
		return 1;
	}
	/* Listening: from here on, -lm logs to syslog. */
	log_started();
	if (!ahead)
		return serve_after(p, &l);
	l.stop_fd = stop[0];
	return serve_ahead(p, &l, tell, stop[1]);
}
