/*
 * SPDX-License-Identifier: ISC
 * A tiny harness for the C unit tests: CHECK() records a failure with its
 * line and goes on; unit_done() prints a summary and gives the exit status
 * automake's test driver reads (0 pass, 1 fail).
 */
#ifndef DUCT_UNIT_H
#define DUCT_UNIT_H

#include <stdio.h>

static int unit_checks, unit_failures;

#define CHECK(cond) \
	do { \
		unit_checks++; \
		if (!(cond)) { \
			unit_failures++; \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
			    __LINE__, #cond); \
		} \
	} while (0)

static inline int
unit_done(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, unit_checks, unit_failures);
	return unit_failures ? 1 : 0;
}

#endif
