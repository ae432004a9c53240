/*
 * alerts.c - /api/alerts: evaluate now, one alert.
 */
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "alert_store.h"
#include "app.h"
#include "eval.h"
#include "json_out.h"
#include "log.h"
#include "read_cache.h"

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

int alerts_get(struct request *req)
{
	json_t *out = NULL;
	enum store_rc rc = alert_get(req->db, req_param_id(req, "id"), &out);

	return store_answer(req, rc, 200, out, NULL, "alert");
}

static int one_of(const char *v, const char *const *allowed)
{
	for (; *allowed; allowed++)
		if (strcmp(v, *allowed) == 0)
			return 1;
	return 0;
}

/*
 * The read cache (read_cache.h) in front of the summary and the history:
 * cached() answers from it when what was kept is still exact (1; -1 on a
 * database error; 0: compute), keep() keeps a computed answer.
 */
static int cached(struct request *req, const char *key, struct buf *out)
{
	int64_t version;

	if (!read_cache_enabled() || key == NULL)
		return 0;
	if (read_version(req->db, &version) < 0)
		return -1;
	return read_cache_get(key, version, time_now_us(), out);
}

static void keep(const char *key, const struct read_meta *meta, const struct buf *body)
{
	if (key && meta->version >= 0)
		read_cache_put(key, meta->version, meta->until_us, body->data, body->len);
}

/* name and the decoded query, or NULL when too long to be worth keeping. */
static char *cache_key(const struct request *req, const char *name)
{
	struct buf k;

	buf_init(&k);
	buf_puts(&k, name);
	for (size_t i = 0; i < req->nquery; i++) {
		buf_putc(&k, '\x01');
		buf_puts(&k, req->query[i].key);
		buf_putc(&k, '=');
		buf_puts(&k, req->query[i].value ? req->query[i].value : "");
	}
	if (k.len > 512) {
		buf_free(&k);
		return NULL;
	}
	return buf_detach(&k);
}


int alerts_history(struct request *req)
{
	static const char *const params[] = {"state", "severity", "rule_id", "kpi", "since",
	    "until", "limit", "cursor", NULL};
	static const char *const states[] = {"firing", "acknowledged", "resolved", NULL};
	static const char *const severities[] = {"info", "warning", "critical", NULL};
	struct history_filter f = {0};
	struct read_meta meta;
	int64_t v;
	struct buf body;
	char *next = NULL, *key;
	enum store_rc src;
	int rc;

	if ((rc = req_query_allow(req, params)) != 0)
		return rc;
	f.state = req_query(req, "state");
	f.severity = req_query(req, "severity");
	f.kpi = req_query(req, "kpi");
	f.cursor = req_query(req, "cursor");
	if (f.state && !one_of(f.state, states))
		return req_error(req, 400, "bad_parameter", "state",
		    "state must be firing, acknowledged or resolved");
	if (f.severity && !one_of(f.severity, severities))
		return req_error(req, 400, "bad_parameter", "severity",
		    "severity must be info, warning or critical");
	if (f.kpi && !valid_kpi_key(f.kpi))
		return req_error(req, 400, "bad_parameter", "kpi", "kpi is not a KPI key");
	if ((rc = req_query_int(req, "rule_id", 1, INT64_MAX, 0, &f.rule_id)) != 0 ||
	    (rc = req_query_time(req, "since", &f.since_us, &f.has_since)) != 0 ||
	    (rc = req_query_time(req, "until", &f.until_us, &f.has_until)) != 0)
		return rc;
	/* limit: 1 to 500; more is clamped to 500, not refused */
	if ((rc = req_query_int(req, "limit", 1, INT64_MAX, 50, &v)) != 0)
		return rc;
	f.limit = v > 500 ? 500 : (int)v;
	buf_init(&body);
	key = read_cache_enabled() ? cache_key(req, "history") : NULL;
	if ((rc = cached(req, key, &body)) != 0) {
		free(key);
		return rc < 0 ? 500 : req_json_text(req, 200, &body);
	}
	buf_puts(&body, "{\"items\":");
	src = alert_history_text(req->db, &f, &body, &next, &meta);
	if (src != ST_OK) {
		buf_free(&body);
		free(key);
		if (src == ST_INVALID)
			return req_error(req, 400, "bad_parameter", "cursor",
			    "cursor is not one this API gave out");
		return 500;
	}
	buf_puts(&body, ",\"next_cursor\":");
	json_put_str(&body, next);
	buf_putc(&body, '}');
	free(next);
	keep(key, &meta, &body);
	free(key);
	return req_json_text(req, 200, &body);
}

static const struct vfield ack_fields[] = {
	{.name = "alert_ids", .type = V_INTS, .flags = V_REQUIRED, .min = 1, .max = 500},
	{.name = "note", .type = V_STRING, .flags = V_NULLABLE | V_MULTILINE, .min = 0, .max = 1000},
};

int alerts_acknowledge(struct request *req)
{
	struct verror err;
	const json_t *ids = json_object_get(req->json, "alert_ids"), *v;
	const json_t *note = json_object_get(req->json, "note");
	int64_t *list;
	json_t *out = NULL;
	enum store_rc rc;
	size_t i;

	if (valid_object(req->json, ack_fields, GW_ARRAY_LEN(ack_fields), &err) < 0)
		return req_verror(req, &err);
	list = xcalloc(json_array_size(ids), sizeof(*list));
	json_array_foreach(ids, i, v)
		list[i] = json_integer_value(v);
	rc = alert_acknowledge(req->db, req->who.user_id, req->who.username, list,
	    json_array_size(ids), json_is_string(note) ? json_string_value(note) : NULL, &out, NULL);
	free(list);
	return store_answer(req, rc, 200, out, NULL, "alert");
}

int alerts_summary(struct request *req)
{
	struct read_meta meta;
	struct buf body;
	json_t *out = NULL;
	int rc;

	buf_init(&body);
	if ((rc = cached(req, "summary", &body)) != 0)
		return rc < 0 ? 500 : req_json_text(req, 200, &body);
	if (alert_summary(req->db, &out, &meta) != ST_OK)
		return 500;
	log_debug("summary read at version %lld, true for %lld ms", (long long)meta.version,
	    (long long)((meta.until_us - time_now_us()) / 1000));
	rc = req_json(req, 200, out);
	if (rc == 200)
		keep("summary", &meta, &req->resp_body);   /* the answer as written */
	return rc;
}

