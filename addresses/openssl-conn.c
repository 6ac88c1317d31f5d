/*
 * SPDX-License-Identifier: ISC
 * One TLS connection of the OPENSSL kinds: its state (struct tls) over a
 * non-blocking TCP socket, the handshake, and SSL_read/SSL_write mapped
 * onto the endpoint ops.  Contexts come from openssl-ctx.c, words for
 * failures from openssl-diag.c.
 */
#include <sys/socket.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "address.h"
#include "log.h"
#include "net.h"
#include "openssl-tls.h"
#include "options.h"
#include "xmalloc.h"

static const struct ep_ops tls_ops;

/* A connection state for fd on ctx (takes a reference to ctx). */
struct tls *
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
void
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
int
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

/*
 * One step of the handshake on t's non-blocking socket, which never
 * waits; the caller waits as *want says.  timed_out: the caller's
 * deadline passed (timeout, in seconds, is for the message).
 */
int
tls_handshake_step(
    struct tls *t, bool timed_out, double timeout, int *want, char *err)
{
	char why[256];
	int rc, e;

	if (timed_out) {
		snprintf(err, DUCT_ERR_LEN,
		    "TLS handshake with %s: timed out after %gs", t->peer,
		    timeout);
		errno = ETIMEDOUT;
		return -1;
	}
	ERR_clear_error();
	errno = 0;
	rc = SSL_do_handshake(t->ssl);
	if (rc == 1)
		return 0;
	e = SSL_get_error(t->ssl, rc);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		*want =
		    e == SSL_ERROR_WANT_WRITE ? IO_WANT_WRITE : IO_WANT_READ;
		return 1;
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

void
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
	/*
	 * Tell a peer that is still there that we are done, if we can; not
	 * from a fork parent, whose child goes on with the connection.
	 */
	if (!(ep->flags & EP_HANDED) && !t->fatal &&
	    SSL_is_init_finished(t->ssl) &&
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
