/*
 * mail_deliver.c - see mail_deliver.h.
 */
#include "mail_deliver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "log.h"
#include "mail_mime.h"
#include "mail_send.h"
#include "util.h"

/*
 * Due rows nobody holds a live lease on, oldest due first (the partial
 * index gives rows queued together in insertion order; only the few
 * claimed are sorted, for the order of sending), leased to owner $4 for
 * $3 seconds. The row locks last only as long as this statement's
 * transaction: the lease is what keeps other mailers off while it sends.
 */
DB_STMT(q_claim,
    "WITH c AS (SELECT id FROM mail_outbox"
    "            WHERE status = 'queued' AND (channel = 'email') = $5::bool"
    "              AND next_attempt_at <= COALESCE($1::timestamptz, clock_timestamp())"
    "              AND (lease_until IS NULL OR lease_until <= clock_timestamp())"
    "            ORDER BY next_attempt_at LIMIT $2::int FOR UPDATE SKIP LOCKED),"
    "     u AS (UPDATE mail_outbox m"
    "              SET lease_until = clock_timestamp() + make_interval(secs => $3::float8),"
    "                  lease_owner = $4"
    "             FROM c WHERE m.id = c.id"
    "           RETURNING m.id, m.kind, m.alert_id, m.recipient, m.subject, m.body_text,"
    "                     m.body_html, m.message_id, m.next_attempt_at, m.channel,"
    "                     m.contact_point_id, m.payload,"
    "                     (extract(epoch FROM m.created_at) * 1000000)::bigint AS created_us)"
    " SELECT * FROM u ORDER BY next_attempt_at, id");

/* The outcomes below change a row only while its lease is this pass's. */
#define MINE " AND m.lease_owner = $2"
#define UNLEASE " lease_until = NULL, lease_owner = NULL"

/*
 * Each outcome adds to delivery_counters (migration 0027) in the same
 * statement that records it, so the counter behind /metrics outlives
 * cleanup's deletes and counts every outcome once. u is the UPDATE's
 * RETURNING, with channel and status ('queued' again: a failed attempt).
 */
#define COUNT_OUTCOMES \
	" c AS (INSERT INTO delivery_counters AS d (channel, outcome, n)" \
	"        SELECT channel, CASE status WHEN 'queued' THEN 'failed' ELSE status END," \
	"               count(*) FROM u GROUP BY 1, 2" \
	"        ON CONFLICT (channel, outcome) DO UPDATE SET n = d.n + EXCLUDED.n)"

DB_STMT(q_sent,
    "WITH u AS (UPDATE mail_outbox m SET status = 'sent', sent_at = clock_timestamp(),"
    "       attempts = attempts + 1, last_error = NULL," UNLEASE
    " WHERE m.id = $1::bigint" MINE " RETURNING m.id, m.channel, m.status)," COUNT_OUTCOMES
    " SELECT id FROM u");

/* Claimed rows this pass will not send (stopped): free for anyone again. */
DB_STMT(q_release, "UPDATE mail_outbox m SET" UNLEASE
    " WHERE m.id = ANY ($1::bigint[])" MINE);

/*
 * A failed attempt: $1 row, $2 owner, $3 error, $4 refused for good, $5
 * max attempts, $6 now, $7 backoff base, $8 cap. Backoff and jitter per
 * row.
 */
#define FAIL_SET \
	" SET attempts = m.attempts + 1, last_error = $3," UNLEASE "," \
	"     status = CASE WHEN $4::bool OR m.attempts + 1 >= $5::int" \
	"                   THEN 'dead' ELSE 'queued' END," \
	"     next_attempt_at = COALESCE($6::timestamptz, clock_timestamp())" \
	"       + make_interval(secs => least($7::float8 * 2 ^ m.attempts, $8::float8)" \
	"                               * (0.5 + random() / 2))"
#define FAIL_RETURNING \
	" RETURNING m.status, m.attempts, m.channel," \
	"   extract(epoch FROM m.next_attempt_at" \
	"           - COALESCE($6::timestamptz, clock_timestamp()))::int AS wait_s)," \
	COUNT_OUTCOMES " SELECT status, attempts, wait_s FROM u"

