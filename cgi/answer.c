/*
 * answer.c - turning a store's result (enum store_rc and its reason) into
 * the HTTP answer, the same for every resource's handlers.
 */
#include "app.h"
#include "store.h"

/*
 * Answers a store result: the error body, or status with the JSON. err may
 * be NULL for calls that give no reason (reads): a refusal is then answered
 * with a generic 422 or 409 naming what. A conflict's out (if not NULL) is
 * the error's "details".
 */
int store_answer(struct request *req, enum store_rc rc, int status, json_t *out,
    const struct verror *err, const char *what)
{
	switch (rc) {
	case ST_OK:
		return req_json(req, status, out);
	case ST_INVALID:
	case ST_CONFLICT:
		/* a refusal's out, if the store gave one, says what stands in the way */
		if (err != NULL && rc == ST_CONFLICT && out != NULL)
			return req_verror_details(req, err, out);
		json_decref(out);
		if (err != NULL)
			return req_verror(req, err);
		if (rc == ST_INVALID)
			return req_error(req, 422, "invalid_value", NULL, "the %s was refused", what);
		return req_error(req, 409, "conflict", NULL,
		    "the %s is in a state that does not allow this", what);
	case ST_NOT_FOUND:
		json_decref(out);
		return req_error(req, 404, "not_found", NULL, "no such %s", what);
	default:
		json_decref(out);
		return 500;
	}
}
