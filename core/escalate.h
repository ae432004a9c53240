/*
 * escalate.h - escalation by policy: an alert still firing (nobody
 * acknowledged it) of a rule with an escalation policy goes up one step
 * when the policy's schedule says (esc_step: step k is level k mod n of
 * the policy, at the sum of the after_minutes before it), up to
 * GOLDWATCH_ESCALATION_MAX_LEVEL steps; it gets an alert.escalated event
 * and a notice "escalated" (its step, 1-based) to each contact point of
 * that level, in one transaction. A rule's "escalation" shorthand is such
 * a policy, owned by the rule (migration 0022). Rows are claimed FOR
 * UPDATE SKIP LOCKED and the level is raised by compare-and-set: a level
 * is never told twice, with two escalators at once or after a crash.
 *
 * The same run tells the repeats: a contact point a fired alert went to
 * with a repeat interval is told again ("repeat") every interval while the
 * alert fires unacknowledged and unsilenced. After each commit the due
 * notices become messages at the run's moment (notify_flush.h).
 */
#ifndef GW_ESCALATE_H
#define GW_ESCALATE_H

#include <jansson.h>
#include <stdint.h>

#include "config.h"
#include "db.h"

struct escalate_result {
	int escalated;     /* alerts that went up a level */
	int notices;       /* escalation notices to the levels' contact points */
	int repeats;       /* repeat notices of alerts nobody acknowledged */
	int mails;         /* "still firing" mails queued (a silence over) */
	int messages;      /* messages the notices became (notify_flush.h) */
	json_t *alerts;    /* the escalated alerts */
};

/* Escalates what is due at now_us. 0, or -1 (logged; earlier batches stay). */
int escalate_run(struct db *db, const struct config *cfg, int64_t now_us,
    struct escalate_result *res);
void escalate_result_free(struct escalate_result *res);

#endif
