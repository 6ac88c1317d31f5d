/*
 * SPDX-License-Identifier: ISC
 * Signal handling.  SIGINT, SIGTERM, SIGHUP, SIGCHLD and SIGUSR1 are caught into
 * flags and kept blocked except while waiting in pselect() (or around an
 * unavoidable blocking call), so no signal is lost between checking the
 * flags and going to sleep.  SIGPIPE is ignored: a closed peer is an
 * EPIPE the engine handles, never a death.
 */
#ifndef DUCT_SIG_H
#define DUCT_SIG_H

#include <signal.h>
#include <stdbool.h>

/* Installs the handlers and blocks the caught signals. */
void sig_init(void);

/* The mask to pass to pselect(): the caught signals unblocked. */
const sigset_t *sig_waitmask(void);

/* The terminating signal received (SIGINT/SIGTERM/SIGHUP), or 0. */
int sig_term_pending(void);

/*
 * How many terminating signals arrived: a second SIGTERM after a first
 * asks for what SIGINT asks.
 */
int sig_term_count(void);

/* True once after one or more SIGCHLD. */
bool sig_child_pending(void);

/* True once after one or more SIGUSR1 (print statistics). */
bool sig_stats_pending(void);

/* Let signals interrupt a blocking call (open of a FIFO); then block. */
void sig_unblock(void);
void sig_block(void);

/*
 * In a forked child that runs a transfer: forget the parent's pending
 * flags.  Handlers stay, so the child also cleans up on SIGTERM.
 */
void sig_child_reset(void);

#endif
