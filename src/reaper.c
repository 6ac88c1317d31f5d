/*
 * SPDX-License-Identifier: ISC
 * The programs a workers= loop closed but did not wait for: a short list
 * polled after each wake-up, each with the time it may still run before
 * SIGTERM and then SIGKILL (see reaper.h).  A worker holds a handful at a
 * time, so a list searched in full is enough.
 */
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

#include "clock.h"
#include "reaper.h"
#include "xmalloc.h"

struct reaped {
	pid_t pid;
	double term_at; /* monotonic: SIGTERM then */
	double kill_at; /* SIGKILL then, once termed */
	double kill_after;
	int termed;
	reaper_done_fn done;
	void *arg;
	struct reaped *next;
};

static struct reaped *reaper_list;
static size_t reaper_n;

void
reaper_add(pid_t pid, double term_after, double kill_after, reaper_done_fn done,
    void *arg)
{
	struct reaped *r = xcalloc(1, sizeof(*r));

	r->pid = pid;
	r->term_at = clock_now() + term_after;
	r->kill_after = kill_after;
	r->done = done;
	r->arg = arg;
	r->next = reaper_list;
	reaper_list = r;
	reaper_n++;
}

size_t
reaper_count(void)
{
	return reaper_n;
}

/* Reaped (or gone): runs done and forgets it. */
static void
reaper_drop(struct reaped **pp, int status)
{
	struct reaped *r = *pp;

	*pp = r->next;
	reaper_n--;
	r->done(r->arg, status);
	free(r);
}

/* Signals r if its deadline passed; returns its next deadline. */
static double
reaper_due(struct reaped *r, double now)
{
	if (!r->termed && now >= r->term_at) {
		kill(r->pid, SIGTERM);
		r->termed = 1;
		r->kill_at = now + r->kill_after;
	} else if (r->termed == 1 && now >= r->kill_at) {
		kill(r->pid, SIGKILL);
		r->termed = 2;
	}
	if (!r->termed)
		return r->term_at;
	return r->termed == 1 ? r->kill_at : -1;
}

double
reaper_poll(void)
{
	struct reaped **pp = &reaper_list;
	double now = clock_now(), next = -1, at;
	int status = 0;
	pid_t got;

	while (*pp != NULL) {
		got = waitpid((*pp)->pid, &status, WNOHANG);
		if (got == (*pp)->pid || (got == -1 && errno == ECHILD)) {
			reaper_drop(pp, status);
			continue;
		}
		at = reaper_due(*pp, now);
		if (at >= 0 && (next < 0 || at < next))
			next = at;
		pp = &(*pp)->next;
	}
	return next < 0 ? -1 : (next > now ? next - now : 0);
}

void
reaper_end_all(void)
{
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	struct reaped *r;
	int status;

	for (r = reaper_list; r != NULL; r = r->next)
		if (!r->termed) {
			/* Leaving now: no more time of its own. */
			r->term_at = clock_now();
		}
	while (reaper_list != NULL) {
		if (reaper_poll() == -1 && reaper_list != NULL) {
			/* Only SIGKILLed ones are left: they cannot linger. */
			status = 0;
			waitpid(reaper_list->pid, &status, 0);
			reaper_drop(&reaper_list, status);
			continue;
		}
		nanosleep(&nap, NULL);
	}
}
