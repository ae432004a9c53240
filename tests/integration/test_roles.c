/*
 * test_roles.c - the role matrix: every route of goldwatch-api's table
 * (read from `goldwatch-api --routes`, so a new route is covered the day
 * it is added) against anonymous, viewer, operator and admin. Below the
 * route's role: 401 (anonymous on the API), a redirect to /login
 * (anonymous on a page) or 403; those probes carry an unknown field or a
 * missing id, so nothing they reach changes anything. At or above it: a
 * real request (on a fixture made fresh for it where the route changes or
 * reads one) answered with the route's own success status, and a form's
 * success flash; a route without such a request in the table below fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "integration.h"
#include "testlib.h"
#include "util.h"

struct route_line {
	char method[8], pattern[128], role[16], body[8];
	int page;
};

/* What {id} or {key} (and "{id}" in a body) names in a success request. */
enum fixture { FX_NONE, FX_RULE, FX_ALERT, FX_SILENCE, FX_PUSH_KPI, FX_USER, FX_BUILTIN_KPI,
	FX_CONTACT_POINT, FX_ESCALATION_POLICY, FX_DEAD_MESSAGE, FX_TOKEN,
	FX_SELF /* the caller's own user */ };

struct success {
	const char *route;  /* "METHOD pattern", as --routes prints them */
	int status;         /* 0: a public route that needs a credential from elsewhere
	                     * (a form cookie, a mail's link): only that nothing breaks */
	enum fixture fx;
	const char *body;   /* "{n}": a fresh number, "{id}": the fixture, "{ends}": in 1 h */
};

#define RULE_JSON "{\"name\":\"roles rule {n}\",\"kpi\":\"t_roles\",\"condition\":\"gt\"," \
	"\"threshold\":5,\"severity\":\"warning\",\"recipients\":[\"roles@shop.example\"]}"
#define CP_JSON "{\"name\":\"roles cp {n}\",\"kind\":\"email\"," \
	"\"settings\":{\"addresses\":[\"roles@shop.example\"]}}"
/* an escalation policy needs a contact point: the fixture's own */
#define EP_JSON "{\"name\":\"roles ep {n}\",\"levels\":[{\"after_minutes\":10," \
	"\"contact_points\":[{cp}]}],\"repeat\":1}"
#define CP_FORM "name=roles+cp+form+{n}&kind=email&addresses=roles%40shop.example"
#define EP_FORM "name=roles+ep+form+{n}&count=1&l0_after=5&l0_cp_{cp}=1&repeat=1"
#define RULE_FORM "name=roles+form+{n}&kpi=t_roles&condition=gt&threshold=5&severity=warning" \
	"&recipients=roles%40shop.example&enabled=1"

