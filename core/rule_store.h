/*
 * rule_store.h - alert rules: validation (one field table for the API and
 * the forms), reading, creating, replacing, deleting. Every change is
 * audited and announced (rule.changed) in its own transaction.
 */
#ifndef GW_RULE_STORE_H
#define GW_RULE_STORE_H

#include <jansson.h>
#include <stdint.h>

#include "auth.h"
#include "config.h"
#include "db.h"
#include "store.h"
#include "valid.h"

/*
 * Rule JSON: select RULE_COLUMNS from alert_rules r. A rule escalating by
 * its own "escalation" shows that, and escalation_policy_id null: the
 * policy it owns for it (migration 0022) is its own, not one to share, so
 * two rules made alike read alike. New columns go last: what a waiting
 * statement shows in pg_stat_activity is its first 1024 bytes.
 */
#define RULE_COLUMNS \
	"r.id, r.name, r.description, r.kpi_key, r.condition, r.threshold, r.severity," \
	" r.cooldown_minutes, r.for_evaluations, r.window_minutes, r.window_samples, r.window_weeks," \
	" to_json(r.recipients)::text AS recipients, r.notify_resolved," \
	" r.escalation_after_minutes, to_json(r.escalation_recipients)::text AS escalation_recipients," \
	" r.enabled, r.active_hours, iso(r.created_at) AS created_at, iso(r.updated_at) AS updated_at," \
	" r.recovery_threshold, r.keep_firing_minutes, r.flap_changes, r.flap_window_minutes," \
	" " RULE_STATUS_SQL " AS rule_status," \
	" to_json(r.contact_points)::text AS contact_points," \
	" CASE WHEN r.escalation_after_minutes IS NULL THEN r.escalation_policy_id END" \
	"   AS escalation_policy_id, r.kind"

/*
 * What the rule is doing, read from its state and open alert at read time
 * (one subquery, so it works in a RETURNING too): a JSON text with status,
 * pending_count, last_value, last_evaluated_at. The order says which word
 * wins: an open alert shows even outside active hours or without data.
 * A full evaluation run writes no rule's row unless something changed:
 * an active enabled rule was evaluated at the last full run (job
 * evaluate_all) or at its own last write, whichever is later; its last
 * value is its KPI's sample as of then.
 */
#define RULE_STATUS_SQL \
	"(SELECT json_build_object('status', CASE WHEN NOT r.enabled THEN 'disabled'" \
	"    WHEN s.flapping THEN 'flapping'" \
	"    WHEN a.state IS NOT NULL THEN a.state" \
	"    WHEN s.last_outcome IN ('inactive', 'no_data') THEN s.last_outcome" \
	"    WHEN s.consecutive > 0 THEN 'pending' ELSE 'normal' END," \
	"  'pending_count', s.consecutive, 'last_value', lv.value," \
	"  'last_evaluated_at', iso(e.at))::text" \
	"   FROM rule_state s LEFT JOIN alerts a ON a.rule_id = s.rule_id" \
	"        AND a.state IN ('firing', 'acknowledged')" \
	"  CROSS JOIN LATERAL (SELECT CASE WHEN NOT r.enabled OR s.last_outcome IS NULL" \
	"                                    OR s.last_outcome = 'inactive' THEN s.last_evaluated_at" \
	"      ELSE greatest(s.last_evaluated_at, (SELECT j.started_at FROM job_runs j" \
	"           WHERE j.job = 'evaluate_all' AND j.started_at >= r.created_at)) END AS at) e" \
	"   LEFT JOIN LATERAL (SELECT x.value FROM kpi_samples x WHERE x.kpi_key = r.kpi_key" \
	"        AND x.sampled_at <= e.at ORDER BY x.kpi_key, x.sampled_at DESC, x.id DESC" \
	"        LIMIT 1) lv ON true" \
	"  WHERE s.rule_id = r.id)"

json_t *rule_json(const PGresult *r, int row);

/* A rule body (create or full replace), as rule_fields decodes it. */
struct rule_escalation {
	int64_t after_minutes;
	struct vlist recipients;
};

