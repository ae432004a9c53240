/*
 * read_version.h - the database's read version (migrations 0005, 0030):
 * the sum of 64 shard rows, one of which moves, by trigger, in every
 * transaction that changes what the alert summary or history shows (the
 * shard of its session, so writers do not queue on one row). An answer read together with the
 * version stays exact for as long as the version has not moved; the API's
 * read cache (cgi/read_cache.h) is built on it.
 */
#ifndef GW_READ_VERSION_H
#define GW_READ_VERSION_H

#include <stdint.h>

#include "db.h"

/* SQL that reads the version inside a larger query. */
#define READ_VERSION_SQL "(SELECT sum(n)::bigint FROM read_version)"
/* An answer that no clock makes stale: true until the version moves. */
#define READ_VERSION_FOREVER INT64_MAX

/* The read version now. 0, or -1 (database error, logged). */
int read_version(struct db *db, int64_t *version);

#endif
