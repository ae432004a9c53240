/*
 * cp_send.c - see cp_send.h.
 */
#include "cp_send.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void cp_signature(const char *secret, int64_t ts, const char *body, char *out, size_t len)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	char stamp[24], hex[2 * crypto_auth_hmacsha256_BYTES + 1];

	snprintf(stamp, sizeof(stamp), "%lld.", (long long)ts);
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)stamp, strlen(stamp));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	snprintf(out, len, "sha256=%s", hex);
}

/* A webhook's headers to send: the plain ones, the secret ones opened, the signature. */
static json_t *webhook_headers(const struct cp_target *t, const char *body)
{
	const json_t *shown = json_object_get(t->settings, "headers");
	const json_t *hidden = json_object_get(t->secrets, "headers");
	const char *secret = json_string_value(json_object_get(t->secrets, "secret"));
	json_t *h = json_object(), *v;
	const char *name;

	json_object_foreach((json_t *)shown, name, v)
		if (json_is_string(v))
			json_object_set(h, name, v);
	json_object_foreach((json_t *)hidden, name, v)
		json_object_set(h, name, v);
	if (secret && secret[0]) {
		int64_t ts = time_now_us() / 1000000;
		char sig[96];
		cp_signature(secret, ts, body, sig, sizeof(sig));
		json_object_set_new(h, "X-Goldwatch-Timestamp", json_sprintf("%lld", (long long)ts));
		json_object_set_new(h, "X-Goldwatch-Signature", json_string(sig));
	}
	return h;
}

char *cp_render(const struct cp_target *t, const struct notice *n)
{
	const char *format = json_string_value(json_object_get(t->settings, "format"));

	switch (t->kind) {
	case CP_WEBHOOK:
		return format && strcmp(format, "alertmanager") == 0 ? notice_alertmanager(n) :
		    notice_goldwatch(n);
	case CP_SLACK:
		return notice_slack(n);
	case CP_TELEGRAM:
		return notice_telegram(n, json_string_value(json_object_get(t->settings, "chat_id")));
	case CP_EMAIL:
	case CP__MAX:
		break;
	}
	return NULL;
}

static int post_webhook(const struct config *cfg, const struct cp_target *t, const char *body,
    struct http_result *res)
{
	json_t *h = webhook_headers(t, body);
	struct http_request rq = {
		.url = json_string_value(json_object_get(t->settings, "url")),
		.method = json_string_value(json_object_get(t->settings, "method")),
		.content_type = "application/json", .body = body, .headers = h,
	};
	int rc;

	if (rq.method == NULL)
		rq.method = "POST";
	rc = http_send(cfg, &rq, res);
	json_decref(h);
	return rc;
}

/* Telegram says why in its answer's "description" ("chat not found"). */
static void telegram_why(struct http_result *res)
{
	json_t *a = json_loads(res->answer, 0, NULL);
	const char *d = json_string_value(json_object_get(a, "description"));

	if (d && !http_ok(res))
		snprintf(res->error, sizeof(res->error), "the receiver answered %ld: %.180s",
		    res->status, d);
	json_decref(a);
}

static int post_chat(const struct config *cfg, const struct cp_target *t, const char *body,
    struct http_result *res)
{
	char *url;
	struct http_request rq = {.method = "POST", .content_type = "application/json"};
	int rc;

	if (t->kind == CP_SLACK)
		url = xstrdup(json_string_value(json_object_get(t->secrets, "url")));
	else
		url = xasprintf("%s/bot%s/sendMessage",
		    json_string_value(json_object_get(t->settings, "api_base")),
		    json_string_value(json_object_get(t->secrets, "bot_token")));
	rq.url = url;
	rq.body = body;
	rc = http_send(cfg, &rq, res);
	if (t->kind == CP_TELEGRAM)
		telegram_why(res);
	sodium_memzero(url, strlen(url));
	free(url);
	return rc;
}

int cp_post(const struct config *cfg, const struct cp_target *t, const char *body,
    struct http_result *res)
{
	switch (t->kind) {
	case CP_WEBHOOK:
		return post_webhook(cfg, t, body, res);
	case CP_SLACK:
	case CP_TELEGRAM:
		return post_chat(cfg, t, body, res);
	case CP_EMAIL:
	case CP__MAX:
		break;
	}
	memset(res, 0, sizeof(*res));
	snprintf(res->error, sizeof(res->error), "e-mail goes through the mail delivery");
	return -1;
}

int cp_send(const struct config *cfg, const struct cp_target *t, const struct notice *n,
    struct http_result *res)
{
	char *body = cp_render(t, n);
	int rc;

	if (body == NULL) {
		memset(res, 0, sizeof(*res));
		snprintf(res->error, sizeof(res->error), "e-mail goes through the mail delivery");
		return -1;
	}
	rc = cp_post(cfg, t, body, res);
	free(body);
	return rc;
}
