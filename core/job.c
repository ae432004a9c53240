/*
 * job.c - see job.h.
 */
#include "job.h"

#include <curl/curl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "job_runs.h"
#include "job_slots.h"
#include "log.h"
#include "schedule.h"
#include "tpl.h"
#include "util.h"

/* The options every job takes, ahead of its own. */
/* above every character getopt_long returns for itself (? : h) */
enum { OPT_NOW = 0x100, OPT_JSON, OPT_HELP, OPT_SLOT, OPT_OWN };
static const struct option common[] = {
	{"now", required_argument, NULL, OPT_NOW},
	{"slot", no_argument, NULL, OPT_SLOT},
	{"json", no_argument, NULL, OPT_JSON},
	{"help", no_argument, NULL, OPT_HELP},
};
#define N_COMMON ((int)GW_ARRAY_LEN(common))

/* The option table: the common ones, then own[]; getopt_long's NULL row last. */
static struct option *options_of(const struct job_opt *own)
{
	int n = 0;
	struct option *t;

	while (own && own[n].name)
		n++;
	t = xcalloc((size_t)(N_COMMON + n + 1), sizeof(*t));
	memcpy(t, common, sizeof(common));
	for (int k = 0; k < n; k++) {
		t[N_COMMON + k].name = own[k].name + 2;
		t[N_COMMON + k].has_arg = own[k].flag ? no_argument : required_argument;
		t[N_COMMON + k].val = OPT_OWN + k;
	}
	return t;
}

/* Reads argv into j: 0, or the exit status of a usage error (2, said). */
static int parse_options(struct job *j, int argc, char **argv, const struct job_opt *own,
    const char *usage)
{
	struct option *table = options_of(own);
	int c, idx, rc = 0;

	opterr = 0;
	optind = 1;
	/* "+": stop at the first word that is no option; ":": tell a missing value */
	while (rc == 0 && (c = getopt_long(argc, argv, "+:h", table, &idx)) != -1) {
		if (c == OPT_NOW) {
			if (time_parse_iso(optarg, &j->now_us) < 0) {
				fprintf(stderr, "%s: --now must be an ISO 8601 time with a zone\n", j->name);
				rc = 2;
			}
			j->now_given = 1;
		} else if (c == OPT_JSON) {
			j->json = 1;
		} else if (c == OPT_SLOT) {
			j->slot = 1;
		} else if (c == OPT_HELP || c == 'h') {
			fprintf(stdout, "usage: %s [--now=ISO8601] [--json] [--slot]%s%s\n", j->name,
			    usage ? " " : "", usage ? usage : "");
			rc = 2;
		} else if (c >= OPT_OWN) {
			/* kept in order, as name and value, for job_arg() */
			j->args[j->nargs++] = own[c - OPT_OWN].name;
			j->args[j->nargs++] = optarg ? optarg : "";
		} else if (c == ':') {
			fprintf(stderr, "%s: %s needs a value (try --help)\n", j->name, argv[optind - 1]);
			rc = 2;
		} else {
			fprintf(stderr, "%s: unknown option %s (try --help)\n", j->name, argv[optind - 1]);
			rc = 2;
		}
	}
	if (rc == 0 && optind < argc) {
		fprintf(stderr, "%s: unknown option %s (try --help)\n", j->name, argv[optind]);
		rc = 2;
	}
	free(table);
	return rc;
}

static const char *short_name(const struct job *j)
{
	return strncmp(j->name, "goldwatch-", 10) == 0 ? j->name + 10 : j->name;
}

/* --slot: the job's slot at now is this run's, or another's (then
 * JOB_SLOT_TAKEN, said). 0, or an exit status. */
static int claim_slot(struct job *j)
{
	struct schedule table;
	const struct schedule_job *when;
	char at[40], by[300] = "";

	schedule_init(&table, NULL);
	when = schedule_find(&table, short_name(j));
	if (when == NULL || when->service) {
		fprintf(stderr, "%s: --slot: this job has no schedule slots\n", j->name);
		return 2;
	}
	j->slot_us = schedule_slot(when, j->now_us);
	time_format_iso(j->slot_us, at, sizeof(at));
	switch (job_slot_claim(j->db, short_name(j), j->slot_us, by, sizeof(by))) {
	case SLOT_CLAIMED:
		j->slot_claimed = 1;
		return 0;
	case SLOT_TAKEN:
		log_line("the slot %s was taken (%s): nothing to do", at, by);
		return JOB_SLOT_TAKEN;
	case SLOT_ERROR:
		break;
	}
	log_err("cannot claim the slot %s", at);
	return 1;
}

int job_open(struct job *j, const char *name, int argc, char **argv,
    const struct job_opt *own, const char *usage)
{
	char *tpl_dir;
	int rc;

	memset(j, 0, sizeof(*j));
	j->name = name;
	log_init(name, LOG_LVL_INFO);
	j->args = xcalloc(2 * (size_t)argc + 1, sizeof(char *));
	j->now_us = time_now_us();
	j->mono_us = time_mono_us();
	if ((rc = parse_options(j, argc, argv, own, usage)) != 0)
		return rc;
	if (config_load(&j->cfg) < 0)
		return 1;
	log_init(name, (enum log_level)j->cfg.log_level);
	if (auth_init() < 0)
		return 1;
	json_object_seed(0);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	tpl_dir = config_path(&j->cfg, "templates", "");
	if (tpl_init(tpl_dir) < 0) {
		free(tpl_dir);
		return 1;
	}
	free(tpl_dir);
	j->db = db_open(&j->cfg);
	if (j->db == NULL)
		return 1;
	return j->slot ? claim_slot(j) : 0;
}

int job_close(struct job *j, int rc)
{
	if (j->slot_claimed && j->db != NULL) {
		db_rollback(j->db);
		if (job_slot_finish(j->db, short_name(j), j->slot_us, rc == 0) < 0)
			log_err("cannot mark the slot finished");
	}
	db_close(j->db);
	j->db = NULL;
	config_free(&j->cfg);
	free(j->args);
	j->args = NULL;
	curl_global_cleanup();
	return rc == JOB_SLOT_TAKEN ? 0 : rc;
}

const char *job_arg(const struct job *j, const char *name, int *i)
{
	for (; *i + 1 < j->nargs; *i += 2) {
		if (strcmp(j->args[*i], name) == 0) {
			*i += 2;
			return j->args[*i - 1];
		}
	}
	return NULL;
}

static double run_ms(const struct job *j)
{
	return (double)(time_mono_us() - j->mono_us) / 1000.0;
}

int job_record(struct job *j, const char *result_json)
{
	char now[40];

	time_format_iso(j->now_us, now, sizeof(now));
	return job_runs_record(j->db, short_name(j), now, result_json, run_ms(j));
}

int job_record_failure(struct job *j, const char *what)
{
	char now[40], error[400];
	const char *last = log_last_error();

	if (j->db == NULL)
		return -1;
	db_rollback(j->db);
	/* the error line the run logged says why: the record carries it */
	if (*last)
		snprintf(error, sizeof(error), "%s: %s", what, last);
	else
		snprintf(error, sizeof(error), "%s (see the job's log)", what);
	time_format_iso(j->now_us, now, sizeof(now));
	return job_runs_record_failure(j->db, short_name(j), now, error, run_ms(j));
}
