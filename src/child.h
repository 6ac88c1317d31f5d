/*
 * SPDX-License-Identifier: ISC
 * A fork child's lifetime (serve.c forks one per peer): how it ends, and
 * what the parent keeps from it.  Each trick that makes a child cheap is
 * named below once, with why it exists and where it lives.
 */
#ifndef DUCT_CHILD_H
#define DUCT_CHILD_H

#include <stddef.h>

/*
 * Why: after fork(2) parent and child share every page until one of
 * them writes to it, and each first write costs a copy-on-write fault;
 * a child also faults in each page of code it runs that the parent did
 * not.  A child that relays one connection does little else, so these
 * faults are much of its cost (bench/README, the fork-mode rows).
 *
 * - Buffers are mappings of their own, not heap memory (buffer.c): the
 *   child's first malloc() would write allocator state shared with the
 *   parent.
 * - A child leaves its buffers to exit (xfer_config.exiting): unmapping
 *   each one is a TLB flush on every CPU it ran on.
 * - A child ends with child_exit(): exit() runs destructors and stdio's
 *   cleanup, which write to shared pages.
 * - What only the parent reads lives in child_parent_only() memory.
 * - Signal flags are cleared only when set (sig_child_reset(), sig.c):
 *   they share a page with the parent's other globals.
 * - Paths a quiet child runs avoid printf (xstrlcpy() in xmalloc.c,
 *   net_join_hostport() in net.c): printf's code is pages to fault in.
 * - Every library symbol is bound at start-up (-z now, configure.ac):
 *   lazy binding would patch the GOT, so copy its pages, in every child.
 * - Log lines go out with one write(2) each (log.c), so that the lines of
 *   a parent and its children do not interleave.
 */

/*
 * Ends a child with status: _exit(), which loses nothing (nothing of a
 * child's is buffered: logs and dumps go out with write(2)).  Sanitizer
 * builds exit() instead, for the leak check it runs.
 */
_Noreturn void child_exit(int status);

/*
 * Ends a child that has allocated nothing of its own (a spare that got
 * no peer): _exit() even in sanitizer builds, whose leak check at exit()
 * may find no descriptor left to report through.
 */
_Noreturn void child_exit_bare(int status);

/*
 * size bytes of zeroed memory that children do not inherit
 * (MADV_DONTFORK): for what only the parent reads, such as its list of
 * children, which would otherwise be shared after each fork and copied
 * at the parent's next write.  Released with xmunmap(p, size).
 */
void *child_parent_only(size_t size);

#endif
