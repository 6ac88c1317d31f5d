/*
 * SPDX-License-Identifier: ISC
 * The one table of address kinds.  Rows come from src/kinds.def; each row
 * is a struct addr_kind defined in an addresses/ file.
 */
#ifndef DUCT_REGISTRY_H
#define DUCT_REGISTRY_H

#include "endpoint.h"

/*
 * Finds a kind by name or alias, case-insensitive.  A "4" or "6" right
 * after the leading letters (TCP4, TCP6-LISTEN) selects the same kind with
 * *family set to AF_INET or AF_INET6 when the kind has such variants;
 * otherwise *family is AF_UNSPEC.  Returns NULL when nothing matches.
 */
const struct addr_kind *registry_find(const char *name, int *family);

/* Number of kinds, and the i-th kind in table order. */
size_t registry_count(void);
const struct addr_kind *registry_get(size_t i);

#endif
