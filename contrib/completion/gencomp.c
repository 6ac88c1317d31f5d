/*
 * SPDX-License-Identifier: ISC
 * Prints the tables shell completion needs, as shell variables: every
 * address kind name with its option groups and what its first parameter
 * is, and every option with its groups and the values it takes.  Run at
 * build time, so that the completion scripts come from the same tables as
 * the parser and never drift from them.
 */
#include <stdio.h>
#include <string.h>

#include "endpoint.h"
#include "options.h"
#include "registry.h"

/* Whether the kind's first parameter is a path to complete as a file. */
static int
path_param(const struct addr_kind *k)
{
	return strncmp(k->syntax, "PATH", 4) == 0 ||
	    strncmp(k->syntax, "[PATH]", 6) == 0;
}

static void
kind_row(const char *name, const struct addr_kind *k)
{
	/* "-" and bare digits are no names anyone completes. */
	if (!((*name >= 'A' && *name <= 'Z') || (*name >= 'a' && *name <= 'z')))
		return;
	printf(
	    "%s %u %d %d\n", name, k->groups, k->max_params > 0, path_param(k));
}

/* TCP4-LISTEN from TCP-LISTEN: the digit after the leading letters. */
static void
kind_family_rows(const char *name, const struct addr_kind *k)
{
	char v[64];
	size_t i;

	for (i = 0; name[i] >= 'A' && name[i] <= 'Z'; i++)
		;
	if (i == 0 || strlen(name) + 2 > sizeof(v))
		return;
	snprintf(v, sizeof(v), "%.*s4%s", (int)i, name, name + i);
	kind_row(v, k);
	v[i] = '6';
	kind_row(v, k);
}

/*
 * What follows "name=": flag (0 or 1, and the name alone is an option),
 * file, dir, set:A|B (a fixed set), or val (anything; nothing to offer).
 */
static const char *
opt_class(const struct opt_def *d, char *buf, size_t len)
{
	if (d->type == OT_FLAG || d->type == OT_CONST || d->type == OT_OFLAG)
		return "flag";
	if (d->type == OT_TLSVER)
		return "set:TLS1.2|TLS1.3";
	if (d->value != NULL && strchr(d->value, '|') != NULL) {
		snprintf(buf, len, "set:%s", d->value);
		return buf;
	}
	if (d->type == OT_FAMILY)
		return "set:ip4|ip6";
	if (d->value != NULL && strcmp(d->value, "FILE") == 0)
		return "file";
	if (d->value != NULL && strncmp(d->value, "DIR", 3) == 0)
		return "dir";
	return "val";
}

int
main(void)
{
	const struct addr_kind *k;
	const struct opt_def *d;
	char buf[128];
	size_t i, j;

	printf("# Generated from duct's kind and option tables by "
	       "contrib/completion/gencomp;\n# do not edit.\n");
	printf("# Rows: NAME GROUPS TAKES-PARAMS FIRST-PARAM-IS-A-PATH\n");
	printf("_duct_kinds='\n");
	for (i = 0; i < registry_count(); i++) {
		k = registry_get(i);
		for (j = 0; k->names[j] != NULL; j++)
			kind_row(k->names[j], k);
		if (k->families)
			kind_family_rows(k->names[0], k);
	}
	printf("'\n# Rows: NAME GROUPS VALUE-CLASS (an optional value: "
	       "NAME alone is offered)\n");
	printf("_duct_opts='\n");
	for (i = 0; i < OPT_COUNT; i++) {
		d = &opt_table[i];
		printf("%s %u %s%s\n", d->names[0], d->groups,
		    opt_class(d, buf, sizeof(buf)),
		    d->dflt != NULL && d->type != OT_FLAG ? ":opt" : "");
	}
	printf("'\n");
	return 0;
}
