/*
 * ack_pages.c - the one-click acknowledge link of a fired or escalated
 * mail: GET /alerts/{id}/ack?t=TOKEN shows the alert and a form (a GET
 * never changes anything: mail scanners follow links); its POST
 * acknowledges the alert as the user the link was made for. The token
 * (core/ack.c: signed, bound to alert and user, expiring, single-use) is
 * the credential and the CSRF defence; its MAC is compared in constant
 * time. The token is spent in the transaction that acknowledges.
 */
#include <string.h>

#include "ack.h"
#include "alert.h"
#include "alert_store.h"
#include "app.h"
#include "page.h"
#include "valid.h"

DB_STMT(q_ack_alert,
    "SELECT " ALERT_COLUMNS ", k.name AS kpi_name"
    "  FROM alerts a LEFT JOIN kpis k ON k.key = a.kpi_key WHERE a.id = $1::bigint");

/* A link that cannot be used: a page that says why, nothing changed. */
static int refuse(struct request *req, enum ack_check c)
{
	static const int status[ACK_CHECK__MAX] = {
		[ACK_VALID] = 200, [ACK_FORGED] = 403, [ACK_WRONG_ALERT] = 403,
		[ACK_EXPIRED] = 410, [ACK_USED] = 410, [ACK_USER_GONE] = 403,
		[ACK_NOT_ALLOWED] = 403,
		[ACK_ERROR] = 503,
	};
	return page_error(req, status[c], ack_check_message(c));
}

struct ack_view {
	const char *token;       /* NULL: no form */
	const char *user;
	const char *note;
	const char *error;
	const char *notice, *notice_kind;
};

/* The page about alert id (read now). */
static int render(struct request *req, int64_t id, const struct ack_view *v, int status)
{
	char idb[24];
	PGresult *r = DB_EXEC(req->db, &q_ack_alert, db_i64_param(id, idb));
	struct page p;
	const char *state;
	int rc;

	if (r == NULL)
		return 500;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return page_error(req, 404, "This alert does not exist any more.");
	}
	state = db_str(r, 0, "state");
	page_begin(&p, req, "Acknowledge alert", "ack.html.tpl", NULL);
	tpl_setf(p.content, "HEADING", "Alert #%lld", (long long)id);
	tpl_setf(p.content, "ALERT_ID", "%lld", (long long)id);
	tpl_set(p.content, "RULE_NAME", db_str(r, 0, "rule_name"));
	tpl_set(p.content, "SEVERITY", db_str(r, 0, "severity"));
	tpl_set(p.content, "KPI_NAME", db_str(r, 0, "kpi_name") ? db_str(r, 0, "kpi_name") :
	    db_str(r, 0, "kpi_key"));
	tpl_set(p.content, "MESSAGE", db_str(r, 0, "message"));
	{
		char iso[40];
		time_format_iso(db_i64(r, 0, "triggered_us"), iso, sizeof(iso));
		page_time(p.content, "TRIGGERED", iso);
	}
	tpl_set(p.content, "STATE", state);
	if (v->error)
		tpl_set(tpl_section(p.content, "ERROR"), "ERROR_TEXT", v->error);
	if (v->notice) {
		struct tpl_dict *n = tpl_section(p.content, "NOTICE");
		tpl_set(n, "NOTICE_KIND", v->notice_kind);
		tpl_set(n, "NOTICE_TEXT", v->notice);
	}
	if (v->token && strcmp(state, "firing") == 0) {
		struct tpl_dict *f = tpl_section(p.content, "FORM");
		tpl_set(f, "TOKEN", v->token);
		tpl_set(f, "ACK_USER", v->user);
		tpl_set(f, "NOTE", v->note ? v->note : "");
	} else if (v->token) {
		struct tpl_dict *n = tpl_section(p.content, "NOTICE");
		const char *by = db_str(r, 0, "acknowledged_by");
		tpl_set(n, "NOTICE_KIND", "ok");
		if (strcmp(state, "acknowledged") == 0)
			tpl_setf(n, "NOTICE_TEXT", "Nothing to do: %s acknowledged this alert already.",
			    by ? by : "someone");
		else
			tpl_set(n, "NOTICE_TEXT", "Nothing to do: this alert is resolved.");
		status = 409;
	}
	PQclear(r);
	rc = page_end(&p, req, status);
	return rc;
}

/* GET /alerts/{id}/ack?t=TOKEN: the alert and the form; changes nothing. */
int page_ack_form(struct request *req)
{
	int64_t id = req_param_id(req, "id");
	struct ack_token t;
	enum ack_check c = ack_verify(req->db, req_query(req, "t"), id, time_now_us(), 0, &t);
	struct ack_view v = {0};

	if (c != ACK_VALID)
		return refuse(req, c);
	v.token = req_query(req, "t");
	v.user = t.username;
	return render(req, id, &v, 200);
}

/*
 * POST /alerts/{id}/ack (form: t, note): acknowledges as the link's user
 * and spends the token, in one transaction; 403/409/410 change nothing.
 */
int page_ack_submit(struct request *req)
{
	int64_t id = req_param_id(req, "id");
	const char *token = req_form(req, "t"), *note = req_form(req, "note");
	struct ack_input in;
	struct ack_token t;
	struct ack_view v = {0};
	struct verror err;
	char why[80];
	enum ack_check c;
	json_t *body = NULL, *out = NULL;
	int done;

	if (ack_input_one(id, note, &in, &body, &err) < 0) {
		json_decref(body);
		c = ack_verify(req->db, token, id, time_now_us(), 0, &t);
		if (c != ACK_VALID)
			return refuse(req, c);
		v.token = token;
		v.user = t.username;
		v.note = note;
		v.error = page_note_refused(note, &err, why, sizeof(why));
		return render(req, id, &v, 422);
	}
	/* one transaction: the token row is locked, spent, and the alert
	 * acknowledged together, or nothing happens */
	if (db_begin(req->db) < 0) {
		json_decref(body);
		return 500;
	}
	c = ack_verify(req->db, token, id, time_now_us(), 1, &t);
	if (c != ACK_VALID) {
		db_rollback(req->db);
		json_decref(body);
		return refuse(req, c);
	}
	if (ack_spend(req->db, &t) < 0 ||
	    alert_acknowledge(req->db, t.user_id, t.username, &in, &out, NULL) != ST_OK) {
		db_rollback(req->db);
		json_decref(body);
		return 500;
	}
	json_decref(body);
	done = json_array_size(json_object_get(out, "acknowledged")) == 1;
	json_decref(out);
	if (!done) {
		/* acknowledged or resolved meanwhile: the link stays as it was */
		db_rollback(req->db);
		v.token = token;
		v.user = t.username;
		return render(req, id, &v, 409);
	}
	if (db_commit(req->db) < 0)
		return 500;
	v.notice = "Acknowledged. Thank you: the others see it at once.";
	v.notice_kind = "ok";
	return render(req, id, &v, 200);
}
