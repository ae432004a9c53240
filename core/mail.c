/*
 * mail.c - see mail.h.
 */
#include "mail.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ack.h"
#include "fmt.h"
#include "json_out.h"
#include "mail_mime.h"
#include "notice.h"
#include "tpl.h"

static const char *const kind_names[MAIL_KIND__MAX] = {
	[MAIL_FIRED] = "fired", [MAIL_RESOLVED] = "resolved",
	[MAIL_ESCALATED] = "escalated", [MAIL_DIGEST] = "digest", [MAIL_TEST] = "test",
	[MAIL_STILL_FIRING] = "still_firing", [MAIL_FLAPPING] = "flapping",
	[MAIL_SETTLED] = "settled", [MAIL_BACK] = "back", [MAIL_REPEAT] = "repeat",
};

const char *mail_kind_name(enum mail_kind k)
{
	return k < MAIL_KIND__MAX ? kind_names[k] : "?";
}

int mail_kind_may_ack(enum mail_kind k)
{
	return k == MAIL_FIRED || k == MAIL_ESCALATED || k == MAIL_STILL_FIRING ||
	    k == MAIL_REPEAT;
}

enum mail_kind mail_kind_parse(const char *s)
{
	for (int k = 0; k < MAIL_KIND__MAX; k++)
		if (s && strcmp(kind_names[k], s) == 0)
			return (enum mail_kind)k;
	return MAIL_KIND__MAX;
}

void mail_msg_free(struct mail_msg *m)
{
	free(m->subject);
	m->subject = NULL;
	buf_free(&m->text);
	buf_free(&m->html);
}

