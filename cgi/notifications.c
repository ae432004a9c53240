/*
 * notifications.c - /api/notifications (the outbox: queued, sent and dead
 * mail) and a rule's test message. Mail a request queues is delivered by
 * the goldwatch-mailer service.
 */
#include <string.h>

#include "app.h"
#include "mail.h"
#include "mail_deliver.h"

/*
 * GET /api/notifications?status=queued|sent|dead&limit=N&cursor=ID (admin):
 * outbox rows newest first, with attempts and the last error.
 */
int notifications_list(struct request *req)
{
	static const char *const allowed[] = {"status", "limit", "cursor", NULL};
	static const char *const statuses[] = {"queued", "sent", "dead"};
	const char *status = req_query(req, "status");
	int64_t limit, cursor;
	json_t *out;
	int rc, known = status == NULL;

	if ((rc = req_query_allow(req, allowed)) != 0 ||
	    (rc = req_query_int(req, "limit", 1, 500, 50, &limit)) != 0 ||
	    (rc = req_query_int(req, "cursor", 1, INT64_MAX, 0, &cursor)) != 0)
		return rc;
	for (size_t i = 0; status && i < GW_ARRAY_LEN(statuses); i++)
		known |= strcmp(status, statuses[i]) == 0;
	if (!known)
		return req_error(req, 400, "bad_parameter", "status",
		    "status must be queued, sent or dead");
	if (mail_outbox_list(req->db, status, (int)limit, cursor, &out) != ST_OK)
		return 500;
	return req_json(req, 200, out);
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
