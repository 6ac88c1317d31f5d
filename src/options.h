/*
 * SPDX-License-Identifier: ISC
 * Address options: the one table of option names, their value types and
 * the groups of address kinds they apply to, and the typed values an
 * address carries after parsing.  Parsing here does no I/O.
 */
#ifndef DUCT_OPTIONS_H
#define DUCT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/socket.h>

#include "duct.h"

/* Option groups; an address kind lists the groups it accepts. */
#define G_FD 0x0001u     /* every kind: line endings, ignoreeof */
#define G_FILE 0x0002u   /* open(2)-based kinds */
#define G_SOCKET 0x0004u /* every socket */
#define G_IP 0x0008u     /* IPv4/IPv6 sockets */
#define G_TCP 0x0010u    /* TCP sockets */
#define G_LISTEN 0x0020u /* listening sockets */
#define G_CHILD 0x0040u  /* kinds that can fork per connection */
#define G_UNIX 0x0080u   /* unix domain sockets */
#define G_EXEC 0x0100u   /* child programs */
#define G_RANGE 0x0200u  /* listeners whose peers have IP addresses */
#define G_TLS 0x0400u    /* TLS clients and servers */
/* Kinds that connect or shake hands, which connect-timeout= bounds. */
#define G_CONNECT 0x0800u
/* Kinds that connect and may try again (retry=, interval=, forever). */
#define G_RETRY 0x1000u
#define G_HTTP 0x2000u  /* HTTP CONNECT proxy clients */
#define G_SOCKS 0x4000u /* SOCKS clients */
/* Kinds whose socket(2) type and protocol socktype= and protocol= set. */
#define G_SOCKTYPE 0x8000u
#define G_TERMIOS 0x10000u /* kinds whose descriptor may be a terminal */
/*
 * Stream sockets that may speak the PROXY protocol: connecting kinds send
 * a header (proxy-protocol=), listening ones read one (accept-proxy).
 */
#define G_PROXY 0x20000u
#define G_PTY 0x40000u      /* the PTY kind */
#define G_READLINE 0x80000u /* the READLINE kind */
/* Kinds that receive datagrams and can log their ancillary data. */
#define G_ANCILLARY 0x100000u
/* Listeners whose peers workers= can serve, many per process. */
#define G_WORKERS 0x200000u

enum opt_type {
	OT_FLAG,    /* bool, optional =0/1/yes/no/on/off/true/false */
	OT_INT,     /* int, decimal */
	OT_SIZE,    /* size_t, K/M/G suffixes */
	OT_SECONDS, /* double, fractional seconds */
	OT_STRING,  /* char *, owned by the optvals */
	OT_MODE,    /* int, octal permission bits */
	OT_FAMILY,  /* int, AF_INET or AF_INET6 */
	OT_RANGE,   /* struct opt_range list, repeatable */
	OT_TLSVER,  /* int, TLS protocol version as on the wire (0x0303) */
	/*
	 * int: the row's .name is the value stored when the option is given
	 * (a choice among rows sharing one field, like shut-none/shut-down),
	 * or ORed in (open(2) flags); the option takes an optional flag.
	 */
	OT_CONST,
	OT_OFLAG,
	OT_SOCKOPT, /* LEVEL:NAME:VALUE, repeatable; struct opt_sockopt list */
	OT_IOCTL,   /* REQUEST[:VALUE], repeatable; struct opt_sockopt list */
	OT_BYTE,    /* int 0-255: a number (0x1d too) or ^X */
	/*
	 * A terminal setting: appended to optvals.termios in the order
	 * given; the row's .level, .name and .name6 say what it does
	 * (TERM_* below), and term.c applies it.
	 */
	OT_TERMIOS
};

/*
 * OT_TERMIOS rows: .level is TERM_<how> | TW_<word>; .name holds the
 * bits, the c_cc index, the B constant or the TERM_SPEC_* code; .name6
 * the mask of a multi-bit field.
 */
