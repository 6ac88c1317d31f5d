/*
 * SPDX-License-Identifier: ISC
 * Generic sockets, as socat's: SOCKET-CONNECT, SOCKET-LISTEN, SOCKET-SENDTO,
 * SOCKET-RECVFROM, SOCKET-RECV and SOCKET-DATAGRAM take the domain, type
 * and protocol of socket(2) as numbers and addresses in socat's data
 * notation (the bytes after the family).  Nothing here knows a family:
 * streams get fdep's ops, datagrams dgram's, and socket chores are net.c's.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "address.h"
#include "dgram.h"
#include "fdep.h"
#include "facts.h"
#include "log.h"
#include "net.h"
#include "options.h"

/* What the parameters and socktype=/protocol= ask socket(2) for. */
struct sock_spec {
	int family, type, protocol;
	struct sockaddr_storage sa; /* the address parameter */
	socklen_t salen;
};

/* A number for socket(2): decimal, 0x hex or 0 octal, as socat's. */
static int
sock_number(const char *text, const char *what, int *out, char *err)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 0);
	if (*text == '\0' || *text == '-' || *end != '\0' || errno != 0 ||
	    v > INT_MAX) {
		snprintf(err, DUCT_ERR_LEN, "%s wants a number, got \"%s\"",
		    what, text);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/*
 * Reads DOMAIN[:TYPE]:PROTOCOL:ADDRESS (TYPE for the kinds with four
 * parameters, SOCK_STREAM for the others) and the options that replace
 * them.  Returns 0, or -1 with err and *param at the bad parameter.
 */
static int
sock_spec(const struct address *a, struct sock_spec *sp, int *param, char *err)
{
	bool typed = a->kind->max_params == 4;
	int i = 0;

	*param = i;
	if (sock_number(a->params[i++], "domain", &sp->family, err) == -1)
		return -1;
	sp->type = SOCK_STREAM;
	*param = i;
	if (typed && sock_number(a->params[i++], "type", &sp->type, err) == -1)
		return -1;
	*param = i;
	if (sock_number(a->params[i++], "protocol", &sp->protocol, err) == -1)
		return -1;
	*param = i;
	if (net_parse_sockaddr(
		a->params[i], sp->family, &sp->sa, &sp->salen, err) == -1)
		return -1;
	*param = -1;
	if (a->opts.given[OPT_SOCKTYPE])
		sp->type = a->opts.socktype;
	if (a->opts.given[OPT_PROTOCOL])
		sp->protocol = a->opts.protocol;
	return 0;
}

static int
sock_check(const struct address *a, int *param, char *err)
{
	struct sockaddr_storage ss;
	struct sock_spec sp;
	socklen_t len;
	char why[DUCT_ERR_LEN];

	if (sock_spec(a, &sp, param, err) == -1)
		return -1;
	if (a->opts.bind != NULL &&
	    net_parse_sockaddr(a->opts.bind, sp.family, &ss, &len, why) == -1) {
		snprintf(err, DUCT_ERR_LEN, "bind=: %.200s", why);
		return -1;
	}
	return 0;
}

/*
 * A socket as sp asks, with the address's socket options, bound to bind=
 * when given, else (with autobind) to an address of the kernel's
 * choosing for a unix socket, so that a datagram peer can answer.
 * Returns the descriptor, or -1 with err.
 */
static int
sock_socket(const struct address *a, const struct sock_spec *sp, bool autobind,
    char *err)
{
	struct sockaddr_storage us;
	socklen_t uslen;
	int fd;

	fd = net_socket_proto(sp->family, sp->type, sp->protocol, err);
	if (fd == -1)
		return -1;
	if (opts_apply_sock(fd, &a->opts, err) == -1)
		goto fail;
	if (a->opts.bind != NULL) {
		if (net_parse_sockaddr(
			a->opts.bind, sp->family, &us, &uslen, err) == -1 ||
		    net_bind(fd, (struct sockaddr *)&us, uslen, err) == -1)
			goto fail;
	} else if (autobind && sp->family == AF_UNIX &&
	    net_unix_autobind(fd, err) == -1) {
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/*
 * A socket as the address asks (its spec goes to *sp), bound to the
 * address parameter (SO_REUSEADDR on an IP socket unless reuseaddr=0, as
 * TCP-LISTEN), and the "listening on" notice.  Returns the descriptor, or
 * -1 with err.
 */
static int
sock_bound(const struct address *a, struct sock_spec *sp, char *err)
{
	struct sockaddr_storage local;
	socklen_t len = sizeof(local);
	char where[NET_ADDRSTRLEN];
	int fd, param;

	if (sock_spec(a, sp, &param, err) == -1)
		return -1;
	fd = net_socket_proto(sp->family, sp->type, sp->protocol, err);
	if (fd == -1)
		return -1;
	if (sp->family == AF_INET || sp->family == AF_INET6)
		net_reuseaddr_default(fd, &a->opts);
	if (opts_apply_sock(fd, &a->opts, err) == -1 ||
	    net_bind(fd, (const struct sockaddr *)&sp->sa, sp->salen, err) ==
		-1) {
		close(fd);
		return -1;
	}
	if (getsockname(fd, (struct sockaddr *)&local, &len) == -1)
		memcpy(&local, &sp->sa, len = sp->salen);
	net_format((struct sockaddr *)&local, len, where, sizeof(where));
	log_notice("%s: listening on %s", a->label, where);
	return fd;
}

static int
sock_connect_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	struct sock_spec sp;
	char where[NET_ADDRSTRLEN];
	int fd, param;

	(void)ctx;
	if (sock_spec(a, &sp, &param, err) == -1 ||
	    (fd = sock_socket(a, &sp, false, err)) == -1)
		return -1;
	if (net_connect(fd, (struct sockaddr *)&sp.sa, sp.salen,
		a->opts.connect_timeout, err) == -1) {
		close(fd);
		return -1;
	}
	net_format((struct sockaddr *)&sp.sa, sp.salen, where, sizeof(where));
	log_notice("%s: connected to %s", a->label, where);
	if (sp.type == SOCK_DGRAM)
		dgram_init(ep, fd, EP_READABLE | EP_WRITABLE, 0, NULL, 0);
	else
		fdep_init_socket_type(ep, fd, sp.family, sp.type);
	return 0;
}

static int
sock_listen(const struct address *a, const struct open_ctx *ctx,
    struct listener *l, char *err)
{
	struct sock_spec sp;
	int fd;

	(void)ctx;
	if ((fd = sock_bound(a, &sp, err)) == -1)
		return -1;
	if (listen(fd, a->opts.backlog) == -1) {
		snprintf(err, DUCT_ERR_LEN, "listen: %s", strerror(errno));
		close(fd);
		return -1;
	}
	l->fd = fd;
	l->priv = NULL;
	return 0;
}

static int
sock_accept(
    const struct address *a, struct listener *l, struct endpoint *ep, char *err)
{
	struct sockaddr_storage peer;
	struct sock_spec sp;
	socklen_t len;
	char who[NET_ADDRSTRLEN];
	int fd, param;

	if ((fd = net_accept_peer(l->fd, &a->opts, &peer, &len, err)) < 0) {
		if (fd == -3)
			log_warn("%s: %s", a->label, err);
		return fd == -1 ? -1 : 1;
	}
	net_format((struct sockaddr *)&peer, len, who, sizeof(who));
	log_notice("%s: connection from %s", a->label, who);
	if (sock_spec(a, &sp, &param, err) == -1 ||
	    opts_apply_sock(fd, &a->opts, err) == -1) {
		close(fd);
		return -1;
	}
	fdep_init_socket_type(ep, fd, sp.family, sp.type);
	facts_add_socket(&ep->facts, fd, (struct sockaddr *)&peer, len);
	return 0;
}

/*
 * SOCKET-SENDTO (filter: only the peer's answers) and SOCKET-DATAGRAM
 * (answers from anyone range= lets in): datagrams to the address.
 */
static int
sock_peer_open(
    const struct address *a, bool filter, struct endpoint *ep, char *err)
{
	struct sock_spec sp;
	char where[NET_ADDRSTRLEN];
	int fd, param;

	if (sock_spec(a, &sp, &param, err) == -1 ||
	    (fd = sock_socket(a, &sp, true, err)) == -1)
		return -1;
	net_format((struct sockaddr *)&sp.sa, sp.salen, where, sizeof(where));
	log_notice("%s: sending to %s", a->label, where);
	dgram_init(ep, fd, EP_READABLE | EP_WRITABLE,
	    DGRAM_SENDTO | (filter ? DGRAM_FILTER : 0),
	    (struct sockaddr *)&sp.sa, sp.salen);
	if (!filter)
		dgram_set_range(ep, &a->opts);
	return 0;
}

static int
sock_sendto_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	(void)ctx;
	return sock_peer_open(a, true, ep, err);
}

static int
sock_datagram_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	(void)ctx;
	return sock_peer_open(a, false, ep, err);
}

