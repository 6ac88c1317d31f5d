/*
 * SPDX-License-Identifier: ISC
 * Unit tests of the address parser: kinds and aliases, family variants,
 * parameters, quoting and escapes, options and their errors, and where an
 * error points.  No I/O.
 */
#include <sys/socket.h>

#include <string.h>

#include "address.h"
#include "unit.h"

static struct address a;
static struct parse_error pe;

static int
ok(const char *text)
{
	if (address_parse(text, 1, &a, &pe) == 0)
		return 1;
	fprintf(stderr, "unexpected error for %s: %s\n", text, pe.msg);
	return 0;
}

static int
bad(const char *text, const char *needle)
{
	if (address_parse(text, 2, &a, &pe) == 0) {
		address_free(&a);
		fprintf(stderr, "no error for %s\n", text);
		return 0;
	}
	if (strstr(pe.msg, needle) == NULL) {
		fprintf(stderr, "error for %s lacks \"%s\": %s\n", text, needle,
		    pe.msg);
		return 0;
	}
	return 1;
}

static void
test_kinds(void)
{
	CHECK(ok("-") && strcmp(a.kind->names[0], "STDIO") == 0);
	address_free(&a);
	CHECK(ok("stdio") && strcmp(a.kind->names[0], "STDIO") == 0);
	address_free(&a);
	CHECK(ok("tcp:localhost:80") &&
	    strcmp(a.kind->names[0], "TCP-CONNECT") == 0 && a.nparams == 2 &&
	    strcmp(a.params[0], "localhost") == 0 &&
	    strcmp(a.params[1], "80") == 0 && a.family == AF_UNSPEC);
	address_free(&a);
	CHECK(ok("TCP6:[::1]:80") && a.family == AF_INET6 &&
	    strcmp(a.params[0], "[::1]") == 0);
	address_free(&a);
	CHECK(ok("tcp4-listen:0") && a.family == AF_INET &&
	    strcmp(a.kind->names[0], "TCP-LISTEN") == 0);
	address_free(&a);
	CHECK(ok("TCP-L:8080,fork") && a.opts.fork);
	address_free(&a);
	CHECK(ok("/tmp/x") && strcmp(a.kind->names[0], "GOPEN") == 0 &&
	    strcmp(a.params[0], "/tmp/x") == 0);
	address_free(&a);
	CHECK(ok("./rel,append") && strcmp(a.kind->names[0], "GOPEN") == 0 &&
	    a.opts.append);
	address_free(&a);
	CHECK(ok("3") && strcmp(a.kind->names[0], "FD") == 0 &&
	    strcmp(a.params[0], "3") == 0);
	address_free(&a);
	CHECK(ok("PIPE") && a.nparams == 0);
	address_free(&a);
	CHECK(ok("echo") && strcmp(a.kind->names[0], "PIPE") == 0);
	address_free(&a);
	CHECK(ok("LOCAL:/tmp/s") &&
	    strcmp(a.kind->names[0], "UNIX-CONNECT") == 0);
	address_free(&a);
	CHECK(ok("OPEN:/tmp/a:b") && strcmp(a.params[0], "/tmp/a:b") == 0);
	address_free(&a);
}

static void
test_quoting(void)
{
	CHECK(ok("OPEN:'/tmp/a,b'") && strcmp(a.params[0], "/tmp/a,b") == 0);
	address_free(&a);
	CHECK(ok("OPEN:\"/tmp/x y\",append") &&
	    strcmp(a.params[0], "/tmp/x y") == 0 && a.opts.append);
	address_free(&a);
	CHECK(ok("OPEN:/tmp/a\\,b") && strcmp(a.params[0], "/tmp/a,b") == 0);
	address_free(&a);
	CHECK(ok("UNIX-CONNECT:/tmp/s,bind='/tmp/c,1'") &&
	    strcmp(a.opts.bind, "/tmp/c,1") == 0);
	address_free(&a);
	CHECK(ok("TCP:[fe80::1]:80,bind=[::1]:0") &&
	    strcmp(a.params[0], "[fe80::1]") == 0 &&
	    strcmp(a.opts.bind, "[::1]:0") == 0);
	address_free(&a);
	CHECK(bad("OPEN:'/tmp/x", "unterminated"));
	CHECK(bad("TCP:[::1:80", "unterminated"));
}

