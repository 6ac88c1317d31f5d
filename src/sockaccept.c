/*
 * SPDX-License-Identifier: ISC
 * One accept path for the stream listeners whose peers are plain
 * sockets: TCP-LISTEN and ACCEPT-FD take a peer here, and their ready
 * step (and UNIX-LISTEN's) reads an accept-proxy header here, so that
 * the checks and the notices a log reader greps for are written once.
 */
#include <sys/socket.h>

#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include "address.h"
#include "facts.h"
#include "fdep.h"
#include "log.h"
#include "net.h"
#include "options.h"
#include "proxyproto.h"
#include "sockaccept.h"

int
sockaccept_peer(
    const struct address *a, struct listener *l, struct endpoint *ep, char *err)
{
	struct sockaddr_storage peer;
	socklen_t len;
	char who[NET_ADDRSTRLEN] = "", whybuf[64];
	const char *why;
	int fd;

	if ((fd = net_accept(l->fd, &peer, &len, err)) < 0)
		return fd == -2 ? 1 : -1;
	/* With accept-proxy, range= judges the client the header names. */
	why = proxy_peer_refusal(
	    a, (struct sockaddr *)&peer, whybuf, sizeof(whybuf));
	/* Formatting costs a fork child pages it would not touch otherwise. */
	if (why != NULL || log_get_level() >= LOG_LVL_NOTICE)
		net_format((struct sockaddr *)&peer, len, who, sizeof(who));
	if (why != NULL) {
		log_warn(
		    "%s: refused connection from %s: %s", a->label, who, why);
		net_refuse(fd);
		return 1;
	}
	if (opts_apply_sock(fd, &a->opts, err) == -1) {
		close(fd);
		return -1;
	}
	fdep_init_socket(ep, fd, peer.ss_family);
	if (a->opts.accept_proxy)
		return 0;
	log_notice("%s: connection from %s", a->label, who);
	facts_add_socket(&ep->facts, fd, (struct sockaddr *)&peer, len);
	return 0;
}

int
sockaccept_ready(const struct address *a, struct endpoint *ep, char *err)
{
	char who[NET_ADDRSTRLEN], via[NET_ADDRSTRLEN];

	if (!a->opts.accept_proxy)
		return 0;
	if (proxy_accept(a, ep, who, sizeof(who), via, sizeof(via), err) == -1)
		return -1;
	log_notice("%s: connection from %s (PROXY header from %s)", a->label,
	    who, via);
	return 0;
}
