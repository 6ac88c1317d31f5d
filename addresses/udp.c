/*
 * SPDX-License-Identifier: ISC
 * UDP: UDP-CONNECT (UDP), UDP-LISTEN (UDP-L), UDP-SENDTO (UDP-SEND),
 * UDP-RECVFROM and UDP-RECV, each with UDP4-/UDP6- variants.  Endpoints
 * come from dgram.c and socket chores from net.c; this file decides the
 * family, what a socket binds and connects to, which peer it talks to, and
 * what is logged.
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
#include "facts.h"
#include "log.h"
#include "net.h"
#include "options.h"
#include "xmalloc.h"

/* Datagrams a UDP-LISTEN,fork parent holds for peers not yet served. */
#define UDP_HELD_MAX 1024

/* UDP-LISTEN's listener state. */
struct udp_listener {
	struct sockaddr_storage local; /* what a child's socket binds to */
	socklen_t locallen;
	struct dgram_queue held; /* read ahead, for peers not yet served */
};

static int
udp_listen_check(const struct address *a, int *param, char *err)
{
	if (net_check_ip_port(a, param, err) == -1)
		return -1;
	if (a->opts.fork && a->opts.given[OPT_REUSEADDR] &&
	    !a->opts.reuseaddr) {
		snprintf(err, DUCT_ERR_LEN,
		    "fork needs reuseaddr: each peer's socket shares the "
		    "listening port");
		return -1;
	}
	return 0;
}

/*
 * The bound socket of a PORT kind, its local address in *local, and the
 * "listening on" notice.  Returns the descriptor, or -1 with err.
 */
static int
udp_open_local(const struct address *a, const struct open_ctx *ctx,
    struct sockaddr_storage *local, socklen_t *locallen, char *err)
{
	struct addrinfo *res;
	char where[NET_ADDRSTRLEN];
	int fd;

	if (net_ip_local(a->params[0], net_ip_family(a, ctx), SOCK_DGRAM,
		&a->opts, &res, err) == -1)
		return -1;
	fd = net_ip_bound(
	    res->ai_addr, res->ai_addrlen, SOCK_DGRAM, &a->opts, err);
	freeaddrinfo(res);
	if (fd == -1)
		return -1;
	*locallen = sizeof(*local);
	if (getsockname(fd, (struct sockaddr *)local, locallen) == -1) {
		snprintf(err, DUCT_ERR_LEN, "getsockname: %s", strerror(errno));
		close(fd);
		return -1;
	}
	net_format((struct sockaddr *)local, *locallen, where, sizeof(where));
	log_notice("%s: listening on %s", a->label, where);
	return fd;
}

/*
 * The socket of a HOST:PORT kind, connected to the peer when conn; the
 * peer's address goes to *peer and its text to where.  Returns the
 * descriptor, or -1 with err.
 */
static int
udp_open_peer(const struct address *a, const struct open_ctx *ctx, bool conn,
    struct sockaddr_storage *peer, socklen_t *peerlen, char *where, char *err)
{
	struct net_tcp_req req;

	net_ip_req(a, ctx, SOCK_DGRAM, &req);
	req.no_connect = !conn;
	return net_ip_open(&req, peer, peerlen, where, NET_ADDRSTRLEN, err);
}

static int
udp_connect_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	struct sockaddr_storage peer;
	socklen_t peerlen;
	char where[NET_ADDRSTRLEN];
	int fd;

	fd = udp_open_peer(a, ctx, true, &peer, &peerlen, where, err);
	if (fd == -1)
		return -1;
	log_notice("%s: connected to %s", a->label, where);
	dgram_init(ep, fd, EP_READABLE | EP_WRITABLE, 0, NULL, 0);
	return 0;
}

static int
udp_sendto_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	struct sockaddr_storage peer;
	socklen_t peerlen;
	char where[NET_ADDRSTRLEN];
	int fd;

	fd = udp_open_peer(a, ctx, false, &peer, &peerlen, where, err);
	if (fd == -1)
		return -1;
	log_notice("%s: sending to %s", a->label, where);
	dgram_init(ep, fd, EP_READABLE | EP_WRITABLE,
	    DGRAM_SENDTO | DGRAM_FILTER, (struct sockaddr *)&peer, peerlen);
	return 0;
}

