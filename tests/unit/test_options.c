/*
 * SPDX-License-Identifier: ISC
 * Unit tests of the option table and the typed value parsers: sizes,
 * seconds, flags, the table's shape (unique names, help text), and group
 * names.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <termios.h>

#include "options.h"
#include "unit.h"

static void
test_parsers(void)
{
	size_t sz;
	double s;

	CHECK(opts_parse_size("8192", &sz) == 0 && sz == 8192);
	CHECK(opts_parse_size("64K", &sz) == 0 && sz == 65536);
	CHECK(opts_parse_size("2m", &sz) == 0 && sz == 2097152);
	CHECK(opts_parse_size("1G", &sz) == 0 && sz == 1073741824);
	CHECK(opts_parse_size("-1", &sz) == -1);
	CHECK(opts_parse_size("12Q", &sz) == -1);
	CHECK(opts_parse_size("", &sz) == -1);
	CHECK(opts_parse_size("99999999999999999999", &sz) == -1);
	CHECK(opts_parse_seconds("0.5", &s) == 0 && s == 0.5);
	CHECK(opts_parse_seconds("3", &s) == 0 && s == 3);
	CHECK(opts_parse_seconds("-1", &s) == -1);
	CHECK(opts_parse_seconds("nan", &s) == -1);
	CHECK(opts_parse_seconds("1x", &s) == -1);
}

static void
test_set(void)
{
	struct optvals v;
	char err[DUCT_ERR_LEN];

	opts_init(&v);
	CHECK(v.mode == -1 && v.unlink_close && !v.given[OPT_FORK]);
	CHECK(opts_set(&v, opts_find("fork"), NULL, err) == 0 && v.fork &&
	    v.given[OPT_FORK]);
	CHECK(opts_set(&v, opts_find("fork"), "off", err) == 0 && !v.fork);
	CHECK(opts_set(&v, opts_find("bind"), "a", err) == 0);
	CHECK(opts_set(&v, opts_find("bind"), "b", err) == 0 &&
	    strcmp(v.bind, "b") == 0);
	CHECK(opts_set(&v, opts_find("sndbuf"), "1k", err) == 0 &&
	    v.sndbuf == 1024);
	CHECK(opts_set(&v, opts_find("linger"), "x", err) == -1 &&
	    strstr(err, "linger") != NULL);
	CHECK(opts_find("CRNL") == opts_find("crlf"));
	CHECK(opts_find("perm") == opts_find("mode"));
	CHECK(opts_find("nosuch") == NULL);
	/* socat's "openssl-" spellings, for TLS options only. */
	CHECK(opts_find("openssl-cafile") == opts_find("cafile"));
	CHECK(opts_find("OPENSSL-COMMONNAME") == opts_find("commonname"));
	CHECK(opts_find("openssl-cipherlist") == opts_find("cipher"));
	CHECK(opts_find("openssl-fork") == NULL);
	CHECK(opts_find("openssl-") == NULL);
	CHECK(v.verify && v.min_version == OPT_TLS_1_2);
	CHECK(opts_set(&v, opts_find("min-version"), "TLSv1.3", err) == 0 &&
	    v.min_version == OPT_TLS_1_3);
	CHECK(opts_set(&v, opts_find("openssl-min-proto-version"), "tls1.2",
		  err) == 0 &&
	    v.min_version == OPT_TLS_1_2);
	CHECK(opts_set(&v, opts_find("min-version"), "TLS1.1", err) == -1 &&
	    strstr(err, "older versions") != NULL);
	CHECK(opts_set(&v, opts_find("verify"), "0", err) == 0 && !v.verify &&
	    v.given[OPT_VERIFY]);
	CHECK(opts_set(&v, opts_find("cn"), "example.org", err) == 0 &&
	    strcmp(v.commonname, "example.org") == 0);
	CHECK(opts_set(&v, opts_find("cafile"), "/ca.pem", err) == 0);
	opts_free(&v);
	CHECK(v.commonname == NULL && v.cafile == NULL);
}

static void
test_table(void)
{
	char g[64];
	size_t i, j, k, l;

	for (i = 0; i < OPT_COUNT; i++) {
		CHECK(opt_table[i].names[0] != NULL);
		CHECK(opt_table[i].help != NULL && *opt_table[i].help);
		CHECK(opt_table[i].groups != 0);
		for (j = 0; j < OPT_COUNT; j++)
			for (k = 0; k < OPT_NAMES && opt_table[i].names[k]; k++)
				for (l = 0;
				     l < OPT_NAMES && opt_table[j].names[l];
				     l++)
					if (i != j || k != l)
						CHECK(strcasecmp(
							  opt_table[i].names[k],
							  opt_table[j]
							      .names[l]) != 0);
	}
	opts_group_names(G_SOCKET | G_IP, g, sizeof(g));
	CHECK(strcmp(g, "SOCKET,IP") == 0);
	opts_group_names(G_TLS, g, sizeof(g));
	CHECK(strcmp(g, "TLS") == 0);
}

