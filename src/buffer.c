/*
 * SPDX-License-Identifier: ISC
 * A channel's buffer (buffer.h): a linear area whose capacity is fixed or
 * adapts between min and max.  Bytes live in data[off, off+len); the
 * offset returns to 0 whenever the buffer empties, and undrained bytes
 * move to the front only when the tail has no room left and they are few
 * (see buffer_compactable).  The area is allocated on the first read and
 * replaced by one of another size only while it is empty, so resizing
 * never copies.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buffer.h"
#include "xmalloc.h"

/* Growth factor, and how many small reads in a row shrink the buffer. */
#define BUFFER_GROW 4
#define BUFFER_SMALL_RUNS 64

/* Undrained bytes are moved to the front only up to 1/N of the capacity. */
#define BUFFER_COMPACT_MAX 4

/*
 * The area itself is a mapping of its own rather than heap memory: a fork
 * child then writes no heap page it shares with its parent (child.h), and
 * munmap() hands an idle buffer back to the system at once (see
 * buffer_release).  Sanitizer builds keep malloc() so that overruns of the
 * area are caught.
 */
static char *
buffer_area_new(size_t size)
{
#ifdef DUCT_LEAK_CHECK
	return xmalloc(size);
#else
	return xmmap(size);
#endif
}

static void
buffer_area_free(char *data, size_t size)
{
#ifdef DUCT_LEAK_CHECK
	(void)size;
	free(data);
#else
	xmunmap(data, size);
#endif
}

void
buffer_init(struct buffer *b, size_t min, size_t max)
{
	b->data = NULL;
	b->size = b->min = min;
	b->max = max < min ? min : max;
	b->off = b->len = 0;
	b->small_runs = 0;
	b->pipe[0] = b->pipe[1] = -1;
	b->stalled = false;
	b->grow = b->shrink = false;
}

void
buffer_adapt(struct buffer *b, size_t n, size_t room)
{
	if (b->min == b->max)
		return;
	if (n == room && b->size < b->max) {
		/*
		 * Resized by buffer_tail() once the buffer is empty: no copy,
		 * and the old and new areas are never both resident.
		 */
		b->grow = true;
		b->shrink = false;
		b->small_runs = 0;
		return;
	}
	/*
	 * Small means the minimum size would have held it.  Bulk reads on
	 * loopback are 128 KiB to 1 MiB, often under a sixteenth of 4 MiB:
	 * counting those shrank the buffer mid-transfer and cost a third
	 * more CPU in page faults when it grew back.
	 */
	if (n >= b->min || b->size == b->min) {
		b->small_runs = 0;
		return;
	}
	if (++b->small_runs >= BUFFER_SMALL_RUNS) {
		b->shrink = true;
		b->small_runs = 0;
	}
}

bool
buffer_releasable(const struct buffer *b)
{
	return b->data != NULL &&
	    (b->size > b->min || (b->thin && b->min < b->max)) && b->len == 0 &&
	    b->pipe[0] == -1;
}

void
buffer_thin(struct buffer *b)
{
	b->thin = true;
}

void
buffer_release(struct buffer *b)
{
	buffer_area_free(b->data, b->size);
	b->data = NULL;
	b->size = b->min;
	b->off = b->len = 0;
	b->grow = b->shrink = false;
	b->small_runs = 0;
}

void
buffer_free(struct buffer *b, bool exiting)
{
#ifdef DUCT_LEAK_CHECK
	exiting = false;
#endif
	if (!exiting)
		buffer_area_free(b->data, b->size);
	b->data = NULL;
	b->off = b->len = 0;
	if (b->pipe[0] != -1) {
		close(b->pipe[0]);
		close(b->pipe[1]);
		b->pipe[0] = b->pipe[1] = -1;
	}
}

/*
 * Moving a large undrained remainder would copy nearly as many bytes as
 * the read it makes room for (a full 4 MiB buffer written in part), and
 * the writer drains it soon anyway; so only a small remainder moves, and
 * otherwise the reader waits until the writer has emptied the buffer.
 */
