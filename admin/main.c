/*
 * goldwatch-admin - operator's tool: apply migrations, add users, load the
 * demo shop.
 *
 *   goldwatch-admin migrate
 *   goldwatch-admin user add NAME --role ROLE [--email ADDR] [--if-absent]
 *                   (the password is read from the first line of stdin)
 *   goldwatch-admin demo [--seed N] [--days N] [--per-day N] [--now ISO]
 *                   [--reset | --if-empty]
 *
 * Exit status 0 on success, 1 on failure, 2 on a usage error.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "migrate.h"
#include "user_store.h"
#include "util.h"
#include "valid.h"

static int usage(void)
{
	fprintf(stderr,
	    "usage: goldwatch-admin migrate\n"
	    "       goldwatch-admin user add NAME --role viewer|operator|admin"
	    " [--email ADDR] [--if-absent]   (password on stdin)\n"
	    "       goldwatch-admin demo [--seed N] [--days N] [--per-day N]"
	    " [--now ISO8601] [--reset | --if-empty]\n");
	return 2;
}

/* Value of "--name VALUE" or "--name=VALUE" in argv, or NULL. */
static const char *opt_value(int argc, char **argv, const char *name)
{
	size_t n = strlen(name);
	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], name, n) != 0)
			continue;
		if (argv[i][n] == '=')
			return argv[i] + n + 1;
		if (argv[i][n] == '\0' && i + 1 < argc)
			return argv[i + 1];
	}
	return NULL;
}

static int opt_flag(int argc, char **argv, const char *name)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

DB_STMT(q_secret,
    "INSERT INTO app_secrets (name, value) VALUES ($1, decode($2, 'hex'))"
    " ON CONFLICT (name) DO NOTHING");

static int cmd_migrate(struct db *db, const struct config *cfg)
{
	char *dir = config_path(cfg, "sql", "migrations");
	unsigned char key[32];
	char hex[65];
	int applied = 0, rc;

	rc = migrate_run(db, dir, &applied);
	free(dir);
	if (rc < 0)
		return 1;
	/* the cluster-wide key that signs acknowledge links in mail */
	randombytes_buf(key, sizeof(key));
	hex_encode(key, sizeof(key), hex);
	sodium_memzero(key, sizeof(key));
	rc = DB_RUN(db, &q_secret, "ack_link_key", hex);
	sodium_memzero(hex, sizeof(hex));
	if (rc < 0)
		return 1;
	log_line("migrate: %d migration(s) applied", applied);
	return 0;
}

static int read_password(char *out, size_t cap)
{
	size_t n;

	if (fgets(out, (int)cap, stdin) == NULL)
		return -1;
	n = strlen(out);
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		out[--n] = '\0';
	return 0;
}

/*
 * The command line acts as this principal: its audit rows name
 * "goldwatch-admin" as the actor (no user id: nobody signed in).
 */
static const struct principal admin_cli = {.username = "goldwatch-admin", .role = ROLE_ADMIN};

/* Wipes the password jansson copied into body, then frees body. */
static void body_free(json_t *body)
{
	json_t *pw = json_object_get(body, "password");

	if (json_is_string(pw))
		sodium_memzero((char *)json_string_value(pw), json_string_length(pw));
	json_decref(body);
}

static int cmd_user_add(struct db *db, int argc, char **argv)
{
	const char *role_s = opt_value(argc, argv, "--role");
	const char *email = opt_value(argc, argv, "--email");
	int if_absent = opt_flag(argc, argv, "--if-absent");
	struct user_input in;
	struct verror err;
	char pw[1100];
	json_t *body, *out = NULL;
	enum store_rc rc;
	int exists;

	if (argc < 3 || argv[2][0] == '-' || role_s == NULL)
		return usage();
	/* before the password is asked for: --if-absent reads no stdin then */
	if ((exists = user_exists(db, argv[2])) < 0)
		return 1;
	if (exists && if_absent) {
		log_line("user %s exists: unchanged", argv[2]);
		return 0;
	}
	if (exists) {
		log_err("user %s exists", argv[2]);
		return 1;
	}
	if (isatty(STDIN_FILENO))
		fprintf(stderr, "password for %s (at least 12 characters): ", argv[2]);
	if (read_password(pw, sizeof(pw)) < 0)
		pw[0] = '\0';
	/* the API's field table checks what the API's body would carry */
	body = json_pack("{ss ss ss so}", "username", argv[2], "password", pw,
	    "role", role_s, "email", email ? json_string(email) : json_null());
	sodium_memzero(pw, sizeof(pw));
	if (body == NULL)
		log_err("the user name, role and e-mail address must be UTF-8 text");
	rc = body == NULL ? ST_ERROR :
	    valid_decode(body, user_fields, user_nfields, &in, &err) < 0 ? ST_INVALID :
	    user_create(db, &admin_cli, &in, &out, &err);
	body_free(body);
	if (rc == ST_INVALID || rc == ST_CONFLICT)
		log_err("user %s: %s", argv[2], err.message);
	if (rc != ST_OK)
		return 1;
	log_line("user %s created with role %s (id %lld)", argv[2],
	    json_string_value(json_object_get(out, "role")),
	    (long long)json_integer_value(json_object_get(out, "id")));
	json_decref(out);
	return 0;
}

