/*
 * test_offline.c - core calls on their failure paths with no database to
 * reach: a clear error, nothing touched, nothing leaked (the sanitizer
 * build's LeakSanitizer checks the last at exit).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "digest.h"
#include "migrate.h"
#include "testlib.h"
#include "unit.h"
#include "util.h"

/* A database nobody listens for: a socket folder that does not exist. */
static struct db *db_nowhere(void)
{
	struct config cfg = {0};

	cfg.database_url = (char *)"host=/nonexistent/goldwatch-unit port=1 dbname=none";
	cfg.db_timeout_s = 1;
	return db_new(&cfg);
}

static void t_migrate_empty_folder(void)
{
	char dir[] = "/tmp/gw-unit-migrations-XXXXXX";
	struct db *db = db_nowhere();
	int applied = -1;
	FILE *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	CU_ASSERT_EQUAL(migrate_run(db, dir, &applied), -1);
	CU_ASSERT_EQUAL(applied, 0);
	/* refused before any connection was tried */
	CU_ASSERT_STRING_EQUAL(db_sqlstate(db), "");
	/* files that are not migrations do not count */
	{
		char *path = xasprintf("%s/README.sql", dir);
		f = fopen(path, "w");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		fclose(f);
		CU_ASSERT_EQUAL(migrate_run(db, dir, &applied), -1);
		CU_ASSERT_STRING_EQUAL(db_sqlstate(db), "");
		unlink(path);
		free(path);
	}
	rmdir(dir);
	db_close(db);
}

static void t_digest_begin_fails(void)
{
	struct db *db = db_nowhere();
	struct config cfg = {0};
	struct digest_result res;

	cfg.timezone = (char *)"UTC";
	memset(&res, 0xff, sizeof(res));
	CU_ASSERT_EQUAL(digest_run(db, &cfg, time_now_us(), &res), -1);
	CU_ASSERT_EQUAL(res.recipients, 0);
	db_close(db);
}

void suite_offline(void)
{
	static const struct test_case cases[] = {
		{"migrate from an empty folder: an error, database untouched", t_migrate_empty_folder},
		{"digest_run when BEGIN fails: -1, nothing leaked", t_digest_begin_fails},
		{NULL, NULL},
	};
	test_add_suite("offline", NULL, NULL, cases);
}
