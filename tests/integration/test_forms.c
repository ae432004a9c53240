/*
 * test_forms.c - the staff pages' forms as a browser without JavaScript
 * uses them: the form is read from the page (inputs, textareas, selects,
 * checkboxes, the way HTML submits them, line breaks as CRLF), posted back
 * with the session cookie and the CSRF token, and what was stored is read
 * through the JSON API.
 *
 * Cases: every field of the rule edit form round-trips unchanged (lists of
 * addresses, multi-line text, numbers like 0.5, -3 and 1e3), and the new
 * form makes what its fields say; a refused submit of the rule, silence
 * and sign-in forms shows every field as sent, and the alert filters come
 * back as sent; the number and address-list grammars (no hex, one address
 * per line, the error at the field; query parameters too); the enable
 * switch changes only "enabled" and cannot undo an edit made while it
 * waits for the rule's lock.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "integration.h"
#include "rule_store.h"
#include "util.h"

#define KPI "f_forms"
#define RULE_FORM "id=\"rule-form\""
#define SILENCE_FORM "action=\"/silences\" class=\"form\""
#define FILTER_FORM "aria-label=\"Filter alerts\""

/* ------------------------------------------------------------------ */
/* a browser's reading of a form                                      */

struct field {
	char *name, *value;
};

struct form {
	char *action;
	struct field f[64];
	int n;
};

static void form_free(struct form *fm)
{
	free(fm->action);
	for (int i = 0; i < fm->n; i++) {
		free(fm->f[i].name);
		free(fm->f[i].value);
	}
	fm->n = 0;
}

/* Decodes the entities ctemplate's HTML escaping writes (and numeric ones). */
static char *html_text(const char *s, size_t n)
{
	static const struct { const char *ent, *ch; } ents[] = {
		{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"},
	};
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < n; ) {
		size_t k, used = 0;
		for (k = 0; s[i] == '&' && k < GW_ARRAY_LEN(ents); k++)
			if (strncmp(s + i, ents[k].ent, strlen(ents[k].ent)) == 0) {
				buf_puts(&b, ents[k].ch);
				used = strlen(ents[k].ent);
				break;
			}
		if (!used && s[i] == '&' && s[i + 1] == '#' && isdigit((unsigned char)s[i + 2])) {
			char *end;
			long c = strtol(s + i + 2, &end, 10);
			if (*end == ';' && c > 0 && c < 128) {
				buf_putc(&b, (char)c);
				used = (size_t)(end + 1 - (s + i));
			}
		}
		if (!used) {
			buf_putc(&b, s[i]);
			used = 1;
		}
		i += used;
	}
	if (b.data == NULL)
		buf_puts(&b, "");
	return buf_detach(&b);
}

/* The value of attribute name in the tag [tag, end), or NULL (caller frees). */
static char *attr(const char *tag, const char *end, const char *name)
{
	char pat[64];
	const char *p, *q;

	snprintf(pat, sizeof(pat), " %s=\"", name);
	p = strstr(tag, pat);
	if (p == NULL || p > end)
		return NULL;
	p += strlen(pat);
	q = strchr(p, '"');
	return q && q <= end ? html_text(p, (size_t)(q - p)) : NULL;
}

static int has_word(const char *tag, const char *end, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = tag; p && p + n <= end; p = strstr(p + 1, word))
		if (strncmp(p, word, n) == 0 && p[-1] == ' ' && (p[n] == ' ' || p[n] == '>'))
			return 1;
	return 0;
}

static void add_field(struct form *fm, char *name, char *value)
{
	if (fm->n < (int)GW_ARRAY_LEN(fm->f)) {
		fm->f[fm->n].name = name;
		fm->f[fm->n].value = value;
		fm->n++;
	} else {
		free(name);
		free(value);
	}
}

/* The successful controls of the <form> whose tag holds marker, as HTML submits them. */
static int read_form(const char *html, const char *marker, struct form *fm)
{
	const char *start, *stop, *p;

	memset(fm, 0, sizeof(*fm));
	if ((start = strstr(html, marker)) == NULL || (stop = strstr(start, "</form>")) == NULL)
		return -1;
	while (start > html && strncmp(start, "<form", 5) != 0)
		start--;
	fm->action = attr(start, strchr(start, '>'), "action");
	for (p = start; (p = strchr(p + 1, '<')) != NULL && p < stop; ) {
		const char *end = strchr(p, '>');
		char *name = attr(p, end, "name");
		if (name == NULL)
			continue;
		if (strncmp(p, "<input", 6) == 0) {
			char *type = attr(p, end, "type"), *value = attr(p, end, "value");
			if (type && strcmp(type, "checkbox") == 0 && !has_word(p, end, "checked")) {
				free(name);
				free(value);
			} else {
				add_field(fm, name, value ? value : xstrdup(type && !strcmp(type, "checkbox") ? "on" : ""));
			}
			free(type);
		} else if (strncmp(p, "<textarea", 9) == 0) {
			const char *text = end + 1, *close = strstr(text, "</textarea>");
			/* HTML drops one line break right after the start tag */
			if (*text == '\n')
				text++;
			add_field(fm, name, html_text(text, (size_t)(close - text)));
		} else if (strncmp(p, "<select", 7) == 0) {
			const char *close = strstr(end, "</select>"), *o;
			char *chosen = NULL;
			for (o = strstr(end, "<option"); o && o < close; o = strstr(o + 1, "<option")) {
				const char *oend = strchr(o, '>');
				if (chosen == NULL || has_word(o, oend, "selected")) {
					free(chosen);
					chosen = attr(o, oend, "value");
					if (has_word(o, oend, "selected"))
						break;
				}
			}
			add_field(fm, name, chosen ? chosen : xstrdup(""));
		} else {
			free(name);
		}
	}
	return 0;
}

