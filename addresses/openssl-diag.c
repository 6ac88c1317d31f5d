/*
 * SPDX-License-Identifier: ISC
 * What the OPENSSL kinds say about TLS: OpenSSL's error queue, a failed
 * certificate verification and the established session, each turned into
 * one line a person can act on.  Certificate text is sanitised here, as
 * it comes from the peer.  No connection state is changed in this file.
 */
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "address.h"
#include "log.h"
#include "net.h"
#include "openssl-tls.h"
#include "options.h"
#include "openssl-env.h"

#if OPENSSL_VERSION_NUMBER >= 0x30000000L
#define tls_peer_cert SSL_get1_peer_certificate
#else
#define tls_peer_cert SSL_get_peer_certificate
#endif

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
int
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
int
tls_fail(char *err, const char *what, const char *arg)
{
	const char *r = tls_reason(NULL);

	if (arg != NULL)
		snprintf(err, DUCT_ERR_LEN, "%s %s: %s", what, arg, r);
	else
		snprintf(err, DUCT_ERR_LEN, "%s: %s", what, r);
	return -1;
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
void
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
void
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
void
tls_log_established(const struct address *a, const char *label, struct tls *t,
    struct facts **facts)
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
		tls_env_facts(facts, x);
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
	log_notice("%s: TLS established: %s, %s, %s%s", label,
	    SSL_get_version(t->ssl), SSL_get_cipher_name(t->ssl), peer, extra);
}
