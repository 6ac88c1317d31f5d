/*
 * SPDX-License-Identifier: ISC
 * The channels of a pair (pair.h).  Each direction is a channel with one
 * bounded buffer and a state (open, drain, done); a pass of the engine
 * (engine.c) asks what each channel wants, waits, then lets it act.
 * End of file is passed on with the sink's shutdown_write; after the
 * first one the close timer (-t) ends the relay when no data has moved
 * for that long.  No kind names and no endpoint internals here.
 * Longer than 700 lines for a reason: the three ways a channel moves
 * bytes (copy, splice through a pipe, direct splice) step one state
 * machine over one struct channel, which no other file should see.
 */
#include <sys/select.h>
#include <sys/socket.h>

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buffer.h"
#include "clock.h"
#include "dump.h"
#include "log.h"
#include "pair.h"
#include "poller.h"
#include "transfer.h"
#include "xmalloc.h"

/* How often a source with ignoreeof is read again after end of file. */
#define IGNOREEOF_POLL 0.25

enum chan_state { CH_OPEN, CH_DRAIN, CH_DONE };

static const char *const state_names[] = { "open", "drain", "done" };

struct channel {
	char name[16]; /* "1 -> 2" */
	struct endpoint *src, *dst;
	struct buffer buf;
	enum chan_state state;
	int src_want; /* IO_WANT_READ or IO_WANT_WRITE */
	int dst_want;
	/*
	 * Direct splice (chan_choose): bytes go from src->rfd to dst->wfd
	 * in one splice(2) and the buffer stays empty.  out_blocked: the
	 * last splice found the sink full, so the channel waits for it
	 * rather than for the source.
	 */
	bool direct;
	bool out_blocked;
	bool held_cr;    /* crlf: a CR kept back for the next read */
	bool shutting;   /* shutdown_write called, maybe to be repeated */
	double retry_at; /* ignoreeof: next read after EOF */
	char dir;        /* '>' for 1 -> 2, '<' for 2 -> 1, in dumps */
	uint64_t bytes;  /* written to dst */
	uint64_t msgs;   /* datagrams written */
};

struct pair {
	struct channel ch[2];
	int nch;
	double start;     /* monotonic seconds */
	double last_move; /* monotonic seconds */
	bool closing;     /* a direction is done */
	int status;
	const struct xfer_config *cfg;
	char tag[24]; /* "" or "#17: ", before the pair's own messages */
};

static void
chan_set_state(struct channel *ch, enum chan_state st)
{
	log_debug("channel %s: %s -> %s", ch->name, state_names[ch->state],
	    state_names[st]);
	ch->state = st;
}

/*
 * Adaptive buffers grow from BUFFER_ADAPTIVE_MIN to BUFFER_ADAPTIVE_MAX
 * (buffer.h); datagram channels get a fixed BUF_DGRAM (the largest UDP
 * payload fits) unless -b says otherwise.
 */
#define BUF_DGRAM (64 * 1024)

/*
 * Seconds without traffic after which an empty grown buffer is freed, so
 * that a connection that went quiet after a bulk transfer does not keep
 * megabytes.  Long enough not to free between the bursts of a transfer.
 */
#define BUF_IDLE 1.0

/* How a channel moves its bytes (chan_choose). */
enum chan_path {
	PATH_COPY,   /* read(2) into the buffer, write(2) from it */
	PATH_PIPE,   /* splice(2) through a pipe of the buffer's own */
	PATH_DIRECT, /* splice(2) from src to dst: one of them is a pipe */
};

/* The bytes must pass through user space: someone looks at or changes them. */
static bool
chan_needs_copy(const struct channel *ch)
{
	unsigned both = ch->src->flags & ep_wflags(ch->dst);
	unsigned any = ch->src->flags | ep_wflags(ch->dst);

	return dump_enabled(ch->dir) || !(both & EP_RAWFD) ||
	    (any & (EP_DGRAM | EP_CRLF | EP_CR | EP_READLIMIT | EP_ESCAPE));
}

