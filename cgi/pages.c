/*
 * pages.c - the sign-in pages and the dashboard.
 */
#include <stdlib.h>
#include <string.h>

#include "alert_store.h"
#include "app.h"
#include "delivery_store.h"
#include "event.h"
#include "json_out.h"
#include "page.h"
#include "schedule.h"

#define LOGIN_COOKIE "gw_login"
#define RESUME_PREFIX "resume."

/*
 * The login form carries a token that must match a cookie set with the
 * form (double submit): another site cannot sign a visitor in as itself.
 * An action started while signed out (resume: its path and fields, never
 * its old CSRF token) rides along in hidden fields, to be offered again
 * once signed in (pages_resume.c).
 */
static int login_render(struct request *req, int status, const char *error,
    const char *username, const char *next, const struct page_resume *resume)
{
	char token[AUTH_TOKEN_MAX];
	struct page p;

	auth_token_new("", token);
	req_header(req, "Set-Cookie: " LOGIN_COOKIE "=%s; Path=/login; HttpOnly; SameSite=Strict%s",
	    token, req->https ? "; Secure" : "");
	page_begin(&p, req, "Sign in", "login.html.tpl", NULL);
	tpl_set(p.content, "LOGIN_CSRF", token);
	tpl_set(p.content, "NEXT", page_local_path(next) ? next : "/");
	tpl_set(p.content, "USERNAME_VALUE", username ? username : "");
	if (error) {
		struct tpl_dict *e = tpl_section(p.content, "ERROR");
		tpl_set(e, "ERROR_TEXT", error);
	}
	if (resume && resume->path) {
		struct tpl_dict *r = tpl_section(p.content, "RESUME");
		tpl_set(r, "RESUME_PATH", resume->path);
		for (size_t i = 0; i < resume->n; i++) {
			struct tpl_dict *f = tpl_section(r, "RESUME_FIELD");
			tpl_setf(f, "RF_NAME", RESUME_PREFIX "%s", resume->fields[i].key);
			tpl_set(f, "RF_VALUE", resume->fields[i].value);
		}
	}
	return page_end(&p, req, status);
}

/*
 * The fields never kept: a kept form rides in the sign-in page's address,
 * which the browser's history keeps and a Referer can carry, so a secret
 * (a password, a webhook's URL, secret or headers, a bot's token) is typed
 * again once signed in.
 */
static int resume_secret(const char *k)
{
	static const char *const secret[] = {"password", "secret", "secret_headers", "bot_token", "url"};

	for (size_t i = 0; i < GW_ARRAY_LEN(secret); i++)
		if (strcmp(k, secret[i]) == 0)
			return 1;
	return 0;
}

/*
 * The pairs of kv with prefix (stripped; "" takes all), without the CSRF
 * token and secrets, into r (the request's pool owns them).
 */
static void resume_collect(struct request *req, const struct kv *kv, size_t n,
    const char *prefix, struct page_resume *r)
{
	size_t plen = strlen(prefix);
	struct kv *out = pool_alloc(req->pool, (n + 1) * sizeof(*out));

	r->fields = out;
	r->n = 0;
	for (size_t i = 0; i < n; i++) {
		const char *k = kv[i].key;
		if (strncmp(k, prefix, plen) != 0 || strcmp(k + plen, "_csrf") == 0 ||
		    k[plen] == '\0' || resume_secret(k + plen))
			continue;
		out[r->n].key = k + plen;
		out[r->n++].value = kv[i].value;
	}
}

int page_login_form(struct request *req)
{
	const char *next = req_query(req, "next");
	struct page_resume resume = {.path = req_query(req, "resume")};

	if (resume.path)
		resume_collect(req, req->query, req->nquery, RESUME_PREFIX, &resume);
	if (req->authenticated && resume.path)
		return page_resume_offer(req, &resume, page_local_path(next) ? next : "/");
	if (req->authenticated)
		return req_redirect(req, page_local_path(next) ? next : "/");
	return login_render(req, 200, NULL, NULL, next, &resume);
}

