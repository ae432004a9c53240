/*
 * alert.c - see alert.h.
 */
#include "alert.h"

#include <math.h>

#include "db.h"
#include "util.h"

json_t *json_num(double v)
{
	if (!isfinite(v))
		return json_null();
	if (v == floor(v) && fabs(v) < 9e15)
		return json_integer((json_int_t)v);
	return json_real(v);
}

static json_t *str_or_null(const PGresult *r, int row, const char *col)
{
	const char *s = db_str(r, row, col);
	return s ? json_string(s) : json_null();
}

/* An ISO 8601 time from a microseconds column (formatting in C is
 * cheaper than to_char for every row of a page). */
static json_t *time_or_null(const PGresult *r, int row, const char *col)
{
	char out[40];

	if (db_isnull(r, row, col))
		return json_null();
	time_format_iso(db_i64(r, row, col), out, sizeof(out));
	return json_string(out);
}

json_t *alert_json(const PGresult *r, int row)
{
	json_t *a = json_object();

	json_object_set_new(a, "id", json_integer(db_i64(r, row, "id")));
	json_object_set_new(a, "rule_id", db_isnull(r, row, "rule_id") ? json_null() :
	    json_integer(db_i64(r, row, "rule_id")));
	json_object_set_new(a, "rule_name", str_or_null(r, row, "rule_name"));
	json_object_set_new(a, "kpi", str_or_null(r, row, "kpi_key"));
	json_object_set_new(a, "condition", str_or_null(r, row, "condition"));
	json_object_set_new(a, "threshold", json_num(db_f64(r, row, "threshold")));
	json_object_set_new(a, "value", json_num(db_f64(r, row, "value")));
	json_object_set_new(a, "severity", str_or_null(r, row, "severity"));
	json_object_set_new(a, "state", str_or_null(r, row, "state"));
	json_object_set_new(a, "message", str_or_null(r, row, "message"));
	json_object_set_new(a, "silenced", json_boolean(db_bool(r, row, "silenced")));
	json_object_set_new(a, "triggered_at", time_or_null(r, row, "triggered_us"));
	json_object_set_new(a, "acknowledged_at", time_or_null(r, row, "acknowledged_us"));
	json_object_set_new(a, "acknowledged_by", str_or_null(r, row, "acknowledged_by"));
	json_object_set_new(a, "ack_note", str_or_null(r, row, "ack_note"));
	json_object_set_new(a, "resolved_at", time_or_null(r, row, "resolved_us"));
	json_object_set_new(a, "resolve_reason", str_or_null(r, row, "resolve_reason"));
	json_object_set_new(a, "escalation_level",
	    json_integer(db_i64(r, row, "escalation_level")));
	return a;
}
