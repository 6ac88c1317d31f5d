/*
 * SPDX-License-Identifier: ISC
 * The OPENSSL kinds in a build without OpenSSL (configure
 * --without-openssl).  They stay in the registry so that --help lists
 * them as unavailable and using one says why, at parse time, before
 * anything is opened.  Nothing here pretends to speak TLS.
 */
#include <stdio.h>

#include "address.h"
#include "openssl-kinds.h"

#define TLS_NONE_WHY "duct was built without OpenSSL"

static int
tls_none_check(const struct address *a, int *param, char *err)
{
	*param = -1;
	snprintf(err, DUCT_ERR_LEN,
	    "%s: %s (install libssl-dev and configure without "
	    "--without-openssl)",
	    a->kind->names[0], TLS_NONE_WHY);
	return -1;
}

/* Not reached: the check refuses every address of these kinds. */
static int
tls_none_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	(void)a;
	(void)ctx;
	(void)ep;
	snprintf(err, DUCT_ERR_LEN, "%s", TLS_NONE_WHY);
	return -1;
}

const struct addr_kind kind_openssl_connect = {
	TLS_CONNECT_KIND,
	.check = tls_none_check,
	.open = tls_none_open,
	.unavailable = TLS_NONE_WHY,
};

const struct addr_kind kind_openssl_listen = {
	TLS_LISTEN_KIND,
	.check = tls_none_check,
	.open = tls_none_open,
	.unavailable = TLS_NONE_WHY,
};