static int
sock_recv_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	struct sock_spec sp;
	int fd;

	(void)ctx;
	if ((fd = sock_bound(a, &sp, err)) == -1)
		return -1;
	dgram_init(ep, fd, EP_READABLE, 0, NULL, 0);
	dgram_set_range(ep, &a->opts);
	return 0;
}

static int
sock_recvfrom_listen(const struct address *a, const struct open_ctx *ctx,
    struct listener *l, char *err)
{
	struct sock_spec sp;

	(void)ctx;
	l->priv = NULL;
	l->fd = sock_bound(a, &sp, err);
	return l->fd == -1 ? -1 : 0;
}

#define SOCK_GROUPS (G_FD | G_SOCKET | G_SOCKTYPE | G_RETRY)

const struct addr_kind kind_socket_connect = {
	.names = { "SOCKET-CONNECT" },
	.syntax = "DOMAIN:PROTOCOL:ADDRESS",
	.help = "connect a stream socket of any domain (addresses in hex)",
	.groups = SOCK_GROUPS | G_CONNECT,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 3,
	.max_params = 3,
	.check = sock_check,
	.open = sock_connect_open,
};

const struct addr_kind kind_socket_listen = {
	.names = { "SOCKET-LISTEN" },
	.syntax = "DOMAIN:PROTOCOL:ADDRESS",
	.help = "accept a stream connection on a socket of any domain "
		"(many with fork)",
	.groups = SOCK_GROUPS | G_LISTEN | G_CHILD | G_RANGE,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 3,
	.max_params = 3,
	.check = sock_check,
	.listen = sock_listen,
	.accept = sock_accept,
	.accept_anywhere = true,
	.listen_close = net_listener_close,
};

