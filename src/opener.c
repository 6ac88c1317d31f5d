/*
 * SPDX-License-Identifier: ISC
 * From a parsed address to an endpoint the engine can drive.  Everything
 * here holds for every kind; a kind's own work happens in its open,
 * listen and accept functions.
 */
#include <sys/select.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dual.h"
#include "facts.h"
#include "fdep.h"
#include "log.h"
#include "net.h"
#include "opener.h"
#include "sig.h"
#include "term.h"
#include "xmalloc.h"

static int
opener_fd_ok(int fd, char *err)
{
	if (fd < FD_SETSIZE)
		return 0;
	snprintf(err, DUCT_ERR_LEN,
	    "descriptor %d is not below FD_SETSIZE "
	    "(%d); select() cannot watch it",
	    fd, FD_SETSIZE);
	return -1;
}

void
opener_prepare(const struct address *a, struct open_ctx *ctx)
{
	char where[NET_ADDRSTRLEN];

	/* A dual's halves are opened with no resolved address to share. */
	if (a->dual != NULL || a->kind->prepare == NULL)
		return;
	a->kind->prepare(a, ctx);
	if (ctx->known == NULL)
		return;
	net_format(
	    ctx->known->ai_addr, ctx->known->ai_addrlen, where, sizeof(where));
	log_debug(
	    "%s: %s resolved once, not again for each peer", a->label, where);
}

void
opener_trying(const char *where, void *arg)
{
	const struct address *a = arg;

	log_info("%s: connecting to %s", a->label, where);
}

void
opener_close(struct endpoint *ep)
{
	ep->ops->close(ep);
	facts_free(ep->facts);
	ep->facts = NULL;
}

int
opener_close_pair(struct endpoint *a, struct endpoint *b, int status)
{
	opener_close(a);
	opener_close(b);
	if (status == 0 && (a->failed || b->failed))
		return 1;
	return status;
}

void
opener_unprepare(struct open_ctx *ctx)
{
	if (ctx->known != NULL)
		freeaddrinfo(ctx->known);
	ctx->known = NULL;
	if (ctx->shared != NULL && ctx->shared_free != NULL)
		ctx->shared_free(ctx->shared);
	ctx->shared = NULL;
}

/*
 * What the FD group asks of any descriptor once open: a lock, O_NOATIME
 * (socat's -,o-noatime on an inherited descriptor).  fd may be -1.
 */
