/*
 * backfill.h - KPI history from the shop's own records: every built-in
 * (sql) KPI computed as of past moments by its catalogue query (or, for
 * the month and 30-day windows, by the same values' range form, computed
 * for many moments in one pass: kpis.backfill_query), stored as samples
 * with source 'backfill'. What a shop that installs goldwatch over
 * years of invoices runs once, and what the demo runs after generating
 * its shop.
 *
 * The samples are history only: no event, no outbox row, no evaluation.
 * Rules that look back (percent change, z-score) read them as their past.
 * A KPI is filled only strictly before its first live sample (or before
 * now_us when it has none), so history and live data never interleave and
 * a run after the evaluator has run changes nothing live. Each chunk of
 * moments of one KPI is its own transaction, and a (KPI, moment) is
 * stored once (a unique partial index): a run killed keeps what it
 * committed, and running again adds only the rest.
 */
#ifndef GW_BACKFILL_H
#define GW_BACKFILL_H

#include <stdint.h>

#include "config.h"
#include "db.h"

struct backfill_opts {
	int64_t since_us;    /* the first moment is the first step at or after it */
	int64_t now_us;      /* moments strictly before it */
	int step_s;          /* seconds between moments; moments are multiples of it */
	int chunk;           /* moments per transaction; 0: a day's (30 days' for a
	                        KPI with a range form, kpis.backfill_query) */
};

struct backfill_result {
	int kpis;            /* KPIs backfilled */
	int failed;          /* KPIs whose query could not run (logged) */
	int64_t moments;     /* step moments in the range */
	int64_t stored;      /* samples written */
	int64_t skipped;     /* (KPI, moment) already backfilled */
	double seconds;
};

/* Runs the backfill and logs its summary line. 0; -1 when a KPI's query
 * failed or the database did (what was committed stays). */
int backfill_run(struct db *db, const struct config *cfg, const struct backfill_opts *o,
    struct backfill_result *res);

#endif