DB_STMT(q_shop_empty, "SELECT NOT EXISTS (SELECT 1 FROM shop.invoices) AS empty");
DB_STMT(q_generate,
    "SELECT customers, products, invoices, lines"
    "  FROM shop.generate_demo($1::float8, $2::int, $3::int, $4::timestamptz, $5::text)");

static int cmd_demo(struct db *db, const struct config *cfg, int argc, char **argv)
{
	const char *seed = opt_value(argc, argv, "--seed");
	const char *days = opt_value(argc, argv, "--days");
	const char *per_day = opt_value(argc, argv, "--per-day");
	const char *now = opt_value(argc, argv, "--now");
	int64_t v, now_us;
	char nowbuf[40], *path, *sql;
	PGresult *r;
	int rc = 1;

	if (!seed)
		seed = "0.42";
	if (!days)
		days = "90";
	if (!per_day)
		per_day = "40";
	if (parse_int64(days, 1, 20000, &v) < 0 || parse_int64(per_day, 1, 1000000, &v) < 0) {
		log_err("--days must be 1-20000 and --per-day 1-1000000");
		return 2;
	}
	if (strtod(seed, NULL) < -1 || strtod(seed, NULL) > 1) {
		log_err("--seed must be a number from -1 to 1");
		return 2;
	}
	now_us = time_now_us();
	if (now && time_parse_iso(now, &now_us) < 0) {
		log_err("--now must be an ISO 8601 time with a zone");
		return 2;
	}
	time_format_iso(now_us, nowbuf, sizeof(nowbuf));
	if (opt_flag(argc, argv, "--if-empty")) {
		r = DB_EXEC0(db, &q_shop_empty);
		if (r == NULL)
			return 1;
		int empty = db_bool(r, 0, "empty");
		PQclear(r);
		if (!empty) {
			log_line("demo: the shop has data: unchanged");
			return 0;
		}
	}
	path = config_path(cfg, "sql", "demo.sql");
	sql = file_read_all(path, NULL);
	free(path);
	if (sql == NULL)
		return 1;
	/* years of trade take longer than any request may */
	if (db_begin(db) < 0 || db_script(db, "SET LOCAL statement_timeout = 0") < 0)
		goto out;
	if (opt_flag(argc, argv, "--reset") &&
	    db_script(db, "TRUNCATE shop.payments, shop.invoice_lines, shop.invoices,"
	        " shop.gold_prices, shop.products, shop.customers RESTART IDENTITY") < 0)
		goto out;
	if (db_script(db, sql) < 0)
		goto out;
	r = DB_EXEC(db, &q_generate, seed, days, per_day, nowbuf, cfg->timezone);
	if (r == NULL)
		goto out;
	if (db_commit(db) < 0) {
		PQclear(r);
		goto out;
	}
	log_line("demo: %s customers, %s products, %s invoices, %s lines up to %s (%s)",
	    db_str(r, 0, "customers"), db_str(r, 0, "products"),
	    db_str(r, 0, "invoices"), db_str(r, 0, "lines"), nowbuf, cfg->timezone);
	PQclear(r);
	rc = db_script(db, "VACUUM ANALYZE shop.customers, shop.products, shop.invoices,"
	    " shop.invoice_lines, shop.payments, shop.gold_prices") < 0;
out:
	db_rollback(db);
	free(sql);
	return rc;
}

int main(int argc, char **argv)
{
	struct config cfg;
	struct db *db = NULL;
	int rc = 2;

	log_init("goldwatch-admin", LOG_LVL_INFO);
	if (argc < 2)
		return usage();
	if (config_load(&cfg) < 0)
		return 1;
	log_init("goldwatch-admin", (enum log_level)cfg.log_level);
	if (auth_init() < 0) {
		config_free(&cfg);
		return 1;
	}
	if (strcmp(argv[1], "migrate") == 0 || strcmp(argv[1], "demo") == 0 ||
	    (strcmp(argv[1], "user") == 0 && argc >= 3 && strcmp(argv[2], "add") == 0)) {
		db = db_open(&cfg);
		if (db == NULL) {
			config_free(&cfg);
			return 1;
		}
	}
	if (strcmp(argv[1], "migrate") == 0)
		rc = cmd_migrate(db, &cfg);
	else if (strcmp(argv[1], "demo") == 0)
		rc = cmd_demo(db, &cfg, argc, argv);
	else if (db != NULL)
		rc = cmd_user_add(db, argc - 1, argv + 1);
	else
		rc = usage();
	db_close(db);
	config_free(&cfg);
	return rc;
}
