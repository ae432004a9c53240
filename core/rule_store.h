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

/* Rule JSON: select RULE_COLUMNS from alert_rules r. */
#define RULE_COLUMNS \
	"r.id, r.name, r.description, r.kpi_key, r.condition, r.threshold, r.severity," \
	" r.cooldown_minutes, r.for_evaluations, r.window_minutes, r.window_samples," \
	" to_json(r.recipients)::text AS recipients, r.notify_resolved," \
	" r.escalation_after_minutes, to_json(r.escalation_recipients)::text AS escalation_recipients," \
	" r.enabled, iso(r.created_at) AS created_at, iso(r.updated_at) AS updated_at"

json_t *rule_json(const PGresult *r, int row);

/*
 * Validates a rule body (create or full replace): field types and ranges,
 * the fields each condition needs and refuses, the KPI exists. Returns
 * ST_OK, ST_INVALID (err: 400 for unknown fields, else 422), ST_ERROR.
 */
enum store_rc rule_validate(struct db *db, const json_t *in, struct verror *err);
/* The same, collecting up to max errors (one per field) for forms. */
enum store_rc rule_validate_all(struct db *db, const json_t *in, struct verror *errs,
    int max, int *nerr);
/* What rule_validate_all() checks without the database (all but the KPI's existence). */
enum store_rc rule_check_body(const json_t *in, struct verror *errs, int max, int *nerr);

/* *out: the rule (caller decrefs). */
enum store_rc rule_get(struct db *db, int64_t id, json_t **out);
/* enabled: -1 any, 0, 1. kpi: NULL any. *out: JSON array. */
enum store_rc rule_list(struct db *db, int enabled, const char *kpi, json_t **out);

enum store_rc rule_create(struct db *db, const struct principal *who,
    const json_t *in, json_t **out, struct verror *err);
enum store_rc rule_replace(struct db *db, const struct principal *who, int64_t id,
    const json_t *in, json_t **out, struct verror *err);
/*
 * Sets only "enabled" (the rules page's switch): one UPDATE of that column
 * under the rule's lock, so an edit made meanwhile is kept. Audited and
 * announced like any change.
 */
enum store_rc rule_set_enabled(struct db *db, const struct principal *who, int64_t id,
    int enabled, json_t **out);
/*
 * Deletes a rule. Its open alerts are resolved (reason "rule deleted"),
 * with alert.resolved events and resolved mail like any resolve; the
 * history keeps the alerts. *out: {"id","deleted","resolved":[alerts]}.
 */
enum store_rc rule_delete(struct db *db, const struct config *cfg,
    const struct principal *who, int64_t id, json_t **out);

#endif