const struct addr_kind kind_socket_sendto = {
	.names = { "SOCKET-SENDTO" },
	.syntax = "DOMAIN:TYPE:PROTOCOL:ADDRESS",
	.help = "send datagrams to an address of any domain, take only its "
		"answers",
	.groups = SOCK_GROUPS,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 4,
	.max_params = 4,
	.check = sock_check,
	.open = sock_sendto_open,
};

const struct addr_kind kind_socket_recvfrom = {
	.names = { "SOCKET-RECVFROM" },
	.syntax = "DOMAIN:TYPE:PROTOCOL:ADDRESS",
	.help = "take one datagram and answer its sender "
		"(a child per datagram with fork)",
	.groups = SOCK_GROUPS | G_CHILD | G_RANGE | G_ANCILLARY,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 4,
	.max_params = 4,
	.check = sock_check,
	.listen = sock_recvfrom_listen,
	.accept = dgram_recvfrom_accept,
	.listen_close = net_listener_close,
};

const struct addr_kind kind_socket_recv = {
	.names = { "SOCKET-RECV" },
	.syntax = "DOMAIN:TYPE:PROTOCOL:ADDRESS",
	.help = "receive datagrams from any sender; read only",
	.groups = SOCK_GROUPS | G_RANGE | G_ANCILLARY,
	.dirs = EP_READABLE,
	.min_params = 4,
	.max_params = 4,
	.check = sock_check,
	.open = sock_recv_open,
};

const struct addr_kind kind_socket_datagram = {
	.names = { "SOCKET-DATAGRAM" },
	.syntax = "DOMAIN:TYPE:PROTOCOL:ADDRESS",
	.help = "send datagrams to an address, take datagrams from anyone "
		"range= lets in",
	.groups = SOCK_GROUPS | G_RANGE | G_ANCILLARY,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 4,
	.max_params = 4,
	.check = sock_check,
	.open = sock_datagram_open,
};