/* "&key=value", both URL-encoded, onto b. */
static void query_add(struct buf *b, const char *prefix, const char *key, const char *value)
{
	buf_putc(b, '&');
	buf_puts(b, prefix);
	url_encode(b, key);
	buf_putc(b, '=');
	url_encode(b, value);
}

/*
 * Up to this long, a kept form rides in the sign-in page's address (a GET
 * after a 303, so reloading the page posts nothing); nginx takes request
 * lines up to 8 KB. A longer one is answered with the sign-in page itself.
 */
#define RESUME_URL_MAX 6144

int page_signin_needed(struct request *req, int form_read)
{
	const char *back = form_read ? req_form(req, "back") : NULL;
	struct page_resume r = {0};
	struct buf loc, to;
	int rc;

	buf_init(&loc);
	buf_init(&to);
	if (req->method == M_GET || req->method == M_HEAD) {
		/* back to this page and its query */
		buf_puts(&loc, req->path);
		for (size_t i = 0; i < req->nquery; i++)
			query_add(&loc, "", req->query[i].key, req->query[i].value);
		if (req->nquery)
			loc.data[strlen(req->path)] = '?';
	} else {
		buf_puts(&loc, page_local_path(back) ? back : "/");
	}
	buf_puts(&to, "/login?next=");
	url_encode(&to, loc.data);
	if (form_read) {
		r.path = req->path;
		resume_collect(req, req->form, req->nform, "", &r);
		query_add(&to, "", "resume", r.path);
		for (size_t i = 0; i < r.n; i++)
			query_add(&to, RESUME_PREFIX, r.fields[i].key, r.fields[i].value);
	}
	if (to.len <= RESUME_URL_MAX)
		rc = req_redirect(req, to.data);
	else
		rc = login_render(req, 401, NULL, NULL, loc.data, &r);
	buf_free(&loc);
	buf_free(&to);
	return rc;
}

int page_login_submit(struct request *req)
{
	const char *cookie = req_cookie(req, LOGIN_COOKIE);
	const char *sent = req_form(req, "_csrf");
	const char *user = req_form(req, "username");
	const char *pw = req_form(req, "password");
	const char *next = req_form(req, "next");
	char token[AUTH_TOKEN_MAX], csrf[AUTH_TOKEN_MAX];
	struct page_resume resume = {.path = req_form(req, "resume")};
	int64_t uid = 0, expires_us;
	int rc;

	if (resume.path)
		resume_collect(req, req->form, req->nform, RESUME_PREFIX, &resume);
	if (cookie == NULL || sent == NULL || !auth_const_eq(cookie, sent))
		return login_render(req, 403, "The form expired. Please sign in again.", user, next,
		    &resume);
	if (user == NULL || pw == NULL || !valid_username(user) || strlen(pw) > 1024)
		return login_render(req, 401, "Wrong user name or password.", user, next, &resume);
	rc = auth_check_password(req->db, user, pw, &uid);
	if (rc < 0)
		return 500;
	if (rc == 0)
		return login_render(req, 401, "Wrong user name or password.", user, next, &resume);
	if (auth_session_create(req->db, uid, req->cfg->session_hours, token, csrf,
	    &expires_us) < 0)
		return 500;
	session_set_cookie(req, token, req->cfg->session_hours * 3600);
	req_header(req, "Set-Cookie: " LOGIN_COOKIE "=; Path=/login; Max-Age=0; HttpOnly; SameSite=Strict");
	if (resume.path && auth_lookup(req->db, token, &req->who) == 1) {
		req->authenticated = 1;
		req->session_token = token;
		return page_resume_offer(req, &resume, page_local_path(next) ? next : "/");
	}
	return req_redirect(req, page_local_path(next) ? next : "/");
}

