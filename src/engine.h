/*
 * SPDX-License-Identifier: ISC
 * The engine: one loop over a list of pairs and the caller's own
 * descriptors, waiting through one poller.  xfer_run() (transfer.h) is
 * the case of one pair over select(); the workers of a listener run many
 * pairs over epoll and add them while the loop runs.
 */
#ifndef DUCT_ENGINE_H
#define DUCT_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "endpoint.h"
#include "poller.h"
#include "transfer.h"

struct engine;

/*
 * A descriptor of the caller's (a listener, a socket still connecting)
 * in the engine's poller: ready is called from engine_step() with the
 * events it was found ready for, and may add or end pairs and watches.
 */
struct engine_watch {
	void (*ready)(struct engine_watch *w, unsigned events);
};

/*
 * Called once when a pair has ended, after its "done" message, with its
 * endpoints (still open: closing them is the callee's) and its status:
 * 0, 1 after a failed read or write, or what engine_end_all() gave.
 */
typedef void (*engine_done_fn)(
    void *arg, struct endpoint *a, struct endpoint *b, int status);

/* An engine waiting with kind, or NULL with err.  cfg must outlive it. */
struct engine *engine_new(
    enum poller_kind kind, const struct xfer_config *cfg, char *err);

/* Frees the engine; it must hold no pair (engine_end_all() first). */
void engine_free(struct engine *e);

/*
 * Adds the pair a (address 1), b (address 2) to the running engine;
 * tag ("" or "#17", at most 15 bytes) starts its messages and ends its
 * -v/-x headers.  Returns 0, or -1 with err
 * (a descriptor the poller cannot watch); the endpoints stay the
 * caller's then.
 */
int engine_add(struct engine *e, struct endpoint *a, struct endpoint *b,
    const char *tag, engine_done_fn done, void *arg, char *err);

/* Live pairs. */
size_t engine_pairs(const struct engine *e);

/* The caller's descriptors: add, say what to wait for, remove. */
int engine_watch(struct engine *e, int fd, struct engine_watch *w,
    unsigned flags, char *err);
int engine_want(struct engine *e, int fd, unsigned events);
void engine_unwatch(struct engine *e, int fd);

/*
 * One pass: ends the pairs that are done or whose timer expired, waits
 * at most timeout seconds (< 0: as long as the pairs' timers allow), and
 * runs the watches and pairs that are ready.  Statistics asked for by
 * SIGUSR1 are printed here.  Returns 0 (a signal that ended the wait
 * included), or -1 with errno when waiting failed.
 */
int engine_step(struct engine *e, double timeout);

/* Ends every pair now with status (each one's done is called). */
void engine_end_all(struct engine *e, int status);

#endif
