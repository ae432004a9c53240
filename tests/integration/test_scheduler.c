/*
 * test_scheduler.c - goldwatch-scheduler against the stack with time
 * compressed (--every NAME=SECONDS): the real jobs run on their slots, in
 * order, each logged with its summary line and recorded in job_runs; one
 * run of a job at a time (fake jobs slower than their period); SIGTERM
 * lets a short run finish and kills a long one; a restart catches up a
 * slot missed since the last run, and only then. The dashboard's "watching"
 * line: enabled rules, the last evaluation, the evaluate timer's next slot.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine.h"
#include "integration.h"
#include "testlib.h"
#include "util.h"

/* Starts the scheduler with args (shell words), its stderr to log. */
static pid_t sched_start(const char *log, const char *args)
{
	char *cmd = xasprintf("exec '%s/goldwatch-scheduler' %s 2>'%s'", test_env("GW_TEST_BIN"),
	    args, log);
	pid_t pid = fork();

	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	free(cmd);
	return pid;
}

/* SIGTERM, then the milliseconds it took to exit (status 0), or -1 (then killed). */
static int sched_stop(pid_t pid, int within_ms)
{
	int status;

	kill(pid, SIGTERM);
	for (int ms = 0; ms <= within_ms; ms += 20) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? ms : -1;
		test_sleep_ms(20);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

static char *slurp(const char *path)
{
	struct buf b;
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "r");

	buf_init(&b);
	if (f == NULL)
		return buf_detach(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	return buf_detach(&b);
}

static int count(const char *text, const char *needle)
{
	int n = 0;
	for (const char *p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* A fresh folder under the stack's log folder; caller frees. */
static char *fresh_dir(const char *name)
{
	char *d = xasprintf("%s/log/%s", test_env("GW_TEST_STACK"), name);
	test_system("rm -rf '%s' && mkdir -p '%s'", d, d);
	return d;
}

/* Each start of job in the scheduler's log comes after the previous run
 * of it finished: never two at once. */
static int one_at_a_time(const char *log, const char *job)
{
	char started[64], finished[64];
	const char *p = log;
	int open = 0;

	snprintf(started, sizeof(started), " %s: started,", job);
	snprintf(finished, sizeof(finished), " %s: finished,", job);
	while ((p = strchr(p, ' ')) != NULL) {
		if (strncmp(p, started, strlen(started)) == 0) {
			if (open)
				return 0;
			open = 1;
		} else if (strncmp(p, finished, strlen(finished)) == 0) {
			open = 0;
		}
		p++;
	}
	return 1;
}

static void t_real_jobs(void)
{
	static const char *const jobs[] = {"evaluate", "escalate", "digest", "cleanup"};
	/* a job's summary line, as its binary writes it */
	static const char *const summary[] = {"evaluated ", "escalated ", "digests: ", "removed "};
	char *dir = fresh_dir("scheduler-real"), *log, *args, *text, t0[40];
	pid_t pid;

	time_format_iso(time_now_us() - 1000000, t0, sizeof(t0));
	log = xasprintf("%s/../scheduler-real.log", dir);
	args = xasprintf("--log-dir '%s' --every evaluate=1 --every escalate=2 --every digest=2"
	    " --every cleanup=2", dir);
	pid = sched_start(log, args);
	test_sleep_ms(6500);
	CU_ASSERT(sched_stop(pid, 8000) >= 0);
	text = slurp(log);
	for (size_t i = 0; i < GW_ARRAY_LEN(jobs); i++) {
		char started[64], ok[64], *path = xasprintf("%s/%s.log", dir, jobs[i]), *out;
		int runs;

		snprintf(started, sizeof(started), " %s: started,", jobs[i]);
		snprintf(ok, sizeof(ok), " %s: finished,", jobs[i]);
		runs = count(text, started);
		out = slurp(path);
		if (runs < 2 || count(text, ok) != runs || count(out, summary[i]) != runs)
			fprintf(stderr, "\n    %s: %d runs, %d finished, %d summary lines\n", jobs[i], runs,
			    count(text, ok), count(out, summary[i]));
		/* at least two slots in 6.5 s, each run to its end with exit 0 and its line */
		CU_ASSERT(runs >= 2);
		CU_ASSERT_EQUAL(count(text, ok), runs);
		CU_ASSERT(strstr(out, "error") == NULL);
		CU_ASSERT_EQUAL(count(out, summary[i]), runs);
		CU_ASSERT(one_at_a_time(text, jobs[i]));
		/* job_runs holds a run of this stretch */
		CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM job_runs WHERE job = $1"
		    " AND started_at >= $2::timestamptz", jobs[i], t0), 1);
		free(out);
		free(path);
	}
	/* the mailer is the stack's service, not a scheduled job */
	CU_ASSERT_EQUAL(count(text, " mailer: "), 0);
	CU_ASSERT_EQUAL(count(text, "exit 0"), count(text, ": finished,"));
	free(text);
	free(args);
	free(log);
	free(dir);
}

/* A fake goldwatch-NAME in bin: the shell body, with M the marks file. */
static void fake_job(const char *bin, const char *name, const char *body)
{
	char *path = xasprintf("%s/goldwatch-%s", bin, name);
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f, "#!/bin/sh\nM='%s/marks'\n%s\n", bin, body);
	fclose(f);
	chmod(path, 0755);
	free(path);
}