#define TW_IFLAG 0
#define TW_OFLAG 1
#define TW_CFLAG 2
#define TW_LFLAG 3
#define TERM_FLAG 0x00    /* set (=1) or clear (=0) .name in the word */
#define TERM_PATTERN 0x10 /* the field .name6 becomes .name */
#define TERM_FIELD 0x20   /* the field .name6 becomes =N, shifted in */
#define TERM_CHAR 0x30    /* c_cc[.name] becomes =N */
#define TERM_BAUD 0x40    /* both speeds become .name, a B constant */
#define TERM_SPEED 0x50   /* input (.name 0) or output (1) speed =BPS */
#define TERM_SPECIAL 0x60 /* several settings at once: .name TERM_SPEC_* */
#define TERM_HOW(level) ((level)&0xf0)
#define TERM_WORD(level) ((level)&0x0f)
#define TERM_SPEC_RAW 1
#define TERM_SPEC_RAWER 2
#define TERM_SPEC_CFMAKERAW 3
#define TERM_SPEC_SANE 4

/* Row indices; also the bit positions in optvals.given. */
enum opt_id {
	OPT_IGNOREEOF,
	OPT_CRLF,
	OPT_CR,
	OPT_CREAT,
	OPT_EXCL,
	OPT_TRUNC,
	OPT_APPEND,
	OPT_MODE,
	OPT_SEEK,
	OPT_NONBLOCK,
	OPT_BIND,
	OPT_REUSEADDR,
	OPT_REUSEPORT,
	OPT_SNDBUF,
	OPT_RCVBUF,
	OPT_KEEPALIVE,
	OPT_NODELAY,
	OPT_LINGER,
	OPT_CONNECT_TIMEOUT,
	OPT_PF,
	OPT_BACKLOG,
	OPT_FORK,
	OPT_UNLINK_EARLY,
	OPT_UNLINK_CLOSE,
	OPT_PIPES,
	OPT_STDERR,
	OPT_PTY,
	OPT_RAWER,
	OPT_ECHO,
	OPT_SETSID,
	OPT_FDIN,
	OPT_FDOUT,
	OPT_NOFORK,
	OPT_SETPGID,
	OPT_CTTY,
	OPT_SIGINT,
	OPT_SIGHUP,
	OPT_SIGQUIT,
	OPT_SU,
	OPT_SU_D,
	OPT_CHROOT,
	OPT_UMASK,
	OPT_PATH,
	OPT_LOGIN,
	OPT_PROXYPORT,
	OPT_PROXYAUTH,
	OPT_RESOLVE,
	OPT_IGNORECR,
	OPT_SOCKSPORT,
	OPT_SOCKSUSER,
	OPT_SOCKSPASS,
	OPT_RETRY,
	OPT_INTERVAL,
	OPT_FOREVER,
	OPT_MAX_CHILDREN,
	OPT_ACCEPT_TIMEOUT,
	OPT_RANGE,
	OPT_CERT,
	OPT_KEY,
	OPT_CAFILE,
	OPT_CAPATH,
	OPT_VERIFY,
	OPT_COMMONNAME,
	OPT_SNIHOST,
	OPT_CIPHER,
	OPT_MIN_VERSION,
	OPT_MAX_VERSION,
	OPT_ALPN,
	OPT_RAW,
	OPT_CFMAKERAW,
	OPT_SANE,
	OPT_BRKINT,
	OPT_ICRNL,
	OPT_IGNBRK,
	OPT_IGNCR,
	OPT_IGNPAR,
	OPT_IMAXBEL,
	OPT_INLCR,
	OPT_INPCK,
	OPT_ISTRIP,
	OPT_IUCLC,
	OPT_IXANY,
	OPT_IXOFF,
	OPT_IXON,
	OPT_PARMRK,
	OPT_OPOST,
	OPT_OLCUC,
	OPT_ONLCR,
	OPT_OCRNL,
	OPT_ONOCR,
	OPT_ONLRET,
	OPT_OFILL,
	OPT_OFDEL,
	OPT_NLDLY,
	OPT_BSDLY,
	OPT_VTDLY,
	OPT_FFDLY,
	OPT_NL0,
	OPT_NL1,
	OPT_CR0,
	OPT_CR1,
	OPT_CR2,
	OPT_CR3,
	OPT_TAB0,
	OPT_TAB1,
	OPT_TAB2,
	OPT_TAB3,
	OPT_XTABS,
	OPT_BS0,
	OPT_BS1,
	OPT_VT0,
	OPT_VT1,
	OPT_FF0,
	OPT_FF1,
	OPT_CRDLY,
	OPT_TABDLY,
	OPT_CS5,
	OPT_CS6,
	OPT_CS7,
	OPT_CS8,
	OPT_CSIZE,
	OPT_CSTOPB,
	OPT_CREAD,
	OPT_PARENB,
	OPT_PARODD,
	OPT_HUPCL,
	OPT_CLOCAL,
	OPT_CRTSCTS,
	OPT_B0,
	OPT_B50,
	OPT_B75,
	OPT_B110,
	OPT_B134,
	OPT_B150,
	OPT_B200,
	OPT_B300,
	OPT_B600,
	OPT_B1200,
	OPT_B1800,
	OPT_B2400,
	OPT_B4800,
	OPT_B9600,
	OPT_B19200,
	OPT_B38400,
	OPT_B57600,
	OPT_B115200,
	OPT_B230400,
	OPT_B460800,
	OPT_B500000,
	OPT_B576000,
	OPT_B921600,
	OPT_B1000000,
	OPT_B1152000,
	OPT_B1500000,
	OPT_B2000000,
	OPT_B2500000,
	OPT_B3000000,
	OPT_B3500000,
	OPT_B4000000,
	OPT_ISPEED,
	OPT_OSPEED,
	OPT_ISIG,
	OPT_ICANON,
	OPT_XCASE,
	OPT_ECHOE,
	OPT_ECHOK,
	OPT_ECHONL,
	OPT_ECHOCTL,
	OPT_ECHOPRT,
	OPT_ECHOKE,
	OPT_FLUSHO,
	OPT_NOFLSH,
	OPT_TOSTOP,
	OPT_PENDIN,
	OPT_IEXTEN,
	OPT_VINTR,
	OPT_VQUIT,
	OPT_VERASE,
	OPT_VKILL,
	OPT_VEOF,
	OPT_VTIME,
	OPT_VMIN,
	OPT_VSWTC,
	OPT_VSTART,
	OPT_VSTOP,
	OPT_VSUSP,
	OPT_VEOL,
	OPT_VREPRINT,
	OPT_VDISCARD,
	OPT_VWERASE,
	OPT_VLNEXT,
	OPT_VEOL2,
	OPT_ESCAPE,
	OPT_LOCKFILE,
	OPT_WAITLOCK,
	OPT_LINK,
	OPT_WAITSLAVE,
	OPT_PTY_INTERVAL,
	OPT_PTMX,
	OPT_OPENPTY,
	OPT_HISTORY,
	OPT_PROMPT,
	OPT_NOPROMPT,
	OPT_NOECHO,
	OPT_TTL,
	OPT_TOS,
	OPT_MTUDISCOVER,
	OPT_IPV6ONLY,
	OPT_IP_OPTIONS,
	OPT_MSS,
	OPT_KEEPIDLE,
	OPT_KEEPINTVL,
	OPT_KEEPCNT,
	OPT_SYNCNT,
	OPT_USER_TIMEOUT,
	OPT_DEFER_ACCEPT,
	OPT_BINDTODEVICE,
	OPT_PRIORITY,
	OPT_DONTROUTE,
	OPT_OOBINLINE,
	OPT_BROADCAST,
	OPT_RCVTIMEO,
	OPT_SNDTIMEO,
	OPT_SETSOCKOPT_INT,
	OPT_SETSOCKOPT_BIN,
	OPT_SETSOCKOPT_STRING,
	OPT_SETSOCKOPT,
	OPT_IOCTL_VOID,
	OPT_IOCTL_INT,
	OPT_IOCTL_INTP,
	OPT_IOCTL_BIN,
	OPT_IOCTL_STRING,
	OPT_SOURCEPORT,
	OPT_LOWPORT,
	OPT_RDONLY,
	OPT_WRONLY,
	OPT_RDWR,
	OPT_NOATIME,
	OPT_SYNC,
	OPT_DSYNC,
	OPT_NOFOLLOW,
	OPT_NOCTTY,
	OPT_LARGEFILE,
	OPT_SEEK_END,
	OPT_FTRUNCATE,
	OPT_SETLK,
	OPT_SETLKW,
	OPT_FLOCK_EX,
	OPT_FLOCK_EX_NB,
	OPT_USER,
	OPT_GROUP,
	OPT_NO_SNI,
	OPT_READBYTES,
	OPT_NULL_EOF,
	OPT_SHUT_NONE,
	OPT_SHUT_DOWN,
	OPT_SHUT_CLOSE,
	OPT_SHUT_NULL,
	OPT_COOL_WRITE,
	OPT_END_CLOSE,
	OPT_SOCKTYPE,
	OPT_PROTOCOL,
	OPT_PROXY_PROTOCOL,
	OPT_ACCEPT_PROXY,
	OPT_PROXY_FROM,
	OPT_IP_ADD_MEMBERSHIP,
	OPT_IP_ADD_SOURCE_MEMBERSHIP,
	OPT_IP_MULTICAST_IF,
	OPT_IP_MULTICAST_LOOP,
	OPT_IP_MULTICAST_TTL,
	OPT_IPV6_JOIN_GROUP,
	OPT_IPV6_UNICAST_HOPS,
	OPT_IPV6_TCLASS,
	OPT_IP_RECVTTL,
	OPT_IP_RECVTOS,
	OPT_IP_PKTINFO,
	OPT_IP_RECVOPTS,
	OPT_IP_RECVERR,
	OPT_SO_TIMESTAMP,
	OPT_IPV6_RECVPKTINFO,
	OPT_IPV6_RECVHOPLIMIT,
	OPT_IPV6_RECVTCLASS,
	OPT_WORKERS,
	OPT_COUNT
};

