/*
 * fuzz_ack_token.c - the acknowledge link's ?t= without a database: the
 * token's fields (ack_token_parse) and its signature (ack_token_signed)
 * under a fixed key. What parses, signed again, parses to the same
 * fields; a token that passes the signature check is exactly the one
 * ack_token_sign() writes for its fields.
 */
#include "fuzz.h"

#include "ack.h"

static unsigned char key[crypto_auth_KEYBYTES];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	/* the key of the corpus' signed seeds: bytes 0, 1, ..., 31 */
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (unsigned char)i;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size), again[ACK_TOKEN_MAX];
	struct ack_token t, t2;
	int is_signed = ack_token_signed(key, s);

	if (ack_token_parse(s, &t) == 0) {
		FUZZ_CHECK(t.alert_id > 0 && t.user_id > 0 && t.expires >= 0);
		FUZZ_CHECK(strlen(t.nonce) == 16);
		ack_token_sign(key, &t, again, sizeof(again));
		FUZZ_CHECK(ack_token_parse(again, &t2) == 0);
		FUZZ_CHECK(t2.alert_id == t.alert_id && t2.user_id == t.user_id &&
		    t2.expires == t.expires && strcmp(t2.nonce, t.nonce) == 0);
		FUZZ_CHECK(ack_token_signed(key, again));
		if (is_signed)
			FUZZ_CHECK(strcmp(again, s) == 0);
	}
	free(s);
	return 0;
}
