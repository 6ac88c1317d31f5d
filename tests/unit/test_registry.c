/*
 * SPDX-License-Identifier: ISC
 * Unit tests of the registry: names unique ignoring case, every kind
 * complete (an open or a listen/accept pair, syntax, help), lookup by
 * alias and family variant.
 */
#include <sys/socket.h>

#include <string.h>
#include <strings.h>

#include "registry.h"
#include "unit.h"

static void
test_complete(void)
{
	const struct addr_kind *k, *o;
	size_t i, j, m, n;

	for (i = 0; i < registry_count(); i++) {
		k = registry_get(i);
		CHECK(k->names[0] != NULL && k->syntax != NULL &&
		    k->help != NULL && k->dirs != 0);
		CHECK((k->open != NULL) != (k->listen != NULL));
		if (k->listen != NULL)
			CHECK(k->accept != NULL && k->listen_close != NULL);
		CHECK(k->min_params <= k->max_params);
		for (j = 0; j < registry_count(); j++) {
			o = registry_get(j);
			for (m = 0; k->names[m] != NULL; m++)
				for (n = 0; o->names[n] != NULL; n++)
					if (i != j || m != n)
						CHECK(strcasecmp(k->names[m],
							  o->names[n]) != 0);
		}
	}
}

static void
test_lookup(void)
{
	int fam;

	CHECK(
	    registry_find("tcp-l", &fam) == registry_find("TCP-LISTEN", &fam) &&
	    fam == AF_UNSPEC);
	CHECK(registry_find("TCP6-LISTEN", &fam) != NULL && fam == AF_INET6);
	CHECK(registry_find("tcp4", &fam) != NULL && fam == AF_INET);
	CHECK(registry_find("UNIX4-LISTEN", &fam) == NULL);
	CHECK(registry_find("nosuch", &fam) == NULL);
	CHECK(registry_find("Create", &fam) == registry_find("creat", &fam));
}

int
main(void)
{
	test_complete();
	test_lookup();
	return unit_done("test_registry");
}
