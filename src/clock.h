/*
 * SPDX-License-Identifier: ISC
 * The one monotonic clock every timer in duct reads: seconds as a double,
 * deadlines as points on that clock (0: none), and the time left until one.
 * Wall-clock time never enters a timeout, so a clock step cannot end or
 * stretch one.
 */
#ifndef DUCT_CLOCK_H
#define DUCT_CLOCK_H

/* Seconds on CLOCK_MONOTONIC. */
double clock_now(void);

/*
 * The point timeout seconds from now (timeout <= 0: 0, no deadline), for
 * clock_left().
 */
double clock_deadline(double timeout);

/*
 * Seconds left until deadline, for a wait: -1 when deadline is 0 (no
 * limit), 0 once it has passed.
 */
double clock_left(double deadline);

#endif
