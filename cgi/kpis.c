/*
 * kpis.c - /api/kpis: the catalogue with each KPI's latest value, samples,
 * push KPIs (define, record a value, delete). The rules live in
 * core/kpi_store.c.
 */
#include <string.h>

#include "app.h"
#include "kpi_store.h"

int kpis_list(struct request *req)
{
	static const char *const allowed[] = {"category", "include_deleted", NULL};
	const char *cat = req_query(req, "category");
	const char *del = req_query(req, "include_deleted");
	json_t *items = NULL;
	int rc;

	if ((rc = req_query_allow(req, allowed)) != 0)
		return rc;
	if (cat && !kpi_valid_category(cat))
		return req_error(req, 400, "bad_parameter", "category",
		    "category must be financial, operational or customer");
	if (del && strcmp(del, "true") && strcmp(del, "false"))
		return req_error(req, 400, "bad_parameter", "include_deleted",
		    "include_deleted must be true or false");
	if (kpi_list(req->db, del && strcmp(del, "true") == 0, cat, &items) != ST_OK)
		return 500;
	return req_json(req, 200, json_pack("{so}", "items", items));
}

int kpis_get(struct request *req)
{
	json_t *out = NULL;
	enum store_rc rc = kpi_get(req->db, req_param(req, "key"), &out);

	return store_answer(req, rc, 200, out, NULL, "KPI");
}

int kpis_samples(struct request *req)
{
	static const char *const allowed[] = {"since", "until", "limit", NULL};
	struct sample_range q = {0};
	enum store_rc src;
	json_t *out = NULL;
	int rc;

	if ((rc = req_query_allow(req, allowed)) != 0 ||
	    (rc = req_query_time(req, "since", &q.since_us, &q.has_since)) != 0 ||
	    (rc = req_query_time(req, "until", &q.until_us, &q.has_until)) != 0 ||
	    (rc = req_query_int(req, "limit", 1, 5000, 500, &q.limit)) != 0)
		return rc;
	src = kpi_samples(req->db, req_param(req, "key"), &q, &out);
	return store_answer(req, src, 200, out, NULL, "KPI");
}

int kpis_create(struct request *req)
{
	struct kpi_input in;
	struct verror err;
	json_t *out = NULL;
	enum store_rc rc;

	if (valid_decode(req->json, kpi_fields, kpi_nfields, &in, &err) < 0)
		return req_verror(req, &err);
	rc = kpi_create(req->db, &req->who, &in, &out, &err);
	if (rc == ST_OK)
		req_header(req, "Location: /api/kpis/%s", in.key);
	return store_answer(req, rc, 201, out, &err, "KPI");
}

int kpis_push_sample(struct request *req)
{
	struct sample_input in;
	struct verror err;
	json_t *out = NULL;
	enum store_rc rc;

	if (valid_decode(req->json, sample_fields, sample_nfields, &in, &err) < 0)
		return req_verror(req, &err);
	rc = kpi_sample_push(req->db, req_param(req, "key"), &in, &out, &err);
	return store_answer(req, rc, 201, out, &err, "KPI");
}

int kpis_delete(struct request *req)
{
	struct verror err;
	json_t *out = NULL;
	enum store_rc rc = kpi_delete(req->db, &req->who, req_param(req, "key"), &out, &err);

	return store_answer(req, rc, 200, out, &err, "KPI");
}
