/*
 * SPDX-License-Identifier: ISC
 * Terminal settings and UUCP lock files.  What each TERMIOS option does is
 * data in its opt_table row (options.h, TERM_*); this file only walks the
 * options an address was given, in their order, over one struct termios,
 * and puts the old settings back at the end.  It never opens the terminal.
 */
#include <sys/select.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "log.h"
#include "sig.h"
#include "term.h"
#include "xmalloc.h"

/* How often waitlock looks at a lock held by another process. */
#define TERM_LOCK_POLL 0.1

struct term_hold {
	pid_t pid; /* the process that made it: only it undoes anything */
	int fd;    /* a copy of the terminal's descriptor, or -1 */
	struct termios saved;
	char *lock; /* the lock file to remove, or NULL; owned */
};

static struct term_hold *
term_hold_get(struct term_hold **hold)
{
	if (*hold == NULL) {
		*hold = xcalloc(1, sizeof(**hold));
		(*hold)->pid = getpid();
		(*hold)->fd = -1;
	}
	return *hold;
}

bool
term_wanted(const struct optvals *o)
{
	return o->ntermios > 0;
}

static tcflag_t *
term_word(struct termios *t, int word)
{
	switch (word) {
	case TW_IFLAG:
		return &t->c_iflag;
	case TW_OFLAG:
		return &t->c_oflag;
	case TW_CFLAG:
		return &t->c_cflag;
	default:
		return &t->c_lflag;
	}
}

/* stty sane's control characters. */
static void
term_sane_chars(struct termios *t)
{
	static const struct {
		int index;
		unsigned char c;
	} chars[] = { { VINTR, 0x03 }, { VQUIT, 0x1c }, { VERASE, 0x7f },
		{ VKILL, 0x15 }, { VEOF, 0x04 }, { VSTART, 0x11 },
		{ VSTOP, 0x13 }, { VSUSP, 0x1a }, { VREPRINT, 0x12 },
		{ VWERASE, 0x17 }, { VLNEXT, 0x16 }, { VDISCARD, 0x0f },
		{ VEOL, 0 }, { VEOL2, 0 }, { VMIN, 1 }, { VTIME, 0 } };
	size_t i;

	for (i = 0; i < sizeof(chars) / sizeof(chars[0]); i++)
		t->c_cc[chars[i].index] = chars[i].c;
}

/* The options that change many settings at once. */
static void
term_special(struct termios *t, int code)
{
	switch (code) {
	case TERM_SPEC_RAW: /* what stty raw does */
		t->c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | IGNPAR | PARMRK |
		    INPCK | ISTRIP | INLCR | IGNCR | ICRNL | IXON | IXOFF |
		    IUCLC | IXANY | IMAXBEL);
		t->c_oflag &= ~(tcflag_t)OPOST;
		t->c_lflag &= ~(tcflag_t)(ISIG | ICANON | XCASE);
		t->c_cc[VMIN] = 1;
		t->c_cc[VTIME] = 0;
		break;
	case TERM_SPEC_RAWER:
		/*
		 * Everything off, as socat's rawer, except the line speed:
		 * speed 0 would hang up a serial line.
		 */
		t->c_iflag = 0;
		t->c_oflag = 0;
		t->c_lflag = 0;
		t->c_cflag = (t->c_cflag & (CBAUD | CIBAUD)) | CREAD | CS8;
		t->c_cc[VMIN] = 1;
		t->c_cc[VTIME] = 0;
		break;
	case TERM_SPEC_CFMAKERAW:
		cfmakeraw(t);
		break;
	default: /* TERM_SPEC_SANE: what stty sane does */
		t->c_cflag |= CREAD;
		t->c_iflag &=
		    ~(tcflag_t)(IGNBRK | INLCR | IGNCR | IXOFF | IUCLC | IXANY);
		t->c_iflag |= BRKINT | ICRNL | IMAXBEL;
		t->c_oflag &=
		    ~(tcflag_t)(OLCUC | OCRNL | ONOCR | ONLRET | OFILL | OFDEL |
			NLDLY | CRDLY | TABDLY | BSDLY | VTDLY | FFDLY);
		t->c_oflag |= OPOST | ONLCR;
		t->c_lflag &=
		    ~(tcflag_t)(ECHONL | NOFLSH | XCASE | TOSTOP | ECHOPRT);
		t->c_lflag |= ISIG | ICANON | IEXTEN | ECHO | ECHOE | ECHOK |
		    ECHOCTL | ECHOKE;
		term_sane_chars(t);
		break;
	}
}

