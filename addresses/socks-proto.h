/*
 * SPDX-License-Identifier: ISC
 * What socks.c (the SOCKS kinds and their open steps) and socks-proto.c
 * (the messages) share.  Not a header for other kinds.
 */
#ifndef DUCT_SOCKS_PROTO_H
#define DUCT_SOCKS_PROTO_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include "options.h"

enum socks_version { SOCKS_4, SOCKS_4A, SOCKS_5 };

/* The server and the target, wherever the address put them. */
struct socks_req {
	enum socks_version v;
	const char *server, *sport; /* the SOCKS server */
	const char *host, *port;    /* what it connects to */
};

/* What the reply being read answers. */
enum socks_stage {
	SOCKS4_REPLY,   /* 8 bytes */
	SOCKS5_METHOD,  /* 2 bytes: the way of logging in chosen */
	SOCKS5_LOGIN,   /* 2 bytes: RFC 1929's answer */
	SOCKS5_REPLY,   /* 4 bytes: version, reply, 0, address type */
	SOCKS5_NAMELEN, /* 1 byte: the length of a bound name */
	SOCKS5_BOUND    /* the bound address and port, dropped */
};

/* One round: a request to send (out), then a reply to read (in). */
struct socks_msg {
	bool sending; /* out[sent..olen) still to go */
	enum socks_stage stage;
	unsigned char out[3 + 255 + 255 + 8 + 256 + 2];
	size_t olen, sent;
	unsigned char in[4 + 1 + 255 + 2];
	size_t ilen, got;
};

/*
 * Queues the SOCKS4 request (SOCKS4A with by_name: the name r->host
 * behind the marker address 0.0.0.1) for the IPv4 address in, with
 * socksuser= (or LOGNAME, USER) of opts.  Returns 0, or -1 with err.
 */
int socks4_request(const struct optvals *opts, const struct socks_req *r,
    struct socks_msg *o, const struct in_addr *in, bool by_name, char *err);

/* Queues SOCKS5's greeting: no login, and RFC 1929's with socksuser=. */
void socks5_greet(const struct optvals *opts, struct socks_msg *o);

/*
 * Once the reply of the round in o is read whole: 0 when the tunnel is
 * open, 1 when the next round is queued in o, or -1 with err (the
 * server's refusal in words) and errno.
 */
int socks_reply(const struct optvals *opts, const struct socks_req *r,
    struct socks_msg *o, char *err);

#endif
