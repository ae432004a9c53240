/*
 * audit.h - the audit log of rule, user and token changes: who, when,
 * what, and the object before and after. Written in the transaction of
 * the change itself.
 */
#ifndef GW_AUDIT_H
#define GW_AUDIT_H

#include <jansson.h>
#include <stdint.h>

#include "auth.h"
#include "db.h"

/*
 * Records action ("rule.create", "user.update", ...) on object_type/id by
 * who. before/after may be NULL (borrowed, not stolen). 0 or -1.
 */
int audit_record(struct db *db, const struct principal *who, const char *action,
    const char *object_type, const char *object_id, const json_t *before,
    const json_t *after);
/* The same for objects with a numeric id. */
int audit_record_id(struct db *db, const struct principal *who, const char *action,
    const char *object_type, int64_t object_id, const json_t *before,
    const json_t *after);

/*
 * Who made object_type/object_id and when (its first "TYPE.create"
 * entry), and who changed it last (its newest other entry); a has_ flag 0:
 * the log holds no such entry (made before the log, or never changed).
 * 0 or -1.
 */
struct audit_made {
	int has_created, has_changed;
	char created_by[65], changed_by[65];
	int64_t created_us, changed_us;
};
int audit_made_of(struct db *db, const char *object_type, int64_t object_id,
    struct audit_made *out);

#endif