static void
test_options(void)
{
	CHECK(ok("TCP-LISTEN:80,REUSEADDR=0,backlog=7,bind=127.0.0.1") &&
	    !a.opts.reuseaddr && a.opts.given[OPT_REUSEADDR] &&
	    a.opts.backlog == 7 && strcmp(a.opts.bind, "127.0.0.1") == 0);
	address_free(&a);
	CHECK(ok("OPEN:/x,mode=640,seek=1K,crnl") && a.opts.mode == 0640 &&
	    a.opts.seek == 1024 && a.opts.crlf);
	address_free(&a);
	CHECK(ok("TCP:h:1,connect-timeout=1.5,pf=ip6") &&
	    a.opts.connect_timeout == 1.5 && a.opts.pf == AF_INET6);
	address_free(&a);
	CHECK(bad("TCP-LISTEN:80,reuseadr", "did you mean \"reuseaddr\""));
	CHECK(pe.off == 14 && pe.len == 8);
	CHECK(bad("TPC:localhost:80", "did you mean \"TCP\""));
	CHECK(pe.off == 0 && pe.len == 3);
	CHECK(
	    bad("TCP:localhost:80,backlog=2", "does not apply to TCP-CONNECT"));
	CHECK(bad("TCP:localhost", "TCP-CONNECT takes HOST:PORT"));
	CHECK(bad("TCP:localhost:99999", "invalid port \"99999\""));
	CHECK(pe.off == 14 && pe.len == 5);
	CHECK(bad("TCP:h:1:2", "too many parameters"));
	CHECK(bad("TCP-LISTEN:1,backlog=x", "wants a whole number"));
	CHECK(bad("TCP-LISTEN:1,backlog", "needs =N"));
	CHECK(bad("OPEN:/x,mode=999", "octal"));
	CHECK(bad("TCP:h:1,pf=ip5", "ip4 or ip6"));
	CHECK(bad("TCP:h:1,nodelay=maybe", "0/1"));
	CHECK(bad("STDIO:x", "too many parameters"));
	CHECK(bad("", "empty address"));
	CHECK(bad("FD:x", "invalid descriptor"));
	CHECK(bad("TCP7:h:1", "unknown address kind"));
	CHECK(bad("OPEN:", "empty path"));
	/* socat passes over empty options; "=value" with no name is an error. */
	CHECK(ok("TCP:h:1,") && a.opts.given[OPT_FORK] == false);
	address_free(&a);
	CHECK(ok("TCP:h:1,,nodelay,") && a.opts.nodelay);
	address_free(&a);
	CHECK(bad("TCP:h:1,=3", "empty option"));
	/* (), [] and {} group as in socat: a comma inside does not split. */
	CHECK(ok("EXEC:echo (,)[,]{,}") &&
	    strcmp(a.params[0], "echo (,)[,]{,}") == 0);
	address_free(&a);
	CHECK(bad("EXEC:echo (", "syntax error: unterminated"));
	CHECK(bad("TCP:h:1,bind=[::1", "unterminated"));
	CHECK(bad("UNIX-LISTEN:/x,nodelay", "does not apply"));
}

