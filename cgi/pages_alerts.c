/*
 * pages_alerts.c - the alert history (/alerts), one alert (/alerts/{id})
 * with its KPI chart and timeline, and acknowledging from a page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert_store.h"
#include "app.h"
#include "chart.h"
#include "delivery_store.h"
#include "event.h"
#include "page.h"
#include "fmt.h"
#include "json_out.h"

static void options(struct tpl_dict *d, const char *section, const char *const *values,
    const char *selected)
{
	for (; *values; values++)
		page_option(d, section, *values, NULL, selected);
}

/*
 * A date from the form ("2026-11-26") as the shop's midnight that starts
 * it (or, with end, ends it), in µs. The end is the next date's midnight,
 * not 24 hours on: a day has 23 or 25 hours when the clocks change.
 */
DB_STMT(q_shop_midnight,
    "SELECT (extract(epoch FROM ($1::date + $3::int)::timestamp AT TIME ZONE $2)"
    "        * 1000000)::bigint AS us");

static int shop_midnight(struct request *req, const char *date, int end, int64_t *us)
{
	PGresult *r;

	r = DB_EXEC(req->db, &q_shop_midnight, date, req->cfg->timezone,
	    end ? "1" : "0");
	if (r == NULL)
		return -1;
	*us = db_i64(r, 0, "us");
	PQclear(r);
	return 0;
}

/* What is wrong with the history's filters: a select's value (a flash), a date (at its field). */
struct filter_errors {
	const char *other, *since, *until;
	char since_iso[11], until_iso[11];
};

/*
 * A date filter as typed ("01 Dec 2026" or "2026-12-01": valid_form_date)
 * into iso and the shop's midnight starting it (end: ending it); 0 if not
 * given, 1 if given, -1 with *err if it is no date.
 */
static int filter_date(struct request *req, const char *key, int end, char iso[11], int64_t *us,
    const char **err, const char *says)
{
	const char *v = req_query(req, key);

	if (v == NULL || *v == '\0')
		return 0;
	if (valid_form_date(v, iso) == 0 && shop_midnight(req, iso, end, us) == 0)
		return 1;
	*err = says;
	return -1;
}

/* The date range: each a date, and "to" not before "from" (an empty history says nothing). */
static void alerts_dates(struct request *req, struct history_filter *f, struct filter_errors *e)
{
	f->has_since = filter_date(req, "since", 0, e->since_iso, &f->since_us, &e->since,
	    "From must be a date, like 01 Dec 2026") == 1;
	/* "to" includes that day */
	f->has_until = filter_date(req, "until", 1, e->until_iso, &f->until_us, &e->until,
	    "To must be a date, like 01 Dec 2026") == 1;
	if (f->has_since && f->has_until && strcmp(e->since_iso, e->until_iso) > 0) {
		e->until = "To must be on or after From: the range is the wrong way round";
		f->has_since = f->has_until = 0;
	}
}

/*
 * The history's filters from the query: an empty select means "any"; a
 * value that is not one gives e->other and is left out, a date that is
 * none its field's message.
 */
static void alerts_filter(struct request *req, struct history_filter *f, struct filter_errors *e)
{
	const char *rule = req_query(req, "rule_id");
	int64_t rid = 0;

	f->state = req_query(req, "state");
	f->severity = req_query(req, "severity");
	f->kpi = req_query(req, "kpi");
	f->cursor = req_query(req, "cursor");
	if (f->state && (!*f->state || !strcmp(f->state, "open")))
		f->state = NULL;
	if (f->severity && !*f->severity)
		f->severity = NULL;
	if (f->kpi && !*f->kpi)
		f->kpi = NULL;
	if (f->cursor && !*f->cursor)
		f->cursor = NULL;
	if (f->state && strcmp(f->state, "firing") && strcmp(f->state, "acknowledged") &&
	    strcmp(f->state, "resolved")) {
		e->other = "Unknown state.";
		f->state = NULL;
	}
	if (f->severity && strcmp(f->severity, "info") && strcmp(f->severity, "warning") &&
	    strcmp(f->severity, "critical")) {
		e->other = "Unknown severity.";
		f->severity = NULL;
	}
	if (f->kpi && !valid_kpi_key(f->kpi)) {
		e->other = "Unknown KPI.";
		f->kpi = NULL;
	}
	if (rule && *rule && parse_int64(rule, 1, INT64_MAX, &rid) == 0)
		f->rule_id = rid;
	alerts_dates(req, f, e);
}