static void t_one_run_and_term(void)
{
	char *bin = fresh_dir("scheduler-fake"), *log, *args, *text, *marks, *path;
	long long sleeper;
	pid_t pid;
	int ms;

	/* evaluate takes 1.5 s on a 1 s period; cleanup never ends by itself */
	fake_job(bin, "evaluate", "[ -e \"$M.lock\" ] && echo OVERLAP >> \"$M\"\ntouch \"$M.lock\"\n"
	    "echo start >> \"$M\"\nsleep 1.5\nrm -f \"$M.lock\"\necho end >> \"$M\"");
	fake_job(bin, "cleanup", "echo $$ > \"$M.sleeper\"\nexec sleep 60");
	fake_job(bin, "escalate", "exit 0");
	fake_job(bin, "digest", "exit 0");
	log = xasprintf("%s/../scheduler-fake.log", bin);
	args = xasprintf("--log-dir '%s' --bin-dir '%s' --every evaluate=1 --every cleanup=1"
	    " --grace 3", bin, bin);
	pid = sched_start(log, args);
	test_sleep_ms(4600);
	ms = sched_stop(pid, 8000);
	text = slurp(log);
	path = xasprintf("%s/marks", bin);
	marks = slurp(path);
	free(path);
	/* never two at once: a slot while the run goes on is skipped, said */
	CU_ASSERT_PTR_NULL(strstr(marks, "OVERLAP"));
	CU_ASSERT(count(marks, "start") >= 2);
	CU_ASSERT(count(text, "evaluate: still running") >= 1);
	CU_ASSERT(one_at_a_time(text, "evaluate"));
	CU_ASSERT(count(text, "cleanup: started,") == 1);
	/* SIGTERM: the evaluation going on finished, the endless one was
	 * killed after the grace, the scheduler exited soon after */
	CU_ASSERT_EQUAL(count(marks, "start"), count(marks, "end"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "cleanup: still running after 3 s: killed"));
	CU_ASSERT(ms >= 2500 && ms < 6000);
	path = xasprintf("%s/marks.sleeper", bin);
	free(marks);
	marks = slurp(path);
	sleeper = atoll(marks);
	CU_ASSERT(sleeper > 0);
	CU_ASSERT(sleeper > 0 && kill((pid_t)sleeper, 0) != 0);
	free(path);
	free(marks);
	free(text);
	free(args);
	free(log);
	free(bin);
}

/* The seconds since the epoch of job's last start in job_runs. */
static long long last_start_s(const char *job)
{
	return SQL_INT("SELECT floor(extract(epoch FROM started_at))::int8 FROM job_runs WHERE job = $1",
	    job);
}

