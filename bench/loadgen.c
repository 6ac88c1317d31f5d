/*
 * SPDX-License-Identifier: ISC
 * loadgen: the benchmark's load generator.  One program with subcommands
 * that send, sink, echo, ping-pong, open and hold connections over
 * loopback TCP or unix sockets, and a minimal reference relay, driven by
 * bench/run.  Data is a seeded pseudo-random stream and every receiver
 * prints a checksum of what it got, so a relay that loses or reorders
 * bytes shows up.  It only measures and prints; it never judges a speed.
 */
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define STREAM_WORDS 1024 /* table size; a power of two */
#define GOLDEN 0x9e3779b97f4a7c15ULL
#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL
#define ECHO_BUF 16384
#define SMALL_MSG 16                /* bytes per connection in connrate */
#define RELAY_BUF (4 * 1024 * 1024) /* the minimal relay's buffer */
#define RELAY_FORK_BUF (64 * 1024)  /* and a forking one's */

static uint64_t opt_seed = 1;
static size_t opt_iosize = 256 * 1024;
static unsigned opt_timeout = 120;
static char progname[64] = "loadgen";

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)))
__attribute__((noreturn));

static void
die(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (fmt[strlen(fmt) - 1] == ':')
		fprintf(stderr, " %s", strerror(e));
	fputc('\n', stderr);
	exit(1);
}

static void
on_alarm(int sig)
{
	static const char msg[] = "loadgen: timed out\n";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	_exit(3);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *
xmalloc(size_t n)
{
	void *p = malloc(n);

	if (p == NULL)
		die("out of memory");
	return p;
}

static uint64_t
parse_size(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s)
		die("bad number \"%s\"", s);
	switch (*end) {
	case 'k':
	case 'K':
		v <<= 10;
		end++;
		break;
	case 'm':
	case 'M':
		v <<= 20;
		end++;
		break;
	case 'g':
	case 'G':
		v <<= 30;
		end++;
		break;
	}
	if (*end != '\0')
		die("bad number \"%s\"", s);
	return v;
}

/* --- the stream ----------------------------------------------------------
 * Word k (8 bytes, native order) of the stream is table[k % STREAM_WORDS]
 * xor k * GOLDEN: cheap to make, and it never repeats.  The table comes
 * from the seed through splitmix64.
 */

struct stream {
	uint64_t table[STREAM_WORDS];
	uint64_t word; /* index of the next word */
};

static void
stream_init(struct stream *st, uint64_t seed)
{
	uint64_t x = seed;
	int i;

	for (i = 0; i < STREAM_WORDS; i++) {
		uint64_t z = (x += GOLDEN);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		st->table[i] = z ^ (z >> 31);
	}
	st->word = 0;
}

/* Fills buf with the next len bytes; only the last call may leave a
 * length that is not a multiple of 8. */
static void
stream_fill(struct stream *st, unsigned char *buf, size_t len)
{
	uint64_t k = st->word;
	size_t i, n = len / 8;

	for (i = 0; i < n; i++, k++) {
		uint64_t w = st->table[k & (STREAM_WORDS - 1)] ^ (k * GOLDEN);

		memcpy(buf + 8 * i, &w, 8);
	}
	if (len % 8 != 0) {
		uint64_t w = st->table[k & (STREAM_WORDS - 1)] ^ (k * GOLDEN);

		memcpy(buf + 8 * n, &w, len % 8);
		k++;
	}
	st->word = k;
}

/* --- the checksum --------------------------------------------------------
 * Four FNV-1a-style lanes over 64-bit words (word i goes to lane i % 4),
 * folded with the length at the end.  Any change to one word changes the
 * result; chunk boundaries do not matter.
 */

struct csum {
	uint64_t lane[4];
	uint64_t bytes;
	uint64_t words;
	unsigned char part[8];
	unsigned npart;
};

static void
csum_init(struct csum *c)
{
	int i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < 4; i++)
		c->lane[i] = FNV_OFFSET ^ (uint64_t)i;
}

static inline void
csum_word(struct csum *c, uint64_t w)
{
	unsigned j = c->words++ & 3;

	c->lane[j] = (c->lane[j] ^ w) * FNV_PRIME;
}

