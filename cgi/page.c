/*
 * page.c - see page.h.
 */
#include "page.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fmt.h"

#include "alert_store.h"
#include "app.h"
#include "json_out.h"
#include "csp.h"
#include "event.h"

/* Where the live connection of the page starts: the log's end as rendered. */
DB_STMT(q_page_last_event, "SELECT coalesce(max(id), 0) AS id FROM events");

void page_begin(struct page *p, struct request *req, const char *title,
    const char *content_file, const char *nav)
{
	const char *flash;

	p->file = content_file;
	p->root = tpl_dict_new("page");
	tpl_set(p->root, "TITLE", title);
	tpl_set(p->root, "PAGE", content_file);
	tpl_set(p->root, "TZ", req->cfg->timezone);   /* live times in the shop's zone */
	if (req->authenticated) {
		tpl_show(p->root, "SIGNED_IN");
		tpl_set_global(p->root, "USERNAME", req->who.username);
		tpl_set_global(p->root, "ROLE", role_name(req->who.role));
		tpl_set_global(p->root, "CSRF", req->who.csrf);
		page_roles(req, p->root);   /* the layout's links for admins */
		{
			PGresult *r = DB_EXEC0(req->db, &q_page_last_event);
			tpl_set(p->root, "LAST_EVENT", r ? db_str(r, 0, "id") : "0");
			PQclear(r);
		}
	}
	if (nav) {
		char section[32];
		snprintf(section, sizeof(section), "NAV_%s", nav);
		tpl_show(p->root, section);
	}
	flash = req_cookie(req, "gw_flash");
	if (flash && *flash) {
		char *text = pool_strdup(req->pool, flash);
		if (url_decode(text) == 0 && utf8_valid_text(text, strlen(text))) {
			const char *colon = strchr(text, ':');
			struct tpl_dict *f = tpl_section(p->root, "FLASH");
			int ok = colon && (strncmp(text, "ok:", 3) == 0 ||
			    strncmp(text, "error:", 6) == 0);
			tpl_set(f, "FLASH_KIND", ok && text[0] == 'e' ? "error" : "ok");
			tpl_set(f, "FLASH_TEXT", ok ? colon + 1 : text);
		}
		req_header(req, "Set-Cookie: gw_flash=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
	}
	p->content = tpl_include(p->root, "CONTENT", content_file);
	page_roles(req, p->content);
}

void page_roles(const struct request *req, struct tpl_dict *d)
{
	if (!req->authenticated)
		return;
	if (req->who.role >= ROLE_OPERATOR)
		tpl_show(d, "CAN_OPERATE");
	if (req->who.role >= ROLE_ADMIN)
		tpl_show(d, "CAN_ADMIN");
	else
		tpl_show(d, "READ_ONLY");
}

int page_end(struct page *p, struct request *req, int status)
{
	struct buf html;
	int rc;

	buf_init(&html);
	if (tpl_expand("layout.html.tpl", p->root, &html) < 0) {
		tpl_dict_free(p->root);
		buf_free(&html);
		return req_error(req, 500, "template", NULL, "the page could not be rendered");
	}
	tpl_dict_free(p->root);
	p->root = p->content = NULL;
	req_header(req, "Content-Security-Policy: " PAGE_CSP);
	req_header(req, "X-Frame-Options: DENY");
	req_header(req, "Referrer-Policy: same-origin");
	req_header(req, "Cache-Control: no-store");
	rc = req_html(req, status, &html);
	buf_free(&html);
	return rc;
}

void page_flash(struct request *req, const char *kind, const char *text)
{
	struct buf v;

	buf_init(&v);
	buf_printf(&v, "%s:", kind);
	url_encode(&v, text);
	req_header(req, "Set-Cookie: gw_flash=%s; Path=/; Max-Age=60; HttpOnly; SameSite=Strict",
	    v.data);
	buf_free(&v);
}

int page_local_path(const char *s)
{
	if (s == NULL || s[0] != '/' || s[1] == '/' || s[1] == '\\')
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == '\\' || (unsigned char)*s == 0x7f)
			return 0;
	return 1;
}

int page_error(struct request *req, int status, const char *message)
{
	struct page p;

	page_begin(&p, req, status_text(status), "error.html.tpl", NULL);
	tpl_set_int(p.content, "STATUS", status);
	tpl_set(p.content, "STATUS_TEXT", status_text(status));
	tpl_set(p.content, "MESSAGE", message);
	return page_end(&p, req, status);
}

