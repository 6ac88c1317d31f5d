/*
 * Diagnostics output.  One line per message, written with a single
 * write(2) so that lines of a forking listener and its children do not
 * interleave.  This module must not depend on any other duct module.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static enum log_level log_level = LOG_LVL_WARN;
static int log_out = STDERR_FILENO;
static const char log_letters[] = "EWNID";

void
log_set_level(enum log_level lvl)
{
	log_level = lvl;
}

enum log_level
log_get_level(void)
{
	return log_level;
}

int
log_open_file(const char *path, char *err, size_t errlen)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
	if (fd == -1) {
		snprintf(err, errlen, "cannot open log file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	log_close();
	log_out = fd;
	return 0;
}

void
log_close(void)
{
	if (log_out != STDERR_FILENO)
		close(log_out);
	log_out = STDERR_FILENO;
}

static void
log_vwrite(char letter, const char *fmt, va_list ap)
{
	char line[1024];
	int n, m;
	int saved = errno;

	n = snprintf(
	    line, sizeof(line), "duct[%ld] %c ", (long)getpid(), letter);
	m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	if (m < 0)
		m = 0;
	n += m;
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* One write per line; a failing log must not disturb the relay. */
	if (write(log_out, line, n) < 0)
		(void)0;
	errno = saved;
}

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	if (lvl > log_level)
		return;
	va_start(ap, fmt);
	log_vwrite(log_letters[lvl], fmt, ap);
	va_end(ap);
}

void
log_always(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite('N', fmt, ap);
	va_end(ap);
}

int
log_get_fd(void)
{
	return log_out;
}
