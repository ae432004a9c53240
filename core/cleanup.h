/*
 * cleanup.h - retention: deletes resolved alerts, KPI samples, events and
 * sent or dead mail older than their retention (days, per kind), plus
 * expired sessions and acknowledge links, and the claims of schedule
 * slots (job_slots) older than a week, in batches of bounded size, each
 * its own short transaction, so the API keeps answering while millions of
 * rows go. Open alerts are never deleted; events younger than their
 * retention (the replay window of WebSocket clients) are kept.
 */
#ifndef GW_CLEANUP_H
#define GW_CLEANUP_H

#include <stdint.h>

#include "config.h"
#include "db.h"

enum cleanup_kind {
	CLEAN_ALERTS, CLEAN_SAMPLES, CLEAN_EVENTS, CLEAN_MAIL, CLEAN_SESSIONS,
	CLEAN_ACK_LINKS, CLEAN_SLOTS, CLEAN__MAX
};

struct cleanup_result {
	int64_t deleted[CLEAN__MAX];
	int batches;
};

const char *cleanup_kind_name(enum cleanup_kind k);
/* Cleans what is past retention at now_us. 0, or -1 (batches done stay done). */
int cleanup_run(struct db *db, const struct config *cfg, int64_t now_us,
    struct cleanup_result *res);

#endif
