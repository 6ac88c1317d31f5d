/*
 * SPDX-License-Identifier: ISC
 * The throwaway certificate of an OPENSSL-LISTEN without cert=: a fresh
 * EC key and a self-signed certificate made at start, whose fingerprint
 * is logged so that a client can pin it.  Nothing is written to disk.
 */
#include <stdio.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "address.h"
#include "log.h"
#include "net.h"
#include "openssl-tls.h"
#include "options.h"

/* Days a throwaway certificate is valid. */
#define TLS_THROWAWAY_DAYS 30

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
int
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
