/*
 * doctor.c - goldwatch-admin doctor: checks what goldwatch needs to work
 * and prints one line per check (check, ok/warn/FAIL, detail); a FAIL
 * line says what to do. Exit 0 when nothing failed (warnings allowed), 1
 * when something did. Nothing is sent: the SMTP server gets a session
 * with no mail in it, a contact point's receiver a connection with no
 * request. No secret is printed: URLs as their hint (host, path hidden),
 * errors as mail_send and http_send word them (never the password).
 *
 * The jobs, the pushers and the database are judged on the figures GET
 * /api/status shows (core/status_store.c).
 */
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "admin.h"
#include "contact_point_store.h"
#include "http_send.h"
#include "log.h"
#include "mail_send.h"
#include "secret.h"
#include "status_store.h"

enum verdict { D_OK, D_WARN, D_FAIL };

struct doctor {
	const struct config *cfg;
	struct db *db;
	int failed;
};

static void say(struct doctor *d, const char *check, enum verdict v, const char *fmt, ...)
    GW_PRINTF(4, 5);
static void say(struct doctor *d, const char *check, enum verdict v, const char *fmt, ...)
{
	static const char *const words[] = {"ok", "warn", "FAIL"};
	char detail[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	printf("%-28s %-6s %s\n", check, words[v], detail);
	d->failed |= v == D_FAIL;
}

/* The last error line logged, for a detail ("" when none). */
static const char *last_error(void)
{
	const char *e = log_last_error();
	return e && e[0] ? e : "see the error above";
}

static void check_env_file(struct doctor *d)
{
	const char *path = d->cfg->env_file;
	struct stat st;
	struct passwd *pw;
	char owner[64];

	if (stat(path, &st) < 0) {
		say(d, "env file", D_WARN, "%s does not exist: the settings come from the"
		    " environment alone (GOLDWATCH_ENV_FILE names the file the units read)", path);
		return;
	}
	pw = getpwuid(st.st_uid);
	snprintf(owner, sizeof(owner), "%s", pw ? pw->pw_name : "?");
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		say(d, "env file", D_FAIL, "%s is mode %04o (owner %s): others can read its secrets;"
		    " run chmod 0600 %s", path, (unsigned)(st.st_mode & 07777), owner, path);
		return;
	}
	say(d, "env file", D_OK, "%s mode %04o, owner %s", path, (unsigned)(st.st_mode & 07777),
	    owner);
}

/* Whether a key is set; whether each sealed secret opens with it is told
 * per contact point (contact_point_line). */
static void check_secret_key(struct doctor *d)
{
	if (!secret_available(d->cfg)) {
		say(d, "secret key", D_FAIL, "GOLDWATCH_SECRET_KEY is not set: contact points' secrets"
		    " can be neither sealed nor opened; restore the key they were sealed with, or make"
		    " one (64 hex digits) for a new install (docs/DEPLOY.md)");
		return;
	}
	say(d, "secret key", D_OK, "GOLDWATCH_SECRET_KEY set (64 hex digits)");
}

static void check_database(struct doctor *d, json_t **status_db)
{
	char *dir = config_path(d->cfg, "sql", "migrations");
	json_t *pending, *applied;
	json_int_t n;

	if (status_database(d->db, dir, status_db) != ST_OK) {
		say(d, "database", D_FAIL, "cannot reach PostgreSQL (%s): check DATABASE_URL and that"
		    " the server runs", last_error());
		free(dir);
		return;
	}
	free(dir);
	say(d, "database", D_OK, "connected, round trip %.1f ms",
	    json_real_value(json_object_get(*status_db, "latency_ms")));
	pending = json_object_get(*status_db, "pending");
	applied = json_object_get(*status_db, "schema_version");
	n = json_integer_value(pending);
	if (json_is_null(pending))
		say(d, "migrations", D_WARN, "cannot read the migrations folder (%s): is"
		    " GOLDWATCH_DATA_DIR right?", last_error());
	else if (n > 0)
		say(d, "migrations", D_FAIL, "%lld migration(s) on disk not applied (newest %lld,"
		    " applied %lld): run goldwatch-admin migrate", (long long)n,
		    (long long)json_integer_value(json_object_get(*status_db, "migrations_on_disk")),
		    (long long)json_integer_value(applied));
	else
		say(d, "migrations", D_OK, "all applied (schema version %lld)",
		    (long long)json_integer_value(applied));
}

