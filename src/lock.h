/*
 * SPDX-License-Identifier: ISC
 * -L and -W: a lock file holding duct's process ID, so that two runs of
 * one job never overlap.  The lock is taken after the addresses have been
 * checked and before anything is opened, and is removed by whatever ends
 * the process that took it (return from main, exit(3) anywhere, a caught
 * terminating signal); never by a forked child.
 */
#ifndef DUCT_LOCK_H
#define DUCT_LOCK_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Creates path (0666 & ~umask) holding "PID\n".  When it exists already,
 * fails (-L), or with wait (-W) polls until it is gone and takes it then,
 * saying so at notice level.  Returns 0; -1 with err when the lock cannot
 * be taken; or 128+N when terminating signal N arrived while waiting
 * (sig_init() must have run).
 */
int lock_take(const char *path, bool wait, char *err, size_t errlen);

/* Removes the lock file if this process took it. */
void lock_release(void);

#endif