static const struct success successes[] = {
	{"GET /api/health", 200, FX_NONE, NULL},
	/* the stack's clients are 127.0.0.1, in GOLDWATCH_METRICS_ALLOW's default */
	{"GET /metrics", 200, FX_NONE, NULL},
	{"GET /api/status", 200, FX_NONE, NULL},
	{"POST /api/auth/login", 200, FX_NONE,
	    "{\"username\":\"viewer1\",\"password\":\"" PASSWORD_VIEWER "\"}"},
	{"POST /api/auth/logout", 204, FX_NONE, NULL},
	{"GET /api/auth/me", 200, FX_NONE, NULL},
	{"POST /api/auth/tokens", 201, FX_NONE, "{\"name\":\"roles token {n}\"}"},
	{"GET /api/users", 200, FX_NONE, NULL},
	{"POST /api/users", 201, FX_NONE,
	    "{\"username\":\"roles-new-{n}\",\"password\":\"roles-password-{n}\",\"role\":\"viewer\"}"},
	{"PATCH /api/users/{id}", 200, FX_USER, "{\"role\":\"operator\"}"},
	{"GET /api/auth/tokens", 200, FX_NONE, NULL},
	{"DELETE /api/auth/tokens/{id}", 200, FX_TOKEN, NULL},
	{"GET /api/users/{id}/sessions", 200, FX_SELF, NULL},
	{"DELETE /api/users/{id}/sessions", 200, FX_SELF, NULL},
	{"GET /api/alerts/rules", 200, FX_NONE, NULL},
	{"POST /api/alerts/rules", 201, FX_NONE, RULE_JSON},
	{"POST /api/alerts/rules/load-starter", 200, FX_NONE, NULL},
	{"POST /api/alerts/rules/preview", 200, FX_NONE,
	    "{\"kpi\":\"t_roles\",\"condition\":\"gt\",\"threshold\":5,\"severity\":\"warning\"}"},
	{"GET /api/alerts/rules/{id}", 200, FX_RULE, NULL},
	{"PUT /api/alerts/rules/{id}", 200, FX_RULE, RULE_JSON},
	{"DELETE /api/alerts/rules/{id}", 200, FX_RULE, NULL},
	{"POST /api/alerts/rules/{id}/test", 202, FX_RULE, NULL},
	{"POST /api/alerts/evaluate", 200, FX_RULE, "{\"rule_ids\":[{id}]}"},
	{"GET /api/alerts/history", 200, FX_NONE, NULL},
	{"GET /api/alerts/summary", 200, FX_NONE, NULL},
	{"POST /api/alerts/acknowledge", 200, FX_ALERT, "{\"alert_ids\":[{id}]}"},
	{"GET /api/alerts/silences", 200, FX_NONE, NULL},
	{"POST /api/alerts/silences", 201, FX_NONE,
	    "{\"scope\":\"kpi\",\"kpi\":\"t_roles\",\"ends_at\":\"{ends}\",\"reason\":\"roles {n}\"}"},
	{"GET /api/alerts/silences/{id}", 200, FX_SILENCE, NULL},
	{"DELETE /api/alerts/silences/{id}", 200, FX_SILENCE, NULL},
	{"GET /api/alerts/{id}", 200, FX_ALERT, NULL},
	{"GET /api/alerts/{id}/deliveries", 200, FX_ALERT, NULL},
	{"GET /api/events", 200, FX_NONE, NULL},
	{"GET /api/audit", 200, FX_NONE, NULL},
	{"GET /api/contact-points", 200, FX_NONE, NULL},
	{"POST /api/contact-points", 201, FX_NONE, CP_JSON},
	{"GET /api/contact-points/{id}", 200, FX_CONTACT_POINT, NULL},
	{"PUT /api/contact-points/{id}", 200, FX_CONTACT_POINT, CP_JSON},
	{"DELETE /api/contact-points/{id}", 200, FX_CONTACT_POINT, NULL},
	{"POST /api/contact-points/{id}/test", 200, FX_CONTACT_POINT, NULL},
	{"GET /api/escalation-policies", 200, FX_NONE, NULL},
	{"POST /api/escalation-policies", 201, FX_NONE, EP_JSON},
	{"GET /api/escalation-policies/{id}", 200, FX_ESCALATION_POLICY, NULL},
	{"PUT /api/escalation-policies/{id}", 200, FX_ESCALATION_POLICY, EP_JSON},
	{"DELETE /api/escalation-policies/{id}", 200, FX_ESCALATION_POLICY, NULL},
	{"GET /api/notification-policies", 200, FX_NONE, NULL},
	{"PUT /api/notification-policies", 200, FX_NONE, "{\"policies\":[]}"},
	{"GET /api/notifications", 200, FX_NONE, NULL},
	{"POST /api/notifications/{id}/retry", 200, FX_DEAD_MESSAGE, NULL},
	{"GET /api/kpis", 200, FX_NONE, NULL},
	{"POST /api/kpis", 201, FX_NONE,
	    "{\"key\":\"t_roles_new{n}\",\"name\":\"Roles {n}\",\"category\":\"financial\","
	    "\"unit\":\"USD\"}"},
	{"GET /api/kpis/{key}", 200, FX_BUILTIN_KPI, NULL},
	{"DELETE /api/kpis/{key}", 200, FX_PUSH_KPI, NULL},
	{"GET /api/kpis/{key}/samples", 200, FX_BUILTIN_KPI, NULL},
	{"POST /api/kpis/{key}/samples", 201, FX_PUSH_KPI, "{\"value\":1}"},
	/* the sign-in form needs its own cookie: tests/integration/test_auth_api.c */
	{"GET /login", 0, FX_NONE, NULL},
	{"POST /login", 0, FX_NONE, "username=viewer1"},
	{"POST /logout", 303, FX_NONE, "confirm=1"},
	{"GET /", 200, FX_NONE, NULL},
	{"GET /alerts", 200, FX_NONE, NULL},
	{"GET /alerts/{id}", 200, FX_ALERT, NULL},
	{"POST /alerts/{id}/acknowledge", 303, FX_ALERT, "note=roles+{n}"},
	{"POST /alerts/acknowledge", 303, FX_ALERT, "ack_{id}=1&note=roles+{n}"},
	{"POST /notifications/{id}/retry", 303, FX_DEAD_MESSAGE, "back=%2Falerts"},
	{"GET /rules", 200, FX_NONE, NULL},
	{"POST /rules", 303, FX_NONE, RULE_FORM},
	{"GET /rules/new", 200, FX_NONE, NULL},
	{"POST /rules/load-starter", 303, FX_NONE, "confirm=1"},
	{"GET /rules/{id}", 200, FX_RULE, NULL},
	{"POST /rules/{id}", 303, FX_RULE, RULE_FORM},
	{"POST /rules/{id}/enabled", 303, FX_RULE, "enabled=0"},
	{"POST /rules/{id}/test", 303, FX_RULE, NULL},
	{"POST /rules/{id}/delete", 303, FX_RULE, "confirm=1"},
	{"GET /kpis", 200, FX_NONE, NULL},
	{"GET /kpis/{key}", 200, FX_BUILTIN_KPI, NULL},
	{"GET /contact-points", 200, FX_NONE, NULL},
	{"POST /contact-points", 303, FX_NONE, CP_FORM},
	{"GET /contact-points/{id}", 200, FX_CONTACT_POINT, NULL},
	{"POST /contact-points/{id}", 303, FX_CONTACT_POINT, CP_FORM},
	{"POST /contact-points/{id}/test", 303, FX_CONTACT_POINT, "confirm=1"},
	{"POST /contact-points/{id}/delete", 303, FX_CONTACT_POINT, "confirm=1"},
	{"GET /notification-policies", 200, FX_NONE, NULL},
	{"POST /notification-policies", 303, FX_NONE, "count=0"},
	{"GET /escalation-policies", 200, FX_NONE, NULL},
	{"POST /escalation-policies", 303, FX_NONE, EP_FORM},
	{"GET /escalation-policies/new", 200, FX_NONE, NULL},
	{"GET /escalation-policies/{id}", 200, FX_ESCALATION_POLICY, NULL},
	{"POST /escalation-policies/{id}", 303, FX_ESCALATION_POLICY, EP_FORM},
	{"POST /escalation-policies/{id}/delete", 303, FX_ESCALATION_POLICY, "confirm=1"},
	{"GET /api/shop/calendar", 200, FX_NONE, NULL},
	{"PUT /api/shop/calendar", 200, FX_NONE, "{\"hours\":{\"mon\":[[\"10:00\",\"21:00\"]],"
	    "\"tue\":[[\"10:00\",\"21:00\"]],\"wed\":[[\"10:00\",\"21:00\"]],"
	    "\"thu\":[[\"10:00\",\"21:00\"]],\"fri\":[[\"10:00\",\"21:00\"]],"
	    "\"sat\":[[\"10:00\",\"21:00\"]],\"sun\":[[\"10:00\",\"21:00\"]]}}"},
	{"GET /calendar", 200, FX_NONE, NULL},
	{"POST /calendar", 303, FX_NONE, "hours_mon=10%3A00-21%3A00&hours_tue=10%3A00-21%3A00"
	    "&hours_wed=10%3A00-21%3A00&hours_thu=10%3A00-21%3A00&hours_fri=10%3A00-21%3A00"
	    "&hours_sat=10%3A00-21%3A00&hours_sun=10%3A00-21%3A00"},
	{"GET /tokens", 200, FX_NONE, NULL},
	{"GET /status", 200, FX_NONE, NULL},
	{"POST /tokens", 201, FX_NONE, "name=roles+page+token+{n}"},
	{"POST /tokens/{id}/revoke", 303, FX_TOKEN, "confirm=1"},
	{"GET /account", 200, FX_NONE, NULL},
	{"GET /users/{id}/sessions", 200, FX_SELF, NULL},
	{"POST /users/{id}/sessions/end", 303, FX_SELF, "confirm=1"},
	{"GET /silences", 200, FX_NONE, NULL},
	{"POST /silences", 303, FX_NONE, "scope=kpi&kpi=t_roles&minutes=60&reason=roles+{n}"},
	{"POST /silences/{id}/end", 303, FX_SILENCE, "confirm=1"},
	/* the mail's acknowledge link: tests/integration/test_mail.c */
	{"GET /alerts/{id}/ack", 0, FX_NONE, NULL},
	{"POST /alerts/{id}/ack", 0, FX_NONE, "note=x"},
};

