/*
 * read_db.h - where a request reads: the primary (DATABASE_URL), or a
 * streaming replica (GOLDWATCH_READ_DATABASE_URL) for the reads that may.
 *
 * A GET or HEAD reads from the replica when its route does not need the
 * primary (ROUTE_PRIMARY: health, metrics, status, acknowledge links),
 * the replica answers, and it is fresh enough for this client:
 *  - it has replayed the commit position of this client's last change,
 *    known from the Goldwatch-Read-After header or the gw_read_after
 *    cookie a change answers with, or from this process's memory of the
 *    signed-in user's changes (5 minutes): read-your-writes;
 *  - and it is within GOLDWATCH_READ_MAX_LAG_MS of what it has received
 *    (its last replayed commit is that recent, or nothing received waits).
 * Otherwise, and when the replica fails the request (down, a conflict
 * with recovery, a write a read-only server refuses), the request is
 * answered from the primary. Sign-in checks, every change, the pusher and
 * the jobs always use the primary. With a read URL configured every GET
 * says where it read: Goldwatch-Read-From: replica | primary.
 */
#ifndef GW_READ_DB_H
#define GW_READ_DB_H

#include <stdint.h>

struct request;

/* Before the page cache and the handler: maybe moves req->db to the replica. */
void read_db_choose(struct request *req);

/*
 * After a failed answer from the replica: makes the request one for the
 * primary (its response emptied) and returns 1, so the caller runs it
 * again; 0 when there is nothing to try again.
 */
int read_db_fall_back(struct request *req);

/* After the answer: req->db is the primary again, the headers are added. */
void read_db_finish(struct request *req);

/*
 * After a change committed on the primary: its commit position, for this
 * client's next reads (header, cookie, this process's memory of the user).
 */
void read_db_mark(struct request *req);

/* "X/Y" (hexadecimal, as PostgreSQL writes an LSN): 0, or -1 if malformed. */
int read_db_parse_lsn(const char *s, uint64_t *lsn);

struct buf;

/* The metrics: reads answered by each server, reads the replica failed. */
void read_db_write(struct buf *out, const char *instance);

#endif
