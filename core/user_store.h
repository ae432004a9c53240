/*
 * user_store.h - user accounts and API tokens: validation into typed
 * inputs, listing, creating, changing, issuing tokens. Every change is
 * audited in the transaction that makes it. The API and goldwatch-admin
 * make the same calls, so both write the same audit rows.
 */
#ifndef GW_USER_STORE_H
#define GW_USER_STORE_H

#include <jansson.h>
#include <stdint.h>

#include "auth.h"
#include "db.h"
#include "store.h"
#include "valid.h"

/* {"id","username","role","email","disabled","created_at","updated_at"}
 * from a row of a query selecting USER_COLUMNS. */
json_t *user_json(const PGresult *r, int row);
#define USER_COLUMNS "id, username, role, email, disabled, iso(created_at) AS created_at, iso(updated_at) AS updated_at"

/*
 * A new user, as user_fields decode it (valid.h). Strings point into the
 * decoded JSON. role is "viewer", "operator" or "admin" (checked).
 */
struct user_input {
	const char *username;
	const char *password;
	const char *role;
	const char *email;      /* NULL: none */
};
extern const struct vfield user_fields[];
extern const size_t user_nfields;

/* A change of a user: only the fields whose has_ flag is set. */
struct user_patch {
	const char *role;
	int has_role;
	const char *email;      /* NULL: remove the address */
	int has_email;
	const char *password;
	int has_password;
	int disabled;
	int has_disabled;
};
extern const struct vfield user_patch_fields[];
extern const size_t user_patch_nfields;
/*
 * The edge for a change: user_patch_fields, and "email": null (remove it)
 * told from no "email" (keep it); an empty change is refused
 * (nothing_to_change). ST_OK or ST_INVALID (err).
 */
enum store_rc user_patch_decode(const json_t *in, struct user_patch *out, struct verror *err);

/* A new API token, as token_fields decode it. */
struct token_input {
	const char *name;
	int64_t user_id;        /* has_user_id 0: the caller's own */
	int has_user_id;
	int64_t expires_days;   /* has_expires_days 0: never expires */
	int has_expires_days;
	int64_t expires_at_us;  /* has_expires_at 0: never (or expires_days) */
	int has_expires_at;
};
extern const struct vfield token_fields[];
extern const size_t token_nfields;

/* *out: JSON array of every user, by id. */
enum store_rc user_list(struct db *db, json_t **out);
/* 1 if a user with this name exists, 0 if not, -1 on error. */
int user_exists(struct db *db, const char *username);

/*
 * Creates a user (the password hashed before the transaction opens).
 * ST_CONFLICT (err) if the name is taken, whatever its case. *out: the user.
 */
enum store_rc user_create(struct db *db, const struct principal *who,
    const struct user_input *in, json_t **out, struct verror *err);
/*
 * Changes a user. The last enabled admin can be neither demoted nor
 * disabled (ST_CONFLICT, err). A new password or disabling ends the user's
 * sessions in the same transaction. *out: the user after the change.
 */
enum store_rc user_update(struct db *db, const struct principal *who, int64_t id,
    const struct user_patch *in, json_t **out, struct verror *err);
/*
 * Issues an API token for an enabled user, created by who. expires_at must
 * be in the future and excludes expires_days (ST_INVALID, err naming it).
 * *out: {"id","name","user_id","created_at","expires_at","token"}; the
 * token appears only there, never in the audit row.
 */
enum store_rc token_create(struct db *db, const struct principal *who,
    const struct token_input *in, json_t **out, struct verror *err);
/*
 * *out: every API token, newest first: {"id","name","role" (its owner's),
 * "owner":{"id","username","email"},"created_at","last_used_at",
 * "expires_at","revoked_at","active"}; never the token or its hash.
 */
enum store_rc token_list(struct db *db, json_t **out);
/*
 * Revokes token id at once, audited (token.revoke). The same commit wakes
 * the pusher (migration 0006), which closes the sockets opened with it.
 * ST_NOT_FOUND if there is no such token or it was already revoked.
 * *out: the token as token_list shows it, revoked.
 */
enum store_rc token_revoke(struct db *db, const struct principal *who, int64_t id,
    json_t **out);

/*
 * *out: user_id's sessions still valid, newest first: {"id","created_at",
 * "last_seen_at","expires_at","current"} (current: the session of
 * current_session, 0 for none). ST_NOT_FOUND if there is no such user.
 */
enum store_rc session_list(struct db *db, int64_t user_id, int64_t current_session,
    json_t **out);
/*
 * Ends every session of user_id at once, audited (user.sessions_end): the
 * next request with any of them is 401, and the same commit wakes the
 * pusher, which closes their sockets. *out: {"ended": n}. ST_NOT_FOUND
 * if there is no such user.
 */
enum store_rc session_end_all(struct db *db, const struct principal *who, int64_t user_id,
    json_t **out);

#endif
