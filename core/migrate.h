/*
 * migrate.h - schema migrations: sql/migrations/NNNN_name.sql, applied in
 * order, each in its own transaction, recorded in schema_migrations.
 * Several hosts may run it at once: an advisory lock serialises them.
 */
#ifndef GW_MIGRATE_H
#define GW_MIGRATE_H

#include <stddef.h>

#include "db.h"

/*
 * Applies every migration in dir not yet recorded. Sets *applied to how
 * many ran. Returns 0, or -1 after logging the failing file (its
 * transaction is rolled back; earlier ones stay). A folder without any
 * migration is an error, refused before the database is touched.
 */
int migrate_run(struct db *db, const char *dir, int *applied);

/*
 * The migrations in dir (NNNN_name.sql), sorted, into *names (free with
 * migrate_names_free). 0, or -1 after logging (no folder, none in it, two
 * sharing a number).
 */
int migrate_list(const char *dir, char ***names, size_t *n);
void migrate_names_free(char **names, size_t n);

/* Reads a whole file into a NUL-terminated string; NULL on failure. */
char *file_read_all(const char *path, size_t *len);

#endif
