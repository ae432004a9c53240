/*
 * goldwatch-digest - the daily timer job: one summary mail per recipient
 * of the last 24 hours (see digest.h).
 *
 *   goldwatch-digest [--now=ISO8601] [--json]
 *
 * Exit status 0 on success, 1 on failure.
 */
#include <stdio.h>

#include "digest.h"
#include "job.h"
#include "log.h"

int main(int argc, char **argv)
{
	struct job j;
	struct digest_result res;
	char summary[160];
	int rc;

	rc = job_open(&j, "goldwatch-digest", argc, argv, NULL, NULL);
	if (rc != 0) {
		return job_close(&j, rc);
	}
	if (digest_run(j.db, &j.cfg, j.now_us, &res) < 0) {
		log_line("digest failed (see the error above); nothing was queued");
		job_record_failure(&j, "digest failed");
		return job_close(&j, 1);
	}
	snprintf(summary, sizeof(summary),
	    "{\"recipients\":%d,\"queued\":%d,\"skipped\":%d,\"already\":%d}",
	    res.recipients, res.queued, res.skipped, res.already);
	rc = job_record(&j, summary) < 0;
	if (j.json)
		printf("%s\n", summary);
	log_line("digests: %d queued for goldwatch-mailer, %d with nothing to report, %d already"
	    " sent today (%d recipients)", res.queued, res.skipped, res.already, res.recipients);
	return job_close(&j, rc);
}
