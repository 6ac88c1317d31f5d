/*
 * SPDX-License-Identifier: ISC
 * Descriptor descriptions for -D.  Only fstat(2), getsockopt(2),
 * getsockname(2) and /proc/self/fd: looking must not change anything.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>

#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fdinfo.h"
#include "log.h"
#include "net.h"

/* The path behind fd as /proc shows it ("pipe:[123]" for a pipe). */
static void
fdinfo_path(int fd, char *out, size_t outlen)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, out, outlen - 1);
	if (n < 0)
		n = 0;
	out[n] = '\0';
}

static const char *
fdinfo_sock_kind(int family, int type)
{
	bool stream = type == SOCK_STREAM;

	switch (family) {
	case AF_INET:
	case AF_INET6:
		if (stream)
			return family == AF_INET ? "TCP/IPv4" : "TCP/IPv6";
		if (type == SOCK_DGRAM)
			return family == AF_INET ? "UDP/IPv4" : "UDP/IPv6";
		return family == AF_INET ? "IPv4" : "IPv6";
	case AF_UNIX:
		return stream ? "unix stream"
			      : (type == SOCK_DGRAM ? "unix datagram" : "unix");
	default:
		return "other";
	}
}

static int
fdinfo_socket(int fd, char *out, size_t outlen)
{
	struct sockaddr_storage ss;
	socklen_t len, ol;
	char local[128], peer[128];
	int family = -1, type = -1;

	ol = sizeof(family);
	getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &ol);
	ol = sizeof(type);
	getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &ol);
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		net_format((struct sockaddr *)&ss, len, local, sizeof(local));
	else
		snprintf(local, sizeof(local), "?");
	len = sizeof(ss);
	if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0)
		net_format((struct sockaddr *)&ss, len, peer, sizeof(peer));
	else
		snprintf(peer, sizeof(peer), "no peer");
	return snprintf(out, outlen, "%s socket %s <-> %s",
	    fdinfo_sock_kind(family, type), local, peer);
}

void
fdinfo_describe(int fd, char *out, size_t outlen)
{
	char path[PATH_MAX];
	struct stat st;
	int n, fl;

	if (fstat(fd, &st) == -1) {
		snprintf(out, outlen, "not open");
		return;
	}
	fdinfo_path(fd, path, sizeof(path));
	if (S_ISSOCK(st.st_mode))
		n = fdinfo_socket(fd, out, outlen);
	else if (S_ISFIFO(st.st_mode))
		n = snprintf(out, outlen, "%s %s",
		    strncmp(path, "pipe:", 5) == 0 ? "pipe" : "named pipe",
		    path);
	else if (S_ISREG(st.st_mode))
		n = snprintf(out, outlen, "regular file %s (%lld bytes)", path,
		    (long long)st.st_size);
	else if (S_ISCHR(st.st_mode))
		n = snprintf(out, outlen, "%s %s",
		    isatty(fd) ? "terminal" : "character device", path);
	else if (S_ISBLK(st.st_mode))
		n = snprintf(out, outlen, "block device %s", path);
	else if (S_ISDIR(st.st_mode))
		n = snprintf(out, outlen, "directory %s", path);
	else
		n = snprintf(out, outlen, "%s", path);
	if (n < 0 || (size_t)n >= outlen)
		return;
	fl = fcntl(fd, F_GETFL);
	if (fl == -1)
		return;
	snprintf(out + n, outlen - n, ", %s%s%s",
	    (fl & O_ACCMODE) == O_RDONLY       ? "O_RDONLY"
		: (fl & O_ACCMODE) == O_WRONLY ? "O_WRONLY"
					       : "O_RDWR",
	    fl & O_APPEND ? "|O_APPEND" : "",
	    fl & O_NONBLOCK ? "|O_NONBLOCK" : "");
}

void
fdinfo_log(const struct endpoint *e)
{
	char desc[PATH_MAX + 128];

	if (e->rfd != -1) {
		fdinfo_describe(e->rfd, desc, sizeof(desc));
		log_always("%s: fd %d (%s): %s", e->label, e->rfd,
		    e->rfd == e->wfd ? "read and write" : "read", desc);
	}
	if (e->wfd != -1 && e->wfd != e->rfd) {
		fdinfo_describe(e->wfd, desc, sizeof(desc));
		log_always("%s: fd %d (write): %s", e->label, e->wfd, desc);
	}
	/* accept-proxy: the socket's peer is the balancer, not the client. */
	if (e->origin_srclen > 0) {
		char src[NET_ADDRSTRLEN], dst[NET_ADDRSTRLEN];

		net_format((const struct sockaddr *)&e->origin_src,
		    e->origin_srclen, src, sizeof(src));
		net_format((const struct sockaddr *)&e->origin_dst,
		    e->origin_dstlen, dst, sizeof(dst));
		log_always(
		    "%s: client (PROXY header): %s -> %s", e->label, src, dst);
	}
}
