/*
 * SPDX-License-Identifier: ISC
 * A!!B as one endpoint.  Each operation goes to the half it is about:
 * reads (and pending, and the error of a failed read) to A, writes and
 * the end of writing to B; close closes both.  The joint flags keep the
 * two halves' bits apart (flags for reading, wflags for writing), so that
 * line endings, datagrams and zero-copy follow the side they describe.
 */
#include <stdlib.h>
#include <string.h>

#include "dual.h"
#include "xmalloc.h"

struct dual {
	struct endpoint rd, wr;
	struct endpoint *last; /* the half of the last read or write */
};

/* Bits that describe reading, and bits that describe writing. */
#define DUAL_RBITS (EP_READABLE | EP_RSPLICE | EP_IGNOREEOF | EP_READLIMIT)
#define DUAL_WBITS (EP_WRITABLE | EP_WSPLICE | EP_WSOCKET | EP_COOLWRITE)

static ssize_t
dual_read(struct endpoint *ep, void *buf, size_t len)
{
	struct dual *d = ep->priv;
	ssize_t n;

	d->last = &d->rd;
	n = d->rd.ops->read(&d->rd, buf, len);
	ep->rfd = d->rd.rfd;
	return n;
}

static ssize_t
dual_write(struct endpoint *ep, const void *buf, size_t len)
{
	struct dual *d = ep->priv;
	ssize_t n;

	d->last = &d->wr;
	n = d->wr.ops->write(&d->wr, buf, len);
	ep->wfd = d->wr.wfd;
	return n;
}

static int
dual_shutdown_write(struct endpoint *ep)
{
	struct dual *d = ep->priv;
	int rc;

	rc = d->wr.ops->shutdown_write(&d->wr);
	/* B may have closed its descriptor: the engine must not watch it. */
	ep->wfd = d->wr.wfd;
	return rc;
}

static size_t
dual_pending(struct endpoint *ep)
{
	struct dual *d = ep->priv;

	return d->rd.ops->pending != NULL ? d->rd.ops->pending(&d->rd) : 0;
}

static const char *
dual_error(struct endpoint *ep)
{
	struct dual *d = ep->priv;

	if (d->last == NULL || d->last->ops->error == NULL)
		return NULL;
	return d->last->ops->error(d->last);
}

static void
dual_close(struct endpoint *ep)
{
	struct dual *d = ep->priv;

	if (d == NULL)
		return;
	d->rd.ops->close(&d->rd);
	d->wr.ops->close(&d->wr);
	ep->failed = d->rd.failed || d->wr.failed;
	free(d);
	ep->priv = NULL;
	ep->rfd = ep->wfd = -1;
}

static const struct ep_ops dual_ops = {
	.read = dual_read,
	.write = dual_write,
	.shutdown_write = dual_shutdown_write,
	.close = dual_close,
	.pending = dual_pending,
	.error = dual_error,
};

void
dual_join(struct endpoint *ep, struct endpoint *rd, struct endpoint *wr)
{
	struct dual *d = xcalloc(1, sizeof(*d));

	d->rd = *rd;
	d->wr = *wr;
	memset(ep, 0, sizeof(*ep));
	ep->ops = &dual_ops;
	xstrlcpy(ep->label, rd->label, sizeof(ep->label));
	ep->rfd = rd->rfd;
	ep->wfd = wr->wfd;
	ep->rfl = ep->wfl = -1;
	/*
	 * The engine asks flags about reading and ep_wflags() about writing;
	 * EP_RAWFD, EP_DGRAM, EP_CRLF and EP_CR in each are that half's.
	 */
	ep->flags = (rd->flags & ~DUAL_WBITS) | (ep_wflags(wr) & EP_WRITABLE);
	ep->wflags = (ep_wflags(wr) & ~DUAL_RBITS) | EP_WRITABLE;
	ep->maxmsg = wr->maxmsg;
	ep->readleft = rd->readleft;
	ep->escape = rd->escape;
	ep->shut = wr->shut;
	ep->priv = d;
}
