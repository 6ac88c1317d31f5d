/*
 * SPDX-License-Identifier: ISC
 * Per-connection facts (facts.c): the NAME=VALUE pairs a program of EXEC
 * or SYSTEM finds in its environment (DUCT_PEERADDR, SOCAT_PEERPORT,
 * DUCT_OPENSSL_X509_COMMONNAME...).  They travel in the endpoint that
 * learned them (struct endpoint's facts), and EXEC builds its program's
 * envp from the other endpoint's facts; duct's own environment is never
 * changed, so two connections served by one process never see each
 * other's.
 */
#ifndef DUCT_FACTS_H
#define DUCT_FACTS_H

#include <sys/socket.h>

#include <stdbool.h>

struct facts;

/*
 * Turns the collecting below on.  Only programs of EXEC and SYSTEM read
 * facts, so without such an address nothing is collected: a forked child
 * then spends no allocation or system call on them.  Set once, before
 * any address is opened.
 */
void facts_enable(void);

/* True when facts are being collected. */
bool facts_enabled(void);

/*
 * Sets name to value in *f, replacing an earlier value of name; *f is
 * made when NULL.  Nothing when collecting is off.
 */
void facts_set(struct facts **f, const char *name, const char *value);

/* The same as DUCT_<suffix> and, for socat's scripts, SOCAT_<suffix>. */
void facts_set_both(struct facts **f, const char *suffix, const char *value);

/* The value of name in f (may be NULL), or NULL. */
const char *facts_get(const struct facts *f, const char *name);

/* The number of facts in f (may be NULL). */
size_t facts_count(const struct facts *f);

/*
 * An address as facts, what being "PEER" or "SOCK": for IP the host and
 * port (DUCT_PEERADDR=127.0.0.2, DUCT_PEERPORT=40000), for a unix socket
 * with a name its path or @name (DUCT_PEERADDR only); nothing for other
 * families or an unnamed unix socket.  Each also under SOCAT_.
 */
void facts_add_addr(struct facts **f, const char *what,
    const struct sockaddr *sa, socklen_t len);

/*
 * For an IP peer: PEER from peer, SOCK from the local address of the
 * connected fd.  Nothing for other families.
 */
void facts_add_socket(
    struct facts **f, int fd, const struct sockaddr *peer, socklen_t len);

/* Moves every fact of src into *dst (later values win) and frees src. */
void facts_merge(struct facts **dst, struct facts *src);

/* Frees f (may be NULL). */
void facts_free(struct facts *f);

/*
 * A program's envp: the entries of base (NULL-terminated, environ or a
 * copy) whose name f does not set, then f's "NAME=VALUE" strings.  The
 * array is new (free() it); its strings are borrowed from base and f,
 * which must outlive its use.
 */
char **facts_envp(const struct facts *f, char *const *base);

#endif
