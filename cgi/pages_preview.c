/*
 * pages_preview.c - the rule form's preview: what the rule as the form
 * holds it would have fired over its KPI's stored samples (core/preview.c,
 * the API's replay), drawn server-side as an SVG chart with the threshold
 * line and a mark at each firing, a sentence and a table of the firings.
 * The "Preview" button renders it without JavaScript; static/js/
 * rule_preview.js posts the same form (debounced) and swaps in this
 * section, so the form's mapping to a rule body and the chart are the
 * server's only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "chart.h"
#include "fmt.h"
#include "page.h"
#include "preview.h"

#define PREVIEW_TABLE_MAX 20

static const int day_choices[] = {7, 30, 90};

/* The days the form asks for (one of day_choices), 30 otherwise. */
static int form_days(const struct request *req)
{
	int64_t days;

	if (parse_int64(page_form(req, "preview_days"), 1, PREVIEW_DAYS_MAX, &days) < 0)
		return PREVIEW_DAYS_DEFAULT;
	for (size_t i = 0; i < GW_ARRAY_LEN(day_choices); i++)
		if (days == day_choices[i])
			return (int)days;
	return PREVIEW_DAYS_DEFAULT;
}

/* Conditions whose threshold is in the KPI's unit: drawn as a line. */
static int threshold_on_values(enum cond c)
{
	return c == COND_GT || c == COND_GTE || c == COND_LT || c == COND_LTE || c == COND_EQ ||
	    c == COND_NEQ;
}

static void preview_chart(struct tpl_dict *d, const struct rule_input *rule,
    const struct preview_result *res)
{
	struct chart_point *pts = xcalloc(res->samples + 1, sizeof(*pts));
	int64_t *marks = xcalloc(res->count + 1, sizeof(*marks));
	enum cond c = cond_parse(rule->condition);
	char *title = xasprintf("%s over the last days, with the rule's would-have-fired marks",
	    res->kpi_name);
	struct chart ch = {.pts = pts, .n = res->samples, .width = 640, .height = 240,
	    .title = title, .unit = res->kpi_unit, .has_threshold = threshold_on_values(c),
	    .threshold = rule->threshold, .more_marks = marks, .more_n = res->count};
	struct buf svg;

	for (size_t i = 0; i < res->samples; i++)
		pts[i] = (struct chart_point){.t_us = res->points[i].at_us, .v = res->points[i].value};
	for (size_t i = 0; i < res->count; i++)
		marks[i] = res->firings[i].at_us;
	buf_init(&svg);
	if (chart_svg(&svg, &ch) == 0)
		tpl_set(d, "CHART", svg.data ? svg.data : "");
	buf_free(&svg);
	free(title);
	free(marks);
	free(pts);
}

/* The firings as rows (the first PREVIEW_TABLE_MAX): when, the value, resolved when. */
static void preview_rows(struct tpl_dict *d, const struct rule_input *rule,
    const struct preview_result *res)
{
	enum cond c = cond_parse(rule->condition);
	char at[40];

	for (size_t i = 0; i < res->count && i < PREVIEW_TABLE_MAX; i++) {
		struct tpl_dict *row = tpl_section(d, "FIRING");
		struct fmt_observed o;

		fmt_observed(c, res->firings[i].value, rule->threshold, res->kpi_unit, &o);
		time_format_iso(res->firings[i].at_us, at, sizeof(at));
		page_time(row, "AT", at);
		tpl_set(row, "VALUE", o.value);
		if (res->firings[i].resolved_us) {
			time_format_iso(res->firings[i].resolved_us, at, sizeof(at));
			page_time(tpl_section(row, "RESOLVED"), "AT", at);
		} else {
			tpl_show(row, "STILL_OPEN");
		}
	}
	if (res->count > PREVIEW_TABLE_MAX)
		tpl_set_int(tpl_section(d, "MORE"), "N", (long)(res->count - PREVIEW_TABLE_MAX));
}

void page_rule_preview(struct request *req, struct tpl_dict *d, const struct rule_input *rule)
{
	struct preview_request pr = {.days = form_days(req)};
	struct preview_result res;
	struct tpl_dict *p;
	struct verror err;
	enum store_rc rc;

	char v[8], sel[8];

	snprintf(sel, sizeof(sel), "%d", (int)pr.days);
	for (size_t i = 0; i < GW_ARRAY_LEN(day_choices); i++) {
		snprintf(v, sizeof(v), "%d", day_choices[i]);
		page_option(d, "PREVIEW_DAYS_OPT", v, NULL, sel);
	}
	if (rule == NULL) {
		tpl_show(d, "PREVIEW_ERRORS");
		return;
	}
	if (rule->kpi == NULL || *rule->kpi == '\0') {
		tpl_show(d, "PREVIEW_CHOOSE");
		return;
	}
	pr.rule = *rule;
	rc = preview_run(req->db, req->cfg, &pr, &res, &err);
	if (rc == ST_INVALID) {
		tpl_set(tpl_section(d, "PREVIEW_REFUSED"), "MSG", err.message);
		return;
	}
	if (rc != ST_OK) {
		tpl_show(d, "PREVIEW_FAILED");
		return;
	}
	p = tpl_section(d, "PREVIEW");
	tpl_set_int(p, "COUNT", (long)res.count);
	tpl_set_int(p, "DAYS", (long)pr.days);
	tpl_set_int(p, "SAMPLES", (long)res.samples);
	if (res.count != 1)
		tpl_show(p, "PLURAL");
	preview_chart(p, rule, &res);
	if (res.count > 0)
		preview_rows(tpl_section(p, "FIRINGS"), rule, &res);
	preview_result_free(&res);
}
