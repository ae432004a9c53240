/*
 * test_stores.c - the user and KPI stores (core/user_store.c,
 * core/kpi_store.c): goldwatch-admin writes the audit row the API writes,
 * and a refused write changes nothing and ends its own transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "auth.h"
#include "config.h"
#include "db.h"
#include "engine.h"
#include "integration.h"
#include "kpi_store.h"
#include "testlib.h"
#include "user_store.h"
#include "util.h"

/* Runs goldwatch-admin user add NAME --role ROLE with password on stdin. */
static int admin_user_add(const char *name, const char *role, const char *password)
{
	char *cmd = xasprintf("%s/goldwatch-admin user add '%s' --role %s >/dev/null 2>&1",
	    test_env("GW_TEST_BIN"), name, role);
	FILE *p = popen(cmd, "w");
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	fprintf(p, "%s\n", password);
	rc = pclose(p);
	free(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* The member names of an audit row's "after", sorted, comma-separated. */
static char *audit_after_keys(long long id)
{
	char idb[24];

	snprintf(idb, sizeof(idb), "%lld", id);
	return test_sql_str("SELECT string_agg(k, ',' ORDER BY k) FROM audit_log a,"
	    " jsonb_object_keys(a.after) k WHERE a.action = 'user.create' AND a.object_id = $1",
	    1, TP(idb));
}

static void t_admin_user_add_audited(void)
{
	const struct fixture_users *u = fixture_users();
	long long cli_id, api_id, before;
	char idb[24];
	char *cli_keys, *api_keys;
	struct http_resp r;

	before = SQL_INT0("SELECT count(*) FROM audit_log WHERE action = 'user.create'");
	CU_ASSERT_EQUAL(admin_user_add("cli_made", "operator", "cli-made-password-1"), 0);
	cli_id = SQL_INT("SELECT id FROM users WHERE username = $1", "cli_made");
	CU_ASSERT_TRUE_FATAL(cli_id > 0);
	snprintf(idb, sizeof(idb), "%lld", cli_id);
	/* one row, naming the command line as the actor, no user behind it */
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM audit_log WHERE action = 'user.create'"),
	    before + 1);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM audit_log WHERE action = 'user.create'"
	    " AND object_type = 'user' AND object_id = $1 AND actor = 'goldwatch-admin'"
	    " AND actor_id IS NULL AND before IS NULL AND after->>'username' = 'cli_made'"
	    " AND after->>'role' = 'operator' AND (after->>'id')::bigint = $1::bigint", idb), 1);
	/* never the password or its hash */
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM audit_log WHERE object_id = $1"
	    " AND object_type = 'user' AND (after::text LIKE '%cli-made-password%'"
	    "   OR after::text LIKE '%argon2%')", idb), 0);
	/* the same shape as the row the API writes */
	r = api("POST", "/api/users", u->admin,
	    "{\"username\":\"api_made\",\"password\":\"api-made-password-1\",\"role\":\"operator\"}");
	EXPECT_STATUS(r, 201);
	api_id = jint(&r, "id");
	http_free(&r);
	snprintf(idb, sizeof(idb), "%lld", api_id);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM audit_log WHERE action = 'user.create'"
	    " AND object_id = $1 AND actor = 'admin'", idb), 1);
	cli_keys = audit_after_keys(cli_id);
	api_keys = audit_after_keys(api_id);
	CU_ASSERT_STRING_EQUAL(cli_keys, api_keys);
	CU_ASSERT_STRING_EQUAL(cli_keys, "created_at,disabled,email,id,role,updated_at,username");
	free(cli_keys);
	free(api_keys);
	/* and the audit API reads it as valid JSON */
	r = audit_of("user", cli_id);
	CU_ASSERT_EQUAL(json_array_size(jget(r.json, "items")), 1);
	EXPECT_JSTR(r, "items.0.actor", "goldwatch-admin");
	EXPECT_JSTR(r, "items.0.action", "user.create");
	EXPECT_JSTR(r, "items.0.after.username", "cli_made");
	http_free(&r);
	/* refused on the command line as in the API: nothing written */
	before = SQL_INT0("SELECT count(*) FROM audit_log");
	CU_ASSERT_EQUAL(admin_user_add("cli_made", "viewer", "cli-made-password-1"), 1);
	CU_ASSERT_EQUAL(admin_user_add("cli short", "viewer", "cli-made-password-1"), 1);
	CU_ASSERT_EQUAL(admin_user_add("cli_short", "viewer", "short"), 1);
	CU_ASSERT_EQUAL(admin_user_add("cli_root", "root", "cli-made-password-1"), 1);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM audit_log"), before);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM users"
	    " WHERE username IN ('cli_made', 'cli short', 'cli_short', 'cli_root')"), 1);
}

