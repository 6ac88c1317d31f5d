/*
 * SPDX-License-Identifier: ISC
 * TLS over TCP with OpenSSL: OPENSSL (OPENSSL-CONNECT, SSL) and
 * OPENSSL-LISTEN (SSL-L).  The TCP socket comes from net.c; this file
 * builds the SSL_CTX from the TLS options with the safe defaults of the
 * manual, runs non-blocking handshakes, explains failures in words a
 * person can act on, and maps SSL_read/SSL_write onto the endpoint ops.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "address.h"
#include "log.h"
#include "net.h"
#include "openssl-env.h"
#include "openssl-kinds.h"
#include "options.h"
#include "proxyproto.h"
#include "xmalloc.h"

_Static_assert(OPT_TLS_1_2 == TLS1_2_VERSION, "min-version values");
_Static_assert(OPT_TLS_1_3 == TLS1_3_VERSION, "min-version values");

#if OPENSSL_VERSION_NUMBER >= 0x30000000L
#define tls_peer_cert SSL_get1_peer_certificate
#else
#define tls_peer_cert SSL_get_peer_certificate
#endif

/* Days a throwaway certificate is valid. */
#define TLS_THROWAWAY_DAYS 30

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

static const struct ep_ops tls_ops;

/* Replaces what a terminal could take as control characters. */
static void
tls_sanitize(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static void
tls_name_text(X509_NAME *name, char *out, size_t outlen)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long n;

	out[0] = '\0';
	if (b == NULL)
		return;
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0) {
		n = BIO_get_mem_data(b, &p);
		snprintf(out, outlen, "%.*s", (int)n, p);
	}
	BIO_free(b);
	tls_sanitize(out);
}

/* "DNS:a, IP:127.0.0.1" from the subjectAltName of x, or "". */
static void
tls_alt_names(X509 *x, char *out, size_t outlen)
{
	GENERAL_NAMES *gens;
	size_t n = 0;
	int i;

	out[0] = '\0';
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	if (gens == NULL)
		return;
	for (i = 0; i < sk_GENERAL_NAME_num(gens) && n < outlen; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		char ip[INET6_ADDRSTRLEN] = "?";

		if (g->type == GEN_DNS) {
			n += snprintf(out + n, outlen - n, "%sDNS:%.*s",
			    n ? ", " : "", ASN1_STRING_length(g->d.dNSName),
			    (const char *)ASN1_STRING_get0_data(g->d.dNSName));
		} else if (g->type == GEN_IPADD) {
			int len = ASN1_STRING_length(g->d.iPAddress);
			const unsigned char *a =
			    ASN1_STRING_get0_data(g->d.iPAddress);

			if (len == 4 || len == 16)
				inet_ntop(len == 4 ? AF_INET : AF_INET6, a, ip,
				    sizeof(ip));
			n += snprintf(
			    out + n, outlen - n, "%sIP:%s", n ? ", " : "", ip);
		}
	}
	GENERAL_NAMES_free(gens);
	tls_sanitize(out);
}

/* Remembers the first verification failure and the certificate's names. */
static int
tls_verify_cb(int ok, X509_STORE_CTX *sctx)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(
	    sctx, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tls *t = ssl ? SSL_get_app_data(ssl) : NULL;
	X509 *leaf = X509_STORE_CTX_get0_cert(sctx);

	if (ok || t == NULL || t->verr != 0)
		return ok;
	t->verr = X509_STORE_CTX_get_error(sctx);
	if (leaf != NULL) {
		tls_name_text(X509_get_subject_name(leaf), t->subject,
		    sizeof(t->subject));
		tls_name_text(
		    X509_get_issuer_name(leaf), t->issuer, sizeof(t->issuer));
		tls_alt_names(leaf, t->names, sizeof(t->names));
	}
	return ok;
}

