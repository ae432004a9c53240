/*
 * goldwatch-mailer - delivers the outbox: turns due notices into messages,
 * posts those of the HTTP contact points, sends the mail (SMTP, or the
 * spool folder without SMTP_SERVER), retries failures with backoff, gives
 * up after GOLDWATCH_MAIL_MAX_ATTEMPTS (see delivery.h).
 *
 *   goldwatch-mailer --serve
 *   goldwatch-mailer [--now=ISO8601] [--json] [--limit N] [--max-seconds S]
 *
 * --serve: the delivery service (systemd goldwatch-mailer.service): it
 * delivers mail as it is queued and retries when due, until SIGTERM
 * (mail_service.h); exit 0 then, 1 on a bad mail configuration.
 * Otherwise one pass over what is due, and one summary line:
 * --now moves the clock that decides what is due (a retry's backoff).
 * --limit and --max-seconds stop claiming mail after N mails or S seconds.
 * Any number of mailers may run at once: each row is sent by one of them.
 * Both modes check the system rules that watch the others (evaluation
 * stale, pusher down, jobs failed; system_check.h): the pass at its
 * --now, the service every 30 s.
 *
 * Exit status 0 when the pass ran (failed messages are recorded on their
 * rows), 1 on a bad mail configuration (nothing is touched), a database
 * error, or a mail server that could not be used (connect, TLS, login),
 * 2 on bad usage.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delivery.h"
#include "job.h"
#include "log.h"
#include "mail_deliver.h"
#include "mail_send.h"
#include "mail_service.h"
#include "system_check.h"
#include "util.h"

static int own_int(struct job *j, const char *name, int64_t max, int64_t *out)
{
	int i = 0;
	const char *v = job_arg(j, name, &i);

	if (v == NULL)
		return 0;
	if (parse_int64(v, 1, max, out) < 0) {
		fprintf(stderr, "goldwatch-mailer: %s must be a whole number from 1 to %lld\n",
		    name, (long long)max);
		return -1;
	}
	return 0;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* --serve: until SIGTERM or SIGINT (no SA_RESTART: a wait ends at once). */
static int serve(struct job *j)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return mail_service_run(j->db, &j->cfg, &stop) < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct job_opt own[] = {
		{"--limit", 0}, {"--max-seconds", 0}, {"--serve", 1}, {NULL, 0},
	};
	struct job j;
	struct mail_pass p = {0};
	struct delivery_result dr;
	struct mail_pass_result *res = &dr.mail;
	int64_t limit = 0, seconds = 0, dead = 0;
	int rc, serving, at = 0;

	rc = job_open(&j, "goldwatch-mailer", argc, argv, own,
	    "[--limit N] [--max-seconds S] | --serve");
	if (rc != 0) {
		return job_close(&j, rc);
	}
	if (own_int(&j, "--limit", 10000000, &limit) < 0 ||
	    own_int(&j, "--max-seconds", 86400, &seconds) < 0) {
		return job_close(&j, 2);
	}
	/* a bad setting: one line (logged by the check), nothing touched */
	if (mail_config_check(&j.cfg) < 0) {
		return job_close(&j, 1);
	}
	serving = job_arg(&j, "--serve", &at) != NULL;
	if (serving) {
		rc = serve(&j);
		return job_close(&j, rc);
	}
	p.now_us = j.now_given ? j.now_us : 0;
	p.limit = (int)limit;
	p.budget_us = seconds * 1000000;
	if (delivery_pass(j.db, &j.cfg, &p, &dr) < 0) {
		log_line("delivery stopped (see the error above): %d sent, %d to retry, %d dead",
		    res->sent, res->retry, res->dead);
		return job_close(&j, 1);
	}
	system_checks_run(j.db, &j.cfg, j.now_us, SYSCHK_BY_MAILER, NULL);
	if (mail_dead_count(j.db, &dead) < 0) {
		return job_close(&j, 1);
	}
	if (j.json) {
		json_t *out = delivery_json(&dr);
		char *s;
		json_object_set_new(out, "dead_total", json_integer(dead));
		s = json_dumps(out, JSON_COMPACT);
		printf("%s\n", s);
		free(s);
		json_decref(out);
	}
	log_line("%d mail(s) sent, %d to retry, %d dead in %.1f ms over %ld connection(s)%s;"
	    " %lld dead in all; %d notification(s) posted, %d to retry, %d dead",
	    res->sent, res->retry, res->dead, (double)res->us / 1000.0, res->connections,
	    res->server_down ? "; the mail server could not be used" : "", (long long)dead,
	    dr.http.sent, dr.http.retry, dr.http.dead);
	return job_close(&j, res->server_down ? 1 : 0);
}
