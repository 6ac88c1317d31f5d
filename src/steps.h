/*
 * SPDX-License-Identifier: ISC
 * Running a kind's non-blocking steps (open_start/open_step, ready_step)
 * to their end, waiting in between: how the one-pair relay and a fork
 * child open such kinds, so that they and workers= share one code path.
 */
#ifndef DUCT_STEPS_H
#define DUCT_STEPS_H

#include "address.h"
#include "endpoint.h"

/*
 * Opens a into ep with its kind's open_start and open_step, waiting for
 * what each asks until its deadline.  Returns 0, or -1 with err and errno
 * (EINTR when a terminating signal ended a wait).
 */
int steps_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err);

/*
 * Makes the accepted ep ready with a's kind's ready_step, waiting as for
 * steps_open().  ep stays open either way.  Returns 0, or -1 with err.
 */
int steps_ready(const struct address *a, struct endpoint *ep, char *err);

#endif
