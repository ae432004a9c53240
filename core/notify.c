/*
 * notify.c - see notify.h.
 */
#include "notify.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define ROUTE_MAX (POLICY_MAX_TARGETS * 4)

void notices_init(struct notices *q)
{
	memset(q, 0, sizeof(*q));
	db_arr_begin(&q->cp);
	db_arr_begin(&q->alert);
	db_arr_begin(&q->kind);
	db_arr_begin(&q->level);
	db_arr_begin(&q->wait_s);
	db_arr_begin(&q->repeat_m);
}

void notices_free(struct notices *q)
{
	buf_free(&q->cp);
	buf_free(&q->alert);
	buf_free(&q->kind);
	buf_free(&q->level);
	buf_free(&q->wait_s);
	buf_free(&q->repeat_m);
	q->n = 0;
}

void notices_add(struct notices *q, int64_t cp, int64_t alert_id, const char *kind, int level,
    int64_t wait_s, int64_t repeat_minutes)
{
	db_arr_i64(&q->cp, cp);
	db_arr_i64(&q->alert, alert_id);
	db_arr_str(&q->kind, kind);
	db_arr_i64(&q->level, level);
	db_arr_i64(&q->wait_s, wait_s);
	db_arr_i64(&q->repeat_m, repeat_minutes);
	q->n++;
}

/* Adds cp to out[0..n) unless there; returns the new count. */
static size_t add_own(struct route_target *out, size_t n, int64_t cp, const struct policy *dflt)
{
	for (size_t k = 0; k < n; k++)
		if (out[k].contact_point == cp)
			return n;
	out[n] = (struct route_target){cp, dflt->group_wait_seconds,
	    dflt->has_repeat ? dflt->repeat_minutes : 0};
	return n + 1;
}

void notices_route(struct notices *q, const struct routing *r, const struct route_alert *a,
    const char *own, int64_t alert_id, const char *kind)
{
	struct route_target t[ROUTE_MAX];
	size_t n = routing_targets(r, a, t, ROUTE_MAX);
	json_t *ids = own ? json_loads(own, 0, NULL) : NULL;
	size_t i;
	json_t *v;

	json_array_foreach(ids, i, v)
		if (json_is_integer(v) && n < ROUTE_MAX)
			n = add_own(t, n, json_integer_value(v), &r->dflt);
	json_decref(ids);
	for (i = 0; i < n; i++)
		notices_add(q, t[i].contact_point, alert_id, kind, 0, t[i].group_wait_seconds,
		    t[i].repeat_minutes);
}

/*
 * The notices, to contact points that exist (one deleted meanwhile is
 * skipped, not an error of the deciding transaction), and for each fired
 * one with a repeat its repeat row.
 */
DB_STMT(q_insert,
    "WITH v AS (SELECT v.* FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::int[],"
    "                                  $5::int[], $6::int[])"
    "                  AS v(cp, alert, kind, level, wait_s, rep)"
    "             JOIN contact_points c ON c.id = v.cp),"
    "     r AS (INSERT INTO alert_repeats (alert_id, contact_point_id, repeat_minutes, next_at)"
    "           SELECT DISTINCT ON (alert, cp) alert, cp, rep,"
    "                  $7::timestamptz + make_interval(mins => rep)"
    "             FROM v WHERE kind = 'fired' AND rep > 0"
    "           ON CONFLICT (alert_id, contact_point_id) DO NOTHING)"
    " INSERT INTO notices (contact_point_id, alert_id, kind, escalation_level, due_at)"
    " SELECT cp, alert, kind, level, $7::timestamptz + make_interval(secs => wait_s) FROM v");

int notices_flush(struct db *db, struct notices *q, const char *now)
{
	PGresult *r;
	int n = 0;

	if (q->n > 0) {
		r = DB_EXEC(db, &q_insert, db_arr_end(&q->cp), db_arr_end(&q->alert),
		    db_arr_end(&q->kind), db_arr_end(&q->level), db_arr_end(&q->wait_s),
		    db_arr_end(&q->repeat_m), now);
		if (r == NULL)
			return -1;
		n = atoi(PQcmdTuples(r));
		PQclear(r);
	}
	notices_free(q);
	notices_init(q);
	return n;
}
