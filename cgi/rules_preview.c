/*
 * rules_preview.c - POST /api/alerts/rules/preview: what a rule body (saved
 * or not) would have fired over its KPI's stored samples, writing nothing
 * (core/preview.c).
 */
#include "app.h"
#include "preview.h"

int rules_preview(struct request *req)
{
	struct preview_request pr;
	struct preview_result res;
	struct verror err;
	enum store_rc rc = preview_decode(req->db, req->json, &pr, &err);
	int status;

	if (rc == ST_OK)
		rc = preview_run(req->db, req->cfg, &pr, &res, &err);
	if (rc != ST_OK) {
		preview_request_free(&pr);
		return store_answer(req, rc, 200, NULL, &err, "rule");
	}
	status = req_json(req, 200, preview_json(&res));
	preview_result_free(&res);
	preview_request_free(&pr);
	return status;
}
