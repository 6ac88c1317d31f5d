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
#include "clock.h"
#include "facts.h"
#include "log.h"
#include "net.h"
#include "opener.h"
#include "openssl-tls.h"
#include "options.h"
#include "openssl-kinds.h"
#include "proxyproto.h"
#include "steps.h"
#include "tcpconn.h"
#include "xmalloc.h"

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
	if (o->max_version != 0 && o->max_version < o->min_version) {
		snprintf(err, DUCT_ERR_LEN,
		    "max-version= is older than min-version= (TLS 1.2 unless "
		    "given): no version is left to speak");
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
	if (net_check_ip(a, param, err) == -1)
		return -1;
	if (proxy_check(a, false, err) == -1)
		return -1;
	return tls_check_common(a, false, err);
}

static int
tls_listen_check(const struct address *a, int *param, char *err)
{
	if (net_check_ip_port(a, param, err) == -1)
		return -1;
	if (proxy_check(a, true, err) == -1)
		return -1;
	return tls_check_common(a, true, err);
}

/* --- client ------------------------------------------------------------- */

/*
 * A client open under way: the TCP connect, then (t set) the handshake.
 * Everything counts against one deadline, connect-timeout= (w->deadline).
 */
struct tls_open {
	struct tcpconn tc;
	SSL_CTX *sctx;
	struct tls *t;
	bool handshaking; /* the connect is done */
};

static void
tls_open_free(struct tls_open *o)
{
	if (o == NULL)
		return;
	tcpconn_abort(&o->tc);
	tls_free(o->t);
	SSL_CTX_free(o->sctx);
	free(o);
}

/* The certificate name to expect and the SNI to send, on a new t. */
static int
tls_client_names(const struct address *a, struct tls *t, char *err)
{
	const struct optvals *o = &a->opts;
	char *host = net_unbracket(a->params[0]);
	const char *sni;
	int rc = -1;

	/* socat's commonname="" checks the chain but no name. */
	if (t->verifying && o->commonname != NULL && *o->commonname == '\0')
		log_warn("%s: commonname=\"\": the certificate is verified "
			 "but not the name in it",
		    a->label);
	else if (t->verifying &&
	    tls_expect_name(t, o->commonname ? o->commonname : host, err) == -1)
		goto out;
	/* SNI names a host; an IP literal is never sent (RFC 6066). */
	sni = o->snihost                              ? o->snihost
	    : o->commonname != NULL && *o->commonname ? o->commonname
						      : host;
	if (!o->no_sni && !tls_is_ip(sni) &&
	    SSL_set_tlsext_host_name(t->ssl, sni) != 1) {
		tls_fail(err, "snihost=", sni);
		goto out;
	}
	rc = 0;
out:
	free(host);
	return rc;
}

/* The TCP connection is up: the TLS state over it. */
static int
tls_client_begin(const struct address *a, const struct open_ctx *ctx,
    struct tls_open *o, char *err)
{
	char where[NET_ADDRSTRLEN];
	int fd = tcpconn_take(&o->tc, where);

	log_notice("%s: connected to %s", a->label, where);
	/* As HAProxy's send-proxy on a TLS server: before the handshake. */
	if (proxy_send(a, ctx, fd, err) == -1 ||
	    (o->t = tls_new(o->sctx, fd, false, err)) == NULL) {
		close(fd);
		return -1;
	}
	snprintf(o->t->peer, sizeof(o->t->peer), "%s", where);
	return tls_client_names(a, o->t, err);
}

/* One handshake step; 0 hands the connection to ep. */
static int
tls_client_handshake(const struct address *a, struct tls_open *o,
    struct endpoint *ep, struct open_wait *w, bool timed_out, char *err)
{
	int rc, want = 0;

	rc = tls_handshake_step(
	    o->t, timed_out, a->opts.connect_timeout, &want, err);
	if (rc == 1) {
		w->fd = o->t->fd;
		w->want = want;
		return 1;
	}
	if (rc == 0) {
		tls_log_established(a, a->label, o->t, &ep->facts);
		tls_endpoint(ep, o->t);
		o->t = NULL;
	}
	return rc;
}

