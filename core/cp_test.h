/*
 * cp_test.h - a contact point's test message: sent at once to an HTTP
 * kind (the receiver's answer is the outcome), queued to the mail
 * delivery for e-mail (as every mail is: retries, dead letters).
 */
#ifndef GW_CP_TEST_H
#define GW_CP_TEST_H

#include <jansson.h>

#include "config.h"
#include "contact_point_store.h"
#include "db.h"

/*
 * Sends the test message to t and says how it went:
 * {"ok","kind","status","error","duration_ms"} (HTTP kinds) or
 * {"ok","kind","queued":N} (e-mail). NULL on a database error (logged).
 */
json_t *cp_test(struct db *db, const struct config *cfg, const struct cp_target *t,
    const char *by);

#endif
