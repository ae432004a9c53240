/*
 * job_slots.h - one run per schedule slot across every host (table
 * job_slots, migration 0029). A run a timer started (--slot) claims its
 * job's slot before it does anything: it holds the job's advisory lock for
 * its session and inserts the row of the slot; a second host's run of the
 * same slot finds the row, or the lock held, and exits 0. A run that died
 * (kill -9, a lost host) leaves its row unfinished and its lock released:
 * the next run of that slot takes the row over.
 */
#ifndef GW_JOB_SLOTS_H
#define GW_JOB_SLOTS_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

enum slot_claim {
	SLOT_CLAIMED,       /* this run is the slot's */
	SLOT_TAKEN,         /* another run had it: *by says which */
	SLOT_ERROR,         /* the database failed (logged) */
};

/*
 * Claims slot_us (µs since the epoch, schedule_slot) of job for this
 * process (host, pid). On SLOT_TAKEN, by gets "host pid, finished" or
 * "host pid, still running". The lock lasts as long as db's session.
 */
enum slot_claim job_slot_claim(struct db *db, const char *job, int64_t slot_us,
    char *by, size_t bylen);

/* The claimed slot's run ended, well (ok) or not. 0 or -1. */
int job_slot_finish(struct db *db, const char *job, int64_t slot_us, int ok);

#endif
