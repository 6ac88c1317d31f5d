/*
 * SPDX-License-Identifier: ISC
 * PIPE (ECHO, FIFO): without a path an anonymous pipe whose written bytes
 * come back as input; with a path a named pipe, created when missing.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "address.h"
#include "fdep.h"
#include "options.h"

static int
pipe_open_anon(struct endpoint *ep, char *err)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == -1) {
		snprintf(err, DUCT_ERR_LEN, "pipe: %s", strerror(errno));
		return -1;
	}
	if (fdep_init(ep, p[0], p[1], false, err) == -1) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	return 0;
}

/* mkfifo(3) with mode= and umask= (errno as mkfifo leaves it). */
static int
pipe_mkfifo(const char *path, const struct optvals *o)
{
	char err[DUCT_ERR_LEN];
	uid_t uid;
	gid_t gid;
	mode_t old = 0;
	int rc, e;

	if (o->given[OPT_UMASK])
		old = umask((mode_t)o->umask);
	rc = mkfifo(path, o->mode >= 0 ? (mode_t)o->mode : 0666);
	e = errno;
	if (o->given[OPT_UMASK])
		umask(old);
	/*
	 * Owner and group at once: opening the FIFO may wait for a peer,
	 * and the peer may need them to open it.
	 */
	if (rc == 0 && (o->user != NULL || o->group != NULL) &&
	    opts_owner(o, &uid, &gid, err) == 0 &&
	    chown(path, uid, gid) == -1) {
		e = errno;
		rc = -1;
	}
	errno = e;
	return rc;
}

static int
pipe_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	const char *path;
	int fd;

	if (a->nparams == 0 || a->params[0][0] == '\0')
		return pipe_open_anon(ep, err);
	path = a->params[0];
	if (fdep_unlink_early(path, &a->opts, err) == -1)
		return -1;
	if (pipe_mkfifo(path, &a->opts) == -1 && errno != EEXIST) {
		snprintf(
		    err, DUCT_ERR_LEN, "mkfifo %s: %s", path, strerror(errno));
		return -1;
	}
	if ((fd = fdep_open_path(path, ctx->dirs, 0, &a->opts, err)) == -1)
		return -1;
	if (fdep_init(ep, ctx->dirs & EP_READABLE ? fd : -1,
		ctx->dirs & EP_WRITABLE ? fd : -1, false, err) == -1) {
		close(fd);
		return -1;
	}
	fdep_unlink_late(ep, path, &a->opts);
	return 0;
}

/* --check: a named pipe is made when missing, so its directory must be. */
static int
pipe_dryrun(const struct address *a, const struct open_ctx *ctx, char *plan,
    size_t planlen, char *err)
{
	if (a->nparams == 0 || a->params[0][0] == '\0') {
		snprintf(plan, planlen,
		    "an anonymous pipe that gives back what is written");
		return 0;
	}
	if (fdep_dryrun_path(a->params[0], ctx->dirs, true, err) == -1)
		return -1;
	snprintf(plan, planlen, "open the named pipe %s (made when missing)",
	    a->params[0]);
	return 0;
}

const struct addr_kind kind_pipe = {
	.names = { "PIPE", "ECHO", "FIFO" },
	.syntax = "[PATH]",
	.help = "a named pipe, or without PATH an echoing anonymous pipe",
	.groups = G_FD | G_FILE,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 0,
	.max_params = 1,
	.rest = true,
	.open = pipe_open,
	.dryrun = pipe_dryrun,
};
