/*
 * SPDX-License-Identifier: ISC
 * Endpoints over plain file descriptors: the ops shared by every kind whose
 * reads and writes are read(2) and write(2) (files, pipes, terminals,
 * stream and datagram sockets).  Kinds use these ops as they are, or wrap
 * them when they need more (for example to remove a socket file on close).
 */
#ifndef DUCT_FDEP_H
#define DUCT_FDEP_H

#include "endpoint.h"
#include "options.h"

extern const struct ep_ops fdep_ops;

/*
 * Fills ep with rfd/wfd (either may be -1) and fdep_ops; flags gets
 * EP_READABLE/EP_WRITABLE for the descriptors given, EP_RAWFD (a kind
 * that changes what read or write mean must clear it), and the
 * EP_RSPLICE/EP_WSPLICE/EP_WSOCKET and EP_[RW]PIPE/EP_[RW]STREAM bits
 * fstat(2) finds; an inherited pipe is made to hold up to 1 MiB
 * (F_SETPIPE_SZ, where the limits allow).  Makes both
 * non-blocking, remembering the original flags so that close restores them
 * on descriptors the process inherited (standard streams, FD:N).  The
 * endpoint owns the descriptors from here on.  Returns 0, or -1 with err.
 */
int fdep_init(struct endpoint *ep, int rfd, int wfd, bool inherited, char *err);

/*
 * The same for a connected stream socket of the given domain that duct
 * made itself with net_socket() or net_accept(), so already non-blocking
 * and of a known type: no system call.  Cannot fail.
 */
void fdep_init_socket(struct endpoint *ep, int fd, int domain);

/*
 * The same for a connected socket of any type: one that keeps message
 * boundaries (SOCK_SEQPACKET, SOCK_DGRAM) makes a datagram endpoint, one
 * read one message, and is never spliced.
 */
void fdep_init_socket_type(struct endpoint *ep, int fd, int domain, int type);

/*
 * Makes an fdep endpoint over a socket that keeps message boundaries
 * (SOCK_SEQPACKET) a datagram endpoint: one read, one message; no splice.
 */
void fdep_keep_messages(struct endpoint *ep);

ssize_t fdep_read(struct endpoint *, void *, size_t);
ssize_t fdep_write(struct endpoint *, const void *, size_t);
/* Sockets: shutdown(SHUT_WR).  Others: close wfd unless it is also rfd. */
int fdep_shutdown_write(struct endpoint *);
/* Closes both descriptors (once if equal) and frees fdep's state. */
void fdep_close(struct endpoint *);

/*
 * True when closing ep would do nothing but close(2) its descriptors (no
 * flags or terminal settings to put back, no file to remove): a process
 * about to exit may leave that to exit(2).
 */
bool fdep_close_trivial(const struct endpoint *ep);

/*
 * Opens path for the directions in dirs (EP_READABLE/EP_WRITABLE), adding
 * extra open(2) flags and those the FILE options in o ask for (creat, excl,
 * trunc, append, nonblock, noatime and kin; rdonly/wronly/rdwr replace
 * what dirs says); then takes the lock asked for, applies user=/group=,
 * mode= (fchmod), ftruncate=, and seek= or seek-end=.  A
 * blocking open (a FIFO without a peer) can be ended by SIGINT/SIGTERM.
 * Returns the descriptor, or -1 with err ("open PATH: why").
 */
/*
 * The lock setlk, setlkw, flock-ex or flock-ex-nb (how, an OPT_ id) asks
 * for on fd, which what names in err.  A read lock on a descriptor open
 * for reading only.  Returns 0, or -1 with err ("lock PATH: held by
 * another process").
 */
int fdep_lock(int fd, const char *what, int how, char *err);

/* unlink-early: removes path first.  Returns 0, or -1 with err. */
int fdep_unlink_early(const char *path, const struct optvals *o, char *err);

/*
 * unlink-close given on a file kind: ep (from fdep_init) removes path
 * when it is closed.
 */
void fdep_unlink_late(
    struct endpoint *ep, const char *path, const struct optvals *o);

int fdep_open_path(const char *path, unsigned dirs, int extra,
    const struct optvals *o, char *err);

/*
 * --check: whether path could be opened for dirs as fdep_open_path()
 * would, without opening or creating it.  An existing path must grant
 * dirs (access(2)); a missing one is an error unless create is set, and
 * then its directory must exist and let us create files.  Returns 0, or
 * -1 with err ("PATH: why").
 */
int fdep_dryrun_path(const char *path, unsigned dirs, bool create, char *err);

#endif
