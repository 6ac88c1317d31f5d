/*
 * SPDX-License-Identifier: ISC
 * Socket helpers in the manner of a small anet: each does one chore,
 * returns -1 on failure and explains it in the caller's buffer.  Nothing
 * here logs or exits, and nothing knows about address kinds.  The text,
 * resolving, waiting, formatting and IP recipe jobs live in netaddr.c,
 * resolve.c, netwait.c, netfmt.c and netip.c.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "endpoint.h"
#include "net.h"

int
net_socket(int family, int type, char *err)
{
	return net_socket_proto(family, type, 0, err);
}

int
net_socket_proto(int family, int type, int protocol, char *err)
{
	int fd;

	fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
	if (fd == -1 && type == SOCK_RAW && (errno == EPERM || errno == EACCES))
		snprintf(err, DUCT_ERR_LEN,
		    "socket: %s (raw sockets need root or CAP_NET_RAW)",
		    strerror(errno));
	else if (fd == -1)
		snprintf(err, DUCT_ERR_LEN, "socket: %s", strerror(errno));
	return fd;
}

int
net_bind(int fd, const struct sockaddr *sa, socklen_t len, char *err)
{
	char buf[NET_ADDRSTRLEN];

	if (bind(fd, sa, len) == 0)
		return 0;
	net_format(sa, len, buf, sizeof(buf));
	snprintf(err, DUCT_ERR_LEN, "bind %s: %s", buf, strerror(errno));
	return -1;
}

void
net_listener_close(struct listener *l, bool in_child)
{
	(void)in_child;
	if (l->fd != -1)
		close(l->fd);
	l->fd = -1;
}

int
net_unix_autobind(int fd, char *err)
{
	struct sockaddr_un sun;

	/* Only the family: Linux picks a unique abstract name. */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sa_family_t)) == 0)
		return 0;
	snprintf(err, DUCT_ERR_LEN, "bind (automatic): %s", strerror(errno));
	return -1;
}

size_t
net_dgram_max(int fd)
{
	socklen_t len = sizeof(int);
	int domain, sndbuf;

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) == -1)
		return 0;
	switch (domain) {
	case AF_INET:
		return IP_MAXPACKET - sizeof(struct ip) - sizeof(struct udphdr);
	case AF_INET6:
		return IP_MAXPACKET - sizeof(struct udphdr);
	case AF_UNIX:
		/* Linux refuses a datagram above the send buffer less 32. */
		len = sizeof(sndbuf);
		if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len) ==
			-1 ||
		    sndbuf <= 32)
			return 0;
		return (size_t)sndbuf - 32;
	}
	return 0;
}