DB_STMT(q_fail, "WITH u AS (UPDATE mail_outbox m" FAIL_SET " WHERE m.id = $1::bigint" MINE
    FAIL_RETURNING);
/*
 * The server is unusable: every other due row failed too, except those
 * another mailer holds a live lease on.
 */
DB_STMT(q_fail_due, "WITH u AS (UPDATE mail_outbox m" FAIL_SET
    " WHERE m.id IN (SELECT id FROM mail_outbox WHERE status = 'queued' AND channel = 'email'"
    "                   AND next_attempt_at <= COALESCE($6::timestamptz, clock_timestamp())"
    "                   AND (lease_until IS NULL OR lease_until <= clock_timestamp()"
    "                        OR lease_owner = $2)"
    "                   AND id <> $1::bigint FOR UPDATE SKIP LOCKED)" FAIL_RETURNING);

/*
 * Each claim and each outcome is one statement, its own transaction
 * (autocommit: nothing stays open, one round trip), committed without
 * waiting for the WAL flush: losing an outcome in a database crash means
 * the message is sent again later (the same as a mailer killed mid-send),
 * losing a claim only frees the row early; never is a message lost, and a
 * pass does not wait for a disk flush per message. The row itself was
 * committed durably by the transaction that queued it. The setting is the
 * session's: the mailer's connection serves delivery only (a connection
 * made again mid-pass commits synchronously: slower, not less safe).
 */
DB_STMT(q_async_commit, "SELECT set_config('synchronous_commit', 'off', false)");

DB_STMT(q_dead, "SELECT count(*) AS n FROM mail_outbox WHERE status = 'dead'");

/* What one pass works with: its settings, its claim, its sender. */
struct pass_ctx {
	struct db *db;
	const struct config *cfg;
	const struct mail_pass *p;
	struct outbox_lease l;   /* the claim's owner and its now */
	struct mail_sender *s;
	struct buf msg;
	int64_t t0;
	struct mail_pass_result *res;
};

/* Builds the wire form of claimed row i of r. */
static void build(const PGresult *r, int i, const struct config *cfg, struct buf *out)
{
	struct mime_msg m = {
		.from = cfg->from_email,
		.to = db_str(r, i, "recipient"),
		.subject = db_str(r, i, "subject"),
		/* fixed when the row was queued: every attempt carries the same */
		.message_id = db_str(r, i, "message_id"),
		.date_us = db_i64(r, i, "created_us"),
		.text = db_str(r, i, "body_text"),
		.html = db_str(r, i, "body_html"),
		.kind = db_str(r, i, "kind"),
		.alert_id = db_i64(r, i, "alert_id"),
	};

	buf_reset(out);
	mime_build(&m, out);
}

static void lease_lost(const char *id)
{
	log_warn("mail %s: outcome not recorded: the row is gone, or its lease ran out"
	    " (another mailer may send it again)", id);
}

/* Counts the failed rows of r as dead or retry. */
static void count_failed(const PGresult *r, struct mail_pass_result *res)
{
	for (int i = 0; i < PQntuples(r); i++) {
		if (strcmp(db_str(r, i, "status"), "dead") == 0)
			res->dead++;
		else
			res->retry++;
	}
}

/*
 * Records a failure of the row (for a server that cannot be used: of
 * every due row nobody else holds too). Returns 0 or -1.
 */
static int record_failure(struct pass_ctx *c, const char *id, const char *rcpt,
    enum mail_send_rc rc, const char *err)
{
	char max[24], base[24], cap[24];
	PGresult *r;

	db_i64_param(c->cfg->mail_max_attempts, max);
	db_i64_param(MAIL_BACKOFF_BASE_S, base);
	db_i64_param(MAIL_BACKOFF_CAP_S, cap);
	r = outbox_failed(c->db, &c->l, id, err, rc == MAIL_REJECTED, c->cfg->mail_max_attempts);
	if (r == NULL)
		return -1;
	if (PQntuples(r) == 0)
		lease_lost(id);
	else if (strcmp(db_str(r, 0, "status"), "dead") == 0)
		log_warn("mail %s to %s is dead after %lld attempt(s): %s", id, rcpt,
		    (long long)db_i64(r, 0, "attempts"), err);
	else if (rc != MAIL_SERVER_DOWN)
		log_warn("mail %s to %s failed, next try in %llds: %s", id, rcpt,
		    (long long)db_i64(r, 0, "wait_s"), err);
	count_failed(r, c->res);
	PQclear(r);
	if (rc != MAIL_SERVER_DOWN)
		return 0;
	r = DB_EXEC(c->db, &q_fail_due, id, c->l.owner, err, "false", max, c->l.now, base, cap);
	if (r == NULL)
		return -1;
	count_failed(r, c->res);
	log_err("%s (this and %d more due mail(s) wait for the next try)", err, PQntuples(r));
	PQclear(r);
	return 0;
}

