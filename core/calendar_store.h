/*
 * calendar_store.h - the shop's calendar (one row, table shop_calendar):
 * read by the API, the calendar page and the evaluation; changed by an
 * admin through the API or the page. Audited like the other stores
 * (object_type "calendar"). No live-feed event: like silences, a changed
 * calendar shows only in what the next evaluation does.
 */
#ifndef GW_CALENDAR_STORE_H
#define GW_CALENDAR_STORE_H

#include <jansson.h>

#include "auth.h"
#include "calendar.h"
#include "db.h"
#include "store.h"
#include "valid.h"

/* The calendar as the API shows it: ST_OK or ST_ERROR. */
enum store_rc calendar_get(struct db *db, json_t **out);
/*
 * The calendar decoded (calendar_decode; free with calendar_free), for the
 * evaluation. *json keeps its reasons alive: json_decref it after. 0 or -1.
 */
int calendar_load(struct db *db, struct calendar *cal, json_t **json);
/* Replaces the calendar with a decoded one; *out is the new one. Audited. */
enum store_rc calendar_put(struct db *db, const struct principal *who,
    const struct calendar *cal, json_t **out);

#endif
