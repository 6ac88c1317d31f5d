/*
 * SPDX-License-Identifier: ISC
 * The option table and typed parsing of option values.  Each row names an
 * option, its value type, the groups of kinds it applies to and where its
 * value lives; plain socket options also carry their setsockopt level and
 * name so that no kind needs code for them.  No I/O except setsockopt
 * and ioctl, and the lookup of a host name given in range=.  Most of its length is the table itself, which is data and
 * stays in one place on purpose: one list of names, socat's included.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <ifaddrs.h>
#include <netdb.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <termios.h>

#include "endpoint.h"
#include "log.h"
#include "options.h"
#include "xmalloc.h"

#define OFF(f) offsetof(struct optvals, f)
#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))
#define SOCKOPT(l, n) .level = (l), .name = (n)
#define SOCKOPT6(l, n) .level6 = (l), .name6 = (n)
/* A TERMIOS row: how (TERM_*), which word, the bits or index, a mask. */
#define TERMIOS(how, word, val, mask) \
	OT_TERMIOS, G_TERMIOS, OFF(termios), \
	    .level = (how) | (word), .name = (int)(val), .name6 = (int)(mask)

static socklen_t opts_conv_mreqn(const char *, bool, void *, char *);
static socklen_t opts_conv_mreq_source(const char *, bool, void *, char *);
static socklen_t opts_conv_mcast_if(const char *, bool, void *, char *);
static socklen_t opts_conv_ipv6_mreq(const char *, bool, void *, char *);

