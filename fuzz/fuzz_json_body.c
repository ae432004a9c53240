/*
 * fuzz_json_body.c - a request body through what every JSON route does
 * before its handler: strict parsing (valid_json_body) and validation
 * against a real field table, the rule's (rule_check_body: types, ranges,
 * nested escalation, the fields each condition needs or refuses).
 */
#include "fuzz.h"

#include "rule_store.h"
#include "valid.h"

#define MAX_ERRORS 16

/* An error as the API would send it: a status, a code, a bounded message. */
static void check_error(const struct verror *e)
{
	FUZZ_CHECK(e->status == 400 || e->status == 422);
	FUZZ_CHECK(e->code[0] != '\0' && strlen(e->code) < sizeof(e->code));
	FUZZ_CHECK(strlen(e->message) < sizeof(e->message));
	FUZZ_CHECK(strlen(e->field) < sizeof(e->field));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct verror errs[MAX_ERRORS], first;
	enum store_rc rc, rc1;
	json_t *body;
	int n, n1;

	body = valid_json_body((const char *)data, size, &first);
	if (body == NULL) {
		FUZZ_CHECK(first.status == 400);
		check_error(&first);
		return 0;
	}
	rc = rule_check_body(body, errs, MAX_ERRORS, &n);
	FUZZ_CHECK(rc == ST_OK || rc == ST_INVALID);
	FUZZ_CHECK(rc == ST_OK ? n == 0 : n >= 1 && n <= MAX_ERRORS);
	for (int i = 0; i < n; i++)
		check_error(&errs[i]);
	/* the API stops at the first error, the forms collect them: same verdict */
	rc1 = rule_check_body(body, &first, 1, &n1);
	FUZZ_CHECK(rc1 == rc);
	FUZZ_CHECK(rc == ST_OK || (n1 == 1 && first.status == errs[0].status));
	json_decref(body);
	return 0;
}