/* The earliest OpenSSL error's reason, with the queue cleared. */
static const char *
tls_reason(unsigned long *code)
{
	unsigned long e = ERR_peek_error();
	const char *r = NULL;

	if (e != 0 && ERR_GET_LIB(e) == ERR_LIB_SYS)
		r = strerror(ERR_GET_REASON(e)); /* errno of a file call */
	else if (e != 0)
		r = ERR_reason_error_string(e);
	if (code != NULL)
		*code = e;
	ERR_clear_error();
	return r != NULL ? r : "unknown OpenSSL error";
}

/* "what: reason" for a failed SSL_CTX set-up call. */
static int
tls_fail(char *err, const char *what, const char *arg)
{
	const char *r = tls_reason(NULL);

	if (arg != NULL)
		snprintf(err, DUCT_ERR_LEN, "%s %s: %s", what, arg, r);
	else
		snprintf(err, DUCT_ERR_LEN, "%s: %s", what, r);
	return -1;
}

static bool
tls_is_ip(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, s, buf) == 1 ||
	    inet_pton(AF_INET6, s, buf) == 1;
}

/*
 * Walks the protocol names of an alpn= value, separated by ',' or ':'.
 * Returns the length of the next name at *pos (advancing it), 0 at the
 * end, or -1 for an empty or too long name.
 */
static int
tls_alpn_next(const char **pos, const char **name)
{
	const char *p = *pos;
	size_t n;

	if (*p == '\0')
		return 0;
	n = strcspn(p, ",:");
	*name = p;
	*pos = p[n] ? p + n + 1 : p + n;
	if (n == 0 || n > 255 || (p[n] != '\0' && p[n + 1] == '\0'))
		return -1;
	return (int)n;
}

/* The wire form of an alpn= value.  Returns its length, or -1. */
static int
tls_alpn_wire(const char *text, unsigned char *out, size_t outlen)
{
	const char *pos = text, *name;
	size_t n = 0;
	int len;

	while ((len = tls_alpn_next(&pos, &name)) > 0) {
		if (n + 1 + len > outlen)
			return -1;
		out[n++] = (unsigned char)len;
		memcpy(out + n, name, len);
		n += len;
	}
	return len == -1 ? -1 : (int)n;
}

/* Server side: the first of our protocols that the client offers. */
static int
tls_alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned int inlen, void *arg)
{
	const char *pos = arg, *name;
	unsigned int i;
	int len;

	(void)ssl;
	while ((len = tls_alpn_next(&pos, &name)) > 0)
		for (i = 0; i < inlen; i += 1 + in[i])
			if (in[i] == len && i + 1 + len <= inlen &&
			    memcmp(in + i + 1, name, len) == 0) {
				*out = in + i + 1;
				*outlen = in[i];
				return SSL_TLSEXT_ERR_OK;
			}
	return SSL_TLSEXT_ERR_ALERT_FATAL;
}

/*
 * cipher=: names that start with TLS_ are TLS 1.3 suites
 * (SSL_CTX_set_ciphersuites), the rest a TLS 1.2 cipher list.
 */
static int
tls_set_ciphers(SSL_CTX *ctx, const char *list, char *err)
{
	size_t n = strlen(list) + 1;
	char *v12 = xcalloc(1, n), *v13 = xcalloc(1, n), *copy, *tok, *save;
	int rc = 0;

	copy = xstrdup(list);
	for (tok = strtok_r(copy, ":", &save); tok != NULL;
	     tok = strtok_r(NULL, ":", &save)) {
		char *dst = strncmp(tok, "TLS_", 4) == 0 ? v13 : v12;

		if (*dst != '\0')
			strcat(dst, ":");
		strcat(dst, tok);
	}
	if (*v12 != '\0' && SSL_CTX_set_cipher_list(ctx, v12) != 1)
		rc = tls_fail(err, "cipher=", v12);
	else if (*v13 != '\0' && SSL_CTX_set_ciphersuites(ctx, v13) != 1)
		rc = tls_fail(err, "cipher=", v13);
	free(copy);
	free(v12);
	free(v13);
	return rc;
}