static bool
allows(struct optvals *v, const char *ip)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, ip, &in->sin_addr) == 1)
		ss.ss_family = AF_INET;
	else if (inet_pton(AF_INET6, ip, &in6->sin6_addr) == 1)
		ss.ss_family = AF_INET6;
	return opts_range_allows(v, (struct sockaddr *)&ss);
}

static void
test_ranges(void)
{
	const struct opt_def *r = opts_find("range");
	struct optvals v;
	char err[DUCT_ERR_LEN];

	opts_init(&v);
	CHECK(allows(&v, "192.0.2.1"));
	CHECK(opts_set(&v, r, "10.0.0.0/8", err) == 0);
	CHECK(allows(&v, "10.200.3.4"));
	CHECK(!allows(&v, "11.0.0.1"));
	CHECK(allows(&v, "::ffff:10.1.2.3"));
	CHECK(!allows(&v, "::1"));
	CHECK(opts_set(&v, r, "[2001:db8::]/33", err) == 0);
	CHECK(allows(&v, "2001:db8:7fff::1"));
	CHECK(!allows(&v, "2001:db8:8000::1"));
	CHECK(opts_set(&v, r, "192.168.1.77:255.255.255.0", err) == 0);
	CHECK(allows(&v, "192.168.1.200"));
	CHECK(!allows(&v, "192.168.2.1"));
	CHECK(opts_set(&v, r, "127.0.0.1", err) == 0);
	CHECK(allows(&v, "127.0.0.1"));
	CHECK(!allows(&v, "127.0.0.2"));
	CHECK(opts_set(&v, r, "::1", err) == 0);
	CHECK(allows(&v, "::1"));
	CHECK(opts_set(&v, r, "0.0.0.0/0", err) == 0);
	CHECK(allows(&v, "8.8.8.8"));
	CHECK(v.nranges == 6);
	CHECK(opts_set(&v, r, "10.0.0.0/33", err) == -1);
	CHECK(opts_set(&v, r, "::/129", err) == -1);
	CHECK(opts_set(&v, r, "10.0.0.0/x", err) == -1);
	CHECK(opts_set(&v, r, "[::1", err) == -1);
	CHECK(opts_set(&v, r, "host.example", err) == -1);
	CHECK(opts_set(&v, r, NULL, err) == -1);
	opts_free(&v);
}

/* TERMIOS options: kept in the order given, with typed values. */
static void
test_termios(void)
{
	struct optvals v;
	char err[DUCT_ERR_LEN];

	opts_init(&v);
	CHECK(opts_set(&v, opts_find("raw"), NULL, err) == 0);
	CHECK(opts_set(&v, opts_find("echo"), "0", err) == 0);
	CHECK(opts_set(&v, opts_find("cs8"), "0", err) == 0);
	CHECK(opts_set(&v, opts_find("intr"), "^C", err) == 0);
	CHECK(opts_set(&v, opts_find("ispeed"), "115200", err) == 0);
	CHECK(opts_set(&v, opts_find("csize"), "2", err) == 0);
	CHECK(v.ntermios == 5);
	CHECK(v.termios[0].id == OPT_RAW && v.termios[0].value == 1);
	CHECK(v.termios[1].id == OPT_ECHO && v.termios[1].value == 0);
	CHECK(v.termios[2].id == OPT_VINTR && v.termios[2].value == 3);
	CHECK(v.termios[3].id == OPT_ISPEED && v.termios[3].value == B115200);
	CHECK(v.termios[4].id == OPT_CSIZE && v.termios[4].value == 2);
	CHECK(!v.given[OPT_CS8]);
	CHECK(opts_set(&v, opts_find("csize"), "4", err) == -1);
	CHECK(opts_set(&v, opts_find("ospeed"), "12345", err) == -1);
	CHECK(opts_set(&v, opts_find("vmin"), "256", err) == -1);
	CHECK(opts_set(&v, opts_find("vmin"), NULL, err) == -1);
	CHECK(opts_find("termios-rawer") == opts_find("rawer"));
	CHECK(opts_find("tandem") == opts_find("ixoff"));
	CHECK(opts_baud(9600) == B9600 && opts_baud(9601) == -1);
	CHECK(opts_set(&v, opts_find("escape"), "0x1d", err) == 0 &&
	    v.escape == 0x1d);
	CHECK(opts_set(&v, opts_find("escape"), "^]", err) == 0 &&
	    v.escape == 0x1d);
	CHECK(opts_set(&v, opts_find("escape"), "300", err) == -1);
	opts_free(&v);
	CHECK(v.termios == NULL && v.ntermios == 0);
}

int
main(void)
{
	test_parsers();
	test_set();
	test_table();
	test_ranges();
	test_termios();
	return unit_done("test_options");
}
