/*
 * SPDX-License-Identifier: ISC
 * Allocation wrappers that end the process with "out of memory" instead of
 * returning NULL.  They are the one exception to "only main.c exits": a
 * relay that cannot allocate a few bytes has nothing sensible left to do.
 */
#ifndef DUCT_XMALLOC_H
#define DUCT_XMALLOC_H

#include <stddef.h>

void *xcalloc(size_t nmemb, size_t size);
void *xmalloc(size_t size);
/* realloc(3) that never returns NULL; size 0 counts as 1. */
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/*
 * size bytes of zeroed, page-aligned anonymous memory of its own (a
 * private mapping), released with xmunmap(p, size).
 */
void *xmmap(size_t size);
void xmunmap(void *p, size_t size);

/*
 * Copies s into dst[size] (size > 0), cut to fit, always terminated.
 * Allocates nothing; here because it is the copy without the strdup.
 * snprintf("%s") would do, but a forked child that runs no other printf
 * then pays a page fault for each page of printf's code (bench/README).
 */
void xstrlcpy(char *dst, const char *s, size_t size);

#endif
