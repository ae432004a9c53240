/*
 * http_deliver.h - delivering the outbox rows of the HTTP contact points
 * (webhook, slack, telegram; written by notify_flush.h) with the mail's
 * lease, backoff and dead letters (mail_deliver.h): a pass claims due
 * rows, posts each row's body to its contact point (whose secrets are
 * opened here only, for the request) and records the outcome. A receiver
 * that answers 4xx (but 408 and 429) refuses the message for good: dead
 * at once, as a mail server's 5xx; no answer, a timeout or 5xx retry,
 * after GOLDWATCH_MAIL_MAX_ATTEMPTS attempts dead. A row whose contact
 * point was deleted is dead.
 */
#ifndef GW_HTTP_DELIVER_H
#define GW_HTTP_DELIVER_H

#include "config.h"
#include "db.h"
#include "mail_deliver.h"

/* One pass, as mail_deliver() (p->sender is not used). 0, or -1 on a database error. */
int http_deliver(struct db *db, const struct config *cfg, const struct mail_pass *p,
    struct mail_pass_result *res);

#endif
