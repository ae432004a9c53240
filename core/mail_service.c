/*
 * mail_service.c - see mail_service.h.
 */
#include "mail_service.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

#include "delivery.h"
#include "log.h"
#include "notify_flush.h"
#include "mail_deliver.h"
#include "mail_send.h"
#include "system_check.h"
#include "util.h"

/* After a database error: the next try, not a busy loop. */
#define SERVICE_RETRY_MS 1000
/* The system rules this service watches are checked this often. */
#define SERVICE_CHECK_MS 30000

/*
 * How long until a queued row is due: its retry time, or when another
 * mailer's lease on it runs out. NULL when nothing is queued.
 */
DB_STMT(q_next_due,
    "SELECT (extract(epoch FROM min(GREATEST(next_attempt_at,"
    "                                        COALESCE(lease_until, next_attempt_at)))"
    "                  - clock_timestamp()) * 1000)::bigint AS ms"
    "  FROM mail_outbox WHERE status = 'queued'");

struct service {
	struct db *db;
	const struct config *cfg;
	volatile sig_atomic_t *stop;
	uint64_t listening;         /* db_generation() LISTEN was sent on; 0: none */
	struct mail_sender *s;      /* kept open between passes, or NULL */
	int64_t used_us;            /* when s last sent (monotonic) */
	int64_t checked_us;         /* when the system rules were last checked (monotonic) */
};

/* LISTENs on this connection unless it already does. 0 or -1. */
static int listen_up(struct service *sv)
{
	if (db_ensure(sv->db) < 0)
		return -1;
	if (sv->listening == db_generation(sv->db))
		return 0;
	if (db_script(sv->db, "LISTEN goldwatch_outbox") < 0)
		return -1;
	sv->listening = db_generation(sv->db);
	return 0;
}

/* Reads what arrived; returns the notifications taken (0), or -1 if lost. */
static int drain(struct service *sv)
{
	PGconn *conn = db_conn(sv->db);
	PGnotify *n;
	int got = 0;

	if (conn == NULL || PQconsumeInput(conn) == 0)
		return -1;
	while ((n = PQnotifies(conn)) != NULL) {
		got++;
		PQfreemem(n);
	}
	return got;
}

/* Milliseconds until the next pass is due, at most MAIL_SERVICE_IDLE_MS. */
static int64_t next_due_ms(struct service *sv)
{
	PGresult *r = DB_EXEC0(sv->db, &q_next_due);
	int64_t ms = MAIL_SERVICE_IDLE_MS, notice_ms;

	if (r == NULL)
		return SERVICE_RETRY_MS;
	if (!db_isnull(r, 0, "ms"))
		ms = db_i64(r, 0, "ms");
	PQclear(r);
	if (notify_next_due_ms(sv->db, &notice_ms) < 0)
		return SERVICE_RETRY_MS;
	/* a group wait ends: its message goes at once, not at the 50 ms floor's leisure */
	if (notice_ms >= 0 && notice_ms < ms)
		ms = notice_ms > 0 ? notice_ms : 1;
	/* a row due now that no pass took is locked or just leased: soon again */
	if (ms < 50)
		ms = 50;
	return ms < MAIL_SERVICE_IDLE_MS ? ms : MAIL_SERVICE_IDLE_MS;
}

/*
 * Sleeps until a notification, ms, or *stop; closes the SMTP connection
 * once it was idle for MAIL_SERVICE_KEEP_MS.
 */