static double jnumber(const json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

static const char *severity_colour(const char *sev)
{
	if (strcmp(sev, "critical") == 0)
		return "#b42318";
	if (strcmp(sev, "warning") == 0)
		return "#b54708";
	return "#175cd3";
}

/* A subject is one line: no CR or LF can reach the header. */
static char *one_line(const char *s)
{
	char *r = xstrdup(s);
	for (char *p = r; *p; p++)
		if (*p == '\r' || *p == '\n' || *p == '\t')
			*p = ' ';
	return r;
}

void mail_alert_of(struct mail_alert *m, enum mail_kind kind, const json_t *a,
    const PGresult *facts, int row, const char *when_local, double latest)
{
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->alert = a;
	m->kpi_name = db_str(facts, row, "kpi_name");
	m->kpi_unit = db_str(facts, row, "kpi_unit");
	m->recommendation = db_str(facts, row, "recommendation");
	m->rule_description = db_str(facts, row, "description");
	m->when_local = when_local;
	m->latest = latest;
	m->escalation_level = (int)json_integer_value(json_object_get(a, "escalation_level"));
}

/* What the subject and the body say, worked out once for both. */
struct mail_words {
	const char *sev;
	char sevup[16];
	char latest[64];
	char headline[160];
	struct fmt_observed shown;
	char out_for[64];      /* resolved: triggered -> resolved in words, "" unknown */
	char resolved[512];    /* resolved: what the message says instead of the firing's */
};

/* A resolved alert's words: back to normal (or why it was closed) and for how long. */
static void resolved_words(const struct mail_alert *m, struct mail_words *w)
{
	const json_t *a = m->alert;
	const char *reason = json_str_or(a, "resolve_reason", "condition cleared");
	int64_t from, to;

	if (time_parse_iso(json_str_or(a, "triggered_at", ""), &from) == 0 &&
	    time_parse_iso(json_str_or(a, "resolved_at", ""), &to) == 0)
		fmt_duration((to - from) / 1000000, w->out_for, sizeof(w->out_for));
	if (strcmp(reason, "condition cleared") == 0)
		snprintf(w->resolved, sizeof(w->resolved), "%s is back to normal: %s now, no longer %s.",
		    m->kpi_name, w->latest, w->shown.threshold);
	else
		snprintf(w->resolved, sizeof(w->resolved),
		    "Closed without the value coming back (%s). %s is %s now.", reason, m->kpi_name,
		    w->latest);
}

static void mail_words(const struct mail_alert *m, struct mail_words *w)
{
	const json_t *a = m->alert;

	w->sev = json_str_or(a, "severity", "");
	snprintf(w->sevup, sizeof(w->sevup), "%s", w->sev);
	for (char *p = w->sevup; *p; p++)
		*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
	fmt_value(m->latest, m->kpi_unit, w->latest, sizeof(w->latest));
	fmt_observed(cond_parse(json_str_or(a, "condition", "")), jnumber(a, "value"),
	    jnumber(a, "threshold"), m->kpi_unit, &w->shown);
	w->out_for[0] = w->resolved[0] = '\0';
	if (m->kind == MAIL_RESOLVED)
		resolved_words(m, w);
}

/* The headline of the body and the subject (malloc'd, one line). */
static char *mail_subject(const struct mail_alert *m, struct mail_words *w)
{
	const char *rule = json_str_or(m->alert, "rule_name", "");
	char *subject, *line;

	switch (m->kind) {
	case MAIL_RESOLVED:
		snprintf(w->headline, sizeof(w->headline), "Resolved: %s",
		    strcmp(json_str_or(m->alert, "resolve_reason", "condition cleared"),
		    "condition cleared") == 0 ? "back to normal" : "closed");
		subject = xasprintf("[goldwatch] Resolved: %s - %s %s", rule, m->kpi_name, w->latest);
		break;
	case MAIL_ESCALATED:
		snprintf(w->headline, sizeof(w->headline),
		    "Escalated: nobody has acknowledged this %s alert", w->sev);
		subject = xasprintf("[goldwatch] ESCALATED (level %d) %s: %s - %s %s",
		    m->escalation_level, w->sevup, rule, m->kpi_name, w->latest);
		break;
	case MAIL_STILL_FIRING:
		snprintf(w->headline, sizeof(w->headline),
		    "Still firing: the silence is over and this %s alert is still open", w->sev);
		subject = xasprintf("[goldwatch] Still firing %s: %s - %s %s", w->sevup, rule,
		    m->kpi_name, w->latest);
		break;
	case MAIL_REPEAT:
		snprintf(w->headline, sizeof(w->headline),
		    "Reminder: this %s alert is still firing and nobody has acknowledged it", w->sev);
		subject = xasprintf("[goldwatch] Reminder %s: %s - %s %s", w->sevup, rule,
		    m->kpi_name, w->latest);
		break;
	case MAIL_FLAPPING:
		snprintf(w->headline, sizeof(w->headline),
		    "Flapping: this rule keeps firing and resolving; no more mail about each change"
		    " until it has been stable for a while");
		subject = xasprintf("[goldwatch] Flapping: %s - %s %s", rule, m->kpi_name, w->latest);
		break;
	case MAIL_SETTLED:
		snprintf(w->headline, sizeof(w->headline), "Settled: this rule stopped flapping;"
		    " its alert is %s", json_str_or(m->alert, "state", "?"));
		subject = xasprintf("[goldwatch] Settled (%s): %s - %s %s",
		    json_str_or(m->alert, "state", "?"), rule, m->kpi_name, w->latest);
		break;
	case MAIL_BACK:
		snprintf(w->headline, sizeof(w->headline), "The problem is back: breached again"
		    " within the cooldown; a new alert opens when the cooldown ends");
		subject = xasprintf("[goldwatch] Back %s: %s - %s %s", w->sevup, rule, m->kpi_name,
		    w->latest);
		break;
	case MAIL_TEST:
		snprintf(w->headline, sizeof(w->headline),
		    "Test message: this is how an alert of this rule looks");
		subject = xasprintf("[goldwatch] Test: %s", rule);
		break;
	default:
		snprintf(w->headline, sizeof(w->headline), "%s alert", w->sevup);
		subject = xasprintf("[goldwatch] %s: %s - %s %s", w->sevup, rule, m->kpi_name,
		    w->latest);
		break;
	}
	line = one_line(subject);
	free(subject);
	return line;
}

/* The sections of the templates that depend on the kind and the facts. */
static void mail_sections(const struct config *cfg, const struct mail_alert *m,
    const char *ack_url, struct tpl_dict *d)
{
	const json_t *a = m->alert;

	if (m->kind == MAIL_TEST) {
		/* no alert exists: the link goes to the rule */
		tpl_setf(d, "ALERT_URL", "%s/rules/%lld", cfg->base_url,
		    (long long)json_integer_value(json_object_get(a, "rule_id")));
		tpl_set(d, "LINK_TEXT", "See the rule");
	} else {
		tpl_setf(d, "ALERT_URL", "%s/alerts/%lld", cfg->base_url,
		    (long long)json_integer_value(json_object_get(a, "id")));
		tpl_set(d, "LINK_TEXT", "See the alert");
		tpl_show(d, "HAS_VALUE");
	}
	tpl_show(d, m->kind == MAIL_RESOLVED ? "RESOLVED" : "OPEN");
	if (m->kind == MAIL_ESCALATED)
		tpl_set_int(tpl_section(d, "ESCALATED"), "LEVEL", m->escalation_level);
	if (m->rule_description && *m->rule_description)
		tpl_show(d, "HAS_DESCRIPTION");
	if (m->recommendation && *m->recommendation)
		tpl_show(d, "HAS_RECOMMENDATION");
	if (ack_url)
		tpl_set(tpl_section(d, "ACK"), "ACK_URL", ack_url);
}

int mail_render_alert(const struct config *cfg, const struct mail_alert *m,
    const char *ack_url, struct mail_msg *out)
{
	const json_t *a = m->alert;
	struct mail_words w;
	struct tpl_dict *d;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	buf_init(&out->text);
	buf_init(&out->html);
	mail_words(m, &w);
	out->subject = mail_subject(m, &w);

	d = tpl_dict_new("mail");
	tpl_set(d, "HEADLINE", w.headline);
	tpl_set(d, "SUBJECT", out->subject);
	tpl_set(d, "SEVERITY", w.sev);
	tpl_set(d, "SEVERITY_UPPER", w.sevup);
	/* a resolve is good news: calm green, not the severity's alarm colour */
	tpl_set(d, "SEVERITY_COLOUR", severity_colour(w.sev));
	tpl_set(d, "ACCENT_COLOUR", m->kind == MAIL_RESOLVED ? "#027a48" : severity_colour(w.sev));
	tpl_set(d, "RULE_NAME", json_str_or(a, "rule_name", ""));
	tpl_set(d, "RULE_DESCRIPTION", m->rule_description ? m->rule_description : "");
	tpl_set(d, "KPI_NAME", m->kpi_name);
	tpl_set(d, "KPI_VALUE", w.latest);
	tpl_set(d, "VALUE", w.shown.value);
	tpl_set(d, "THRESHOLD", w.shown.threshold);
	tpl_set(d, "MESSAGE", m->kind == MAIL_RESOLVED ? w.resolved : json_str_or(a, "message", ""));
	tpl_set(d, "OUT_FOR", w.out_for);
	if (*w.out_for)
		tpl_show(d, "HAS_OUT_FOR");
	tpl_set(d, "WHEN", m->when_local);
	tpl_set(d, "RECOMMENDATION", m->recommendation ? m->recommendation : "");
	tpl_setf(d, "ALERT_ID", "%lld", (long long)json_integer_value(json_object_get(a, "id")));
	tpl_set(d, "KIND", mail_kind_name(m->kind));
	mail_sections(cfg, m, ack_url, d);
	if (tpl_expand("mail/alert.txt.tpl", d, &out->text) == 0 &&
	    tpl_expand("mail/alert.html.tpl", d, &out->html) == 0)
		rc = 0;
	tpl_dict_free(d);
	if (rc < 0)
		mail_msg_free(out);
	return rc;
}

static void group_alert(const struct config *cfg, struct tpl_dict *d, const json_t *a,
    const char *ack_url)
{
	struct tpl_dict *row = tpl_section(d, "ALERT");
	const char *sev = json_str_or(a, "severity", "");
	char up[16];

	snprintf(up, sizeof(up), "%s", sev);
	for (char *p = up; *p; p++)
		*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
	tpl_set(row, "SEVERITY_UPPER", up);
	tpl_set(row, "SEVERITY_COLOUR", severity_colour(sev));
	tpl_set(row, "RULE_NAME", json_str_or(a, "rule_name", ""));
	tpl_set(row, "MESSAGE", json_str_or(a, "message", ""));
	tpl_setf(row, "ALERT_URL", "%s/alerts/%lld", cfg->base_url,
	    (long long)json_integer_value(json_object_get(a, "id")));
	if (ack_url)
		tpl_set(tpl_section(row, "ACK"), "ACK_URL", ack_url);
}

int mail_render_group(const struct config *cfg, enum mail_kind kind, const json_t *alerts,
    const json_t *ack_urls, struct mail_msg *out)
{
	char title[200];
	struct tpl_dict *d = tpl_dict_new("group");
	size_t i, n = json_array_size(alerts);
	const json_t *a;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	buf_init(&out->text);
	buf_init(&out->html);
	notice_group_title(alerts, mail_kind_name(kind), title, sizeof(title));
	out->subject = xasprintf("[goldwatch] %s", title);
	tpl_set(d, "TITLE", title);
	tpl_set(d, "SUBJECT", out->subject);
	tpl_set(d, "ACCENT_COLOUR", kind == MAIL_RESOLVED ? "#027a48" : "#b42318");
	tpl_setf(d, "ALERTS_URL", "%s/alerts", cfg->base_url);
	json_array_foreach(alerts, i, a) {
		if (i == NOTICE_LIST_MAX)
			break;
		group_alert(cfg, d, a, json_string_value(json_array_get(ack_urls, i)));
	}
	if (n > NOTICE_LIST_MAX)
		tpl_set_int(tpl_section(d, "MORE"), "MORE_COUNT", (long)(n - NOTICE_LIST_MAX));
	if (tpl_expand("mail/group.txt.tpl", d, &out->text) == 0 &&
	    tpl_expand("mail/group.html.tpl", d, &out->html) == 0)
		rc = 0;
	tpl_dict_free(d);
	if (rc < 0)
		mail_msg_free(out);
	return rc;
}

int mail_group_acks(struct db *db, const struct config *cfg, const json_t *alerts,
    const char *recipient, json_t **out)
{
	size_t n = json_array_size(alerts) < NOTICE_LIST_MAX ? json_array_size(alerts) :
	    NOTICE_LIST_MAX;
	int64_t *ids = xcalloc(n + 1, sizeof(*ids));
	const char **to = xcalloc(n + 1, sizeof(*to));
	char **urls = xcalloc(n + 1, sizeof(*urls));
	int rc;

	for (size_t i = 0; i < n; i++) {
		ids[i] = json_integer_value(json_object_get(json_array_get(alerts, i), "id"));
		to[i] = recipient;
	}
	rc = ack_links_for(db, cfg, n, ids, to, urls);
	*out = rc < 0 ? NULL : json_array();
	for (size_t i = 0; i < n; i++) {
		if (*out)
			json_array_append_new(*out, urls[i] ? json_string(urls[i]) : json_null());
		free(urls[i]);
	}
	free(ids);
	free(to);
	free(urls);
	return rc;
}

void outbox_init(struct outbox *o)
{
	memset(o, 0, sizeof(*o));
	db_arr_begin(&o->kind);
	db_arr_begin(&o->alert_id);
	db_arr_begin(&o->rule_id);
	db_arr_begin(&o->recipient);
	db_arr_begin(&o->subject);
	db_arr_begin(&o->text);
	db_arr_begin(&o->html);
	db_arr_begin(&o->dedup);
	db_arr_begin(&o->channel);
	db_arr_begin(&o->cp);
	db_arr_begin(&o->alert_ids);
	db_arr_begin(&o->payload);
}

static void add_cp(struct outbox *o)
{
	if (o->contact_point > 0)
		db_arr_i64(&o->cp, o->contact_point);
	else
		db_arr_null(&o->cp);
}

/* A mail row about alert_ids (an SQL array text; alert_id its first, or none). */
static void add_mail(struct outbox *o, enum mail_kind kind, int64_t alert_id, const char *ids,
    int64_t rule_id, const char *recipient, const struct mail_msg *m, const char *dedup_key)
{
	db_arr_str(&o->kind, mail_kind_name(kind));
	if (alert_id > 0)
		db_arr_i64(&o->alert_id, alert_id);
	else
		db_arr_null(&o->alert_id);
	if (rule_id > 0)
		db_arr_i64(&o->rule_id, rule_id);
	else
		db_arr_null(&o->rule_id);
	db_arr_str(&o->recipient, recipient);
	db_arr_str(&o->subject, m->subject);
	db_arr_str(&o->text, m->text.data ? m->text.data : "");
	db_arr_str(&o->html, m->html.data ? m->html.data : "");
	db_arr_str(&o->dedup, dedup_key);
	db_arr_str(&o->channel, "email");
	add_cp(o);
	db_arr_str(&o->alert_ids, ids);
	db_arr_null(&o->payload);
	o->n++;
}

void outbox_add(struct outbox *o, enum mail_kind kind, int64_t alert_id,
    int64_t rule_id, const char *recipient, const struct mail_msg *m,
    const char *dedup_key)
{
	char ids[32] = "{}";

	if (alert_id > 0)
		snprintf(ids, sizeof(ids), "{%lld}", (long long)alert_id);
	add_mail(o, kind, alert_id, ids, rule_id, recipient, m, dedup_key);
}

void outbox_add_group(struct outbox *o, enum mail_kind kind, int64_t first_alert,
    const char *alert_ids, const char *recipient, const struct mail_msg *m)
{
	add_mail(o, kind, first_alert, alert_ids, 0, recipient, m, NULL);
}

void outbox_add_http(struct outbox *o, const char *kind, int64_t first_alert,
    const char *alert_ids, const char *channel, const char *target, const char *title,
    const char *text, const char *payload)
{
	db_arr_str(&o->kind, kind);
	db_arr_i64(&o->alert_id, first_alert);
	db_arr_null(&o->rule_id);
	db_arr_str(&o->recipient, target);
	db_arr_str(&o->subject, title);
	db_arr_str(&o->text, text);
	db_arr_str(&o->html, "");
	db_arr_null(&o->dedup);
	db_arr_str(&o->channel, channel);
	add_cp(o);
	db_arr_str(&o->alert_ids, alert_ids);
	db_arr_str(&o->payload, payload);
	o->n++;
}

/*
 * The id is drawn here (nextval in the subquery's target list runs once
 * per row) so that the Message-ID can name it; $9 is its domain.
 */
DB_STMT(q_outbox_insert,
    "INSERT INTO mail_outbox (id, kind, alert_id, rule_id, recipient, subject, body_text,"
    "                         body_html, dedup_key, message_id, channel, contact_point_id,"
    "                         alert_ids, payload)"
    " SELECT i, k, a, r, rc, s, t, h, d,"
    "        format('<gw.%s.%s@%s>', i, left(md5(gen_random_uuid()::text), 16), $9::text),"
    "        ch, cp, ids::bigint[], pl"
    "   FROM (SELECT nextval('mail_outbox_id_seq') AS i, u.*"
    "           FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[],"
    "                       $6::text[], $7::text[], $8::text[], $10::text[], $11::bigint[],"
    "                       $12::text[], $13::text[])"
    "                AS u(k, a, r, rc, s, t, h, d, ch, cp, ids, pl)) q"
    " ON CONFLICT (dedup_key) DO NOTHING");

int outbox_flush(struct db *db, const struct config *cfg, struct outbox *o)
{
	char domain[256];
	PGresult *r;
	int n;

	if (o->n == 0)
		return 0;
	r = DB_EXEC(db, &q_outbox_insert, db_arr_end(&o->kind), db_arr_end(&o->alert_id),
	    db_arr_end(&o->rule_id), db_arr_end(&o->recipient), db_arr_end(&o->subject),
	    db_arr_end(&o->text), db_arr_end(&o->html), db_arr_end(&o->dedup),
	    mime_message_domain(cfg->from_email, domain, sizeof(domain)),
	    db_arr_end(&o->channel), db_arr_end(&o->cp), db_arr_end(&o->alert_ids),
	    db_arr_end(&o->payload));
	outbox_free(o);
	outbox_init(o);
	if (r == NULL)
		return -1;
	n = atoi(PQcmdTuples(r));
	PQclear(r);
	return n;
}

void outbox_free(struct outbox *o)
{
	buf_free(&o->kind);
	buf_free(&o->alert_id);
	buf_free(&o->rule_id);
	buf_free(&o->recipient);
	buf_free(&o->subject);
	buf_free(&o->text);
	buf_free(&o->html);
	buf_free(&o->dedup);
	buf_free(&o->channel);
	buf_free(&o->cp);
	buf_free(&o->alert_ids);
	buf_free(&o->payload);
	o->n = 0;
}

int mail_queue_alert(struct db *db, const struct config *cfg, struct outbox *o,
    const struct mail_alert *m, const json_t *recipients, int64_t rule_id,
    const char *dedup_prefix)
{
	size_t i;
	const json_t *rcpt;
	int64_t alert_id = json_integer_value(json_object_get(m->alert, "id"));

	size_t n = 0;
	const char **to = xcalloc(json_array_size(recipients) + 1, sizeof(*to));
	int64_t *ids = xcalloc(json_array_size(recipients) + 1, sizeof(*ids));
	char **urls = xcalloc(json_array_size(recipients) + 1, sizeof(*urls));
	int rc = 0;

	json_array_foreach(recipients, i, rcpt)
		if (json_string_value(rcpt) != NULL) {
			ids[n] = alert_id;
			to[n++] = json_string_value(rcpt);
		}
	/* the links of every recipient at once: no round trip per recipient */
	if (mail_kind_may_ack(m->kind) && ack_links_for(db, cfg, n, ids, to, urls) < 0)
		rc = -1;
	for (i = 0; rc == 0 && i < n; i++) {
		struct mail_msg msg;
		char *dedup = NULL;

		if (mail_render_alert(cfg, m, urls[i], &msg) < 0) {
			rc = -1;
			break;
		}
		if (dedup_prefix)
			dedup = xasprintf("%s:%s", dedup_prefix, to[i]);
		outbox_add(o, m->kind, alert_id, rule_id, to[i], &msg, dedup);
		free(dedup);
		mail_msg_free(&msg);
	}
	for (i = 0; i < n; i++)
		free(urls[i]);
	free(urls);
	free(ids);
	free(to);
	return rc;
}

DB_STMT(q_rule_for_test,
    "SELECT r.id, r.name, r.kpi_key, r.condition, r.threshold, r.severity,"
    "       to_json(r.recipients)::text AS recipients, " MAIL_FACT_COLUMNS ","
    "       (SELECT s.value FROM kpi_samples s WHERE s.kpi_key = r.kpi_key"
    "           AND s.source <> 'backfill'"
    "         ORDER BY s.sampled_at DESC, s.id DESC LIMIT 1) AS latest,"
    "       " MAIL_WHEN_SQL("now()", "$2") " AS now_local"
    "  FROM alert_rules r JOIN kpis k ON k.key = r.kpi_key WHERE r.id = $1::bigint");

enum store_rc mail_queue_rule_test(struct db *db, const struct config *cfg, int64_t rule_id,
    json_t **recipients)
{
	char idb[24], msg[512];
	PGresult *r;
	json_t *rcpt = NULL, *alert = NULL;
	struct outbox o;
	struct mail_alert m;
	enum store_rc rc = ST_ERROR;

	*recipients = NULL;
	outbox_init(&o);
	r = DB_EXEC(db, &q_rule_for_test, db_i64_param(rule_id, idb), cfg->timezone);
	if (r == NULL)
		goto out;
	if (PQntuples(r) == 0) {
		rc = ST_NOT_FOUND;
		goto out;
	}
	rcpt = json_loads(db_str(r, 0, "recipients"), 0, NULL);
	if (json_array_size(rcpt) == 0) {
		rc = ST_INVALID;
		goto out;
	}
	snprintf(msg, sizeof(msg), "This is a test message of the rule \"%s\": no alert is open."
	    " When the rule fires, its recipients get a message like this one.",
	    db_str(r, 0, "name"));
	alert = json_pack("{sI sI ss ss ss sf sf ss ss}", "id", (json_int_t)0,
	    "rule_id", (json_int_t)rule_id, "rule_name", db_str(r, 0, "name"),
	    "kpi", db_str(r, 0, "kpi_key"), "condition", db_str(r, 0, "condition"),
	    "threshold", db_f64(r, 0, "threshold"), "value", 0.0,
	    "severity", db_str(r, 0, "severity"), "message", msg);
	mail_alert_of(&m, MAIL_TEST, alert, r, 0, db_str(r, 0, "now_local"),
	    db_isnull(r, 0, "latest") ? NAN : db_f64(r, 0, "latest"));
	if (mail_queue_alert(db, cfg, &o, &m, rcpt, rule_id, NULL) < 0 || outbox_flush(db, cfg, &o) < 0)
		goto out;
	*recipients = json_incref(rcpt);
	rc = ST_OK;
out:
	PQclear(r);
	json_decref(rcpt);
	json_decref(alert);
	outbox_free(&o);
	return rc;
}
