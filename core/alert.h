/*
 * alert.h - alerts as JSON, the one shape used by the API, the events and
 * the pusher: id, rule_id, rule_name, kpi, condition, threshold, value,
 * severity, state, message, triggered_at, acknowledged_at, acknowledged_by,
 * ack_note, resolved_at, escalation_level.
 */
#ifndef GW_ALERT_H
#define GW_ALERT_H

#include <jansson.h>
#include <libpq-fe.h>

/* Select these (from alerts aliased a) to build alert_json(). */
#define ALERT_COLUMNS \
	"a.id, a.rule_id, a.rule_name, a.kpi_key, a.condition, a.threshold, a.value," \
	" a.severity, a.state, a.message, a.silenced," \
	" (extract(epoch FROM a.triggered_at) * 1000000)::bigint AS triggered_us," \
	" (extract(epoch FROM a.acknowledged_at) * 1000000)::bigint AS acknowledged_us," \
	" a.acknowledged_by, a.ack_note," \
	" (extract(epoch FROM a.resolved_at) * 1000000)::bigint AS resolved_us," \
	" a.resolve_reason, a.escalation_level"

/* The same columns for RETURNING from an UPDATE/INSERT on alerts a. */
#define ALERT_RETURNING ALERT_COLUMNS

json_t *alert_json(const PGresult *r, int row);

/* JSON number for a double that is always finite in the database. */
json_t *json_num(double v);

#endif
