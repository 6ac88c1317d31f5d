/*
 * SPDX-License-Identifier: ISC
 * The OPENSSL kinds as the registry, the parser and --help see them,
 * shared by openssl.c (built with OpenSSL) and openssl-none.c (built
 * without), so that both builds know the same names, syntax and option
 * groups.  Only the behaviour differs.  Not a header for other kinds.
 */
#ifndef DUCT_OPENSSL_KINDS_H
#define DUCT_OPENSSL_KINDS_H

#include "endpoint.h"
#include "options.h"

#define TLS_CONNECT_KIND \
	.names = { "OPENSSL", "OPENSSL-CONNECT", "SSL" }, \
	.syntax = "HOST:PORT", \
	.help = "connect to a TLS server (verified by default)", \
	.groups = G_FD | G_SOCKET | G_IP | G_TCP | G_TLS | G_CONNECT | \
	    G_RETRY | G_PROXY | G_CHILD, \
	.dirs = EP_READABLE | EP_WRITABLE, .min_params = 2, .max_params = 2, \
	.feature = "openssl"

#define TLS_LISTEN_KIND \
	.names = { "OPENSSL-LISTEN", "SSL-L" }, .syntax = "PORT", \
	.help = "accept a TLS connection (many with fork)", \
	.groups = G_FD | G_SOCKET | G_IP | G_TCP | G_LISTEN | G_CHILD | \
	    G_RANGE | G_TLS | G_CONNECT | G_RETRY | G_PROXY | G_WORKERS, \
	.dirs = EP_READABLE | EP_WRITABLE, .min_params = 1, .max_params = 1, \
	.feature = "openssl"

#endif
