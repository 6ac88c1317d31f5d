/*
 * SPDX-License-Identifier: ISC
 * Child programs: EXEC (argv split by exec-plan.c, no shell, found on
 * PATH) and SYSTEM (/bin/sh -c).  The program's standard input and output are one
 * end of a socketpair (or two pipes, or a pseudo-terminal); closing the
 * endpoint reaps the program, ending it with SIGTERM, then SIGKILL, if
 * it outlives the relay.  With -u or -U the relay uses one direction
 * only, and the program keeps duct's own descriptor for the other.
 * What the program runs with (its plan) is exec-plan.c's; this file
 * starts it, talks to it and reaps it (a little over 700 lines: the
 * three belong to one struct exec_state).
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "address.h"
#include "clock.h"
#include "exec-plan.h"
#include "facts.h"
#include "fdep.h"
#include "log.h"
#include "options.h"
#include "reaper.h"
#include "term.h"
#include "xmalloc.h"

/* Seconds a program gets to exit by itself, then after SIGTERM. */
#define EXEC_WAIT_EXIT 0.5
#define EXEC_WAIT_TERM 1.0

struct exec_state {
	pid_t pid;
	bool pty;
	bool exited;    /* ended by itself, not by duct at close */
	bool end_close; /* end-close: closing leaves the program running */
	bool nowait;    /* opened in a workers= loop: closing never waits */
	int index;      /* the address's, for the signals passed on */
	char label[128];
};

/*
 * sigint, sighup, sigquit: the program that wants the signals, and which
 * ones, by address.  Read by the signal handler, so plain integers; a
 * pid of 0 is none.
 */
static volatile sig_atomic_t exec_fwd_pid[2];
static volatile sig_atomic_t exec_fwd_mask[2];

/* The options that cannot go together, for both kinds. */
static int
exec_check_opts(const struct address *a, int *param, char *err)
{
	const struct optvals *o = &a->opts;
	int fin = o->given[OPT_FDIN] ? o->fdin : STDIN_FILENO;
	int fout = o->given[OPT_FDOUT] ? o->fdout : STDOUT_FILENO;

	*param = -1;
	if (term_wanted(o) && !o->pty) {
		snprintf(err, DUCT_ERR_LEN,
		    "%s is a terminal setting: it needs pty",
		    opt_table[o->termios[0].id].names[0]);
		return -1;
	}
	if (o->nofork && a->index != 2) {
		snprintf(err, DUCT_ERR_LEN,
		    "nofork works in the second address only: "
		    "the program takes over the first one's descriptors");
		return -1;
	}
	if (o->nofork && (o->pty || o->pipes)) {
		snprintf(err, DUCT_ERR_LEN,
		    "nofork leaves no channel for %s to set up",
		    o->pty ? "pty" : "pipes");
		return -1;
	}
	if (o->nofork && (o->sigint || o->sighup || o->sigquit)) {
		snprintf(err, DUCT_ERR_LEN,
		    "with nofork the program gets its signals itself; "
		    "sigint, sighup and sigquit have no child to pass them to");
		return -1;
	}
	if (fin == fout && o->pipes) {
		snprintf(err, DUCT_ERR_LEN,
		    "with pipes, fdin and fdout need different descriptors");
		return -1;
	}
	if (o->child_stderr &&
	    (fin == STDERR_FILENO || fout == STDERR_FILENO)) {
		snprintf(err, DUCT_ERR_LEN,
		    "stderr and fdin=2 or fdout=2 both want descriptor 2");
		return -1;
	}
	return 0;
}

static int
exec_check(const struct address *a, int *param, char *err)
{
	char **argv;

	*param = 0;
	if ((argv = exec_split(a->params[0], err)) == NULL)
		return -1;
	exec_argv_free(argv);
	return exec_check_opts(a, param, err);
}

static int
system_check(const struct address *a, int *param, char *err)
{
	*param = 0;
	if (a->params[0][0] != '\0')
		return exec_check_opts(a, param, err);
	snprintf(err, DUCT_ERR_LEN, "empty command");
	return -1;
}

/* Waits up to secs for pid to end; returns true when it was reaped. */
static bool
exec_reap(struct exec_state *st, double secs, int *status)
{
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	double end = clock_now() + secs;
	pid_t r;

	for (;;) {
		r = waitpid(st->pid, status, WNOHANG);
		if (r == st->pid || (r == -1 && errno != EINTR))
			return true;
		if (clock_now() >= end)
			return false;
		nanosleep(&nap, NULL);
	}
}

