/*
 * SPDX-License-Identifier: ISC
 * SOCKS4 (SOCKS), SOCKS4A and SOCKS5-CONNECT (SOCKS5): a TCP connection
 * through a SOCKS server.  Each handshake is an open step like the TLS
 * handshake: it runs on a socket net.c connected, within
 * connect-timeout=, and reads the server's replies to the byte, so that
 * the socket then carries tunnel bytes only and is a plain socket endpoint.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "address.h"
#include "fdep.h"
#include "log.h"
#include "net.h"
#include "options.h"
#include "xmalloc.h"

#define SOCKS_DEFAULT_PORT "1080"

enum socks_version { SOCKS_4, SOCKS_4A, SOCKS_5 };

/* The server and the target, wherever the address put them. */
struct socks_req {
	enum socks_version v;
	const char *server, *sport; /* the SOCKS server */
	const char *host, *port;    /* what it connects to */
};

static const char *const socks_names[] = { "SOCKS4", "SOCKS4A", "SOCKS5" };

/*
 * SOCKS5-CONNECT:SERVER:SPORT:HOST:PORT (socat 1.8) names the server's
 * port in the address; the other forms take it from socksport=.
 */
static void
socks_split(const struct address *a, enum socks_version v, struct socks_req *r)
{
	r->v = v;
	r->server = a->params[0];
	if (a->nparams == 4) {
		r->sport = a->params[1];
		r->host = a->params[2];
		r->port = a->params[3];
		return;
	}
	r->sport = a->opts.socksport ? a->opts.socksport : SOCKS_DEFAULT_PORT;
	r->host = a->params[1];
	r->port = a->params[2];
}

static int
socks_check(
    const struct address *a, enum socks_version v, int *param, char *err)
{
	const struct optvals *o = &a->opts;
	struct socks_req r;
	int hp = a->nparams == 4 ? 2 : 1;

	socks_split(a, v, &r);
	*param = 0;
	if (r.server[0] == '\0') {
		snprintf(err, DUCT_ERR_LEN, "SOCKS server missing");
		return -1;
	}
	*param = a->nparams == 4 ? 1 : -1;
	if (net_check_port(r.sport, err) == -1)
		return -1;
	*param = hp;
	if (r.host[0] == '\0' || strlen(r.host) > 255) {
		snprintf(err, DUCT_ERR_LEN, "%s host",
		    r.host[0] ? "too long a" : "missing");
		return -1;
	}
	*param = hp + 1;
	if (net_check_port(r.port, err) == -1)
		return -1;
	*param = -1;
	if (a->nparams == 4 && o->socksport != NULL) {
		snprintf(err, DUCT_ERR_LEN,
		    "the SOCKS port is given twice (SOCKSPORT and socksport=)");
		return -1;
	}
	if (v != SOCKS_5 && o->sockspass != NULL) {
		snprintf(err, DUCT_ERR_LEN,
		    "%s has no passwords (SOCKS5-CONNECT has)", socks_names[v]);
		return -1;
	}
	if (v == SOCKS_5 &&
	    ((o->socksuser && strlen(o->socksuser) > 255) ||
		(o->sockspass && strlen(o->sockspass) > 255))) {
		snprintf(err, DUCT_ERR_LEN,
		    "socksuser= and sockspass= hold at most 255 bytes");
		return -1;
	}
	if (v == SOCKS_5 && o->socksuser != NULL && *o->socksuser == '\0') {
		snprintf(err, DUCT_ERR_LEN, "socksuser= is empty");
		return -1;
	}
	return net_check_bind(o->bind, err);
}

static int
socks4_check(const struct address *a, int *param, char *err)
{
	return socks_check(a, SOCKS_4, param, err);
}

static int
socks4a_check(const struct address *a, int *param, char *err)
{
	return socks_check(a, SOCKS_4A, param, err);
}

static int
socks5_check(const struct address *a, int *param, char *err)
{
	return socks_check(a, SOCKS_5, param, err);
}

static void
socks_prepare(const struct address *a, struct open_ctx *ctx)
{
	struct socks_req r;

	socks_split(a, SOCKS_4, &r);
	ctx->known = net_resolve_literal(r.server, r.sport,
	    net_pick_family(AF_UNSPEC, &a->opts, ctx->family), SOCK_STREAM);
}

static void
socks_trying(const char *where, void *arg)
{
	const struct address *a = arg;

	log_info("%s: connecting to the SOCKS server at %s", a->label, where);
}

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

/*
 * SOCKS4 and SOCKS4A: one request, an 8-byte reply.  SOCKS4 carries an
 * IPv4 address, resolved here; SOCKS4A sends a name for the server to
 * resolve behind the marker address 0.0.0.1.
 */
