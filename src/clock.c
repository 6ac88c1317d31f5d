/*
 * SPDX-License-Identifier: ISC
 * The monotonic clock (clock.h): one reading function and the two
 * deadline helpers built on it, shared by the engine, the socket waits,
 * the workers' timers and EXEC's reaping.
 */
#include <time.h>

#include "clock.h"

double
clock_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double
clock_deadline(double timeout)
{
	return timeout > 0 ? clock_now() + timeout : 0;
}

double
clock_left(double deadline)
{
	double left;

	if (deadline <= 0)
		return -1;
	left = deadline - clock_now();
	return left > 0 ? left : 0;
}
