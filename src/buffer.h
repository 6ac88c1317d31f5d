/*
 * A channel's buffer: a bounded byte area that one side fills and the
 * other drains.  Its capacity is either fixed (-b, datagrams) or adaptive:
 * it starts small, grows while reads keep filling it, and falls back to
 * the small size after a run of small reads, so bulk transfers make few
 * system calls and idle connections stay thin.
 */
#ifndef DUCT_BUFFER_H
#define DUCT_BUFFER_H

#include <stddef.h>

struct buffer {
	char *data;          /* owned; allocated on first use */
	size_t size;         /* capacity */
	size_t off;          /* start of the bytes not yet drained */
	size_t len;          /* bytes not yet drained */
	size_t min, max;     /* capacity range; equal when fixed */
	unsigned small_runs; /* consecutive small reads */
};

/*
 * Sets the capacity range: min == max fixes it.  Allocates nothing yet;
 * the area is allocated by the first buffer_tail().
 */
void buffer_init(struct buffer *b, size_t min, size_t max);

/*
 * Adapts the capacity after a read of n bytes into a tail of room bytes:
 * a read that filled the room grows the buffer (up to max); a long run of
 * small reads on an empty buffer returns it to min and frees the area.
 */
void buffer_adapt(struct buffer *b, size_t n, size_t room);
void buffer_free(struct buffer *b);

/*
 * Returns the free space at the end (moving undrained bytes to the front
 * first when that makes room); *room gets its length.
 */
char *buffer_tail(struct buffer *b, size_t *room);

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

#endif