static const char *form_get(const struct form *fm, const char *name)
{
	for (int i = 0; i < fm->n; i++)
		if (strcmp(fm->f[i].name, name) == 0)
			return fm->f[i].value;
	return NULL;
}

static void form_set(struct form *fm, const char *name, const char *value)
{
	for (int i = 0; i < fm->n; i++)
		if (strcmp(fm->f[i].name, name) == 0) {
			free(fm->f[i].value);
			fm->f[i].value = xstrdup(value);
			return;
		}
	add_field(fm, xstrdup(name), xstrdup(value));
}

/* application/x-www-form-urlencoded, line breaks as CRLF as browsers send them. */
static char *form_body(const struct form *fm)
{
	struct buf b, v;

	buf_init(&b);
	buf_init(&v);
	for (int i = 0; i < fm->n; i++) {
		buf_reset(&v);
		for (const char *s = fm->f[i].value; *s; s++) {
			if (*s == '\n')
				buf_putc(&v, '\r');
			buf_putc(&v, *s);
		}
		if (i)
			buf_putc(&b, '&');
		url_encode(&b, fm->f[i].name);
		buf_putc(&b, '=');
		url_encode(&b, v.data ? v.data : "");
	}
	buf_free(&v);
	if (b.data == NULL)
		buf_puts(&b, "");
	return buf_detach(&b);
}

/* ------------------------------------------------------------------ */
/* the admin's browser                                                 */

static char cookie[256];

static void browser(void)
{
	snprintf(cookie, sizeof(cookie), "Cookie: gw_session=%s", fixture_users()->admin);
}

static struct http_resp page_get(const char *path)
{
	const char *h[] = {cookie, NULL};
	browser();
	return http_do("GET", path, h, NULL, 0);
}

static struct http_resp page_post(const char *path, const char *body)
{
	const char *h[] = {cookie, "Content-Type: application/x-www-form-urlencoded", NULL};
	browser();
	return http_do("POST", path, h, body, strlen(body));
}

/* Loads the edit form of rule id as a browser reads it. */
static int rule_edit_form(long long id, struct form *fm)
{
	char path[64];
	struct http_resp r;
	int rc;

	snprintf(path, sizeof(path), "/rules/%lld", id);
	r = page_get(path);
	EXPECT_STATUS(r, 200);
	rc = r.body ? read_form(r.body, RULE_FORM, fm) : -1;
	http_free(&r);
	return rc;
}

static json_t *rule_api(long long id)
{
	json_t *j = rule_of(id);

	json_object_del(j, "updated_at");
	/* what the rule is doing, not what it says: derived from enabled and its alerts */
	json_object_del(j, "status");
	json_object_del(j, "pending_count");
	json_object_del(j, "last_value");
	json_object_del(j, "last_evaluated_at");
	return j;
}

/* The suite's KPI, made by the first case that needs it (asserts need a running test). */
static long long forms_rule(const char *json)
{
	static int kpi_made;

	if (!kpi_made) {
		if (SQL_INT("SELECT count(*) FROM kpis WHERE key = $1", KPI) == 0)
			make_push_kpi(KPI, 0);
		kpi_made = 1;
	}
	return make_rule(json);
}

/* ------------------------------------------------------------------ */
/* the cases                                                           */

