/*
 * auth.h - roles, passwords (argon2id), session and API tokens (random,
 * stored only as SHA-256 hashes), CSRF tokens and constant-time compares.
 */
#ifndef GW_AUTH_H
#define GW_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* Roles, weakest first; a route's role is the least it needs. */
enum role {
	ROLE_INVALID = 0, /* zero: a route that forgot its role matches nothing */
	ROLE_PUBLIC,
	ROLE_VIEWER,
	ROLE_OPERATOR,
	ROLE_ADMIN,
	ROLE__MAX
};

const char *role_name(enum role r);
/* Parses "viewer", "operator" or "admin"; ROLE_INVALID otherwise. */
enum role role_parse(const char *s);

/* Random tokens: 32 bytes as URL-safe base64 with a kind prefix. */
#define AUTH_TOKEN_BYTES 32
#define AUTH_TOKEN_MAX 64 /* prefix + 43 characters + NUL fits */
#define AUTH_HASH_HEX 65

/* Call once at start before threads: initialises libsodium. 0 or -1. */
int auth_init(void);

/* prefix: "gws_" session, "gwt_" API token, "" CSRF. */
void auth_token_new(const char *prefix, char out[AUTH_TOKEN_MAX]);
/*
 * 1 if token has the shape auth_token_new() gives a session ("gws_") or an
 * API token ("gwt_"): anything else is unknown without asking the database.
 */
int auth_token_wellformed(const char *token);
/* SHA-256 of the token, hex: what the database stores. */
void auth_token_hash(const char *token, char out[AUTH_HASH_HEX]);
/* Constant-time equality of two NUL-terminated strings. */
int auth_const_eq(const char *a, const char *b);

/* argon2id hash string of pw; out must hold AUTH_PWHASH_MAX. 0 or -1. */
#define AUTH_PWHASH_MAX 128
int auth_password_hash(const char *pw, char out[AUTH_PWHASH_MAX]);
/* 1 if pw matches hash, else 0. */
int auth_password_verify(const char *hash, const char *pw);
/* Spends the time of one verification: for unknown user names. */
void auth_password_dummy(const char *pw);

/* Who made a request. */
struct principal {
	int64_t user_id;
	char username[65];
	enum role role;
	int via_session;        /* session token (cookie or bearer) */
	char csrf[AUTH_TOKEN_MAX];
	int64_t session_id;     /* 0 for API tokens */
	int64_t token_id;       /* 0 for sessions */
	int64_t expires_us;
};

/*
 * Looks a session or API token up; the user must be enabled and the
 * credential unexpired and unrevoked. Returns 1 found, 0 not found,
 * -1 database error (logged).
 */
int auth_lookup(struct db *db, const char *token, struct principal *out);

/*
 * Re-checks credentials held by long-lived connections (the pusher's
 * sockets) in one query: of the session ids sessions[0..*ns) and API token
 * ids tokens[0..*nt) (duplicates allowed), keeps those still valid, sorted,
 * and sets *ns and *nt to their counts. The arrays must hold at least
 * *ns and *nt elements. Returns 0, or -1 on database error (logged; the
 * arrays are then unchanged).
 */
int auth_still_valid(struct db *db, int64_t *sessions, size_t *ns, int64_t *tokens,
    size_t *nt);

/* Creates a session for user_id; fills token and csrf. 0 or -1. */
int auth_session_create(struct db *db, int64_t user_id, int64_t hours,
    char token[AUTH_TOKEN_MAX], char csrf[AUTH_TOKEN_MAX], int64_t *expires_us);
/* Ends the session with this token. 0 or -1. */
int auth_session_end(struct db *db, const char *token);

/*
 * Checks username and password. Returns 1 and fills *user_id on success,
 * 0 for a wrong name or password or a disabled user (same time either
 * way), -1 on database error.
 */
int auth_check_password(struct db *db, const char *username, const char *pw,
    int64_t *user_id);

#endif
