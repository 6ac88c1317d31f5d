/*
 * Unix domain stream sockets: UNIX-CONNECT (LOCAL), UNIX-CLIENT (UNIX) and
 * UNIX-LISTEN (UNIX-L).  Socket files this process creates (a listener's
 * path, a client's bind= path) are removed at exit unless unlink-close=0;
 * a forked child never removes its parent's listener.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

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
	return 0;
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
	rc = net_bind(fd, (struct sockaddr *)&sun, len, err);
	if (o->mode >= 0) {
		umask(old);
		if (rc == 0 && chmod(path, o->mode) == -1) {
			snprintf(err, DUCT_ERR_LEN, "chmod %s: %s", path,
			    strerror(errno));
			unlink(path);
			rc = -1;
		}
	}
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
	int fd;

	(void)ctx;
	if (net_unix_addr(a->params[0], &sun, &len, err) == -1)
		return -1;
	if ((fd = net_socket(AF_UNIX, SOCK_STREAM, err)) == -1)
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
	if (fdep_init(ep, fd, fd, false, err) == -1)
		goto fail;
	ep->ops = &unix_client_ops;
	if (bound && a->opts.unlink_close)
		ep->priv = xstrdup(a->opts.bind);
	return 0;
fail:
	close(fd);
	if (bound && a->opts.unlink_close)
		unlink(a->opts.bind);
	return -1;
}

static int
unix_listen(const struct address *a, const struct open_ctx *ctx,
    struct listener *l, char *err)
{
	const char *path = a->params[0];
	int fd;

	(void)ctx;
	if ((fd = net_socket(AF_UNIX, SOCK_STREAM, err)) == -1)
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
	log_notice("%s: connection on %s", a->label, a->params[0]);
	if (opts_apply_sock(fd, &a->opts, err) == -1 ||
	    fdep_init(ep, fd, fd, false, err) == -1) {
		close(fd);
		return -1;
	}
	setenv("DUCT_SOCKADDR", a->params[0], 1);
	setenv("SOCAT_SOCKADDR", a->params[0], 1);
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

#define UNIX_GROUPS (G_FD | G_SOCKET | G_UNIX)

const struct addr_kind kind_unix_connect = {
	.names = { "UNIX-CONNECT", "LOCAL" },
	.syntax = "PATH",
	.help = "connect to a unix stream socket",
	.groups = UNIX_GROUPS,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 1,
	.max_params = 1,
	.rest = true,
	.check = unix_check,
	.open = unix_connect_open,
};

const struct addr_kind kind_unix_listen = {
	.names = { "UNIX-LISTEN", "UNIX-L" },
	.syntax = "PATH",
	.help = "accept a unix stream connection (many with fork)",
	.groups = UNIX_GROUPS | G_LISTEN | G_CHILD,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 1,
	.max_params = 1,
	.rest = true,
	.check = unix_check,
	.listen = unix_listen,
	.accept = unix_accept,
	.listen_close = unix_listen_close,
};

const struct addr_kind kind_unix_client = {
	.names = { "UNIX-CLIENT", "UNIX" },
	.syntax = "PATH",
	.help = "connect to a unix socket",
	.groups = UNIX_GROUPS,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 1,
	.max_params = 1,
	.rest = true,
	.check = unix_check,
	.open = unix_connect_open,
};
