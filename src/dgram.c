/*
 * SPDX-License-Identifier: ISC
 * Datagram endpoints.  Reads use recvmsg with MSG_TRUNC so that a datagram
 * larger than the buffer is noticed (and reported once) instead of being
 * cut without a word, and take the ancillary data (cmsg.c) along.  A
 * listener may have read datagrams ahead for the endpoint's peer; those
 * come first, through the pending op, because select() cannot see them.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "address.h"
#include "dgram.h"
#include "facts.h"
#include "log.h"
#include "net.h"
#include "options.h"
#include "xmalloc.h"

/* Foreign datagrams one read drops before it lets the engine go on. */
#define DGRAM_DROP_MAX 64

struct dgram_state {
	int fd;
	unsigned mode; /* DGRAM_* */
	struct sockaddr_storage peer;
	socklen_t peerlen;           /* 0: connected or no peer */
	struct dgram_queue early;    /* read ahead by a listener */
	bool got_one;                /* DGRAM_ONESHOT: the datagram went */
	bool warned;                 /* the truncation warning was given */
	const struct optvals *range; /* range= senders must match, or NULL */
	char *unlink_path;           /* socket file removed at close */
};

void
dgram_queue_init(struct dgram_queue *q)
{
	q->head = q->tail = NULL;
	q->n = 0;
}

void
dgram_queue_clear(struct dgram_queue *q)
{
	struct dgram_msg *m, *next;

	for (m = q->head; m != NULL; m = next) {
		next = m->next;
		free(m);
	}
	dgram_queue_init(q);
}

static void
dgram_queue_push(struct dgram_queue *q, struct dgram_msg *m)
{
	m->next = NULL;
	if (q->tail != NULL)
		q->tail->next = m;
	else
		q->head = m;
	q->tail = m;
	q->n++;
}

static struct dgram_msg *
dgram_queue_pop(struct dgram_queue *q)
{
	struct dgram_msg *m = q->head;

	if (m == NULL)
		return NULL;
	q->head = m->next;
	if (q->head == NULL)
		q->tail = NULL;
	q->n--;
	m->next = NULL;
	return m;
}

/*
 * recvmsg(2) of one datagram into buf[len] with MSG_TRUNC (the real size
 * comes back), its sender into *from and its control messages into
 * ctl[CMSG_ROOM] and *ctllen.  Retries EINTR.
 */
static ssize_t
dgram_recvmsg(int fd, void *buf, size_t len, struct sockaddr_storage *from,
    socklen_t *fromlen, unsigned char *ctl, size_t *ctllen)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh;
	ssize_t n;

	memset(&mh, 0, sizeof(mh));
	mh.msg_name = from;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	do {
		mh.msg_namelen = sizeof(*from);
		mh.msg_control = ctl;
		mh.msg_controllen = CMSG_ROOM;
		n = recvmsg(fd, &mh, MSG_TRUNC);
	} while (n == -1 && errno == EINTR);
	*fromlen = mh.msg_namelen;
	*ctllen = n == -1 ? 0 : mh.msg_controllen;
	if (n != -1 && (mh.msg_flags & MSG_CTRUNC))
		log_debug("ancillary data cut to %d bytes", CMSG_ROOM);
	return n;
}

/*
 * Reads one whole datagram.  Returns 1 with *out, 0 when none is waiting,
 * or -1 with err.
 */
static int
dgram_recv_msg(int fd, struct dgram_msg **out, char *err)
{
	struct dgram_msg *m;
	ssize_t size, n;

	*out = NULL;
	do
		size = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
	while (size == -1 && errno == EINTR);
	if (size == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		snprintf(err, DUCT_ERR_LEN, "recvfrom: %s", strerror(errno));
		return -1;
	}
	m = xmalloc(sizeof(*m) + (size_t)size);
	n = dgram_recvmsg(fd, m->data, (size_t)size, &m->from, &m->fromlen,
	    m->ctl, &m->ctllen);
	if (n == -1) {
		free(m);
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		snprintf(err, DUCT_ERR_LEN, "recvfrom: %s", strerror(errno));
		return -1;
	}
	/* Nothing arrives between the peek and the read on our socket. */
	m->len = (size_t)n < (size_t)size ? (size_t)n : (size_t)size;
	m->next = NULL;
	*out = m;
	return 1;
}

int
dgram_drain(int fd, struct dgram_queue *q, size_t max, char *err)
{
	struct dgram_msg *m;
	int n = 0, rc;

	while (q->n < max && n < DGRAM_DRAIN_MAX) {
		if ((rc = dgram_recv_msg(fd, &m, err)) == -1)
			return -1;
		if (rc == 0)
			break;
		dgram_queue_push(q, m);
		n++;
	}
	return n;
}

void
dgram_queue_take(struct dgram_queue *from, const struct sockaddr *peer,
    socklen_t peerlen, struct dgram_queue *to)
{
	struct dgram_queue keep;
	struct dgram_msg *m;

	dgram_queue_init(&keep);
	while ((m = dgram_queue_pop(from)) != NULL) {
		if (net_addr_equal(
			(struct sockaddr *)&m->from, m->fromlen, peer, peerlen))
			dgram_queue_push(to, m);
		else
			dgram_queue_push(&keep, m);
	}
	*from = keep;
}

