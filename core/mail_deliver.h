/*
 * mail_deliver.h - delivering the outbox (mail_outbox rows, written by the
 * transactions that decided to send them; see mail.h) and reading it.
 *
 * A delivery pass claims due rows with a lease (a short transaction:
 * SELECT ... FOR UPDATE SKIP LOCKED sets lease_until and lease_owner, and
 * commits), sends them with no transaction open and no row lock held, and
 * records each outcome (sent time, attempts, last error) in a short
 * transaction of its own, only while the lease is still the pass's. Any
 * number of passes (mailers, hosts) run at once and never send one row
 * twice while leases hold; a pass killed mid-send leaves its lease to run
 * out, and the row is sent again after that (SMTP cannot be atomic with a
 * database: at most one duplicate, never a loss). Failures retry with
 * exponential backoff and jitter; after GOLDWATCH_MAIL_MAX_ATTEMPTS, or at
 * once when the server refuses the message for good (5xx), the row is
 * dead. When the server itself is unusable (connection, TLS, login), the
 * pass records that failure on every due row nobody else holds, and stops.
 *
 * goldwatch-mailer runs passes: one (a timer, a test, by hand), or as the
 * delivery service (mail_service.h) whenever mail is queued or falls due.
 * Whoever queues mail only queues it.
 */
#ifndef GW_MAIL_DELIVER_H
#define GW_MAIL_DELIVER_H

#include <jansson.h>
#include <signal.h>
#include <stdint.h>

#include "config.h"
#include "db.h"
#include "store.h"

/* Backoff: 60 s after the first failure, doubling, at most an hour, each
 * times a random factor in [0.5, 1] so retries do not come in waves. */
#define MAIL_BACKOFF_BASE_S 60
#define MAIL_BACKOFF_CAP_S 3600
/* Rows claimed at once, and the lease beyond their longest send time. */
#define MAIL_CLAIM_BATCH 8
#define MAIL_LEASE_SLACK_S 60

struct mail_sender;

struct mail_pass {
	int64_t now_us;     /* what counts as now for "due"; 0: the clock */
	int64_t budget_us;  /* send no row after this long; 0: no limit */
	int limit;          /* claim at most this many rows; 0: no limit */
	/* a sender kept between passes (its connection stays open); NULL:
	 * the pass makes its own and ends it */
	struct mail_sender *sender;
	/* set (by a signal): send no further row, free the claimed ones */
	volatile sig_atomic_t *stop;
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
 * Runs one pass: claims and sends until nothing is due (or the limit, the
 * budget or stop says so). Returns 0 (even when messages failed: their
 * rows say why), or -1 on a database error or when no sender can be made
 * (logged; rows it could not finish keep their lease until it runs out).
 */
int mail_deliver(struct db *db, const struct config *cfg, const struct mail_pass *p,
    struct mail_pass_result *res);

/* {"sent","retry","dead","server_down","connections","duration_ms"} */
json_t *mail_pass_json(const struct mail_pass_result *res);

/*
 * The outbox's lease, which the deliveries of every channel share (the
 * HTTP kinds: http_deliver.h): a claim names its owner (host, pid,
 * random) and what counts as now (NULL: the clock).
 */
struct outbox_lease {
	char owner[96];
	const char *now;
	char nowbuf[40];
};

void outbox_lease_begin(struct outbox_lease *l, int64_t now_us);
/* Claims due rows of e-mail (email) or of the HTTP kinds for lease_s. NULL on error. */
PGresult *outbox_claim(struct db *db, const struct outbox_lease *l, int email, int want,
    int64_t lease_s);
/* Records row id sent: 1, 0 when the lease was lost (logged), -1 on error. */
int outbox_sent(struct db *db, const struct outbox_lease *l, const char *id);
/*
 * Records a failed attempt of row id (refused: for good, dead at once):
 * the row's status, attempts and wait_s (none when the lease was lost), or
 * NULL on error.
 */
PGresult *outbox_failed(struct db *db, const struct outbox_lease *l, const char *id,
    const char *err, int refused, int64_t max_attempts);
/* Frees rows from.. of claim r for the next pass. 0 or -1. */
int outbox_release(struct db *db, const struct outbox_lease *l, const PGresult *r, int from);
/* The delivery connection commits outcomes without waiting for the disk (see the .c). */
int outbox_async_commit(struct db *db);

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
