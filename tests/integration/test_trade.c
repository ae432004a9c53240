/*
 * test_trade.c - the demo shop's trade (goldwatch-admin demo trade,
 * shop.demo_trade in sql/demo.sql) on a second demo shop of its own, in a
 * scratch database on the stack's cluster: the other suites rely on the
 * stack's demo shop as the generator left it, and the trade changes every
 * shop table. Every moment is fixed (shop-local times of March 2031),
 * never the wall clock's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "integration.h"
#include "migrate.h"
#include "testlib.h"
#include "util.h"

#define SCRATCH_DB "goldwatch_trade_test"
/* the generator's last moment (a Wednesday, shop time) and its sizes */
#define GEN_END "2031-03-12 12:34:56"
#define GEN_ARGS "0.42, 5, 40"

static PGconn *super;      /* the cluster's superuser: makes and drops the database */
static PGconn *shop;       /* the scratch database, as the stack's user */
static char *shop_url;     /* its conninfo, for the binaries */

/* The stack's DATABASE_URL with dbname and user replaced (NULL: kept), as
 * a conninfo string; caller frees. */
static char *conninfo_for(const char *dbname, const char *user)
{
	PQconninfoOption *opts = PQconninfoParse(test_env("DATABASE_URL"), NULL), *o;
	struct buf b;

	buf_init(&b);
	for (o = opts; o && o->keyword; o++) {
		const char *v = o->val;
		if (strcmp(o->keyword, "dbname") == 0 && dbname)
			v = dbname;
		if (strcmp(o->keyword, "user") == 0 && user)
			v = user;
		if (v == NULL || *v == '\0')
			continue;
		buf_printf(&b, "%s%s='", b.len ? " " : "", o->keyword);
		for (; *v; v++)
			buf_printf(&b, "%s%c", *v == '\'' || *v == '\\' ? "\\" : "", *v);
		buf_printf(&b, "'");
	}
	PQconninfoFree(opts);
	return b.data;
}

/* The user the stack's processes connect as. */
static char *stack_user(void)
{
	PGconn *c = test_db();
	return xstrdup(PQuser(c));
}

static PGresult *run_on(PGconn *c, const char *sql, int n, const char *const *params)
{
	PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType s = PQresultStatus(r);

	if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK)
		fprintf(stderr, "\n    scratch SQL failed: %s\n    %s\n", PQresultErrorMessage(r), sql);
	CU_ASSERT(s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK);
	return r;
}

static void shop_exec(const char *sql, int n, const char *const *params)
{
	PQclear(run_on(shop, sql, n, params));
}

static char *shop_str(const char *sql, int n, const char *const *params)
{
	PGresult *r = run_on(shop, sql, n, params);
	char *v = xstrdup(PQntuples(r) > 0 && !PQgetisnull(r, 0, 0) ? PQgetvalue(r, 0, 0) : "");

	PQclear(r);
	return v;
}

static long long shop_int(const char *sql, int n, const char *const *params)
{
	char *s = shop_str(sql, n, params);
	long long v = *s ? strtoll(s, NULL, 10) : -1;

	free(s);
	return v;
}
#define SHOP_INT(sql, ...) shop_int(sql, TN(__VA_ARGS__), TP(__VA_ARGS__))
#define SHOP_INT0(sql) shop_int(sql, 0, NULL)

/* The shop-local time "YYYY-MM-DD HH:MM[:SS]" as ISO 8601; caller frees. */
static char *at(const char *local)
{
	return shop_str("SELECT iso($1::timestamp AT TIME ZONE $2)", 2, TP(local, test_shop_zone()));
}

/* goldwatch-admin ARGS on the scratch database; its exit status. */
static int admin(const char *args)
{
	return test_system("DATABASE_URL=\"%s\" '%s/goldwatch-admin' %s >>'%s/log/trade-tests.log' 2>&1",
	    shop_url, test_env("GW_TEST_BIN"), args, test_env("GW_TEST_STACK"));
}

/* goldwatch-admin demo trade --until the shop-local moment; its exit status. */
static int trade_until(const char *local)
{
	char *iso = at(local), args[96];
	int rc;

	snprintf(args, sizeof(args), "demo trade --until=%s", iso);
	free(iso);
	rc = admin(args);
	CU_ASSERT_EQUAL(rc, 0);
	return rc;
}

static void empty_shop(void)
{
	shop_exec("TRUNCATE shop.payments, shop.invoice_lines, shop.invoices, shop.gold_prices,"
	    " shop.products, shop.customers RESTART IDENTITY", 0, NULL);
}

