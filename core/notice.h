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

/* s with &, < and > escaped for Telegram's HTML mode, appended to b. */
void notice_html_escape(struct buf *b, const char *s);

#endif
