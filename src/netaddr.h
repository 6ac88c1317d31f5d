/*
 * SPDX-License-Identifier: ISC
 * Address text without the network (netaddr.c): ports, HOST:PORT and
 * [V6]:PORT, bind= values, the family an address asks for, unix socket
 * names, socat's socket address data notation, and comparing socket
 * addresses.  No I/O; failures fill the caller's err[DUCT_ERR_LEN].
 */
#ifndef DUCT_NETADDR_H
#define DUCT_NETADDR_H

#include <sys/socket.h>
#include <sys/un.h>
#include <stdbool.h>

#include "duct.h"

struct optvals;

/*
 * Checks a port: 0-65535 or a service name from /etc/services.  Returns 0
 * or -1 with err.  No network I/O.
 */
int net_check_port(const char *port, char *err);

/*
 * The number of a port that net_check_port() accepted (a number or a TCP
 * service name), or -1.
 */
int net_port_number(const char *port);

/*
 * Splits "HOST:PORT", "[V6]:PORT", "HOST" or "[V6]" into newly allocated
 * host and port (port NULL when absent; host "" for ":PORT").  The caller
 * frees both.  Returns 0, or -1 with err.
 */
int net_split_hostport(const char *text, char **host, char **port, char *err);

/* Host text without the [brackets] of an IPv6 literal, newly allocated. */
char *net_unbracket(const char *host);

/*
 * A socket address of family whose bytes after the family are given in
 * socat's data notation: xHEX bytes (x7f000001), "text" or 'c' with C
 * escapes (\0 for a NUL), and decimal numbers in host byte order after
 * i I l L s S b B (the first item without a letter is an int; later ones
 * take the last item's type).  Fills ss and *len (family included).  No
 * I/O.  Returns 0, or -1 with err naming the bad part.
 */
int net_parse_sockaddr(const char *text, int family,
    struct sockaddr_storage *ss, socklen_t *len, char *err);

/* Builds a sockaddr_un for path.  Returns 0, or -1 with err (too long). */
int net_unix_addr(
    const char *path, struct sockaddr_un *sun, socklen_t *len, char *err);

/*
 * net_unix_addr(), or with abstract a name in Linux's abstract namespace
 * (a leading NUL, no file).  Returns 0, or -1 with err.
 */
int net_unix_name(const char *name, bool abstract, struct sockaddr_un *sun,
    socklen_t *len, char *err);
/*
 * Binds fd to the text of a bind= option, "HOST[:PORT]" or "[V6][:PORT]";
 * port is used when the text has none (NULL: any port).  Returns 0, or -1
 * with err.
 */
int net_bind_hostport(int fd, const char *text, int family, int socktype,
    const char *port, char *err);

/* True when a and b are the same address: family, host and port, or path. */
bool net_addr_equal(const struct sockaddr *a, socklen_t alen,
    const struct sockaddr *b, socklen_t blen);

/* The wildcard host of family: "::" for AF_INET6, else "0.0.0.0". */
const char *net_wildcard(int family);

/*
 * The family an IP address should use: forced (AF_INET/AF_INET6 from a
 * TCP4/TCP6-style name, else AF_UNSPEC), then pf= in o, then fallback
 * (-4/-6 on the command line, else AF_UNSPEC).
 */
int net_pick_family(int forced, const struct optvals *o, int fallback);

/*
 * Checks the syntax of a bind= value for IP sockets, "HOST[:PORT]" or
 * "[V6][:PORT]", and its port.  bind may be NULL.  Returns 0, or -1 with
 * err.  No network I/O.
 */
int net_check_bind(const char *bind, char *err);

#endif
