/*
 * test_read_db.c - the commit positions a client sends back to read its
 * own changes (Goldwatch-Read-After, the gw_read_after cookie): what
 * PostgreSQL writes as an LSN parses to the number it stands for, and
 * anything else is no position at all.
 */
#include <stdint.h>

#include "read_db.h"
#include "testlib.h"
#include "unit.h"

static void t_positions(void)
{
	uint64_t v = 1;

	CU_ASSERT_EQUAL(read_db_parse_lsn("0/0", &v), 0);
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_EQUAL(read_db_parse_lsn("16/B374D848", &v), 0);
	CU_ASSERT_EQUAL(v, (uint64_t)0x16 << 32 | 0xB374D848u);
	CU_ASSERT_EQUAL(read_db_parse_lsn("ffffffff/ffffffff", &v), 0);
	CU_ASSERT_EQUAL(v, UINT64_MAX);
}

static void t_not_positions(void)
{
	static const char *const bad[] = {
		"", "/", "0/", "/0", "0", "0/0/0", "g/0", "0/x1", " 0/0", "0/0 ", "-1/0",
		"+1/0", "123456789/0", "0/123456789", "0x1/0", "1/\n",
	};
	uint64_t v = 42;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(read_db_parse_lsn(bad[i], &v), -1);
	CU_ASSERT_EQUAL(read_db_parse_lsn(NULL, &v), -1);
	CU_ASSERT_EQUAL(v, 42);   /* untouched */
}

void suite_read_db(void)
{
	static const struct test_case cases[] = {
		{"an LSN as PostgreSQL writes it", t_positions},
		{"anything else is no position", t_not_positions},
		{NULL, NULL},
	};
	test_add_suite("read_db", NULL, NULL, cases);
}
