/*
 * store.h - results of the core operations that the API handlers and the
 * staff pages share (rules, alerts, silences, KPIs): the same validation,
 * queries and transactions for JSON and for forms.
 */
#ifndef GW_STORE_H
#define GW_STORE_H

#include <jansson.h>
#include <stdint.h>

#include "db.h"

enum store_rc {
	ST_OK,
	ST_INVALID,    /* the verror says which field and why */
	ST_NOT_FOUND,
	ST_CONFLICT,   /* the verror says why */
	ST_ERROR,      /* database error, logged */
	ST__MAX
};

/*
 * Runs st (one $1::bigint parameter, the id) and makes *out from its only
 * row with to_json: ST_OK, ST_NOT_FOUND or ST_ERROR.
 */
enum store_rc store_get_by_id(struct db *db, const struct db_stmt *st, int64_t id,
    json_t *(*to_json)(const PGresult *r, int row), json_t **out);

/*
 * Makes *out a JSON array of r's rows with to_json and clears r; r NULL
 * (its statement failed) is ST_ERROR.
 */
enum store_rc store_rows(PGresult *r, json_t *(*to_json)(const PGresult *r, int row),
    json_t **out);

struct principal;
struct verror;

/*
 * Deletes one row in a transaction of its own: st (one $1::bigint, the
 * id; DELETE ... RETURNING the columns to_json reads), then check (may be
 * NULL: whether the row may go, ST_OK, or ST_CONFLICT with err and its
 * details in *out), then the audit record (action on object_type, the row
 * as before), then commit. *out: the deleted row. On anything but ST_OK
 * nothing is deleted.
 */
enum store_rc store_delete_audited(struct db *db, const struct principal *who,
    const struct db_stmt *st, int64_t id, json_t *(*to_json)(const PGresult *r, int row),
    const char *action, const char *object_type,
    enum store_rc (*check)(struct db *db, int64_t id, json_t **out, struct verror *err),
    json_t **out, struct verror *err);

/*
 * A row a rule owns (its owner_rule_id, row 0 of r: a rule's escalation
 * shorthand) is changed through the rule only: ST_CONFLICT, err saying so.
 */
enum store_rc store_owned(const PGresult *r, struct verror *err);

/*
 * A check for store_delete_audited: st ($1 the id) answers one row with
 * "users", a JSON object of arrays naming what still uses the row. All
 * empty: ST_OK; else ST_CONFLICT, *out those arrays, err saying why.
 */
enum store_rc store_still_used(struct db *db, const struct db_stmt *st, int64_t id,
    const char *why, json_t **out, struct verror *err);

#endif
