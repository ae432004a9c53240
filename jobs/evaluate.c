/*
 * goldwatch-evaluate - the 5-minute timer job: sample every KPI, evaluate
 * every enabled rule, queue the mail (see eval.h), deliver what it queued
 * right after the commits (a bounded pass: goldwatch-mailer's timer
 * delivers what is left and retries), print one summary line.
 *
 *   goldwatch-evaluate [--now=ISO8601] [--json] [--rule ID ...] [--chunk N]
 *
 * --chunk sets how many rules share one transaction (default 2000).
 *
 * Exit status 0 on success, 1 on failure (database down, bad config).
 * Mail that cannot be delivered now stays queued and does not fail the
 * evaluation: goldwatch-mailer reports on it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "eval.h"
#include "job.h"
#include "log.h"
#include "util.h"

int main(int argc, char **argv)
{
	static const char *const own[] = {"--rule", "--chunk", NULL};
	struct job j;
	struct eval_opts opts = {0};
	struct eval_result res = {0};
	int64_t *ids = NULL;
	const char *v;
	int rc, i = 0, sent;

	rc = job_open(&j, "goldwatch-evaluate", argc, argv, own, "[--rule ID ...] [--chunk N]");
	if (rc != 0) {
		job_close(&j);
		return rc;
	}
	ids = xcalloc((size_t)j.nargs + 1, sizeof(*ids));
	while ((v = job_arg(&j, "--rule", &i)) != NULL) {
		if (parse_int64(v, 1, INT64_MAX, &ids[opts.n_rule_ids]) < 0) {
			fprintf(stderr, "goldwatch-evaluate: --rule needs a rule id\n");
			free(ids);
			job_close(&j);
			return 2;
		}
		opts.n_rule_ids++;
	}
	i = 0;
	if ((v = job_arg(&j, "--chunk", &i)) != NULL) {
		int64_t chunk;
		if (parse_int64(v, 1, 100000, &chunk) < 0) {
			fprintf(stderr, "goldwatch-evaluate: --chunk must be 1-100000\n");
			free(ids);
			job_close(&j);
			return 2;
		}
		opts.chunk = (int)chunk;
	}
	opts.rule_ids = opts.n_rule_ids ? ids : NULL;
	opts.now_us = j.now_us;
	/* a bad mail setting is logged here once; the evaluation still runs */
	if (job_mail_mark(&j) < 0 || eval_run(j.db, &j.cfg, &opts, &res) < 0) {
		log_line("evaluation failed (see the error above); nothing half-written was kept");
		eval_result_free(&res);
		free(ids);
		job_close(&j);
		return 1;
	}
	if (j.json) {
		json_t *out = eval_result_json(&res);
		char *s = json_dumps(out, JSON_COMPACT | JSON_REAL_PRECISION(15));
		printf("%s\n", s);
		free(s);
		json_decref(out);
	}
	sent = job_mail_deliver(&j, res.mails_queued);
	log_line("evaluated %d rules: %lu fired, %lu resolved, %lu no data; %d KPIs sampled"
	    " in %.1f ms, rules in %.1f ms, %d mails queued, %d sent%s",
	    res.evaluated, (unsigned long)json_array_size(res.fired),
	    (unsigned long)json_array_size(res.resolved),
	    (unsigned long)json_array_size(res.no_data), res.kpis_sampled,
	    (double)res.sample_us / 1000.0, (double)res.rules_us / 1000.0, res.mails_queued,
	    sent, res.mails_queued > sent ? " (goldwatch-mailer delivers the rest)" : "");
	eval_result_free(&res);
	free(ids);
	job_close(&j);
	return 0;
}