static void
csum_update(struct csum *c, const unsigned char *p, size_t len)
{
	uint64_t w, a, b, d, e;

	c->bytes += len;
	while (c->npart > 0 && len > 0) {
		c->part[c->npart++] = *p++;
		len--;
		if (c->npart == 8) {
			memcpy(&w, c->part, 8);
			csum_word(c, w);
			c->npart = 0;
		}
	}
	while (len >= 8 && (c->words & 3) != 0) {
		memcpy(&w, p, 8);
		csum_word(c, w);
		p += 8;
		len -= 8;
	}
	a = c->lane[0];
	b = c->lane[1];
	d = c->lane[2];
	e = c->lane[3];
	for (; len >= 32; p += 32, len -= 32) {
		uint64_t w0, w1, w2, w3;

		memcpy(&w0, p, 8);
		memcpy(&w1, p + 8, 8);
		memcpy(&w2, p + 16, 8);
		memcpy(&w3, p + 24, 8);
		a = (a ^ w0) * FNV_PRIME;
		b = (b ^ w1) * FNV_PRIME;
		d = (d ^ w2) * FNV_PRIME;
		e = (e ^ w3) * FNV_PRIME;
		c->words += 4;
	}
	c->lane[0] = a;
	c->lane[1] = b;
	c->lane[2] = d;
	c->lane[3] = e;
	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		csum_word(c, w);
	}
	while (len > 0) {
		c->part[c->npart++] = *p++;
		len--;
	}
}

static uint64_t
csum_final(const struct csum *c)
{
	struct csum t = *c;
	uint64_t h = FNV_OFFSET, w = 0;
	int i;

	if (t.npart > 0) {
		memcpy(&w, t.part, t.npart);
		csum_word(&t, w);
	}
	for (i = 0; i < 4; i++)
		h = (h ^ t.lane[i]) * FNV_PRIME;
	h = (h ^ t.bytes) * FNV_PRIME;
	return h ^ (h >> 29);
}

/* --- addresses and sockets ----------------------------------------------
 * An address is "IPv4:PORT" or, when it holds a '/', a unix socket path.
 */

struct addr {
	struct sockaddr_storage ss;
	socklen_t len;
	int family;
};

static void
addr_parse(const char *s, struct addr *a)
{
	memset(a, 0, sizeof(*a));
	if (strchr(s, '/') != NULL) {
		struct sockaddr_un *sun = (struct sockaddr_un *)&a->ss;

		if (strlen(s) >= sizeof(sun->sun_path))
			die("unix path too long: %s", s);
		sun->sun_family = AF_UNIX;
		strcpy(sun->sun_path, s);
		a->len = sizeof(*sun);
		a->family = AF_UNIX;
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;
		const char *colon = strrchr(s, ':');
		char host[64];
		uint64_t port;

		if (colon == NULL || (size_t)(colon - s) >= sizeof(host))
			die("bad address \"%s\" (want IPv4:PORT or a path)", s);
		memcpy(host, s, colon - s);
		host[colon - s] = '\0';
		port = parse_size(colon + 1);
		if (port > 65535)
			die("bad port in \"%s\"", s);
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			die("bad IPv4 address \"%s\"", host);
		a->len = sizeof(*sin);
		a->family = AF_INET;
	}
}

static void
set_nodelay(int fd, int family)
{
	int one = 1;

	if (family == AF_INET)
		(void)setsockopt(
		    fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		die("fcntl:");
}

static int
connect_to(const struct addr *a)
{
	int fd = socket(a->family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket:");
	while (connect(fd, (const struct sockaddr *)&a->ss, a->len) < 0)
		if (errno != EINTR)
			die("connect:");
	return fd;
}

/* Binds and listens, quietly. */
static int
listen_bind(const struct addr *a, int backlog)
{
	int fd = socket(a->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;

	if (fd < 0)
		die("socket:");
	if (a->family == AF_INET)
		(void)setsockopt(
		    fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0)
		die("bind:");
	if (listen(fd, backlog) < 0)
		die("listen:");
	return fd;
}

/* Listens and prints "listening ADDR" with the port actually bound to out. */
static int
listen_to(const struct addr *a, int backlog, FILE *out)
{
	int fd = listen_bind(a, backlog);

	if (a->family == AF_INET) {
		struct sockaddr_in sin;
		socklen_t len = sizeof(sin);
		char host[INET_ADDRSTRLEN];

		if (getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
			die("getsockname:");
		inet_ntop(AF_INET, &sin.sin_addr, host, sizeof(host));
		fprintf(out, "listening %s:%u\n", host, ntohs(sin.sin_port));
	} else {
		fprintf(out, "listening %s\n",
		    ((const struct sockaddr_un *)&a->ss)->sun_path);
	}
	fflush(out);
	return fd;
}

static int
listen_on(const struct addr *a, int backlog)
{
	return listen_to(a, backlog, stdout);
}

static int
accept_one(int lfd)
{
	int fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0)
		if (errno != EINTR)
			die("accept:");
	return fd;
}

static void
write_all(int fd, const unsigned char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("write:");
		}
		p += n;
		len -= (size_t)n;
	}
}

/* Reads exactly len bytes; false on an early end of file. */
static bool
read_full(int fd, unsigned char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = read(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("read:");
		}
		if (n == 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* Reads and drops everything up to end of file; returns the byte count. */
static uint64_t
drain(int fd)
{
	unsigned char buf[4096];
	uint64_t total = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECONNRESET)
				break;
			die("read:");
		}
		total += (uint64_t)n;
	}
	return total;
}