static void
exec_report(const struct exec_state *st, int status)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		log_notice("%s: program %ld exited with status 0", st->label,
		    (long)st->pid);
	else if (WIFEXITED(status))
		log_warn("%s: program %ld exited with status %d", st->label,
		    (long)st->pid, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		log_warn("%s: program %ld killed by signal %d", st->label,
		    (long)st->pid, WTERMSIG(status));
}

/* A program handed to the reaper has ended: as exec_close() reports. */
static void
exec_reaped(void *arg, int status)
{
	struct exec_state *st = arg;

	exec_report(st, status);
	free(st);
}

/*
 * In a workers= loop: the program is reaped now if it has ended, else
 * the loop's reaper gives it the time exec_close() would have waited,
 * then SIGTERM and SIGKILL, while the other connections go on.
 */
static void
exec_close_nowait(struct exec_state *st)
{
	int status = 0;

	if (waitpid(st->pid, &status, WNOHANG) == st->pid) {
		exec_reaped(st, status);
		return;
	}
	reaper_add(st->pid, EXEC_WAIT_EXIT, EXEC_WAIT_TERM, exec_reaped, st);
}

static void
exec_close(struct endpoint *ep)
{
	struct exec_state *st = ep->priv;
	int status = 0;

	fdep_close(ep);
	if (st == NULL)
		return;
	/* No signal for a pid that may be reused once reaped. */
	exec_fwd_pid[st->index == 2] = 0;
	if (st->end_close) {
		log_info("%s: program %ld left running (end-close)", st->label,
		    (long)st->pid);
		free(st);
		ep->priv = NULL;
		return;
	}
	if (st->nowait) {
		ep->priv = NULL;
		exec_close_nowait(st);
		return;
	}
	st->exited = exec_reap(st, EXEC_WAIT_EXIT, &status);
	if (!st->exited) {
		log_info("%s: ending program %ld", st->label, (long)st->pid);
		kill(st->pid, SIGTERM);
		if (!exec_reap(st, EXEC_WAIT_TERM, &status)) {
			kill(st->pid, SIGKILL);
			waitpid(st->pid, &status, 0);
		}
	}
	exec_report(st, status);
	/*
	 * Ended by itself with a failure status: socat's exit status says
	 * so too.  A signal is left out: closing a pty or a pipe at the end
	 * sends the program SIGHUP or SIGPIPE, which is no failure of its.
	 */
	ep->failed =
	    st->exited && WIFEXITED(status) && WEXITSTATUS(status) != 0;
	free(st);
	ep->priv = NULL;
}

static ssize_t
exec_read(struct endpoint *ep, void *buf, size_t len)
{
	struct exec_state *st = ep->priv;
	ssize_t n = fdep_read(ep, buf, len);

	/* A pty master reads EIO once the program has closed the slave. */
	if (n == -1 && errno == EIO && st->pty)
		return 0;
	/*
	 * A program that exits without reading all its input resets the
	 * socketpair; what it wrote has been read, so this is its EOF.
	 */
	if (n == -1 && errno == ECONNRESET) {
		log_info("%s: program left input unread", st->label);
		return 0;
	}
	return n;
}

/*
 * A program that exits (or closes its input) before reading everything
 * is a normal end of that direction, as in a shell pipeline, not a
 * failure whose exit status depends on when the write happened.
 */
static ssize_t
exec_write(struct endpoint *ep, const void *buf, size_t len)
{
	struct exec_state *st = ep->priv;
	ssize_t n = fdep_write(ep, buf, len);

	if (n == -1 && (errno == EPIPE || (errno == EIO && st->pty))) {
		log_notice("%s: program closed its input; "
			   "dropping what it did not read",
		    st->label);
		return IO_CLOSED;
	}
	return n;
}

static int
exec_shutdown_write(struct endpoint *ep)
{
	struct exec_state *st = ep->priv;
	struct termios t;

	if (!st->pty)
		return fdep_shutdown_write(ep);
	/* A terminal has no half-close: send its end-of-file character. */
	if (tcgetattr(ep->wfd, &t) == 0 && (t.c_lflag & ICANON))
		(void)write(ep->wfd, &t.c_cc[VEOF], 1);
	return 0;
}

static const struct ep_ops exec_ops = {
	.read = exec_read,
	.write = exec_write,
	.shutdown_write = exec_shutdown_write,
	.close = exec_close,
};

/* The descriptors on both sides: ours (r, w) and the program's (in, out). */
struct exec_fds {
	int r, w, in, out;
};

