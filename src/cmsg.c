/*
 * SPDX-License-Identifier: ISC
 * Ancillary data of received datagrams: one table row per control
 * message duct understands, naming it as socat does and turning its bytes
 * into NAME=VALUE items with the variable each is exported as.  The value
 * formats are socat's, so that scripts reading either tool's log or
 * environment work with both.
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <net/if.h>
#include <arpa/inet.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmsg.h"
#include "facts.h"
#include "log.h"
#include "net.h"

/* One NAME=VALUE of a control message, and the variable it sets. */
struct cmsg_item {
	const char *name; /* "ttl" */
	const char *var;  /* "IP_TTL": DUCT_IP_TTL and SOCAT_IP_TTL */
	char value[80];
};

#define CMSG_ITEMS 3

/* Fills items from a message's data; returns how many. */
typedef int (*cmsg_fmt)(
    const unsigned char *data, size_t len, struct cmsg_item *items);

struct cmsg_def {
	int level, type;
	const char *label; /* socat's name of the message */
	cmsg_fmt fmt;
	const char *name, *var; /* of the single item of the simple formats */
};

/* The int a message carries; false when it is too short for one. */
static bool
cmsg_int(const unsigned char *data, size_t len, int *v)
{
	if (len < sizeof(*v))
		return false;
	memcpy(v, data, sizeof(*v));
	return true;
}

/* An int (IP_TTL, IPV6_HOPLIMIT), in decimal. */
static int
cmsg_fmt_int(const unsigned char *data, size_t len, struct cmsg_item *it)
{
	int v;

	if (!cmsg_int(data, len, &v))
		return 0;
	snprintf(it->value, sizeof(it->value), "%d", v);
	return 1;
}

/* An int as socat shows IPV6_TCLASS: x and eight hex digits. */
static int
cmsg_fmt_hexint(const unsigned char *data, size_t len, struct cmsg_item *it)
{
	int v;

	if (!cmsg_int(data, len, &v))
		return 0;
	snprintf(it->value, sizeof(it->value), "x%08x", (unsigned)v);
	return 1;
}

/* One byte (IP_TOS), in decimal. */
static int
cmsg_fmt_byte(const unsigned char *data, size_t len, struct cmsg_item *it)
{
	if (len < 1)
		return 0;
	snprintf(it->value, sizeof(it->value), "%u", data[0]);
	return 1;
}

/* Bytes (IP_OPTIONS) as x and hex digits, as ip-options= takes them. */
static int
cmsg_fmt_hex(const unsigned char *data, size_t len, struct cmsg_item *it)
{
	size_t i, n = 1;

	it->value[0] = 'x';
	for (i = 0; i < len && n + 3 <= sizeof(it->value); i++, n += 2)
		snprintf(it->value + n, 3, "%02x", data[i]);
	it->value[n] = '\0';
	return 1;
}

/* A struct timeval as socat shows it: ctime(3)'s date, then usecs. */
static int
cmsg_fmt_timeval(const unsigned char *data, size_t len, struct cmsg_item *it)
{
	struct timeval tv;
	struct tm tm;
	time_t t;
	char date[48];

	if (len < sizeof(tv))
		return 0;
	memcpy(&tv, data, sizeof(tv));
	t = tv.tv_sec;
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y", &tm) == 0)
		return 0;
	snprintf(it->value, sizeof(it->value), "%s, %06ld usecs", date,
	    (long)tv.tv_usec);
	return 1;
}

/* An interface index as its name, or the number when it has none. */
static void
cmsg_ifname(unsigned idx, char *out, size_t len)
{
	char name[IF_NAMESIZE];

	if (if_indextoname(idx, name) != NULL)
		snprintf(out, len, "%s", name);
	else
		snprintf(out, len, "%u", idx);
}

/* IP_PKTINFO: the interface, the local address and the destination. */
static int
cmsg_fmt_pktinfo(const unsigned char *data, size_t len, struct cmsg_item *it)
{
	struct in_pktinfo pi;

	if (len < sizeof(pi))
		return 0;
	memcpy(&pi, data, sizeof(pi));
	it[0].name = "if";
	it[0].var = "IP_IF";
	cmsg_ifname((unsigned)pi.ipi_ifindex, it[0].value, sizeof(it[0].value));
	it[1].name = "locaddr";
	it[1].var = "IP_LOCADDR";
	inet_ntop(AF_INET, &pi.ipi_spec_dst, it[1].value, sizeof(it[1].value));
	it[2].name = "dstaddr";
	it[2].var = "IP_DSTADDR";
	inet_ntop(AF_INET, &pi.ipi_addr, it[2].value, sizeof(it[2].value));
	return 3;
}

