/*
 * goldwatch-escalate - the 15-minute timer job: alerts still firing past
 * their rule's escalation.after_minutes go up one level and mail the
 * escalation recipients (see escalate.h); the mail goes right after the
 * commits, and goldwatch-mailer retries what could not.
 *
 *   goldwatch-escalate [--now=ISO8601] [--json]
 *
 * Exit status 0 on success, 1 on failure.
 */
#include <stdio.h>
#include <stdlib.h>

#include "escalate.h"
#include "job.h"
#include "log.h"

int main(int argc, char **argv)
{
	struct job j;
	/* freed on every path, also when job_mail_mark() fails before the run */
	struct escalate_result res = {0};
	char summary[128];
	int rc, sent;

	rc = job_open(&j, "goldwatch-escalate", argc, argv, NULL, NULL);
	if (rc != 0) {
		job_close(&j);
		return rc;
	}
	if (job_mail_mark(&j) < 0 || escalate_run(j.db, &j.cfg, j.now_us, &res) < 0) {
		log_line("escalation failed (see the error above); batches already done stay done");
		escalate_result_free(&res);
		job_close(&j);
		return 1;
	}
	snprintf(summary, sizeof(summary), "{\"escalated\":%d,\"mails\":%d}", res.escalated, res.mails);
	if (job_record(&j, summary) < 0) {
		escalate_result_free(&res);
		job_close(&j);
		return 1;
	}
	if (j.json) {
		char *s = json_dumps(res.alerts, JSON_COMPACT);
		printf("%s\n", s);
		free(s);
	}
	sent = job_mail_deliver(&j, res.mails);
	log_line("escalated %d alerts, %d mails queued, %d sent%s", res.escalated, res.mails, sent,
	    res.mails > sent ? " (goldwatch-mailer delivers the rest)" : "");
	escalate_result_free(&res);
	job_close(&j);
	return 0;
}
