/*
 * SPDX-License-Identifier: ISC
 * The parent of a workers= listener.  It listens once, forks N workers
 * sharing the socket (one non-blocking socket, woken one at a time with
 * EPOLLEXCLUSIVE), passes stops and SIGUSR1 on to them, and reaps them.
 * What a worker does is worker.c's.
 */
#include "config.h"

#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#include "log.h"
#include "opener.h"
#include "sig.h"
#include "worker.h"
#include "workers.h"
#include "xmalloc.h"

bool
workers_wanted(const struct address *a)
{
	return a->opts.given[OPT_WORKERS];
}

int
workers_check(const struct address *a1, const struct address *a2, char *err)
{
	const struct address *l = workers_wanted(a1) ? a1 : a2;
	const struct address *o = l == a1 ? a2 : a1;

	if (!workers_wanted(a1) && !workers_wanted(a2))
		return 0;
	if (workers_wanted(a1) && workers_wanted(a2)) {
		snprintf(err, DUCT_ERR_LEN, "workers= on both addresses");
		return -1;
	}
	if (l->opts.fork) {
		snprintf(err, DUCT_ERR_LEN,
		    "%s: fork and workers exclude each other", l->label);
		return -1;
	}
	if (o->opts.nofork || o->opts.sigint || o->opts.sighup ||
	    o->opts.sigquit) {
		snprintf(err, DUCT_ERR_LEN,
		    "%s: workers: nofork, sigint, sighup and sigquit need a "
		    "process of duct's per connection; use fork",
		    o->label);
		return -1;
	}
	if (o->dual != NULL || o->kind->open_start == NULL) {
		snprintf(err, DUCT_ERR_LEN,
		    "%s: workers: %s cannot be opened without waiting (TCP, "
		    "UNIX-CONNECT, OPENSSL, PROXY, the SOCKS kinds, EXEC and "
		    "SYSTEM can); "
		    "use fork",
		    l->label, o->label);
		return -1;
	}
	return 0;
}

/* The number of workers: workers=N, or one per CPU. */
static int
workers_count(const struct address *a)
{
	long n = a->opts.workers;

	if (n <= 0)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

/* The parent: reaps workers; passes a stop on as the signal asks. */
static int
workers_wait(const struct serve_plan *p, struct listener *l, pid_t *pids, int n,
    int stop)
{
	int alive = n, i, st, status = 0;
	bool now_sent = false;
	pid_t pid;

	while (alive > 0) {
		if (sig_child_pending())
			while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
				for (i = 0; i < n; i++)
					if (pids[i] == pid)
						pids[i] = 0;
				alive--;
				if (WIFEXITED(st) && WEXITSTATUS(st) == 1)
					status = 1;
				log_info("worker %ld ended (status %d)",
				    (long)pid,
				    WIFEXITED(st) ? WEXITSTATUS(st)
						  : 128 + WTERMSIG(st));
			}
		/* SIGUSR1: each worker reports its own connections. */
		if (sig_stats_pending())
			for (i = 0; i < n; i++)
				if (pids[i] > 0)
					kill(pids[i], SIGUSR1);
		if (sig_term_pending() && stop != -1) {
			/* Workers see the pipe close and drain. */
			close(stop);
			stop = -1;
			p->listen->kind->listen_close(l, false);
		}
		if (worker_ends_now() && !now_sent) {
			for (i = 0; i < n; i++)
				if (pids[i] > 0)
					kill(pids[i], SIGINT);
			now_sent = true;
		}
		if (alive > 0)
			pselect(0, NULL, NULL, NULL, NULL, sig_waitmask());
	}
	if (stop != -1) {
		close(stop);
		p->listen->kind->listen_close(l, false);
	}
	if (sig_term_pending()) {
		log_notice("ended by signal %d", sig_term_pending());
		return 128 + sig_term_pending();
	}
	return status;
}

int
workers_run(const struct serve_plan *p)
{
	struct listener l;
	char err[DUCT_ERR_LEN];
	int stop[2], i, n = workers_count(p->listen);
	pid_t *pids;
	int flags;

	if (opener_listen(p->listen, &p->listen_ctx, &l, err) == -1) {
		log_err("%s: %s", p->listen->label, err);
		return 1;
	}
	flags = fcntl(l.fd, F_GETFL);
	if (flags == -1 || fcntl(l.fd, F_SETFL, flags | O_NONBLOCK) == -1 ||
	    pipe2(stop, O_CLOEXEC) == -1) {
		log_err("%s: %s", p->listen->label, strerror(errno));
		p->listen->kind->listen_close(&l, false);
		return 1;
	}
	log_started();
	log_info("%s: %d worker%s", p->listen->label, n, n == 1 ? "" : "s");
	pids = xcalloc((size_t)n, sizeof(*pids));
	for (i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			free(pids);
			close(stop[1]);
			worker_main(p, &l, stop[0]);
		}
		if (pids[i] == -1) {
			log_err(
			    "%s: fork: %s", p->listen->label, strerror(errno));
			break;
		}
	}
	close(stop[0]);
	n = i;
	if (n == 0) {
		close(stop[1]);
		p->listen->kind->listen_close(&l, false);
		free(pids);
		return 1;
	}
	i = workers_wait(p, &l, pids, n, stop[1]);
	free(pids);
	return i;
}