/*
 * Chooses per pair of descriptor types, by measurement (bench/README):
 * a pipe on either side splices straight to or from the other side's
 * stream, file or pipe (no second pipe in between: half the system calls
 * and no copy); unix stream sockets on both sides splice through a pipe of
 * the channel's own; everything else (TCP to TCP, where large copies win)
 * copies.  force (DUCT_SPLICE) is -1 for never, 1 for the pipe of our
 * own between any two plain descriptors.
 */
static enum chan_path
chan_choose(const struct channel *ch, int force)
{
	unsigned r = ch->src->flags, w = ep_wflags(ch->dst);

	if (chan_needs_copy(ch) || force < 0 || !buffer_splice_works())
		return PATH_COPY;
	if (force > 0)
		return PATH_PIPE;
	if (((r & EP_RPIPE) && (w & (EP_WPIPE | EP_WSTREAM))) ||
	    ((w & EP_WPIPE) && (r & EP_RSTREAM)))
		return PATH_DIRECT;
	if ((r & EP_RSPLICE) && (w & EP_WSPLICE))
		return PATH_PIPE;
	return PATH_COPY;
}

static void
chan_init(struct channel *ch, struct endpoint *src, struct endpoint *dst,
    const char *name, const struct xfer_config *cfg)
{
	size_t bufsize = cfg->bufsize;
	bool dgram = ((src->flags | ep_wflags(dst)) & EP_DGRAM) != 0;

	memset(ch, 0, sizeof(*ch));
	xstrlcpy(ch->name, name, sizeof(ch->name));
	ch->dir = name[0] == '1' ? '>' : '<';
	ch->src = src;
	ch->dst = dst;
	ch->src_want = IO_WANT_READ;
	ch->dst_want = IO_WANT_WRITE;
	ch->state = CH_OPEN;
	if (bufsize > 0)
		buffer_init(&ch->buf, bufsize, bufsize);
	else if (dgram)
		buffer_init(&ch->buf, BUF_DGRAM, BUF_DGRAM);
	else
		buffer_init(&ch->buf, BUFFER_ADAPTIVE_MIN, BUFFER_ADAPTIVE_MAX);
	if (cfg->thin)
		buffer_thin(&ch->buf);
	if (bufsize > 0)
		return;
	switch (chan_choose(ch, cfg->splice)) {
	case PATH_DIRECT:
		ch->direct = true;
		log_debug("channel %s: zero-copy (splice, direct)", ch->name);
		break;
	case PATH_PIPE:
		if (buffer_splice(&ch->buf) == 0)
			log_debug("channel %s: zero-copy (splice)", ch->name);
		break;
	case PATH_COPY:
		break;
	}
}

static bool
chan_dgram(const struct channel *ch)
{
	return ((ch->src->flags | ep_wflags(ch->dst)) & EP_DGRAM) != 0;
}

/*
 * How much to read into room bytes: a datagram sink takes at most maxmsg
 * in one piece, LF -> CRLF may double the bytes, and a CR held back from
 * the last read needs one byte in front.
 */
static size_t
chan_want(const struct channel *ch, size_t room)
{
	size_t want = room;

	if (ch->dst->maxmsg > 0 && want > ch->dst->maxmsg)
		want = ch->dst->maxmsg;
	if (ep_wflags(ch->dst) & EP_CRLF)
		want /= 2;
	if (ch->held_cr)
		want = want > 1 ? want - 1 : 0;
	return want;
}

static bool
chan_wants_read(const struct channel *ch, double now)
{
	if (ch->state != CH_OPEN || ch->retry_at > now)
		return false;
	if (chan_dgram(ch))
		return ch->buf.len == 0;
	/* No room for a read: wait for the sink rather than spin. */
	return chan_want(ch, buffer_room(&ch->buf)) > 0;
}

static size_t
chan_pending(const struct channel *ch)
{
	return ch->src->ops->pending ? ch->src->ops->pending(ch->src) : 0;
}

