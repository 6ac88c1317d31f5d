/*
 * SPDX-License-Identifier: ISC
 * Blocking name resolution with duct's conventions (resolve.c): wildcard
 * hosts, [bracketed] IPv6 literals, numeric addresses resolved without a
 * resolver, and lists resolved once by a fork parent.  The threaded
 * lookup that never blocks a workers= loop is lookup.h.
 */
#ifndef DUCT_RESOLVE_H
#define DUCT_RESOLVE_H

#include <netdb.h>
#include <stdbool.h>

#include "duct.h"

/*
 * getaddrinfo() with duct's conventions: family AF_UNSPEC/AF_INET/AF_INET6,
 * host NULL for the wildcard (passive).  Returns 0 and *res (free with
 * freeaddrinfo), or -1 with err ("resolve db: Name or service not known").
 */
int net_resolve(const char *host, const char *port, int family, int socktype,
    bool passive, struct addrinfo **res, char *err);

/*
 * host:port as socket addresses without asking a resolver: only when host
 * is a numeric address ([brackets] allowed) and port a number, both
 * fitting family.  Returns the list (free with freeaddrinfo), or NULL for
 * a name, a service name or a mismatch, which net_resolve() then handles
 * (and reports) as usual.
 */
struct addrinfo *net_resolve_literal(
    const char *host, const char *port, int family, int socktype);

/*
 * The addresses to try for host:port ([brackets] allowed): known when the
 * fork loop's parent resolved them already, else a fresh net_resolve()
 * whose list goes to *fresh as well (free it with freeaddrinfo when not
 * NULL).  Returns the list, or NULL with err.
 */
const struct addrinfo *net_addresses(const char *host, const char *port,
    int family, int socktype, const struct addrinfo *known,
    struct addrinfo **fresh, char *err);

#endif
