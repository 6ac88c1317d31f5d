/*
 * SPDX-License-Identifier: ISC
 * Help text built from the tables: the kinds from the registry, the
 * options from opt_table.  Nothing here is written by hand twice.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "buffer.h"
#include "endpoint.h"
#include "help.h"
#include "options.h"
#include "registry.h"
#include "src/revision.h"
#include "transfer.h"

/* A format: the defaults it names come from the modules that use them. */
static const char usage_text[] =
    "Usage: duct [OPTIONS] ADDRESS1 ADDRESS2\n"
    "Relay bytes between two addresses in both directions, passing end of\n"
    "file on.  ADDRESS is KIND[:PARAM...][,OPTION[=VALUE]...].\n"
    "A!!B as an ADDRESS reads from address A and writes to address B.\n"
    "\n"
    "Options:\n"
    "  -h, --help[=KIND]        this help, or one address kind's options\n"
    "  -V, --version            version and features\n"
    "  -n, --check              check both addresses and print how each would "
    "be\n"
    "                           opened; open, bind and create nothing\n"
    "  -d, --debug              more diagnostics (-d notice, -dd info, "
    "-ddd debug)\n"
    "  -dN, --debug=N           level N: 0 errors, 1 warnings (default), "
    "2 notices,\n"
    "                           3 info, 4 debug\n"
    "  -q, --quiet              errors only\n"
    "  -v, --verbose            dump the data that moves as text "
    "(> 1 to 2, < 2 to 1)\n"
    "  -x, --hex                dump the data that moves as hex "
    "(with -v: both)\n"
    "  -b, --buffer-size=N      fixed bytes per direction (K/M suffix; "
    "default:\n"
    "                           adaptive, %zuK growing to %zuM)\n"
    "  -t, --close-timeout=S    after the first end of file, end after S "
    "seconds\n"
    "                           without data (default %g)\n"
    "  -T, --idle-timeout=S     end after S seconds without data "
    "(default: never)\n"
    "  -u, --left-to-right      only ADDRESS1 -> ADDRESS2\n"
    "  -U, --right-to-left      only ADDRESS2 -> ADDRESS1\n"
    "  -4, -6                   IPv4 / IPv6 where an address leaves it open\n"
    "  -lf PATH, --log-file=PATH\n"
    "                           diagnostics to PATH (time-stamped lines)\n"
    "  -ls, --log-stderr        diagnostics to stderr (the default)\n"
    "  -ly[FACILITY], --log-syslog[=FACILITY]\n"
    "                           diagnostics to syslog (facility daemon)\n"
    "  -lm[FACILITY], --log-mixed[=FACILITY]\n"
    "                           stderr while starting, syslog once open "
    "or listening\n"
    "  -lp NAME, --log-name=NAME\n"
    "                           NAME instead of \"duct\" in log lines\n"
    "  -lu, --log-microseconds  time stamps with microseconds (on stderr "
    "too)\n"
    "  -lh, --log-hostname      the host name in log lines\n"
    "  -D, --fd-info            describe the descriptors before the "
    "transfer\n"
    "      --dump-file=PATH     -v/-x dumps to PATH\n"
    "  -r PATH, --raw-left-to-right=PATH\n"
    "                           copy the bytes from ADDRESS1 to ADDRESS2 "
    "to PATH\n"
    "  -R PATH, --raw-right-to-left=PATH\n"
    "                           copy the bytes from ADDRESS2 to ADDRESS1 "
    "to PATH\n"
    "  -L PATH, --lock=PATH     fail if lock file PATH exists, else hold "
    "it\n"
    "  -W PATH, --wait-lock=PATH\n"
    "                           wait until lock file PATH is gone, then "
    "hold it\n"
    "  -g, --no-group-check     skip (with a warning) address options "
    "foreign to\n"
    "                           their kind instead of refusing them\n"
    "  -s, --sloppy             an option that cannot be applied when "
    "opening is\n"
    "                           a warning, not a failure\n"
    "      --statistics         bytes, seconds and rate per direction at "
    "exit\n"
    "                           and on SIGUSR1\n"
    "\n"
    "Exit status: 0 done, 1 run-time failure, 2 usage error, 128+N "
    "signal N.\n";

/*
 * Prints head in a column of width; a longer head gets a line of its own
 * so the text after it stays aligned with the others.
 */
static void
help_head(FILE *out, const char *head, int width)
{
	if ((int)strlen(head) > width)
		fprintf(out, "  %s\n  %*s ", head, width, "");
	else
		fprintf(out, "  %-*s ", width, head);
}

