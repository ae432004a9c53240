/*
 * migrate.c - see migrate.h.
 */
#include "migrate.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

#define MIGRATE_LOCK "7089130201" /* pg_advisory_lock key: "goldwatch migrate" */

char *file_read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[8192];
	size_t n;

	if (f == NULL) {
		log_err("cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	if (ferror(f)) {
		log_err("cannot read %s", path);
		fclose(f);
		buf_free(&b);
		return NULL;
	}
	fclose(f);
	if (len)
		*len = b.len;
	return buf_detach(&b);
}

static int is_migration(const char *name)
{
	size_t n = strlen(name);
	if (n < 9 || strcmp(name + n - 4, ".sql") != 0)
		return 0;
	for (int i = 0; i < 4; i++)
		if (!isdigit((unsigned char)name[i]))
			return 0;
	return name[4] == '_';
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

DB_STMT(q_lock, "SELECT pg_try_advisory_lock(" MIGRATE_LOCK ")::int");
DB_STMT(q_unlock, "SELECT pg_advisory_unlock(" MIGRATE_LOCK ")");
static const char migrations_table[] =
    "CREATE SCHEMA IF NOT EXISTS goldwatch;"
    "CREATE TABLE IF NOT EXISTS goldwatch.schema_migrations ("
    " version integer PRIMARY KEY, name text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())";
DB_STMT(q_applied, "SELECT 1 FROM goldwatch.schema_migrations WHERE version = $1::int");
DB_STMT(q_record,
    "INSERT INTO goldwatch.schema_migrations (version, name) VALUES ($1::int, $2)");

static int apply_one(struct db *db, const char *dir, const char *name, int *applied)
{
	char version[5];
	char *path = NULL, *sql = NULL;
	PGresult *r;
	int rc = -1;

	memcpy(version, name, 4);
	version[4] = '\0';
	r = DB_EXEC(db, &q_applied, version);
	if (r == NULL)
		return -1;
	if (PQntuples(r) > 0) {
		PQclear(r);
		return 0;
	}
	PQclear(r);
	path = xasprintf("%s/%s", dir, name);
	sql = file_read_all(path, NULL);
	if (sql == NULL)
		goto out;
	/* a migration may build an index over millions of rows: no statement
	 * timeout inside its transaction */
	if (db_begin(db) < 0 || db_script(db, "SET LOCAL statement_timeout = 0") < 0)
		goto out;
	if (db_script(db, sql) < 0) {
		log_err("migration %s failed; rolled back", name);
		goto out;
	}
	if (DB_RUN(db, &q_record, version, name) < 0 || db_commit(db) < 0)
		goto out;
	log_info("applied %s", name);
	(*applied)++;
	rc = 0;
out:
	db_rollback(db);
	free(path);
	free(sql);
	return rc;
}

void migrate_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int migrate_list(const char *dir, char ***out, size_t *nout)
{
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;

	d = opendir(dir);
	if (d == NULL) {
		log_err("cannot open migrations folder %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (!is_migration(e->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	/* nothing to apply is a wrong folder (GOLDWATCH_DATA_DIR), not a schema */
	if (n == 0) {
		log_err("no migrations (NNNN_name.sql) in %s: is GOLDWATCH_DATA_DIR right?", dir);
		return -1;
	}
	qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 1; i < n; i++) {
		if (strncmp(names[i - 1], names[i], 4) == 0) {
			log_err("two migrations share number %.4s", names[i]);
			migrate_names_free(names, n);
			return -1;
		}
	}
	*out = names;
	*nout = n;
	return 0;
}

/*
 * Waits for the migration lock while another process holds it (a host
 * migrating at the same start), however long its migration takes: polled,
 * so the session's lock_timeout (db.c) does not end the wait. 0, or -1
 * (a database error, or still held after MIGRATE_WAIT_S).
 */
#define MIGRATE_WAIT_S 600
static int migrate_lock(struct db *db)
{
	for (int i = 0; i < MIGRATE_WAIT_S * 5; i++) {
		int64_t got;
		if (db_one_i64(db, &q_lock, &got) < 0)
			return -1;
		if (got)
			return 0;
		if (i == 0)
			log_info("another process is migrating the database: waiting for it");
		usleep(200000);
	}
	log_err("the migration lock was held for over %d s", MIGRATE_WAIT_S);
	return -1;
}

int migrate_run(struct db *db, const char *dir, int *applied)
{
	char **names = NULL;
	size_t n = 0;
	int rc = -1;

	*applied = 0;
	if (migrate_list(dir, &names, &n) < 0)
		return -1;
	if (migrate_lock(db) < 0)
		goto free_names;
	if (db_script(db, migrations_table) < 0)
		goto unlock;
	for (size_t i = 0; i < n; i++)
		if (apply_one(db, dir, names[i], applied) < 0)
			goto unlock;
	rc = 0;
unlock:
	(void)db_run(db, &q_unlock, 0, NULL);
free_names:
	migrate_names_free(names, n);
	return rc;
}
