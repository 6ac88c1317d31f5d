/*
 * SPDX-License-Identifier: ISC
 * The accept and ready steps of the stream listeners whose peers are
 * plain sockets (TCP-LISTEN, ACCEPT-FD, and UNIX-LISTEN's ready step):
 * one place that takes a peer, judges it (range=, sourceport=, lowport,
 * or the PROXY header's client), says so, and records its facts.
 */
#ifndef DUCT_SOCKACCEPT_H
#define DUCT_SOCKACCEPT_H

#include "endpoint.h"

struct address;

/*
 * addr_kind.accept: takes one peer of l->fd into ep.  Returns 0 with
 * ep filled, 1 when there was none (or it was refused, with a warning),
 * or -1 with err and errno.  With accept-proxy the peer is judged and
 * announced by sockaccept_ready() instead, once its header is read.
 */
int sockaccept_peer(const struct address *a, struct listener *l,
    struct endpoint *ep, char *err);

/*
 * addr_kind.ready: with accept-proxy, reads the peer's PROXY header
 * (proxy_accept) and announces the client it names; otherwise nothing.
 * Returns 0, or -1 with err.
 */
int sockaccept_ready(const struct address *a, struct endpoint *ep, char *err);

#endif
