/*
 * SPDX-License-Identifier: ISC
 * The fork loop for a listening address with the fork option: listen
 * once, and serve every peer in a child of its own that opens the other
 * address (or uses the one already open) and runs the transfer.  For
 * stream kinds that child is forked before its peer arrives and accepts.
 */
#ifndef DUCT_SERVE_H
#define DUCT_SERVE_H

#include "address.h"
#include "endpoint.h"
#include "transfer.h"

struct serve_plan {
	const struct address *listen; /* has fork */
	struct open_ctx listen_ctx;
	const struct address *other;
	struct open_ctx other_ctx;
	struct endpoint *other_ep; /* already open, or NULL */
	const struct xfer_config *cfg;
};

/*
 * Serves until SIGINT/SIGTERM/SIGHUP or a listener failure.  Children are
 * reaped as they end.  On SIGINT or SIGHUP they are sent SIGTERM (then
 * SIGKILL after a short grace); otherwise the parent stops listening and
 * returns at once, and each child serving a peer finishes its connection
 * (a child still waiting to accept one leaves with the parent, however it
 * ends).  Returns the exit status: 128+N after signal N, 1 when listening
 * or accepting failed (already logged).
 */
int serve_run(const struct serve_plan *plan);

#endif
