/*
 * contact_point_store.c - see contact_point_store.h.
 */
#include "contact_point_store.h"

#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "log.h"
#include "secret.h"
#include "util.h"

#define CP_COLUMNS \
	"c.id, c.name, c.kind, c.settings::text AS settings, c.secret_names::text AS secret_names," \
	" iso(c.created_at) AS created_at, iso(c.updated_at) AS updated_at," \
	" (SELECT username FROM users u WHERE u.id = c.created_by) AS created_by"

static json_t *cp_json(const PGresult *r, int row)
{
	const char *by = db_str(r, row, "created_by");
	json_t *settings = json_loads(db_str(r, row, "settings"), 0, NULL);
	json_t *names = json_loads(db_str(r, row, "secret_names"), 0, NULL);

	return json_pack("{sI ss ss so so ss ss so}", "id", (json_int_t)db_i64(r, row, "id"),
	    "name", db_str(r, row, "name"), "kind", db_str(r, row, "kind"),
	    "settings", settings ? settings : json_object(),
	    "secrets_set", names ? names : json_array(),
	    "created_at", db_str(r, row, "created_at"), "updated_at", db_str(r, row, "updated_at"),
	    "created_by", by ? json_string(by) : json_null());
}

DB_STMT(q_cp_list, "SELECT " CP_COLUMNS " FROM contact_points c ORDER BY c.name, c.id");

enum store_rc cp_list(struct db *db, json_t **out)
{
	return store_rows(DB_EXEC0(db, &q_cp_list), cp_json, out);
}

DB_STMT(q_cp_list_shared, "SELECT " CP_COLUMNS " FROM contact_points c"
    " WHERE c.owner_rule_id IS NULL ORDER BY c.name, c.id");

enum store_rc cp_list_shared(struct db *db, json_t **out)
{
	return store_rows(DB_EXEC0(db, &q_cp_list_shared), cp_json, out);
}

DB_STMT(q_cp_get, "SELECT " CP_COLUMNS " FROM contact_points c WHERE c.id = $1::bigint");

enum store_rc cp_get(struct db *db, int64_t id, json_t **out)
{
	return store_get_by_id(db, &q_cp_get, id, cp_json, out);
}

/* What a write stores: the public settings, the sealed secrets and their names. */
struct cp_row {
	char *settings, *sealed, *names;
};

static void cp_row_free(struct cp_row *w)
{
	free(w->settings);
	free(w->sealed);
	free(w->names);
}

/*
 * The row for in, with old the stored secrets (NULL: none): ST_OK, or
 * ST_INVALID with err (a required secret missing; no key to seal with).
 */
static enum store_rc cp_row_make(const struct config *cfg, const struct cp_input *in,
    const json_t *old, struct cp_row *w, struct verror *err)
{
	json_t *secrets, *pub, *names;

	memset(w, 0, sizeof(*w));
	if (cp_secrets(in, old, &secrets, err) < 0)
		return ST_INVALID;
	if (json_object_size(secrets) > 0) {
		char *plain = json_dumps(secrets, JSON_COMPACT);
		if (!secret_available(cfg) || (w->sealed = secret_seal(cfg, plain)) == NULL) {
			secret_free(plain);
			json_decref(secrets);
			verror_set(err, 503, "no_secret_key", "settings", "this server cannot keep"
			    " secrets: GOLDWATCH_SECRET_KEY is not set in its environment file");
			return ST_INVALID;
		}
		secret_free(plain);
	}
	pub = cp_public_settings(in, secrets);
	names = cp_secret_names(secrets);
	w->settings = json_dumps(pub, JSON_COMPACT);
	w->names = json_dumps(names, JSON_COMPACT);
	json_decref(pub);
	json_decref(names);
	json_decref(secrets);
	return ST_OK;
}

