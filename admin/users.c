/*
 * users.c - goldwatch-admin user add: the API's field table and user store,
 * the password from the first line of stdin (wiped after use).
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "log.h"
#include "user_store.h"
#include "valid.h"

static int read_password(char *out, size_t cap)
{
	size_t n;

	if (fgets(out, (int)cap, stdin) == NULL)
		return -1;
	n = strlen(out);
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		out[--n] = '\0';
	return 0;
}

/* Wipes the password jansson copied into body, then frees body. */
static void body_free(json_t *body)
{
	json_t *pw = json_object_get(body, "password");

	if (json_is_string(pw))
		sodium_memzero((char *)json_string_value(pw), json_string_length(pw));
	json_decref(body);
}

int cmd_user_add(struct db *db, const struct config *cfg, const struct args *a)
{
	const char *name, *role_s = arg(a, "role");
	const char *email = arg(a, "email");
	int if_absent = flag(a, "if-absent");
	struct user_input in;
	struct verror err;
	char pw[1100];
	json_t *body, *out = NULL;
	enum store_rc rc;
	int exists;

	(void)cfg;
	if (a->npos != 1 || role_s == NULL)
		return usage();
	name = a->pos[0];
	/* before the password is asked for: --if-absent reads no stdin then */
	if ((exists = user_exists(db, name)) < 0)
		return 1;
	if (exists && if_absent) {
		log_line("user %s exists: unchanged", name);
		return 0;
	}
	if (exists) {
		log_err("user %s exists", name);
		return 1;
	}
	if (isatty(STDIN_FILENO))
		fprintf(stderr, "password for %s (at least 12 characters): ", name);
	if (read_password(pw, sizeof(pw)) < 0 || !valid_password(pw)) {
		sodium_memzero(pw, sizeof(pw));
		log_err("the password (first line of stdin) must be 12 to 1024 characters");
		return 1;
	}
	/* the API's field table checks what the API's body would carry */
	body = json_pack("{ss ss ss so}", "username", name, "password", pw,
	    "role", role_s, "email", email ? json_string(email) : json_null());
	sodium_memzero(pw, sizeof(pw));
	if (body == NULL)
		log_err("the user name, role and e-mail address must be UTF-8 text");
	rc = body == NULL ? ST_ERROR :
	    valid_decode(body, user_fields, user_nfields, &in, &err) < 0 ? ST_INVALID :
	    user_create(db, &admin_cli, &in, &out, &err);
	body_free(body);
	if (rc == ST_INVALID || rc == ST_CONFLICT)
		log_err("user %s: %s", name, err.message);
	if (rc != ST_OK)
		return 1;
	log_line("user %s created with role %s (id %lld)", name,
	    json_string_value(json_object_get(out, "role")),
	    (long long)json_integer_value(json_object_get(out, "id")));
	json_decref(out);
	return 0;
}