/* The API's connections: none may be left inside a transaction. */
#define API_IDLE_IN_TX \
	"SELECT count(*) FROM pg_stat_activity WHERE application_name = 'goldwatch-api'" \
	" AND state LIKE 'idle in transaction%'"

static void t_last_admin_changes_nothing(void)
{
	const struct fixture_users *u = fixture_users();
	static const char *const bodies[] = {"{\"role\":\"viewer\"}", "{\"disabled\":true}",
	    "{\"role\":\"operator\",\"password\":\"a-new-admin-password\"}"};
	long long id = SQL_INT0("SELECT id FROM users WHERE username = 'admin'");
	char path[64], *row, *row_after;
	long long audits, sessions;
	struct http_resp r;

	CU_ASSERT_EQUAL_FATAL(SQL_INT0("SELECT count(*) FROM users WHERE role = 'admin'"
	    " AND NOT disabled"), 1);
	snprintf(path, sizeof(path), "/api/users/%lld", id);
	row = test_sql_str("SELECT u::text FROM users u WHERE username = 'admin'", 0, NULL);
	audits = SQL_INT0("SELECT count(*) FROM audit_log");
	sessions = SQL_INT0("SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id"
	    " WHERE u.username = 'admin'");
	for (size_t i = 0; i < GW_ARRAY_LEN(bodies); i++) {
		r = api("PATCH", path, u->admin, bodies[i]);
		EXPECT_ERROR(r, 409, "last_admin");
		http_free(&r);
	}
	/* nothing changed: not the row, not its password, no audit, no session ended */
	row_after = test_sql_str("SELECT u::text FROM users u WHERE username = 'admin'", 0, NULL);
	CU_ASSERT_STRING_EQUAL(row, row_after);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM audit_log"), audits);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id"
	    " WHERE u.username = 'admin'"), sessions);
	CU_ASSERT_EQUAL(SQL_INT0(API_IDLE_IN_TX), 0);
	/* every worker's connection answers the next request */
	for (int i = 0; i < 24; i++) {
		r = api("GET", "/api/users", u->admin, NULL);
		EXPECT_STATUS(r, 200);
		http_free(&r);
	}
	free(row);
	free(row_after);
}

static struct db *store_db(void)
{
	struct config cfg = {0};
	struct db *db;

	cfg.database_url = (char *)test_env("DATABASE_URL");
	cfg.db_timeout_s = 5;
	db = db_open(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(db);
	return db;
}

/* After a store call: no transaction open, and the connection still works. */
static void expect_ended(struct db *db, enum store_rc got, enum store_rc want, json_t *out)
{
	DB_STMT(q_ping, "SELECT 1 AS one");
	PGresult *r;

	CU_ASSERT_EQUAL(got, want);
	CU_ASSERT_PTR_NULL(out);
	CU_ASSERT_FALSE(db_in_tx(db));
	r = DB_EXEC0(db, &q_ping);
	CU_ASSERT_PTR_NOT_NULL(r);
	PQclear(r);
}

/* Each refusal after BEGIN, called on one connection as a worker would. */
static void t_refused_writes_end_their_transaction(void)
{
	struct principal who = {.role = ROLE_ADMIN};
	struct user_patch demote = {.role = "viewer", .has_role = 1};
	struct user_input taken = {.username = "ADMIN", .password = "long enough password",
	    .role = "viewer"};
	struct token_input nobody = {.name = "x", .user_id = 999999999, .has_user_id = 1};
	struct kpi_input exists = {.key = "revenue_today", .name = "n", .category = "customer",
	    .unit = "", .description = "", .recommendation = "", .max_age_minutes = 60};
	struct verror err;
	json_t *out = NULL;
	long long audits = SQL_INT0("SELECT count(*) FROM audit_log");
	char *admin = test_sql_str("SELECT u::text FROM users u WHERE username = 'admin'", 0, NULL);
	char *admin_after;
	struct db *db = store_db();

	CU_ASSERT_EQUAL_FATAL(auth_init(), 0);
	who.user_id = SQL_INT0("SELECT id FROM users WHERE username = 'admin'");
	snprintf(who.username, sizeof(who.username), "admin");
	expect_ended(db, user_update(db, &who, who.user_id, &demote, &out, &err), ST_CONFLICT, out);
	CU_ASSERT_STRING_EQUAL(err.code, "last_admin");
	expect_ended(db, user_update(db, &who, 999999999, &demote, &out, &err), ST_NOT_FOUND, out);
	expect_ended(db, user_create(db, &who, &taken, &out, &err), ST_CONFLICT, out);
	CU_ASSERT_STRING_EQUAL(err.field, "username");
	expect_ended(db, token_create(db, &who, &nobody, &out, &err), ST_INVALID, out);
	CU_ASSERT_STRING_EQUAL(err.field, "user_id");
	expect_ended(db, kpi_create(db, &who, &exists, &out, &err), ST_CONFLICT, out);
	CU_ASSERT_STRING_EQUAL(err.field, "key");
	expect_ended(db, kpi_delete(db, &who, "revenue_today", &out, &err), ST_CONFLICT, out);
	CU_ASSERT_STRING_EQUAL(err.code, "not_a_push_kpi");
	expect_ended(db, kpi_delete(db, &who, "no_such_kpi", &out, &err), ST_NOT_FOUND, out);
	admin_after = test_sql_str("SELECT u::text FROM users u WHERE username = 'admin'", 0, NULL);
	CU_ASSERT_STRING_EQUAL(admin, admin_after);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM audit_log"), audits);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM kpis WHERE key = 'revenue_today'"
	    " AND deleted_at IS NULL"), 1);
	free(admin);
	free(admin_after);
	db_close(db);
}