static void
unlink_if_unix(const struct addr *a)
{
	if (a->family == AF_UNIX)
		(void)unlink(((const struct sockaddr_un *)&a->ss)->sun_path);
}

/* --- subcommands --------------------------------------------------------- */

/* Writes the stream to fd and checksums it; returns the seconds taken. */
static double
send_stream(int fd, uint64_t bytes, struct csum *cs)
{
	struct stream st;
	unsigned char *buf = xmalloc(opt_iosize);
	uint64_t left = bytes;
	double t0 = now();

	stream_init(&st, opt_seed);
	csum_init(cs);
	while (left > 0) {
		size_t n = left < opt_iosize ? (size_t)left : opt_iosize;

		stream_fill(&st, buf, n);
		csum_update(cs, buf, n);
		write_all(fd, buf, n);
		left -= n;
	}
	free(buf);
	return now() - t0;
}

/* send ADDR BYTES: connect, send, half-close, wait for the peer's EOF. */
static int
cmd_send(int argc, char **argv)
{
	struct addr a;
	struct csum cs;
	uint64_t bytes, back;
	double t0, secs;
	int fd;

	if (argc != 2)
		die("usage: send ADDR BYTES");
	addr_parse(argv[0], &a);
	bytes = parse_size(argv[1]);
	fd = connect_to(&a);
	t0 = now();
	send_stream(fd, bytes, &cs);
	if (shutdown(fd, SHUT_WR) < 0)
		die("shutdown:");
	back = drain(fd);
	secs = now() - t0;
	close(fd);
	printf("bytes=%" PRIu64 " sum=%016" PRIx64 " secs=%.6f back=%" PRIu64
	       "\n",
	    bytes, csum_final(&cs), secs, back);
	return 0;
}

/* gen BYTES FILE: write the stream to FILE ("-": stdout). */
static int
cmd_gen(int argc, char **argv)
{
	struct csum cs;
	uint64_t bytes;
	double secs;
	int fd;
	FILE *out = stdout;

	if (argc != 2)
		die("usage: gen BYTES FILE");
	bytes = parse_size(argv[0]);
	if (strcmp(argv[1], "-") == 0) {
		fd = 1;
		out = stderr;
	} else if ((fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			0644)) < 0) {
		die("%s:", argv[1]);
	}
	secs = send_stream(fd, bytes, &cs);
	if (fd != 1 && close(fd) < 0)
		die("close:");
	fprintf(out, "bytes=%" PRIu64 " sum=%016" PRIx64 " secs=%.6f\n", bytes,
	    csum_final(&cs), secs);
	return 0;
}

/* sum FILE: checksum a file. */
static int
cmd_sum(int argc, char **argv)
{
	struct csum cs;
	unsigned char *buf;
	ssize_t n;
	int fd;

	if (argc != 1)
		die("usage: sum FILE");
	if ((fd = open(argv[0], O_RDONLY | O_CLOEXEC)) < 0)
		die("%s:", argv[0]);
	buf = xmalloc(opt_iosize);
	csum_init(&cs);
	while ((n = read(fd, buf, opt_iosize)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("read:");
		}
		csum_update(&cs, buf, (size_t)n);
	}
	close(fd);
	free(buf);
	printf("bytes=%" PRIu64 " sum=%016" PRIx64 "\n", cs.bytes,
	    csum_final(&cs));
	return 0;
}

/* sendfile FILE ADDR: the zero-copy baseline for file -> socket. */
static int
cmd_sendfile(int argc, char **argv)
{
	struct addr a;
	struct stat sb;
	uint64_t left, back;
	double t0, secs;
	int fd, ffd;

	if (argc != 2)
		die("usage: sendfile FILE ADDR");
	if ((ffd = open(argv[0], O_RDONLY | O_CLOEXEC)) < 0)
		die("%s:", argv[0]);
	if (fstat(ffd, &sb) < 0)
		die("fstat:");
	addr_parse(argv[1], &a);
	fd = connect_to(&a);
	t0 = now();
	for (left = (uint64_t)sb.st_size; left > 0;) {
		ssize_t n = sendfile(fd, ffd, NULL,
		    left < (1U << 30) ? (size_t)left : (1U << 30));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("sendfile:");
		}
		if (n == 0)
			die("sendfile: file shrank");
		left -= (uint64_t)n;
	}
	if (shutdown(fd, SHUT_WR) < 0)
		die("shutdown:");
	back = drain(fd);
	secs = now() - t0;
	close(fd);
	close(ffd);
	printf("bytes=%" PRIu64 " secs=%.6f back=%" PRIu64 "\n",
	    (uint64_t)sb.st_size, secs, back);
	return 0;
}

