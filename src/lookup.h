/*
 * SPDX-License-Identifier: ISC
 * Host name lookups that do not hold up a loop serving other connections:
 * getaddrinfo() runs in a short-lived thread of its own, and a descriptor
 * turns readable when its answer is there.
 */
#ifndef DUCT_LOOKUP_H
#define DUCT_LOOKUP_H

#include <netdb.h>

struct lookup;

/*
 * Starts looking up host and port with hints (copied).  Returns the
 * request and sets *fd, which becomes readable once the answer is there
 * (the request owns it: never close it), or returns NULL with err when no
 * thread or pipe could be made.  The thread blocks every signal, so the
 * caller's handlers keep running in the caller's thread.
 */
struct lookup *lookup_start(const char *host, const char *port,
    const struct addrinfo *hints, int *fd, char *err);

/*
 * Whether the answer is there (fd readable); never waits.
 */
int lookup_ready(const struct lookup *r);

/*
 * Once lookup_ready(): returns getaddrinfo()'s code and, on 0, sets *res
 * (the caller frees it with freeaddrinfo()).  Frees r.
 */
int lookup_finish(struct lookup *r, struct addrinfo **res);

/*
 * Gives up on r at any time: frees it now, or has its thread free it when
 * the lookup ends (getaddrinfo() cannot be interrupted).
 */
void lookup_abort(struct lookup *r);

#endif
