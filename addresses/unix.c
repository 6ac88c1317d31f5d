/*
 * SPDX-License-Identifier: ISC
 * Unix domain sockets: UNIX-CONNECT (LOCAL), UNIX-CLIENT (UNIX, stream or
 * datagram), UNIX-LISTEN (UNIX-L), and the datagram kinds UNIX-SENDTO
 * (UNIX-SEND), UNIX-RECVFROM and UNIX-RECV.  Socket files this process
 * creates (a listener's path, a client's bind= path) are removed at exit
 * unless unlink-close=0; a forked child never removes its parent's.  The
 * ABSTRACT-* kinds are the same kinds with names in Linux's abstract
 * namespace (the kind's abstract flag): no file to create or remove.
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
#include "facts.h"
#include "log.h"
#include "net.h"
#include "options.h"
#include "proxyproto.h"
#include "sockaccept.h"
#include "xmalloc.h"

/* The type of a stream kind's socket: socktype= or SOCK_STREAM. */
static int
unix_type(const struct address *a)
{
	return a->opts.given[OPT_SOCKTYPE] ? a->opts.socktype : SOCK_STREAM;
}

/* The socket address of name (PATH or bind=) for a's kind. */
static int
unix_addr(const struct address *a, const char *name, struct sockaddr_un *sun,
    socklen_t *len, char *err)
{
	return net_unix_name(name, a->kind->abstract, sun, len, err);
}

/* name as -d shows it: an abstract one with a leading '@'. */
static const char *
unix_shown(const struct address *a, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", a->kind->abstract ? "@" : "", name);
	return buf;
}

/* Whether a socket file this address binds is to be removed at exit. */
static bool
unix_unlinks(const struct address *a)
{
	return a->opts.unlink_close && !a->kind->abstract;
}