/* A fresh demo shop as the generator leaves it at GEN_END. */
static void generate(void)
{
	char *path = xasprintf("%s/sql/demo.sql", test_top());
	char *sql = file_read_all(path, NULL);
	char *end = at(GEN_END);
	PGresult *r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(sql);
	empty_shop();
	r = PQexec(shop, sql);
	CU_ASSERT_EQUAL(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);
	PQclear(run_on(shop, "SELECT shop.generate_demo(" GEN_ARGS ", $1::timestamptz, $2)", 2,
	    TP(end, test_shop_zone())));
	free(end);
	free(sql);
	free(path);
}

static int init(void)
{
	char *admin_url = conninfo_for("postgres", "postgres"), *user = stack_user();
	char *create = xasprintf("CREATE DATABASE " SCRATCH_DB " OWNER \"%s\"", user);
	int ok;

	super = PQconnectdb(admin_url);
	ok = PQstatus(super) == CONNECTION_OK;
	if (ok) {
		PQclear(PQexec(super, "SET client_min_messages = warning"));
		PQclear(PQexec(super, "DROP DATABASE IF EXISTS " SCRATCH_DB " WITH (FORCE)"));
		PGresult *r = PQexec(super, create);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
	}
	if (!ok)
		fprintf(stderr, "\n    trade: no scratch database: %s\n", PQerrorMessage(super));
	shop_url = conninfo_for(SCRATCH_DB, NULL);
	if (ok)
		ok = admin("migrate") == 0;
	if (ok) {
		shop = PQconnectdb(shop_url);
		ok = PQstatus(shop) == CONNECTION_OK;
		PQclear(PQexec(shop, "SET client_min_messages = warning"));
	}
	free(create);
	free(user);
	free(admin_url);
	return ok ? 0 : -1;
}

static int clean(void)
{
	PQfinish(shop);
	shop = NULL;
	if (super)
		PQclear(PQexec(super, "DROP DATABASE IF EXISTS " SCRATCH_DB " WITH (FORCE)"));
	PQfinish(super);
	super = NULL;
	free(shop_url);
	shop_url = NULL;
	return 0;
}

/* A shop with real data (or none) is refused, and nothing changes. */
static void t_refuses_other_shops(void)
{
	empty_shop();
	shop_exec("DROP TABLE IF EXISTS shop.demo_clock", 0, NULL);
	CU_ASSERT_EQUAL(admin("demo trade"), 1);
	shop_exec("INSERT INTO shop.gold_prices (quoted_at, karat, price_per_gram)"
	    " VALUES ('2031-03-12T08:00:00Z', 24, 81.5)", 0, NULL);
	shop_exec("INSERT INTO shop.invoices (number, status, issued_at, total)"
	    " VALUES ('REAL-1', 'paid', '2031-03-12T09:00:00Z', 100)", 0, NULL);
	CU_ASSERT_EQUAL(admin("demo trade --until=2031-03-13T18:00:00Z"), 1);
	CU_ASSERT_EQUAL(SHOP_INT0("SELECT count(*) FROM shop.invoices"), 1);
	CU_ASSERT_EQUAL(SHOP_INT0("SELECT count(*) FROM shop.gold_prices"), 1);
	CU_ASSERT_EQUAL(SHOP_INT0("SELECT count(*) FROM shop.payments"), 0);
	CU_ASSERT_EQUAL(SHOP_INT0("SELECT (to_regclass('shop.demo_clock') IS NULL)::int"), 1);
	/* bad options change nothing either */
	CU_ASSERT_EQUAL(admin("demo trade --until=tomorrow"), 2);
	CU_ASSERT_EQUAL(admin("demo trade --seed=2"), 2);
	empty_shop();
}

