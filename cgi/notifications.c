/*
 * notifications.c - /api/notifications (the outbox: queued, sent and dead
 * messages of every channel), retrying a dead one, an alert's deliveries,
 * and a rule's test message. What a request queues is delivered by the
 * goldwatch-mailer service.
 */
#include <string.h>

#include "app.h"
#include "delivery_store.h"
#include "mail.h"

/*
 * GET /api/notifications?status=queued|sent|dead&limit=N&cursor=ID (admin):
 * outbox rows newest first, with attempts and the last error.
 */
int notifications_list(struct request *req)
{
	json_t *out;

	if (delivery_list(req->db, req->q.status, (int)req->q.limit, req->q.cursor_id,
	    &out) != ST_OK)
		return 500;
	return req_json(req, 200, out);
}

/* POST /api/notifications/{id}/retry (operator): a dead row queued again. */
int notifications_retry(struct request *req)
{
	json_t *out = NULL;
	struct verror err;
	enum store_rc rc = delivery_retry(req->db, &req->who, req_param_id(req, "id"), &out, &err);

	return store_answer(req, rc, 200, out, &err, "notification");
}

/* GET /api/alerts/{id}/deliveries (viewer): every message about the alert, oldest first. */
int alerts_deliveries(struct request *req)
{
	json_t *items = NULL;
	enum store_rc rc = delivery_of_alert(req->db, req_param_id(req, "id"), &items);

	if (rc != ST_OK)
		return store_answer(req, rc, 200, NULL, NULL, "alert");
	return req_json(req, 200, json_pack("{so}", "items", items));
}

/*
 * POST /api/alerts/rules/{id}/test (admin): queues a test message to the
 * rule's recipients (422 when it has none); 202, the mailer sends it.
 */
int rules_test(struct request *req)
{
	json_t *rcpt = NULL;
	enum store_rc rc;

	rc = mail_queue_rule_test(req->db, req->cfg, req_param_id(req, "id"), &rcpt);
	switch (rc) {
	case ST_OK:
		return req_json(req, 202, json_pack("{sI so}", "queued",
		    (json_int_t)json_array_size(rcpt), "recipients", rcpt));
	case ST_NOT_FOUND:
		return req_error(req, 404, "not_found", NULL, "no such rule");
	case ST_INVALID:
		return req_error(req, 422, "no_recipients", "recipients",
		    "the rule has no recipients to send a test message to");
	default:
		return 500;
	}
}