/* CRLF -> LF on data read from a crlf source; may keep a trailing CR. */
static size_t
decode_crlf(struct channel *ch, char *p, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
			continue;
		p[o++] = p[i];
	}
	if (o > 0 && p[o - 1] == '\r') {
		ch->held_cr = true;
		o--;
	}
	return o;
}

/* LF -> CRLF in place; p has room for twice n bytes. */
static size_t
encode_crlf(char *p, size_t n)
{
	size_t i, lf = 0, o;

	for (i = 0; i < n; i++)
		lf += p[i] == '\n';
	o = n + lf;
	for (i = n; i-- > 0;) {
		p[--o] = p[i];
		if (p[i] == '\n')
			p[--o] = '\r';
	}
	return n + lf;
}

static void
replace(char *p, size_t n, char from, char to)
{
	for (; n > 0; n--, p++)
		if (*p == from)
			*p = to;
}

/* Converts line endings of a chunk just read; returns its new length. */
static size_t
chan_convert(struct channel *ch, char *p, size_t n)
{
	if (ch->src->flags & EP_CRLF)
		n = decode_crlf(ch, p, n);
	else if (ch->src->flags & EP_CR)
		replace(p, n, '\r', '\n');
	if (ep_wflags(ch->dst) & EP_CRLF)
		n = encode_crlf(p, n);
	else if (ep_wflags(ch->dst) & EP_CR)
		replace(p, n, '\n', '\r');
	return n;
}

/* Why the last read or write of ep failed: its own words, else errno's. */
static const char *
ep_error(struct endpoint *ep)
{
	const char *why = ep->ops->error ? ep->ops->error(ep) : NULL;

	return why != NULL ? why : strerror(errno);
}

/* Zero-copy moves, with results in the endpoint ops' terms. */
static ssize_t
chan_splice_out(struct channel *ch)
{
	ssize_t n = buffer_splice_out(&ch->buf, ch->dst->wfd);

	return n == -1 && errno == EAGAIN ? IO_WANT_WRITE : n;
}

static ssize_t
chan_splice_in(struct channel *ch)
{
	ssize_t n = buffer_splice_in(&ch->buf, ch->src->rfd);

	return n == -1 && errno == EAGAIN ? IO_WANT_READ : n;
}

/* The sink failed (n an IO_* code): the direction ends. */
static void
chan_write_failed(struct pair *pr, struct channel *ch, ssize_t n, double now)
{
	if (n == IO_ERR && (ep_wflags(ch->dst) & EP_COOLWRITE) &&
	    (errno == EPIPE || errno == ECONNRESET)) {
		log_notice("%s: write: %s (cool-write)", ch->dst->label,
		    strerror(errno));
	} else if (n != IO_CLOSED) {
		log_err("%s: write: %s", ch->dst->label, ep_error(ch->dst));
		pr->status = 1;
	}
	buffer_clear(&ch->buf);
	chan_set_state(ch, CH_DONE);
	pr->closing = true;
	pr->last_move = now;
}

static void
chan_write(struct pair *pr, struct channel *ch, double now)
{
	ssize_t n;

	if (ch->buf.len == 0 || ch->state == CH_DONE)
		return;
	if (buffer_spliced(&ch->buf))
		n = chan_splice_out(ch);
	else
		n = ch->dst->ops->write(
		    ch->dst, buffer_head(&ch->buf), ch->buf.len);
	if (n == IO_WANT_READ || n == IO_WANT_WRITE) {
		ch->dst_want = (int)n;
		return;
	}
	ch->dst_want = IO_WANT_WRITE;
	if (n < 0) {
		chan_write_failed(pr, ch, n, now);
		return;
	}
	/* A datagram goes whole or not at all. */
	if (chan_dgram(ch))
		n = ch->buf.len;
	if (dump_enabled(ch->dir))
		dump_chunk(
		    ch->dir, buffer_head(&ch->buf), (size_t)n, ch->bytes);
	ch->bytes += (uint64_t)n;
	ch->msgs += chan_dgram(ch);
	if (!buffer_spliced(&ch->buf))
		buffer_consume(&ch->buf, n);
	pr->last_move = now;
}