const struct opt_def opt_table[OPT_COUNT] = {
	[OPT_IGNOREEOF] = { { "ignoreeof" }, OT_FLAG, G_FD, OFF(ignoreeof),
	    .help = "treat end of file as \"no data yet\" and keep polling" },
	[OPT_CRLF] = { { "crlf", "crnl" }, OT_FLAG, G_FD, OFF(crlf),
	    .help = "write LF as CRLF; read CRLF as LF" },
	[OPT_CR] = { { "cr" }, OT_FLAG, G_FD, OFF(cr),
	    .help = "write LF as CR; read CR as LF" },
	[OPT_CREAT] = { { "creat", "create", "o-creat", "o-create" }, OT_FLAG,
	    G_FILE, OFF(creat),
	    .help = "create the file if it does not exist" },
	[OPT_EXCL] = { { "excl", "o-excl" }, OT_FLAG, G_FILE, OFF(excl),
	    .help = "with creat: fail if the file exists" },
	[OPT_TRUNC] = { { "trunc", "o-trunc" }, OT_FLAG, G_FILE, OFF(trunc),
	    .help = "truncate the file to zero length on open" },
	[OPT_APPEND] = { { "append", "o-append" }, OT_FLAG, G_FILE, OFF(append),
	    .help = "always write at the end of the file" },
	[OPT_MODE] = { { "mode", "perm", "perm-early" }, OT_MODE,
	    G_FILE | G_UNIX | G_PTY, OFF(mode), .value = "OCTAL",
	    .help = "permissions of a created file, fifo, socket or PTY slave" },
	[OPT_SEEK] = { { "seek", "seek-set", "lseek", "lseek-set" }, OT_SIZE,
	    G_FILE, OFF(seek), .value = "N", .help = "start at byte offset N" },
	[OPT_NONBLOCK] = { { "nonblock", "o-nonblock", "o-ndelay", "ndelay" },
	    OT_FLAG, G_FILE | G_SOCKET, OFF(nonblock),
	    .help = "open without waiting (a FIFO with no peer); sockets "
		    "always are" },
	[OPT_BIND] = { { "bind" }, OT_STRING, G_SOCKET, OFF(bind),
	    .value = "ADDR",
	    .help = "local address: HOST[:PORT] for IP, a path for UNIX" },
	[OPT_REUSEADDR] = { { "reuseaddr", "so-reuseaddr" }, OT_FLAG, G_SOCKET,
	    OFF(reuseaddr), SOCKOPT(SOL_SOCKET, SO_REUSEADDR),
	    .help = "SO_REUSEADDR (default on for TCP-LISTEN)" },
	[OPT_REUSEPORT] = { { "reuseport", "so-reuseport" }, OT_FLAG, G_IP,
	    OFF(reuseport), SOCKOPT(SOL_SOCKET, SO_REUSEPORT),
	    .help = "SO_REUSEPORT" },
	[OPT_SNDBUF] = { { "sndbuf", "so-sndbuf" }, OT_SIZE, G_SOCKET,
	    OFF(sndbuf), SOCKOPT(SOL_SOCKET, SO_SNDBUF), .value = "N",
	    .help = "socket send buffer size (SO_SNDBUF)" },
	[OPT_RCVBUF] = { { "rcvbuf", "so-rcvbuf" }, OT_SIZE, G_SOCKET,
	    OFF(rcvbuf), SOCKOPT(SOL_SOCKET, SO_RCVBUF), .value = "N",
	    .help = "socket receive buffer size (SO_RCVBUF)" },
	[OPT_KEEPALIVE] = { { "keepalive", "so-keepalive" }, OT_FLAG, G_TCP,
	    OFF(keepalive), SOCKOPT(SOL_SOCKET, SO_KEEPALIVE),
	    .help = "send TCP keepalive probes (SO_KEEPALIVE)" },
	[OPT_NODELAY] = { { "nodelay", "tcp-nodelay" }, OT_FLAG, G_TCP,
	    OFF(nodelay), SOCKOPT(IPPROTO_TCP, TCP_NODELAY),
	    .help = "send small writes at once (TCP_NODELAY)" },
	[OPT_LINGER] = { { "linger", "so-linger" }, OT_INT, G_TCP, OFF(linger),
	    SOCKOPT(SOL_SOCKET, SO_LINGER), .value = "S",
	    .help = "on close, wait S seconds for unsent data (SO_LINGER)" },
	[OPT_CONNECT_TIMEOUT] = { { "connect-timeout" }, OT_SECONDS,
	    G_CONNECT | G_PROXY, OFF(connect_timeout), .value = "S",
	    .help = "give up connecting after S seconds" },
	[OPT_PF] = { { "pf", "protocol-family" }, OT_FAMILY, G_IP, OFF(pf),
	    .value = "ip4|ip6", .help = "address family to resolve and use" },
	[OPT_BACKLOG] = { { "backlog" }, OT_INT, G_LISTEN, OFF(backlog),
	    .value = "N", .help = "length of the pending connection queue" },
	[OPT_FORK] = { { "fork" }, OT_FLAG, G_CHILD, OFF(fork),
	    .help = "a child serves each peer; connecting kinds connect again" },
	[OPT_UNLINK_EARLY] = { { "unlink-early", "unlink" }, OT_FLAG,
	    G_UNIX | G_FILE, OFF(unlink_early),
	    .help = "remove an existing file or socket file first" },
	[OPT_UNLINK_CLOSE] = { { "unlink-close" }, OT_FLAG, G_UNIX | G_FILE,
	    OFF(unlink_close),
	    .help = "remove the file or socket file at exit (default for "
		    "listeners)" },
	[OPT_PIPES] = { { "pipes" }, OT_FLAG, G_EXEC, OFF(pipes),
	    .help = "join the program through two pipes, not a socketpair" },
	[OPT_STDERR] = { { "stderr" }, OT_FLAG, G_EXEC, OFF(child_stderr),
	    .help = "relay the program's standard error too" },
	[OPT_PTY] = { { "pty" }, OT_FLAG, G_EXEC, OFF(pty),
	    .help = "give the program a pseudo-terminal" },
	[OPT_RAWER] = { { "rawer", "termios-rawer" },
	    TERMIOS(TERM_SPECIAL, 0, TERM_SPEC_RAWER, 0),
	    .help = "raw and no echo: every byte passes as it is" },
	[OPT_ECHO] = { { "echo" }, TERMIOS(TERM_FLAG, TW_LFLAG, ECHO, 0),
	    .help = "echo input (echo=0: off)" },
	[OPT_SETSID] = { { "setsid", "sid" }, OT_FLAG, G_FD, OFF(setsid),
	    .help = "a new session: EXEC's program, else duct itself" },
	[OPT_FDIN] = { { "fdin" }, OT_INT, G_EXEC, OFF(fdin), .value = "N",
	    .help = "the program reads from its descriptor N, not 0" },
	[OPT_FDOUT] = { { "fdout" }, OT_INT, G_EXEC, OFF(fdout), .value = "N",
	    .help = "the program writes to its descriptor N, not 1" },
	[OPT_NOFORK] = { { "nofork" }, OT_FLAG, G_EXEC, OFF(nofork),
	    .help =
		"address 2: duct becomes the program, joined to address 1" },
	[OPT_SETPGID] = { { "setpgid", "pgid" }, OT_FLAG, G_EXEC, OFF(setpgid),
	    .help = "start the program in a process group of its own" },
	[OPT_CTTY] = { { "ctty", "tiocsctty" }, OT_FLAG, G_EXEC, OFF(ctty),
	    .help = "with pty: make it the controlling terminal (default on)",
	    .needs = "pty" },
	[OPT_SIGINT] = { { "sigint" }, OT_FLAG, G_EXEC, OFF(sigint),
	    .help = "pass SIGINT on to the program instead of ending" },
	[OPT_SIGHUP] = { { "sighup" }, OT_FLAG, G_EXEC, OFF(sighup),
	    .help = "pass SIGHUP on to the program instead of ending" },
	[OPT_SIGQUIT] = { { "sigquit" }, OT_FLAG, G_EXEC, OFF(sigquit),
	    .help = "pass SIGQUIT on to the program instead of ending" },
	[OPT_SU] = { { "su", "substuser" }, OT_STRING, G_EXEC, OFF(su),
	    .value = "USER",
	    .help = "run the program as USER, with its groups" },
	[OPT_SU_D] = { { "su-d", "substuser-delayed" }, OT_STRING, G_EXEC,
	    OFF(su), .value = "USER",
	    .help = "the same as su= (duct looks USER up before chroot=)" },
	[OPT_CHROOT] = { { "chroot" }, OT_STRING, G_EXEC, OFF(chroot),
	    .value = "DIR", .help = "run the program with DIR as its root" },
	[OPT_UMASK] = { { "umask" }, OT_MODE, G_EXEC | G_FILE | G_UNIX,
	    OFF(umask), .value = "OCTAL",
	    .help = "file creation mask for what this address creates (EXEC: "
		    "the program's)" },
	[OPT_PATH] = { { "path" }, OT_STRING, G_EXEC, OFF(path),
	    .value = "DIRS",
	    .help = "PATH to find the program in, and its PATH too" },
	[OPT_LOGIN] = { { "login", "dash" }, OT_FLAG, G_EXEC, OFF(login),
	    .help = "prefix the program's argv[0] with '-' (login shell)" },
	[OPT_PROXYPORT] = { { "proxyport" }, OT_STRING, G_HTTP, OFF(proxyport),
	    .value = "PORT", .help = "the HTTP proxy's port (default 8080)" },
	[OPT_PROXYAUTH] = { { "proxyauth", "proxy-authorization",
				"proxy-auth" },
	    OT_STRING, G_HTTP, OFF(proxyauth), .value = "USER:PASS",
	    .help = "log in to the proxy (Basic authentication)" },
	[OPT_RESOLVE] = { { "resolve", "proxy-resolve" }, OT_FLAG, G_HTTP,
	    OFF(resolve),
	    .help = "resolve HOST here and ask the proxy for its address" },
	[OPT_IGNORECR] = { { "ignorecr" }, OT_FLAG, G_HTTP, OFF(ignorecr),
	    .help = "accept a proxy answer whose lines end in LF, not CRLF" },
	[OPT_SOCKSPORT] = { { "socksport" }, OT_STRING, G_SOCKS, OFF(socksport),
	    .value = "PORT", .help = "the SOCKS server's port (default 1080)" },
	[OPT_SOCKSUSER] = { { "socksuser" }, OT_STRING, G_SOCKS, OFF(socksuser),
	    .value = "USER",
	    .help = "user name for the SOCKS server (SOCKS4: default "
		    "$LOGNAME)" },
	[OPT_SOCKSPASS] = { { "sockspass" }, OT_STRING, G_SOCKS, OFF(sockspass),
	    .value = "PASS", .help = "SOCKS5: password for socksuser=",
	    .needs = "socksuser", .empty = true },
	[OPT_RETRY] = { { "retry" }, OT_INT, G_RETRY, OFF(retry), .value = "N",
	    .help = "when connecting or listening fails, try N more times" },
	[OPT_INTERVAL] = { { "interval", "intervall" }, OT_SECONDS, G_RETRY,
	    OFF(interval), .value = "S",
	    .help = "seconds between tries (default 1)" },
	[OPT_FOREVER] = { { "forever" }, OT_FLAG, G_RETRY, OFF(forever),
	    .help = "try to connect until it works" },
	[OPT_MAX_CHILDREN] = { { "max-children", "maxchildren" }, OT_INT,
	    G_CHILD, OFF(max_children), .value = "N",
	    .help = "with fork: at most N children at once; with workers: "
		    "at most N connections per worker",
	    .needs = "fork|workers" },
	[OPT_ACCEPT_TIMEOUT] = { { "accept-timeout" }, OT_SECONDS,
	    G_LISTEN | G_CHILD,
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
	    .help = "the name the peer's certificate must carry (\"\": none)",
	    .empty = true },
	[OPT_SNIHOST] = { { "snihost" }, OT_STRING, G_TLS, OFF(snihost),
	    .value = "NAME", .help = "server name to send (SNI)" },
	[OPT_CIPHER] = { { "cipher", "ciphers", "cipherlist" }, OT_STRING,
	    G_TLS, OFF(cipher), .value = "LIST",
	    .help = "allowed cipher suites (OpenSSL syntax)" },
	[OPT_MIN_VERSION] = { { "min-version", "openssl-min-proto-version",
				  "min-proto-version" },
	    OT_TLSVER, G_TLS, OFF(min_version), .value = "VERSION",
	    .help = "oldest TLS version: TLS1.2 (default) or TLS1.3" },
	[OPT_MAX_VERSION] = { { "max-version", "openssl-max-proto-version",
				  "max-proto-version" },
	    OT_TLSVER, G_TLS, OFF(max_version), .value = "VERSION",
	    .help = "newest TLS version: TLS1.2 or TLS1.3 (default: newest)" },
	[OPT_ALPN] = { { "alpn" }, OT_STRING, G_TLS, OFF(alpn),
	    .value = "P1:P2",
	    .help = "application protocols to offer or accept" },
	[OPT_RAW] = { { "raw" }, TERMIOS(TERM_SPECIAL, 0, TERM_SPEC_RAW, 0),
	    .help = "raw input, no output processing; echo stays as it is" },
	[OPT_CFMAKERAW] = { { "cfmakeraw", "termios-cfmakeraw" },
	    TERMIOS(TERM_SPECIAL, 0, TERM_SPEC_CFMAKERAW, 0),
	    .help = "cfmakeraw(3): raw, no echo, 8 bits, no parity" },
	[OPT_SANE] = { { "sane" }, TERMIOS(TERM_SPECIAL, 0, TERM_SPEC_SANE, 0),
	    .help = "reasonable settings for typing, as stty sane" },
	[OPT_BRKINT] = { { "brkint" }, TERMIOS(TERM_FLAG, TW_IFLAG, BRKINT, 0),
	    .help = "a break sends SIGINT" },
	[OPT_ICRNL] = { { "icrnl" }, TERMIOS(TERM_FLAG, TW_IFLAG, ICRNL, 0),
	    .help = "input CR becomes NL" },
	[OPT_IGNBRK] = { { "ignbrk" }, TERMIOS(TERM_FLAG, TW_IFLAG, IGNBRK, 0),
	    .help = "ignore a break" },
	[OPT_IGNCR] = { { "igncr" }, TERMIOS(TERM_FLAG, TW_IFLAG, IGNCR, 0),
	    .help = "ignore input CR" },
	[OPT_IGNPAR] = { { "ignpar" }, TERMIOS(TERM_FLAG, TW_IFLAG, IGNPAR, 0),
	    .help = "ignore bytes with parity errors" },
	[OPT_IMAXBEL] = { { "imaxbel" },
	    TERMIOS(TERM_FLAG, TW_IFLAG, IMAXBEL, 0),
	    .help = "ring the bell when the input queue is full" },
	[OPT_INLCR] = { { "inlcr" }, TERMIOS(TERM_FLAG, TW_IFLAG, INLCR, 0),
	    .help = "input NL becomes CR" },
	[OPT_INPCK] = { { "inpck" }, TERMIOS(TERM_FLAG, TW_IFLAG, INPCK, 0),
	    .help = "check the parity of input" },
	[OPT_ISTRIP] = { { "istrip" }, TERMIOS(TERM_FLAG, TW_IFLAG, ISTRIP, 0),
	    .help = "clear the eighth bit of input bytes" },
	[OPT_IUCLC] = { { "iuclc" }, TERMIOS(TERM_FLAG, TW_IFLAG, IUCLC, 0),
	    .help = "input upper case becomes lower case" },
	[OPT_IXANY] = { { "ixany" }, TERMIOS(TERM_FLAG, TW_IFLAG, IXANY, 0),
	    .help = "any byte restarts stopped output" },
	[OPT_IXOFF] = { { "ixoff", "tandem" },
	    TERMIOS(TERM_FLAG, TW_IFLAG, IXOFF, 0),
	    .help =
		"send STOP/START when the input queue fills (alias tandem)" },
	[OPT_IXON] = { { "ixon" }, TERMIOS(TERM_FLAG, TW_IFLAG, IXON, 0),
	    .help = "STOP/START from the line pause output" },
	[OPT_PARMRK] = { { "parmrk" }, TERMIOS(TERM_FLAG, TW_IFLAG, PARMRK, 0),
	    .help = "mark bytes with parity errors" },
	[OPT_OPOST] = { { "opost" }, TERMIOS(TERM_FLAG, TW_OFLAG, OPOST, 0),
	    .help = "process output (the other o* settings)" },
	[OPT_OLCUC] = { { "olcuc" }, TERMIOS(TERM_FLAG, TW_OFLAG, OLCUC, 0),
	    .help = "output lower case becomes upper case" },
	[OPT_ONLCR] = { { "onlcr" }, TERMIOS(TERM_FLAG, TW_OFLAG, ONLCR, 0),
	    .help = "output NL becomes CR NL" },
	[OPT_OCRNL] = { { "ocrnl" }, TERMIOS(TERM_FLAG, TW_OFLAG, OCRNL, 0),
	    .help = "output CR becomes NL" },
	[OPT_ONOCR] = { { "onocr" }, TERMIOS(TERM_FLAG, TW_OFLAG, ONOCR, 0),
	    .help = "no CR output in column 0" },
	[OPT_ONLRET] = { { "onlret" }, TERMIOS(TERM_FLAG, TW_OFLAG, ONLRET, 0),
	    .help = "NL does a carriage return" },
	[OPT_OFILL] = { { "ofill" }, TERMIOS(TERM_FLAG, TW_OFLAG, OFILL, 0),
	    .help = "send fill bytes for a delay" },
	[OPT_OFDEL] = { { "ofdel" }, TERMIOS(TERM_FLAG, TW_OFLAG, OFDEL, 0),
	    .help = "fill with DEL, not NUL" },
	[OPT_NLDLY] = { { "nldly" }, TERMIOS(TERM_FLAG, TW_OFLAG, NLDLY, 0),
	    .help = "delay after NL" },
	[OPT_BSDLY] = { { "bsdly" }, TERMIOS(TERM_FLAG, TW_OFLAG, BSDLY, 0),
	    .help = "delay after backspace" },
	[OPT_VTDLY] = { { "vtdly" }, TERMIOS(TERM_FLAG, TW_OFLAG, VTDLY, 0),
	    .help = "delay after vertical tab" },
	[OPT_FFDLY] = { { "ffdly" }, TERMIOS(TERM_FLAG, TW_OFLAG, FFDLY, 0),
	    .help = "delay after form feed" },
	[OPT_NL0] = { { "nl0" }, TERMIOS(TERM_PATTERN, TW_OFLAG, NL0, NLDLY),
	    .help = "newline delay style 0" },
	[OPT_NL1] = { { "nl1" }, TERMIOS(TERM_PATTERN, TW_OFLAG, NL1, NLDLY),
	    .help = "newline delay style 1" },
	[OPT_CR0] = { { "cr0" }, TERMIOS(TERM_PATTERN, TW_OFLAG, CR0, CRDLY),
	    .help = "carriage return delay style 0" },
	[OPT_CR1] = { { "cr1" }, TERMIOS(TERM_PATTERN, TW_OFLAG, CR1, CRDLY),
	    .help = "carriage return delay style 1" },
	[OPT_CR2] = { { "cr2" }, TERMIOS(TERM_PATTERN, TW_OFLAG, CR2, CRDLY),
	    .help = "carriage return delay style 2" },
	[OPT_CR3] = { { "cr3" }, TERMIOS(TERM_PATTERN, TW_OFLAG, CR3, CRDLY),
	    .help = "carriage return delay style 3" },
	[OPT_TAB0] = { { "tab0" },
	    TERMIOS(TERM_PATTERN, TW_OFLAG, TAB0, TABDLY),
	    .help = "tab delay style 0" },
	[OPT_TAB1] = { { "tab1" },
	    TERMIOS(TERM_PATTERN, TW_OFLAG, TAB1, TABDLY),
	    .help = "tab delay style 1" },
	[OPT_TAB2] = { { "tab2" },
	    TERMIOS(TERM_PATTERN, TW_OFLAG, TAB2, TABDLY),
	    .help = "tab delay style 2" },
	[OPT_TAB3] = { { "tab3" },
	    TERMIOS(TERM_PATTERN, TW_OFLAG, TAB3, TABDLY),
	    .help = "tab delay style 3" },
	[OPT_XTABS] = { { "xtabs" },
	    TERMIOS(TERM_PATTERN, TW_OFLAG, XTABS, TABDLY),
	    .help = "tabs become spaces" },
	[OPT_BS0] = { { "bs0" }, TERMIOS(TERM_PATTERN, TW_OFLAG, BS0, BSDLY),
	    .help = "backspace delay style 0" },
	[OPT_BS1] = { { "bs1" }, TERMIOS(TERM_PATTERN, TW_OFLAG, BS1, BSDLY),
	    .help = "backspace delay style 1" },
	[OPT_VT0] = { { "vt0" }, TERMIOS(TERM_PATTERN, TW_OFLAG, VT0, VTDLY),
	    .help = "vertical tab delay style 0" },
	[OPT_VT1] = { { "vt1" }, TERMIOS(TERM_PATTERN, TW_OFLAG, VT1, VTDLY),
	    .help = "vertical tab delay style 1" },
	[OPT_FF0] = { { "ff0" }, TERMIOS(TERM_PATTERN, TW_OFLAG, FF0, FFDLY),
	    .help = "form feed delay style 0" },
	[OPT_FF1] = { { "ff1" }, TERMIOS(TERM_PATTERN, TW_OFLAG, FF1, FFDLY),
	    .help = "form feed delay style 1" },
	[OPT_CRDLY] = { { "crdly" }, TERMIOS(TERM_FIELD, TW_OFLAG, 0, CRDLY),
	    .value = "0-3", .help = "carriage return delay style" },
	[OPT_TABDLY] = { { "tabdly" }, TERMIOS(TERM_FIELD, TW_OFLAG, 0, TABDLY),
	    .value = "0-3", .help = "tab delay style (3: tabs become spaces)" },
	[OPT_CS5] = { { "cs5" }, TERMIOS(TERM_PATTERN, TW_CFLAG, CS5, CSIZE),
	    .help = "5 bits per character" },
	[OPT_CS6] = { { "cs6" }, TERMIOS(TERM_PATTERN, TW_CFLAG, CS6, CSIZE),
	    .help = "6 bits per character" },
	[OPT_CS7] = { { "cs7" }, TERMIOS(TERM_PATTERN, TW_CFLAG, CS7, CSIZE),
	    .help = "7 bits per character" },
	[OPT_CS8] = { { "cs8" }, TERMIOS(TERM_PATTERN, TW_CFLAG, CS8, CSIZE),
	    .help = "8 bits per character" },
	[OPT_CSIZE] = { { "csize" }, TERMIOS(TERM_FIELD, TW_CFLAG, 0, CSIZE),
	    .value = "0-3", .help = "bits per character: 0 for 5 ... 3 for 8" },
	[OPT_CSTOPB] = { { "cstopb" }, TERMIOS(TERM_FLAG, TW_CFLAG, CSTOPB, 0),
	    .help = "two stop bits, not one" },
	[OPT_CREAD] = { { "cread" }, TERMIOS(TERM_FLAG, TW_CFLAG, CREAD, 0),
	    .help = "enable the receiver" },
	[OPT_PARENB] = { { "parenb" }, TERMIOS(TERM_FLAG, TW_CFLAG, PARENB, 0),
	    .help = "generate and check parity" },
	[OPT_PARODD] = { { "parodd" }, TERMIOS(TERM_FLAG, TW_CFLAG, PARODD, 0),
	    .help = "odd parity, not even" },
	[OPT_HUPCL] = { { "hupcl", "hup" },
	    TERMIOS(TERM_FLAG, TW_CFLAG, HUPCL, 0),
	    .help = "hang up when the last process closes the line" },
	[OPT_CLOCAL] = { { "clocal" }, TERMIOS(TERM_FLAG, TW_CFLAG, CLOCAL, 0),
	    .help = "ignore the modem control lines" },
	[OPT_CRTSCTS] = { { "crtscts" },
	    TERMIOS(TERM_FLAG, TW_CFLAG, CRTSCTS, 0),
	    .help = "RTS/CTS hardware flow control" },
	[OPT_B0] = { { "b0" }, TERMIOS(TERM_BAUD, 0, B0, 0),
	    .help = "hang up (speed 0)" },
	[OPT_B50] = { { "b50" }, TERMIOS(TERM_BAUD, 0, B50, 0),
	    .help = "line speed 50 bit/s, both ways" },
	[OPT_B75] = { { "b75" }, TERMIOS(TERM_BAUD, 0, B75, 0),
	    .help = "line speed 75 bit/s, both ways" },
	[OPT_B110] = { { "b110" }, TERMIOS(TERM_BAUD, 0, B110, 0),
	    .help = "line speed 110 bit/s, both ways" },
	[OPT_B134] = { { "b134" }, TERMIOS(TERM_BAUD, 0, B134, 0),
	    .help = "line speed 134 bit/s, both ways" },
	[OPT_B150] = { { "b150" }, TERMIOS(TERM_BAUD, 0, B150, 0),
	    .help = "line speed 150 bit/s, both ways" },
	[OPT_B200] = { { "b200" }, TERMIOS(TERM_BAUD, 0, B200, 0),
	    .help = "line speed 200 bit/s, both ways" },
	[OPT_B300] = { { "b300" }, TERMIOS(TERM_BAUD, 0, B300, 0),
	    .help = "line speed 300 bit/s, both ways" },
	[OPT_B600] = { { "b600" }, TERMIOS(TERM_BAUD, 0, B600, 0),
	    .help = "line speed 600 bit/s, both ways" },
	[OPT_B1200] = { { "b1200" }, TERMIOS(TERM_BAUD, 0, B1200, 0),
	    .help = "line speed 1200 bit/s, both ways" },
	[OPT_B1800] = { { "b1800" }, TERMIOS(TERM_BAUD, 0, B1800, 0),
	    .help = "line speed 1800 bit/s, both ways" },
	[OPT_B2400] = { { "b2400" }, TERMIOS(TERM_BAUD, 0, B2400, 0),
	    .help = "line speed 2400 bit/s, both ways" },
	[OPT_B4800] = { { "b4800" }, TERMIOS(TERM_BAUD, 0, B4800, 0),
	    .help = "line speed 4800 bit/s, both ways" },
	[OPT_B9600] = { { "b9600" }, TERMIOS(TERM_BAUD, 0, B9600, 0),
	    .help = "line speed 9600 bit/s, both ways" },
	[OPT_B19200] = { { "b19200" }, TERMIOS(TERM_BAUD, 0, B19200, 0),
	    .help = "line speed 19200 bit/s, both ways" },
	[OPT_B38400] = { { "b38400" }, TERMIOS(TERM_BAUD, 0, B38400, 0),
	    .help = "line speed 38400 bit/s, both ways" },
	[OPT_B57600] = { { "b57600" }, TERMIOS(TERM_BAUD, 0, B57600, 0),
	    .help = "line speed 57600 bit/s, both ways" },
	[OPT_B115200] = { { "b115200" }, TERMIOS(TERM_BAUD, 0, B115200, 0),
	    .help = "line speed 115200 bit/s, both ways" },
	[OPT_B230400] = { { "b230400" }, TERMIOS(TERM_BAUD, 0, B230400, 0),
	    .help = "line speed 230400 bit/s, both ways" },
	[OPT_B460800] = { { "b460800" }, TERMIOS(TERM_BAUD, 0, B460800, 0),
	    .help = "line speed 460800 bit/s, both ways" },
	[OPT_B500000] = { { "b500000" }, TERMIOS(TERM_BAUD, 0, B500000, 0),
	    .help = "line speed 500000 bit/s, both ways" },
	[OPT_B576000] = { { "b576000" }, TERMIOS(TERM_BAUD, 0, B576000, 0),
	    .help = "line speed 576000 bit/s, both ways" },
	[OPT_B921600] = { { "b921600" }, TERMIOS(TERM_BAUD, 0, B921600, 0),
	    .help = "line speed 921600 bit/s, both ways" },
	[OPT_B1000000] = { { "b1000000" }, TERMIOS(TERM_BAUD, 0, B1000000, 0),
	    .help = "line speed 1000000 bit/s, both ways" },
	[OPT_B1152000] = { { "b1152000" }, TERMIOS(TERM_BAUD, 0, B1152000, 0),
	    .help = "line speed 1152000 bit/s, both ways" },
	[OPT_B1500000] = { { "b1500000" }, TERMIOS(TERM_BAUD, 0, B1500000, 0),
	    .help = "line speed 1500000 bit/s, both ways" },
	[OPT_B2000000] = { { "b2000000" }, TERMIOS(TERM_BAUD, 0, B2000000, 0),
	    .help = "line speed 2000000 bit/s, both ways" },
	[OPT_B2500000] = { { "b2500000" }, TERMIOS(TERM_BAUD, 0, B2500000, 0),
	    .help = "line speed 2500000 bit/s, both ways" },
	[OPT_B3000000] = { { "b3000000" }, TERMIOS(TERM_BAUD, 0, B3000000, 0),
	    .help = "line speed 3000000 bit/s, both ways" },
	[OPT_B3500000] = { { "b3500000" }, TERMIOS(TERM_BAUD, 0, B3500000, 0),
	    .help = "line speed 3500000 bit/s, both ways" },
	[OPT_B4000000] = { { "b4000000" }, TERMIOS(TERM_BAUD, 0, B4000000, 0),
	    .help = "line speed 4000000 bit/s, both ways" },
	[OPT_ISPEED] = { { "ispeed" }, TERMIOS(TERM_SPEED, 0, 0, 0),
	    .value = "BPS",
	    .help = "input line speed in bit/s (one of the bN rates)" },
	[OPT_OSPEED] = { { "ospeed" }, TERMIOS(TERM_SPEED, 0, 1, 0),
	    .value = "BPS",
	    .help = "output line speed in bit/s (one of the bN rates)" },
	[OPT_ISIG] = { { "isig" }, TERMIOS(TERM_FLAG, TW_LFLAG, ISIG, 0),
	    .help = "INTR, QUIT and SUSP send signals" },
	[OPT_ICANON] = { { "icanon" }, TERMIOS(TERM_FLAG, TW_LFLAG, ICANON, 0),
	    .help = "canonical input: line editing, read by lines" },
	[OPT_XCASE] = { { "xcase" }, TERMIOS(TERM_FLAG, TW_LFLAG, XCASE, 0),
	    .help = "upper case terminal (with icanon)" },
	[OPT_ECHOE] = { { "echoe", "crterase" },
	    TERMIOS(TERM_FLAG, TW_LFLAG, ECHOE, 0),
	    .help = "ERASE erases the character shown" },
	[OPT_ECHOK] = { { "echok" }, TERMIOS(TERM_FLAG, TW_LFLAG, ECHOK, 0),
	    .help = "echo NL after KILL" },
	[OPT_ECHONL] = { { "echonl" }, TERMIOS(TERM_FLAG, TW_LFLAG, ECHONL, 0),
	    .help = "echo NL even without echo" },
	[OPT_ECHOCTL] = { { "echoctl", "ctlecho" },
	    TERMIOS(TERM_FLAG, TW_LFLAG, ECHOCTL, 0),
	    .help = "echo control characters as ^X" },
	[OPT_ECHOPRT] = { { "echoprt", "prterase" },
	    TERMIOS(TERM_FLAG, TW_LFLAG, ECHOPRT, 0),
	    .help = "echo erased characters between \\ and /" },
	[OPT_ECHOKE] = { { "echoke", "crtkill" },
	    TERMIOS(TERM_FLAG, TW_LFLAG, ECHOKE, 0),
	    .help = "KILL erases the line shown" },
	[OPT_FLUSHO] = { { "flusho" }, TERMIOS(TERM_FLAG, TW_LFLAG, FLUSHO, 0),
	    .help = "output is being discarded" },
	[OPT_NOFLSH] = { { "noflsh" }, TERMIOS(TERM_FLAG, TW_LFLAG, NOFLSH, 0),
	    .help = "no flush of the queues on a signal character" },
	[OPT_TOSTOP] = { { "tostop" }, TERMIOS(TERM_FLAG, TW_LFLAG, TOSTOP, 0),
	    .help = "background jobs that write get SIGTTOU" },
	[OPT_PENDIN] = { { "pendin" }, TERMIOS(TERM_FLAG, TW_LFLAG, PENDIN, 0),
	    .help = "retype pending input at the next read" },
	[OPT_IEXTEN] = { { "iexten" }, TERMIOS(TERM_FLAG, TW_LFLAG, IEXTEN, 0),
	    .help = "implementation-defined input processing (LNEXT, ...)" },
	[OPT_VINTR] = { { "vintr", "intr" }, TERMIOS(TERM_CHAR, 0, VINTR, 0),
	    .value = "CHAR", .help = "interrupt character (SIGINT)" },
	[OPT_VQUIT] = { { "vquit", "quit" }, TERMIOS(TERM_CHAR, 0, VQUIT, 0),
	    .value = "CHAR", .help = "quit character (SIGQUIT)" },
	[OPT_VERASE] = { { "verase", "erase" },
	    TERMIOS(TERM_CHAR, 0, VERASE, 0), .value = "CHAR",
	    .help = "erase character" },
	[OPT_VKILL] = { { "vkill", "kill" }, TERMIOS(TERM_CHAR, 0, VKILL, 0),
	    .value = "CHAR", .help = "line kill character" },
	[OPT_VEOF] = { { "veof", "eof" }, TERMIOS(TERM_CHAR, 0, VEOF, 0),
	    .value = "CHAR", .help = "end of file character" },
	[OPT_VTIME] = { { "vtime", "time" }, TERMIOS(TERM_CHAR, 0, VTIME, 0),
	    .value = "N",
	    .help = "non-canonical read timeout, tenths of a second" },
	[OPT_VMIN] = { { "vmin", "min" }, TERMIOS(TERM_CHAR, 0, VMIN, 0),
	    .value = "N", .help = "non-canonical read: minimum bytes" },
	[OPT_VSWTC] = { { "vswtc", "swtc", "swtch" },
	    TERMIOS(TERM_CHAR, 0, VSWTC, 0), .value = "CHAR",
	    .help = "switch character" },
	[OPT_VSTART] = { { "vstart", "start" },
	    TERMIOS(TERM_CHAR, 0, VSTART, 0), .value = "CHAR",
	    .help = "START character (ixon, ixoff)" },
	[OPT_VSTOP] = { { "vstop", "stop" }, TERMIOS(TERM_CHAR, 0, VSTOP, 0),
	    .value = "CHAR", .help = "STOP character (ixon, ixoff)" },
	[OPT_VSUSP] = { { "vsusp", "susp" }, TERMIOS(TERM_CHAR, 0, VSUSP, 0),
	    .value = "CHAR", .help = "suspend character (SIGTSTP)" },
	[OPT_VEOL] = { { "veol", "eol" }, TERMIOS(TERM_CHAR, 0, VEOL, 0),
	    .value = "CHAR", .help = "additional end of line character" },
	[OPT_VREPRINT] = { { "vreprint", "reprint", "rprnt" },
	    TERMIOS(TERM_CHAR, 0, VREPRINT, 0), .value = "CHAR",
	    .help = "reprint line character" },
	[OPT_VDISCARD] = { { "vdiscard", "discard" },
	    TERMIOS(TERM_CHAR, 0, VDISCARD, 0), .value = "CHAR",
	    .help = "discard output character" },
	[OPT_VWERASE] = { { "vwerase", "werase" },
	    TERMIOS(TERM_CHAR, 0, VWERASE, 0), .value = "CHAR",
	    .help = "word erase character" },
	[OPT_VLNEXT] = { { "vlnext", "lnext" },
	    TERMIOS(TERM_CHAR, 0, VLNEXT, 0), .value = "CHAR",
	    .help = "literal next character" },
	[OPT_VEOL2] = { { "veol2", "eol2" }, TERMIOS(TERM_CHAR, 0, VEOL2, 0),
	    .value = "CHAR", .help = "another end of line character" },
	[OPT_ESCAPE] = { { "escape" }, OT_BYTE, G_FD, OFF(escape),
	    .value = "CHAR",
	    .help = "this byte read from the address acts as end of file" },
	[OPT_LOCKFILE] = { { "lockfile" }, OT_STRING, G_TERMIOS, OFF(lockfile),
	    .value = "PATH",
	    .help = "UUCP lock file: fail when a live process holds it" },
	[OPT_WAITLOCK] = { { "waitlock" }, OT_STRING, G_TERMIOS, OFF(waitlock),
	    .value = "PATH",
	    .help = "UUCP lock file: wait while a live process holds it" },
	[OPT_LINK] = { { "link", "symbolic-link" }, OT_STRING, G_PTY, OFF(link),
	    .value = "PATH",
	    .help = "a symbolic link to the slave, removed at exit" },
	[OPT_WAITSLAVE] = { { "waitslave", "wait-slave", "pty-wait-slave" },
	    OT_FLAG, G_PTY, OFF(waitslave),
	    .help = "wait until something opens the slave" },
	[OPT_PTY_INTERVAL] = { { "pty-interval", "pty-intervall" }, OT_SECONDS,
	    G_PTY, OFF(pty_interval), .value = "S",
	    .help = "waitslave: look every S seconds (default 0.1)" },
	[OPT_PTMX] = { { "ptmx" }, OT_FLAG, G_PTY, OFF(ptmx),
	    .help = "socat's choice of /dev/ptmx: duct always uses it" },
	[OPT_OPENPTY] = { { "openpty" }, OT_FLAG, G_PTY, OFF(openpty),
	    .help = "socat's choice of openpty(3): the same pair as ptmx" },
	[OPT_HISTORY] = { { "history", "history-file" }, OT_STRING, G_READLINE,
	    OFF(history), .value = "FILE",
	    .help = "load and save the line history in FILE" },
	[OPT_PROMPT] = { { "prompt" }, OT_STRING, G_READLINE, OFF(prompt),
	    .value = "TEXT", .help = "show TEXT before each line typed" },
	[OPT_NOPROMPT] = { { "noprompt" }, OT_FLAG, G_READLINE, OFF(noprompt),
	    .help = "no prompt (default: the last unfinished line received)" },
	[OPT_NOECHO] = { { "noecho" }, OT_STRING, G_READLINE, OFF(noecho),
	    .value = "REGEX",
	    .help =
		"a prompt matching REGEX hides the line typed (passwords)" },
	[OPT_TTL] = { { "ttl", "ip-ttl", "ipttl" }, OT_INT, G_IP, OFF(ttl),
	    SOCKOPT(IPPROTO_IP, IP_TTL),
	    SOCKOPT6(IPPROTO_IPV6, IPV6_UNICAST_HOPS), .value = "N",
	    .help = "time to live (hop limit) of sent packets" },
	[OPT_TOS] = { { "tos", "ip-tos", "iptos" }, OT_INT, G_IP, OFF(tos),
	    SOCKOPT(IPPROTO_IP, IP_TOS), SOCKOPT6(IPPROTO_IPV6, IPV6_TCLASS),
	    .value = "N", .help = "type of service (traffic class) byte" },
	[OPT_MTUDISCOVER] = { { "mtudiscover", "ip-mtu-discover", "ipmtudiscover" }, OT_INT, G_IP, OFF(mtudiscover), SOCKOPT(IPPROTO_IP, IP_MTU_DISCOVER), SOCKOPT6(IPPROTO_IPV6, IPV6_MTU_DISCOVER), .value = "0|1|2", .help = "path MTU discovery: 0 never, 1 want, 2 do" },
	[OPT_IPV6ONLY] = { { "ipv6only", "ipv6-v6only", "v6only" }, OT_FLAG,
	    G_IP, OFF(ipv6only), SOCKOPT6(IPPROTO_IPV6, IPV6_V6ONLY),
	    .help = "an IPv6 socket does not take IPv4 peers" },
	[OPT_IP_OPTIONS] = { { "ip-options", "ipoptions" }, OT_STRING, G_IP,
	    OFF(ip_options), SOCKOPT(IPPROTO_IP, IP_OPTIONS), .value = "xHEX",
	    .help = "IPv4 header options, as hex bytes" },
	[OPT_MSS] = { { "mss", "tcp-maxseg", "maxseg" }, OT_INT, G_TCP,
	    OFF(mss), SOCKOPT(IPPROTO_TCP, TCP_MAXSEG), .value = "N",
	    .help = "largest TCP segment to send (TCP_MAXSEG)" },
	[OPT_KEEPIDLE] = { { "keepidle", "tcp-keepidle" }, OT_INT, G_TCP,
	    OFF(keepidle), SOCKOPT(IPPROTO_TCP, TCP_KEEPIDLE), .value = "S",
	    .help = "idle seconds before the first keepalive probe" },
	[OPT_KEEPINTVL] = { { "keepintvl", "tcp-keepintvl" }, OT_INT, G_TCP,
	    OFF(keepintvl), SOCKOPT(IPPROTO_TCP, TCP_KEEPINTVL), .value = "S",
	    .help = "seconds between keepalive probes" },
	[OPT_KEEPCNT] = { { "keepcnt", "tcp-keepcnt" }, OT_INT, G_TCP,
	    OFF(keepcnt), SOCKOPT(IPPROTO_TCP, TCP_KEEPCNT), .value = "N",
	    .help = "unanswered keepalive probes before the peer is dead" },
	[OPT_SYNCNT] = { { "syncnt", "tcp-syncnt" }, OT_INT, G_TCP, OFF(syncnt),
	    SOCKOPT(IPPROTO_TCP, TCP_SYNCNT), .value = "N",
	    .help = "SYN retransmits before connecting fails" },
	[OPT_USER_TIMEOUT] = { { "user-timeout", "tcp-user-timeout" }, OT_INT,
	    G_TCP, OFF(user_timeout), SOCKOPT(IPPROTO_TCP, TCP_USER_TIMEOUT),
	    .value = "MS",
	    .help = "drop the connection when sent data stays unacknowledged" },
	[OPT_DEFER_ACCEPT] = { { "defer-accept", "tcp-defer-accept" }, OT_INT,
	    G_TCP, OFF(defer_accept), SOCKOPT(IPPROTO_TCP, TCP_DEFER_ACCEPT),
	    .value = "S",
	    .help = "listeners: wake for a peer only once it sent data" },
	[OPT_BINDTODEVICE] = { { "bindtodevice", "so-bindtodevice", "if", "interface" }, OT_STRING, G_SOCKET, OFF(bindtodevice), SOCKOPT(SOL_SOCKET, SO_BINDTODEVICE), .value = "IFNAME", .help = "send and receive through this interface only" },
	[OPT_PRIORITY] = { { "priority", "so-priority" }, OT_INT, G_SOCKET,
	    OFF(priority), SOCKOPT(SOL_SOCKET, SO_PRIORITY), .value = "N",
	    .help = "queueing priority of sent packets (SO_PRIORITY)" },
	[OPT_DONTROUTE] = { { "dontroute", "so-dontroute" }, OT_FLAG, G_SOCKET,
	    OFF(dontroute), SOCKOPT(SOL_SOCKET, SO_DONTROUTE),
	    .help = "reach directly connected hosts only (SO_DONTROUTE)" },
	[OPT_OOBINLINE] = { { "oobinline", "so-oobinline" }, OT_FLAG, G_SOCKET,
	    OFF(oobinline), SOCKOPT(SOL_SOCKET, SO_OOBINLINE),
	    .help = "urgent data arrives in line (SO_OOBINLINE)" },
	[OPT_BROADCAST] = { { "broadcast", "so-broadcast" }, OT_FLAG, G_SOCKET,
	    OFF(broadcast), SOCKOPT(SOL_SOCKET, SO_BROADCAST),
	    .help = "allow sending to a broadcast address (SO_BROADCAST)" },
	[OPT_RCVTIMEO] = { { "rcvtimeo", "so-rcvtimeo" }, OT_SECONDS, G_SOCKET,
	    OFF(rcvtimeo), SOCKOPT(SOL_SOCKET, SO_RCVTIMEO), .value = "S",
	    .help = "SO_RCVTIMEO (the relay itself never blocks)" },
	[OPT_SNDTIMEO] = { { "sndtimeo", "so-sndtimeo" }, OT_SECONDS, G_SOCKET,
	    OFF(sndtimeo), SOCKOPT(SOL_SOCKET, SO_SNDTIMEO), .value = "S",
	    .help = "SO_SNDTIMEO (the relay itself never blocks)" },
	[OPT_SETSOCKOPT_INT] = { { "setsockopt-int", "sockopt-int" },
	    OT_SOCKOPT,
	    G_SOCKET, OFF(sockopts), .value = "LEVEL:NAME:INT",
	    .help = "any integer socket option (repeatable)" },
	[OPT_SETSOCKOPT_BIN] = { { "setsockopt-bin", "sockopt-bin" },
	    OT_SOCKOPT,
	    G_SOCKET, OFF(sockopts), .value = "LEVEL:NAME:xHEX",
	    .help = "any socket option, value as hex bytes (repeatable)" },
	[OPT_SETSOCKOPT_STRING] = { { "setsockopt-string", "sockopt-string" },
	    OT_SOCKOPT,
	    G_SOCKET, OFF(sockopts), .value = "LEVEL:NAME:TEXT",
	    .help = "any socket option, value as text with a NUL "
		    "(repeatable)" },
	[OPT_SETSOCKOPT] = { { "setsockopt", "sockopt", "setsockopt-listen",
				 "sockopt-listen" },
	    OT_SOCKOPT, G_SOCKET, OFF(sockopts), .value = "LEVEL:NAME:VALUE",
	    .help = "any socket option: an integer, xHEX bytes, or text "
		    "(repeatable)" },
	[OPT_IOCTL_VOID] = { { "ioctl-void", "ioctl" }, OT_IOCTL, G_FD,
	    OFF(ioctls), .value = "REQUEST",
	    .help = "ioctl(2) with no argument after opening (repeatable)" },
	[OPT_IOCTL_INT] = { { "ioctl-int" }, OT_IOCTL, G_FD, OFF(ioctls),
	    .value = "REQUEST:INT",
	    .help = "ioctl(2) with an integer argument (repeatable)" },
	[OPT_IOCTL_INTP] = { { "ioctl-intp" }, OT_IOCTL, G_FD, OFF(ioctls),
	    .value = "REQUEST:INT",
	    .help = "ioctl(2) with a pointer to an integer (repeatable)" },
	[OPT_IOCTL_BIN] = { { "ioctl-bin" }, OT_IOCTL, G_FD, OFF(ioctls),
	    .value = "REQUEST:xHEX",
	    .help = "ioctl(2) with a pointer to bytes given in hex "
		    "(repeatable)" },
	[OPT_IOCTL_STRING] = { { "ioctl-string" }, OT_IOCTL, G_FD,
	    OFF(ioctls), .value = "REQUEST:TEXT",
	    .help = "ioctl(2) with a pointer to text (repeatable)" },
	[OPT_SOURCEPORT] = { { "sourceport", "sp" }, OT_INT, G_IP,
	    OFF(sourceport), .value = "PORT",
	    .help = "connect from this port; listeners: only from it" },
	[OPT_LOWPORT] = { { "lowport" }, OT_FLAG, G_IP, OFF(lowport),
	    .help = "connect from a free port in 640-1023; listeners: only "
		    "from ports below 1024" },
	[OPT_RDONLY] = { { "rdonly", "o-rdonly", "o_rdonly" }, OT_CONST, G_FILE,
	    OFF(accmode), .name = O_RDONLY,
	    .help = "open for reading only: the address is read, never "
		    "written" },
	[OPT_WRONLY] = { { "wronly", "o-wronly", "o_wronly" }, OT_CONST, G_FILE,
	    OFF(accmode), .name = O_WRONLY,
	    .help = "open for writing only: the address is written, never "
		    "read" },
	[OPT_RDWR] = { { "rdwr", "o-rdwr", "o_rdwr" }, OT_CONST, G_FILE,
	    OFF(accmode), .name = O_RDWR,
	    .help = "open for reading and writing whatever the relay needs" },
	[OPT_NOATIME] = { { "noatime", "o-noatime" }, OT_OFLAG, G_FD,
	    OFF(oflags), .name = O_NOATIME,
	    .help = "reading does not update the access time (O_NOATIME)" },
	[OPT_SYNC] = { { "sync", "o-sync" }, OT_OFLAG, G_FILE, OFF(oflags),
	    .name = O_SYNC, .help = "each write reaches the disk (O_SYNC)" },
	[OPT_DSYNC] = { { "dsync", "o-dsync" }, OT_OFLAG, G_FILE, OFF(oflags),
	    .name = O_DSYNC,
	    .help = "each write's data reaches the disk (O_DSYNC)" },
	[OPT_NOFOLLOW] = { { "nofollow", "o-nofollow" }, OT_OFLAG, G_FILE,
	    OFF(oflags), .name = O_NOFOLLOW,
	    .help = "refuse a path that is a symbolic link (O_NOFOLLOW)" },
	[OPT_NOCTTY] = { { "noctty", "o-noctty" }, OT_OFLAG, G_FILE,
	    OFF(oflags), .name = O_NOCTTY,
	    .help = "a terminal does not become the controlling one "
		    "(always)" },
	[OPT_LARGEFILE] = { { "largefile", "o-largefile" }, OT_OFLAG, G_FILE,
	    OFF(oflags), .name = O_LARGEFILE,
	    .help = "files beyond 2 GiB (always on 64-bit systems)" },
	[OPT_SEEK_END] = { { "seek-end", "lseek-end" }, OT_SIZE, G_FILE,
	    OFF(seek_end), .value = "N", .dflt = "0",
	    .help = "start N bytes before the end of the file (0: at it)" },
	[OPT_FTRUNCATE] = { { "ftruncate", "truncate" }, OT_SIZE, G_FILE,
	    OFF(ftruncate), .value = "N",
	    .help = "cut or extend the file to N bytes after opening" },
	[OPT_SETLK] = { { "setlk", "setlk-wr", "f-setlk", "f-setlk-wr" },
	    OT_CONST, G_FD, OFF(lock), .name = OPT_SETLK,
	    .help = "take a write lock (fcntl); fail if it is held" },
	[OPT_SETLKW] = { { "setlkw", "setlkw-wr", "f-setlkw", "f-setlkw-wr" },
	    OT_CONST, G_FD, OFF(lock), .name = OPT_SETLKW,
	    .help = "take a write lock (fcntl); wait while it is held" },
	[OPT_FLOCK_EX] = { { "flock-ex", "flock" }, OT_CONST, G_FD, OFF(lock),
	    .name = OPT_FLOCK_EX,
	    .help = "take an exclusive flock(2); wait while it is held" },
	[OPT_FLOCK_EX_NB] = { { "flock-ex-nb", "flock-nb" }, OT_CONST, G_FD,
	    OFF(lock), .name = OPT_FLOCK_EX_NB,
	    .help = "take an exclusive flock(2); fail if it is held" },
	[OPT_USER] = { { "user", "owner", "uid", "user-early", "uid-e" },
	    OT_STRING, G_FILE | G_UNIX | G_PTY, OFF(user), .value = "USER",
	    .help = "owner of the file or socket (name or number)" },
	[OPT_GROUP] = { { "group", "gid", "group-early", "gid-e" }, OT_STRING,
	    G_FILE | G_UNIX | G_PTY, OFF(group), .value = "GROUP",
	    .help = "group of the file or socket (name or number)" },
	[OPT_NO_SNI] = { { "no-sni", "nosni" }, OT_FLAG, G_TLS, OFF(no_sni),
	    .help = "clients: send no server name (SNI)" },
	[OPT_READBYTES] = { { "readbytes", "bytes" }, OT_SIZE, G_FD,
	    OFF(readbytes), .value = "N",
	    .help = "read at most N bytes, then act as at end of file" },
	[OPT_NULL_EOF] = { { "null-eof" }, OT_FLAG, G_FD, OFF(null_eof),
	    .help = "an empty datagram read means end of file" },
	[OPT_SHUT_NONE] = { { "shut-none" }, OT_CONST, G_FD, OFF(shut),
	    .name = EP_SHUT_NONE,
	    .help = "pass no end of file on to this address" },
	[OPT_SHUT_DOWN] = { { "shut-down" }, OT_CONST, G_FD, OFF(shut),
	    .name = EP_SHUT_DOWN,
	    .help = "pass end of file on with shutdown(SHUT_WR)" },
	[OPT_SHUT_CLOSE] = { { "shut-close" }, OT_CONST, G_FD, OFF(shut),
	    .name = EP_SHUT_CLOSE,
	    .help = "pass end of file on by closing the descriptor" },
	[OPT_SHUT_NULL] = { { "shut-null" }, OT_CONST, G_FD, OFF(shut),
	    .name = EP_SHUT_NULL,
	    .help = "pass end of file on as an empty datagram (write)" },
	[OPT_COOL_WRITE] = { { "cool-write", "coolwrite" }, OT_FLAG, G_FD,
	    OFF(cool_write),
	    .help = "a reader that went away (EPIPE, ECONNRESET) is no error" },
	[OPT_END_CLOSE] = { { "end-close", "close" }, OT_FLAG, G_FD,
	    OFF(end_close),
	    .help = "end by closing only: no shutdown, a program left "
		    "running" },
	[OPT_SOCKTYPE] = { { "socktype", "so-type", "type" }, OT_INT,
	    G_SOCKTYPE, OFF(socktype), .value = "N",
	    .help = "socket type: 1 stream, 2 datagram, 5 seqpacket" },
	[OPT_PROTOCOL] = { { "protocol", "so-protocol", "prototype", "so-prototype" }, OT_INT, G_SOCKTYPE, OFF(protocol), .value = "N", .help = "protocol number for socket(2): 6 TCP, 17 UDP" },
	[OPT_PROXY_PROTOCOL] = { { "proxy-protocol" }, OT_STRING,
	    G_PROXY, OFF(proxy_protocol), .value = "v1|v2",
	    .help = "connecting: send a PROXY header naming the client first" },
	[OPT_ACCEPT_PROXY] = { { "accept-proxy" }, OT_FLAG, G_PROXY,
	    OFF(accept_proxy),
	    .help = "listening: each peer starts with a PROXY header; its "
		    "client counts" },
	[OPT_PROXY_FROM] = { { "proxy-from" }, OT_RANGE, G_PROXY,
	    OFF(proxy_from), .value = "CIDR",
	    .help = "accept-proxy: only peers in this network may send a "
		    "header (repeatable)",
	    .needs = "accept-proxy" },
	[OPT_IP_ADD_MEMBERSHIP] = { { "ip-add-membership", "add-membership",
				      "ip-membership", "membership" },
	    OT_STRING, G_IP, OFF(ip_add_membership),
	    SOCKOPT(IPPROTO_IP, IP_ADD_MEMBERSHIP),
	    .value = "GROUP:[LOCAL:]IF",
	    .help = "join an IPv4 multicast group on an interface (name, "
		    "index or address)",
	    .conv = opts_conv_mreqn },
	[OPT_IP_ADD_SOURCE_MEMBERSHIP] = { { "ip-add-source-membership",
					     "add-source-membership",
					     "source-membership" },
	    OT_STRING, G_IP, OFF(ip_add_source_membership),
	    SOCKOPT(IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP),
	    .value = "GROUP:IF:SOURCE",
	    .help = "join an IPv4 multicast group for one source only",
	    .conv = opts_conv_mreq_source },
	[OPT_IP_MULTICAST_IF] = { { "ip-multicast-if", "multicast-if" },
	    OT_STRING, G_IP, OFF(ip_multicast_if),
	    SOCKOPT(IPPROTO_IP, IP_MULTICAST_IF), .value = "IF",
	    .help = "send multicast through this interface (name or address)",
	    .conv = opts_conv_mcast_if },
	[OPT_IP_MULTICAST_LOOP] = { { "ip-multicast-loop", "multicast-loop",
				      "ipmulticastloop", "multicastloop" },
	    OT_FLAG, G_IP, OFF(ip_multicast_loop),
	    SOCKOPT(IPPROTO_IP, IP_MULTICAST_LOOP),
	    SOCKOPT6(IPPROTO_IPV6, IPV6_MULTICAST_LOOP),
	    .help = "sent multicast loops back to this host's members" },
	[OPT_IP_MULTICAST_TTL] = { { "ip-multicast-ttl", "multicast-ttl",
				     "ipmulticastttl", "multicastttl" },
	    OT_INT, G_IP, OFF(ip_multicast_ttl),
	    SOCKOPT(IPPROTO_IP, IP_MULTICAST_TTL),
	    SOCKOPT6(IPPROTO_IPV6, IPV6_MULTICAST_HOPS), .value = "N",
	    .help = "time to live (hop limit) of sent multicast" },
	[OPT_IPV6_JOIN_GROUP] = { { "ipv6-join-group", "ipv6-add-membership",
				    "join-group" },
	    OT_STRING, G_IP, OFF(ipv6_join_group),
	    SOCKOPT6(IPPROTO_IPV6, IPV6_JOIN_GROUP), .value = "GROUP:IF",
	    .help = "join an IPv6 multicast group on an interface",
	    .conv = opts_conv_ipv6_mreq },
	[OPT_IPV6_UNICAST_HOPS] = { { "ipv6-unicast-hops", "unicast-hops" },
	    OT_INT, G_IP, OFF(ipv6_unicast_hops),
	    SOCKOPT6(IPPROTO_IPV6, IPV6_UNICAST_HOPS), .value = "N",
	    .help = "IPv6: hop limit of sent packets (ttl= does both)" },
	[OPT_IPV6_TCLASS] = { { "ipv6-tclass" }, OT_INT, G_IP, OFF(ipv6_tclass),
	    SOCKOPT6(IPPROTO_IPV6, IPV6_TCLASS), .value = "N",
	    .help = "IPv6: traffic class of sent packets (tos= does both)" },
	[OPT_IP_RECVTTL] = { { "ip-recvttl", "recvttl", "iprecvttl" }, OT_FLAG,
	    G_IP | G_ANCILLARY, OFF(ip_recvttl), SOCKOPT(IPPROTO_IP, IP_RECVTTL),
	    .help = "log and export the TTL of received datagrams" },
	[OPT_IP_RECVTOS] = { { "ip-recvtos", "recvtos", "iprecvtos" }, OT_FLAG,
	    G_IP | G_ANCILLARY, OFF(ip_recvtos), SOCKOPT(IPPROTO_IP, IP_RECVTOS),
	    .help = "log and export the TOS byte of received datagrams" },
	[OPT_IP_PKTINFO] = { { "ip-pktinfo", "pktinfo", "ippktinfo" }, OT_FLAG,
	    G_IP | G_ANCILLARY, OFF(ip_pktinfo), SOCKOPT(IPPROTO_IP, IP_PKTINFO),
	    .help = "log and export the interface and addresses a datagram "
		    "came in on" },
	[OPT_IP_RECVOPTS] = { { "ip-recvopts", "recvopts", "iprecvopts" },
	    OT_FLAG, G_IP | G_ANCILLARY, OFF(ip_recvopts), SOCKOPT(IPPROTO_IP, IP_RECVOPTS),
	    .help = "log and export the IP options of received datagrams" },
	[OPT_IP_RECVERR] = { { "ip-recverr", "recverr", "iprecverr",
			       "ipv6-recverr" },
	    OT_FLAG, G_IP | G_ANCILLARY, OFF(ip_recverr), SOCKOPT(IPPROTO_IP, IP_RECVERR),
	    SOCKOPT6(IPPROTO_IPV6, IPV6_RECVERR),
	    .help = "queue ICMP errors on the socket (IP_RECVERR)" },
	[OPT_SO_TIMESTAMP] = { { "so-timestamp", "timestamp" }, OT_FLAG,
	    G_SOCKET, OFF(so_timestamp), SOCKOPT(SOL_SOCKET, SO_TIMESTAMP),
	    .help = "log and export when each datagram arrived" },
	[OPT_IPV6_RECVPKTINFO] = { { "ipv6-recvpktinfo", "recvpktinfo" },
	    OT_FLAG, G_IP | G_ANCILLARY, OFF(ipv6_recvpktinfo),
	    SOCKOPT6(IPPROTO_IPV6, IPV6_RECVPKTINFO),
	    .help = "IPv6: log and export the address a datagram came to" },
	[OPT_IPV6_RECVHOPLIMIT] = { { "ipv6-recvhoplimit", "recvhoplimit" },
	    OT_FLAG, G_IP | G_ANCILLARY, OFF(ipv6_recvhoplimit),
	    SOCKOPT6(IPPROTO_IPV6, IPV6_RECVHOPLIMIT),
	    .help = "IPv6: log and export the hop limit of received datagrams" },
	[OPT_IPV6_RECVTCLASS] = { { "ipv6-recvtclass" }, OT_FLAG, G_IP | G_ANCILLARY,
	    OFF(ipv6_recvtclass), SOCKOPT6(IPPROTO_IPV6, IPV6_RECVTCLASS),
	    .help = "IPv6: log and export the traffic class of received "
		    "datagrams" },
	[OPT_WORKERS] = { { "workers" }, OT_INT, G_WORKERS, OFF(workers),
	    .value = "N", .dflt = "0",
	    .help = "N processes (default: one per CPU) share the listener, "
		    "each serving many peers" },
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
	"CONNECT",
	"RETRY",
	"HTTP",
	"SOCKS",
	"SOCKTYPE",
	"TERMIOS",
	"PROXY",
	"PTY",
	"READLINE",
	"ANCILLARY",
	"WORKERS",
};