int page_logout(struct request *req)
{
	if (req->session_token && auth_session_end(req->db, req->session_token) < 0)
		return 500;
	session_set_cookie(req, "", 0);
	page_flash(req, "ok", "You are signed out.");
	return req_redirect(req, "/login");
}

/*
 * What the dashboard says when nothing is firing: with no rules, that there
 * are none (and what to do about it); with rules, how many are
 * watching, when the last evaluation ran and when the next one will (the
 * evaluate timer's next slot: core/schedule.c).
 */
static void dashboard_quiet(struct tpl_dict *content, json_t *summary)
{
	json_t *rules = json_object_get(summary, "rules");
	json_int_t enabled = json_integer_value(json_object_get(rules, "enabled"));
	const char *last = json_string_value(json_object_get(summary, "last_evaluation_at"));
	struct schedule s;
	struct tpl_dict *w;
	char next[40];

	if (json_integer_value(json_object_get(rules, "total")) == 0) {
		/* the offer to create one or load the starter rules */
		tpl_show(content, "NO_RULES");
		tpl_show(content, "ALL_QUIET");
		return;
	}
	if (schedule_init(&s, NULL) < 0) {
		tpl_show(content, "ALL_QUIET");
		return;
	}
	w = tpl_section(content, "WATCHING");
	tpl_setf(w, "WATCHING_N", "%lld", (long long)enabled);
	tpl_set(w, "RULES_ARE", enabled == 1 ? "rule is" : "rules are");
	if (last)
		page_time(tpl_section(w, "WATCH_LAST"), "WATCH_LAST", last);
	else
		tpl_show(w, "WATCH_NEVER");
	time_format_iso(schedule_next(schedule_find(&s, "evaluate"), time_now_us()), next,
	    sizeof(next));
	page_time(w, "NEXT_EVAL", next);
}

#define DASH_PAGE 50

/*
 * The open alerts: the shop's under "Open alerts", a page of DASH_PAGE
 * (?page=N) with how many there are and links to the others; goldwatch's
 * own (the system rules') apart under "goldwatch itself", shown only when
 * there are any.
 */
static void dashboard_open(const struct request *req, struct tpl_dict *content,
    const json_t *open, const json_t *sys_open, const struct kpi_names *names)
{
	struct tpl_dict *sys = NULL;
	size_t i;
	json_t *a;

	json_array_foreach(open, i, a)
		page_alert(req, tpl_section(content, "ALERT"), a, names);
	json_array_foreach(sys_open, i, a) {
		if (sys == NULL)
			sys = tpl_section(content, "SYSTEM");
		page_alert(req, tpl_section(sys, "SYS_ALERT"), a, names);
	}
	tpl_show(content, json_array_size(open) ? "HAS_OPEN" : "NO_OPEN");
	if (json_array_size(open) && req->who.role >= ROLE_OPERATOR)
		tpl_show(content, "BULK");
}

/* "122 open alerts, showing 51-100" and the links to the pages around it. */
static void dashboard_pager(struct tpl_dict *content, int64_t pg, int64_t total, size_t shown)
{
	int64_t from = (pg - 1) * DASH_PAGE + 1;

	tpl_setf(content, "OPEN_TOTAL", "%lld", (long long)total);
	tpl_set(content, "ALERTS_WORD", total == 1 ? "alert" : "alerts");
	tpl_setf(content, "OPEN_FROM", "%lld", (long long)from);
	tpl_setf(content, "OPEN_TO", "%lld", (long long)(from - 1 + (int64_t)shown));
	tpl_setf(content, "PAGE_SIZE", "%d", DASH_PAGE);
	if (pg == 1)
		tpl_set(content, "BACK", "/");
	else
		tpl_setf(content, "BACK", "/?page=%lld", (long long)pg);
	if (shown == 0 && total > 0)
		tpl_show(content, "PAST_END");
	if (pg > 1 && shown > 0)
		tpl_setf(tpl_section(tpl_section(content, "PAGER"), "PREV"), "PREV_URL",
		    pg == 2 ? "/" : "/?page=%lld", (long long)(pg - 1));
	if (from - 1 + (int64_t)shown < total && shown > 0) {
		struct tpl_dict *n = tpl_section(tpl_section(content, "PAGER"), "NEXT");
		int64_t to = from - 1 + 2 * DASH_PAGE;
		tpl_setf(n, "NEXT_URL", "/?page=%lld", (long long)(pg + 1));
		tpl_setf(n, "NEXT_FROM", "%lld", (long long)(from + DASH_PAGE));
		tpl_setf(n, "NEXT_TO", "%lld", (long long)(to < total ? to : total));
	}
}

