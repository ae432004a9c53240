/* job_slots.c - see job_slots.h. */
#include "job_slots.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

/* The lock of one job's runs: the class is goldwatch's ("gold" + 1), the
 * object the job's name; a session lock, so it ends with the process. */
DB_STMT(q_lock, "SELECT pg_try_advisory_lock(1735355493, hashtext($1)) AS got");

/* The row of the slot: new, or taken over from a run that died; none
 * returned when the slot's run finished. */
DB_STMT(q_claim,
    "INSERT INTO job_slots AS s (job, slot, host, pid) VALUES ($1, $2::timestamptz, $3, $4::int)"
    " ON CONFLICT (job, slot) DO UPDATE SET host = EXCLUDED.host, pid = EXCLUDED.pid,"
    "     claimed_at = now(), takeovers = s.takeovers + 1"
    "   WHERE s.finished_at IS NULL"
    " RETURNING takeovers");

DB_STMT(q_holder,
    "SELECT host, pid, finished_at IS NOT NULL AS finished FROM job_slots"
    " WHERE job = $1 ORDER BY (slot = $2::timestamptz) DESC, finished_at IS NULL DESC, slot DESC"
    " LIMIT 1");

DB_STMT(q_unlock, "SELECT pg_advisory_unlock(1735355493, hashtext($1))");

DB_STMT(q_finish,
    "UPDATE job_slots SET finished_at = now(), ok = $3::bool"
    " WHERE job = $1 AND slot = $2::timestamptz");

/* Who has the slot (or the job's lock), into by. */
static void holder(struct db *db, const char *job, const char *slot, char *by, size_t bylen)
{
	PGresult *r = DB_EXEC(db, &q_holder, job, slot);

	if (r != NULL && PQntuples(r) == 1)
		snprintf(by, bylen, "%s pid %s, %s", db_str(r, 0, "host"), db_str(r, 0, "pid"),
		    db_bool(r, 0, "finished") ? "finished" : "still running");
	else
		snprintf(by, bylen, "another run, still going");
	PQclear(r);
}

enum slot_claim job_slot_claim(struct db *db, const char *job, int64_t slot_us,
    char *by, size_t bylen)
{
	char slot[40], host[256] = "", pid[16];
	PGresult *r;
	int got;

	time_format_iso(slot_us, slot, sizeof(slot));
	host_name(host, sizeof(host));
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	r = DB_EXEC(db, &q_lock, job);
	if (r == NULL)
		return SLOT_ERROR;
	got = db_bool(r, 0, "got");
	PQclear(r);
	if (!got) {
		holder(db, job, slot, by, bylen);
		return SLOT_TAKEN;
	}
	r = DB_EXEC(db, &q_claim, job, slot, host, pid);
	if (r == NULL)
		return SLOT_ERROR;
	got = PQntuples(r) == 1;
	if (got && db_i64(r, 0, "takeovers") > 0)
		log_line("the run before this one of slot %s died unfinished: taken over", slot);
	PQclear(r);
	if (got)
		return SLOT_CLAIMED;
	holder(db, job, slot, by, bylen);
	/* a later slot's run of this host or another may start at once */
	(void)DB_RUN(db, &q_unlock, job);
	return SLOT_TAKEN;
}

int job_slot_finish(struct db *db, const char *job, int64_t slot_us, int ok)
{
	char slot[40];

	time_format_iso(slot_us, slot, sizeof(slot));
	return DB_RUN(db, &q_finish, job, slot, ok ? "true" : "false");
}
