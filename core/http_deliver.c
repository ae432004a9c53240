/*
 * http_deliver.c - see http_deliver.h.
 */
#include "http_deliver.h"

#include <stdio.h>
#include <string.h>

#include "contact_point_store.h"
#include "cp_send.h"
#include "log.h"
#include "util.h"

#define HTTP_CLAIM_BATCH 8

/* Whether the receiver's answer refuses the message for good. */
static int refused(const struct http_result *res)
{
	return res->status >= 400 && res->status < 500 && res->status != 408 &&
	    res->status != 429;
}

/* Records the failure of row id: counts and logs it. 0 or -1. */
static int failed(struct db *db, const struct config *cfg, const struct outbox_lease *l,
    const char *id, const char *err, int for_good, struct mail_pass_result *res)
{
	PGresult *r = outbox_failed(db, l, id, err, for_good, cfg->mail_max_attempts);

	if (r == NULL)
		return -1;
	if (PQntuples(r) == 1 && strcmp(db_str(r, 0, "status"), "dead") == 0) {
		log_warn("notification %s is dead after %lld attempt(s): %s", id,
		    (long long)db_i64(r, 0, "attempts"), err);
		res->dead++;
	} else if (PQntuples(r) == 1) {
		log_warn("notification %s failed, next try in %llds: %s", id,
		    (long long)db_i64(r, 0, "wait_s"), err);
		res->retry++;
	}
	PQclear(r);
	return 0;
}

/* Posts claimed row i of r and records the outcome. 0 or -1 (database). */
static int post_one(struct db *db, const struct config *cfg, const struct outbox_lease *l,
    const PGresult *r, int i, struct mail_pass_result *res)
{
	const char *id = db_str(r, i, "id");
	struct http_result hr;
	struct cp_target t;
	enum store_rc rc = ST_NOT_FOUND;
	int sent;

	if (!db_isnull(r, i, "contact_point_id"))
		rc = cp_target_load(db, cfg, db_i64(r, i, "contact_point_id"), &t);
	if (rc == ST_NOT_FOUND)
		return failed(db, cfg, l, id, "the contact point was deleted", 1, res);
	if (rc != ST_OK)
		return failed(db, cfg, l, id, "the contact point's secrets do not open", 0, res);
	sent = cp_post(cfg, &t, db_str(r, i, "payload"), &hr);
	cp_target_free(&t);
	if (sent < 0)
		return failed(db, cfg, l, id, hr.error, refused(&hr), res);
	if ((sent = outbox_sent(db, l, id)) < 0)
		return -1;
	res->sent += sent;
	return 0;
}

/* post_one, with the lines it logs about the row's contact point. */
static int post_claimed(struct db *db, const struct config *cfg, const struct outbox_lease *l,
    const PGresult *r, int i, struct mail_pass_result *res)
{
	int rc;

	log_set_field(LOG_F_CONTACT_POINT, db_str(r, i, "contact_point_id"));
	rc = post_one(db, cfg, l, r, i, res);
	log_set_field(LOG_F_CONTACT_POINT, NULL);
	return rc;
}

/* Posts the rows of claim r in order; 1 when stopped, 0 to claim more, -1. */
static int post_batch(struct db *db, const struct config *cfg, const struct mail_pass *p,
    const struct outbox_lease *l, const PGresult *r, struct mail_pass_result *res)
{
	for (int i = 0; i < PQntuples(r); i++) {
		if (p->stop && *p->stop)
			return outbox_release(db, l, r, i) < 0 ? -1 : 1;
		if (post_claimed(db, cfg, l, r, i, res) < 0) {
			outbox_release(db, l, r, i + 1);
			return -1;
		}
	}
	return 0;
}

int http_deliver(struct db *db, const struct config *cfg, const struct mail_pass *p,
    struct mail_pass_result *res)
{
	struct outbox_lease l;
	int64_t t0 = time_mono_us(), lease_s;
	int claimed = 0, end = 0;

	memset(res, 0, sizeof(*res));
	outbox_lease_begin(&l, p->now_us);
	/* long enough to post every claimed row at the longest timeout */
	lease_s = 60 + HTTP_CLAIM_BATCH * (cfg->http_timeout_ms / 1000 + 1);
	if (outbox_async_commit(db) < 0)
		return -1;
	while (!end) {
		int want = HTTP_CLAIM_BATCH;
		PGresult *r;

		if (p->limit > 0 && p->limit - claimed < want)
			want = p->limit - claimed;
		if (want <= 0 || (p->stop && *p->stop))
			break;
		if ((r = outbox_claim(db, &l, 0, want, lease_s)) == NULL)
			return -1;
		claimed += PQntuples(r);
		end = PQntuples(r) == 0 ? 1 : post_batch(db, cfg, p, &l, r, res);
		PQclear(r);
		if (end < 0)
			return -1;
	}
	res->us = time_mono_us() - t0;
	return 0;
}
