/*
 * test_options.c - the command lines of the jobs and of goldwatch-admin
 * (getopt_long over a table): values given as "--opt V" or "--opt=V",
 * usage errors exit 2 with one line that names the problem, and nothing
 * runs on a half-understood command line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "integration.h"
#include "migrate.h"
#include "testlib.h"
#include "util.h"

/* Runs binary with args; its exit status, and what it wrote in *out. */
static int run(const char *binary, const char *args, char **out)
{
	char *path = xasprintf("%s/log/options-tests.out", test_env("GW_TEST_STACK"));
	int rc = test_system("'%s/%s' %s >'%s' 2>&1 </dev/null", test_env("GW_TEST_BIN"),
	    binary, args, path);

	*out = file_read_all(path, NULL);
	if (*out == NULL)
		*out = xstrdup("");
	free(path);
	return rc;
}

static void expect(const char *binary, const char *args, int status, const char *said)
{
	char *out;
	int rc = run(binary, args, &out);

	if (rc != status || strstr(out, said) == NULL)
		fprintf(stderr, "\n    %s %s: exit %d, said: %s", binary, args, rc, out);
	CU_ASSERT_EQUAL(rc, status);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, said));
	free(out);
}

static void t_job_options(void)
{
	long long rule;
	char *args;

	make_push_kpi("k_opts", 0);
	push_value("k_opts", 1, 0);
	rule = make_simple_rule("options", "k_opts", "gt", 100, "");
	/* a value after the option, or after '=' */
	args = xasprintf("--rule %lld --chunk 5 --json", rule);
	expect("goldwatch-evaluate", args, 0, "\"evaluated\":1");
	free(args);
	args = xasprintf("--rule=%lld --chunk=5 --json", rule);
	expect("goldwatch-evaluate", args, 0, "\"evaluated\":1");
	free(args);
	/* usage errors: 2, one line naming the problem, nothing evaluated */
	expect("goldwatch-evaluate", "--rule", 2, "--rule needs a value (try --help)");
	expect("goldwatch-evaluate", "--bogus", 2, "unknown option --bogus (try --help)");
	expect("goldwatch-evaluate", "stray", 2, "unknown option stray (try --help)");
	expect("goldwatch-evaluate", "--json=yes", 2, "unknown option --json=yes");
	expect("goldwatch-evaluate", "--now=tomorrow", 2, "--now must be an ISO 8601 time");
	expect("goldwatch-evaluate", "--chunk 0", 2, "--chunk must be 1-100000");
	expect("goldwatch-evaluate", "--help", 2,
	    "usage: goldwatch-evaluate [--now=ISO8601] [--json] [--slot] [--rule ID ...] [--chunk N]");
	expect("goldwatch-mailer", "--limit", 2, "--limit needs a value");
	expect("goldwatch-mailer", "--limit=0", 2, "--limit must be a whole number from 1");
	expect("goldwatch-cleanup", "--rule 1", 2, "unknown option --rule");
	expect("goldwatch-digest", "-h", 2, "usage: goldwatch-digest [--now=ISO8601] [--json] [--slot]");
}

static void t_admin_commands(void)
{
	static const char usage[] = "usage: goldwatch-admin migrate\n";

	expect("goldwatch-admin", "", 2, usage);
	expect("goldwatch-admin", "frob", 2, usage);
	expect("goldwatch-admin", "user", 2, usage);
	expect("goldwatch-admin", "user del x", 2, usage);
	/* a command takes its own options and words, nothing else */
	expect("goldwatch-admin", "migrate extra", 2, usage);
	expect("goldwatch-admin", "user add", 2, usage);
	expect("goldwatch-admin", "user add a b --role admin", 2, usage);
	expect("goldwatch-admin", "user add x --role", 2, "--role needs a value");
	expect("goldwatch-admin", "demo --bogus", 2, "--bogus is not an option of this command");
	expect("goldwatch-admin", "demo --days=0", 2, "--days must be 1-20000");
	/* options in any order around the name; the password is on stdin */
	expect("goldwatch-admin", "user add --role=operator opts-user", 1,
	    "the password (first line of stdin) must be 12 to 1024 characters");
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM users WHERE username = $1", "opts-user"), 0);
	/* a migrated database: migrate again changes nothing and says so */
	expect("goldwatch-admin", "migrate", 0, "migrate: 0 migration(s) applied");
}

void suite_options(void)
{
	static const struct test_case cases[] = {
		{"a job's options: both value forms, usage errors exit 2", t_job_options},
		{"goldwatch-admin's command table: words, options, usage", t_admin_commands},
		{NULL, NULL},
	};
	test_add_suite("options", NULL, NULL, cases);
}