static int
socks4_handshake(const struct address *a, int fd, const struct socks_req *r,
    double deadline, char *err)
{
	unsigned char req[8 + 256 + 256 + 2], rep[8];
	const char *user = a->opts.socksuser;
	struct addrinfo *res;
	struct in_addr in;
	size_t n = 8, ul, hl;
	int port = net_port_number(r->port);
	bool by_name = false;

	if (user == NULL && (user = getenv("LOGNAME")) == NULL &&
	    (user = getenv("USER")) == NULL)
		user = "";
	if ((ul = strlen(user)) > 255) {
		snprintf(err, DUCT_ERR_LEN, "socksuser= longer than 255 bytes");
		errno = EINVAL;
		return -1;
	}
	if (inet_pton(AF_INET, r->host, &in) != 1) {
		if (r->v == SOCKS_4A) {
			in.s_addr = htonl(1);
			by_name = true;
		} else if (net_resolve(r->host, NULL, AF_INET, SOCK_STREAM,
			       false, &res, err) == -1) {
			return -1; /* SOCKS4 has no room for IPv6 */
		} else {
			in = ((struct sockaddr_in *)(void *)res->ai_addr)
				 ->sin_addr;
			freeaddrinfo(res);
		}
	}
	req[0] = 4;
	req[1] = 1; /* CONNECT */
	req[2] = (unsigned char)(port >> 8);
	req[3] = (unsigned char)port;
	memcpy(req + 4, &in, 4);
	memcpy(req + n, user, ul + 1);
	n += ul + 1;
	if (by_name) {
		hl = strlen(r->host);
		memcpy(req + n, r->host, hl + 1);
		n += hl + 1;
	}
	if (net_send_all(fd, req, n, deadline, err) == -1 ||
	    net_recv_exact(fd, rep, sizeof(rep), deadline, err) == -1)
		return -1;
	/* The version byte is 0; some servers echo 4. */
	if (rep[0] != 0 && rep[0] != 4) {
		snprintf(err, DUCT_ERR_LEN,
		    "not a SOCKS4 server (reply version %d)", rep[0]);
		errno = EPROTO;
		return -1;
	}
	if (rep[1] != 90) {
		snprintf(err, DUCT_ERR_LEN, "the SOCKS server refused: %s (%d)",
		    socks4_reason(rep[1]), rep[1]);
		errno = ECONNREFUSED;
		return -1;
	}
	return 0;
}

/* RFC 1929: user name and password, after the server chose method 2. */
static int
socks5_login(const struct optvals *o, int fd, double deadline, char *err)
{
	unsigned char req[3 + 255 + 255], rep[2];
	const char *pass = o->sockspass ? o->sockspass : "";
	size_t ul = strlen(o->socksuser), pl = strlen(pass), n = 0;

	req[n++] = 1;
	req[n++] = (unsigned char)ul;
	memcpy(req + n, o->socksuser, ul);
	n += ul;
	req[n++] = (unsigned char)pl;
	memcpy(req + n, pass, pl);
	n += pl;
	if (net_send_all(fd, req, n, deadline, err) == -1 ||
	    net_recv_exact(fd, rep, sizeof(rep), deadline, err) == -1)
		return -1;
	if (rep[1] != 0) {
		snprintf(err, DUCT_ERR_LEN,
		    "the SOCKS server refused the login of \"%s\" (check "
		    "socksuser= and sockspass=)",
		    o->socksuser);
		errno = EACCES;
		return -1;
	}
	return 0;
}

/*
 * SOCKS5 (RFC 1928): offer no authentication, and user name and password
 * when socksuser= is given; then CONNECT with the host as an address or,
 * unresolved, as a name; then the reply, whose bound address is read to
 * its last byte and dropped.
 */
