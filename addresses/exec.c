/*
 * Child programs: EXEC (argv split here, no shell, found on PATH) and
 * SYSTEM (/bin/sh -c).  The program's standard input and output are one
 * end of a socketpair (or two pipes, or a pseudo-terminal); closing the
 * endpoint reaps the program, ending it with SIGTERM, then SIGKILL, if
 * it outlives the relay.  With -u or -U the relay uses one direction
 * only, and the program keeps duct's own descriptor for the other.
 */
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
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
#include "fdep.h"
#include "log.h"
#include "options.h"
#include "xmalloc.h"

/* Seconds a program gets to exit by itself, then after SIGTERM. */
#define EXEC_WAIT_EXIT 0.5
#define EXEC_WAIT_TERM 1.0

struct exec_state {
	pid_t pid;
	bool pty;
	char label[128];
};

/*
 * Splits a command line into words at blanks; single and double quotes
 * group, a backslash escapes the next character (not inside single
 * quotes).  Returns a NULL-terminated vector (free with exec_argv_free),
 * or NULL with err for an unterminated quote or an empty command.
 */
static char **
exec_split(const char *cmd, char *err)
{
	size_t n = 0, cap = 8, len = strlen(cmd), o;
	char **argv = xcalloc(cap, sizeof(*argv));
	char *word = xmalloc(len + 1);
	const char *p = cmd;
	char q;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (*p == '\0')
			break;
		o = 0;
		q = 0;
		for (; *p != '\0'; p++) {
			if (!q && (*p == ' ' || *p == '\t' || *p == '\n'))
				break;
			if (*p == '\\' && q != '\'' && p[1] != '\0') {
				word[o++] = *++p;
			} else if (q && *p == q) {
				q = 0;
			} else if (!q && (*p == '\'' || *p == '"')) {
				q = *p;
			} else {
				word[o++] = *p;
			}
		}
		if (q) {
			snprintf(err, DUCT_ERR_LEN,
			    "unterminated %c quote in "
			    "command",
			    q);
			goto fail;
		}
		if (n + 2 > cap) {
			char **nv = xcalloc(cap * 2, sizeof(*nv));

			memcpy(nv, argv, n * sizeof(*nv));
			free(argv);
			argv = nv;
			cap *= 2;
		}
		argv[n++] = xstrndup(word, o);
	}
	if (n == 0) {
		snprintf(err, DUCT_ERR_LEN, "empty command");
		goto fail;
	}
	free(word);
	return argv;
fail:
	free(word);
	while (n > 0)
		free(argv[--n]);
	free(argv);
	return NULL;
}

