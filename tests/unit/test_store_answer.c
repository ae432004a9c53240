/* test_store_answer.c - how handlers answer a core store result (cgi/rules.c). */
#include <string.h>

#include "app.h"
#include "testlib.h"
#include "unit.h"

/* Answers rc with err, returns the status; *body: the response body (caller frees). */
static int answer(enum store_rc rc, const struct verror *err, json_t **body)
{
	struct request req;
	int status;

	memset(&req, 0, sizeof(req));
	req.pool = pool_new();
	buf_init(&req.resp_headers);
	buf_init(&req.resp_body);
	status = store_answer(&req, rc, 200, json_pack("{si}", "id", 1), err, "rule");
	*body = req.resp_body.data ? json_loads(req.resp_body.data, 0, NULL) : NULL;
	if (status != 500)   /* the dispatcher writes the 500 body */
		CU_ASSERT_EQUAL(req.status, status);
	request_free(&req);
	return status;
}

static const char *code_of(const json_t *body)
{
	const json_t *c = json_object_get(json_object_get(body, "error"), "code");
	return json_is_string(c) ? json_string_value(c) : "(none)";
}

/* Refusals without a reason (err NULL) are answered, not dereferenced. */
static void t_no_reason(void)
{
	json_t *body = NULL;

	CU_ASSERT_EQUAL(answer(ST_INVALID, NULL, &body), 422);
	CU_ASSERT_STRING_EQUAL(code_of(body), "invalid_value");
	json_decref(body);
	CU_ASSERT_EQUAL(answer(ST_CONFLICT, NULL, &body), 409);
	CU_ASSERT_STRING_EQUAL(code_of(body), "conflict");
	json_decref(body);
	CU_ASSERT_EQUAL(answer(ST_NOT_FOUND, NULL, &body), 404);
	CU_ASSERT_STRING_EQUAL(code_of(body), "not_found");
	json_decref(body);
	CU_ASSERT_EQUAL(answer(ST_ERROR, NULL, &body), 500);
	json_decref(body);
}

static void t_with_reason(void)
{
	struct verror e;
	json_t *body = NULL;

	verror_set(&e, 409, "already_ended", NULL, "this silence has already ended");
	CU_ASSERT_EQUAL(answer(ST_CONFLICT, &e, &body), 409);
	CU_ASSERT_STRING_EQUAL(code_of(body), "already_ended");
	json_decref(body);
	verror_set(&e, 422, "out_of_range", "threshold", "threshold is out of range");
	CU_ASSERT_EQUAL(answer(ST_INVALID, &e, &body), 422);
	CU_ASSERT_STRING_EQUAL(code_of(body), "out_of_range");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(body, "error"),
	    "field")), "threshold");
	json_decref(body);
	CU_ASSERT_EQUAL(answer(ST_OK, &e, &body), 200);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(body, "id")), 1);
	json_decref(body);
}

void suite_store_answer(void)
{
	static const struct test_case cases[] = {
		{"refusals without a reason", t_no_reason},
		{"refusals with their reason, success", t_with_reason},
		{NULL, NULL},
	};
	test_add_suite("store_answer", NULL, NULL, cases);
}
