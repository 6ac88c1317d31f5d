/*
 * SPDX-License-Identifier: ISC
 * TLS over TCP with OpenSSL: OPENSSL (OPENSSL-CONNECT, SSL) and
 * OPENSSL-LISTEN (SSL-L).  The TCP socket comes from net.c; this file
 * builds the SSL_CTX from the TLS options with the safe defaults of the
 * manual, runs non-blocking handshakes, explains failures in words a
 * person can act on, and maps SSL_read/SSL_write onto the endpoint ops.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#include <openssl/ssl.h>

#include "address.h"
#include "log.h"
#include "net.h"
#include "openssl-tls.h"
#include "options.h"
#include "openssl-kinds.h"
#include "proxyproto.h"

/* --- checks (no I/O) ---------------------------------------------------- */

static int
tls_check_common(const struct address *a, bool server, char *err)
{
	const struct optvals *o = &a->opts;
	unsigned char alpn[512];

	if (o->key != NULL && o->cert == NULL) {
		snprintf(err, DUCT_ERR_LEN, "key= needs cert=");
		return -1;
	}
	if (o->alpn != NULL &&
	    tls_alpn_wire(o->alpn, alpn, sizeof(alpn)) <= 0) {
		snprintf(err, DUCT_ERR_LEN,
		    "alpn= wants protocol names of 1 to 255 bytes separated "
		    "by ':' (or ',' inside quotes), got \"%s\"",
		    o->alpn);
		return -1;
	}
	if (server && (o->snihost != NULL || o->no_sni)) {
		snprintf(err, DUCT_ERR_LEN,
		    "snihost= and no-sni are for OPENSSL clients; a "
		    "listener serves "
		    "whatever name a client asks for");
		return -1;
	}
	if (server && o->commonname != NULL && !tls_server_verifies(o)) {
		snprintf(err, DUCT_ERR_LEN,
		    "commonname= on a listener checks client certificates: "
		    "give cafile= or capath= (or verify=1) too");
		return -1;
	}
	return 0;
}

static int
tls_connect_check(const struct address *a, int *param, char *err)
{
	*param = 0;
	if (a->params[0][0] == '\0') {
		snprintf(err, DUCT_ERR_LEN, "host missing");
		return -1;
	}
	*param = 1;
	if (net_check_port(a->params[1], err) == -1)
		return -1;
	*param = -1;
	if (net_check_bind(a->opts.bind, err) == -1 ||
	    proxy_check(a, false, err) == -1)
		return -1;
	return tls_check_common(a, false, err);
}

static int
tls_listen_check(const struct address *a, int *param, char *err)
{
	*param = 0;
	if (net_check_port(a->params[0], err) == -1)
		return -1;
	*param = -1;
	if (net_check_bind(a->opts.bind, err) == -1 ||
	    proxy_check(a, true, err) == -1)
		return -1;
	return tls_check_common(a, true, err);
}

/* --- client ------------------------------------------------------------- */

static void
tls_trying(const char *where, void *arg)
{
	const struct address *a = arg;

	log_info("%s: connecting to %s", a->label, where);
}

