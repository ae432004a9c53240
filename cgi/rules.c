/*
 * rules.c - /api/alerts/rules: list, create, read, replace, delete. The
 * validation and the transactions are the core's (rule_store.c), shared
 * with the rule pages.
 */
#include <string.h>

#include "app.h"
#include "rule_store.h"

int rules_list(struct request *req)
{
	const char *enabled = req_query(req, "enabled");
	const char *kpi = req_query(req, "kpi");
	int en = -1;
	json_t *items;
	enum store_rc rc;

	for (size_t i = 0; i < req->nquery; i++)
		if (strcmp(req->query[i].key, "enabled") && strcmp(req->query[i].key, "kpi"))
			return req_error(req, 400, "unknown_parameter", req->query[i].key,
			    "unknown query parameter %.64s", req->query[i].key);
	if (enabled) {
		if (strcmp(enabled, "true") == 0)
			en = 1;
		else if (strcmp(enabled, "false") == 0)
			en = 0;
		else
			return req_error(req, 400, "bad_parameter", "enabled",
			    "enabled must be true or false");
	}
	if (kpi && !valid_kpi_key(kpi))
		return req_error(req, 400, "bad_parameter", "kpi", "kpi is not a KPI key");
	rc = rule_list(req->db, en, kpi, &items);
	if (rc != ST_OK)
		return 500;
	return req_json(req, 200, json_pack("{so}", "items", items));
}

int rules_create(struct request *req)
{
	struct verror err;
	json_t *out = NULL;
	enum store_rc rc = rule_create(req->db, &req->who, req->json, &out, &err);

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
	struct verror err;
	json_t *out = NULL;
	enum store_rc rc = rule_replace(req->db, &req->who, req_param_id(req, "id"), req->json,
	    &out, &err);

	return store_answer(req, rc, 200, out, &err, "rule");
}

enum store_rc rule_delete_request(struct request *req, int64_t id, json_t **out)
{
	*out = NULL;
	return rule_delete(req->db, req->cfg, &req->who, id, out);
}

int rules_delete(struct request *req)
{
	json_t *out = NULL;
	enum store_rc rc = rule_delete_request(req, req_param_id(req, "id"), &out);

	return store_answer(req, rc, 200, out, NULL, "rule");
}
