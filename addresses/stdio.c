/*
 * SPDX-License-Identifier: ISC
 * The process's own descriptors: STDIO, STDIN, STDOUT, STDERR and FD:N.
 * They are inherited, so their original descriptor flags come back when
 * the relay closes them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "address.h"
#include "fdep.h"
#include "options.h"
#include "term.h"

static int
stdio_attach(const struct address *a, const struct open_ctx *ctx, int rfd,
    int wfd, struct endpoint *ep, char *err)
{
	if (!(ctx->dirs & EP_READABLE))
		rfd = -1;
	if (!(ctx->dirs & EP_WRITABLE))
		wfd = -1;
	if (rfd != -1 && fcntl(rfd, F_GETFD) == -1) {
		snprintf(err, DUCT_ERR_LEN, "descriptor %d: %s", rfd,
		    strerror(errno));
		return -1;
	}
	if (wfd != -1 && wfd != rfd && fcntl(wfd, F_GETFD) == -1) {
		snprintf(err, DUCT_ERR_LEN, "descriptor %d: %s", wfd,
		    strerror(errno));
		return -1;
	}
	if (fdep_init(ep, rfd, wfd, true, err) == -1)
		return -1;
	if (term_apply_ep(ep, &a->opts, err) == -1) {
		fdep_close(ep);
		return -1;
	}
	return 0;
}

static int
stdio_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	return stdio_attach(a, ctx, STDIN_FILENO, STDOUT_FILENO, ep, err);
}

static int
stdin_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	return stdio_attach(a, ctx, STDIN_FILENO, -1, ep, err);
}

static int
stdout_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	return stdio_attach(a, ctx, -1, STDOUT_FILENO, ep, err);
}

static int
stderr_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	return stdio_attach(a, ctx, -1, STDERR_FILENO, ep, err);
}

static int
fd_check(const struct address *a, int *param, char *err)
{
	const char *s = a->params[0];
	char *end;
	long v;

	*param = 0;
	v = strtol(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || v > 0x7fffffff) {
		snprintf(err, DUCT_ERR_LEN, "invalid descriptor \"%s\"", s);
		return -1;
	}
	return 0;
}

static int
fd_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	int fd = atoi(a->params[0]);

	return stdio_attach(a, ctx, fd, fd, ep, err);
}

const struct addr_kind kind_stdio = {
	.names = { "STDIO", "-" },
	.syntax = "",
	.help = "standard input and standard output",
	.groups = G_FD | G_TERMIOS,
	.dirs = EP_READABLE | EP_WRITABLE,
	.open = stdio_open,
};

const struct addr_kind kind_stdin = {
	.names = { "STDIN" },
	.syntax = "",
	.help = "standard input, read only",
	.groups = G_FD | G_TERMIOS,
	.dirs = EP_READABLE,
	.open = stdin_open,
};

const struct addr_kind kind_stdout = {
	.names = { "STDOUT" },
	.syntax = "",
	.help = "standard output, write only",
	.groups = G_FD | G_TERMIOS,
	.dirs = EP_WRITABLE,
	.open = stdout_open,
};

const struct addr_kind kind_stderr = {
	.names = { "STDERR" },
	.syntax = "",
	.help = "standard error, write only",
	.groups = G_FD | G_TERMIOS,
	.dirs = EP_WRITABLE,
	.open = stderr_open,
};

const struct addr_kind kind_fd = {
	.names = { "FD" },
	.syntax = "N",
	.help = "inherited file descriptor N (also a bare digit)",
	.groups = G_FD | G_TERMIOS,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 1,
	.max_params = 1,
	.check = fd_check,
	.open = fd_open,
};
