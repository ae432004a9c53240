/*
 * goldwatch-scheduler - runs the jobs on the schedule of the systemd timers
 * (core/schedule.c's table) in the `make run` stack, where there is no
 * systemd: one run of a job at a time, each run's output appended to
 * LOG_DIR/JOB.log. Not installed: production uses the timers.
 *
 *   goldwatch-scheduler --log-dir DIR [--bin-dir DIR] [--digest-time HH:MM]
 *                       [--demo-trade] [--every NAME=SECONDS ...] [--grace S]
 *                       [--list]
 *
 * The mailer's timer is left out (the stack runs goldwatch-mailer --serve;
 * the timer only restarts it). --demo-trade adds `goldwatch-admin demo
 * trade` every minute (log demo-trade.log). --every runs NAME every
 * SECONDS instead (tests: several runs in seconds). --bin-dir: where the
 * binaries are (default: the scheduler's own folder). On start, like
 * Persistent=true, a job whose slot passed since its last run (job_runs)
 * runs at once. SIGTERM or SIGINT: no new run; runs going on get --grace
 * seconds (5) to finish, then SIGKILL. --list prints what it would run
 * ("NAME every 5 minutes" lines) and exits. Exit status 0, 1 on a bad
 * configuration, 2 on a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "job_runs.h"
#include "log.h"
#include "scheduler.h"
#include "util.h"

#define USAGE "usage: goldwatch-scheduler --log-dir DIR [--bin-dir DIR] [--digest-time HH:MM]" \
	" [--demo-trade] [--every NAME=SECONDS ...] [--grace SECONDS] [--list]\n"

struct options {
	const char *log_dir, *bin_dir, *digest_time;
	int demo_trade, list;
	int64_t grace_s;
	char *every[2 * SCHED_MAX];
	int n_every;
};

static void add_entry(struct scheduler *s, const struct options *o, const char *name,
    const struct schedule_job *when, const char *bin, const char *arg1, const char *arg2)
{
	struct entry *e = &s->e[s->n++];

	memset(e, 0, sizeof(*e));
	e->name = name;
	e->when = *when;
	e->argv[0] = xasprintf("%s/%s", o->bin_dir, bin);
	e->argv[1] = arg1 ? xstrdup(arg1) : NULL;
	e->argv[2] = arg2 ? xstrdup(arg2) : NULL;
	e->log_path = xasprintf("%s/%s.log", o->log_dir, name);
}

static void entries_free(struct scheduler *s)
{
	for (int i = 0; i < s->n; i++) {
		for (int k = 0; s->e[i].argv[k]; k++)
			free(s->e[i].argv[k]);
		free(s->e[i].log_path);
	}
	s->n = 0;
}

/* --every NAME=SECONDS over the entries: 0, or -1 (said). */
static int apply_every(struct scheduler *s, const struct options *o)
{
	for (int k = 0; k < o->n_every; k++) {
		char *eq = strchr(o->every[k], '=');
		int64_t secs;
		int i;

		if (eq == NULL || parse_int64(eq + 1, 1, 86400, &secs) < 0) {
			fprintf(stderr, "goldwatch-scheduler: --every needs NAME=SECONDS (1-86400)\n");
			return -1;
		}
		for (i = 0; i < s->n; i++)
			if (strlen(s->e[i].name) == (size_t)(eq - o->every[k]) &&
			    strncmp(s->e[i].name, o->every[k], (size_t)(eq - o->every[k])) == 0)
				break;
		if (i == s->n) {
			fprintf(stderr, "goldwatch-scheduler: --every: %.*s is not scheduled here\n",
			    (int)(eq - o->every[k]), o->every[k]);
			return -1;
		}
		s->e[i].when.kind = SCHEDULE_EVERY;
		s->e[i].when.period_s = secs;
		/* the slots are the shipped schedule's: a faster one claims none */
		if (s->e[i].argv[1] != NULL && strcmp(s->e[i].argv[1], "--slot") == 0) {
			free(s->e[i].argv[1]);
			s->e[i].argv[1] = NULL;
		}
	}
	return 0;
}

