/*
 * escalate.h - escalation: an alert still firing (nobody acknowledged it)
 * longer than its rule's escalation.after_minutes goes up one level, gets
 * an alert.escalated event and mails the rule's escalation recipients, in
 * one transaction. Level L is due at triggered_at + L * after_minutes, up
 * to a maximum level. Rows are claimed FOR UPDATE SKIP LOCKED and the
 * level is checked again under the lock, and every escalation mail has a
 * dedup key (alert, level, recipient): a level is never mailed twice, with
 * two escalators at once or after a crash.
 */
#ifndef GW_ESCALATE_H
#define GW_ESCALATE_H

#include <jansson.h>
#include <stdint.h>

#include "config.h"
#include "db.h"

struct escalate_result {
	int escalated;     /* alerts that went up a level */
	int mails;         /* escalation mails queued */
	json_t *alerts;    /* the escalated alerts */
};

/* Escalates what is due at now_us. 0, or -1 (logged; earlier batches stay). */
int escalate_run(struct db *db, const struct config *cfg, int64_t now_us,
    struct escalate_result *res);
void escalate_result_free(struct escalate_result *res);

#endif