struct rule_input {
	const char *name;
	const char *description;     /* "" when not given */
	const char *kpi;
	const char *condition;
	double threshold;
	const char *severity;
	int64_t cooldown_minutes;
	int64_t for_evaluations;
	int64_t window_minutes;
	int has_window_minutes;
	int64_t window_samples;
	int has_window_samples;
	int64_t window_weeks;        /* seasonal conditions: 1..12, 4 when not given */
	int has_window_weeks;
	struct vlist recipients;
	int notify_resolved;
	struct rule_escalation escalation;
	int has_escalation;
	struct vlist contact_points;  /* told besides the policies' (ids, each must exist) */
	int64_t escalation_policy_id; /* with has_: escalated by it (escalation: its own one) */
	int has_escalation_policy_id;
	int enabled;
	const char *active_hours;    /* always (default), open or closed: the shop's calendar */
	double recovery_threshold;   /* an open alert resolves only beyond it */
	int has_recovery_threshold;
	int64_t keep_firing_minutes; /* clear this long before resolving */
	int has_keep_firing_minutes;
	int64_t flap_changes;        /* this many changes within flap_window_minutes: flapping */
	int64_t flap_window_minutes;
	const char *kind;            /* read-only: NULL, or what GET said (kpi, system) */
};
/* The field table: types, bounds, defaults (the rule form shows them too). */
extern const struct vfield rule_fields[];
extern const size_t rule_nfields;
extern const struct vfield rule_escalation_fields[];
extern const size_t rule_escalation_nfields;

/*
 * Decodes a rule body into *out: field types, ranges and defaults, then the
 * fields each condition needs and refuses. Collects up to max errors (one
 * per field; a malformed body or an unknown field is the only one, 400)
 * and returns ST_OK or ST_INVALID with *nerr set. No database: whether the
 * KPI exists is rule_create's and rule_replace's to say.
 */
enum store_rc rule_decode_all(const json_t *in, struct rule_input *out, struct verror *errs,
    int max, int *nerr);
/* The same, stopping at the first error (the API). */
enum store_rc rule_decode(const json_t *in, struct rule_input *out, struct verror *err);

/*
 * A stored rule (rule_json) as a struct rule_input, for showing it: its
 * strings and lists point into rule, valid while it lives. ST_OK, or
 * ST_INVALID if it no longer passes the table (what passed is still set).
 */
enum store_rc rule_view(const json_t *rule, struct rule_input *out);

/* Whether a rule is named exactly name: 1, 0, or -1. */
int rule_name_taken(struct db *db, const char *name);

/* *out: the rule (caller decrefs). */
enum store_rc rule_get(struct db *db, int64_t id, json_t **out);
/* enabled: -1 any, 0, 1. kpi: NULL any. *out: JSON array. */
enum store_rc rule_list(struct db *db, int enabled, const char *kpi, json_t **out);

/*
 * Create or replace with a decoded body (rule_decode*): ST_INVALID (err:
 * 422 unknown_kpi) when its KPI does not exist or is deleted, checked in
 * the writing transaction; ST_NOT_FOUND (replace) if there is no rule id.
 * A change (replace or rule_set_enabled) that disables the rule resolves its
 * open alert (reason "rule disabled") in the same transaction, with its
 * alert.resolved event and resolved mail as rule_delete does.
 */
enum store_rc rule_create(struct db *db, const struct principal *who,
    const struct rule_input *in, json_t **out, struct verror *err);
enum store_rc rule_replace(struct db *db, const struct config *cfg,
    const struct principal *who, int64_t id, const struct rule_input *in, json_t **out,
    struct verror *err);
/*
 * Sets only "enabled" (the rules page's switch): one UPDATE of that column
 * under the rule's lock, so an edit made meanwhile is kept. Audited and
 * announced like any change.
 */
enum store_rc rule_set_enabled(struct db *db, const struct config *cfg,
    const struct principal *who, int64_t id, int enabled, json_t **out);
/*
 * Deletes a rule. Its open alerts are resolved (reason "rule deleted"),
 * with alert.resolved events and resolved mail like any resolve; the
 * history keeps the alerts. *out: {"id","deleted","resolved":[alerts]}.
 * A system rule (kind "system") is not deleted: ST_CONFLICT, err saying so.
 */
enum store_rc rule_delete(struct db *db, const struct config *cfg,
    const struct principal *who, int64_t id, json_t **out, struct verror *err);

#endif
