/*
 * audit.c - see audit.h.
 */
#include "audit.h"

#include <stdlib.h>

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