/*
 * A date field (KEY: SINCE, UNTIL) as the form shows it again: as pages
 * print dates when it is one (iso, even in a reversed range), else as
 * typed, with its message.
 */
static void show_date(struct request *req, struct tpl_dict *d, const char *name, const char *key,
    const char *iso, const char *err)
{
	const char *typed = req_query(req, name);
	char text[16], k[24];
	struct tm tm = {0};

	if (*iso && sscanf(iso, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday) == 3) {
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		strftime(text, sizeof(text), "%d %b %Y", &tm);
		tpl_set(d, key, text);
	} else {
		tpl_set(d, key, typed ? typed : "");
	}
	snprintf(k, sizeof(k), "INVALID_%s", key);
	tpl_set(d, k, err ? "true" : "false");
	if (err) {
		snprintf(k, sizeof(k), "ERR_%s", key);
		tpl_set(tpl_section(d, k), "MSG", err);
	}
}

/* The filters as the page's form and live rows keep them, and its links. */
static void alerts_links(struct request *req, struct tpl_dict *d,
    const struct history_filter *f, const struct filter_errors *e, const char *next)
{
	struct buf url;

	show_date(req, d, "since", "SINCE", e->since_iso, e->since);
	show_date(req, d, "until", "UNTIL", e->until_iso, e->until);
	if (f->rule_id)
		tpl_setf(tpl_section(d, "RULE_FILTER"), "RULE_ID", "%lld", (long long)f->rule_id);
	/* live rows only on the first page, where new alerts belong */
	tpl_set(d, "LIVE", f->cursor || f->has_until ? "0" : "1");
	tpl_set(d, "F_STATE", f->state ? f->state : "");
	tpl_set(d, "F_SEVERITY", f->severity ? f->severity : "");
	tpl_set(d, "F_KPI", f->kpi ? f->kpi : "");
	tpl_setf(d, "F_RULE", "%lld", (long long)f->rule_id);
	buf_init(&url);
	page_append_param(&url, "state", f->state);
	page_append_param(&url, "severity", f->severity);
	page_append_param(&url, "kpi", f->kpi);
	page_append_param(&url, "since", f->has_since ? e->since_iso : NULL);
	page_append_param(&url, "until", f->has_until ? e->until_iso : NULL);
	page_append_param(&url, "rule_id", f->rule_id ? req_query(req, "rule_id") : NULL);
	tpl_setf(d, "FIRST_URL", "/alerts%s", url.data ? url.data : "");
	if (f->cursor) {
		struct buf back;
		/* the bulk acknowledge comes back to this very page */
		buf_init(&back);
		buf_puts(&back, url.data ? url.data : "");
		page_append_param(&back, "cursor", f->cursor);
		tpl_setf(d, "BACK", "/alerts%s", back.data);
		buf_free(&back);
		tpl_show(d, "NOT_FIRST");
	} else {
		tpl_setf(d, "BACK", "/alerts%s", url.data ? url.data : "");
	}
	if (next) {
		page_append_param(&url, "cursor", next);
		tpl_setf(tpl_section(d, "MORE"), "NEXT_URL", "/alerts%s", url.data);
	}
	buf_free(&url);
}

