/*
 * notify_flush.h - due notices become messages. For each contact point
 * and kind whose oldest pending notice is due (its group wait is over),
 * every pending notice of that contact point and kind is taken and the
 * lot becomes one message, in one transaction with their removal, so a
 * notice is either pending or a message in the outbox, never lost and
 * never two messages:
 *   - e-mail: one outbox row per address; about one alert, the alert's own
 *     mail (with the acknowledge link for users, as a rule's recipients
 *     get), about several, one grouped mail listing each;
 *   - webhook, slack, telegram: one outbox row with the body its kind and
 *     format take (notice.h), the target shown masked, delivered by
 *     http_deliver.h.
 * The delivery service runs it before each delivery pass.
 */
#ifndef GW_NOTIFY_FLUSH_H
#define GW_NOTIFY_FLUSH_H

#include <stdint.h>

#include "config.h"
#include "db.h"

/* Notices taken in one transaction, at most. */
#define NOTIFY_FLUSH_BATCH 5000

/*
 * Turns what is due at now_us (0: the clock) into messages. *messages:
 * how many groups became messages. 0, or -1 (logged; nothing taken).
 */
int notify_flush(struct db *db, const struct config *cfg, int64_t now_us, int *messages);

/* Milliseconds until the earliest pending notice is due (< 0: none). 0 or -1. */
int notify_next_due_ms(struct db *db, int64_t *ms);

#endif
