/* read_version.c - see read_version.h. */
#include "read_version.h"

DB_STMT(q_version, "SELECT " READ_VERSION_SQL " AS n");

int read_version(struct db *db, int64_t *version)
{
	return db_one_i64(db, &q_version, version);
}