static int
opener_fd_setup(const struct address *a, int fd, char *err)
{
	int fl;

	if (fd < 0)
		return 0;
	if (a->opts.lock != 0 &&
	    fdep_lock(fd, a->label, a->opts.lock, err) == -1)
		return -1;
	if ((a->opts.oflags & O_NOATIME) &&
	    ((fl = fcntl(fd, F_GETFL)) == -1 ||
		fcntl(fd, F_SETFL, fl | O_NOATIME) == -1)) {
		snprintf(err, DUCT_ERR_LEN, "noatime: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int opener_finish_fds(
    const struct address *a, struct endpoint *ep, bool any_fd, char *err);

int
opener_finish(const struct address *a, struct endpoint *ep, char *err)
{
	return opener_finish_fds(a, ep, false, err);
}

int
opener_finish_polled(const struct address *a, struct endpoint *ep, char *err)
{
	return opener_finish_fds(a, ep, true, err);
}

static int
opener_finish_fds(
    const struct address *a, struct endpoint *ep, bool any_fd, char *err)
{
	xstrlcpy(ep->label, a->label, sizeof(ep->label));
	if (a->opts.ignoreeof)
		ep->flags |= EP_IGNOREEOF;
	if (a->opts.crlf)
		ep->flags |= EP_CRLF;
	if (a->opts.cr)
		ep->flags |= EP_CR;
	if (a->opts.given[OPT_READBYTES]) {
		ep->flags |= EP_READLIMIT;
		ep->readleft = a->opts.readbytes;
	}
	if (a->opts.cool_write)
		ep->flags |= EP_COOLWRITE;
	if (a->opts.given[OPT_ESCAPE]) {
		ep->flags |= EP_ESCAPE;
		ep->escape = (unsigned char)a->opts.escape;
	}
	ep->shut = a->opts.shut;
	/* end-close: others may share the descriptor, so nothing but close. */
	if (a->opts.end_close && ep->shut == EP_SHUT_DEFAULT)
		ep->shut = EP_SHUT_NONE;
	if ((!any_fd &&
		(opener_fd_ok(ep->rfd, err) == -1 ||
		    opener_fd_ok(ep->wfd, err) == -1)) ||
	    opener_fd_setup(a, ep->rfd, err) == -1 ||
	    (ep->wfd != ep->rfd && opener_fd_setup(a, ep->wfd, err) == -1) ||
	    (ep->rfd >= 0 && opts_apply_ioctl(ep->rfd, &a->opts, err) == -1) ||
	    (ep->wfd >= 0 && ep->wfd != ep->rfd &&
		opts_apply_ioctl(ep->wfd, &a->opts, err) == -1)) {
		opener_close(ep);
		return -1;
	}
	return 0;
}

int
opener_accept(
    const struct address *a, struct listener *l, struct endpoint *ep, char *err)
{
	double limit = a->opts.accept_timeout > 0 ? a->opts.accept_timeout : -1;
	int rc, n;

	memset(ep, 0, sizeof(*ep));
	for (;;) {
		/* A kind holding a peer already need not wait for one. */
		if (l->ready)
			n = 1;
		else
			n = net_wait_listener(
			    l->fd, l->stop_fd, !l->wake_on_signal, limit);
		if (n == 2) {
			snprintf(err, DUCT_ERR_LEN, "no longer accepting");
			errno = ECANCELED;
			return -1;
		}
		if (n == 0) {
			snprintf(err, DUCT_ERR_LEN,
			    "no peer within accept-timeout=%g", limit);
			errno = ETIMEDOUT;
			return -1;
		}
		if (n == -1) {
			snprintf(err, DUCT_ERR_LEN, "%s",
			    errno == EINTR ? "interrupted" : strerror(errno));
			return -1;
		}
		rc = a->kind->accept(a, l, ep, err);
		if (rc == -1)
			return -1;
		if (rc == 0)
			break;
	}
	return opener_finish(a, ep, err);
}

int
opener_ready(const struct address *a, struct endpoint *ep, char *err)
{
	int rc = a->kind->ready != NULL ? a->kind->ready(a, ep, err) : 0;

	if (rc == 0)
		return 0;
	opener_close(ep);
	return -1;
}

/* One try of opening or listening: the kind's open or listen. */
struct opener_try {
	const struct address *a;
	const struct open_ctx *ctx;
	struct endpoint *ep; /* open */
	struct listener *l;  /* listen */
};

static int
opener_try_once(const struct opener_try *t, char *err)
{
	if (t->l != NULL) {
		memset(t->l, 0, sizeof(*t->l));
		t->l->stop_fd = -1;
		return t->a->kind->listen(t->a, t->ctx, t->l, err);
	}
	memset(t->ep, 0, sizeof(*t->ep));
	return t->a->kind->open(t->a, t->ctx, t->ep, err);
}

/*
 * The kind's open or listen, tried again as retry=, interval= and forever
 * ask: the one place that retries, so every kind behaves alike.  A
 * failed try has released what it acquired; a terminating signal ends
 * the tries at once, during a try or a pause.
 */
static int
opener_retrying(const struct opener_try *t, char *err)
{
	const struct optvals *o = &t->a->opts;
	char why[DUCT_ERR_LEN];
	unsigned long tries;
	size_t n;

	for (tries = 1;; tries++) {
		if (opener_try_once(t, err) == 0)
			return 0;
		if (errno == EINTR && sig_term_pending())
			return -1;
		if (!o->forever && tries > (unsigned long)o->retry)
			break;
		log_notice("%s: attempt %lu failed: %s; trying again in %gs",
		    t->a->label, tries, err, o->interval);
		if (net_sleep(o->interval) == -1) {
			snprintf(err, DUCT_ERR_LEN, "interrupted");
			return -1;
		}
	}
	if (tries > 1) {
		/* The reason is cut short rather than the count. */
		snprintf(
		    why, sizeof(why), "gave up after %lu attempts: ", tries);
		n = strlen(why);
		xstrlcpy(why + n, err, sizeof(why) - n);
		xstrlcpy(err, why, DUCT_ERR_LEN);
	}
	return -1;
}

int
opener_listen(const struct address *a, const struct open_ctx *ctx,
    struct listener *l, char *err)
{
	struct opener_try t = { .a = a, .ctx = ctx, .l = l };

	if (opener_retrying(&t, err) == -1)
		return -1;
	if (opener_fd_ok(l->fd, err) == -1) {
		a->kind->listen_close(l, false);
		return -1;
	}
	return 0;
}

/* opener_open() of a plain address, or of one half of a dual. */
static int
opener_open_one(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	struct listener l;
	int rc;

	memset(ep, 0, sizeof(*ep));
	/* socat's setsid: a program's own session, else duct's. */
	if (a->opts.setsid && !(a->kind->groups & G_EXEC) && setsid() == -1)
		log_warn("%s: setsid: %s (duct leads its process group)",
		    a->label, strerror(errno));
	if (a->kind->listen == NULL) {
		struct opener_try t = { .a = a, .ctx = ctx, .ep = ep };
		struct term_hold *lock = NULL;

		/* A serial line is locked before it is opened. */
		if (term_lock(&a->opts, &lock, err) == -1)
			return -1;
		if (opener_retrying(&t, err) == -1) {
			term_release(lock);
			return -1;
		}
		term_merge(&ep->term, lock);
		return opener_finish(a, ep, err);
	}
	if (opener_listen(a, ctx, &l, err) == -1)
		return -1;
	rc = opener_accept(a, &l, ep, err);
	a->kind->listen_close(&l, false);
	if (rc == 0)
		rc = opener_ready(a, ep, err);
	return rc;
}

/*
 * A!!B: A opened for reading, then B for writing, and the two joined.
 * A half that no direction uses (-u, -U) is not opened at all.
 */
static int
opener_open_dual(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	struct open_ctx half = *ctx;
	struct endpoint rd, wr;
	struct facts *facts;

	half.known = NULL;
	if (!(ctx->dirs & EP_WRITABLE)) {
		log_notice("%s: nothing is written to it: its write half is "
			   "not opened",
		    a->label);
		half.dirs = EP_READABLE;
		return opener_open_one(a, &half, ep, err);
	}
	if (!(ctx->dirs & EP_READABLE)) {
		log_notice("%s: nothing is read from it: its read half is "
			   "not opened",
		    a->label);
		half.dirs = EP_WRITABLE;
		return opener_open_one(a->dual, &half, ep, err);
	}
	half.dirs = EP_READABLE;
	if (opener_open_one(a, &half, &rd, err) == -1)
		return -1;
	half.dirs = EP_WRITABLE;
	if (opener_open_one(a->dual, &half, &wr, err) == -1) {
		opener_close(&rd);
		return -1;
	}
	facts = rd.facts;
	facts_merge(&facts, wr.facts);
	rd.facts = wr.facts = NULL;
	dual_join(ep, &rd, &wr);
	ep->facts = facts;
	return 0;
}

int
opener_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	if (a->dual != NULL)
		return opener_open_dual(a, ctx, ep, err);
	return opener_open_one(a, ctx, ep, err);
}

int
opener_check_pair(const struct address *a1, const struct address *a2, char *err)
{
	if (!a2->opts.nofork)
		return 0;
	if (a1->kind->groups & G_TLS) {
		snprintf(err, DUCT_ERR_LEN,
		    "%s: nofork: the program cannot speak TLS on %s's "
		    "descriptor",
		    a2->label, a1->label);
		return -1;
	}
	if (a1->opts.ignoreeof || a1->opts.crlf || a1->opts.cr ||
	    a1->opts.given[OPT_READBYTES] || a1->opts.shut != 0 ||
	    a1->opts.cool_write) {
		snprintf(err, DUCT_ERR_LEN,
		    "%s: nofork: ignoreeof, crlf, cr, readbytes, shut-* and "
		    "cool-write of %s need duct's relay",
		    a2->label, a1->label);
		return -1;
	}
	return 0;
}

/* The plan of a kind that has no dryrun: what it is and its parameters. */
static void
opener_generic_plan(const struct address *a, char *plan, size_t planlen)
{
	size_t n;
	int i;

	n = snprintf(plan, planlen, "%s %s",
	    a->kind->listen != NULL ? "listen as" : "open", a->kind->names[0]);
	for (i = 0; i < a->nparams && n < planlen; i++)
		n += snprintf(plan + n, planlen - n, ":%s", a->params[i]);
	if (a->opts.bind != NULL && n < planlen)
		n += snprintf(
		    plan + n, planlen - n, ", bound to %s", a->opts.bind);
	if (a->opts.fork && n < planlen)
		snprintf(plan + n, planlen - n, ", a child per peer");
}

/* One plain address (no dual) for the directions in dirs. */
static int
opener_dryrun_one(const struct address *a, const struct open_ctx *ctx,
    char *plan, size_t planlen, char *err)
{
	if (a->kind->unavailable != NULL) {
		snprintf(err, DUCT_ERR_LEN, "%s: %s", a->kind->names[0],
		    a->kind->unavailable);
		return -1;
	}
	if (a->kind->dryrun != NULL)
		return a->kind->dryrun(a, ctx, plan, planlen, err);
	opener_generic_plan(a, plan, planlen);
	return 0;
}

int
opener_dryrun(const struct address *a, const struct open_ctx *ctx, char *plan,
    size_t planlen, char *err)
{
	char pa[DUCT_ERR_LEN], pb[DUCT_ERR_LEN];
	struct open_ctx half = *ctx;

	if (a->dual == NULL)
		return opener_dryrun_one(a, ctx, plan, planlen, err);
	/* As opener_open: a half no direction needs is not opened. */
	snprintf(pa, sizeof(pa), "nothing");
	snprintf(pb, sizeof(pb), "nothing");
	half.dirs = EP_READABLE;
	if ((ctx->dirs & EP_READABLE) &&
	    opener_dryrun_one(a, &half, pa, sizeof(pa), err) == -1)
		return -1;
	half.dirs = EP_WRITABLE;
	if ((ctx->dirs & EP_WRITABLE) &&
	    opener_dryrun_one(a->dual, &half, pb, sizeof(pb), err) == -1)
		return -1;
	snprintf(plan, planlen, "read: %s; write: %s", pa, pb);
	return 0;
}
