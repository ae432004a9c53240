/*
 * goldwatch-admin - operator's tool: apply migrations, add users, load the
 * demo shop.
 *
 *   goldwatch-admin migrate
 *   goldwatch-admin user add NAME --role ROLE [--email ADDR] [--if-absent]
 *                   (the password is read from the first line of stdin)
 *   goldwatch-admin demo [--seed N] [--days N] [--per-day N] [--now ISO]
 *                   [--reset | --if-empty] [--no-rules] [--no-backfill]
 *   goldwatch-admin rules load-starter
 *   goldwatch-admin schedule [--digest-time HH:MM]
 *                   (the jobs' timers: one "JOB ONCALENDAR" line each)
 *   goldwatch-admin demo trade [--until ISO] [--seed N]
 *   goldwatch-admin backfill [--since ISO | --days N] [--step 5m|15m|1h] [--now ISO]
 *                   [--chunk N]
 *
 * The commands are a table (commands[]: words, usage, options, handler);
 * each command's options are read with getopt_long, in any order around
 * its NAME. Exit status 0 on success, 1 on failure, 2 on a usage error.
 */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "backfill.h"
#include "config.h"
#include "db.h"
#include "demo_trade.h"
#include "log.h"
#include "migrate.h"
#include "schedule.h"
#include "starter.h"
#include "user_store.h"
#include "util.h"
#include "valid.h"

/* One option of a command: "--name VALUE" (or --name=VALUE), or a flag. */
struct opt_spec {
	const char *name;       /* without the dashes */
	int has_value;
};

#define MAX_OPTS 8

/* A command line read against its command's options. */
struct args {
	const char *value[MAX_OPTS];   /* by the index in the command's opts */
	int given[MAX_OPTS];
	char **pos;                    /* the words that are no option */
	int npos;
	const struct command *cmd;
};

struct command {
	const char *words;             /* "user add" */
	const char *usage;             /* what follows the words in the usage */
	const struct opt_spec *opts;   /* ends with a NULL name */
	int npos;                      /* words after the options it takes */
	int needs_db;
	int (*run)(struct db *db, const struct config *cfg, const struct args *a);
};

static int usage(void);

/* The value of option name, or NULL when it was not given. */
static const char *arg(const struct args *a, const char *name)
{
	for (int i = 0; a->cmd->opts[i].name; i++)
		if (strcmp(a->cmd->opts[i].name, name) == 0)
			return a->given[i] ? a->value[i] : NULL;
	return NULL;
}

static int flag(const struct args *a, const char *name)
{
	for (int i = 0; a->cmd->opts[i].name; i++)
		if (strcmp(a->cmd->opts[i].name, name) == 0)
			return a->given[i];
	return 0;
}

DB_STMT(q_secret,
    "INSERT INTO app_secrets (name, value) VALUES ($1, decode($2, 'hex'))"
    " ON CONFLICT (name) DO NOTHING");

