/*
 * SPDX-License-Identifier: ISC
 * The command line: socat's spellings rewritten first (-lf FILE, -d0,
 * -ly...), then getopt_long over duct's options into a struct cli, and the
 * usage errors and address parse errors as the user sees them.  main.c
 * runs what it describes.
 */
#ifndef DUCT_CLI_H
#define DUCT_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "address.h"
#include "transfer.h"

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

/* Fills c with the defaults (the close timer, DUCT_SPLICE, warnings). */
void cli_init(struct cli *c);

/*
 * Parses argv into c; ac holds the rewritten copy whose argv[optind] and
 * argv[optind + 1] are the two addresses.  Returns -1 to go on (free ac
 * with cli_free), or the exit status to end with (ac already freed):
 * 0 after --help or --version, 2 after a usage error it printed.
 */
int cli_parse(int argc, char **argv, struct cli *c, struct argv_copy *ac);

void cli_free(struct argv_copy *ac);

/* Prints address index's parse error pe, pointing into text. */
void cli_report_parse_error(
    int index, const char *text, const struct parse_error *pe);

#endif