/* Accounts a datagram of real bytes delivered as len; warns once. */
static size_t
dgram_fit(struct endpoint *ep, struct dgram_state *st, size_t real, size_t len)
{
	if (real <= len)
		return real;
	if (!st->warned) {
		log_warn("%s: a datagram of %zu bytes was cut to %zu bytes; "
			 "raise -b to relay datagrams whole (said once)",
		    ep->label, real, len);
		st->warned = true;
	} else {
		log_debug("%s: a datagram of %zu bytes was cut to %zu bytes",
		    ep->label, real, len);
	}
	return len;
}

/*
 * A raw IPv4 socket reads whole packets: keeps the payload of the n bytes
 * at buf, as socat does, and returns its length.
 */
static size_t
dgram_skip_ip(struct endpoint *ep, unsigned char *buf, size_t n)
{
	size_t hl;

	if (n == 0)
		return 0;
	hl = (size_t)(buf[0] & 0x0f) * 4;
	if (hl > n) {
		log_warn("%s: a packet shorter than its IP header", ep->label);
		return 0;
	}
	memmove(buf, buf + hl, n - hl);
	return n - hl;
}

static ssize_t
dgram_read(struct endpoint *ep, void *buf, size_t len)
{
	struct dgram_state *st = ep->priv;
	struct sockaddr_storage from;
	struct dgram_msg *m;
	socklen_t fromlen;
	_Alignas(struct cmsghdr) unsigned char ctl[CMSG_ROOM];
	size_t ctllen;
	char who[NET_ADDRSTRLEN], whybuf[64];
	const char *why;
	ssize_t n;
	int dropped = 0;

	if ((st->mode & DGRAM_ONESHOT) && st->got_one)
		return 0;
	if ((m = dgram_queue_pop(&st->early)) != NULL) {
		cmsg_report(m->ctl, m->ctllen, CMSG_LOG, NULL);
		n = (ssize_t)dgram_fit(ep, st, m->len, len);
		memcpy(buf, m->data, (size_t)n);
		free(m);
		st->got_one = true;
		if (st->mode & DGRAM_SKIPIP)
			n = (ssize_t)dgram_skip_ip(ep, buf, (size_t)n);
		return n;
	}
	for (;;) {
		n = dgram_recvmsg(
		    st->fd, buf, len, &from, &fromlen, ctl, &ctllen);
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return IO_WANT_READ;
		if (n == -1)
			return IO_ERR;
		if ((st->mode & DGRAM_FILTER) && st->peerlen > 0 &&
		    !net_addr_equal((struct sockaddr *)&from, fromlen,
			(struct sockaddr *)&st->peer, st->peerlen)) {
			net_format((struct sockaddr *)&from, fromlen, who,
			    sizeof(who));
			log_info(
			    "%s: ignoring a datagram from %s", ep->label, who);
			if (++dropped == DGRAM_DROP_MAX)
				return IO_WANT_READ;
			continue;
		}
		if (st->range != NULL &&
		    (why = opts_peer_refusal(st->range,
			 (struct sockaddr *)&from, whybuf, sizeof(whybuf))) !=
			NULL) {
			net_format((struct sockaddr *)&from, fromlen, who,
			    sizeof(who));
			log_warn("%s: refused a datagram from %s: %s",
			    ep->label, who, why);
			if (++dropped == DGRAM_DROP_MAX)
				return IO_WANT_READ;
			continue;
		}
		st->got_one = true;
		cmsg_report(ctl, ctllen, CMSG_LOG, NULL);
		n = (ssize_t)dgram_fit(ep, st, (size_t)n, len);
		if (st->mode & DGRAM_SKIPIP)
			n = (ssize_t)dgram_skip_ip(ep, buf, (size_t)n);
		return n;
	}
}

static ssize_t
dgram_write(struct endpoint *ep, const void *buf, size_t len)
{
	struct dgram_state *st = ep->priv;
	ssize_t n;

	do
		if (st->mode & DGRAM_SENDTO)
			n = sendto(st->fd, buf, len, 0,
			    (struct sockaddr *)&st->peer, st->peerlen);
		else
			n = send(st->fd, buf, len, 0);
	while (n == -1 && errno == EINTR);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return IO_WANT_WRITE;
	return n == -1 ? IO_ERR : n;
}

/* A datagram socket has no end of file to pass on. */
static int
dgram_shutdown_write(struct endpoint *ep)
{
	(void)ep;
	return 0;
}

static size_t
dgram_pending(struct endpoint *ep)
{
	struct dgram_state *st = ep->priv;

	if ((st->mode & DGRAM_ONESHOT) && st->got_one)
		return 1;
	/* An empty datagram (end of file) counts too. */
	return st->early.head != NULL ? st->early.head->len + 1 : 0;
}

