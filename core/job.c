/*
 * job.c - see job.h.
 */
#include "job.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "log.h"
#include "tpl.h"
#include "util.h"

static int known(const char *arg, const char *const *own)
{
	for (; own && *own; own++) {
		size_t n = strlen(*own);
		if (strncmp(arg, *own, n) == 0 && (arg[n] == '=' || arg[n] == '\0'))
			return 1;
	}
	return 0;
}

int job_open(struct job *j, const char *name, int argc, char **argv,
    const char *const *own, const char *usage)
{
	char *tpl_dir;

	memset(j, 0, sizeof(*j));
	j->name = name;
	log_init(name, LOG_LVL_INFO);
	j->args = xcalloc((size_t)argc + 1, sizeof(char *));
	j->now_us = time_now_us();
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--now=", 6) == 0) {
			if (time_parse_iso(argv[i] + 6, &j->now_us) < 0) {
				fprintf(stderr, "%s: --now must be an ISO 8601 time with a zone\n", name);
				return 2;
			}
			j->now_given = 1;
		} else if (strcmp(argv[i], "--json") == 0) {
			j->json = 1;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fprintf(stdout, "usage: %s [--now=ISO8601] [--json]%s%s\n", name,
			    usage ? " " : "", usage ? usage : "");
			return 2;
		} else if (known(argv[i], own)) {
			j->args[j->nargs++] = argv[i];
			/* "--rule 5": the value is the next argument */
			if (strchr(argv[i], '=') == NULL && i + 1 < argc)
				j->args[j->nargs++] = argv[++i];
		} else {
			fprintf(stderr, "%s: unknown option %s (try --help)\n", name, argv[i]);
			return 2;
		}
	}
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
	return 0;
}

void job_close(struct job *j)
{
	db_close(j->db);
	j->db = NULL;
	config_free(&j->cfg);
	free(j->args);
	j->args = NULL;
	curl_global_cleanup();
}

const char *job_arg(const struct job *j, const char *name, int *i)
{
	size_t n = strlen(name);

	for (; *i < j->nargs; (*i)++) {
		const char *a = j->args[*i];
		if (strncmp(a, name, n) != 0)
			continue;
		if (a[n] == '=') {
			(*i)++;
			return a + n + 1;
		}
		if (a[n] == '\0' && *i + 1 < j->nargs) {
			*i += 2;
			return j->args[*i - 1];
		}
	}
	return NULL;
}

DB_STMT(q_job_record,
    "INSERT INTO job_runs (job, started_at, finished_at, result)"
    " VALUES ($1, $2::timestamptz, clock_timestamp(), $3::jsonb)"
    " ON CONFLICT (job) DO UPDATE SET started_at = EXCLUDED.started_at,"
    "   finished_at = EXCLUDED.finished_at, result = EXCLUDED.result");

int job_runs_record(struct db *db, const char *job, const char *started_iso,
    const char *result_json)
{
	return DB_RUN(db, &q_job_record, job, started_iso, result_json);
}

int job_record(struct job *j, const char *result_json)
{
	char now[40];
	const char *short_name = strncmp(j->name, "goldwatch-", 10) == 0 ? j->name + 10 : j->name;

	time_format_iso(j->now_us, now, sizeof(now));
	return job_runs_record(j->db, short_name, now, result_json);
}