/* The database's clock, in milliseconds: the clock now() reads at BEGIN. */
static double db_clock_ms(const char *sql, const char *param)
{
	char *v = test_sql_str(sql, param ? 1 : 0, param ? TP(param) : NULL);
	double ms = strtod(v, NULL);

	free(v);
	return ms;
}
#define CLOCK_NOW "SELECT extract(epoch FROM clock_timestamp()) * 1000"

/*
 * The password is hashed before BEGIN: the row's created_at / updated_at
 * (now(), the transaction's start) comes a hash's time after the call
 * began. Hashed inside the transaction, they would come at once.
 */
static void t_hash_before_transaction(void)
{
	struct principal who = {.role = ROLE_ADMIN};
	struct user_input in = {.username = "hash_probe", .password = "hash-probe-password",
	    .role = "viewer"};
	struct user_patch pw = {.password = "hash-probe-password-2", .has_password = 1};
	char hash[AUTH_PWHASH_MAX], idb[24];
	int64_t fastest = INT64_MAX;
	struct verror err;
	json_t *out = NULL;
	struct db *db = store_db();
	double t0;

	CU_ASSERT_EQUAL_FATAL(auth_init(), 0);
	for (int i = 0; i < 3; i++) {
		int64_t start = time_mono_us();
		CU_ASSERT_EQUAL(auth_password_hash("hash-probe-password", hash), 0);
		if (time_mono_us() - start < fastest)
			fastest = time_mono_us() - start;
	}
	snprintf(who.username, sizeof(who.username), "admin");
	t0 = db_clock_ms(CLOCK_NOW, NULL);
	CU_ASSERT_EQUAL_FATAL(user_create(db, &who, &in, &out, &err), ST_OK);
	snprintf(idb, sizeof(idb), "%lld", (long long)json_integer_value(json_object_get(out, "id")));
	json_decref(out);
	CU_ASSERT_TRUE(db_clock_ms("SELECT extract(epoch FROM created_at) * 1000 FROM users"
	    " WHERE id = $1::bigint", idb) - t0 >= fastest / 2000.0);
	t0 = db_clock_ms(CLOCK_NOW, NULL);
	CU_ASSERT_EQUAL(user_update(db, &who, strtoll(idb, NULL, 10), &pw, &out, &err), ST_OK);
	json_decref(out);
	CU_ASSERT_TRUE(db_clock_ms("SELECT extract(epoch FROM updated_at) * 1000 FROM users"
	    " WHERE id = $1::bigint", idb) - t0 >= fastest / 2000.0);
	db_close(db);
}

void suite_stores(void)
{
	static const struct test_case cases[] = {
		{"goldwatch-admin user add writes the API's audit row", t_admin_user_add_audited},
		{"the last admin stays: nothing changes, no transaction left open",
		    t_last_admin_changes_nothing},
		{"every refused store write ends its transaction",
		    t_refused_writes_end_their_transaction},
		{"passwords are hashed before the transaction opens", t_hash_before_transaction},
		{NULL, NULL},
	};
	test_add_suite("stores", NULL, NULL, cases);
}
