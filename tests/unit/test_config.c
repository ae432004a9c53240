/*
 * test_config.c - settings from the environment: a bad value stops the
 * process (config_load fails naming the variable), a good one is read.
 */
#include <stdlib.h>

#include "config.h"
#include "log.h"
#include "testlib.h"
#include "unit.h"

/* config_load() with name=value set for the call only; 0 or -1. */
static int load_with(const char *name, const char *value, struct config *cfg)
{
	int rc;

	setenv(name, value, 1);
	rc = config_load(cfg);
	unsetenv(name);
	return rc;
}

static void t_log_level(void)
{
	static const char *const bad[] = {"verbose", "warn", "debug2", "0", " info", "infoo"};
	struct config cfg;

	for (size_t i = 0; i < GW_ARRAY_LEN(bad); i++)
		CU_ASSERT_EQUAL(load_with("GOLDWATCH_LOG_LEVEL", bad[i], &cfg), -1);
	for (int lvl = 0; lvl < LOG_LVL__MAX; lvl++) {
		CU_ASSERT_EQUAL_FATAL(load_with("GOLDWATCH_LOG_LEVEL", log_level_names[lvl], &cfg), 0);
		CU_ASSERT_EQUAL(cfg.log_level, lvl);
		config_free(&cfg);
	}
	CU_ASSERT_EQUAL_FATAL(load_with("GOLDWATCH_LOG_LEVEL", "DEBUG", &cfg), 0);
	CU_ASSERT_EQUAL(cfg.log_level, LOG_LVL_DEBUG);
	config_free(&cfg);
	/* unset or empty: the default, info */
	CU_ASSERT_EQUAL_FATAL(load_with("GOLDWATCH_LOG_LEVEL", "", &cfg), 0);
	CU_ASSERT_EQUAL(cfg.log_level, LOG_LVL_INFO);
	config_free(&cfg);
}

static void t_other_kinds(void)
{
	struct config cfg;

	CU_ASSERT_EQUAL(load_with("SMTP_USE_TLS", "maybe", &cfg), -1);
	CU_ASSERT_EQUAL(load_with("GOLDWATCH_THREADS", "0x10", &cfg), -1);
	CU_ASSERT_EQUAL(load_with("GOLDWATCH_THREADS", "257", &cfg), -1);
	CU_ASSERT_EQUAL(load_with("GOLDWATCH_TIMEZONE", "Mars/Olympus", &cfg), -1);
	CU_ASSERT_EQUAL_FATAL(load_with("SMTP_USE_TLS", "Off", &cfg), 0);
	CU_ASSERT_EQUAL(cfg.smtp_use_tls, 0);
	config_free(&cfg);
}

void suite_config(void)
{
	static const struct test_case cases[] = {
		{"GOLDWATCH_LOG_LEVEL: one of the levels, else an error", t_log_level},
		{"booleans, numbers, zones", t_other_kinds},
		{NULL, NULL},
	};
	test_add_suite("config", NULL, NULL, cases);
}
