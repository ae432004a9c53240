/*
 * preview.h - a rule replayed over the stored samples of its KPI, saved or
 * not, writing nothing: the alerts it would have fired in the last `days`
 * days. The evaluation moments are the samples' own times (at each, the
 * KPI's latest value is that sample, as goldwatch-evaluate --now at that
 * moment reads it), and each moment goes through the timer's own pure
 * parts: the calendar (calendar_open), cond_eval() and rule_step(),
 * starting from a fresh rule's state at the start of the window.
 */
#ifndef GW_PREVIEW_H
#define GW_PREVIEW_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "db.h"
#include "rule_store.h"
#include "store.h"
#include "valid.h"

#define PREVIEW_DAYS_DEFAULT 30
#define PREVIEW_DAYS_MAX 90

/* A preview request: the rule body (decoded as create decodes it) and the span. */
struct preview_request {
	struct rule_input rule;
	json_t *body;          /* the rule body rule points into (owned) */
	int64_t days;
	int64_t now_us;        /* has_now: the moment the span ends; else the clock */
	int has_now;
	int64_t rule_id;       /* has_rule_id: the body's members over this saved rule's */
	int has_rule_id;
};

/*
 * Decodes a preview body: `days` (1..90, default 30), `now` (optional),
 * `rule_id` (optional: the saved rule's members are the defaults of the
 * body's) and the rule body itself, through rule_decode (a missing name
 * is "preview": it changes nothing of what fires). ST_OK, ST_INVALID with
 * err, ST_NOT_FOUND (no such rule_id), ST_ERROR. Free with
 * preview_request_free() whatever it returned.
 */
enum store_rc preview_decode(struct db *db, const json_t *body, struct preview_request *out,
    struct verror *err);
void preview_request_free(struct preview_request *req);

/* One alert that would have fired. */
struct preview_firing {
	int64_t at_us;
	double value;          /* what the alert would record (the observed value) */
	int64_t resolved_us;   /* 0: still open at the end */
};

/* A stored sample of the span, for the chart. */
struct preview_point {
	int64_t at_us;
	double value;
};

struct preview_result {
	struct preview_firing *firings;
	size_t count;
	struct preview_point *points;   /* the samples of the span, oldest first */
	size_t samples;
	int64_t from_us, to_us;         /* the span */
	const char *kpi_name, *kpi_unit; /* owned copies */
};

/*
 * Replays req's rule over its KPI's samples in (now - days, now]. ST_OK,
 * ST_INVALID (err: 422 unknown_kpi for no such or a deleted KPI) or
 * ST_ERROR (logged). Reads only.
 */
enum store_rc preview_run(struct db *db, const struct config *cfg,
    const struct preview_request *req, struct preview_result *out, struct verror *err);
/* {"firings":[{"at","value","resolved_at"}],"count":N,"samples":M}. */
json_t *preview_json(const struct preview_result *res);
void preview_result_free(struct preview_result *res);

#endif
