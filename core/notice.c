/*
 * notice.c - see notice.h.
 */
#include "notice.h"

#include <stdio.h>
#include <string.h>

static char *dump(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);

	json_decref(j);
	return s;
}

/* &, < and > as entities (what both Slack's mrkdwn and HTML need); " too if quotes. */
static void escape(struct buf *b, const char *s, int quotes)
{
	for (; *s; s++) {
		if (*s == '&')
			buf_puts(b, "&amp;");
		else if (*s == '<')
			buf_puts(b, "&lt;");
		else if (*s == '>')
			buf_puts(b, "&gt;");
		else if (*s == '"' && quotes)
			buf_puts(b, "&quot;");
		else
			buf_putc(b, *s);
	}
}

void notice_html_escape(struct buf *b, const char *s)
{
	escape(b, s, 1);
}

char *notice_goldwatch(const struct notice *n)
{
	return dump(json_pack("{ss ss ss ss ss ss ss sO}", "version", "1", "kind", n->kind,
	    "status", n->status, "title", n->title, "text", n->text, "link", n->link,
	    "sent_at", n->sent_at, "alerts", (json_t *)n->alerts));
}

static const char *str_of(const json_t *a, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(a, key));

	return s ? s : dflt;
}

/* One alert as Alertmanager describes alerts: labels, annotations, times, a fingerprint. */
static json_t *am_alert(const struct notice *n, const json_t *a)
{
	const char *resolved = str_of(a, "resolved_at", NULL);
	json_int_t id = json_integer_value(json_object_get(a, "id"));
	char link[512], fp[24], rule[24];

	snprintf(link, sizeof(link), "%s/alerts/%lld", n->base_url, (long long)id);
	snprintf(fp, sizeof(fp), "%016llx", (unsigned long long)id);
	snprintf(rule, sizeof(rule), "%lld",
	    (long long)json_integer_value(json_object_get(a, "rule_id")));
	return json_pack("{ss s{ss ss ss ss} s{ss ss} ss ss ss ss}",
	    "status", resolved ? "resolved" : "firing",
	    "labels", "alertname", str_of(a, "rule_name", "goldwatch"),
	    "severity", str_of(a, "severity", "info"), "kpi", str_of(a, "kpi", ""),
	    "rule_id", rule,
	    "annotations", "summary", str_of(a, "message", ""), "description", n->title,
	    "startsAt", str_of(a, "triggered_at", n->sent_at),
	    "endsAt", resolved ? resolved : "0001-01-01T00:00:00Z",
	    "generatorURL", link, "fingerprint", fp);
}

char *notice_alertmanager(const struct notice *n)
{
	json_t *alerts = json_array(), *a, *common;
	char key[256];
	size_t i;

	json_array_foreach((json_t *)n->alerts, i, a)
		json_array_append_new(alerts, am_alert(n, a));
	if (json_array_size(alerts) == 0)   /* a test: one made-up alert, so receivers see the shape */
		json_array_append_new(alerts, json_pack("{ss s{ss ss} s{ss ss} ss ss ss ss}",
		    "status", n->status, "labels", "alertname", "goldwatch test", "severity", "info",
		    "annotations", "summary", n->title, "description", n->text,
		    "startsAt", n->sent_at, "endsAt", "0001-01-01T00:00:00Z",
		    "generatorURL", n->link, "fingerprint", "0000000000000000"));
	/* one alert: its labels are the group's; several: only what they share is */
	common = json_array_size(alerts) == 1 ?
	    json_incref(json_object_get(json_array_get(alerts, 0), "labels")) : json_object();
	snprintf(key, sizeof(key), "{}:{receiver=\"%s\"}", n->receiver);
	return dump(json_pack("{ss ss ss ss sI so s{} so s{} ss}",
	    "version", "4", "groupKey", key, "status", n->status, "receiver", n->receiver,
	    "truncatedAlerts", (json_int_t)0, "alerts", alerts, "groupLabels",
	    "commonLabels", common, "commonAnnotations", "externalURL", n->base_url));
}

