/*
 * auth_cache.h - goldwatch-api remembers, per worker thread, who a token
 * belongs to for GOLDWATCH_AUTH_CACHE_MS (1 s by default), so a request
 * costs one database round trip instead of two.
 *
 * What can change a credential's answer, and how soon it shows:
 * - any successful POST, PUT, PATCH or DELETE in this process (a logout,
 *   a user disabled or demoted, a session ended) empties every thread's
 *   cache at once: this process never serves a stale answer after its own
 *   changes;
 * - a change made elsewhere (another host's API, goldwatch-admin, SQL)
 *   shows within the cache time at most;
 * - an entry never outlives its credential's expiry.
 * Failed lookups are not remembered. GOLDWATCH_AUTH_CACHE_MS=0 turns it off.
 */
#ifndef GW_AUTH_CACHE_H
#define GW_AUTH_CACHE_H

#include "auth.h"
#include "db.h"

/* auth_lookup() through this thread's cache; the same returns. */
int auth_cache_lookup(struct db *db, const char *token, int64_t ttl_ms,
    struct principal *out);
/* Forgets every thread's entries (after a change in this process). */
void auth_cache_invalidate(void);

#endif
