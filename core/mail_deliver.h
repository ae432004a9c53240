/*
 * mail_deliver.h - delivering the outbox (mail_outbox rows, written by the
 * transactions that decided to send them; see mail.h) and reading it.
 *
 * A delivery pass claims one due row at a time with SELECT ... FOR UPDATE
 * SKIP LOCKED inside a short transaction, sends it, records the outcome
 * (sent time, attempts, last error) and commits: any number of passes
 * (mailers, jobs, API threads, hosts) run at once and never send one row
 * twice; a pass killed mid-send rolls back, and that one message is sent
 * again later (SMTP cannot be atomic with a database; at most one
 * duplicate per killed pass, never a loss). Failures retry with
 * exponential backoff and jitter; after GOLDWATCH_MAIL_MAX_ATTEMPTS, or
 * at once when the server refuses the message for good (5xx), the row is
 * dead. When the server itself is unusable (connection, TLS, login), the
 * pass records that failure on every due row in its scope and stops.
 *
 * goldwatch-mailer runs passes over everything due. A job or a request
 * that queued mail runs mail_deliver_after() right after its commit, for
 * the rows it queued, bounded in time; the mailer's timer does the rest.
 */
#ifndef GW_MAIL_DELIVER_H
#define GW_MAIL_DELIVER_H

#include <jansson.h>
#include <stdint.h>

#include "config.h"
#include "db.h"
#include "store.h"

/* Backoff: 60 s after the first failure, doubling, at most an hour, each
 * times a random factor in [0.5, 1] so retries do not come in waves. */
#define MAIL_BACKOFF_BASE_S 60
#define MAIL_BACKOFF_CAP_S 3600
/* How long the pass after a commit may take (the API thread is busy). */
#define MAIL_AFTER_COMMIT_US 5000000

struct mail_pass {
	int64_t now_us;     /* what counts as now for "due"; 0: the clock */
	int64_t after_id;   /* only rows with a larger id; 0: every row */
	int64_t budget_us;  /* claim no row after this long; 0: no limit */
	int limit;          /* claim at most this many rows; 0: no limit */
};

struct mail_pass_result {
	int sent;
	int retry;          /* failed, queued again with backoff */
	int dead;           /* gave up (attempts used up, or refused for good) */
	int server_down;    /* the server could not be used: the pass stopped */
	long connections;   /* SMTP connections opened */
	int64_t us;
};

/*
 * Runs one pass. Returns 0 (even when messages failed: their rows say
 * why), or -1 on a database error or when no sender can be made (logged;
 * the rows are untouched).
 */
int mail_deliver(struct db *db, const struct config *cfg, const struct mail_pass *p,
    struct mail_pass_result *res);

/*
 * The newest outbox id now (0 if none). A job or request reads it before
 * it queues mail, and passes it to mail_deliver_after(). 0 or -1.
 */
int mail_outbox_mark(struct db *db, int64_t *mark);

/*
 * The pass after a commit: the rows queued after mark, for at most
 * MAIL_AFTER_COMMIT_US. Returns what mail_deliver() returns.
 */
int mail_deliver_after(struct db *db, const struct config *cfg, int64_t mark,
    struct mail_pass_result *res);

/* {"sent","retry","dead","server_down","connections","duration_ms"} */
json_t *mail_pass_json(const struct mail_pass_result *res);

/* The number of dead mails (the dashboard summary). 0, or -1. */
int mail_dead_count(struct db *db, int64_t *n);

/*
 * Outbox rows, newest first: status NULL (any) or queued/sent/dead, at
 * most limit, with ids below before_id (0: from the newest). *out:
 * {"items":[...],"next_cursor": "ID" or null}. ST_OK or ST_ERROR.
 */
enum store_rc mail_outbox_list(struct db *db, const char *status, int limit,
    int64_t before_id, json_t **out);

#endif
