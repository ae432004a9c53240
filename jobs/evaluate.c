/*
 * goldwatch-evaluate - the 5-minute timer job: sample every KPI, evaluate
 * every enabled rule, queue the mail (see eval.h; the goldwatch-mailer
 * service, woken by the commit, delivers it), print one summary line.
 *
 *   goldwatch-evaluate [--now=ISO8601] [--json] [--rule ID ...] [--chunk N]
 *
 * --chunk sets how many rules share one transaction (default 2000).
 *
 * Then, at the same --now, the system rules this process watches for the
 * others (system_check.h): delivery failing, pusher down, KPI feeds
 * stale, jobs failed. A check that fails is logged; it does not change
 * the exit status.
 *
 * Exit status 0 on success, 1 on failure (database down, bad config).
 * Mail is only queued here: goldwatch-mailer sends it and reports on what
 * could not go.
 */
#include <stdio.h>
#include <stdlib.h>

#include "eval.h"
#include "job.h"
#include "log.h"
#include "system_check.h"
#include "util.h"

int main(int argc, char **argv)
{
	static const struct job_opt own[] = {{"--rule", 0}, {"--chunk", 0}, {NULL, 0}};
	struct job j;
	struct eval_opts opts = {0};
	struct eval_result res = {0};
	int64_t *ids = NULL;
	const char *v;
	int rc, i = 0;

	rc = job_open(&j, "goldwatch-evaluate", argc, argv, own, "[--rule ID ...] [--chunk N]");
	if (rc != 0) {
		return job_close(&j, rc);
	}
	ids = xcalloc((size_t)j.nargs + 1, sizeof(*ids));
	while ((v = job_arg(&j, "--rule", &i)) != NULL) {
		if (parse_int64(v, 1, INT64_MAX, &ids[opts.n_rule_ids]) < 0) {
			fprintf(stderr, "goldwatch-evaluate: --rule needs a rule id\n");
			free(ids);
			return job_close(&j, 2);
		}
		opts.n_rule_ids++;
	}
	i = 0;
	if ((v = job_arg(&j, "--chunk", &i)) != NULL) {
		int64_t chunk;
		if (parse_int64(v, 1, 100000, &chunk) < 0) {
			fprintf(stderr, "goldwatch-evaluate: --chunk must be 1-100000\n");
			free(ids);
			return job_close(&j, 2);
		}
		opts.chunk = (int)chunk;
	}
	opts.rule_ids = opts.n_rule_ids ? ids : NULL;
	opts.now_us = j.now_us;
	if (eval_run(j.db, &j.cfg, &opts, &res) < 0) {
		log_line("evaluation failed (see the error above); nothing half-written was kept");
		job_record_failure(&j, "evaluation failed");
		system_checks_run(j.db, &j.cfg, j.now_us, SYSCHK_BY_EVALUATE, NULL);
		eval_result_free(&res);
		free(ids);
		return job_close(&j, 1);
	}
	system_checks_run(j.db, &j.cfg, j.now_us, SYSCHK_BY_EVALUATE, &res);
	if (j.json) {
		json_t *out = eval_result_json(&res);
		char *s = json_dumps(out, JSON_COMPACT | JSON_REAL_PRECISION(15));
		printf("%s\n", s);
		free(s);
		json_decref(out);
	}
	log_line("evaluated %d rules (%d inactive): %lu fired, %lu resolved, %lu no data;"
	    " %d KPIs sampled"
	    " in %.1f ms, rules in %.1f ms, %d mails queued for goldwatch-mailer",
	    res.evaluated, res.inactive, (unsigned long)json_array_size(res.fired),
	    (unsigned long)json_array_size(res.resolved),
	    (unsigned long)json_array_size(res.no_data), res.kpis_sampled,
	    (double)res.sample_us / 1000.0, (double)res.rules_us / 1000.0, res.mails_queued);
	eval_result_free(&res);
	free(ids);
	return job_close(&j, 0);
}