/* One option onto t. */
static void
term_one(struct termios *t, const struct opt_term *e)
{
	const struct opt_def *def = &opt_table[e->id];
	tcflag_t *w = term_word(t, TERM_WORD(def->level));
	tcflag_t bits = (tcflag_t)def->name, mask = (tcflag_t)def->name6;

	switch (TERM_HOW(def->level)) {
	case TERM_FLAG:
		if (e->value)
			*w |= bits;
		else
			*w &= ~bits;
		break;
	case TERM_PATTERN:
		*w = (*w & ~mask) | bits;
		break;
	case TERM_FIELD:
		*w = (*w & ~mask) | ((tcflag_t)e->value * (mask & -mask));
		break;
	case TERM_CHAR:
		t->c_cc[def->name] = (cc_t)e->value;
		break;
	case TERM_BAUD:
		cfsetispeed(t, (speed_t)def->name);
		cfsetospeed(t, (speed_t)def->name);
		break;
	case TERM_SPEED:
		if (def->name == 0)
			cfsetispeed(t, (speed_t)e->value);
		else
			cfsetospeed(t, (speed_t)e->value);
		break;
	default:
		term_special(t, def->name);
		break;
	}
}

static int
term_not_tty(const struct optvals *o, char *err)
{
	snprintf(err, DUCT_ERR_LEN, "%s: not a terminal",
	    opt_table[o->termios[0].id].names[0]);
	return -1;
}

