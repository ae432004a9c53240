/*
 * goldwatch-admin - operator's tool: apply migrations, add users, load the
 * demo shop and the starter rules, backfill KPI history, print the
 * timers' schedule.
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
 *   goldwatch-admin doctor
 *                   (checks configuration, database, jobs, SMTP, contact points,
 *                   pusher; exit 1 when one failed)
 *
 * The commands are a table (commands[]: words, usage, options, handler);
 * each command's options are read with getopt_long, in any order around
 * its NAME. Exit status 0 on success, 1 on failure, 2 on a usage error.
 * The handlers are in the other files of admin/ (admin.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "auth.h"
#include "config.h"
#include "db.h"
#include "log.h"

struct command {
	const char *words;             /* "user add" */
	const char *usage;             /* what follows the words in the usage */
	const struct opt_spec *opts;   /* ends with a NULL name */
	int npos;                      /* words after the options it takes */
	int needs_db;
	int (*run)(struct db *db, const struct config *cfg, const struct args *a);
};

const char *arg(const struct args *a, const char *name)
{
	for (int i = 0; a->cmd->opts[i].name; i++)
		if (strcmp(a->cmd->opts[i].name, name) == 0)
			return a->given[i] ? a->value[i] : NULL;
	return NULL;
}

int flag(const struct args *a, const char *name)
{
	for (int i = 0; a->cmd->opts[i].name; i++)
		if (strcmp(a->cmd->opts[i].name, name) == 0)
			return a->given[i];
	return 0;
}

const struct principal admin_cli = {.username = "goldwatch-admin", .role = ROLE_ADMIN};

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
	{"doctor", "", no_opts, 0, 0, cmd_doctor},
	{NULL, NULL, NULL, 0, 0, NULL},
};

int usage(void)
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
	/* a configuration that does not load is one of the doctor's findings */
	if (c->run == cmd_doctor)
		return cmd_doctor(NULL, NULL, &a);
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
