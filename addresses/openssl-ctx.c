/*
 * SPDX-License-Identifier: ISC
 * The SSL_CTX of an OPENSSL address, built from its TLS options with the
 * safe defaults of the manual: protocol floor, ciphers, certificate and
 * key (or a throwaway one, openssl-cert.c), trust anchors and ALPN.  No
 * socket is touched here; --check builds the same context.
 */
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "address.h"
#include "log.h"
#include "net.h"
#include "openssl-tls.h"
#include "options.h"
#include "xmalloc.h"

_Static_assert(OPT_TLS_1_2 == TLS1_2_VERSION, "min-version values");
_Static_assert(OPT_TLS_1_3 == TLS1_3_VERSION, "min-version values");

bool
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
int
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

/* Whether a listener asks for and checks client certificates. */
bool
tls_server_verifies(const struct optvals *o)
{
	if (o->given[OPT_VERIFY])
		return o->verify;
	return o->cafile != NULL || o->capath != NULL;
}

/* The SSL_CTX for a, built from its TLS options. */
SSL_CTX *
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
	if (o->max_version != 0 &&
	    SSL_CTX_set_max_proto_version(ctx, o->max_version) != 1) {
		tls_fail(err, "max-version", NULL);
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