static void
exec_argv_free(char **argv)
{
	size_t i;

	for (i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

static int
exec_check(const struct address *a, int *param, char *err)
{
	char **argv;

	*param = 0;
	if ((argv = exec_split(a->params[0], err)) == NULL)
		return -1;
	exec_argv_free(argv);
	return 0;
}

static int
system_check(const struct address *a, int *param, char *err)
{
	*param = 0;
	if (a->params[0][0] != '\0')
		return 0;
	snprintf(err, DUCT_ERR_LEN, "empty command");
	return -1;
}

static double
exec_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Waits up to secs for pid to end; returns true when it was reaped. */
static bool
exec_reap(struct exec_state *st, double secs, int *status)
{
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	double end = exec_now() + secs;
	pid_t r;

	for (;;) {
		r = waitpid(st->pid, status, WNOHANG);
		if (r == st->pid || (r == -1 && errno != EINTR))
			return true;
		if (exec_now() >= end)
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

static void
exec_close(struct endpoint *ep)
{
	struct exec_state *st = ep->priv;
	int status = 0;

	fdep_close(ep);
	if (st == NULL)
		return;
	if (!exec_reap(st, EXEC_WAIT_EXIT, &status)) {
		log_info("%s: ending program %ld", st->label, (long)st->pid);
		kill(st->pid, SIGTERM);
		if (!exec_reap(st, EXEC_WAIT_TERM, &status)) {
			kill(st->pid, SIGKILL);
			waitpid(st->pid, &status, 0);
		}
	}
	exec_report(st, status);
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
	struct termios t;
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
	if (tcgetattr(s, &t) == 0) {
		if (o->rawer)
			cfmakeraw(&t);
		if (!o->echo || o->rawer)
			t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		tcsetattr(s, TCSANOW, &t);
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
 * In the new process: wire up the descriptors and run.  Never returns.
 * A direction the relay does not use (dirs) leaves the program duct's
 * own stream: a program only written to prints on duct's standard
 * output, one only read from reads duct's standard input, as in a shell
 * pipeline, where a half-closed socket would give it SIGPIPE or an
 * empty input.  A pseudo-terminal stays its standard input in any case:
 * a program asks for one to have a terminal there (tty, stty, a shell).
 */
static void
exec_child(const struct address *a, const struct exec_fds *f, char **argv,
    unsigned dirs, int errfd, pid_t parent)
{
	sigset_t none;
	int e;

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(127);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if ((a->opts.setsid || a->opts.pty) && setsid() == -1)
		goto fail;
	if (a->opts.pty && ioctl(f->in, TIOCSCTTY, 0) == -1)
		goto fail;
	if (((dirs & EP_WRITABLE) || a->opts.pty) &&
	    dup2(f->in, STDIN_FILENO) == -1)
		goto fail;
	if ((dirs & EP_READABLE) &&
	    (dup2(f->out, STDOUT_FILENO) == -1 ||
		(a->opts.child_stderr && dup2(f->out, STDERR_FILENO) == -1)))
		goto fail;
	if (argv != NULL)
		execvp(argv[0], argv);
	else
		execl("/bin/sh", "sh", "-c", a->params[0], (char *)NULL);
fail:
	e = errno;
	if (write(errfd, &e, sizeof(e)) < 0)
		(void)0;
	_exit(127);
}

/*
 * Starts the program (argv, or the shell command in a->params[0] when
 * argv is NULL) and makes ep its endpoint for the directions in dirs.
 * Takes argv.
 */
static int
exec_start(const struct address *a, char **argv, unsigned dirs,
    struct endpoint *ep, char *err)
{
	struct exec_fds f = { -1, -1, -1, -1 };
	struct exec_state *st;
	int errpipe[2] = { -1, -1 }, e = 0, r, w;
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
		exec_child(a, &f, argv, dirs, errpipe[1], self);
	close(errpipe[1]);
	errpipe[1] = -1;
	/* The pipe closes on a successful exec; an errno means it failed. */
	do
		n = read(errpipe[0], &e, sizeof(e));
	while (n == -1 && errno == EINTR);
	close(errpipe[0]);
	errpipe[0] = -1;
	if (n == sizeof(e)) {
		snprintf(err, DUCT_ERR_LEN, "exec %s: %s",
		    argv != NULL ? argv[0] : "/bin/sh", strerror(e));
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
	snprintf(st->label, sizeof(st->label), "%s", a->label);
	ep->priv = st;
	ep->ops = &exec_ops;
	ep->flags &= ~EP_RAWFD;
	log_notice("%s: started program %ld", a->label, (long)pid);
	if (argv != NULL)
		exec_argv_free(argv);
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
	if (argv != NULL)
		exec_argv_free(argv);
	return -1;
}

static int
exec_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	char **argv;

	if ((argv = exec_split(a->params[0], err)) == NULL)
		return -1;
	return exec_start(a, argv, ctx->dirs, ep, err);
}

static int
system_open(const struct address *a, const struct open_ctx *ctx,
    struct endpoint *ep, char *err)
{
	return exec_start(a, NULL, ctx->dirs, ep, err);
}

#define EXEC_GROUPS (G_FD | G_EXEC)

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
};
