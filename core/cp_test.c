/*
 * cp_test.c - see cp_test.h.
 */
#include "cp_test.h"

#include <stdio.h>
#include <stdlib.h>

#include "cp_send.h"
#include "mail.h"
#include "notice.h"
#include "util.h"

#define TEST_TITLE "goldwatch test message"

/* The mail of an e-mail contact point's test, for each address: queued. */
static json_t *test_mail(struct db *db, const struct config *cfg, const struct cp_target *t,
    const char *text)
{
	const json_t *addrs = json_object_get(t->settings, "addresses"), *a;
	struct mail_msg m = {.subject = xasprintf("[goldwatch] Test message: %s", t->name)};
	struct outbox o;
	size_t i;
	int n;

	buf_init(&m.text);
	buf_init(&m.html);
	buf_printf(&m.text, "%s\n", text);
	buf_puts(&m.html, "<!doctype html><html><body><p>");
	notice_html_escape(&m.html, text);
	buf_puts(&m.html, "</p></body></html>");
	outbox_init(&o);
	json_array_foreach(addrs, i, a) {
		char *dedup = xasprintf("cptest:%lld:%lld:%s", (long long)t->id,
		    (long long)time_now_us(), json_string_value(a));
		outbox_add(&o, MAIL_TEST, 0, 0, json_string_value(a), &m, dedup);
		free(dedup);
	}
	n = outbox_flush(db, cfg, &o);
	outbox_free(&o);
	mail_msg_free(&m);
	if (n < 0)
		return NULL;
	return json_pack("{sb ss si}", "ok", 1, "kind", "email", "queued", n);
}

json_t *cp_test(struct db *db, const struct config *cfg, const struct cp_target *t,
    const char *by)
{
	char text[512], at[40];
	json_t *none = json_array(), *out;
	struct http_result res;
	struct notice n;
	int rc;

	snprintf(text, sizeof(text), "A test of the contact point \"%s\", sent by %s. When an"
	    " alert is routed here, its message comes like this one.", t->name, by);
	if (t->kind == CP_EMAIL) {
		json_decref(none);
		return test_mail(db, cfg, t, text);
	}
	time_format_iso(time_now_us(), at, sizeof(at));
	n = (struct notice){.kind = "test", .status = "firing", .title = TEST_TITLE,
	    .text = text, .link = cfg->base_url, .receiver = t->name, .base_url = cfg->base_url,
	    .sent_at = at, .alerts = none};
	rc = cp_send(cfg, t, &n, &res);
	out = json_pack("{sb ss so so sf}", "ok", rc == 0, "kind", cp_kind_name(t->kind),
	    "status", res.status ? json_integer(res.status) : json_null(),
	    "error", res.error[0] ? json_string(res.error) : json_null(),
	    "duration_ms", (double)res.duration_us / 1000.0);
	json_decref(none);
	return out;
}
