/*
 * SPDX-License-Identifier: ISC
 * What the files of the OPENSSL kinds share: a connection's state and the
 * functions one file offers the others (openssl-ctx.c builds contexts,
 * openssl-cert.c the throwaway certificate, openssl-diag.c the words,
 * openssl-conn.c the connection and its ops, openssl.c the kinds).  Not a
 * header for other kinds.
 */
#ifndef DUCT_OPENSSL_TLS_H
#define DUCT_OPENSSL_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "duct.h"
#include "endpoint.h"
#include "net.h"
#include "options.h"

struct address;

/* One TLS connection: the endpoint's priv. */
struct tls {
	SSL *ssl;
	SSL_CTX *ctx; /* a reference of our own */
	int fd;
	bool server;
	bool verifying; /* the peer's certificate is checked */
	bool fatal;     /* a fatal error: no close_notify any more */
	char peer[NET_ADDRSTRLEN];
	char expect[128];       /* the name the peer's certificate must have */
	char why[DUCT_ERR_LEN]; /* the last IO_ERR, for ep_ops.error */
	/* The first verification failure, from tls_verify_cb. */
	int verr;
	char subject[96], issuer[96], names[96];
};

/* --- openssl-ctx.c ---------------------------------------------------- */

/* The SSL_CTX for a, built from its TLS options; NULL with err. */
SSL_CTX *tls_ctx_new(const struct address *a, bool server, char *err);

/* Whether a listener asks for and checks client certificates. */
bool tls_server_verifies(const struct optvals *o);

/* The wire form of an alpn= value into out.  Returns its length, or -1. */
int tls_alpn_wire(const char *text, unsigned char *out, size_t outlen);

/* True when s is an IPv4 or IPv6 literal. */
bool tls_is_ip(const char *s);

/* --- openssl-cert.c --------------------------------------------------- */

/*
 * A fresh EC P-256 key and a self-signed certificate for it, installed in
 * ctx; logs the certificate's SHA-256 fingerprint under a's label.
 * Returns 0, or -1 with err.
 */
int tls_throwaway(const struct address *a, SSL_CTX *ctx, char *err);

/* --- openssl-diag.c --------------------------------------------------- */

/*
 * The verify callback of a context that checks its peer: remembers the
 * first failure and the certificate's names in the connection's struct
 * tls (the SSL's app data), for tls_verify_error().
 */
int tls_verify_cb(int ok, X509_STORE_CTX *sctx);

/*
 * "what arg: reason" (or "what: reason" for a NULL arg) from OpenSSL's
 * error queue into err, which is cleared.  Returns -1.
 */
int tls_fail(char *err, const char *what, const char *arg);

/* Explains the failed verification recorded by tls_verify_cb into err. */
void tls_verify_error(const struct tls *t, char *err);

/*
 * "REASON: HINT" for a failed SSL call whose SSL_get_error() was sslerr,
 * or errno's words, into out; OpenSSL's error queue is cleared.
 */
void tls_error_text(struct tls *t, int sslerr, char *out, size_t outlen);

/*
 * Logs under label what was agreed once the handshake is done (version,
 * cipher, the peer's certificate, ALPN, SNI; a's alpn=) and exports the
 * peer certificate's facts for EXEC programs.
 */
void tls_log_established(const struct address *a, const char *label,
    struct tls *t, struct facts **facts);

/* --- openssl-conn.c --------------------------------------------------- */

/*
 * A connection state for the socket fd on ctx (takes a reference to ctx;
 * the socket is t's once this returns).  NULL with err, fd untouched.
 */
struct tls *tls_new(SSL_CTX *ctx, int fd, bool server, char *err);

/* Frees t and closes its socket; errno is kept.  NULL: nothing. */
void tls_free(struct tls *t);

/*
 * The certificate name the peer must have: an IP literal or a host name.
 * Returns 0, or -1 with err.
 */
int tls_expect_name(struct tls *t, const char *name, char *err);

/*
 * One step of the handshake on t's non-blocking socket; never waits.
 * Returns 0 done, 1 when the caller is to wait until the socket is ready
 * as *want says (IO_WANT_READ/IO_WANT_WRITE) and call again, or -1 with
 * err and errno (EPROTO; ETIMEDOUT when timed_out says the caller's
 * deadline of timeout seconds passed).
 */
int tls_handshake_step(
    struct tls *t, bool timed_out, double timeout, int *want, char *err);

/* Makes ep the endpoint of t (which ep then owns). */
void tls_endpoint(struct endpoint *ep, struct tls *t);

#endif
