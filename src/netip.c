/*
 * SPDX-License-Identifier: ISC
 * IP socket recipes (netip.h): the steps every IP kind shares, socket,
 * options, local bind and connect or listen, written once.
 */
#include <sys/socket.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "activation.h"
#include "address.h"
#include "net.h"
#include "options.h"
#include "xmalloc.h"

int
net_bind_hostport(int fd, const char *text, int family, int socktype,
    const char *port, char *err)
{
	struct addrinfo *res;
	char *host, *bport;
	int rc;

	if (net_split_hostport(text, &host, &bport, err) == -1)
		return -1;
	rc = net_resolve(
	    host, bport ? bport : port, family, socktype, true, &res, err);
	if (rc == 0) {
		rc = net_bind(fd, res->ai_addr, res->ai_addrlen, err);
		freeaddrinfo(res);
	}
	free(host);
	free(bport);
	return rc;
}

/* The number of ports lowport picks from: 640 to 1023. */
#define NET_LOWPORTS 384

int
net_bind_local(
    int fd, const struct optvals *o, int family, int socktype, char *err)
{
	const char *host = o->bind;
	char port[8];
	int i, first;

	if (host == NULL && !o->given[OPT_SOURCEPORT] && !o->lowport)
		return 0;
	if (host == NULL)
		host = net_wildcard(family);
	if (!o->lowport) {
		*net_put_decimal(port, (unsigned)o->sourceport) = '\0';
		return net_bind_hostport(fd, host, family, socktype,
		    o->given[OPT_SOURCEPORT] ? port : NULL, err);
	}
	/* Start somewhere else each time, as a random source port would. */
	first = (int)(getpid() % NET_LOWPORTS);
	for (i = 0; i < NET_LOWPORTS; i++) {
		*net_put_decimal(
		    port, (unsigned)(640 + (first + i) % NET_LOWPORTS)) = '\0';
		if (net_bind_hostport(fd, host, family, socktype, port, err) ==
		    0)
			return 0;
		if (errno != EADDRINUSE)
			return -1;
	}
	snprintf(err, DUCT_ERR_LEN, "lowport: no free port from 640 to 1023");
	return -1;
}

/* The socket type of req: SOCK_STREAM unless it says otherwise. */
static int
net_ip_socktype(const struct net_tcp_req *req)
{
	return req->socktype != 0 ? req->socktype : SOCK_STREAM;
}

/*
 * A socket for the address ai of req, ready to connect or send: the
 * socket options of req->opts and its local address (bind=, sourceport=,
 * lowport).  Returns the descriptor, or -1 with err.
 */
