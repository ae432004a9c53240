/*
 * demo_trade.c - goldwatch-admin demo trade: the demo shop goes on trading
 * (shop.demo_trade in sql/demo.sql: invoices during opening hours, gold
 * quotes, late payments, deliveries) from where it stopped. The `make run`
 * stack runs it every minute; nothing installed runs it, and it refuses a
 * shop that holds real data.
 */
#include <stdlib.h>

#include "demo_trade.h"
#include "log.h"
#include "migrate.h"
#include "util.h"

/* A demo shop: only the demo's gold quotes, and the demo's clock or quotes. */
DB_STMT(q_is_demo,
    "SELECT NOT EXISTS (SELECT 1 FROM shop.gold_prices WHERE source <> 'demo')"
    "   AND (to_regclass('shop.demo_clock') IS NOT NULL"
    "        OR EXISTS (SELECT 1 FROM shop.gold_prices WHERE source = 'demo')) AS demo");
DB_STMT(q_trade,
    "SELECT iso(traded_from) AS traded_from, iso(traded_to) AS traded_to,"
    "       iso(skipped_from) AS skipped_from, invoices, refunds, payments, quotes, restocks,"
    "       customers"
    "  FROM shop.demo_trade($1::float8, $2::timestamptz, $3::text)");

static int is_demo_shop(struct db *db)
{
	PGresult *r = DB_EXEC0(db, &q_is_demo);
	int demo;

	if (r == NULL)
		return -1;
	demo = db_bool(r, 0, "demo");
	PQclear(r);
	if (!demo)
		log_err("demo trade: refused: this shop does not hold the demo's data alone"
		    " (only the shop of goldwatch-admin demo trades)");
	return demo ? 0 : -1;
}

static void log_summary(const PGresult *r, const char *tz)
{
	const char *skipped = db_str(r, 0, "skipped_from");

	log_line("demo trade: %s to %s (%s): %s invoices, %s refunds, %s late payments,"
	    " %s gold quotes, %s products restocked, %s new customers%s%s%s",
	    db_str(r, 0, "traded_from"), db_str(r, 0, "traded_to"), tz,
	    db_str(r, 0, "invoices"), db_str(r, 0, "refunds"), db_str(r, 0, "payments"),
	    db_str(r, 0, "quotes"), db_str(r, 0, "restocks"), db_str(r, 0, "customers"),
	    skipped ? "; the gap from " : "", skipped ? skipped : "",
	    skipped ? " was longer than 2 days: only its last 2 days were traded" : "");
}

int demo_trade_run(struct db *db, const struct config *cfg, const char *seed,
    const char *until)
{
	char *path, *sql = NULL;
	PGresult *r = NULL;
	int rc = -1;

	if (is_demo_shop(db) < 0)
		return -1;
	path = config_path(cfg, "sql", "demo.sql");
	sql = file_read_all(path, NULL);
	free(path);
	if (sql == NULL)
		return -1;
	/* a gap of two days takes longer than a request may */
	if (db_begin(db) < 0 || db_script(db, "SET LOCAL statement_timeout = 0") < 0 ||
	    db_script(db, sql) < 0)
		goto out;
	if ((r = DB_EXEC(db, &q_trade, seed, until, cfg->timezone)) == NULL || db_commit(db) < 0)
		goto out;
	log_summary(r, cfg->timezone);
	rc = 0;
out:
	PQclear(r);
	db_rollback(db);
	free(sql);
	return rc;
}
