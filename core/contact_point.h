/*
 * contact_point.h - contact points: where notifications go (e-mail
 * addresses, a webhook, a Slack-compatible chat, a Telegram chat). The
 * words, the checks of what the API takes and the split of a contact
 * point into what may be shown (its public settings) and what may not
 * (its secrets: a webhook's secret and secret header values, a Slack
 * incoming-webhook URL, a Telegram bot token). No I/O here: the store
 * seals the secrets (secret.h) and keeps both.
 */
#ifndef GW_CONTACT_POINT_H
#define GW_CONTACT_POINT_H

#include <jansson.h>

#include "valid.h"

enum cp_kind { CP_EMAIL, CP_WEBHOOK, CP_SLACK, CP_TELEGRAM, CP__MAX };

/* Name <-> enum; parse returns CP__MAX for an unknown name. */
const char *cp_kind_name(enum cp_kind k);
enum cp_kind cp_kind_parse(const char *s);

/* http:// or https://, a host (no user:password@), printable, at most 2048. */
int valid_http_url(const char *s);

/* "https://hooks.slack.com/…": a URL with its path hidden, into out. */
void cp_url_hint(const char *url, char *out, size_t len);

/*
 * A contact point as the API takes it: {"name", "kind", "settings"}, the
 * settings those of its kind (README, "Contact points"). A secret left out
 * keeps the stored one (so what GET shows can be PUT back); "" clears an
 * optional one.
 */
struct cp_input {
	const char *name;
	const char *kind;
	enum cp_kind k;
	const json_t *settings;
	struct vlist addresses;     /* email */
	const char *url;            /* webhook, slack (slack: a secret) */
	int has_url;
	const char *method;         /* webhook: POST or PUT */
	const char *format;         /* webhook: goldwatch or alertmanager */
	const char *secret;         /* webhook: the HMAC key */
	int has_secret;
	const json_t *headers;      /* webhook: {"Name": "value" | {"value", "secret"}} */
	const char *bot_token;      /* telegram */
	int has_bot_token;
	const char *chat_id;        /* telegram: an id or @channel, as a string */
	const char *api_base;       /* telegram */
	json_t *own;                /* the settings as decoded (chat_id made a string) */
};

/*
 * Decodes and checks a contact point body into in (in->own must be freed
 * with cp_input_free, also after a failure). 0, or -1 with err naming the
 * field (settings.url).
 */
int cp_decode(const json_t *body, struct cp_input *in, struct verror *err);
void cp_input_free(struct cp_input *in);

/*
 * What may be shown of in: its settings without a secret in them (a Slack
 * URL as its hint, from secrets, what cp_secrets made). New reference.
 */
json_t *cp_public_settings(const struct cp_input *in, const json_t *secrets);

/*
 * Its secrets, {"secret","url","bot_token","headers":{...}} as far as set:
 * each given one, else the one in old (the stored secrets of the same
 * kind; NULL for none). -1 with err when a required one is then missing.
 */
int cp_secrets(const struct cp_input *in, const json_t *old, json_t **out,
    struct verror *err);

/* ["secret", "headers.Authorization", ...]: the names of the secrets set. */
json_t *cp_secret_names(const json_t *secrets);

#endif
