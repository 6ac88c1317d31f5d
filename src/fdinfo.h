/*
 * SPDX-License-Identifier: ISC
 * -D: what the descriptors of an endpoint are, logged before the
 * transfer starts (whatever the level: the user asked for it).
 */
#ifndef DUCT_FDINFO_H
#define DUCT_FDINFO_H

#include <stddef.h>

#include "endpoint.h"

/* One notice per descriptor of e: "LABEL: fd N (read): TYPE ...". */
void fdinfo_log(const struct endpoint *e);

/*
 * What descriptor fd is, as text into out: "TCP socket 127.0.0.1:40000
 * <-> 127.0.0.1:51234", "pipe", "regular file /tmp/x (12 bytes)",
 * "terminal /dev/pts/3"..., followed by its open flags.
 */
void fdinfo_describe(int fd, char *out, size_t outlen);

#endif