/* sink ADDR: accept one connection, read to EOF, checksum.  secs runs
 * from the first byte to end of file. */
static int
cmd_sink(int argc, char **argv)
{
	struct addr a;
	struct csum cs;
	unsigned char *buf;
	double t0 = 0, t1;
	ssize_t n;
	int lfd, fd;

	if (argc != 1)
		die("usage: sink ADDR");
	addr_parse(argv[0], &a);
	lfd = listen_on(&a, 4);
	fd = accept_one(lfd);
	close(lfd);
	unlink_if_unix(&a);
	buf = xmalloc(opt_iosize);
	csum_init(&cs);
	while ((n = read(fd, buf, opt_iosize)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("read:");
		}
		if (t0 == 0)
			t0 = now();
		csum_update(&cs, buf, (size_t)n);
	}
	t1 = now();
	close(fd);
	free(buf);
	printf("bytes=%" PRIu64 " sum=%016" PRIx64 " secs=%.6f\n", cs.bytes,
	    csum_final(&cs), t0 == 0 ? 0.0 : t1 - t0);
	return 0;
}

/* Both directions at once on one non-blocking socket.  This end sends the
 * stream seeded with seed, and receives (and checksums) whatever comes. */
static void
duplex_run(int fd, uint64_t bytes, uint64_t seed)
{
	struct stream st;
	struct csum sent, got;
	unsigned char *out = xmalloc(opt_iosize), *in = xmalloc(opt_iosize);
	size_t out_off = 0, out_len = 0;
	uint64_t left = bytes;
	bool wdone = false, rdone = false;
	double t0 = now(), secs;

	set_nonblock(fd);
	stream_init(&st, seed);
	csum_init(&sent);
	csum_init(&got);
	if (left == 0) {
		(void)shutdown(fd, SHUT_WR);
		wdone = true;
	}
	while (!wdone || !rdone) {
		struct pollfd pfd = { .fd = fd, .events = 0 };
		ssize_t n;

		if (!wdone)
			pfd.events |= POLLOUT;
		if (!rdone)
			pfd.events |= POLLIN;
		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll:");
		}
		if (!rdone && (pfd.revents & (POLLIN | POLLHUP | POLLERR))) {
			n = read(fd, in, opt_iosize);
			if (n > 0)
				csum_update(&got, in, (size_t)n);
			else if (n == 0)
				rdone = true;
			else if (errno != EAGAIN && errno != EINTR)
				die("read:");
		}
		if (!wdone && (pfd.revents & (POLLOUT | POLLERR))) {
			if (out_len == 0) {
				out_len = left < opt_iosize ? (size_t)left
							    : opt_iosize;
				stream_fill(&st, out, out_len);
				csum_update(&sent, out, out_len);
				out_off = 0;
				left -= out_len;
			}
			n = write(fd, out + out_off, out_len);
			if (n > 0) {
				out_off += (size_t)n;
				out_len -= (size_t)n;
			} else if (errno != EAGAIN && errno != EINTR) {
				die("write:");
			}
			if (out_len == 0 && left == 0) {
				if (shutdown(fd, SHUT_WR) < 0)
					die("shutdown:");
				wdone = true;
			}
		}
	}
	secs = now() - t0;
	close(fd);
	free(out);
	free(in);
	printf("sent=%" PRIu64 " sent_sum=%016" PRIx64 " bytes=%" PRIu64
	       " sum=%016" PRIx64 " secs=%.6f\n",
	    sent.bytes, csum_final(&sent), got.bytes, csum_final(&got), secs);
}

/* duplex-listen ADDR BYTES: accept one peer, then both ways at once. */
static int
cmd_duplex_listen(int argc, char **argv)
{
	struct addr a;
	int lfd, fd;

	if (argc != 2)
		die("usage: duplex-listen ADDR BYTES");
	addr_parse(argv[0], &a);
	lfd = listen_on(&a, 4);
	fd = accept_one(lfd);
	close(lfd);
	unlink_if_unix(&a);
	duplex_run(fd, parse_size(argv[1]), opt_seed + 1);
	return 0;
}

