/*
 * cp_send.h - sends one notice to one contact point of an HTTP kind
 * (webhook, slack, telegram): the body its kind and format take, its
 * headers, and for a webhook with a secret the signature
 * (X-Goldwatch-Timestamp, X-Goldwatch-Signature: sha256=<hex HMAC-SHA256
 * of "timestamp.body">). E-mail goes through the mail delivery instead.
 */
#ifndef GW_CP_SEND_H
#define GW_CP_SEND_H

#include <stdint.h>

#include "config.h"
#include "contact_point_store.h"
#include "http_send.h"
#include "notice.h"

/*
 * The signature header's value for body at unix time ts under secret:
 * "sha256=<64 hex>" into out (at least 72 bytes).
 */
void cp_signature(const char *secret, int64_t ts, const char *body, char *out, size_t len);

/* The body t's kind and format take for n (malloc'd), or NULL for e-mail. */
char *cp_render(const struct cp_target *t, const struct notice *n);
/*
 * Sends body (what cp_render made) to t, with its headers and signature:
 * 0 when the receiver took it (2xx), else -1 (res says why).
 */
int cp_post(const struct config *cfg, const struct cp_target *t, const char *body,
    struct http_result *res);
/* Sends n to t: 0 when the receiver took it (2xx), else -1 (res says why). */
int cp_send(const struct config *cfg, const struct cp_target *t, const struct notice *n,
    struct http_result *res);

#endif
