/*
 * SPDX-License-Identifier: ISC
 * Lock files for -L and -W.  The file is made with O_EXCL, so of two
 * processes racing for it exactly one wins; whoever finds it waits or
 * gives up.
 */
#include <sys/select.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lock.h"
#include "log.h"
#include "sig.h"
#include "xmalloc.h"

/* How often -W looks again: a lock file gives no event to wait for. */
#define LOCK_POLL_NS (100 * 1000 * 1000L)

static char *lock_path;
static pid_t lock_owner;

/* atexit(3): children forked later inherit it, hence the owner check. */
static void
lock_atexit(void)
{
	lock_release();
}

static int
lock_create(const char *path)
{
	char pid[32];
	int fd, n;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd == -1)
		return -1;
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (write(fd, pid, (size_t)n) != n) {
		int saved = errno;

		close(fd);
		unlink(path);
		errno = saved;
		return -1;
	}
	close(fd);
	return 0;
}

int
lock_take(const char *path, bool wait, char *err, size_t errlen)
{
	struct timespec ts = { 0, LOCK_POLL_NS };
	bool said = false;

	while (lock_create(path) == -1) {
		if (errno != EEXIST || !wait) {
			snprintf(err, errlen, "lock file %s: %s", path,
			    errno == EEXIST ? "exists: another run holds it"
					    : strerror(errno));
			return -1;
		}
		if (!said) {
			log_notice("waiting for lock file %s to go", path);
			said = true;
		}
		pselect(0, NULL, NULL, NULL, &ts, sig_waitmask());
		if (sig_term_pending())
			return 128 + sig_term_pending();
	}
	lock_path = xstrdup(path);
	lock_owner = getpid();
	atexit(lock_atexit);
	log_info("took lock file %s", path);
	return 0;
}

void
lock_release(void)
{
	if (lock_path == NULL || getpid() != lock_owner)
		return;
	unlink(lock_path);
	free(lock_path);
	lock_path = NULL;
}
