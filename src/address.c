/*
 * SPDX-License-Identifier: ISC
 * The address parser.  A small lexer reads fields separated by ':' (in the
 * kind-and-parameters head) or ',' (between options), honouring single and
 * double quotes, backslash escapes and [IPv6] brackets, and remembers where
 * each field stood so that errors can point at it.  No I/O here.
 * About 700 lines: the lexer, the A!!B split and the error pointing
 * share the field positions, which is why they stay in one file.
 */
#include <sys/socket.h>

#include <ctype.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "address.h"
#include "registry.h"
#include "xmalloc.h"

struct lexer {
	const char *text;
	size_t pos;
	char *out; /* scratch, strlen(text) + 1 bytes */
};

/*
 * Reads one field up to an unquoted character of stops (or the end) into
 * lx->out.  Returns the character that ended it ('\0' at the end), or -1
 * for an unterminated quote or bracket, with *bad at the opening char.
 */
static int
lex_field(struct lexer *lx, const char *stops, bool brackets, size_t *bad)
{
	static const char opens[] = "([{", closes[] = ")]}";
	const char *s = lx->text, *k;
	char stack[32]; /* the closing characters awaited, innermost last */
	size_t n = 0, open = 0;
	char q = 0;
	int depth = 0;

	for (;; lx->pos++) {
		char c = s[lx->pos];

		if (c == '\0') {
			if (q || depth) {
				*bad = open;
				return -1;
			}
			break;
		}
		if (c == '\\' && q != '\'' && s[lx->pos + 1] != '\0') {
			lx->out[n++] = s[++lx->pos];
			continue;
		}
		if (q) {
			if (c == q)
				q = 0;
			else
				lx->out[n++] = c;
			continue;
		}
		if (c == '\'' || c == '"') {
			q = c;
			open = lx->pos;
			continue;
		}
		/*
		 * As in socat, a separator inside (), [] or {} does not end
		 * the field: "[::1]:80", "EXEC:sh -c 'f(a,b)'" without quotes.
		 */
		if (brackets && (k = strchr(opens, c)) != NULL &&
		    depth < (int)sizeof(stack)) {
			if (depth == 0)
				open = lx->pos;
			stack[depth++] = closes[k - opens];
		} else if (depth > 0 && c == stack[depth - 1]) {
			depth--;
		} else if (depth == 0 && strchr(stops, c) != NULL) {
			break;
		}
		lx->out[n++] = c;
	}
	lx->out[n] = '\0';
	return (unsigned char)s[lx->pos];
}

size_t
address_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, c, v;
	size_t d[64][64];

	if (la >= 64 || lb >= 64)
		return (size_t)-1;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			c = tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]);
			v = d[i - 1][j - 1] + c;
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			/* A swap of two neighbours counts as one edit. */
			if (i > 1 && j > 1 && c &&
			    tolower((unsigned char)a[i - 1]) ==
				tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) ==
				tolower((unsigned char)b[j - 1]) &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

static bool
close_enough(const char *typed, size_t d)
{
	size_t len = strlen(typed);

	return d <= (len <= 4 ? 1 : len <= 8 ? 2 : 3);
}

/* socat's names that duct lacks (socat.def), for an honest refusal. */
static const char *const socat_kinds[] = {
#define SOCAT_KIND(n) n,
#define SOCAT_OPT(n)
#include "socat.def"
#undef SOCAT_KIND
#undef SOCAT_OPT
};

static const char *const socat_opts[] = {
#define SOCAT_KIND(n)
#define SOCAT_OPT(n) n,
#include "socat.def"
#undef SOCAT_KIND
#undef SOCAT_OPT
};

static bool
socat_has(const char *const *names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(names[i], name) == 0)
			return true;
	return false;
}

#define SOCAT_HAS(list, name) \
	socat_has(list, sizeof(list) / sizeof(list[0]), name)

static const char *
suggest_kind(const char *typed)
{
	const struct addr_kind *k;
	const char *best = NULL;
	size_t i, j, d, bestd = (size_t)-1;

	for (i = 0; i < registry_count(); i++) {
		k = registry_get(i);
		for (j = 0; k->names[j] != NULL; j++) {
			d = address_distance(typed, k->names[j]);
			if (d < bestd) {
				bestd = d;
				best = k->names[j];
			}
		}
	}
	return best != NULL && close_enough(typed, bestd) ? best : NULL;
}

