/*
 * testlib.h - helpers shared by the CUnit suites: an HTTP client (libcurl)
 * for the integration tests, direct database access for asserting what
 * the stack stored, and control of the throwaway stack (tests/run.sh
 * starts it and passes its coordinates in GW_TEST_* variables).
 */
#ifndef GW_TESTLIB_H
#define GW_TESTLIB_H

#include <CUnit/CUnit.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

/* A suite registers itself: void suite_NAME(void) { ... } */
typedef void (*suite_fn)(void);

/* Adds a suite with tests given as {name, fn} pairs ending in {NULL, NULL}. */
struct test_case {
	const char *name;
	void (*fn)(void);
};
void test_add_suite(const char *name, int (*init)(void), int (*clean)(void),
    const struct test_case *cases);

/* Runs every registered suite; returns the process exit status. */
int test_main(int argc, char **argv, const suite_fn *suites, size_t n);

/* Environment of the integration run. */
const char *test_env(const char *name); /* aborts if unset */
const char *test_base_url(void);
const char *test_top(void);      /* the source tree */
/* The shop's time zone (GOLDWATCH_TIMEZONE of the stack, default UTC). */
const char *test_shop_zone(void);

/* HTTP */
struct http_resp {
	long status;
	char *body;
	size_t len;
	char *headers;   /* raw response headers */
	json_t *json;    /* parsed body, if JSON */
};

/*
 * Sends method path (relative to the base URL) with extra header lines
 * (NULL-terminated array, may be NULL) and a body (may be NULL).
 */
struct http_resp http_do(const char *method, const char *path,
    const char *const *headers, const char *body, size_t len);
/* JSON call with a bearer token (NULL for none); body may be NULL. */
struct http_resp api(const char *method, const char *path, const char *token,
    const char *json_body);
void http_free(struct http_resp *r);
/* The value of a response header (first match, case-insensitive); caller frees. */
char *http_header(const struct http_resp *r, const char *name);
/* json_string of r->json at a dotted path ("error.code"), or NULL. */
const char *jstr(const struct http_resp *r, const char *path);
json_int_t jint(const struct http_resp *r, const char *path);
json_t *jget(const json_t *root, const char *path);

/* Asserts the status and, for errors, the JSON error body and code. */
#define EXPECT_STATUS(r, s) do { \
	if ((r).status != (s)) \
		fprintf(stderr, "\n    %s:%d: status %ld, want %d; body: %.300s\n", \
		    __FILE__, __LINE__, (r).status, (s), (r).body ? (r).body : ""); \
	CU_ASSERT_EQUAL((r).status, (s)); } while (0)
#define EXPECT_ERROR(r, s, code) do { EXPECT_STATUS(r, s); \
	CU_ASSERT_PTR_NOT_NULL_FATAL((r).json); \
	CU_ASSERT_STRING_EQUAL(jstr(&(r), "error.code") ? jstr(&(r), "error.code") : "(none)", code); \
	CU_ASSERT_PTR_NOT_NULL(jstr(&(r), "error.message")); } while (0)

/* Asserts a string at a JSON path of r equals want (missing is a failure, not a crash). */
#define EXPECT_JSTR(r, path, want) \
	CU_ASSERT_STRING_EQUAL(jstr(&(r), path) ? jstr(&(r), path) : "(missing)", want)

/* Logs in through the API; returns a malloc'd session token or NULL. */
char *test_login(const char *user, const char *password, char **csrf_out);
/* Creates a user directly in the database (idempotent by name). */
void test_user(const char *name, const char *password, const char *role);

/* Database (DATABASE_URL of the stack) */
PGconn *test_db(void);
/* Runs SQL with parameters and returns the result (asserts success). */
PGresult *test_sql(const char *sql, int n, const char *const *params);
/* Runs a statement (asserts success). */
void test_exec(const char *sql, int n, const char *const *params);
/* First column of the first row as a number / string ("" if NULL). */
long long test_sql_int(const char *sql, int n, const char *const *params);
char *test_sql_str(const char *sql, int n, const char *const *params);
/*
 * A moment the test fixes instead of reading the clock: days_back shop
 * days before today, at the shop's local time hh_mm ("18:00"), as ISO 8601
 * UTC; caller frees. The demo shop has trade 10:00-21:00 on every day.
 */
char *test_shop_moment(int days_back, const char *hh_mm);
/* The shop's day (YYYY-MM-DD) of an ISO 8601 moment; caller frees. */
char *test_shop_day(const char *iso);
#define TP(...) ((const char *const[]){__VA_ARGS__})
#define TN(...) ((int)(sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)))
#define SQL_INT(sql, ...) test_sql_int(sql, TN(__VA_ARGS__), TP(__VA_ARGS__))
#define SQL_INT0(sql) test_sql_int(sql, 0, NULL)

/* Runs scripts/stack.sh CMD on the test stack; returns its exit status. */
int test_stack(const char *cmd);
/* The same with extra environment ("GOLDWATCH_PUSHER_PING=1", or ""). */
int test_stack_env(const char *env, const char *cmd);
/* Runs a shell command; returns its exit status. */
int test_system(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void test_sleep_ms(int ms);
/* A whole text file ("" when it cannot be read); caller frees. */
char *test_read_file(const char *path);

#endif
