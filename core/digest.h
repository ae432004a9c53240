/*
 * digest.h - the daily digest: one mail per recipient summarising the last
 * 24 hours of the rules they receive (alerts fired, acknowledged and
 * resolved, what is still open, the noisiest rules, mean time to
 * acknowledge), queued in the outbox. A recipient with nothing to report
 * gets nothing unless GOLDWATCH_DIGEST_SEND_EMPTY is true. Each mail's
 * dedup key holds the shop's date: running twice the same day mails once.
 */
#ifndef GW_DIGEST_H
#define GW_DIGEST_H

#include <stdint.h>

#include "config.h"
#include "db.h"

struct digest_result {
	int recipients;   /* recipients considered */
	int queued;       /* digests queued now */
	int skipped;      /* nothing to report */
	int already;      /* queued by an earlier run the same day */
};

/* Queues the digests of the 24 hours before now_us. 0, or -1. */
int digest_run(struct db *db, const struct config *cfg, int64_t now_us,
    struct digest_result *res);

#endif