static int
tls_connect_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	const struct optvals *o = &a->opts;
	struct net_tcp_req req = {
		.host = a->params[0],
		.port = a->params[1],
		.family = net_pick_family(a->family, o, ctx->family),
		.opts = o,
		.known = ctx->known,
		.trying = tls_trying,
		.arg = (void *)a,
	};
	char where[NET_ADDRSTRLEN], *host = net_unbracket(a->params[0]);
	const char *sni;
	SSL_CTX *sctx = NULL;
	struct tls *t = NULL;
	int fd = -1, saved;

	if (!o->verify)
		log_warn("%s: verify=0: the server's certificate is not "
			 "checked, so anyone on the path can pose as it",
		    a->label);
	if ((sctx = tls_ctx_new(a, false, err)) == NULL)
		goto fail;
	if ((fd = net_tcp_connect(&req, where, sizeof(where), err)) == -1)
		goto fail;
	log_notice("%s: connected to %s", a->label, where);
	/* As HAProxy's send-proxy on a TLS server: before the handshake. */
	if (proxy_send(a, ctx, fd, err) == -1)
		goto fail;
	if ((t = tls_new(sctx, fd, false, err)) == NULL)
		goto fail;
	fd = -1; /* t owns it now */
	snprintf(t->peer, sizeof(t->peer), "%s", where);
	/* socat's commonname="" checks the chain but no name. */
	if (t->verifying && o->commonname != NULL && *o->commonname == '\0')
		log_warn("%s: commonname=\"\": the certificate is verified "
			 "but not the name in it",
		    a->label);
	else if (t->verifying &&
	    tls_expect_name(t, o->commonname ? o->commonname : host, err) == -1)
		goto fail;
	/* SNI names a host; an IP literal is never sent (RFC 6066). */
	sni = o->snihost                              ? o->snihost
	    : o->commonname != NULL && *o->commonname ? o->commonname
						      : host;
	if (!o->no_sni && !tls_is_ip(sni) &&
	    SSL_set_tlsext_host_name(t->ssl, sni) != 1) {
		tls_fail(err, "snihost=", sni);
		goto fail;
	}
	if (tls_handshake(t, o->connect_timeout, err) == -1)
		goto fail;
	tls_log_established(a, t);
	SSL_CTX_free(sctx);
	free(host);
	tls_endpoint(ep, t);
	return 0;
fail:
	saved = errno;
	tls_free(t);
	if (fd != -1)
		close(fd);
	SSL_CTX_free(sctx);
	free(host);
	errno = saved; /* EINTR tells the caller a signal ended it */
	return -1;
}

/* --- listener ----------------------------------------------------------- */

static int
tls_listen(const struct address *a, const struct open_ctx *ctx,
    struct listener *l, char *err)
{
	char where[NET_ADDRSTRLEN];
	SSL_CTX *sctx;
	int fd;

	/* Certificates first: a bad cert= fails before anyone connects. */
	if ((sctx = tls_ctx_new(a, true, err)) == NULL)
		return -1;
	fd = net_tcp_listen(a->params[0],
	    net_pick_family(a->family, &a->opts, ctx->family), &a->opts, where,
	    sizeof(where), err);
	if (fd == -1) {
		SSL_CTX_free(sctx);
		return -1;
	}
	log_notice("%s: listening on %s", a->label, where);
	l->fd = fd;
	l->priv = sctx;
	return 0;
}

static int
tls_accept(
    const struct address *a, struct listener *l, struct endpoint *ep, char *err)
{
	struct sockaddr_storage peer;
	socklen_t len;
	char who[NET_ADDRSTRLEN], whybuf[64];
	const char *why;
	struct tls *t;
	int fd;

	if ((fd = net_accept(l->fd, &peer, &len, err)) < 0)
		return fd == -2 ? 1 : -1;
	net_format((struct sockaddr *)&peer, len, who, sizeof(who));
	/* With accept-proxy, range= judges the client the header names. */
	why = proxy_peer_refusal(
	    a, (struct sockaddr *)&peer, whybuf, sizeof(whybuf));
	if (why != NULL) {
		log_warn(
		    "%s: refused connection from %s: %s", a->label, who, why);
		net_refuse(fd);
		return 1;
	}
	if (!a->opts.accept_proxy)
		log_notice("%s: connection from %s", a->label, who);
	if (opts_apply_sock(fd, &a->opts, err) == -1 ||
	    (t = tls_new(l->priv, fd, true, err)) == NULL) {
		close(fd);
		return -1;
	}
	snprintf(t->peer, sizeof(t->peer), "%s", who);
	if (t->verifying && a->opts.commonname != NULL &&
	    *a->opts.commonname != '\0' &&
	    tls_expect_name(t, a->opts.commonname, err) == -1) {
		tls_free(t);
		return -1;
	}
	if (!a->opts.accept_proxy)
		net_export_peer(fd, (struct sockaddr *)&peer);
	tls_endpoint(ep, t);
	return 0;
}

