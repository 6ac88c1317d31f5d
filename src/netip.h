/*
 * SPDX-License-Identifier: ISC
 * IP socket recipes over struct optvals (netip.c): binding an outgoing
 * socket as bind=, sourceport= and lowport ask, connecting to each
 * address of HOST:PORT in turn (blocking or in steps), and listening.
 * Failures fill the caller's err[DUCT_ERR_LEN].
 */
#ifndef DUCT_NETIP_H
#define DUCT_NETIP_H

#include <netdb.h>
#include <stdbool.h>
#include <stddef.h>

#include "duct.h"
#include "netfmt.h"

struct address;
struct open_ctx;
struct optvals;

/*
 * Binds an outgoing socket fd of family/socktype as o asks: bind= (a host,
 * maybe with a port), sourceport= (the port when bind= names none), or
 * lowport (a free port from 640 to 1023, which needs privilege).  Does
 * nothing when o asks for none of these.  Returns 0, or -1 with err.
 */
int net_bind_local(
    int fd, const struct optvals *o, int family, int socktype, char *err);

/* What net_tcp_connect() needs to know. */
struct net_tcp_req {
	const char *host; /* name or literal, [brackets] allowed */
	const char *port;
	int family;                 /* AF_UNSPEC, AF_INET or AF_INET6 */
	const struct optvals *opts; /* bind=, connect-timeout=, sockopts */
	/* host:port resolved already (net_resolve_literal), or NULL. */
	const struct addrinfo *known;
	/* Called with each printed address before it is tried, or NULL. */
	void (*trying)(const char *where, void *arg);
	void *arg;
	/* net_ip_open() only: SOCK_DGRAM, or 0 for SOCK_STREAM. */
	int socktype;
	/* net_ip_open() only: a datagram socket that only sends to host. */
	bool no_connect;
};

/*
 * The one IP recipe for "HOST:PORT for a socket type": resolves
 * req->host (unless req->known holds its addresses) and tries each of
 * its addresses in turn: a non-blocking socket of req->socktype, the
 * socket options of req->opts, its local address (bind=, sourceport=,
 * lowport), and unless req->no_connect a connect bounded by
 * connect-timeout=.  Returns the socket, prints the address it is for
 * into where[wlen] and, when peer is not NULL, copies it there; or -1
 * with err from the last attempt (errno EINTR when a signal ended it).
 */
int net_ip_open(const struct net_tcp_req *req, struct sockaddr_storage *peer,
    socklen_t *peerlen, char *where, size_t wlen, char *err);

/* net_ip_open() of a TCP connection, whose peer the caller knows. */
int net_tcp_connect(
    const struct net_tcp_req *req, char *where, size_t wlen, char *err);

/*
 * A connect that never waits, for a loop serving many peers: the
 * addresses of net_tcp_connect() tried in turn, each a step.
 */
struct net_tcp_conn {
	struct addrinfo *fresh;    /* resolved here, or NULL */
	const struct addrinfo *ai; /* the address being tried */
	int fd;                    /* its socket, or -1 */
	char where[NET_ADDRSTRLEN];
};

/*
 * Starts connecting as net_tcp_connect() would.  Returns 0 when
 * connected at once, 1 when c->fd is to be waited for until writable
 * (then net_tcp_continue()), or -1 with err (nothing left to release).
 * A host name is resolved here, which waits for the resolver.
 */
int net_tcp_start(
    const struct net_tcp_req *req, struct net_tcp_conn *c, char *err);

/*
 * After c->fd turned writable, or its connect-timeout= passed
 * (timed_out): 0 connected, 1 waiting again (the next address), or -1
 * with err from the last address (nothing left to release).
 */
int net_tcp_continue(const struct net_tcp_req *req, struct net_tcp_conn *c,
    bool timed_out, char *err);

/* Releases c; the socket too unless keep_fd (connected: the caller's). */
void net_tcp_conn_end(struct net_tcp_conn *c, bool keep_fd);

/*
 * What an IP socket of a PORT kind binds to: the host of bind= when
 * given (its port is not used), else the IPv4 wildcard (the IPv6 one
 * when family is AF_INET6), and port.  Returns 0 and *res (free with
 * freeaddrinfo), or -1 with err.
 */
int net_ip_local(const char *port, int family, int socktype,
    const struct optvals *o, struct addrinfo **res, char *err);

/*
 * SO_REUSEADDR on fd, a socket about to be bound for listening, unless
 * reuseaddr= was given (the option table then sets it as asked).
 */
void net_reuseaddr_default(int fd, const struct optvals *o);

/*
 * A socket of socktype bound to sa, SO_REUSEADDR on unless reuseaddr=
 * says otherwise, the socket options of o applied before the bind.
 * Returns the descriptor, or -1 with err.
 */
int net_ip_bound(const struct sockaddr *sa, socklen_t len, int socktype,
    const struct optvals *o, char *err);

/*
 * A listening TCP socket on port: on the host of bind= when given, else on
 * the IPv4 wildcard (the IPv6 one when family is AF_INET6).  SO_REUSEADDR
 * is on unless reuseaddr= says otherwise; the socket options and backlog=
 * of o apply.  Returns the socket and prints the bound address into
 * where[wlen], or -1 with err.
 */
int net_tcp_listen(const char *port, int family, const struct optvals *o,
    char *where, size_t wlen, char *err);

/*
 * The IP helpers in the shape of a kind's functions, so that each IP
 * kind (TCP, UDP, OPENSSL, SOCKS, PROXY) writes only what is its own.
 */

/* The family of an IP address a: its TCP4-style name, pf=, then -4/-6. */
int net_ip_family(const struct address *a, const struct open_ctx *ctx);

/*
 * The request for a's HOST:PORT (params[0] and [1]) over socktype: its
 * family, options, ctx->known, and a itself as the trying callback's arg
 * (no callback set).
 */
void net_ip_req(const struct address *a, const struct open_ctx *ctx,
    int socktype, struct net_tcp_req *req);

/*
 * addr_kind.check of a HOST:PORT kind (net_check_ip: a host in
 * params[0], a port in params[1]) or of a PORT kind (net_check_ip_port:
 * a port in params[0]), and of bind= for both.  No I/O.  Returns 0, or
 * -1 with err and *param the bad parameter's index (-1: an option).
 */
int net_check_ip(const struct address *a, int *param, char *err);
int net_check_ip_port(const struct address *a, int *param, char *err);

/*
 * addr_kind.prepare of a HOST:PORT kind over TCP (TCP, OPENSSL) or UDP: a
 * numeric host:port resolved once into ctx->known (NULL for a name).
 */
void net_prepare_tcp(const struct address *a, struct open_ctx *ctx);
void net_prepare_udp(const struct address *a, struct open_ctx *ctx);

#endif
