/*
 * SPDX-License-Identifier: ISC
 * Socket chores shared by the socket kinds: port and host:port parsing,
 * name resolution, socket creation, connect with a timeout, listen,
 * accept, and printing addresses.  Helpers never log or exit: they return
 * -1 and write "what failed: why" into the caller's err[DUCT_ERR_LEN].
 */
#ifndef DUCT_NET_H
#define DUCT_NET_H

#include <sys/socket.h>
#include <sys/un.h>
#include <netdb.h>
#include <stdbool.h>
#include <stddef.h>

#include "clock.h"
#include "duct.h"
#include "facts.h"
#include "options.h"

/* Longest printed address: "[v6%scope]:65535" or a unix path. */
#define NET_ADDRSTRLEN (sizeof(((struct sockaddr_un *)0)->sun_path) + 8)

/*
 * Checks a port: 0-65535 or a service name from /etc/services.  Returns 0
 * or -1 with err.  No network I/O.
 */
int net_check_port(const char *port, char *err);

/*
 * The number of a port that net_check_port() accepted (a number or a TCP
 * service name), or -1.
 */
int net_port_number(const char *port);

/*
 * Splits "HOST:PORT", "[V6]:PORT", "HOST" or "[V6]" into newly allocated
 * host and port (port NULL when absent; host "" for ":PORT").  The caller
 * frees both.  Returns 0, or -1 with err.
 */
int net_split_hostport(const char *text, char **host, char **port, char *err);

/* Host text without the [brackets] of an IPv6 literal, newly allocated. */
char *net_unbracket(const char *host);

/*
 * getaddrinfo() with duct's conventions: family AF_UNSPEC/AF_INET/AF_INET6,
 * host NULL for the wildcard (passive).  Returns 0 and *res (free with
 * freeaddrinfo), or -1 with err ("resolve db: Name or service not known").
 */
int net_resolve(const char *host, const char *port, int family, int socktype,
    bool passive, struct addrinfo **res, char *err);

/*
 * host:port as socket addresses without asking a resolver: only when host
 * is a numeric address ([brackets] allowed) and port a number, both
 * fitting family.  Returns the list (free with freeaddrinfo), or NULL for
 * a name, a service name or a mismatch, which net_resolve() then handles
 * (and reports) as usual.
 */
struct addrinfo *net_resolve_literal(
    const char *host, const char *port, int family, int socktype);

/*
 * The addresses to try for host:port ([brackets] allowed): known when the
 * fork loop's parent resolved them already, else a fresh net_resolve()
 * whose list goes to *fresh as well (free it with freeaddrinfo when not
 * NULL).  Returns the list, or NULL with err.
 */
const struct addrinfo *net_addresses(const char *host, const char *port,
    int family, int socktype, const struct addrinfo *known,
    struct addrinfo **fresh, char *err);

/* A non-blocking, close-on-exec socket, or -1 with err. */
int net_socket(int family, int type, char *err);

/*
 * The same with a protocol number for socket(2); a raw socket refused for
 * want of privilege says that it needs root or CAP_NET_RAW.
 */
int net_socket_proto(int family, int type, int protocol, char *err);

/*
 * Connects fd (non-blocking) to sa, waiting at most timeout seconds
 * (0: no limit) and waking for SIGINT/SIGTERM.  Returns 0, or -1 with err
 * ("connect: Connection refused", "connect: timed out after 2s") and errno.
 */
int net_connect(int fd, const struct sockaddr *sa, socklen_t len,
    double timeout, char *err);

/* bind(2) with err ("bind 127.0.0.1:80: Address already in use"). */
int net_bind(int fd, const struct sockaddr *sa, socklen_t len, char *err);

/*
 * Waits until fd is readable (or writable), for timeout seconds (< 0: no
 * limit), waking on the caught signals.  Returns 1 ready, 0 timed out,
 * -1 with errno (EINTR when a signal arrived).
 */
int net_wait(int fd, bool writable, double timeout);

/*
 * Like net_wait(), but SIGCHLD and SIGUSR1 do not end the wait (their
 * flags stay set for whoever handles them); only a terminating signal
 * gives -1 with EINTR.  The timeout is a deadline across signals.
 */
int net_wait_quiet(int fd, bool writable, double timeout);

/*
 * Waits until the listening socket fd is readable or stop (-1: none) is:
 * a pipe whose writer closing means "accept no more".  quiet as for
 * net_wait_quiet().  Returns 1 for fd, 2 for stop, 0 timed out, -1 with
 * errno.
 */
int net_wait_listener(int fd, int stop, bool quiet, double timeout);