static int
exec_pty(const struct optvals *o, struct exec_fds *f, char *err)
{
	int m, s;

	if ((m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1 ||
	    grantpt(m) == -1 || unlockpt(m) == -1) {
		snprintf(err, DUCT_ERR_LEN, "pty: %s", strerror(errno));
		goto fail;
	}
	if ((s = open(ptsname(m), O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1) {
		snprintf(err, DUCT_ERR_LEN, "pty: %s", strerror(errno));
		goto fail;
	}
	/* Before the program starts, so it never sees other settings. */
	if (term_apply(s, o, NULL, err) == -1) {
		close(s);
		goto fail;
	}
	f->r = f->w = m;
	f->in = f->out = s;
	return 0;
fail:
	if (m != -1)
		close(m);
	return -1;
}

static int
exec_channels(const struct optvals *o, struct exec_fds *f, char *err)
{
	int sv[2], pin[2], pout[2];

	if (o->pty)
		return exec_pty(o, f, err);
	if (!o->pipes) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) ==
		    -1) {
			snprintf(err, DUCT_ERR_LEN, "socketpair: %s",
			    strerror(errno));
			return -1;
		}
		f->r = f->w = sv[0];
		f->in = f->out = sv[1];
		return 0;
	}
	if (pipe2(pin, O_CLOEXEC) == -1) {
		snprintf(err, DUCT_ERR_LEN, "pipe: %s", strerror(errno));
		return -1;
	}
	if (pipe2(pout, O_CLOEXEC) == -1) {
		snprintf(err, DUCT_ERR_LEN, "pipe: %s", strerror(errno));
		close(pin[0]);
		close(pin[1]);
		return -1;
	}
	f->w = pin[1];
	f->in = pin[0];
	f->r = pout[0];
	f->out = pout[1];
	return 0;
}

static void
exec_close_fds(struct exec_fds *f)
{
	int fds[4] = { f->r, f->w, f->in, f->out };
	int i, j;

	for (i = 0; i < 4; i++) {
		for (j = 0; j < i; j++)
			if (fds[j] == fds[i])
				break;
		if (j == i && fds[i] != -1)
			close(fds[i]);
	}
}

/*
 * In the new process: set up and run.  Never returns.
 * A direction the relay does not use (dirs) leaves the program duct's
 * own stream: a program only written to prints on duct's standard
 * output, one only read from reads duct's standard input, as in a shell
 * pipeline, where a half-closed socket would give it SIGPIPE or an
 * empty input.  A pseudo-terminal stays its standard input in any case:
 * a program asks for one to have a terminal there (tty, stty, a shell).
 */
static void
exec_child(const struct address *a, const struct exec_plan *pl,
    const struct exec_fds *f, unsigned dirs, int errfd, pid_t parent)
{
	int e[2];
	/* Unused directions keep duct's own descriptor (socat's too). */
	int in = dirs & EP_WRITABLE ? f->in : -1;
	int out = dirs & EP_READABLE ? f->out : -1;

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(127);
	e[0] = (int)exec_setup(a, pl, in, out, &errfd);
	e[1] = errno;
	if (write(errfd, e, sizeof(e)) < 0)
		(void)0;
	_exit(127);
}

static unsigned
exec_sigbit(int signo)
{
	return signo == SIGINT ? 1u : signo == SIGHUP ? 2u : 4u;
}

static void
exec_fwd_handler(int signo)
{
	int saved = errno;
	size_t i;

	for (i = 0; i < 2; i++)
		if (exec_fwd_pid[i] > 0 &&
		    ((unsigned)exec_fwd_mask[i] & exec_sigbit(signo)))
			kill((pid_t)exec_fwd_pid[i], signo);
	errno = saved;
}

/*
 * From now on duct passes the signals a asks for on to pid instead of
 * ending on them, as socat does.  Signals not caught by duct otherwise
 * (SIGQUIT) interrupt nothing: SA_RESTART.
 */
static void
exec_fwd_start(const struct address *a, pid_t pid)
{
	static const int sigs[] = { SIGINT, SIGHUP, SIGQUIT };
	const struct optvals *o = &a->opts;
	bool want[] = { o->sigint, o->sighup, o->sigquit };
	struct sigaction sa;
	int i = a->index == 2;
	size_t j;
	unsigned mask = 0;

	for (j = 0; j < 3; j++)
		if (want[j])
			mask |= exec_sigbit(sigs[j]);
	if (mask == 0)
		return;
	exec_fwd_mask[i] = (sig_atomic_t)mask;
	exec_fwd_pid[i] = (sig_atomic_t)pid;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = exec_fwd_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (j = 0; j < 3; j++)
		if (want[j])
			sigaction(sigs[j], &sa, NULL);
}

