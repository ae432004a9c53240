/*
 * auth.c - see auth.h.
 */
#include "auth.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "util.h"

static const char *const role_names[ROLE__MAX] = {
	[ROLE_INVALID] = "invalid",
	[ROLE_PUBLIC] = "public",
	[ROLE_VIEWER] = "viewer",
	[ROLE_OPERATOR] = "operator",
	[ROLE_ADMIN] = "admin",
};

const char *role_name(enum role r)
{
	return r < ROLE__MAX ? role_names[r] : "invalid";
}

enum role role_parse(const char *s)
{
	if (s == NULL)
		return ROLE_INVALID;
	for (int r = ROLE_VIEWER; r < ROLE__MAX; r++)
		if (strcmp(s, role_names[r]) == 0)
			return (enum role)r;
	return ROLE_INVALID;
}

int auth_init(void)
{
	if (sodium_init() < 0) {
		log_err("libsodium failed to initialise");
		return -1;
	}
	return 0;
}

void auth_token_new(const char *prefix, char out[AUTH_TOKEN_MAX])
{
	unsigned char raw[AUTH_TOKEN_BYTES];
	size_t pl = strlen(prefix);

	randombytes_buf(raw, sizeof(raw));
	memcpy(out, prefix, pl);
	base64url_encode(raw, sizeof(raw), out + pl);
	sodium_memzero(raw, sizeof(raw));
}

void auth_token_hash(const char *token, char out[AUTH_HASH_HEX])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	hex_encode(h, sizeof(h), out);
}

int auth_const_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char ha[crypto_hash_sha256_BYTES], hb[crypto_hash_sha256_BYTES];

	/* compare fixed-size digests so the time does not depend on lengths */
	crypto_hash_sha256(ha, (const unsigned char *)a, la);
	crypto_hash_sha256(hb, (const unsigned char *)b, lb);
	return sodium_memcmp(ha, hb, sizeof(ha)) == 0 && la == lb;
}

int auth_password_hash(const char *pw, char out[AUTH_PWHASH_MAX])
{
	_Static_assert(crypto_pwhash_STRBYTES <= AUTH_PWHASH_MAX, "hash size");
	if (crypto_pwhash_str_alg(out, pw, strlen(pw),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
	    crypto_pwhash_ALG_ARGON2ID13) != 0) {
		log_err("argon2id hashing failed (out of memory?)");
		return -1;
	}
	return 0;
}