/* Rules that use every field, each with unusual but valid values. */
static const char *const full_rules[] = {
	"{\"name\":\"Fall \\\"sharp\\\" & <fast> — ünïcode\",\"kpi\":\"" KPI "\","
	"\"description\":\"First line\\nsecond line\\n\\n\\tindented & <b>bold</b> \\\"quoted\\\"\\n\","
	"\"condition\":\"pct_change_lt\",\"threshold\":-3,\"window_minutes\":30,"
	"\"severity\":\"critical\",\"cooldown_minutes\":0,\"for_evaluations\":3,"
	"\"recipients\":[\"owner@shop.example\",\"manager@shop.example\"],\"notify_resolved\":false,"
	"\"escalation\":{\"after_minutes\":45,\"recipients\":[\"boss@shop.example\",\"night@shop.example\"]},"
	"\"enabled\":false}",
	"{\"name\":\"half\",\"kpi\":\"" KPI "\",\"description\":\"\\nstarts with a blank line\","
	"\"condition\":\"gte\",\"threshold\":0.5,\"severity\":\"info\",\"cooldown_minutes\":10080,"
	"\"for_evaluations\":100,\"recipients\":[\"a@shop.example\",\"b@shop.example\",\"c@shop.example\"],"
	"\"notify_resolved\":true,\"escalation\":null,\"enabled\":true}",
	"{\"name\":\"unusual\",\"kpi\":\"" KPI "\",\"description\":\"\",\"condition\":\"zscore_gt\","
	"\"threshold\":1e3,\"window_samples\":12,\"severity\":\"warning\",\"recipients\":[],"
	"\"notify_resolved\":false,\"enabled\":true}",
	"{\"name\":\"fractions\",\"kpi\":\"" KPI "\",\"condition\":\"lt\",\"threshold\":-0.000125,"
	"\"severity\":\"warning\",\"recipients\":[\"x@shop.example\"],"
	"\"escalation\":{\"after_minutes\":1,\"recipients\":[\"y@shop.example\"]}}",
	"{\"name\":\"big\",\"kpi\":\"" KPI "\",\"condition\":\"neq\",\"threshold\":1234567.891,"
	"\"severity\":\"warning\"}",
	/* windows shown in days and weeks, a seasonal baseline */
	"{\"name\":\"a day\",\"kpi\":\"" KPI "\",\"condition\":\"pct_change_abs_gt\","
	"\"threshold\":3,\"window_minutes\":1440,\"severity\":\"warning\"}",
	"{\"name\":\"usual\",\"kpi\":\"" KPI "\",\"condition\":\"seasonal_pct_lt\","
	"\"threshold\":-50,\"window_weeks\":12,\"severity\":\"warning\",\"active_hours\":\"open\"}",
};

/* Loading the edit form and saving it unchanged changes nothing. */
static void t_rule_edit_round_trip(void)
{
	for (size_t i = 0; i < GW_ARRAY_LEN(full_rules); i++) {
		long long id = forms_rule(full_rules[i]);
		json_t *before = rule_api(id), *after;
		struct form fm;
		struct http_resp r;
		char *body;

		CU_ASSERT_EQUAL_FATAL(rule_edit_form(id, &fm), 0);
		body = form_body(&fm);
		r = page_post(fm.action, body);
		if (r.status != 303)
			fprintf(stderr, "\n    rule %zu: status %ld: %.400s\n", i, r.status,
			    r.body && strstr(r.body, "<form") ? strstr(r.body, "<form") : "");
		EXPECT_STATUS(r, 303);
		http_free(&r);
		after = rule_api(id);
		if (!json_equal(before, after)) {
			char *a = json_dumps(before, JSON_SORT_KEYS), *b = json_dumps(after, JSON_SORT_KEYS);
			fprintf(stderr, "\n    rule %zu changed:\n    %s\n    %s\n", i, a, b);
			free(a);
			free(b);
		}
		CU_ASSERT_TRUE(json_equal(before, after));
		json_decref(before);
		json_decref(after);
		free(body);
		form_free(&fm);
	}
}

/*
 * The new-rule form has the edit form's fields; filled with a rule's
 * values it creates the same rule.
 */
/* Posts fm to /rules (the new-rule form): the new rule's id, 0 if it was not made. */
static long long post_new_rule(const struct form *fm)
{
	char *body = form_body(fm);
	struct http_resp r = page_post("/rules", body);

	free(body);
	EXPECT_STATUS(r, 303);
	return form_created_id(&r, "/rules/");
}

/* Two rules (rule_api) are the same but for their id and times; takes both. */
static void expect_same_rule(json_t *want, json_t *got)
{
	json_object_del(want, "id");
	json_object_del(want, "created_at");
	json_object_del(got, "id");
	json_object_del(got, "created_at");
	CU_ASSERT_TRUE(json_equal(want, got));
	json_decref(want);
	json_decref(got);
}