/*
 * Starts the program described by pl and makes ep its endpoint for the
 * directions in dirs.  Takes pl.
 */
static int
exec_start(const struct address *a, struct exec_plan *pl, unsigned dirs,
    struct endpoint *ep, char *err)
{
	struct exec_fds f = { -1, -1, -1, -1 };
	struct exec_state *st;
	int errpipe[2] = { -1, -1 }, e[2] = { 0, 0 }, r, w;
	pid_t pid = -1, self = getpid();
	ssize_t n;

	if (exec_channels(&a->opts, &f, err) == -1)
		goto fail;
	if (pipe2(errpipe, O_CLOEXEC) == -1) {
		snprintf(err, DUCT_ERR_LEN, "pipe: %s", strerror(errno));
		goto fail;
	}
	if ((pid = fork()) == -1) {
		snprintf(err, DUCT_ERR_LEN, "fork: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0)
		exec_child(a, pl, &f, dirs, errpipe[1], self);
	close(errpipe[1]);
	errpipe[1] = -1;
	/* The pipe closes on a successful exec; an errno means it failed. */
	do
		n = read(errpipe[0], e, sizeof(e));
	while (n == -1 && errno == EINTR);
	close(errpipe[0]);
	errpipe[0] = -1;
	if (n == sizeof(e)) {
		exec_step_error(a, pl, (enum exec_step)e[0], e[1], err);
		goto fail;
	}
	if (f.in != f.r)
		close(f.in);
	if (f.out != f.in && f.out != f.r)
		close(f.out);
	f.in = f.out = -1;
	/* Our end of a direction the program does not use goes too. */
	r = dirs & EP_READABLE ? f.r : -1;
	w = dirs & EP_WRITABLE ? f.w : -1;
	if (f.r != r && f.r != w)
		close(f.r);
	if (f.w != w && f.w != r && f.w != f.r)
		close(f.w);
	f.r = r;
	f.w = w;
	if (fdep_init(ep, f.r, f.w, false, err) == -1)
		goto fail;
	st = xcalloc(1, sizeof(*st));
	st->pid = pid;
	st->pty = a->opts.pty;
	st->end_close = a->opts.end_close;
	st->index = a->index;
	snprintf(st->label, sizeof(st->label), "%s", a->label);
	ep->priv = st;
	ep->ops = &exec_ops;
	ep->flags &= ~EP_RAWFD;
	exec_fwd_start(a, pid);
	log_notice("%s: started program %ld", a->label, (long)pid);
	exec_plan_free(pl);
	return 0;
fail:
	exec_close_fds(&f);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (errpipe[0] != -1)
		close(errpipe[0]);
	if (errpipe[1] != -1)
		close(errpipe[1]);
	exec_plan_free(pl);
	return -1;
}

/*
 * nofork: duct becomes the program, whose input and output are the
 * other address's descriptors; no relay runs.  Only a plain descriptor
 * endpoint can be handed over: TLS, unconnected datagrams and the line
 * ending options live in duct's relay.  Returns only on failure.  Takes
 * pl.
 */
static int
exec_inplace(const struct address *a, const struct open_ctx *ctx,
    struct exec_plan *pl, char *err)
{
	const struct endpoint *p = ctx->peer;
	enum exec_step step;
	int in, out, fl, e;
	sigset_t saved;

	if (p == NULL) {
		snprintf(err, DUCT_ERR_LEN,
		    "nofork: the other address must be open first");
		goto fail;
	}
	if (!(p->flags & EP_RAWFD) && p->ops != &exec_ops) {
		snprintf(err, DUCT_ERR_LEN,
		    "nofork: %s is not a plain descriptor the program can "
		    "use (TLS or an unconnected datagram socket)",
		    p->label);
		goto fail;
	}
	if (p->flags & (EP_IGNOREEOF | EP_CRLF | EP_CR)) {
		snprintf(err, DUCT_ERR_LEN,
		    "nofork: ignoreeof, crlf and cr on %s need duct's relay",
		    p->label);
		goto fail;
	}
	/* The program reads only what duct would have read from there. */
	in = (ctx->dirs & EP_WRITABLE) ? p->rfd : -1;
	out = (ctx->dirs & EP_READABLE) ? p->wfd : -1;
	/* Programs expect blocking descriptors; duct made them not. */
	if ((in != -1 && (fl = fcntl(in, F_GETFL)) != -1 &&
		fcntl(in, F_SETFL, fl & ~O_NONBLOCK) == -1) ||
	    (out != -1 && (fl = fcntl(out, F_GETFL)) != -1 &&
		fcntl(out, F_SETFL, fl & ~O_NONBLOCK) == -1)) {
		snprintf(err, DUCT_ERR_LEN, "nofork: %s", strerror(errno));
		goto fail;
	}
	log_notice(
	    "%s: running %s in place of duct (nofork)", a->label, pl->file);
	sigprocmask(SIG_SETMASK, NULL, &saved);
	step = exec_setup(a, pl, in, out, NULL);
	e = errno;
	sigprocmask(SIG_SETMASK, &saved, NULL);
	signal(SIGPIPE, SIG_IGN);
	exec_step_error(a, pl, step, e, err);
fail:
	exec_plan_free(pl);
	return -1;
}

static int
exec_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	struct exec_plan pl;
	char **argv;

	if ((argv = exec_split(a->params[0], err)) == NULL)
		return -1;
	if (exec_plan_make(a, ctx, argv, &pl, err) == -1)
		return -1;
	if (a->opts.nofork)
		return exec_inplace(a, ctx, &pl, err);
	return exec_start(a, &pl, ctx->dirs, ep, err);
}

static int
system_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	struct exec_plan pl;

