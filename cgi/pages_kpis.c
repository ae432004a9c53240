/*
 * pages_kpis.c - the KPI catalogue with sparklines, one KPI with its chart
 * and rules. The data comes from core/kpi_store.c, as the API's.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "chart.h"
#include "fmt.h"
#include "kpi_store.h"
#include "page.h"

/* The catalogue's categories in the page's order, with their headings. */
static const struct { const char *cat, *title; } categories[] = {
	{"financial", "Money"}, {"operational", "Stock and operations"}, {"customer", "Customers"},
};

/* What the pages show of a KPI, read once from kpi_store's JSON. */
struct kpi_view {
	const char *key, *name, *category, *unit, *source, *description, *recommendation;
	int has_latest;
	double value;
	const char *at;
};

/* 0, or -1 if k lacks a member the store always writes. */
static int kpi_view(const json_t *k, struct kpi_view *v)
{
	json_t *l = NULL;

	memset(v, 0, sizeof(*v));
	if (json_unpack((json_t *)k, "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "key", &v->key,
	    "name", &v->name, "category", &v->category, "unit", &v->unit, "source", &v->source,
	    "description", &v->description, "recommendation", &v->recommendation,
	    "latest", &l) < 0)
		return -1;
	v->has_latest = json_is_object(l);
	if (v->has_latest && json_unpack(l, "{s:F, s:s}", "value", &v->value, "at", &v->at) < 0)
		return -1;
	return 0;
}

/* [[t_us, value, backfilled], ...] as chart points; caller frees. */
static struct chart_point *chart_points(const json_t *pts, size_t *n)
{
	struct chart_point *out = xcalloc(json_array_size(pts) + 1, sizeof(*out));
	const json_t *p;
	size_t i;

	json_array_foreach(pts, i, p) {
		out[i].t_us = json_integer_value(json_array_get(p, 0));
		out[i].v = json_number_value(json_array_get(p, 1));
		out[i].backfill = json_is_true(json_array_get(p, 2));
	}
	*n = json_array_size(pts);
	return out;
}

static void latest(struct tpl_dict *d, const struct kpi_view *k)
{
	char v[64];

	if (!k->has_latest) {
		tpl_set(d, "VALUE", "no data");
		tpl_show(d, "NO_AT");
		return;
	}
	fmt_value(k->value, k->unit, v, sizeof(v));
	tpl_set(d, "VALUE", v);
	page_time(tpl_section(d, "HAS_AT"), "AT", k->at);
}

static void catalogue_kpi(struct tpl_dict *cat, const struct kpi_view *k, const json_t *sparks)
{
	struct tpl_dict *d = tpl_section(cat, "KPI");
	struct chart_point *pts;
	struct buf svg;
	size_t n;

	tpl_set(d, "KEY", k->key);
	tpl_set(d, "NAME", k->name);
	if (strcmp(k->source, "push") == 0)
		tpl_show(d, "PUSH");
	latest(d, k);
	pts = chart_points(json_object_get(sparks, k->key), &n);
	buf_init(&svg);
	chart_sparkline(&svg, pts, n, 200, 36, "the last 24 hours");
	tpl_set(d, "SPARK", svg.data);
	buf_free(&svg);
	free(pts);
}

int page_kpis(struct request *req)
{
	json_t *kpis = NULL, *sparks = NULL, *k;
	struct kpi_view v;
	struct page p;
	size_t i;

	if (kpi_list(req->db, 0, NULL, &kpis) != ST_OK ||
	    kpi_sparklines(req->db, &sparks) != ST_OK) {
		json_decref(kpis);
		return 500;
	}
	page_begin(&p, req, "KPIs", "kpis.html.tpl", "KPIS");
	for (size_t c = 0; c < GW_ARRAY_LEN(categories); c++) {
		struct tpl_dict *cat = NULL;

		json_array_foreach(kpis, i, k) {
			if (kpi_view(k, &v) < 0 || strcmp(v.category, categories[c].cat) != 0)
				continue;
			if (cat == NULL) {
				cat = tpl_section(p.content, "CATEGORY");
				tpl_set(cat, "CAT", categories[c].cat);
				tpl_set(cat, "CAT_TITLE", categories[c].title);
			}
			catalogue_kpi(cat, &v, sparks);
		}
	}
	json_decref(kpis);
	json_decref(sparks);
	return page_end(&p, req, 200);
}

