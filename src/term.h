/*
 * SPDX-License-Identifier: ISC
 * Terminal settings and serial line locks for the kinds whose descriptor
 * may be a terminal: the TERMIOS options of an address applied to its
 * descriptor, the settings it had put back at the end, and the UUCP lock
 * file (lockfile=, waitlock=) taken before the line is opened.
 */
#ifndef DUCT_TERM_H
#define DUCT_TERM_H

#include <stdbool.h>

#include "duct.h"
#include "endpoint.h"
#include "options.h"

/* What an endpoint must undo at its end; owned by the endpoint (ep->term). */
struct term_hold;

/* True when o holds at least one TERMIOS option. */
bool term_wanted(const struct optvals *o);

/*
 * Applies the TERMIOS options of o to the terminal fd in the order they
 * were given, with one tcsetattr(2) at the end.  With hold non-NULL the
 * settings fd had before are kept in *hold (made when NULL) for
 * term_release().  Nothing given: returns 0 at once.  Returns 0, or -1
 * with err ("raw: not a terminal").
 */
int term_apply(
    int fd, const struct optvals *o, struct term_hold **hold, char *err);

/*
 * term_apply() on the first of ep's descriptors (rfd, then wfd) that is a
 * terminal, keeping the old settings in ep->term to be put back when the
 * endpoint closes.  Returns 0, or -1 with err when neither is a terminal.
 */
int term_apply_ep(struct endpoint *ep, const struct optvals *o, char *err);

/*
 * lockfile= or waitlock= of o: creates the lock file holding duct's pid
 * (ten characters and a newline, as UUCP programs write it) before the
 * line is opened.  A lock whose process is gone is removed; one held by a
 * live process fails (lockfile) or is waited for (waitlock, until a
 * signal: errno EINTR).  The lock goes into *hold (made when NULL).
 * Nothing asked: returns 0.  Returns 0, or -1 with err.
 */
int term_lock(const struct optvals *o, struct term_hold **hold, char *err);

/* Moves what from holds into *into (made when NULL); frees from. */
void term_merge(struct term_hold **into, struct term_hold *from);

/*
 * Puts the saved settings back and removes the lock file, then frees
 * hold (NULL is fine).  Only the process that made hold does the first
 * two: a forked child sharing the terminal leaves them to its parent.
 */
void term_release(struct term_hold *hold);

#endif