/*
 * IPV6_PKTINFO: the destination, written out in full within brackets as
 * socat does ([0000:...:0001]), and the interface.
 */
static int
cmsg_fmt_pktinfo6(const unsigned char *data, size_t len, struct cmsg_item *it)
{
	struct in6_pktinfo pi;
	const unsigned char *a;
	size_t i, n;

	if (len < sizeof(pi))
		return 0;
	memcpy(&pi, data, sizeof(pi));
	a = pi.ipi6_addr.s6_addr;
	it[0].name = "dstaddr";
	it[0].var = "IPV6_DSTADDR";
	n = (size_t)snprintf(it[0].value, sizeof(it[0].value), "[");
	for (i = 0; i < 16; i += 2)
		n += (size_t)snprintf(it[0].value + n, sizeof(it[0].value) - n,
		    "%s%02x%02x", i ? ":" : "", a[i], a[i + 1]);
	snprintf(it[0].value + n, sizeof(it[0].value) - n, "]");
	it[1].name = "if";
	it[1].var = "IPV6_IF";
	cmsg_ifname(pi.ipi6_ifindex, it[1].value, sizeof(it[1].value));
	return 2;
}

static const struct cmsg_def cmsg_table[] = {
	{ IPPROTO_IP, IP_TTL, "IP_TTL", cmsg_fmt_int, "ttl", "IP_TTL" },
	{ IPPROTO_IP, IP_TOS, "IP_TOS", cmsg_fmt_byte, "tos", "IP_TOS" },
	{ IPPROTO_IP, IP_PKTINFO, "IP_PKTINFO", cmsg_fmt_pktinfo, NULL, NULL },
	/* ip-recvopts: Linux tags the options IP_RECVOPTS; socat's name. */
	{ IPPROTO_IP, IP_RECVOPTS, "IP_OPTIONS", cmsg_fmt_hex, "options",
	    "IP_OPTIONS" },
	{ SOL_SOCKET, SCM_TIMESTAMP, "SCM_TIMESTAMP", cmsg_fmt_timeval,
	    "timestamp", "TIMESTAMP" },
	{ IPPROTO_IPV6, IPV6_PKTINFO, "IPV6_PKTINFO", cmsg_fmt_pktinfo6, NULL,
	    NULL },
	{ IPPROTO_IPV6, IPV6_HOPLIMIT, "IPV6_HOPLIMIT", cmsg_fmt_int,
	    "hoplimit", "IPV6_HOPLIMIT" },
	{ IPPROTO_IPV6, IPV6_TCLASS, "IPV6_TCLASS", cmsg_fmt_hexint, "tclass",
	    "IPV6_TCLASS" },
};

static const struct cmsg_def *
cmsg_find(int level, int type)
{
	size_t i;

	for (i = 0; i < sizeof(cmsg_table) / sizeof(cmsg_table[0]); i++)
		if (cmsg_table[i].level == level && cmsg_table[i].type == type)
			return &cmsg_table[i];
	return NULL;
}

void
cmsg_report(const void *ctl, size_t len, unsigned what, struct facts **facts)
{
	struct cmsg_item items[CMSG_ITEMS];
	const struct cmsg_def *def;
	struct msghdr mh;
	struct cmsghdr *c;
	size_t dlen;
	int i, n;

	if (len == 0)
		return;
	memset(&mh, 0, sizeof(mh));
	mh.msg_control = (void *)(uintptr_t)ctl;
	mh.msg_controllen = len;
	for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
		dlen = c->cmsg_len - CMSG_LEN(0);
		if ((def = cmsg_find(c->cmsg_level, c->cmsg_type)) == NULL) {
			if (what & CMSG_LOG)
				log_debug("ancillary message: level %d type "
					  "%d, %zu bytes",
				    c->cmsg_level, c->cmsg_type, dlen);
			continue;
		}
		memset(items, 0, sizeof(items));
		items[0].name = def->name;
		items[0].var = def->var;
		n = def->fmt(CMSG_DATA(c), dlen, items);
		for (i = 0; i < n; i++) {
			if (what & CMSG_LOG)
				log_debug("ancillary message: %s: %s=%s",
				    def->label, items[i].name, items[i].value);
			if (!(what & CMSG_EXPORT))
				continue;
			facts_set_both(facts, items[i].var, items[i].value);
		}
	}
}
