/*
 * system_check.h - the causes of the system rules (migration 0026), each
 * read from the database at a moment, and the alerts they fire and
 * resolve through the evaluator's write path (eval_system). Each check
 * runs in a process other than the one it watches, a dead man's switch:
 * the delivery service checks the evaluation, the evaluation checks the
 * delivery, both check the pusher and the jobs' outcomes.
 */
#ifndef GW_SYSTEM_CHECK_H
#define GW_SYSTEM_CHECK_H

#include <jansson.h>
#include <stdint.h>

#include "config.h"
#include "db.h"
#include "eval.h"

enum {
	SYSCHK_EVALUATION_STALE = 1 << 0,
	SYSCHK_JOB_FAILED = 1 << 1,
	SYSCHK_DELIVERY_FAILING = 1 << 2,
	SYSCHK_PUSHER_DOWN = 1 << 3,
	SYSCHK_KPI_STALE = 1 << 4,
};

/* What the delivery service checks, and what the evaluation checks. */
#define SYSCHK_BY_MAILER (SYSCHK_EVALUATION_STALE | SYSCHK_PUSHER_DOWN | SYSCHK_JOB_FAILED)
#define SYSCHK_BY_EVALUATE (SYSCHK_DELIVERY_FAILING | SYSCHK_PUSHER_DOWN | SYSCHK_KPI_STALE \
	| SYSCHK_JOB_FAILED)

/*
 * Runs the checks in mask at now_us (0: the clock) unless
 * GOLDWATCH_SYSTEM_CHECKS is off, firing and resolving their rules' alerts
 * (res as eval_run makes it, or NULL). A check that fails is logged and
 * the others still run. Returns how many failed (0: all ran).
 */
int system_checks_run(struct db *db, const struct config *cfg, int64_t now_us,
    unsigned mask, struct eval_result *res);

#endif