	if (exec_plan_make(a, ctx, NULL, &pl, err) == -1)
		return -1;
	if (a->opts.nofork)
		return exec_inplace(a, ctx, &pl, err);
	return exec_start(a, &pl, ctx->dirs, ep, err);
}

/*
 * open_start (workers=): the program starts at once (fork and exec, no
 * waiting on a peer), a process per connection as with fork; only its
 * close differs (exec_close_nowait).
 */
static int
exec_open_start(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, struct open_wait *w, char *err)
{
	(void)w;
	if (a->kind->open(a, ctx, ep, err) == -1)
		return -1;
	((struct exec_state *)ep->priv)->nowait = true;
	return 0;
}

/*
 * --check of EXEC: the program must be there and executable, found as
 * execvp would find it (in path= when given, else $PATH).  Under chroot=
 * or su= the program is looked for by another root or user: the plan
 * says so and nothing is checked.
 */
static int
exec_dryrun(const struct address *a, const struct open_ctx *ctx, char *plan,
    size_t planlen, char *err)
{
	const char *dirs, *p, *q;
	char **argv, buf[4096];
	bool found = false;

	(void)ctx;
	if ((argv = exec_split(a->params[0], err)) == NULL)
		return -1;
	if (a->opts.chroot != NULL || a->opts.su != NULL) {
		found = true;
	} else if (strchr(argv[0], '/') != NULL) {
		found = access(argv[0], X_OK) == 0;
	} else {
		dirs = a->opts.path != NULL ? a->opts.path : getenv("PATH");
		for (p = dirs != NULL ? dirs : "/usr/bin:/bin"; !found && *p;
		     p = *q ? q + 1 : q) {
			q = strchrnul(p, ':');
			snprintf(buf, sizeof(buf), "%.*s/%s", (int)(q - p), p,
			    argv[0]);
			found = access(buf, X_OK) == 0;
		}
	}
	if (!found)
		snprintf(err, DUCT_ERR_LEN,
		    "%s: no such program, or not executable (in %s)", argv[0],
		    strchr(argv[0], '/') != NULL ? "that path"
			: a->opts.path != NULL   ? "path="
						 : "$PATH");
	else
		snprintf(plan, planlen, "run the program %s%s", argv[0],
		    a->opts.chroot != NULL || a->opts.su != NULL
			? " (looked for after chroot=/su=, not now)"
			: "");
	exec_argv_free(argv);
	return found ? 0 : -1;
}

#define EXEC_GROUPS (G_FD | G_EXEC | G_TERMIOS)

const struct addr_kind kind_exec = {
	.names = { "EXEC" },
	.syntax = "COMMAND",
	.help = "run a program (no shell) joined to its stdin and stdout",
	.groups = EXEC_GROUPS,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 1,
	.max_params = 1,
	.rest = true,
	.check = exec_check,
	.open = exec_open,
	.open_start = exec_open_start,
	.dryrun = exec_dryrun,
};

const struct addr_kind kind_system = {
	.names = { "SYSTEM" },
	.syntax = "COMMAND",
	.help = "run a shell command (/bin/sh -c) joined to its stdin and "
		"stdout",
	.groups = EXEC_GROUPS,
	.dirs = EP_READABLE | EP_WRITABLE,
	.min_params = 1,
	.max_params = 1,
	.rest = true,
	.check = system_check,
	.open = system_open,
	.open_start = exec_open_start,
};
