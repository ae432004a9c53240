/*
 * goldwatch-cleanup - the daily timer job: deletes what is past its
 * retention, in short batches (see cleanup.h), and prints how many rows
 * of each kind it removed.
 *
 *   goldwatch-cleanup [--now=ISO8601] [--json]
 *
 * Exit status 0 on success, 1 on failure.
 */
#include <stdio.h>

#include "cleanup.h"
#include "job.h"
#include "log.h"
#include "util.h"

int main(int argc, char **argv)
{
	struct job j;
	struct cleanup_result res;
	struct buf line, json;
	int rc;

	rc = job_open(&j, "goldwatch-cleanup", argc, argv, NULL, NULL);
	if (rc != 0) {
		return job_close(&j, rc);
	}
	if (cleanup_run(j.db, &j.cfg, j.now_us, &res) < 0) {
		log_line("cleanup failed (see the error above); batches already done stay done");
		job_record_failure(&j, "cleanup failed");
		return job_close(&j, 1);
	}
	buf_init(&line);
	buf_init(&json);
	buf_putc(&json, '{');
	for (int k = 0; k < CLEAN__MAX; k++) {
		buf_printf(&line, "%s%lld %s", k ? ", " : "", (long long)res.deleted[k],
		    cleanup_kind_name(k));
		buf_printf(&json, "%s\"%s\":%lld", k ? "," : "", cleanup_kind_name(k),
		    (long long)res.deleted[k]);
	}
	buf_putc(&json, '}');
	rc = job_record(&j, json.data) < 0;
	if (j.json)
		printf("%s\n", json.data);
	log_line("removed %s in %d batches", line.data, res.batches);
	buf_free(&line);
	buf_free(&json);
	return job_close(&j, rc);
}
