/*
 * kpis.c - /api/kpis: the catalogue with each KPI's latest value, samples,
 * push KPIs (define, record a value and evaluate the rules on it, delete).
 * The rules live in core/kpi_store.c.
 */
#include "app.h"
#include "eval.h"
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

/*
 * The enabled rules on the pushed KPI, evaluated now by the timer's own
 * eval_run (its row locks make one alert per breach however many pushes
 * and timers race): {"fired":[alerts],"resolved":[alerts]}. The sample is
 * committed first; should the evaluation fail (logged), it is null and
 * the next timer run evaluates the sample.
 */
static json_t *push_evaluation(struct request *req, const char *key)
{
	struct eval_opts opts = {.kpi_key = key, .unrecorded = 1};
	struct eval_result res;
	json_t *ev = NULL;

	if (eval_run(req->db, req->cfg, &opts, &res) == 0)
		ev = json_pack("{sO sO}", "fired", res.fired, "resolved", res.resolved);
	eval_result_free(&res);
	return ev ? ev : json_null();
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
	if (rc == ST_OK && in.evaluate)
		json_object_set_new(out, "evaluation", push_evaluation(req, req_param(req, "key")));
	return store_answer(req, rc, 201, out, &err, "KPI");
}

int kpis_delete(struct request *req)
{
	struct verror err;
	json_t *out = NULL;
	enum store_rc rc = kpi_delete(req->db, &req->who, req_param(req, "key"), &out, &err);

	return store_answer(req, rc, 200, out, &err, "KPI");
}
