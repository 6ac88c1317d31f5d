/*
 * SPDX-License-Identifier: ISC
 * Unit tests of facts.c: setting and replacing, the DUCT_/SOCAT_ pairs of
 * an address, merging, the envp a program gets, and that nothing is
 * collected, nor duct's own environment changed, at any point.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "facts.h"
#include "unit.h"

/* True when envp holds the entry kv exactly once. */
static int
envp_has(char **envp, const char *kv)
{
	int n = 0;

	for (; *envp != NULL; envp++)
		n += strcmp(*envp, kv) == 0;
	return n == 1;
}

static void
test_off(void)
{
	struct facts *f = NULL;

	/* Without an EXEC address nothing is collected at all. */
	facts_set(&f, "DUCT_X", "1");
	CHECK(f == NULL);
	CHECK(!facts_enabled());
}

static void
test_set(void)
{
	struct facts *f = NULL;

	facts_set(&f, "DUCT_A", "1");
	facts_set(&f, "DUCT_AB", "2");
	facts_set(&f, "DUCT_A", "3");
	CHECK(facts_count(f) == 2);
	CHECK(strcmp(facts_get(f, "DUCT_A"), "3") == 0);
	CHECK(strcmp(facts_get(f, "DUCT_AB"), "2") == 0);
	CHECK(facts_get(f, "DUCT_") == NULL);
	CHECK(facts_get(NULL, "DUCT_A") == NULL);
	facts_set_both(&f, "OPENSSL_X509_COMMONNAME", "peer.example");
	CHECK(strcmp(facts_get(f, "SOCAT_OPENSSL_X509_COMMONNAME"),
		  "peer.example") == 0);
	CHECK(strcmp(facts_get(f, "DUCT_OPENSSL_X509_COMMONNAME"),
		  "peer.example") == 0);
	facts_free(f);
	/* No fact ever reaches duct's own environment. */
	CHECK(getenv("DUCT_A") == NULL);
}

static void
test_addr(void)
{
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
	struct sockaddr_un un;
	struct facts *f = NULL;
	socklen_t ul;

	memset(&in, 0, sizeof(in));
	in.sin_family = AF_INET;
	in.sin_port = htons(40001);
	inet_pton(AF_INET, "127.0.0.2", &in.sin_addr);
	facts_add_addr(&f, "PEER", (struct sockaddr *)&in, sizeof(in));
	CHECK(strcmp(facts_get(f, "DUCT_PEERADDR"), "127.0.0.2") == 0);
	CHECK(strcmp(facts_get(f, "DUCT_PEERPORT"), "40001") == 0);
	CHECK(strcmp(facts_get(f, "SOCAT_PEERADDR"), "127.0.0.2") == 0);
	CHECK(strcmp(facts_get(f, "SOCAT_PEERPORT"), "40001") == 0);

	memset(&in6, 0, sizeof(in6));
	in6.sin6_family = AF_INET6;
	in6.sin6_port = htons(7);
	inet_pton(AF_INET6, "::1", &in6.sin6_addr);
	facts_add_addr(&f, "SOCK", (struct sockaddr *)&in6, sizeof(in6));
	CHECK(strcmp(facts_get(f, "DUCT_SOCKADDR"), "::1") == 0);
	CHECK(strcmp(facts_get(f, "DUCT_SOCKPORT"), "7") == 0);
	CHECK(facts_count(f) == 8);

	/* A unix peer: its path only; an unnamed one: nothing. */
	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	strcpy(un.sun_path, "/tmp/s");
	ul = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 7);
	facts_add_addr(&f, "PEER", (struct sockaddr *)&un, ul);
	CHECK(strcmp(facts_get(f, "DUCT_PEERADDR"), "/tmp/s") == 0);
	CHECK(facts_count(f) == 8);
	facts_free(f);
	f = NULL;
	facts_add_addr(&f, "PEER", (struct sockaddr *)&un, sizeof(sa_family_t));
	CHECK(f == NULL);
	/* facts_add_socket() is for IP peers only, as socat's are. */
	facts_add_socket(&f, -1, (struct sockaddr *)&un, ul);
	CHECK(f == NULL);
}

static void
test_merge_envp(void)
{
	char *base[] = { "HOME=/root", "DUCT_PEERADDR=stale", "PATH=/bin",
		NULL };
	struct facts *a = NULL, *b = NULL;
	char **envp;
	size_t n;

	facts_set(&a, "DUCT_PEERADDR", "127.0.0.3");
	facts_set(&b, "DUCT_PEERADDR", "127.0.0.4");
	facts_set(&b, "DUCT_IP_TTL", "64");
	facts_merge(&a, b);
	CHECK(facts_count(a) == 2);
	CHECK(strcmp(facts_get(a, "DUCT_PEERADDR"), "127.0.0.4") == 0);
	facts_merge(&a, NULL);
	CHECK(facts_count(a) == 2);

	/* A fact wins over the same name inherited from duct's start. */
	envp = facts_envp(a, base);
	for (n = 0; envp[n] != NULL; n++)
		;
	CHECK(n == 4);
	CHECK(envp_has(envp, "HOME=/root"));
	CHECK(envp_has(envp, "PATH=/bin"));
	CHECK(envp_has(envp, "DUCT_PEERADDR=127.0.0.4"));
	CHECK(envp_has(envp, "DUCT_IP_TTL=64"));
	free(envp);
	envp = facts_envp(NULL, base);
	CHECK(envp_has(envp, "DUCT_PEERADDR=stale"));
	free(envp);
	facts_free(a);
}

int
main(void)
{
	test_off();
	facts_enable();
	test_set();
	test_addr();
	test_merge_envp();
	return unit_done("test_facts");
}
