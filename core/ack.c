/*
 * ack.c - see ack.h. Token: "<alert>.<user>.<expires>.<nonce>.<mac>", the
 * mac over everything before it, URL-safe base64.
 */
#include "ack.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

DB_STMT(q_key, "SELECT encode(value, 'hex') AS key FROM app_secrets WHERE name = 'ack_link_key'");

static int load_key(struct db *db, unsigned char key[crypto_auth_KEYBYTES])
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

static void mac_of(const unsigned char key[crypto_auth_KEYBYTES], const char *payload,
    char out[64])
{
	unsigned char mac[crypto_auth_BYTES];

	crypto_auth(mac, (const unsigned char *)payload, strlen(payload), key);
	base64url_encode(mac, sizeof(mac), out);
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
	unsigned char key[crypto_auth_KEYBYTES], raw[12];
	char nonce[32], payload[160], mac[64], aid[24], uid[24], exp[24];
	PGresult *r;
	int64_t user_id, expires;

	*url = NULL;
	r = DB_EXEC(db, &q_user_by_email, recipient);
	if (r == NULL)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return 0; /* not a user: no link */
	}
	user_id = db_i64(r, 0, "id");
	PQclear(r);
	if (load_key(db, key) < 0)
		return -1;
	randombytes_buf(raw, sizeof(raw));
	base64url_encode(raw, sizeof(raw), nonce);
	expires = time_now_us() / 1000000 + cfg->ack_link_days * 86400;
	snprintf(payload, sizeof(payload), "%lld.%lld.%lld.%s", (long long)alert_id,
	    (long long)user_id, (long long)expires, nonce);
	mac_of(key, payload, mac);
	sodium_memzero(key, sizeof(key));
	if (DB_RUN(db, &q_nonce_new, nonce, db_i64_param(alert_id, aid),
	    db_i64_param(user_id, uid), db_i64_param(expires, exp)) < 0)
		return -1;
	*url = xasprintf("%s/alerts/%lld/ack?t=%s.%s", cfg->base_url, (long long)alert_id,
	    payload, mac);
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
	unsigned char key[crypto_auth_KEYBYTES];
	char payload[160], mac[64], aid[24], uid[24];
	const char *dot;
	long long a, u, e;
	int used;
	PGresult *r;
	enum ack_check rc;

	memset(t, 0, sizeof(*t));
	if (token == NULL || strlen(token) >= sizeof(payload) + 60)
		return ACK_FORGED;
	dot = strrchr(token, '.');
	if (dot == NULL || (size_t)(dot - token) >= sizeof(payload))
		return ACK_FORGED;
	memcpy(payload, token, (size_t)(dot - token));
	payload[dot - token] = '\0';
	if (sscanf(payload, "%lld.%lld.%lld.%31s", &a, &u, &e, t->nonce) != 4 ||
	    a <= 0 || u <= 0 || strlen(t->nonce) != 16)
		return ACK_FORGED;
	if (load_key(db, key) < 0)
		return ACK_ERROR;
	mac_of(key, payload, mac);
	sodium_memzero(key, sizeof(key));
	/* compare the macs in constant time */
	if (strlen(dot + 1) != strlen(mac) || sodium_memcmp(dot + 1, mac, strlen(mac)) != 0)
		return ACK_FORGED;
	t->alert_id = a;
	t->user_id = u;
	t->expires = e;
	if (a != alert_id)
		return ACK_WRONG_ALERT;
	if (now_us / 1000000 >= e)
		return ACK_EXPIRED;
	r = DB_EXEC(db, lock ? &q_nonce_lock : &q_nonce_check, t->nonce,
	    db_i64_param(a, aid), db_i64_param(u, uid));
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
