/*
 * SPDX-License-Identifier: ISC
 * The command line (cli.h): socat's global option spellings rewritten to
 * duct's, getopt_long over the result, and the messages of a usage error.
 * No I/O but the messages and --help/--version.
 */
#include "config.h"

#include <sys/socket.h>

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "address.h"
#include "cli.h"
#include "dump.h"
#include "help.h"
#include "log.h"
#include "options.h"
#include "transfer.h"
#include "xmalloc.h"

#define MAX_BUFSIZE ((size_t)1 << 30)

static void
usage_hint(void)
{
	fprintf(stderr, "Try 'duct --help' for more information.\n");
}

static int usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "duct: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage_hint();
	return EXIT_USAGE;
}

/* Prints a parse error with the address and a caret under the culprit. */
void
cli_report_parse_error(
    int index, const char *text, const struct parse_error *pe)
{
	size_t i, tl = strlen(text);

	fprintf(stderr, "duct: address %d: %s\n", index, pe->msg);
	if (pe->len == 0 || tl > 200 || pe->off >= tl)
		return;
	fprintf(stderr, "duct:   %s\nduct:   ", text);
	for (i = 0; i < pe->off; i++)
		fputc(text[i] == '\t' ? '\t' : ' ', stderr);
	fputc('^', stderr);
	for (i = 1; i < pe->len && pe->off + i < tl; i++)
		fputc('~', stderr);
	fputc('\n', stderr);
}

enum {
	OPT_LOG_FILE = 256,
	OPT_DUMP_FILE,
	OPT_STATISTICS,
	OPT_LOG_STDERR,
	OPT_LOG_SYSLOG,
	OPT_LOG_MIXED,
	OPT_LOG_NAME,
	OPT_LOG_USEC,
	OPT_LOG_HOST
};

static const struct option long_opts[] = {
	{ "help", optional_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "debug", optional_argument, NULL, 'd' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "buffer-size", required_argument, NULL, 'b' },
	{ "close-timeout", required_argument, NULL, 't' },
	{ "idle-timeout", required_argument, NULL, 'T' },
	{ "left-to-right", no_argument, NULL, 'u' },
	{ "right-to-left", no_argument, NULL, 'U' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "hex", no_argument, NULL, 'x' },
	{ "log-file", required_argument, NULL, OPT_LOG_FILE },
	{ "log-stderr", no_argument, NULL, OPT_LOG_STDERR },
	{ "log-syslog", optional_argument, NULL, OPT_LOG_SYSLOG },
	{ "log-mixed", optional_argument, NULL, OPT_LOG_MIXED },
	{ "log-name", required_argument, NULL, OPT_LOG_NAME },
	{ "log-microseconds", no_argument, NULL, OPT_LOG_USEC },
	{ "log-hostname", no_argument, NULL, OPT_LOG_HOST },
	{ "dump-file", required_argument, NULL, OPT_DUMP_FILE },
	{ "raw-left-to-right", required_argument, NULL, 'r' },
	{ "raw-right-to-left", required_argument, NULL, 'R' },
	{ "lock", required_argument, NULL, 'L' },
	{ "wait-lock", required_argument, NULL, 'W' },
	{ "no-group-check", no_argument, NULL, 'g' },
	{ "sloppy", no_argument, NULL, 's' },
	{ "fd-info", no_argument, NULL, 'D' },
	{ "statistics", no_argument, NULL, OPT_STATISTICS },
	{ "check", no_argument, NULL, 'n' },
	{ NULL, 0, NULL, 0 },
};

#define SHORT_OPTS "+:hVdqvxb:t:T:uU46r:R:L:W:gsDn"

/* True when the long option arg ("--name", no "=") takes the next word. */
static bool
long_takes_next(const char *arg)
{
	const struct option *o;

	if (strchr(arg, '=') != NULL)
		return false;
	for (o = long_opts; o->name != NULL; o++)
		if (strcmp(arg + 2, o->name) == 0)
			return o->has_arg == required_argument;
	return false;
}

/* True when the option word p ("--name" or a short cluster) takes the
 * next word as its value. */
static bool
word_takes_next(const char *p)
{
	if (p[1] == '-')
		return long_takes_next(p);
	/* A cluster like -dd or -b8192: the value may be the next word. */
	for (p++; *p != '\0'; p++) {
		const char *o = strchr(SHORT_OPTS, *p);

		if (o != NULL && o[1] == ':')
			return p[1] == '\0';
	}
	return false;
}

