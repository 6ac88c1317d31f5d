/*
 * SPDX-License-Identifier: ISC
 * libFuzzer harness for the -v/-x dump formatters: escapes and hex lines
 * of any bytes into buffers of any size must stay in bounds and consume
 * the input completely.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "dump.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[8192];
	struct timeval tv = { 0, 0 };
	size_t outlen, used, i, o;

	if (size < 1)
		return 0;
	/* The first byte picks an output size, the rest is the data. */
	outlen = 4 + data[0] * 16;
	data++;
	size--;
	for (i = 0; i < size; i += used) {
		o = dump_format_text(out, outlen, data + i, size - i, &used);
		if (o > outlen || used == 0)
			abort();
	}
	for (i = 0; i < size; i += 16)
		if (dump_format_hex(out, sizeof(out), data + i, size - i, i) >
		    DUMP_HEX_LINE)
			abort();
	if (dump_format_header(out, outlen, '>', &tv, size, size) >= outlen)
		abort();
	return 0;
}
