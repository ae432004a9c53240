/*
 * pages_status.c - /status (admin): goldwatch's view of itself as a page,
 * the same figures as GET /api/status (core/status_store.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "config.h"
#include "page.h"
#include "status_store.h"

/* The badge of a job's state or a pusher's: the colours the alert states use. */
static const char *state_class(const char *state)
{
	if (strcmp(state, "ok") == 0 || strcmp(state, "up") == 0)
		return "state-resolved";
	if (strcmp(state, "overdue") == 0)
		return "state-acknowledged";
	if (strcmp(state, "never_ran") == 0)
		return "state-past";
	return "state-firing";
}

static void job_rows(struct page *p, const json_t *jobs)
{
	const json_t *j;
	size_t i;

	json_array_foreach(jobs, i, j) {
		struct tpl_dict *d = tpl_section(p->content, "JOB");
		const char *state = json_string_value(json_object_get(j, "state"));
		const json_t *ms = json_object_get(j, "duration_ms");
		const char *err = json_string_value(json_object_get(j, "error"));

		tpl_set(d, "NAME", json_string_value(json_object_get(j, "name")));
		tpl_set(d, "SCHEDULE", json_string_value(json_object_get(j, "schedule")));
		tpl_set(d, "STATE", strcmp(state, "never_ran") == 0 ? "never ran" : state);
		tpl_set(d, "CLASS", state_class(state));
		if (json_is_string(json_object_get(j, "started_at")))
			page_time(tpl_section(d, "RAN"), "AT",
			    json_string_value(json_object_get(j, "started_at")));
		else
			tpl_show(d, "NEVER");
		if (json_is_number(ms))
			tpl_setf(d, "TOOK", "%.0f ms", json_number_value(ms));
		tpl_set(d, "ERROR", err ? err : "");
	}
}

static void backlog_row(struct page *p, const char *name, const char *kind, const json_t *b)
{
	struct tpl_dict *d = tpl_section(p->content, "BACKLOG");

	tpl_set(d, "NAME", name);
	tpl_set(d, "KIND", kind);
	tpl_setf(d, "DUE", "%lld", (long long)json_integer_value(json_object_get(b, "due")));
	tpl_setf(d, "QUEUED", "%lld", (long long)json_integer_value(json_object_get(b, "queued")));
	tpl_setf(d, "OLDEST", "%.0f s", json_number_value(json_object_get(b, "oldest_due_age_s")));
	tpl_setf(d, "DEAD", "%lld",
	    (long long)json_integer_value(json_object_get(b, "dead_last_hour")));
}

static void pusher_rows(struct page *p, const json_t *pushers)
{
	const json_t *x;
	size_t i;

	json_array_foreach(pushers, i, x) {
		struct tpl_dict *d = tpl_section(p->content, "PUSHER");
		const char *state = json_is_true(json_object_get(x, "up")) ? "up" : "down";

		tpl_set(d, "INSTANCE", json_string_value(json_object_get(x, "instance")));
		tpl_set(d, "STATE", state);
		tpl_set(d, "CLASS", state_class(state));
		tpl_setf(d, "CLIENTS", "%lld", (long long)json_integer_value(json_object_get(x, "clients")));
		tpl_setf(d, "LAG", "%lld", (long long)json_integer_value(json_object_get(x, "lag_events")));
		tpl_setf(d, "SINCE", "%.0f", json_number_value(json_object_get(x, "seconds_since_beat")));
	}
	if (json_array_size(pushers) == 0)
		tpl_show(p->content, "NO_PUSHER");
}

static void database_card(struct page *p, const json_t *db)
{
	json_int_t pending = json_integer_value(json_object_get(db, "pending"));

	tpl_setf(p->content, "LATENCY", "%.1f", json_number_value(json_object_get(db, "latency_ms")));
	tpl_setf(p->content, "SCHEMA", "%lld",
	    (long long)json_integer_value(json_object_get(db, "schema_version")));
	if (pending > 0)
		tpl_setf(tpl_section(p->content, "PENDING"), "N", "%lld", (long long)pending);
}

int page_status(struct request *req)
{
	struct schedule s;
	struct page p;
	json_t *st = NULL, *cp;
	char *dir = config_path(req->cfg, "sql", "migrations");
	size_t i;
	enum store_rc rc = schedule_init(&s, NULL) < 0 ? ST_ERROR
	    : status_read(req->db, &s, dir, time_now_us(), &st);

	free(dir);
	if (rc != ST_OK)
		return page_error(req, 500, "The status could not be read.");
	page_begin(&p, req, "goldwatch itself", "status.html.tpl", NULL);
	job_rows(&p, json_object_get(st, "jobs"));
	backlog_row(&p, "All e-mail", "email", json_object_get(json_object_get(st, "deliveries"),
	    "email"));
	json_array_foreach(json_object_get(json_object_get(st, "deliveries"), "contact_points"), i, cp)
		backlog_row(&p, json_string_value(json_object_get(cp, "name")),
		    json_string_value(json_object_get(cp, "kind")), cp);
	pusher_rows(&p, json_object_get(st, "pusher"));
	database_card(&p, json_object_get(st, "database"));
	json_decref(st);
	return page_end(&p, req, 200);
}