/* The counter cards from the summary. */
static void dashboard_counters(struct tpl_dict *content, const json_t *summary)
{
	static const char *const keys[][2] = {
		{"FIRING", "firing"}, {"ACKNOWLEDGED", "acknowledged"},
		{"RESOLVED_24H", "resolved_24h"}, {"CRITICAL_FIRING", "critical_firing"},
	};
	json_int_t dead = json_integer_value(json_object_get(summary, "mail_dead"));

	for (size_t i = 0; i < GW_ARRAY_LEN(keys); i++)
		tpl_setf(content, keys[i][0], "%lld",
		    (long long)json_integer_value(json_object_get(summary, keys[i][1])));
	if (dead > 0)
		tpl_setf(tpl_section(content, "MAIL_DEAD"), "MAIL_DEAD_N", "%lld", (long long)dead);
	if (json_is_number(json_object_get(summary, "mtta_seconds"))) {
		double m = json_number_value(json_object_get(summary, "mtta_seconds"));
		if (m < 120)
			tpl_setf(content, "MTTA", "%.0f s", m);
		else
			tpl_setf(content, "MTTA", "%.0f min", m / 60);
	} else {
		tpl_set(content, "MTTA", "-");
	}
	if (json_is_string(json_object_get(summary, "last_evaluation_at")))
		page_time(tpl_section(content, "LAST_EVAL"), "LAST_EVAL",
		    json_string_value(json_object_get(summary, "last_evaluation_at")));
	else
		tpl_show(content, "NO_EVAL");
}

int page_dashboard(struct request *req)
{
	const char *pq = req_query(req, "page");
	struct kpi_names *names = kpi_names_load(req);
	json_t *summary = NULL, *open = NULL, *sys = NULL, *failures = NULL;
	PGresult *feed = NULL;
	int64_t pg = 1, total = 0;
	struct page p;
	int rc = 500;

	/* a page number that is not one is the first page */
	if (pq == NULL || parse_int64(pq, 1, 1000000, &pg) < 0)
		pg = 1;
	if (names == NULL || alert_summary(req->db, &summary, NULL) != ST_OK ||
	    alert_open_page(req->db, (pg - 1) * DASH_PAGE, DASH_PAGE, &open, &total) != ST_OK ||
	    alert_system_open(req->db, &sys) != ST_OK ||
	    (feed = events_recent(req->db, 15)) == NULL ||
	    delivery_failures(req->db, NULL, &failures) != ST_OK)
		goto out;
	page_begin(&p, req, "Dashboard", "dashboard.html.tpl", "DASHBOARD");
	dashboard_counters(p.content, summary);
	delivery_failures_show(p.content, failures);
	dashboard_open(req, p.content, open, sys, names);
	dashboard_pager(p.content, pg, total, json_array_size(open));
	dashboard_quiet(p.content, summary);
	page_events(p.content, feed);
	if (PQntuples(feed) > 0)
		tpl_show(p.content, "HAS_EVENTS");
	rc = page_end(&p, req, 200);
out:
	kpi_names_free(names);
	json_decref(summary);
	json_decref(open);
	json_decref(sys);
	json_decref(failures);
	PQclear(feed);
	return rc;
}
