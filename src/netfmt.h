/*
 * SPDX-License-Identifier: ISC
 * Socket addresses as text (netfmt.c): "1.2.3.4:80", "[::1]:80", a unix
 * path or @name.  IP formatting avoids stdio, so that a forked child that
 * logs nothing never touches printf's pages.
 */
#ifndef DUCT_NETFMT_H
#define DUCT_NETFMT_H

#include <sys/socket.h>
#include <sys/un.h>
#include <stddef.h>

/* Longest printed address: "[v6%scope]:65535" or a unix path. */
#define NET_ADDRSTRLEN (sizeof(((struct sockaddr_un *)0)->sun_path) + 8)

/*
 * Writes n in decimal at p (at most 10 bytes, no NUL) and returns the
 * end, without stdio.
 */
char *net_put_decimal(char *p, unsigned n);

/* "1.2.3.4:80", "[::1]:80", "/path/sock", "@abstract" or "(unnamed)". */
void net_format(
    const struct sockaddr *sa, socklen_t len, char *out, size_t outlen);

/* The address part alone ("1.2.3.4", "::1") and the port, for env vars. */
void net_format_host(
    const struct sockaddr *sa, char *host, size_t hlen, int *port);

#endif
