/*
 * Fixed-capacity linear buffer.  Bytes live in data[off, off+len); the
 * offset returns to 0 whenever the buffer empties, and undrained bytes
 * move to the front only when the tail has no room left.  The loop never
 * allocates: the area is allocated once, on the first read.
 */
#include <stdlib.h>
#include <string.h>

#include "buffer.h"
#include "xmalloc.h"

/* Growth factor, and how many small reads in a row shrink the buffer. */
#define BUFFER_GROW 4
#define BUFFER_SMALL_RUNS 64

void
buffer_init(struct buffer *b, size_t min, size_t max)
{
	b->data = NULL;
	b->size = b->min = min;
	b->max = max < min ? min : max;
	b->off = b->len = 0;
	b->small_runs = 0;
}

void
buffer_adapt(struct buffer *b, size_t n, size_t room)
{
	size_t grown;
	char *p;

	if (b->min == b->max)
		return;
	if (n == room && b->size < b->max) {
		grown = b->size * BUFFER_GROW;
		if (grown > b->max)
			grown = b->max;
		p = xmalloc(grown);
		memcpy(p, b->data + b->off, b->len);
		free(b->data);
		b->data = p;
		b->off = 0;
		b->size = grown;
		b->small_runs = 0;
		return;
	}
	if (n >= b->size / 16 || b->size == b->min) {
		b->small_runs = 0;
		return;
	}
	if (++b->small_runs >= BUFFER_SMALL_RUNS && b->len == 0) {
		free(b->data);
		b->data = NULL;
		b->size = b->min;
		b->off = 0;
		b->small_runs = 0;
	}
}

void
buffer_free(struct buffer *b)
{
	free(b->data);
	b->data = NULL;
	b->off = b->len = 0;
}

char *
buffer_tail(struct buffer *b, size_t *room)
{
	if (b->data == NULL)
		b->data = xmalloc(b->size);
	if (b->off + b->len == b->size && b->off > 0) {
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