static void t_rule_new_form(void)
{
	for (size_t i = 0; i < GW_ARRAY_LEN(full_rules); i++) {
		long long id = forms_rule(full_rules[i]), copy;
		json_t *want = rule_api(id);
		struct form edit, blank;
		struct http_resp r;

		CU_ASSERT_EQUAL_FATAL(rule_edit_form(id, &edit), 0);
		r = page_get("/rules/new");
		EXPECT_STATUS(r, 200);
		CU_ASSERT_EQUAL_FATAL(read_form(r.body ? r.body : "", RULE_FORM, &blank), 0);
		http_free(&r);
		CU_ASSERT_STRING_EQUAL(blank.action, "/rules");
		for (int k = 0; k < edit.n; k++) {
			/* unchecked boxes are not sent, so only text fields must all be there */
			if (strcmp(edit.f[k].name, "enabled") && strcmp(edit.f[k].name, "notify_resolved"))
				CU_ASSERT_PTR_NOT_NULL(form_get(&blank, edit.f[k].name));
		}
		copy = post_new_rule(&edit);
		CU_ASSERT_TRUE_FATAL(copy > id);
		expect_same_rule(want, rule_api(copy));
		form_free(&edit);
		form_free(&blank);
	}
}

/*
 * The new-rule form starts from the API's defaults (rule_fields): each
 * optional field shows its table default, and saved with only the required
 * fields filled in, it makes the rule the API makes from those alone.
 */
static void t_rule_new_form_defaults(void)
{
	long long api_id = forms_rule("{\"name\":\"defaults\",\"kpi\":\"" KPI "\","
	    "\"condition\":\"gt\",\"threshold\":5,\"severity\":\"warning\"}"), page_id;
	json_t *want = rule_api(api_id);
	struct form blank;
	struct http_resp r;

	r = page_get("/rules/new");
	EXPECT_STATUS(r, 200);
	CU_ASSERT_EQUAL_FATAL(read_form(r.body ? r.body : "", RULE_FORM, &blank), 0);
	http_free(&r);
	for (size_t i = 0; i < rule_nfields; i++) {
		const struct vfield *f = &rule_fields[i];
		char def[24];

		if (f->flags & (V_REQUIRED | V_NULLABLE))
			continue;
		if (f->type == V_INT) {
			snprintf(def, sizeof(def), "%lld", (long long)f->def);
			CU_ASSERT_PTR_NOT_NULL_FATAL(form_get(&blank, f->name));
			CU_ASSERT_STRING_EQUAL(form_get(&blank, f->name), def);
		} else if (f->type == V_BOOL) {
			/* a box is sent only when checked */
			CU_ASSERT_EQUAL(form_get(&blank, f->name) != NULL, f->def != 0);
		}
	}
	form_set(&blank, "name", "defaults");
	form_set(&blank, "kpi", KPI);
	form_set(&blank, "threshold", "5");
	page_id = post_new_rule(&blank);
	CU_ASSERT_TRUE_FATAL(page_id > api_id);
	expect_same_rule(want, rule_api(page_id));
	form_free(&blank);
}

/* A failed submit shows every field as typed: correcting one field then saves all the rest. */
static void t_rule_failed_submit_keeps_fields(void)
{
	long long id = forms_rule(full_rules[0]);
	json_t *before = rule_api(id), *after;
	struct form fm, again;
	struct http_resp r;
	char *body;

	CU_ASSERT_EQUAL_FATAL(rule_edit_form(id, &fm), 0);
	form_set(&fm, "threshold", "0x10");
	body = form_body(&fm);
	r = page_post(fm.action, body);
	free(body);
	EXPECT_STATUS(r, 422);
	CU_ASSERT_EQUAL_FATAL(read_form(r.body ? r.body : "", RULE_FORM, &again), 0);
	http_free(&r);
	CU_ASSERT_EQUAL(again.n, fm.n);
	for (int i = 0; i < fm.n; i++) {
		const char *v = form_get(&again, fm.f[i].name);
		if (strcmp(fm.f[i].name, "_csrf") == 0)
			continue;
		CU_ASSERT_STRING_EQUAL(v ? v : "(missing)", fm.f[i].value);
	}
	form_set(&again, "threshold", "-3");
	body = form_body(&again);
	r = page_post(again.action, body);
	free(body);
	EXPECT_STATUS(r, 303);
	http_free(&r);
	after = rule_api(id);
	CU_ASSERT_TRUE(json_equal(before, after));
	json_decref(before);
	json_decref(after);
	form_free(&fm);
	form_free(&again);
}