void
opts_init(struct optvals *vals)
{
	memset(vals, 0, sizeof(*vals));
	vals->mode = -1;
	vals->backlog = 128;
	vals->unlink_close = true;
	vals->pty_interval = 0.1;
	vals->verify = true;
	vals->min_version = OPT_TLS_1_2;
	vals->accmode = -1;
	vals->interval = 1;
}

void
opts_free(struct optvals *vals)
{
	char **p;
	size_t i;

	for (i = 0; i < OPT_COUNT; i++) {
		if (opt_table[i].type != OT_STRING)
			continue;
		p = (char **)(void *)((char *)vals + opt_table[i].offset);
		free(*p);
		*p = NULL;
	}
	free(vals->ranges);
	vals->ranges = NULL;
	vals->nranges = 0;
	free(vals->proxy_from);
	vals->proxy_from = NULL;
	vals->nproxy_from = 0;
	free(vals->sockopts);
	vals->sockopts = NULL;
	vals->nsockopts = 0;
	free(vals->termios);
	vals->termios = NULL;
	vals->ntermios = 0;
	free(vals->ioctls);
	vals->ioctls = NULL;
	vals->nioctls = 0;
}

const struct opt_def *
opts_find(const char *name)
{
	const struct opt_def *d;
	size_t i, j;

	for (i = 0; i < OPT_COUNT; i++)
		for (j = 0; j < OPT_NAMES && opt_table[i].names[j] != NULL; j++)
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
	for (i = 0; i < NITEMS(yes); i++) {
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

/* socat takes numbers in hex too: 0x1F, for any decimal value. */
static int
opts_hex_base(const char *text, int base)
{
	if (base == 10 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
		return 16;
	return base;
}

static int
opts_parse_int(const char *text, int base, long max, int *out)
{
	char *end;
	long v;

	if (text == NULL || *text == '\0' || *text == '-' || *text == '+')
		return -1;
	errno = 0;
	v = strtol(text, &end, opts_hex_base(text, base));
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
	v = strtoull(text, &end, opts_hex_base(text, 10));
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
	for (i = 0; i < NITEMS(v4); i++) {
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
 * A host name in range= (socat's range=localhost:255.255.255.255): its
 * first IPv4 address, looked up once while the address is parsed.
 */
static int
opts_range_lookup(const char *name, unsigned char *addr)
{
	struct addrinfo hints, *res;
	int rc;

	if (!isalpha((unsigned char)name[0]))
		return -1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	if ((rc = getaddrinfo(name, NULL, &hints, &res)) != 0)
		return -1;
	memcpy(
	    addr, &((struct sockaddr_in *)(void *)res->ai_addr)->sin_addr, 4);
	freeaddrinfo(res);
	return 0;
}

/*
 * Parses "A.B.C.D[/N]", "A.B.C.D:MASK" (dotted mask), "V6[/N]" or
 * "[V6][/N]" into r, an IPv4 host name in place of A.B.C.D.  Host bits beyond the prefix are cleared.
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
		if (inet_pton(AF_INET, host, r->addr) != 1 &&
		    opts_range_lookup(host, r->addr) == -1)
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

static ssize_t opts_parse_hex(const char *, unsigned char *, size_t);

/* Concatenated "xHH..." chunks (socat's data notation) into out. */
static ssize_t
opts_parse_xchunks(const char *text, unsigned char *out, size_t max)
{
	char chunk[2 * 32 + 2];
	const char *next;
	size_t n = 0, l;
	ssize_t got;

	while (*text == 'x' || *text == 'X') {
		next = strpbrk(text + 1, "xX");
		l = next != NULL ? (size_t)(next - text) : strlen(text);
		if (l >= sizeof(chunk))
			return -1;
		memcpy(chunk, text, l);
		chunk[l] = '\0';
		if ((got = opts_parse_hex(chunk, out + n, max - n)) == -1)
			return -1;
		n += (size_t)got;
		text += l;
	}
	return *text == '\0' && n > 0 ? (ssize_t)n : -1;
}

/* socat's "xADDRESS:xMASK" range, in the data notation. */
static int
opts_parse_raw_range(const char *text, struct opt_range *r)
{
	char addr[2 * 32 + 16];
	const char *colon = strchr(text, ':');
	ssize_t a, m;

	if (colon == NULL || (size_t)(colon - text) >= sizeof(addr))
		return -1;
	memcpy(addr, text, (size_t)(colon - text));
	addr[colon - text] = '\0';
	memset(r, 0, sizeof(*r));
	if ((a = opts_parse_xchunks(addr, r->raw, sizeof(r->raw))) == -1 ||
	    (m = opts_parse_xchunks(
		 colon + 1, r->rawmask, sizeof(r->rawmask))) != a)
		return -1;
	r->family = AF_UNSPEC;
	r->rawlen = (size_t)a;
	return 0;
}

/* Whether sa's bytes after its family match the raw range r. */
static bool
range_match_raw(const struct opt_range *r, const struct sockaddr *sa)
{
	const unsigned char *p =
	    (const unsigned char *)sa + sizeof(sa_family_t);
	size_t i;

	for (i = 0; i < r->rawlen; i++)
		if ((p[i] & r->rawmask[i]) != (r->raw[i] & r->rawmask[i]))
			return false;
	return true;
}

/* Adds a network to range= or, for proxy-from=, to that list. */
static int
opts_add_range(struct optvals *vals, enum opt_id id, const char *text)
{
	struct opt_range r, *nr, **list = &vals->ranges;
	size_t *n = &vals->nranges;

	if (id == OPT_PROXY_FROM) {
		list = &vals->proxy_from;
		n = &vals->nproxy_from;
	}
	if (text == NULL ||
	    ((*text == 'x' || *text == 'X') ? opts_parse_raw_range(text, &r)
					    : opts_parse_range(text, &r)) == -1)
		return -1;
	nr = xcalloc(*n + 1, sizeof(*nr));
	if (*n > 0)
		memcpy(nr, *list, *n * sizeof(*nr));
	nr[(*n)++] = r;
	free(*list);
	*list = nr;
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
	return vals->nranges == 0 ||
	    opts_networks_match(vals->ranges, vals->nranges, sa);
}

bool
opts_networks_match(
    const struct opt_range *list, size_t n, const struct sockaddr *sa)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff };
	const unsigned char *a4 = NULL, *a6 = NULL;
	size_t i;

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
	for (i = 0; i < n; i++) {
		const struct opt_range *r = &list[i];

		if (r->family == AF_INET && a4 != NULL && range_match(r, a4))
			return true;
		if (r->family == AF_INET6 && a6 != NULL && range_match(r, a6))
			return true;
		if (r->family == AF_UNSPEC && range_match_raw(r, sa))
			return true;
	}
	return false;
}

int
opts_sockaddr_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(
		    ((const struct sockaddr_in *)(const void *)sa)->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(
		    ((const struct sockaddr_in6 *)(const void *)sa)->sin6_port);
	return -1;
}

bool
opts_peer_checks(const struct optvals *vals)
{
	return vals->nranges > 0 || vals->given[OPT_SOURCEPORT] ||
	    vals->lowport;
}

const char *
opts_peer_refusal(const struct optvals *vals, const struct sockaddr *sa,
    char *buf, size_t len)
{
	int port = opts_sockaddr_port(sa);

	if (!opts_range_allows(vals, sa))
		return "not in range=";
	if (vals->given[OPT_SOURCEPORT] && port != vals->sourceport) {
		snprintf(buf, len, "source port %d is not sourceport=%d", port,
		    vals->sourceport);
		return buf;
	}
	if (vals->lowport && (port < 0 || port > 1023)) {
		snprintf(buf, len, "source port %d is not below 1024 (lowport)",
		    port);
		return buf;
	}
	return NULL;
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

	for (i = 0; i < NITEMS(v12); i++) {
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

int
opts_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Bytes from "xHHHH..." (socat's notation; the x may be left out) into
 * out, at most max.  Returns the count, or -1.
 */
static ssize_t
opts_parse_hex(const char *text, unsigned char *out, size_t max)
{
	size_t n = 0;
	int hi, lo;

	if (*text == 'x' || *text == 'X')
		text++;
	if (*text == '\0')
		return -1;
	while (*text != '\0') {
		if ((hi = opts_hexval(text[0])) < 0 ||
		    (lo = opts_hexval(text[1])) < 0 || n == max)
			return -1;
		out[n++] = (unsigned char)(hi << 4 | lo);
		text += 2;
	}
	return (ssize_t)n;
}

/*
 * Splits a copy of text at ':' into at most max parts (a [bracketed] IPv6
 * address keeps its colons).  Returns the count, or -1 when it does not
 * fit.
 */
static int
opts_split(const char *text, char *copy, size_t len, char **part, int max)
{
	char *p;
	int n = 0;

	if (strlen(text) >= len)
		return -1;
	memcpy(copy, text, strlen(text) + 1);
	for (p = copy; n < max; n++) {
		part[n] = p;
		if (*p == '[' && (p = strchr(p, ']')) == NULL)
			return -1;
		if ((p = strchr(p, ':')) == NULL)
			return n + 1;
		*p++ = '\0';
	}
	return -1;
}

/* An IPv4 address, or with v6 an IPv6 one (brackets allowed). */
static int
opts_inaddr(char *text, bool v6, void *out)
{
	size_t n = strlen(text);

	if (v6 && n > 2 && text[0] == '[' && text[n - 1] == ']') {
		text[n - 1] = '\0';
		text++;
	}
	return inet_pton(v6 ? AF_INET6 : AF_INET, text, out) == 1 ? 0 : -1;
}

/*
 * The index of an interface given by name or number; with check only its
 * syntax (*idx 0).  Returns 0, or -1 with err.
 */
static int
opts_ifindex(const char *text, bool check, unsigned *idx, char *err)
{
	char *end;
	unsigned long v;

	*idx = 0;
	if (*text >= '0' && *text <= '9') {
		v = strtoul(text, &end, 10);
		if (*end == '\0' && v <= 0x7fffffff) {
			*idx = (unsigned)v;
			return 0;
		}
	}
	if (*text == '\0' || strlen(text) >= IF_NAMESIZE) {
		snprintf(err, DUCT_ERR_LEN, "bad interface name \"%s\"", text);
		return -1;
	}
	if (check)
		return 0;
	if ((*idx = if_nametoindex(text)) == 0) {
		snprintf(err, DUCT_ERR_LEN, "interface %s: %s", text,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* The first IPv4 address of interface name (getifaddrs). */
static int
opts_ifaddr(const char *name, struct in_addr *out, char *err)
{
	struct ifaddrs *list, *i;
	int rc = -1;

	if (getifaddrs(&list) == -1) {
		snprintf(err, DUCT_ERR_LEN, "getifaddrs: %s", strerror(errno));
		return -1;
	}
	for (i = list; i != NULL && rc == -1; i = i->ifa_next)
		if (i->ifa_addr != NULL && i->ifa_addr->sa_family == AF_INET &&
		    strcmp(i->ifa_name, name) == 0) {
			*out = ((struct sockaddr_in *)(void *)i->ifa_addr)
				   ->sin_addr;
			rc = 0;
		}
	freeifaddrs(list);
	if (rc == -1)
		snprintf(
		    err, DUCT_ERR_LEN, "interface %s: no IPv4 address", name);
	return rc;
}

/* An interface as address or as name/index, into an ip_mreqn. */
static int
opts_mreqn_if(char *text, bool check, struct ip_mreqn *m, char *err)
{
	unsigned idx;

	if (opts_inaddr(text, false, &m->imr_address) == 0)
		return 0;
	if (opts_ifindex(text, check, &idx, err) == -1)
		return -1;
	m->imr_ifindex = (int)idx;
	return 0;
}

/* ip-add-membership: GROUP:IF or GROUP:LOCAL:IF (socat's forms). */
static socklen_t
opts_conv_mreqn(const char *text, bool check, void *buf, char *err)
{
	struct ip_mreqn m;
	char copy[128], *part[3];
	int n = opts_split(text, copy, sizeof(copy), part, 3);

	memset(&m, 0, sizeof(m));
	if (n < 2 || opts_inaddr(part[0], false, &m.imr_multiaddr) == -1)
		goto bad;
	if (n == 3 && opts_inaddr(part[1], false, &m.imr_address) == -1)
		goto bad;
	if (opts_mreqn_if(part[n - 1], check, &m, err) == -1)
		return 0;
	memcpy(buf, &m, sizeof(m));
	return sizeof(m);
bad:
	snprintf(err, DUCT_ERR_LEN, "wants GROUP:INTERFACE, got \"%s\"", text);
	return 0;
}

/* ip-add-source-membership: GROUP:IF:SOURCE, IF an address or a name. */
static socklen_t
opts_conv_mreq_source(const char *text, bool check, void *buf, char *err)
{
	struct ip_mreq_source m;
	char copy[128], *part[3];
	unsigned idx;

	memset(&m, 0, sizeof(m));
	if (opts_split(text, copy, sizeof(copy), part, 3) != 3 ||
	    opts_inaddr(part[0], false, &m.imr_multiaddr) == -1 ||
	    opts_inaddr(part[2], false, &m.imr_sourceaddr) == -1) {
		snprintf(err, DUCT_ERR_LEN,
		    "wants GROUP:INTERFACE:SOURCE, got \"%s\"", text);
		return 0;
	}
	if (opts_inaddr(part[1], false, &m.imr_interface) == -1 &&
	    (opts_ifindex(part[1], true, &idx, err) == -1 ||
		(!check && opts_ifaddr(part[1], &m.imr_interface, err) == -1)))
		return 0;
	memcpy(buf, &m, sizeof(m));
	return sizeof(m);
}

/* ip-multicast-if: an interface address, name or index. */
static socklen_t
opts_conv_mcast_if(const char *text, bool check, void *buf, char *err)
{
	struct ip_mreqn m;
	char copy[IF_NAMESIZE + INET_ADDRSTRLEN];

	memset(&m, 0, sizeof(m));
	if (strlen(text) >= sizeof(copy)) {
		snprintf(err, DUCT_ERR_LEN, "bad interface \"%s\"", text);
		return 0;
	}
	memcpy(copy, text, strlen(text) + 1);
	if (opts_mreqn_if(copy, check, &m, err) == -1)
		return 0;
	memcpy(buf, &m, sizeof(m));
	return sizeof(m);
}

/* ipv6-join-group: GROUP:IF, IF a name or index, after the last ':'. */
static socklen_t
opts_conv_ipv6_mreq(const char *text, bool check, void *buf, char *err)
{
	struct ipv6_mreq m;
	char copy[128], *colon;
	unsigned idx;

	memset(&m, 0, sizeof(m));
	if (strlen(text) >= sizeof(copy))
		goto bad;
	memcpy(copy, text, strlen(text) + 1);
	if ((colon = strrchr(copy, ':')) == NULL)
		goto bad;
	*colon++ = '\0';
	if (opts_inaddr(copy, true, &m.ipv6mr_multiaddr) == -1)
		goto bad;
	if (opts_ifindex(colon, check, &idx, err) == -1)
		return 0;
	m.ipv6mr_interface = idx;
	memcpy(buf, &m, sizeof(m));
	return sizeof(m);
bad:
	snprintf(err, DUCT_ERR_LEN, "wants GROUP:INTERFACE, got \"%s\"", text);
	return 0;
}

/* Adds so to a list of raw options (sockopts or ioctls). */
static void
opts_push_raw(
    struct opt_sockopt **list, size_t *n, const struct opt_sockopt *so)
{
	struct opt_sockopt *nl = xcalloc(*n + 1, sizeof(*nl));

	if (*n > 0)
		memcpy(nl, *list, *n * sizeof(*nl));
	nl[(*n)++] = *so;
	free(*list);
	*list = nl;
}

/*
 * The VALUE of a raw option into so->val: an int (int), hex bytes (bin,
 * "xHH..."), text with its NUL (string), or by its look (autotype).
 */
enum opts_raw { RAW_INT, RAW_BIN, RAW_STRING, RAW_AUTO };

static int
opts_raw_value(enum opts_raw how, const char *text, struct opt_sockopt *so)
{
	ssize_t n;
	size_t l;
	int iv;

	if (how == RAW_AUTO)
		how = opts_parse_int(text, 10, 0x7fffffff, &iv) == 0 ? RAW_INT
		    : (*text == 'x' || *text == 'X')                 ? RAW_BIN
						     : RAW_STRING;
	if (how == RAW_INT) {
		if (opts_parse_int(text, 10, 0x7fffffff, &iv) == -1)
			return -1;
		memcpy(so->val, &iv, sizeof(iv));
		so->len = sizeof(iv);
	} else if (how == RAW_BIN) {
		if ((n = opts_parse_hex(text, so->val, sizeof(so->val))) == -1)
			return -1;
		so->len = (size_t)n;
	} else {
		if ((l = strlen(text)) >= sizeof(so->val))
			return -1;
		memcpy(so->val, text, l + 1);
		so->len = l + 1;
	}
	return 0;
}

/* "LEVEL:NAME:VALUE" of setsockopt-int, -bin, -string or setsockopt=. */
static int
opts_add_sockopt(struct optvals *vals, enum opt_id id, const char *text)
{
	struct opt_sockopt so;
	const char *v;
	char num[16];
	size_t l;

	memset(&so, 0, sizeof(so));
	for (l = 0; l < 2; l++) {
		v = strchr(text, ':');
		if (v == NULL || (size_t)(v - text) >= sizeof(num))
			return -1;
		memcpy(num, text, (size_t)(v - text));
		num[v - text] = '\0';
		if (opts_parse_int(num, 10, 0x7fffffff,
			l == 0 ? &so.level : &so.name) == -1)
			return -1;
		text = v + 1;
	}
	if (opts_raw_value(id == OPT_SETSOCKOPT_INT ? RAW_INT
		    : id == OPT_SETSOCKOPT_BIN      ? RAW_BIN
		    : id == OPT_SETSOCKOPT_STRING   ? RAW_STRING
						    : RAW_AUTO,
		text, &so) == -1)
		return -1;
	opts_push_raw(&vals->sockopts, &vals->nsockopts, &so);
	return 0;
}

/* "REQUEST" of ioctl-void, "REQUEST:VALUE" of the other ioctl-* rows. */
static int
opts_add_ioctl(struct optvals *vals, enum opt_id id, const char *text)
{
	struct opt_sockopt so;
	char *end;

	memset(&so, 0, sizeof(so));
	so.level = (int)id;
	errno = 0;
	so.req = strtoul(text, &end, 0);
	if (errno != 0 || end == text || *text == '-')
		return -1;
	if (id == OPT_IOCTL_VOID) {
		if (*end != '\0')
			return -1;
	} else if (*end != ':' ||
	    opts_raw_value(id == OPT_IOCTL_BIN ? RAW_BIN
		    : id == OPT_IOCTL_STRING   ? RAW_STRING
					       : RAW_INT,
		end + 1, &so) == -1) {
		return -1;
	}
	opts_push_raw(&vals->ioctls, &vals->nioctls, &so);
	return 0;
}

int
opts_apply_ioctl(int fd, const struct optvals *vals, char *err)
{
	const struct opt_sockopt *io;
	size_t i;
	int iv, rc;

	for (i = 0; i < vals->nioctls; i++) {
		io = &vals->ioctls[i];
		memcpy(&iv, io->val, sizeof(iv));
		switch (io->level) {
		case OPT_IOCTL_VOID:
			rc = ioctl(fd, io->req, 0);
			break;
		case OPT_IOCTL_INT:
			/* The value itself is the argument, as a long. */
			rc = ioctl(fd, io->req, (long)iv);
			break;
		default:
			/* intp, bin and string pass a pointer to the bytes. */
			rc = ioctl(fd, io->req, (void *)io->val);
			break;
		}
		if (rc == -1) {
			snprintf(err, DUCT_ERR_LEN, "ioctl 0x%lx: %s", io->req,
			    strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* A byte: 0-255, decimal or 0x hex, or ^X for a control character. */
static int
opts_parse_byte(const char *text, int *out)
{
	if (text != NULL && text[0] == '^' && text[1] != '\0' &&
	    text[2] == '\0') {
		*out = text[1] == '?' ? 0x7f : (text[1] & 0x1f);
		return 0;
	}
	return opts_parse_int(text, 10, 255, out);
}

int
opts_baud(long bps)
{
	const struct opt_def *d;
	size_t i;

	/* The bN rows are the list of rates: one table, not two. */
	for (i = 0; i < OPT_COUNT; i++) {
		d = &opt_table[i];
		if (d->type == OT_TERMIOS && TERM_HOW(d->level) == TERM_BAUD &&
		    strtol(d->names[0] + 1, NULL, 10) == bps)
			return d->name;
	}
	return -1;
}

/*
 * Appends a TERMIOS option to the ordered list.  Returns 0, 1 when the
 * option was switched off and so means nothing ("cs8=0", as for
 * OT_CONST), or -1 for a bad value.
 */
static int
opts_add_termios(
    struct optvals *vals, const struct opt_def *def, const char *value)
{
	struct opt_term *nt;
	unsigned mask = (unsigned)def->name6;
	int how = TERM_HOW(def->level), v;
	bool on;

	switch (how) {
	case TERM_FIELD:
		if (opts_parse_int(
			value, 10, (int)(mask / (mask & -mask)), &v) == -1)
			return -1;
		break;
	case TERM_CHAR:
		if (opts_parse_byte(value, &v) == -1)
			return -1;
		break;
	case TERM_SPEED:
		if (opts_parse_int(value, 10, 0x7fffffff, &v) == -1 ||
		    (v = opts_baud(v)) == -1)
			return -1;
		break;
	default:
		if (opts_parse_flag(value, &on) == -1)
			return -1;
		if (!on && how != TERM_FLAG)
			return 1;
		v = on;
		break;
	}
	nt = xcalloc(vals->ntermios + 1, sizeof(*nt));
	if (vals->ntermios > 0)
		memcpy(nt, vals->termios, vals->ntermios * sizeof(*nt));
	nt[vals->ntermios].id = (int)(def - opt_table);
	nt[vals->ntermios++].value = v;
	free(vals->termios);
	vals->termios = nt;
	return 0;
}

/* What a TERMIOS row wants, for the error message. */
static const char *
opts_termios_want(const struct opt_def *def)
{
	switch (TERM_HOW(def->level)) {
	case TERM_FIELD:
		return "a small number (see duct(1))";
	case TERM_CHAR:
		return def->value[0] == 'N' ? "a number from 0 to 255"
					    : "a byte: 0-255, 0x1d or ^C";
	case TERM_SPEED:
		return "a line speed in bit/s, one of the bN options "
		       "(9600, 115200, ...)";
	default:
		return "no value or 0/1/yes/no/on/off";
	}
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
	case OT_CONST:
	case OT_OFLAG:
		return "no value or 0/1/yes/no/on/off";
	case OT_SOCKOPT:
		return "LEVEL:NAME:VALUE with numbers for LEVEL and NAME";
	case OT_BYTE:
		return "a byte: 0-255, 0x1d or ^]";
	case OT_TERMIOS:
		break;
	case OT_IOCTL:
		return "REQUEST[:VALUE] with a number for REQUEST";
	}
	return "a value";
}

int
opts_set(struct optvals *vals, const struct opt_def *def, const char *value,
    char *err)
{
	void *p = (char *)vals + def->offset;
	char why[DUCT_ERR_LEN];
	int rc = -1;

	bool on;

	if (value == NULL)
		value = def->dflt;
	if (def->type != OT_FLAG && def->type != OT_CONST &&
	    def->type != OT_OFLAG &&
	    !(def->type == OT_TERMIOS && def->value == NULL) && value == NULL) {
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
		rc =
		    opts_add_range(vals, (enum opt_id)(def - opt_table), value);
		break;
	case OT_TLSVER:
		rc = opts_parse_tlsver(value, p);
		break;
	case OT_STRING:
		if (*value == '\0' && !def->empty)
			break;
		if (def == &opt_table[OPT_IP_OPTIONS] &&
		    opts_parse_hex(value, (unsigned char[40]){ 0 }, 40) == -1)
			break;
		if (def->conv != NULL &&
		    def->conv(value, true, (unsigned char[64]){ 0 }, why) ==
			0) {
			snprintf(err, DUCT_ERR_LEN, "option \"%s\": %.400s",
			    def->names[0], why);
			return -1;
		}
		free(*(char **)p);
		*(char **)p = xstrdup(value);
		rc = 0;
		break;
	case OT_CONST:
	case OT_OFLAG:
		if ((rc = opts_parse_flag(value, &on)) == -1)
			break;
		if (def->type == OT_OFLAG)
			*(int *)p =
			    on ? *(int *)p | def->name : *(int *)p & ~def->name;
		else if (on)
			*(int *)p = def->name;
		else
			return 0; /* "shut-none=0": as if not given */
		break;
	case OT_SOCKOPT:
		rc = opts_add_sockopt(
		    vals, (enum opt_id)(def - opt_table), value);
		break;
	case OT_BYTE:
		rc = opts_parse_byte(value, p);
		break;
	case OT_TERMIOS:
		if ((rc = opts_add_termios(vals, def, value)) == 1)
			return 0;
		break;
	case OT_IOCTL:
		rc =
		    opts_add_ioctl(vals, (enum opt_id)(def - opt_table), value);
		break;
	}
	if (rc == -1) {
		snprintf(err, DUCT_ERR_LEN,
		    "option \"%s\" wants %s, got \"%s\"", def->names[0],
		    def->type == OT_TERMIOS ? opts_termios_want(def)
					    : opts_type_want(def->type),
		    value ? value : "");
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

/*
 * The value of row def as setsockopt() wants it, in buf (at least 64
 * bytes).  Returns its length, or 0 when there is nothing to set.
 */
static socklen_t
opts_sock_value(
    const struct opt_def *def, const struct optvals *vals, void *buf)
{
	const void *p = (const char *)vals + def->offset;
	struct linger lg;
	struct timeval tv;
	ssize_t n;
	int iv;

	switch (def->type) {
	case OT_STRING:
		if (def->name == IP_OPTIONS && def->level == IPPROTO_IP) {
			n = opts_parse_hex(*(char *const *)p, buf, 40);
			return n < 0 ? 0 : (socklen_t)n;
		}
		/* A string option takes its bytes without the NUL. */
		n = (ssize_t)strlen(*(char *const *)p);
		memcpy(buf, *(char *const *)p, n > 63 ? 63 : (size_t)n);
		return n > 63 ? 63 : (socklen_t)n;
	case OT_SECONDS:
		tv.tv_sec = (time_t) * (const double *)p;
		tv.tv_usec =
		    (suseconds_t)((*(const double *)p - (double)tv.tv_sec) *
			1e6);
		memcpy(buf, &tv, sizeof(tv));
		return sizeof(tv);
	case OT_FLAG:
		iv = *(const bool *)p;
		break;
	case OT_SIZE:
		iv = *(const size_t *)p > 0x7fffffff ? 0x7fffffff
						     : (int)*(const size_t *)p;
		break;
	default:
		iv = *(const int *)p;
		break;
	}
	if (def == &opt_table[OPT_LINGER]) {
		lg.l_onoff = 1;
		lg.l_linger = iv;
		memcpy(buf, &lg, sizeof(lg));
		return sizeof(lg);
	}
	memcpy(buf, &iv, sizeof(iv));
	return sizeof(iv);
}

int
opts_apply_sock(int fd, const struct optvals *vals, char *err)
{
	const struct opt_def *def;
	const struct opt_sockopt *so;
	unsigned char buf[64];
	char why[DUCT_ERR_LEN];
	socklen_t len = sizeof(int);
	int domain = AF_UNSPEC, level, name;
	size_t i;

	getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len);
	for (i = 0; i < OPT_COUNT; i++) {
		def = &opt_table[i];
		if (!vals->given[i] || def->type == OT_CONST ||
		    def->type == OT_OFLAG || def->type == OT_TERMIOS)
			continue;
		/* A row's option name is never 0; IPPROTO_IP is. */
		if (domain == AF_INET6 && def->name6 != 0) {
			level = def->level6;
			name = def->name6;
		} else if (def->name != 0 &&
		    !(domain == AF_INET6 && def->level == IPPROTO_IP)) {
			level = def->level;
			name = def->name;
		} else {
			continue; /* none, or none for this family */
		}
		if (def->conv != NULL) {
			len = def->conv(
			    *(char *const *)(const void *)((const char *)vals +
				def->offset),
			    false, buf, why);
			if (len == 0) {
				snprintf(err, DUCT_ERR_LEN, "%s: %.400s",
				    def->names[0], why);
				return -1;
			}
		} else if ((len = opts_sock_value(def, vals, buf)) == 0) {
			continue;
		}
		if (setsockopt(fd, level, name, buf, len) == -1) {
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
	for (i = 0; i < vals->nsockopts; i++) {
		so = &vals->sockopts[i];
		if (setsockopt(fd, so->level, so->name, so->val,
			(socklen_t)so->len) == -1) {
			snprintf(err, DUCT_ERR_LEN,
			    "setsockopt level %d name %d: %s", so->level,
			    so->name, strerror(errno));
			return -1;
		}
	}
	return 0;
}

int
opts_owner(const struct optvals *o, uid_t *uid, gid_t *gid, char *err)
{
	struct passwd *pw;
	struct group *gr;
	char *end;
	unsigned long v;

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (o->user != NULL) {
		v = strtoul(o->user, &end, 10);
		if (*o->user != '\0' && *end == '\0')
			*uid = (uid_t)v;
		else if ((pw = getpwnam(o->user)) != NULL)
			*uid = pw->pw_uid;
		else
			goto nouser;
	}
	if (o->group != NULL) {
		v = strtoul(o->group, &end, 10);
		if (*o->group != '\0' && *end == '\0')
			*gid = (gid_t)v;
		else if ((gr = getgrnam(o->group)) != NULL)
			*gid = gr->gr_gid;
		else {
			snprintf(
			    err, DUCT_ERR_LEN, "no group \"%s\"", o->group);
			return -1;
		}
	}
	return 0;
nouser:
	snprintf(err, DUCT_ERR_LEN, "no user \"%s\"", o->user);
	return -1;
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