int page_alerts(struct request *req)
{
	static const char *const states[] = {"firing", "acknowledged", "resolved", NULL};
	static const char *const sevs[] = {"info", "warning", "critical", NULL};
	struct history_filter f = {.limit = 50};
	struct kpi_names *names = kpi_names_load(req);
	json_t *items = NULL, *a;
	char *next = NULL;
	struct filter_errors err = {0};
	struct page p;
	size_t i;
	int some_firing = 0;
	enum store_rc rc;

	if (names == NULL)
		return 500;
	alerts_filter(req, &f, &err);
	rc = alert_history(req->db, &f, &items, &next);
	if (rc == ST_INVALID) {
		err.other = "That page link is out of date; here are the newest alerts.";
		f.cursor = NULL;
		rc = alert_history(req->db, &f, &items, &next);
	}
	if (rc != ST_OK) {
		kpi_names_free(names);
		return 500;
	}

	page_begin(&p, req, "Alerts", "alerts.html.tpl", "ALERTS");
	options(p.content, "STATE_OPT", states, f.state);
	options(p.content, "SEV_OPT", sevs, f.severity);
	page_kpi_options(p.content, names, f.kpi);
	if (err.other)
		tpl_set(tpl_section(p.content, "FILTER_ERROR"), "FILTER_ERROR_TEXT", err.other);
	json_array_foreach(items, i, a) {
		page_alert(req, tpl_section(p.content, "ALERT"), a, names);
		some_firing |= strcmp(json_str_or(a, "state", ""), "firing") == 0;
	}
	/* the empty line stays in the page, hidden, for live rows to hide again */
	if (json_array_size(items) > 0)
		tpl_show(p.content, "SOME");
	if (some_firing && req->who.role >= ROLE_OPERATOR)
		tpl_show(p.content, "BULK");
	alerts_links(req, p.content, &f, &err, next);
	free(next);
	json_decref(items);
	kpi_names_free(names);
	return page_end(&p, req, err.since || err.until ? 422 : 200);
}

DB_STMT(q_alert_facts,
    "SELECT k.name AS kpi_name, k.unit, k.recommendation,"
    "       (extract(epoch FROM a.triggered_at) * 1000000)::bigint AS t_us,"
    "       (extract(epoch FROM coalesce(a.resolved_at, now())) * 1000000)::bigint AS end_us"
    "  FROM alerts a LEFT JOIN kpis k ON k.key = a.kpi_key WHERE a.id = $1::bigint");
/* the KPI from three hours before the firing to an hour after it ended */
DB_STMT(q_alert_samples,
    "SELECT (extract(epoch FROM sampled_at) * 1000000)::bigint AS t_us, value,"
    "       source = 'backfill' AS backfill FROM ("
    "  SELECT sampled_at, value, source FROM kpi_samples"
    "   WHERE kpi_key = $1 AND sampled_at >= to_timestamp($2::bigint / 1e6) - interval '3 hours'"
    "     AND sampled_at <= to_timestamp($3::bigint / 1e6) + interval '1 hour'"
    "   ORDER BY sampled_at DESC LIMIT 500) s ORDER BY sampled_at");
/* The Deliveries table: every message about the alert, a Retry button on dead ones. */
static void show_deliveries(const struct request *req, struct tpl_dict *d, const json_t *items)
{
	json_t *m;
	size_t i;

	json_array_foreach(items, i, m) {
		struct tpl_dict *row = tpl_section(d, "DELIVERY");
		const char *cp = json_string_value(json_object_get(m, "contact_point"));
		const char *status = json_string_value(json_object_get(m, "status"));
		const char *error = json_string_value(json_object_get(m, "last_error"));

		tpl_setf(row, "D_ID", "%lld", (long long)json_integer_value(json_object_get(m, "id")));
		tpl_set(row, "D_CP", cp ? cp : json_is_integer(json_object_get(m,
		    "contact_point_id")) ? "(deleted)" : "e-mail recipients");
		tpl_set(row, "D_CHANNEL", json_string_value(json_object_get(m, "channel")));
		tpl_set(row, "D_KIND", json_string_value(json_object_get(m, "kind")));
		tpl_set(row, "D_TARGET", json_string_value(json_object_get(m, "target")));
		tpl_set(row, "D_STATUS", status);
		tpl_setf(row, "D_ATTEMPTS", "%lld",
		    (long long)json_integer_value(json_object_get(m, "attempts")));
		tpl_set(row, "D_ERROR", error ? error : "");
		page_time(row, "D_CREATED", json_string_value(json_object_get(m, "created_at")));
		if (json_is_string(json_object_get(m, "sent_at")))
			page_time(tpl_section(row, "D_SENT"), "D_SENT_AT",
			    json_string_value(json_object_get(m, "sent_at")));
		if (strcmp(status, "dead") == 0 && req->who.role >= ROLE_OPERATOR)
			tpl_show(row, "D_RETRY");
	}
	tpl_show(d, json_array_size(items) ? "HAS_DELIVERIES" : "NO_DELIVERIES");
}

