/*
 * health.c - GET /api/health: is the API up and can it reach PostgreSQL.
 */
#include "app.h"

DB_STMT(q_health, "SELECT 1 AS ok");

int health_get(struct request *req)
{
	PGresult *r = DB_EXEC0(req->db, &q_health);

	if (r == NULL)
		return req_json(req, 503, json_pack("{ss ss s{ss ss}}",
		    "status", "unavailable", "database", "unreachable",
		    "error", "code", "database_unavailable",
		    "message", "the database is not reachable"));
	PQclear(r);
	return req_json(req, 200, json_pack("{ss ss}", "status", "ok", "database", "ok"));
}
