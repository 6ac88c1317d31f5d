/*
 * SPDX-License-Identifier: ISC
 * workers=N on a listening address: N processes share the listener and
 * each serves many peers in one engine over epoll, opening the other
 * address for each peer with the kind's non-blocking open steps.
 */
#ifndef DUCT_WORKERS_H
#define DUCT_WORKERS_H

#include "address.h"
#include "serve.h"

/*
 * Before anything is opened: whether workers= on one of a1, a2 can go
 * with the other address.  Returns 0 (also when neither has workers=),
 * or -1 with err (a usage error).
 */
int workers_check(
    const struct address *a1, const struct address *a2, char *err);

/* True when a has workers=. */
bool workers_wanted(const struct address *a);

/*
 * Listens on p->listen, forks the workers and waits for them.  SIGTERM
 * makes them stop accepting and finish their connections; SIGINT,
 * SIGHUP or a second SIGTERM ends every connection now.  Returns the
 * exit status: 128+N after signal N, 1 when listening failed or a
 * worker failed for good (already logged), else 0.
 */
int workers_run(const struct serve_plan *p);

#endif