static const char *
suggest_option(const char *typed, unsigned groups)
{
	const char *best = NULL;
	size_t i, j, d, bestd = (size_t)-1;

	for (i = 0; i < OPT_COUNT; i++) {
		if (!(opt_table[i].groups & groups))
			continue;
		for (j = 0; j < OPT_NAMES && opt_table[i].names[j] != NULL;
		     j++) {
			d = address_distance(typed, opt_table[i].names[j]);
			if (d < bestd) {
				bestd = d;
				best = opt_table[i].names[j];
			}
		}
	}
	return best != NULL && close_enough(typed, bestd) ? best : NULL;
}

static int fail(struct parse_error *pe, size_t off, size_t len, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static int
fail(struct parse_error *pe, size_t off, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(pe->msg, sizeof(pe->msg), fmt, ap);
	va_end(ap);
	pe->off = off;
	pe->len = len;
	return -1;
}

/* True for "/path" or "./x": a '/' before the first ':' or ','. */
static bool
is_bare_path(const char *text)
{
	size_t n = strcspn(text, ":,");

	return memchr(text, '/', n) != NULL;
}

static const char *
kind_name(const struct address *a)
{
	return a->kind->names[0];
}

static void
add_param(struct address *a, const char *value, size_t off, size_t len)
{
	a->params[a->nparams] = xstrdup(value);
	a->param_off[a->nparams] = off;
	a->param_len[a->nparams] = len;
	a->nparams++;
}

static int
parse_head(struct address *a, struct lexer *lx, struct parse_error *pe)
{
	const struct addr_kind *k;
	size_t start = 0, bad;
	int c, family;

	if (strcmp(a->text, "-") == 0 ||
	    (a->text[0] == '-' && a->text[1] == ',')) {
		a->kind = registry_find("STDIO", &family);
		lx->pos = 1;
		return a->text[1];
	}
	if (isdigit((unsigned char)a->text[0]) &&
	    (a->text[1] == '\0' || a->text[1] == ',')) {
		a->kind = registry_find("FD", &family);
		add_param(a, (char[]){ a->text[0], '\0' }, 0, 1);
		lx->pos = 1;
		return a->text[1];
	}
	if (is_bare_path(a->text)) {
		a->kind = registry_find("GOPEN", &family);
		if ((c = lex_field(lx, ",", false, &bad)) == -1)
			return fail(
			    pe, bad, 1, "syntax error: unterminated quote");
		if (lx->out[0] == '\0')
			return fail(pe, 0, 1, "empty path");
		add_param(a, lx->out, 0, lx->pos);
		return c;
	}

	if ((c = lex_field(lx, ":,", false, &bad)) == -1)
		return fail(pe, bad, 1, "syntax error: unterminated quote");
	if (lx->out[0] == '\0')
		return fail(
		    pe, 0, 1, "address kind missing in \"%s\"", a->text);
	if ((k = registry_find(lx->out, &family)) == NULL) {
		const char *s = suggest_kind(lx->out);

		if (SOCAT_HAS(socat_kinds, lx->out))
			return fail(pe, 0, lx->pos,
			    "%s is a socat address kind that duct does not "
			    "support, in \"%s\" (see duct(1), DIFFERENCES "
			    "FROM SOCAT)",
			    lx->out, a->text);

		return fail(pe, 0, lx->pos,
		    "unknown address kind \"%s\" in \"%s\"%s%s%s", lx->out,
		    a->text, s ? " (did you mean \"" : "", s ? s : "",
		    s ? "\"?)" : "");
	}
	a->kind = k;
	a->family = family;

	while (c == ':') {
		bool last;

		lx->pos++;
		start = lx->pos;
		if (a->nparams == ADDR_MAX_PARAMS ||
		    a->nparams >= k->max_params)
			return fail(pe, start, strcspn(a->text + start, ","),
			    "%s takes %s%s, too many parameters in \"%s\"",
			    kind_name(a), *k->syntax ? "" : "no parameters",
			    k->syntax, a->text);
		last = k->rest && a->nparams == k->max_params - 1;
		if ((c = lex_field(lx, last ? "," : ":,", true, &bad)) == -1)
			return fail(pe, bad, 1,
			    "syntax error: unterminated quote or "
			    "bracket in \"%s\"",
			    a->text);
		add_param(a, lx->out, start, lx->pos - start);
	}
	if (a->nparams < k->min_params)
		return fail(pe, 0, lx->pos, "%s takes %s in \"%s\"",
		    kind_name(a), k->syntax, a->text);
	return c;
}

/* -g: options that do not apply to their kind are skipped, not refused. */
static bool address_lax_groups;

void
address_set_lax_groups(bool on)
{
	address_lax_groups = on;
}

/* Adds "name" to a->skipped, once. */
static void
skip_option(struct address *a, const char *name)
{
	size_t have = a->skipped != NULL ? strlen(a->skipped) : 0;
	size_t need = have + strlen(name) + 5;
	char *p;

	p = xmalloc(need);
	snprintf(p, need, "\"%s\"", name);
	if (a->skipped != NULL && strstr(a->skipped, p) != NULL) {
		free(p);
		return;
	}
	snprintf(p, need, "%s%s\"%s\"", have ? a->skipped : "",
	    have ? ", " : "", name);
	free(a->skipped);
	a->skipped = p;
}

static int
parse_option(struct address *a, struct lexer *lx, struct parse_error *pe)
{
	const struct opt_def *def;
	size_t start = lx->pos, bad;
	char err[DUCT_ERR_LEN], *name;
	bool has_value = false;
	int c, rc = -1;

	if ((c = lex_field(lx, "=,", false, &bad)) == -1)
		return fail(pe, bad, 1,
		    "syntax error: unterminated quote in \"%s\"", a->text);
	/* socat passes over empty options: "A,,opt" and a trailing ",". */
	if (lx->out[0] == '\0' && c != '=')
		return c;
	if (lx->out[0] == '\0')
		return fail(pe, start, 1, "empty option in \"%s\"", a->text);
	name = xstrdup(lx->out);
	if ((def = opts_find(name)) == NULL) {
		const char *s = suggest_option(name, a->kind->groups);

		if (SOCAT_HAS(socat_opts, name)) {
			fail(pe, start, lx->pos - start,
			    "\"%s\" is a socat option that duct does not "
			    "support, in \"%s\" (see duct(1), DIFFERENCES "
			    "FROM SOCAT)",
			    name, a->text);
			goto out;
		}

		fail(pe, start, lx->pos - start,
		    "unknown option \"%s\" in \"%s\"%s%s%s", name, a->text,
		    s ? " (did you mean \"" : "", s ? s : "", s ? "\"?)" : "");
		goto out;
	}
	if (!(def->groups & a->kind->groups) && !address_lax_groups) {
		fail(pe, start, lx->pos - start,
		    "option \"%s\" does not apply to %s in \"%s\"", name,
		    kind_name(a), a->text);
		goto out;
	}
	if (c == '=') {
		has_value = true;
		lx->pos++;
		if ((c = lex_field(lx, ",", true, &bad)) == -1) {
			fail(pe, bad, 1,
			    "syntax error: unterminated quote or bracket in "
			    "\"%s\"",
			    a->text);
			goto out;
		}
	}
	if (!(def->groups & a->kind->groups)) {
		skip_option(a, def->names[0]);
		rc = c;
		goto out;
	}
	if (opts_set(&a->opts, def, has_value ? lx->out : NULL, err) == -1) {
		fail(pe, start, lx->pos - start, "%s in \"%s\"", err, a->text);
		goto out;
	}
	rc = c;
out:
	free(name);
	return rc;
}

/* Whether the option named name (a flag, or any other type) is given. */
static bool
option_on(const struct address *a, const char *name, size_t len)
{
	const struct opt_def *need;
	char buf[32];

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, name, len);
	buf[len] = '\0';
	need = opts_find(buf);
	if (need == NULL || !a->opts.given[need - opt_table])
		return false;
	return need->type != OT_FLAG ||
	    *(const bool *)((const char *)&a->opts + need->offset);
}

