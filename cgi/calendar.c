/*
 * calendar.c - /api/shop/calendar: the shop's opening hours and closed days.
 */
#include "app.h"
#include "calendar_store.h"

int shop_calendar_get(struct request *req)
{
	json_t *out = NULL;
	enum store_rc rc = calendar_get(req->db, &out);

	return store_answer(req, rc, 200, out, NULL, "calendar");
}

int shop_calendar_put(struct request *req)
{
	struct calendar cal;
	struct verror err;
	json_t *out = NULL;
	enum store_rc rc;

	if (calendar_decode(req->json, &cal, &err) < 0)
		return req_verror(req, &err);
	rc = calendar_put(req->db, &req->who, &cal, &out);
	calendar_free(&cal);
	return store_answer(req, rc, 200, out, NULL, "calendar");
}