char *notice_slack(const struct notice *n)
{
	struct buf b;
	json_t *msg;

	buf_init(&b);
	buf_putc(&b, '*');
	escape(&b, n->title, 0);
	buf_puts(&b, "*\n");
	escape(&b, n->text, 0);
	buf_puts(&b, "\n<");
	escape(&b, n->link, 0);
	buf_puts(&b, "|Open in goldwatch>");
	msg = json_pack("{ss s[{ss s{ss ss}}]}", "text", n->title, "blocks",
	    "type", "section", "text", "type", "mrkdwn", "text", b.data ? b.data : "");
	buf_free(&b);
	return dump(msg);
}

char *notice_telegram(const struct notice *n, const char *chat_id)
{
	struct buf b;
	json_t *msg;

	buf_init(&b);
	buf_puts(&b, "<b>");
	notice_html_escape(&b, n->title);
	buf_puts(&b, "</b>\n");
	notice_html_escape(&b, n->text);
	buf_puts(&b, "\n<a href=\"");
	notice_html_escape(&b, n->link);
	buf_puts(&b, "\">Open in goldwatch</a>");
	msg = json_pack("{ss ss ss sb}", "chat_id", chat_id, "text", b.data ? b.data : "",
	    "parse_mode", "HTML", "disable_web_page_preview", 1);
	buf_free(&b);
	return dump(msg);
}

/* "fired" -> "" (the plain case), the others as the title says them. */
static const char *kind_words(const char *kind)
{
	static const struct { const char *kind, *words; } w[] = {
		{"resolved", " resolved"}, {"escalated", " escalated"},
		{"repeat", " still firing (reminder)"}, {"still_firing", " still firing"},
		{"flapping", " flapping"}, {"settled", " settled"}, {"back", " back"},
	};
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (strcmp(kind, w[i].kind) == 0)
			return w[i].words;
	return "";
}

void notice_group_title(const json_t *alerts, const char *kind, char *out, size_t len)
{
	static const char *const sev[] = {"critical", "warning", "info"};
	size_t n = json_array_size(alerts), off;

	if (n == 1) {
		const json_t *a = json_array_get(alerts, 0);
		snprintf(out, len, "%s%s: %s", str_of(a, "rule_name", "alert"), kind_words(kind),
		    str_of(a, "message", ""));
		return;
	}
	off = (size_t)snprintf(out, len, "%zu alerts%s:", n, kind_words(kind));
	for (size_t s = 0, first = 1; s < 3 && off < len; s++) {
		size_t k = 0, i;
		const json_t *a;
		json_array_foreach((json_t *)alerts, i, a)
			k += strcmp(str_of(a, "severity", ""), sev[s]) == 0;
		if (k == 0)
			continue;
		off += (size_t)snprintf(out + off, len - off, "%s %zu %s", first ? "" : ",", k,
		    sev[s]);
		first = 0;
	}
}

void notice_group_text(const json_t *alerts, const char *base_url, struct buf *b)
{
	size_t i, n = json_array_size(alerts);
	const json_t *a;

	json_array_foreach((json_t *)alerts, i, a) {
		char sev[16];
		size_t k;
		if (i == NOTICE_LIST_MAX) {
			buf_printf(b, "... and %zu more: %s/alerts\n", n - i, base_url);
			break;
		}
		snprintf(sev, sizeof(sev), "%s", str_of(a, "severity", ""));
		for (k = 0; sev[k]; k++)
			sev[k] = (char)(sev[k] >= 'a' && sev[k] <= 'z' ? sev[k] - 32 : sev[k]);
		buf_printf(b, "%s  %s: %s\n%s/alerts/%lld\n", sev, str_of(a, "rule_name", ""),
		    str_of(a, "message", ""), base_url,
		    (long long)json_integer_value(json_object_get(a, "id")));
	}
}
