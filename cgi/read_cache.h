/*
 * read_cache.h - answers goldwatch-api serves again while nothing they
 * show has changed: the summary and pages of the alert history.
 *
 * Exact, not "fresh enough": every transaction that changes what those
 * answers show also moves the read version (core/read_version.h), and an
 * answer is kept with the version it was read at. A request reads the
 * version (one indexed row, as cheap as the health check's query) and
 * serves the kept answer only while it is the same; an answer that depends
 * on the clock (the summary's 24-hour and 7-day windows) also carries the
 * moment it stops being true.
 *
 * One cache per process, shared by the worker threads (a mutex around a
 * small table), bounded by GOLDWATCH_READ_CACHE_KB (0 turns it off).
 */
#ifndef GW_READ_CACHE_H
#define GW_READ_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Sets the memory budget in bytes (0: off). Call once before the threads. */
void read_cache_init(size_t max_bytes);
int read_cache_enabled(void);
/*
 * When key was kept at version and is still true at now_us, appends the
 * answer to out and returns 1; otherwise 0 (and forgets a stale answer).
 */
int read_cache_get(const char *key, int64_t version, int64_t now_us, struct buf *out);
/* Keeps data for key, read at version, true until until_us. */
void read_cache_put(const char *key, int64_t version, int64_t until_us,
    const char *data, size_t len);

#endif