static void
test_dual(void)
{
	CHECK(ok("STDIN!!STDOUT") && a.dual != NULL &&
	    strcmp(a.kind->names[0], "STDIN") == 0 &&
	    strcmp(a.dual->kind->names[0], "STDOUT") == 0 &&
	    strcmp(a.text, "STDIN!!STDOUT") == 0 &&
	    strcmp(a.label, "address 1 (STDIN!!STDOUT)") == 0 &&
	    strcmp(a.dual->label, a.label) == 0 &&
	    address_dirs(&a) == (EP_READABLE | EP_WRITABLE));
	address_free(&a);
	CHECK(a.dual == NULL);
	CHECK(ok("-!!-") && strcmp(a.kind->names[0], "STDIO") == 0 &&
	    strcmp(a.dual->kind->names[0], "STDIO") == 0);
	address_free(&a);
	CHECK(ok("0!!1") && strcmp(a.params[0], "0") == 0 &&
	    strcmp(a.dual->params[0], "1") == 0);
	address_free(&a);
	/* Each half keeps its own options. */
	CHECK(ok("OPEN:/tmp/a,crlf!!OPEN:/tmp/b,creat,trunc") &&
	    strcmp(a.params[0], "/tmp/a") == 0 && a.opts.crlf &&
	    !a.opts.creat && strcmp(a.dual->params[0], "/tmp/b") == 0 &&
	    a.dual->opts.creat && a.dual->opts.trunc && !a.dual->opts.crlf);
	address_free(&a);
	CHECK(ok("TCP-LISTEN:0!!STDOUT") && (address_groups(&a) & G_LISTEN) &&
	    strcmp(a.dual->kind->names[0], "STDOUT") == 0);
	address_free(&a);
	CHECK(ok("STDIN!!EXEC:cat") && (address_groups(&a) & G_EXEC));
	address_free(&a);
	/* Quoted or escaped "!!" does not split. */
	CHECK(ok("SYSTEM:'echo a!!b'") && a.dual == NULL &&
	    strcmp(a.params[0], "echo a!!b") == 0);
	address_free(&a);
	CHECK(ok("SYSTEM:\"echo \\\"!!\\\"\"!!STDOUT") && a.dual != NULL &&
	    strcmp(a.params[0], "echo \"!!\"") == 0);
	address_free(&a);
	CHECK(ok("SYSTEM:echo a\\!\\!b") && a.dual == NULL &&
	    strcmp(a.params[0], "echo a!!b") == 0);
	address_free(&a);
	CHECK(ok("EXEC:'x!!y'!!SYSTEM:\"z!!\"") &&
	    strcmp(a.params[0], "x!!y") == 0 &&
	    strcmp(a.dual->params[0], "z!!") == 0);
	address_free(&a);
	/* A lone "!" is no split. */
	CHECK(ok("SYSTEM:echo !x") && a.dual == NULL);
	address_free(&a);

	/* Errors in a half point into the whole text. */
	CHECK(bad("OPEN:/x!!TCP:h:99999", "invalid port \"99999\""));
	CHECK(pe.off == 15 && pe.len == 5);
	CHECK(bad("TPC:h:1!!STDOUT", "did you mean \"TCP\""));
	CHECK(pe.off == 0 && pe.len == 3);
	CHECK(bad("STDIN!!OPEN:/x,creet", "did you mean \"creat\""));
	CHECK(pe.off == 15 && pe.len == 5);
	CHECK(bad("STDIN!!OPEN:'/x", "unterminated"));
	CHECK(pe.off == 12 && pe.len == 1);
	CHECK(bad("STDOUT!!STDIN", "left half \"STDOUT\""));
	CHECK(pe.off == 0 && pe.len == 6 && strstr(pe.msg, "cannot be read"));
	CHECK(bad("STDIN!!STDIN", "right half \"STDIN\""));
	CHECK(
	    pe.off == 7 && pe.len == 5 && strstr(pe.msg, "cannot be written"));
	CHECK(bad("-!!STDIN,crlf", "cannot be written"));
	CHECK(pe.off == 3 && pe.len == 10);
	CHECK(bad("!!STDOUT", "nothing before"));
	CHECK(pe.off == 0 && pe.len == 2);
	CHECK(bad("STDIN!!", "nothing after"));
	CHECK(pe.off == 5 && pe.len == 2);
	CHECK(bad("A!!B!!C", "more than one"));
	CHECK(pe.off == 4 && pe.len == 2);
	CHECK(bad("TCP-L:0,fork!!STDOUT", "fork does not work"));
	CHECK(pe.off == 0 && pe.len == 12);
	CHECK(bad("STDIN!!TCP-L:0,fork", "fork does not work"));
	CHECK(pe.off == 7 && pe.len == 12);
	CHECK(bad("STDIN!!TCP-L:0,max-children=2", "needs \"fork\""));
	CHECK(pe.off == 7);
}

/* -g: foreign options are left out and listed, once each; unknown ones
 * and bad values of known ones are still errors. */
static void
test_lax_groups(void)
{
	address_set_lax_groups(true);
	CHECK(ok("TCP:h:1,backlog=3,nodelay,mode=600,backlog=4") &&
	    a.opts.backlog == 128 && a.opts.nodelay && a.opts.mode == -1 &&
	    a.skipped != NULL &&
	    strcmp(a.skipped, "\"backlog\", \"mode\"") == 0);
	address_free(&a);
	CHECK(a.skipped == NULL);
	CHECK(ok("TCP:h:1,nodelay") && a.skipped == NULL);
	address_free(&a);
	CHECK(bad("TCP:h:1,backlogg", "unknown option"));
	CHECK(bad("TCP:h:1,mode=\"600", "unterminated quote"));
	address_set_lax_groups(false);
	CHECK(bad("TCP:h:1,backlog=3", "does not apply"));
}

int
main(void)
{
	test_kinds();
	test_quoting();
	test_options();
	test_dual();
	test_lax_groups();
	return unit_done("test_address");
}
