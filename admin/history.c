/*
 * history.c - goldwatch-admin backfill (core/backfill.c): its options into
 * a typed struct, and the demo's history.
 */
#include <string.h>

#include "admin.h"
#include "backfill.h"
#include "log.h"
#include "util.h"

/* --step: the moments' spacing, in seconds; 0 when not one we offer. */
static int step_seconds(const char *s)
{
	static const struct {
		const char *name;
		int secs;
	} steps[] = {{"5m", 300}, {"15m", 900}, {"1h", 3600}};

	for (size_t i = 0; i < GW_ARRAY_LEN(steps); i++)
		if (strcmp(s, steps[i].name) == 0)
			return steps[i].secs;
	return 0;
}

/* The backfill's options into o: 0, or 2 (said). */
static int backfill_opts_of(const struct args *a, const struct config *cfg,
    struct backfill_opts *o)
{
	const char *since = arg(a, "since"), *days = arg(a, "days"), *now = arg(a, "now");
	const char *chunk = arg(a, "chunk");
	int64_t d = cfg->keep_samples_days, c = 0;

	memset(o, 0, sizeof(*o));
	o->now_us = time_now_us();
	if ((since && days) || (now && time_parse_iso(now, &o->now_us) < 0) ||
	    (days && parse_int64(days, 1, 36500, &d) < 0) ||
	    (chunk && parse_int64(chunk, 1, 100000, &c) < 0) ||
	    (o->step_s = step_seconds(arg(a, "step") ? arg(a, "step") : "1h")) == 0) {
		log_err("backfill: --since or --days (1-36500), --step 5m, 15m or 1h,"
		    " --now an ISO 8601 time with a zone, --chunk 1-100000");
		return 2;
	}
	o->chunk = (int)c;
	o->since_us = o->now_us - d * 86400 * INT64_C(1000000);
	if (since && (time_parse_iso(since, &o->since_us) < 0 || o->since_us >= o->now_us)) {
		log_err("backfill: --since must be an ISO 8601 time with a zone, before --now");
		return 2;
	}
	return 0;
}

int cmd_backfill(struct db *db, const struct config *cfg, const struct args *a)
{
	struct backfill_opts o;
	struct backfill_result res;
	int rc = backfill_opts_of(a, cfg, &o);

	if (rc != 0)
		return rc;
	return backfill_run(db, cfg, &o, &res) < 0;
}

/* The demo's history: its days at 1 h, and the last day at the
 * evaluation's 5 minutes (the 1 h moments are there already). */
int demo_backfill(struct db *db, const struct config *cfg, int64_t now_us, int64_t days)
{
	struct backfill_opts o = {.now_us = now_us, .step_s = 3600};
	struct backfill_result res;

	o.since_us = now_us - days * 86400 * INT64_C(1000000);
	if (backfill_run(db, cfg, &o, &res) < 0)
		return -1;
	o.since_us = now_us - 86400 * INT64_C(1000000);
	o.step_s = 300;
	return backfill_run(db, cfg, &o, &res);
}
