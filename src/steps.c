/*
 * SPDX-License-Identifier: ISC
 * The blocking driver of a kind's steps: call a step, wait in
 * net_wait_quiet() for the descriptor it names until its deadline, call
 * the next.  Only a terminating signal ends a wait early (EINTR), as in
 * every other blocking open.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "net.h"
#include "steps.h"

/* Waits as w says.  Returns 1 ready, 0 deadline passed, -1 with err. */
static int
steps_wait(const struct open_wait *w, char *err)
{
	int n = net_wait_quiet(
	    w->fd, w->want == IO_WANT_WRITE, clock_left(w->deadline));

	if (n == -1)
		snprintf(err, DUCT_ERR_LEN, "%s",
		    errno == EINTR ? "interrupted" : strerror(errno));
	return n;
}

int
steps_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	const struct addr_kind *k = a->kind;
	struct open_wait w;
	int rc, n, saved;

	memset(&w, 0, sizeof(w));
	rc = k->open_start(a, ctx, ep, &w, err);
	while (rc == 1) {
		if ((n = steps_wait(&w, err)) == -1) {
			saved = errno;
			if (k->open_abort != NULL)
				k->open_abort(&w);
			errno = saved;
			return -1;
		}
		rc = k->open_step(a, ctx, ep, &w, n == 0, err);
	}
	return rc;
}

int
steps_ready(const struct address *a, struct endpoint *ep, char *err)
{
	const struct addr_kind *k = a->kind;
	struct open_wait w;
	int rc, n, saved;

	memset(&w, 0, sizeof(w));
	rc = k->ready_step(a, ep, &w, false, err);
	while (rc == 1) {
		if ((n = steps_wait(&w, err)) == -1) {
			saved = errno;
			if (k->ready_abort != NULL)
				k->ready_abort(&w);
			errno = saved;
			return -1;
		}
		rc = k->ready_step(a, ep, &w, n == 0, err);
	}
	return rc;
}
