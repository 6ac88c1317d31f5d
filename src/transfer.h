/*
 * SPDX-License-Identifier: ISC
 * The transfer engine: one select() loop that moves bytes between two
 * endpoints in both directions and passes end of file on.  It knows
 * endpoints only through struct endpoint and its ops.
 */
#ifndef DUCT_TRANSFER_H
#define DUCT_TRANSFER_H

#include <stdbool.h>
#include <stddef.h>

#include "endpoint.h"

/* -t when not given: seconds the closing phase waits for more data. */
#define XFER_CLOSE_TIMEOUT 0.5

struct xfer_config {
	size_t bufsize;       /* -b: fixed bytes per direction; 0 adaptive */
	double close_timeout; /* -t: seconds without data after EOF */
	double idle_timeout;  /* -T: seconds without data; 0 none */
	bool forward;         /* address 1 -> 2 may exist (not -U) */
	bool backward;        /* address 2 -> 1 may exist (not -u) */
	bool statistics;      /* --statistics: totals at exit and on SIGUSR1 */
	bool fd_info;         /* -D: describe the descriptors first */
	/*
	 * DUCT_SPLICE, read once by main so that no fork child repeats it:
	 * 0 the measured choice, -1 never splice, 1 splice wherever it works.
	 */
	int splice;
	/*
	 * The process ends with the transfer (a fork child): its buffers are
	 * left to exit(2) rather than unmapped one by one, each munmap(2)
	 * a TLB flush on every CPU the child has run on.
	 */
	bool exiting;
	/*
	 * Many connections per process (workers=): idle buffers are freed
	 * even at their smallest (buffer_thin()).
	 */
	bool thin;
};

/*
 * Relays between a (address 1) and b (address 2) until both directions
 * are done, the close timer or the idle timer runs out, or a terminating
 * signal arrives.  Does not close the endpoints.  Returns 0 for a normal
 * end, 1 when a read or write failed (already logged), or 128+N when
 * ended by signal N.
 */
int xfer_run(
    struct endpoint *a, struct endpoint *b, const struct xfer_config *cfg);

#endif
