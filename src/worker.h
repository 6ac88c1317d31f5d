/*
 * SPDX-License-Identifier: ISC
 * One worker of a workers= listener, as the parent (workers.c) starts
 * it.  Not for other modules.
 */
#ifndef DUCT_WORKER_H
#define DUCT_WORKER_H

#include <stdbool.h>

#include "endpoint.h"
#include "serve.h"

/*
 * In a forked worker: serves peers of l for p until the read end stop_fd
 * (the parent's pipe) closes, then drains; ends the process with its
 * exit status.  Never returns.
 */
_Noreturn void worker_main(
    const struct serve_plan *p, struct listener *l, int stop_fd);

/* SIGINT, SIGHUP or a second SIGTERM: everything ends now. */
bool worker_ends_now(void);

#endif
