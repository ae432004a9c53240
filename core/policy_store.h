/*
 * policy_store.h - the notification policies (policy.h) as stored: read
 * whole, replaced whole (PUT /api/notification-policies), audited. The
 * contact points they name must exist, and a contact point they name is
 * not deleted (contact_point_store.c asks routing_users).
 */
#ifndef GW_POLICY_STORE_H
#define GW_POLICY_STORE_H

#include <jansson.h>

#include "auth.h"
#include "db.h"
#include "policy.h"
#include "store.h"

enum store_rc routing_get(struct db *db, json_t **out);
/* The policies for the engine: 0, or -1 (logged). */
int routing_load(struct db *db, struct routing *r);
/* Replaces them; ST_INVALID when a contact point named does not exist (err says where). */
enum store_rc routing_put(struct db *db, const struct principal *who, const struct routing *r,
    json_t **out, struct verror *err);
#endif
