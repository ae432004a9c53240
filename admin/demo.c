/*
 * demo.c - goldwatch-admin demo (the demo shop: sql/demo.sql generates it,
 * then its history and the starter rules) and demo trade.
 */
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "demo_trade.h"
#include "log.h"
#include "migrate.h"
#include "util.h"

DB_STMT(q_shop_empty, "SELECT NOT EXISTS (SELECT 1 FROM shop.invoices) AS empty");
DB_STMT(q_generate,
    "SELECT customers, products, invoices, lines"
    "  FROM shop.generate_demo($1::float8, $2::int, $3::int, $4::timestamptz, $5::text)");

/* A seed of the demo: a number from -1 to 1 (said when not). */
static int valid_seed(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || !(v >= -1 && v <= 1)) {
		log_err("--seed must be a number from -1 to 1");
		return 0;
	}
	return 1;
}

int cmd_demo(struct db *db, const struct config *cfg, const struct args *a)
{
	const char *seed = arg(a, "seed");
	const char *days = arg(a, "days");
	const char *per_day = arg(a, "per-day");
	const char *now = arg(a, "now");
	int64_t v, v_days, now_us;
	char nowbuf[40], *path, *sql;
	PGresult *r;
	int rc = 1;

	if (!seed)
		seed = "0.42";
	if (!days)
		days = "90";
	if (!per_day)
		per_day = "40";
	if (parse_int64(days, 1, 20000, &v_days) < 0 || parse_int64(per_day, 1, 1000000, &v) < 0) {
		log_err("--days must be 1-20000 and --per-day 1-1000000");
		return 2;
	}
	if (!valid_seed(seed))
		return 2;
	now_us = time_now_us();
	if (now && time_parse_iso(now, &now_us) < 0) {
		log_err("--now must be an ISO 8601 time with a zone");
		return 2;
	}
	time_format_iso(now_us, nowbuf, sizeof(nowbuf));
	if (flag(a, "if-empty")) {
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
	if (flag(a, "reset") &&
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
	if (rc == 0 && !flag(a, "no-backfill"))
		rc = demo_backfill(db, cfg, now_us, v_days) < 0;
	if (rc == 0 && !flag(a, "no-rules"))
		rc = load_starter(db, cfg);
out:
	db_rollback(db);
	free(sql);
	return rc;
}

/* The demo shop trades on up to --until (default now): sql/demo.sql. */
int cmd_demo_trade(struct db *db, const struct config *cfg, const struct args *a)
{
	const char *seed = arg(a, "seed"), *until = arg(a, "until");
	int64_t until_us = time_now_us();
	char buf[40];

	if (seed && !valid_seed(seed))
		return 2;
	if (until && time_parse_iso(until, &until_us) < 0) {
		log_err("--until must be an ISO 8601 time with a zone");
		return 2;
	}
	time_format_iso(until_us, buf, sizeof(buf));
	return demo_trade_run(db, cfg, seed, buf) < 0;
}
