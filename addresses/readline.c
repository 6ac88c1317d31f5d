/*
 * SPDX-License-Identifier: ISC
 * READLINE: line editing and history on standard input through libedit,
 * standard output for what arrives.  A line goes on once Enter is
 * pressed.  libedit keeps one global editor, so there is one READLINE per
 * process; without a terminal on standard input it reads plainly.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <editline/readline.h>

#include "address.h"
#include "fdep.h"
#include "log.h"
#include "options.h"
#include "xmalloc.h"

/* The unfinished line kept as the next prompt, at most this long. */
#define RL_PROMPT_MAX 512

struct rl_state {
	pid_t pid;   /* the process whose terminal settings these are */
	bool tty;    /* standard input is a terminal: edit lines */
	bool active; /* a line is being edited */
	bool secret; /* noecho matched: the line is read without echo */
	bool eof;    /* end of file was typed */
	int next;    /* the key read for libedit to take next, or -1 */
	struct termios saved;
	char *line; /* the line typed, with its newline, not yet relayed */
	size_t len, off;
	char dyn[RL_PROMPT_MAX + 1]; /* the last unfinished line received */
	size_t dynlen;
	const char *prompt; /* prompt=, or NULL */
	bool noprompt;
	bool has_noecho;
	regex_t noecho;
	char *history; /* history=, or NULL; owned */
};

/*
 * libedit's line handler takes no argument: the one READLINE endpoint of
 * the process is found here.
 */
static struct rl_state *rl_current;

/*
 * libedit's input: the key rl_read() took, then (the rest of a key's
 * sequence) whatever standard input has, waiting for it.
 */
static int
rl_getc(FILE *f)
{
	struct pollfd pfd = { .fd = fileno(f), .events = POLLIN };
	unsigned char c;
	ssize_t n;

	if (rl_current != NULL && rl_current->next >= 0) {
		c = (unsigned char)rl_current->next;
		rl_current->next = -1;
		return c;
	}
	for (;;) {
		if ((n = read(pfd.fd, &c, 1)) == 1)
			return c;
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			return EOF;
		(void)poll(&pfd, 1, -1);
	}
}

/* Sets the terminal's ICANON on or off, echo staying off. */
static void
rl_canonical(bool on)
{
	struct termios t;

	if (tcgetattr(STDIN_FILENO, &t) == -1)
		return;
	if (on)
		t.c_lflag |= ICANON;
	else
		t.c_lflag &= ~(tcflag_t)ICANON;
	t.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(STDIN_FILENO, TCSANOW, &t);
}

static void
rl_line_done(char *line)
{
	struct rl_state *st = rl_current;
	size_t n;

	rl_callback_handler_remove();
	st->active = false;
	if (line == NULL) {
		st->eof = true;
		return;
	}
	if (*line != '\0')
		add_history(line);
	n = strlen(line);
	free(st->line);
	st->line = xmalloc(n + 1);
	memcpy(st->line, line, n);
	st->line[n] = '\n';
	st->len = n + 1;
	st->off = 0;
	free(line);
}

/* Starts editing a line, its prompt the unfinished line received. */
static void
rl_start(struct rl_state *st)
{
	const char *prompt = "";

	if (st->prompt != NULL)
		prompt = st->prompt;
	else if (!st->noprompt)
		prompt = st->dyn;
	/* libedit prints the prompt again: back to the line's start. */
	if (*prompt != '\0' && write(STDOUT_FILENO, "\r", 1) < 0)
		(void)0;
	rl_callback_handler_install(prompt, rl_line_done);
	st->dynlen = 0;
	st->dyn[0] = '\0';
	st->active = true;
}

/* noecho matched: a whole line, read by the terminal without echo. */
static ssize_t
rl_read_secret(struct endpoint *ep, void *buf, size_t len)
{
	struct rl_state *st = ep->priv;
	ssize_t n = fdep_read(ep, buf, len);

	if (n > 0 && ((char *)buf)[n - 1] == '\n') {
		st->secret = false;
		rl_canonical(false);
		/* The newline typed was not echoed. */
		if (write(STDOUT_FILENO, "\n", 1) < 0)
			(void)0;
	}
	return n;
}

static ssize_t
rl_read(struct endpoint *ep, void *buf, size_t len)
{
	struct rl_state *st = ep->priv;
	unsigned char c;
	ssize_t r;
	size_t n;

	if (!st->tty)
		return fdep_read(ep, buf, len);
	if (st->line == NULL && !st->eof) {
		if (st->secret)
			return rl_read_secret(ep, buf, len);
		if ((r = read(STDIN_FILENO, &c, 1)) <= 0)
			return r == 0                           ? 0
			    : errno == EAGAIN || errno == EINTR ? IO_WANT_READ
								: IO_ERR;
		/*
		 * The end-of-file key on an empty line ends the input;
		 * libedit's callback interface would not always say so.
		 */
		if (c == st->saved.c_cc[VEOF] && (!st->active || rl_end == 0)) {
			if (st->active)
				rl_callback_handler_remove();
			st->active = false;
			st->eof = true;
			return 0;
		}
		if (!st->active)
			rl_start(st);
		st->next = c;
		rl_callback_read_char();
		/*
		 * At the end of a line libedit puts back the settings it
		 * found at start; between lines a key must be input again.
		 */
		if (!st->active)
			rl_canonical(false);
	}
	if (st->line != NULL) {
		n = st->len - st->off < len ? st->len - st->off : len;
		memcpy(buf, st->line + st->off, n);
		if ((st->off += n) == st->len) {
			free(st->line);
			st->line = NULL;
		}
		return (ssize_t)n;
	}
	return st->eof ? 0 : IO_WANT_READ;
}