/*
 * UDP-DATAGRAM: sends to HOST:PORT and takes datagrams from any sender
 * range= lets in, so that answers from another port (or a broadcast's many
 * answers) get through.  The bound address is logged: with bind=:0 the
 * peer learns where to answer.
 */
static int
udp_datagram_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	struct sockaddr_storage peer, local;
	socklen_t peerlen, locallen = sizeof(local);
	char where[NET_ADDRSTRLEN], from[NET_ADDRSTRLEN];
	int fd;

	fd = udp_open_peer(a, ctx, false, &peer, &peerlen, where, err);
	if (fd == -1)
		return -1;
	if (getsockname(fd, (struct sockaddr *)&local, &locallen) == 0)
		net_format(
		    (struct sockaddr *)&local, locallen, from, sizeof(from));
	else
		snprintf(from, sizeof(from), "(unbound)");
	log_notice("%s: sending to %s from %s", a->label, where, from);
	dgram_init(ep, fd, EP_READABLE | EP_WRITABLE, DGRAM_SENDTO,
	    (struct sockaddr *)&peer, peerlen);
	dgram_set_range(ep, &a->opts);
	return 0;
}

static int
udp_recv_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	struct sockaddr_storage local;
	socklen_t locallen;
	int fd;

	if ((fd = udp_open_local(a, ctx, &local, &locallen, err)) == -1)
		return -1;
	dgram_init(ep, fd, EP_READABLE, 0, NULL, 0);
	dgram_set_range(ep, &a->opts);
	return 0;
}

static int
udp_listen(const struct address *a, const struct open_ctx *ctx,
    struct listener *l, char *err)
{
	struct udp_listener *u;
	int fd;

	u = xcalloc(1, sizeof(*u));
	fd = udp_open_local(a, ctx, &u->local, &u->locallen, err);
	if (fd == -1) {
		free(u);
		return -1;
	}
	dgram_queue_init(&u->held);
	l->fd = fd;
	l->priv = u;
	return 0;
}

/*
 * Takes the oldest datagram's sender as the peer and gives it a socket
 * connected to it alone, with every datagram it sent so far.  Without
 * fork that socket is the listener's own and anything else that arrived
 * is dropped.  With fork the child gets a new socket on the listening
 * address; Linux hands a datagram to the newest of equally matching
 * sockets and prefers a connected one, so what arrives before the connect
 * lands on the new socket and is read back here, and what other peers
 * send afterwards reaches the listener again.  Datagrams of other peers
 * read here are held for the next accept (l->ready).
 */
static int
udp_accept(
    const struct address *a, struct listener *l, struct endpoint *ep, char *err)
{
	struct udp_listener *u = l->priv;
	struct sockaddr_storage peer;
	struct dgram_queue mine;
	socklen_t peerlen;
	char who[NET_ADDRSTRLEN], whybuf[64];
	const char *why;
	bool fork = a->opts.fork;
	int fd;

	if (dgram_drain(l->fd, &u->held, UDP_HELD_MAX, err) == -1)
		return -1;
	if (u->held.head == NULL) {
		l->ready = false;
		return 1;
	}
	peerlen = u->held.head->fromlen;
	memcpy(&peer, &u->held.head->from, peerlen);
	net_format((struct sockaddr *)&peer, peerlen, who, sizeof(who));
	if ((why = opts_peer_refusal(&a->opts, (struct sockaddr *)&peer, whybuf,
		 sizeof(whybuf))) != NULL) {
		log_warn(
		    "%s: refused datagrams from %s: %s", a->label, who, why);
		dgram_queue_init(&mine);
		dgram_queue_take(
		    &u->held, (struct sockaddr *)&peer, peerlen, &mine);
		dgram_queue_clear(&mine);
		l->ready = u->held.head != NULL;
		return 1;
	}
	fd = l->fd;
	if (fork &&
	    (fd = net_ip_bound((struct sockaddr *)&u->local, u->locallen,
		 SOCK_DGRAM, &a->opts, err)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&peer, peerlen) == -1) {
		snprintf(
		    err, DUCT_ERR_LEN, "connect %s: %s", who, strerror(errno));
		if (fork)
			close(fd);
		return -1;
	}
	if (fork && dgram_drain(fd, &u->held, UDP_HELD_MAX, err) == -1) {
		close(fd);
		return -1;
	}
	dgram_queue_init(&mine);
	dgram_queue_take(&u->held, (struct sockaddr *)&peer, peerlen, &mine);
	if (!fork) {
		if (u->held.n > 0)
			log_info("%s: ignoring %zu datagrams from other peers",
			    a->label, u->held.n);
		dgram_queue_clear(&u->held);
		l->fd = -1;
	}
	log_notice("%s: connection from %s", a->label, who);
	dgram_init(ep, fd, EP_READABLE | EP_WRITABLE, DGRAM_FILTER,
	    (struct sockaddr *)&peer, peerlen);
	dgram_queue_export(&mine, &ep->facts);
	dgram_give(ep, &mine);
	l->ready = u->held.head != NULL;
	facts_add_socket(&ep->facts, fd, (struct sockaddr *)&peer, peerlen);
	return 0;
}

