/*
 * SPDX-License-Identifier: ISC
 * The endpoint interface: what every address kind implements and the only
 * thing the transfer engine knows about an address.  Also the description
 * of an address kind (struct addr_kind) that the registry lists.  No kind
 * header is included here; kinds never see each other.
 */
#ifndef DUCT_ENDPOINT_H
#define DUCT_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/socket.h>

#include "duct.h"

struct address;
struct facts;

/* I/O results besides byte counts; read returns 0 for end of file. */
#define IO_ERR (-1)        /* errno says why */
#define IO_WANT_READ (-2)  /* wait until rfd is readable */
#define IO_WANT_WRITE (-3) /* wait until wfd is writable */
/*
 * write only: the sink is gone for good and that is not a failure (a
 * program that exited without reading all of its input).  The direction
 * ends and what it still held is dropped; the endpoint has said so.
 */
#define IO_CLOSED (-4)

/* Endpoint flags. */
#define EP_READABLE 0x01u  /* data can be read from rfd */
#define EP_WRITABLE 0x02u  /* data can be written to wfd */
#define EP_DGRAM 0x04u     /* one read is one message */
#define EP_IGNOREEOF 0x08u /* EOF means "poll again later" */
#define EP_CRLF 0x10u      /* LF <-> CRLF */
#define EP_CR 0x20u        /* LF <-> CR */
#define EP_RAWFD 0x40u     /* plain read(2)/write(2) on rfd/wfd: may splice */
/* What the descriptors are, found once when the endpoint is made. */
#define EP_RSPLICE 0x80u    /* rfd is a pipe or a unix socket */
#define EP_WSPLICE 0x100u   /* wfd is a pipe or a unix socket */
#define EP_WSOCKET 0x200u   /* wfd is a socket: shutdown(2) ends writing */
#define EP_READLIMIT 0x400u /* readbytes=: readleft bytes, then EOF */
#define EP_COOLWRITE 0x800u /* a reader gone (EPIPE) ends quietly */
#define EP_ESCAPE 0x1000u   /* the byte escape read acts as end of file */
/*
 * Descriptor types for splicing without a pipe of duct's own: a pipe
 * splices straight into a stream (a stream socket or a regular file not
 * open for appending) or another pipe, and a stream straight into a pipe.
 */
#define EP_RPIPE 0x2000u    /* rfd is a pipe (FIFO) */
#define EP_WPIPE 0x4000u    /* wfd is a pipe (FIFO) */
#define EP_RSTREAM 0x8000u  /* rfd is a stream socket or a regular file */
#define EP_WSTREAM 0x10000u /* wfd is a stream socket or a regular file */
/*
 * The connection went to a fork child: this process's close releases its
 * copy and says nothing to the peer (no TLS close_notify).
 */
#define EP_HANDED 0x20000u

/* How end of file is passed on to an endpoint (socat's shut-* options). */
enum ep_shut {
	EP_SHUT_DEFAULT, /* ops->shutdown_write */
	EP_SHUT_NONE,    /* pass nothing on */
	EP_SHUT_DOWN,    /* shutdown(SHUT_WR) */
	EP_SHUT_CLOSE,   /* sockets: shutdown(SHUT_RDWR); others: default */
	EP_SHUT_NULL     /* write zero bytes: an empty datagram */
};

struct endpoint;

struct ep_ops {
	/* Returns bytes read, 0 at EOF, or an IO_* code. */
	ssize_t (*read)(struct endpoint *, void *, size_t);
	/* Returns bytes written (maybe fewer), or an IO_* code. */
	ssize_t (*write)(struct endpoint *, const void *, size_t);
	/*
	 * Passes end of file on; returns 0, -1 with errno, or IO_WANT_READ/
	 * IO_WANT_WRITE when it must be called again once wfd is ready (a
	 * TLS close_notify that did not fit into the socket).
	 */
	int (*shutdown_write)(struct endpoint *);
	/* Releases everything the endpoint holds, priv included. */
	void (*close)(struct endpoint *);
	/*
	 * Non-zero when a read would not wait for rfd: bytes buffered inside
	 * the endpoint that select() cannot see, or an end of file the
	 * endpoint already knows of.  May be NULL.
	 */
	size_t (*pending)(struct endpoint *);
	/*
	 * Optional: why the last read or write returned IO_ERR, when errno
	 * does not say it (a TLS alert).  NULL op or NULL result: errno.
	 */
	const char *(*error)(struct endpoint *);
};