int auth_password_verify(const char *hash, const char *pw)
{
	if (hash == NULL || strncmp(hash, "$argon2id$", 10) != 0)
		return 0;
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

static char dummy_hash[AUTH_PWHASH_MAX];
static int dummy_ready;
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_make(void)
{
	dummy_ready = auth_password_hash("goldwatch-dummy-password", dummy_hash) == 0;
}

void auth_password_dummy(const char *pw)
{
	pthread_once(&dummy_once, dummy_make);
	if (dummy_ready)
		(void)auth_password_verify(dummy_hash, pw);
}

/* What keeps a session (s) or an API token (t) of user u valid. */
#define SESSION_VALID "s.expires_at > now() AND NOT u.disabled"
#define TOKEN_VALID \
	"t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now()) AND NOT u.disabled"

/*
 * last_used_at / last_seen_at cost no write per request: the lookup says
 * whether the stored moment is a minute old (or none), and only then one
 * UPDATE moves it, guarded by the same test so that threads and hosts
 * racing on one credential write it once. The API's auth cache (1 s)
 * spares even the lookup of most requests.
 */
#define STALE(col) "(" col " IS NULL OR " col " < now() - interval '1 minute')"

DB_STMT(q_lookup,
    "SELECT 's' AS kind, s.id AS cred_id, u.id AS user_id, u.username, u.role,"
    "       s.csrf_token, (extract(epoch FROM s.expires_at) * 1000000)::bigint AS expires_us,"
    "       " STALE("s.last_seen_at") " AS stale"
    "  FROM sessions s JOIN users u ON u.id = s.user_id"
    " WHERE s.token_hash = $1 AND " SESSION_VALID
    " UNION ALL "
    "SELECT 't', t.id, u.id, u.username, u.role, NULL,"
    "       (extract(epoch FROM t.expires_at) * 1000000)::bigint, " STALE("t.last_used_at")
    "  FROM api_tokens t JOIN users u ON u.id = t.user_id"
    " WHERE t.token_hash = $1 AND " TOKEN_VALID);
DB_STMT(q_session_seen,
    "UPDATE sessions SET last_seen_at = now()"
    " WHERE id = $1::bigint AND " STALE("last_seen_at"));
DB_STMT(q_token_used,
    "UPDATE api_tokens SET last_used_at = now()"
    " WHERE id = $1::bigint AND " STALE("last_used_at"));

/* Moves the credential's last use (see STALE); a failure is logged and
 * only costs the moment, never the request. */
static void touch(struct db *db, const struct principal *p)
{
	char id[24];

	(void)DB_RUN(db, p->via_session ? &q_session_seen : &q_token_used,
	    db_i64_param(p->via_session ? p->session_id : p->token_id, id));
}

int auth_lookup(struct db *db, const char *token, struct principal *out)
{
	char hash[AUTH_HASH_HEX];
	PGresult *r;
	int rc = 0;
	const char *s;

	memset(out, 0, sizeof(*out));
	if (token == NULL || *token == '\0' || strlen(token) >= AUTH_TOKEN_MAX)
		return 0;
	auth_token_hash(token, hash);
	r = DB_EXEC(db, &q_lookup, hash);
	if (r == NULL)
		return -1;
	if (PQntuples(r) != 1)
		goto out;
	out->user_id = db_i64(r, 0, "user_id");
	snprintf(out->username, sizeof(out->username), "%s", db_str(r, 0, "username"));
	out->role = role_parse(db_str(r, 0, "role"));
	if (out->role == ROLE_INVALID)
		goto out;
	out->expires_us = db_i64(r, 0, "expires_us");
	if (strcmp(db_str(r, 0, "kind"), "s") == 0) {
		out->via_session = 1;
		out->session_id = db_i64(r, 0, "cred_id");
		s = db_str(r, 0, "csrf_token");
		snprintf(out->csrf, sizeof(out->csrf), "%s", s ? s : "");
	} else {
		out->token_id = db_i64(r, 0, "cred_id");
	}
	rc = 1;
	if (db_bool(r, 0, "stale"))
		touch(db, out);
out:
	PQclear(r);
	return rc;
}

DB_STMT(q_still_valid,
    "SELECT 's' AS kind, s.id AS cred_id FROM sessions s JOIN users u ON u.id = s.user_id"
    " WHERE s.id = ANY ($1::bigint[]) AND " SESSION_VALID
    " UNION ALL "
    "SELECT 't', t.id FROM api_tokens t JOIN users u ON u.id = t.user_id"
    " WHERE t.id = ANY ($2::bigint[]) AND " TOKEN_VALID
    " ORDER BY 1, 2");

static const char *ids_param(struct buf *b, const int64_t *ids, size_t n)
{
	db_arr_begin(b);
	for (size_t i = 0; i < n; i++)
		db_arr_i64(b, ids[i]);
	return db_arr_end(b);
}

int auth_still_valid(struct db *db, int64_t *sessions, size_t *ns, int64_t *tokens,
    size_t *nt)
{
	struct buf bs, bt;
	PGresult *r;
	size_t keep_s = 0, keep_t = 0;

	buf_init(&bs);
	buf_init(&bt);
	r = DB_EXEC(db, &q_still_valid, ids_param(&bs, sessions, *ns),
	    ids_param(&bt, tokens, *nt));
	buf_free(&bs);
	buf_free(&bt);
	if (r == NULL)
		return -1;
	/* rows come sorted by kind, then id: sessions first */
	for (int i = 0; i < PQntuples(r); i++) {
		int64_t id = db_i64(r, i, "cred_id");
		if (db_str(r, i, "kind")[0] == 's')
			sessions[keep_s++] = id;
		else
			tokens[keep_t++] = id;
	}
	*ns = keep_s;
	*nt = keep_t;
	PQclear(r);
	return 0;
}

DB_STMT(q_session_new,
    "INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at)"
    " VALUES ($1, $2::bigint, $3, now() + make_interval(hours => $4::int))"
    " RETURNING (extract(epoch FROM expires_at) * 1000000)::bigint AS expires_us");

int auth_session_create(struct db *db, int64_t user_id, int64_t hours,
    char token[AUTH_TOKEN_MAX], char csrf[AUTH_TOKEN_MAX], int64_t *expires_us)
{
	char hash[AUTH_HASH_HEX], uid[24], h[24];
	PGresult *r;

	auth_token_new("gws_", token);
	auth_token_new("", csrf);
	auth_token_hash(token, hash);
	r = DB_EXEC(db, &q_session_new, hash, db_i64_param(user_id, uid),
	    csrf, db_i64_param(hours, h));
	if (r == NULL)
		return -1;
	*expires_us = db_i64(r, 0, "expires_us");
	PQclear(r);
	return 0;
}

DB_STMT(q_session_end, "DELETE FROM sessions WHERE token_hash = $1");

int auth_session_end(struct db *db, const char *token)
{
	char hash[AUTH_HASH_HEX];

	auth_token_hash(token, hash);
	return DB_RUN(db, &q_session_end, hash);
}

DB_STMT(q_user_pw,
    "SELECT id, password_hash, disabled FROM users WHERE lower(username) = lower($1)");

int auth_check_password(struct db *db, const char *username, const char *pw,
    int64_t *user_id)
{
	PGresult *r = DB_EXEC(db, &q_user_pw, username);
	int ok = 0;

	if (r == NULL)
		return -1;
	if (PQntuples(r) == 1) {
		ok = auth_password_verify(db_str(r, 0, "password_hash"), pw) &&
		    !db_bool(r, 0, "disabled");
		if (ok)
			*user_id = db_i64(r, 0, "id");
	} else {
		auth_password_dummy(pw);
	}
	PQclear(r);
	return ok;
}

int auth_token_wellformed(const char *token)
{
	/* what auth_token_new() writes: 32 bytes are 43 base64url characters */
	size_t n = (AUTH_TOKEN_BYTES * 4 + 2) / 3;

	if (token == NULL || (strncmp(token, "gws_", 4) != 0 && strncmp(token, "gwt_", 4) != 0))
		return 0;
	token += 4;
	if (strlen(token) != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = token[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_'))
			return 0;
	}
	return 1;
}
