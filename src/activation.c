/*
 * SPDX-License-Identifier: ISC
 * Socket activation (sd_listen_fds(3)'s protocol, without libsystemd):
 * LISTEN_PID names the process the sockets are for, LISTEN_FDS how many
 * there are from descriptor 3 on.  A listening address whose address
 * matches a passed socket serves on it rather than binding its own.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "activation.h"
#include "options.h"
#include "net.h"

/* The first passed descriptor, as sd_listen_fds(3) fixes it. */
#define ACTIVATION_FIRST 3
/* More than any unit passes; the rest are ignored. */
#define ACTIVATION_MAX 64

static int activation_count;
static bool activation_used[ACTIVATION_MAX];

void
activation_init(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	char *end;
	long p, n;
	int i;

	if (pid != NULL && fds != NULL) {
		p = strtol(pid, &end, 10);
		if (*end == '\0' && p == (long)getpid()) {
			n = strtol(fds, &end, 10);
			if (*end == '\0' && n > 0)
				activation_count = n > ACTIVATION_MAX
				    ? ACTIVATION_MAX
				    : (int)n;
		}
	}
	for (i = 0; i < activation_count; i++)
		fcntl(ACTIVATION_FIRST + i, F_SETFD, FD_CLOEXEC);
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
}

/* 0.0.0.0 or :: */
static bool
activation_wildcard(const struct sockaddr *sa)
{
	static const struct in6_addr any6 = IN6ADDR_ANY_INIT;

	if (sa->sa_family == AF_INET)
		return ((const struct sockaddr_in *)(const void *)sa)
			   ->sin_addr.s_addr == htonl(INADDR_ANY);
	if (sa->sa_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)(const void *)sa)
				   ->sin6_addr,
			   &any6, sizeof(any6)) == 0;
	return false;
}

static bool
activation_matches(const struct sockaddr *want, socklen_t len,
    const struct sockaddr *have, socklen_t hlen)
{
	if (net_addr_equal(want, len, have, hlen))
		return true;
	return activation_wildcard(want) && activation_wildcard(have) &&
	    opts_sockaddr_port(want) == opts_sockaddr_port(have);
}

int
activation_take(const struct sockaddr *want, socklen_t len, int type)
{
	struct sockaddr_storage ss;
	socklen_t slen, olen;
	int i, fd, t, listening, fl;

	/* Port 0 asks for a port of the kernel's choosing: never passed. */
	if (opts_sockaddr_port(want) == 0)
		return -1;
	for (i = 0; i < activation_count; i++) {
		fd = ACTIVATION_FIRST + i;
		if (activation_used[i])
			continue;
		olen = sizeof(t);
		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &t, &olen) == -1 ||
		    t != type)
			continue;
		olen = sizeof(listening);
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening,
			&olen) == -1 ||
		    !listening)
			continue;
		slen = sizeof(ss);
		if (getsockname(fd, (struct sockaddr *)&ss, &slen) == -1 ||
		    !activation_matches(
			want, len, (struct sockaddr *)&ss, slen))
			continue;
		if ((fl = fcntl(fd, F_GETFL)) == -1 ||
		    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
			continue;
		activation_used[i] = true;
		return fd;
	}
	return -1;
}
