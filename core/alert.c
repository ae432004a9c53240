/*
 * alert.c - see alert.h.
 */
#include "alert.h"

#include <stddef.h>
#include <stdlib.h>

#include "db.h"
#include "json_out.h"
#include "util.h"

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
	c->kind = db_col(r, "kind");
}

/*
 * The alert's members in order, each with its column and its kind: the
 * one description of the shape, walked by the text writer and by the
 * jansson builder alike.
 */
enum alert_kind { K_ID, K_ID_OR_NULL, K_STR, K_NUM, K_BOOL, K_TIME };

static const struct {
	const char *key;
	size_t col;            /* offset of its column number in struct alert_cols */
	enum alert_kind kind;
} alert_members[] = {
#define M(key, field, kind) {key, offsetof(struct alert_cols, field), kind}
	M("id", id, K_ID), M("rule_id", rule_id, K_ID_OR_NULL),
	M("rule_name", rule_name, K_STR), M("kpi", kpi, K_STR),
	M("condition", condition, K_STR), M("threshold", threshold, K_NUM),
	M("value", value, K_NUM), M("severity", severity, K_STR), M("state", state, K_STR),
	M("message", message, K_STR), M("silenced", silenced, K_BOOL),
	M("triggered_at", triggered, K_TIME), M("acknowledged_at", acknowledged, K_TIME),
	M("acknowledged_by", acknowledged_by, K_STR), M("ack_note", ack_note, K_STR),
	M("resolved_at", resolved, K_TIME), M("resolve_reason", resolve_reason, K_STR),
	M("escalation_level", escalation_level, K_ID), M("kind", kind, K_STR),
#undef M
};

#define N_MEMBERS (sizeof(alert_members) / sizeof(alert_members[0]))

static int member_col(const struct alert_cols *c, size_t i)
{
	return *(const int *)(const void *)((const char *)c + alert_members[i].col);
}

static const char *cell(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

void alert_write(struct buf *b, const PGresult *r, int row, const struct alert_cols *c)
{
	buf_putc(b, '{');
	for (size_t i = 0; i < N_MEMBERS; i++) {
		const char *v = cell(r, row, member_col(c, i));

		json_put_key(b, alert_members[i].key, i == 0);
		switch (alert_members[i].kind) {
		case K_ID:
		case K_ID_OR_NULL:
			buf_puts(b, v ? v : "null");
			break;
		case K_STR:
			json_put_str(b, v);
			break;
		case K_NUM:
			json_put_num(b, strtod(v ? v : "nan", NULL));
			break;
		case K_BOOL:
			buf_puts(b, v && v[0] == 't' ? "true" : "false");
			break;
		case K_TIME:
			if (v == NULL)
				buf_puts(b, "null");
			else
				json_put_time(b, strtoll(v, NULL, 10));
			break;
		}
	}
	buf_putc(b, '}');
}

json_t *alert_json(const PGresult *r, int row)
{
	struct alert_cols c;
	json_t *a = json_object();
	char t[40];

	alert_cols(r, &c);
	for (size_t i = 0; i < N_MEMBERS; i++) {
		const char *v = cell(r, row, member_col(&c, i));
		json_t *j;

		switch (alert_members[i].kind) {
		case K_ID:
		case K_ID_OR_NULL:
			j = v ? json_integer(strtoll(v, NULL, 10)) : json_null();
			break;
		case K_STR:
			j = v ? json_string(v) : json_null();
			break;
		case K_NUM:
			j = json_num(strtod(v ? v : "nan", NULL));
			break;
		case K_BOOL:
			j = json_boolean(v && v[0] == 't');
			break;
		default:
			if (v)
				time_format_iso(strtoll(v, NULL, 10), t, sizeof(t));
			j = v ? json_string(t) : json_null();
			break;
		}
		json_object_set_new(a, alert_members[i].key, j);
	}
	return a;
}