static void wait_for(struct service *sv, int64_t ms)
{
	int64_t deadline = time_mono_us() + ms * 1000;
	int watch = 1;

	/*
	 * libpq reads notifications with any result: those that came during
	 * the pass wait in its queue, not on the socket, and poll() would
	 * sleep past them
	 */
	if (drain(sv) > 0)
		return;
	while (!*sv->stop) {
		int64_t now = time_mono_us(), t = (deadline - now) / 1000;
		int64_t keep = sv->s ? (sv->used_us + MAIL_SERVICE_KEEP_MS * 1000 - now) / 1000 : t;
		PGconn *conn = watch ? db_conn(sv->db) : NULL;
		struct pollfd pfd = {.fd = conn ? PQsocket(conn) : -1, .events = POLLIN};
		int got;

		if (sv->s && keep <= 0) {
			mail_sender_free(sv->s); /* QUIT: idle too long */
			sv->s = NULL;
			continue;
		}
		if (t <= 0)
			return;
		if (poll(&pfd, pfd.fd >= 0 ? 1 : 0, (int)(keep < t ? keep : t) + 1) < 0 &&
		    errno != EINTR)
			return;
		if (pfd.fd < 0 || !(pfd.revents & (POLLIN | POLLERR | POLLHUP)))
			continue;
		if ((got = drain(sv)) > 0)
			return; /* mail was queued */
		if (got < 0) {
			/* the connection broke: connect again in a moment, not later */
			if (deadline > now + SERVICE_RETRY_MS * 1000)
				deadline = now + SERVICE_RETRY_MS * 1000;
			watch = 0;
		}
	}
}

static void log_pass(const struct delivery_result *dr)
{
	const struct mail_pass_result *res = &dr->mail, *h = &dr->http;

	if (h->sent + h->retry + h->dead > 0)
		log_info("%d notification(s) posted, %d to retry, %d dead in %.1f ms", h->sent,
		    h->retry, h->dead, (double)h->us / 1000.0);
	if (res->sent + res->retry + res->dead == 0)
		return;
	log_info("%d mail(s) sent, %d to retry, %d dead in %.1f ms%s", res->sent, res->retry,
	    res->dead, (double)res->us / 1000.0,
	    res->server_down ? "; the mail server could not be used" : "");
}

/*
 * The system rules' checks when 30 s have passed since the last (their
 * failure is logged and waits for the next time), and the sleep ms cut
 * to wake for the next (GOLDWATCH_SYSTEM_CHECKS off: ms as it is).
 */
static int64_t check_due(struct service *sv, int64_t ms)
{
	int64_t now = time_mono_us(), left;

	if (!sv->cfg->system_checks)
		return ms;
	if (sv->checked_us == 0 || now - sv->checked_us >= SERVICE_CHECK_MS * 1000) {
		system_checks_run(sv->db, sv->cfg, 0, SYSCHK_BY_MAILER, NULL);
		sv->checked_us = now = time_mono_us();
	}
	left = SERVICE_CHECK_MS - (now - sv->checked_us) / 1000;
	return ms < 0 || ms > left ? (left > 0 ? left : 1) : ms;
}

/* One wake-up: a pass over everything due, then how long to sleep. */
static int64_t serve_once(struct service *sv)
{
	struct mail_pass p = {.stop = sv->stop};
	struct delivery_result dr;
	struct mail_pass_result *res = &dr.mail;

	if (listen_up(sv) < 0)
		return SERVICE_RETRY_MS;
	/* notifications up to here are answered by this pass */
	if (drain(sv) < 0)
		return SERVICE_RETRY_MS;
	if (sv->s == NULL && (sv->s = mail_sender_new(sv->cfg)) == NULL)
		return -1;
	p.sender = sv->s;
	if (delivery_pass(sv->db, sv->cfg, &p, &dr) < 0)
		return SERVICE_RETRY_MS;
	log_pass(&dr);
	if (res->sent + res->retry + res->dead > 0)
		sv->used_us = time_mono_us();
	if (res->server_down) {
		/* the next try starts from a new connection */
		mail_sender_free(sv->s);
		sv->s = NULL;
	}
	/* reconnected under the pass: LISTEN again and look once more */
	if (sv->listening != db_generation(sv->db))
		return 0;
	return check_due(sv, next_due_ms(sv));
}

int mail_service_run(struct db *db, const struct config *cfg, volatile sig_atomic_t *stop)
{
	struct service sv = {.db = db, .cfg = cfg, .stop = stop};
	int rc = 0;

	log_info("delivering mail as it is queued (LISTEN goldwatch_outbox)");
	while (!*stop) {
		int64_t ms = serve_once(&sv);

		if (ms < 0) {
			rc = -1;
			break;
		}
		if (ms > 0)
			wait_for(&sv, ms);
	}
	mail_sender_free(sv.s);
	log_info("stopped");
	return rc;
}