/* One grammar with the API: what it refuses, the form refuses, at the field. */
static void t_rule_form_grammar(void)
{
	/* the message at the field, in the words of its label */
	static const struct { const char *field, *value, *err, *words; } bad[] = {
		{"threshold", "0x10", "err-threshold", "Threshold must be"},
		{"threshold", "+5", "err-threshold", "Threshold must be"},
		{"threshold", "inf", "err-threshold", "Threshold must be"},
		{"threshold", "nan", "err-threshold", "Threshold must be"},
		{"threshold", " 5", "err-threshold", "Threshold must be"},
		{"threshold", "1,5", "err-threshold", "Threshold must be"},
		{"threshold", "5,00,0", "err-threshold", "Threshold must be"},
		{"cooldown_minutes", "0x10", "err-cooldown_minutes", "Quiet minutes after it fired must"},
		{"cooldown_minutes", "1e3", "err-cooldown_minutes", "Quiet minutes after it fired must"},
		{"for_evaluations", "+2", "err-for_evaluations", "Breaches in a row must"},
		{"for_evaluations", "101", "err-for_evaluations", "Breaches in a row must be from 1 to 100"},
		{"recipients", "a@shop.example, b@shop.example", "err-recipients",
		    "Mail these addresses: one address per line"},
		{"recipients", "a@shop.example;b@shop.example", "err-recipients",
		    "Mail these addresses: one address per line"},
		{"recipients", "not-an-address", "err-recipients",
		    "not-an-address is not an e-mail address"},
		{"escalation_recipients", "a@shop.example,b@shop.example", "err-escalation_recipients",
		    "Escalate to: one address per line"},
	};
	long long id = forms_rule(full_rules[0]);
	json_t *before = rule_api(id), *after;
	long long rules = SQL_INT0("SELECT count(*) FROM alert_rules");
	struct form fm;
	struct http_resp r;
	char *body, pat[128];

	CU_ASSERT_EQUAL_FATAL(rule_edit_form(id, &fm), 0);
	for (size_t i = 0; i < GW_ARRAY_LEN(bad); i++) {
		struct form f2;
		char *keep = xstrdup(form_get(&fm, bad[i].field));
		form_set(&fm, bad[i].field, bad[i].value);
		body = form_body(&fm);
		/* edit and create alike */
		for (int create = 0; create < 2; create++) {
			r = page_post(create ? "/rules" : fm.action, body);
			EXPECT_STATUS(r, 422);
			snprintf(pat, sizeof(pat), "id=\"%s\">%s", bad[i].err, bad[i].words);
			if (r.body == NULL || strstr(r.body, pat) == NULL)
				fprintf(stderr, "\n    %s=\"%s\": no message at the field\n", bad[i].field,
				    bad[i].value);
			CU_ASSERT_PTR_NOT_NULL(r.body ? strstr(r.body, pat) : NULL);
			/* the typed value is shown as typed */
			if (read_form(r.body ? r.body : "", RULE_FORM, &f2) == 0) {
				const char *v = form_get(&f2, bad[i].field);
				CU_ASSERT_STRING_EQUAL(v ? v : "(missing)", bad[i].value);
				form_free(&f2);
			}
			http_free(&r);
		}
		free(body);
		form_set(&fm, bad[i].field, keep);
		free(keep);
	}
	after = rule_api(id);
	CU_ASSERT_TRUE(json_equal(before, after));
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM alert_rules"), rules);
	/* the grammar's unusual but valid numbers (on a rise: a fall's threshold is its size) */
	form_set(&fm, "condition", "pct_change_gt");
	form_set(&fm, "threshold", "1e3");
	form_set(&fm, "cooldown_minutes", "0");
	body = form_body(&fm);
	r = page_post(fm.action, body);
	EXPECT_STATUS(r, 303);
	http_free(&r);
	free(body);
	json_decref(after);
	after = rule_api(id);
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(after, "threshold")), 1000, 1e-9);
	json_decref(before);
	json_decref(after);
	form_free(&fm);
}

/* Query parameters follow the same grammar. */
static void t_query_grammar(void)
{
	static const char *const bad[] = {"0x10", "+5", "1e1", "05", "%205", "1.0"};
	char path[96];

	for (size_t i = 0; i < GW_ARRAY_LEN(bad); i++) {
		struct http_resp r;
		snprintf(path, sizeof(path), "/api/alerts/history?limit=%s", bad[i]);
		r = api("GET", path, fixture_users()->admin, NULL);
		EXPECT_ERROR(r, 400, "bad_parameter");
		http_free(&r);
	}
}

/*
 * What the page changes when it switches a rule on: enabled and updated_at,
 * with one UPDATE that sets enabled alone (a test trigger records the
 * statement of every write to the rule's row).
 */
