/*
 * The option table and typed parsing of option values.  Each row names an
 * option, its value type, the groups of kinds it applies to and where its
 * value lives; plain socket options also carry their setsockopt level and
 * name so that no kind needs code for them.  No I/O except setsockopt.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "options.h"
#include "xmalloc.h"

#define OFF(f) offsetof(struct optvals, f)
#define SOCKOPT(l, n) .level = (l), .name = (n)

const struct opt_def opt_table[OPT_COUNT] = {
	[OPT_IGNOREEOF] = { { "ignoreeof" }, OT_FLAG, G_FD, OFF(ignoreeof),
	    .help = "treat end of file as \"no data yet\" and keep polling" },
	[OPT_CRLF] = { { "crlf", "crnl" }, OT_FLAG, G_FD, OFF(crlf),
	    .help = "write LF as CRLF; read CRLF as LF" },
	[OPT_CR] = { { "cr" }, OT_FLAG, G_FD, OFF(cr),
	    .help = "write LF as CR; read CR as LF" },
	[OPT_CREAT] = { { "creat", "create" }, OT_FLAG, G_FILE, OFF(creat),
	    .help = "create the file if it does not exist" },
	[OPT_EXCL] = { { "excl" }, OT_FLAG, G_FILE, OFF(excl),
	    .help = "with creat: fail if the file exists" },
	[OPT_TRUNC] = { { "trunc" }, OT_FLAG, G_FILE, OFF(trunc),
	    .help = "truncate the file to zero length on open" },
	[OPT_APPEND] = { { "append" }, OT_FLAG, G_FILE, OFF(append),
	    .help = "always write at the end of the file" },
	[OPT_MODE] = { { "mode", "perm" }, OT_MODE, G_FILE | G_UNIX, OFF(mode),
	    .value = "OCTAL",
	    .help = "permissions of a created file, fifo or socket" },
	[OPT_SEEK] = { { "seek" }, OT_SIZE, G_FILE, OFF(seek), .value = "N",
	    .help = "start at byte offset N" },
	[OPT_NONBLOCK] = { { "nonblock" }, OT_FLAG, G_FILE, OFF(nonblock),
	    .help = "open without waiting (a FIFO with no peer)" },
	[OPT_BIND] = { { "bind" }, OT_STRING, G_SOCKET, OFF(bind),
	    .value = "ADDR",
	    .help = "local address: HOST[:PORT] for IP, a path for UNIX" },
	[OPT_REUSEADDR] = { { "reuseaddr" }, OT_FLAG, G_IP, OFF(reuseaddr),
	    SOCKOPT(SOL_SOCKET, SO_REUSEADDR),
	    .help = "SO_REUSEADDR (default on for TCP-LISTEN)" },
	[OPT_REUSEPORT] = { { "reuseport" }, OT_FLAG, G_IP, OFF(reuseport),
	    SOCKOPT(SOL_SOCKET, SO_REUSEPORT), .help = "SO_REUSEPORT" },
	[OPT_SNDBUF] = { { "sndbuf" }, OT_SIZE, G_SOCKET, OFF(sndbuf),
	    SOCKOPT(SOL_SOCKET, SO_SNDBUF), .value = "N",
	    .help = "socket send buffer size (SO_SNDBUF)" },
	[OPT_RCVBUF] = { { "rcvbuf" }, OT_SIZE, G_SOCKET, OFF(rcvbuf),
	    SOCKOPT(SOL_SOCKET, SO_RCVBUF), .value = "N",
	    .help = "socket receive buffer size (SO_RCVBUF)" },
	[OPT_KEEPALIVE] = { { "keepalive" }, OT_FLAG, G_TCP, OFF(keepalive),
	    SOCKOPT(SOL_SOCKET, SO_KEEPALIVE),
	    .help = "send TCP keepalive probes (SO_KEEPALIVE)" },
	[OPT_NODELAY] = { { "nodelay" }, OT_FLAG, G_TCP, OFF(nodelay),
	    SOCKOPT(IPPROTO_TCP, TCP_NODELAY),
	    .help = "send small writes at once (TCP_NODELAY)" },
	[OPT_LINGER] = { { "linger" }, OT_INT, G_TCP, OFF(linger),
	    SOCKOPT(SOL_SOCKET, SO_LINGER), .value = "S",
	    .help = "on close, wait S seconds for unsent data (SO_LINGER)" },
	[OPT_CONNECT_TIMEOUT] = { { "connect-timeout" }, OT_SECONDS, G_SOCKET,
	    OFF(connect_timeout), .value = "S",
	    .help = "give up connecting after S seconds" },
	[OPT_PF] = { { "pf", "protocol-family" }, OT_FAMILY, G_IP, OFF(pf),
	    .value = "ip4|ip6", .help = "address family to resolve and use" },
	[OPT_BACKLOG] = { { "backlog" }, OT_INT, G_LISTEN, OFF(backlog),
	    .value = "N", .help = "length of the pending connection queue" },
	[OPT_FORK] = { { "fork" }, OT_FLAG, G_CHILD, OFF(fork),
	    .help = "keep listening; a child process serves each peer" },
	[OPT_UNLINK_EARLY] = { { "unlink-early" }, OT_FLAG, G_UNIX,
	    OFF(unlink_early),
	    .help = "remove an existing socket file before binding" },
	[OPT_UNLINK_CLOSE] = { { "unlink-close" }, OT_FLAG, G_UNIX,
	    OFF(unlink_close),
	    .help = "remove the socket file at exit (default for listeners)" },
	[OPT_PIPES] = { { "pipes" }, OT_FLAG, G_EXEC, OFF(pipes),
	    .help = "join the program through two pipes, not a socketpair" },
	[OPT_STDERR] = { { "stderr" }, OT_FLAG, G_EXEC, OFF(child_stderr),
	    .help = "relay the program's standard error too" },
	[OPT_PTY] = { { "pty" }, OT_FLAG, G_EXEC, OFF(pty),
	    .help = "give the program a pseudo-terminal" },
	[OPT_RAWER] = { { "rawer", "raw" }, OT_FLAG, G_EXEC, OFF(rawer),
	    .help = "with pty: raw terminal mode, no echo" },
	[OPT_ECHO] = { { "echo" }, OT_FLAG, G_EXEC, OFF(echo),
	    .help = "with pty: echo=0 turns the terminal's echo off" },
	[OPT_SETSID] = { { "setsid" }, OT_FLAG, G_EXEC, OFF(setsid),
	    .help = "start the program in a new session" },
	[OPT_MAX_CHILDREN] = { { "max-children" }, OT_INT, G_CHILD,
	    OFF(max_children), .value = "N",
	    .help =
		"with fork: at most N children at once; wait for one to end",
	    .needs = "fork" },
	[OPT_ACCEPT_TIMEOUT] = { { "accept-timeout" }, OT_SECONDS, G_LISTEN,
	    OFF(accept_timeout), .value = "S",
	    .help = "fail (exit 1) when no peer came within S seconds" },
	[OPT_RANGE] = { { "range" }, OT_RANGE, G_RANGE, OFF(ranges),
	    .value = "CIDR",
	    .help = "let in only peers in this network (repeatable)" },
	[OPT_CERT] = { { "cert", "certificate" }, OT_STRING, G_TLS, OFF(cert),
	    .value = "FILE",
	    .help = "own certificate chain (PEM), with the key unless key=" },
	[OPT_KEY] = { { "key" }, OT_STRING, G_TLS, OFF(key), .value = "FILE",
	    .help = "private key (PEM) for cert=" },
	[OPT_CAFILE] = { { "cafile" }, OT_STRING, G_TLS, OFF(cafile),
	    .value = "FILE",
	    .help =
		"trust these CA certificates (PEM) instead of the system's" },
	[OPT_CAPATH] = { { "capath" }, OT_STRING, G_TLS, OFF(capath),
	    .value = "DIR",
	    .help = "trust the CA certificates in DIR (c_rehash layout)" },
	[OPT_VERIFY] = { { "verify" }, OT_FLAG, G_TLS, OFF(verify),
	    .help = "check the peer's certificate (client default: on)" },
	[OPT_COMMONNAME] = { { "commonname", "cn" }, OT_STRING, G_TLS,
	    OFF(commonname), .value = "NAME",
	    .help = "the name the peer's certificate must carry" },
	[OPT_SNIHOST] = { { "snihost" }, OT_STRING, G_TLS, OFF(snihost),
	    .value = "NAME", .help = "server name to send (SNI)" },
	[OPT_CIPHER] = { { "cipher", "ciphers", "cipherlist" }, OT_STRING,
	    G_TLS, OFF(cipher), .value = "LIST",
	    .help = "allowed cipher suites (OpenSSL syntax)" },
	[OPT_MIN_VERSION] = { { "min-version", "openssl-min-proto-version" },
	    OT_TLSVER, G_TLS, OFF(min_version), .value = "VERSION",
	    .help = "oldest TLS version: TLS1.2 (default) or TLS1.3" },
	[OPT_ALPN] = { { "alpn" }, OT_STRING, G_TLS, OFF(alpn),
	    .value = "P1:P2",
	    .help = "application protocols to offer or accept" },
};

static const char *const group_names[] = {
	"FD",
	"FILE",
	"SOCKET",
	"IP",
	"TCP",
	"LISTEN",
	"CHILD",
	"UNIX",
	"EXEC",
	"RANGE",
	"TLS",
};

void
opts_init(struct optvals *vals)
{
	memset(vals, 0, sizeof(*vals));
	vals->mode = -1;
	vals->backlog = 128;
	vals->unlink_close = true;
	vals->echo = true;
	vals->verify = true;
	vals->min_version = OPT_TLS_1_2;
}

void
opts_free(struct optvals *vals)
{
	char **strs[] = { &vals->bind, &vals->cert, &vals->key, &vals->cafile,
		&vals->capath, &vals->commonname, &vals->snihost, &vals->cipher,
		&vals->alpn };
	size_t i;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		free(*strs[i]);
		*strs[i] = NULL;
	}
	free(vals->ranges);
	vals->ranges = NULL;
	vals->nranges = 0;
}

const struct opt_def *
opts_find(const char *name)
{
	const struct opt_def *d;
	size_t i, j;

	for (i = 0; i < OPT_COUNT; i++)
		for (j = 0; j < 3 && opt_table[i].names[j] != NULL; j++)
			if (strcasecmp(name, opt_table[i].names[j]) == 0)
				return &opt_table[i];
	/* socat also spells every TLS option with an "openssl-" prefix. */
	if (strncasecmp(name, "openssl-", 8) == 0 &&
	    (d = opts_find(name + 8)) != NULL && (d->groups & G_TLS))
		return d;
	return NULL;
}

