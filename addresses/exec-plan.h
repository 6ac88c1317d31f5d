/*
 * SPDX-License-Identifier: ISC
 * The plan of an EXEC or SYSTEM program (exec-plan.c): its words, where
 * it is found, its environment and user, all worked out before fork, and
 * the steps between fork and exec.  exec.c starts and drives the program;
 * this is what both EXEC's fork and its nofork (duct replaced) share.
 */
#ifndef DUCT_EXEC_PLAN_H
#define DUCT_EXEC_PLAN_H

#include <sys/types.h>

#include <stdbool.h>

struct address;
struct open_ctx;

/*
 * What the program is run with, worked out before fork: the child may
 * only make async-signal-safe calls, so no lookup or allocation is left
 * for it.
 */
/* The steps of exec_setup, to say which one failed. */
enum exec_step {
	STEP_EXEC,
	STEP_SETSID,
	STEP_SETPGID,
	STEP_CTTY,
	STEP_FDS,
	STEP_CHROOT,
	STEP_SU
};

struct exec_plan {
	char **argv;      /* argv[0] with login's '-' */
	char *file;       /* the name to look up: argv[0] without it */
	const char *path; /* path=: where to look, or NULL for $PATH */
	/*
	 * The program's environment when it is not duct's own (NULL):
	 * path='s PATH (pathvar, owned) and the other endpoint's facts, the
	 * rest borrowed from environ.
	 */
	char **envp;
	char *pathvar;
	char **shargv; /* path=: "sh", a slot for the file, argv[1]... */
	bool su;
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	int ngroups;
};

/*
 * Splits a command line into words at blanks; single and double quotes
 * group, a backslash escapes the next character (not inside single
 * quotes).  Returns a NULL-terminated vector (free with exec_argv_free),
 * or NULL with err for an unterminated quote or an empty command.
 */
char **exec_split(const char *cmd, char *err);
void exec_argv_free(char **argv);

/*
 * Fills pl for the program: argv (taken; NULL for SYSTEM's shell
 * command), the name to find, path=, su=, and the environment with the
 * facts of ctx's other endpoint.  Returns 0, or -1 with err (pl then
 * holds nothing).
 */
int exec_plan_make(const struct address *a, const struct open_ctx *ctx,
    char **argv, struct exec_plan *pl, char *err);
void exec_plan_free(struct exec_plan *pl);

/*
 * Everything between fork and exec, also run in duct's own process for
 * nofork: session and process group, the descriptors the program talks
 * through (in and out, -1 to leave its 0 or 1 alone; *errfd, if not
 * NULL, is moved out of their way), then chroot, umask and the user, the
 * last because the earlier steps may need root.  Async-signal-safe only.
 * Returns only on failure: the step that failed, with errno set.
 */
enum exec_step exec_setup(const struct address *a, const struct exec_plan *pl,
    int in, int out, int *errfd);

/* Why the program did not start, from the step and its errno, in err. */
void exec_step_error(const struct address *a, const struct exec_plan *pl,
    enum exec_step step, int e, char *err);

#endif
