/*
 * alert_store.h - alerts outside the evaluator: acknowledging (the API's
 * bulk acknowledge, the pages' button and the one-click link in mail all
 * use this: state change, who, when, note and the alert.acknowledged event
 * commit together), one alert, the history (keyset-paged) and the summary.
 */
#ifndef GW_ALERT_STORE_H
#define GW_ALERT_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "store.h"
#include "util.h"
#include "valid.h"

/* An acknowledge, as ack_fields decodes it (the API's body, the pages' forms). */
struct ack_input {
	struct vlist alert_ids;  /* 1-500 alert ids */
	const char *note;        /* at most 1000 characters; NULL or "": none */
};
extern const struct vfield ack_fields[];
extern const size_t ack_nfields;

/*
 * One alert's acknowledge from a form: {"alert_ids":[id],"note":note}
 * decoded by ack_fields into *in (note NULL or "": none). *body holds
 * what *in points into (the caller decrefs it, also on failure). 0, or -1
 * with err (the note breaks the table).
 */
int ack_input_one(int64_t id, const char *note, struct ack_input *in, json_t **body,
    struct verror *err);

/*
 * Acknowledges the firing alerts among in->alert_ids as user (user_id,
 * username), with in->note. *out: {"acknowledged":[ids],"already":[ids],
 * "not_found":[ids]} where already = acknowledged or resolved before.
 * With alerts non-NULL, *alerts gets the acknowledged alerts as JSON.
 * Returns ST_OK or ST_ERROR. Called inside a transaction, it works in
 * that transaction and leaves commit or rollback to the caller (the mail
 * link spends its token in the same transaction); else in its own.
 */
enum store_rc alert_acknowledge(struct db *db, int64_t user_id, const char *username,
    const struct ack_input *in, json_t **out, json_t **alerts);

/* Filters of the alert history; unset fields are NULL / 0. */
struct history_filter {
	const char *state;     /* firing, acknowledged, resolved; "open": the first two */
	const char *severity;  /* info, warning, critical */
	int64_t rule_id;
	const char *kpi;
	int has_since, has_until;
	int64_t since_us, until_us;  /* triggered_at >= since, < until */
	const char *cursor;    /* opaque, from next_cursor */
	int limit;             /* 1..500 */
};

/* What a cache of an answer needs (see read_version.h): the read version
 * it was read at (-1: unknown), and until when it stays true. */
struct read_meta {
	int64_t version;
	int64_t until_us;
};

/* The history, newest first, keyset-paged: *items (array) and *next_cursor
 * (malloc'd, NULL on the last page). ST_INVALID for a malformed cursor. */
enum store_rc alert_history(struct db *db, const struct history_filter *f,
    json_t **items, char **next_cursor);
/* The same page written as a JSON array into items (the API's hot path);
 * meta (or NULL) gets what the read cache needs. */
enum store_rc alert_history_text(struct db *db, const struct history_filter *f,
    struct buf *items, char **next_cursor, struct read_meta *meta);

/* One alert by id: ST_OK with *out, or ST_NOT_FOUND. */
enum store_rc alert_get(struct db *db, int64_t id, json_t **out);
/* The open alerts of system rules (goldwatch itself), newest first, as
 * alert JSON: an array into *out. ST_OK or ST_ERROR. */
enum store_rc alert_system_open(struct db *db, json_t **out);

/*
 * The shop's open alerts (not goldwatch's own) for the dashboard: critical,
 * warning, info, and within each the oldest first; limit of them from
 * offset into *out (array), and how many there are into *total.
 */
enum store_rc alert_open_page(struct db *db, int64_t offset, int64_t limit, json_t **out,
    int64_t *total);

/*
 * The counters of the dashboard: {"firing","acknowledged","resolved_24h",
 * "by_severity":{...},"rules":{"total","enabled"},"last_evaluation_at",
 * "mtta_seconds","mail_dead"}. Each figure reads an index or a small table;
 * nothing scans the alerts.
 */
enum store_rc alert_summary(struct db *db, json_t **out, struct read_meta *meta);

#endif