/* One range= network: family, address bytes (network order), prefix. */
struct opt_range {
	int family; /* AF_INET or AF_INET6; AF_UNSPEC: raw, below */
	unsigned char addr[16];
	int prefix;
	/*
	 * socat's data notation for any socket kind: the peer address's
	 * bytes after its family, masked, must equal raw masked.
	 */
	unsigned char raw[32], rawmask[32];
	size_t rawlen;
};

/*
 * One setsockopt-int/-bin/-string (level, name) or ioctl-* (req, with the
 * row's id in level), and the value's bytes.
 */
struct opt_sockopt {
	int level, name;
	unsigned long req;
	size_t len;
	unsigned char val[64];
};

/* One TERMIOS option as given: its row and its value (1 for a flag). */
struct opt_term {
	int id; /* enum opt_id */
	int value;
};

/* Typed values of one address's options.  Strings are owned here. */
struct optvals {
	bool given[OPT_COUNT]; /* set by the user, in any form */
	bool ignoreeof, crlf, cr;
	bool creat, excl, trunc, append, nonblock;
	int mode;
	size_t seek;
	char *bind;
	bool reuseaddr, reuseport;
	size_t sndbuf, rcvbuf;
	bool keepalive, nodelay;
	int linger;
	double connect_timeout;
	int pf;
	int backlog;
	bool fork;
	bool unlink_early, unlink_close;
	bool pipes, child_stderr, pty, setsid;
	int fdin, fdout; /* given[] says whether they replace 0 and 1 */
	bool nofork, setpgid, ctty, sigint, sighup, sigquit, login;
	char *proxyport, *proxyauth; /* NULL: 8080, no authentication */
	bool resolve, ignorecr;
	char *socksport, *socksuser, *sockspass; /* NULL: 1080, default */
	int retry;                               /* tries after the first */
	double interval;                         /* seconds between tries */
	bool forever;
	char *su; /* su= and su-d= alike */
	char *chroot, *path;
	int umask;
	int max_children;
	double accept_timeout;
	struct opt_range *ranges; /* range= list; owned */
	size_t nranges;
	char *cert, *key, *cafile, *capath;
	bool verify;
	char *commonname, *snihost, *cipher;
	int min_version; /* OPT_TLS_1_2 or OPT_TLS_1_3 */
	int max_version; /* the same, or 0: the newest OpenSSL has */
	char *alpn;
	struct opt_term
	    *termios; /* TERMIOS options in the order given; owned */
	size_t ntermios;
	int escape;                /* escape=: a byte, given[] says if any */
	char *lockfile, *waitlock; /* UUCP lock file to take before opening */
	char *link;                /* PTY: symbolic link to the slave */
	bool waitslave, ptmx, openpty; /* ptmx, openpty: socat's, no effect */
	double pty_interval;
	char *history, *prompt, *noecho; /* READLINE */
	bool noprompt;
	int ttl, tos, mtudiscover;
	bool ipv6only;
	char *ip_options;
	int mss, keepidle, keepintvl, keepcnt, syncnt, user_timeout;
	int defer_accept;
	char *bindtodevice;
	int priority;
	bool dontroute, oobinline, broadcast;
	double rcvtimeo, sndtimeo;
	struct opt_sockopt *sockopts; /* setsockopt-* list; owned */
	struct opt_sockopt *ioctls;   /* ioctl-* list; owned */
	size_t nioctls;
	size_t nsockopts;
	int sourceport;
	bool lowport;
	int accmode; /* O_RDONLY/O_WRONLY/O_RDWR from rdonly/..., or -1 */
	int oflags;  /* extra open(2) flags */
	size_t seek_end;
	size_t ftruncate;
	int lock; /* OPT_SETLK ... OPT_FLOCK_EX_NB, or 0 */
	char *user, *group;
	bool no_sni;
	size_t readbytes;
	bool null_eof;
	int shut; /* enum ep_shut */
	bool cool_write, end_close;
	int socktype, protocol; /* socket(2)'s type and protocol */
	char *proxy_protocol;   /* "v1" or "v2": the PROXY header to send */
	bool accept_proxy;      /* read a PROXY header from each peer */
	struct opt_range *proxy_from; /* proxy-from= list; owned */
	size_t nproxy_from;
	/* Multicast: GROUP:IF-style text, made a struct by the row's conv. */
	char *ip_add_membership, *ip_add_source_membership;
	char *ip_multicast_if, *ipv6_join_group;
	bool ip_multicast_loop;
	int ip_multicast_ttl, ipv6_unicast_hops, ipv6_tclass;
	/* Ancillary data asked for on received datagrams (cmsg.h). */
	bool ip_recvttl, ip_recvtos, ip_pktinfo, ip_recvopts, ip_recverr;
	bool so_timestamp, ipv6_recvpktinfo, ipv6_recvhoplimit;
	bool ipv6_recvtclass;
	int workers; /* workers=: processes; 0 the number of CPUs */
};

