/*
 * SPDX-License-Identifier: ISC
 * duct's entry point: command line, the phases (parse both addresses,
 * open address 1 then address 2, transfer), and the exit status (0 done,
 * 1 run-time failure, 2 usage error, 128+N signal).  It knows no address
 * kind by name; the fork loop lives in serve.c.
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

#include "activation.h"
#include "address.h"
#include "dump.h"
#include "facts.h"
#include "help.h"
#include "lock.h"
#include "log.h"
#include "net.h"
#include "opener.h"
#include "options.h"
#include "registry.h"
#include "serve.h"
#include "sig.h"
#include "transfer.h"
#include "workers.h"
#include "xmalloc.h"

#define MAX_BUFSIZE ((size_t)1 << 30)

/* Where diagnostics go: the last of -ls, -lf, -ly and -lm wins. */
enum log_to { LOGTO_STDERR, LOGTO_FILE, LOGTO_SYSLOG, LOGTO_MIXED };

struct cli {
	struct xfer_config xfer;
	int family;
	int level; /* LOG_LVL_*: -d adds one, -dN sets N */
	bool quiet;
	bool only_fwd, only_back;
	unsigned dump_modes;
	enum log_to log_to;
	const char *log_file;
	int facility;         /* -ly/-lm */
	const char *log_name; /* -lp */
	bool log_usec;        /* -lu */
	bool log_host;        /* -lh */
	const char *dump_file;
	const char *raw_fwd, *raw_back; /* -r, -R */
	const char *lock_file;          /* -L or -W */
	bool lock_wait;                 /* -W */
	bool lax_groups;                /* -g */
	bool sloppy;                    /* -s */
	bool check;                     /* -n: check and plan, open nothing */
};

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
static void
report_parse_error(int index, const char *text, const struct parse_error *pe)
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

/*
 * socat's two-letter options (-lf FILE, -lfFILE, -ly[FACILITY], -lu...)
 * and its -dN are no getopt clusters: "-lf" would read as -l -f.  The
 * argument vector getopt sees has them as the long options they stand
 * for.  Strings made here are listed in owned, for main to free.
 */
struct argv_copy {
	int argc;
	char **argv;
	char **owned;
	int nowned;
};

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

static void
argv_free(struct argv_copy *ac)
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

/* Why a direction a1 -> a2 cannot exist, or NULL when it can. */
static const char *
direction_problem(
    const struct address *from, const struct address *to, char *buf, size_t len)
{
	if (!(address_dirs(from) & EP_READABLE))
		snprintf(buf, len, "%s cannot be read", from->label);
	else if (!(address_dirs(to) & EP_WRITABLE))
		snprintf(buf, len, "%s cannot be written", to->label);
	else
		return NULL;
	return buf;
}

/*
 * Works out which directions exist, refusing a pair of addresses that
 * leaves none, and what each address must be opened for.
 */
static int
plan_directions(struct cli *c, const struct address *a1,
    const struct address *a2, unsigned *dirs1, unsigned *dirs2)
{
	char why1[DUCT_ERR_LEN], why2[DUCT_ERR_LEN];
	const char *p1, *p2;
	bool fwd, back;

	p1 = direction_problem(a1, a2, why1, sizeof(why1));
	p2 = direction_problem(a2, a1, why2, sizeof(why2));
	fwd = !c->only_back && p1 == NULL;
	back = !c->only_fwd && p2 == NULL;
	if (c->only_fwd && !fwd) {
		fprintf(stderr, "duct: -u: %s\n", p1);
		return -1;
	}
	if (c->only_back && !back) {
		fprintf(stderr, "duct: -U: %s\n", p2);
		return -1;
	}
	if (!fwd && !back) {
		fprintf(
		    stderr, "duct: nothing to transfer: %s, and %s\n", p1, p2);
		return -1;
	}
	c->xfer.forward = fwd;
	c->xfer.backward = back;
	*dirs1 = (fwd ? EP_READABLE : 0) | (back ? EP_WRITABLE : 0);
	*dirs2 = (fwd ? EP_WRITABLE : 0) | (back ? EP_READABLE : 0);
	return 0;
}

