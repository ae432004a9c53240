/*
 * alert.c - see alert.h.
 */
#include "alert.h"

#include <math.h>
#include <stdlib.h>

#include "db.h"
#include "json_out.h"
#include "util.h"

json_t *json_num(double v)
{
	if (!isfinite(v))
		return json_null();
	if (v == floor(v) && fabs(v) < 9e15)
		return json_integer((json_int_t)v);
	return json_real(v);
}

void alert_cols(const PGresult *r, struct alert_cols *c)
{
	c->id = db_col(r, "id");
	c->rule_id = db_col(r, "rule_id");
	c->rule_name = db_col(r, "rule_name");
	c->kpi = db_col(r, "kpi_key");
	c->condition = db_col(r, "condition");
	c->threshold = db_col(r, "threshold");
	c->value = db_col(r, "value");
	c->severity = db_col(r, "severity");
	c->state = db_col(r, "state");
	c->message = db_col(r, "message");
	c->silenced = db_col(r, "silenced");
	c->triggered = db_col(r, "triggered_us");
	c->acknowledged = db_col(r, "acknowledged_us");
	c->acknowledged_by = db_col(r, "acknowledged_by");
	c->ack_note = db_col(r, "ack_note");
	c->resolved = db_col(r, "resolved_us");
	c->resolve_reason = db_col(r, "resolve_reason");
	c->escalation_level = db_col(r, "escalation_level");
}

static const char *cell(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static void put_time_col(struct buf *b, const PGresult *r, int row, int col)
{
	const char *v = cell(r, row, col);

	if (v == NULL)
		buf_puts(b, "null");
	else
		json_put_time(b, strtoll(v, NULL, 10));
}

void alert_write(struct buf *b, const PGresult *r, int row, const struct alert_cols *c)
{
	const char *v;

	buf_puts(b, "{\"id\":");
	buf_puts(b, PQgetvalue(r, row, c->id));
	json_put_key(b, "rule_id", 0);
	v = cell(r, row, c->rule_id);
	buf_puts(b, v ? v : "null");
	json_put_key(b, "rule_name", 0);
	json_put_str(b, cell(r, row, c->rule_name));
	json_put_key(b, "kpi", 0);
	json_put_str(b, cell(r, row, c->kpi));
	json_put_key(b, "condition", 0);
	json_put_str(b, cell(r, row, c->condition));
	json_put_key(b, "threshold", 0);
	json_put_num(b, strtod(PQgetvalue(r, row, c->threshold), NULL));
	json_put_key(b, "value", 0);
	json_put_num(b, strtod(PQgetvalue(r, row, c->value), NULL));
	json_put_key(b, "severity", 0);
	json_put_str(b, cell(r, row, c->severity));
	json_put_key(b, "state", 0);
	json_put_str(b, cell(r, row, c->state));
	json_put_key(b, "message", 0);
	json_put_str(b, cell(r, row, c->message));
	json_put_key(b, "silenced", 0);
	buf_puts(b, PQgetvalue(r, row, c->silenced)[0] == 't' ? "true" : "false");
	json_put_key(b, "triggered_at", 0);
	put_time_col(b, r, row, c->triggered);
	json_put_key(b, "acknowledged_at", 0);
	put_time_col(b, r, row, c->acknowledged);
	json_put_key(b, "acknowledged_by", 0);
	json_put_str(b, cell(r, row, c->acknowledged_by));
	json_put_key(b, "ack_note", 0);
	json_put_str(b, cell(r, row, c->ack_note));
	json_put_key(b, "resolved_at", 0);
	put_time_col(b, r, row, c->resolved);
	json_put_key(b, "resolve_reason", 0);
	json_put_str(b, cell(r, row, c->resolve_reason));
	json_put_key(b, "escalation_level", 0);
	buf_puts(b, PQgetvalue(r, row, c->escalation_level));
	buf_putc(b, '}');
}

json_t *alert_json(const PGresult *r, int row)
{
	struct alert_cols c;
	struct buf b;
	json_t *a;

	alert_cols(r, &c);
	buf_init(&b);
	alert_write(&b, r, row, &c);
	a = json_loadb(b.data, b.len, 0, NULL);
	buf_free(&b);
	return a ? a : json_object();
}