/* TLS protocol versions as on the wire, for min-version=. */
#define OPT_TLS_1_2 0x0303
#define OPT_TLS_1_3 0x0304

/* Names of one option: the canonical one and socat's spellings. */
#define OPT_NAMES 8

struct opt_def {
	const char *names[OPT_NAMES]; /* canonical first, NULL-terminated */
	enum opt_type type;
	unsigned groups;
	size_t offset; /* of the value in struct optvals */
	int level,
	    name; /* setsockopt (name 0: none); OT_CONST/OT_OFLAG: value */
	int level6, name6; /* on an IPv6 socket instead (name6 0: none) */
	const char *value; /* value placeholder for help, or NULL */
	const char *help;  /* one line for --help */
	const char *needs; /* name of an option this one needs, or NULL */
	bool empty;        /* OT_STRING: "" is a value of its own */
	const char *dflt;  /* the value when none is given, or NULL: needed */
	/*
	 * OT_STRING rows whose setsockopt takes a struct (ip_mreqn for
	 * ip-add-membership): makes the value from the text into buf (64
	 * bytes) and returns its length, or 0 with err.  With check only the
	 * syntax counts (parsing does no I/O: interface names are looked up
	 * when the option is applied).  NULL for a plain string.
	 */
	socklen_t (*conv)(const char *text, bool check, void *buf, char *err);
};