/* The generator ends at its moment, today included, 22k rings at 3. */
static void t_generator_ends_at_its_moment(void)
{
	char *end;

	generate();
	end = at(GEN_END);
	CU_ASSERT_EQUAL(SHOP_INT("SELECT count(*) FROM shop.invoices WHERE issued_at > $1", end), 0);
	/* today's trade up to 12:34:56, and today's gold quote (09:30) */
	CU_ASSERT_TRUE(SHOP_INT("SELECT count(*) FROM shop.invoices"
	    " WHERE issued_at >= ($1::timestamptz AT TIME ZONE $2)::date::timestamp AT TIME ZONE $2",
	    end, test_shop_zone()) > 0);
	CU_ASSERT_EQUAL(SHOP_INT("SELECT count(*) FROM shop.gold_prices"
	    " WHERE quoted_at = (($1::timestamptz AT TIME ZONE $2)::date + time '09:30') AT TIME ZONE $2",
	    end, test_shop_zone()), 4);
	CU_ASSERT_EQUAL(SHOP_INT("SELECT count(*) FROM shop.invoices"
	    " WHERE (issued_at AT TIME ZONE $1)::time NOT BETWEEN '10:00' AND '21:00'",
	    test_shop_zone()), 0);
	/* the trade goes on from the next whole minute */
	CU_ASSERT_EQUAL(SHOP_INT("SELECT (traded_to = date_trunc('minute', $1::timestamptz)"
	    " + interval '1 minute')::int FROM shop.demo_clock", end), 1);
	CU_ASSERT_EQUAL(SHOP_INT0("SELECT sum(stock_qty) FROM shop.products"
	    " WHERE active AND category = 'ring' AND karat = 22"), 3);
	free(end);
}

/* Everything the trade writes, and where it stopped, as one digest. */
static char *digest(void)
{
	return shop_str(
	    "SELECT md5(string_agg(x, '|' ORDER BY x)) FROM ("
	    " SELECT format('i %s %s %s %s %s %s %s %s %s', number, iso(issued_at), kind, status,"
	    "   customer_id, total, amount_paid, cost_total, cashier) AS x FROM shop.invoices"
	    " UNION ALL SELECT format('l %s %s %s', i.number, p.sku, l.line_total)"
	    "   FROM shop.invoice_lines l JOIN shop.invoices i ON i.id = l.invoice_id"
	    "   JOIN shop.products p ON p.id = l.product_id"
	    " UNION ALL SELECT format('p %s %s %s %s', i.number, iso(y.paid_at), y.amount, y.method)"
	    "   FROM shop.payments y JOIN shop.invoices i ON i.id = y.invoice_id"
	    " UNION ALL SELECT format('g %s %s %s %s', iso(quoted_at), karat, price_per_gram, source)"
	    "   FROM shop.gold_prices"
	    " UNION ALL SELECT format('s %s %s', sku, stock_qty) FROM shop.products"
	    " UNION ALL SELECT format('k %s %s %s', id, name, iso(created_at)) FROM shop.customers"
	    " UNION ALL SELECT format('c %s', iso(traded_to)) FROM shop.demo_clock) d", 0, NULL);
}

/*
 * Two days of trade (two nights, two mornings) in one call and in
 * fourteen calls cut anywhere, from the same generated shop: the same
 * rows. And the trade did trade.
 */
static void t_same_rows_however_cut(void)
{
	static const char *const cuts[] = {
		"2031-03-12 12:41:30", "2031-03-12 12:58", "2031-03-12 14:00:59",
		"2031-03-12 18:17", "2031-03-12 21:30", "2031-03-13 03:00",
		"2031-03-13 10:00:10", "2031-03-13 10:07", "2031-03-13 11:33",
		"2031-03-13 15:02:45", "2031-03-13 20:59", "2031-03-14 09:00",
		"2031-03-14 10:30", "2031-03-14 11:00",
	};
	char *one, *many, *gen_end;
	long long invoices;

	generate();
	gen_end = at(GEN_END);
	trade_until("2031-03-14 11:00");
	one = digest();
	invoices = SHOP_INT("SELECT count(*) FROM shop.invoices WHERE issued_at > $1", gen_end);
	CU_ASSERT_TRUE(invoices > 30);
	CU_ASSERT_TRUE(SHOP_INT("SELECT count(*) FROM shop.gold_prices WHERE quoted_at > $1",
	    gen_end) > 0);
	CU_ASSERT_TRUE(SHOP_INT("SELECT count(*) FROM shop.payments WHERE paid_at > $1", gen_end) > 0);
	CU_ASSERT_TRUE(SHOP_INT("SELECT count(*) FROM shop.customers WHERE created_at > $1",
	    gen_end) > 0);
	generate();
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++)
		trade_until(cuts[i]);
	many = digest();
	CU_ASSERT_STRING_EQUAL(one, many);
	free(one);
	free(many);
	free(gen_end);
}

