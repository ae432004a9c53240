/*
 * rules.c - /api/alerts/rules: list, create, read, replace, delete. The
 * validation and the transactions are the core's (rule_store.c), shared
 * with the rule pages.
 */
#include "app.h"
#include "rule_store.h"
#include "starter.h"

int rules_list(struct request *req)
{
	json_t *items;

	if (rule_list(req->db, req->q.has_enabled ? req->q.enabled : -1, req->q.kpi, &items) != ST_OK)
		return 500;
	return req_json(req, 200, json_pack("{so}", "items", items));
}

int rules_create(struct request *req)
{
	struct rule_input in;
	struct verror err;
	json_t *out = NULL;
	enum store_rc rc = rule_decode(req->json, &in, &err);

	if (rc == ST_OK)
		rc = rule_create(req->db, &req->who, &in, &out, &err);
	if (rc == ST_OK)
		req_header(req, "Location: /api/alerts/rules/%lld",
		    (long long)json_integer_value(json_object_get(out, "id")));
	return store_answer(req, rc, 201, out, &err, "rule");
}

int rules_get(struct request *req)
{
	json_t *out = NULL;
	enum store_rc rc = rule_get(req->db, req_param_id(req, "id"), &out);

	return store_answer(req, rc, 200, out, NULL, "rule");
}

int rules_replace(struct request *req)
{
	struct rule_input in;
	struct verror err;
	json_t *out = NULL;
	enum store_rc rc = rule_decode(req->json, &in, &err);

	if (rc == ST_OK)
		rc = rule_replace(req->db, req->cfg, &req->who, req_param_id(req, "id"), &in, &out, &err);

	return store_answer(req, rc, 200, out, &err, "rule");
}

enum store_rc rule_delete_request(struct request *req, int64_t id, json_t **out,
    struct verror *err)
{
	*out = NULL;
	return rule_delete(req->db, req->cfg, &req->who, id, out, err);
}

int rules_delete(struct request *req)
{
	json_t *out = NULL;
	struct verror err;
	enum store_rc rc = rule_delete_request(req, req_param_id(req, "id"), &out, &err);

	return store_answer(req, rc, 200, out, rc == ST_CONFLICT ? &err : NULL, "rule");
}

int rules_load_starter(struct request *req)
{
	json_t *out = NULL;
	enum store_rc rc = starter_load(req->db, req->cfg, &req->who, &out);

	return store_answer(req, rc, 200, out, NULL, "starter rules");
}
