/*
 * SPDX-License-Identifier: ISC
 * An LD_PRELOAD shim for tests: getaddrinfo() of the name slow.invalid
 * answers 127.0.0.1, but its first call (numeric-only ones aside) waits (creating $SLOW_LOOKUP_GATE
 * ".waiting" first) until the file $SLOW_LOOKUP_GATE exists, so a test can
 * hold one lookup up for as long as it likes.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef int gai_fn(const char *, const char *, const struct addrinfo *,
    struct addrinfo **);

static void
gate_wait(void)
{
	const char *gate = getenv("SLOW_LOOKUP_GATE");
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	char waiting[4096];
	int i, fd;

	if (gate == NULL)
		return;
	snprintf(waiting, sizeof(waiting), "%s.waiting", gate);
	if ((fd = open(waiting, O_WRONLY | O_CREAT, 0600)) != -1)
		close(fd);
	/* at most a minute: a test that forgot the gate still ends */
	for (i = 0; i < 6000 && access(gate, F_OK) == -1; i++)
		nanosleep(&ts, NULL);
}

int
getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	static atomic_int calls;
	gai_fn *real = (gai_fn *)dlsym(RTLD_NEXT, "getaddrinfo");

	/* numeric-only lookups (duct trying the name as an address) fail */
	if (node != NULL && strcmp(node, "slow.invalid") == 0 &&
	    (hints == NULL || !(hints->ai_flags & AI_NUMERICHOST))) {
		if (atomic_fetch_add(&calls, 1) == 0)
			gate_wait();
		node = "127.0.0.1";
	}
	return real(node, service, hints, res);
}
