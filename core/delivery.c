/*
 * delivery.c - see delivery.h.
 */
#include "delivery.h"

#include <string.h>

#include "http_deliver.h"
#include "notify_flush.h"

int delivery_pass(struct db *db, const struct config *cfg, const struct mail_pass *p,
    struct delivery_result *res)
{
	int rc = 0;

	memset(res, 0, sizeof(*res));
	/* each step on its own: one that fails does not hold up the others */
	if (notify_flush(db, cfg, p->now_us, &res->messages) < 0)
		rc = -1;
	if (http_deliver(db, cfg, p, &res->http) < 0)
		rc = -1;
	if (mail_deliver(db, cfg, p, &res->mail) < 0)
		rc = -1;
	return rc;
}

json_t *delivery_json(const struct delivery_result *res)
{
	json_t *out = mail_pass_json(&res->mail);

	json_object_set_new(out, "messages", json_integer(res->messages));
	json_object_set_new(out, "http", json_pack("{si si si}", "sent", res->http.sent,
	    "retry", res->http.retry, "dead", res->http.dead));
	return out;
}
