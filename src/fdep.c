/*
 * SPDX-License-Identifier: ISC
 * read(2)/write(2) endpoints.  Descriptors become non-blocking here; those
 * the process inherited get their original flags back on close, so a
 * terminal or a shell's pipe is not left non-blocking for the next program.
 */
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdep.h"
#include "log.h"
#include "net.h"
#include "sig.h"
#include "xmalloc.h"
#include "term.h"

const struct ep_ops fdep_ops = {
	.read = fdep_read,
	.write = fdep_write,
	.shutdown_write = fdep_shutdown_write,
	.close = fdep_close,
};

static int
fdep_prepare(int fd, bool inherited, int *saved, char *err)
{
	int fl;

	*saved = -1;
	if (fd == -1)
		return 0;
	if ((fl = fcntl(fd, F_GETFL)) == -1) {
		snprintf(err, DUCT_ERR_LEN, "descriptor %d: %s", fd,
		    strerror(errno));
		return -1;
	}
	if (inherited)
		*saved = fl;
	if (!(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1) {
		snprintf(err, DUCT_ERR_LEN, "descriptor %d: %s", fd,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * A pipe of a shell pipeline (one the process inherited) is made to hold
 * up to a megabyte, so that the other process and duct each move large
 * pieces per wake-up rather than 64 KiB.  Unprivileged processes may not
 * go past /proc/sys/fs/pipe-max-size (read only when the megabyte is
 * refused), and a user over the pipe-user-pages limits gets EPERM: the
 * pipe then keeps its size.  Pipes duct makes itself (EXEC, PIPE) keep
 * theirs: a fork listener makes them per connection, and their slots
 * count against the user's pipe-user-pages-soft, past which every new
 * pipe of that user gets two pages.
 */
#define FDEP_PIPE_SIZE (1024 * 1024)

static void
fdep_size_pipe(int fd)
{
#ifdef F_SETPIPE_SZ
	static int max = -1; /* pipe-max-size, once read; 0 unknown */
	FILE *f;

	if (fcntl(fd, F_SETPIPE_SZ, FDEP_PIPE_SIZE) != -1 || errno != EPERM)
		return;
	if (max == -1) {
		max = 0;
		if ((f = fopen("/proc/sys/fs/pipe-max-size", "re")) != NULL) {
			if (fscanf(f, "%d", &max) != 1)
				max = 0;
			fclose(f);
		}
	}
	if (max > 0 && max < FDEP_PIPE_SIZE)
		(void)fcntl(fd, F_SETPIPE_SZ, max);
#else
	(void)fd;
#endif
}

/* The EP_* bits of a reading (read) or a writing descriptor fd. */
struct fdep_bits {
	unsigned splice, pipe, stream, sock;
};

static const struct fdep_bits fdep_rbits = { EP_RSPLICE, EP_RPIPE, EP_RSTREAM,
	0 };
static const struct fdep_bits fdep_wbits = { EP_WSPLICE, EP_WPIPE, EP_WSTREAM,
	EP_WSOCKET };

/*
 * What fd is, for the zero-copy choice (transfer.c) and for ending the
 * writing (shutdown or close): asked once here rather than at every use.
 * An inherited pipe (grow) is also made larger here.
 */
static unsigned
fdep_probe(int fd, const struct fdep_bits *b, bool grow)
{
	struct stat st;
	socklen_t len = sizeof(int);
	int v, fl;

	if (fd == -1 || fstat(fd, &st) == -1)
		return 0;
	if (S_ISFIFO(st.st_mode)) {
		if (grow)
			fdep_size_pipe(fd);
		return b->splice | b->pipe;
	}
	if (S_ISREG(st.st_mode)) {
		/* splice(2) refuses a file open for appending. */
		fl = fcntl(fd, F_GETFL);
		return fl != -1 && !(fl & O_APPEND) ? b->stream : 0;
	}
	if (!S_ISSOCK(st.st_mode))
		return 0;
	fl = b->sock;
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len) == 0 &&
	    v == AF_UNIX)
		fl |= b->splice;
	len = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) == 0 &&
	    v == SOCK_STREAM)
		fl |= b->stream;
	return (unsigned)fl;
}

static void
fdep_fill(struct endpoint *ep, int rfd, int wfd)
{
	ep->ops = &fdep_ops;
	ep->rfd = rfd;
	ep->wfd = wfd;
	ep->flags = EP_RAWFD;
	ep->rfl = ep->wfl = -1;
	if (rfd != -1)
		ep->flags |= EP_READABLE;
	if (wfd != -1)
		ep->flags |= EP_WRITABLE;
}

int
fdep_init(struct endpoint *ep, int rfd, int wfd, bool inherited, char *err)
{
	unsigned wbits;

	fdep_fill(ep, rfd, wfd);
	if (fdep_prepare(rfd, inherited, &ep->rfl, err) == -1)
		return -1;
	if (wfd != rfd && fdep_prepare(wfd, inherited, &ep->wfl, err) == -1)
		return -1;
	wbits = fdep_probe(wfd, &fdep_wbits, inherited);
	ep->flags |= wbits;
	if (rfd == wfd)
		ep->flags |= (wbits & EP_WSPLICE ? EP_RSPLICE : 0) |
		    (wbits & EP_WPIPE ? EP_RPIPE : 0) |
		    (wbits & EP_WSTREAM ? EP_RSTREAM : 0);
	else
		ep->flags |= fdep_probe(rfd, &fdep_rbits, inherited);
	return 0;
}

