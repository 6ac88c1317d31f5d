/*
 * A channel's buffer: a bounded byte area that one side fills and the
 * other drains.  The size is fixed by -b today; an adaptive policy or a
 * zero-copy path would plug in behind this interface.
 */
#ifndef DUCT_BUFFER_H
#define DUCT_BUFFER_H

#include <stddef.h>

struct buffer {
	char *data;  /* owned; allocated on first use */
	size_t size; /* capacity */
	size_t off;  /* start of the bytes not yet drained */
	size_t len;  /* bytes not yet drained */
};

/* Sets the capacity; allocates nothing yet. */
void buffer_init(struct buffer *b, size_t size);
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
