/*
 * contact_point_store.h - the contact points (contact_point.h): list,
 * read, create, replace, delete; their secrets sealed at rest (secret.h)
 * and never in what these return. Shared by the API and the pages.
 */
#ifndef GW_CONTACT_POINT_STORE_H
#define GW_CONTACT_POINT_STORE_H

#include <jansson.h>
#include <stdint.h>

#include "auth.h"
#include "config.h"
#include "contact_point.h"
#include "db.h"
#include "store.h"

enum store_rc cp_list(struct db *db, json_t **out);
/* Those no rule owns (a rule's escalation shorthand owns one: migration 0022). */
enum store_rc cp_list_shared(struct db *db, json_t **out);
/* One contact point: ST_OK or ST_NOT_FOUND. */
enum store_rc cp_get(struct db *db, int64_t id, json_t **out);
/*
 * Creates one (ST_CONFLICT: the name is taken; ST_INVALID: a required
 * secret missing, or secrets given while the server has no key). Audited
 * without its secrets.
 */
enum store_rc cp_create(struct db *db, const struct config *cfg, const struct principal *who,
    const struct cp_input *in, json_t **out, struct verror *err);
/* Replaces one; secrets left out keep the stored ones of the same kind. */
enum store_rc cp_replace(struct db *db, const struct config *cfg, const struct principal *who,
    int64_t id, const struct cp_input *in, json_t **out, struct verror *err);
/*
 * Deletes one; ST_CONFLICT (out: {"policies": [positions or "default"],
 * "escalation_policies": [ids], "rules": [ids]}) while a policy or a rule
 * sends to it.
 */
enum store_rc cp_delete(struct db *db, const struct principal *who, int64_t id, json_t **out,
    struct verror *err);

/*
 * In the caller's transaction: the first of ids (an SQL bigint[] text)
 * that is not a contact point into *missing (0: all are; those are held
 * until commit, so none is deleted meanwhile). ST_OK or ST_ERROR.
 */
enum store_rc cp_missing(struct db *db, const char *ids, int64_t *missing);

/* A contact point as a sender needs it: its secrets open. */
struct cp_target {
	int64_t id;
	enum cp_kind kind;
	char *name;
	json_t *settings;   /* the public settings */
	json_t *secrets;    /* {} when none */
};
/*
 * ST_OK, ST_NOT_FOUND, or ST_ERROR (its secrets do not open: logged).
 * cfg NULL: what may be shown only, the secrets stay sealed ({}).
 */
enum store_rc cp_target_load(struct db *db, const struct config *cfg, int64_t id,
    struct cp_target *t);
void cp_target_free(struct cp_target *t);

#endif
