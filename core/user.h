/*
 * user.h - user accounts: create, read as JSON. Used by goldwatch-admin
 * and the API.
 */
#ifndef GW_USER_H
#define GW_USER_H

#include <jansson.h>
#include <stdint.h>

#include "auth.h"
#include "db.h"

/*
 * Creates a user (the caller validated the fields). Returns 0 and *id,
 * 1 if the user name is taken, -1 on a database or hashing error.
 */
int user_create(struct db *db, const char *username, const char *password,
    enum role role, const char *email, int64_t *id);

/* 1 if a user with this name exists, 0 if not, -1 on error. */
int user_exists(struct db *db, const char *username);

/* {"id","username","role","email","disabled","created_at","updated_at"}
 * from a row of a query selecting USER_COLUMNS. */
json_t *user_json(const PGresult *r, int row);
#define USER_COLUMNS "id, username, role, email, disabled, iso(created_at) AS created_at, iso(updated_at) AS updated_at"

#endif