/*
 * An option that only makes sense with another one needs it given;
 * "fork|workers" names alternatives.
 */
static int
check_needs(const struct address *a, struct parse_error *pe)
{
	const char *p, *bar;
	char names[96];
	size_t i, n;

	for (i = 0; i < OPT_COUNT; i++) {
		if (!a->opts.given[i] || opt_table[i].needs == NULL)
			continue;
		for (p = opt_table[i].needs;; p = bar + 1) {
			bar = strchr(p, '|');
			if (option_on(
				a, p, bar ? (size_t)(bar - p) : strlen(p)))
				break;
			if (bar != NULL)
				continue;
			/* "fork|workers" reads "fork" or "workers". */
			for (p = opt_table[i].needs, n = 0;
			     *p != '\0' && n + 8 < sizeof(names); p++) {
				if (*p != '|') {
					names[n++] = *p;
					continue;
				}
				memcpy(names + n, "\" or \"", 6);
				n += 6;
			}
			names[n] = '\0';
			return fail(pe, 0, strlen(a->text),
			    "option \"%s\" needs \"%s\" in \"%s\"",
			    opt_table[i].names[0], names, a->text);
		}
	}
	return 0;
}

/* Values the option parsers cannot judge alone. */
static int
check_values(const struct address *a, struct parse_error *pe)
{
	const struct optvals *o = &a->opts;
	char err[DUCT_ERR_LEN];
	uid_t uid;
	gid_t gid;

	if (o->given[OPT_SOURCEPORT] && o->sourceport > 65535)
		return fail(pe, 0, strlen(a->text),
		    "sourceport=%d is not a port (0 to 65535) in \"%s\"",
		    o->sourceport, a->text);
	if (opts_owner(o, &uid, &gid, err) == -1)
		return fail(
		    pe, 0, strlen(a->text), "%s in \"%s\"", err, a->text);
	return 0;
}