/*
 * The old names of clock_deadline() and clock_left(), kept for the
 * protocol steps of proxy.c and socks.c until they call clock.h.
 */
static inline double
net_deadline(double timeout)
{
	return clock_deadline(timeout);
}

static inline double
net_left(double deadline)
{
	return clock_left(deadline);
}

/*
 * Sleeps for seconds, waking only for a terminating signal (SIGINT,
 * SIGTERM, SIGHUP).  Returns 0, or -1 with errno EINTR.
 */
int net_sleep(double seconds);

/*
 * Writes all len bytes to the non-blocking socket fd, waiting for room
 * until deadline (0: none).  Returns 0, or -1 with err ("send: ...",
 * "timed out") and errno (EINTR: a terminating signal arrived).
 */
int net_send_all(
    int fd, const void *buf, size_t len, double deadline, char *err);

/*
 * Reads exactly len bytes from the non-blocking socket fd, never more,
 * waiting until deadline (0: none).  Returns 0; -1 with err and errno
 * (ECONNRESET with "closed" in err when the peer closed first, ETIMEDOUT,
 * EINTR).
 */
int net_recv_exact(int fd, void *buf, size_t len, double deadline, char *err);

/*
 * Accepts a peer on the listening socket lfd as a non-blocking,
 * close-on-exec socket.  Returns the fd, -2 when nothing was pending, or
 * -1 with err.
 */
int net_accept(
    int lfd, struct sockaddr_storage *peer, socklen_t *len, char *err);

/*
 * A socket address of family whose bytes after the family are given in
 * socat's data notation: xHEX bytes (x7f000001), "text" or 'c' with C
 * escapes (\0 for a NUL), and decimal numbers in host byte order after
 * i I l L s S b B (the first item without a letter is an int; later ones
 * take the last item's type).  Fills ss and *len (family included).  No
 * I/O.  Returns 0, or -1 with err naming the bad part.
 */
int net_parse_sockaddr(const char *text, int family,
    struct sockaddr_storage *ss, socklen_t *len, char *err);

/*
 * net_accept(), then the peer checks of o (range=, sourceport=, lowport):
 * a peer they refuse is closed, and -3 returned with err saying "refused
 * connection from PEER: why" for the caller to warn with.  Otherwise as
 * net_accept().
 */
/* Ends a refused peer's connection: shutdown(2) both ways, then close. */
void net_refuse(int fd);

int net_accept_peer(int lfd, const struct optvals *o,
    struct sockaddr_storage *peer, socklen_t *len, char *err);

struct listener;

/* listen_close of a kind whose listener holds its socket and nothing else. */
void net_listener_close(struct listener *l, bool in_child);

/* Builds a sockaddr_un for path.  Returns 0, or -1 with err (too long). */
int net_unix_addr(
    const char *path, struct sockaddr_un *sun, socklen_t *len, char *err);

/*
 * net_unix_addr(), or with abstract a name in Linux's abstract namespace
 * (a leading NUL, no file).  Returns 0, or -1 with err.
 */
int net_unix_name(const char *name, bool abstract, struct sockaddr_un *sun,
    socklen_t *len, char *err);
/*
 * Binds fd to the text of a bind= option, "HOST[:PORT]" or "[V6][:PORT]";
 * port is used when the text has none (NULL: any port).  Returns 0, or -1
 * with err.
 */
int net_bind_hostport(int fd, const char *text, int family, int socktype,
    const char *port, char *err);

/*
 * Binds a unix socket to an abstract address of the kernel's choosing, so
 * that a datagram peer has an address to answer to.  Returns 0 or -1 with
 * err.
 */
int net_unix_autobind(int fd, char *err);

/*
 * Binds an outgoing socket fd of family/socktype as o asks: bind= (a host,
 * maybe with a port), sourceport= (the port when bind= names none), or
 * lowport (a free port from 640 to 1023, which needs privilege).  Does
 * nothing when o asks for none of these.  Returns 0, or -1 with err.
 */
int net_bind_local(
    int fd, const struct optvals *o, int family, int socktype, char *err);

/* True when a and b are the same address: family, host and port, or path. */
bool net_addr_equal(const struct sockaddr *a, socklen_t alen,
    const struct sockaddr *b, socklen_t blen);

/*
 * The largest datagram the datagram socket fd can send in one piece: the
 * UDP limit of its family, or for a unix socket what its send buffer
 * allows.  0 when it cannot tell.
 */
size_t net_dgram_max(int fd);

/* "1.2.3.4:80", "[::1]:80", "/path/sock", "@abstract" or "(unnamed)". */
void net_format(
    const struct sockaddr *sa, socklen_t len, char *out, size_t outlen);