/* duplex ADDR BYTES: connect, then both ways at once. */
static int
cmd_duplex(int argc, char **argv)
{
	struct addr a;

	if (argc != 2)
		die("usage: duplex ADDR BYTES");
	addr_parse(argv[0], &a);
	duplex_run(connect_to(&a), parse_size(argv[1]), opt_seed);
	return 0;
}

struct echo_conn {
	int fd;
	bool eof;
	size_t off, len;
	unsigned char buf[ECHO_BUF];
};

/* Reads what it can and writes it back; false when the connection is
 * finished (EOF with nothing left to write, or an error). */
static bool
echo_step(struct echo_conn *c, short revents)
{
	ssize_t n;

	if (c->len == 0 && !c->eof &&
	    (revents & (POLLIN | POLLHUP | POLLERR))) {
		n = read(c->fd, c->buf, sizeof(c->buf));
		if (n == 0) {
			c->eof = true;
		} else if (n > 0) {
			c->off = 0;
			c->len = (size_t)n;
		} else if (errno != EAGAIN && errno != EINTR) {
			return false;
		}
	}
	if (c->len > 0) {
		n = write(c->fd, c->buf + c->off, c->len);
		if (n > 0) {
			c->off += (size_t)n;
			c->len -= (size_t)n;
		} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			return false;
		}
	}
	return !(c->eof && c->len == 0);
}

/* echo ADDR: serve any number of connections, each echoed back and
 * closed at its end of file, until killed (or -t). */