/* The directions of a single address: its kind's, less rdonly/wronly. */
static unsigned
address_own_dirs(const struct address *a)
{
	unsigned dirs = a->kind->dirs;

	if (a->opts.accmode == O_RDONLY)
		dirs &= EP_READABLE;
	else if (a->opts.accmode == O_WRONLY)
		dirs &= EP_WRITABLE;
	return dirs;
}

static void
address_label(struct address *a)
{
	const char *dots = strlen(a->text) > 80 ? "..." : "";

	snprintf(a->label, sizeof(a->label), "address %d (%.80s%s)", a->index,
	    a->text, dots);
}

/*
 * Parses one address, or one half of a dual address; base is where text
 * starts in the whole argument, for pe->off.
 */
static int
parse_one(const char *text, int index, size_t base, struct address *out,
    struct parse_error *pe)
{
	struct lexer lx;
	char err[DUCT_ERR_LEN];
	int c, param = -1;

	memset(out, 0, sizeof(*out));
	memset(pe, 0, sizeof(*pe));
	out->index = index;
	out->family = AF_UNSPEC;
	out->text = xstrdup(text);
	opts_init(&out->opts);
	address_label(out);
	lx.text = out->text;
	lx.pos = 0;
	lx.out = xmalloc(strlen(text) + 1);

	if (*text == '\0') {
		fail(pe, 0, 0, "empty address");
		goto fail;
	}
	if ((c = parse_head(out, &lx, pe)) == -1)
		goto fail;
	while (c == ',') {
		lx.pos++;
		if ((c = parse_option(out, &lx, pe)) == -1)
			goto fail;
	}
	if (check_needs(out, pe) == -1 || check_values(out, pe) == -1)
		goto fail;
	if (out->kind->check != NULL &&
	    out->kind->check(out, &param, err) == -1) {
		if (param >= 0 && param < out->nparams)
			fail(pe, out->param_off[param], out->param_len[param],
			    "%s in \"%s\"", err, text);
		else
			fail(pe, 0, strlen(text), "%s in \"%s\"", err, text);
		goto fail;
	}
	free(lx.out);
	return 0;
fail:
	free(lx.out);
	address_free(out);
	pe->off += base;
	return -1;
}

