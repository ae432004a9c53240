/*
 * audit.c - GET /api/audit (admin): who changed which rule, user, token,
 * KPI or silence, when, with the object before and after. Newest first,
 * paged with before=ID.
 */
#include <string.h>

#include "app.h"

DB_STMT(q_audit,
    "SELECT id, iso(at) AS at, actor, action, object_type, object_id,"
    "       before::text AS before, after::text AS after"
    "  FROM audit_log"
    " WHERE ($1::bigint IS NULL OR id < $1::bigint)"
    "   AND ($2::text IS NULL OR object_type = $2)"
    "   AND ($3::text IS NULL OR object_id = $3)"
    " ORDER BY id DESC LIMIT $4::int");

static json_t *json_or_null(const char *s)
{
	json_t *v = s ? json_loads(s, JSON_DECODE_ANY, NULL) : NULL;
	return v ? v : json_null();
}

int audit_list(struct request *req)
{
	char b[24], l[24];
	PGresult *r;
	json_t *items;

	r = DB_EXEC(req->db, &q_audit, req->q.before ? db_i64_param(req->q.before, b) : NULL,
	    req->q.object_type, req->q.object_id, db_i64_param(req->q.limit, l));
	if (r == NULL)
		return 500;
	items = json_array();
	for (int i = 0; i < PQntuples(r); i++) {
		const char *id = db_str(r, i, "object_id");
		json_array_append_new(items, json_pack("{sI ss ss ss ss so so so}",
		    "id", (json_int_t)db_i64(r, i, "id"), "at", db_str(r, i, "at"),
		    "actor", db_str(r, i, "actor"), "action", db_str(r, i, "action"),
		    "object_type", db_str(r, i, "object_type"),
		    "object_id", id ? json_string(id) : json_null(),
		    "before", json_or_null(db_str(r, i, "before")),
		    "after", json_or_null(db_str(r, i, "after"))));
	}
	PQclear(r);
	return req_json(req, 200, json_pack("{so}", "items", items));
}
