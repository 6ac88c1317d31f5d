/*
 * duct's entry point: command line, the phases (parse both addresses,
 * open address 1 then address 2, transfer), and the exit status (0 done,
 * 1 run-time failure, 2 usage error, 128+N signal).  It knows no address
 * kind by name; the fork loop lives in serve.c.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <getopt.h>
#ifdef HAVE_MALLOC_H
#include <malloc.h>
#endif
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "address.h"
#include "dump.h"
#include "help.h"
#include "log.h"
#include "net.h"
#include "opener.h"
#include "options.h"
#include "registry.h"
#include "serve.h"
#include "sig.h"
#include "transfer.h"

#define MAX_BUFSIZE ((size_t)1 << 30)

struct cli {
	struct xfer_config xfer;
	int family;
	int verbosity; /* -d count */
	bool quiet;
	bool only_fwd, only_back;
	unsigned dump_modes;
	const char *log_file;
	const char *dump_file;
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

enum { OPT_LOG_FILE = 256, OPT_DUMP_FILE, OPT_STATISTICS };

static const struct option long_opts[] = {
	{ "help", optional_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "debug", no_argument, NULL, 'd' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "buffer-size", required_argument, NULL, 'b' },
	{ "close-timeout", required_argument, NULL, 't' },
	{ "idle-timeout", required_argument, NULL, 'T' },
	{ "left-to-right", no_argument, NULL, 'u' },
	{ "right-to-left", no_argument, NULL, 'U' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "hex", no_argument, NULL, 'x' },
	{ "log-file", required_argument, NULL, OPT_LOG_FILE },
	{ "dump-file", required_argument, NULL, OPT_DUMP_FILE },
	{ "statistics", no_argument, NULL, OPT_STATISTICS },
	{ NULL, 0, NULL, 0 },
};

#define SHORT_OPTS "+:hVdqvxb:t:T:uU46"

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

/*
 * Where the options end: getopt would take socat's "-,raw" style address
 * (STDIO with options) or "-!!-" (a dual address) for a cluster of short
 * options, so stop before the first word that is "-", starts with "-,"
 * or "-!!", or is no option at all.
 */
static int
options_end(int argc, char **argv)
{
	const char *p;
	int i;

	for (i = 1; i < argc; i++) {
		p = argv[i];
		if (p[0] != '-' || p[1] == '\0' || p[1] == ',' ||
		    strncmp(p + 1, "!!", 2) == 0)
			return i;
		if (strcmp(p, "--") == 0)
			return i + 1;
		if (p[1] == '-') {
			i += long_takes_next(p);
			continue;
		}
		/* A cluster like -dd or -b8192: the value may be the next word. */
		for (p++; *p != '\0'; p++) {
			const char *o = strchr(SHORT_OPTS, *p);

			if (o != NULL && o[1] == ':') {
				i += p[1] == '\0';
				break;
			}
		}
	}
	return argc;
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
			c->verbosity++;
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
			c->log_file = optarg;
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

/*
 * Works out which directions exist, refusing a pair of addresses that
 * leaves none, and what each address must be opened for.
 */
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
		e1.ops->close(&e1);
		return status;
	}
	c2 = *ctx2;
	c2.peer = &e1;
	if (opener_open(a2, &c2, &e2, err) == -1) {
		status = open_failed(a2, err);
		e1.ops->close(&e1);
		return status;
	}
	status = xfer_run(&e1, &e2, &c->xfer);
	e1.ops->close(&e1);
	e2.ops->close(&e2);
	return status;
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

int
main(int argc, char **argv)
{
	struct cli c;
	struct address a1, a2;
	struct parse_error pe;
	struct open_ctx ctx1, ctx2;
	char err[DUCT_ERR_LEN];
	int status;

	memset(&c, 0, sizeof(c));
	memset(&ctx1, 0, sizeof(ctx1));
	memset(&ctx2, 0, sizeof(ctx2));
	c.xfer.close_timeout = 0.5;
	c.xfer.splice = splice_env(getenv("DUCT_SPLICE"));
	c.family = AF_UNSPEC;
	if ((status = parse_cli(argc, argv, &c)) != -1)
		return status;

	if (address_parse(argv[optind], 1, &a1, &pe) == -1) {
		report_parse_error(1, argv[optind], &pe);
		return EXIT_USAGE;
	}
	if (address_parse(argv[optind + 1], 2, &a2, &pe) == -1) {
		report_parse_error(2, argv[optind + 1], &pe);
		address_free(&a1);
		return EXIT_USAGE;
	}
	if ((address_groups(&a1) | address_groups(&a2)) & G_EXEC)
		net_export_enable();
	ctx1.family = ctx2.family = c.family;
	if (plan_directions(&c, &a1, &a2, &ctx1.dirs, &ctx2.dirs) == -1) {
		status = EXIT_USAGE;
		goto out;
	}
	if (opener_check_pair(&a1, &a2, err) == -1) {
		fprintf(stderr, "duct: %s\n", err);
		status = EXIT_USAGE;
		goto out;
	}
	if (c.quiet)
		log_set_level(LOG_LVL_ERR);
	else if (c.verbosity > 0)
		log_set_level(c.verbosity >= 3
			? LOG_LVL_DEBUG
			: (enum log_level)(LOG_LVL_WARN + c.verbosity));
	if (c.log_file != NULL &&
	    log_open_file(c.log_file, err, sizeof(err)) == -1) {
		fprintf(stderr, "duct: %s\n", err);
		status = EXIT_RUNTIME;
		goto out;
	}
	if (c.dump_file != NULL &&
	    dump_open_file(c.dump_file, err, sizeof(err)) == -1) {
		fprintf(stderr, "duct: %s\n", err);
		status = EXIT_RUNTIME;
		goto out;
	}
	dump_set_modes(c.dump_modes);
#if defined(HAVE_MALLOPT) && defined(M_MMAP_THRESHOLD)
	/*
	 * Channel buffers above this size come straight from mmap(), and a
	 * buffer that grows or shrinks gives its old area back to the system
	 * at once.  glibc would otherwise raise the threshold after the first
	 * free and keep freed multi-MiB areas resident in the heap.
	 */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif
	sig_init();
	status = run(&c, &a1, &a2, &ctx1, &ctx2);
	dump_close();
	log_close();
out:
	address_free(&a1);
	address_free(&a2);
	return status;
}