static int load_routes(struct route_line *out, int max)
{
	char *cmd = xasprintf("'%s/goldwatch-api' --routes", test_env("GW_TEST_BIN"));
	FILE *p = popen(cmd, "r");
	char line[256];
	int n = 0;

	free(cmd);
	if (p == NULL)
		return 0;
	while (n < max && fgets(line, sizeof(line), p)) {
		char extra[16] = "";
		if (sscanf(line, "%7s %127s %15s %7s %15s", out[n].method, out[n].pattern,
		    out[n].role, out[n].body, extra) >= 4) {
			out[n].page = strcmp(extra, "page") == 0;
			n++;
		}
	}
	pclose(p);
	return n;
}

static int role_rank(const char *r)
{
	static const char *const ranks[] = {"public", "viewer", "operator", "admin"};
	for (int i = 0; i < 4; i++)
		if (strcmp(r, ranks[i]) == 0)
			return i;
	return 99;
}

static const struct success *success_of(const struct route_line *rt)
{
	char *route = xasprintf("%s %s", rt->method, rt->pattern);
	const struct success *s = NULL;

	for (size_t i = 0; i < GW_ARRAY_LEN(successes) && s == NULL; i++)
		if (strcmp(successes[i].route, route) == 0)
			s = &successes[i];
	free(route);
	return s;
}