static void job_line(struct doctor *d, const json_t *j)
{
	const char *name = json_string_value(json_object_get(j, "name"));
	const char *state = json_string_value(json_object_get(j, "state"));
	const char *every = json_string_value(json_object_get(j, "schedule"));
	const char *started = json_string_value(json_object_get(j, "started_at"));
	const char *error = json_string_value(json_object_get(j, "error"));
	char check[64];

	snprintf(check, sizeof(check), "job %s", name);
	if (strcmp(state, "never_ran") == 0)
		say(d, check, D_WARN, "has never run (%s): systemctl enable --now"
		    " goldwatch-%s.timer", every, name);
	else if (strcmp(state, "failed") == 0)
		say(d, check, D_FAIL, "the last run (%s) failed: %s; see journalctl -u"
		    " goldwatch-%s", started, error ? error : "no error recorded", name);
	else if (strcmp(state, "overdue") == 0)
		say(d, check, D_FAIL, "overdue: last run %s, runs %s; check systemctl status"
		    " goldwatch-%s.timer", started, every, name);
	else
		say(d, check, D_OK, "last run %s ok (%s)", started, every);
}

static void check_jobs(struct doctor *d)
{
	struct schedule s;
	json_t *jobs = NULL, *j;
	size_t i;

	if (schedule_init(&s, NULL) < 0 ||
	    status_jobs(d->db, &s, time_now_us(), &jobs) != ST_OK) {
		say(d, "jobs", D_FAIL, "cannot read the jobs' runs (%s)", last_error());
		return;
	}
	json_array_foreach(jobs, i, j)
		job_line(d, j);
	json_decref(jobs);
}

static void check_smtp(struct doctor *d)
{
	const struct config *cfg = d->cfg;
	struct mail_sender *s;
	char err[600];

	if (cfg->smtp_server[0] == '\0') {
		say(d, "smtp", D_WARN, "no SMTP_SERVER: mail is written as .eml files to %s, not sent",
		    cfg->spool_dir);
		return;
	}
	if ((s = mail_sender_new(cfg)) == NULL) {
		say(d, "smtp", D_FAIL, "the mail settings are not usable (%s): fix them in the env file",
		    last_error());
		return;
	}
	if (mail_sender_probe(s, cfg->smtp_timeout_s * 1000, err, sizeof(err)) < 0)
		say(d, "smtp", D_FAIL, "%s; check SMTP_SERVER, SMTP_PORT and that the server runs", err);
	else
		say(d, "smtp", D_OK, "%s:%lld answers (EHLO%s%s, NOOP), no mail sent", cfg->smtp_server,
		    (long long)cfg->smtp_port, cfg->smtp_use_tls || cfg->smtp_port == 465 ? ", TLS" : "",
		    cfg->smtp_username[0] ? ", login" : "");
	mail_sender_free(s);
}

/* The URL a contact point's messages go to (NULL: e-mail, none). */
static const char *target_url(const struct cp_target *t)
{
	switch (t->kind) {
	case CP_WEBHOOK:
		return json_string_value(json_object_get(t->settings, "url"));
	case CP_SLACK:
		return json_string_value(json_object_get(t->secrets, "url"));
	case CP_TELEGRAM:
		return json_string_value(json_object_get(t->settings, "api_base"));
	default:
		return NULL;
	}
}

