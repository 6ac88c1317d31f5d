/*
 * SPDX-License-Identifier: ISC
 * Unix domain sockets: UNIX-CONNECT (LOCAL), UNIX-CLIENT (UNIX, stream or
 * datagram), UNIX-LISTEN (UNIX-L), and the datagram kinds UNIX-SENDTO
 * (UNIX-SEND), UNIX-RECVFROM and UNIX-RECV.  Socket files this process
 * creates (a listener's path, a client's bind= path) are removed at exit
 * unless unlink-close=0; a forked child never removes its parent's.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "activation.h"
#include "address.h"
#include "dgram.h"
#include "fdep.h"
#include "log.h"
#include "net.h"
#include "options.h"
#include "proxyproto.h"
#include "xmalloc.h"

/* The type of a stream kind's socket: socktype= or SOCK_STREAM. */
static int
unix_type(const struct address *a)
{
	return a->opts.given[OPT_SOCKTYPE] ? a->opts.socktype : SOCK_STREAM;
}

static int
unix_check(const struct address *a, int *param, char *err)
{
	struct sockaddr_un sun;
	socklen_t len;

	*param = 0;
	if (net_unix_addr(a->params[0], &sun, &len, err) == -1)
		return -1;
	*param = -1;
	if (a->opts.bind != NULL &&
	    net_unix_addr(a->opts.bind, &sun, &len, err) == -1)
		return -1;
	return proxy_check(a, a->kind->listen != NULL, err);
}

/* user= and group= on a socket file just bound; removes it on failure. */
static int
unix_chown(const char *path, const struct optvals *o, char *err)
{
	uid_t uid;
	gid_t gid;

	if (opts_owner(o, &uid, &gid, err) == -1)
		goto fail;
	if (chown(path, uid, gid) == -1) {
		snprintf(
		    err, DUCT_ERR_LEN, "chown %s: %s", path, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	unlink(path);
	return -1;
}

/*
 * Binds fd to path with the permissions of mode= (else the umask's),
 * removing an old file first with unlink-early.
 */
static int
unix_bind(int fd, const char *path, const struct optvals *o, char *err)
{
	struct sockaddr_un sun;
	socklen_t len;
	mode_t old = 0;
	int rc;

	if (net_unix_addr(path, &sun, &len, err) == -1)
		return -1;
	if (o->unlink_early && unlink(path) == -1 && errno != ENOENT) {
		snprintf(
		    err, DUCT_ERR_LEN, "unlink %s: %s", path, strerror(errno));
		return -1;
	}
	if (o->mode >= 0)
		old = umask(~o->mode & 0777);
	else if (o->given[OPT_UMASK])
		old = umask((mode_t)o->umask);
	rc = net_bind(fd, (struct sockaddr *)&sun, len, err);
	if (o->mode < 0 && o->given[OPT_UMASK])
		umask(old);
	if (o->mode >= 0) {
		umask(old);
		if (rc == 0 && chmod(path, o->mode) == -1) {
			snprintf(err, DUCT_ERR_LEN, "chmod %s: %s", path,
			    strerror(errno));
			unlink(path);
			rc = -1;
		}
	}
	if (rc == 0 && (o->user != NULL || o->group != NULL))
		rc = unix_chown(path, o, err);
	return rc;
}

static void
unix_client_close(struct endpoint *ep)
{
	fdep_close(ep);
	if (ep->priv != NULL) {
		unlink(ep->priv);
		free(ep->priv);
		ep->priv = NULL;
	}
}

static const struct ep_ops unix_client_ops = {
	.read = fdep_read,
	.write = fdep_write,
	.shutdown_write = fdep_shutdown_write,
	.close = unix_client_close,
};

static int
unix_connect_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	struct sockaddr_un sun;
	socklen_t len;
	bool bound = false;
	int fd, saved;

	if (net_unix_addr(a->params[0], &sun, &len, err) == -1)
		return -1;
	fd = net_socket_proto(AF_UNIX, unix_type(a), a->opts.protocol, err);
	if (fd == -1)
		return -1;
	if (opts_apply_sock(fd, &a->opts, err) == -1)
		goto fail;
	if (a->opts.bind != NULL) {
		if (unix_bind(fd, a->opts.bind, &a->opts, err) == -1)
			goto fail;
		bound = true;
	}
	if (net_connect(fd, (struct sockaddr *)&sun, len,
		a->opts.connect_timeout, err) == -1)
		goto fail;
	log_notice("%s: connected to %s", a->label, a->params[0]);
	if (proxy_send(a, ctx, fd, err) == -1)
		goto fail;
	fdep_init_socket_type(ep, fd, AF_UNIX, unix_type(a));
	ep->ops = &unix_client_ops;
	if (bound && a->opts.unlink_close)
		ep->priv = xstrdup(a->opts.bind);
	return 0;
fail:
	saved = errno;
	close(fd);
	if (bound && a->opts.unlink_close)
		unlink(a->opts.bind);
	errno = saved;
	return -1;
}

/*
 * A unix datagram socket for the peer at path: connected to it when conn,
 * else sending to it and reading only its datagrams.  The socket is bound
 * to bind= or, so that the peer can answer, to an address of the
 * kernel's choosing.
 */
static int
unix_dgram_open(
    const struct address *a, bool conn, struct endpoint *ep, char *err)
{
	struct sockaddr_un sun;
	socklen_t len;
	bool bound = false;
	int fd;

	if (net_unix_addr(a->params[0], &sun, &len, err) == -1)
		return -1;
	if ((fd = net_socket(AF_UNIX, SOCK_DGRAM, err)) == -1)
		return -1;
	if (opts_apply_sock(fd, &a->opts, err) == -1)
		goto fail;
	if (a->opts.bind != NULL) {
		if (unix_bind(fd, a->opts.bind, &a->opts, err) == -1)
			goto fail;
		bound = true;
	} else if (net_unix_autobind(fd, err) == -1) {
		goto fail;
	}
	if (conn &&
	    net_connect(fd, (struct sockaddr *)&sun, len,
		a->opts.connect_timeout, err) == -1)
		goto fail;
	log_notice("%s: %s %s (datagrams)", a->label,
	    conn ? "connected to" : "sending to", a->params[0]);
	dgram_init(ep, fd, EP_READABLE | EP_WRITABLE,
	    conn ? 0 : DGRAM_SENDTO | DGRAM_FILTER,
	    conn ? NULL : (struct sockaddr *)&sun, conn ? 0 : len);
	if (bound && a->opts.unlink_close)
		dgram_unlink_at_close(ep, xstrdup(a->opts.bind));
	return 0;
fail:
	close(fd);
	if (bound && a->opts.unlink_close)
		unlink(a->opts.bind);
	return -1;
}

/* A stream client, or a datagram one when path is a datagram socket. */
static int
unix_client_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	if (unix_connect_open(a, ctx, ep, err) == 0)
		return 0;
	if (errno != EPROTOTYPE || a->opts.given[OPT_SOCKTYPE])
		return -1;
	log_info("%s: %s is a datagram socket", a->label, a->params[0]);
	return unix_dgram_open(a, true, ep, err);
}

