/*
 * tokens.c - the API tokens of other systems (admin): GET /api/auth/tokens
 * and DELETE /api/auth/tokens/{id}; issuing one is POST /api/auth/tokens
 * (users.c). The rules and the audit live in core/user_store.c.
 */
#include "app.h"
#include "user_store.h"

int tokens_list(struct request *req)
{
	json_t *items = NULL;

	if (token_list(req->db, &items) != ST_OK)
		return 500;
	return req_json(req, 200, json_pack("{so}", "items", items));
}

int tokens_revoke(struct request *req)
{
	json_t *out = NULL;
	enum store_rc rc = token_revoke(req->db, &req->who, req_param_id(req, "id"), &out);

	return store_answer(req, rc, 200, out, NULL, "active token");
}
