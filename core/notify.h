/*
 * notify.h - notices: what a contact point is yet to be told about an
 * alert (fired, resolved, escalated, a repeat, ...), gathered in memory and
 * written by one INSERT inside the transaction that decided them, each
 * due after its group wait. The delivery service turns the due ones into
 * messages (notify_flush.h). Routing an alert to its contact points (the
 * notification policies, policy.h, and the rule's own contact points) is
 * notices_route's.
 */
#ifndef GW_NOTIFY_H
#define GW_NOTIFY_H

#include <stdint.h>

#include "db.h"
#include "policy.h"
#include "util.h"

struct notices {
	int n;
	struct buf cp, alert, kind, level, wait_s, repeat_m;
};

void notices_init(struct notices *q);
void notices_free(struct notices *q);

/*
 * Adds one notice: contact point cp is told kind ("fired", "escalated",
 * ...) about alert_id after wait_s seconds. A fired notice with
 * repeat_minutes > 0 is told again that often while the alert fires
 * unacknowledged. level: the escalation level (0 otherwise).
 */
void notices_add(struct notices *q, int64_t cp, int64_t alert_id, const char *kind, int level,
    int64_t wait_s, int64_t repeat_minutes);

/*
 * Adds the notices of kind about alert_id, routed: to the contact points
 * the policies r give a, and to own (a JSON or SQL array text of the
 * rule's own contact point ids, NULL for none) with the default policy's
 * group wait and repeat, each contact point once.
 */
void notices_route(struct notices *q, const struct routing *r, const struct route_alert *a,
    const char *own, int64_t alert_id, const char *kind);

/*
 * Writes the gathered notices (to contact points that still exist) and
 * the repeats of the fired ones, at the moment now (ISO 8601), and empties
 * q. Returns the number written, or -1.
 */
int notices_flush(struct db *db, struct notices *q, const char *now);

#endif