/* The handshake, in the process that will run the transfer. */
static int
tls_ready(const struct address *a, struct endpoint *ep, char *err)
{
	struct tls *t = ep->priv;
	char via[NET_ADDRSTRLEN];

	/* accept-proxy: the header comes before the TLS handshake. */
	if (a->opts.accept_proxy) {
		if (proxy_accept(a, ep, t->peer, sizeof(t->peer), via,
			sizeof(via), err) == -1)
			return -1;
		log_notice("%s: connection from %s (PROXY header from %s)",
		    a->label, t->peer, via);
	}
	if (tls_handshake(t, a->opts.connect_timeout, err) == -1)
		return -1;
	tls_log_established(a, t);
	return 0;
}

static void
tls_listen_close(struct listener *l, bool in_child)
{
	(void)in_child;
	SSL_CTX_free(l->priv);
	l->priv = NULL;
	if (l->fd != -1)
		close(l->fd);
	l->fd = -1;
}

static const char *
tls_version(void)
{
	static char buf[160];

	if (strcmp(OpenSSL_version(OPENSSL_VERSION), OPENSSL_VERSION_TEXT) == 0)
		return OPENSSL_VERSION_TEXT;
	snprintf(buf, sizeof(buf), "%s (built with %s)",
	    OpenSSL_version(OPENSSL_VERSION), OPENSSL_VERSION_TEXT);
	return buf;
}

/* As TCP's: the certificate checks still use the host as written. */
static void
tls_connect_prepare(const struct address *a, struct open_ctx *ctx)
{
	ctx->known = net_resolve_literal(a->params[0], a->params[1],
	    net_pick_family(a->family, &a->opts, ctx->family), SOCK_STREAM);
}

/*
 * --check: builds the TLS context as a run would, which loads cert= and
 * key= and checks that they match, and the trust anchors; no socket.
 */
static int
tls_dryrun(const struct address *a, const struct open_ctx *ctx, char *plan,
    size_t planlen, char *err)
{
	bool server = a->kind->listen != NULL;
	const struct optvals *o = &a->opts;
	SSL_CTX *sctx;
	bool verifies = server ? tls_server_verifies(o) : o->verify;

	(void)ctx;
	if ((sctx = tls_ctx_new(a, server, err)) == NULL)
		return -1;
	SSL_CTX_free(sctx);
	if (server)
		snprintf(plan, planlen,
		    "accept TLS on port %s with %s%s%s, %s client "
		    "certificates",
		    a->params[0], o->cert ? "the certificate " : "",
		    o->cert ? o->cert : "a throwaway certificate",
		    o->fork ? ", a child per peer" : "",
		    verifies ? "checking" : "not asking for");
	else
		snprintf(plan, planlen, "connect with TLS to %s:%s, %s",
		    a->params[0], a->params[1],
		    verifies ? (o->cafile || o->capath
				       ? "verifying the server against "
					 "cafile=/capath="
				       : "verifying the server against the "
					 "system's CAs")
			     : "not verifying the server (verify=0)");
	return 0;
}

const struct addr_kind kind_openssl_connect = {
	TLS_CONNECT_KIND,
	.check = tls_connect_check,
	.prepare = tls_connect_prepare,
	.open = tls_connect_open,
	.dryrun = tls_dryrun,
	.version = tls_version,
};

const struct addr_kind kind_openssl_listen = {
	TLS_LISTEN_KIND,
	.check = tls_listen_check,
	.listen = tls_listen,
	.dryrun = tls_dryrun,
	.accept = tls_accept,
	.accept_anywhere = true,
	.ready = tls_ready,
	.listen_close = tls_listen_close,
	.version = tls_version,
};
