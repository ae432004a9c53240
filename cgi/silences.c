/*
 * silences.c - /api/alerts/silences: list (active and past), create, end.
 */
#include <string.h>

#include "app.h"
#include "silence_store.h"

int silences_list(struct request *req)
{
	const char *which = req->q.status;
	json_t *items = NULL;

	if (which && strcmp(which, "all") == 0)
		which = NULL;
	if (silence_list(req->db, which, &items) != ST_OK)
		return 500;
	return req_json(req, 200, json_pack("{so}", "items", items));
}

int silences_create(struct request *req)
{
	struct silence_input in;
	struct verror err;
	json_t *out = NULL;
	enum store_rc rc;

	if (valid_decode(req->json, silence_fields, silence_nfields, &in, &err) < 0)
		return req_verror(req, &err);
	rc = silence_create(req->db, &req->who, &in, &out, &err);
	if (rc == ST_OK)
		req_header(req, "Location: /api/alerts/silences/%lld",
		    (long long)json_integer_value(json_object_get(out, "id")));
	return store_answer(req, rc, 201, out, &err, "silence");
}

int silences_delete(struct request *req)
{
	struct verror err;
	json_t *out = NULL;
	enum store_rc rc = silence_end(req->db, &req->who, req_param_id(req, "id"), &out, &err);

	return store_answer(req, rc, 200, out, &err, "silence");
}

int silences_get(struct request *req)
{
	json_t *out = NULL;
	enum store_rc rc = silence_get(req->db, req_param_id(req, "id"), &out);

	return store_answer(req, rc, 200, out, NULL, "silence");
}
