/*
 * SPDX-License-Identifier: ISC
 * The endpoint of a dual address, A!!B: one endpoint made of two, that
 * reads from A's endpoint and writes to B's.  The engine sees an ordinary
 * endpoint; each half keeps its own kind's ops, descriptors and flags.
 */
#ifndef DUCT_DUAL_H
#define DUCT_DUAL_H

#include "endpoint.h"

/*
 * Makes ep the joint endpoint of rd (A, opened for reading) and wr (B,
 * opened for writing), taking both over: from here on ep's close closes
 * them.  ep reads through rd's ops and rfd, writes and ends writing
 * through wr's ops and wfd; flags are rd's reading bits plus EP_WRITABLE,
 * wflags are wr's bits, and maxmsg is wr's.  ep's label is rd's.  Cannot
 * fail.
 */
void dual_join(struct endpoint *ep, struct endpoint *rd, struct endpoint *wr);

#endif
