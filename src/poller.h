/*
 * SPDX-License-Identifier: ISC
 * Waiting for descriptors: a small interface over select() and epoll.
 * The select backend serves the one-pair relay (any descriptor select()
 * can watch, regular files included); the epoll backend serves many
 * pairs in one process, with no FD_SETSIZE limit.
 */
#ifndef DUCT_POLLER_H
#define DUCT_POLLER_H

#include <stdbool.h>

enum poller_kind { POLLER_SELECT, POLLER_EPOLL };

/* Events: what a descriptor is watched for, and what it is ready for. */
#define POLLER_IN 0x1u
#define POLLER_OUT 0x2u

/* Flags of poller_add(). */
/*
 * epoll: of several processes waiting on this descriptor (a shared
 * listener), wake one (EPOLLEXCLUSIVE); no meaning with select.
 */
#define POLLER_EXCLUSIVE 0x1u

struct poller_event {
	int fd;
	unsigned events; /* POLLER_IN and/or POLLER_OUT, of those wanted */
	void *data;      /* as given to poller_add() */
	unsigned gen;    /* which poller_add() of fd it was for */
};

struct poller;

/* A poller of kind, or NULL with err (epoll_create1 failed). */
struct poller *poller_new(enum poller_kind kind, char *err);
void poller_free(struct poller *p);

/*
 * Starts watching fd (watched for nothing yet); data comes back with its
 * events.  Returns 0, or -1 with err (fd not below FD_SETSIZE for select).
 */
int poller_add(struct poller *p, int fd, void *data, unsigned flags, char *err);

/* Stops watching fd; call before closing it. */
void poller_remove(struct poller *p, int fd);

/*
 * Sets what fd is watched for (0: nothing, for now).  Cheap when nothing
 * changes: the kernel is told only of changes.  Returns 0, or -1 with
 * errno.
 */
int poller_want(struct poller *p, int fd, unsigned events);

/*
 * Waits up to timeout seconds (< 0: no limit) with the caught signals
 * let in (sig.h), and fills at most max events.  Returns their count (0:
 * timed out), or -1 with errno (EINTR: a signal arrived).
 */
int poller_wait(
    struct poller *p, double timeout, struct poller_event *ev, int max);

/*
 * The data of an event's descriptor, or NULL when the descriptor was
 * removed (and maybe added again for something else) after the wait: a
 * caller that closes descriptors while handling events checks each
 * event with this before using its data.
 */
void *poller_current(const struct poller *p, const struct poller_event *ev);

/* "select" or "epoll", for messages. */
const char *poller_name(const struct poller *p);

#endif
