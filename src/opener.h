/*
 * SPDX-License-Identifier: ISC
 * Opening an address into a ready endpoint: the kind's open, or listen
 * plus one accept, followed by what every endpoint gets whatever its kind
 * (label, FD-group flags, the FD_SETSIZE check).  Used by main.c for a
 * plain relay and by serve.c for each forked peer.
 */
#ifndef DUCT_OPENER_H
#define DUCT_OPENER_H

#include "address.h"
#include "endpoint.h"

/*
 * Opens a into ep for the directions in ctx.  A listening kind listens,
 * waits for one peer, stops listening and makes the peer ready.  A dual
 * address A!!B opens A for reading, then B for writing (closing A if B
 * fails), and joins them (dual.h); a half no direction in ctx needs is
 * not opened.  Returns 0, or -1 with err (the caller prefixes a->label);
 * errno is EINTR when a signal ended the wait.
 */
int opener_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err);

/*
 * Listens on a for a listening kind, tried again as retry=, interval=
 * and forever ask (a port still in use, say), and refuses a listener
 * select() cannot watch.  Returns 0, or -1 with err.
 */
int opener_listen(const struct address *a, const struct open_ctx *ctx,
    struct listener *l, char *err);

/*
 * Waits for a peer on l and accepts it into ep; opener_ready() is still
 * to be called.  Returns 0, or -1 with err
 * (errno EINTR: a signal arrived; the caller checks its flags).
 */
int opener_accept(const struct address *a, struct listener *l,
    struct endpoint *ep, char *err);

/*
 * Finishes an accepted peer with the kind's ready step (a TLS handshake),
 * if it has one.  Without fork it follows opener_accept() at once; with
 * fork the child calls it.  On failure closes ep and returns -1 with err
 * (errno EINTR: a signal arrived).
 */
int opener_ready(const struct address *a, struct endpoint *ep, char *err);

/*
 * Before a fork loop, in the parent: the kind's prepare step for a, the
 * address every child opens, which may fill ctx->known and ctx->shared.
 * opener_unprepare() frees what it filled.
 */
void opener_prepare(const struct address *a, struct open_ctx *ctx);
void opener_unprepare(struct open_ctx *ctx);

/*
 * Closes both endpoints of a finished transfer and returns its exit
 * status: status, or 1 when it was 0 and an endpoint failed at its end
 * (a program that exited with a failure status).
 */
int opener_close_pair(struct endpoint *a, struct endpoint *b, int status);

/*
 * The trying callback of a net_tcp_req whose arg is the struct address
 * being opened: "LABEL: connecting to WHERE" at info level, for every
 * kind that connects through net_tcp_connect() or net_ip_open().
 */
void opener_trying(const char *where, void *arg);

/*
 * Closes ep: its kind's close, then what every endpoint holds besides
 * (its facts).  The one way to close an opened endpoint.
 */
void opener_close(struct endpoint *ep);

/*
 * Gives a freshly opened ep its label and the FD-group flags of a, and
 * refuses descriptors select() cannot watch.  On failure closes ep and
 * returns -1 with err.
 */
int opener_finish(const struct address *a, struct endpoint *ep, char *err);

/*
 * opener_finish() for an endpoint watched by epoll (workers=): no
 * FD_SETSIZE limit.
 */
int opener_finish_polled(
    const struct address *a, struct endpoint *ep, char *err);

/*
 * Before anything is opened: whether the two addresses can go together.
 * The second may take over the first one's descriptors (nofork), which
 * only works when duct has nothing of its own between them.  Returns 0,
 * or -1 with err (a usage error).
 */
int opener_check_pair(
    const struct address *a1, const struct address *a2, char *err);

/*
 * --check: checks a as far as can be done without opening a socket or
 * creating anything (the kind's dryrun; both halves of A!!B) and writes
 * into plan, one line, how it would be opened for the directions in ctx.
 * Returns 0, or -1 with err (the caller prefixes a->label).
 */
int opener_dryrun(const struct address *a, const struct open_ctx *ctx,
    char *plan, size_t planlen, char *err);

#endif
