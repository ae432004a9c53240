/*
 * contact_points.c - /api/contact-points: list, read, create, replace,
 * delete, and a test message. Secrets are taken, never given back.
 */
#include "app.h"
#include "contact_point_store.h"
#include "cp_test.h"

int contact_points_list(struct request *req)
{
	json_t *items = NULL;

	if (cp_list(req->db, &items) != ST_OK)
		return 500;
	return req_json(req, 200, json_pack("{so}", "items", items));
}

int contact_points_get(struct request *req)
{
	json_t *out = NULL;
	enum store_rc rc = cp_get(req->db, req_param_id(req, "id"), &out);

	return store_answer(req, rc, 200, out, NULL, "contact point");
}

/* Create (id 0) or replace: the body decoded at the edge, then the store. */
static int write_cp(struct request *req, int64_t id)
{
	struct cp_input in;
	struct verror err;
	json_t *out = NULL;
	enum store_rc rc;

	if (cp_decode(req->json, &in, &err) < 0) {
		cp_input_free(&in);
		return req_verror(req, &err);
	}
	rc = id ? cp_replace(req->db, req->cfg, &req->who, id, &in, &out, &err) :
	    cp_create(req->db, req->cfg, &req->who, &in, &out, &err);
	cp_input_free(&in);
	if (rc == ST_OK && !id)
		req_header(req, "Location: /api/contact-points/%lld",
		    (long long)json_integer_value(json_object_get(out, "id")));
	return store_answer(req, rc, id ? 200 : 201, out, &err, "contact point");
}

int contact_points_create(struct request *req)
{
	return write_cp(req, 0);
}

int contact_points_replace(struct request *req)
{
	return write_cp(req, req_param_id(req, "id"));
}

int contact_points_delete(struct request *req)
{
	json_t *out = NULL;
	struct verror err;
	enum store_rc rc = cp_delete(req->db, &req->who, req_param_id(req, "id"), &out, &err);

	return store_answer(req, rc, 200, out, &err, "contact point");
}

int contact_points_test(struct request *req)
{
	struct cp_target t;
	enum store_rc rc = cp_target_load(req->db, req->cfg, req_param_id(req, "id"), &t);
	json_t *out;

	if (rc != ST_OK)
		return store_answer(req, rc, 200, NULL, NULL, "contact point");
	out = cp_test(req->db, req->cfg, &t, req->who.username);
	cp_target_free(&t);
	if (out == NULL)
		return 500;
	return req_json(req, 200, out);
}
