/*
 * mail.h - e-mail: rendering messages from the templates under
 * templates/mail/ (plain text and HTML, every value escaped in the HTML)
 * and queueing them in the outbox, in the caller's transaction. Delivery
 * is mail_deliver.h's.
 */
#ifndef GW_MAIL_H
#define GW_MAIL_H

#include <jansson.h>
#include <stdint.h>

#include "config.h"
#include "db.h"
#include "store.h"
#include "util.h"

/*
 * MAIL_STILL_FIRING: a silence ended while the alert still fires (escalate.c).
 * MAIL_FLAPPING, MAIL_SETTLED: a rule started flapping or settled; MAIL_BACK:
 * it breached again within its cooldown (eval.c; about the rule's newest alert).
 * MAIL_REPEAT: a still-firing, unacknowledged alert told again (a policy's
 * repeat_minutes).
 */
enum mail_kind {
	MAIL_FIRED, MAIL_RESOLVED, MAIL_ESCALATED, MAIL_DIGEST, MAIL_TEST, MAIL_STILL_FIRING,
	MAIL_FLAPPING, MAIL_SETTLED, MAIL_BACK, MAIL_REPEAT,
	MAIL_KIND__MAX
};

const char *mail_kind_name(enum mail_kind k);
/* The kind of a name, MAIL_KIND__MAX for an unknown one. */
enum mail_kind mail_kind_parse(const char *s);
/* Whether a message of kind k carries acknowledge links (the alert is open). */
int mail_kind_may_ack(enum mail_kind k);

/* What a message about one alert shows. */
struct mail_alert {
	enum mail_kind kind;
	const json_t *alert;          /* alert JSON (alert.h) */
	const char *kpi_name;
	const char *kpi_unit;
	const char *recommendation;
	const char *rule_description;
	const char *when_local;       /* the event time in the shop's zone */
	double latest;                /* the KPI's value */
	int escalation_level;
};

/*
 * The facts of a message about an alert of rule r on KPI k: select these
 * (every statement behind a mail_alert names them so) for mail_alert_of().
 */
#define MAIL_FACT_COLUMNS \
	"r.description, k.name AS kpi_name, k.unit AS kpi_unit, k.recommendation"

/*
 * A moment as the mails show it, "2026-11-26 17:52 Europe/Zurich": ts
 * and tz are SQL expressions (a timestamptz and the zone's parameter).
 */
#define MAIL_WHEN_SQL(ts, tz) \
	"to_char(" ts " AT TIME ZONE " tz ", 'YYYY-MM-DD HH24:MI') || ' ' || " tz

/*
 * The message of kind about alert a, with the facts of row of a result
 * of MAIL_FACT_COLUMNS, the moment when_local and the KPI's value latest.
 * m borrows all of them.
 */
void mail_alert_of(struct mail_alert *m, enum mail_kind kind, const json_t *a,
    const PGresult *facts, int row, const char *when_local, double latest);

struct mail_msg {
	char *subject;
	struct buf text;
	struct buf html;
};

void mail_msg_free(struct mail_msg *m);

/*
 * Renders m for recipient. ack_url (may be NULL) is the one-click
 * acknowledge link of this recipient. Returns 0, or -1 (logged).
 */
int mail_render_alert(const struct config *cfg, const struct mail_alert *m,
    const char *ack_url, struct mail_msg *out);

/*
 * A message about several alerts at once (a group, notify_flush.h): the
 * title and each alert listed with its page. alerts: the alerts as the API
 * shows them; ack_urls (NULL: none) the recipient's acknowledge link of
 * each, a string or null, in the same order. Returns 0, or -1 (logged).
 */
int mail_render_group(const struct config *cfg, enum mail_kind kind, const json_t *alerts,
    const json_t *ack_urls, struct mail_msg *out);

/*
 * The acknowledge links of recipient for the alerts a group mail lists
 * (the first NOTICE_LIST_MAX): a JSON array of strings, or nulls where the
 * recipient is no user who may acknowledge. 0, or -1.
 */
int mail_group_acks(struct db *db, const struct config *cfg, const json_t *alerts,
    const char *recipient, json_t **out);

/*
 * Outbox rows gathered in memory and written by one INSERT, inside the
 * transaction that decided to send them. Rows added while contact_point
 * is set are that contact point's.
 */
struct outbox {
	int n;
	int64_t contact_point;
	struct buf kind, alert_id, rule_id, recipient, subject, text, html, dedup;
	struct buf channel, cp, alert_ids, payload;
};

void outbox_init(struct outbox *o);
void outbox_add(struct outbox *o, enum mail_kind kind, int64_t alert_id,
    int64_t rule_id, const char *recipient, const struct mail_msg *m,
    const char *dedup_key);
/* A grouped mail (mail_render_group) about alert_ids ("{1,2}", first_alert its first). */
void outbox_add_group(struct outbox *o, enum mail_kind kind, int64_t first_alert,
    const char *alert_ids, const char *recipient, const struct mail_msg *m);
/*
 * A message to an HTTP contact point (channel: webhook, slack, telegram)
 * about the alerts alert_ids (an SQL array text, "{1,2}"; first_alert is
 * its first): target is how it is shown (masked where secret), payload the
 * body as it will be sent.
 */
void outbox_add_http(struct outbox *o, const char *kind, int64_t first_alert,
    const char *alert_ids, const char *channel, const char *target, const char *title,
    const char *text, const char *payload);
/*
 * Inserts the gathered rows (rows whose dedup_key exists are skipped),
 * each with its Message-ID "<gw.ID.RANDOM@domain of FROM_EMAIL>" fixed
 * now: every delivery attempt of the row sends that one, so a message
 * sent again after a mailer was killed mid-send is a recognisable
 * duplicate. Returns the number inserted, or -1.
 */
int outbox_flush(struct db *db, const struct config *cfg, struct outbox *o);
void outbox_free(struct outbox *o);

/*
 * Queues the mails about one alert to each recipient (a JSON array of
 * addresses), each with its own acknowledge link where the recipient is a
 * user and the kind is fired or escalated. Returns 0 or -1.
 */
int mail_queue_alert(struct db *db, const struct config *cfg, struct outbox *o,
    const struct mail_alert *m, const json_t *recipients, int64_t rule_id,
    const char *dedup_prefix);

/*
 * Queues a test message (kind test, no alert, no acknowledge link) about
 * rule_id to each of its recipients, showing the KPI's latest value and
 * the rule's condition. *recipients: the addresses (caller decrefs).
 * ST_OK, ST_NOT_FOUND, ST_INVALID (the rule has no recipients), ST_ERROR.
 */
enum store_rc mail_queue_rule_test(struct db *db, const struct config *cfg, int64_t rule_id,
    json_t **recipients);

#endif
