/*
 * eval.h - one evaluation: sample the KPIs, then evaluate the enabled
 * rules set-based. One lock-free statement reads everything the
 * conditions of every rule need and C decides (rule.c); only the rules
 * whose state would change go on, in chunks: per chunk, one transaction
 * locks their state rows in id order (no deadlock, no double fire: a
 * second evaluator waits, then sees the first one's alerts), decides again
 * on the fresh state, and writes the state, the alerts, the outbox mail
 * and the events together, or nothing. goldwatch-evaluate,
 * POST /api/alerts/evaluate and POST /api/kpis/{key}/samples (the rules
 * of the pushed KPI) all run this.
 */
#ifndef GW_EVAL_H
#define GW_EVAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "db.h"

struct eval_opts {
	int64_t now_us;          /* 0: the clock */
	const int64_t *rule_ids; /* NULL: every enabled rule */
	size_t n_rule_ids;
	const char *kpi_key;     /* non-NULL: only the enabled rules on this KPI */
	int chunk;               /* rules per transaction; 0: default */
	int unrecorded;          /* not a run of the evaluate job (a pushed sample's
	                            evaluation): no job_runs row, so health still
	                            tells when the timer stopped */
};

struct eval_result {
	int evaluated;
	int inactive;            /* rules passed over outside their active hours */
	json_t *fired;           /* alerts */
	json_t *resolved;        /* alerts */
	json_t *no_data;         /* rule ids */
	int kpis_sampled;
	int mails_queued;
	int64_t sample_us;       /* sampling KPIs */
	int64_t rules_us;        /* evaluating rules */
	int64_t total_us;
};

/*
 * Runs one evaluation. Returns 0, or -1 (logged; the chunk in progress is
 * rolled back, chunks already committed stay, so a rerun continues).
 */
int eval_run(struct db *db, const struct config *cfg, const struct eval_opts *opts,
    struct eval_result *res);

/*
 * A system rule's verdict (system_check.c): whether the cause of the rule
 * whose system_check is check holds at the moment, and what its alert
 * says (message, value).
 */
struct system_verdict {
	const char *check;
	int holds;
	const char *message;
	double value;
};

/*
 * Fires the system rule of v (one open alert at most) while v holds and
 * resolves it when it does not, through the same locked transaction,
 * silences, routing, notices, mail and events as the KPI rules; a
 * disabled rule does nothing. The alerts go to res->fired / res->resolved
 * (res as eval_run makes it). 0 or -1.
 */
int eval_system(struct db *db, const struct config *cfg, int64_t now_us,
    const struct system_verdict *v, struct eval_result *res);

/* {"evaluated","inactive","fired","resolved","no_data","duration_ms"}; res keeps its parts. */
json_t *eval_result_json(const struct eval_result *res);
void eval_result_free(struct eval_result *res);

#endif