/*
 * Finds the "!!" of a dual address at or after from, skipping what is
 * quoted or escaped by the lexer's rules.  Returns true with *at set.
 */
static bool
find_dual(const char *s, size_t from, size_t *at)
{
	size_t i;
	char q = 0;

	for (i = from; s[i] != '\0'; i++) {
		if (s[i] == '\\' && q != '\'' && s[i + 1] != '\0') {
			i++;
			continue;
		}
		if (q) {
			if (s[i] == q)
				q = 0;
			continue;
		}
		if (s[i] == '\'' || s[i] == '"')
			q = s[i];
		else if (s[i] == '!' && s[i + 1] == '!') {
			*at = i;
			return true;
		}
	}
	return false;
}

/* What a dual address needs of its halves, once both have parsed. */
static int
check_dual(const struct address *a, const char *text, size_t at,
    struct parse_error *pe)
{
	const struct address *b = a->dual;
	size_t blen = strlen(text) - at - 2;

	if (!(a->kind->dirs & EP_READABLE))
		return fail(pe, 0, at,
		    "left half \"%s\" of dual address \"%s\" cannot be read "
		    "(A!!B reads from A)",
		    a->text, text);
	if (!(b->kind->dirs & EP_WRITABLE))
		return fail(pe, at + 2, blen,
		    "right half \"%s\" of dual address \"%s\" cannot be "
		    "written (A!!B writes to B)",
		    b->text, text);
	if (a->opts.fork)
		return fail(pe, 0, at,
		    "fork does not work in a half of dual address \"%s\" "
		    "(left half \"%s\")",
		    text, a->text);
	if (b->opts.fork)
		return fail(pe, at + 2, blen,
		    "fork does not work in a half of dual address \"%s\" "
		    "(right half \"%s\")",
		    text, b->text);
	return 0;
}

int
address_parse(
    const char *text, int index, struct address *out, struct parse_error *pe)
{
	struct address *b;
	size_t at, more;
	char *left;
	int rc;

	if (!find_dual(text, 0, &at))
		return parse_one(text, index, 0, out, pe);
	memset(out, 0, sizeof(*out));
	memset(pe, 0, sizeof(*pe));
	if (find_dual(text, at + 2, &more))
		return fail(pe, more, 2,
		    "more than one \"!!\" in \"%s\" "
		    "(a dual address is A!!B)",
		    text);
	if (at == 0)
		return fail(pe, 0, 2,
		    "nothing before \"!!\" in \"%s\" (a dual address is A!!B)",
		    text);
	if (text[at + 2] == '\0')
		return fail(pe, at, 2,
		    "nothing after \"!!\" in \"%s\" (a dual address is A!!B)",
		    text);
	left = xstrndup(text, at);
	rc = parse_one(left, index, 0, out, pe);
	free(left);
	if (rc == -1)
		return -1;
	b = xcalloc(1, sizeof(*b));
	if (parse_one(text + at + 2, index, at + 2, b, pe) == -1) {
		free(b);
		address_free(out);
		return -1;
	}
	out->dual = b;
	if (check_dual(out, text, at, pe) == -1) {
		address_free(out);
		return -1;
	}
	free(out->text);
	out->text = xstrdup(text);
	address_label(out);
	xstrlcpy(b->label, out->label, sizeof(b->label));
	return 0;
}

unsigned
address_dirs(const struct address *a)
{
	if (a->dual == NULL)
		return address_own_dirs(a);
	return (address_own_dirs(a) & EP_READABLE) |
	    (address_own_dirs(a->dual) & EP_WRITABLE);
}

unsigned
address_groups(const struct address *a)
{
	return a->kind->groups | (a->dual ? a->dual->kind->groups : 0);
}

void
address_free(struct address *addr)
{
	int i;

	if (addr->dual != NULL) {
		address_free(addr->dual);
		free(addr->dual);
		addr->dual = NULL;
	}

	for (i = 0; i < addr->nparams; i++)
		free(addr->params[i]);
	addr->nparams = 0;
	opts_free(&addr->opts);
	free(addr->text);
	addr->text = NULL;
	free(addr->skipped);
	addr->skipped = NULL;
}
