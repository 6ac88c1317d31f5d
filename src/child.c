/*
 * SPDX-License-Identifier: ISC
 * A fork child's lifetime: how it ends and the memory it does not
 * inherit.  Why each trick exists is said once, in child.h.
 */
#include "config.h"

#include <sys/mman.h>

#include <stdlib.h>
#include <unistd.h>

#include "child.h"
#include "xmalloc.h"

void
child_exit(int status)
{
#ifdef DUCT_LEAK_CHECK
	exit(status);
#else
	_exit(status);
#endif
}

void
child_exit_bare(int status)
{
	_exit(status);
}

void *
child_parent_only(size_t size)
{
	void *p = xmmap(size);

	/* Advice only: without it a child costs a fault more, nothing else. */
	(void)madvise(p, size, MADV_DONTFORK);
	return p;
}