/* The address part alone ("1.2.3.4", "::1") and the port, for env vars. */
void net_format_host(
    const struct sockaddr *sa, char *host, size_t hlen, int *port);

/*
 * TCP chores shared by the kinds that ride on TCP (TCP, OPENSSL).
 */

/*
 * The family an IP address should use: forced (AF_INET/AF_INET6 from a
 * TCP4/TCP6-style name, else AF_UNSPEC), then pf= in o, then fallback
 * (-4/-6 on the command line, else AF_UNSPEC).
 */
int net_pick_family(int forced, const struct optvals *o, int fallback);

/*
 * Checks the syntax of a bind= value for IP sockets, "HOST[:PORT]" or
 * "[V6][:PORT]", and its port.  bind may be NULL.  Returns 0, or -1 with
 * err.  No network I/O.
 */
int net_check_bind(const char *bind, char *err);

/* What net_tcp_connect() needs to know. */
struct net_tcp_req {
	const char *host; /* name or literal, [brackets] allowed */
	const char *port;
	int family;                 /* AF_UNSPEC, AF_INET or AF_INET6 */
	const struct optvals *opts; /* bind=, connect-timeout=, sockopts */
	/* host:port resolved already (net_resolve_literal), or NULL. */
	const struct addrinfo *known;
	/* Called with each printed address before it is tried, or NULL. */
	void (*trying)(const char *where, void *arg);
	void *arg;
};

/*
 * Resolves req->host (unless req->known holds its addresses) and tries
 * each of its addresses in turn: a
 * non-blocking socket, the socket options of req->opts, bind= when given,
 * and a connect bounded by connect-timeout=.  Returns the connected
 * socket and prints its peer into where[wlen], or -1 with err from the
 * last attempt (errno EINTR when a signal ended the wait).
 */
int net_tcp_connect(
    const struct net_tcp_req *req, char *where, size_t wlen, char *err);

/*
 * A connect that never waits, for a loop serving many peers: the
 * addresses of net_tcp_connect() tried in turn, each a step.
 */
struct net_tcp_conn {
	struct addrinfo *fresh;    /* resolved here, or NULL */
	const struct addrinfo *ai; /* the address being tried */
	int fd;                    /* its socket, or -1 */
	char where[NET_ADDRSTRLEN];
};

/*
 * Starts connecting as net_tcp_connect() would.  Returns 0 when
 * connected at once, 1 when c->fd is to be waited for until writable
 * (then net_tcp_continue()), or -1 with err (nothing left to release).
 * A host name is resolved here, which waits for the resolver.
 */
int net_tcp_start(
    const struct net_tcp_req *req, struct net_tcp_conn *c, char *err);

/*
 * After c->fd turned writable, or its connect-timeout= passed
 * (timed_out): 0 connected, 1 waiting again (the next address), or -1
 * with err from the last address (nothing left to release).
 */
int net_tcp_continue(const struct net_tcp_req *req, struct net_tcp_conn *c,
    bool timed_out, char *err);

/* Releases c; the socket too unless keep_fd (connected: the caller's). */
void net_tcp_conn_end(struct net_tcp_conn *c, bool keep_fd);

/*
 * connect(2) on the non-blocking fd without waiting: 0 connected, 1 in
 * progress (wait until fd is writable, then net_connect_result()), or -1
 * with err and errno.
 */
int net_connect_start(
    int fd, const struct sockaddr *sa, socklen_t len, char *err);

/* The outcome of a connect in progress: 0, or -1 with err and errno. */
int net_connect_result(int fd, char *err);

/*
 * A listening TCP socket on port: on the host of bind= when given, else on
 * the IPv4 wildcard (the IPv6 one when family is AF_INET6).  SO_REUSEADDR
 * is on unless reuseaddr= says otherwise; the socket options and backlog=
 * of o apply.  Returns the socket and prints the bound address into
 * where[wlen], or -1 with err.
 */
int net_tcp_listen(const char *port, int family, const struct optvals *o,
    char *where, size_t wlen, char *err);

/*
 * The old way of telling an EXEC program an accepted IP peer, kept for
 * openssl.c until it calls facts_add_socket(&ep->facts, ...) itself: the
 * facts go to facts_stash(), which the opener moves into the endpoint
 * just accepted.  Nothing touches the environment.
 */
static inline void
net_export_peer(int fd, const struct sockaddr *peer)
{
	facts_add_socket(facts_stash(), fd, peer,
	    (socklen_t)sizeof(struct sockaddr_storage));
}

#endif
