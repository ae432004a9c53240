/*
 * policy_store.c - see policy_store.h.
 */
#include "policy_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "contact_point_store.h"
#include "log.h"

#define MATCH_JSON(col) "COALESCE(to_json(" col "), '[]'::json)"

DB_STMT(q_routing_get,
    "SELECT json_build_object("
    "  'policies', COALESCE((SELECT json_agg(json_build_object("
    "      'matchers', json_build_object('severity', " MATCH_JSON("match_severity") ","
    "          'category', " MATCH_JSON("match_category") ", 'kpi', " MATCH_JSON("match_kpi") ","
    "          'rule_ids', " MATCH_JSON("match_rule_ids") "),"
    "      'contact_points', to_json(contact_points), 'continue', continue_matching,"
    "      'group_wait_seconds', group_wait_seconds, 'repeat_minutes', repeat_minutes)"
    "    ORDER BY position) FROM notification_policies WHERE NOT is_default), '[]'::json),"
    "  'default', (SELECT json_build_object('contact_points', to_json(contact_points),"
    "      'group_wait_seconds', group_wait_seconds, 'repeat_minutes', repeat_minutes)"
    "    FROM notification_policies WHERE is_default))::text AS routing");

/* The stored routing from r (cleared) into *out: 0 or -1 (logged). */
static int routing_of(PGresult *r, json_t **out)
{
	*out = r && PQntuples(r) == 1 ? json_loads(db_str(r, 0, "routing"), 0, NULL) : NULL;
	PQclear(r);
	if (*out == NULL && r != NULL)
		log_err("notification_policies: no default policy or not JSON");
	return *out ? 0 : -1;
}

enum store_rc routing_get(struct db *db, json_t **out)
{
	return routing_of(DB_EXEC0(db, &q_routing_get), out) < 0 ? ST_ERROR : ST_OK;
}

int routing_load(struct db *db, struct routing *r)
{
	struct verror err;
	json_t *j;
	int rc;

	memset(r, 0, sizeof(*r));
	if (routing_of(DB_EXEC0(db, &q_routing_get), &j) < 0)
		return -1;
	rc = routing_decode(j, r, &err);
	json_decref(j);
	if (rc < 0)
		log_err("notification_policies: %s", err.message);
	return rc;
}

DB_STMT(q_routing_lock, "LOCK TABLE notification_policies IN EXCLUSIVE MODE");
DB_STMT(q_routing_clear, "DELETE FROM notification_policies");
DB_STMT(q_routing_insert,
    "INSERT INTO notification_policies (position, is_default, match_severity, match_category,"
    "       match_kpi, match_rule_ids, contact_points, continue_matching, group_wait_seconds,"
    "       repeat_minutes)"
    " SELECT p.n - 1, false,"
    "        NULLIF(ARRAY(SELECT json_array_elements_text(p.v->'matchers'->'severity')), '{}'),"
    "        NULLIF(ARRAY(SELECT json_array_elements_text(p.v->'matchers'->'category')), '{}'),"
    "        NULLIF(ARRAY(SELECT json_array_elements_text(p.v->'matchers'->'kpi')), '{}'),"
    "        NULLIF(ARRAY(SELECT json_array_elements_text(p.v->'matchers'->'rule_ids'))::bigint[],"
    "               '{}'),"
    "        ARRAY(SELECT json_array_elements_text(p.v->'contact_points'))::bigint[],"
    "        (p.v->>'continue')::boolean, (p.v->>'group_wait_seconds')::int,"
    "        (p.v->>'repeat_minutes')::int"
    "   FROM json_array_elements(($1::json)->'policies') WITH ORDINALITY AS p(v, n)"
    " UNION ALL"
    " SELECT -1, true, NULL, NULL, NULL, NULL,"
    "        ARRAY(SELECT json_array_elements_text(($1::json)->'default'->'contact_points'))::bigint[],"
    "        false, (($1::json)->'default'->>'group_wait_seconds')::int,"
    "        (($1::json)->'default'->>'repeat_minutes')::int");

/* Every contact point r names, into the SQL array b (db_arr_*). */
static void named_ids(const struct routing *r, struct buf *b)
{
	db_arr_begin(b);
	for (size_t i = 0; i <= r->n; i++) {
		const struct policy *p = i < r->n ? &r->list[i] : &r->dflt;
		for (size_t k = 0; k < p->contact_points.n; k++)
			db_arr_i64(b, vlist_int(&p->contact_points, k));
	}
}

/* Where r first names contact point id, as the field of an error. */
static void named_where(const struct routing *r, int64_t id, char *path, size_t len)
{
	for (size_t i = 0; i <= r->n; i++) {
		const struct policy *p = i < r->n ? &r->list[i] : &r->dflt;
		for (size_t k = 0; k < p->contact_points.n; k++) {
			if (vlist_int(&p->contact_points, k) != id)
				continue;
			if (i < r->n)
				snprintf(path, len, "policies.%zu.contact_points", i);
			else
				snprintf(path, len, "default.contact_points");
			return;
		}
	}
}

/*
 * Under the table's lock: the contact points named exist (and stay until
 * commit). ST_OK, ST_INVALID with err, or ST_ERROR.
 */
static enum store_rc check_named(struct db *db, const struct routing *r, struct verror *err)
{
	struct buf ids;
	enum store_rc rc;
	int64_t missing = 0;
	char path[64] = "";

	buf_init(&ids);
	named_ids(r, &ids);
	rc = cp_missing(db, db_arr_end(&ids), &missing);
	buf_free(&ids);
	if (rc == ST_OK && missing) {
		named_where(r, missing, path, sizeof(path));
		verror_set(err, 422, "unknown_contact_point", path, "there is no contact point %lld",
		    (long long)missing);
		rc = ST_INVALID;
	}
	return rc;
}

enum store_rc routing_put(struct db *db, const struct principal *who, const struct routing *r,
    json_t **out, struct verror *err)
{
	json_t *before = NULL;
	enum store_rc rc;
	char *text;

	*out = routing_json(r);
	text = json_dumps(*out, JSON_COMPACT);
	if (db_begin(db) < 0 || db_run(db, &q_routing_lock, 0, NULL) < 0 ||
	    routing_of(DB_EXEC0(db, &q_routing_get), &before) < 0)
		rc = ST_ERROR;
	else
		rc = check_named(db, r, err);
	if (rc == ST_OK && (db_run(db, &q_routing_clear, 0, NULL) < 0 ||
	    DB_RUN(db, &q_routing_insert, text) < 0 ||
	    audit_record(db, who, "notification_policies.update", "notification_policies", NULL,
	        before, *out) < 0 || db_commit(db) < 0))
		rc = ST_ERROR;
	if (rc != ST_OK) {
		db_rollback(db);
		json_decref(*out);
		*out = NULL;
	}
	free(text);
	json_decref(before);
	return rc;
}
