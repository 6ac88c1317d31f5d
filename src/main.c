/*
 * SPDX-License-Identifier: ISC
 * duct's entry point: the phases (the command line through cli.c, parse
 * both addresses, open address 1 then address 2, transfer), and the exit
 * status (0 done, 1 run-time failure, 2 usage error, 128+N signal).  It
 * knows no address kind by name; the fork loop lives in serve.c.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "activation.h"
#include "address.h"
#include "cli.h"
#include "dump.h"
#include "facts.h"
#include "lock.h"
#include "log.h"
#include "opener.h"
#include "serve.h"
#include "sig.h"
#include "transfer.h"
#include "workers.h"

/* Why a direction a1 -> a2 cannot exist, or NULL when it can. */
static const char *
direction_problem(
    const struct address *from, const struct address *to, char *buf, size_t len)
{
	if (!(address_dirs(from) & EP_READABLE))
		snprintf(buf, len, "%s cannot be read", from->label);
	else if (!(address_dirs(to) & EP_WRITABLE))
		snprintf(buf, len, "%s cannot be written", to->label);
	else
		return NULL;
	return buf;
}

/*
 * Works out which directions exist, refusing a pair of addresses that
 * leaves none, and what each address must be opened for.
 */
static int
plan_directions(struct cli *c, const struct address *a1,
    const struct address *a2, unsigned *dirs1, unsigned *dirs2)
{
	char why1[DUCT_ERR_LEN], why2[DUCT_ERR_LEN];
	const char *p1, *p2;
	bool fwd, back;

	p1 = direction_problem(a1, a2, why1, sizeof(why1));
	p2 = direction_problem(a2, a1, why2, sizeof(why2));
	fwd = !c->only_back && p1 == NULL;
	back = !c->only_fwd && p2 == NULL;
	if (c->only_fwd && !fwd) {
		fprintf(stderr, "duct: -u: %s\n", p1);
		return -1;
	}
	if (c->only_back && !back) {
		fprintf(stderr, "duct: -U: %s\n", p2);
		return -1;
	}
	if (!fwd && !back) {
		fprintf(
		    stderr, "duct: nothing to transfer: %s, and %s\n", p1, p2);
		return -1;
	}
	c->xfer.forward = fwd;
	c->xfer.backward = back;
	*dirs1 = (fwd ? EP_READABLE : 0) | (back ? EP_WRITABLE : 0);
	*dirs2 = (fwd ? EP_WRITABLE : 0) | (back ? EP_READABLE : 0);
	return 0;
}

static int
open_failed(const struct address *a, const char *err)
{
	int sig = sig_term_pending();

	if (errno == EINTR && sig != 0) {
		log_notice("ended by signal %d", sig);
		return 128 + sig;
	}
	log_err("%s: %s", a->label, err);
	return EXIT_RUNTIME;
}

static int
run(struct cli *c, const struct address *a1, const struct address *a2,
    const struct open_ctx *ctx1, const struct open_ctx *ctx2)
{
	struct serve_plan plan;
	struct open_ctx c2;
	struct endpoint e1, e2;
	char err[DUCT_ERR_LEN];
	int status;

	memset(&plan, 0, sizeof(plan));
	plan.cfg = &c->xfer;
	if (workers_wanted(a1) || workers_wanted(a2)) {
		plan.listen = workers_wanted(a1) ? a1 : a2;
		plan.listen_ctx = workers_wanted(a1) ? *ctx1 : *ctx2;
		plan.other = workers_wanted(a1) ? a2 : a1;
		plan.other_ctx = workers_wanted(a1) ? *ctx2 : *ctx1;
		opener_prepare(plan.other, &plan.other_ctx);
		status = workers_run(&plan);
		opener_unprepare(&plan.other_ctx);
		return status;
	}
	if (a1->opts.fork) {
		plan.listen = a1;
		plan.listen_ctx = *ctx1;
		plan.other = a2;
		plan.other_ctx = *ctx2;
		opener_prepare(a2, &plan.other_ctx);
		status = serve_run(&plan);
		opener_unprepare(&plan.other_ctx);
		return status;
	}
	if (opener_open(a1, ctx1, &e1, err) == -1)
		return open_failed(a1, err);
	if (a2->opts.fork) {
		plan.listen = a2;
		plan.listen_ctx = *ctx2;
		plan.other = a1;
		plan.other_ep = &e1;
		status = serve_run(&plan);
		opener_close(&e1);
		return status;
	}
	c2 = *ctx2;
	c2.peer = &e1;
	if (opener_open(a2, &c2, &e2, err) == -1) {
		status = open_failed(a2, err);
		opener_close(&e1);
		return status;
	}
	log_started();
	status = xfer_run(&e1, &e2, &c->xfer);
	return opener_close_pair(&e1, &e2, status);
}

