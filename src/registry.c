/*
 * SPDX-License-Identifier: ISC
 * The table of address kinds, built from src/kinds.def, and lookup by
 * name.  Behaviour lives in addresses/; this file only lists.
 */
#include <sys/socket.h>

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "registry.h"

#define KIND(n) extern const struct addr_kind kind_##n;
#include "kinds.def"
#undef KIND

static const struct addr_kind *const kinds[] = {
#define KIND(n) &kind_##n,
#include "kinds.def"
#undef KIND
};

size_t
registry_count(void)
{
	return sizeof(kinds) / sizeof(kinds[0]);
}

const struct addr_kind *
registry_get(size_t i)
{
	return i < registry_count() ? kinds[i] : NULL;
}

static const struct addr_kind *
registry_exact(const char *name)
{
	size_t i, j;

	for (i = 0; i < registry_count(); i++)
		for (j = 0; kinds[i]->names[j] != NULL; j++)
			if (strcasecmp(name, kinds[i]->names[j]) == 0)
				return kinds[i];
	return NULL;
}

const struct addr_kind *
registry_find(const char *name, int *family)
{
	const struct addr_kind *k;
	char base[64];
	size_t i;

	*family = AF_UNSPEC;
	if ((k = registry_exact(name)) != NULL)
		return k;
	/* TCP4, TCP6-LISTEN: drop the digit after the leading letters. */
	for (i = 0; isalpha((unsigned char)name[i]); i++)
		;
	if (i == 0 || (name[i] != '4' && name[i] != '6') ||
	    strlen(name) >= sizeof(base))
		return NULL;
	memcpy(base, name, i);
	strcpy(base + i, name + i + 1);
	if ((k = registry_exact(base)) == NULL || !k->families)
		return NULL;
	*family = name[i] == '4' ? AF_INET : AF_INET6;
	return k;
}
