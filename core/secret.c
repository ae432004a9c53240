/*
 * secret.c - see secret.h.
 */
#include "secret.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

/* The configured key, decoded: 0, or -1 when none or sodium cannot start. */
static int secret_key(const struct config *cfg, unsigned char key[crypto_secretbox_KEYBYTES])
{
	size_t len = 0;

	if (!secret_available(cfg) || sodium_init() < 0)
		return -1;
	if (sodium_hex2bin(key, crypto_secretbox_KEYBYTES, cfg->secret_key,
	    strlen(cfg->secret_key), NULL, &len, NULL) < 0 || len != crypto_secretbox_KEYBYTES)
		return -1;
	return 0;
}

int secret_available(const struct config *cfg)
{
	return cfg->secret_key != NULL && cfg->secret_key[0] != '\0';
}

char *secret_seal(const struct config *cfg, const char *plain)
{
	unsigned char key[crypto_secretbox_KEYBYTES];
	size_t plen = strlen(plain), blen = crypto_secretbox_NONCEBYTES +
	    crypto_secretbox_MACBYTES + plen;
	unsigned char *box;
	char *hex;

	if (secret_key(cfg, key) < 0) {
		log_err("secrets need GOLDWATCH_SECRET_KEY (64 hex digits) in the environment file");
		return NULL;
	}
	box = xmalloc(blen);
	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const unsigned char *)plain,
	    plen, box, key);
	sodium_memzero(key, sizeof(key));
	hex = xmalloc(2 * blen + 3);
	memcpy(hex, "\\x", 2);
	sodium_bin2hex(hex + 2, 2 * blen + 1, box, blen);
	free(box);
	return hex;
}

char *secret_open(const struct config *cfg, const char *sealed)
{
	unsigned char key[crypto_secretbox_KEYBYTES];
	size_t hlen, blen = 0;
	unsigned char *box;
	char *plain = NULL;

	if (secret_key(cfg, key) < 0) {
		log_err("a sealed secret cannot be read without GOLDWATCH_SECRET_KEY");
		return NULL;
	}
	if (strncmp(sealed, "\\x", 2) == 0)
		sealed += 2;
	hlen = strlen(sealed);
	box = xmalloc(hlen / 2 + 1);
	if (sodium_hex2bin(box, hlen / 2 + 1, sealed, hlen, NULL, &blen, NULL) == 0 &&
	    blen >= crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
		size_t plen = blen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
		plain = xmalloc(plen + 1);
		if (crypto_secretbox_open_easy((unsigned char *)plain,
		    box + crypto_secretbox_NONCEBYTES, blen - crypto_secretbox_NONCEBYTES,
		    box, key) == 0) {
			plain[plen] = '\0';
		} else {
			free(plain);
			plain = NULL;
		}
	}
	sodium_memzero(key, sizeof(key));
	free(box);
	if (plain == NULL)
		log_err("a sealed secret does not open: GOLDWATCH_SECRET_KEY is not the key it was"
		    " sealed with, or the stored value was changed");
	return plain;
}

void secret_free(char *plain)
{
	if (plain == NULL)
		return;
	sodium_memzero(plain, strlen(plain));
	free(plain);
}
