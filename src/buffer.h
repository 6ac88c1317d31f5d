/*
 * SPDX-License-Identifier: ISC
 * A channel's buffer: a bounded byte area that one side fills and the
 * other drains.  Its capacity is either fixed (-b, datagrams) or adaptive:
 * it starts small, grows while reads keep filling it, and falls back to
 * the small size after a run of small reads, so bulk transfers make few
 * system calls and idle connections stay thin.
 */
#ifndef DUCT_BUFFER_H
#define DUCT_BUFFER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* An adaptive buffer's range when -b fixes no size (transfer.c). */
#define BUFFER_ADAPTIVE_MIN ((size_t)32 * 1024)
#define BUFFER_ADAPTIVE_MAX ((size_t)4 * 1024 * 1024)

struct buffer {
	char *data;          /* owned; allocated on first use */
	size_t size;         /* capacity */
	size_t off;          /* start of the bytes not yet drained */
	size_t len;          /* bytes not yet drained */
	size_t min, max;     /* capacity range; equal when fixed */
	unsigned small_runs; /* consecutive small reads */
	int pipe[2];         /* zero-copy mode: the kernel pipe, else -1 */
	bool stalled;        /* zero-copy: the pipe took no more; drain first */
	bool grow;           /* a read filled it: grow when next empty */
	bool shrink;         /* small reads: back to min when next empty */
	bool thin;           /* idle: free the area even at min (buffer_thin) */
};

/*
 * Sets the capacity range: min == max fixes it.  Allocates nothing yet;
 * the area is allocated by the first buffer_tail().
 */
void buffer_init(struct buffer *b, size_t min, size_t max);

/*
 * Adapts the capacity after a read of n bytes into a tail of room bytes:
 * a read that filled the room grows the buffer (up to max), and a long
 * run of small reads returns it to min, each the next time buffer_tail()
 * finds it empty (nothing is copied; the old area is freed first).
 */
void buffer_adapt(struct buffer *b, size_t n, size_t room);

/*
 * True when b is adaptive, empty and larger than its minimum (or, made
 * thin, holds an area at all): an idle channel may then buffer_release()
 * it, freeing the area and returning the capacity to min.
 */
bool buffer_releasable(const struct buffer *b);
void buffer_release(struct buffer *b);

/*
 * For a process holding many mostly idle connections (workers=): an idle
 * adaptive buffer is released even at its minimum size, so that a quiet
 * connection holds no buffer memory; the next read maps it again.
 */
void buffer_thin(struct buffer *b);

/*
 * Frees the area and closes the zero-copy pipe.  With exiting (the
 * process ends next) the area is left to exit(2), except in sanitizer
 * builds, whose leak check runs at exit.
 */
void buffer_free(struct buffer *b, bool exiting);

/*
 * Returns the free space at the end, moving undrained bytes to the front
 * first when the end is full and they are at most a quarter of the
 * capacity; *room gets its length, which equals buffer_room().  A larger
 * remainder stays where it is, and the room stays 0 until it is drained.
 */
char *buffer_tail(struct buffer *b, size_t *room);

/*
 * Bytes the next buffer_tail() (or, zero-copy, splice_in) may add: 0 when
 * full, when a large remainder waits to be drained, or when the pipe is
 * stalled.
 */
size_t buffer_room(const struct buffer *b);

/* Accounts n bytes written at the tail. */
void buffer_commit(struct buffer *b, size_t n);

/* The undrained bytes. */
static inline const char *
buffer_head(const struct buffer *b)
{
	return b->data + b->off;
}

/* Drops n drained bytes from the head. */
void buffer_consume(struct buffer *b, size_t n);

/* Forgets every undrained byte. */
void buffer_clear(struct buffer *b);

/* True when duct was built with splice(2). */
bool buffer_splice_works(void);

/*
 * Zero-copy mode (Linux splice(2)): the bytes stay in a kernel pipe and
 * never enter user space.  The engine chooses it where it measured faster
 * than read/write (unix stream sockets on both sides; not TCP, where large
 * copies win; a pipe on one side splices directly, buffer_splice_direct).
 * buffer_splice() switches b to the mode and
 * returns 0, or -1 when it is not available (b keeps copying).  Built only
 * when configure found splice(2).
 */
int buffer_splice(struct buffer *b);
bool buffer_spliced(const struct buffer *b);

/*
 * Moves bytes from fd into the pipe, or from the pipe to fd, without
 * blocking.  Return as read(2)/write(2): bytes moved, 0 at end of file
 * (in only), -1 with errno (EAGAIN: not ready).
 */
ssize_t buffer_splice_in(struct buffer *b, int fd);
ssize_t buffer_splice_out(struct buffer *b, int fd);

/*
 * Moves up to len bytes from in to out with one splice(2), without a
 * buffer: one of the two must be a pipe.  Returns as buffer_splice_in():
 * bytes moved, 0 at end of file, -1 with errno (EAGAIN: one of the two
 * is not ready; EINVAL: the kernel cannot splice these two).
 */
ssize_t buffer_splice_direct(int in, int out, size_t len);

#endif
