/*
 * SPDX-License-Identifier: ISC
 * libFuzzer harness for the address parser and the option table: any
 * byte string is parsed as address 1 and 2, then freed.  A crash, a leak
 * or undefined behaviour here is a bug in src/address.c or src/options.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct address a;
	struct parse_error pe;
	char *text;

	if (size > 4096)
		return 0;
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (address_parse(text, 1 + (size & 1), &a, &pe) == 0) {
		if (a.opts.nranges > 0) {
			struct sockaddr_storage ss;

			memset(&ss, 0, sizeof(ss));
			ss.ss_family = (size & 2) ? AF_INET6 : AF_INET;
			(void)opts_range_allows(
			    &a.opts, (struct sockaddr *)&ss);
		}
		address_free(&a);
	} else if (pe.off > size || pe.len > size + 1) {
		abort();
	}
	free(text);
	return 0;
}
