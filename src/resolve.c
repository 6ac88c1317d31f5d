/*
 * SPDX-License-Identifier: ISC
 * Blocking name resolution (resolve.h): getaddrinfo() with duct's
 * conventions and its errors as one line.
 */
#include <sys/socket.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netaddr.h"
#include "resolve.h"

int
net_resolve(const char *host, const char *port, int family, int socktype,
    bool passive, struct addrinfo **res, char *err)
{
	struct addrinfo hints;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = socktype;
	hints.ai_flags = passive ? AI_PASSIVE : 0;
	if (host != NULL && *host == '\0')
		host = NULL;
	rc = getaddrinfo(host, port, &hints, res);
	if (rc != 0) {
		snprintf(err, DUCT_ERR_LEN, "resolve %s: %s", host ? host : "*",
		    rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return -1;
	}
	return 0;
}

struct addrinfo *
net_resolve_literal(
    const char *host, const char *port, int family, int socktype)
{
	struct addrinfo hints, *res = NULL;
	char *h;

	if (host == NULL || *host == '\0' || port == NULL)
		return NULL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = socktype;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	h = net_unbracket(host);
	if (getaddrinfo(h, port, &hints, &res) != 0)
		res = NULL;
	free(h);
	return res;
}

const struct addrinfo *
net_addresses(const char *host, const char *port, int family, int socktype,
    const struct addrinfo *known, struct addrinfo **fresh, char *err)
{
	char *h;
	int rc;

	*fresh = NULL;
	if (known != NULL)
		return known;
	h = net_unbracket(host);
	rc = net_resolve(h, port, family, socktype, false, fresh, err);
	free(h);
	return rc == -1 ? NULL : *fresh;
}
