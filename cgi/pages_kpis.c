/*
 * pages_kpis.c - the KPI catalogue with sparklines, one KPI with its chart
 * and rules.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "chart.h"
#include "kpi.h"
#include "page.h"
#include "fmt.h"
#include "rule_store.h"

DB_STMT(q_catalogue,
    "SELECT " KPI_COLUMNS ", l.value AS latest_value, iso(l.sampled_at) AS latest_at"
    "  FROM kpis k"
    "  LEFT JOIN LATERAL (SELECT s.value, s.sampled_at FROM kpi_samples s"
    "                      WHERE s.kpi_key = k.key"
    "                      ORDER BY s.sampled_at DESC, s.id DESC LIMIT 1) l ON true"
    " WHERE k.deleted_at IS NULL"
    " ORDER BY array_position(ARRAY['financial', 'operational', 'customer'], k.category), k.key");
/*
 * The sparklines: every KPI's samples of the last 24 hours, at most 96
 * each, by key in strcmp's order whatever the database's collation
 * (spark_points() walks them with strcmp).
 */
DB_STMT(q_sparks,
    "SELECT kpi_key, t_us, value FROM ("
    "  SELECT kpi_key, (extract(epoch FROM sampled_at) * 1000000)::bigint AS t_us, value,"
    "         row_number() OVER (PARTITION BY kpi_key ORDER BY sampled_at DESC) AS n"
    "    FROM kpi_samples WHERE sampled_at > now() - interval '24 hours') s"
    " WHERE n <= 96 ORDER BY kpi_key COLLATE \"C\", t_us");

static const char *cat_title(const char *cat)
{
	return strcmp(cat, "financial") == 0 ? "Money" :
	    strcmp(cat, "operational") == 0 ? "Stock and operations" : "Customers";
}

/* Rows [from, to) of the sparkline result for key, as chart points. */
static size_t spark_points(const PGresult *r, const char *key, int *cursor,
    struct chart_point *pts, size_t max)
{
	size_t n = 0;
	int kc = db_col(r, "kpi_key"), tc = db_col(r, "t_us"), vc = db_col(r, "value");

	while (*cursor < PQntuples(r) && strcmp(PQgetvalue(r, *cursor, kc), key) < 0)
		(*cursor)++;
	while (*cursor < PQntuples(r) && strcmp(PQgetvalue(r, *cursor, kc), key) == 0) {
		if (n < max) {
			pts[n].t_us = strtoll(PQgetvalue(r, *cursor, tc), NULL, 10);
			pts[n].v = strtod(PQgetvalue(r, *cursor, vc), NULL);
			n++;
		}
		(*cursor)++;
	}
	return n;
}

static void latest(struct tpl_dict *d, const PGresult *r, int row)
{
	char v[64];

	if (db_isnull(r, row, "latest_value")) {
		tpl_set(d, "VALUE", "no data");
		tpl_show(d, "NO_AT");
		return;
	}
	fmt_value(db_f64(r, row, "latest_value"), db_str(r, row, "unit"), v, sizeof(v));
	tpl_set(d, "VALUE", v);
	page_time(tpl_section(d, "HAS_AT"), "AT", db_str(r, row, "latest_at"));
}

int page_kpis(struct request *req)
{
	PGresult *r = DB_EXEC0(req->db, &q_catalogue), *sparks = NULL;
	struct tpl_dict *cat = NULL;
	const char *prev = "";
	struct chart_point pts[96];
	struct page p;
	int cursor = 0;

	/* the spark rows are by key; the catalogue by category: look each up */
	if (r == NULL || (sparks = DB_EXEC0(req->db, &q_sparks)) == NULL) {
		PQclear(r);
		return 500;
	}
	page_begin(&p, req, "KPIs", "kpis.html.tpl", "KPIS");
	for (int i = 0; i < PQntuples(r); i++) {
		const char *category = db_str(r, i, "category"), *key = db_str(r, i, "key");
		struct tpl_dict *d;
		struct buf svg;
		size_t n;

		if (strcmp(category, prev) != 0) {
			cat = tpl_section(p.content, "CATEGORY");
			tpl_set(cat, "CAT", category);
			tpl_set(cat, "CAT_TITLE", cat_title(category));
			prev = category;
		}
		d = tpl_section(cat, "KPI");
		tpl_set(d, "KEY", key);
		tpl_set(d, "NAME", db_str(r, i, "name"));
		tpl_set(d, "UNIT", db_str(r, i, "unit"));
		if (strcmp(db_str(r, i, "source"), "push") == 0)
			tpl_show(d, "PUSH");
		latest(d, r, i);
		cursor = 0;
		n = spark_points(sparks, key, &cursor, pts, GW_ARRAY_LEN(pts));
		buf_init(&svg);
		chart_sparkline(&svg, pts, n, 200, 36, "the last 24 hours");
		tpl_set(d, "SPARK", svg.data);
		buf_free(&svg);
	}
	PQclear(r);
	PQclear(sparks);
	return page_end(&p, req, 200);
}

