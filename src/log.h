/*
 * Diagnostics: levels chosen with -d/-q, the "duct[PID] L text" prefix,
 * and --log-file.  Every module reports through these macros; nothing else
 * writes diagnostics to stderr.  Data from the network is never passed as
 * a format string: pass it as an argument to "%s" or "%.*s".
 */
#ifndef DUCT_LOG_H
#define DUCT_LOG_H

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

/*
 * Send diagnostics to PATH (appended, created 0666 & ~umask).  Returns 0,
 * or -1 with err filled.  The file is close-on-exec.
 */
int log_open_file(const char *path, char *err, size_t errlen);

/* The descriptor diagnostics go to (stderr or the --log-file). */
int log_get_fd(void);

/* Closes a --log-file, if any; later messages go to stderr. */
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