static void t_restart_resumes(void)
{
	/* the others far apart: only cleanup is due in these seconds */
	static const char *const quiet = "--every evaluate=86400 --every escalate=86400"
	    " --every digest=86400 --every cleanup=60";
	char *dir = fresh_dir("scheduler-resume"), *log, *args, *text, *at, iso[40];
	long long before, started, stopped;
	pid_t pid;

	/* cleanup last ran two minutes ago: a slot of its minute passed */
	time_format_iso(time_now_us() - 120 * INT64_C(1000000), iso, sizeof(iso));
	at = xasprintf("--now=%s", iso);
	CU_ASSERT_EQUAL(test_system("'%s/goldwatch-cleanup' %s >>'%s/cleanup.log' 2>&1",
	    test_env("GW_TEST_BIN"), at, dir), 0);
	before = last_start_s("cleanup");
	log = xasprintf("%s/../scheduler-resume-1.log", dir);
	args = xasprintf("--log-dir '%s' %s", dir, quiet);
	started = time_now_us() / 1000000;
	pid = sched_start(log, args);
	/* it runs at start, not at the next minute */
	for (int i = 0; i < 150 && last_start_s("cleanup") == before; i++)
		test_sleep_ms(20);
	CU_ASSERT(last_start_s("cleanup") >= started - 1);
	CU_ASSERT(last_start_s("cleanup") <= started + 3);
	CU_ASSERT(sched_stop(pid, 8000) >= 0);
	text = slurp(log);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "cleanup: a slot passed since its last run"));
	CU_ASSERT_EQUAL(count(text, "cleanup: started,"), 1);
	free(text);
	free(log);

	/* at once again: it ran in this minute, so nothing is caught up (unless
	 * the minute turned before the scheduler stopped: then its slot did
	 * pass, or came due) */
	before = last_start_s("cleanup");
	log = xasprintf("%s/../scheduler-resume-2.log", dir);
	pid = sched_start(log, args);
	test_sleep_ms(1500);
	CU_ASSERT(sched_stop(pid, 8000) >= 0);
	stopped = time_now_us() / 1000000;
	text = slurp(log);
	if ((before / 60 + 1) * 60 > stopped + 1) {
		CU_ASSERT_PTR_NULL(strstr(text, "cleanup: a slot passed"));
		CU_ASSERT_EQUAL(count(text, "cleanup: started,"), 0);
	}
	/* it resumed: the next slots are from now */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "cleanup: every minute, next "));
	free(text);
	free(log);
	free(args);
	free(at);
	free(dir);
}

/* The next 5-minute slot after us, as page_time() is given it. */
static void five_after(int64_t us, char out[40])
{
	int64_t s = us / 1000000;
	time_format_iso((s - s % 300 + 300) * INT64_C(1000000), out, 40);
}

static void t_dashboard_watching(void)
{
	const char *h[2] = {NULL, NULL};
	char cookie[256], want[40], want2[40], words[64], *at;
	struct http_resp r;
	long long enabled;
	int64_t before;

	make_push_kpi("t_watching", 0);
	make_simple_rule("watching quietly", "t_watching", "gt", 1e9, "");
	enabled = SQL_INT0("SELECT count(*) FROM alert_rules WHERE enabled AND kind = 'kpi'");
	snprintf(cookie, sizeof(cookie), "Cookie: gw_session=%s", fixture_users()->admin);
	h[0] = cookie;
	before = time_now_us();
	r = http_do("GET", "/", h, NULL, 0);
	five_after(before, want);
	five_after(time_now_us(), want2);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.body);
	snprintf(words, sizeof(words), ">%lld %s watching.<", enabled,
	    enabled == 1 ? "rule is" : "rules are");
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, words));
	/* the stack evaluated once at start: its time is shown */
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "Last evaluation: <time datetime=\""));
	at = strstr(r.body, "\" id=\"next-eval\"");
	CU_ASSERT_PTR_NOT_NULL_FATAL(at);
	CU_ASSERT(at - r.body > 40);
	*at = '\0';
	at = strrchr(r.body, '"') + 1;
	if (strcmp(at, want) != 0 && strcmp(at, want2) != 0)
		fprintf(stderr, "\n    next evaluation %s, want %s\n", at, want);
	CU_ASSERT(strcmp(at, want) == 0 || strcmp(at, want2) == 0);
	http_free(&r);
}

void suite_scheduler(void)
{
	static const struct test_case cases[] = {
		{"the jobs on their (compressed) schedule, logged and recorded", t_real_jobs},
		{"one run of a job at a time; SIGTERM lets it finish, kills a stuck one",
		    t_one_run_and_term},
		{"a restart catches up a missed slot, and only then", t_restart_resumes},
		{"the dashboard: rules watching, last and next evaluation", t_dashboard_watching},
		{NULL, NULL},
	};
	test_add_suite("scheduler", NULL, NULL, cases);
}