DB_STMT(q_kpi_page,
    "SELECT " KPI_COLUMNS ", l.value AS latest_value, iso(l.sampled_at) AS latest_at"
    "  FROM kpis k"
    "  LEFT JOIN LATERAL (SELECT s.value, s.sampled_at FROM kpi_samples s"
    "                      WHERE s.kpi_key = k.key"
    "                      ORDER BY s.sampled_at DESC, s.id DESC LIMIT 1) l ON true"
    " WHERE k.key = $1");
DB_STMT(q_kpi_chart,
    "SELECT (extract(epoch FROM sampled_at) * 1000000)::bigint AS t_us, value FROM ("
    "  SELECT sampled_at, value FROM kpi_samples"
    "   WHERE kpi_key = $1 AND sampled_at > now() - make_interval(hours => $2::int)"
    "   ORDER BY sampled_at DESC LIMIT 600) s ORDER BY sampled_at");

int page_kpi(struct request *req)
{
	static const struct { const char *p, *text; int hours; } periods[] = {
		{"24h", "24 hours", 24}, {"7d", "7 days", 168}, {"30d", "30 days", 720},
	};
	const char *key = req_param(req, "key"), *period = req_query(req, "period");
	PGresult *k = NULL, *s = NULL;
	json_t *rules = NULL, *rule;
	struct chart_point *pts = NULL;
	struct buf svg;
	struct page p;
	size_t pi = 0, i;
	char hours[24];
	int rc = 500;

	for (size_t j = 0; period && j < GW_ARRAY_LEN(periods); j++)
		if (strcmp(period, periods[j].p) == 0)
			pi = j;
	buf_init(&svg);
	if ((k = DB_EXEC(req->db, &q_kpi_page, key)) == NULL)
		goto out;
	if (PQntuples(k) != 1) {
		rc = page_error(req, 404, "There is no such KPI.");
		goto out;
	}
	snprintf(hours, sizeof(hours), "%d", periods[pi].hours);
	if ((s = DB_EXEC(req->db, &q_kpi_chart, key, hours)) == NULL ||
	    rule_list(req->db, -1, key, &rules) != ST_OK)
		goto out;
	pts = xcalloc((size_t)PQntuples(s) + 1, sizeof(*pts));
	for (int j = 0; j < PQntuples(s); j++) {
		pts[j].t_us = db_i64(s, j, "t_us");
		pts[j].v = db_f64(s, j, "value");
	}
	{
		char *title = xasprintf("%s over the last %s", db_str(k, 0, "name"), periods[pi].text);
		struct chart ch = {.pts = pts, .n = (size_t)PQntuples(s), .width = 640, .height = 280,
		    .title = title, .unit = db_str(k, 0, "unit")};
		chart_svg(&svg, &ch);
		free(title);
	}
	page_begin(&p, req, db_str(k, 0, "name"), "kpi.html.tpl", "KPIS");
	tpl_set(p.content, "KEY", key);
	tpl_set(p.content, "NAME", db_str(k, 0, "name"));
	tpl_set(p.content, "CATEGORY", db_str(k, 0, "category"));
	tpl_show(p.content, strcmp(db_str(k, 0, "source"), "push") == 0 ? "PUSH" : "SQL");
	tpl_set(p.content, "PERIOD_TEXT", periods[pi].text);
	for (size_t j = 0; j < GW_ARRAY_LEN(periods); j++) {
		struct tpl_dict *d = tpl_section(p.content, "PERIOD");
		tpl_set(d, "P", periods[j].p);
		tpl_set(d, "P_TEXT", periods[j].text);
		tpl_show(d, j == pi ? "CURRENT" : "OTHER");
	}
	tpl_set(p.content, "CHART", svg.data);
	latest(p.content, k, 0);
	if (*db_str(k, 0, "description"))
		tpl_set(tpl_section(p.content, "HAS_DESCRIPTION"), "DESCRIPTION",
		    db_str(k, 0, "description"));
	if (*db_str(k, 0, "recommendation"))
		tpl_set(tpl_section(p.content, "HAS_ADVICE"), "RECOMMENDATION",
		    db_str(k, 0, "recommendation"));
	json_array_foreach(rules, i, rule) {
		struct tpl_dict *d = tpl_section(p.content, "RULE");
		tpl_setf(d, "RULE_ID", "%lld", (long long)json_integer_value(json_object_get(rule, "id")));
		tpl_set(d, "RULE_NAME", json_string_value(json_object_get(rule, "name")));
		tpl_set(d, "SEVERITY", json_string_value(json_object_get(rule, "severity")));
		if (!json_is_true(json_object_get(rule, "enabled")))
			tpl_show(d, "OFF");
	}
	if (json_array_size(rules) == 0)
		tpl_show(p.content, "NO_RULES");
	rc = page_end(&p, req, 200);
out:
	PQclear(k);
	PQclear(s);
	json_decref(rules);
	free(pts);
	buf_free(&svg);
	return rc;
}
