/*
 * status.c - GET /api/status (admin): how goldwatch itself is doing, as
 * core/status_store.c reads it (the doctor judges the same figures).
 */
#include <stdlib.h>

#include "app.h"
#include "config.h"
#include "status_store.h"

int status_get(struct request *req)
{
	struct schedule s;
	json_t *out = NULL;
	char *dir;
	enum store_rc rc;

	/* the API is not told the digest time the timers were installed
	 * with: the default's slot judges whether the digest is overdue */
	if (schedule_init(&s, NULL) < 0)
		return 500;
	dir = config_path(req->cfg, "sql", "migrations");
	rc = status_read(req->db, &s, dir, time_now_us(), &out);
	free(dir);
	if (rc != ST_OK)
		return 500;
	return req_json(req, 200, out);
}
