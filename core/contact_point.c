/*
 * contact_point.c - see contact_point.h.
 */
#include "contact_point.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util.h"

#define CP_MAX_HEADERS 20

static const char *const kind_names[CP__MAX] = {"email", "webhook", "slack", "telegram"};

const char *cp_kind_name(enum cp_kind k)
{
	return (unsigned)k < CP__MAX ? kind_names[k] : "?";
}

enum cp_kind cp_kind_parse(const char *s)
{
	for (int k = 0; k < CP__MAX; k++)
		if (strcmp(s, kind_names[k]) == 0)
			return (enum cp_kind)k;
	return CP__MAX;
}

/* Length of the scheme prefix ("http://", "https://"), 0 for any other. */
static size_t http_scheme(const char *s)
{
	if (strncasecmp(s, "http://", 7) == 0)
		return 7;
	if (strncasecmp(s, "https://", 8) == 0)
		return 8;
	return 0;
}

/* host[:port] or [v6][:port]: letters, digits, dots and hyphens. */
static int valid_authority(const char *a, size_t n)
{
	size_t host = n;
	const char *colon;

	if (n == 0)
		return 0;
	if (a[0] == '[') {
		const char *end = memchr(a, ']', n);
		if (end == NULL || end == a + 1)
			return 0;
		for (const char *p = a + 1; p < end; p++)
			if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
				return 0;
		host = (size_t)(end - a) + 1;
	} else {
		colon = memchr(a, ':', n);
		host = colon ? (size_t)(colon - a) : n;
		if (host == 0)
			return 0;
		for (size_t i = 0; i < host; i++)
			if (!isalnum((unsigned char)a[i]) && a[i] != '.' && a[i] != '-')
				return 0;
	}
	if (host == n)
		return 1;
	if (a[host] != ':' || n - host < 2 || n - host > 6)
		return 0;
	for (size_t i = host + 1; i < n; i++)
		if (!isdigit((unsigned char)a[i]))
			return 0;
	return 1;
}

int valid_http_url(const char *s)
{
	size_t scheme = http_scheme(s), len = strlen(s), auth;

	if (scheme == 0 || len > 2048)
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	auth = strcspn(s + scheme, "/?#");
	return valid_authority(s + scheme, auth);
}

void cp_url_hint(const char *url, char *out, size_t len)
{
	size_t scheme = url ? http_scheme(url) : 0;
	size_t auth = scheme ? strcspn(url + scheme, "/?#") : 0;

	if (scheme == 0) {
		snprintf(out, len, "%s", "");
		return;
	}
	/* a host too long for out is cut, never the "/…" after it: a cut in
	 * the middle of its three bytes would not be UTF-8 */
	if (len < scheme + 5) {
		snprintf(out, len, "%s", "");
		return;
	}
	if (scheme + auth > len - 5)
		auth = len - 5 - scheme;
	snprintf(out, len, "%.*s/\xe2\x80\xa6", (int)(scheme + auth), url);
}

static int valid_kind(const char *s)
{
	return cp_kind_parse(s) != CP__MAX;
}

static int valid_method(const char *s)
{
	return strcmp(s, "POST") == 0 || strcmp(s, "PUT") == 0;
}

static int valid_format(const char *s)
{
	return strcmp(s, "goldwatch") == 0 || strcmp(s, "alertmanager") == 0;
}

/* A Telegram bot token: digits, a colon, letters, digits, - and _. */
static int valid_bot_token(const char *s)
{
	size_t digits = strspn(s, "0123456789");

	return digits > 0 && s[digits] == ':' && s[digits + 1] != '\0' &&
	    strspn(s + digits + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	        "0123456789-_") == strlen(s + digits + 1);
}

