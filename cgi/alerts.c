/*
 * alerts.c - /api/alerts: evaluate now, one alert.
 */
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "app.h"
#include "eval.h"

static const struct vfield evaluate_fields[] = {
	{.name = "rule_ids", .type = V_INTS, .min = 1, .max = 10000},
};

DB_STMT(q_unknown_rules,
    "SELECT min(u.id) AS id FROM unnest($1::bigint[]) AS u(id)"
    " WHERE NOT EXISTS (SELECT 1 FROM alert_rules r WHERE r.id = u.id)");

int alerts_evaluate(struct request *req)
{
	struct eval_opts opts = {0};
	struct eval_result res;
	struct verror err;
	int64_t *ids = NULL;
	json_t *arr;
	int rc;

	if (req->json) {
		if (valid_object(req->json, evaluate_fields, 1, &err) < 0)
			return req_verror(req, &err);
		arr = json_object_get(req->json, "rule_ids");
		if (arr) {
			struct buf lit;
			size_t i;
			json_t *v;
			PGresult *r;

			ids = xcalloc(json_array_size(arr), sizeof(*ids));
			buf_init(&lit);
			db_arr_begin(&lit);
			json_array_foreach(arr, i, v) {
				ids[i] = json_integer_value(v);
				db_arr_i64(&lit, ids[i]);
			}
			opts.rule_ids = ids;
			opts.n_rule_ids = json_array_size(arr);
			r = DB_EXEC(req->db, &q_unknown_rules, db_arr_end(&lit));
			buf_free(&lit);
			if (r == NULL) {
				free(ids);
				return 500;
			}
			if (!db_isnull(r, 0, "id")) {
				rc = req_error(req, 422, "unknown_rule", "rule_ids", "there is no rule %s",
				    db_str(r, 0, "id"));
				PQclear(r);
				free(ids);
				return rc;
			}
			PQclear(r);
		}
	}
	if (req_mail_after(req) < 0) {
		free(ids);
		return 500;
	}
	if (eval_run(req->db, req->cfg, &opts, &res) < 0) {
		eval_result_free(&res);
		free(ids);
		return 500;
	}
	rc = req_json(req, 200, eval_result_json(&res));
	eval_result_free(&res);
	free(ids);
	return rc;
}

DB_STMT(q_alert_get, "SELECT " ALERT_COLUMNS " FROM alerts a WHERE a.id = $1::bigint");

int alerts_get(struct request *req)
{
	char idb[24];
	PGresult *r = DB_EXEC(req->db, &q_alert_get, db_i64_param(req_param_id(req, "id"), idb));
	int rc;

	if (r == NULL)
		return 500;
	if (PQntuples(r) != 1)
		rc = req_error(req, 404, "not_found", NULL, "no such alert");
	else
		rc = req_json(req, 200, alert_json(r, 0));
	PQclear(r);
	return rc;
}