/*
 * At end of file a CR held back by crlf is data after all: it goes at
 * the tail now, or, when the buffer has no room, once it has drained.
 */
static void
chan_flush_cr(struct channel *ch)
{
	char *p;
	size_t room;

	p = buffer_tail(&ch->buf, &room);
	if (room == 0)
		return;
	*p = '\r';
	buffer_commit(&ch->buf, 1);
	ch->held_cr = false;
}

static void
chan_eof(struct channel *ch, double now)
{
	if (ch->src->flags & EP_IGNOREEOF) {
		ch->retry_at = now + IGNOREEOF_POLL;
		return;
	}
	log_notice("%s: end of file", ch->src->label);
	if (ch->held_cr)
		chan_flush_cr(ch);
	chan_set_state(ch, CH_DRAIN);
}

/*
 * The escape byte was read: what came before it goes on, then the
 * source ends as at end of file (ignoreeof or not: it is the way out).
 */
static void
chan_escape(struct channel *ch)
{
	log_notice("%s: escape character 0x%02x read: end of file",
	    ch->src->label, ch->src->escape);
	if (ch->held_cr)
		chan_flush_cr(ch);
	chan_set_state(ch, CH_DRAIN);
}

static void
chan_read_spliced(struct pair *pr, struct channel *ch, double now)
{
	ssize_t n = chan_splice_in(ch);

	if (n == IO_WANT_READ) {
		ch->src_want = IO_WANT_READ;
		return;
	}
	if (n == 0) {
		chan_eof(ch, now);
		return;
	}
	if (n < 0) {
		log_err("%s: read: %s", ch->src->label, strerror(errno));
		pr->status = 1;
		chan_set_state(ch, CH_DRAIN);
		return;
	}
	ch->retry_at = 0;
	pr->last_move = now;
	chan_write(pr, ch, now);
}

/*
 * Bytes asked of one direct splice: more than any pipe holds, so that a
 * call moves whatever the pipe has or takes.
 */
#define DIRECT_LEN (16 * 1024 * 1024)

/*
 * A direct splice failed with errno.  Pipes do not fail to be read, so
 * the fault is the sink's when the source is a pipe or the sink's reader
 * is gone (EPIPE), and the source's otherwise.
 */
static void
chan_direct_failed(struct pair *pr, struct channel *ch, double now)
{
	if (errno == EPIPE || (ch->src->flags & EP_RPIPE)) {
		chan_write_failed(pr, ch, IO_ERR, now);
		return;
	}
	log_err("%s: read: %s", ch->src->label, strerror(errno));
	pr->status = 1;
	chan_set_state(ch, CH_DRAIN);
}

/*
 * One direct splice, called when the descriptor the channel waits for
 * is ready: the source, or the sink when the last splice found it full.
 * EAGAIN does not say which of the two was not ready, so the channel
 * takes it as the other one and waits for that: a ready source means
 * the sink was full, a ready sink that the source has run dry.
 */
static void
chan_direct(struct pair *pr, struct channel *ch, double now)
{
	ssize_t n =
	    buffer_splice_direct(ch->src->rfd, ch->dst->wfd, DIRECT_LEN);

	if (n == -1 && errno == EAGAIN) {
		ch->out_blocked = !ch->out_blocked;
		return;
	}
	ch->out_blocked = false;
	if (n == -1 && errno == EINVAL && ch->bytes == 0) {
		/* These two descriptors do not splice: copy instead. */
		log_debug("channel %s: splice: %s; copying", ch->name,
		    strerror(errno));
		ch->direct = false;
		return;
	}
	if (n == 0) {
		chan_eof(ch, now);
		return;
	}
	if (n < 0) {
		chan_direct_failed(pr, ch, now);
		return;
	}
	ch->retry_at = 0;
	ch->bytes += (uint64_t)n;
	pr->last_move = now;
}

