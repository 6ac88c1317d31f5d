/*
 * SPDX-License-Identifier: ISC
 * Unit tests of the channel buffer: bytes come out in order across
 * partial drains, a small undrained remainder moves to the front to make
 * room, a large one waits for the writer (no copy), and the adaptive
 * capacity grows after full reads and falls back after a run of small ones.
 */
#include <string.h>

#include "buffer.h"
#include "unit.h"

/* Fills the whole free tail with bytes counting up from *next. */
static size_t
fill(struct buffer *b, unsigned char *next)
{
	size_t room, i;
	char *p = buffer_tail(b, &room);

	for (i = 0; i < room; i++)
		p[i] = (char)(*next)++;
	buffer_commit(b, room);
	return room;
}

/* True when the undrained bytes count up from first. */
static bool
in_order(const struct buffer *b, unsigned char first)
{
	const unsigned char *p = (const unsigned char *)buffer_head(b);
	size_t i;

	for (i = 0; i < b->len; i++)
		if (p[i] != (unsigned char)(first + i))
			return false;
	return true;
}

static void
test_compaction(void)
{
	struct buffer b;
	unsigned char next = 0;
	size_t room;
	const char *head;

	buffer_init(&b, 1024, 1024);
	CHECK(buffer_room(&b) == 1024);
	CHECK(fill(&b, &next) == 1024);
	CHECK(buffer_room(&b) == 0);

	/* 1000 drained, 24 left: moved to the front, 1000 bytes of room. */
	buffer_consume(&b, 1000);
	CHECK(buffer_room(&b) == 1000);
	buffer_tail(&b, &room);
	CHECK(room == 1000 && b.off == 0 && b.len == 24);
	CHECK(in_order(&b, 1000 & 0xff));
	CHECK(fill(&b, &next) == 1000);
	CHECK(in_order(&b, 1000 & 0xff));

	/* 1000 drained of 1024, the rest: 24 bytes left, again small. */
	buffer_consume(&b, 1000);
	CHECK(in_order(&b, (2000) & 0xff));

	/* A large remainder (more than a quarter) stays: no room, no move. */
	fill(&b, &next);
	buffer_consume(&b, 100);
	CHECK(b.len > 1024 / 4);
	head = buffer_head(&b);
	CHECK(buffer_room(&b) == 0);
	buffer_tail(&b, &room);
	CHECK(room == 0 && buffer_head(&b) == head);

	/* Drained down to a quarter: now it moves. */
	buffer_consume(&b, b.len - 256);
	CHECK(buffer_room(&b) == 768);
	buffer_tail(&b, &room);
	CHECK(room == 768 && b.off == 0 && in_order(&b, (next - 256) & 0xff));

	/* Emptied: the offset returns to the start. */
	buffer_consume(&b, b.len);
	CHECK(b.off == 0 && buffer_room(&b) == 1024);
	buffer_free(&b, false);
}

/* One read that fills the whole room, drained at once. */
static void
full_read(struct buffer *b, unsigned char *next)
{
	size_t n = fill(b, next);

	buffer_adapt(b, n, n);
	buffer_consume(b, b->len);
}

static void
test_adaptive(void)
{
	struct buffer b;
	unsigned char next = 0;
	size_t room;
	int i;

	buffer_init(&b, 256, 16384);
	buffer_tail(&b, &room);
	CHECK(room == 256);
	/* A read that fills the room grows the area once it is empty. */
	full_read(&b, &next);
	CHECK(b.size == 256);
	buffer_tail(&b, &room);
	CHECK(room == 1024);
	full_read(&b, &next);
	buffer_tail(&b, &room);
	CHECK(room == 4096);
	full_read(&b, &next);
	buffer_tail(&b, &room);
	CHECK(room == 16384);
	full_read(&b, &next);
	buffer_tail(&b, &room);
	CHECK(room == 16384); /* capped at max */

	/*
	 * Reads far under the capacity but above min are bulk, not idle
	 * traffic: hundreds of them leave the size alone.
	 */
	for (i = 0; i < 200; i++) {
		buffer_tail(&b, &room);
		buffer_commit(&b, 600);
		buffer_adapt(&b, 600, room);
		buffer_consume(&b, 600);
	}
	CHECK(!b.shrink && b.size == 16384);

	/* A run of small reads returns it to min once it is empty again. */
	for (i = 0; i < 200 && !b.shrink; i++) {
		char *p = buffer_tail(&b, &room);

		p[0] = 'x';
		buffer_commit(&b, 1);
		buffer_adapt(&b, 1, room);
		if (!b.shrink)
			buffer_consume(&b, 1);
	}
	CHECK(b.shrink && i == 64);
	CHECK(b.size == 16384);
	buffer_consume(&b, 1);
	buffer_tail(&b, &room);
	CHECK(room == 256 && b.size == 256);

	/* Grown and then idle: released back to min. */
	full_read(&b, &next);
	buffer_tail(&b, &room);
	CHECK(room == 1024 && buffer_releasable(&b));
	buffer_release(&b);
	CHECK(b.data == NULL && buffer_room(&b) == 256);
	CHECK(!buffer_releasable(&b));
	buffer_free(&b, false);

	/* A fixed buffer never changes size nor counts as releasable. */
	buffer_init(&b, 1024, 1024);
	full_read(&b, &next);
	buffer_tail(&b, &room);
	CHECK(room == 1024 && !buffer_releasable(&b));
	buffer_free(&b, false);
}

int
main(void)
{
	test_compaction();
	test_adaptive();
	return unit_done("test_buffer");
}