/* A chat: a (negative for groups) number, or @channelname. */
static int valid_chat_id(const char *s)
{
	if (s[0] == '@')
		return s[1] != '\0' && strspn(s + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(s + 1);
	if (s[0] == '-')
		s++;
	return s[0] != '\0' && strspn(s, "0123456789") == strlen(s);
}

#define CI(m) V_AT(struct cp_input, m)
static const struct vfield cp_fields[] = {
	{.name = "name", .type = V_STRING, .flags = V_REQUIRED, .min = 1, .max = 100,
	    .check = valid_text_line, .what = "must be one line of text", .at = CI(name)},
	{.name = "kind", .type = V_STRING, .flags = V_REQUIRED, .check = valid_kind,
	    .what = "must be email, webhook, slack or telegram", .at = CI(kind)},
	{.name = "settings", .type = V_MAP, .flags = V_REQUIRED, .at = CI(settings),
	    .column = ""},
};

static const struct vfield email_fields[] = {
	{.name = "addresses", .type = V_STRINGS, .flags = V_REQUIRED, .min = 1, .max = 50,
	    .check = valid_email, .what = "must be e-mail addresses", .at = CI(addresses)},
};

static const struct vfield webhook_fields[] = {
	{.name = "url", .type = V_STRING, .flags = V_REQUIRED, .check = valid_http_url,
	    .what = "must be an http:// or https:// URL with a host (no user:password@)",
	    .at = CI(url), .has = CI(has_url)},
	{.name = "method", .type = V_STRING, .check = valid_method, .what = "must be POST or PUT",
	    .at = CI(method), .sdef = "POST"},
	{.name = "format", .type = V_STRING, .check = valid_format,
	    .what = "must be goldwatch or alertmanager", .at = CI(format), .sdef = "goldwatch"},
	{.name = "headers", .type = V_MAP, .at = CI(headers)},
	{.name = "secret", .type = V_STRING, .min = 0, .max = 512, .at = CI(secret),
	    .has = CI(has_secret)},
};

static const struct vfield slack_fields[] = {
	{.name = "url", .type = V_STRING, .check = valid_http_url,
	    .what = "must be an http:// or https:// URL with a host (no user:password@)",
	    .at = CI(url), .has = CI(has_url)},
};

static const struct vfield telegram_fields[] = {
	{.name = "bot_token", .type = V_STRING, .max = 128, .check = valid_bot_token,
	    .what = "must be a bot token (digits:letters)", .at = CI(bot_token),
	    .has = CI(has_bot_token)},
	{.name = "chat_id", .type = V_STRING, .flags = V_REQUIRED, .max = 64,
	    .check = valid_chat_id, .what = "must be a chat id (a number) or @channel",
	    .at = CI(chat_id)},
	{.name = "api_base", .type = V_STRING, .check = valid_http_url,
	    .what = "must be an http:// or https:// URL with a host (no user:password@)",
	    .at = CI(api_base), .sdef = "https://api.telegram.org"},
};

static const struct { const struct vfield *f; size_t n; } kind_fields[CP__MAX] = {
	[CP_EMAIL] = {VFIELDS(email_fields)},
	[CP_WEBHOOK] = {VFIELDS(webhook_fields)},
	[CP_SLACK] = {VFIELDS(slack_fields)},
	[CP_TELEGRAM] = {VFIELDS(telegram_fields)},
};

/* Headers nobody may set: HTTP's own, and the signature's. */
static int header_reserved(const char *name)
{
	static const char *const reserved[] = {"host", "content-type", "content-length",
	    "transfer-encoding", "connection", "x-goldwatch-timestamp", "x-goldwatch-signature"};

	for (size_t i = 0; i < GW_ARRAY_LEN(reserved); i++)
		if (strcasecmp(name, reserved[i]) == 0)
			return 1;
	return 0;
}

static int valid_header_name(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 64 && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

static int valid_header_value(const json_t *v)
{
	return json_is_string(v) && strlen(json_string_value(v)) <= 1000 &&
	    valid_text_line(json_string_value(v));
}

/* One header: "value", or {"value", "secret": true} (value left out: keep). */
static int check_header(const char *name, const json_t *v, struct verror *err)
{
	const json_t *val = json_is_object(v) ? json_object_get(v, "value") : v;
	const json_t *sec = json_is_object(v) ? json_object_get(v, "secret") : NULL;
	char field[96];

	snprintf(field, sizeof(field), "settings.headers.%s", name);
	if (!valid_header_name(name) || header_reserved(name)) {
		verror_set(err, 422, "invalid_value", field, "%s is not a header that may be set"
		    " (letters, digits and -; not Host, Content-Type, Content-Length,"
		    " X-Goldwatch-*)", field);
		return -1;
	}
	if (json_is_object(v) && (json_object_size(v) != (size_t)(val != NULL) + (sec != NULL) ||
	    (sec != NULL && !json_is_boolean(sec)))) {
		verror_set(err, 422, "invalid_value", field,
		    "%s must be a string or {\"value\": string, \"secret\": true}", field);
		return -1;
	}
	if ((val != NULL || !json_is_object(v)) && !valid_header_value(val)) {
		verror_set(err, 422, "invalid_value", field,
		    "%s must be one line of text, at most 1000 characters", field);
		return -1;
	}
	return 0;
}

static int check_headers(const json_t *headers, struct verror *err)
{
	const char *name;
	json_t *v;

	if (json_object_size(headers) > CP_MAX_HEADERS) {
		verror_set(err, 422, "out_of_range", "settings.headers",
		    "settings.headers may hold at most %d headers", CP_MAX_HEADERS);
		return -1;
	}
	json_object_foreach((json_t *)headers, name, v)
		if (check_header(name, v, err) < 0)
			return -1;
	return 0;
}

int cp_decode(const json_t *body, struct cp_input *in, struct verror *err)
{
	json_t *chat;

	memset(in, 0, sizeof(*in));
	if (valid_decode(body, VFIELDS(cp_fields), in, err) < 0)
		return -1;
	in->k = cp_kind_parse(in->kind);
	/* a chat id is a number to Telegram: take one, keep it as text */
	in->own = json_deep_copy(in->settings);
	chat = json_object_get(in->own, "chat_id");
	if (in->k == CP_TELEGRAM && json_is_integer(chat))
		json_object_set_new(in->own, "chat_id", json_sprintf("%lld",
		    (long long)json_integer_value(chat)));
	if (valid_decode_in("settings", in->own, kind_fields[in->k].f, kind_fields[in->k].n,
	    in, err) < 0)
		return -1;
	if (in->k == CP_WEBHOOK && in->headers && check_headers(in->headers, err) < 0)
		return -1;
	return 0;
}

void cp_input_free(struct cp_input *in)
{
	json_decref(in->own);
	in->own = NULL;
}

/* A webhook's headers to show: secret values as {"secret": true}. */
static json_t *public_headers(const json_t *headers)
{
	json_t *out = json_object(), *v;
	const char *name;

	json_object_foreach((json_t *)headers, name, v) {
		if (json_is_object(v) && json_is_true(json_object_get(v, "secret")))
			json_object_set_new(out, name, json_pack("{sb}", "secret", 1));
		else
			json_object_set(out, name, json_is_object(v) ? json_object_get(v, "value") : v);
	}
	return out;
}

json_t *cp_public_settings(const struct cp_input *in, const json_t *secrets)
{
	json_t *addrs;
	char hint[160];

	switch (in->k) {
	case CP_EMAIL:
		addrs = json_array();
		for (size_t i = 0; i < in->addresses.n; i++)
			json_array_append_new(addrs, json_string(vlist_str(&in->addresses, i)));
		return json_pack("{so}", "addresses", addrs);
	case CP_WEBHOOK:
		return json_pack("{ss ss ss so}", "url", in->url, "method", in->method,
		    "format", in->format, "headers", in->headers ? public_headers(in->headers) :
		    json_object());
	case CP_SLACK:
		cp_url_hint(json_string_value(json_object_get(secrets, "url")), hint, sizeof(hint));
		return json_pack("{ss}", "url", hint);
	case CP_TELEGRAM:
		return json_pack("{ss ss}", "chat_id", in->chat_id, "api_base", in->api_base);
	case CP__MAX:
		break;
	}
	return json_object();
}

/* Sets key of out to given (when has: "" removes it) or to old's key. */
static void keep_or_set(json_t *out, const char *key, int has, const char *given,
    const json_t *old)
{
	const json_t *was = json_object_get(old, key);

	if (has && given[0])
		json_object_set_new(out, key, json_string(given));
	else if (!has && json_is_string(was))
		json_object_set(out, key, (json_t *)was);
}

/* The secret headers: a value given, or the stored one for a value left out. */
static int secret_headers(const json_t *headers, const json_t *old, json_t *out,
    struct verror *err)
{
	json_t *sh = json_object(), *v;
	const char *name;

	json_object_foreach((json_t *)headers, name, v) {
		const json_t *val = json_object_get(v, "value");
		const json_t *was = json_object_get(json_object_get(old, "headers"), name);

		if (!json_is_object(v) || !json_is_true(json_object_get(v, "secret")))
			continue;
		if (val == NULL && !json_is_string(was)) {
			json_decref(sh);
			verror_set(err, 422, "missing_field", "settings.headers", "settings.headers.%.40s"
			    " is secret and has no stored value: give its value", name);
			return -1;
		}
		json_object_set(sh, name, val ? (json_t *)val : (json_t *)was);
	}
	if (json_object_size(sh))
		json_object_set_new(out, "headers", sh);
	else
		json_decref(sh);
	return 0;
}

int cp_secrets(const struct cp_input *in, const json_t *old, json_t **out,
    struct verror *err)
{
	json_t *s = json_object();

	*out = NULL;
	switch (in->k) {
	case CP_WEBHOOK:
		keep_or_set(s, "secret", in->has_secret, in->secret, old);
		if (in->headers && secret_headers(in->headers, old, s, err) < 0) {
			json_decref(s);
			return -1;
		}
		break;
	case CP_SLACK:
		keep_or_set(s, "url", in->has_url, in->url, old);
		if (!json_object_get(s, "url")) {
			json_decref(s);
			verror_set(err, 422, "missing_field", "settings.url",
			    "settings.url (the incoming-webhook URL) is required");
			return -1;
		}
		break;
	case CP_TELEGRAM:
		keep_or_set(s, "bot_token", in->has_bot_token, in->bot_token, old);
		if (!json_object_get(s, "bot_token")) {
			json_decref(s);
			verror_set(err, 422, "missing_field", "settings.bot_token",
			    "settings.bot_token is required");
			return -1;
		}
		break;
	case CP_EMAIL:
	case CP__MAX:
		break;
	}
	*out = s;
	return 0;
}

json_t *cp_secret_names(const json_t *secrets)
{
	json_t *names = json_array(), *v;
	const char *key;

	json_object_foreach((json_t *)secrets, key, v) {
		const char *h;
		json_t *hv;
		if (!json_is_object(v)) {
			json_array_append_new(names, json_string(key));
			continue;
		}
		json_object_foreach(v, h, hv)
			json_array_append_new(names, json_sprintf("%s.%s", key, h));
	}
	return names;
}
