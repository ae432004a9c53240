/*
 * starter.h - the starter rules: the rules a shop owner would keep, shipped
 * as sql/starter-rules.json. Each entry is a body POST /api/alerts/rules
 * takes, less its recipients: the admin's address (GOLDWATCH_ADMIN_EMAIL)
 * is filled in, for the rule and for its escalation. They go through the
 * rule field table and rule_create like any API body, so a starter rule is
 * never one the API would refuse; rule_create writes each one's audit row
 * with who as the actor.
 */
#ifndef GW_STARTER_H
#define GW_STARTER_H

#include <jansson.h>

#include "auth.h"
#include "config.h"
#include "db.h"
#include "store.h"

/*
 * Creates every starter rule whose name no rule has yet (byte for byte),
 * one load at a time across processes. Every entry is checked before any
 * is created: a file or an address the table refuses loads nothing and is
 * ST_ERROR, logged with the entry and the field. *out (ST_OK): {"added":
 * N, "skipped": N, "rules": [the rules added]}.
 */
enum store_rc starter_load(struct db *db, const struct config *cfg,
    const struct principal *who, json_t **out);

#endif
