/*
 * SPDX-License-Identifier: ISC
 * Diagnostics: levels chosen with -d/-q, the "duct[PID] L text" line and
 * where it goes (stderr, a --log-file, syslog).  Every module reports
 * through these macros; nothing else writes diagnostics to stderr.  Data
 * from the network is never passed as a format string: pass it as an
 * argument to "%s" or "%.*s".
 *
 * A line is "[TIME ][HOST ]NAME[PID] L text": TIME ("2026/12/04
 * 16:00:00", with ".123456" after -lu) in a log file always and on stderr
 * after -lu; HOST after -lh; NAME "duct" unless -lp.  When stderr is the
 * systemd journal (JOURNAL_STREAM names it) a line starts with the
 * journal's "<N>" priority instead of a time stamp.  Syslog gets the text
 * alone, the level going into the priority.
 */
#ifndef DUCT_LOG_H
#define DUCT_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level {
	LOG_LVL_ERR = 0,
	LOG_LVL_WARN,
	LOG_LVL_NOTICE,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG
};

/* Messages above this level are dropped.  Default LOG_LVL_WARN. */
void log_set_level(enum log_level);
enum log_level log_get_level(void);

/* -lp: the name in front of "[PID]"; kept, not copied.  Default "duct". */
void log_set_name(const char *name);

/* -lu: time stamps with microseconds, and on stderr too. */
void log_set_usec(bool on);

/* -lh: the host name ($HOSTNAME, else uname(2)) in every line. */
void log_set_hostname(bool on);

/*
 * The syslog facility called name ("daemon", "local3"...) into *facility.
 * Returns 0, or -1 for a name that is none.
 */
int log_facility(const char *name, int *facility);

/*
 * -ly and -lm: diagnostics to syslog(3) with facility, at once, or (mixed)
 * on stderr until log_started() and to syslog after it.
 */
void log_use_syslog(int facility, bool mixed);

/*
 * The start phase is over: both addresses are open, or a forking listener
 * is listening.  With -lm, later messages go to syslog.
 */
void log_started(void);

/*
 * Send diagnostics to PATH (appended, created 0666 & ~umask).  Returns 0,
 * or -1 with err filled.  The file is close-on-exec.
 */
int log_open_file(const char *path, char *err, size_t errlen);

/* The descriptor diagnostics go to (stderr or the --log-file). */
int log_get_fd(void);

/* Closes a --log-file or syslog, if any; later messages go to stderr. */
void log_close(void);

void log_msg(enum log_level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A notice printed whatever the level: output the user asked for. */
void log_always(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define log_err(...) log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_LVL_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