static int
opts_parse_flag(const char *text, bool *out)
{
	static const char *const yes[] = { "1", "yes", "on", "true" };
	static const char *const no[] = { "0", "no", "off", "false" };
	size_t i;

	if (text == NULL) {
		*out = true;
		return 0;
	}
	for (i = 0; i < 4; i++) {
		if (strcasecmp(text, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(text, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static int
opts_parse_int(const char *text, int base, long max, int *out)
{
	char *end;
	long v;

	if (text == NULL || *text == '\0' || *text == '-' || *text == '+')
		return -1;
	errno = 0;
	v = strtol(text, &end, base);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

int
opts_parse_size(const char *text, size_t *out)
{
	unsigned long long v, mul = 1;
	char *end;

	if (text == NULL || *text < '0' || *text > '9')
		return -1;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno != 0)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		mul = 1024;
		end++;
		break;
	case 'm':
	case 'M':
		mul = 1024 * 1024;
		end++;
		break;
	case 'g':
	case 'G':
		mul = 1024ULL * 1024 * 1024;
		end++;
		break;
	default:
		return -1;
	}
	if (*end != '\0' || (v != 0 && v > (unsigned long long)SIZE_MAX / mul))
		return -1;
	*out = (size_t)(v * mul);
	return 0;
}

int
opts_parse_seconds(const char *text, double *out)
{
	char *end;
	double v;

	if (text == NULL || *text == '\0' || *text == '-' || *text == '+')
		return -1;
	errno = 0;
	v = strtod(text, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v) || v < 0 || v > 1e9)
		return -1;
	*out = v;
	return 0;
}

static int
opts_parse_family(const char *text, int *out)
{
	static const char *const v4[] = { "ip4", "ipv4", "inet", "4" };
	static const char *const v6[] = { "ip6", "ipv6", "inet6", "6" };
	size_t i;

	if (text == NULL)
		return -1;
	for (i = 0; i < 4; i++) {
		if (strcasecmp(text, v4[i]) == 0) {
			*out = AF_INET;
			return 0;
		}
		if (strcasecmp(text, v6[i]) == 0) {
			*out = AF_INET6;
			return 0;
		}
	}
	return -1;
}

/*
 * Parses "A.B.C.D[/N]", "A.B.C.D:MASK" (dotted mask), "V6[/N]" or
 * "[V6][/N]" into r.  Host bits beyond the prefix are cleared.
 */
static int
opts_parse_range(const char *text, struct opt_range *r)
{
	char host[INET6_ADDRSTRLEN + 2], *slash, *end;
	const char *h = host;
	size_t n = strlen(text), i;
	struct in_addr mask;
	long bits = -1;
	int max;

	if (n == 0 || n >= sizeof(host))
		return -1;
	memcpy(host, text, n + 1);
	if ((slash = strrchr(host, '/')) != NULL) {
		*slash++ = '\0';
		if (*slash < '0' || *slash > '9')
			return -1;
		bits = strtol(slash, &end, 10);
		if (*end != '\0')
			return -1;
	}
	if (host[0] == '[') {
		size_t l = strlen(host);

		if (l < 3 || host[l - 1] != ']')
			return -1;
		host[l - 1] = '\0';
		h = host + 1;
	}
	memset(r, 0, sizeof(*r));
	if (inet_pton(AF_INET6, h, r->addr) == 1) {
		r->family = AF_INET6;
		max = 128;
	} else {
		char *colon = strchr(host, ':');

		if (colon != NULL && bits == -1) {
			/* socat's ADDR:MASK form with a dotted mask. */
			*colon++ = '\0';
			if (inet_pton(AF_INET, colon, &mask) != 1)
				return -1;
			bits = __builtin_popcount(mask.s_addr);
		}
		if (inet_pton(AF_INET, host, r->addr) != 1)
			return -1;
		r->family = AF_INET;
		max = 32;
	}
	if (bits > max)
		return -1;
	r->prefix = bits < 0 ? max : (int)bits;
	for (i = 0; i < (size_t)max / 8; i++) {
		int keep = r->prefix - (int)i * 8;

		if (keep <= 0)
			r->addr[i] = 0;
		else if (keep < 8)
			r->addr[i] &= (unsigned char)(0xff << (8 - keep));
	}
	return 0;
}

static int
opts_add_range(struct optvals *vals, const char *text)
{
	struct opt_range r, *nr;

	if (text == NULL || opts_parse_range(text, &r) == -1)
		return -1;
	nr = xcalloc(vals->nranges + 1, sizeof(*nr));
	if (vals->nranges > 0)
		memcpy(nr, vals->ranges, vals->nranges * sizeof(*nr));
	nr[vals->nranges++] = r;
	free(vals->ranges);
	vals->ranges = nr;
	return 0;
}

static bool
range_match(const struct opt_range *r, const unsigned char *addr)
{
	int full = r->prefix / 8, rest = r->prefix % 8;

	if (memcmp(r->addr, addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((r->addr[full] ^ addr[full]) &
		   (unsigned char)(0xff << (8 - rest))) == 0;
}

bool
opts_range_allows(const struct optvals *vals, const struct sockaddr *sa)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff };
	const unsigned char *a4 = NULL, *a6 = NULL;
	size_t i;

	if (vals->nranges == 0)
		return true;
	if (sa->sa_family == AF_INET) {
		a4 = (const unsigned char *)&(
		    (const struct sockaddr_in *)(const void *)sa)
			 ->sin_addr;
	} else if (sa->sa_family == AF_INET6) {
		a6 = ((const struct sockaddr_in6 *)(const void *)sa)
			 ->sin6_addr.s6_addr;
		if (memcmp(a6, mapped, sizeof(mapped)) == 0)
			a4 = a6 + 12;
	}
	for (i = 0; i < vals->nranges; i++) {
		const struct opt_range *r = &vals->ranges[i];

		if (r->family == AF_INET && a4 != NULL && range_match(r, a4))
			return true;
		if (r->family == AF_INET6 && a6 != NULL && range_match(r, a6))
			return true;
	}
	return false;
}

/*
 * TLS1.2 or TLS1.3, also spelt TLSv1.2 or 1.2.  Older versions are
 * refused with their own message: duct never speaks them.
 */
static int
opts_parse_tlsver(const char *text, int *out)
{
	static const char *const v12[] = { "TLS1.2", "TLSv1.2", "1.2" };
	static const char *const v13[] = { "TLS1.3", "TLSv1.3", "1.3" };
	size_t i;

	for (i = 0; i < 3; i++) {
		if (strcasecmp(text, v12[i]) == 0) {
			*out = OPT_TLS_1_2;
			return 0;
		}
		if (strcasecmp(text, v13[i]) == 0) {
			*out = OPT_TLS_1_3;
			return 0;
		}
	}
	return -1;
}

static const char *
opts_type_want(enum opt_type type)
{
	switch (type) {
	case OT_FLAG:
		return "no value or 0/1/yes/no/on/off";
	case OT_INT:
		return "a whole number";
	case OT_SIZE:
		return "a size in bytes (K/M/G suffix allowed)";
	case OT_SECONDS:
		return "seconds (fractions allowed)";
	case OT_STRING:
		return "a value";
	case OT_MODE:
		return "octal permissions like 600";
	case OT_FAMILY:
		return "ip4 or ip6";
	case OT_RANGE:
		return "a network like 10.0.0.0/8 or [::1]/128";
	case OT_TLSVER:
		return "TLS1.2 or TLS1.3 (older versions are not supported)";
	}
	return "a value";
}

int
opts_set(struct optvals *vals, const struct opt_def *def, const char *value,
    char *err)
{
	void *p = (char *)vals + def->offset;
	int rc = -1;

	if (def->type != OT_FLAG && value == NULL) {
		snprintf(err, DUCT_ERR_LEN, "option \"%s\" needs =%s",
		    def->names[0], def->value ? def->value : "VALUE");
		return -1;
	}
	switch (def->type) {
	case OT_FLAG:
		rc = opts_parse_flag(value, p);
		break;
	case OT_INT:
		rc = opts_parse_int(value, 10, 0x7fffffff, p);
		break;
	case OT_SIZE:
		rc = opts_parse_size(value, p);
		break;
	case OT_SECONDS:
		rc = opts_parse_seconds(value, p);
		break;
	case OT_MODE:
		rc = opts_parse_int(value, 8, 07777, p);
		break;
	case OT_FAMILY:
		rc = opts_parse_family(value, p);
		break;
	case OT_RANGE:
		rc = opts_add_range(vals, value);
		break;
	case OT_TLSVER:
		rc = opts_parse_tlsver(value, p);
		break;
	case OT_STRING:
		if (*value == '\0')
			break;
		free(*(char **)p);
		*(char **)p = xstrdup(value);
		rc = 0;
		break;
	}
	if (rc == -1) {
		snprintf(err, DUCT_ERR_LEN,
		    "option \"%s\" wants %s, got \"%s\"", def->names[0],
		    opts_type_want(def->type), value ? value : "");
		return -1;
	}
	vals->given[def - opt_table] = true;
	return 0;
}

/* -s: a socket option the kernel refuses is a warning, not a failure. */
static bool opts_sloppy;

void
opts_set_sloppy(bool on)
{
	opts_sloppy = on;
}

bool
opts_get_sloppy(void)
{
	return opts_sloppy;
}

int
opts_apply_sock(int fd, const struct optvals *vals, char *err)
{
	const struct opt_def *def;
	struct linger lg;
	const void *p;
	socklen_t len;
	size_t i;
	int iv;

	for (i = 0; i < OPT_COUNT; i++) {
		def = &opt_table[i];
		if (!vals->given[i] || def->level == 0)
			continue;
		p = (const char *)vals + def->offset;
		if (i == OPT_LINGER) {
			lg.l_onoff = 1;
			lg.l_linger = *(const int *)p;
			p = &lg;
			len = sizeof(lg);
		} else {
			if (def->type == OT_FLAG)
				iv = *(const bool *)p;
			else if (def->type == OT_SIZE)
				iv = *(const size_t *)p > 0x7fffffff
				    ? 0x7fffffff
				    : (int)*(const size_t *)p;
			else
				iv = *(const int *)p;
			p = &iv;
			len = sizeof(iv);
		}
		if (setsockopt(fd, def->level, def->name, p, len) == -1) {
			if (opts_sloppy) {
				log_warn("setsockopt %s: %s; going on without "
					 "it (-s)",
				    def->names[0], strerror(errno));
				continue;
			}
			snprintf(err, DUCT_ERR_LEN, "setsockopt %s: %s",
			    def->names[0], strerror(errno));
			return -1;
		}
	}
	return 0;
}

void
opts_group_names(unsigned groups, char *out, size_t outlen)
{
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < sizeof(group_names) / sizeof(group_names[0]); i++) {
		if (!(groups & (1u << i)))
			continue;
		n += snprintf(out + n, n < outlen ? outlen - n : 0, "%s%s",
		    n ? "," : "", group_names[i]);
		if (n >= outlen)
			break;
	}
}