/* The table, OPT_COUNT rows in enum opt_id order. */
extern const struct opt_def opt_table[OPT_COUNT];

/* Fills vals with the defaults (nothing given). */
void opts_init(struct optvals *vals);

/* Frees the strings held by vals. */
void opts_free(struct optvals *vals);

/* Returns the row whose name or alias is name (case-insensitive), or NULL. */
const struct opt_def *opts_find(const char *name);

/*
 * Stores the value text (NULL when the option had no "=") for row def into
 * vals.  Returns 0, or -1 with a one-line reason in err ("wants an integer,
 * got \"x\"").  A repeated option replaces the earlier value.
 */
int opts_set(struct optvals *vals, const struct opt_def *def, const char *value,
    char *err);

/*
 * Applies to the socket fd every given option that has a setsockopt
 * level/name (its IPv6 twin on an IPv6 socket; an IP-only option is left
 * out on an IPv6 socket that has no twin, and ipv6only on IPv4), then
 * setsockopt-int/-bin/-string.  Returns 0, or -1 with err filled
 * ("setsockopt sndbuf: ...").  With -s (opts_set_sloppy) a refused named
 * option is a warning and the others are still applied.
 */
int opts_apply_sock(int fd, const struct optvals *vals, char *err);

/*
 * -s: an option that cannot be applied at open time (a setsockopt, the
 * chmod of mode=, the seek of seek=) is a warning and the open goes on.
 */