static int
unix_check(const struct address *a, int *param, char *err)
{
	struct sockaddr_un sun;
	socklen_t len;

	*param = 0;
	if (unix_addr(a, a->params[0], &sun, &len, err) == -1)
		return -1;
	*param = -1;
	if (a->opts.bind != NULL &&
	    unix_addr(a, a->opts.bind, &sun, &len, err) == -1)
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
 * removing an old file first with unlink-early.  An abstract name has no
 * file, so only the bind is left.
 */
static int
unix_bind(int fd, const char *path, const struct address *a, char *err)
{
	const struct optvals *o = &a->opts;
	struct sockaddr_un sun;
	socklen_t len;
	mode_t old = 0;
	int rc;

	if (unix_addr(a, path, &sun, &len, err) == -1)
		return -1;
	if (a->kind->abstract)
		return net_bind(fd, (struct sockaddr *)&sun, len, err);
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

/*
 * A stream client of a->params[0]: with nowait (workers=, UNIX-CONNECT's
 * open_start) the connect does not wait, since a unix connect is done at
 * once or refused; one whose listener's queue is full (EAGAIN) is refused
 * too rather than retried, so that a backend that cannot keep up sheds
 * load.
 */
static int
unix_connect_fd(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, bool nowait, char *err)
{
	struct sockaddr_un sun;
	socklen_t len;
	char shown[NET_ADDRSTRLEN];
	bool bound = false;
	int fd, rc, saved;

	if (unix_addr(a, a->params[0], &sun, &len, err) == -1)
		return -1;
	fd = net_socket_proto(AF_UNIX, unix_type(a), a->opts.protocol, err);
	if (fd == -1)
		return -1;
	if (opts_apply_sock(fd, &a->opts, err) == -1)
		goto fail;
	if (a->opts.bind != NULL) {
		if (unix_bind(fd, a->opts.bind, a, err) == -1)
			goto fail;
		bound = true;
	}
	if (nowait) {
		rc = net_connect_start(fd, (struct sockaddr *)&sun, len, err);
		if (rc == 1)
			rc = net_connect_result(fd, err);
		if (rc == -1)
			goto fail;
	} else if (net_connect(fd, (struct sockaddr *)&sun, len,
		       a->opts.connect_timeout, err) == -1) {
		goto fail;
	}
	log_notice("%s: connected to %s", a->label,
	    unix_shown(a, a->params[0], shown, sizeof(shown)));
	if (proxy_send(a, ctx, fd, err) == -1)
		goto fail;
	fdep_init_socket_type(ep, fd, AF_UNIX, unix_type(a));
	ep->ops = &unix_client_ops;
	if (bound && unix_unlinks(a))
		ep->priv = xstrdup(a->opts.bind);
	return 0;
fail:
	saved = errno;
	close(fd);
	if (bound && unix_unlinks(a))
		unlink(a->opts.bind);
	errno = saved;
	return -1;
}

static int
unix_connect_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	return unix_connect_fd(a, ctx, ep, false, err);
}

static int
unix_connect_start(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, struct open_wait *w, char *err)
{
	(void)w;
	return unix_connect_fd(a, ctx, ep, true, err);
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
	char shown[NET_ADDRSTRLEN];
	bool bound = false;
	int fd;

	if (unix_addr(a, a->params[0], &sun, &len, err) == -1)
		return -1;
	if ((fd = net_socket(AF_UNIX, SOCK_DGRAM, err)) == -1)
		return -1;
	if (opts_apply_sock(fd, &a->opts, err) == -1)
		goto fail;
	if (a->opts.bind != NULL) {
		if (unix_bind(fd, a->opts.bind, a, err) == -1)
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
	    conn ? "connected to" : "sending to",
	    unix_shown(a, a->params[0], shown, sizeof(shown)));
	dgram_init(ep, fd, EP_READABLE | EP_WRITABLE,
	    conn ? 0 : DGRAM_SENDTO | DGRAM_FILTER,
	    conn ? NULL : (struct sockaddr *)&sun, conn ? 0 : len);
	if (bound && unix_unlinks(a))
		dgram_unlink_at_close(ep, xstrdup(a->opts.bind));
	return 0;
fail:
	close(fd);
	if (bound && unix_unlinks(a))
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
	char shown[NET_ADDRSTRLEN];
	int fd;

	if ((fd = net_socket(AF_UNIX, SOCK_DGRAM, err)) == -1)
		return -1;
	if (opts_apply_sock(fd, &a->opts, err) == -1 ||
	    unix_bind(fd, a->params[0], a, err) == -1) {
		close(fd);
		return -1;
	}
	log_notice("%s: listening on %s", a->label,
	    unix_shown(a, a->params[0], shown, sizeof(shown)));
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
	if (unix_unlinks(a))
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
	l->priv = unix_unlinks(a) ? xstrdup(a->params[0]) : NULL;
	return 0;
}

static int
unix_recvfrom_accept(
    const struct address *a, struct listener *l, struct endpoint *ep, char *err)
{
	const struct sockaddr *from;
	socklen_t fromlen;
	char shown[NET_ADDRSTRLEN];
	int rc;

	if ((rc = dgram_recvfrom_accept(a, l, ep, err)) != 0)
		return rc;
	from = dgram_peer(ep, &fromlen);
	if (fromlen <= offsetof(struct sockaddr_un, sun_path))
		log_warn("%s: the sender has no address, so answers cannot "
			 "reach it (bind= on the sender gives it one)",
		    a->label);
	/* Without fork the endpoint outlives the listener: it cleans up. */
	if (!a->opts.fork && l->priv != NULL) {
		dgram_unlink_at_close(ep, l->priv);
		l->priv = NULL;
	}
	unix_shown(a, a->params[0], shown, sizeof(shown));
	facts_set_both(&ep->facts, "SOCKADDR", shown);
	facts_add_addr(&ep->facts, "PEER", from, fromlen);
	return 0;
}

static int
unix_listen(const struct address *a, const struct open_ctx *ctx,
    struct listener *l, char *err)
{
	const char *path = a->params[0];
	struct sockaddr_un sun;
	socklen_t len;
	char shown[NET_ADDRSTRLEN];
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
	    unix_bind(fd, path, a, err) == -1) {
		close(fd);
		return -1;
	}
	if (listen(fd, a->opts.backlog) == -1) {
		snprintf(err, DUCT_ERR_LEN, "listen: %s", strerror(errno));
		close(fd);
		if (!a->kind->abstract)
			unlink(path);
		return -1;
	}
	log_notice("%s: listening on %s", a->label,
	    unix_shown(a, path, shown, sizeof(shown)));
	l->fd = fd;
	l->priv = unix_unlinks(a) ? xstrdup(path) : NULL;
	return 0;
}