static void t_enable_changes_only_enabled(void)
{
	long long id = forms_rule(full_rules[0]);   /* disabled */
	json_t *before = rule_api(id), *after;
	char path[64], *body, ids[24];
	struct http_resp r;

	snprintf(ids, sizeof(ids), "%lld", id);
	test_exec("CREATE TABLE test_rule_writes (rule_id bigint, query text)", 0, NULL);
	test_exec("CREATE FUNCTION test_rule_write() RETURNS trigger LANGUAGE plpgsql AS"
	    " $$BEGIN INSERT INTO test_rule_writes VALUES (NEW.id, current_query()); RETURN NEW; END$$",
	    0, NULL);
	test_exec("CREATE TRIGGER test_rule_write BEFORE UPDATE ON alert_rules"
	    " FOR EACH ROW EXECUTE FUNCTION test_rule_write()", 0, NULL);
	snprintf(path, sizeof(path), "/rules/%lld/enabled", id);
	body = xasprintf("_csrf=%s&enabled=1", fixture_users()->admin_csrf);
	r = page_post(path, body);
	free(body);
	EXPECT_STATUS(r, 303);
	http_free(&r);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM test_rule_writes WHERE rule_id = $1::bigint",
	    ids), 1);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM test_rule_writes WHERE rule_id = $1::bigint"
	    " AND query ~* '^\\s*UPDATE alert_rules\\M.*\\mSET enabled = ' AND query !~* '\\mname = '",
	    ids), 1);
	test_exec("DROP TRIGGER test_rule_write ON alert_rules", 0, NULL);
	test_exec("DROP FUNCTION test_rule_write()", 0, NULL);
	test_exec("DROP TABLE test_rule_writes", 0, NULL);
	after = rule_api(id);
	CU_ASSERT_TRUE(json_is_true(json_object_get(after, "enabled")));
	json_object_set_new(after, "enabled", json_false());
	CU_ASSERT_TRUE(json_equal(before, after));
	json_decref(before);
	json_decref(after);
}

struct toggle {
	long long id;
	long status;
};

static void *toggle_thread(void *arg)
{
	struct toggle *t = arg;
	char path[64], *body = xasprintf("_csrf=%s&enabled=1", fixture_users()->admin_csrf);
	struct http_resp r;

	snprintf(path, sizeof(path), "/rules/%lld/enabled", t->id);
	r = page_post(path, body);
	t->status = r.status;
	http_free(&r);
	free(body);
	return NULL;
}

/*
 * An edit that holds the rule's lock while the switch is pressed: the
 * switch waits for it, then changes only enabled; the edit survives.
 */
static void t_enable_keeps_concurrent_edit(void)
{
	struct toggle t = {.id = forms_rule(full_rules[0])};
	PGconn *edit = PQconnectdb(getenv("DATABASE_URL"));
	char ids[24];
	const char *p[1] = {ids};
	pthread_t th;
	PGresult *r;
	int waited = 0;

	snprintf(ids, sizeof(ids), "%lld", t.id);
	CU_ASSERT_EQUAL_FATAL(PQstatus(edit), CONNECTION_OK);
	PQclear(PQexec(edit, "BEGIN"));
	r = PQexecParams(edit, "SELECT 1 FROM rule_state WHERE rule_id = $1::bigint FOR UPDATE",
	    1, NULL, p, NULL, NULL, 0);
	CU_ASSERT_EQUAL(PQntuples(r), 1);
	PQclear(r);
	browser();
	pthread_create(&th, NULL, toggle_thread, &t);
	/* until the switch's transaction waits for our lock */
	for (int i = 0; i < 200 && !waited; i++) {
		test_sleep_ms(25);
		waited = SQL_INT0("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
		    " AND query ILIKE '%rule_state%'") > 0;
	}
	CU_ASSERT_TRUE(waited);
	r = PQexecParams(edit, "UPDATE alert_rules SET name = 'edited meanwhile',"
	    " recipients = '{meanwhile@shop.example}' WHERE id = $1::bigint", 1, NULL, p, NULL, NULL, 0);
	CU_ASSERT_EQUAL(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);
	PQclear(PQexec(edit, "COMMIT"));
	pthread_join(th, NULL);
	CU_ASSERT_EQUAL(t.status, 303);
	{
		json_t *after = rule_api(t.id);
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(after, "name")), "edited meanwhile");
		CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(json_object_get(after,
		    "recipients"), 0)), "meanwhile@shop.example");
		CU_ASSERT_TRUE(json_is_true(json_object_get(after, "enabled")));
		json_decref(after);
	}
	PQfinish(edit);
}

/* Asserts that the form read from a page holds exactly these fields. */
static void expect_fields(const struct form *fm, const struct form *want)
{
	for (int i = 0; i < want->n; i++) {
		const char *v = form_get(fm, want->f[i].name);
		if (strcmp(want->f[i].name, "_csrf") == 0)
			continue;
		if (v == NULL || strcmp(v, want->f[i].value) != 0)
			fprintf(stderr, "\n    %s: \"%s\", want \"%s\"\n", want->f[i].name,
			    v ? v : "(missing)", want->f[i].value);
		CU_ASSERT_STRING_EQUAL(v ? v : "(missing)", want->f[i].value);
	}
}

/*
 * The silence form: a failed submit shows every field as sent; sent again
 * with a reason it makes the silence those fields say.
 */
