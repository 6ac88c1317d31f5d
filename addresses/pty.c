/*
 * SPDX-License-Identifier: ISC
 * PTY: a new pseudo-terminal pair.  duct relays the master side; another
 * program opens the slave (named by a notice, or by a symbolic link with
 * link=) and sees a terminal, as with a serial line.  Closing removes the
 * link; the pair itself goes away with its last descriptor.
 */
#include <sys/select.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "address.h"
#include "fdep.h"
#include "log.h"
#include "options.h"
#include "sig.h"
#include "term.h"
#include "xmalloc.h"

struct pty_state {
	pid_t pid;  /* the process that made the link: only it removes it */
	char *link; /* link=, or NULL; owned */
};

static void
pty_close(struct endpoint *ep)
{
	struct pty_state *st = ep->priv;

	fdep_close(ep);
	if (st == NULL)
		return;
	if (st->link != NULL && st->pid == getpid() && unlink(st->link) == -1)
		log_warn("%s: removing link %s: %s", ep->label, st->link,
		    strerror(errno));
	free(st->link);
	free(st);
	ep->priv = NULL;
}

/* A master reads EIO once the last slave descriptor has closed: EOF. */
static ssize_t
pty_read(struct endpoint *ep, void *buf, size_t len)
{
	ssize_t n = fdep_read(ep, buf, len);

	if (n == -1 && errno == EIO)
		return 0;
	return n;
}

static ssize_t
pty_write(struct endpoint *ep, const void *buf, size_t len)
{
	ssize_t n = fdep_write(ep, buf, len);

	if (n == -1 && errno == EIO) {
		log_notice("%s: the slave side is closed; dropping what it "
			   "did not read",
		    ep->label);
		return IO_CLOSED;
	}
	return n;
}

/* A terminal has no half-close: in canonical mode send its EOF char. */
static int
pty_shutdown_write(struct endpoint *ep)
{
	struct termios t;

	if (ep->wfd != -1 && tcgetattr(ep->wfd, &t) == 0 &&
	    (t.c_lflag & ICANON))
		(void)write(ep->wfd, &t.c_cc[VEOF], 1);
	return 0;
}

static const struct ep_ops pty_ops = {
	.read = pty_read,
	.write = pty_write,
	.shutdown_write = pty_shutdown_write,
	.close = pty_close,
};

/* user=, group= and mode= on the slave's device node. */
static int
pty_owner(const char *slave, const struct optvals *o, char *err)
{
	uid_t uid;
	gid_t gid;

	if (opts_owner(o, &uid, &gid, err) == -1)
		return -1;
	if ((o->user != NULL || o->group != NULL) &&
	    chown(slave, uid, gid) == -1) {
		snprintf(
		    err, DUCT_ERR_LEN, "chown %s: %s", slave, strerror(errno));
		return -1;
	}
	if (o->mode >= 0 && chmod(slave, (mode_t)o->mode) == -1) {
		snprintf(
		    err, DUCT_ERR_LEN, "chmod %s: %s", slave, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * link=: points path at the slave.  A symbolic link left there (by an
 * earlier run) is replaced; anything else is not touched.
 */
static int
pty_link(const char *slave, const char *path, char *err)
{
	struct stat st;

	if (lstat(path, &st) == 0) {
		if (!S_ISLNK(st.st_mode)) {
			snprintf(err, DUCT_ERR_LEN,
			    "link %s: exists and is not a symbolic link", path);
			return -1;
		}
		if (unlink(path) == -1) {
			snprintf(err, DUCT_ERR_LEN, "link %s: %s", path,
			    strerror(errno));
			return -1;
		}
	}
	if (symlink(slave, path) == -1) {
		snprintf(
		    err, DUCT_ERR_LEN, "link %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * waitslave: the master reports a hang-up while no slave is open once a
 * slave has been opened and closed, so open and close it, then look
 * every interval until the hang-up is gone.  A signal ends the wait.
 */
static int
pty_wait_slave(int m, const char *slave, double interval, char *err)
{
	struct timespec nap;
	struct pollfd pfd;
	int s;

	if ((s = open(slave, O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1) {
		snprintf(
		    err, DUCT_ERR_LEN, "open %s: %s", slave, strerror(errno));
		return -1;
	}
	close(s);
	nap.tv_sec = (time_t)interval;
	nap.tv_nsec = (long)((interval - (double)nap.tv_sec) * 1e9);
	for (;;) {
		pfd.fd = m;
		pfd.events = 0;
		if (poll(&pfd, 1, 0) == -1 && errno != EINTR) {
			snprintf(
			    err, DUCT_ERR_LEN, "poll: %s", strerror(errno));
			return -1;
		}
		if (!(pfd.revents & POLLHUP))
			return 0;
		pselect(0, NULL, NULL, NULL, &nap, sig_waitmask());
		if (sig_term_pending()) {
			snprintf(err, DUCT_ERR_LEN, "interrupted");
			errno = EINTR;
			return -1;
		}
	}
}

static int
pty_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	const struct optvals *o = &a->opts;
	struct pty_state *st = NULL;
	char slave[128];
	int m;

	if ((m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1 ||
	    grantpt(m) == -1 || unlockpt(m) == -1 ||
	    (errno = ptsname_r(m, slave, sizeof(slave))) != 0) {
		snprintf(err, DUCT_ERR_LEN, "pty: %s", strerror(errno));
		goto fail;
	}
	/* Settings first: whoever opens the slave finds them in place. */
	if (term_apply(m, o, NULL, err) == -1 || pty_owner(slave, o, err) == -1)
		goto fail;
	if (fdep_init(ep, ctx->dirs & EP_READABLE ? m : -1,
		ctx->dirs & EP_WRITABLE ? m : -1, false, err) == -1)
		goto fail;
	m = -1; /* the endpoint's now */
	st = xcalloc(1, sizeof(*st));
	st->pid = getpid();
	ep->priv = st;
	ep->ops = &pty_ops;
	ep->flags &= ~EP_RAWFD;
	if (o->link != NULL) {
		if (pty_link(slave, o->link, err) == -1)
			goto fail;
		st->link = xstrdup(o->link);
	}
	log_notice("%s: PTY is %s", a->label, slave);
	if (o->waitslave &&
	    pty_wait_slave(ep->rfd != -1 ? ep->rfd : ep->wfd, slave,
		o->pty_interval, err) == -1)
		goto fail;
	return 0;
fail:
	if (m != -1)
		close(m);
	if (st != NULL)
		pty_close(ep);
	return -1;
}

const struct addr_kind kind_pty = {
	.names = { "PTY" },
	.syntax = "",
	.help = "a new pseudo-terminal; duct relays its master side",
	.groups = G_FD | G_TERMIOS | G_PTY,
	.dirs = EP_READABLE | EP_WRITABLE,
	.open = pty_open,
};
