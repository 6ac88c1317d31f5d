/*
 * SPDX-License-Identifier: ISC
 * The facts of a TLS peer's certificate that EXEC and SYSTEM programs
 * see in their environment, under socat's names and duct's.
 */
#ifndef DUCT_OPENSSL_ENV_H
#define DUCT_OPENSSL_ENV_H

#include <openssl/x509.h>

struct facts;

/*
 * Adds to *f DUCT_OPENSSL_X509_SUBJECT and _ISSUER (OpenSSL's one-line
 * form, "C = XY, CN = host"), and one DUCT_OPENSSL_X509_<FIELD> per
 * subject field by its long name in capitals (COMMONNAME,
 * ORGANIZATIONNAME...), each also as SOCAT_OPENSSL_X509_...; only when
 * an EXEC or SYSTEM address will read them (facts_enable).  Does
 * nothing for a NULL peer.  f is the TLS endpoint's &ep->facts.
 */
void tls_env_facts(struct facts **f, X509 *peer);

#endif
