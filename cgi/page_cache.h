/*
 * page_cache.h - a signed-in page served again, already gzipped, to the
 * same session while nothing it shows can have changed: a counter's
 * dashboard reloaded, a phone going back to the list, twenty tabs of the
 * staff on the same pages.
 *
 * What a kept page is, and how long it stays:
 * - kept per session (the hash of its cookie, never the token) and per
 *   address with its query, for GET page routes answered 200 without a
 *   cookie set or a flash shown, for clients that take gzip;
 * - read at the read version (core/read_version.h): once an alert, a
 *   rule or the evaluation's last run changes, it is never served again;
 * - forgotten by any successful change made through this process (a form,
 *   an API call), before the change's answer leaves: a client sees its own
 *   change on the page it is sent to;
 * - at most GOLDWATCH_PAGE_CACHE_MS old (1 s by default) for what moves
 *   without the read version (a KPI's new samples, a delivery's attempt,
 *   a change made on another host): the same bound as the sign-in cache
 *   (auth_cache.h). 0 turns it off.
 * Kept in the read cache's memory (read_cache.h, GOLDWATCH_READ_CACHE_KB).
 */
#ifndef GW_PAGE_CACHE_H
#define GW_PAGE_CACHE_H

#include <stdint.h>

#include "request.h"
#include "util.h"

/* Sets the longest a page is kept (ms, 0: off). Call once before the threads. */
void page_cache_init(int64_t max_age_ms);
/*
 * Before a page's handler: when req may be kept, answers it from the
 * cache and returns 200, or notes what to keep it under and returns 0;
 * 503 when the read version could not be read.
 */
int page_cache_serve(struct request *req);
/* After the handler: keeps req's answer (sent gzipped) when it is one to keep. */
void page_cache_keep(struct request *req);
/* A change was made in this process: no page kept before it is served. */
void page_cache_forget(void);
/* The Prometheus families of this process's page cache. */
void page_cache_write(struct buf *out, const char *instance);

#endif
