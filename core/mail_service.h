/*
 * mail_service.h - the delivery service (goldwatch-mailer --serve): one
 * process that delivers the outbox as mail is queued, so no request
 * thread and no job ever waits on SMTP.
 *
 * It LISTENs on goldwatch_outbox (a trigger on mail_outbox NOTIFYs it when
 * a transaction that queued mail commits, migration 0008) and runs a
 * delivery pass (mail_deliver.h) at once when woken, when the earliest
 * retry or lease falls due, and at least every MAIL_SERVICE_IDLE_MS as a
 * safety net (a row made due by hand). Between passes it keeps its SMTP
 * connection open for MAIL_SERVICE_KEEP_MS, so mail queued soon after
 * costs no new TCP, TLS and AUTH. A lost database connection is made
 * again (and LISTEN with it) once a second; what was queued meanwhile is
 * found by the pass that follows.
 */
#ifndef GW_MAIL_SERVICE_H
#define GW_MAIL_SERVICE_H

#include <signal.h>

#include "config.h"
#include "db.h"

#define MAIL_SERVICE_IDLE_MS 60000
#define MAIL_SERVICE_KEEP_MS 30000

/*
 * Serves until *stop is set (SIGTERM): the message being sent is
 * finished, claimed ones not yet sent are freed. The mail settings must
 * have passed mail_config_check(). Returns 0, or -1 when no sender can be
 * made (logged).
 */
int mail_service_run(struct db *db, const struct config *cfg, volatile sig_atomic_t *stop);

#endif
