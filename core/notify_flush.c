/*
 * notify_flush.c - see notify_flush.h.
 */
#include "notify_flush.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "contact_point_store.h"
#include "cp_send.h"
#include "log.h"
#include "mail.h"
#include "notice.h"
#include "util.h"

/*
 * The groups that are due, and every pending notice of them, taken (the
 * rows another flusher holds are skipped: it is sending them), with what
 * a message shows, grouped in order.
 */
DB_STMT(q_take,
    "WITH g AS (SELECT contact_point_id, kind FROM notices GROUP BY 1, 2"
    "            HAVING min(due_at) <= COALESCE($1::timestamptz, clock_timestamp())),"
    "     t AS (DELETE FROM notices n WHERE n.id IN"
    "             (SELECT x.id FROM notices x JOIN g USING (contact_point_id, kind)"
    "               ORDER BY x.id LIMIT $3::int FOR UPDATE OF x SKIP LOCKED)"
    "           RETURNING n.contact_point_id, n.kind, n.alert_id, n.escalation_level)"
    " SELECT t.contact_point_id AS cp, t.kind AS notice_kind, t.escalation_level AS level, "
    ALERT_COLUMNS ", " MAIL_FACT_COLUMNS ","
    "        " MAIL_WHEN_SQL("COALESCE($1::timestamptz, now())", "$2") " AS now_local"
    "   FROM t JOIN alerts a ON a.id = t.alert_id"
    "   JOIN alert_rules r ON r.id = a.rule_id JOIN kpis k ON k.key = r.kpi_key"
    "  ORDER BY t.contact_point_id, t.kind, a.id");

DB_STMT(q_next,
    "SELECT (extract(epoch FROM min(due_at) - clock_timestamp()) * 1000)::bigint AS ms"
    "  FROM notices");

/* One group: rows [from, to) of the taken notices, for one contact point and kind. */
struct group {
	const PGresult *r;
	int from, to;
	const struct cp_target *t;
	const char *kind;
	json_t *alerts;          /* their alert JSON, each with its "link" */
	const char *ids;         /* their ids, an SQL array text */
	const struct config *cfg;
};

static int64_t first_id(const json_t *alerts)
{
	return json_integer_value(json_object_get(json_array_get(alerts, 0), "id"));
}

/* The alert's page, as a link the receivers open. */
static void add_link(const struct config *cfg, json_t *a)
{
	json_object_set_new(a, "link", json_sprintf("%s/alerts/%lld", cfg->base_url,
	    (long long)json_integer_value(json_object_get(a, "id"))));
}

/* The e-mail of a group: the alert's own mail for one, a grouped one for several. */
static int group_mail(struct db *db, struct group *g, struct outbox *o)
{
	const json_t *addrs = json_object_get(g->t->settings, "addresses"), *v;
	enum mail_kind kind = mail_kind_parse(g->kind);
	struct mail_msg msg;
	size_t i;

	if (g->to - g->from == 1) {
		struct mail_alert m;
		char prefix[64];
		json_t *a = json_array_get(g->alerts, 0);
		mail_alert_of(&m, kind, a, g->r, g->from, db_str(g->r, g->from, "now_local"),
		    json_number_value(json_object_get(a, "value")));
		if (db_i64(g->r, g->from, "level") > 0)
			m.escalation_level = (int)db_i64(g->r, g->from, "level");
		/* alert and level in an escalation's key: a level is mailed once */
		if (kind == MAIL_ESCALATED)
			snprintf(prefix, sizeof(prefix), "escalated:%lld:%d",
			    (long long)first_id(g->alerts), m.escalation_level);
		return mail_queue_alert(db, g->cfg, o, &m, addrs,
		    json_integer_value(json_object_get(a, "rule_id")),
		    kind == MAIL_ESCALATED ? prefix : NULL);
	}
	json_array_foreach(addrs, i, v) {
		json_t *acks = NULL;
		int rc;
		if (!json_is_string(v))
			continue;
		/* each address its own links: only users who may acknowledge get them */
		if (mail_kind_may_ack(kind) &&
		    mail_group_acks(db, g->cfg, g->alerts, json_string_value(v), &acks) < 0)
			return -1;
		rc = mail_render_group(g->cfg, kind, g->alerts, acks, &msg);
		json_decref(acks);
		if (rc < 0)
			return -1;
		outbox_add_group(o, kind, first_id(g->alerts), g->ids, json_string_value(v), &msg);
		mail_msg_free(&msg);
	}
	return 0;
}

/* How the target is shown: nothing secret in it. */
static void target_shown(const struct cp_target *t, char *out, size_t len)
{
	if (t->kind == CP_TELEGRAM) {
		snprintf(out, len, "telegram chat %s",
		    json_string_value(json_object_get(t->settings, "chat_id")));
		return;
	}
	/* a Slack URL is a secret: its settings show its hint */
	cp_url_hint(json_string_value(json_object_get(t->settings, "url")), out, len);
}

