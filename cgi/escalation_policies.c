/*
 * escalation_policies.c - /api/escalation-policies: list, read, create,
 * replace, delete.
 */
#include "app.h"
#include "escalation_policy_store.h"

int esc_policies_list(struct request *req)
{
	json_t *items = NULL;

	if (esc_policy_list(req->db, &items) != ST_OK)
		return 500;
	return req_json(req, 200, json_pack("{so}", "items", items));
}

int esc_policies_get(struct request *req)
{
	json_t *out = NULL;
	enum store_rc rc = esc_policy_get(req->db, req_param_id(req, "id"), &out);

	return store_answer(req, rc, 200, out, NULL, "escalation policy");
}

/* Create (id 0) or replace from the decoded body. */
static int write_ep(struct request *req, int64_t id)
{
	struct esc_policy_input in;
	struct verror err;
	json_t *out = NULL;
	enum store_rc rc;

	if (esc_policy_decode(req->json, &in, &err) < 0) {
		esc_policy_free(&in);
		return req_verror(req, &err);
	}
	rc = id ? esc_policy_replace(req->db, &req->who, id, &in, &out, &err) :
	    esc_policy_create(req->db, &req->who, &in, &out, &err);
	esc_policy_free(&in);
	if (rc == ST_OK && !id)
		req_header(req, "Location: /api/escalation-policies/%lld",
		    (long long)json_integer_value(json_object_get(out, "id")));
	return store_answer(req, rc, id ? 200 : 201, out, &err, "escalation policy");
}

int esc_policies_create(struct request *req)
{
	return write_ep(req, 0);
}

int esc_policies_replace(struct request *req)
{
	return write_ep(req, req_param_id(req, "id"));
}

int esc_policies_delete(struct request *req)
{
	json_t *out = NULL;
	struct verror err;
	enum store_rc rc = esc_policy_delete(req->db, &req->who, req_param_id(req, "id"), &out, &err);

	return store_answer(req, rc, 200, out, &err, "escalation policy");
}