static void
dgram_close(struct endpoint *ep)
{
	struct dgram_state *st = ep->priv;

	if (st == NULL)
		return;
	if (st->fd != -1)
		close(st->fd);
	if (st->unlink_path != NULL) {
		unlink(st->unlink_path);
		free(st->unlink_path);
	}
	dgram_queue_clear(&st->early);
	free(st);
	ep->priv = NULL;
	ep->rfd = ep->wfd = -1;
}

static const struct ep_ops dgram_ops = {
	.read = dgram_read,
	.write = dgram_write,
	.shutdown_write = dgram_shutdown_write,
	.close = dgram_close,
	.pending = dgram_pending,
};

void
dgram_init(struct endpoint *ep, int fd, unsigned dirs, unsigned mode,
    const struct sockaddr *peer, socklen_t peerlen)
{
	struct dgram_state *st;

	st = xcalloc(1, sizeof(*st));
	st->fd = fd;
	st->mode = mode;
	dgram_queue_init(&st->early);
	if (peer != NULL && peerlen <= sizeof(st->peer)) {
		memcpy(&st->peer, peer, peerlen);
		st->peerlen = peerlen;
	}
	ep->ops = &dgram_ops;
	ep->priv = st;
	ep->flags = EP_DGRAM | (dirs & (EP_READABLE | EP_WRITABLE));
	ep->rfd = (dirs & EP_READABLE) ? fd : -1;
	ep->wfd = (dirs & EP_WRITABLE) ? fd : -1;
	ep->rfl = ep->wfl = -1;
	ep->maxmsg = net_dgram_max(fd);
}

void
dgram_queue_export(const struct dgram_queue *q, struct facts **facts)
{
	if (q->head != NULL)
		cmsg_report(q->head->ctl, q->head->ctllen, CMSG_EXPORT, facts);
}

void
dgram_give(struct endpoint *ep, struct dgram_queue *early)
{
	struct dgram_state *st = ep->priv;
	struct dgram_msg *m;

	while ((m = dgram_queue_pop(early)) != NULL)
		dgram_queue_push(&st->early, m);
}

void
dgram_set_range(struct endpoint *ep, const struct optvals *opts)
{
	struct dgram_state *st = ep->priv;

	st->range = opts_peer_checks(opts) ? opts : NULL;
}

void
dgram_add_mode(struct endpoint *ep, unsigned mode)
{
	struct dgram_state *st = ep->priv;

	st->mode |= mode;
}

void
dgram_unlink_at_close(struct endpoint *ep, char *path)
{
	struct dgram_state *st = ep->priv;

	free(st->unlink_path);
	st->unlink_path = path;
}

int
dgram_accept_one(const struct address *a, struct listener *l, bool keep,
    struct endpoint *ep, struct sockaddr_storage *from, socklen_t *fromlen,
    char *err)
{
	struct dgram_queue q;
	struct dgram_msg *m;
	char who[NET_ADDRSTRLEN], whybuf[64];
	const char *why;
	int fd, rc;

	if ((rc = dgram_recv_msg(l->fd, &m, err)) != 1)
		return rc == 0 ? 1 : -1;
	if ((why = opts_peer_refusal(&a->opts, (struct sockaddr *)&m->from,
		 whybuf, sizeof(whybuf))) != NULL) {
		net_format(
		    (struct sockaddr *)&m->from, m->fromlen, who, sizeof(who));
		log_warn(
		    "%s: refused a datagram from %s: %s", a->label, who, why);
		free(m);
		return 1;
	}
	memcpy(from, &m->from, m->fromlen);
	*fromlen = m->fromlen;
	if (keep) {
		if ((fd = fcntl(l->fd, F_DUPFD_CLOEXEC, 0)) == -1) {
			snprintf(err, DUCT_ERR_LEN, "dup: %s", strerror(errno));
			free(m);
			return -1;
		}
	} else {
		fd = l->fd;
		l->fd = -1;
	}
	dgram_init(ep, fd, EP_READABLE | EP_WRITABLE,
	    DGRAM_SENDTO | DGRAM_ONESHOT, (struct sockaddr *)&m->from,
	    m->fromlen);
	dgram_queue_init(&q);
	dgram_queue_push(&q, m);
	dgram_queue_export(&q, &ep->facts);
	dgram_give(ep, &q);
	facts_add_socket(&ep->facts, fd, (struct sockaddr *)from, *fromlen);
	return 0;
}

const struct sockaddr *
dgram_peer(const struct endpoint *ep, socklen_t *len)
{
	const struct dgram_state *st = ep->priv;

	*len = st->peerlen;
	return (const struct sockaddr *)&st->peer;
}

int
dgram_recvfrom_accept(
    const struct address *a, struct listener *l, struct endpoint *ep, char *err)
{
	struct sockaddr_storage from;
	socklen_t fromlen;
	char who[NET_ADDRSTRLEN];
	int rc;

	rc = dgram_accept_one(a, l, a->opts.fork, ep, &from, &fromlen, err);
	if (rc != 0)
		return rc;
	net_format((struct sockaddr *)&from, fromlen, who, sizeof(who));
	log_notice("%s: datagram from %s", a->label, who);
	return 0;
}