/* The message of a group to an HTTP contact point: one outbox row. */
static int group_http(struct group *g, struct outbox *o, const char *now)
{
	char title[256], target[200];
	struct buf text;
	struct notice n = {
		.kind = g->kind, .status = strcmp(g->kind, "resolved") == 0 ? "resolved" : "firing",
		.title = title, .receiver = g->t->name, .base_url = g->cfg->base_url,
		.sent_at = now, .alerts = g->alerts,
	};
	char *link, *body;

	buf_init(&text);
	notice_group_title(g->alerts, g->kind, title, sizeof(title));
	notice_group_text(g->alerts, g->cfg->base_url, &text);
	link = json_array_size(g->alerts) == 1 ?
	    xstrdup(json_string_value(json_object_get(json_array_get(g->alerts, 0), "link"))) :
	    xasprintf("%s/alerts", g->cfg->base_url);
	n.text = text.data ? text.data : "";
	n.link = link;
	body = cp_render(g->t, &n);
	target_shown(g->t, target, sizeof(target));
	outbox_add_http(o, g->kind, first_id(g->alerts), g->ids, cp_kind_name(g->t->kind),
	    target, title, n.text, body ? body : "{}");
	free(body);
	free(link);
	buf_free(&text);
	return 0;
}

/* Makes the message of group g. 0, or -1 (the transaction is lost). */
static int group_message(struct db *db, struct group *g, struct outbox *o, const char *now)
{
	struct cp_target t;
	/* no secret is needed to write a message: they are opened for the request only */
	enum store_rc rc = cp_target_load(db, NULL, db_i64(g->r, g->from, "cp"), &t);
	struct buf ids;
	int out = 0;

	if (rc == ST_NOT_FOUND)
		return 0;           /* deleted meanwhile: nobody to tell */
	if (rc != ST_OK)
		return -1;
	g->t = &t;
	g->alerts = json_array();
	buf_init(&ids);
	db_arr_begin(&ids);
	for (int i = g->from; i < g->to; i++) {
		json_t *a = alert_json(g->r, i);
		add_link(g->cfg, a);
		json_array_append_new(g->alerts, a);
		db_arr_i64(&ids, db_i64(g->r, i, "id"));
	}
	g->ids = db_arr_end(&ids);
	o->contact_point = t.id;
	out = t.kind == CP_EMAIL ? group_mail(db, g, o) : group_http(g, o, now);
	o->contact_point = 0;
	buf_free(&ids);
	json_decref(g->alerts);
	cp_target_free(&t);
	return out;
}

static int same_group(const PGresult *r, int i, int j)
{
	return db_i64(r, i, "cp") == db_i64(r, j, "cp") &&
	    strcmp(db_str(r, i, "notice_kind"), db_str(r, j, "notice_kind")) == 0;
}

/* The messages of the taken notices r, into o. Returns how many, or -1. */
static int messages_of(struct db *db, const struct config *cfg, const PGresult *r,
    struct outbox *o, const char *now)
{
	int n = 0;

	for (int i = 0; i < PQntuples(r);) {
		struct group g = {.r = r, .from = i, .cfg = cfg,
		    .kind = db_str(r, i, "notice_kind")};
		int j = i + 1;
		while (j < PQntuples(r) && same_group(r, i, j))
			j++;
		g.to = j;
		if (group_message(db, &g, o, now) < 0)
			return -1;
		n++;
		i = j;
	}
	return n;
}

int notify_flush(struct db *db, const struct config *cfg, int64_t now_us, int *messages)
{
	char nowbuf[40], iso[40], lim[24];
	const char *now = NULL;
	struct outbox o;
	PGresult *r = NULL;
	int rc = -1, n;

	*messages = 0;
	if (now_us) {
		time_format_iso(now_us, nowbuf, sizeof(nowbuf));
		now = nowbuf;
	}
	time_format_iso(now_us ? now_us : time_now_us(), iso, sizeof(iso));
	outbox_init(&o);
	if (db_begin(db) < 0)
		goto out;
	r = DB_EXEC(db, &q_take, now, cfg->timezone, db_i64_param(NOTIFY_FLUSH_BATCH, lim));
	if (r == NULL || (n = messages_of(db, cfg, r, &o, iso)) < 0)
		goto out;
	if (outbox_flush(db, cfg, &o) < 0 || db_commit(db) < 0)
		goto out;
	*messages = n;
	rc = 0;
out:
	db_rollback(db);
	PQclear(r);
	outbox_free(&o);
	return rc;
}

int notify_next_due_ms(struct db *db, int64_t *ms)
{
	PGresult *r = DB_EXEC0(db, &q_next);

	if (r == NULL)
		return -1;
	*ms = db_isnull(r, 0, "ms") ? -1 : db_i64(r, 0, "ms");
	if (*ms < 0 && !db_isnull(r, 0, "ms"))
		*ms = 0;
	PQclear(r);
	return 0;
}
