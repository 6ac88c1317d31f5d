/*
 * SPDX-License-Identifier: ISC
 * Raw IP: IP-SENDTO (IP-SEND, IP), IP-DATAGRAM (IP-DGRAM), IP-RECVFROM and
 * IP-RECV, each with IP4-/IP6- variants: datagrams of one IP protocol
 * number, which needs root or CAP_NET_RAW.  As with socat, what is read
 * from a raw IPv4 socket loses the IP header the kernel puts before it (an
 * IPv6 raw socket gives the payload alone).  Endpoints are dgram.c's.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "address.h"
#include "dgram.h"
#include "log.h"
#include "net.h"
#include "options.h"

/* The protocol number: 0-255, decimal, 0x hex or 0 octal, as socat's. */
static int
rawip_proto(const char *text, int *out, char *err)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(text, &end, 0);
	if (*text < '0' || *text > '9' || *end != '\0' || errno != 0 ||
	    v > 255) {
		snprintf(err, DUCT_ERR_LEN,
		    "protocol wants a number from 0 to 255, got \"%s\"", text);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* bind= takes an address alone; ports mean nothing to raw IP. */
static int
rawip_opts_check(const struct address *a, char *err)
{
	char *host = NULL, *port = NULL;
	int rc = 0;

	if (a->opts.given[OPT_SOURCEPORT] || a->opts.lowport) {
		snprintf(err, DUCT_ERR_LEN,
		    "%s needs a port, and raw IP has none",
		    a->opts.lowport ? "lowport" : "sourceport=");
		return -1;
	}
	if (a->opts.bind == NULL)
		return 0;
	if (net_split_hostport(a->opts.bind, &host, &port, err) == -1)
		return -1;
	if (port != NULL || *host == '\0') {
		snprintf(err, DUCT_ERR_LEN,
		    "bind= takes an address without a port on raw IP, got "
		    "\"%.100s\"",
		    a->opts.bind);
		rc = -1;
	}
	free(host);
	free(port);
	return rc;
}

/* HOST:PROTOCOL kinds. */
static int
rawip_peer_check(const struct address *a, int *param, char *err)
{
	int proto;

	*param = 0;
	if (a->params[0][0] == '\0') {
		snprintf(err, DUCT_ERR_LEN, "host missing");
		return -1;
	}
	*param = 1;
	if (rawip_proto(a->params[1], &proto, err) == -1)
		return -1;
	*param = -1;
	return rawip_opts_check(a, err);
}

/* PROTOCOL kinds. */
static int
rawip_local_check(const struct address *a, int *param, char *err)
{
	int proto;

	*param = 0;
	if (rawip_proto(a->params[0], &proto, err) == -1)
		return -1;
	*param = -1;
	return rawip_opts_check(a, err);
}

/*
 * A raw socket of family for protocol with the address's socket options,
 * bound to bind= when given.  Returns the descriptor, or -1 with err.
 */
static int
rawip_socket(const struct address *a, int family, int proto, char *err)
{
	int fd;

	if ((fd = net_socket_proto(family, SOCK_RAW, proto, err)) == -1)
		return -1;
	if (opts_apply_sock(fd, &a->opts, err) == -1 ||
	    net_bind_local(fd, &a->opts, family, SOCK_DGRAM, err) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A raw IP address without its meaningless port: "127.0.0.1", "[::1]". */
static void
rawip_format(const struct sockaddr *sa, socklen_t len, char *out, size_t n)
{
	char *colon;

	net_format(sa, len, out, n);
	if ((colon = strrchr(out, ':')) != NULL &&
	    (sa->sa_family == AF_INET || colon[-1] == ']'))
		*colon = '\0';
}

/* What a datagram endpoint of family needs to read raw packets. */
static unsigned
rawip_mode(int family)
{
	return family == AF_INET ? DGRAM_SKIPIP : 0;
}

/*
 * IP-SENDTO (filter: only the host's answers) and IP-DATAGRAM (anyone
 * range= lets in): the first address of HOST that takes a raw socket.
 */
static int
rawip_peer_open(const struct address *a, const struct open_ctx *ctx,
    bool filter, struct endpoint *ep, char *err)
{
	struct addrinfo *fresh;
	const struct addrinfo *ai, *list;
	char where[NET_ADDRSTRLEN];
	int fd = -1, proto;

	if (rawip_proto(a->params[1], &proto, err) == -1)
		return -1;
	list = net_addresses(a->params[0], NULL,
	    net_pick_family(a->family, &a->opts, ctx->family), SOCK_DGRAM,
	    ctx->known, &fresh, err);
	if (list == NULL)
		return -1;
	for (ai = list; ai != NULL; ai = ai->ai_next)
		if ((fd = rawip_socket(a, ai->ai_family, proto, err)) != -1)
			break;
	if (fd != -1) {
		rawip_format(ai->ai_addr, ai->ai_addrlen, where, sizeof(where));
		log_notice(
		    "%s: sending to %s, protocol %d", a->label, where, proto);
		dgram_init(ep, fd, EP_READABLE | EP_WRITABLE,
		    DGRAM_SENDTO | (filter ? DGRAM_FILTER : 0) |
			rawip_mode(ai->ai_family),
		    ai->ai_addr, ai->ai_addrlen);
		if (!filter)
			dgram_set_range(ep, &a->opts);
	}
	if (fresh != NULL)
		freeaddrinfo(fresh);
	return fd == -1 ? -1 : 0;
}

static int
rawip_sendto_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	return rawip_peer_open(a, ctx, true, ep, err);
}

static int
rawip_datagram_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	return rawip_peer_open(a, ctx, false, ep, err);
}

/*
 * The socket of a PROTOCOL kind: of the family asked for, else of bind='s
 * address, else IPv4; and the "listening on" notice.  *family gets the
 * family.  Returns the descriptor, or -1 with err.
 */
static int
rawip_open_local(
    const struct address *a, const struct open_ctx *ctx, int *family, char *err)
{
	struct addrinfo *res;
	char *host;
	int fd, proto, rc;

	if (rawip_proto(a->params[0], &proto, err) == -1)
		return -1;
	*family = net_pick_family(a->family, &a->opts, ctx->family);
	if (*family == AF_UNSPEC && a->opts.bind != NULL) {
		host = net_unbracket(a->opts.bind);
		rc = net_resolve(
		    host, NULL, AF_UNSPEC, SOCK_DGRAM, true, &res, err);
		free(host);
		if (rc == -1)
			return -1;
		*family = res->ai_family;
		freeaddrinfo(res);
	}
	if (*family == AF_UNSPEC)
		*family = AF_INET;
	if ((fd = rawip_socket(a, *family, proto, err)) == -1)
		return -1;
	log_notice("%s: listening on %s, protocol %d", a->label,
	    a->opts.bind != NULL ? a->opts.bind : net_wildcard(*family), proto);
	return fd;
}

static int
rawip_recv_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	int fd, family;

	if ((fd = rawip_open_local(a, ctx, &family, err)) == -1)
		return -1;
	dgram_init(ep, fd, EP_READABLE, rawip_mode(family), NULL, 0);
	dgram_set_range(ep, &a->opts);
	return 0;
}

