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

void
buffer_init(struct buffer *b, size_t size)
{
	b->data = NULL;
	b->size = size;
	b->off = b->len = 0;
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