static int
open_failed(const struct address *a, const char *err)
{
	int sig = sig_term_pending();

	if (errno == EINTR && sig != 0) {
		log_notice("ended by signal %d", sig);
		return 128 + sig;
	}
	log_err("%s: %s", a->label, err);
	return EXIT_RUNTIME;
}

static int
run(struct cli *c, const struct address *a1, const struct address *a2,
    const struct open_ctx *ctx1, const struct open_ctx *ctx2)
{
	struct serve_plan plan;
	struct open_ctx c2;
	struct endpoint e1, e2;
	char err[DUCT_ERR_LEN];
	int status;

	memset(&plan, 0, sizeof(plan));
	plan.cfg = &c->xfer;
	if (workers_wanted(a1) || workers_wanted(a2)) {
		plan.listen = workers_wanted(a1) ? a1 : a2;
		plan.listen_ctx = workers_wanted(a1) ? *ctx1 : *ctx2;
		plan.other = workers_wanted(a1) ? a2 : a1;
		plan.other_ctx = workers_wanted(a1) ? *ctx2 : *ctx1;
		opener_prepare(plan.other, &plan.other_ctx);
		status = workers_run(&plan);
		opener_unprepare(&plan.other_ctx);
		return status;
	}
	if (a1->opts.fork) {
		plan.listen = a1;
		plan.listen_ctx = *ctx1;
		plan.other = a2;
		plan.other_ctx = *ctx2;
		opener_prepare(a2, &plan.other_ctx);
		status = serve_run(&plan);
		opener_unprepare(&plan.other_ctx);
		return status;
	}
	if (opener_open(a1, ctx1, &e1, err) == -1)
		return open_failed(a1, err);
	if (a2->opts.fork) {
		plan.listen = a2;
		plan.listen_ctx = *ctx2;
		plan.other = a1;
		plan.other_ep = &e1;
		status = serve_run(&plan);
		opener_close(&e1);
		return status;
	}
	c2 = *ctx2;
	c2.peer = &e1;
	if (opener_open(a2, &c2, &e2, err) == -1) {
		status = open_failed(a2, err);
		opener_close(&e1);
		return status;
	}
	log_started();
	status = xfer_run(&e1, &e2, &c->xfer);
	return opener_close_pair(&e1, &e2, status);
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

/* Diagnostics as the command line asked: level, form, destination. */
static int
setup_log(const struct cli *c)
{
	char err[DUCT_ERR_LEN];

	log_set_level(c->quiet
		? LOG_LVL_ERR
		: (enum log_level)(
		      c->level > LOG_LVL_DEBUG ? LOG_LVL_DEBUG : c->level));
	if (c->log_name != NULL)
		log_set_name(c->log_name);
	log_set_usec(c->log_usec);
	log_set_hostname(c->log_host);
	if (c->log_to == LOGTO_SYSLOG || c->log_to == LOGTO_MIXED)
		log_use_syslog(c->facility, c->log_to == LOGTO_MIXED);
	if (c->log_to == LOGTO_FILE &&
	    log_open_file(c->log_file, err, sizeof(err)) == -1) {
		fprintf(stderr, "duct: %s\n", err);
		return -1;
	}
	return 0;
}

/* --dump-file, -r and -R; then -v/-x. */
static int
setup_dumps(const struct cli *c)
{
	char err[DUCT_ERR_LEN];

	if ((c->dump_file != NULL &&
		dump_open_file(c->dump_file, err, sizeof(err)) == -1) ||
	    (c->raw_fwd != NULL &&
		dump_open_raw('>', c->raw_fwd, err, sizeof(err)) == -1) ||
	    (c->raw_back != NULL &&
		dump_open_raw('<', c->raw_back, err, sizeof(err)) == -1)) {
		log_err("%s", err);
		return -1;
	}
	dump_set_modes(c->dump_modes);
	return 0;
}

/*
 * -n: how each address would be opened, after the checks that need no
 * socket and create nothing.  Returns 0 when a run could start, else 2.
 */
static int
check_only(const struct address *a1, const struct open_ctx *ctx1,
    const struct address *a2, const struct open_ctx *ctx2)
{
	char plan[2 * DUCT_ERR_LEN], err[DUCT_ERR_LEN];
	const struct address *a[2] = { a1, a2 };
	const struct open_ctx *ctx[2] = { ctx1, ctx2 };
	int i, status = 0;

	for (i = 0; i < 2; i++) {
		if (opener_dryrun(a[i], ctx[i], plan, sizeof(plan), err) ==
		    -1) {
			fprintf(stderr, "duct: %s: %s\n", a[i]->label, err);
			status = EXIT_USAGE;
		} else {
			printf("%s: %s\n", a[i]->label, plan);
		}
	}
	return status;
}

/* -g: what was left out of an address, said once it can be logged. */
static void
warn_skipped(const struct address *a)
{
	if (a->skipped != NULL)
		log_warn("%s: ignoring %s: not an option of %s (-g)", a->label,
		    a->skipped, a->kind->names[0]);
}

int
main(int argc, char **argv)
{
	struct cli c;
	struct address a1, a2;
	struct parse_error pe;
	struct open_ctx ctx1, ctx2;
	struct argv_copy ac;
	char err[DUCT_ERR_LEN];
	int status;

	/* Before anything can start a program that would see LISTEN_*. */
	activation_init();
	memset(&c, 0, sizeof(c));
	memset(&ctx1, 0, sizeof(ctx1));
	memset(&ctx2, 0, sizeof(ctx2));
	c.xfer.close_timeout = XFER_CLOSE_TIMEOUT;
	c.xfer.splice = splice_env(getenv("DUCT_SPLICE"));
	c.family = AF_UNSPEC;
	c.level = LOG_LVL_WARN;
	if ((status = argv_socat(argc, argv, &ac)) != -1 ||
	    (status = parse_cli(ac.argc, ac.argv, &c)) != -1) {
		argv_free(&ac);
		return status;
	}
	argv = ac.argv;

	address_set_lax_groups(c.lax_groups);
	opts_set_sloppy(c.sloppy);
	if (address_parse(argv[optind], 1, &a1, &pe) == -1) {
		report_parse_error(1, argv[optind], &pe);
		argv_free(&ac);
		return EXIT_USAGE;
	}
	if (address_parse(argv[optind + 1], 2, &a2, &pe) == -1) {
		report_parse_error(2, argv[optind + 1], &pe);
		address_free(&a1);
		argv_free(&ac);
		return EXIT_USAGE;
	}
	if ((address_groups(&a1) | address_groups(&a2)) & G_EXEC)
		facts_enable();
	ctx1.family = ctx2.family = c.family;
	if (plan_directions(&c, &a1, &a2, &ctx1.dirs, &ctx2.dirs) == -1) {
		status = EXIT_USAGE;
		goto out;
	}
	if (opener_check_pair(&a1, &a2, err) == -1 ||
	    workers_check(&a1, &a2, err) == -1) {
		fprintf(stderr, "duct: %s\n", err);
		status = EXIT_USAGE;
		goto out;
	}
	if (c.check) {
		status = check_only(&a1, &ctx1, &a2, &ctx2);
		goto out;
	}
	if (setup_log(&c) == -1) {
		status = EXIT_RUNTIME;
		goto out;
	}
	warn_skipped(&a1);
	warn_skipped(&a2);
	/* Before the lock: -W waits with the caught signals let in. */
	sig_init();
	if (c.lock_file != NULL &&
	    (status = lock_take(c.lock_file, c.lock_wait, err, sizeof(err))) !=
		0) {
		if (status == -1) {
			log_err("%s", err);
			status = EXIT_RUNTIME;
		}
		goto out_log;
	}
	if (setup_dumps(&c) == -1) {
		status = EXIT_RUNTIME;
		goto out_lock;
	}
	status = run(&c, &a1, &a2, &ctx1, &ctx2);
out_lock:
	dump_close();
	lock_release();
out_log:
	log_close();
out:
	address_free(&a1);
	address_free(&a2);
	argv_free(&ac);
	return status;
}
