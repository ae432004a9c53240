/*
 * test_words.c - one sentence for one alert: the alert's page, its mail
 * (as queued in the outbox) and its event (the API's log, which is what
 * the WebSocket sends and the browser shows) say the observed value and
 * the threshold in the same words, for a plain comparison, a percent
 * change and a z-score.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "integration.h"
#include "testlib.h"
#include "util.h"

/* The alert.fired event of alert id among the events after after. */
static json_t *fired_event(long long after, long long id)
{
	char path[96];
	struct http_resp r;
	json_t *found = NULL, *e;
	size_t i;

	snprintf(path, sizeof(path), "/api/events?after=%lld&limit=1000", after);
	r = api("GET", path, fixture_users()->viewer, NULL);
	EXPECT_STATUS(r, 200);
	json_array_foreach(jget(r.json, "items"), i, e)
		if (strcmp(json_string_value(json_object_get(e, "type")), "alert.fired") == 0 &&
		    json_integer_value(jget(e, "data.id")) == id)
			found = json_incref(e);
	http_free(&r);
	return found;
}

static struct http_resp page_get(const char *path)
{
	char cookie[256];
	const char *h[] = {cookie, NULL};

	snprintf(cookie, sizeof(cookie), "Cookie: gw_session=%s", fixture_users()->admin);
	return http_do("GET", path, h, NULL, 0);
}

/* Contains s followed by want (a line of the mail, a cell of the page). */
static int has(const char *s, const char *label, const char *want)
{
	char *line = xasprintf("%s%s", label, want);
	int ok = s && strstr(s, line) != NULL;

	if (!ok)
		printf("\n    missing \"%s\"", line);
	free(line);
	return ok;
}

/*
 * Fires rule (on kpi, whose samples are in place), then compares its
 * words in the event, the page and the mail, and with value and
 * threshold as they must read.
 */
static void one_sentence(const char *name, const char *kpi, const char *cond,
    double threshold, const char *extra, const char *value, const char *thr)
{
	long long after = SQL_INT0("SELECT coalesce(max(id), 0) FROM events");
	long long rule = make_simple_rule(name, kpi, cond, threshold, extra);
	struct http_resp r = evaluate_rule(rule);
	long long id = jint(&r, "fired.0.id");
	char path[64], ids[24], *mail;
	json_t *ev;
	const char *vt, *tt;

	EXPECT_STATUS(r, 200);
	http_free(&r);
	CU_ASSERT_FATAL(id > 0);
	ev = fired_event(after, id);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	vt = json_string_value(json_object_get(ev, "value_text"));
	tt = json_string_value(json_object_get(ev, "threshold_text"));
	CU_ASSERT_STRING_EQUAL(vt ? vt : "(none)", value);
	CU_ASSERT_STRING_EQUAL(tt ? tt : "(none)", thr);
	CU_ASSERT_TRUE(has(json_string_value(json_object_get(ev, "text")), "Fired (critical): ",
	    name));

	snprintf(path, sizeof(path), "/alerts/%lld", id);
	r = page_get(path);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_TRUE(has(r.body, "<dt>Value</dt><dd>", value));
	CU_ASSERT_TRUE(has(r.body, "<dt>Threshold</dt><dd>", thr));
	/* the timeline's line of the firing: the event's own text */
	CU_ASSERT_TRUE(has(r.body, "", json_string_value(json_object_get(ev, "text"))));
	http_free(&r);

	snprintf(ids, sizeof(ids), "%lld", id);
	mail = test_sql_str("SELECT body_text FROM mail_outbox WHERE alert_id = $1::bigint"
	    " AND kind = 'fired' ORDER BY id LIMIT 1", 1, TP(ids));
	CU_ASSERT_PTR_NOT_NULL(mail);
	CU_ASSERT_TRUE(has(mail, "Value:      ", value));
	CU_ASSERT_TRUE(has(mail, "Threshold:  ", thr));
	free(mail);
	json_decref(ev);
}

static void t_one_sentence(void)
{
	make_push_kpi("w_plain", 0);
	push_value("w_plain", 4200.5, 0);
	one_sentence("Words plain", "w_plain", "lt", 5000, "", "4,200.50 USD", "below 5,000 USD");

	make_push_kpi("w_pct", 0);
	push_value("w_pct", 100, 90);
	push_value("w_pct", 112.5, 0);
	one_sentence("Words pct", "w_pct", "pct_change_gt", 10, "\"window_minutes\":60", "+12.5%",
	    "changed by more than 10%");

	make_push_kpi("w_z", 0);
	push_z_series("w_z");
	/* mean 100, sample stddev 1.58: z = 18.97 */
	one_sentence("Words z", "w_z", "zscore_gt", 3, "\"window_samples\":5", "z = 18.97",
	    "unusually far from its recent mean: z-score above 3");
}

void suite_words(void)
{
	static const struct test_case cases[] = {
		{"the page, the mail and the event say one sentence", t_one_sentence},
		{NULL, NULL},
	};
	test_add_suite("words", NULL, NULL, cases);
}
