/*
 * SPDX-License-Identifier: ISC
 * One pair of endpoints and its two channels, as transfer.c runs them
 * for the loop in engine.c: the engine owns waiting and the list of
 * pairs, the pair owns its channels, buffers, timers and statistics.
 * Nothing here waits.
 */
#ifndef DUCT_PAIR_H
#define DUCT_PAIR_H

#include <stdbool.h>

#include "endpoint.h"
#include "transfer.h"

struct pair;

/*
 * The channels between a (address 1) and b (address 2) that cfg and the
 * endpoints allow; tag ("" for none, else "#17: ") starts the pair's own
 * messages.  Buffers are allocated on first use.  cfg must outlive it.
 */
struct pair *pair_new(struct endpoint *a, struct endpoint *b,
    const struct xfer_config *cfg, const char *tag);

/* Frees the buffers (cfg->exiting: leaves them to exit) and the pair. */
void pair_free(struct pair *pr);

/* True when every channel is done. */
bool pair_done(const struct pair *pr);

/*
 * Seconds until the next timer of the pair (close, idle, ignoreeof poll,
 * buffer release), or -1 when none runs; releases idle buffers that are
 * due.  Returns 0 with *end set when a timer that ends the pair expired
 * (said at notice level).
 */
double pair_timeout(struct pair *pr, double now, bool *end);

/*
 * Calls want(arg, fd, events) for each descriptor the pair waits for
 * (POLLER_IN/POLLER_OUT; a descriptor may come more than once).  Returns
 * true when a read need not wait: the endpoint holds bytes inside.
 */
bool pair_wants(struct pair *pr, double now,
    void (*want)(void *arg, int fd, unsigned events), void *arg);

/*
 * Reads and writes what is ready: ready(arg, fd) gives the POLLER_* events
 * fd was found ready for in the last wait.
 */
void pair_act(struct pair *pr, double now, unsigned (*ready)(void *arg, int fd),
    void *arg);

/* The pair's exit status so far: 0, 1 after a failed read or write. */
int pair_status(const struct pair *pr);
void pair_set_status(struct pair *pr, int status);

/* --statistics: the totals of each channel, at notice level or above. */
void pair_statistics(const struct pair *pr, double now);

/* The end of a pair: the "done" message and, asked for, statistics. */
void pair_report(const struct pair *pr, double now);

#endif