int
term_apply(int fd, const struct optvals *o, struct term_hold **hold, char *err)
{
	struct term_hold *h;
	struct termios t;
	size_t i;

	if (!term_wanted(o))
		return 0;
	if (tcgetattr(fd, &t) == -1) {
		if (errno == ENOTTY || errno == EINVAL)
			return term_not_tty(o, err);
		snprintf(err, DUCT_ERR_LEN, "tcgetattr: %s", strerror(errno));
		return -1;
	}
	if (hold != NULL && (h = term_hold_get(hold))->fd == -1) {
		/* A copy: the endpoint may close fd before its end. */
		if ((h->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3)) == -1) {
			snprintf(err, DUCT_ERR_LEN, "dup: %s", strerror(errno));
			return -1;
		}
		h->saved = t;
	}
	for (i = 0; i < o->ntermios; i++)
		term_one(&t, &o->termios[i]);
	if (tcsetattr(fd, TCSANOW, &t) == -1) {
		snprintf(err, DUCT_ERR_LEN, "tcsetattr: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
term_apply_ep(struct endpoint *ep, const struct optvals *o, char *err)
{
	if (!term_wanted(o))
		return 0;
	if (ep->rfd != -1 && isatty(ep->rfd))
		return term_apply(ep->rfd, o, &ep->term, err);
	if (ep->wfd != -1 && isatty(ep->wfd))
		return term_apply(ep->wfd, o, &ep->term, err);
	return term_not_tty(o, err);
}

/* The pid in a lock file, or 0 when it holds none. */
static long
term_lock_owner(const char *path)
{
	char buf[32];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

/*
 * One try: the lock file is made under a name of its own and linked into
 * place, so nobody ever sees it without its pid.  Returns 0 when taken,
 * 1 when a live process holds it (*owner), -1 with err.
 */
static int
term_lock_try(const char *path, long *owner, char *err)
{
	char tmp[4096], text[16];
	int fd, rc = -1, n;

	snprintf(tmp, sizeof(tmp), "%s.duct.%ld", path, (long)getpid());
	n = snprintf(text, sizeof(text), "%10ld\n", (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd == -1) {
		snprintf(
		    err, DUCT_ERR_LEN, "lock %.200s: %s", tmp, strerror(errno));
		return -1;
	}
	if (write(fd, text, (size_t)n) != n) {
		snprintf(
		    err, DUCT_ERR_LEN, "lock %.200s: %s", tmp, strerror(errno));
		close(fd);
		goto out;
	}
	close(fd);
	if (link(tmp, path) == 0) {
		rc = 0;
		goto out;
	}
	if (errno != EEXIST) {
		snprintf(
		    err, DUCT_ERR_LEN, "lock %s: %s", path, strerror(errno));
		goto out;
	}
	*owner = term_lock_owner(path);
	if (*owner > 0 && (kill((pid_t)*owner, 0) == 0 || errno == EPERM)) {
		rc = 1;
		goto out;
	}
	/* Left behind by a process that is gone: stale. */
	log_info(
	    "lock %s: removing the stale lock of process %ld", path, *owner);
	if (unlink(path) == -1 && errno != ENOENT) {
		snprintf(
		    err, DUCT_ERR_LEN, "lock %s: %s", path, strerror(errno));
		goto out;
	}
	rc = link(tmp, path) == 0 ? 0 : 1;
	if (rc == 1)
		*owner = term_lock_owner(path);
out:
	unlink(tmp);
	return rc;
}

int
term_lock(const struct optvals *o, struct term_hold **hold, char *err)
{
	const char *path = o->waitlock != NULL ? o->waitlock : o->lockfile;
	struct timespec nap = { 0, (long)(TERM_LOCK_POLL * 1e9) };
	bool told = false;
	long owner = 0;
	int rc;

	if (path == NULL)
		return 0;
	while ((rc = term_lock_try(path, &owner, err)) == 1) {
		if (o->waitlock == NULL) {
			snprintf(err, DUCT_ERR_LEN,
			    "lock %s: held by process %ld", path, owner);
			return -1;
		}
		if (!told)
			log_notice("lock %s: held by process %ld; waiting",
			    path, owner);
		told = true;
		pselect(0, NULL, NULL, NULL, &nap, sig_waitmask());
		if (sig_term_pending()) {
			snprintf(err, DUCT_ERR_LEN, "interrupted");
			errno = EINTR;
			return -1;
		}
	}
	if (rc == -1)
		return -1;
	term_hold_get(hold)->lock = xstrdup(path);
	return 0;
}

void
term_merge(struct term_hold **into, struct term_hold *from)
{
	struct term_hold *h;

	if (from == NULL)
		return;
	if (*into == NULL) {
		*into = from;
		return;
	}
	h = *into;
	if (from->lock != NULL) {
		free(h->lock);
		h->lock = from->lock;
		from->lock = NULL;
	}
	if (h->fd == -1) {
		h->fd = from->fd;
		h->saved = from->saved;
		from->fd = -1;
	}
	term_release(from);
}

void
term_release(struct term_hold *hold)
{
	if (hold == NULL)
		return;
	if (hold->pid == getpid()) {
		/* EIO: the terminal hung up; nobody is left to care. */
		if (hold->fd != -1 &&
		    tcsetattr(hold->fd, TCSANOW, &hold->saved) == -1 &&
		    errno != EIO)
			log_warn("restoring the terminal settings: %s",
			    strerror(errno));
		if (hold->lock != NULL && unlink(hold->lock) == -1)
			log_warn("removing lock %s: %s", hold->lock,
			    strerror(errno));
	}
	if (hold->fd != -1)
		close(hold->fd);
	free(hold->lock);
	free(hold);
}
