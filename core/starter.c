/*
 * starter.c - see starter.h.
 */
#include "starter.h"

#include <stdlib.h>

#include "log.h"
#include "rule_store.h"
#include "util.h"
#include "valid.h"

#define STARTER_MAX 64

/* Sets key of o to [addr] unless o has it: the file names no one. */
static void default_recipients(json_t *o, const char *addr)
{
	if (json_is_object(o) && json_object_get(o, "recipients") == NULL)
		json_object_set_new(o, "recipients", json_pack("[s]", addr));
}

/* The file's entries with their recipients filled in, or NULL (logged). */
static json_t *starter_bodies(const struct config *cfg)
{
	char *path = config_path(cfg, "sql", "starter-rules.json");
	json_error_t je;
	json_t *file = json_load_file(path, JSON_REJECT_DUPLICATES, &je), *bodies, *e;
	size_t i;

	if (!json_is_array(file) || json_array_size(file) > STARTER_MAX) {
		log_err("%s: %s", path, file ? "must be an array of at most 64 rules" : je.text);
		json_decref(file);
		free(path);
		return NULL;
	}
	free(path);
	bodies = json_array();
	json_array_foreach(file, i, e) {
		json_t *b = json_deep_copy(e);
		default_recipients(b, cfg->admin_email);
		default_recipients(json_object_get(b, "escalation"), cfg->admin_email);
		json_array_append_new(bodies, b);
	}
	json_decref(file);
	return bodies;
}

/* Decodes every body into in[]: 0, or -1 naming the first one refused. */
static int starter_decode(const json_t *bodies, struct rule_input *in)
{
	struct verror err;
	json_t *b;
	size_t i;

	json_array_foreach(bodies, i, b) {
		if (rule_decode(b, &in[i], &err) != ST_OK) {
			const char *name = json_string_value(json_object_get(b, "name"));
			log_err("starter rule %zu (%.64s): %s: %s", i + 1, name ? name : "no name",
			    err.field, err.message);
			return -1;
		}
	}
	return 0;
}

/* Session locks: a double click or two admins load the set once. */
DB_STMT(q_starter_lock, "SELECT pg_advisory_lock(hashtext('goldwatch.starter_rules'))");
DB_STMT(q_starter_unlock, "SELECT pg_advisory_unlock(hashtext('goldwatch.starter_rules'))");

static int run_lock(struct db *db, const struct db_stmt *st)
{
	PGresult *r = DB_EXEC0(db, st);

	PQclear(r);
	return r ? 0 : -1;
}

/* Creates the rules of in[0..n) not there by name, into added. */
static enum store_rc starter_create(struct db *db, const struct principal *who,
    const struct rule_input *in, size_t n, json_t *added, int *skipped)
{
	for (size_t i = 0; i < n; i++) {
		struct verror err;
		json_t *rule = NULL;
		int taken = rule_name_taken(db, in[i].name);

		if (taken < 0)
			return ST_ERROR;
		if (taken) {
			(*skipped)++;
			continue;
		}
		if (rule_create(db, who, &in[i], &rule, &err) != ST_OK) {
			log_err("starter rule %.64s: %s", in[i].name,
			    err.message[0] ? err.message : "not created");
			return ST_ERROR;
		}
		json_array_append_new(added, rule);
	}
	return ST_OK;
}

enum store_rc starter_load(struct db *db, const struct config *cfg,
    const struct principal *who, json_t **out)
{
	struct rule_input in[STARTER_MAX];
	json_t *bodies = starter_bodies(cfg), *added;
	enum store_rc rc = ST_ERROR;
	int skipped = 0;

	*out = NULL;
	/* the setting is read only here: say which one, not which rule's field */
	if (!valid_email(cfg->admin_email)) {
		log_err("GOLDWATCH_ADMIN_EMAIL must be one e-mail address (the starter rules mail it)");
		json_decref(bodies);
		return ST_ERROR;
	}
	if (bodies == NULL || starter_decode(bodies, in) < 0) {
		json_decref(bodies);
		return ST_ERROR;
	}
	added = json_array();
	if (run_lock(db, &q_starter_lock) < 0)
		goto out;
	rc = starter_create(db, who, in, json_array_size(bodies), added, &skipped);
	if (run_lock(db, &q_starter_unlock) < 0)
		rc = ST_ERROR;
	if (rc == ST_OK)
		*out = json_pack("{sI sI sO}", "added", (json_int_t)json_array_size(added),
		    "skipped", (json_int_t)skipped, "rules", added);
out:
	json_decref(added);
	json_decref(bodies);
	return rc;
}