static void t_silence_form_round_trip(void)
{
	long long rule = forms_rule(full_rules[1]);
	char rid[24];
	struct form fm, again;
	struct http_resp r;
	json_t *s = NULL;
	char *body;

	snprintf(rid, sizeof(rid), "%lld", rule);
	for (int scope = 0; scope < 2; scope++) {
		memset(&fm, 0, sizeof(fm));
		form_set(&fm, "_csrf", fixture_users()->admin_csrf);
		form_set(&fm, "scope", scope ? "rule" : "kpi");
		form_set(&fm, "rule_id", scope ? rid : "");
		form_set(&fm, "kpi", scope ? "" : KPI);
		form_set(&fm, "minutes", "240");
		form_set(&fm, "reason", "");
		body = form_body(&fm);
		r = page_post("/silences", body);
		free(body);
		EXPECT_STATUS(r, 422);
		CU_ASSERT_PTR_NOT_NULL(r.body ? strstr(r.body, "id=\"err-reason\">Enter why") : NULL);
		CU_ASSERT_EQUAL_FATAL(read_form(r.body ? r.body : "", SILENCE_FORM, &again), 0);
		http_free(&r);
		expect_fields(&again, &fm);
		form_set(&again, "reason", "Stocktaking \"Q4\" & <recount> — Lager");
		body = form_body(&again);
		r = page_post("/silences", body);
		free(body);
		EXPECT_STATUS(r, 303);
		http_free(&r);
		r = api("GET", "/api/alerts/silences?status=active", fixture_users()->admin, NULL);
		s = json_array_get(jget(r.json, "items"), 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(s, "scope")), scope ? "rule" : "kpi");
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(s, "reason")),
		    "Stocktaking \"Q4\" & <recount> — Lager");
		if (scope) {
			CU_ASSERT_EQUAL(json_integer_value(json_object_get(s, "rule_id")), rule);
		} else {
			CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(s, "kpi")), KPI);
		}
		{
			char sid[24];
			snprintf(sid, sizeof(sid), "%lld", (long long)json_integer_value(json_object_get(s, "id")));
			CU_ASSERT_EQUAL(SQL_INT("SELECT round(extract(epoch FROM ends_at - starts_at) / 60)"
			    " FROM silences WHERE id = $1::bigint", sid), 240);
		}
		http_free(&r);
		form_free(&fm);
		form_free(&again);
	}
	/* a duration that is not one of the grammar's numbers is an error, not 2 hours */
	body = xasprintf("_csrf=%s&scope=all&minutes=0x10&reason=x", fixture_users()->admin_csrf);
	r = page_post("/silences", body);
	free(body);
	EXPECT_STATUS(r, 422);
	CU_ASSERT_PTR_NOT_NULL(r.body ?
	    strstr(r.body, "id=\"err-minutes\">Choose how long the silence lasts") : NULL);
	http_free(&r);
}

/*
 * The silence form's weekly repeat: ticked days and the times become the
 * silence's recurrence, listed as "weekly Fri 12:00-14:00"; a window that
 * ends before it starts is refused on the repeat fields, kept as sent.
 */
