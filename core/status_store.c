/*
 * status_store.c - see status_store.h.
 *
 * Each part is one statement; the API runs them outside a transaction
 * (a status is a look, not a snapshot that must agree with itself).
 */
#include "status_store.h"

#include <stdlib.h>
#include <string.h>

#include "alert_store.h"
#include "migrate.h"
#include "util.h"

#define US_PER_S INT64_C(1000000)

DB_STMT(q_jobs,
    "SELECT job, iso(started_at) AS started_at, iso(finished_at) AS finished_at, ok, error,"
    "       iso(last_success_at) AS last_success_at, duration_ms, result::text AS result,"
    "       (extract(epoch FROM started_at) * 1e6)::int8 AS started_us"
    "  FROM job_runs");

static int row_of_job(const PGresult *r, const char *job)
{
	for (int i = 0; i < PQntuples(r); i++)
		if (strcmp(db_str(r, i, "job"), job) == 0)
			return i;
	return -1;
}

static json_t *str_or_null(const PGresult *r, int row, const char *col)
{
	const char *v = db_str(r, row, col);
	return v ? json_string(v) : json_null();
}

/* Whether a job last started at started_us missed its next slot by more than its grace. */
static int job_overdue(const struct schedule_job *sj, int64_t started_us, int64_t now_us)
{
	int64_t grace = sj->kind == SCHEDULE_EVERY ? sj->period_s : STATUS_DAILY_GRACE_S;

	return now_us > schedule_next(sj, started_us) + grace * US_PER_S;
}

static json_t *job_json(const struct schedule_job *sj, const PGresult *r, int i, int64_t now_us)
{
	char when[64];
	json_t *o, *result;
	int overdue = 0;
	const char *state = "never_ran";

	schedule_describe(sj, when, sizeof(when));
	o = json_pack("{ss ss}", "name", sj->job, "schedule", when);
	if (i >= 0) {
		overdue = job_overdue(sj, db_i64(r, i, "started_us"), now_us);
		state = !db_bool(r, i, "ok") ? "failed" : overdue ? "overdue" : "ok";
		result = db_isnull(r, i, "result") ? NULL : json_loads(db_str(r, i, "result"), 0, NULL);
		json_object_set_new(o, "started_at", str_or_null(r, i, "started_at"));
		json_object_set_new(o, "finished_at", str_or_null(r, i, "finished_at"));
		json_object_set_new(o, "ok", json_boolean(db_bool(r, i, "ok")));
		json_object_set_new(o, "error", str_or_null(r, i, "error"));
		json_object_set_new(o, "last_success_at", str_or_null(r, i, "last_success_at"));
		json_object_set_new(o, "duration_ms", db_isnull(r, i, "duration_ms") ? json_null()
		    : json_real(db_f64(r, i, "duration_ms")));
		json_object_set_new(o, "result", result ? result : json_null());
	} else {
		static const char *const none[] = {"started_at", "finished_at", "ok", "error",
		    "last_success_at", "duration_ms", "result", NULL};
		for (const char *const *k = none; *k; k++)
			json_object_set_new(o, *k, json_null());
	}
	json_object_set_new(o, "overdue", json_boolean(overdue));
	json_object_set_new(o, "state", json_string(state));
	return o;
}

enum store_rc status_jobs(struct db *db, const struct schedule *s, int64_t now_us,
    json_t **out)
{
	PGresult *r = DB_EXEC0(db, &q_jobs);

	if (r == NULL)
		return ST_ERROR;
	*out = json_array();
	for (int k = 0; k < SCHEDULE_JOBS; k++) {
		const struct schedule_job *sj = &s->jobs[k];
		if (!sj->service)
			json_array_append_new(*out, job_json(sj, r, row_of_job(r, sj->job), now_us));
	}
	PQclear(r);
	return ST_OK;
}

/*
 * The backlog of the rows o (mail_outbox) grouped: queued, due now, the age
 * of the oldest due message (since it was made), and those that died in
 * the last hour (dead_at, migration 0026: what system.delivery_failing
 * looks at too).
 */
#define BACKLOG_COLUMNS \
	" count(o.id) FILTER (WHERE o.status = 'queued') AS queued," \
	" count(o.id) FILTER (WHERE o.status = 'queued' AND o.next_attempt_at <= now()) AS due," \
	" COALESCE(extract(epoch FROM now() - min(o.created_at)" \
	"   FILTER (WHERE o.status = 'queued' AND o.next_attempt_at <= now())), 0)::float8" \
	"   AS oldest_due_age_s," \
	" count(o.id) FILTER (WHERE o.status = 'dead'" \
	"   AND o.dead_at >= now() - interval '1 hour') AS dead_last_hour"

DB_STMT(q_backlog_cp,
    "SELECT c.id, c.name, c.kind," BACKLOG_COLUMNS
    "  FROM contact_points c"
    "  LEFT JOIN mail_outbox o ON o.contact_point_id = c.id AND o.status IN ('queued', 'dead')"
    " GROUP BY c.id ORDER BY c.name, c.id");
DB_STMT(q_backlog_email,
    "SELECT" BACKLOG_COLUMNS
    "  FROM mail_outbox o WHERE o.channel = 'email' AND o.status IN ('queued', 'dead')");

