/*
 * SPDX-License-Identifier: ISC
 * Files and devices: OPEN (FILE), CREATE (CREAT), and GOPEN, which is also
 * what a bare path means.  GOPEN connects when the path is a unix socket.
 * Opening follows the directions the relay needs (read, write or both).
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "address.h"
#include "dgram.h"
#include "fdep.h"
#include "net.h"
#include "options.h"
#include "term.h"

static int
file_check(const struct address *a, int *param, char *err)
{
	*param = 0;
	if (a->params[0][0] == '\0') {
		snprintf(err, DUCT_ERR_LEN, "empty path");
		return -1;
	}
	return 0;
}

/* Makes fd the endpoint, then applies the address's terminal settings. */
static int
file_attach(int fd, const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	int rfd = ctx->dirs & EP_READABLE ? fd : -1;
	int wfd = ctx->dirs & EP_WRITABLE ? fd : -1;

	if (fdep_init(ep, rfd, wfd, false, err) == -1) {
		close(fd);
		return -1;
	}
	if (term_apply_ep(ep, &a->opts, err) == -1) {
		fdep_close(ep);
		return -1;
	}
	return 0;
}

/* A file kind's path opened: unlink-early first, unlink-close after. */
static int
file_open(const struct address *a, const struct open_ctx *ctx, unsigned dirs,
    int extra, struct endpoint *ep, char *err)
{
	int fd;

	if (fdep_unlink_early(a->params[0], &a->opts, err) == -1)
		return -1;
	fd = fdep_open_path(a->params[0], dirs, extra, &a->opts, err);
	if (fd == -1 || file_attach(fd, a, ctx, ep, err) == -1)
		return -1;
	fdep_unlink_late(ep, a->params[0], &a->opts);
	return 0;
}

static int
open_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	return file_open(a, ctx, ctx->dirs, 0, ep, err);
}

static int
create_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	return file_open(a, ctx, EP_WRITABLE, O_CREAT | O_TRUNC, ep, err);
}

static int
gopen_socket(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	const char *path = a->params[0];
	/* A stream socket, else (as socat) a seqpacket or datagram one. */
	static const int types[] = { SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM };
	struct sockaddr_un sun;
	socklen_t len;
	size_t i;
	int fd = -1, saved;

	if (net_unix_addr(path, &sun, &len, err) == -1)
		return -1;
	for (i = 0; i < sizeof(types) / sizeof(types[0]) && fd == -1; i++) {
		if ((fd = net_socket(AF_UNIX, types[i], err)) == -1)
			return -1;
		/* A datagram server answers to an address: give it one. */
		if ((types[i] != SOCK_DGRAM ||
			net_unix_autobind(fd, err) == 0) &&
		    net_connect(fd, (struct sockaddr *)&sun, len, 0, err) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
		if (saved != EPROTOTYPE)
			return -1;
	}
	if (fd == -1)
		return -1;
	if (types[i] == SOCK_DGRAM) {
		dgram_init(ep, fd, ctx->dirs, 0, NULL, 0);
		/* Terminal options find no terminal here: say so. */
		if (term_apply_ep(ep, &a->opts, err) == -1) {
			ep->ops->close(ep);
			return -1;
		}
		return 0;
	}
	if (file_attach(fd, a, ctx, ep, err) == -1)
		return -1;
	if (types[i] == SOCK_SEQPACKET)
		fdep_keep_messages(ep);
	return 0;
}

/*
 * As socat does: a path written to is created when missing and written
 * at its end when it exists (seek= asks for a place of its own), so that
 * "producer | duct -u - out" neither fails nor leaves old bytes past the
 * new ones.  A path only read from must exist.
 */
static int
gopen_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	struct stat st;
	int extra = 0;

	if (stat(a->params[0], &st) == 0 && S_ISSOCK(st.st_mode))
		return gopen_socket(a, ctx, ep, err);
	if (ctx->dirs & EP_WRITABLE)
		extra = O_CREAT | (a->opts.given[OPT_SEEK] ? 0 : O_APPEND);
	/*
	 * Followed with ignoreeof, a file that is not there yet is created
	 * empty, as socat does, and read as it grows ("f,ignoreeof!!f").
	 */
	else if (a->opts.ignoreeof)
		extra = O_CREAT;
	return file_open(a, ctx, ctx->dirs, extra, ep, err);
}

/* "for reading and writing" and its parts, as dirs asks. */
static const char *
file_dirs_text(unsigned dirs)
{
	if ((dirs & EP_READABLE) && (dirs & EP_WRITABLE))
		return "reading and writing";
	return dirs & EP_READABLE ? "reading" : "writing";
}

static int
open_dryrun(const struct address *a, const struct open_ctx *ctx, char *plan,
    size_t planlen, char *err)
{
	bool create = a->opts.creat;

	if (fdep_dryrun_path(a->params[0], ctx->dirs, create, err) == -1)
		return -1;
	snprintf(plan, planlen, "open the file %s for %s", a->params[0],
	    file_dirs_text(ctx->dirs));
	return 0;
}

static int
create_dryrun(const struct address *a, const struct open_ctx *ctx, char *plan,
    size_t planlen, char *err)
{
	(void)ctx;
	if (fdep_dryrun_path(a->params[0], EP_WRITABLE, true, err) == -1)
		return -1;
	snprintf(plan, planlen, "create or truncate the file %s for writing",
	    a->params[0]);
	return 0;
}

static int
gopen_dryrun(const struct address *a, const struct open_ctx *ctx, char *plan,
    size_t planlen, char *err)
{
	struct stat st;
	bool create = (ctx->dirs & EP_WRITABLE) || a->opts.ignoreeof;

	if (stat(a->params[0], &st) == 0 && S_ISSOCK(st.st_mode)) {
		snprintf(plan, planlen, "connect to the unix socket %s",
		    a->params[0]);
		return 0;
	}
	if (fdep_dryrun_path(a->params[0], ctx->dirs, create, err) == -1)
		return -1;
	snprintf(plan, planlen, "open the file %s for %s%s", a->params[0],
	    file_dirs_text(ctx->dirs),
	    (ctx->dirs & EP_WRITABLE) ? " (created when missing)" : "");
	return 0;
}

const struct addr_kind kind_open = {
	.names = { "OPEN", "FILE" },
	.syntax = "PATH",
	.help = "an existing file, device or FIFO",
	.groups = G_FD | G_FILE | G_TERMIOS,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 1,
	.max_params = 1,
	.rest = true,
	.check = file_check,
	.open = open_open,
	.dryrun = open_dryrun,
};

const struct addr_kind kind_create = {
	.names = { "CREATE", "CREAT" },
	.syntax = "PATH",
	.help = "a file created or truncated for writing",
	.groups = G_FD | G_FILE,
	.dirs = EP_WRITABLE,
	.min_params = 1,
	.max_params = 1,
	.rest = true,
	.check = file_check,
	.open = create_open,
	.dryrun = create_dryrun,
};

const struct addr_kind kind_gopen = {
	.names = { "GOPEN" },
	.syntax = "PATH",
	.help = "a file (created for writing), or a unix socket to connect to "
		"(also a bare path)",
	.groups = G_FD | G_FILE | G_TERMIOS,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 1,
	.max_params = 1,
	.rest = true,
	.check = file_check,
	.open = gopen_open,
	.dryrun = gopen_dryrun,
};
