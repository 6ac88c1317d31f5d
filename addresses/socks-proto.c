/*
 * SPDX-License-Identifier: ISC
 * The messages of SOCKS4, SOCKS4A (the 1992 protocol notes) and SOCKS5
 * (RFC 1928, RFC 1929's login): each request built and each reply read
 * into words, one round at a time.  No I/O here: socks.c moves the bytes
 * of each round and connects.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "options.h"
#include "socks-proto.h"

/* The reason in a SOCKS4 reply (RFC-less; the 1992 protocol note). */
static const char *
socks4_reason(int cd)
{
	switch (cd) {
	case 91:
		return "request rejected or failed";
	case 92:
		return "it could not reach the identd of this host";
	case 93:
		return "this host's identd and socksuser= name different "
		       "users";
	}
	return "unknown reply code";
}

/* The reason in a SOCKS5 reply (RFC 1928, section 6). */
static const char *
socks5_reason(int rep)
{
	switch (rep) {
	case 1:
		return "general SOCKS server failure";
	case 2:
		return "connection not allowed by its rules";
	case 3:
		return "network unreachable";
	case 4:
		return "host unreachable";
	case 5:
		return "connection refused by destination host";
	case 6:
		return "TTL expired";
	case 7:
		return "command not supported";
	case 8:
		return "address type not supported";
	}
	return "unknown reply code";
}

/* The next round: o->out[0..olen) to send, then ilen bytes to read. */
static void
socks_round(struct socks_msg *o, size_t ilen, enum socks_stage stage)
{
	o->sending = o->olen > 0;
	o->sent = 0;
	o->ilen = ilen;
	o->got = 0;
	o->stage = stage;
}

/*
 * The SOCKS4 or SOCKS4A request for the IPv4 address in (SOCKS4A sends
 * a name for the server to resolve behind the marker address 0.0.0.1).
 * Returns 0, or -1 with err.
 */
int
socks4_request(const struct optvals *opts, const struct socks_req *r,
    struct socks_msg *o, const struct in_addr *in, bool by_name, char *err)
{
	const char *user = opts->socksuser;
	int port = net_port_number(r->port);
	unsigned char *req = o->out;
	size_t n = 8, ul, hl;

	if (user == NULL && (user = getenv("LOGNAME")) == NULL &&
	    (user = getenv("USER")) == NULL)
		user = "";
	if ((ul = strlen(user)) > 255) {
		snprintf(err, DUCT_ERR_LEN, "socksuser= longer than 255 bytes");
		errno = EINVAL;
		return -1;
	}
	req[0] = 4;
	req[1] = 1; /* CONNECT */
	req[2] = (unsigned char)(port >> 8);
	req[3] = (unsigned char)port;
	memcpy(req + 4, in, 4);
	memcpy(req + n, user, ul + 1);
	n += ul + 1;
	if (by_name) {
		hl = strlen(r->host);
		memcpy(req + n, r->host, hl + 1);
		n += hl + 1;
	}
	o->olen = n;
	socks_round(o, 8, SOCKS4_REPLY);
	return 0;
}

/* SOCKS5 (RFC 1928): offer no authentication, and RFC 1929 with socksuser=. */
void
socks5_greet(const struct optvals *opts, struct socks_msg *o)
{
	size_t n = 0;

	o->out[n++] = 5;
	o->out[n++] = opts->socksuser ? 2 : 1;
	o->out[n++] = 0; /* no authentication */
	if (opts->socksuser)
		o->out[n++] = 2; /* user name and password */
	o->olen = n;
	socks_round(o, 2, SOCKS5_METHOD);
}

/* RFC 1929: user name and password, after the server chose method 2. */
static void
socks5_login(const struct optvals *opts, struct socks_msg *o)
{
	const char *pass = opts->sockspass ? opts->sockspass : "";
	size_t ul = strlen(opts->socksuser), pl = strlen(pass), n = 0;

	o->out[n++] = 1;
	o->out[n++] = (unsigned char)ul;
	memcpy(o->out + n, opts->socksuser, ul);
	n += ul;
	o->out[n++] = (unsigned char)pl;
	memcpy(o->out + n, pass, pl);
	n += pl;
	o->olen = n;
	socks_round(o, 2, SOCKS5_LOGIN);
}

/*
 * CONNECT with the host as an address or, unresolved, as a name; the
 * reply's bound address is read to its last byte and dropped.
 */
