/*
 * install.c - goldwatch-admin's install-time commands: migrate (the
 * schema, and the key that signs acknowledge links) and schedule (the
 * lines install.sh writes the timers' OnCalendar= from).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

#include "admin.h"
#include "log.h"
#include "migrate.h"
#include "schedule.h"
#include "util.h"

DB_STMT(q_secret,
    "INSERT INTO app_secrets (name, value) VALUES ($1, decode($2, 'hex'))"
    " ON CONFLICT (name) DO NOTHING");

int cmd_migrate(struct db *db, const struct config *cfg, const struct args *a)
{
	char *dir = config_path(cfg, "sql", "migrations");
	unsigned char key[32];
	char hex[65];
	int applied = 0, rc;

	(void)a;
	rc = migrate_run(db, dir, &applied);
	free(dir);
	if (rc < 0)
		return 1;
	/* the cluster-wide key that signs acknowledge links in mail */
	randombytes_buf(key, sizeof(key));
	hex_encode(key, sizeof(key), hex);
	sodium_memzero(key, sizeof(key));
	rc = DB_RUN(db, &q_secret, "ack_link_key", hex);
	sodium_memzero(hex, sizeof(hex));
	if (rc < 0)
		return 1;
	log_line("migrate: %d migration(s) applied", applied);
	return 0;
}

/* install.sh writes each timer's OnCalendar= from these lines */
int cmd_schedule(struct db *db, const struct config *cfg, const struct args *a)
{
	struct schedule s;
	char cal[40];

	(void)db;
	(void)cfg;
	if (schedule_init(&s, arg(a, "digest-time")) < 0) {
		fprintf(stderr, "goldwatch-admin: --digest-time must be HH:MM (00:00-23:59)\n");
		return 2;
	}
	for (int i = 0; i < SCHEDULE_JOBS; i++) {
		schedule_calendar(&s.jobs[i], cal, sizeof(cal));
		printf("%s %s\n", s.jobs[i].job, cal);
	}
	return 0;
}