/* The chart of the alert's KPI around its firing (samples: q_alert_samples). */
static void alert_chart(struct buf *svg, const json_t *a, const PGresult *facts,
    const PGresult *samples, enum cond c)
{
	int n = PQntuples(samples);
	struct chart_point *pts = xcalloc((size_t)n + 1, sizeof(*pts));
	const char *kname = db_str(facts, 0, "kpi_name");
	char *title = xasprintf("%s around the firing of %s", kname ? kname :
	    json_string_value(json_object_get(a, "kpi")),
	    json_string_value(json_object_get(a, "rule_name")));
	struct chart ch = {
		.pts = pts, .n = (size_t)n, .width = 640, .height = 280, .title = title,
		.unit = db_str(facts, 0, "unit"),
		.has_threshold = c < COND_PCT_CHANGE_GT,
		.threshold = json_number_value(json_object_get(a, "threshold")),
		.mark_us = db_i64(facts, 0, "t_us"), .mark_label = "fired",
	};

	for (int i = 0; i < n; i++) {
		pts[i].t_us = db_i64(samples, i, "t_us");
		pts[i].v = db_f64(samples, i, "value");
		pts[i].backfill = db_bool(samples, i, "backfill");
	}
	chart_svg(svg, &ch);
	free(title);
	free(pts);
}

int page_alert_detail(struct request *req)
{
	int64_t id = req_param_id(req, "id");
	struct kpi_names *names = NULL;
	json_t *a = NULL, *sent = NULL;
	PGresult *facts = NULL, *samples = NULL, *events = NULL;
	struct buf svg;
	struct page p;
	char idb[24];
	enum store_rc src;
	enum cond c;
	int rc = 500;

	buf_init(&svg);
	src = alert_get(req->db, id, &a);
	if (src == ST_NOT_FOUND)
		return page_error(req, 404, "There is no such alert.");
	if (src != ST_OK || (names = kpi_names_load(req)) == NULL)
		goto out;
	db_i64_param(id, idb);
	if ((facts = DB_EXEC(req->db, &q_alert_facts, idb)) == NULL || PQntuples(facts) != 1)
		goto out;
	samples = DB_EXEC(req->db, &q_alert_samples, json_string_value(json_object_get(a, "kpi")),
	    db_str(facts, 0, "t_us"), db_str(facts, 0, "end_us"));
	if (samples == NULL || (events = events_of_alert(req->db, id)) == NULL ||
	    delivery_of_alert(req->db, id, &sent) != ST_OK)
		goto out;
	c = cond_parse(json_string_value(json_object_get(a, "condition")));
	alert_chart(&svg, a, facts, samples, c);
	page_begin(&p, req, json_string_value(json_object_get(a, "rule_name")), "alert.html.tpl",
	    "ALERTS");
	page_alert(req, p.content, a, names);
	tpl_set(p.content, "CHART", svg.data);
	if (c >= COND_PCT_CHANGE_GT)
		tpl_set(tpl_section(p.content, "NO_THRESHOLD_LINE"), "CONDITION_KIND",
		    cond_is_zscore(c) ? "z-score" : c == COND_STALE ? "sample age" : "percent change");
	if (db_str(facts, 0, "recommendation") && *db_str(facts, 0, "recommendation"))
		tpl_set(tpl_section(p.content, "ADVICE"), "RECOMMENDATION",
		    db_str(facts, 0, "recommendation"));
	if (!json_is_integer(json_object_get(a, "rule_id")))
		tpl_show(p.content, "NO_RULE");
	if (!json_is_string(json_object_get(a, "acknowledged_by")))
		tpl_show(p.content, "NOT_ACKED");
	/* the note's place is kept for the live acknowledgement to fill */
	if (!json_is_string(json_object_get(a, "ack_note")))
		tpl_show(p.content, "NO_NOTE");
	if (!json_is_string(json_object_get(a, "resolved_at")))
		tpl_show(p.content, "NOT_RESOLVED");
	page_events(p.content, events);
	show_deliveries(req, p.content, sent);
	rc = page_end(&p, req, 200);
out:
	json_decref(a);
	json_decref(sent);
	kpi_names_free(names);
	PQclear(facts);
	PQclear(samples);
	PQclear(events);
	buf_free(&svg);
	return rc;
}

