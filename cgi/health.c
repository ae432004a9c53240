/*
 * health.c - GET /api/health: is the API up and can it reach PostgreSQL.
 * It answers within HEALTH_DEADLINE_US whatever the database does: a load
 * balancer's check, or an engineer's curl, never hangs on a cut link.
 */
#include "app.h"

#define HEALTH_DEADLINE_US 1500000

DB_STMT(q_health, "SELECT 1 AS ok");

int health_get(struct request *req)
{
	int64_t was = db_deadline(req->db), soon = time_mono_us() + HEALTH_DEADLINE_US;
	PGresult *r;

	db_set_deadline(req->db, was && was < soon ? was : soon);
	r = DB_EXEC0(req->db, &q_health);
	db_set_deadline(req->db, was);

	if (r == NULL)
		return req_json(req, 503, json_pack("{ss ss s{ss ss}}",
		    "status", "unavailable", "database", "unreachable",
		    "error", "code", "database_unavailable",
		    "message", "the database is not reachable"));
	PQclear(r);
	return req_json(req, 200, json_pack("{ss ss}", "status", "ok", "database", "ok"));
}