/* text with every {name} of vars[] (pairs, NULL-terminated) replaced. */
static char *fill(const char *text, const char *const *vars)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "");
	while (text && *text) {
		size_t used = 0;
		for (int i = 0; vars[i] && !used; i += 2) {
			size_t n = strlen(vars[i]);
			if (text[0] == '{' && strncmp(text + 1, vars[i], n) == 0 && text[n + 1] == '}') {
				buf_puts(&b, vars[i + 1]);
				used = n + 2;
			}
		}
		if (!used)
			buf_putc(&b, *text);
		text += used ? used : 1;
	}
	return buf_detach(&b);
}

static long long created_id(struct http_resp *r)
{
	long long id = jint(r, "id");
	EXPECT_STATUS(*r, 201);
	http_free(r);
	return id;
}

/* A fresh fixture of kind fx (made as admin); its id or key into out. */
static void make_fixture(enum fixture fx, int n, char *out, size_t len)
{
	const char *admin = fixture_users()->admin;
	char name[64], ends[40], *body;
	struct http_resp r;

	snprintf(out, len, "999999999");
	snprintf(name, sizeof(name), "roles fixture %d", n);
	switch (fx) {
	case FX_RULE:
		snprintf(out, len, "%lld", make_simple_rule(name, "t_roles", "gt", 5, ""));
		break;
	case FX_ALERT:
		r = evaluate_rule(make_simple_rule(name, "t_roles", "gt", 5, ""));
		EXPECT_STATUS(r, 200);
		snprintf(out, len, "%lld", (long long)jint(&r, "fired.0.id"));
		http_free(&r);
		break;
	case FX_SILENCE:
		time_format_iso(time_now_us() + INT64_C(3600000000), ends, sizeof(ends));
		body = xasprintf("{\"scope\":\"kpi\",\"kpi\":\"t_roles\",\"ends_at\":\"%s\","
		    "\"reason\":\"%s\"}", ends, name);
		r = api("POST", "/api/alerts/silences", admin, body);
		snprintf(out, len, "%lld", created_id(&r));
		free(body);
		break;
	case FX_PUSH_KPI:
		snprintf(out, len, "t_roles_fx%d", n);
		make_push_kpi(out, 0);
		break;
	case FX_USER:
		snprintf(name, sizeof(name), "roles-fx-%d", n);
		test_user(name, "roles-fixture-password", "viewer");
		snprintf(out, len, "%lld", SQL_INT("SELECT id FROM users WHERE username = $1", name));
		break;
	case FX_BUILTIN_KPI:
		snprintf(out, len, "revenue_today");
		break;
	case FX_ESCALATION_POLICY:
		make_fixture(FX_CONTACT_POINT, n + 500000, out, len);
		body = xasprintf("{\"name\":\"%s\",\"levels\":[{\"after_minutes\":5,"
		    "\"contact_points\":[%s]}]}", name, out);
		r = api("POST", "/api/escalation-policies", admin, body);
		snprintf(out, len, "%lld", created_id(&r));
		free(body);
		break;
	case FX_CONTACT_POINT:
		body = xasprintf("{\"name\":\"%s\",\"kind\":\"email\",\"settings\":"
		    "{\"addresses\":[\"roles@shop.example\"]}}", name);
		r = api("POST", "/api/contact-points", admin, body);
		snprintf(out, len, "%lld", created_id(&r));
		free(body);
		break;
	case FX_DEAD_MESSAGE:
		/* refused for good again if a retry lets the delivery service at it */
		snprintf(out, len, "%lld", SQL_INT("INSERT INTO mail_outbox (kind, recipient, subject,"
		    " body_text, body_html, status, attempts, last_error) VALUES ('test',"
		    " 'reject-roles@shop.example', $1, 'x', 'x', 'dead', 3, '550 refused')"
		    " RETURNING id", name));
		break;
	case FX_TOKEN:
		body = xasprintf("{\"name\":\"%s\"}", name);
		r = api("POST", "/api/auth/tokens", admin, body);
		snprintf(out, len, "%lld", created_id(&r));
		free(body);
		break;
	case FX_SELF: /* allowed_ok asks who the caller is */
	case FX_NONE:
		break;
	}
}

