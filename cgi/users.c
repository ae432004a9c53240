/*
 * users.c - user management (admin): GET/POST /api/users,
 * PATCH /api/users/{id}; and POST /api/auth/tokens for other systems.
 * The rules and the audit live in core/user_store.c.
 */
#include "app.h"
#include "user_store.h"

int users_list(struct request *req)
{
	json_t *items = NULL;

	if (user_list(req->db, &items) != ST_OK)
		return 500;
	return req_json(req, 200, json_pack("{so}", "items", items));
}

int users_create(struct request *req)
{
	struct user_input in;
	struct verror err;
	json_t *out = NULL;
	enum store_rc rc;

	if (valid_decode(req->json, user_fields, user_nfields, &in, &err) < 0)
		return req_verror(req, &err);
	rc = user_create(req->db, &req->who, &in, &out, &err);
	if (rc == ST_OK)
		req_header(req, "Location: /api/users/%lld",
		    (long long)json_integer_value(json_object_get(out, "id")));
	return store_answer(req, rc, 201, out, &err, "user");
}

int users_update(struct request *req)
{
	struct user_patch in;
	struct verror err;
	json_t *out = NULL;
	enum store_rc rc = user_patch_decode(req->json, &in, &err);

	if (rc == ST_OK)
		rc = user_update(req->db, &req->who, req_param_id(req, "id"), &in, &out, &err);
	return store_answer(req, rc, 200, out, &err, "user");
}

int tokens_create(struct request *req)
{
	struct token_input in;
	struct verror err;
	json_t *out = NULL;
	enum store_rc rc;

	if (valid_decode(req->json, token_fields, token_nfields, &in, &err) < 0)
		return req_verror(req, &err);
	rc = token_create(req->db, &req->who, &in, &out, &err);
	return store_answer(req, rc, 201, out, &err, "token");
}

/* A user's sessions are the admin's business, and the user's own. */
static int may_see_sessions(struct request *req, int64_t user_id)
{
	if (req->who.role == ROLE_ADMIN || req->who.user_id == user_id)
		return 0;
	return req_error(req, 403, "forbidden", NULL,
	    "only an admin or the user may see or end these sessions");
}

int user_sessions_list(struct request *req)
{
	int64_t id = req_param_id(req, "id");
	json_t *items = NULL;
	enum store_rc rc;
	int refused;

	if ((refused = may_see_sessions(req, id)) != 0)
		return refused;
	rc = session_list(req->db, id, req->who.session_id, &items);
	if (rc == ST_OK)
		items = json_pack("{so}", "items", items);
	return store_answer(req, rc, 200, items, NULL, "user");
}

int user_sessions_end(struct request *req)
{
	int64_t id = req_param_id(req, "id");
	json_t *out = NULL;
	enum store_rc rc;
	int refused;

	if ((refused = may_see_sessions(req, id)) != 0)
		return refused;
	rc = session_end_all(req->db, &req->who, id, &out);
	return store_answer(req, rc, 200, out, NULL, "user");
}