/* True when p is no option: an address such as "-", "-,raw" or "-!!-". */
static bool
word_ends_options(const char *p)
{
	return p[0] != '-' || p[1] == '\0' || p[1] == ',' ||
	    strncmp(p + 1, "!!", 2) == 0;
}

/*
 * Where the options end: getopt would take socat's "-,raw" style address
 * (STDIO with options) or "-!!-" (a dual address) for a cluster of short
 * options, so stop before the first word that is "-", starts with "-,"
 * or "-!!", or is no option at all.
 */
static int
options_end(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (word_ends_options(argv[i]))
			return i;
		if (strcmp(argv[i], "--") == 0)
			return i + 1;
		i += word_takes_next(argv[i]);
	}
	return argc;
}

static char *
argv_own(struct argv_copy *ac, const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 1;
	char *p = xmalloc(n);

	snprintf(p, n, "%s%s", a, b);
	ac->owned[ac->nowned++] = p;
	return p;
}

/* Returns -1 when done, or the exit status of a usage error. */
static int
argv_socat(int argc, char **argv, struct argv_copy *ac)
{
	const char *p, *v;
	bool opts = true;
	int i;

	ac->argc = 0;
	ac->nowned = 0;
	ac->argv = xcalloc((size_t)argc + 1, sizeof(char *));
	ac->owned = xcalloc((size_t)argc + 1, sizeof(char *));
	ac->argv[ac->argc++] = argv[0];
	for (i = 1; i < argc; i++) {
		p = argv[i];
		if (!opts || word_ends_options(p) || strcmp(p, "--") == 0) {
			opts = false;
			ac->argv[ac->argc++] = argv[i];
			continue;
		}
		if (p[1] == 'd' && isdigit((unsigned char)p[2])) {
			ac->argv[ac->argc++] = argv_own(ac, "--debug=", p + 2);
			continue;
		}
		if (p[1] != 'l') {
			ac->argv[ac->argc++] = argv[i];
			if (word_takes_next(p) && i + 1 < argc)
				ac->argv[ac->argc++] = argv[++i];
			continue;
		}
		/* -lX: X takes a value (f, p), an optional one (y, m) or none. */
		v = p[2] != '\0' ? p + 3 : "";
		if (p[2] == 'f' || p[2] == 'p') {
			if (*v == '\0' && (v = argv[++i]) == NULL)
				return usage_error(
				    "option %s needs a value", p);
			ac->argv[ac->argc++] = argv_own(
			    ac, p[2] == 'f' ? "--log-file=" : "--log-name=", v);
		} else if (p[2] == 'y' || p[2] == 'm') {
			ac->argv[ac->argc++] = argv_own(ac,
			    p[2] == 'y'
				? (*v ? "--log-syslog=" : "--log-syslog")
				: (*v ? "--log-mixed=" : "--log-mixed"),
			    v);
		} else if (*v == '\0' &&
		    (p[2] == 's' || p[2] == 'u' || p[2] == 'h')) {
			ac->argv[ac->argc++] = p[2] == 's' ? "--log-stderr"
			    : p[2] == 'u' ? "--log-microseconds"
					  : "--log-hostname";
		} else {
			return usage_error("unknown option \"%s\"", p);
		}
	}
	ac->argv[ac->argc] = NULL;
	return -1;
}

void
cli_free(struct argv_copy *ac)
{
	int i;

	for (i = 0; i < ac->nowned; i++)
		free(ac->owned[i]);
	free(ac->owned);
	free(ac->argv);
}

