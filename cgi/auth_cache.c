/* auth_cache.c - see auth_cache.h. */
#include "auth_cache.h"

#include <stdatomic.h>
#include <string.h>

#include "util.h"

#define SLOTS 64   /* per thread, direct-mapped by the token's hash */

struct slot {
	char hash[AUTH_HASH_HEX];
	struct principal who;
	int64_t until_us;
	unsigned long generation;
};

static atomic_ulong generation = 1;
static _Thread_local struct slot slots[SLOTS];

void auth_cache_invalidate(void)
{
	atomic_fetch_add(&generation, 1);
}

static unsigned slot_of(const char *hash)
{
	unsigned v = 0;
	for (int i = 0; i < 8 && hash[i]; i++)
		v = v * 16 + (unsigned)(hash[i] <= '9' ? hash[i] - '0' : hash[i] - 'a' + 10);
	return v % SLOTS;
}

int auth_cache_lookup(struct db *db, const char *token, int64_t ttl_ms,
    struct principal *out)
{
	char hash[AUTH_HASH_HEX];
	unsigned long gen = atomic_load(&generation);
	int64_t now = time_now_us();
	struct slot *s;
	int rc;

	if (ttl_ms <= 0 || token == NULL || *token == '\0' || strlen(token) >= AUTH_TOKEN_MAX)
		return auth_lookup(db, token, out);
	auth_token_hash(token, hash);
	s = &slots[slot_of(hash)];
	if (s->generation == gen && now < s->until_us && strcmp(s->hash, hash) == 0) {
		*out = s->who;
		return 1;
	}
	rc = auth_lookup(db, token, out);
	if (rc != 1) {
		s->generation = 0;
		return rc;
	}
	memcpy(s->hash, hash, sizeof(hash));
	s->who = *out;
	s->until_us = now + ttl_ms * 1000;
	if (out->expires_us > 0 && out->expires_us < s->until_us)
		s->until_us = out->expires_us;
	s->generation = gen;
	return 1;
}