static int
unix_sendto_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	(void)ctx;
	return unix_dgram_open(a, false, ep, err);
}

/* A datagram socket bound to the address's path, and its notice. */
static int
unix_dgram_bound(const struct address *a, char *err)
{
	int fd;

	if ((fd = net_socket(AF_UNIX, SOCK_DGRAM, err)) == -1)
		return -1;
	if (opts_apply_sock(fd, &a->opts, err) == -1 ||
	    unix_bind(fd, a->params[0], &a->opts, err) == -1) {
		close(fd);
		return -1;
	}
	log_notice("%s: listening on %s", a->label, a->params[0]);
	return fd;
}

static int
unix_recv_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	int fd;

	(void)ctx;
	if ((fd = unix_dgram_bound(a, err)) == -1)
		return -1;
	dgram_init(ep, fd, EP_READABLE, 0, NULL, 0);
	if (a->opts.unlink_close)
		dgram_unlink_at_close(ep, xstrdup(a->params[0]));
	return 0;
}

static int
unix_recvfrom_listen(const struct address *a, const struct open_ctx *ctx,
    struct listener *l, char *err)
{
	(void)ctx;
	if ((l->fd = unix_dgram_bound(a, err)) == -1)
		return -1;
	l->priv = a->opts.unlink_close ? xstrdup(a->params[0]) : NULL;
	return 0;
}