/*
 * The longest one send may take: GOLDWATCH_SMTP_TIMEOUT, or the whole
 * budget when that is shorter. A send starts only with this much of the
 * budget left, so none is ever cut short by the budget (cut short after
 * the server took the message, it would be sent twice; cut short before,
 * it would be a failed attempt the server never caused).
 */
static int64_t send_time_us(const struct pass_ctx *c)
{
	int64_t t = (int64_t)c->cfg->smtp_timeout_s * 1000000;

	return c->p->budget_us > 0 && c->p->budget_us < t ? c->p->budget_us : t;
}

/*
 * Sends claimed row i of r, with no transaction open, and records the
 * outcome. Returns the outcome, or -1 on a database error.
 */
static int send_claimed(struct pass_ctx *c, const PGresult *r, int i)
{
	const char *id = db_str(r, i, "id"), *rcpt = db_str(r, i, "recipient");
	char name[40], err[512];
	enum mail_send_rc sr;
	int done;

	build(r, i, c->cfg, &c->msg);
	log_set_field(LOG_F_ALERT, db_str(r, i, "alert_id"));
	/* the spool file is named by the row: a retry overwrites, never doubles */
	snprintf(name, sizeof(name), "goldwatch-%s", id);
	sr = mail_sender_send(c->s, rcpt, name, &c->msg, send_time_us(c) / 1000, err, sizeof(err));
	if (sr != MAIL_SENT)
		done = record_failure(c, id, rcpt, sr, err) < 0 ? -1 : (int)sr;
	else if ((done = outbox_sent(c->db, &c->l, id)) >= 0)
		c->res->sent += done;
	log_set_field(LOG_F_ALERT, NULL);
	return done < 0 ? -1 : (int)sr;
}

/* Stopped, or too little of the budget left to finish one more send. */
static int stopping(const struct pass_ctx *c)
{
	if (c->p->stop && *c->p->stop)
		return 1;
	return c->p->budget_us > 0 &&
	    c->p->budget_us - (time_mono_us() - c->t0) < send_time_us(c);
}

/*
 * Sends the rows of claim r in order. Returns 1 when the pass should end
 * (stopped, the server unusable), 0 to claim more, -1 on a database error.
 */
static int send_batch(struct pass_ctx *c, const PGresult *r)
{
	for (int i = 0; i < PQntuples(r); i++) {
		int sr;

		if (stopping(c))
			return outbox_release(c->db, &c->l, r, i) < 0 ? -1 : 1;
		sr = send_claimed(c, r, i);
		if (sr < 0) {
			outbox_release(c->db, &c->l, r, i + 1);
			return -1;
		}
		if (sr == MAIL_SERVER_DOWN) {
			/* the rest of the claim was recorded as failed with it */
			c->res->server_down = 1;
			return 1;
		}
	}
	return 0;
}

/* Claims the next rows (at most want). NULL on a database error. */
static PGresult *claim(struct pass_ctx *c, int want)
{
	/* long enough to send every claimed row at the longest timeout */
	return outbox_claim(c->db, &c->l, 1, want,
	    MAIL_LEASE_SLACK_S + (int64_t)want * c->cfg->smtp_timeout_s);
}

void outbox_lease_begin(struct outbox_lease *l, int64_t now_us)
{
	unsigned char rnd[8];
	char hex[17], host[64] = "";

	memset(l, 0, sizeof(*l));
	if (now_us) {
		time_format_iso(now_us, l->nowbuf, sizeof(l->nowbuf));
		l->now = l->nowbuf;
	}
	randombytes_buf(rnd, sizeof(rnd));
	hex_encode(rnd, sizeof(rnd), hex);
	host_name(host, sizeof(host));
	snprintf(l->owner, sizeof(l->owner), "%s/%d/%s", host, (int)getpid(), hex);
}