void
fdep_init_socket(struct endpoint *ep, int fd, int domain)
{
	fdep_fill(ep, fd, fd);
	ep->flags |= EP_WSOCKET | EP_RSTREAM | EP_WSTREAM;
	if (domain == AF_UNIX)
		ep->flags |= EP_RSPLICE | EP_WSPLICE;
}

void
fdep_init_socket_type(struct endpoint *ep, int fd, int domain, int type)
{
	fdep_init_socket(ep, fd, domain);
	if (type != SOCK_STREAM)
		fdep_keep_messages(ep);
}

void
fdep_keep_messages(struct endpoint *ep)
{
	ep->flags &= ~(EP_RSPLICE | EP_WSPLICE | EP_RSTREAM | EP_WSTREAM);
	ep->flags |= EP_DGRAM;
	ep->maxmsg = net_dgram_max(ep->wfd != -1 ? ep->wfd : ep->rfd);
}

ssize_t
fdep_read(struct endpoint *ep, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(ep->rfd, buf, len);
	while (n == -1 && errno == EINTR);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return IO_WANT_READ;
	return n;
}

ssize_t
fdep_write(struct endpoint *ep, const void *buf, size_t len)
{
	ssize_t n;

	do
		n = write(ep->wfd, buf, len);
	while (n == -1 && errno == EINTR);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return IO_WANT_WRITE;
	return n;
}

static void
fdep_release(int fd, int saved)
{
	if (fd == -1)
		return;
	if (saved != -1)
		(void)fcntl(fd, F_SETFL, saved);
	close(fd);
}

int
fdep_shutdown_write(struct endpoint *ep)
{
	if (ep->wfd == -1)
		return 0;
	if (ep->flags & EP_WSOCKET) {
		if (shutdown(ep->wfd, SHUT_WR) == -1 && errno != ENOTCONN)
			return -1;
		return 0;
	}
	/* A descriptor that is also read from must stay open. */
	if (ep->wfd == ep->rfd)
		return 0;
	fdep_release(ep->wfd, ep->wfl);
	ep->wfd = -1;
	return 0;
}

void
fdep_close(struct endpoint *ep)
{
	/* The settings go back before the terminal may be closed. */
	term_release(ep->term);
	ep->term = NULL;
	if (ep->wfd != -1 && ep->wfd != ep->rfd)
		fdep_release(ep->wfd, ep->wfl);
	fdep_release(ep->rfd, ep->rfl);
	ep->rfd = ep->wfd = -1;
}

bool
fdep_close_trivial(const struct endpoint *ep)
{
	return ep->ops == &fdep_ops && ep->term == NULL && ep->rfl == -1 &&
	    ep->wfl == -1 && ep->priv == NULL;
}

