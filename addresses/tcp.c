/*
 * TCP: TCP-CONNECT (TCP, TCP4, TCP6) and TCP-LISTEN (TCP-L, TCP4-LISTEN,
 * TCP6-LISTEN).  Resolution, connecting and listening go through net.c;
 * this file decides families, binds, options and what to log.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "address.h"
#include "fdep.h"
#include "log.h"
#include "net.h"
#include "options.h"
#include "xmalloc.h"

/* The family the user asked for, or AF_UNSPEC. */
static int
tcp_family(const struct address *a, const struct open_ctx *ctx)
{
	if (a->family != AF_UNSPEC)
		return a->family;
	if (a->opts.given[OPT_PF])
		return a->opts.pf;
	return ctx->family;
}

static int
tcp_check_bind(const struct address *a, char *err)
{
	char *host, *port;
	int rc = 0;

	if (a->opts.bind == NULL)
		return 0;
	if (net_split_hostport(a->opts.bind, &host, &port, err) == -1)
		return -1;
	if (port != NULL && net_check_port(port, err) == -1)
		rc = -1;
	free(host);
	free(port);
	return rc;
}

static int
tcp_connect_check(const struct address *a, int *param, char *err)
{
	*param = 0;
	if (a->params[0][0] == '\0') {
		snprintf(err, DUCT_ERR_LEN, "host missing");
		return -1;
	}
	*param = 1;
	if (net_check_port(a->params[1], err) == -1)
		return -1;
	*param = -1;
	return tcp_check_bind(a, err);
}

static int
tcp_listen_check(const struct address *a, int *param, char *err)
{
	*param = 0;
	if (net_check_port(a->params[0], err) == -1)
		return -1;
	*param = -1;
	return tcp_check_bind(a, err);
}

/* Binds fd to bind= (the host part, and the port when given). */
static int
tcp_bind(
    int fd, const struct address *a, int family, const char *port, char *err)
{
	struct addrinfo *res;
	char *host, *bport;
	int rc;

	if (net_split_hostport(a->opts.bind, &host, &bport, err) == -1)
		return -1;
	rc = net_resolve(
	    host, bport ? bport : port, family, SOCK_STREAM, true, &res, err);
	if (rc == 0) {
		rc = net_bind(fd, res->ai_addr, res->ai_addrlen, err);
		freeaddrinfo(res);
	}
	free(host);
	free(bport);
	return rc;
}

static void
tcp_setenv(const char *prefix, const char *what, const struct sockaddr *sa)
{
	char name[32], host[64], port[16];
	int p;

	net_format_host(sa, host, sizeof(host), &p);
	snprintf(port, sizeof(port), "%d", p);
	snprintf(name, sizeof(name), "%s_%sADDR", prefix, what);
	setenv(name, host, 1);
	snprintf(name, sizeof(name), "%s_%sPORT", prefix, what);
	setenv(name, port, 1);
}

/* DUCT_PEERADDR and friends, and the SOCAT_ names for old scripts. */
static void
tcp_export(int fd, const struct sockaddr *peer)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	tcp_setenv("DUCT", "PEER", peer);
	tcp_setenv("SOCAT", "PEER", peer);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0) {
		tcp_setenv("DUCT", "SOCK", (struct sockaddr *)&ss);
		tcp_setenv("SOCAT", "SOCK", (struct sockaddr *)&ss);
	}
}

static int
tcp_try(const struct address *a, const struct addrinfo *ai, char *err)
{
	char where[NET_ADDRSTRLEN];
	int fd;

	net_format(ai->ai_addr, ai->ai_addrlen, where, sizeof(where));
	log_info("%s: connecting to %s", a->label, where);
	if ((fd = net_socket(ai->ai_family, SOCK_STREAM, err)) == -1)
		return -1;
	if (opts_apply_sock(fd, &a->opts, err) == -1)
		goto fail;
	if (a->opts.bind != NULL &&
	    tcp_bind(fd, a, ai->ai_family, NULL, err) == -1)
		goto fail;
	if (net_connect(fd, ai->ai_addr, ai->ai_addrlen,
		a->opts.connect_timeout, err) == -1)
		goto fail;
	log_notice("%s: connected to %s", a->label, where);
	return fd;
fail:
	close(fd);
	return -1;
}

