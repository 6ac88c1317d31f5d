/*
 * SPDX-License-Identifier: ISC
 * Per-connection facts (facts.h): a small list of "NAME=VALUE" strings per
 * endpoint, kept in the form execve(2) wants so that EXEC's envp only
 * points at them.  Lists are short (a dozen entries with a certificate),
 * so a linear search is all they need.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts.h"
#include "net.h"
#include "xmalloc.h"

struct facts {
	size_t n, cap;
	char **kv; /* "NAME=VALUE", owned */
};

static bool facts_on;

void
facts_enable(void)
{
	facts_on = true;
}

bool
facts_enabled(void)
{
	return facts_on;
}

/* The index of the entry whose name is name[namelen], or -1. */
static long
facts_find(const struct facts *f, const char *name, size_t namelen)
{
	size_t i;

	if (f == NULL)
		return -1;
	for (i = 0; i < f->n; i++)
		if (strncmp(f->kv[i], name, namelen) == 0 &&
		    f->kv[i][namelen] == '=')
			return (long)i;
	return -1;
}

/* Puts the ready "NAME=VALUE" string kv (taken) into *f. */
static void
facts_put(struct facts **f, char *kv)
{
	struct facts *l = *f;
	long i;

	if (l == NULL)
		l = *f = xcalloc(1, sizeof(*l));
	i = facts_find(l, kv, strcspn(kv, "="));
	if (i >= 0) {
		free(l->kv[i]);
		l->kv[i] = kv;
		return;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->kv = xrealloc(l->kv, l->cap * sizeof(*l->kv));
	}
	l->kv[l->n++] = kv;
}

void
facts_set(struct facts **f, const char *name, const char *value)
{
	size_t nl = strlen(name), vl = strlen(value);
	char *kv;

	if (!facts_on)
		return;
	kv = xmalloc(nl + vl + 2);
	memcpy(kv, name, nl);
	kv[nl] = '=';
	memcpy(kv + nl + 1, value, vl + 1);
	facts_put(f, kv);
}

void
facts_set_both(struct facts **f, const char *suffix, const char *value)
{
	static const char *const prefixes[] = { "DUCT_", "SOCAT_" };
	char name[128];
	size_t i;

	for (i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "%s%s", prefixes[i], suffix);
		facts_set(f, name, value);
	}
}

const char *
facts_get(const struct facts *f, const char *name)
{
	size_t nl = strlen(name);
	long i = facts_find(f, name, nl);

	return i < 0 ? NULL : f->kv[i] + nl + 1;
}

size_t
facts_count(const struct facts *f)
{
	return f != NULL ? f->n : 0;
}

void
facts_add_addr(struct facts **f, const char *what, const struct sockaddr *sa,
    socklen_t len)
{
	char name[32], host[NET_ADDRSTRLEN], port[16];
	int p;

	if (!facts_on)
		return;
	snprintf(name, sizeof(name), "%sADDR", what);
	if (sa->sa_family == AF_INET || sa->sa_family == AF_INET6) {
		net_format_host(sa, host, sizeof(host), &p);
		facts_set_both(f, name, host);
		snprintf(name, sizeof(name), "%sPORT", what);
		snprintf(port, sizeof(port), "%d", p);
		facts_set_both(f, name, port);
		return;
	}
	/* A unix peer that bound no path has none to tell. */
	if (sa->sa_family != AF_UNIX ||
	    len <= offsetof(struct sockaddr_un, sun_path))
		return;
	net_format(sa, len, host, sizeof(host));
	facts_set_both(f, name, host);
}

void
facts_add_socket(
    struct facts **f, int fd, const struct sockaddr *peer, socklen_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (!facts_on ||
	    (peer->sa_family != AF_INET && peer->sa_family != AF_INET6))
		return;
	facts_add_addr(f, "PEER", peer, len);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
		facts_add_addr(f, "SOCK", (struct sockaddr *)&ss, sl);
}

void
facts_merge(struct facts **dst, struct facts *src)
{
	size_t i;

	if (src == NULL)
		return;
	if (*dst == NULL) {
		*dst = src;
		return;
	}
	for (i = 0; i < src->n; i++)
		facts_put(dst, src->kv[i]);
	src->n = 0;
	facts_free(src);
}

void
facts_free(struct facts *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->n; i++)
		free(f->kv[i]);
	free(f->kv);
	free(f);
}

char **
facts_envp(const struct facts *f, char *const *base)
{
	size_t n = 0, i, o = 0;
	char **envp;

	while (base[n] != NULL)
		n++;
	envp = xcalloc(n + facts_count(f) + 1, sizeof(*envp));
	for (i = 0; i < n; i++)
		if (facts_find(f, base[i], strcspn(base[i], "=")) < 0)
			envp[o++] = base[i];
	for (i = 0; i < facts_count(f); i++)
		envp[o++] = f->kv[i];
	return envp;
}