struct endpoint {
	const struct ep_ops *ops;
	char label[128]; /* "address 2 (TCP:db:5432)" */
	int rfd, wfd;    /* may be equal; -1 if absent */
	unsigned flags;  /* EP_*; for writing, see ep_wflags() */
	/*
	 * An endpoint whose reading and writing sides are different things
	 * (a dual address, A!!B) keeps the EP_* bits of its writing side
	 * here and those of its reading side in flags.  0 in every other
	 * endpoint: flags then holds for both sides.
	 */
	unsigned wflags;
	int rfl, wfl;    /* inherited fds' fcntl flags to restore, or -1 */
	size_t maxmsg;   /* EP_DGRAM: largest datagram a write sends; 0 any */
	size_t readleft; /* EP_READLIMIT: bytes still to read */
	int shut;        /* enum ep_shut: how end of file is passed on */
	/*
	 * Set by close: the address failed at its end although the transfer
	 * went well (a program that exited with a failure status).
	 */
	bool failed;
	void *priv; /* the kind's state, owned by the endpoint */
	/*
	 * A listening address's client as a PROXY header named it
	 * (accept-proxy): its address and the one it connected to.
	 * origin_srclen 0: the socket's own peer is the client.  A
	 * connecting address with proxy-protocol= passes it on.
	 */
	struct sockaddr_storage origin_src, origin_dst;
	socklen_t origin_srclen, origin_dstlen;
	unsigned char escape; /* EP_ESCAPE: the byte */
	/*
	 * Terminal settings to put back and a lock file to remove when the
	 * endpoint closes (term.h), or NULL; owned.  fdep_close() releases
	 * it, so a kind that may hold one closes through fdep_close().
	 */
	struct term_hold *term;
	/*
	 * What a program of EXEC or SYSTEM on the other address sees of
	 * this connection (facts.h: DUCT_PEERADDR...), or NULL; owned,
	 * released by opener_close().
	 */
	struct facts *facts;
};

/* The EP_* bits that hold when writing to ep (wflags, else flags). */
static inline unsigned
ep_wflags(const struct endpoint *ep)
{
	return ep->wflags != 0 ? ep->wflags : ep->flags;
}

struct addrinfo;

/* What the opening code needs besides the address itself. */
struct open_ctx {
	unsigned dirs; /* EP_READABLE and/or EP_WRITABLE needed */
	int family;    /* AF_INET, AF_INET6 or AF_UNSPEC (-4/-6) */
	/*
	 * The address's HOST:PORT, resolved once by opener_prepare() when
	 * it is numeric (the fork loop's parent does so for its children);
	 * NULL otherwise.  Owned by whoever called opener_prepare().
	 */
	struct addrinfo *known;
	/*
	 * The other address's endpoint when it is open already (the first
	 * address's, for the second), or NULL.  EXEC,nofork hands its
	 * descriptors to the program that replaces duct.
	 */
	const struct endpoint *peer;
	/*
	 * Optional: what the kind's prepare built once for every open of the
	 * address in this process and its children (OPENSSL's client
	 * SSL_CTX), and how opener_unprepare() frees it.  An open that keeps
	 * it takes a reference of its own.  NULL: each open builds its own.
	 */
	void *shared;
	void (*shared_free)(void *);
};

/* A listening socket between listen() and accept(). */
struct listener {
	int fd;
	char label[128];
	bool ready; /* the kind holds a peer already: accept without waiting */
	void *priv; /* the kind's state, freed by listen_close */
	/*
	 * Set by the fork loop: any caught signal ends a wait for a peer,
	 * so children are reaped at once.  Otherwise only SIGTERM and its
	 * kin do, and SIGUSR1 or SIGCHLD leave the wait running.
	 */
	bool wake_on_signal;
	/*
	 * -1, or a descriptor that turns readable when no more peers may
	 * be accepted: the fork loop's child forked ahead waits on the read
	 * end of a pipe only its parent writes, so it stops accepting when
	 * the parent stops, however the parent ends.
	 */
	int stop_fd;
};

/*
 * A non-blocking open under way (workers=): what it waits for, and the
 * kind's state until it ends.
 */
struct open_wait {
	int fd;          /* wait until it is ready as want says */
	int want;        /* IO_WANT_READ or IO_WANT_WRITE */
	double deadline; /* monotonic seconds (clock_deadline()); 0 none */
	void *priv;      /* the kind's, released by open_step or open_abort */
};