static void
socks5_connect(const struct socks_req *r, struct socks_msg *o)
{
	char *host = net_unbracket(r->host);
	size_t n = 0, hl = strlen(host);
	int port = net_port_number(r->port);
	unsigned char *buf = o->out;

	buf[n++] = 5;
	buf[n++] = 1; /* CONNECT */
	buf[n++] = 0;
	if (inet_pton(AF_INET, host, buf + n + 1) == 1) {
		buf[n++] = 1;
		n += 4;
	} else if (inet_pton(AF_INET6, host, buf + n + 1) == 1) {
		buf[n++] = 4;
		n += 16;
	} else {
		buf[n++] = 3; /* a name the server resolves */
		buf[n++] = (unsigned char)hl;
		memcpy(buf + n, host, hl);
		n += hl;
	}
	buf[n++] = (unsigned char)(port >> 8);
	buf[n++] = (unsigned char)port;
	free(host);
	o->olen = n;
	socks_round(o, 4, SOCKS5_REPLY);
}

/* A reply that says this is not a SOCKS server of the version asked. */
static int
socks_not(int version, int got, char *err)
{
	snprintf(err, DUCT_ERR_LEN, "not a SOCKS%d server (reply version %d)",
	    version, got);
	errno = EPROTO;
	return -1;
}

static int
socks4_reply(const unsigned char *rep, char *err)
{
	/* The version byte is 0; some servers echo 4. */
	if (rep[0] != 0 && rep[0] != 4)
		return socks_not(4, rep[0], err);
	if (rep[1] != 90) {
		snprintf(err, DUCT_ERR_LEN, "the SOCKS server refused: %s (%d)",
		    socks4_reason(rep[1]), rep[1]);
		errno = ECONNREFUSED;
		return -1;
	}
	return 0;
}

static int
socks5_method(const struct optvals *opts, const struct socks_req *r,
    struct socks_msg *o, char *err)
{
	if (o->in[0] != 5)
		return socks_not(5, o->in[0], err);
	if (o->in[1] == 2 && opts->socksuser) {
		socks5_login(opts, o);
		return 1;
	}
	if (o->in[1] != 0) {
		snprintf(err, DUCT_ERR_LEN,
		    "the SOCKS server accepts no way of logging in that duct "
		    "offered%s",
		    opts->socksuser ? ""
				    : " (socksuser= and sockspass= offer a "
				      "user name and password)");
		errno = EACCES;
		return -1;
	}
	socks5_connect(r, o);
	return 1;
}

static int
socks5_reply(struct socks_msg *o, char *err)
{
	const unsigned char *buf = o->in;

	if (buf[0] != 5)
		return socks_not(5, buf[0], err);
	if (buf[1] != 0) {
		snprintf(err, DUCT_ERR_LEN, "the SOCKS server refused: %s (%d)",
		    socks5_reason(buf[1]), buf[1]);
		errno = ECONNREFUSED;
		return -1;
	}
	o->olen = 0;
	switch (buf[3]) {
	case 1:
		socks_round(o, 4 + 2, SOCKS5_BOUND);
		return 1;
	case 4:
		socks_round(o, 16 + 2, SOCKS5_BOUND);
		return 1;
	case 3:
		socks_round(o, 1, SOCKS5_NAMELEN);
		return 1;
	}
	snprintf(err, DUCT_ERR_LEN,
	    "the SOCKS server's reply has address type %d", buf[3]);
	errno = EPROTO;
	return -1;
}

/*
 * A whole reply is in: 0 when the tunnel is open, 1 when the next round
 * is queued, or -1 with err.
 */
int
socks_reply(const struct optvals *opts, const struct socks_req *r,
    struct socks_msg *o, char *err)
{

	switch (o->stage) {
	case SOCKS4_REPLY:
		return socks4_reply(o->in, err);
	case SOCKS5_METHOD:
		return socks5_method(opts, r, o, err);
	case SOCKS5_LOGIN:
		if (o->in[1] != 0) {
			snprintf(err, DUCT_ERR_LEN,
			    "the SOCKS server refused the login of \"%s\" "
			    "(check socksuser= and sockspass=)",
			    opts->socksuser);
			errno = EACCES;
			return -1;
		}
		socks5_connect(r, o);
		return 1;
	case SOCKS5_REPLY:
		return socks5_reply(o, err);
	case SOCKS5_NAMELEN:
		o->olen = 0;
		socks_round(o, (size_t)o->in[0] + 2, SOCKS5_BOUND);
		return 1;
	case SOCKS5_BOUND:
		break;
	}
	return 0;
}