/* Returns -1 to go on, or the exit status to end with. */
static int
parse_cli(int argc, char **argv, struct cli *c)
{
	int ch, nopt;

	opterr = 0;
	nopt = options_end(argc, argv);
	while (
	    (ch = getopt_long(nopt, argv, SHORT_OPTS, long_opts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			if (optarg != NULL)
				return help_kind(stdout, optarg) == 0
				    ? 0
				    : usage_error("no address kind \"%s\" "
						  "(see duct --help)",
					  optarg);
			help_print(stdout);
			return 0;
		case 'V':
			help_version(stdout);
			return 0;
		case 'd':
			if (optarg == NULL) {
				c->level++;
				break;
			}
			if (optarg[0] < '0' || optarg[0] > '4' ||
			    optarg[1] != '\0')
				return usage_error("-d wants a level from 0 "
						   "(errors) to 4 (debug), "
						   "got \"%s\"",
				    optarg);
			c->level = optarg[0] - '0';
			break;
		case 'q':
			c->quiet = true;
			break;
		case 'b':
			if (opts_parse_size(optarg, &c->xfer.bufsize) == -1 ||
			    c->xfer.bufsize == 0 ||
			    c->xfer.bufsize > MAX_BUFSIZE)
				return usage_error(
				    "-b wants a size from 1 "
				    "to 1G (K/M/G suffix allowed), got \"%s\"",
				    optarg);
			break;
		case 't':
			if (opts_parse_seconds(
				optarg, &c->xfer.close_timeout) == -1)
				return usage_error("-t wants seconds, got "
						   "\"%s\"",
				    optarg);
			break;
		case 'T':
			if (opts_parse_seconds(optarg, &c->xfer.idle_timeout) ==
			    -1)
				return usage_error("-T wants seconds, got "
						   "\"%s\"",
				    optarg);
			break;
		case 'u':
			c->only_fwd = true;
			break;
		case 'U':
			c->only_back = true;
			break;
		case '4':
			c->family = AF_INET;
			break;
		case '6':
			c->family = AF_INET6;
			break;
		case 'v':
			c->dump_modes |= DUMP_TEXT;
			break;
		case 'x':
			c->dump_modes |= DUMP_HEX;
			break;
		case OPT_LOG_FILE:
			c->log_to = LOGTO_FILE;
			c->log_file = optarg;
			break;
		case OPT_LOG_STDERR:
			c->log_to = LOGTO_STDERR;
			break;
		case OPT_LOG_SYSLOG:
		case OPT_LOG_MIXED:
			c->log_to =
			    ch == OPT_LOG_SYSLOG ? LOGTO_SYSLOG : LOGTO_MIXED;
			if (log_facility(optarg != NULL ? optarg : "daemon",
				&c->facility) == -1)
				return usage_error("unknown syslog facility "
						   "\"%s\" (daemon, user, "
						   "local0 to local7...)",
				    optarg);
			break;
		case OPT_LOG_NAME:
			if (*optarg == '\0')
				return usage_error(
				    "%s", "-lp wants a name, got \"\"");
			c->log_name = optarg;
			break;
		case OPT_LOG_USEC:
			c->log_usec = true;
			break;
		case OPT_LOG_HOST:
			c->log_host = true;
			break;
		case 'r':
			c->raw_fwd = optarg;
			break;
		case 'R':
			c->raw_back = optarg;
			break;
		case 'L':
		case 'W':
			c->lock_file = optarg;
			c->lock_wait = ch == 'W';
			break;
		case 'g':
			c->lax_groups = true;
			break;
		case 's':
			c->sloppy = true;
			break;
		case 'D':
			c->xfer.fd_info = true;
			break;
		case 'n':
			c->check = true;
			break;
		case OPT_DUMP_FILE:
			c->dump_file = optarg;
			break;
		case OPT_STATISTICS:
			c->xfer.statistics = true;
			break;
		case ':':
			return usage_error(
			    "option %s needs a value", argv[optind - 1]);
		default:
			if (optopt != 0) {
				char o[3] = { '-', (char)optopt, '\0' };

				return usage_error("unknown option \"%s\"", o);
			}
			return usage_error(
			    "unknown option \"%s\"", argv[optind - 1]);
		}
	}
	if (c->only_fwd && c->only_back)
		return usage_error("%s", "-u and -U exclude each other");
	if (argc - optind != 2)
		return usage_error("%s",
		    argc - optind < 2 ? "two addresses are needed: duct "
					"[OPTIONS] ADDRESS1 ADDRESS2"
				      : "too many arguments: quote an address "
					"that holds spaces");
	return -1;
}

/* DUCT_SPLICE (duct(1) ENVIRONMENT) as struct xfer_config wants it. */
static int
splice_env(const char *v)
{
	if (v != NULL && strcmp(v, "never") == 0)
		return -1;
	if (v != NULL && strcmp(v, "always") == 0)
		return 1;
	return 0;
}

void
cli_init(struct cli *c)
{
	memset(c, 0, sizeof(*c));
	c->xfer.close_timeout = XFER_CLOSE_TIMEOUT;
	c->xfer.splice = splice_env(getenv("DUCT_SPLICE"));
	c->family = AF_UNSPEC;
	c->level = LOG_LVL_WARN;
}

int
cli_parse(int argc, char **argv, struct cli *c, struct argv_copy *ac)
{
	int status;

	if ((status = argv_socat(argc, argv, ac)) != -1 ||
	    (status = parse_cli(ac->argc, ac->argv, c)) != -1) {
		cli_free(ac);
		return status;
	}
	return -1;
}
