/*
 * notice.h - what a notification says, in the shapes the receivers take:
 * goldwatch's own JSON, the Alertmanager webhook payload (version 4), a
 * Slack-compatible chat message ({"text", "blocks"}: Slack, Mattermost,
 * Rocket.Chat), a Telegram sendMessage body (HTML, escaped). Pure: the
 * senders (cp_send.h) post what these make.
 */
#ifndef GW_NOTICE_H
#define GW_NOTICE_H

#include <jansson.h>

#include "util.h"

struct notice {
	const char *kind;         /* test, fired, resolved, escalated, still_firing, ... */
	const char *status;       /* firing or resolved */
	const char *title;        /* one line */
	const char *text;         /* plain text, may hold newlines */
	const char *link;         /* the page to open (an alert's, or the dashboard) */
	const char *receiver;     /* the contact point's name */
	const char *base_url;     /* GOLDWATCH_BASE_URL */
	const char *sent_at;      /* ISO 8601 */
	const json_t *alerts;     /* the alerts (as the API shows them), [] for a test */
};

/* Each makes a JSON text the caller frees. */
char *notice_goldwatch(const struct notice *n);
char *notice_alertmanager(const struct notice *n);
char *notice_slack(const struct notice *n);
char *notice_telegram(const struct notice *n, const char *chat_id);

/*
 * The title of a message about the alerts (a JSON array, as the API shows
 * them) for kind: one alert, or "7 alerts: 3 critical, 4 warning" (fired),
 * "7 alerts resolved: ..." and so on. Into out.
 */
void notice_group_title(const json_t *alerts, const char *kind, char *out, size_t len);
/*
 * Each alert on a line of its own, "CRITICAL  rule: message" and its page
 * under base_url, at most NOTICE_LIST_MAX of them and then how many more;
 * appended to b.
 */
#define NOTICE_LIST_MAX 25
void notice_group_text(const json_t *alerts, const char *base_url, struct buf *b);

/* s with &, < and > escaped for Telegram's HTML mode, appended to b. */
void notice_html_escape(struct buf *b, const char *s);

#endif