static int cmd_migrate(struct db *db, const struct config *cfg, const struct args *a)
{
	char *dir = config_path(cfg, "sql", "migrations");
	unsigned char key[32];
	char hex[65];
	int applied = 0, rc;

	(void)a;
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

static int cmd_user_add(struct db *db, const struct config *cfg, const struct args *a)
{
	const char *name, *role_s = arg(a, "role");
	const char *email = arg(a, "email");
	int if_absent = flag(a, "if-absent");
	struct user_input in;
	struct verror err;
	char pw[1100];
	json_t *body, *out = NULL;
	enum store_rc rc;
	int exists;

	(void)cfg;
	if (a->npos != 1 || role_s == NULL)
		return usage();
	name = a->pos[0];
	/* before the password is asked for: --if-absent reads no stdin then */
	if ((exists = user_exists(db, name)) < 0)
		return 1;
	if (exists && if_absent) {
		log_line("user %s exists: unchanged", name);
		return 0;
	}
	if (exists) {
		log_err("user %s exists", name);
		return 1;
	}
	if (isatty(STDIN_FILENO))
		fprintf(stderr, "password for %s (at least 12 characters): ", name);
	if (read_password(pw, sizeof(pw)) < 0 || !valid_password(pw)) {
		sodium_memzero(pw, sizeof(pw));
		log_err("the password (first line of stdin) must be 12 to 1024 characters");
		return 1;
	}
	/* the API's field table checks what the API's body would carry */
	body = json_pack("{ss ss ss so}", "username", name, "password", pw,
	    "role", role_s, "email", email ? json_string(email) : json_null());
	sodium_memzero(pw, sizeof(pw));
	if (body == NULL)
		log_err("the user name, role and e-mail address must be UTF-8 text");
	rc = body == NULL ? ST_ERROR :
	    valid_decode(body, user_fields, user_nfields, &in, &err) < 0 ? ST_INVALID :
	    user_create(db, &admin_cli, &in, &out, &err);
	body_free(body);
	if (rc == ST_INVALID || rc == ST_CONFLICT)
		log_err("user %s: %s", name, err.message);
	if (rc != ST_OK)
		return 1;
	log_line("user %s created with role %s (id %lld)", name,
	    json_string_value(json_object_get(out, "role")),
	    (long long)json_integer_value(json_object_get(out, "id")));
	json_decref(out);
	return 0;
}

/* The starter rules (core/starter.c), as POST /api/alerts/rules/load-starter loads them. */
static int load_starter(struct db *db, const struct config *cfg)
{
	json_t *out = NULL;

	if (starter_load(db, cfg, &admin_cli, &out) != ST_OK)
		return 1;
	log_line("rules load-starter: %lld added, %lld skipped (a rule has the name), for %s",
	    (long long)json_integer_value(json_object_get(out, "added")),
	    (long long)json_integer_value(json_object_get(out, "skipped")), cfg->admin_email);
	json_decref(out);
	return 0;
}

static int cmd_rules_load_starter(struct db *db, const struct config *cfg, const struct args *a)
{
	(void)a;
	return load_starter(db, cfg);
}

/* --step: the moments' spacing, in seconds; 0 when not one we offer. */
static int step_seconds(const char *s)
{
	static const struct {
		const char *name;
		int secs;
	} steps[] = {{"5m", 300}, {"15m", 900}, {"1h", 3600}};

	for (size_t i = 0; i < GW_ARRAY_LEN(steps); i++)
		if (strcmp(s, steps[i].name) == 0)
			return steps[i].secs;
	return 0;
}

/* The backfill's options into o: 0, or 2 (said). */
static int backfill_opts_of(const struct args *a, const struct config *cfg,
    struct backfill_opts *o)
{
	const char *since = arg(a, "since"), *days = arg(a, "days"), *now = arg(a, "now");
	const char *chunk = arg(a, "chunk");
	int64_t d = cfg->keep_samples_days, c = 0;

	memset(o, 0, sizeof(*o));
	o->now_us = time_now_us();
	if ((since && days) || (now && time_parse_iso(now, &o->now_us) < 0) ||
	    (days && parse_int64(days, 1, 36500, &d) < 0) ||
	    (chunk && parse_int64(chunk, 1, 100000, &c) < 0) ||
	    (o->step_s = step_seconds(arg(a, "step") ? arg(a, "step") : "1h")) == 0) {
		log_err("backfill: --since or --days (1-36500), --step 5m, 15m or 1h,"
		    " --now an ISO 8601 time with a zone, --chunk 1-100000");
		return 2;
	}
	o->chunk = (int)c;
	o->since_us = o->now_us - d * 86400 * INT64_C(1000000);
	if (since && (time_parse_iso(since, &o->since_us) < 0 || o->since_us >= o->now_us)) {
		log_err("backfill: --since must be an ISO 8601 time with a zone, before --now");
		return 2;
	}
	return 0;
}

static int cmd_backfill(struct db *db, const struct config *cfg, const struct args *a)
{
	struct backfill_opts o;
	struct backfill_result res;
	int rc = backfill_opts_of(a, cfg, &o);

	if (rc != 0)
		return rc;
	return backfill_run(db, cfg, &o, &res) < 0;
}

/* The demo's history: its days at 1 h, and the last day at the
 * evaluation's 5 minutes (the 1 h moments are there already). */
static int demo_backfill(struct db *db, const struct config *cfg, int64_t now_us, int64_t days)
{
	struct backfill_opts o = {.now_us = now_us, .step_s = 3600};
	struct backfill_result res;

	o.since_us = now_us - days * 86400 * INT64_C(1000000);
	if (backfill_run(db, cfg, &o, &res) < 0)
		return -1;
	o.since_us = now_us - 86400 * INT64_C(1000000);
	o.step_s = 300;
	return backfill_run(db, cfg, &o, &res);
}

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

static int cmd_demo(struct db *db, const struct config *cfg, const struct args *a)
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

/* install.sh writes each timer's OnCalendar= from these lines */
static int cmd_schedule(struct db *db, const struct config *cfg, const struct args *a)
{
	struct schedule s;
	char cal[40];

	(void)db;
	(void)cfg;
	if (schedule_init(&s, arg(a, "digest-time")) < 0) {
		fprintf(stderr, "goldwatch-admin: --digest-time must be HH:MM (00:00-23:59)\n");
		return 2;
	}
	for (int i = 0; i < SCHEDULE_JOBS; i++) {
		schedule_calendar(&s.jobs[i], cal, sizeof(cal));
		printf("%s %s\n", s.jobs[i].job, cal);
	}
	return 0;
}

/* The demo shop trades on up to --until (default now): sql/demo.sql. */
static int cmd_demo_trade(struct db *db, const struct config *cfg, const struct args *a)
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

static const struct opt_spec no_opts[] = {{NULL, 0}};
static const struct opt_spec schedule_opts[] = {{"digest-time", 1}, {NULL, 0}};
static const struct opt_spec user_add_opts[] = {
	{"role", 1}, {"email", 1}, {"if-absent", 0}, {NULL, 0},
};
static const struct opt_spec demo_opts[] = {
	{"seed", 1}, {"days", 1}, {"per-day", 1}, {"now", 1}, {"reset", 0}, {"if-empty", 0},
	{"no-rules", 0}, {"no-backfill", 0}, {NULL, 0},
};
static const struct opt_spec backfill_opts[] = {
	{"since", 1}, {"days", 1}, {"step", 1}, {"now", 1}, {"chunk", 1}, {NULL, 0},
};
static const struct opt_spec demo_trade_opts[] = {{"until", 1}, {"seed", 1}, {NULL, 0}};

static const struct command commands[] = {
	{"migrate", "", no_opts, 0, 1, cmd_migrate},
	{"user add", " NAME --role viewer|operator|admin [--email ADDR] [--if-absent]"
	    "   (password on stdin)", user_add_opts, 1, 1, cmd_user_add},
	/* before "demo": the first command whose words match is taken */
	{"demo trade", " [--until ISO8601] [--seed N]", demo_trade_opts, 0, 1, cmd_demo_trade},
	{"demo", " [--seed N] [--days N] [--per-day N] [--now ISO8601] [--reset | --if-empty]"
	    " [--no-rules] [--no-backfill]", demo_opts, 0, 1, cmd_demo},
	{"rules load-starter", "", no_opts, 0, 1, cmd_rules_load_starter},
	{"schedule", " [--digest-time HH:MM]", schedule_opts, 0, 0, cmd_schedule},
	{"backfill", " [--since ISO8601 | --days N] [--step 5m|15m|1h] [--now ISO8601] [--chunk N]",
	    backfill_opts, 0, 1, cmd_backfill},
	{NULL, NULL, NULL, 0, 0, NULL},
};

static int usage(void)
{
	for (const struct command *c = commands; c->words; c++)
		fprintf(stderr, "%s goldwatch-admin %s%s\n", c == commands ? "usage:" : "      ",
		    c->words, c->usage);
	return 2;
}

/* How many words of argv (after the program) name command c, or 0. */
static int words_of(const struct command *c, int argc, char **argv)
{
	const char *w = c->words;
	int n = 0;

	while (*w) {
		size_t len = strcspn(w, " ");
		if (n + 1 >= argc || strlen(argv[n + 1]) != len || strncmp(argv[n + 1], w, len) != 0)
			return 0;
		n++;
		w += len;
		w += *w == ' ';
	}
	return n;
}

/* Reads the options after the command's words with getopt_long. 0, or -1
 * (said, with the usage). */
static int parse_args(const struct command *c, int argc, char **argv, struct args *a)
{
	struct option table[MAX_OPTS + 1];
	int n = 0, opt, idx;

	memset(a, 0, sizeof(*a));
	memset(table, 0, sizeof(table));
	a->cmd = c;
	for (; c->opts[n].name; n++) {
		table[n].name = c->opts[n].name;
		table[n].has_arg = c->opts[n].has_value ? required_argument : no_argument;
		table[n].val = 0x100 + n;
	}
	opterr = 0;
	optind = 1;
	/* ":": a missing value is told apart from an unknown option */
	while ((opt = getopt_long(argc, argv, ":", table, &idx)) != -1) {
		if (opt >= 0x100 && opt < 0x100 + n) {
			a->given[opt - 0x100] = 1;
			a->value[opt - 0x100] = optarg;
			continue;
		}
		fprintf(stderr, "goldwatch-admin: %s %s\n", argv[optind - 1],
		    opt == ':' ? "needs a value" : "is not an option of this command");
		usage();
		return -1;
	}
	a->pos = argv + optind;
	a->npos = argc - optind;
	if (a->npos != c->npos) {
		usage();
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const struct command *c = commands;
	struct config cfg;
	struct db *db = NULL;
	struct args a;
	int rc, nw = 0;

	log_init("goldwatch-admin", LOG_LVL_INFO);
	while (c->words && (nw = words_of(c, argc, argv)) == 0)
		c++;
	if (c->words == NULL)
		return usage();
	/* getopt_long reads from argv[1]: the last word stands as argv[0] */
	if (parse_args(c, argc - nw, argv + nw, &a) < 0)
		return 2;
	if (config_load(&cfg) < 0)
		return 1;
	log_init("goldwatch-admin", (enum log_level)cfg.log_level);
	if (auth_init() < 0) {
		config_free(&cfg);
		return 1;
	}
	if (c->needs_db && (db = db_open(&cfg)) == NULL) {
		config_free(&cfg);
		return 1;
	}
	rc = c->run(db, &cfg, &a);
	db_close(db);
	config_free(&cfg);
	return rc;
}