static int
tcp_connect_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	struct addrinfo *res, *ai;
	char *host;
	int fd = -1;

	host = net_unbracket(a->params[0]);
	if (net_resolve(host, a->params[1], tcp_family(a, ctx), SOCK_STREAM,
		false, &res, err) == -1) {
		free(host);
		return -1;
	}
	free(host);
	for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next) {
		fd = tcp_try(a, ai, err);
		if (fd == -1 && errno == EINTR)
			break;
	}
	freeaddrinfo(res);
	if (fd == -1)
		return -1;
	if (fdep_init(ep, fd, fd, false, err) == -1) {
		close(fd);
		return -1;
	}
	return 0;
}

static int
tcp_listen_addr(const struct address *a, const struct open_ctx *ctx,
    struct addrinfo **res, char *err)
{
	char *host = NULL, *bport = NULL;
	int family = tcp_family(a, ctx), rc;

	if (a->opts.bind != NULL &&
	    net_split_hostport(a->opts.bind, &host, &bport, err) == -1)
		return -1;
	/* No bind=: the IPv4 wildcard unless IPv6 was asked for. */
	if (host == NULL || *host == '\0') {
		free(host);
		host = xstrdup(family == AF_INET6 ? "::" : "0.0.0.0");
	}
	rc = net_resolve(
	    host, a->params[0], family, SOCK_STREAM, true, res, err);
	free(host);
	free(bport);
	return rc;
}

static int
tcp_listen(const struct address *a, const struct open_ctx *ctx,
    struct listener *l, char *err)
{
	struct sockaddr_storage ss;
	struct addrinfo *res;
	socklen_t len = sizeof(ss);
	char where[NET_ADDRSTRLEN];
	int fd, one = 1;

	if (tcp_listen_addr(a, ctx, &res, err) == -1)
		return -1;
	if ((fd = net_socket(res->ai_family, SOCK_STREAM, err)) == -1)
		goto fail;
	if (!a->opts.given[OPT_REUSEADDR])
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (opts_apply_sock(fd, &a->opts, err) == -1 ||
	    net_bind(fd, res->ai_addr, res->ai_addrlen, err) == -1)
		goto fail;
	if (listen(fd, a->opts.backlog) == -1) {
		snprintf(err, DUCT_ERR_LEN, "listen: %s", strerror(errno));
		goto fail;
	}
	freeaddrinfo(res);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		net_format((struct sockaddr *)&ss, len, where, sizeof(where));
	else
		snprintf(where, sizeof(where), "?");
	log_notice("%s: listening on %s", a->label, where);
	l->fd = fd;
	l->priv = NULL;
	return 0;
fail:
	if (fd != -1)
		close(fd);
	freeaddrinfo(res);
	return -1;
}

static int
tcp_accept(
    const struct address *a, struct listener *l, struct endpoint *ep, char *err)
{
	struct sockaddr_storage peer;
	socklen_t len;
	char who[NET_ADDRSTRLEN];
	int fd;

	if ((fd = net_accept(l->fd, &peer, &len, err)) < 0)
		return fd == -2 ? 1 : -1;
	net_format((struct sockaddr *)&peer, len, who, sizeof(who));
	if (!opts_range_allows(&a->opts, (struct sockaddr *)&peer)) {
		log_warn("%s: refused connection from %s: not in range=",
		    a->label, who);
		close(fd);
		return 1;
	}
	log_notice("%s: connection from %s", a->label, who);
	if (opts_apply_sock(fd, &a->opts, err) == -1 ||
	    fdep_init(ep, fd, fd, false, err) == -1) {
		close(fd);
		return -1;
	}
	tcp_export(fd, (struct sockaddr *)&peer);
	return 0;
}

static void
tcp_listen_close(struct listener *l, bool in_child)
{
	(void)in_child;
	if (l->fd != -1)
		close(l->fd);
	l->fd = -1;
}

const struct addr_kind kind_tcp_connect = {
	.names = { "TCP-CONNECT", "TCP" },
	.syntax = "HOST:PORT",
	.help = "connect to a TCP server",
	.groups = G_FD | G_SOCKET | G_IP | G_TCP,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 2,
	.max_params = 2,
	.families = true,
	.check = tcp_connect_check,
	.open = tcp_connect_open,
};

const struct addr_kind kind_tcp_listen = {
	.names = { "TCP-LISTEN", "TCP-L" },
	.syntax = "PORT",
	.help = "accept a TCP connection (many with fork)",
	.groups = G_FD | G_SOCKET | G_IP | G_TCP | G_LISTEN | G_CHILD | G_RANGE,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 1,
	.max_params = 1,
	.families = true,
	.check = tcp_listen_check,
	.listen = tcp_listen,
	.accept = tcp_accept,
	.listen_close = tcp_listen_close,
};