static void
chan_read(struct pair *pr, struct channel *ch, double now)
{
	size_t room, want, got, size;
	ssize_t n;
	char *p, *esc = NULL;

	if (ch->direct) {
		chan_direct(pr, ch, now);
		return;
	}
	if (buffer_spliced(&ch->buf)) {
		chan_read_spliced(pr, ch, now);
		return;
	}
	size = ch->buf.size;
	p = buffer_tail(&ch->buf, &room);
	if (ch->buf.size != size)
		log_debug("channel %s: buffer %zu -> %zu bytes", ch->name, size,
		    ch->buf.size);
	want = chan_want(ch, room);
	if (want == 0)
		return;
	if (ch->src->flags & EP_READLIMIT) {
		if (ch->src->readleft == 0) {
			chan_eof(ch, now);
			return;
		}
		if (want > ch->src->readleft)
			want = ch->src->readleft;
	}
	n = ch->src->ops->read(ch->src, p, want);
	if (n == IO_WANT_READ || n == IO_WANT_WRITE) {
		ch->src_want = (int)n;
		return;
	}
	ch->src_want = IO_WANT_READ;
	if (n == 0) {
		chan_eof(ch, now);
		return;
	}
	if (n < 0) {
		log_err("%s: read: %s", ch->src->label, ep_error(ch->src));
		pr->status = 1;
		chan_set_state(ch, CH_DRAIN);
		return;
	}
	ch->retry_at = 0;
	if ((ch->src->flags & EP_ESCAPE) &&
	    (esc = memchr(p, ch->src->escape, (size_t)n)) != NULL) {
		if ((n = esc - p) == 0) {
			chan_escape(ch);
			return;
		}
	}
	got = (size_t)n;
	if (ch->src->flags & EP_READLIMIT)
		ch->src->readleft -= got;
	if (ch->held_cr) {
		ch->held_cr = false;
		if (p[0] != '\n') {
			memmove(p + 1, p, n);
			p[0] = '\r';
			n++;
		}
	}
	n = chan_convert(ch, p, n);
	buffer_commit(&ch->buf, n);
	buffer_adapt(&ch->buf, got, want);
	pr->last_move = now;
	if (esc != NULL)
		chan_escape(ch);
	/* Most sinks take the data at once: skip a pass through select. */
	chan_write(pr, ch, now);
}

/* Passes end of file on to ep as its shut-* option says. */
static int
chan_shutdown(struct endpoint *ep)
{
	switch (ep->shut) {
	case EP_SHUT_NONE:
		return 0;
	case EP_SHUT_DOWN:
		return shutdown(ep->wfd, SHUT_WR);
	case EP_SHUT_CLOSE:
		/* Both ways: the descriptor is done, as after close(2). */
		if (ep->flags & EP_WSOCKET)
			return shutdown(ep->wfd, SHUT_RDWR);
		break;
	case EP_SHUT_NULL:
		/*
		 * An empty datagram, through the endpoint's write so that an
		 * unconnected socket sends it to its peer; on a stream, no
		 * bytes at all.
		 */
		return ep->ops->write(ep, "", 0) < 0 ? -1 : 0;
	}
	return ep->ops->shutdown_write(ep);
}

/* Passes end of file on once the drained buffer is empty. */
static void
chan_advance(struct pair *pr, struct channel *ch, double now)
{
	int rc;

	if (ch->state != CH_DRAIN || ch->buf.len > 0)
		return;
	if (ch->held_cr) {
		/* Written on the next pass; then the shutdown. */
		chan_flush_cr(ch);
		return;
	}
	if (!ch->shutting)
		log_notice("%s: shutting down the write side", ch->dst->label);
	ch->shutting = true;
	rc = chan_shutdown(ch->dst);
	if (rc == IO_WANT_READ || rc == IO_WANT_WRITE) {
		/* Again once wfd is ready; pair_wait watches it. */
		ch->dst_want = rc;
		return;
	}
	if (rc == -1)
		log_warn("%s: shutdown: %s", ch->dst->label, strerror(errno));
	chan_set_state(ch, CH_DONE);
	pr->closing = true;
	pr->last_move = now;
}

