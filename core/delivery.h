/*
 * delivery.h - one delivery pass over every channel, as goldwatch-mailer
 * runs it (once, or as the delivery service whenever woken): the due
 * notices become messages (notify_flush.h), the HTTP contact points' rows
 * are posted (http_deliver.h), then the mail is sent (mail_deliver.h).
 * HTTP goes first: a mail server that is down must not hold up a chat.
 */
#ifndef GW_DELIVERY_H
#define GW_DELIVERY_H

#include <jansson.h>

#include "config.h"
#include "db.h"
#include "mail_deliver.h"

struct delivery_result {
	int messages;                   /* notice groups that became messages */
	struct mail_pass_result http;   /* webhook, slack, telegram */
	struct mail_pass_result mail;
};

/*
 * Runs every step, each even when one before it failed. 0, or -1 (logged)
 * when a step failed on the database or no mail sender could be made.
 */
int delivery_pass(struct db *db, const struct config *cfg, const struct mail_pass *p,
    struct delivery_result *res);

/* The mail pass's JSON with "messages" and "http": {"sent","retry","dead"}. */
json_t *delivery_json(const struct delivery_result *res);

#endif