/* Trust anchors: cafile=/capath=, else the system's store. */
static int
tls_load_trust(SSL_CTX *ctx, const struct optvals *o, char *err)
{
	struct stat st;

	if (o->cafile == NULL && o->capath == NULL) {
		if (SSL_CTX_set_default_verify_paths(ctx) != 1)
			return tls_fail(err, "system CA store", NULL);
		return 0;
	}
	/* OpenSSL reads capath lazily: say now that it is not there. */
	if (o->capath != NULL && stat(o->capath, &st) == -1) {
		snprintf(err, DUCT_ERR_LEN, "capath= %s: %s", o->capath,
		    strerror(errno));
		return -1;
	}
	if (o->capath != NULL && !S_ISDIR(st.st_mode)) {
		snprintf(err, DUCT_ERR_LEN, "capath= %s: not a directory",
		    o->capath);
		return -1;
	}
	if (SSL_CTX_load_verify_locations(ctx, o->cafile, o->capath) != 1)
		return tls_fail(err, o->cafile ? "cafile=" : "capath=",
		    o->cafile ? o->cafile : o->capath);
	return 0;
}

/* SHA-256 of x in hex with colons, as openssl x509 -fingerprint shows. */
static void
tls_fingerprint(X509 *x, char *out, size_t outlen)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;
	size_t n = 0;

	out[0] = '\0';
	if (X509_digest(x, EVP_sha256(), md, &len) != 1)
		return;
	for (i = 0; i < len && n + 3 < outlen; i++)
		n += snprintf(
		    out + n, outlen - n, "%s%02X", i ? ":" : "", md[i]);
}

/*
 * A fresh EC P-256 key and a self-signed certificate for it, installed in
 * ctx; logs the certificate's SHA-256 fingerprint.
 */
static int
tls_throwaway(const struct address *a, SSL_CTX *ctx, char *err)
{
	EVP_PKEY_CTX *kctx = NULL;
	EVP_PKEY *pkey = NULL;
	X509 *x = NULL;
	X509_NAME *name;
	BIGNUM *serial = NULL;
	char fp[3 * EVP_MAX_MD_SIZE];
	int rc = -1;

	if ((kctx = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, NULL)) == NULL ||
	    EVP_PKEY_keygen_init(kctx) != 1 ||
	    EVP_PKEY_CTX_set_ec_paramgen_curve_nid(
		kctx, NID_X9_62_prime256v1) != 1 ||
	    EVP_PKEY_keygen(kctx, &pkey) != 1) {
		tls_fail(err, "throwaway key", NULL);
		goto out;
	}
	if ((x = X509_new()) == NULL || (serial = BN_new()) == NULL ||
	    X509_set_version(x, 2) != 1 ||
	    BN_rand(serial, 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
	    BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) == NULL ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x),
		(long)TLS_THROWAWAY_DAYS * 86400) == NULL ||
	    X509_set_pubkey(x, pkey) != 1 ||
	    (name = X509_get_subject_name(x)) == NULL ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
		(const unsigned char *)"duct throwaway certificate", -1, -1,
		0) != 1 ||
	    X509_set_issuer_name(x, name) != 1 ||
	    X509_sign(x, pkey, EVP_sha256()) == 0 ||
	    SSL_CTX_use_certificate(ctx, x) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, pkey) != 1) {
		tls_fail(err, "throwaway certificate", NULL);
		goto out;
	}
	tls_fingerprint(x, fp, sizeof(fp));
	log_warn("%s: no cert= given: serving a throwaway self-signed "
		 "certificate that clients cannot verify",
	    a->label);
	log_notice(
	    "%s: throwaway certificate SHA-256 fingerprint %s", a->label, fp);
	rc = 0;
out:
	BN_free(serial);
	X509_free(x);
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(kctx);
	return rc;
}

/* Whether a listener asks for and checks client certificates. */
static bool
tls_server_verifies(const struct optvals *o)
{
	if (o->given[OPT_VERIFY])
		return o->verify;
	return o->cafile != NULL || o->capath != NULL;
}

