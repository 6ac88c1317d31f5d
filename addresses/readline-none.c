/*
 * SPDX-License-Identifier: ISC
 * READLINE in a build without libedit (configure --without-libedit).  It
 * stays in the registry so that --help lists it as unavailable and using
 * it says why, at parse time, before anything is opened.
 */
#include <stdio.h>

#include "address.h"

#define RL_NONE_WHY "duct was built without libedit"

static int
rl_none_check(const struct address *a, int *param, char *err)
{
	*param = -1;
	snprintf(err, DUCT_ERR_LEN,
	    "%s: %s (install libedit-dev and configure without "
	    "--without-libedit)",
	    a->kind->names[0], RL_NONE_WHY);
	return -1;
}

/* Not reached: the check refuses every READLINE address. */
static int
rl_none_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	(void)a;
	(void)ctx;
	(void)ep;
	snprintf(err, DUCT_ERR_LEN, "%s", RL_NONE_WHY);
	return -1;
}

const struct addr_kind kind_readline = {
	.names = { "READLINE" },
	.syntax = "",
	.help = "line editing and history on standard input (libedit), "
		"standard output",
	.groups = G_FD | G_READLINE,
	.dirs = EP_READABLE | EP_WRITABLE,
	.check = rl_none_check,
	.open = rl_none_open,
	.feature = "libedit",
	.unavailable = RL_NONE_WHY,
};