static void
udp_listen_close(struct listener *l, bool in_child)
{
	struct udp_listener *u = l->priv;

	(void)in_child;
	if (l->fd != -1)
		close(l->fd);
	l->fd = -1;
	if (u != NULL) {
		dgram_queue_clear(&u->held);
		free(u);
	}
	l->priv = NULL;
}

static int
udp_recvfrom_listen(const struct address *a, const struct open_ctx *ctx,
    struct listener *l, char *err)
{
	struct sockaddr_storage local;
	socklen_t locallen;

	l->fd = udp_open_local(a, ctx, &local, &locallen, err);
	l->priv = NULL;
	return l->fd == -1 ? -1 : 0;
}

#define UDP_GROUPS (G_FD | G_SOCKET | G_IP | G_RETRY)

const struct addr_kind kind_udp_connect = {
	.names = { "UDP-CONNECT", "UDP" },
	.syntax = "HOST:PORT",
	.help = "a UDP socket connected to one peer",
	.groups = UDP_GROUPS | G_CONNECT,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 2,
	.max_params = 2,
	.families = true,
	.check = net_check_ip,
	.prepare = net_prepare_udp,
	.open = udp_connect_open,
};

const struct addr_kind kind_udp_listen = {
	.names = { "UDP-LISTEN", "UDP-L" },
	.syntax = "PORT",
	.help = "wait for a datagram, then talk to its sender only "
		"(a child per peer with fork)",
	.groups = UDP_GROUPS | G_CHILD | G_RANGE,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 1,
	.max_params = 1,
	.families = true,
	.check = udp_listen_check,
	.listen = udp_listen,
	.accept = udp_accept,
	.listen_close = udp_listen_close,
};

const struct addr_kind kind_udp_sendto = {
	.names = { "UDP-SENDTO", "UDP-SEND" },
	.syntax = "HOST:PORT",
	.help = "send datagrams to one peer, take only its answers",
	.groups = UDP_GROUPS | G_CONNECT,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 2,
	.max_params = 2,
	.families = true,
	.check = net_check_ip,
	.prepare = net_prepare_udp,
	.open = udp_sendto_open,
};

const struct addr_kind kind_udp_recvfrom = {
	.names = { "UDP-RECVFROM" },
	.syntax = "PORT",
	.help = "take one datagram and answer its sender "
		"(a child per datagram with fork)",
	.groups = UDP_GROUPS | G_CHILD | G_RANGE,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 1,
	.max_params = 1,
	.families = true,
	.check = net_check_ip_port,
	.listen = udp_recvfrom_listen,
	.accept = dgram_recvfrom_accept,
	.listen_close = net_listener_close,
};

const struct addr_kind kind_udp_recv = {
	.names = { "UDP-RECV" },
	.syntax = "PORT",
	.help = "receive datagrams from any sender; read only",
	.groups = UDP_GROUPS | G_RANGE,
	.dirs = EP_READABLE,
	.min_params = 1,
	.max_params = 1,
	.families = true,
	.check = net_check_ip_port,
	.open = udp_recv_open,
};

const struct addr_kind kind_udp_datagram = {
	.names = { "UDP-DATAGRAM", "UDP-DGRAM" },
	.syntax = "HOST:PORT",
	.help = "send datagrams to one peer, take datagrams from anyone "
		"range= lets in",
	.groups = UDP_GROUPS | G_RANGE,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 2,
	.max_params = 2,
	.families = true,
	.check = net_check_ip,
	.prepare = net_prepare_udp,
	.open = udp_datagram_open,
};