bool
pair_done(const struct pair *pr)
{
	int i;

	for (i = 0; i < pr->nch; i++)
		if (pr->ch[i].state != CH_DONE)
			return false;
	return true;
}

/* The close timer cut the relay short: say which direction was open. */
static void
pair_close_expired(const struct pair *pr)
{
	const struct channel *ch;
	int i;

	for (i = 0; i < pr->nch; i++) {
		ch = &pr->ch[i];
		if (ch->state == CH_DONE)
			continue;
		log_notice("%sclose timer (-t %g) expired with address %c -> "
			   "address %c still open",
		    pr->tag, pr->cfg->close_timeout, ch->dir == '>' ? '1' : '2',
		    ch->dir == '>' ? '2' : '1');
	}
}

/*
 * Frees the grown buffers of a pair that has moved nothing for BUF_IDLE;
 * returns the seconds until that is due for a buffer still held, or -1.
 */
static double
pair_release_idle(struct pair *pr, double now)
{
	double left = pr->last_move + BUF_IDLE - now;
	bool held = false;
	int i;

	for (i = 0; i < pr->nch; i++) {
		struct channel *ch = &pr->ch[i];

		if (!buffer_releasable(&ch->buf))
			continue;
		if (left > 0) {
			held = true;
			continue;
		}
		log_debug("channel %s: idle, %zu-byte buffer freed", ch->name,
		    ch->buf.size);
		buffer_release(&ch->buf);
	}
	return held ? left : -1;
}

/*
 * Seconds until the next timer (close, idle, ignoreeof poll, buffer
 * release), or -1 when none runs.  Returns 0 when a timer that ends the
 * relay has expired, with *end set.
 */
double
pair_timeout(struct pair *pr, double now, bool *end)
{
	const struct xfer_config *cfg = pr->cfg;
	double t = -1, left;
	int i;

	*end = false;
	if (pr->closing) {
		/*
		 * An ignoreeof source is read once more before the close timer
		 * can end the relay: what was written to a followed file just
		 * before the other side's end of file still arrives ("-t 0.1
		 * - f,ignoreeof!!f").
		 */
		for (i = 0; i < pr->nch; i++) {
			struct channel *ch = &pr->ch[i];
			double last = pr->last_move + cfg->close_timeout / 2;

			if (ch->state == CH_OPEN && ch->retry_at > last)
				ch->retry_at = last > now ? last : now;
		}
		left = pr->last_move + cfg->close_timeout - now;
		if (left <= 0) {
			pair_close_expired(pr);
			*end = true;
			return 0;
		}
		t = left;
	}
	if (cfg->idle_timeout > 0) {
		left = pr->last_move + cfg->idle_timeout - now;
		if (left <= 0) {
			log_notice("%sidle timeout (-T %g) expired", pr->tag,
			    cfg->idle_timeout);
			*end = true;
			return 0;
		}
		if (t < 0 || left < t)
			t = left;
	}
	for (i = 0; i < pr->nch; i++) {
		struct channel *ch = &pr->ch[i];

		if (ch->state != CH_OPEN || ch->retry_at == 0)
			continue;
		left = ch->retry_at > now ? ch->retry_at - now : 0;
		if (t < 0 || left < t)
			t = left;
	}
	left = pair_release_idle(pr, now);
	if (left >= 0 && (t < 0 || left < t))
		t = left;
	return t;
}

/* The poller's term for what a channel waits for on fd. */
static unsigned
want_events(int want)
{
	return want == IO_WANT_WRITE ? POLLER_OUT : POLLER_IN;
}

bool
pair_wants(struct pair *pr, double now,
    void (*want)(void *arg, int fd, unsigned events), void *arg)
{
	bool now_too = false;
	int i;

	for (i = 0; i < pr->nch; i++) {
		struct channel *ch = &pr->ch[i];

		if (ch->direct && ch->out_blocked) {
			if (chan_wants_read(ch, now) && ch->dst->wfd >= 0)
				want(arg, ch->dst->wfd, POLLER_OUT);
		} else if (chan_wants_read(ch, now)) {
			if (chan_pending(ch) > 0)
				now_too = true;
			if (ch->src->rfd >= 0)
				want(arg, ch->src->rfd,
				    want_events(ch->src_want));
		}
		if (((ch->buf.len > 0 && ch->state != CH_DONE) ||
			(ch->shutting && ch->state == CH_DRAIN)) &&
		    ch->dst->wfd >= 0)
			want(arg, ch->dst->wfd, want_events(ch->dst_want));
	}
	return now_too;
}