void page_time(struct tpl_dict *d, const char *key, const char *iso)
{
	char k2[64], out[48];
	int64_t us;
	time_t secs;
	struct tm tm;

	snprintf(k2, sizeof(k2), "%s_ISO", key);
	if (iso == NULL || time_parse_iso(iso, &us) < 0) {
		tpl_set(d, key, "");
		tpl_set(d, k2, "");
		return;
	}
	secs = (time_t)(us / 1000000);
	localtime_r(&secs, &tm);
	strftime(out, sizeof(out), "%d %b %Y %H:%M", &tm);
	tpl_set(d, key, out);
	tpl_set(d, k2, iso);
}

struct kpi_names {
	PGresult *r;
};

/* in strcmp's order whatever the database's collation: kpi_row() bisects it */
DB_STMT(q_kpi_names, "SELECT key, name, unit FROM kpis ORDER BY key COLLATE \"C\"");

struct kpi_names *kpi_names_load(struct request *req)
{
	struct kpi_names *k = pool_alloc(req->pool, sizeof(*k));

	k->r = DB_EXEC(req->db, &q_kpi_names);
	return k->r ? k : NULL;
}

static int kpi_row(const struct kpi_names *k, const char *key)
{
	int lo = 0, hi = k ? PQntuples(k->r) - 1 : -1;

	while (key && lo <= hi) {
		int mid = (lo + hi) / 2, c = strcmp(PQgetvalue(k->r, mid, 0), key);
		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

const char *kpi_names_unit(const struct kpi_names *k, const char *key)
{
	int i = kpi_row(k, key);
	return i < 0 ? "" : PQgetvalue(k->r, i, 2);
}

const char *kpi_names_name(const struct kpi_names *k, const char *key)
{
	int i = kpi_row(k, key);
	return i < 0 ? key : PQgetvalue(k->r, i, 1);
}

int kpi_names_count(const struct kpi_names *k)
{
	return k ? PQntuples(k->r) : 0;
}

const char *kpi_names_key_at(const struct kpi_names *k, int i)
{
	return PQgetvalue(k->r, i, 0);
}

const char *kpi_names_name_at(const struct kpi_names *k, int i)
{
	return PQgetvalue(k->r, i, 1);
}

void kpi_names_free(struct kpi_names *k)
{
	if (k)
		PQclear(k->r);
}

void page_alert(const struct request *req, struct tpl_dict *d, const json_t *a,
    const struct kpi_names *k)
{
	const char *kpi = json_str_or(a, "kpi", NULL), *cond = json_str_or(a, "condition", NULL);
	enum cond c = cond_parse(cond);
	struct fmt_observed shown;
	const json_t *rule = json_object_get(a, "rule_id");

	tpl_setf(d, "ALERT_ID", "%lld", (long long)json_integer_value(json_object_get(a, "id")));
	tpl_set(d, "RULE_NAME", json_str_or(a, "rule_name", NULL));
	if (json_is_integer(rule)) {
		struct tpl_dict *l = tpl_section(d, "HAS_RULE");
		tpl_setf(l, "RULE_ID", "%lld", (long long)json_integer_value(rule));
	}
	tpl_set(d, "KPI", kpi);
	tpl_set(d, "KPI_NAME", kpi_names_name(k, kpi));
	tpl_set(d, "SEVERITY", json_str_or(a, "severity", NULL));
	tpl_set(d, "STATE", json_str_or(a, "state", NULL));
	tpl_set(d, "MESSAGE", json_str_or(a, "message", NULL));
	tpl_set(d, "CONDITION", cond);
	fmt_observed(c, json_number_value(json_object_get(a, "value")),
	    json_number_value(json_object_get(a, "threshold")), kpi_names_unit(k, kpi), &shown);
	tpl_set(d, "VALUE", shown.value);
	tpl_set(d, "THRESHOLD", shown.threshold);
	page_time(d, "TRIGGERED", json_str_or(a, "triggered_at", NULL));
	page_time(d, "ACKNOWLEDGED", json_str_or(a, "acknowledged_at", NULL));
	page_time(d, "RESOLVED", json_str_or(a, "resolved_at", NULL));
	tpl_set(d, "ACKNOWLEDGED_BY", json_str_or(a, "acknowledged_by", NULL));
	tpl_set(d, "ACK_NOTE", json_str_or(a, "ack_note", NULL));
	tpl_setf(d, "ESCALATION_LEVEL", "%lld",
	    (long long)json_integer_value(json_object_get(a, "escalation_level")));
	if (json_str_or(a, "acknowledged_by", NULL))
		tpl_show(d, "WAS_ACKED");
	if (json_str_or(a, "resolved_at", NULL))
		tpl_show(d, "WAS_RESOLVED");
	if (json_is_true(json_object_get(a, "silenced")))
		tpl_show(d, "SILENCED");
	if (strcmp(json_str_or(a, "state", NULL) ? json_str_or(a, "state", NULL) : "", "firing") == 0)
		tpl_show(d, "IS_FIRING");
	page_roles(req, d);
}

const char *page_note_refused(const char *note, const struct verror *err, char *buf,
    size_t len)
{
	const struct vfield *f = valid_field(ack_fields, ack_nfields, "note");

	if (utf8_valid_text(note, strlen(note)) && utf8_len(note) > (size_t)f->max) {
		snprintf(buf, len, "The note is too long: at most %lld characters.", (long long)f->max);
		return buf;
	}
	return err->message;
}

void page_events(struct tpl_dict *d, const PGresult *events)
{
	for (int i = 0; i < PQntuples(events); i++) {
		json_t *e = event_json(events, i);
		struct tpl_dict *s = tpl_section(d, "EVENT");
		const char *type = json_string_value(json_object_get(e, "type"));
		/* an acknowledgement's note, for the timeline */
		const char *note = json_str_or(json_object_get(e, "data"), "ack_note", NULL);

		tpl_set(s, "EVENT_TEXT", json_string_value(json_object_get(e, "text")));
		if (note && strcmp(type, "alert.acknowledged") == 0)
			tpl_set(tpl_section(s, "EVENT_NOTE"), "NOTE", note);
		tpl_set(s, "EVENT_KIND", strchr(type, '.') ? strchr(type, '.') + 1 : type);
		page_time(s, "AT", json_string_value(json_object_get(e, "at")));
		json_decref(e);
	}
}

void page_append_param(struct buf *b, const char *key, const char *value)
{
	if (value == NULL || *value == '\0')
		return;
	buf_putc(b, b->len ? '&' : '?');
	buf_puts(b, key);
	buf_putc(b, '=');
	url_encode(b, value);
}

const char *page_form(const struct request *req, const char *key)
{
	const char *v = req_form(req, key);
	return v ? v : "";
}

/* text as a JSON integer (the forms' grammar: "1,440" too), or as the string it is when it is not one */
static json_t *number_or_text(const char *text)
{
	int64_t n;

	if (valid_form_int(text, &n) == 0)
		return json_integer(n);
	return json_string(text);
}

json_t *page_form_all(const struct request *req, const char *prefix, int ints)
{
	json_t *a = json_array();
	size_t n = strlen(prefix);

	for (size_t i = 0; i < req->nform; i++) {
		const char *v = req->form[i].key + n;
		if (strncmp(req->form[i].key, prefix, n) == 0 && *v && *req->form[i].value)
			json_array_append_new(a, ints ? number_or_text(v) : json_string(v));
	}
	return a;
}

json_t *page_form_number(const struct request *req, const char *key)
{
	const char *v = page_form(req, key);

	return *v ? number_or_text(v) : NULL;
}

static int has_id(const json_t *ids, json_int_t id)
{
	const json_t *v;
	size_t i;

	json_array_foreach(ids, i, v)
		if (json_is_integer(v) && json_integer_value(v) == id)
			return 1;
	return 0;
}

void page_id_options(struct tpl_dict *d, const char *section, const json_t *items,
    const json_t *selected)
{
	const json_t *cp;
	size_t i;

	json_array_foreach(items, i, cp) {
		json_int_t id = json_integer_value(json_object_get(cp, "id"));
		struct tpl_dict *o = tpl_section(d, section);
		tpl_setf(o, "V", "%lld", (long long)id);
		tpl_set(o, "LABEL", json_string_value(json_object_get(cp, "name")));
		if (has_id(selected, id))
			tpl_show(o, "SEL");
	}
}

void page_option(struct tpl_dict *d, const char *section, const char *value,
    const char *label, const char *selected)
{
	struct tpl_dict *o = tpl_section(d, section);

	tpl_set(o, "V", value);
	if (label)
		tpl_set(o, "LABEL", label);
	if (selected && strcmp(selected, value) == 0)
		tpl_show(o, "SEL");
}

void page_kpi_options(struct tpl_dict *d, const struct kpi_names *k, const char *selected)
{
	for (int i = 0; i < kpi_names_count(k); i++)
		page_option(d, "KPI_OPT", kpi_names_key_at(k, i), kpi_names_name_at(k, i), selected);
}