/*
 * FX_SELF: the caller's user id into out; an admin's is another user's
 * (an admin may end anyone's sessions, and ending the admin's own would
 * end the fixtures' admin session too).
 */
static void self_id(const char *token, int n, char *out, size_t len)
{
	struct http_resp r = api("GET", "/api/auth/me", token, NULL);

	snprintf(out, len, "%lld", (long long)jint(&r, "id"));
	if (jstr(&r, "role") && strcmp(jstr(&r, "role"), "admin") == 0)
		make_fixture(FX_USER, n, out, len);
	http_free(&r);
}

/* {id...} / {key} of pattern -> value. */
static char *route_path(const char *pattern, const char *value)
{
	struct buf b;

	buf_init(&b);
	while (*pattern) {
		if (*pattern == '{') {
			const char *close = strchr(pattern, '}');
			buf_puts(&b, value);
			pattern = close ? close + 1 : pattern + strlen(pattern);
		} else {
			buf_putc(&b, *pattern++);
		}
	}
	return buf_detach(&b);
}

/*
 * Sends method path as token's identity with body (of kind "json" or
 * "form"); the Location header into *location, whether a success flash
 * was set into *flash_ok. Returns the status.
 */
static long send_as(const struct route_line *rt, const char *path, const char *token,
    const char *body, char **location, int *flash_ok)
{
	char auth[256];
	const char *h[3] = {NULL, NULL, NULL};
	int k = 0;
	struct http_resp r;
	long status;

	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		h[k++] = auth;
	}
	if (strcmp(rt->body, "json") == 0)
		h[k++] = "Content-Type: application/json";
	else if (strcmp(rt->body, "form") == 0)
		h[k++] = "Content-Type: application/x-www-form-urlencoded";
	r = http_do(rt->method, path, h, body, body ? strlen(body) : 0);
	status = r.status;
	if (location)
		*location = http_header(&r, "Location");
	if (flash_ok)
		*flash_ok = r.headers && strstr(r.headers, "gw_flash=ok:") != NULL;
	/* every API answer, allowed or not, is JSON */
	if (strncmp(rt->pattern, "/api/", 5) == 0 && status >= 400)
		CU_ASSERT_PTR_NOT_NULL(jstr(&r, "error.code"));
	http_free(&r);
	return status;
}

/* Below the route's role: a probe that would change nothing if let through. */
static int denied_ok(const struct route_line *rt, const char *token, int anonymous)
{
	char *path = route_path(rt->pattern, strstr(rt->pattern, "{key}") ? "revenue_today" :
	    "999999999"), *loc = NULL;
	const char *body = strcmp(rt->body, "json") == 0 ? "{\"__probe__\":1}" :
	    strcmp(rt->body, "form") == 0 ? "__probe__=1" : NULL;
	long s = send_as(rt, path, token, body, &loc, NULL);
	int ok;

	if (anonymous && rt->page)
		ok = s == 303 && loc && strncmp(loc, "/login?next=", 12) == 0;
	else
		ok = s == (anonymous ? 401 : 403);
	if (!ok)
		fprintf(stderr, "\n    %s %s refused: %ld\n", rt->method, rt->pattern, s);
	free(path);
	free(loc);
	return ok;
}

