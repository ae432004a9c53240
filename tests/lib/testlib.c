/*
 * testlib.c - see testlib.h.
 */
#include "testlib.h"

#include <CUnit/Basic.h>
#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>

#include "util.h"

/*
 * Each suite's wall-clock time, printed at the end slowest first, so the
 * suite's time budget can be watched. CUnit calls a suite's init and
 * clean without arguments: the trampolines find the suite as CUnit's
 * current one and call the suite's own functions.
 */
enum { TIMED_MAX = 128 };
static struct timed {
	CU_pSuite s;
	int (*init)(void);
	int (*clean)(void);
	double t0, secs;
} timed[TIMED_MAX];
static size_t n_timed;

static struct timed *timed_current(void)
{
	CU_pSuite cur = CU_get_current_suite();

	for (size_t i = 0; i < n_timed; i++)
		if (timed[i].s == cur)
			return &timed[i];
	return NULL;
}

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int timed_init(void)
{
	struct timed *t = timed_current();

	if (t == NULL)
		return 0;
	t->t0 = wall_s();
	return t->init ? t->init() : 0;
}

static int timed_clean(void)
{
	struct timed *t = timed_current();
	int rc;

	if (t == NULL)
		return 0;
	rc = t->clean ? t->clean() : 0;
	t->secs = wall_s() - t->t0;
	return rc;
}

static int timed_cmp(const void *a, const void *b)
{
	double x = ((const struct timed *)a)->secs, y = ((const struct timed *)b)->secs;

	return (x < y) - (x > y);
}

static void timed_report(void)
{
	double total = 0;

	qsort(timed, n_timed, sizeof(timed[0]), timed_cmp);
	for (size_t i = 0; i < n_timed; i++)
		total += timed[i].secs;
	if (total <= 0)
		return;
	printf("\nsuites by wall-clock time (%.1f s in all):", total);
	for (size_t i = 0; i < n_timed && timed[i].secs > 0; i++)
		printf("%s %s %.1f s", i ? "," : "", timed[i].s->pName, timed[i].secs);
	printf("\n");
}

void test_add_suite(const char *name, int (*init)(void), int (*clean)(void),
    const struct test_case *cases)
{
	CU_pSuite s = CU_add_suite(name, timed_init, timed_clean);

	if (s != NULL && n_timed < TIMED_MAX)
		timed[n_timed++] = (struct timed){s, init, clean, 0, 0};
	if (s == NULL) {
		fprintf(stderr, "cannot add suite %s\n", name);
		exit(2);
	}
	for (; cases->name; cases++)
		CU_add_test(s, cases->name, cases->fn);
}

int test_main(int argc, char **argv, const suite_fn *suites, size_t n)
{
	unsigned failed;
	unsigned run_failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	for (size_t i = 0; i < n; i++)
		suites[i]();
	CU_basic_set_mode(CU_BRM_VERBOSE);
	if (argc > 1) {
		/* run one suite by name */
		CU_pSuite s = CU_get_suite(argv[1]);
		if (s == NULL) {
			fprintf(stderr, "no suite %s\n", argv[1]);
			return 2;
		}
		if (argc > 2) {
			/* and one test of it: the name as the suite lists it */
			CU_pTest t = CU_get_test(s, argv[2]);
			if (t == NULL) {
				fprintf(stderr, "no test \"%s\" in suite %s\n", argv[2], argv[1]);
				return 2;
			}
			CU_basic_run_test(s, t);
		} else {
			CU_basic_run_suite(s);
		}
	} else {
		CU_basic_run_tests();
	}
	timed_report();
	failed = CU_get_number_of_failures();
	run_failed = CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	curl_global_cleanup();
	return (failed || run_failed) ? 1 : 0;
}

const char *test_env(const char *name)
{
	const char *v = getenv(name);
	if (v == NULL || *v == '\0') {
		fprintf(stderr, "%s is not set: run the tests through tests/run.sh\n", name);
		exit(2);
	}
	return v;
}

const char *test_base_url(void)
{
	return test_env("GW_TEST_URL");
}

const char *test_top(void)
{
	return test_env("GOLDWATCH_DATA_DIR");
}

const char *test_shop_zone(void)
{
	const char *tz = getenv("GOLDWATCH_TIMEZONE");
	return tz && *tz ? tz : "UTC";
}

static size_t collect(char *data, size_t size, size_t nmemb, void *ud)
{
	buf_append(ud, data, size * nmemb);
	return size * nmemb;
}

struct http_resp http_do(const char *method, const char *path,
    const char *const *headers, const char *body, size_t len)
{
	struct http_resp r = {0};
	struct buf b, h;
	struct curl_slist *hl = NULL;
	CURL *c = curl_easy_init();
	char *url = xasprintf("%s%s", test_base_url(), path);

	buf_init(&b);
	buf_init(&h);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	hl = curl_slist_append(hl, "Expect:");
	for (; headers && *headers; headers++)
		hl = curl_slist_append(hl, *headers);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	free(url);
	r.len = b.len;
	r.body = buf_detach(&b);
	r.headers = buf_detach(&h);
	r.json = json_loadb(r.body, r.len, 0, NULL);
	return r;
}

struct http_resp api(const char *method, const char *path, const char *token,
    const char *json_body)
{
	char auth[256];
	const char *headers[4];
	int n = 0;

	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		headers[n++] = auth;
	}
	if (json_body)
		headers[n++] = "Content-Type: application/json";
	headers[n] = NULL;
	return http_do(method, path, headers, json_body, json_body ? strlen(json_body) : 0);
}