static void contact_point_line(struct doctor *d, int64_t id, const char *name)
{
	struct cp_target t = {0};
	struct http_result res;
	char check[64], hint[300];
	const char *url;

	snprintf(check, sizeof(check), "contact point %.40s", name);
	if (cp_target_load(d->db, d->cfg, id, &t) != ST_OK) {
		say(d, check, D_FAIL, "its secrets do not open with GOLDWATCH_SECRET_KEY (%s): restore"
		    " the key they were sealed with, or enter them again", last_error());
		return;
	}
	if ((url = target_url(&t)) == NULL) {
		say(d, check, D_OK, "e-mail: goes through the SMTP check");
	} else {
		cp_url_hint(url, hint, sizeof(hint));
		if (http_probe(d->cfg, url, &res) < 0)
			say(d, check, D_FAIL, "cannot connect to %s: %s; check its URL, DNS and the"
			    " firewall", hint, res.error);
		else
			say(d, check, D_OK, "%s connects (%.0f ms), nothing sent", hint,
			    (double)res.duration_us / 1000.0);
	}
	cp_target_free(&t);
}

static void check_contact_points(struct doctor *d)
{
	json_t *del = NULL, *cp;
	size_t i;

	if (status_deliveries(d->db, &del) != ST_OK) {
		say(d, "contact points", D_FAIL, "cannot read them (%s)", last_error());
		return;
	}
	json_array_foreach(json_object_get(del, "contact_points"), i, cp)
		contact_point_line(d, json_integer_value(json_object_get(cp, "id")),
		    json_string_value(json_object_get(cp, "name")));
	if (json_array_size(json_object_get(del, "contact_points")) == 0)
		say(d, "contact points", D_OK, "none");
	json_decref(del);
}

static void check_pusher(struct doctor *d)
{
	json_t *beats = NULL, *newest;

	if (status_pushers(d->db, &beats) != ST_OK) {
		say(d, "pusher", D_FAIL, "cannot read the heartbeats (%s)", last_error());
		return;
	}
	newest = json_array_get(beats, 0);
	if (newest == NULL)
		say(d, "pusher", D_FAIL, "no pusher has ever beaten: systemctl status goldwatch-pusher");
	else if (!json_is_true(json_object_get(newest, "up")))
		say(d, "pusher", D_FAIL, "the last heartbeat is %.0f s old (%s): systemctl status"
		    " goldwatch-pusher", json_real_value(json_object_get(newest, "seconds_since_beat")),
		    json_string_value(json_object_get(newest, "instance")));
	else
		say(d, "pusher", D_OK, "%s beat %.0f s ago, %lld client(s), %lld event(s) behind",
		    json_string_value(json_object_get(newest, "instance")),
		    json_real_value(json_object_get(newest, "seconds_since_beat")),
		    (long long)json_integer_value(json_object_get(newest, "clients")),
		    (long long)json_integer_value(json_object_get(newest, "lag_events")));
	json_decref(beats);
}

/* The checks that need the database, once it answers. */
static void check_with_db(struct doctor *d)
{
	json_t *status_db = NULL;

	check_database(d, &status_db);
	if (status_db == NULL)
		return;
	json_decref(status_db);
	check_jobs(d);
	check_contact_points(d);
	check_pusher(d);
}

int cmd_doctor(struct db *db, const struct config *unused, const struct args *a)
{
	struct doctor d = {0};
	struct config cfg;

	(void)db;
	(void)unused;
	(void)a;
	printf("%-28s %-6s %s\n", "CHECK", "STATUS", "DETAIL");
	if (config_load(&cfg) < 0) {
		say(&d, "configuration", D_FAIL, "%s: fix it in the env file", last_error());
		return 1;
	}
	d.cfg = &cfg;
	if (mail_config_check(&cfg) < 0)
		say(&d, "configuration", D_FAIL, "%s: fix it in the env file", last_error());
	else
		say(&d, "configuration", D_OK, "loaded and valid");
	check_env_file(&d);
	check_secret_key(&d);
	if (auth_init() < 0 || (d.db = db_open(&cfg)) == NULL)
		say(&d, "database", D_FAIL, "cannot connect (%s): check DATABASE_URL and that"
		    " PostgreSQL runs", last_error());
	else
		check_with_db(&d);
	check_smtp(&d);
	db_close(d.db);
	config_free(&cfg);
	return d.failed ? 1 : 0;
}