static int
rawip_recvfrom_listen(const struct address *a, const struct open_ctx *ctx,
    struct listener *l, char *err)
{
	int family;

	l->fd = rawip_open_local(a, ctx, &family, err);
	l->priv = NULL;
	return l->fd == -1 ? -1 : 0;
}

static int
rawip_recvfrom_accept(
    const struct address *a, struct listener *l, struct endpoint *ep, char *err)
{
	struct sockaddr_storage from;
	socklen_t fromlen;
	char who[NET_ADDRSTRLEN];
	int rc;

	rc = dgram_accept_one(a, l, a->opts.fork, ep, &from, &fromlen, err);
	if (rc != 0)
		return rc;
	dgram_add_mode(ep, rawip_mode(from.ss_family));
	rawip_format((struct sockaddr *)&from, fromlen, who, sizeof(who));
	log_notice("%s: packet from %s", a->label, who);
	return 0;
}

#define RAWIP_GROUPS (G_FD | G_SOCKET | G_IP | G_RETRY)

const struct addr_kind kind_ip_sendto = {
	.names = { "IP-SENDTO", "IP-SEND", "IP" },
	.syntax = "HOST:PROTOCOL",
	.help = "send raw IP packets to a host, take only its answers (root)",
	.groups = RAWIP_GROUPS,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 2,
	.max_params = 2,
	.families = true,
	.check = rawip_peer_check,
	.open = rawip_sendto_open,
};

const struct addr_kind kind_ip_datagram = {
	.names = { "IP-DATAGRAM", "IP-DGRAM" },
	.syntax = "HOST:PROTOCOL",
	.help = "send raw IP packets to a host, take packets from anyone "
		"range= lets in (root)",
	.groups = RAWIP_GROUPS | G_RANGE,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 2,
	.max_params = 2,
	.families = true,
	.check = rawip_peer_check,
	.open = rawip_datagram_open,
};

const struct addr_kind kind_ip_recvfrom = {
	.names = { "IP-RECVFROM" },
	.syntax = "PROTOCOL",
	.help = "take one raw IP packet and answer its sender "
		"(a child per packet with fork; root)",
	.groups = RAWIP_GROUPS | G_CHILD | G_RANGE,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 1,
	.max_params = 1,
	.families = true,
	.check = rawip_local_check,
	.listen = rawip_recvfrom_listen,
	.accept = rawip_recvfrom_accept,
	.listen_close = net_listener_close,
};

const struct addr_kind kind_ip_recv = {
	.names = { "IP-RECV" },
	.syntax = "PROTOCOL",
	.help = "receive raw IP packets from any sender; read only (root)",
	.groups = RAWIP_GROUPS | G_RANGE,
	.dirs = EP_READABLE,
	.min_params = 1,
	.max_params = 1,
	.families = true,
	.check = rawip_local_check,
	.open = rawip_recv_open,
};