static int
unix_accept(
    const struct address *a, struct listener *l, struct endpoint *ep, char *err)
{
	struct sockaddr_storage peer;
	socklen_t len;
	char shown[NET_ADDRSTRLEN];
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
		log_notice("%s: connection on %s", a->label,
		    unix_shown(a, a->params[0], shown, sizeof(shown)));
	if (opts_apply_sock(fd, &a->opts, err) == -1) {
		close(fd);
		return -1;
	}
	fdep_init_socket_type(ep, fd, AF_UNIX, unix_type(a));
	unix_shown(a, a->params[0], shown, sizeof(shown));
	facts_set_both(&ep->facts, "SOCKADDR", shown);
	facts_add_addr(&ep->facts, "PEER", (struct sockaddr *)&peer, len);
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
	.open_start = unix_connect_start,
};

const struct addr_kind kind_unix_listen = {
	.names = { "UNIX-LISTEN", "UNIX-L" },
	.syntax = "PATH",
	.help = "accept a unix stream connection (many with fork)",
	.groups =
	    UNIX_GROUPS | G_SOCKTYPE | G_LISTEN | G_CHILD | G_PROXY | G_WORKERS,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 1,
	.max_params = 1,
	.rest = true,
	.check = unix_check,
	.listen = unix_listen,
	.dryrun = unix_bind_dryrun,
	.accept = unix_accept,
	.ready = sockaccept_ready,
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

/*
 * The ABSTRACT kinds: the kinds above with a name in Linux's abstract
 * namespace instead of a path.  With no file there is nothing for the
 * UNIX group (mode=, user=, unlink-*) to act on.
 */
#define ABSTRACT_GROUPS (G_FD | G_SOCKET | G_RETRY)
#define ABSTRACT_COMMON \
	.syntax = "NAME", .min_params = 1, .max_params = 1, .rest = true, \
	.check = unix_check, .abstract = true

const struct addr_kind kind_abstract_connect = {
	.names = { "ABSTRACT-CONNECT" },
	.help = "connect to an abstract unix stream socket",
	.groups = ABSTRACT_GROUPS | G_SOCKTYPE | G_CONNECT,
	.dirs = EP_READABLE | EP_WRITABLE,
	.open = unix_connect_open,
	ABSTRACT_COMMON,
};

const struct addr_kind kind_abstract_listen = {
	.names = { "ABSTRACT-LISTEN" },
	.help = "accept an abstract unix stream connection (many with fork)",
	.groups = ABSTRACT_GROUPS | G_SOCKTYPE | G_LISTEN | G_CHILD,
	.dirs = EP_READABLE | EP_WRITABLE,
	.listen = unix_listen,
	.accept = unix_accept,
	.accept_anywhere = true,
	.listen_close = unix_listen_close,
	ABSTRACT_COMMON,
};

const struct addr_kind kind_abstract_client = {
	.names = { "ABSTRACT-CLIENT", "ABSTRACT" },
	.help = "connect to an abstract unix socket, stream or datagram",
	.groups = ABSTRACT_GROUPS | G_SOCKTYPE | G_CONNECT,
	.dirs = EP_READABLE | EP_WRITABLE,
	.open = unix_client_open,
	ABSTRACT_COMMON,
};

const struct addr_kind kind_abstract_sendto = {
	.names = { "ABSTRACT-SENDTO" },
	.help = "send datagrams to an abstract unix socket, take only its "
		"answers",
	.groups = ABSTRACT_GROUPS | G_CONNECT,
	.dirs = EP_READABLE | EP_WRITABLE,
	.open = unix_sendto_open,
	ABSTRACT_COMMON,
};

const struct addr_kind kind_abstract_recvfrom = {
	.names = { "ABSTRACT-RECVFROM" },
	.help = "take one abstract unix datagram and answer its sender "
		"(a child per datagram with fork)",
	.groups = ABSTRACT_GROUPS | G_CHILD,
	.dirs = EP_READABLE | EP_WRITABLE,
	.listen = unix_recvfrom_listen,
	.accept = unix_recvfrom_accept,
	.listen_close = unix_listen_close,
	ABSTRACT_COMMON,
};

const struct addr_kind kind_abstract_recv = {
	.names = { "ABSTRACT-RECV" },
	.help = "receive abstract unix datagrams from any sender; read only",
	.groups = ABSTRACT_GROUPS,
	.dirs = EP_READABLE,
	.open = unix_recv_open,
	ABSTRACT_COMMON,
};
