/* test_auth.c - roles, password hashing, tokens, constant-time compares. */
#include <string.h>

#include "auth.h"
#include "testlib.h"
#include "unit.h"

static int init(void)
{
	return auth_init();
}

static void t_roles(void)
{
	CU_ASSERT_EQUAL(role_parse("viewer"), ROLE_VIEWER);
	CU_ASSERT_EQUAL(role_parse("operator"), ROLE_OPERATOR);
	CU_ASSERT_EQUAL(role_parse("admin"), ROLE_ADMIN);
	CU_ASSERT_EQUAL(role_parse("public"), ROLE_INVALID);
	CU_ASSERT_EQUAL(role_parse("Admin"), ROLE_INVALID);
	CU_ASSERT_EQUAL(role_parse(NULL), ROLE_INVALID);
	CU_ASSERT_TRUE(ROLE_VIEWER < ROLE_OPERATOR && ROLE_OPERATOR < ROLE_ADMIN);
	CU_ASSERT_STRING_EQUAL(role_name(ROLE_OPERATOR), "operator");
}

static void t_password(void)
{
	char hash[AUTH_PWHASH_MAX];

	CU_ASSERT_EQUAL(auth_password_hash("correct horse battery", hash), 0);
	CU_ASSERT_EQUAL(strncmp(hash, "$argon2id$", 10), 0);
	CU_ASSERT_TRUE(auth_password_verify(hash, "correct horse battery"));
	CU_ASSERT_FALSE(auth_password_verify(hash, "correct horse batterY"));
	CU_ASSERT_FALSE(auth_password_verify(hash, ""));
	CU_ASSERT_FALSE(auth_password_verify("plaintext", "plaintext"));
	CU_ASSERT_FALSE(auth_password_verify(NULL, "x"));
}

static void t_tokens(void)
{
	char a[AUTH_TOKEN_MAX], b[AUTH_TOKEN_MAX], ha[AUTH_HASH_HEX], hb[AUTH_HASH_HEX];

	auth_token_new("gws_", a);
	auth_token_new("gws_", b);
	CU_ASSERT_EQUAL(strncmp(a, "gws_", 4), 0);
	CU_ASSERT_EQUAL(strlen(a), 4 + 43);
	CU_ASSERT_STRING_NOT_EQUAL(a, b);
	auth_token_hash(a, ha);
	auth_token_hash(b, hb);
	CU_ASSERT_EQUAL(strlen(ha), 64);
	CU_ASSERT_STRING_NOT_EQUAL(ha, hb);
	auth_token_hash(a, hb);
	CU_ASSERT_STRING_EQUAL(ha, hb);
	/* SHA-256 of "abc" */
	auth_token_hash("abc", ha);
	CU_ASSERT_STRING_EQUAL(ha,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void t_const_eq(void)
{
	CU_ASSERT_TRUE(auth_const_eq("csrf-token", "csrf-token"));
	CU_ASSERT_FALSE(auth_const_eq("csrf-token", "csrf-tokeN"));
	CU_ASSERT_FALSE(auth_const_eq("csrf-token", "csrf-token-longer"));
	CU_ASSERT_FALSE(auth_const_eq("", "x"));
	CU_ASSERT_TRUE(auth_const_eq("", ""));
}

void suite_auth(void)
{
	static const struct test_case cases[] = {
		{"roles", t_roles},
		{"argon2id passwords", t_password},
		{"tokens and their hashes", t_tokens},
		{"constant-time equality (CSRF)", t_const_eq},
		{NULL, NULL},
	};
	test_add_suite("auth", init, NULL, cases);
}