static int
socks5_handshake(const struct address *a, int fd, const struct socks_req *r,
    double deadline, char *err)
{
	const struct optvals *o = &a->opts;
	unsigned char buf[4 + 1 + 255 + 2];
	char *host = net_unbracket(r->host);
	size_t n = 0, hl = strlen(host);
	int port = net_port_number(r->port), rc = -1;

	buf[n++] = 5;
	buf[n++] = o->socksuser ? 2 : 1;
	buf[n++] = 0; /* no authentication */
	if (o->socksuser)
		buf[n++] = 2; /* user name and password */
	if (net_send_all(fd, buf, n, deadline, err) == -1 ||
	    net_recv_exact(fd, buf, 2, deadline, err) == -1)
		goto out;
	if (buf[0] != 5) {
		snprintf(err, DUCT_ERR_LEN,
		    "not a SOCKS5 server (reply version %d)", buf[0]);
		errno = EPROTO;
		goto out;
	}
	if (buf[1] == 2 && o->socksuser) {
		if (socks5_login(o, fd, deadline, err) == -1)
			goto out;
	} else if (buf[1] != 0) {
		snprintf(err, DUCT_ERR_LEN,
		    "the SOCKS server accepts no way of logging in that duct "
		    "offered%s",
		    o->socksuser ? ""
				 : " (socksuser= and sockspass= offer a "
				   "user name and password)");
		errno = EACCES;
		goto out;
	}
	n = 0;
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
	if (net_send_all(fd, buf, n, deadline, err) == -1 ||
	    net_recv_exact(fd, buf, 4, deadline, err) == -1)
		goto out;
	if (buf[0] != 5) {
		snprintf(err, DUCT_ERR_LEN,
		    "not a SOCKS5 server (reply version %d)", buf[0]);
		errno = EPROTO;
		goto out;
	}
	if (buf[1] != 0) {
		snprintf(err, DUCT_ERR_LEN, "the SOCKS server refused: %s (%d)",
		    socks5_reason(buf[1]), buf[1]);
		errno = ECONNREFUSED;
		goto out;
	}
	switch (buf[3]) {
	case 1:
		n = 4;
		break;
	case 4:
		n = 16;
		break;
	case 3:
		if (net_recv_exact(fd, buf, 1, deadline, err) == -1)
			goto out;
		n = buf[0];
		break;
	default:
		snprintf(err, DUCT_ERR_LEN,
		    "the SOCKS server's reply has address type %d", buf[3]);
		errno = EPROTO;
		goto out;
	}
	if (net_recv_exact(fd, buf, n + 2, deadline, err) == -1)
		goto out;
	rc = 0;
out:
	free(host);
	return rc;
}

static int
socks_open(const struct address *a, enum socks_version v,
    const struct open_ctx *ctx, struct endpoint *ep, char *err)
{
	struct socks_req r;
	struct net_tcp_req req = {
		.family = net_pick_family(AF_UNSPEC, &a->opts, ctx->family),
		.opts = &a->opts,
		.known = ctx->known,
		.trying = socks_trying,
		.arg = (void *)a,
	};
	char where[NET_ADDRSTRLEN], why[DUCT_ERR_LEN];
	double deadline;
	int fd, rc, saved;

	socks_split(a, v, &r);
	req.host = r.server;
	req.port = r.sport;
	if ((fd = net_tcp_connect(&req, where, sizeof(where), err)) == -1)
		return -1;
	log_notice("%s: connected to the SOCKS server at %s", a->label, where);
	deadline = net_deadline(a->opts.connect_timeout);
	rc = v == SOCKS_5 ? socks5_handshake(a, fd, &r, deadline, why)
			  : socks4_handshake(a, fd, &r, deadline, why);
	if (rc == -1) {
		saved = errno;
		if (saved == ETIMEDOUT)
			snprintf(err, DUCT_ERR_LEN,
			    "%s server %s: no answer within "
			    "connect-timeout=%gs",
			    socks_names[v], where, a->opts.connect_timeout);
		else
			snprintf(err, DUCT_ERR_LEN, "%s server %s: %.300s",
			    socks_names[v], where, why);
		close(fd);
		errno = saved; /* EINTR tells the caller a signal ended it */
		return -1;
	}
	log_notice("%s: tunnel to %s:%s through %s server %s", a->label, r.host,
	    r.port, socks_names[v], where);
	fdep_init_socket(ep, fd, AF_INET);
	return 0;
}

static int
socks4_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	return socks_open(a, SOCKS_4, ctx, ep, err);
}

static int
socks4a_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	return socks_open(a, SOCKS_4A, ctx, ep, err);
}

static int
socks5_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	return socks_open(a, SOCKS_5, ctx, ep, err);
}

#define SOCKS_GROUPS \
	(G_FD | G_SOCKET | G_IP | G_TCP | G_CONNECT | G_RETRY | G_SOCKS | \
	    G_CHILD)

const struct addr_kind kind_socks4 = {
	.names = { "SOCKS4", "SOCKS" },
	.syntax = "SOCKSHOST:HOST:PORT",
	.help = "connect to HOST:PORT through a SOCKS4 server (IPv4)",
	.groups = SOCKS_GROUPS,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 3,
	.max_params = 3,
	.check = socks4_check,
	.prepare = socks_prepare,
	.open = socks4_open,
};

const struct addr_kind kind_socks4a = {
	.names = { "SOCKS4A" },
	.syntax = "SOCKSHOST:HOST:PORT",
	.help = "the same through a SOCKS4A server, which resolves HOST",
	.groups = SOCKS_GROUPS,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 3,
	.max_params = 3,
	.check = socks4a_check,
	.prepare = socks_prepare,
	.open = socks4a_open,
};

const struct addr_kind kind_socks5_connect = {
	.names = { "SOCKS5-CONNECT", "SOCKS5" },
	.syntax = "SOCKSHOST[:SOCKSPORT]:HOST:PORT",
	.help = "connect to HOST:PORT through a SOCKS5 server",
	.groups = SOCKS_GROUPS,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 3,
	.max_params = 4,
	.check = socks5_check,
	.prepare = socks_prepare,
	.open = socks5_open,
};
