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

/* A viewer's mail carries no link: it could not be used. */
DB_STMT(q_user_by_email,
    "SELECT u.id FROM users u WHERE lower(u.email) = lower($1) AND " MAY_ACK
    " ORDER BY u.id LIMIT 1");
DB_STMT(q_nonce_new,
    "INSERT INTO ack_tokens (nonce, alert_id, user_id, expires_at)"
    " VALUES ($1, $2::bigint, $3::bigint, to_timestamp($4::bigint))");

int ack_link_for(struct db *db, const struct config *cfg, int64_t alert_id,
    const char *recipient, char **url)
{
	const unsigned char *key;
	unsigned char raw[12];
	char token[ACK_TOKEN_MAX], aid[24], uid[24], exp[24];
	struct ack_token t = {.alert_id = alert_id};
	PGresult *r;

	*url = NULL;
	r = DB_EXEC(db, &q_user_by_email, recipient);
	if (r == NULL)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return 0; /* not a user: no link */
	}
	t.user_id = db_i64(r, 0, "id");
	PQclear(r);
	if ((key = load_key(db)) == NULL)
		return -1;
	randombytes_buf(raw, sizeof(raw));
	base64url_encode(raw, sizeof(raw), t.nonce);
	t.expires = time_now_us() / 1000000 + cfg->ack_link_days * 86400;
	ack_token_sign(key, &t, token, sizeof(token));
	if (DB_RUN(db, &q_nonce_new, t.nonce, db_i64_param(alert_id, aid),
	    db_i64_param(t.user_id, uid), db_i64_param(t.expires, exp)) < 0)
		return -1;
	*url = xasprintf("%s/alerts/%lld/ack?t=%s", cfg->base_url, (long long)alert_id, token);
	return 0;
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
