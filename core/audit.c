/*
 * audit.c - see audit.h.
 */
#include "audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

DB_STMT(q_audit,
    "INSERT INTO audit_log (actor_id, actor, action, object_type, object_id, before, after)"
    " VALUES (NULLIF($1::bigint, 0), $2, $3, $4, $5, $6::jsonb, $7::jsonb)");

int audit_record(struct db *db, const struct principal *who, const char *action,
    const char *object_type, const char *object_id, const json_t *before,
    const json_t *after)
{
	char uid[24];
	char *b = before ? json_dumps(before, JSON_COMPACT) : NULL;
	char *a = after ? json_dumps(after, JSON_COMPACT) : NULL;
	int rc;

	rc = DB_RUN(db, &q_audit, db_i64_param(who ? who->user_id : 0, uid),
	    who ? who->username : "system", action, object_type,
	    object_id, b, a);
	free(b);
	free(a);
	return rc;
}

int audit_record_id(struct db *db, const struct principal *who, const char *action,
    const char *object_type, int64_t object_id, const json_t *before,
    const json_t *after)
{
	char oid[24];

	return audit_record(db, who, action, object_type, db_i64_param(object_id, oid),
	    before, after);
}

DB_STMT(q_audit_made,
    "SELECT kind, actor, (extract(epoch FROM at) * 1000000)::bigint AS us FROM ("
    "  (SELECT 'created' AS kind, actor, at FROM audit_log"
    "    WHERE object_type = $1 AND object_id = $2 AND action = $1 || '.create'"
    "    ORDER BY id LIMIT 1)"
    "  UNION ALL"
    "  (SELECT 'changed', actor, at FROM audit_log"
    "    WHERE object_type = $1 AND object_id = $2 AND action <> $1 || '.create'"
    "    ORDER BY id DESC LIMIT 1)) x");

int audit_made_of(struct db *db, const char *object_type, int64_t object_id,
    struct audit_made *out)
{
	char oid[24];
	PGresult *r = DB_EXEC(db, &q_audit_made, object_type, db_i64_param(object_id, oid));

	memset(out, 0, sizeof(*out));
	if (r == NULL)
		return -1;
	for (int i = 0; i < PQntuples(r); i++) {
		int created = strcmp(db_str(r, i, "kind"), "created") == 0;

		snprintf(created ? out->created_by : out->changed_by, sizeof(out->created_by), "%s",
		    db_str(r, i, "actor"));
		*(created ? &out->created_us : &out->changed_us) = db_i64(r, i, "us");
		*(created ? &out->has_created : &out->has_changed) = 1;
	}
	PQclear(r);
	return 0;
}
