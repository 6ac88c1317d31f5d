/*
 * SPDX-License-Identifier: ISC
 * --help, --help=KIND and --version, generated from the registry and the
 * option table so that they can never disagree with what duct accepts.
 */
#ifndef DUCT_HELP_H
#define DUCT_HELP_H

#include <stdio.h>

/* Usage, global options, every address kind and every address option. */
void help_print(FILE *out);

/* One kind (any alias): syntax and its options.  Returns 0, -1 unknown. */
int help_kind(FILE *out, const char *name);

/* Version and the features built in. */
void help_version(FILE *out);

#endif