void http_free(struct http_resp *r)
{
	free(r->body);
	free(r->headers);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

char *http_header(const struct http_resp *r, const char *name)
{
	size_t nl = strlen(name);
	const char *p = r->headers;

	while (p && *p) {
		const char *eol = strstr(p, "\r\n");
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1;
			while (*v == ' ')
				v++;
			return xstrndup(v, eol ? (size_t)(eol - v) : strlen(v));
		}
		p = eol ? eol + 2 : NULL;
	}
	return NULL;
}

json_t *jget(const json_t *root, const char *path)
{
	char key[128];
	const json_t *cur = root;

	while (cur && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		if (json_is_array(cur))
			cur = json_array_get(cur, (size_t)strtoul(key, NULL, 10));
		else
			cur = json_object_get(cur, key);
		path += n + (path[n] == '.');
	}
	return (json_t *)cur;
}

const char *jstr(const struct http_resp *r, const char *path)
{
	json_t *v = r->json ? jget(r->json, path) : NULL;
	return json_is_string(v) ? json_string_value(v) : NULL;
}

json_int_t jint(const struct http_resp *r, const char *path)
{
	json_t *v = r->json ? jget(r->json, path) : NULL;
	return json_is_integer(v) ? json_integer_value(v) : -1;
}

char *test_login(const char *user, const char *password, char **csrf_out)
{
	json_t *body = json_pack("{ss ss}", "username", user, "password", password);
	char *s = json_dumps(body, JSON_COMPACT), *token = NULL;
	struct http_resp r;

	json_decref(body);
	for (int attempt = 0; attempt < 20; attempt++) {
		r = api("POST", "/api/auth/login", NULL, s);
		if (r.status != 429)
			break;
		http_free(&r); /* the sign-in rate limit: wait and retry */
		test_sleep_ms(250);
	}
	if (r.status == 200 && jstr(&r, "token")) {
		token = xstrdup(jstr(&r, "token"));
		if (csrf_out)
			*csrf_out = xstrdup(jstr(&r, "csrf_token"));
	}
	http_free(&r);
	free(s);
	return token;
}

static PGconn *conn;

PGconn *test_db(void)
{
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
		if (conn)
			PQfinish(conn);
		conn = PQconnectdb(test_env("DATABASE_URL"));
		if (PQstatus(conn) != CONNECTION_OK) {
			fprintf(stderr, "test database: %s\n", PQerrorMessage(conn));
			return conn;
		}
		PQclear(PQexec(conn, "SET search_path = goldwatch, public"));
	}
	return conn;
}

PGresult *test_sql(const char *sql, int n, const char *const *params)
{
	PGresult *r = PQexecParams(test_db(), sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType s = PQresultStatus(r);

	if (s == PGRES_FATAL_ERROR && PQstatus(conn) != CONNECTION_OK) {
		/* the server was restarted by a test: connect again, once */
		PQclear(r);
		r = PQexecParams(test_db(), sql, n, NULL, params, NULL, NULL, 0);
		s = PQresultStatus(r);
	}

	if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK)
		fprintf(stderr, "\n    test SQL failed: %s\n    %s\n", PQresultErrorMessage(r), sql);
	CU_ASSERT(s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK);
	return r;
}

void test_exec(const char *sql, int n, const char *const *params)
{
	PQclear(test_sql(sql, n, params));
}

long long test_sql_int(const char *sql, int n, const char *const *params)
{
	PGresult *r = test_sql(sql, n, params);
	long long v = -1;

	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
		v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}

char *test_shop_moment(int days_back, const char *hh_mm)
{
	char back[24];

	snprintf(back, sizeof(back), "%d", days_back);
	/* local date and time, then the zone: right on a 23- or 25-hour day */
	return test_sql_str("SELECT iso((((now() AT TIME ZONE $1)::date - $2::int) + $3::time)"
	    " AT TIME ZONE $1)", 3, TP(test_shop_zone(), back, hh_mm));
}

char *test_shop_day(const char *iso)
{
	return test_sql_str("SELECT to_char($1::timestamptz AT TIME ZONE $2, 'YYYY-MM-DD')", 2,
	    TP(iso, test_shop_zone()));
}

char *test_sql_str(const char *sql, int n, const char *const *params)
{
	PGresult *r = test_sql(sql, n, params);
	char *v = xstrdup("");

	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) {
		free(v);
		v = xstrdup(PQgetvalue(r, 0, 0));
	}
	PQclear(r);
	return v;
}

void test_user(const char *name, const char *password, const char *role)
{
	char *cmd;
	FILE *p;

	/* through the real tool, as an operator would */
	cmd = xasprintf("%s/goldwatch-admin user add '%s' --role %s --if-absent >/dev/null 2>&1",
	    test_env("GW_TEST_BIN"), name, role);
	p = popen(cmd, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	fprintf(p, "%s\n", password);
	CU_ASSERT_EQUAL(pclose(p), 0);
	free(cmd);
}

int test_system(const char *fmt, ...)
{
	va_list ap;
	struct buf b;
	int rc;

	buf_init(&b);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	rc = system(b.data);
	buf_free(&b);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

int test_stack(const char *cmd)
{
	return test_stack_env("", cmd);
}

int test_stack_env(const char *env, const char *cmd)
{
	return test_system("%s STACK_QUIET=1 BUILD='%s' '%s/scripts/stack.sh' %s '%s' >/dev/null",
	    env, test_env("GW_TEST_BIN"), test_top(), cmd, test_env("GW_TEST_STACK"));
}

void test_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

char *test_read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	struct buf b;
	char chunk[1024];
	size_t k;

	buf_init(&b);
	buf_puts(&b, "");
	while (f && (k = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, k);
	if (f)
		fclose(f);
	return buf_detach(&b);
}