/* Diagnostics as the command line asked: level, form, destination. */
static int
setup_log(const struct cli *c)
{
	char err[DUCT_ERR_LEN];

	log_set_level(c->quiet
		? LOG_LVL_ERR
		: (enum log_level)(
		      c->level > LOG_LVL_DEBUG ? LOG_LVL_DEBUG : c->level));
	if (c->log_name != NULL)
		log_set_name(c->log_name);
	log_set_usec(c->log_usec);
	log_set_hostname(c->log_host);
	if (c->log_to == LOGTO_SYSLOG || c->log_to == LOGTO_MIXED)
		log_use_syslog(c->facility, c->log_to == LOGTO_MIXED);
	if (c->log_to == LOGTO_FILE &&
	    log_open_file(c->log_file, err, sizeof(err)) == -1) {
		fprintf(stderr, "duct: %s\n", err);
		return -1;
	}
	return 0;
}

/* --dump-file, -r and -R; then -v/-x. */
static int
setup_dumps(const struct cli *c)
{
	char err[DUCT_ERR_LEN];

	if ((c->dump_file != NULL &&
		dump_open_file(c->dump_file, err, sizeof(err)) == -1) ||
	    (c->raw_fwd != NULL &&
		dump_open_raw('>', c->raw_fwd, err, sizeof(err)) == -1) ||
	    (c->raw_back != NULL &&
		dump_open_raw('<', c->raw_back, err, sizeof(err)) == -1)) {
		log_err("%s", err);
		return -1;
	}
	dump_set_modes(c->dump_modes);
	return 0;
}

/*
 * -n: how each address would be opened, after the checks that need no
 * socket and create nothing.  Returns 0 when a run could start, else 2.
 */
static int
check_only(const struct address *a1, const struct open_ctx *ctx1,
    const struct address *a2, const struct open_ctx *ctx2)
{
	char plan[2 * DUCT_ERR_LEN], err[DUCT_ERR_LEN];
	const struct address *a[2] = { a1, a2 };
	const struct open_ctx *ctx[2] = { ctx1, ctx2 };
	int i, status = 0;

	for (i = 0; i < 2; i++) {
		if (opener_dryrun(a[i], ctx[i], plan, sizeof(plan), err) ==
		    -1) {
			fprintf(stderr, "duct: %s: %s\n", a[i]->label, err);
			status = EXIT_USAGE;
		} else {
			printf("%s: %s\n", a[i]->label, plan);
		}
	}
	return status;
}

/* -g: what was left out of an address, said once it can be logged. */
static void
warn_skipped(const struct address *a)
{
	if (a->skipped != NULL)
		log_warn("%s: ignoring %s: not an option of %s (-g)", a->label,
		    a->skipped, a->kind->names[0]);
}

int
main(int argc, char **argv)
{
	struct cli c;
	struct address a1, a2;
	struct parse_error pe;
	struct open_ctx ctx1, ctx2;
	struct argv_copy ac;
	char err[DUCT_ERR_LEN];
	int status;

	/* Before anything can start a program that would see LISTEN_*. */
	activation_init();
	memset(&ctx1, 0, sizeof(ctx1));
	memset(&ctx2, 0, sizeof(ctx2));
	cli_init(&c);
	if ((status = cli_parse(argc, argv, &c, &ac)) != -1)
		return status;
	argv = ac.argv;

	address_set_lax_groups(c.lax_groups);
	opts_set_sloppy(c.sloppy);
	if (address_parse(argv[optind], 1, &a1, &pe) == -1) {
		cli_report_parse_error(1, argv[optind], &pe);
		cli_free(&ac);
		return EXIT_USAGE;
	}
	if (address_parse(argv[optind + 1], 2, &a2, &pe) == -1) {
		cli_report_parse_error(2, argv[optind + 1], &pe);
		address_free(&a1);
		cli_free(&ac);
		return EXIT_USAGE;
	}
	if ((address_groups(&a1) | address_groups(&a2)) & G_EXEC)
		facts_enable();
	ctx1.family = ctx2.family = c.family;
	if (plan_directions(&c, &a1, &a2, &ctx1.dirs, &ctx2.dirs) == -1) {
		status = EXIT_USAGE;
		goto out;
	}
	if (opener_check_pair(&a1, &a2, err) == -1 ||
	    workers_check(&a1, &a2, err) == -1) {
		fprintf(stderr, "duct: %s\n", err);
		status = EXIT_USAGE;
		goto out;
	}
	if (c.check) {
		status = check_only(&a1, &ctx1, &a2, &ctx2);
		goto out;
	}
	if (setup_log(&c) == -1) {
		status = EXIT_RUNTIME;
		goto out;
	}
	warn_skipped(&a1);
	warn_skipped(&a2);
	/* Before the lock: -W waits with the caught signals let in. */
	sig_init();
	if (c.lock_file != NULL &&
	    (status = lock_take(c.lock_file, c.lock_wait, err, sizeof(err))) !=
		0) {
		if (status == -1) {
			log_err("%s", err);
			status = EXIT_RUNTIME;
		}
		goto out_log;
	}
	if (setup_dumps(&c) == -1) {
		status = EXIT_RUNTIME;
		goto out_lock;
	}
	status = run(&c, &a1, &a2, &ctx1, &ctx2);
out_lock:
	dump_close();
	lock_release();
out_log:
	log_close();
out:
	address_free(&a1);
	address_free(&a2);
	cli_free(&ac);
	return status;
}
