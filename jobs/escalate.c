/*
 * goldwatch-escalate - the timer job: alerts still firing go up their
 * rule's escalation policy and the due repeats are told (see escalate.h);
 * the notices are written with the commits, and the goldwatch-mailer
 * service turns them into messages and delivers them.
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
	/* freed on every path, also when the run fails before it filled it */
	struct escalate_result res = {0};
	char summary[192];
	int rc;

	rc = job_open(&j, "goldwatch-escalate", argc, argv, NULL, NULL);
	if (rc != 0) {
		return job_close(&j, rc);
	}
	if (escalate_run(j.db, &j.cfg, j.now_us, &res) < 0) {
		log_line("escalation failed (see the error above); batches already done stay done");
		job_record_failure(&j, "escalation failed");
		escalate_result_free(&res);
		return job_close(&j, 1);
	}
	snprintf(summary, sizeof(summary),
	    "{\"escalated\":%d,\"notices\":%d,\"repeats\":%d,\"messages\":%d,\"mails\":%d}",
	    res.escalated, res.notices, res.repeats, res.messages, res.mails);
	if (job_record(&j, summary) < 0) {
		escalate_result_free(&res);
		return job_close(&j, 1);
	}
	if (j.json) {
		char *s = json_dumps(res.alerts, JSON_COMPACT);
		printf("%s\n", s);
		free(s);
	}
	log_line("escalated %d alerts (%d notices), %d repeats; %d messages and %d mails queued"
	    " for goldwatch-mailer", res.escalated, res.notices, res.repeats, res.messages,
	    res.mails);
	escalate_result_free(&res);
	return job_close(&j, 0);
}