/* The lock that setlk, setlkw, flock-ex or flock-ex-nb asks for. */
int
fdep_lock(int fd, const char *path, int how, char *err)
{
	struct flock fl;
	int rc;

	memset(&fl, 0, sizeof(fl));
	/* fcntl() wants a lock that matches how the file is open. */
	fl.l_type =
	    (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY ? F_RDLCK : F_WRLCK;
	fl.l_whence = SEEK_SET;
	sig_unblock();
	switch (how) {
	case OPT_SETLK:
		rc = fcntl(fd, F_SETLK, &fl);
		break;
	case OPT_SETLKW:
		rc = fcntl(fd, F_SETLKW, &fl);
		break;
	case OPT_FLOCK_EX:
		rc = flock(fd, LOCK_EX);
		break;
	default:
		rc = flock(fd, LOCK_EX | LOCK_NB);
		break;
	}
	sig_block();
	if (rc == 0)
		return 0;
	snprintf(err, DUCT_ERR_LEN, "lock %s: %s", path,
	    errno == EAGAIN || errno == EWOULDBLOCK || errno == EACCES
		? "held by another process"
		: strerror(errno));
	return -1;
}

/* What the FILE options ask of a file once it is open. */
static int
fdep_file_setup(int fd, const char *path, const struct optvals *o, char *err)
{
	uid_t uid;
	gid_t gid;

	if (opts_owner(o, &uid, &gid, err) == -1)
		return -1;
	if ((o->user != NULL || o->group != NULL) &&
	    fchown(fd, uid, gid) == -1) {
		snprintf(
		    err, DUCT_ERR_LEN, "chown %s: %s", path, strerror(errno));
		return -1;
	}
	if (o->mode >= 0 && fchmod(fd, o->mode) == -1) {
		snprintf(
		    err, DUCT_ERR_LEN, "chmod %s: %s", path, strerror(errno));
		if (!opts_get_sloppy())
			return -1;
		log_warn("%s; going on without it (-s)", err);
	}
	if (o->given[OPT_FTRUNCATE] &&
	    ftruncate(fd, (off_t)o->ftruncate) == -1) {
		snprintf(err, DUCT_ERR_LEN, "ftruncate %s to %zu: %s", path,
		    o->ftruncate, strerror(errno));
		return -1;
	}
	if (o->given[OPT_SEEK] && lseek(fd, (off_t)o->seek, SEEK_SET) == -1) {
		snprintf(err, DUCT_ERR_LEN, "seek %s to %zu: %s", path, o->seek,
		    strerror(errno));
		if (!opts_get_sloppy())
			return -1;
		log_warn("%s; going on without it (-s)", err);
	}
	if (o->given[OPT_SEEK_END] &&
	    lseek(fd, -(off_t)o->seek_end, SEEK_END) == -1) {
		snprintf(err, DUCT_ERR_LEN, "seek %s to %zu before the end: %s",
		    path, o->seek_end, strerror(errno));
		return -1;
	}
	return 0;
}

static void
fdep_unlink_close(struct endpoint *ep)
{
	fdep_close(ep);
	if (ep->priv != NULL) {
		unlink(ep->priv);
		free(ep->priv);
		ep->priv = NULL;
	}
}

static const struct ep_ops fdep_unlink_ops = {
	.read = fdep_read,
	.write = fdep_write,
	.shutdown_write = fdep_shutdown_write,
	.close = fdep_unlink_close,
};

int
fdep_unlink_early(const char *path, const struct optvals *o, char *err)
{
	if (!o->unlink_early || unlink(path) == 0 || errno == ENOENT)
		return 0;
	snprintf(err, DUCT_ERR_LEN, "unlink %s: %s", path, strerror(errno));
	return -1;
}

void
fdep_unlink_late(struct endpoint *ep, const char *path, const struct optvals *o)
{
	/* Files are kept unless asked; unix listeners set their own. */
	if (!o->given[OPT_UNLINK_CLOSE] || !o->unlink_close)
		return;
	ep->ops = &fdep_unlink_ops;
	ep->priv = xstrdup(path);
}

int
fdep_open_path(const char *path, unsigned dirs, int extra,
    const struct optvals *o, char *err)
{
	mode_t old = 0;
	int fl, fd;

	if (o->accmode >= 0)
		fl = o->accmode;
	else if ((dirs & EP_READABLE) && (dirs & EP_WRITABLE))
		fl = O_RDWR;
	else if (dirs & EP_WRITABLE)
		fl = O_WRONLY;
	else
		fl = O_RDONLY;
	fl |= extra | o->oflags | O_NOCTTY | O_CLOEXEC;
	if (o->creat)
		fl |= O_CREAT;
	if (o->excl)
		fl |= O_EXCL;
	if (o->trunc)
		fl |= O_TRUNC;
	if (o->append)
		fl |= O_APPEND;
	if (o->nonblock)
		fl |= O_NONBLOCK;
	if (o->given[OPT_UMASK])
		old = umask((mode_t)o->umask);
	sig_unblock();
	fd = open(path, fl, o->mode >= 0 ? o->mode : 0666);
	sig_block();
	if (o->given[OPT_UMASK])
		umask(old);
	if (fd == -1) {
		snprintf(
		    err, DUCT_ERR_LEN, "open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fdep_file_setup(fd, path, o, err) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
fdep_dryrun_path(const char *path, unsigned dirs, bool create, char *err)
{
	struct stat st;
	char dir[4096];
	const char *slash, *shown;
	int want =
	    (dirs & EP_READABLE ? R_OK : 0) | (dirs & EP_WRITABLE ? W_OK : 0);
	int dlen;

	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode) && (dirs & EP_WRITABLE)) {
			snprintf(err, DUCT_ERR_LEN, "%s: %s", path,
			    strerror(EISDIR));
			return -1;
		}
		if (access(path, want) == -1) {
			snprintf(
			    err, DUCT_ERR_LEN, "%s: %s", path, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (errno != ENOENT || !create) {
		snprintf(err, DUCT_ERR_LEN, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* The file would be made: its directory has to be there for it. */
	slash = strrchr(path, '/');
	if (slash == NULL) {
		shown = ".";
		dlen = 1;
	} else {
		shown = path;
		dlen = slash == path ? 1 : (int)(slash - path);
	}
	if ((size_t)dlen >= sizeof(dir)) {
		snprintf(
		    err, DUCT_ERR_LEN, "%s: %s", path, strerror(ENAMETOOLONG));
		return -1;
	}
	memcpy(dir, shown, (size_t)dlen);
	dir[dlen] = '\0';
	if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		snprintf(err, DUCT_ERR_LEN,
		    "%s: directory %.*s does not exist, so the file cannot be "
		    "created",
		    path, dlen, shown);
		return -1;
	}
	if (access(dir, W_OK | X_OK) == -1) {
		snprintf(err, DUCT_ERR_LEN,
		    "%s: cannot create a file in %.*s: %s", path, dlen, shown,
		    strerror(errno));
		return -1;
	}
	return 0;
}