struct addr_kind {
	const char *names[5]; /* canonical first, NULL-terminated */
	const char *syntax;   /* "HOST:PORT"; "" for none */
	const char *help;     /* one line for --help */
	unsigned groups;      /* option groups accepted (G_*) */
	unsigned dirs;        /* EP_READABLE|EP_WRITABLE possible */
	int min_params, max_params;
	bool rest;     /* the last param may hold ':' */
	bool families; /* TCP4/TCP6-style variants exist */
	/*
	 * Optional syntax check of params, no I/O.  Returns 0, or -1 with
	 * err filled and *param set to the index of the offending param.
	 */
	int (*check)(const struct address *, int *param, char *err);
	/* Opens a non-listening kind.  Returns 0, or -1 with err. */
	int (*open)(const struct address *, const struct open_ctx *,
	    struct endpoint *, char *err);
	/*
	 * Optional: run once in the parent of a fork loop for the address
	 * every child opens, so that no child repeats work whose result is
	 * known in advance.  The HOST:PORT kinds resolve a numeric address
	 * into ctx->known here; a name is still resolved for each peer.
	 */
	void (*prepare)(const struct address *, struct open_ctx *);
	/*
	 * Optional, for --check: checks what can be known without opening
	 * a socket or creating anything (a file to read exists and can be
	 * read, the directory of a file to create exists, a certificate
	 * loads and matches its key) and writes into plan, one line, how
	 * the address would be opened.  Returns 0, or -1 with err.  A kind
	 * without it gets a plan made from its name and parameters.
	 */
	int (*dryrun)(const struct address *, const struct open_ctx *,
	    char *plan, size_t planlen, char *err);
	/* Listening kinds: bind and listen.  Returns 0 or -1 with err. */
	int (*listen)(const struct address *, const struct open_ctx *,
	    struct listener *, char *err);
	/*
	 * Accepts one peer on a readable listener, or without waiting when
	 * the kind set l->ready (it keeps l->ready up to date).  Returns 0,
	 * 1 when the listener had nothing after all (try again later), or -1
	 * with err.
	 */
	int (*accept)(const struct address *, struct listener *,
	    struct endpoint *, char *err);
	/* Closes the listener; a forked child must not remove files. */
	void (*listen_close)(struct listener *, bool in_child);
	/*
	 * Optional, listening kinds: the work an accepted peer needs before
	 * data can flow (a TLS handshake).  Called in the process that will
	 * run the transfer: right after accept without fork, in the child
	 * with fork, so that a slow peer never holds up the parent.
	 * Returns 0, or -1 with err (errno EINTR when a signal ended it).
	 */
	int (*ready)(const struct address *, struct endpoint *, char *err);
	/*
	 * accept() keeps no state in the listener between peers, so any
	 * process holding the listener may accept: the fork loop then lets
	 * a child forked in advance accept, and fork leaves the peer's path.
	 */
	bool accept_anywhere;
	/*
	 * Optional: the build feature the kind depends on ("openssl"), for
	 * -V; version() names the library it was built with.  A kind whose
	 * feature was left out of the build says why in unavailable: it
	 * stays listed (--help marks it) and its check refuses it.
	 */
	const char *feature;
	const char *(*version)(void);
	const char *unavailable;
	/*
	 * unix.c: PATH (and bind=) name a socket in Linux's abstract
	 * namespace; no file is created, changed or removed.
	 */
	bool abstract;
	/*
	 * Optional: open as steps that never wait, so that one process can
	 * open for many peers at once (workers=).  open_start returns 0 when
	 * ep is open, 1 when w says what to wait for before open_step, or -1
	 * with err.  open_step (timed_out: w->deadline passed) returns the
	 * same.  On 0 and -1 nothing of w is left to release; open_abort
	 * releases an open still under way.
	 */
	int (*open_start)(const struct address *, const struct open_ctx *,
	    struct endpoint *, struct open_wait *, char *err);
	int (*open_step)(const struct address *, const struct open_ctx *,
	    struct endpoint *, struct open_wait *, bool timed_out, char *err);
	void (*open_abort)(struct open_wait *);
	/*
	 * Optional, listening kinds with a ready step that waits (a TLS
	 * handshake): the same work in steps that never wait (workers=),
	 * after the PROXY header (accept-proxy, read by the caller).  First
	 * called with w zeroed; returns 0 when ep is ready, 1 when w says
	 * what to wait for before the next call (timed_out: w->deadline
	 * passed), or -1 with err.  ep stays open either way: the caller
	 * closes it.  ready_abort, optional, releases w->priv of a ready
	 * under way.  steps_ready() runs it with waiting.
	 */
	int (*ready_step)(const struct address *, struct endpoint *,
	    struct open_wait *, bool timed_out, char *err);
	void (*ready_abort)(struct open_wait *);
};

#endif
