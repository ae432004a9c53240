/*
 * secret.h - sealing the contact points' secrets (webhook secrets, bot
 * tokens, secret header values) at rest: libsodium's secretbox
 * (XSalsa20-Poly1305) under GOLDWATCH_SECRET_KEY, a random nonce per seal.
 * What is sealed is a JSON text; what the database keeps is bytea.
 */
#ifndef GW_SECRET_H
#define GW_SECRET_H

#include "config.h"

/* Whether a key is configured (GOLDWATCH_SECRET_KEY set). */
int secret_available(const struct config *cfg);

/*
 * Seals plain: the bytea text "\x<hex of nonce || box>" for a parameter,
 * caller frees; NULL when there is no key (logged).
 */
char *secret_seal(const struct config *cfg, const char *plain);

/*
 * Opens a bytea text secret_seal made ("\x..." as PostgreSQL sends bytea):
 * the plain text, which the caller frees with secret_free; NULL when it
 * does not open (no key, another key, or tampered: logged).
 */
char *secret_open(const struct config *cfg, const char *sealed);

/* Wipes and frees a plain text secret_open gave (NULL is fine). */
void secret_free(char *plain);

#endif
