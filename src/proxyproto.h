/*
 * SPDX-License-Identifier: ISC
 * HAProxy's PROXY protocol, versions 1 (a text line) and 2 (binary):
 * building the header a connecting address sends first (proxy-protocol=)
 * and reading the one a listening address expects first (accept-proxy).
 * Like net.c, nothing here logs: errors come back in err.
 */
#ifndef DUCT_PROXYPROTO_H
#define DUCT_PROXYPROTO_H

#include <sys/socket.h>
#include <stdbool.h>
#include <stddef.h>

#include "duct.h"

struct address;
struct endpoint;
struct open_ctx;

/* Longest header built or read: v2's 16 bytes and a bounded payload. */
#define PROXY_V1_MAX 107
#define PROXY_V2_PAYLOAD_MAX 512
#define PROXY_MAX (16 + PROXY_V2_PAYLOAD_MAX)

/*
 * The version proxy-protocol= names: 1 for "v1" or "1", 2 for "v2" or
 * "2", else -1.
 */
int proxy_version(const char *text);

/*
 * The header of version (1 or 2) for a connection from src to dst into
 * out[PROXY_MAX]; src NULL (or a family neither side can carry) gives
 * v1's "PROXY UNKNOWN" or v2's LOCAL command.  Returns its length.
 */
size_t proxy_build(int version, const struct sockaddr *src,
    const struct sockaddr *dst, unsigned char *out);

/*
 * proxy-protocol= of a connecting address: sends the header naming the
 * other address's peer (ctx->peer's origin, else its socket's peer and
 * local addresses) on fd, the connected socket, within connect-timeout=.
 * Does nothing without proxy-protocol=.  Returns 0, or -1 with err.
 */
int proxy_send(
    const struct address *a, const struct open_ctx *ctx, int fd, char *err);

/*
 * Reads one header from the non-blocking socket fd, byte by byte where it
 * must so that no byte after it is consumed, until deadline (0: none).
 * On success *src and *dst hold the addresses it carries; both lengths 0
 * for v1 UNKNOWN and v2 LOCAL, which mean "the connection's own".
 * Returns 0, or -1 with err ("bad PROXY header: ...", "timed out").
 */
int proxy_read(int fd, double deadline, struct sockaddr_storage *src,
    socklen_t *srclen, struct sockaddr_storage *dst, socklen_t *dstlen,
    char *err);

/* A header being read in steps that never wait (proxy_read_step). */
struct proxy_reader {
	unsigned char h[PROXY_MAX + 1];
	size_t n;    /* bytes read so far */
	size_t need; /* bytes to have before the next look */
	struct sockaddr_storage src, dst; /* once read: as proxy_read() */
	socklen_t srclen, dstlen;
};

/* Makes r ready for a new header. */
void proxy_reader_init(struct proxy_reader *r);

/*
 * Reads what is there of the header from the non-blocking socket fd,
 * never a byte past it, with proxy_read()'s checks.  Returns 0 when the
 * whole header is read (r->src and the rest filled), 1 when fd is to be
 * waited for until readable, or -1 with err.  The caller keeps the
 * deadline; proxy_read() is this with waiting.
 */
int proxy_read_step(struct proxy_reader *r, int fd, char *err);

/*
 * accept-proxy's deadline for a header whose reading starts now:
 * connect-timeout= of a, or 5 seconds when not given.
 */
double proxy_accept_deadline(const struct address *a);

/*
 * The rest of proxy_accept() once r holds the whole header from ep's
 * socket: the checks, ep's origin, who and via.  Returns 0, or -1 with err.
 */
int proxy_accept_done(const struct address *a, struct endpoint *ep,
    const struct proxy_reader *r, char *who, size_t wholen, char *via,
    size_t vialen, char *err);

/*
 * The ready step of accept-proxy on a listening address's endpoint ep
 * (a socket in ep->rfd): reads the header within connect-timeout= (5
 * seconds when not given), records the client it names as ep's origin,
 * and checks range=, sourceport= and lowport against it.  Fills who with
 * the client printed ("connection from" notices) and via with the real
 * peer.  Returns 0, or -1 with err.
 */
int proxy_accept(const struct address *a, struct endpoint *ep, char *who,
    size_t wholen, char *via, size_t vialen, char *err);

/*
 * accept-proxy's proxy-from= check on the real peer sa: true when it may
 * send a header (no proxy-from= given, or sa in one of its networks).
 */
bool proxy_from_allows(const struct address *a, const struct sockaddr *sa);

/*
 * What a listener checks on the peer sa it accepted: proxy-from= with
 * accept-proxy (range= then waits for the header's client), else range=,
 * sourceport= and lowport.  NULL when sa may come in, else why not (a
 * static string or one in buf of len bytes).
 */
const char *proxy_peer_refusal(
    const struct address *a, const struct sockaddr *sa, char *buf, size_t len);

/*
 * The check of a kind's options: accept-proxy and proxy-from= only on a
 * listening kind, proxy-protocol= only on a connecting one, with a
 * version it knows.  Returns 0, or -1 with err.
 */
int proxy_check(const struct address *a, bool listening, char *err);

#endif