static int
net_ip_socket(
    const struct net_tcp_req *req, const struct addrinfo *ai, char *err)
{
	int type = net_ip_socktype(req), fd;

	if ((fd = net_socket(ai->ai_family, type, err)) == -1)
		return -1;
	if (opts_apply_sock(fd, req->opts, err) == -1 ||
	    net_bind_local(fd, req->opts, ai->ai_family, type, err) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* net_ip_socket(), then the connect req asks for, bounded as it says. */
static int
net_ip_try(const struct net_tcp_req *req, const struct addrinfo *ai, char *err)
{
	int fd;

	if ((fd = net_ip_socket(req, ai, err)) == -1)
		return -1;
	if (!req->no_connect &&
	    net_connect(fd, ai->ai_addr, ai->ai_addrlen,
		req->opts->connect_timeout, err) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
net_ip_open(const struct net_tcp_req *req, struct sockaddr_storage *peer,
    socklen_t *peerlen, char *where, size_t wlen, char *err)
{
	struct addrinfo *fresh;
	const struct addrinfo *ai, *list;
	int fd = -1;

	list = net_addresses(req->host, req->port, req->family,
	    net_ip_socktype(req), req->known, &fresh, err);
	if (list == NULL)
		return -1;
	for (ai = list; ai != NULL; ai = ai->ai_next) {
		net_format(ai->ai_addr, ai->ai_addrlen, where, wlen);
		if (req->trying != NULL)
			req->trying(where, req->arg);
		fd = net_ip_try(req, ai, err);
		if (fd != -1 && peer != NULL) {
			memcpy(peer, ai->ai_addr, ai->ai_addrlen);
			*peerlen = ai->ai_addrlen;
		}
		if (fd != -1 || errno == EINTR)
			break;
	}
	if (fresh != NULL)
		freeaddrinfo(fresh);
	return fd;
}

int
net_tcp_connect(
    const struct net_tcp_req *req, char *where, size_t wlen, char *err)
{
	return net_ip_open(req, NULL, NULL, where, wlen, err);
}

/* Tries c->ai and the addresses after it until one is under way. */
static int
net_tcp_next(const struct net_tcp_req *req, struct net_tcp_conn *c, char *err)
{
	int rc;

	for (; c->ai != NULL; c->ai = c->ai->ai_next) {
		net_format(c->ai->ai_addr, c->ai->ai_addrlen, c->where,
		    sizeof(c->where));
		if (req->trying != NULL)
			req->trying(c->where, req->arg);
		if ((c->fd = net_ip_socket(req, c->ai, err)) == -1)
			continue;
		rc = net_connect_start(
		    c->fd, c->ai->ai_addr, c->ai->ai_addrlen, err);
		if (rc != -1)
			return rc;
		close(c->fd);
		c->fd = -1;
	}
	return -1;
}

int
net_tcp_start(const struct net_tcp_req *req, struct net_tcp_conn *c, char *err)
{
	int rc;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->ai = net_addresses(req->host, req->port, req->family,
	    net_ip_socktype(req), req->known, &c->fresh, err);
	if (c->ai == NULL)
		return -1;
	if ((rc = net_tcp_next(req, c, err)) == -1)
		net_tcp_conn_end(c, false);
	return rc;
}

int
net_tcp_continue(const struct net_tcp_req *req, struct net_tcp_conn *c,
    bool timed_out, char *err)
{
	int rc;

	if (timed_out) {
		snprintf(err, DUCT_ERR_LEN, "connect: timed out after %gs",
		    req->opts->connect_timeout);
		errno = ETIMEDOUT;
	} else if (net_connect_result(c->fd, err) == 0) {
		return 0;
	}
	close(c->fd);
	c->fd = -1;
	c->ai = c->ai->ai_next;
	if ((rc = net_tcp_next(req, c, err)) == -1)
		net_tcp_conn_end(c, false);
	return rc;
}

void
net_tcp_conn_end(struct net_tcp_conn *c, bool keep_fd)
{
	if (!keep_fd && c->fd != -1)
		close(c->fd);
	c->fd = -1;
	if (c->fresh != NULL)
		freeaddrinfo(c->fresh);
	c->fresh = NULL;
	c->ai = NULL;
}

int
net_ip_local(const char *port, int family, int socktype,
    const struct optvals *o, struct addrinfo **res, char *err)
{
	char *host = NULL, *bport = NULL;
	int rc;

	if (o->bind != NULL &&
	    net_split_hostport(o->bind, &host, &bport, err) == -1)
		return -1;
	/* No bind= host: the IPv4 wildcard unless IPv6 was asked for. */
	if (host == NULL || *host == '\0') {
		free(host);
		host = xstrdup(net_wildcard(family));
	}
	rc = net_resolve(host, port, family, socktype, true, res, err);
	free(host);
	free(bport);
	return rc;
}

void
net_reuseaddr_default(int fd, const struct optvals *o)
{
	int one = 1;

	/*
	 * On by default: a restarted listener must not wait out the old
	 * one's TIME_WAIT, and UDP-LISTEN,fork's children share the port.
	 */
	if (!o->given[OPT_REUSEADDR])
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
}

int
net_ip_bound(const struct sockaddr *sa, socklen_t len, int socktype,
    const struct optvals *o, char *err)
{
	int fd;

	if ((fd = net_socket(sa->sa_family, socktype, err)) == -1)
		return -1;
	net_reuseaddr_default(fd, o);
	if (opts_apply_sock(fd, o, err) == -1 ||
	    net_bind(fd, sa, len, err) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The bound address of fd into where[wlen] ("?" when it cannot tell). */
static void
net_where_bound(int fd, char *where, size_t wlen)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		net_format((struct sockaddr *)&ss, len, where, wlen);
	else
		snprintf(where, wlen, "?");
}

int
net_tcp_listen(const char *port, int family, const struct optvals *o,
    char *where, size_t wlen, char *err)
{
	struct addrinfo *res;
	int fd;
	size_t n;

	if (net_ip_local(port, family, SOCK_STREAM, o, &res, err) == -1)
		return -1;
	/* A socket the service manager bound for us: serve on it. */
	fd = activation_take(res->ai_addr, res->ai_addrlen, SOCK_STREAM);
	if (fd != -1) {
		freeaddrinfo(res);
		net_where_bound(fd, where, wlen);
		n = strlen(where);
		snprintf(where + n, n < wlen ? wlen - n : 0,
		    " (socket passed by the service manager)");
		return fd;
	}
	fd = net_ip_bound(res->ai_addr, res->ai_addrlen, SOCK_STREAM, o, err);
	freeaddrinfo(res);
	if (fd == -1)
		return -1;
	if (listen(fd, o->backlog) == -1) {
		snprintf(err, DUCT_ERR_LEN, "listen: %s", strerror(errno));
		close(fd);
		return -1;
	}
	net_where_bound(fd, where, wlen);
	return fd;
}

int
net_ip_family(const struct address *a, const struct open_ctx *ctx)
{
	return net_pick_family(a->family, &a->opts, ctx->family);
}

void
net_ip_req(const struct address *a, const struct open_ctx *ctx, int socktype,
    struct net_tcp_req *req)
{
	memset(req, 0, sizeof(*req));
	req->host = a->params[0];
	req->port = a->params[1];
	req->family = net_ip_family(a, ctx);
	req->opts = &a->opts;
	req->known = ctx->known;
	req->socktype = socktype;
	req->arg = (void *)a;
}

/* HOST:PORT (with_host) or PORT, then bind=: addr_kind.check's job. */
static int
net_check_ip_params(
    const struct address *a, bool with_host, int *param, char *err)
{
	int p = 0;

	*param = 0;
	if (with_host) {
		if (a->params[0][0] == '\0') {
			snprintf(err, DUCT_ERR_LEN, "host missing");
			return -1;
		}
		*param = p = 1;
	}
	if (net_check_port(a->params[p], err) == -1)
		return -1;
	*param = -1;
	return net_check_bind(a->opts.bind, err);
}

int
net_check_ip(const struct address *a, int *param, char *err)
{
	return net_check_ip_params(a, true, param, err);
}

int
net_check_ip_port(const struct address *a, int *param, char *err)
{
	return net_check_ip_params(a, false, param, err);
}

/* A numeric host:port of a resolved once, into ctx->known. */
static void
net_prepare_ip(const struct address *a, struct open_ctx *ctx, int socktype)
{
	ctx->known = net_resolve_literal(
	    a->params[0], a->params[1], net_ip_family(a, ctx), socktype);
}

void
net_prepare_tcp(const struct address *a, struct open_ctx *ctx)
{
	net_prepare_ip(a, ctx, SOCK_STREAM);
}

void
net_prepare_udp(const struct address *a, struct open_ctx *ctx)
{
	net_prepare_ip(a, ctx, SOCK_DGRAM);
}
