/*
 * test_doctor.c - goldwatch-admin doctor against the test stack: exit 0
 * on the healthy stack (warnings allowed: jobs that never ran), 1 with
 * each broken case (an env file others can read, a contact point whose
 * URL does not connect, an SMTP server that is not listening, no secret
 * key, a bad setting), 2 on a usage error; its table's lines, and no
 * secret in what it prints. Runs right after the first screen, before the
 * other suites leave contact points behind whose receivers are gone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "integration.h"
#include "testlib.h"
#include "util.h"

/*
 * Runs the doctor with env (more variables over the stack's, "" none),
 * GOLDWATCH_ENV_FILE the stack's own unless env names another; its table
 * (stdout) into *out. Exit status.
 */
static int doctor(const char *env, const char *args, char **out)
{
	static int n;
	const char *stack = test_env("GW_TEST_STACK");
	char *path = xasprintf("%s/log/doctor-%d.out", stack, ++n);
	int rc = test_system("GOLDWATCH_ENV_FILE='%s/goldwatch.env' %s '%s/goldwatch-admin' doctor %s"
	    " >'%s' 2>>'%s/log/doctor-tests.log'", stack, env, test_env("GW_TEST_BIN"),
	    args ? args : "", path, stack);

	*out = test_read_file(path);
	free(path);
	return rc;
}

/* The status word of check's line in out ("ok", "warn", "FAIL"), or "(none)". */
static const char *status_of(const char *out, const char *check, char word[8])
{
	size_t n = strlen(check);

	for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, check, n) != 0 || l[n] != ' ')
			continue;
		l += n;
		while (*l == ' ')
			l++;
		snprintf(word, 8, "%.*s", (int)strcspn(l, " \n"), l);
		return word;
	}
	return "(none)";
}

/* The line of check in out (a copy to free), or "" when there is none. */
static char *line_of(const char *out, const char *check)
{
	size_t n = strlen(check);

	for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, check, n) == 0 && l[n] == ' ')
			return xasprintf("%.*s", (int)strcspn(l, "\n"), l);
	return xstrdup("");
}

#define EXPECT_LINE(out, check, want) do { char w_[8]; \
	CU_ASSERT_STRING_EQUAL(status_of(out, check, w_), want); } while (0)

/* Nothing the doctor printed holds a secret of the stack. */
static void expect_no_secret(const char *out)
{
	const char *secrets[] = {getenv("GOLDWATCH_SECRET_KEY"), getenv("SMTP_PASSWORD"),
	    fixture_users()->admin, NULL};

	for (int i = 0; secrets[i]; i++)
		if (secrets[i][0])
			CU_ASSERT_PTR_NULL(strstr(out, secrets[i]));
}

static void t_healthy(void)
{
	char *out;
	int rc = doctor("", NULL, &out);

	if (rc != 0)
		fprintf(stderr, "\n    doctor on the healthy stack:\n%s", out);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "CHECK"));
	EXPECT_LINE(out, "configuration", "ok");
	EXPECT_LINE(out, "env file", "ok");
	EXPECT_LINE(out, "secret key", "ok");
	EXPECT_LINE(out, "database", "ok");
	EXPECT_LINE(out, "migrations", "ok");
	EXPECT_LINE(out, "smtp", "ok");
	EXPECT_LINE(out, "pusher", "ok");
	CU_ASSERT_PTR_NULL(strstr(out, "FAIL"));
	expect_no_secret(out);
	free(out);
}

static void t_env_file_readable(void)
{
	char *copy = xasprintf("%s/doctor-open.env", test_env("GW_TEST_STACK"));
	char *env = xasprintf("GOLDWATCH_ENV_FILE='%s'", copy);
	char *out, *line;

	CU_ASSERT_EQUAL_FATAL(test_system("cp '%s/goldwatch.env' '%s'", test_env("GW_TEST_STACK"),
	    copy), 0);
	CU_ASSERT_EQUAL_FATAL(chmod(copy, 0640), 0);
	CU_ASSERT_EQUAL(doctor(env, NULL, &out), 1);
	EXPECT_LINE(out, "env file", "FAIL");
	line = line_of(out, "env file");
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "0640"));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "chmod 0600"));
	/* the rest is as healthy as before */
	EXPECT_LINE(out, "smtp", "ok");
	expect_no_secret(out);
	unlink(copy);
	free(line);
	free(out);
	free(env);
	free(copy);
}

