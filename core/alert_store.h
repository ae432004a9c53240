/*
 * alert_store.h - changing alerts from outside the evaluator: acknowledge
 * (the API's bulk acknowledge, the pages' button and the one-click link in
 * mail all use this). State change, who, when, note and the
 * alert.acknowledged event commit together.
 */
#ifndef GW_ALERT_STORE_H
#define GW_ALERT_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "store.h"

/*
 * Acknowledges the firing alerts among ids as user (user_id, username),
 * with note (may be NULL). *out: {"acknowledged":[ids],"already":[ids],
 * "not_found":[ids]} where already = acknowledged or resolved before.
 * With alerts non-NULL, *alerts gets the acknowledged alerts as JSON.
 * Returns ST_OK or ST_ERROR. Called inside a transaction, it works in
 * that transaction and leaves commit or rollback to the caller (the mail
 * link spends its token in the same transaction); else in its own.
 */
enum store_rc alert_acknowledge(struct db *db, int64_t user_id, const char *username,
    const int64_t *ids, size_t n, const char *note, json_t **out, json_t **alerts);

#endif