static bool
buffer_compactable(const struct buffer *b)
{
	return b->off > 0 && b->len <= b->size / BUFFER_COMPACT_MAX;
}

size_t
buffer_room(const struct buffer *b)
{
	size_t room;

	if (b->stalled)
		return 0;
	room = b->size - b->off - b->len;
	if (room == 0 && buffer_compactable(b))
		room = b->size - b->len;
	return room;
}

char *
buffer_tail(struct buffer *b, size_t *room)
{
	if (b->shrink && b->len == 0) {
		buffer_release(b);
	} else if (b->grow && b->len == 0) {
		buffer_area_free(b->data, b->size);
		b->data = NULL;
		b->size = b->size * BUFFER_GROW > b->max
		    ? b->max
		    : b->size * BUFFER_GROW;
		b->grow = false;
	}
	if (b->data == NULL)
		b->data = buffer_area_new(b->size);
	if (b->off + b->len == b->size && buffer_compactable(b)) {
		memmove(b->data, b->data + b->off, b->len);
		b->off = 0;
	}
	*room = b->size - b->off - b->len;
	return b->data + b->off + b->len;
}

void
buffer_commit(struct buffer *b, size_t n)
{
	b->len += n;
}

void
buffer_consume(struct buffer *b, size_t n)
{
	b->len -= n;
	b->off = b->len == 0 ? 0 : b->off + n;
}

void
buffer_clear(struct buffer *b)
{
	b->off = b->len = 0;
}

/* Pipe size asked for in zero-copy mode (the unprivileged maximum). */
#define BUFFER_PIPE_SIZE (1024 * 1024)

bool
buffer_splice_works(void)
{
#ifdef HAVE_SPLICE
	return true;
#else
	return false;
#endif
}

int
buffer_splice(struct buffer *b)
{
#ifdef HAVE_SPLICE
	int sz;

	if (pipe2(b->pipe, O_NONBLOCK | O_CLOEXEC) == -1) {
		b->pipe[0] = b->pipe[1] = -1;
		return -1;
	}
	fcntl(b->pipe[1], F_SETPIPE_SZ, BUFFER_PIPE_SIZE);
	sz = fcntl(b->pipe[1], F_GETPIPE_SZ);
	b->size = b->min = b->max = sz > 0 ? (size_t)sz : 65536;
	b->off = b->len = 0;
	return 0;
#else
	(void)b;
	return -1;
#endif
}

bool
buffer_spliced(const struct buffer *b)
{
	return b->pipe[0] != -1;
}

ssize_t
buffer_splice_in(struct buffer *b, int fd)
{
#ifdef HAVE_SPLICE
	ssize_t n;

	do
		n = splice(fd, NULL, b->pipe[1], NULL, b->size - b->len,
		    SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
	while (n == -1 && errno == EINTR);
	if (n > 0)
		b->len += (size_t)n;
	/*
	 * A pipe holds pages, not bytes: small segments can fill its slots
	 * before its byte size.  Wait for a drain rather than spin.
	 */
	if (n == -1 && errno == EAGAIN && b->len > 0)
		b->stalled = true;
	return n;
#else
	(void)b;
	(void)fd;
	errno = ENOSYS;
	return -1;
#endif
}

ssize_t
buffer_splice_out(struct buffer *b, int fd)
{
#ifdef HAVE_SPLICE
	ssize_t n;

	do
		n = splice(b->pipe[0], NULL, fd, NULL, b->len,
		    SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
	while (n == -1 && errno == EINTR);
	if (n > 0) {
		b->len -= (size_t)n;
		b->stalled = false;
	}
	return n;
#else
	(void)b;
	(void)fd;
	errno = ENOSYS;
	return -1;
#endif
}

ssize_t
buffer_splice_direct(int in, int out, size_t len)
{
#ifdef HAVE_SPLICE
	ssize_t n;

	do
		n = splice(in, NULL, out, NULL, len,
		    SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
	while (n == -1 && errno == EINTR);
	return n;
#else
	(void)in;
	(void)out;
	(void)len;
	errno = ENOSYS;
	return -1;
#endif
}
