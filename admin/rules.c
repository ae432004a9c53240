/*
 * rules.c - goldwatch-admin rules load-starter (core/starter.c).
 */
#include "admin.h"
#include "log.h"
#include "starter.h"

/* The starter rules (core/starter.c), as POST /api/alerts/rules/load-starter loads them. */
int load_starter(struct db *db, const struct config *cfg)
{
	json_t *out = NULL;

	if (starter_load(db, cfg, &admin_cli, &out) != ST_OK)
		return 1;
	log_line("rules load-starter: %lld added, %lld skipped (a rule has the name), for %s",
	    (long long)json_integer_value(json_object_get(out, "added")),
	    (long long)json_integer_value(json_object_get(out, "skipped")), cfg->admin_email);
	json_decref(out);
	return 0;
}

int cmd_rules_load_starter(struct db *db, const struct config *cfg, const struct args *a)
{
	(void)a;
	return load_starter(db, cfg);
}
