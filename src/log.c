/*
 * SPDX-License-Identifier: ISC
 * Diagnostics output.  One line per message, written with a single
 * write(2) so that lines of a forking listener and its children do not
 * interleave.  This module must not depend on any other duct module.
 */
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/utsname.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

enum log_dest { DEST_STDERR, DEST_FILE, DEST_SYSLOG };

static enum log_level log_level = LOG_LVL_WARN;
static enum log_dest log_dest = DEST_STDERR;
static int log_out = STDERR_FILENO;
static const char *log_name = "duct";
static bool log_usec;
static char log_host[128];
static int log_syslog_facility = -1; /* -ly/-lm given: the facility */
static bool log_mixed;               /* -lm: syslog after log_started() */
static int log_journal = -1;         /* stderr is the journal; -1 unknown */
static const char log_letters[] = "EWNID";
/* syslog(3) priorities of the levels, and the journal's "<N>" prefix. */
static const int log_prio[] = { LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO,
	LOG_DEBUG };

static const struct {
	const char *name;
	int facility;
} log_facilities[] = {
	{ "auth", LOG_AUTH },
	{ "authpriv", LOG_AUTHPRIV },
	{ "cron", LOG_CRON },
	{ "daemon", LOG_DAEMON },
	{ "ftp", LOG_FTP },
	{ "kern", LOG_KERN },
	{ "local0", LOG_LOCAL0 },
	{ "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 },
	{ "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 },
	{ "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 },
	{ "local7", LOG_LOCAL7 },
	{ "lpr", LOG_LPR },
	{ "mail", LOG_MAIL },
	{ "news", LOG_NEWS },
	{ "syslog", LOG_SYSLOG },
	{ "user", LOG_USER },
	{ "uucp", LOG_UUCP },
};

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

void
log_set_name(const char *name)
{
	log_name = name;
}

void
log_set_usec(bool on)
{
	log_usec = on;
}

void
log_set_hostname(bool on)
{
	const char *h = getenv("HOSTNAME");
	struct utsname u;

	log_host[0] = '\0';
	if (!on)
		return;
	if ((h == NULL || *h == '\0') && uname(&u) == 0)
		h = u.nodename;
	snprintf(log_host, sizeof(log_host), "%s", h != NULL ? h : "?");
}

int
log_facility(const char *name, int *facility)
{
	size_t i;

	for (i = 0; i < sizeof(log_facilities) / sizeof(log_facilities[0]); i++)
		if (strcasecmp(name, log_facilities[i].name) == 0) {
			*facility = log_facilities[i].facility;
			return 0;
		}
	return -1;
}

/* Connects at once, so that a fork child or a full descriptor table finds
 * the socket already there. */
static void
log_to_syslog(void)
{
	log_close();
	openlog(log_name, LOG_PID | LOG_NDELAY, log_syslog_facility);
	log_dest = DEST_SYSLOG;
}

void
log_use_syslog(int facility, bool mixed)
{
	log_syslog_facility = facility;
	log_mixed = mixed;
	if (!mixed)
		log_to_syslog();
}

void
log_started(void)
{
	if (log_mixed && log_dest == DEST_STDERR) {
		log_mixed = false;
		log_to_syslog();
	}
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
	log_dest = DEST_FILE;
	return 0;
}

void
log_close(void)
{
	if (log_dest == DEST_FILE)
		close(log_out);
	else if (log_dest == DEST_SYSLOG)
		closelog();
	log_out = STDERR_FILENO;
	log_dest = DEST_STDERR;
}

/*
 * systemd sets JOURNAL_STREAM to "DEV:INODE" of the stream it connects to
 * a service's stderr; a child that redirected stderr elsewhere inherits
 * the variable, hence the comparison.
 */
static bool
log_stderr_is_journal(void)
{
	const char *v;
	unsigned long long dev, ino;
	struct stat st;

	if (log_journal == -1) {
		v = getenv("JOURNAL_STREAM");
		log_journal = v != NULL &&
		    sscanf(v, "%llu:%llu", &dev, &ino) == 2 &&
		    fstat(STDERR_FILENO, &st) == 0 &&
		    (unsigned long long)st.st_dev == dev &&
		    (unsigned long long)st.st_ino == ino;
	}
	return log_journal == 1;
}

/* "2026/12/04 16:00:00 " (with ".123456" after -lu) into out. */
static int
log_stamp(char *out, size_t outlen)
{
	struct timeval tv;
	struct tm tm;
	time_t t;
	int n;

	gettimeofday(&tv, NULL);
	t = tv.tv_sec;
	localtime_r(&t, &tm);
	n = snprintf(out, outlen, "%04d/%02d/%02d %02d:%02d:%02d",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
	if (log_usec && n > 0 && (size_t)n < outlen)
		n += snprintf(out + n, outlen - n, ".%06ld", (long)tv.tv_usec);
	if (n > 0 && (size_t)n < outlen - 1) {
		out[n++] = ' ';
		out[n] = '\0';
	}
	return n > 0 && (size_t)n < outlen ? n : 0;
}

static void
log_vwrite(enum log_level lvl, const char *fmt, va_list ap)
{
	char line[1024];
	int n = 0, m;
	int saved = errno;

	if (log_dest == DEST_SYSLOG) {
		vsnprintf(line, sizeof(line), fmt, ap);
		syslog(log_prio[lvl], "%s", line);
		errno = saved;
		return;
	}
	if (log_dest == DEST_STDERR && log_stderr_is_journal())
		n = snprintf(line, sizeof(line), "<%d>", log_prio[lvl]);
	else if (log_dest == DEST_FILE || log_usec)
		n = log_stamp(line, sizeof(line));
	if (log_host[0] != '\0')
		n += snprintf(line + n, sizeof(line) - n, "%s ", log_host);
	if (n > (int)sizeof(line) / 2)
		n = sizeof(line) / 2;
	m = snprintf(line + n, sizeof(line) - n, "%.64s[%ld] %c ", log_name,
	    (long)getpid(), log_letters[lvl]);
	n += m > 0 ? m : 0;
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
	log_vwrite(lvl, fmt, ap);
	va_end(ap);
}

void
log_always(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LVL_NOTICE, fmt, ap);
	va_end(ap);
}

int
log_get_fd(void)
{
	return log_out;
}
