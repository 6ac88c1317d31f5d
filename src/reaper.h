/*
 * SPDX-License-Identifier: ISC
 * Programs left to end in a loop that must not wait (workers=): an EXEC
 * endpoint closed there hands its program over instead of waiting for
 * it, and the loop reaps it when it ends, or sends it SIGTERM and then
 * SIGKILL when it outstays its deadlines, as the one-pair close does.
 */
#ifndef DUCT_REAPER_H
#define DUCT_REAPER_H

#include <stddef.h>
#include <sys/types.h>

/* Called once pid is reaped, with its wait status. */
typedef void (*reaper_done_fn)(void *arg, int status);

/*
 * Takes pid: it gets term_after seconds to end by itself, then SIGTERM
 * and kill_after seconds more, then SIGKILL.  done(arg, status) runs
 * when it has been reaped (from reaper_poll() or reaper_end_all()).
 */
void reaper_add(pid_t pid, double term_after, double kill_after,
    reaper_done_fn done, void *arg);

/*
 * Reaps the programs that ended and signals those whose deadline passed.
 * Returns the seconds until the next deadline, or -1 when none is held.
 * Call it after every wake-up (SIGCHLD interrupts the loop's wait).
 */
double reaper_poll(void);

/* How many programs are held. */
size_t reaper_count(void);

/* Before the process exits: ends every program held, waiting for each. */
void reaper_end_all(void);

#endif