/* Keeps the text after the last line end written as the next prompt. */
static void
rl_scan(struct rl_state *st, const char *p, size_t n)
{
	size_t i = n;

	while (i > 0 && p[i - 1] != '\n' && p[i - 1] != '\r')
		i--;
	if (i > 0)
		st->dynlen = 0;
	p += i;
	n -= i;
	if (n > RL_PROMPT_MAX) {
		p += n - RL_PROMPT_MAX;
		n = RL_PROMPT_MAX;
	}
	if (st->dynlen + n > RL_PROMPT_MAX) {
		memmove(st->dyn, st->dyn + st->dynlen + n - RL_PROMPT_MAX,
		    RL_PROMPT_MAX - n);
		st->dynlen = RL_PROMPT_MAX - n;
	}
	memcpy(st->dyn + st->dynlen, p, n);
	st->dynlen += n;
	st->dyn[st->dynlen] = '\0';
}

static ssize_t
rl_write(struct endpoint *ep, const void *buf, size_t len)
{
	struct rl_state *st = ep->priv;
	ssize_t n = fdep_write(ep, buf, len);

	if (n <= 0 || !st->tty)
		return n;
	rl_scan(st, buf, (size_t)n);
	/* A password prompt: the terminal reads the next line unechoed. */
	if (st->has_noecho && !st->active && !st->secret && st->dynlen > 0 &&
	    regexec(&st->noecho, st->dyn, 0, NULL, 0) == 0) {
		st->secret = true;
		st->dynlen = 0;
		st->dyn[0] = '\0';
		rl_canonical(true);
	}
	return n;
}

static void
rl_close(struct endpoint *ep)
{
	struct rl_state *st = ep->priv;

	if (st != NULL && st->tty) {
		if (st->active)
			rl_callback_handler_remove();
		if (st->history != NULL && st->pid == getpid() &&
		    write_history(st->history) != 0)
			log_warn("%s: writing history %s: %s", ep->label,
			    st->history, strerror(errno));
		if (st->pid == getpid())
			tcsetattr(STDIN_FILENO, TCSANOW, &st->saved);
	}
	fdep_close(ep);
	if (st == NULL)
		return;
	if (st->has_noecho)
		regfree(&st->noecho);
	free(st->line);
	free(st->history);
	free(st);
	ep->priv = NULL;
	rl_current = NULL;
}

static size_t
rl_pending(struct endpoint *ep)
{
	struct rl_state *st = ep->priv;

	return st->line != NULL || st->eof;
}

static const struct ep_ops rl_ops = {
	.read = rl_read,
	.write = rl_write,
	.shutdown_write = fdep_shutdown_write,
	.close = rl_close,
	.pending = rl_pending,
};

static int
rl_check(const struct address *a, int *param, char *err)
{
	regex_t re;
	int e;

	*param = -1;
	if (a->opts.noecho == NULL)
		return 0;
	if ((e = regcomp(&re, a->opts.noecho, REG_EXTENDED | REG_NOSUB)) != 0) {
		char why[128];

		regerror(e, &re, why, sizeof(why));
		snprintf(err, DUCT_ERR_LEN, "noecho: %s", why);
		return -1;
	}
	regfree(&re);
	return 0;
}

static int
rl_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	const struct optvals *o = &a->opts;
	struct rl_state *st;
	struct termios t;

	if (rl_current != NULL) {
		snprintf(err, DUCT_ERR_LEN, "one READLINE per process");
		return -1;
	}
	if (fdep_init(ep, ctx->dirs & EP_READABLE ? STDIN_FILENO : -1,
		ctx->dirs & EP_WRITABLE ? STDOUT_FILENO : -1, true, err) == -1)
		return -1;
	st = xcalloc(1, sizeof(*st));
	st->pid = getpid();
	st->next = -1;
	st->prompt = o->prompt;
	st->noprompt = o->noprompt;
	ep->priv = st;
	ep->ops = &rl_ops;
	ep->flags &= ~EP_RAWFD;
	rl_current = st;
	if (!(ctx->dirs & EP_READABLE) || tcgetattr(STDIN_FILENO, &t) == -1) {
		log_info("%s: standard input is no terminal: no line editing",
		    a->label);
		return 0;
	}
	st->tty = true;
	st->saved = t;
	if (o->noecho != NULL &&
	    regcomp(&st->noecho, o->noecho, REG_EXTENDED | REG_NOSUB) == 0)
		st->has_noecho = true;
	/* duct's own signal handlers stay; libedit's would replace them. */
	rl_catch_signals = 0;
	rl_getc_function = rl_getc;
	rl_instream = stdin;
	rl_outstream = stdout;
	/*
	 * This starts libedit, which edits only when it finds echo on, so
	 * the terminal is changed after it (and again after every line:
	 * libedit goes back to the settings it found).
	 */
	using_history();
	if (o->history != NULL) {
		st->history = xstrdup(o->history);
		(void)read_history(st->history);
	}
	/*
	 * Between lines each key must make standard input readable, and
	 * only libedit echoes: no canonical mode, no echo.
	 */
	rl_canonical(false);
	return 0;
}

static const char *
rl_version(void)
{
	return rl_library_version;
}

const struct addr_kind kind_readline = {
	.names = { "READLINE" },
	.syntax = "",
	.help = "line editing and history on standard input (libedit), "
		"standard output",
	.groups = G_FD | G_READLINE,
	.dirs = EP_READABLE | EP_WRITABLE,
	.check = rl_check,
	.open = rl_open,
	.feature = "libedit",
	.version = rl_version,
};
