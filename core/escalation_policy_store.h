/*
 * escalation_policy_store.h - the escalation policies (escalation_policy.h):
 * list, read, create, replace, delete, audited. The contact points of
 * their levels must exist (and then cannot be deleted while named).
 */
#ifndef GW_ESCALATION_POLICY_STORE_H
#define GW_ESCALATION_POLICY_STORE_H

#include <jansson.h>
#include <stdint.h>

#include "auth.h"
#include "db.h"
#include "escalation_policy.h"
#include "store.h"

enum store_rc esc_policy_list(struct db *db, json_t **out);
/* Those no rule owns (a rule's escalation shorthand owns one: migration 0022). */
enum store_rc esc_policy_list_shared(struct db *db, json_t **out);
enum store_rc esc_policy_get(struct db *db, int64_t id, json_t **out);
/* ST_CONFLICT: the name is taken; ST_INVALID: a contact point is not there (err says where). */
enum store_rc esc_policy_create(struct db *db, const struct principal *who,
    const struct esc_policy_input *in, json_t **out, struct verror *err);
enum store_rc esc_policy_replace(struct db *db, const struct principal *who, int64_t id,
    const struct esc_policy_input *in, json_t **out, struct verror *err);
/* ST_CONFLICT (err, out: {"rules": [ids]}) while a rule escalates by it. */
enum store_rc esc_policy_delete(struct db *db, const struct principal *who, int64_t id,
    json_t **out, struct verror *err);

#endif