static void t_silence_form_repeat(void)
{
	long long rule = forms_rule(full_rules[1]);
	struct http_resp r;
	json_t *s;
	char *body, path[64];

	body = xasprintf("_csrf=%s&scope=rule&rule_id=%lld&minutes=40320&reason=lunch"
	    "&rec_fri=1&rec_mon=1&rec_from=14:00&rec_to=12:00", fixture_users()->admin_csrf, rule);
	r = page_post("/silences", body);
	free(body);
	EXPECT_STATUS(r, 422);
	CU_ASSERT_PTR_NOT_NULL(r.body ?
	    strstr(r.body, "id=\"err-repeat\">The repeat must end after it starts") : NULL);
	CU_ASSERT_PTR_NOT_NULL(r.body ? strstr(r.body, "name=\"rec_fri\" value=\"1\" checked") : NULL);
	CU_ASSERT_PTR_NULL(r.body ? strstr(r.body, "name=\"rec_tue\" value=\"1\" checked") : "");
	CU_ASSERT_PTR_NOT_NULL(r.body ? strstr(r.body, "value=\"14:00\"") : NULL);
	http_free(&r);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM silences WHERE reason = 'lunch'"), 0);

	body = xasprintf("_csrf=%s&scope=rule&rule_id=%lld&minutes=40320&reason=lunch"
	    "&rec_fri=1&rec_mon=1&rec_from=12:00&rec_to=14:00", fixture_users()->admin_csrf, rule);
	r = page_post("/silences", body);
	free(body);
	EXPECT_STATUS(r, 303);
	http_free(&r);
	r = api("GET", "/api/alerts/silences?status=active", fixture_users()->admin, NULL);
	s = json_array_get(jget(r.json, "items"), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	EXPECT_JSTR(r, "items.0.reason", "lunch");
	EXPECT_JSTR(r, "items.0.recurrence.weekdays.0", "mon");
	EXPECT_JSTR(r, "items.0.recurrence.weekdays.1", "fri");
	EXPECT_JSTR(r, "items.0.recurrence.from", "12:00");
	EXPECT_JSTR(r, "items.0.recurrence.to", "14:00");
	CU_ASSERT_EQUAL(SQL_INT("SELECT round(extract(epoch FROM ends_at - starts_at) / 86400)"
	    " FROM silences WHERE reason = 'lunch'"), 28);
	snprintf(path, sizeof(path), "/silences/%lld/end",
	    (long long)json_integer_value(json_object_get(s, "id")));
	http_free(&r);
	r = page_get("/silences");
	CU_ASSERT_PTR_NOT_NULL(r.body ? strstr(r.body, ", weekly Mon Fri 12:00-14:00") : NULL);
	http_free(&r);
	body = xasprintf("_csrf=%s", fixture_users()->admin_csrf);
	r = page_post(path, body);
	free(body);
	EXPECT_STATUS(r, 303);
	http_free(&r);
}

/* The alerts page's filters come back as they were sent (the dates as pages print them). */
static void t_alert_filters_round_trip(void)
{
	long long rule = forms_rule(full_rules[1]);
	char path[256];
	struct form want, got;
	struct http_resp r;

	memset(&want, 0, sizeof(want));
	form_set(&want, "state", "resolved");
	form_set(&want, "severity", "critical");
	form_set(&want, "kpi", KPI);
	/* the dates as pages print them, whichever way they were typed */
	form_set(&want, "since", "01 Nov 2026");
	form_set(&want, "until", "30 Nov 2026");
	snprintf(path, sizeof(path), "%lld", rule);
	form_set(&want, "rule_id", path);
	snprintf(path, sizeof(path), "/alerts?state=resolved&severity=critical&kpi=" KPI
	    "&since=2026-11-01&until=2026-11-30&rule_id=%lld", rule);
	r = page_get(path);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_EQUAL_FATAL(read_form(r.body ? r.body : "", FILTER_FORM, &got), 0);
	http_free(&r);
	expect_fields(&got, &want);
	CU_ASSERT_EQUAL(got.n, want.n);
	form_free(&want);
	form_free(&got);
}

/* A refused sign-in shows the form as it was sent, the password excepted. */
static void t_login_form_round_trip(void)
{
	struct http_resp r = http_do("GET", "/login?next=%2Falerts%3Fstate%3Dfiring", NULL, NULL, 0);
	char cookie_h[256], *body;
	const char *h[] = {cookie_h, "Content-Type: application/x-www-form-urlencoded", NULL};
	const char *sc = r.headers ? strstr(r.headers, "Set-Cookie: gw_login=") : NULL;
	struct form fm, again;

	EXPECT_STATUS(r, 200);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
	snprintf(cookie_h, sizeof(cookie_h), "Cookie: gw_login=%.*s", (int)strcspn(sc + 21, ";\r\n"),
	    sc + 21);
	CU_ASSERT_EQUAL_FATAL(read_form(r.body, "action=\"/login\"", &fm), 0);
	http_free(&r);
	CU_ASSERT_STRING_EQUAL(form_get(&fm, "next") ? form_get(&fm, "next") : "", "/alerts?state=firing");
	form_set(&fm, "username", "no.such-user@shop");
	form_set(&fm, "password", "not the password, 12+");
	body = form_body(&fm);
	r = http_do("POST", "/login", h, body, strlen(body));
	free(body);
	EXPECT_STATUS(r, 401);
	CU_ASSERT_EQUAL_FATAL(read_form(r.body ? r.body : "", "action=\"/login\"", &again), 0);
	http_free(&r);
	form_set(&fm, "password", "");
	expect_fields(&again, &fm);
	form_free(&fm);
	form_free(&again);
}

void suite_forms(void)
{
	static const struct test_case cases[] = {
		{"the rule edit form round-trips every field", t_rule_edit_round_trip},
		{"the new-rule form makes the rule its fields say", t_rule_new_form},
		{"the new-rule form starts from the API's defaults", t_rule_new_form_defaults},
		{"a failed submit keeps every field as typed", t_rule_failed_submit_keeps_fields},
		{"the form's number and address grammars", t_rule_form_grammar},
		{"query parameters: the same number grammar", t_query_grammar},
		{"the silence form round-trips every field", t_silence_form_round_trip},
		{"the silence form's weekly repeat", t_silence_form_repeat},
		{"the alert filters round-trip", t_alert_filters_round_trip},
		{"a refused sign-in keeps the form", t_login_form_round_trip},
		{"the enable switch changes only enabled", t_enable_changes_only_enabled},
		{"the enable switch keeps a concurrent edit", t_enable_keeps_concurrent_edit},
		{NULL, NULL},
	};
	test_add_suite("forms", NULL, NULL, cases);
}
