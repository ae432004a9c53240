/*
 * test_ack_key.c - the key that signs acknowledge links is read from the
 * database once per run, not once per link: a job that fires an alert to
 * three users who may acknowledge makes three links with one read of
 * app_secrets (PostgreSQL's own table statistics count the reads).
 */
#include <stdio.h>
#include <stdlib.h>

#include "engine.h"
#include "integration.h"
#include "testlib.h"

#define SECRET_READS "SELECT coalesce(idx_scan, 0) + coalesce(seq_scan, 0)" \
    " FROM pg_stat_user_tables WHERE relname = 'app_secrets'"

/*
 * The reads counted so far, once no backend has any left to report: other
 * processes' backends flush their counts within a second or so of going
 * idle (and at exit), so wait until the count holds still.
 */
static long long settled_reads(void)
{
	long long last = SQL_INT0(SECRET_READS), now;

	for (int i = 0; i < 24; i++) {
		test_sleep_ms(1200);
		now = SQL_INT0(SECRET_READS);
		if (now == last && i > 0)
			break;
		last = now;
	}
	return last;
}

static void t_key_once_per_job(void)
{
	static const char *const users[] = {"key-ann", "key-ben", "key-cat"};
	char email[64], args[64], id[24];
	long long rule, alert, before, after;

	for (size_t i = 0; i < 3; i++) {
		test_user(users[i], "key-password-12", "operator");
		snprintf(email, sizeof(email), "%s@shop.example", users[i]);
		test_exec("UPDATE users SET email = $2 WHERE username = $1", 2, TP(users[i], email));
	}
	make_push_kpi("k_ackkey", 0);
	push_value("k_ackkey", 100, 0);
	rule = make_rule("{\"name\":\"ack key once\",\"kpi\":\"k_ackkey\",\"condition\":\"gt\","
	    "\"threshold\":50,\"severity\":\"critical\",\"cooldown_minutes\":0,"
	    "\"recipients\":[\"key-ann@shop.example\",\"key-ben@shop.example\","
	    "\"key-cat@shop.example\"]}");
	before = settled_reads();
	snprintf(args, sizeof(args), "--rule %lld", rule);
	CU_ASSERT_EQUAL_FATAL(run_evaluate(NULL, args), 0);
	after = settled_reads();
	/* three links, one for each user, signed with one read of the key */
	snprintf(id, sizeof(id), "%lld", rule);
	alert = SQL_INT("SELECT coalesce(max(id), 0) FROM alerts WHERE rule_id = $1::bigint", id);
	CU_ASSERT_TRUE_FATAL(alert > 0);
	snprintf(id, sizeof(id), "%lld", alert);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM ack_tokens WHERE alert_id = $1::bigint",
	    id), 3);
	if (after - before != 1)
		fprintf(stderr, "\n    app_secrets read %lld times for 3 links\n", after - before);
	CU_ASSERT_EQUAL(after - before, 1);
}

void suite_ack_key(void)
{
	static const struct test_case cases[] = {
		{"the acknowledge key is read once per job, not per link", t_key_once_per_job},
		{NULL, NULL},
	};
	test_add_suite("ack_key", NULL, NULL, cases);
}
