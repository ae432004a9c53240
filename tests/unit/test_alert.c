/*
 * test_alert.c - the alert's two forms agree: alert_json() (built from
 * the columns) is what alert_write() writes, member for member, NULLs,
 * numbers and escapes included. The rows are made without a database.
 */
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "testlib.h"
#include "unit.h"

static const char *const names[] = {
	"id", "rule_id", "rule_name", "kpi_key", "condition", "threshold", "value", "severity",
	"state", "message", "silenced", "triggered_us", "acknowledged_us", "acknowledged_by",
	"ack_note", "resolved_us", "resolve_reason", "escalation_level", "kind",
};
#define NCOLS ((int)(sizeof(names) / sizeof(names[0])))

/* One row of ALERT_COLUMNS from values (NULL: SQL NULL). */
static PGresult *row_of(const char *const *values)
{
	PGresult *r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	PGresAttDesc att[NCOLS];

	memset(att, 0, sizeof(att));
	for (int i = 0; i < NCOLS; i++) {
		att[i].name = (char *)names[i];
		att[i].format = 0;
		att[i].typlen = -1;
		att[i].atttypmod = -1;
	}
	PQsetResultAttrs(r, NCOLS, att);
	for (int i = 0; i < NCOLS; i++)
		PQsetvalue(r, 0, i, (char *)(values[i] ? values[i] : ""),
		    values[i] ? (int)strlen(values[i]) : -1);
	return r;
}

static void agree(const char *const *values)
{
	PGresult *r = row_of(values);
	struct alert_cols c;
	struct buf b;
	json_t *built, *parsed;
	char *bt, *pt;

	alert_cols(r, &c);
	buf_init(&b);
	alert_write(&b, r, 0, &c);
	parsed = json_loadb(b.data, b.len, 0, NULL);
	built = alert_json(r, 0);
	CU_ASSERT_PTR_NOT_NULL(parsed);
	/* as every answer and frame writes them: reals to 15 digits, like the text */
	bt = json_dumps(built, JSON_COMPACT | JSON_REAL_PRECISION(15));
	pt = json_dumps(parsed, JSON_COMPACT | JSON_REAL_PRECISION(15));
	CU_ASSERT_STRING_EQUAL(bt, pt);
	CU_ASSERT_EQUAL(json_object_size(built), 19);
	free(bt);
	free(pt);
	buf_free(&b);
	json_decref(built);
	json_decref(parsed);
	PQclear(r);
}

static void t_forms_agree(void)
{
	static const char *const firing[NCOLS] = {
		"41", "7", "Low \"revenue\"\n<today>", "revenue_today", "lt", "5000", "4200.5",
		"critical", "firing", "Revenue today is 4,200.50 USD, below the threshold.", "f",
		"1764582000000000", NULL, NULL, NULL, NULL, NULL, "0", "kpi",
	};
	static const char *const done[NCOLS] = {
		"42", NULL, "deleted rule", "k", "zscore_gt", "3", "18.973665961010276", "info",
		"resolved", "", "t", "1764582000123456", "1764582060000000", "ana",
		"on it \\ ok", "1764585600000000", "rule deleted", "2", "system",
	};
	PGresult *r = row_of(done);
	json_t *a = alert_json(r, 0);

	agree(firing);
	agree(done);
	CU_ASSERT_TRUE(json_is_null(json_object_get(a, "rule_id")));
	CU_ASSERT_TRUE(json_is_true(json_object_get(a, "silenced")));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(a, "acknowledged_at")),
	    "2025-12-01T09:41:00.000000Z");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(a, "escalation_level")), 2);
	CU_ASSERT_TRUE(json_is_integer(json_object_get(a, "threshold")));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(a, "kind")), "system");
	json_decref(a);
	PQclear(r);
}

void suite_alert(void)
{
	static const struct test_case cases[] = {
		{"alert_json and alert_write give the same alert", t_forms_agree},
		{NULL, NULL},
	};
	test_add_suite("alert", NULL, NULL, cases);
}