static void kpi_rules(struct tpl_dict *content, const json_t *rules)
{
	json_t *rule;
	size_t i;

	json_array_foreach(rules, i, rule) {
		const char *name, *severity;
		json_int_t id;
		int enabled;
		struct tpl_dict *d;

		if (json_unpack(rule, "{s:I, s:s, s:s, s:b}", "id", &id, "name", &name,
		    "severity", &severity, "enabled", &enabled) < 0)
			continue;
		d = tpl_section(content, "RULE");
		tpl_setf(d, "RULE_ID", "%lld", (long long)id);
		tpl_set(d, "RULE_NAME", name);
		tpl_set(d, "SEVERITY", severity);
		if (!enabled)
			tpl_show(d, "OFF");
	}
	if (json_array_size(rules) == 0)
		tpl_show(content, "NO_RULES");
}

static const struct { const char *p, *text; int hours; } periods[] = {
	{"24h", "24 hours", 24}, {"7d", "7 days", 168}, {"30d", "30 days", 720},
};

static void kpi_chart_svg(struct buf *svg, const struct kpi_view *k, const json_t *samples,
    size_t pi)
{
	char *title = xasprintf("%s over the last %s", k->name, periods[pi].text);
	size_t n;
	struct chart_point *pts = chart_points(samples, &n);
	struct chart ch = {.pts = pts, .n = n, .width = 640, .height = 280,
	    .title = title, .unit = k->unit};

	chart_svg(svg, &ch);
	free(title);
	free(pts);
}

int page_kpi(struct request *req)
{
	const char *key = req_param(req, "key"), *period = req_query(req, "period");
	json_t *k = NULL, *samples = NULL;
	struct kpi_view v;
	struct buf svg;
	struct page p;
	size_t pi = 0;
	enum store_rc rc;
	int status;

	for (size_t j = 0; period && j < GW_ARRAY_LEN(periods); j++)
		if (strcmp(period, periods[j].p) == 0)
			pi = j;
	if ((rc = kpi_get(req->db, key, &k)) == ST_NOT_FOUND)
		return page_error(req, 404, "There is no such KPI.");
	if (rc != ST_OK || kpi_view(k, &v) < 0 ||
	    kpi_chart(req->db, key, periods[pi].hours, &samples) != ST_OK) {
		json_decref(k);
		return 500;
	}
	buf_init(&svg);
	kpi_chart_svg(&svg, &v, samples, pi);
	page_begin(&p, req, v.name, "kpi.html.tpl", "KPIS");
	tpl_set(p.content, "KEY", key);
	tpl_set(p.content, "NAME", v.name);
	tpl_set(p.content, "CATEGORY", v.category);
	tpl_show(p.content, strcmp(v.source, "push") == 0 ? "PUSH" : "SQL");
	tpl_set(p.content, "PERIOD_TEXT", periods[pi].text);
	for (size_t j = 0; j < GW_ARRAY_LEN(periods); j++) {
		struct tpl_dict *d = tpl_section(p.content, "PERIOD");
		tpl_set(d, "P", periods[j].p);
		tpl_set(d, "P_TEXT", periods[j].text);
		tpl_show(d, j == pi ? "CURRENT" : "OTHER");
	}
	tpl_set(p.content, "CHART", svg.data);
	latest(p.content, &v);
	if (*v.description)
		tpl_set(tpl_section(p.content, "HAS_DESCRIPTION"), "DESCRIPTION", v.description);
	if (*v.recommendation)
		tpl_set(tpl_section(p.content, "HAS_ADVICE"), "RECOMMENDATION", v.recommendation);
	kpi_rules(p.content, json_object_get(k, "rules"));
	json_decref(samples);
	buf_free(&svg);
	status = page_end(&p, req, 200);
	json_decref(k); /* v points into it */
	return status;
}
