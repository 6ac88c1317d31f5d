/*
 * SPDX-License-Identifier: ISC
 * Parsing of one address argument, "KIND[:PARAM...][,OPTION[=VALUE]...]",
 * into a struct address: kind looked up in the registry, parameters split
 * and unquoted, options checked against the kind's groups and stored as
 * typed values.  A dual address "A!!B" becomes two such halves.  No I/O:
 * nothing is opened, resolved or created here.
 */
#ifndef DUCT_ADDRESS_H
#define DUCT_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "duct.h"
#include "endpoint.h"
#include "options.h"

#define ADDR_MAX_PARAMS 4

struct address {
	int index;                    /* 1 or 2 */
	char *text;                   /* as given; owned */
	const struct addr_kind *kind; /* static registry row */
	int family;                   /* AF_* forced by TCP4-style names */
	int nparams;
	char *params[ADDR_MAX_PARAMS];     /* unquoted; owned */
	size_t param_off[ADDR_MAX_PARAMS]; /* position in text */
	size_t param_len[ADDR_MAX_PARAMS];
	struct optvals opts; /* owns its strings */
	char label[128];     /* "address 1 (TEXT)" */
	/*
	 * A dual address "A!!B": this struct is A, the half that is read,
	 * and dual is B, the half that is written, each with its own kind,
	 * parameters and options.  text and label are the whole "A!!B" in
	 * this struct, and label in B too.  NULL for a plain address.
	 */
	struct address *dual;
	/*
	 * -g: the options skipped because they do not apply to the kind,
	 * as "\"name\", \"name\""; NULL for none.  Owned.
	 */
	char *skipped;
};

/* A usage error: message, and the part of the text it is about. */
struct parse_error {
	char msg[2 * DUCT_ERR_LEN];
	size_t off, len; /* len 0: no part to point at */
};

/*
 * Parses text as address number index (1 or 2) into out.  Returns 0, or -1
 * with pe filled; out then holds nothing that needs address_free().
 * On success the caller owns out and frees it with address_free().
 *
 * text splits into a dual address at an unquoted, unescaped "!!"; each
 * half is parsed as an address of its own, errors in B pointing into the
 * whole text.  A dual address needs an A that can be read and a B that
 * can be written, and refuses fork in either half.
 */
int address_parse(
    const char *text, int index, struct address *out, struct parse_error *pe);

void address_free(struct address *addr);

/*
 * The directions a can be used in (EP_READABLE, EP_WRITABLE): its kind's
 * narrowed by rdonly or wronly, or for a dual address A's reading and B's
 * writing.
 */
unsigned address_dirs(const struct address *a);

/* The option groups (G_*) of a's kind, or of both kinds of a dual. */
unsigned address_groups(const struct address *a);

/*
 * -g: with on, an option that does not apply to the address kind is left
 * out and named in struct address's skipped (for a warning), instead of
 * being a parse error.  Off by default.
 */
void address_set_lax_groups(bool on);

/* Edit distance (swaps count once), case-insensitive; "did you mean". */
size_t address_distance(const char *a, const char *b);

#endif