static int
unix_recvfrom_accept(
    const struct address *a, struct listener *l, struct endpoint *ep, char *err)
{
	struct sockaddr_storage from;
	socklen_t fromlen;
	char who[NET_ADDRSTRLEN];
	int rc;

	rc = dgram_accept_one(a, l, a->opts.fork, ep, &from, &fromlen, err);
	if (rc != 0)
		return rc;
	net_format((struct sockaddr *)&from, fromlen, who, sizeof(who));
	log_notice("%s: datagram from %s", a->label, who);
	if (fromlen <= offsetof(struct sockaddr_un, sun_path))
		log_warn("%s: the sender has no address, so answers cannot "
			 "reach it (bind= on the sender gives it one)",
		    a->label);
	/* Without fork the endpoint outlives the listener: it cleans up. */
	if (!a->opts.fork && l->priv != NULL) {
		dgram_unlink_at_close(ep, l->priv);
		l->priv = NULL;
	}
	net_export_var("DUCT_SOCKADDR", a->params[0]);
	net_export_var("SOCAT_SOCKADDR", a->params[0]);
	net_export_unix("PEER", (struct sockaddr *)&from, fromlen);
	return 0;
}

static int
unix_listen(const struct address *a, const struct open_ctx *ctx,
    struct listener *l, char *err)
{
	const char *path = a->params[0];
	struct sockaddr_un sun;
	socklen_t len;
	int fd;

