/*
 * delivery_store.h - the outbox (mail_outbox: every message of every
 * channel) as people follow it: the list, the messages about one alert,
 * failures per contact point, and retrying a dead message. Delivering
 * the rows is mail_deliver.h's.
 */
#ifndef GW_DELIVERY_STORE_H
#define GW_DELIVERY_STORE_H

#include <jansson.h>
#include <stdint.h>

#include "auth.h"
#include "db.h"
#include "store.h"
#include "tpl.h"

/*
 * Outbox rows, newest first: status NULL (any) or queued/sent/dead, at
 * most limit, with ids below before_id (0: from the newest). *out:
 * {"items":[...],"next_cursor": "ID" or null}. ST_OK or ST_ERROR.
 */
enum store_rc delivery_list(struct db *db, const char *status, int limit, int64_t before_id,
    json_t **out);

/*
 * Every message about alert id (alert_id = id, or id among alert_ids: a
 * grouped message), oldest first, as an array. ST_OK, ST_NOT_FOUND (no
 * such alert) or ST_ERROR.
 */
enum store_rc delivery_of_alert(struct db *db, int64_t alert_id, json_t **out);

/*
 * Queues dead row id again at once (attempts 0; its last error stays
 * until the next attempt replaces or clears it) and wakes the delivery
 * service; audited as notification.retry. *out: the row. ST_OK,
 * ST_NOT_FOUND, ST_CONFLICT (not dead: err says so) or ST_ERROR.
 */
enum store_rc delivery_retry(struct db *db, const struct principal *who, int64_t id,
    json_t **out, struct verror *err);

/*
 * Failed messages per contact point: [{"contact_point_id" (null: plain
 * e-mail recipients of rules), "contact_point" (name or null), "dead",
 * "retrying" (queued again after a failed attempt)}], by name, only those
 * with any. since NULL: as things stand; else rows created since then.
 */
enum store_rc delivery_failures(struct db *db, const char *since, json_t **out);
/*
 * Those as the section FAILURES of d (none: nothing), a FAILURE each with
 * F_NAME, F_DEAD, F_RETRYING and, for a contact point, F_LINK with F_ID:
 * what the dashboard and the digest show alike.
 */
void delivery_failures_show(struct tpl_dict *d, const json_t *failures);

#endif
