/*
 * escalation_policy_store.c - see escalation_policy_store.h.
 */
#include "escalation_policy_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "contact_point_store.h"

#define EP_COLUMNS \
	"e.id, e.name, e.levels::text AS levels, e.repeat, iso(e.created_at) AS created_at," \
	" iso(e.updated_at) AS updated_at," \
	" (SELECT username FROM users u WHERE u.id = e.created_by) AS created_by"

static json_t *ep_json(const PGresult *r, int row)
{
	const char *by = db_str(r, row, "created_by");
	json_t *levels = json_loads(db_str(r, row, "levels"), 0, NULL);

	return json_pack("{sI ss so sI ss ss so}", "id", (json_int_t)db_i64(r, row, "id"),
	    "name", db_str(r, row, "name"), "levels", levels ? levels : json_array(),
	    "repeat", (json_int_t)db_i64(r, row, "repeat"),
	    "created_at", db_str(r, row, "created_at"), "updated_at", db_str(r, row, "updated_at"),
	    "created_by", by ? json_string(by) : json_null());
}

DB_STMT(q_ep_list, "SELECT " EP_COLUMNS " FROM escalation_policies e ORDER BY e.name, e.id");

enum store_rc esc_policy_list(struct db *db, json_t **out)
{
	return store_rows(DB_EXEC0(db, &q_ep_list), ep_json, out);
}

DB_STMT(q_ep_list_shared, "SELECT " EP_COLUMNS " FROM escalation_policies e"
    " WHERE e.owner_rule_id IS NULL ORDER BY e.name, e.id");

enum store_rc esc_policy_list_shared(struct db *db, json_t **out)
{
	return store_rows(DB_EXEC0(db, &q_ep_list_shared), ep_json, out);
}

DB_STMT(q_ep_get, "SELECT " EP_COLUMNS " FROM escalation_policies e WHERE e.id = $1::bigint");

enum store_rc esc_policy_get(struct db *db, int64_t id, json_t **out)
{
	return store_get_by_id(db, &q_ep_get, id, ep_json, out);
}

/* What a write stores: the levels' JSON and all their contact points (an SQL array). */
struct ep_row {
	char *levels;
	struct buf cps;
};

static void ep_row_make(const struct esc_policy_input *in, struct ep_row *w)
{
	json_t *levels = esc_levels_json(in);

	w->levels = json_dumps(levels, JSON_COMPACT);
	json_decref(levels);
	buf_init(&w->cps);
	db_arr_begin(&w->cps);
	for (size_t i = 0; i < in->n; i++)
		for (size_t k = 0; k < in->levels[i].contact_points.n; k++)
			db_arr_i64(&w->cps, vlist_int(&in->levels[i].contact_points, k));
	db_arr_end(&w->cps);
}

static void ep_row_free(struct ep_row *w)
{
	free(w->levels);
	buf_free(&w->cps);
}

/* In the transaction: every contact point named exists (held). ST_OK, ST_INVALID or ST_ERROR. */
static enum store_rc ep_check(struct db *db, const struct esc_policy_input *in,
    const struct ep_row *w, struct verror *err)
{
	int64_t missing;
	char path[48] = "levels";

	if (cp_missing(db, w->cps.data, &missing) != ST_OK)
		return ST_ERROR;
	if (missing == 0)
		return ST_OK;
	for (size_t i = 0; i < in->n && strcmp(path, "levels") == 0; i++)
		for (size_t k = 0; k < in->levels[i].contact_points.n; k++)
			if (vlist_int(&in->levels[i].contact_points, k) == missing)
				snprintf(path, sizeof(path), "levels.%zu.contact_points", i);
	verror_set(err, 422, "unknown_contact_point", path, "there is no contact point %lld",
	    (long long)missing);
	return ST_INVALID;
}

DB_STMT(q_ep_insert,
    "WITH e AS (INSERT INTO escalation_policies (name, levels, repeat, contact_points, created_by)"
    "  VALUES ($1, $2::jsonb, $3::int, $4::bigint[], NULLIF($5::bigint, 0))"
    "  ON CONFLICT (name) DO NOTHING RETURNING *)"
    " SELECT " EP_COLUMNS " FROM e");
DB_STMT(q_ep_lock, "SELECT " EP_COLUMNS ", e.owner_rule_id FROM escalation_policies e"
    " WHERE e.id = $1::bigint FOR UPDATE");