#define OTHER_KEY "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

/* A Slack contact point (its URL a secret) on a closed loopback port; its
 * secret does not open under another key. */
static void t_contact_point_closed(void)
{
	long long cp = make_cp("{\"name\":\"doctor chat\",\"kind\":\"slack\","
	    "\"settings\":{\"url\":\"http://127.0.0.1:1/services/doctor-secret-path\"}}");
	char path[64], *out, *line;
	struct http_resp r;

	CU_ASSERT_FATAL(cp > 0);
	CU_ASSERT_EQUAL(doctor("", NULL, &out), 1);
	EXPECT_LINE(out, "contact point doctor chat", "FAIL");
	line = line_of(out, "contact point doctor chat");
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "cannot connect to http://127.0.0.1:1/"));
	CU_ASSERT_PTR_NULL(strstr(out, "doctor-secret-path"));
	expect_no_secret(out);
	free(line);
	free(out);
	/* another key (of the right form) does not open what this one sealed */
	CU_ASSERT_EQUAL(doctor("GOLDWATCH_SECRET_KEY=" OTHER_KEY, NULL, &out), 1);
	EXPECT_LINE(out, "secret key", "ok");
	line = line_of(out, "contact point doctor chat");
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "do not open with GOLDWATCH_SECRET_KEY"));
	CU_ASSERT_PTR_NULL(strstr(out, "doctor-secret-path"));
	CU_ASSERT_PTR_NULL(strstr(out, OTHER_KEY));
	free(line);
	free(out);
	snprintf(path, sizeof(path), "/api/contact-points/%lld", cp);
	r = api("DELETE", path, fixture_users()->admin, NULL);
	CU_ASSERT_TRUE(r.status == 200 || r.status == 204);
	http_free(&r);
}

static void t_smtp_not_listening(void)
{
	char *out, *line;

	CU_ASSERT_EQUAL(doctor("SMTP_PORT=1", NULL, &out), 1);
	EXPECT_LINE(out, "smtp", "FAIL");
	line = line_of(out, "smtp");
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "SMTP 127.0.0.1:1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "check SMTP_SERVER"));
	EXPECT_LINE(out, "database", "ok");
	expect_no_secret(out);
	free(line);
	free(out);
}

static void t_no_secret_key(void)
{
	char *out;

	CU_ASSERT_EQUAL(doctor("GOLDWATCH_SECRET_KEY=", NULL, &out), 1);
	EXPECT_LINE(out, "secret key", "FAIL");
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "GOLDWATCH_SECRET_KEY is not set"));
	expect_no_secret(out);
	free(out);
}

static void t_bad_setting_and_usage(void)
{
	char *out, *line;

	CU_ASSERT_EQUAL(doctor("GOLDWATCH_THREADS=many", NULL, &out), 1);
	EXPECT_LINE(out, "configuration", "FAIL");
	line = line_of(out, "configuration");
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "GOLDWATCH_THREADS"));
	free(line);
	free(out);
	CU_ASSERT_EQUAL(doctor("", "--fix", &out), 2);
	free(out);
}

void suite_doctor(void)
{
	static const struct test_case cases[] = {
		{"doctor: the healthy stack", t_healthy},
		{"doctor: an env file others can read", t_env_file_readable},
		{"doctor: a contact point that does not connect", t_contact_point_closed},
		{"doctor: an SMTP server that is not listening", t_smtp_not_listening},
		{"doctor: no secret key", t_no_secret_key},
		{"doctor: a bad setting, a usage error", t_bad_setting_and_usage},
		{NULL, NULL},
	};
	test_add_suite("doctor", NULL, NULL, cases);
}
