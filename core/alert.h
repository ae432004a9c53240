/*
 * alert.h - alerts as JSON, the one shape used by the API, the events and
 * the pusher: id, rule_id, rule_name, kpi, condition, threshold, value,
 * severity, state, message, silenced, triggered_at, acknowledged_at,
 * acknowledged_by, ack_note, resolved_at, resolve_reason, escalation_level.
 */
#ifndef GW_ALERT_H
#define GW_ALERT_H

#include <jansson.h>
#include <libpq-fe.h>

#include "json_out.h"
#include "util.h"

/* The reserved KPI of the system rules (migration 0026): goldwatch itself. */
#define SYSTEM_KPI "goldwatch_itself"

/* Select (or RETURN) these from alerts aliased a to build alert_json(). */
#define ALERT_COLUMNS \
	"a.id, a.rule_id, a.rule_name, a.kpi_key, a.condition, a.threshold, a.value," \
	" a.severity, a.state, a.message, a.silenced," \
	" (extract(epoch FROM a.triggered_at) * 1000000)::bigint AS triggered_us," \
	" (extract(epoch FROM a.acknowledged_at) * 1000000)::bigint AS acknowledged_us," \
	" a.acknowledged_by, a.ack_note," \
	" (extract(epoch FROM a.resolved_at) * 1000000)::bigint AS resolved_us," \
	" a.resolve_reason, a.escalation_level," \
	" CASE WHEN a.kpi_key = '" SYSTEM_KPI "' THEN 'system' ELSE 'kpi' END AS kind"

/* Column numbers of ALERT_COLUMNS in a result, looked up once. */
struct alert_cols {
	int id, rule_id, rule_name, kpi, condition, threshold, value, severity, state,
	    message, silenced, triggered, acknowledged, acknowledged_by, ack_note,
	    resolved, resolve_reason, escalation_level, kind;
};

void alert_cols(const PGresult *r, struct alert_cols *c);
/*
 * Appends the alert of row as JSON text (the hot path: history pages).
 * alert_json() gives the same alert as a jansson value, built from the
 * columns (not parsed from this text); one table in alert.c lists the
 * members for both, so the shape is written once.
 */
void alert_write(struct buf *b, const PGresult *r, int row, const struct alert_cols *c);
json_t *alert_json(const PGresult *r, int row);

#endif