DB_STMT(q_ep_update,
    "WITH e AS (UPDATE escalation_policies SET name = $2, levels = $3::jsonb, repeat = $4::int,"
    "       contact_points = $5::bigint[], updated_at = now()"
    " WHERE id = $1::bigint"
    "   AND NOT EXISTS (SELECT 1 FROM escalation_policies o WHERE o.name = $2 AND o.id <> $1::bigint)"
    " RETURNING *)"
    " SELECT " EP_COLUMNS " FROM e");

/* The one row r wrote, or none (the name is taken): ST_OK or ST_CONFLICT. */
static enum store_rc ep_written(PGresult *r, json_t **out, struct verror *err)
{
	if (r == NULL)
		return ST_ERROR;
	if (PQntuples(r) == 1)
		*out = ep_json(r, 0);
	PQclear(r);
	if (*out)
		return ST_OK;
	verror_set(err, 409, "conflict", "name", "another escalation policy has that name");
	return ST_CONFLICT;
}

/*
 * Create (id 0) or replace: the check, the write, the audit, in one
 * transaction; on any failure nothing stays.
 */
static enum store_rc ep_write(struct db *db, const struct principal *who, int64_t id,
    const struct esc_policy_input *in, json_t **out, struct verror *err)
{
	char idb[24], rep[24], uid[24];
	struct ep_row w;
	json_t *before = NULL;
	enum store_rc rc = ST_OK;
	PGresult *r;

	*out = NULL;
	if (db_begin(db) < 0)
		return ST_ERROR;
	ep_row_make(in, &w);
	if (id) {
		r = DB_EXEC(db, &q_ep_lock, db_i64_param(id, idb));
		rc = r == NULL ? ST_ERROR : PQntuples(r) == 0 ? ST_NOT_FOUND : ST_OK;
		if (rc == ST_OK && !db_isnull(r, 0, "owner_rule_id"))
			rc = store_owned(r, err);
		if (rc == ST_OK)
			before = ep_json(r, 0);
		PQclear(r);
	}
	if (rc == ST_OK)
		rc = ep_check(db, in, &w, err);
	if (rc == ST_OK)
		rc = ep_written(id ? DB_EXEC(db, &q_ep_update, idb, in->name, w.levels,
		    db_i64_param(in->repeat, rep), w.cps.data) :
		    DB_EXEC(db, &q_ep_insert, in->name, w.levels, db_i64_param(in->repeat, rep),
		    w.cps.data, db_i64_param(who ? who->user_id : 0, uid)), out, err);
	if (rc == ST_OK && (audit_record_id(db, who, id ? "escalation_policy.update" :
	    "escalation_policy.create", "escalation_policy",
	    json_integer_value(json_object_get(*out, "id")), before, *out) < 0 || db_commit(db) < 0))
		rc = ST_ERROR;
	if (rc != ST_OK) {
		db_rollback(db);
		json_decref(*out);
		*out = NULL;
	}
	ep_row_free(&w);
	json_decref(before);
	return rc;
}

enum store_rc esc_policy_create(struct db *db, const struct principal *who,
    const struct esc_policy_input *in, json_t **out, struct verror *err)
{
	return ep_write(db, who, 0, in, out, err);
}

enum store_rc esc_policy_replace(struct db *db, const struct principal *who, int64_t id,
    const struct esc_policy_input *in, json_t **out, struct verror *err)
{
	return ep_write(db, who, id, in, out, err);
}

DB_STMT(q_ep_delete,
    "WITH e AS (DELETE FROM escalation_policies WHERE id = $1::bigint RETURNING *)"
    " SELECT " EP_COLUMNS " FROM e");

DB_STMT(q_ep_users,
    "SELECT json_build_object('rules', COALESCE(json_agg(id ORDER BY id), '[]'::json))::text"
    "       AS users FROM alert_rules WHERE escalation_policy_id = $1::bigint");

/*
 * After the row is deleted (the rules' reference is checked at commit, and
 * a rule's write holds the policy until then): do rules still use it?
 */
static enum store_rc ep_still_used(struct db *db, int64_t id, json_t **out, struct verror *err)
{
	return store_still_used(db, &q_ep_users, id, "rules escalate by this policy: take it out"
	    " of them first", out, err);
}

enum store_rc esc_policy_delete(struct db *db, const struct principal *who, int64_t id,
    json_t **out, struct verror *err)
{
	return store_delete_audited(db, who, &q_ep_delete, id, ep_json, "escalation_policy.delete",
	    "escalation_policy", ep_still_used, out, err);
}
