/*
 * fuzz_json_body.c - a request body through what every JSON route does
 * before its handler: strict parsing (valid_json_body) and validation
 * and decoding against a real field table, the rule's (rule_decode_all:
 * types, ranges, defaults, nested escalation, the fields each condition
 * needs or refuses). What it accepts must be a rule the store can write.
 */
#include "fuzz.h"

#include <math.h>

#include "rule.h"
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

/* A decoded rule holds only values in the table's bounds, with what its condition needs. */
static void check_rule(const struct rule_input *r)
{
	enum cond c = cond_parse(r->condition);

	FUZZ_CHECK(r->name && utf8_len(r->name) >= 1 && utf8_len(r->name) <= 200);
	FUZZ_CHECK(r->description && utf8_len(r->description) <= 2000);
	FUZZ_CHECK(r->kpi && valid_kpi_key(r->kpi));
	FUZZ_CHECK(c != COND__MAX && r->severity != NULL);
	FUZZ_CHECK(isfinite(r->threshold) && fabs(r->threshold) <= 1e15);
	FUZZ_CHECK(r->cooldown_minutes >= 0 && r->cooldown_minutes <= 10080);
	FUZZ_CHECK(r->for_evaluations >= 1 && r->for_evaluations <= 100);
	FUZZ_CHECK(r->has_window_minutes == cond_needs_window_minutes(c));
	FUZZ_CHECK(r->has_window_samples == cond_needs_window_samples(c));
	FUZZ_CHECK(r->recipients.n <= 50);
	for (size_t i = 0; i < r->recipients.n; i++)
		FUZZ_CHECK(valid_email(vlist_str(&r->recipients, i)));
	FUZZ_CHECK(!r->has_escalation || (r->escalation.recipients.n >= 1 &&
	    r->escalation.after_minutes >= 1 && r->escalation.after_minutes <= 10080));
	FUZZ_CHECK(r->notify_resolved == 0 || r->notify_resolved == 1);
	FUZZ_CHECK(r->enabled == 0 || r->enabled == 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct verror errs[MAX_ERRORS], first;
	struct rule_input all, one;
	enum store_rc rc, rc1;
	json_t *body;
	int n, n1;

	body = valid_json_body((const char *)data, size, &first);
	if (body == NULL) {
		FUZZ_CHECK(first.status == 400);
		check_error(&first);
		return 0;
	}
	rc = rule_decode_all(body, &all, errs, MAX_ERRORS, &n);
	FUZZ_CHECK(rc == ST_OK || rc == ST_INVALID);
	FUZZ_CHECK(rc == ST_OK ? n == 0 : n >= 1 && n <= MAX_ERRORS);
	for (int i = 0; i < n; i++)
		check_error(&errs[i]);
	/* the API stops at the first error, the forms collect them: same verdict */
	rc1 = rule_decode(body, &one, &first);
	n1 = rc1 == ST_OK ? 0 : 1;
	FUZZ_CHECK(rc1 == rc);
	FUZZ_CHECK(rc == ST_OK || (n1 == 1 && first.status == errs[0].status));
	if (rc == ST_OK) {
		check_rule(&all);
		FUZZ_CHECK(one.cooldown_minutes == all.cooldown_minutes &&
		    one.threshold == all.threshold && one.recipients.n == all.recipients.n);
	}
	json_decref(body);
	return 0;
}