PGresult *outbox_claim(struct db *db, const struct outbox_lease *l, int email, int want,
    int64_t lease_s)
{
	char lim[24], lease[24];

	return DB_EXEC(db, &q_claim, l->now, db_i64_param(want, lim),
	    db_i64_param(lease_s, lease), l->owner, email ? "true" : "false");
}

int outbox_sent(struct db *db, const struct outbox_lease *l, const char *id)
{
	PGresult *done = DB_EXEC(db, &q_sent, id, l->owner);
	int n;

	if (done == NULL)
		return -1;
	if ((n = PQntuples(done)) == 0)
		lease_lost(id);
	PQclear(done);
	return n;
}

PGresult *outbox_failed(struct db *db, const struct outbox_lease *l, const char *id,
    const char *err, int refused, int64_t max_attempts)
{
	char max[24], base[24], cap[24];

	return DB_EXEC(db, &q_fail, id, l->owner, err, refused ? "true" : "false",
	    db_i64_param(max_attempts, max), l->now, db_i64_param(MAIL_BACKOFF_BASE_S, base),
	    db_i64_param(MAIL_BACKOFF_CAP_S, cap));
}

int outbox_release(struct db *db, const struct outbox_lease *l, const PGresult *r, int from)
{
	struct buf ids;
	PGresult *x;

	if (from >= PQntuples(r))
		return 0;
	buf_init(&ids);
	db_arr_begin(&ids);
	for (int i = from; i < PQntuples(r); i++)
		db_arr_i64(&ids, db_i64(r, i, "id"));
	x = DB_EXEC(db, &q_release, db_arr_end(&ids), l->owner);
	buf_free(&ids);
	if (x == NULL)
		return -1;
	PQclear(x);
	return 0;
}

int outbox_async_commit(struct db *db)
{
	return DB_RUN(db, &q_async_commit);
}

static void pass_begin(struct pass_ctx *c, struct db *db, const struct config *cfg,
    const struct mail_pass *p, struct mail_pass_result *res)
{
	memset(res, 0, sizeof(*res));
	memset(c, 0, sizeof(*c));
	c->db = db;
	c->cfg = cfg;
	c->p = p;
	c->res = res;
	c->t0 = time_mono_us();
	buf_init(&c->msg);
	outbox_lease_begin(&c->l, p->now_us);
}

int mail_deliver(struct db *db, const struct config *cfg, const struct mail_pass *p,
    struct mail_pass_result *res)
{
	struct pass_ctx c;
	long connects0 = 0;
	int rc = -1, claimed = 0, end = 0;

	pass_begin(&c, db, cfg, p, res);
	c.s = p->sender ? p->sender : mail_sender_new(cfg);
	if (c.s == NULL)
		goto out;
	connects0 = mail_sender_connects(c.s);
	if (outbox_async_commit(db) < 0)
		goto out;
	while (!end) {
		int want = MAIL_CLAIM_BATCH;
		PGresult *r;

		if (p->limit > 0 && p->limit - claimed < want)
			want = p->limit - claimed;
		if (want <= 0 || stopping(&c))
			break;
		if ((r = claim(&c, want)) == NULL)
			goto out;
		claimed += PQntuples(r);
		end = PQntuples(r) == 0 ? 1 : send_batch(&c, r);
		PQclear(r);
		if (end < 0)
			goto out;
	}
	rc = 0;
out:
	if (c.s)
		res->connections = mail_sender_connects(c.s) - connects0;
	if (p->sender == NULL)
		mail_sender_free(c.s);
	buf_free(&c.msg);
	res->us = time_mono_us() - c.t0;
	return rc;
}

json_t *mail_pass_json(const struct mail_pass_result *res)
{
	return json_pack("{si si si sb sI sf}", "sent", res->sent, "retry", res->retry,
	    "dead", res->dead, "server_down", res->server_down,
	    "connections", (json_int_t)res->connections,
	    "duration_ms", (double)res->us / 1000.0);
}

int mail_dead_count(struct db *db, int64_t *n)
{
	return db_one_i64(db, &q_dead, n);
}
