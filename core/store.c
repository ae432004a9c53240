/*
 * store.c - see store.h.
 */
#include "store.h"

int store_status(enum store_rc rc)
{
	static const int status[ST__MAX] = {
		[ST_OK] = 200, [ST_INVALID] = 422, [ST_NOT_FOUND] = 404,
		[ST_CONFLICT] = 409, [ST_ERROR] = 500,
	};
	return rc < ST__MAX ? status[rc] : 500;
}
