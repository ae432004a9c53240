/*
 * policies.c - /api/notification-policies: the ordered list read and
 * replaced whole.
 */
#include "app.h"
#include "policy_store.h"

int policies_get(struct request *req)
{
	json_t *out = NULL;
	enum store_rc rc = routing_get(req->db, &out);

	return store_answer(req, rc, 200, out, NULL, "notification policies");
}

int policies_put(struct request *req)
{
	struct routing r;
	struct verror err;
	json_t *out = NULL;
	enum store_rc rc;

	if (routing_decode(req->json, &r, &err) < 0) {
		routing_free(&r);
		return req_verror(req, &err);
	}
	rc = routing_put(req->db, &req->who, &r, &out, &err);
	routing_free(&r);
	return store_answer(req, rc, 200, out, &err, "notification policies");
}