/*
 * Acknowledges the alert ids (a JSON array, stolen) with the form's note
 * as the signed-in user: *out as alert_acknowledge gives it. 0; 1 when
 * the form is refused (the flash says why); -1 on an error.
 */
static int ack_from_form(struct request *req, json_t *ids, json_t **out)
{
	const char *note = page_form(req, "note");
	json_t *body = json_pack("{so}", "alert_ids", ids);
	struct ack_input in;
	struct verror err;
	char why[80];
	enum store_rc rc;

	if (*note)
		json_object_set_new(body, "note", json_string(note));
	if (valid_decode(body, ack_fields, ack_nfields, &in, &err) < 0) {
		json_decref(body);
		page_flash(req, "error", json_array_size(ids) == 0 ?
		    "Select the alerts to acknowledge first: tick their boxes." :
		    page_note_refused(note, &err, why, sizeof(why)));
		return 1;
	}
	rc = alert_acknowledge(req->db, req->who.user_id, req->who.username, &in, out, NULL);
	json_decref(body);
	return rc == ST_OK ? 0 : -1;
}

static int ack_back(struct request *req)
{
	const char *back = req_form(req, "back");

	return req_redirect(req, page_local_path(back) ? back : "/alerts");
}

/* POST /alerts/{id}/acknowledge: the page's form (without JavaScript). */
int page_alert_ack(struct request *req)
{
	json_t *out = NULL;
	int rc = ack_from_form(req, json_pack("[I]", (json_int_t)req_param_id(req, "id")), &out);

	if (rc < 0)
		return 500;
	if (rc > 0)
		return ack_back(req);
	if (json_array_size(json_object_get(out, "acknowledged")) == 1)
		page_flash(req, "ok", "Acknowledged. The others can see you are on it.");
	else if (json_array_size(json_object_get(out, "not_found")) == 1)
		page_flash(req, "error", "There is no such alert.");
	else
		page_flash(req, "error", "That alert was already acknowledged or resolved.");
	json_decref(out);
	return ack_back(req);
}

/*
 * POST /alerts/acknowledge: the ticked rows of the dashboard or the
 * history (ack_ID=1) with one note, in one transaction; only the firing
 * ones change, the flash counts both kinds.
 */
int page_alerts_ack(struct request *req)
{
	json_t *out = NULL;
	size_t done, skipped;
	char text[160];
	int rc = ack_from_form(req, page_form_all(req, "ack_", 1), &out);

	if (rc < 0)
		return 500;
	if (rc > 0)
		return ack_back(req);
	done = json_array_size(json_object_get(out, "acknowledged"));
	skipped = json_array_size(json_object_get(out, "already")) +
	    json_array_size(json_object_get(out, "not_found"));
	json_decref(out);
	if (done == 0) {
		page_flash(req, "error", "None of those alerts was firing: they were already "
		    "acknowledged or resolved.");
		return ack_back(req);
	}
	snprintf(text, sizeof(text), "%zu %s acknowledged.", done, done == 1 ? "alert" : "alerts");
	if (skipped)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
		    " %zu already acknowledged or resolved %s left as %s.", skipped,
		    skipped == 1 ? "was" : "were", skipped == 1 ? "it was" : "they were");
	page_flash(req, "ok", text);
	return ack_back(req);
}

/* POST /notifications/{id}/retry: the alert page's Retry button, back to the page. */
int page_notification_retry(struct request *req)
{
	const char *back = req_form(req, "back");
	json_t *out = NULL;
	struct verror err;
	enum store_rc rc = delivery_retry(req->db, &req->who, req_param_id(req, "id"), &out, &err);

	json_decref(out);
	if (rc == ST_NOT_FOUND)
		return page_error(req, 404, "There is no such message.");
	if (rc == ST_CONFLICT)
		page_flash(req, "error", "That message is not dead: it is sent or still being tried.");
	else if (rc == ST_OK)
		page_flash(req, "ok", "The message is queued again: the delivery service sends it now.");
	else
		return 500;
	return req_redirect(req, page_local_path(back) ? back : "/alerts");
}