/* From closing (21:00) to opening (10:00) nothing is traded. */
static void t_nothing_while_closed(void)
{
	char *from, *before, *after;

	generate();
	from = at("2031-03-12 21:00");
	shop_exec("UPDATE shop.demo_clock SET traded_to = $1", 1, TP(from));
	before = digest();
	CU_ASSERT_EQUAL(trade_until("2031-03-13 10:00:59"), 0);
	after = digest();
	/* only the clock moved: the rows are those before */
	shop_exec("UPDATE shop.demo_clock SET traded_to = $1", 1, TP(from));
	free(after);
	after = digest();
	CU_ASSERT_STRING_EQUAL(before, after);
	CU_ASSERT_EQUAL(SHOP_INT("SELECT count(*) FROM shop.invoices WHERE issued_at > $1", from), 0);
	free(before);
	free(after);
	free(from);
}

/* Stock goes down by exactly the pieces sold (void sales and refunds aside). */
static void t_stock_follows_sales(void)
{
	char *from;
	long long before, after, sold;

	generate();
	from = at("2031-03-13 10:01");
	shop_exec("UPDATE shop.demo_clock SET traded_to = $1", 1, TP(from));
	before = SHOP_INT0("SELECT sum(stock_qty) FROM shop.products");
	trade_until("2031-03-13 16:00");
	after = SHOP_INT0("SELECT sum(stock_qty) FROM shop.products");
	sold = SHOP_INT("SELECT coalesce(sum(l.qty), 0) FROM shop.invoice_lines l"
	    " JOIN shop.invoices i ON i.id = l.invoice_id"
	    " WHERE i.issued_at >= $1 AND i.kind = 'sale' AND i.status <> 'void'", from);
	CU_ASSERT_TRUE(sold > 5);
	CU_ASSERT_EQUAL(before - after, sold);
	CU_ASSERT_EQUAL(SHOP_INT0("SELECT count(*) FROM shop.products WHERE stock_qty < 0"), 0);
	free(from);
}

/*
 * The live incident of `make run`: from the generator's end state, trade
 * starting at any moment from 10:01 to 20:35 (every 7 minutes, a whole
 * week) sells 22k rings below 3 within 16 minutes (the evaluation every 5
 * minutes then fires rings_22k_in_stock lt 3 within 30), and no delivery
 * brings them back within 2 hours of a start right after opening.
 */
static void t_rings_22k_below_3_within_30_minutes(void)
{
	static const char q_start[] =
	    "SELECT iso((($1::date + $2::int) + time '10:01' + $3::int * interval '7 minutes')"
	    " AT TIME ZONE $4)";
	/* two statements: one statement does not see what its functions wrote */
	static const char q_trade[] =
	    "SELECT 1 FROM shop.demo_trade(NULL, $1::timestamptz + $2::int * interval '1 minute', $3)";
	static const char q_rings[] =
	    "SELECT sum(stock_qty) FROM shop.products WHERE active AND category = 'ring' AND karat = 22";
	int late = 0, starts = 0;

	generate();
	shop_exec("BEGIN", 0, NULL);
	for (int day = 0; day < 7; day++) {
		for (int k = 0; k * 7 <= 10 * 60 + 34; k++) {
			char d[8], kk[8], *start;
			snprintf(d, sizeof(d), "%d", day);
			snprintf(kk, sizeof(kk), "%d", k);
			start = shop_str(q_start, 4, TP("2031-03-15", d, kk, test_shop_zone()));
			shop_exec("SAVEPOINT s", 0, NULL);
			shop_exec("UPDATE shop.demo_clock SET traded_to = $1", 1, TP(start));
			shop_exec(q_trade, 3, TP(start, k == 0 ? "120" : "16", test_shop_zone()));
			if (shop_int(q_rings, 0, NULL) >= 3) {
				fprintf(stderr, "\n    22k rings still at 3 or more after a start at %s", start);
				late++;
			}
			shop_exec("ROLLBACK TO SAVEPOINT s", 0, NULL);
			starts++;
			free(start);
		}
	}
	shop_exec("ROLLBACK", 0, NULL);
	CU_ASSERT_EQUAL(starts, 7 * 91);
	CU_ASSERT_EQUAL(late, 0);
}

void suite_trade(void)
{
	static const struct test_case cases[] = {
		{"demo trade refuses a shop that is not the demo's", t_refuses_other_shops},
		{"the generator ends at its moment, 22k rings at 3", t_generator_ends_at_its_moment},
		{"one call or fourteen: the same rows", t_same_rows_however_cut},
		{"nothing is traded from 21:00 to 10:00", t_nothing_while_closed},
		{"stock goes down with the pieces sold", t_stock_follows_sales},
		{"22k rings fall below 3 within 30 minutes of any start", t_rings_22k_below_3_within_30_minutes},
		{NULL, NULL},
	};
	test_add_suite("trade", init, clean, cases);
}
