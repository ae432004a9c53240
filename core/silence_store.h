/*
 * silence_store.h - silences: mute a rule, a KPI or everything for a time
 * window, with a reason. A silenced rule still records its alerts but
 * sends no mail. Shared by the API and the silences page.
 */
#ifndef GW_SILENCE_STORE_H
#define GW_SILENCE_STORE_H

#include <jansson.h>
#include <stdint.h>

#include "auth.h"
#include "db.h"
#include "store.h"
#include "valid.h"

#define SILENCE_COLUMNS \
	"s.id, s.scope, s.rule_id, s.kpi_key, iso(s.starts_at) AS starts_at," \
	" iso(s.ends_at) AS ends_at, s.recurrence::text AS recurrence, s.reason, iso(s.created_at) AS created_at," \
	" (SELECT username FROM users u WHERE u.id = s.created_by) AS created_by," \
	" CASE WHEN s.ends_at <= now() THEN 'past' WHEN s.starts_at > now() THEN 'scheduled'" \
	"      ELSE 'active' END AS status"

/*
 * Whether a silence mutes rule r (of alert_rules r) at ts, an SQL
 * expression: the one test of "silenced" for every statement. tz is the
 * shop's zone, for a recurring silence's windows (migration 0012's
 * silence_recurs).
 */
#define SILENCED_SQL(ts, tz) \
	"EXISTS (SELECT 1 FROM silences si WHERE si.starts_at <= " ts \
	" AND si.ends_at > " ts " AND (si.scope = 'all' OR si.rule_id = r.id" \
	" OR si.kpi_key = r.kpi_key) AND silence_recurs(si.recurrence, " ts ", " tz "))"

json_t *silence_json(const PGresult *r, int row);

/* A recurring silence's windows: these weekdays, from-to on the shop's clock. */
struct silence_recurrence {
	struct vlist weekdays;       /* mon..sun, each once */
	const char *from, *to;       /* HH:MM, from < to; to may be 24:00 */
};

/*
 * A new silence, as silence_fields decodes it: scope (rule|kpi|all),
 * rule_id (scope rule), kpi (scope kpi), starts_at (default now), ends_at,
 * recurrence (optional: mutes only inside its windows), reason (1-1000
 * characters).
 */
struct silence_input {
	const char *scope;
	int64_t rule_id;
	int has_rule_id;
	const char *kpi;             /* NULL: not given */
	int64_t starts_at_us;
	int has_starts_at;           /* 0: now */
	int64_t ends_at_us;
	struct silence_recurrence recurrence;
	int has_recurrence;
	const char *reason;
};
extern const struct vfield silence_fields[];
extern const size_t silence_nfields;

/* One silence: ST_OK or ST_NOT_FOUND. */
enum store_rc silence_get(struct db *db, int64_t id, json_t **out);
/* which: "active" (incl. scheduled), "past", or NULL for all. */
enum store_rc silence_list(struct db *db, const char *which, json_t **out);
/*
 * Creates a silence from a decoded input: checks what the table cannot
 * (the scope's own field and no other, ends_at after the start, in the
 * future, at most a year ahead; the rule or KPI exists). Audited.
 */
enum store_rc silence_create(struct db *db, const struct principal *who,
    const struct silence_input *in, json_t **out, struct verror *err);
/*
 * Ends a silence now (one not yet started is cancelled: its window shrinks
 * to the moment of cancelling). ST_CONFLICT if it had already ended. Audited.
 */
enum store_rc silence_end(struct db *db, const struct principal *who, int64_t id,
    json_t **out, struct verror *err);

#endif
