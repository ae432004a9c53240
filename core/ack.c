/*
 * ack.c - see ack.h. Token: "<alert>.<user>.<expires>.<nonce>.<mac>", the
 * mac over everything before it, URL-safe base64.
 */
#include "ack.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "util.h"

DB_STMT(q_key, "SELECT encode(value, 'hex') AS key FROM app_secrets WHERE name = 'ack_link_key'");

/*
 * The key, read once per process: goldwatch-admin migrate writes it once
 * (ON CONFLICT DO NOTHING) and nothing changes it, so a run needs one
 * read, not one per link or per check. A failed read is not kept: the
 * next call tries again (say after migrate).
 */
static unsigned char the_key[crypto_auth_KEYBYTES];
static int key_loaded;
static pthread_mutex_t key_lock = PTHREAD_MUTEX_INITIALIZER;

static int read_key(struct db *db, unsigned char key[crypto_auth_KEYBYTES])
{
	PGresult *r = DB_EXEC0(db, &q_key);
	const char *hex;
	int rc = -1;

	if (r == NULL)
		return -1;
	hex = PQntuples(r) == 1 ? db_str(r, 0, "key") : NULL;
	if (hex == NULL || strlen(hex) != 2 * crypto_auth_KEYBYTES ||
	    sodium_hex2bin(key, crypto_auth_KEYBYTES, hex, strlen(hex), NULL, NULL, NULL) != 0)
		log_err("the ack_link_key secret is missing: run goldwatch-admin migrate");
	else
		rc = 0;
	PQclear(r);
	return rc;
}

/* The process's key, read on first use. NULL after a failed read (logged). */
static const unsigned char *load_key(struct db *db)
{
	const unsigned char *key = NULL;

	pthread_mutex_lock(&key_lock);
	if (!key_loaded && read_key(db, the_key) == 0) {
		key_loaded = 1;
		log_debug("acknowledge key read");
	}
	if (key_loaded)
		key = the_key;
	pthread_mutex_unlock(&key_lock);
	return key;
}

static void mac_of(const unsigned char key[crypto_auth_KEYBYTES], const char *payload,
    char out[64])
{
	unsigned char mac[crypto_auth_BYTES];

	crypto_auth(mac, (const unsigned char *)payload, strlen(payload), key);
	base64url_encode(mac, sizeof(mac), out);
}

void ack_token_sign(const unsigned char key[crypto_auth_KEYBYTES],
    const struct ack_token *t, char *out, size_t outlen)
{
	char payload[ACK_TOKEN_MAX], mac[64];

	snprintf(payload, sizeof(payload), "%lld.%lld.%lld.%s", (long long)t->alert_id,
	    (long long)t->user_id, (long long)t->expires, t->nonce);
	mac_of(key, payload, mac);
	snprintf(out, outlen, "%s.%s", payload, mac);
}

/* A field of n digits (ours are never longer than 18: no overflow). */
static int field_int(const char *s, size_t n, int64_t min, int64_t *out)
{
	int64_t v = 0;

	if (n == 0 || n > 18)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return v < min ? -1 : 0;
}

int ack_token_parse(const char *token, struct ack_token *t)
{
	const char *p = token, *mac = token ? strrchr(token, '.') : NULL;
	int64_t v[3];

	memset(t, 0, sizeof(*t));
	if (mac == NULL || strlen(token) >= ACK_TOKEN_MAX)
		return -1;
	for (int i = 0; i < 3; i++) {
		const char *dot = strchr(p, '.');
		if (dot == mac || field_int(p, (size_t)(dot - p), i < 2 ? 1 : 0, &v[i]) < 0)
			return -1;
		p = dot + 1;
	}
	/* the nonce: 12 random bytes in base64url, so 16 characters, no dot */
	if (mac - p != 16 || memchr(p, '.', 16) != NULL)
		return -1;
	memcpy(t->nonce, p, 16);
	t->nonce[16] = '\0';
	t->alert_id = v[0];
	t->user_id = v[1];
	t->expires = v[2];
	return 0;
}