/* The end of a write: audit, commit; on any failure nothing stays. */
static enum store_rc cp_finish(struct db *db, const struct principal *who, const char *action,
    int64_t id, json_t *before, json_t **out)
{
	enum store_rc rc = ST_ERROR;

	if (audit_record_id(db, who, action, "contact_point", id, before, *out) == 0 &&
	    db_commit(db) == 0)
		rc = ST_OK;
	else
		db_rollback(db);
	json_decref(before);
	if (rc != ST_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* One row written, or none because the name is taken: ST_OK or ST_CONFLICT (rolled back). */
static enum store_rc cp_written(struct db *db, PGresult *r, json_t **out, struct verror *err)
{
	if (r == NULL) {
		db_rollback(db);
		return ST_ERROR;
	}
	if (PQntuples(r) == 1)
		*out = cp_json(r, 0);
	PQclear(r);
	if (*out)
		return ST_OK;
	db_rollback(db);
	verror_set(err, 409, "conflict", "name", "another contact point has that name");
	return ST_CONFLICT;
}

DB_STMT(q_cp_insert,
    "WITH c AS (INSERT INTO contact_points (name, kind, settings, sealed, secret_names, created_by)"
    "  VALUES ($1, $2, $3::jsonb, $4::bytea, $5::jsonb, NULLIF($6::bigint, 0))"
    "  ON CONFLICT (name) DO NOTHING RETURNING *)"
    " SELECT " CP_COLUMNS " FROM c");

enum store_rc cp_create(struct db *db, const struct config *cfg, const struct principal *who,
    const struct cp_input *in, json_t **out, struct verror *err)
{
	struct cp_row w;
	char uid[24];
	enum store_rc rc;

	*out = NULL;
	if ((rc = cp_row_make(cfg, in, NULL, &w, err)) != ST_OK)
		return rc;
	if (db_begin(db) < 0) {
		cp_row_free(&w);
		return ST_ERROR;
	}
	rc = cp_written(db, DB_EXEC(db, &q_cp_insert, in->name, in->kind, w.settings, w.sealed,
	    w.names, db_i64_param(who ? who->user_id : 0, uid)), out, err);
	cp_row_free(&w);
	if (rc != ST_OK)
		return rc;
	return cp_finish(db, who, "contact_point.create",
	    json_integer_value(json_object_get(*out, "id")), NULL, out);
}

DB_STMT(q_cp_lock,
    "SELECT " CP_COLUMNS ", c.sealed, c.owner_rule_id FROM contact_points c"
    " WHERE c.id = $1::bigint FOR UPDATE");
DB_STMT(q_cp_update,
    "WITH c AS (UPDATE contact_points SET name = $2, kind = $3, settings = $4::jsonb,"
    "       sealed = $5::bytea, secret_names = $6::jsonb, updated_at = now()"
    " WHERE id = $1::bigint"
    "   AND NOT EXISTS (SELECT 1 FROM contact_points o WHERE o.name = $2 AND o.id <> $1::bigint)"
    " RETURNING *)"
    " SELECT " CP_COLUMNS " FROM c");

/*
 * The locked row's secrets, open, when it is of in's kind (a contact
 * point that changes kind keeps none); NULL for none or when they do not
 * open (logged: the PUT must then give them again).
 */
static json_t *old_secrets(const struct config *cfg, const PGresult *r,
    const struct cp_input *in)
{
	json_t *old = NULL;
	char *plain;

	if (db_isnull(r, 0, "sealed") || strcmp(db_str(r, 0, "kind"), in->kind) != 0)
		return NULL;
	if ((plain = secret_open(cfg, db_str(r, 0, "sealed"))) != NULL)
		old = json_loads(plain, 0, NULL);
	secret_free(plain);
	return old;
}

enum store_rc cp_replace(struct db *db, const struct config *cfg, const struct principal *who,
    int64_t id, const struct cp_input *in, json_t **out, struct verror *err)
{
	char idb[24];
	struct cp_row w;
	json_t *before, *old;
	enum store_rc rc;
	PGresult *r;

	*out = NULL;
	if (db_begin(db) < 0)
		return ST_ERROR;
	if ((r = DB_EXEC(db, &q_cp_lock, db_i64_param(id, idb))) == NULL || PQntuples(r) == 0 ||
	    !db_isnull(r, 0, "owner_rule_id")) {
		rc = r == NULL ? ST_ERROR : PQntuples(r) == 0 ? ST_NOT_FOUND : store_owned(r, err);
		PQclear(r);
		db_rollback(db);
		return rc;
	}
	before = cp_json(r, 0);
	old = old_secrets(cfg, r, in);
	PQclear(r);
	rc = cp_row_make(cfg, in, old, &w, err);
	json_decref(old);
	if (rc == ST_OK)
		rc = cp_written(db, DB_EXEC(db, &q_cp_update, idb, in->name, in->kind, w.settings,
		    w.sealed, w.names), out, err);
	else
		db_rollback(db);
	cp_row_free(&w);
	if (rc != ST_OK) {
		json_decref(before);
		return rc;
	}
	return cp_finish(db, who, "contact_point.update", id, before, out);
}

DB_STMT(q_cp_delete,
    "WITH c AS (DELETE FROM contact_points WHERE id = $1::bigint RETURNING *)"
    " SELECT " CP_COLUMNS " FROM c");

DB_STMT(q_cp_missing,
    "WITH held AS (SELECT id FROM contact_points WHERE id = ANY($1::bigint[]) FOR KEY SHARE)"
    " SELECT x AS id FROM unnest($1::bigint[]) AS x WHERE x NOT IN (SELECT id FROM held)"
    " LIMIT 1");

enum store_rc cp_missing(struct db *db, const char *ids, int64_t *missing)
{
	PGresult *r = DB_EXEC(db, &q_cp_missing, ids);

	*missing = 0;
	if (r == NULL)
		return ST_ERROR;
	if (PQntuples(r) == 1)
		*missing = db_i64(r, 0, "id");
	PQclear(r);
	return ST_OK;
}

/* Who sends to contact point $1: the notification policies (positions) and escalation policies. */
DB_STMT(q_cp_users,
    "SELECT json_build_object("
    "  'policies', COALESCE((SELECT json_agg(CASE WHEN is_default THEN to_json('default'::text)"
    "      ELSE to_json(position) END ORDER BY is_default, position)"
    "    FROM notification_policies WHERE $1::bigint = ANY(contact_points)), '[]'::json),"
    "  'escalation_policies', COALESCE((SELECT json_agg(id ORDER BY id) FROM escalation_policies"
    "    WHERE contact_points @> ARRAY[$1::bigint]), '[]'::json),"
    "  'rules', COALESCE((SELECT json_agg(id ORDER BY id) FROM alert_rules"
    "    WHERE contact_points @> ARRAY[$1::bigint]), '[]'::json))::text AS users");

/*
 * After the row is deleted (its lock waits for a policy change that holds
 * it): does a policy still send to it? ST_CONFLICT with *out saying which.
 */
static enum store_rc cp_still_used(struct db *db, int64_t id, json_t **out, struct verror *err)
{
	return store_still_used(db, &q_cp_users, id, "notification or escalation policies or rules"
	    " send to this contact point: take it out of them first", out, err);
}

enum store_rc cp_delete(struct db *db, const struct principal *who, int64_t id, json_t **out,
    struct verror *err)
{
	return store_delete_audited(db, who, &q_cp_delete, id, cp_json, "contact_point.delete",
	    "contact_point", cp_still_used, out, err);
}

DB_STMT(q_cp_target,
    "SELECT c.id, c.name, c.kind, c.settings::text AS settings, c.sealed"
    "  FROM contact_points c WHERE c.id = $1::bigint");

enum store_rc cp_target_load(struct db *db, const struct config *cfg, int64_t id,
    struct cp_target *t)
{
	char idb[24];
	PGresult *r = DB_EXEC(db, &q_cp_target, db_i64_param(id, idb));
	char *plain = NULL;

	memset(t, 0, sizeof(*t));
	if (r == NULL)
		return ST_ERROR;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return ST_NOT_FOUND;
	}
	t->id = id;
	t->kind = cp_kind_parse(db_str(r, 0, "kind"));
	t->name = xstrdup(db_str(r, 0, "name"));
	t->settings = json_loads(db_str(r, 0, "settings"), 0, NULL);
	if (cfg && !db_isnull(r, 0, "sealed") &&
	    (plain = secret_open(cfg, db_str(r, 0, "sealed"))) == NULL) {
		PQclear(r);
		cp_target_free(t);
		return ST_ERROR;
	}
	t->secrets = plain ? json_loads(plain, 0, NULL) : json_object();
	secret_free(plain);
	PQclear(r);
	if (t->settings == NULL || t->secrets == NULL) {
		log_err("contact point %lld: stored settings are not JSON", (long long)id);
		cp_target_free(t);
		return ST_ERROR;
	}
	return ST_OK;
}

void cp_target_free(struct cp_target *t)
{
	free(t->name);
	json_decref(t->settings);
	json_decref(t->secrets);
	memset(t, 0, sizeof(*t));
}