/* The SSL_CTX for a, built from its TLS options. */
static SSL_CTX *
tls_ctx_new(const struct address *a, bool server, char *err)
{
	const struct optvals *o = &a->opts;
	unsigned char alpn[512];
	SSL_CTX *ctx;
	int len;

	ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	if (ctx == NULL) {
		tls_fail(err, "SSL_CTX_new", NULL);
		return NULL;
	}
	SSL_CTX_set_options(
	    ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_mode(ctx,
	    SSL_MODE_ENABLE_PARTIAL_WRITE |
		SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (SSL_CTX_set_min_proto_version(ctx, o->min_version) != 1) {
		tls_fail(err, "min-version", NULL);
		goto fail;
	}
	if (o->cipher != NULL && tls_set_ciphers(ctx, o->cipher, err) == -1)
		goto fail;
	if (o->cert != NULL) {
		const char *key = o->key ? o->key : o->cert;

		if (SSL_CTX_use_certificate_chain_file(ctx, o->cert) != 1) {
			tls_fail(err, "cert=", o->cert);
			goto fail;
		}
		if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) !=
		    1) {
			if (o->key != NULL)
				tls_fail(err, "key=", key);
			else
				tls_fail(err,
				    "no private key (give key=) in cert=", key);
			goto fail;
		}
		if (SSL_CTX_check_private_key(ctx) != 1) {
			tls_fail(err, "key does not match cert=", o->cert);
			goto fail;
		}
	} else if (server && tls_throwaway(a, ctx, err) == -1) {
		goto fail;
	}
	if (server ? tls_server_verifies(o) : o->verify) {
		if (tls_load_trust(ctx, o, err) == -1)
			goto fail;
		SSL_CTX_set_verify(ctx,
		    SSL_VERIFY_PEER |
			(server ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0),
		    tls_verify_cb);
	} else {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	}
	if (server) {
		static const unsigned char sid[] = "duct";

		SSL_CTX_set_session_id_context(ctx, sid, sizeof(sid) - 1);
		if (o->cafile != NULL && tls_server_verifies(o)) {
			STACK_OF(X509_NAME) *cas =
			    SSL_load_client_CA_file(o->cafile);

			if (cas != NULL)
				SSL_CTX_set_client_CA_list(ctx, cas);
			ERR_clear_error();
		}
	}
	if (o->alpn != NULL && server) {
		/* The address outlives every connection made from it. */
		SSL_CTX_set_alpn_select_cb(ctx, tls_alpn_select, o->alpn);
	} else if (o->alpn != NULL) {
		len = tls_alpn_wire(o->alpn, alpn, sizeof(alpn));
		/* Returns 0 on success, unlike its neighbours. */
		if (len <= 0 || SSL_CTX_set_alpn_protos(ctx, alpn, len) != 0) {
			tls_fail(err, "alpn=", o->alpn);
			goto fail;
		}
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

/* A connection state for fd on ctx (takes a reference to ctx). */
static struct tls *
tls_new(SSL_CTX *ctx, int fd, bool server, char *err)
{
	struct tls *t = xcalloc(1, sizeof(*t));

	t->fd = fd;
	t->server = server;
	if ((t->ssl = SSL_new(ctx)) == NULL || SSL_set_fd(t->ssl, fd) != 1) {
		tls_fail(err, "SSL_new", NULL);
		SSL_free(t->ssl);
		free(t);
		return NULL;
	}
	SSL_CTX_up_ref(ctx);
	t->ctx = ctx;
	t->verifying = SSL_CTX_get_verify_mode(ctx) != SSL_VERIFY_NONE;
	SSL_set_app_data(t->ssl, t);
	if (server)
		SSL_set_accept_state(t->ssl);
	else
		SSL_set_connect_state(t->ssl);
	return t;
}

/* Frees t and closes its socket; errno is kept. */
static void
tls_free(struct tls *t)
{
	int saved = errno;

	if (t == NULL)
		return;
	SSL_free(t->ssl);
	SSL_CTX_free(t->ctx);
	if (t->fd != -1)
		close(t->fd);
	free(t);
	errno = saved;
}

/* The certificate name the peer must have: an IP literal or a host name. */
static int
tls_expect_name(struct tls *t, const char *name, char *err)
{
	X509_VERIFY_PARAM *vp = SSL_get0_param(t->ssl);

	snprintf(t->expect, sizeof(t->expect), "%s", name);
	if (tls_is_ip(name)) {
		if (X509_VERIFY_PARAM_set1_ip_asc(vp, name) != 1)
			return tls_fail(err, "certificate IP check", name);
		return 0;
	}
	SSL_set_hostflags(t->ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (SSL_set1_host(t->ssl, name) != 1)
		return tls_fail(err, "certificate name check", name);
	return 0;
}

/* Advice for a certificate that failed verification. */
static const char *
tls_verify_advice(const struct tls *t)
{
	switch (t->verr) {
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		return "connect by a name the certificate has, give "
		       "commonname=NAME, or verify=0 to skip verification";
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return "check the clocks or renew the certificate, or verify=0 "
		       "to skip verification";
	}
	return t->server ? "the client's certificate must come from a CA in "
			   "cafile= or capath="
			 : "give cafile= or capath=, or verify=0 to skip "
			   "verification";
}

/* Explains a failed verification recorded by tls_verify_cb. */
static void
tls_verify_error(const struct tls *t, char *err)
{
	const char *what = X509_verify_cert_error_string(t->verr);
	const char *who = t->server ? "client certificate" : "certificate";

	if (t->verr == X509_V_ERR_HOSTNAME_MISMATCH ||
	    t->verr == X509_V_ERR_IP_ADDRESS_MISMATCH)
		snprintf(err, DUCT_ERR_LEN,
		    "%s verify failed: the certificate is for %s (subject "
		    "%s), not for %s: %s",
		    who, *t->names ? t->names : "no names", t->subject,
		    t->expect, tls_verify_advice(t));
	else if (t->server)
		snprintf(err, DUCT_ERR_LEN,
		    "%s verify failed: %s for %s (subject %s, issuer %s): %s",
		    who, what, t->peer, t->subject, t->issuer,
		    tls_verify_advice(t));
	else
		snprintf(err, DUCT_ERR_LEN,
		    "%s verify failed: %s for %s (subject %s): %s", who, what,
		    t->expect, t->subject, tls_verify_advice(t));
}

/* A hint for an SSL library error, or NULL. */
static const char *
tls_hint(const struct tls *t, unsigned long e)
{
	if (ERR_GET_LIB(e) != ERR_LIB_SSL)
		return NULL;
	switch (ERR_GET_REASON(e)) {
	case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
		return "the client sent no certificate, and this listener "
		       "requires one (cafile=, capath= or verify=1)";
	case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
		return "the server wants a client certificate: give cert=";
	case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
	case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
	case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
		return t->server
		    ? "the client did not accept our certificate"
		    : "the server did not accept our certificate (or wants "
		      "one: give cert=)";
	case SSL_R_WRONG_VERSION_NUMBER:
	case SSL_R_HTTP_REQUEST:
	case SSL_R_PACKET_LENGTH_TOO_LONG:
		return "is the peer speaking TLS?";
	case SSL_R_UNSUPPORTED_PROTOCOL:
	case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
	case SSL_R_NO_PROTOCOLS_AVAILABLE:
		return "no TLS version both sides accept (duct never goes "
		       "below TLS 1.2; see min-version=)";
	case SSL_R_NO_SHARED_CIPHER:
		return "no cipher both sides accept (see cipher=)";
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
	case SSL_R_UNEXPECTED_EOF_WHILE_READING:
		return "the peer closed the connection";
#endif
	case SSL_R_NO_APPLICATION_PROTOCOL:
	case SSL_R_TLSV1_ALERT_NO_APPLICATION_PROTOCOL:
		return "no application protocol both sides accept (see alpn=)";
	}
	return NULL;
}

/* "REASON: HINT" for an SSL_ERROR_SSL, or errno's words. */
static void
tls_error_text(struct tls *t, int sslerr, char *out, size_t outlen)
{
	unsigned long e;
	const char *r, *hint;

	if (sslerr == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
		ERR_clear_error();
		snprintf(out, outlen, "%s",
		    errno != 0 ? strerror(errno)
			       : "the peer closed the connection");
		return;
	}
	r = tls_reason(&e);
	hint = tls_hint(t, e);
	snprintf(out, outlen, "%s%s%s", r, hint ? ": " : "", hint ? hint : "");
}

/* Logs what was agreed on once the handshake is done. */
static void
tls_log_established(const struct address *a, struct tls *t)
{
	const unsigned char *proto = NULL;
	const char *sni = SSL_get_servername(t->ssl, TLSEXT_NAMETYPE_host_name);
	unsigned int plen = 0;
	char peer[160], extra[300] = "";
	X509 *x = tls_peer_cert(t->ssl);
	size_t n = 0;

	if (x != NULL) {
		char subject[96];

		tls_name_text(
		    X509_get_subject_name(x), subject, sizeof(subject));
		snprintf(peer, sizeof(peer), "peer certificate %s %s", subject,
		    t->verifying ? "verified" : "not verified");
		tls_env_export(x);
		X509_free(x);
	} else {
		snprintf(peer, sizeof(peer), "no %s certificate",
		    t->server ? "client" : "server");
	}
	SSL_get0_alpn_selected(t->ssl, &proto, &plen);
	if (plen > 0)
		n += snprintf(extra + n, sizeof(extra) - n, ", ALPN %.*s",
		    (int)plen, proto);
	else if (a->opts.alpn != NULL)
		n += snprintf(
		    extra + n, sizeof(extra) - n, ", no ALPN protocol agreed");
	if (t->server && sni != NULL && n < sizeof(extra))
		snprintf(extra + n, sizeof(extra) - n, ", SNI %.200s", sni);
	tls_sanitize(extra);
	log_notice("%s: TLS established: %s, %s, %s%s", a->label,
	    SSL_get_version(t->ssl), SSL_get_cipher_name(t->ssl), peer, extra);
}

static double
tls_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Runs the handshake on the non-blocking socket, waiting in net_wait()
 * for what OpenSSL asks for, at most timeout seconds (0: no limit).
 */
static int
tls_handshake(struct tls *t, double timeout, char *err)
{
	double deadline = timeout > 0 ? tls_now() + timeout : 0, left = -1;
	char why[256];
	int rc, e, n;

	for (;;) {
		ERR_clear_error();
		errno = 0;
		rc = SSL_do_handshake(t->ssl);
		if (rc == 1)
			return 0;
		e = SSL_get_error(t->ssl, rc);
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
			break;
		if (deadline > 0 && (left = deadline - tls_now()) < 0)
			left = 0;
		n = net_wait(t->fd, e == SSL_ERROR_WANT_WRITE, left);
		if (n == 0) {
			snprintf(err, DUCT_ERR_LEN,
			    "TLS handshake with %s: timed out after %gs",
			    t->peer, timeout);
			errno = ETIMEDOUT;
			return -1;
		}
		if (n == -1) {
			snprintf(err, DUCT_ERR_LEN, "TLS handshake with %s: %s",
			    t->peer, strerror(errno));
			return -1;
		}
	}
	t->fatal = true;
	if (t->verr != 0) {
		ERR_clear_error();
		tls_verify_error(t, err);
	} else {
		tls_error_text(t, e, why, sizeof(why));
		snprintf(err, DUCT_ERR_LEN, "TLS handshake with %s failed: %s",
		    t->peer, why);
	}
	errno = EPROTO;
	return -1;
}

static void
tls_endpoint(struct endpoint *ep, struct tls *t)
{
	ep->ops = &tls_ops;
	ep->rfd = ep->wfd = t->fd;
	ep->flags = EP_READABLE | EP_WRITABLE;
	ep->rfl = ep->wfl = -1;
	ep->priv = t;
}

/* --- endpoint ops ------------------------------------------------------ */

/* A peer that closed TCP without close_notify: end of file, noted. */
static ssize_t
tls_eof_unclean(struct endpoint *ep, struct tls *t)
{
	ERR_clear_error();
	t->fatal = true;
	log_notice("%s: the peer closed the connection without a TLS "
		   "close_notify",
	    ep->label);
	return 0;
}

static ssize_t
tls_read(struct endpoint *ep, void *buf, size_t len)
{
	struct tls *t = ep->priv;
	int n, e;

	ERR_clear_error();
	errno = 0;
	n = SSL_read(t->ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
	if (n > 0)
		return n;
	switch ((e = SSL_get_error(t->ssl, n))) {
	case SSL_ERROR_WANT_READ:
		return IO_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return IO_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		return 0; /* the peer's close_notify */
	case SSL_ERROR_SYSCALL:
		if (ERR_peek_error() == 0 && errno == 0)
			return tls_eof_unclean(ep, t);
		break;
	case SSL_ERROR_SSL:
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
		if (ERR_GET_REASON(ERR_peek_error()) ==
		    SSL_R_UNEXPECTED_EOF_WHILE_READING)
			return tls_eof_unclean(ep, t);
#endif
		break;
	}
	t->fatal = true;
	tls_error_text(t, e, t->why, sizeof(t->why));
	return IO_ERR;
}

static ssize_t
tls_write(struct endpoint *ep, const void *buf, size_t len)
{
	struct tls *t = ep->priv;
	int n, e;

	ERR_clear_error();
	errno = 0;
	n = SSL_write(t->ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
	if (n > 0)
		return n;
	switch ((e = SSL_get_error(t->ssl, n))) {
	case SSL_ERROR_WANT_READ:
		return IO_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return IO_WANT_WRITE;
	}
	t->fatal = true;
	tls_error_text(t, e, t->why, sizeof(t->why));
	return IO_ERR;
}

/* close_notify; the peer may go on sending. */
static int
tls_shutdown_write(struct endpoint *ep)
{
	struct tls *t = ep->priv;
	int rc;

	if (t->fatal) {
		/* No TLS left to speak: pass end of file on as TCP. */
		if (shutdown(t->fd, SHUT_WR) == -1 && errno != ENOTCONN)
			return -1;
		return 0;
	}
	ERR_clear_error();
	errno = 0;
	rc = SSL_shutdown(t->ssl);
	if (rc >= 0)
		return 0;
	switch (SSL_get_error(t->ssl, rc)) {
	case SSL_ERROR_WANT_WRITE:
		return IO_WANT_WRITE;
	case SSL_ERROR_WANT_READ:
		return IO_WANT_READ;
	}
	t->fatal = true;
	if (errno == 0)
		errno = EPROTO;
	ERR_clear_error();
	return -1;
}

static void
tls_close(struct endpoint *ep)
{
	struct tls *t = ep->priv;

	if (t == NULL)
		return;
	/* Tell a peer that is still there that we are done, if we can. */
	if (!t->fatal && SSL_is_init_finished(t->ssl) &&
	    !(SSL_get_shutdown(t->ssl) & SSL_SENT_SHUTDOWN)) {
		ERR_clear_error();
		(void)SSL_shutdown(t->ssl);
		ERR_clear_error();
	}
	tls_free(t);
	ep->priv = NULL;
	ep->rfd = ep->wfd = -1;
}

static size_t
tls_pending(struct endpoint *ep)
{
	struct tls *t = ep->priv;
	int n = SSL_pending(t->ssl);

	return n > 0 ? (size_t)n : 0;
}

static const char *
tls_error(struct endpoint *ep)
{
	struct tls *t = ep->priv;

	return t->why[0] != '\0' ? t->why : NULL;
}

static const struct ep_ops tls_ops = {
	.read = tls_read,
	.write = tls_write,
	.shutdown_write = tls_shutdown_write,
	.close = tls_close,
	.pending = tls_pending,
	.error = tls_error,
};

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