static bool
fd_ready(int fd, int want, unsigned (*ready)(void *, int), void *arg)
{
	return fd >= 0 && (ready(arg, fd) & want_events(want)) != 0;
}

void
pair_act(struct pair *pr, double now, unsigned (*ready)(void *arg, int fd),
    void *arg)
{
	int i;

	for (i = 0; i < pr->nch; i++) {
		struct channel *ch = &pr->ch[i];
		bool w = ch->buf.len > 0 && ch->state != CH_DONE &&
		    fd_ready(ch->dst->wfd, ch->dst_want, ready, arg);

		if (ch->direct && ch->out_blocked) {
			if (chan_wants_read(ch, now) &&
			    fd_ready(ch->dst->wfd, IO_WANT_WRITE, ready, arg))
				chan_direct(pr, ch, now);
		} else if (chan_wants_read(ch, now) &&
		    (fd_ready(ch->src->rfd, ch->src_want, ready, arg) ||
			chan_pending(ch) > 0))
			chan_read(pr, ch, now);
		if (w)
			chan_write(pr, ch, now);
		chan_advance(pr, ch, now);
	}
}

void
pair_statistics(const struct pair *pr, double now)
{
	double secs = now - pr->start;
	int i;

	for (i = 0; i < pr->nch; i++) {
		const struct channel *ch = &pr->ch[i];
		char msgs[48] = "";

		if (ch->msgs > 0)
			snprintf(msgs, sizeof(msgs), ", %llu datagrams",
			    (unsigned long long)ch->msgs);
		log_always("%sstatistics: address %s: %llu bytes%s in %.3f s "
			   "(%.3f MB/s)",
		    pr->tag, ch->name, (unsigned long long)ch->bytes, msgs,
		    secs, secs > 0 ? ch->bytes / secs / 1e6 : 0.0);
	}
}

struct pair *
pair_new(struct endpoint *a, struct endpoint *b, const struct xfer_config *cfg,
    const char *tag)
{
	struct pair *pr = xcalloc(1, sizeof(*pr));

	pr->cfg = cfg;
	xstrlcpy(pr->tag, tag, sizeof(pr->tag));
	if (cfg->forward && (a->flags & EP_READABLE) &&
	    (ep_wflags(b) & EP_WRITABLE))
		chan_init(&pr->ch[pr->nch++], a, b, "1 -> 2", cfg);
	if (cfg->backward && (b->flags & EP_READABLE) &&
	    (ep_wflags(a) & EP_WRITABLE))
		chan_init(&pr->ch[pr->nch++], b, a, "2 -> 1", cfg);
	pr->start = pr->last_move = clock_now();
	return pr;
}

void
pair_report(const struct pair *pr, double now)
{
	uint64_t moved[2] = { 0, 0 };
	int i;

	for (i = 0; i < pr->nch; i++)
		moved[pr->ch[i].dir == '<'] = pr->ch[i].bytes;
	log_notice("%sdone: %llu bytes from address 1 to 2, %llu from 2 to 1",
	    pr->tag, (unsigned long long)moved[0],
	    (unsigned long long)moved[1]);
	if (pr->cfg->statistics)
		pair_statistics(pr, now);
}

void
pair_free(struct pair *pr)
{
	int i;

	for (i = 0; i < pr->nch; i++)
		buffer_free(&pr->ch[i].buf, pr->cfg->exiting);
	free(pr);
}

int
pair_status(const struct pair *pr)
{
	return pr->status;
}

void
pair_set_status(struct pair *pr, int status)
{
	pr->status = status;
}