int ack_token_signed(const unsigned char key[crypto_auth_KEYBYTES], const char *token)
{
	char payload[ACK_TOKEN_MAX], mac[64];
	const char *dot = strrchr(token, '.');

	if (dot == NULL || (size_t)(dot - token) >= sizeof(payload))
		return 0;
	memcpy(payload, token, (size_t)(dot - token));
	payload[dot - token] = '\0';
	mac_of(key, payload, mac);
	/* compare the macs in constant time */
	return strlen(dot + 1) == strlen(mac) && sodium_memcmp(dot + 1, mac, strlen(mac)) == 0;
}

/* Who may acknowledge (the API's operator role and up), in SQL. */
#define MAY_ACK "u.role IN ('operator', 'admin') AND NOT u.disabled"

/*
 * Who of the recipients may use a link, in one statement for all: the
 * user id (NULL: a viewer, disabled or no user; their mail carries no
 * link, it could not be used), in the order given.
 */
DB_STMT(q_users_by_email,
    "SELECT u.id FROM unnest($1::text[]) WITH ORDINALITY AS r(email, n)"
    "  LEFT JOIN LATERAL (SELECT u.id FROM users u WHERE lower(u.email) = lower(r.email)"
    "                        AND " MAY_ACK " ORDER BY u.id LIMIT 1) u ON true"
    " ORDER BY r.n");
DB_STMT(q_nonces_new,
    "INSERT INTO ack_tokens (nonce, alert_id, user_id, expires_at)"
    " SELECT n, a, u, to_timestamp($4::bigint)"
    "   FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS t(n, a, u)");

/* The signed link of t into urls[i]; its nonce, alert and user into the arrays. */
static void link_of(const struct config *cfg, const unsigned char *key, struct ack_token *t,
    char **url, struct buf *nonces, struct buf *alerts, struct buf *users)
{
	unsigned char raw[12];
	char token[ACK_TOKEN_MAX];

	randombytes_buf(raw, sizeof(raw));
	base64url_encode(raw, sizeof(raw), t->nonce);
	ack_token_sign(key, t, token, sizeof(token));
	db_arr_str(nonces, t->nonce);
	db_arr_i64(alerts, t->alert_id);
	db_arr_i64(users, t->user_id);
	*url = xasprintf("%s/alerts/%lld/ack?t=%s", cfg->base_url, (long long)t->alert_id, token);
}

/* The user of each recipient into *r (one row each, in order). 0 or -1. */
static int users_of(struct db *db, const char *const *recipients, size_t n, PGresult **r)
{
	struct buf emails;

	buf_init(&emails);
	db_arr_begin(&emails);
	for (size_t i = 0; i < n; i++)
		db_arr_str(&emails, recipients[i]);
	*r = DB_EXEC(db, &q_users_by_email, db_arr_end(&emails));
	buf_free(&emails);
	if (*r != NULL && (size_t)PQntuples(*r) != n) {
		PQclear(*r);
		*r = NULL;
	}
	return *r ? 0 : -1;
}

int ack_links_for(struct db *db, const struct config *cfg, size_t n, const int64_t *alert_ids,
    const char *const *recipients, char **urls)
{
	const unsigned char *key = NULL;
	struct buf nonces, alerts, users;
	char exp[24];
	int64_t expires = time_now_us() / 1000000 + cfg->ack_link_days * 86400;
	PGresult *r = NULL;
	int made = 0, rc = -1;

	memset(urls, 0, n * sizeof(*urls));
	if (n == 0)
		return 0;
	buf_init(&nonces);
	buf_init(&alerts);
	buf_init(&users);
	db_arr_begin(&nonces);
	db_arr_begin(&alerts);
	db_arr_begin(&users);
	if (users_of(db, recipients, n, &r) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct ack_token t = {.alert_id = alert_ids[i], .expires = expires};
		if (PQgetisnull(r, (int)i, 0))
			continue;
		if (key == NULL && (key = load_key(db)) == NULL)
			goto out;
		t.user_id = db_i64(r, (int)i, "id");
		link_of(cfg, key, &t, &urls[i], &nonces, &alerts, &users);
		made++;
	}
	rc = made == 0 ? 0 : DB_RUN(db, &q_nonces_new, db_arr_end(&nonces), db_arr_end(&alerts),
	    db_arr_end(&users), db_i64_param(expires, exp));
out:
	PQclear(r);
	buf_free(&nonces);
	buf_free(&alerts);
	buf_free(&users);
	if (rc < 0)
		for (size_t i = 0; i < n; i++) {
			free(urls[i]);
			urls[i] = NULL;
		}
	return rc < 0 ? -1 : 0;
}

