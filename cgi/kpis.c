/*
 * kpis.c - /api/kpis: the catalogue with each KPI's latest value, samples,
 * push KPIs (define, record a value, delete). The rules live in
 * core/kpi_store.c.
 */
#include "app.h"
#include "kpi_store.h"

int kpis_list(struct request *req)
{
	json_t *items = NULL;

	if (kpi_list(req->db, req->q.include_deleted, req->q.category, &items) != ST_OK)
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
	const struct sample_range q = {.has_since = req->q.has_since, .has_until = req->q.has_until,
	    .since_us = req->q.since_us, .until_us = req->q.until_us, .limit = req->q.limit};
	json_t *out = NULL;
	enum store_rc rc = kpi_samples(req->db, req_param(req, "key"), &q, &out);

	return store_answer(req, rc, 200, out, NULL, "KPI");
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
