/*
 * SPDX-License-Identifier: ISC
 * Allocation wrappers that never return NULL.  On failure they print a
 * plain message and exit with status 1 (a run-time failure).  And the
 * bounded string copy that goes with them.
 */
#include <sys/mman.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xmalloc.h"

static void
xmalloc_die(void)
{
	static const char msg[] = "duct: out of memory\n";

	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		(void)0;
	_exit(1);
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if ((p = calloc(nmemb, size)) == NULL)
		xmalloc_die();
	return p;
}

void *
xrealloc(void *p, size_t size)
{
	if ((p = realloc(p, size > 0 ? size : 1)) == NULL)
		xmalloc_die();
	return p;
}

void *
xmalloc(size_t size)
{
	void *p;

	if ((p = malloc(size ? size : 1)) == NULL)
		xmalloc_die();
	return p;
}

char *
xstrdup(const char *s)
{
	char *p;

	if ((p = strdup(s)) == NULL)
		xmalloc_die();
	return p;
}

void *
xmmap(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		xmalloc_die();
	return p;
}

void
xmunmap(void *p, size_t size)
{
	if (p != NULL)
		munmap(p, size);
}

void
xstrlcpy(char *dst, const char *s, size_t size)
{
	size_t n = strnlen(s, size - 1);

	memcpy(dst, s, n);
	dst[n] = '\0';
}

char *
xstrndup(const char *s, size_t n)
{
	char *p;

	if ((p = strndup(s, n)) == NULL)
		xmalloc_die();
	return p;
}
