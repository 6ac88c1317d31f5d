/*
 * SPDX-License-Identifier: ISC
 * Signal flags and masks.  The only globals besides log settings: the
 * flags set by the handlers, read by the loops in transfer.c and serve.c.
 */
#include <signal.h>
#include <string.h>

#include "sig.h"

static volatile sig_atomic_t sig_term;
static volatile sig_atomic_t sig_chld;
static volatile sig_atomic_t sig_usr1;
static volatile sig_atomic_t sig_terms;
static sigset_t sig_caught, sig_wait;

static void
sig_handler(int signo)
{
	if (signo == SIGCHLD)
		sig_chld = 1;
	else if (signo == SIGUSR1)
		sig_usr1 = 1;
	else {
		if (sig_term == 0)
			sig_term = signo;
		if (sig_terms < 100)
			sig_terms++;
	}
}

void
sig_init(void)
{
	struct sigaction sa;
	static const int caught[] = { SIGINT, SIGTERM, SIGHUP, SIGCHLD,
		SIGUSR1 };
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	sigemptyset(&sig_caught);
	sa.sa_handler = sig_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: blocking calls see EINTR */
	for (i = 0; i < sizeof(caught) / sizeof(caught[0]); i++) {
		sigaddset(&sig_caught, caught[i]);
		sigaction(caught[i], &sa, NULL);
	}
	sigprocmask(SIG_BLOCK, &sig_caught, &sig_wait);
	for (i = 0; i < sizeof(caught) / sizeof(caught[0]); i++)
		sigdelset(&sig_wait, caught[i]);
}

const sigset_t *
sig_waitmask(void)
{
	return &sig_wait;
}

int
sig_term_pending(void)
{
	return sig_term;
}

int
sig_term_count(void)
{
	return sig_terms;
}

bool
sig_child_pending(void)
{
	if (!sig_chld)
		return false;
	sig_chld = 0;
	return true;
}

bool
sig_stats_pending(void)
{
	if (!sig_usr1)
		return false;
	sig_usr1 = 0;
	return true;
}

void
sig_unblock(void)
{
	sigprocmask(SIG_UNBLOCK, &sig_caught, NULL);
}

void
sig_block(void)
{
	sigprocmask(SIG_BLOCK, &sig_caught, NULL);
}

/*
 * Writes only what is set: the flags share a page with the parent's
 * other globals, and a forked child's first write to it is a
 * copy-on-write fault.
 */
void
sig_child_reset(void)
{
	if (sig_chld)
		sig_chld = 0;
	if (sig_usr1)
		sig_usr1 = 0;
}