/*
 * The user is read as it is now, not as it was when the mail went out: a
 * user demoted to viewer or disabled since can no longer use the link.
 * The lock variant also locks the user row, so that a demotion cannot
 * commit between this check and the acknowledgement.
 */
#define NONCE_CHECK \
    "SELECT t.used_at IS NOT NULL AS used, u.disabled, u.username," \
    "       (" MAY_ACK ") AS may_ack" \
    "  FROM ack_tokens t JOIN users u ON u.id = t.user_id" \
    " WHERE t.nonce = $1 AND t.alert_id = $2::bigint AND t.user_id = $3::bigint"
DB_STMT(q_nonce_check, NONCE_CHECK);
DB_STMT(q_nonce_lock, NONCE_CHECK " FOR UPDATE OF t FOR SHARE OF u");

enum ack_check ack_verify(struct db *db, const char *token, int64_t alert_id,
    int64_t now_us, int lock, struct ack_token *t)
{
	const unsigned char *key;
	char aid[24], uid[24];
	int used;
	PGresult *r;
	enum ack_check rc;

	if (ack_token_parse(token, t) < 0)
		return ACK_FORGED;
	if ((key = load_key(db)) == NULL)
		return ACK_ERROR;
	if (!ack_token_signed(key, token)) {
		memset(t, 0, sizeof(*t));
		return ACK_FORGED;
	}
	if (t->alert_id != alert_id)
		return ACK_WRONG_ALERT;
	if (now_us / 1000000 >= t->expires)
		return ACK_EXPIRED;
	r = DB_EXEC(db, lock ? &q_nonce_lock : &q_nonce_check, t->nonce,
	    db_i64_param(t->alert_id, aid), db_i64_param(t->user_id, uid));
	if (r == NULL)
		return ACK_ERROR;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return ACK_USED;
	}
	used = db_bool(r, 0, "used");
	snprintf(t->username, sizeof(t->username), "%s", db_str(r, 0, "username"));
	rc = used ? ACK_USED : db_bool(r, 0, "disabled") ? ACK_USER_GONE :
	    !db_bool(r, 0, "may_ack") ? ACK_NOT_ALLOWED : ACK_VALID;
	PQclear(r);
	return rc;
}

DB_STMT(q_nonce_spend, "UPDATE ack_tokens SET used_at = now() WHERE nonce = $1 AND used_at IS NULL");

int ack_spend(struct db *db, const struct ack_token *t)
{
	return DB_RUN(db, &q_nonce_spend, t->nonce);
}

const char *ack_check_message(enum ack_check c)
{
	switch (c) {
	case ACK_VALID: return "This link is valid.";
	case ACK_FORGED: return "This link is not valid. Open the alert from the e-mail again, or sign in.";
	case ACK_WRONG_ALERT: return "This link belongs to another alert.";
	case ACK_EXPIRED: return "This link has expired. Sign in to acknowledge the alert.";
	case ACK_USED: return "This link was already used. Sign in to see the alert.";
	case ACK_USER_GONE: return "The account this link was made for is disabled.";
	case ACK_NOT_ALLOWED: return "The account this link was made for may no longer acknowledge"
	    " alerts (its role is viewer). Ask an operator.";
	default: return "The link could not be checked now. Try again shortly.";
	}
}