static json_t *backlog_json(const PGresult *r, int i)
{
	return json_pack("{sI sI sf sI}", "queued", (json_int_t)db_i64(r, i, "queued"),
	    "due", (json_int_t)db_i64(r, i, "due"),
	    "oldest_due_age_s", db_f64(r, i, "oldest_due_age_s"),
	    "dead_last_hour", (json_int_t)db_i64(r, i, "dead_last_hour"));
}

static json_t *cp_backlog_json(const PGresult *r, int i)
{
	json_t *o = backlog_json(r, i);

	json_object_set_new(o, "id", json_integer(db_i64(r, i, "id")));
	json_object_set_new(o, "name", json_string(db_str(r, i, "name")));
	json_object_set_new(o, "kind", json_string(db_str(r, i, "kind")));
	return o;
}

enum store_rc status_deliveries(struct db *db, json_t **out)
{
	json_t *cps = NULL;
	PGresult *r;

	if (store_rows(DB_EXEC0(db, &q_backlog_cp), cp_backlog_json, &cps) != ST_OK)
		return ST_ERROR;
	if ((r = DB_EXEC0(db, &q_backlog_email)) == NULL) {
		json_decref(cps);
		return ST_ERROR;
	}
	*out = json_pack("{so so}", "contact_points", cps, "email", backlog_json(r, 0));
	PQclear(r);
	return ST_OK;
}

DB_STMT(q_pushers,
    "SELECT instance, iso(started_at) AS started_at, iso(beat_at) AS beat_at,"
    "       extract(epoch FROM now() - beat_at)::float8 AS since_s,"
    "       clients, lag_events, feed_up, relayed"
    "  FROM pusher_heartbeats ORDER BY beat_at DESC, instance");

static json_t *pusher_json(const PGresult *r, int i)
{
	double since = db_f64(r, i, "since_s");

	return json_pack("{ss ss ss sf sb sI sI sb sI}", "instance", db_str(r, i, "instance"),
	    "started_at", db_str(r, i, "started_at"), "beat_at", db_str(r, i, "beat_at"),
	    "seconds_since_beat", since, "up", since <= STATUS_PUSHER_UP_S,
	    "clients", (json_int_t)db_i64(r, i, "clients"),
	    "lag_events", (json_int_t)db_i64(r, i, "lag_events"),
	    "feed_up", db_bool(r, i, "feed_up"), "relayed", (json_int_t)db_i64(r, i, "relayed"));
}

enum store_rc status_pushers(struct db *db, json_t **out)
{
	return store_rows(DB_EXEC0(db, &q_pushers), pusher_json, out);
}

DB_STMT(q_ping, "SELECT 1 AS ok");
/* $1: the versions on disk ({} when unknown) */
DB_STMT(q_schema,
    "SELECT (SELECT max(version) FROM schema_migrations)::int8 AS applied,"
    "       (SELECT count(*) FROM unnest($1::int[]) v"
    "         WHERE v NOT IN (SELECT version FROM schema_migrations)) AS pending");

/* The versions of the migrations in dir as an SQL int[] text into b, the
 * newest into *newest. -1 when dir cannot be read (logged). */
static int disk_versions(const char *dir, struct buf *b, int64_t *newest)
{
	char **names;
	size_t n;

	if (dir == NULL || migrate_list(dir, &names, &n) < 0)
		return -1;
	db_arr_begin(b);
	for (size_t i = 0; i < n; i++)
		db_arr_i64(b, (int64_t)strtol(names[i], NULL, 10));
	db_arr_end(b);
	*newest = strtol(names[n - 1], NULL, 10);
	migrate_names_free(names, n);
	return 0;
}

enum store_rc status_database(struct db *db, const char *migrations_dir, json_t **out)
{
	int64_t t0 = time_mono_us(), newest = 0;
	PGresult *r = DB_EXEC0(db, &q_ping);
	double ms = (double)(time_mono_us() - t0) / 1000.0;
	struct buf versions;
	int known;

	if (r == NULL)
		return ST_ERROR;
	PQclear(r);
	buf_init(&versions);
	known = disk_versions(migrations_dir, &versions, &newest) == 0;
	r = DB_EXEC(db, &q_schema, known ? versions.data : "{}");
	buf_free(&versions);
	if (r == NULL)
		return ST_ERROR;
	*out = json_pack("{sf so so so}", "latency_ms", ms,
	    "schema_version", db_isnull(r, 0, "applied") ? json_null()
	    : json_integer(db_i64(r, 0, "applied")),
	    "migrations_on_disk", known ? json_integer(newest) : json_null(),
	    "pending", known ? json_integer(db_i64(r, 0, "pending")) : json_null());
	PQclear(r);
	return ST_OK;
}

enum store_rc status_read(struct db *db, const struct schedule *s, const char *migrations_dir,
    int64_t now_us, json_t **out)
{
	json_t *jobs = NULL, *deliveries = NULL, *pushers = NULL, *database = NULL;
	json_t *system = NULL;

	if (status_database(db, migrations_dir, &database) != ST_OK ||
	    status_jobs(db, s, now_us, &jobs) != ST_OK ||
	    status_deliveries(db, &deliveries) != ST_OK ||
	    status_pushers(db, &pushers) != ST_OK ||
	    alert_system_open(db, &system) != ST_OK) {
		json_decref(database);
		json_decref(jobs);
		json_decref(deliveries);
		json_decref(pushers);
		return ST_ERROR;
	}
	*out = json_pack("{so so so so so}", "jobs", jobs, "deliveries", deliveries,
	    "pusher", pushers, "database", database, "system_alerts", system);
	return ST_OK;
}
