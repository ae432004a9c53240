/*
 * alerts.c - /api/alerts: evaluate now, one alert, the history and the
 * summary (through the read cache), acknowledging.
 */
#include <stdlib.h>
#include <string.h>

#include "alert_store.h"
#include "app.h"
#include "eval.h"
#include "json_out.h"
#include "log.h"
#include "read_cache.h"
#include "read_version.h"

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
	struct history_filter f = {
		.state = req->q.state, .severity = req->q.severity, .kpi = req->q.kpi,
		.rule_id = req->q.rule_id, .cursor = req->q.cursor,
		.has_since = req->q.has_since, .since_us = req->q.since_us,
		.has_until = req->q.has_until, .until_us = req->q.until_us,
		/* limit: 1 to 500; more is clamped to 500, not refused */
		.limit = req->q.limit > 500 ? 500 : (int)req->q.limit,
	};
	struct read_meta meta;
	struct buf body;
	char *next = NULL, *key;
	enum store_rc src;
	int rc;

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

int alerts_acknowledge(struct request *req)
{
	struct ack_input in;
	struct verror err;
	json_t *out = NULL;
	enum store_rc rc;

	if (valid_decode(req->json, ack_fields, ack_nfields, &in, &err) < 0)
		return req_verror(req, &err);
	rc = alert_acknowledge(req->db, req->who.user_id, req->who.username, &in, &out, NULL);
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

