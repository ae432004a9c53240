/*
 * admin.h - what goldwatch-admin's commands share: the options a command
 * line was read into, the principal the command line acts as, and each
 * command's handler. main.c holds the table of commands and reads the
 * command line; each other file of admin/ is one command or two.
 *
 * A handler returns 0 when done, 1 on a failure (said), 2 on a usage
 * error (said).
 */
#ifndef GW_ADMIN_H
#define GW_ADMIN_H

#include "auth.h"
#include "config.h"
#include "db.h"

/* One option of a command: "--name VALUE" (or --name=VALUE), or a flag. */
struct opt_spec {
	const char *name;       /* without the dashes */
	int has_value;
};

#define MAX_OPTS 8

/* A command line read against its command's options. */
struct args {
	const char *value[MAX_OPTS];   /* by the index in the command's opts */
	int given[MAX_OPTS];
	char **pos;                    /* the words that are no option */
	int npos;
	const struct command *cmd;
};

struct command;

/* The value of option name, or NULL when it was not given. */
const char *arg(const struct args *a, const char *name);
/* Whether the flag name was given. */
int flag(const struct args *a, const char *name);
/* Prints every command's usage to stderr: 2. */
int usage(void);

/*
 * The command line acts as this principal: its audit rows name
 * "goldwatch-admin" as the actor (no user id: nobody signed in).
 */
extern const struct principal admin_cli;

/* install.c */
int cmd_migrate(struct db *db, const struct config *cfg, const struct args *a);
int cmd_schedule(struct db *db, const struct config *cfg, const struct args *a);
/* users.c */
int cmd_user_add(struct db *db, const struct config *cfg, const struct args *a);
/* rules.c; load_starter() is also the demo's last step */
int cmd_rules_load_starter(struct db *db, const struct config *cfg, const struct args *a);
int load_starter(struct db *db, const struct config *cfg);
/* history.c; demo_backfill() is the demo's history: its days at 1 h, the
 * last day at the evaluation's 5 minutes. -1 on a failure (said). */
int cmd_backfill(struct db *db, const struct config *cfg, const struct args *a);
int demo_backfill(struct db *db, const struct config *cfg, int64_t now_us, int64_t days);
/* doctor.c: reads the configuration itself (its problems are a check) */
int cmd_doctor(struct db *db, const struct config *cfg, const struct args *a);
/* demo.c */
int cmd_demo(struct db *db, const struct config *cfg, const struct args *a);
int cmd_demo_trade(struct db *db, const struct config *cfg, const struct args *a);

#endif