/* At or above the route's role: its real request and its success status. */
static int allowed_ok(const struct route_line *rt, const char *token, int n)
{
	const struct success *sc = success_of(rt);
	char fx[64], num[24], ends[40], cp[64], *path, *body;
	int flash = 0, ok;
	long s;

	if (sc == NULL) {
		fprintf(stderr, "\n    %s %s: no success request in test_roles.c\n", rt->method,
		    rt->pattern);
		return 0;
	}
	make_fixture(sc->fx, n, fx, sizeof(fx));
	if (sc->fx == FX_SELF)
		self_id(token, n, fx, sizeof(fx));
	snprintf(num, sizeof(num), "%d", n);
	if (sc->body && strstr(sc->body, "{cp}"))
		make_fixture(FX_CONTACT_POINT, n + 700000, cp, sizeof(cp));
	else
		snprintf(cp, sizeof(cp), "0");
	time_format_iso(time_now_us() + INT64_C(3600000000), ends, sizeof(ends));
	{
		const char *const vars[] = {"n", num, "id", fx, "ends", ends, "cp", cp, NULL};
		body = sc->body ? fill(sc->body, vars) : NULL;
	}
	path = route_path(rt->pattern, fx);
	s = send_as(rt, path, token, body, NULL, &flash);
	if (sc->status == 0)
		ok = s > 0 && s < 500;
	else
		ok = s == sc->status && (s != 303 || strstr(rt->pattern, "logout") || flash);
	if (!ok)
		fprintf(stderr, "\n    %s %s (%s): %ld, want %d%s\n", rt->method, path,
		    body ? body : "", s, sc->status, s == 303 && !flash ? " with a success flash" : "");
	free(path);
	free(body);
	return ok;
}

static void t_matrix(void)
{
	struct route_line routes[128];
	char *tokens[4] = {NULL, NULL, NULL, NULL};
	int n = load_routes(routes, 128), checked = 0, bad = 0, seq = 0;

	CU_ASSERT_TRUE_FATAL(n > 20);
	fixture_users();
	make_push_kpi("t_roles", 0);
	push_value("t_roles", 10, 0);
	for (int i = 0; i < n; i++) {
		const struct route_line *rt = &routes[i];
		int need = role_rank(rt->role);

		/* own sessions, made again after a logout route ended them */
		if (tokens[1] == NULL || (i > 0 && (strstr(routes[i - 1].pattern, "logout") ||
		    strstr(routes[i - 1].pattern, "/sessions")))) {
			/* ending one's own sessions ends the fixtures' too */
			if (i > 0 && strstr(routes[i - 1].pattern, "/sessions"))
				fixture_users_renew();
			for (int k = 1; k < 4; k++)
				free(tokens[k]);
			tokens[1] = test_login("viewer1", PASSWORD_VIEWER, NULL);
			tokens[2] = test_login("operator1", PASSWORD_OPERATOR, NULL);
			tokens[3] = test_login("admin", test_env("GW_TEST_ADMIN_PASSWORD"), NULL);
		}
		for (int w = 0; w < 4; w++) {
			int ok = w >= need ? allowed_ok(rt, tokens[w], ++seq) :
			    denied_ok(rt, tokens[w], w == 0);

			if (!ok) {
				bad++;
				fprintf(stderr, "    (as %s)\n", w == 0 ? "anonymous" : w == 1 ? "viewer" :
				    w == 2 ? "operator" : "admin");
			}
			CU_ASSERT_TRUE(ok);
			checked++;
		}
	}
	fprintf(stderr, "\n    %d routes x 4 identities = %d checks, %d wrong\n", n, checked, bad);
	for (int i = 1; i < 4; i++)
		free(tokens[i]);
	test_exec("UPDATE alert_rules SET enabled = false WHERE kpi_key = 't_roles'", 0, NULL);
	starter_rules_remove();
}

void suite_roles(void)
{
	static const struct test_case cases[] = {
		{"every route x every role", t_matrix},
		{NULL, NULL},
	};
	test_add_suite("roles", NULL, NULL, cases);
}