	(void)ctx;
	if (net_unix_addr(path, &sun, &len, err) == -1)
		return -1;
	/* The service manager's socket file is its own to remove. */
	fd = activation_take((struct sockaddr *)&sun, len, unix_type(a));
	if (fd != -1) {
		log_notice("%s: listening on %s (socket passed by the service "
			   "manager)",
		    a->label, path);
		l->fd = fd;
		l->priv = NULL;
		return 0;
	}
	fd = net_socket_proto(AF_UNIX, unix_type(a), a->opts.protocol, err);
	if (fd == -1)
		return -1;
	if (opts_apply_sock(fd, &a->opts, err) == -1 ||
	    unix_bind(fd, path, &a->opts, err) == -1) {
		close(fd);
		return -1;
	}
	if (listen(fd, a->opts.backlog) == -1) {
		snprintf(err, DUCT_ERR_LEN, "listen: %s", strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	log_notice("%s: listening on %s", a->label, path);
	l->fd = fd;
	l->priv = a->opts.unlink_close ? xstrdup(path) : NULL;
	return 0;
}

static int
unix_accept(
    const struct address *a, struct listener *l, struct endpoint *ep, char *err)
{
	struct sockaddr_storage peer;
	socklen_t len;
	int fd;

	if ((fd = net_accept(l->fd, &peer, &len, err)) < 0)
		return fd == -2 ? 1 : -1;
	if (a->opts.accept_proxy &&
	    !proxy_from_allows(a, (struct sockaddr *)&peer)) {
		log_warn("%s: refused connection on %s: not in proxy-from= "
			 "(a unix peer never is)",
		    a->label, a->params[0]);
		close(fd);
		return 1;
	}
	if (!a->opts.accept_proxy)
		log_notice("%s: connection on %s", a->label, a->params[0]);
	if (opts_apply_sock(fd, &a->opts, err) == -1) {
		close(fd);
		return -1;
	}
	fdep_init_socket_type(ep, fd, AF_UNIX, unix_type(a));
	net_export_var("DUCT_SOCKADDR", a->params[0]);
	net_export_var("SOCAT_SOCKADDR", a->params[0]);
	net_export_unix("PEER", (struct sockaddr *)&peer, len);
	return 0;
}

/* accept-proxy: the header, read where the transfer will run. */
static int
unix_ready(const struct address *a, struct endpoint *ep, char *err)
{
	char who[NET_ADDRSTRLEN], via[NET_ADDRSTRLEN];

	if (!a->opts.accept_proxy)
		return 0;
	if (proxy_accept(a, ep, who, sizeof(who), via, sizeof(via), err) == -1)
		return -1;
	log_notice("%s: connection on %s from %s (PROXY header)", a->label,
	    a->params[0], who);
	return 0;
}

static void
unix_listen_close(struct listener *l, bool in_child)
{
	if (l->fd != -1)
		close(l->fd);
	l->fd = -1;
	if (l->priv != NULL && !in_child)
		unlink(l->priv);
	free(l->priv);
	l->priv = NULL;
}

/*
 * --check of a kind that connects: the socket must be there, unless
 * retry= or forever give its server time to make it.
 */
static int
unix_connect_dryrun(const struct address *a, const struct open_ctx *ctx,
    char *plan, size_t planlen, char *err)
{
	const char *path = a->params[0];
	bool waits = a->opts.retry > 0 || a->opts.forever;
	struct stat st;

	(void)ctx;
	if (stat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(
			    err, DUCT_ERR_LEN, "%s: not a unix socket", path);
			return -1;
		}
	} else if (errno != ENOENT || !waits) {
		snprintf(err, DUCT_ERR_LEN, "%s: %s", path, strerror(errno));
		return -1;
	}
	snprintf(plan, planlen, "connect to the unix socket %s", path);
	return 0;
}

/* --check of a kind that binds: the socket file will be made. */
static int
unix_bind_dryrun(const struct address *a, const struct open_ctx *ctx,
    char *plan, size_t planlen, char *err)
{
	const char *path = a->params[0];

	(void)ctx;
	if (fdep_dryrun_path(path, EP_WRITABLE, true, err) == -1)
		return -1;
	snprintf(plan, planlen, "bind the unix socket %s and wait for %s", path,
	    a->kind->listen != NULL ? "a peer" : "datagrams");
	return 0;
}

#define UNIX_GROUPS (G_FD | G_SOCKET | G_UNIX | G_RETRY)

const struct addr_kind kind_unix_connect = {
	.names = { "UNIX-CONNECT", "LOCAL" },
	.syntax = "PATH",
	.help = "connect to a unix stream socket",
	.groups = UNIX_GROUPS | G_SOCKTYPE | G_CONNECT | G_PROXY | G_CHILD,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 1,
	.max_params = 1,
	.rest = true,
	.check = unix_check,
	.open = unix_connect_open,
	.dryrun = unix_connect_dryrun,
};

const struct addr_kind kind_unix_listen = {
	.names = { "UNIX-LISTEN", "UNIX-L" },
	.syntax = "PATH",
	.help = "accept a unix stream connection (many with fork)",
	.groups = UNIX_GROUPS | G_SOCKTYPE | G_LISTEN | G_CHILD | G_PROXY,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 1,
	.max_params = 1,
	.rest = true,
	.check = unix_check,
	.listen = unix_listen,
	.dryrun = unix_bind_dryrun,
	.accept = unix_accept,
	.ready = unix_ready,
	.accept_anywhere = true,
	.listen_close = unix_listen_close,
};

const struct addr_kind kind_unix_client = {
	.names = { "UNIX-CLIENT", "UNIX" },
	.syntax = "PATH",
	.help = "connect to a unix socket, stream or datagram",
	.groups = UNIX_GROUPS | G_SOCKTYPE | G_CONNECT | G_PROXY | G_CHILD,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 1,
	.max_params = 1,
	.rest = true,
	.check = unix_check,
	.open = unix_client_open,
	.dryrun = unix_connect_dryrun,
};

const struct addr_kind kind_unix_sendto = {
	.names = { "UNIX-SENDTO", "UNIX-SEND" },
	.syntax = "PATH",
	.help = "send datagrams to a unix socket, take only its answers",
	.groups = UNIX_GROUPS | G_CONNECT,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 1,
	.max_params = 1,
	.rest = true,
	.check = unix_check,
	.open = unix_sendto_open,
	.dryrun = unix_connect_dryrun,
};

const struct addr_kind kind_unix_recvfrom = {
	.names = { "UNIX-RECVFROM" },
	.syntax = "PATH",
	.help = "take one unix datagram and answer its sender "
		"(a child per datagram with fork)",
	.groups = UNIX_GROUPS | G_CHILD,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 1,
	.max_params = 1,
	.rest = true,
	.check = unix_check,
	.listen = unix_recvfrom_listen,
	.dryrun = unix_bind_dryrun,
	.accept = unix_recvfrom_accept,
	.listen_close = unix_listen_close,
};

const struct addr_kind kind_unix_recv = {
	.names = { "UNIX-RECV" },
	.syntax = "PATH",
	.help = "receive unix datagrams from any sender; read only",
	.groups = UNIX_GROUPS,
	.dirs = EP_READABLE,
	.min_params = 1,
	.max_params = 1,
	.rest = true,
	.check = unix_check,
	.open = unix_recv_open,
	.dryrun = unix_bind_dryrun,
};
