/*
 * SPDX-License-Identifier: ISC
 * A TLS peer's certificate as facts (facts.h) for the programs of EXEC
 * and SYSTEM, so that scripts written for socat's variables keep
 * working.  Values are the certificate's text: never a format string.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "facts.h"
#include "openssl-env.h"

/* Sets DUCT_OPENSSL_X509_<field> and SOCAT_OPENSSL_X509_<field>. */
static void
tls_env_set(struct facts **f, const char *field, const char *value)
{
	char name[96];

	snprintf(name, sizeof(name), "OPENSSL_X509_%s", field);
	facts_set_both(f, name, value);
}

/* A name in OpenSSL's one-line form, "C = XY, CN = host, O = org". */
static void
tls_env_name(struct facts **f, const char *field, X509_NAME *name)
{
	char text[1024];
	BIO *b;
	char *p;
	long n;

	if (name == NULL || (b = BIO_new(BIO_s_mem())) == NULL)
		return;
	if (X509_NAME_print_ex(
		b, name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		n = BIO_get_mem_data(b, &p);
		snprintf(text, sizeof(text), "%.*s", (int)n, p);
		tls_env_set(f, field, text);
	}
	BIO_free(b);
}

void
tls_env_facts(struct facts **f, X509 *peer)
{
	X509_NAME *subject;
	X509_NAME_ENTRY *e;
	unsigned char *utf8;
	char field[64];
	const char *ln;
	int i, nid;
	size_t k;

	if (peer == NULL || !facts_enabled())
		return;
	subject = X509_get_subject_name(peer);
	tls_env_name(f, "SUBJECT", subject);
	tls_env_name(f, "ISSUER", X509_get_issuer_name(peer));
	for (i = 0; i < X509_NAME_entry_count(subject); i++) {
		e = X509_NAME_get_entry(subject, i);
		nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
		if ((ln = OBJ_nid2ln(nid)) == NULL ||
		    ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e)) < 0)
			continue;
		for (k = 0; ln[k] != '\0' && k < sizeof(field) - 1; k++)
			field[k] = (char)toupper((unsigned char)ln[k]);
		field[k] = '\0';
		tls_env_set(f, field, (const char *)utf8);
		OPENSSL_free(utf8);
	}
}