/* The entries: the table's jobs but services, then the demo trade. */
static int build_entries(struct scheduler *s, const struct options *o)
{
	static const struct schedule_job every_minute = {"demo-trade", SCHEDULE_EVERY, 60, 0, 0};
	struct schedule table;

	if (schedule_init(&table, o->digest_time) < 0) {
		fprintf(stderr, "goldwatch-scheduler: --digest-time must be HH:MM (00:00-23:59)\n");
		return -1;
	}
	for (int i = 0; i < SCHEDULE_JOBS; i++) {
		char bin[64];

		if (table.jobs[i].service)
			continue;
		snprintf(bin, sizeof(bin), "goldwatch-%s", table.jobs[i].job);
		/* --slot, as the systemd units: one run per slot of every host's */
		add_entry(s, o, table.jobs[i].job, &table.jobs[i], bin, "--slot", NULL);
		s->e[s->n - 1].catch_up = 1;
	}
	if (o->demo_trade)
		add_entry(s, o, "demo-trade", &every_minute, "goldwatch-admin", "demo", "trade");
	return apply_every(s, o);
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option table[] = {
		{"log-dir", required_argument, NULL, 'l'}, {"bin-dir", required_argument, NULL, 'b'},
		{"digest-time", required_argument, NULL, 'd'}, {"demo-trade", no_argument, NULL, 't'},
		{"every", required_argument, NULL, 'e'}, {"grace", required_argument, NULL, 'g'},
		{"list", no_argument, NULL, 'L'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", table, NULL)) != -1) {
		if (c == 'l')
			o->log_dir = optarg;
		else if (c == 'b')
			o->bin_dir = optarg;
		else if (c == 'd')
			o->digest_time = optarg;
		else if (c == 't')
			o->demo_trade = 1;
		else if (c == 'L')
			o->list = 1;
		else if (c == 'e' && o->n_every < (int)GW_ARRAY_LEN(o->every))
			o->every[o->n_every++] = optarg;
		else if (c == 'g' && parse_int64(optarg, 0, 60, &o->grace_s) == 0)
			continue;
		else
			return -1;
	}
	return optind == argc && (o->log_dir || o->list) ? 0 : -1;
}

/* Each job's first slot: now, when one passed since its last run
 * (job_runs; a database that cannot say means none), else the next. */
static void first_slots(struct scheduler *s, const struct config *cfg)
{
	int64_t now = time_now_us();
	struct db *db = db_open(cfg);

	for (int i = 0; i < s->n; i++) {
		struct entry *e = &s->e[i];
		int64_t last = -1;
		char at[40];

		e->next_us = schedule_next(&e->when, now);
		if (!e->catch_up || db == NULL || job_runs_last_start(db, e->name, &last) < 0 ||
		    last < 0 || schedule_next(&e->when, last) > now)
			continue;
		time_format_iso(last, at, sizeof(at));
		say("%s: a slot passed since its last run (%s): running it now", e->name, at);
		e->next_us = now;
	}
	if (db == NULL)
		say("the database cannot say when the jobs last ran: none is caught up");
	db_close(db);
}

/* Runs what is due, sleeps until the next slot or a signal; returns on
 * SIGTERM or SIGINT. */
static void loop(struct scheduler *s)
{
	sigset_t wake;

	sigemptyset(&wake);
	sigaddset(&wake, SIGCHLD);
	sigaddset(&wake, SIGTERM);
	sigaddset(&wake, SIGINT);
	for (;;) {
		int64_t now = time_now_us(), soonest = INT64_MAX, wait_us;
		struct timespec ts;
		int sig;

		for (int i = 0; i < s->n; i++) {
			if (s->e[i].next_us <= now) {
				run_start(&s->e[i], &s->run_mask);
				s->e[i].next_us = schedule_next(&s->e[i].when, now);
			}
			if (s->e[i].next_us < soonest)
				soonest = s->e[i].next_us;
		}
		/* at least once a minute: a clock set forward is noticed */
		wait_us = soonest - time_now_us();
		wait_us = wait_us < 0 ? 0 : wait_us > 60000000 ? 60000000 : wait_us;
		ts.tv_sec = (time_t)(wait_us / 1000000);
		ts.tv_nsec = (long)(wait_us % 1000000) * 1000;
		sig = sigtimedwait(&wake, NULL, &ts);
		if (sig == SIGTERM || sig == SIGINT)
			return;
		run_reap(s);
	}
}

int main(int argc, char **argv)
{
	struct options o = {.grace_s = 5};
	struct scheduler s = {0};
	struct config cfg;
	char self[PATH_MAX];
	ssize_t n;
	sigset_t block;

	log_init("goldwatch-scheduler", LOG_LVL_INFO);
	if (parse_options(argc, argv, &o) < 0) {
		fputs(USAGE, stderr);
		return 2;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = '\0';
	if (o.bin_dir == NULL)
		o.bin_dir = dirname(self);
	s.grace_s = (int)o.grace_s;
	if (o.log_dir == NULL)
		o.log_dir = ".";
	if (build_entries(&s, &o) < 0) {
		entries_free(&s);
		return 2;
	}
	if (o.list) {
		char words[40];
		for (int i = 0; i < s.n; i++) {
			schedule_describe(&s.e[i].when, words, sizeof(words));
			printf("%s %s\n", s.e[i].name, words);
		}
		entries_free(&s);
		return 0;
	}
	if (config_load(&cfg) < 0) {
		entries_free(&s);
		return 1;
	}
	log_init("goldwatch-scheduler", (enum log_level)cfg.log_level);
	/* the signals are taken by sigtimedwait(), never by a handler */
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &s.run_mask);
	first_slots(&s, &cfg);
	for (int i = 0; i < s.n; i++) {
		char words[40], at[40];
		schedule_describe(&s.e[i].when, words, sizeof(words));
		time_format_iso(s.e[i].next_us, at, sizeof(at));
		say("%s: %s, next %s", s.e[i].name, words, at);
	}
	loop(&s);
	run_stop(&s);
	entries_free(&s);
	config_free(&cfg);
	return 0;
}