void opts_set_sloppy(bool on);
bool opts_get_sloppy(void);

/*
 * True when the peer address sa falls in one of vals' range= networks, or
 * when no range= was given.  An IPv4-mapped IPv6 peer matches IPv4 ranges.
 */
bool opts_range_allows(const struct optvals *vals, const struct sockaddr *sa);

/*
 * True when sa falls in one of the n networks of list (IPv4-mapped IPv6
 * matching IPv4 networks); false for n 0 and for a peer without an IP
 * address.
 */
bool opts_networks_match(
    const struct opt_range *list, size_t n, const struct sockaddr *sa);

/*
 * Whether a listener lets in the peer sa: NULL when it does, or why not
 * ("not in range=", "source port 4000 is not sourceport=22"), a static
 * string or one in buf (len bytes).
 */
const char *opts_peer_refusal(const struct optvals *vals,
    const struct sockaddr *sa, char *buf, size_t len);

/*
 * Applies the ioctl-* options of vals to fd, in the order given.
 * Returns 0, or -1 with err filled ("ioctl 0x5309: ...").
 */
int opts_apply_ioctl(int fd, const struct optvals *vals, char *err);

/* The port of an IPv4 or IPv6 address, or -1 for another family. */
int opts_sockaddr_port(const struct sockaddr *sa);

/* True when vals holds any check opts_peer_refusal() makes. */
bool opts_peer_checks(const struct optvals *vals);

/*
 * The uid and gid that o's user= and group= name (a name or a number);
 * (uid_t)-1 / (gid_t)-1 for one not given.  Returns 0, or -1 with err
 * ("no user \"x\"").
 */
int opts_owner(const struct optvals *o, uid_t *uid, gid_t *gid, char *err);

/*
 * The B constant (termios.h) of a line speed in bit/s, from the bN rows
 * of the table, or -1 when no row has that speed.
 */
int opts_baud(long bps);

/* Comma-separated group names of a mask, for help ("SOCKET,IP"). */
void opts_group_names(unsigned groups, char *out, size_t outlen);

/*
 * Parses a size with optional K/M/G suffix (binary).  Returns 0, or -1
 * when text is not a positive size.
 */
int opts_parse_size(const char *text, size_t *out);

/* Parses non-negative fractional seconds.  Returns 0 or -1. */
int opts_parse_seconds(const char *text, double *out);

/* One hex digit's value, or -1. */
int opts_hexval(int c);

#endif