static void
help_kind_line(FILE *out, const struct addr_kind *k)
{
	char head[80];
	size_t i, n;

	n = snprintf(head, sizeof(head), "%s", k->names[0]);
	for (i = 1; k->names[i] != NULL && n < sizeof(head); i++)
		n += snprintf(head + n, sizeof(head) - n, "%s%s",
		    i == 1 ? " (" : ", ", k->names[i]);
	if (i > 1 && n < sizeof(head))
		n += snprintf(head + n, sizeof(head) - n, ")");
	if (*k->syntax && n < sizeof(head))
		snprintf(head + n, sizeof(head) - n, " %s", k->syntax);
	help_head(out, head, 34);
	if (k->unavailable != NULL)
		fprintf(out, "unavailable: %s\n", k->unavailable);
	else
		fprintf(out, "%s\n", k->help);
}

static void
help_option_line(FILE *out, const struct opt_def *d)
{
	char head[96], groups[64];
	size_t i, n;

	n = snprintf(head, sizeof(head), "%s%s%s", d->names[0],
	    d->value ? "=" : "", d->value ? d->value : "");
	for (i = 1; i < OPT_NAMES && d->names[i] != NULL && n < sizeof(head);
	     i++)
		n += snprintf(head + n, sizeof(head) - n, "%s%s",
		    i == 1 ? " (" : ", ", d->names[i]);
	if (i > 1 && n < sizeof(head))
		snprintf(head + n, sizeof(head) - n, ")");
	opts_group_names(d->groups, groups, sizeof(groups));
	help_head(out, head, 26);
	fprintf(out, "%-12s %s\n", groups, d->help);
}

void
help_print(FILE *out)
{
	char groups[64];
	size_t i;

	fprintf(out, usage_text, (size_t)BUFFER_ADAPTIVE_MIN / 1024,
	    (size_t)BUFFER_ADAPTIVE_MAX / (1024 * 1024), XFER_CLOSE_TIMEOUT);
	fprintf(out, "\nAddress kinds:\n");
	for (i = 0; i < registry_count(); i++)
		help_kind_line(out, registry_get(i));
	fprintf(out,
	    "  (TCP4-*, TCP6-*, UDP4-*, UDP6-*: the TCP and UDP kinds "
	    "for one address family)\n");
	fprintf(out, "\nAddress options:\n");
	for (i = 0; i < OPT_COUNT; i++)
		help_option_line(out, &opt_table[i]);
	fprintf(out, "\nOption groups by kind:\n");
	for (i = 0; i < registry_count(); i++) {
		opts_group_names(
		    registry_get(i)->groups, groups, sizeof(groups));
		fprintf(out, "  %-14s %s\n", registry_get(i)->names[0], groups);
	}
	fprintf(out,
	    "\nduct --help=KIND shows one kind; man duct has the "
	    "details.\n");
}

int
help_kind(FILE *out, const char *name)
{
	const struct addr_kind *k;
	size_t i;
	int family;

	if ((k = registry_find(name, &family)) == NULL)
		return -1;
	help_kind_line(out, k);
	if (k->unavailable != NULL)
		fprintf(out, "(%s: %s)\n", k->names[0], k->help);
	fprintf(out, "\nSyntax: %s%s%s[,OPTION[=VALUE]...]\n", k->names[0],
	    *k->syntax ? ":" : "", k->syntax);
	if (k->families)
		fprintf(out,
		    "A 4 or 6 after the leading letters (%.3s4, "
		    "%.3s6...) fixes the address family.\n",
		    k->names[0], k->names[0]);
	fprintf(out, "\nOptions:\n");
	for (i = 0; i < OPT_COUNT; i++)
		if (opt_table[i].groups & k->groups)
			help_option_line(out, &opt_table[i]);
	return 0;
}

/* The i-th kind, when it is the first to name its build feature. */
static const struct addr_kind *
help_feature_kind(size_t i)
{
	const struct addr_kind *k = registry_get(i);
	size_t j;

	if (k->feature == NULL)
		return NULL;
	for (j = 0; j < i; j++)
		if (registry_get(j)->feature != NULL &&
		    strcmp(registry_get(j)->feature, k->feature) == 0)
			return NULL;
	return k;
}

void
help_version(FILE *out)
{
	const struct addr_kind *k;
	size_t i;

	fprintf(out, "duct %s\n", PACKAGE_VERSION);
	fprintf(out, "license: ISC\n");
#ifdef DUCT_REVISION
	fprintf(out, "revision: %s\n", DUCT_REVISION);
#else
	/* A release tarball carries no history to describe. */
	fprintf(out, "revision: none (not built from a git checkout)\n");
#endif
	fprintf(out, "features: engine=select");
	for (i = 0; i < registry_count(); i++)
		if ((k = help_feature_kind(i)) != NULL)
			fprintf(out, " %s=%s", k->feature,
			    k->unavailable != NULL ? "no" : "yes");
#ifdef HAVE_SPLICE
	fprintf(out, " splice=yes (unix sockets and pipes)\n");
#else
	fprintf(out, " splice=no\n");
#endif
	for (i = 0; i < registry_count(); i++)
		if ((k = help_feature_kind(i)) != NULL &&
		    k->unavailable == NULL && k->version != NULL)
			fprintf(out, "%s: %s\n", k->feature, k->version());
}