/* After a step of the connect (rc) or of the handshake. */
static int
tls_client_stepped(const struct address *a, const struct open_ctx *ctx,
    struct tls_open *o, int rc, struct endpoint *ep, struct open_wait *w,
    char *err)
{
	int saved;

	if (rc == 0 && !o->handshaking) {
		o->handshaking = true;
		rc = tls_client_begin(a, ctx, o, err);
		if (rc == 0)
			rc = tls_client_handshake(a, o, ep, w, false, err);
	}
	if (rc == 1) {
		w->priv = o;
		return 1;
	}
	saved = errno;
	tls_open_free(o);
	w->priv = NULL;
	errno = saved; /* EINTR tells the caller a signal ended it */
	return rc;
}

static int
tls_connect_start(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, struct open_wait *w, char *err)
{
	const struct optvals *opts = &a->opts;
	struct net_tcp_req req;
	struct tls_open *o;

	if (!opts->verify)
		log_warn("%s: verify=0: the server's certificate is not "
			 "checked, so anyone on the path can pose as it",
		    a->label);
	o = xcalloc(1, sizeof(*o));
	if (ctx->shared != NULL && SSL_CTX_up_ref(ctx->shared) == 1)
		o->sctx = ctx->shared;
	else if ((o->sctx = tls_ctx_new(a, false, err)) == NULL) {
		free(o);
		return -1;
	}
	w->deadline = clock_deadline(opts->connect_timeout);
	net_ip_req(a, ctx, SOCK_STREAM, &req);
	req.trying = opener_trying;
	return tls_client_stepped(
	    a, ctx, o, tcpconn_start(&o->tc, &req, w, err), ep, w, err);
}

static int
tls_connect_step(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, struct open_wait *w, bool timed_out, char *err)
{
	struct tls_open *o = w->priv;
	int rc;

	if (o->handshaking)
		rc = tls_client_handshake(a, o, ep, w, timed_out, err);
	else
		rc = tcpconn_step(&o->tc, timed_out, w, err);
	return tls_client_stepped(a, ctx, o, rc, ep, w, err);
}

static void
tls_connect_abort(struct open_wait *w)
{
	tls_open_free(w->priv);
	w->priv = NULL;
}

/* The one-pair and fork paths: the same steps, waiting in between. */
static int
tls_connect_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	return steps_open(a, ctx, ep, err);
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
	fd = net_tcp_listen(a->params[0], net_ip_family(a, ctx), &a->opts,
	    where, sizeof(where), err);
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
		facts_add_socket(&ep->facts, fd, (struct sockaddr *)&peer, len);
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
	return steps_ready(a, ep, err);
}

/*
 * The server handshake as steps (workers=; tls_ready waits in between),
 * within connect-timeout= from the first step.  The PROXY header, if any,
 * was read before: the client it names is the one messages speak of.
 */
static int
tls_ready_step(const struct address *a, struct endpoint *ep,
    struct open_wait *w, bool timed_out, char *err)
{
	struct tls *t = ep->priv;
	int rc, want = 0;

	if (w->want == 0) {
		w->deadline = clock_deadline(a->opts.connect_timeout);
		if (ep->origin_srclen > 0)
			net_format((struct sockaddr *)&ep->origin_src,
			    ep->origin_srclen, t->peer, sizeof(t->peer));
	}
	rc = tls_handshake_step(
	    t, timed_out, a->opts.connect_timeout, &want, err);
	if (rc == 1) {
		w->fd = t->fd;
		w->want = want;
		return 1;
	}
	if (rc == 0)
		tls_log_established(a, ep->label, t, &ep->facts);
	return rc;
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

static void
tls_ctx_release(void *sctx)
{
	SSL_CTX_free(sctx);
}

/*
 * As TCP's: the certificate checks still use the host as written.  The
 * client context is built once here too, so that no peer of a fork or
 * workers= listener loads cafile= or the system's CAs again; when that
 * fails, each open builds its own and says why.
 */
static void
tls_connect_prepare(const struct address *a, struct open_ctx *ctx)
{
	char err[DUCT_ERR_LEN];

	net_prepare_tcp(a, ctx);
	if ((ctx->shared = tls_ctx_new(a, false, err)) != NULL)
		ctx->shared_free = tls_ctx_release;
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
	.open_start = tls_connect_start,
	.open_step = tls_connect_step,
	.open_abort = tls_connect_abort,
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
	.ready_step = tls_ready_step,
	.listen_close = tls_listen_close,
	.version = tls_version,
};