static int
cmd_echo(int argc, char **argv)
{
	struct addr a;
	struct echo_conn **conns = NULL;
	struct pollfd *pfds = NULL;
	size_t n = 0, cap = 0, i;
	int lfd;

	if (argc != 1)
		die("usage: echo ADDR");
	addr_parse(argv[0], &a);
	lfd = listen_on(&a, 1024);
	set_nonblock(lfd);
	for (;;) {
		int fd;

		if (n + 1 > cap) {
			cap = cap ? cap * 2 : 64;
			conns = realloc(conns, cap * sizeof(*conns));
			pfds = realloc(pfds, (cap + 1) * sizeof(*pfds));
			if (conns == NULL || pfds == NULL)
				die("out of memory");
		}
		pfds[0].fd = lfd;
		pfds[0].events = POLLIN;
		for (i = 0; i < n; i++) {
			pfds[i + 1].fd = conns[i]->fd;
			pfds[i + 1].events =
			    conns[i]->len > 0 ? POLLOUT : POLLIN;
		}
		if (poll(pfds, n + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll:");
		}
		for (i = n; i-- > 0;) {
			if (pfds[i + 1].revents == 0)
				continue;
			if (!echo_step(conns[i], pfds[i + 1].revents)) {
				close(conns[i]->fd);
				free(conns[i]);
				conns[i] = conns[--n];
			}
		}
		while (n < cap && (pfds[0].revents & POLLIN) &&
		    (fd = accept4(
			 lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
			struct echo_conn *c = xmalloc(sizeof(*c));

			set_nodelay(fd, a.family);
			c->fd = fd;
			c->eof = false;
			c->off = c->len = 0;
			conns[n++] = c;
		}
	}
}

static int
cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/* pingpong ADDR COUNT [SIZE]: round trips of SIZE bytes (default 64),
 * one at a time, after a short warm-up; prints percentiles in µs. */
static int
cmd_pingpong(int argc, char **argv)
{
	struct addr a;
	struct stream st;
	unsigned char msg[65536], back[65536];
	uint64_t count, size = 64, i, warm, bad = 0;
	double *rtt, mean = 0;
	int fd;

	if (argc != 2 && argc != 3)
		die("usage: pingpong ADDR COUNT [SIZE]");
	addr_parse(argv[0], &a);
	count = parse_size(argv[1]);
	if (argc == 3)
		size = parse_size(argv[2]);
	if (count == 0 || size == 0 || size > sizeof(msg))
		die("pingpong: COUNT > 0 and 0 < SIZE <= %zu", sizeof(msg));
	warm = count / 10 < 100 ? count / 10 : 100;
	rtt = xmalloc(count * sizeof(*rtt));
	stream_init(&st, opt_seed);
	fd = connect_to(&a);
	set_nodelay(fd, a.family);
	for (i = 0; i < warm + count; i++) {
		double t0;

		stream_fill(&st, msg, (size_t)(size + 7) / 8 * 8);
		t0 = now();
		write_all(fd, msg, (size_t)size);
		if (!read_full(fd, back, (size_t)size))
			die("pingpong: early end of file after %" PRIu64
			    " round trips",
			    i);
		if (i >= warm)
			rtt[i - warm] = (now() - t0) * 1e6;
		if (memcmp(msg, back, (size_t)size) != 0)
			bad++;
	}
	(void)shutdown(fd, SHUT_WR);
	(void)drain(fd);
	close(fd);
	for (i = 0; i < count; i++)
		mean += rtt[i];
	mean /= (double)count;
	qsort(rtt, (size_t)count, sizeof(*rtt), cmp_double);
	printf("n=%" PRIu64 " size=%" PRIu64
	       " p50_us=%.1f p99_us=%.1f min_us=%.1f mean_us=%.1f bad=%" PRIu64
	       "\n",
	    count, size, rtt[count / 2], rtt[count * 99 / 100], rtt[0], mean,
	    bad);
	free(rtt);
	return bad == 0 ? 0 : 1;
}

/* connrate ADDR COUNT SECS: short connections one after the other
 * (connect, send 16 bytes, read the echo, close) until COUNT are done or
 * SECS have passed. */
static int
cmd_connrate(int argc, char **argv)
{
	struct addr a;
	struct stream st;
	unsigned char msg[SMALL_MSG], back[SMALL_MSG];
	uint64_t count, i, bad = 0;
	double limit, t0, secs;

	if (argc != 3)
		die("usage: connrate ADDR COUNT SECS");
	addr_parse(argv[0], &a);
	count = parse_size(argv[1]);
	limit = atof(argv[2]);
	stream_init(&st, opt_seed);
	t0 = now();
	for (i = 0; i < count && now() - t0 < limit; i++) {
		int fd = connect_to(&a);

		set_nodelay(fd, a.family);
		stream_fill(&st, msg, sizeof(msg));
		write_all(fd, msg, sizeof(msg));
		if (!read_full(fd, back, sizeof(back)) ||
		    memcmp(msg, back, sizeof(msg)) != 0)
			bad++;
		close(fd);
	}
	secs = now() - t0;
	printf("conns=%" PRIu64 " secs=%.6f rate=%.1f bad=%" PRIu64 "\n", i,
	    secs, (double)i / secs, bad);
	return bad == 0 ? 0 : 1;
}

/* hold ADDR COUNT: open COUNT connections, pass one byte each way on each,
 * print "held=COUNT", then keep them open until stdin reaches EOF. */
static int
cmd_hold(int argc, char **argv)
{
	struct addr a;
	uint64_t count, i;
	int *fds;
	unsigned char b;

	if (argc != 2)
		die("usage: hold ADDR COUNT");
	addr_parse(argv[0], &a);
	count = parse_size(argv[1]);
	fds = xmalloc(count * sizeof(*fds));
	for (i = 0; i < count; i++) {
		fds[i] = connect_to(&a);
		b = (unsigned char)i;
		write_all(fds[i], &b, 1);
		if (!read_full(fds[i], &b, 1) || b != (unsigned char)i)
			die("hold: connection %" PRIu64 " did not echo", i);
	}
	printf("held=%" PRIu64 "\n", count);
	fflush(stdout);
	for (;;) {
		ssize_t n = read(0, &b, 1);

		if (n == 0 || (n < 0 && errno != EINTR))
			break;
	}
	for (i = 0; i < count; i++)
		close(fds[i]);
	free(fds);
	return 0;
}

/* feed BYTES -- CMD [ARG...]: run CMD with the stream on its stdin (a
 * pipe); secs runs from the first write until CMD has exited, cpu is
 * CMD's user+system time. */
static int
cmd_feed(int argc, char **argv)
{
	struct csum cs;
	struct rusage ru;
	uint64_t bytes;
	double t0, secs, cpu;
	int p[2], status;
	pid_t pid;

	if (argc < 3 || strcmp(argv[1], "--") != 0)
		die("usage: feed BYTES -- CMD [ARG...]");
	bytes = parse_size(argv[0]);
	if (pipe2(p, O_CLOEXEC) < 0)
		die("pipe:");
	if ((pid = fork()) < 0)
		die("fork:");
	if (pid == 0) {
		if (dup2(p[0], 0) < 0)
			die("dup2:");
		signal(SIGPIPE, SIG_DFL);
		alarm(0);
		execvp(argv[2], argv + 2);
		die("%s:", argv[2]);
	}
	close(p[0]);
	t0 = now();
	send_stream(p[1], bytes, &cs);
	close(p[1]);
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			die("wait4:");
	secs = now() - t0;
	cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	printf("bytes=%" PRIu64 " sum=%016" PRIx64
	       " secs=%.6f cpu=%.6f status=%d\n",
	    bytes, csum_final(&cs), secs, cpu,
	    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return 0;
}

/*
 * The minimal relay's copy loop: select() on both sockets, read up to
 * size bytes from whichever is readable and write them whole to the
 * other, shutdown(SHUT_WR) on end of file.  Counts the bytes in moved[].
 */
static void
relay_copy(const int fd[2], unsigned char *buf, size_t size, uint64_t moved[2])
{
	unsigned readable = 3; /* bit i: fd[i] has not reached end of file */
	int i;

	while (readable != 0) {
		fd_set rs;

		FD_ZERO(&rs);
		for (i = 0; i < 2; i++)
			if (readable & (1u << i))
				FD_SET(fd[i], &rs);
		if (select((fd[0] > fd[1] ? fd[0] : fd[1]) + 1, &rs, NULL, NULL,
			NULL) < 0) {
			if (errno == EINTR)
				continue;
			die("select:");
		}
		for (i = 0; i < 2; i++) {
			ssize_t n;

			if (!(readable & (1u << i)) || !FD_ISSET(fd[i], &rs))
				continue;
			n = read(fd[i], buf, size);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				die("read:");
			if (n == 0) {
				(void)shutdown(fd[!i], SHUT_WR);
				readable &= ~(1u << i);
				continue;
			}
			write_all(fd[!i], buf, (size_t)n);
			moved[i] += (uint64_t)n;
		}
	}
}

/*
 * relay LISTEN TARGET: the benchmark's "minimal relay", a floor for what
 * any relay spends on this machine.  It takes one peer on LISTEN, connects
 * to TARGET and copies both ways with select() and read/write through one
 * 4 MiB buffer, writing each chunk whole before reading again; it passes
 * end of file on with shutdown and has no options, checks or dumps.
 */
static int
cmd_relay(int argc, char **argv)
{
	struct addr la, ta;
	unsigned char *buf;
	uint64_t moved[2] = { 0, 0 };
	int lfd, fd[2];

	if (argc != 2)
		die("usage: relay LISTEN TARGET");
	addr_parse(argv[0], &la);
	addr_parse(argv[1], &ta);
	lfd = listen_on(&la, 4);
	fd[0] = accept_one(lfd);
	close(lfd);
	unlink_if_unix(&la);
	fd[1] = connect_to(&ta);
	buf = xmalloc(RELAY_BUF);
	relay_copy(fd, buf, RELAY_BUF, moved);
	printf(
	    "forward=%" PRIu64 " backward=%" PRIu64 "\n", moved[0], moved[1]);
	free(buf);
	return 0;
}

/*
 * forkrelay LISTEN TARGET: the minimal relay with a process per peer, the
 * floor for the connection-rate row.  The parent accepts and forks; each
 * child connects to TARGET, copies as relay does through a 64 KiB buffer
 * and _exit()s.  Ended children are reaped before each accept.  It runs
 * until killed (or the -t alarm).
 */
static int
cmd_forkrelay(int argc, char **argv)
{
	static unsigned char buf[RELAY_FORK_BUF];
	struct addr la, ta;
	int lfd;

	if (argc != 2)
		die("usage: forkrelay LISTEN TARGET");
	addr_parse(argv[0], &la);
	addr_parse(argv[1], &ta);
	lfd = listen_on(&la, 1024);
	for (;;) {
		uint64_t moved[2] = { 0, 0 };
		int fd[2];
		pid_t pid;

		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		fd[0] = accept_one(lfd);
		pid = fork();
		if (pid < 0)
			die("fork:");
		if (pid == 0) {
			alarm(0);
			close(lfd);
			fd[1] = connect_to(&ta);
			relay_copy(fd, buf, sizeof(buf), moved);
			_exit(0);
		}
		close(fd[0]);
	}
}

/*
 * drink -- CMD [ARG...]: runs CMD with its stdout into a pipe and reads
 * the pipe to end of file, checksumming (the consumer of "duct ... |
 * consumer"); secs runs from the first byte to end of file.
 */
static int
cmd_drink(int argc, char **argv)
{
	struct csum cs;
	unsigned char *buf;
	double t0 = 0, t1;
	int p[2], status;
	ssize_t n;
	pid_t pid;

	if (argc < 2 || strcmp(argv[0], "--") != 0)
		die("usage: drink -- CMD [ARG...]");
	if (pipe2(p, O_CLOEXEC) < 0)
		die("pipe:");
	if ((pid = fork()) < 0)
		die("fork:");
	if (pid == 0) {
		if (dup2(p[1], 1) < 0)
			die("dup2:");
		signal(SIGPIPE, SIG_DFL);
		alarm(0);
		execvp(argv[1], argv + 1);
		die("%s:", argv[1]);
	}
	close(p[1]);
	buf = xmalloc(opt_iosize);
	csum_init(&cs);
	while ((n = read(p[0], buf, opt_iosize)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("read:");
		}
		if (t0 == 0)
			t0 = now();
		csum_update(&cs, buf, (size_t)n);
	}
	t1 = now();
	close(p[0]);
	free(buf);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid:");
	printf("bytes=%" PRIu64 " sum=%016" PRIx64 " secs=%.6f status=%d\n",
	    cs.bytes, csum_final(&cs), t0 == 0 ? 0.0 : t1 - t0,
	    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return 0;
}

/*
 * splicecopy IN OUT: the splicing reference relay for pipelines, the
 * least a relay can do when one side is a pipe: splice(2) from IN to OUT
 * until end of file, blocking, no pipe of its own and no tuning (the
 * pipes keep their size).  IN is "-" (stdin) or an IPv4:PORT to accept
 * one peer on (said on stderr: stdout may be the data's pipe); OUT is "-"
 * (stdout), an IPv4:PORT to connect to, or an existing FILE.  One of the
 * two must be a pipe.
 */
static int
cmd_splicecopy(int argc, char **argv)
{
	struct addr a;
	ssize_t n;
	int in = 0, out = 1, lfd;

	if (argc != 2)
		die("usage: splicecopy IN OUT");
	if (strcmp(argv[0], "-") != 0) {
		addr_parse(argv[0], &a);
		lfd = listen_to(&a, 4, stderr);
		in = accept_one(lfd);
		close(lfd);
	}
	if (strcmp(argv[1], "-") == 0) {
		out = 1;
	} else if (strchr(argv[1], ':') != NULL &&
	    strchr(argv[1], '/') == NULL) {
		addr_parse(argv[1], &a);
		out = connect_to(&a);
	} else if ((out = open(argv[1], O_WRONLY | O_CLOEXEC)) < 0) {
		die("%s:", argv[1]);
	}
	while ((n = splice(in, NULL, out, NULL, 1 << 24, SPLICE_F_MOVE)) != 0)
		if (n < 0 && errno != EINTR)
			die("splice:");
	if (out != 1 && close(out) < 0)
		die("close:");
	return 0;
}

static const struct command {
	const char *name;
	int (*run)(int, char **);
	const char *args;
} commands[] = {
	{ "send", cmd_send, "ADDR BYTES" },
	{ "sink", cmd_sink, "ADDR" },
	{ "duplex", cmd_duplex, "ADDR BYTES" },
	{ "duplex-listen", cmd_duplex_listen, "ADDR BYTES" },
	{ "echo", cmd_echo, "ADDR" },
	{ "pingpong", cmd_pingpong, "ADDR COUNT [SIZE]" },
	{ "connrate", cmd_connrate, "ADDR COUNT SECS" },
	{ "hold", cmd_hold, "ADDR COUNT" },
	{ "gen", cmd_gen, "BYTES FILE" },
	{ "sum", cmd_sum, "FILE" },
	{ "sendfile", cmd_sendfile, "FILE ADDR" },
	{ "feed", cmd_feed, "BYTES -- CMD [ARG...]" },
	{ "relay", cmd_relay, "LISTEN TARGET" },
	{ "forkrelay", cmd_forkrelay, "LISTEN TARGET" },
	{ "drink", cmd_drink, "-- CMD [ARG...]" },
	{ "splicecopy", cmd_splicecopy, "IN OUT" },
};

static void
usage(void)
{
	size_t i;

	fprintf(stderr,
	    "usage: %s [-s SEED] [-b IOSIZE] [-t TIMEOUT] COMMAND ARGS\n"
	    "ADDR is IPv4:PORT (port 0 to listen anywhere) or a unix socket "
	    "path.\nBYTES takes K, M and G suffixes.  Commands:\n",
	    progname);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(
		    stderr, "  %-14s %s\n", commands[i].name, commands[i].args);
	exit(2);
}

int
main(int argc, char **argv)
{
	size_t i;
	int c;

	while ((c = getopt(argc, argv, "+s:b:t:h")) != -1) {
		switch (c) {
		case 's':
			opt_seed = parse_size(optarg);
			break;
		case 'b':
			opt_iosize = (size_t)parse_size(optarg);
			if (opt_iosize < 8 || opt_iosize % 8 != 0)
				die("-b: a multiple of 8, at least 8");
			break;
		case 't':
			opt_timeout = (unsigned)parse_size(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, on_alarm);
	alarm(opt_timeout);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[optind], commands[i].name) == 0) {
			snprintf(progname, sizeof(progname), "loadgen %s",
			    commands[i].name);
			return commands[i].run(
			    argc - optind - 1, argv + optind + 1);
		}
	fprintf(stderr, "%s: unknown command \"%s\"\n", progname, argv[optind]);
	usage();
}
