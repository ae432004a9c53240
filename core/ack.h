/*
 * ack.h - one-click acknowledge links in mail: signed (HMAC-SHA-512-256
 * with the cluster's ack_link_key), bound to one alert and one user,
 * expiring, and single-use (a nonce row in ack_tokens, spent on use).
 * The link opens a confirmation page; only its POST acknowledges. The key
 * is read from the database once per process, at its first use.
 */
#ifndef GW_ACK_H
#define GW_ACK_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "db.h"

/*
 * Makes the acknowledge link of alert_ids[i] for the user whose e-mail is
 * recipients[i], for each i < n: urls[i] (caller frees), or NULL when no
 * enabled user who may acknowledge (operator or admin) has that address.
 * Records the nonces. Two statements for all n, whatever n is: inside an
 * evaluation's transaction no round trip is made per recipient. Returns
 * 0, or -1 on a database error (then every urls[i] is NULL).
 */
int ack_links_for(struct db *db, const struct config *cfg, size_t n, const int64_t *alert_ids,
    const char *const *recipients, char **urls);

enum ack_check {
	ACK_VALID,
	ACK_FORGED,      /* malformed or bad signature */
	ACK_WRONG_ALERT, /* signed for another alert than the page's */
	ACK_EXPIRED,
	ACK_USED,        /* already spent, or unknown nonce */
	ACK_USER_GONE,   /* the user was disabled */
	ACK_NOT_ALLOWED, /* the user may not acknowledge now (a viewer) */
	ACK_ERROR,       /* database error */
	ACK_CHECK__MAX
};

struct ack_token {
	int64_t alert_id;
	int64_t user_id;
	int64_t expires;    /* Unix seconds */
	char nonce[32];
	char username[65];
};

/* Longest token text; a longer one is forged. */
#define ACK_TOKEN_MAX 220

/*
 * The token text, pure (no database: the caller has the key), for
 * ack_links_for() and ack_verify(). The token is
 * "<alert>.<user>.<expires>.<nonce>.<mac>", the mac over what precedes it.
 */
void ack_token_sign(const unsigned char key[crypto_auth_KEYBYTES],
    const struct ack_token *t, char *out, size_t outlen);
/* Reads the fields into *t (the mac unchecked). 0, or -1 if malformed. */
int ack_token_parse(const char *token, struct ack_token *t);
/* 1 when the token's mac is key's over the rest (in constant time), else 0. */
int ack_token_signed(const unsigned char key[crypto_auth_KEYBYTES], const char *token);

/*
 * Checks token for the alert in the page's path at now_us. With lock set,
 * the nonce row is locked FOR UPDATE (call inside a transaction, then
 * ack_spend()). Fills *t on ACK_VALID.
 */
enum ack_check ack_verify(struct db *db, const char *token, int64_t alert_id,
    int64_t now_us, int lock, struct ack_token *t);
/* Marks the nonce used. 0, or -1. */
int ack_spend(struct db *db, const struct ack_token *t);
const char *ack_check_message(enum ack_check c);

#endif
