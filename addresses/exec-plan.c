/*
 * SPDX-License-Identifier: ISC
 * The plan of an EXEC or SYSTEM program (exec-plan.h): word splitting,
 * the lookup of path=, the environment with the other endpoint's facts,
 * su='s ids, and the async-signal-safe steps between fork and exec.
 */
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "address.h"
#include "exec-plan.h"
#include "facts.h"
#include "options.h"
#include "xmalloc.h"

/*
 * Splits a command line into words at blanks; single and double quotes
 * group, a backslash escapes the next character (not inside single
 * quotes).  Returns a NULL-terminated vector (free with exec_argv_free),
 * or NULL with err for an unterminated quote or an empty command.
 */
char **
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

void
exec_argv_free(char **argv)
{
	size_t i;

	for (i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

/*
 * Moves fd to a close-on-exec copy at or above lo; the old one, also
 * close-on-exec or the program's own, is left as it is.
 */
static int
exec_raise(int *fd, int lo)
{
	int nfd;

	if (*fd == -1 || *fd >= lo)
		return 0;
	if ((nfd = fcntl(*fd, F_DUPFD_CLOEXEC, lo)) == -1)
		return -1;
	*fd = nfd;
	return 0;
}

/*
 * execvp with path= instead of $PATH: tries each directory in turn and
 * gives the program envp.  Returns with errno set when none would run.
 */
static void
exec_search(const struct exec_plan *pl)
{
	char buf[4096];
	const char *p = pl->path, *q;
	size_t flen = strlen(pl->file), dlen;
	bool denied = false;

	if (strchr(pl->file, '/') != NULL) {
		execve(pl->file, pl->argv, pl->envp);
		return;
	}
	for (;; p = q + 1) {
		if ((q = strchr(p, ':')) == NULL)
			q = p + strlen(p);
		dlen = (size_t)(q - p);
		if (dlen == 0) { /* an empty entry is the current directory */
			p = ".";
			dlen = 1;
		}
		if (dlen + flen + 2 <= sizeof(buf)) {
			memcpy(buf, p, dlen);
			buf[dlen] = '/';
			memcpy(buf + dlen + 1, pl->file, flen + 1);
			execve(buf, pl->argv, pl->envp);
			/* A script without #! is the shell's, as for execvp. */
			if (errno == ENOEXEC) {
				pl->shargv[1] = buf;
				execve("/bin/sh", pl->shargv, pl->envp);
				return;
			}
			if (errno == EACCES)
				denied = true;
		}
		if (*q == '\0')
			break;
	}
	errno = denied ? EACCES : ENOENT;
}

/*
 * Everything between fork and exec, also run in duct's own process for
 * nofork: session and process group, the descriptors the program talks
 * through (in and out, -1 to leave its 0 or 1 alone), then chroot, umask
 * and the user, the last because the earlier steps may need root.
 * Async-signal-safe only.  Returns only on failure: the step that
 * failed, with errno set.
 */
enum exec_step
exec_setup(const struct address *a, const struct exec_plan *pl, int in, int out,
    int *errfd)
{
	const struct optvals *o = &a->opts;
	int fin = o->given[OPT_FDIN] ? o->fdin : STDIN_FILENO;
	int fout = o->given[OPT_FDOUT] ? o->fdout : STDOUT_FILENO;
	/* With pty, duct's default is socat's ctty: ctty=0 turns it off. */
	bool ctty = o->pty && (o->ctty || !o->given[OPT_CTTY]);
	bool sid = o->setsid || ctty;
	sigset_t none;
	int lo;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (sid && setsid() == -1)
		return STEP_SETSID;
	/* A session leader leads its process group already. */
	if (o->setpgid && !sid && setpgid(0, 0) == -1)
		return STEP_SETPGID;
	/* The pty's slave, whichever direction the program uses it for. */
	if (ctty && ioctl(in != -1 ? in : out, TIOCSCTTY, 0) == -1)
		return STEP_CTTY;
	/*
	 * Out of the way of the numbers the program wants, so that no
	 * dup2 below overwrites a descriptor still to be moved.
	 */
	lo = (fin > fout ? fin : fout) + 1;
	if (lo < 3)
		lo = 3;
	if (exec_raise(&in, lo) == -1 || exec_raise(&out, lo) == -1 ||
	    (errfd != NULL && exec_raise(errfd, lo) == -1))
		return STEP_FDS;
	if ((in != -1 && dup2(in, fin) == -1) ||
	    (out != -1 && dup2(out, fout) == -1) ||
	    (out != -1 && o->child_stderr && dup2(out, STDERR_FILENO) == -1))
		return STEP_FDS;
	if (o->chroot != NULL && (chroot(o->chroot) == -1 || chdir("/") == -1))
		return STEP_CHROOT;
	if (o->given[OPT_UMASK])
		umask((mode_t)o->umask);
	if (pl->su &&
	    (setgroups((size_t)pl->ngroups, pl->groups) == -1 ||
		setgid(pl->gid) == -1 || setuid(pl->uid) == -1))
		return STEP_SU;
	if (pl->path != NULL)
		exec_search(pl);
	else if (pl->envp != NULL)
		execvpe(pl->file, pl->argv, pl->envp);
	else
		execvp(pl->file, pl->argv);
	return STEP_EXEC;
}

/* Why the program did not start, from the step and its errno. */
void
exec_step_error(const struct address *a, const struct exec_plan *pl,
    enum exec_step step, int e, char *err)
{
	static const char *const names[] = { "exec", "setsid", "setpgid",
		"controlling terminal", "descriptors", "chroot", "su" };
	const char *what = step == STEP_EXEC ? pl->file
	    : step == STEP_CHROOT            ? a->opts.chroot
	    : step == STEP_SU                ? a->opts.su
					     : NULL;

	snprintf(err, DUCT_ERR_LEN, "%s%s%s: %s", names[step],
	    what != NULL ? " " : "", what != NULL ? what : "", strerror(e));
}

void
exec_plan_free(struct exec_plan *pl)
{
	if (pl->argv != NULL)
		exec_argv_free(pl->argv);
	free(pl->file);
	/* Only the PATH entry is ours; the rest belong to environ or facts. */
	free(pl->envp);
	free(pl->pathvar);
	free(pl->shargv);
	free(pl->groups);
	memset(pl, 0, sizeof(*pl));
}

/* su=: the user's ids and groups, looked up before fork. */
static int
exec_plan_user(const char *user, struct exec_plan *pl, char *err)
{
	struct passwd *pw;
	char *end;
	long id;
	int n = 32, got;

	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		id = strtol(user, &end, 10);
		if (*user >= '0' && *user <= '9' && *end == '\0')
			pw = getpwuid((uid_t)id);
	}
	if (pw == NULL) {
		snprintf(err, DUCT_ERR_LEN, "su: no user \"%s\"", user);
		return -1;
	}
	pl->su = true;
	pl->uid = pw->pw_uid;
	pl->gid = pw->pw_gid;
	for (;;) {
		got = n;
		pl->groups = xcalloc((size_t)n, sizeof(gid_t));
		if (getgrouplist(pw->pw_name, pw->pw_gid, pl->groups, &got) !=
		    -1)
			break;
		free(pl->groups);
		pl->groups = NULL;
		n = got > n ? got : n * 2;
	}
	pl->ngroups = got;
	return 0;
}

/*
 * The program's environment: duct's, with path='s PATH and the facts of
 * the other endpoint (its peer's address, a certificate's names) put
 * over it.  Built before fork, so that the child only reads it; duct's
 * own environment is never changed, so no connection's facts reach
 * another's program.  NULL when duct's environment serves as it is.
 */
static void
exec_plan_env(struct exec_plan *pl, const char *path, const struct facts *peer)
{
	extern char **environ;
	char **envp;
	size_t n = 0, i, o = 0;

	if (path == NULL && facts_count(peer) == 0)
		return;
	envp = facts_envp(peer, environ);
	if (path == NULL) {
		pl->envp = envp;
		return;
	}
	/* path='s PATH first, in place of any other. */
	while (envp[n] != NULL)
		n++;
	pl->envp = xcalloc(n + 2, sizeof(*pl->envp));
	pl->pathvar = xmalloc(strlen(path) + 6);
	memcpy(pl->pathvar, "PATH=", 5);
	memcpy(pl->pathvar + 5, path, strlen(path) + 1);
	pl->envp[o++] = pl->pathvar;
	for (i = 0; i < n; i++)
		if (strncmp(envp[i], "PATH=", 5) != 0)
			pl->envp[o++] = envp[i];
	free(envp);
}

/*
 * Fills pl for the program: argv (taken; NULL for SYSTEM's shell
 * command), the name to find, path=, su=, and the environment with the
 * facts of ctx's other endpoint.
 */
int
exec_plan_make(const struct address *a, const struct open_ctx *ctx, char **argv,
    struct exec_plan *pl, char *err)
{
	const struct optvals *o = &a->opts;
	size_t n;
	char *dash;

	memset(pl, 0, sizeof(*pl));
	if (argv == NULL) {
		argv = xcalloc(4, sizeof(*argv));
		argv[0] = xstrdup("sh");
		argv[1] = xstrdup("-c");
		argv[2] = xstrdup(a->params[0]);
		pl->file = xstrdup("/bin/sh");
	} else {
		pl->file = xstrdup(argv[0]);
	}
	pl->argv = argv;
	if (o->login) {
		n = strlen(argv[0]);
		dash = xmalloc(n + 2);
		dash[0] = '-';
		memcpy(dash + 1, argv[0], n + 1);
		free(argv[0]);
		argv[0] = dash;
	}
	if (o->path != NULL) {
		pl->path = o->path;
		for (n = 0; argv[n] != NULL; n++)
			;
		/* Borrowed pointers: shargv's own strings are not freed. */
		pl->shargv = xcalloc(n + 2, sizeof(*pl->shargv));
		pl->shargv[0] = (char *)"sh";
		memcpy(pl->shargv + 2, argv + 1, n * sizeof(*argv));
	}
	exec_plan_env(pl, o->path, ctx->peer != NULL ? ctx->peer->facts : NULL);
	if (o->su != NULL && exec_plan_user(o->su, pl, err) == -1) {
		exec_plan_free(pl);
		return -1;
	}
	return 0;
}
