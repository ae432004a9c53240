/*
 * config.c - table-driven environment configuration; see config.h.
 */
#include "config.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <strings.h>

#include "log.h"
#include "units.h"
#include "util.h"

#ifndef GW_DATADIR
#define GW_DATADIR "/usr/local/share/goldwatch"
#endif

/* CONF_WORD: one of a NULL-terminated word list, stored as its index */
enum conf_type { CONF_STR, CONF_INT, CONF_BOOL, CONF_WORD, CONF_TYPE__MAX };

struct conf_var {
	const char *env;
	enum conf_type type;
	size_t offset;
	const char *def;
	int64_t min, max;
	const char *const *words;
};

#define STR(env, field, def) {env, CONF_STR, offsetof(struct config, field), def, 0, 0, NULL}
#define BOOL(env, field, def) {env, CONF_BOOL, offsetof(struct config, field), def, 0, 0, NULL}
#define INT(env, field, def, lo, hi) \
	{env, CONF_INT, offsetof(struct config, field), def, lo, hi, NULL}
#define WORD(env, field, def, words) \
	{env, CONF_WORD, offsetof(struct config, field), def, 0, 0, words}

static const struct conf_var conf_vars[] = {
	/* first: the lines about the other settings already take its form */
	WORD("GOLDWATCH_LOG_FORMAT", log_format, "text", log_format_names),
	STR("DATABASE_URL", database_url, ""),
	STR("GOLDWATCH_READ_DATABASE_URL", read_database_url, ""),
	INT("GOLDWATCH_READ_MAX_LAG_MS", read_lag_ms, "2000", 0, 600000),
	STR("GOLDWATCH_TIMEZONE", timezone, "UTC"),
	STR("GOLDWATCH_CURRENCY", currency, "USD"),
	WORD("GOLDWATCH_WEIGHT_UNIT", weight_unit, "g", units_weight_codes),
	STR("GOLDWATCH_DATA_DIR", data_dir, GW_DATADIR),
	STR("GOLDWATCH_SOCKET", socket_path, "/run/goldwatch/api.sock"),
	STR("GOLDWATCH_BASE_URL", base_url, "http://127.0.0.1:8080"),
	STR("GOLDWATCH_ADMIN_EMAIL", admin_email, "admin@localhost"),
	STR("GOLDWATCH_ENV_FILE", env_file, "/etc/goldwatch/goldwatch.env"),
	STR("GOLDWATCH_SECRET_KEY", secret_key, ""),
	WORD("GOLDWATCH_LOG_LEVEL", log_level, "info", log_level_names),
	INT("GOLDWATCH_THREADS", threads, "4", 1, 256),
	INT("GOLDWATCH_BODY_LIMIT", body_limit, "1048576", 1024, 64 * 1048576),
	INT("GOLDWATCH_SESSION_HOURS", session_hours, "12", 1, 24 * 90),
	INT("GOLDWATCH_AUTH_CACHE_MS", auth_cache_ms, "1000", 0, 60000),
	INT("GOLDWATCH_READ_CACHE_KB", read_cache_kb, "16384", 0, 1048576),
	INT("GOLDWATCH_PAGE_CACHE_MS", page_cache_ms, "1000", 0, 10000),
	INT("GOLDWATCH_DB_CONNECT_TIMEOUT", db_timeout_s, "5", 1, 600),
	INT("GOLDWATCH_STATEMENT_TIMEOUT_MS", statement_ms, "30000", 0, 86400000),
	INT("GOLDWATCH_LOCK_TIMEOUT_MS", lock_ms, "5000", 0, 86400000),
	INT("GOLDWATCH_IDLE_TX_TIMEOUT_MS", idle_tx_ms, "15000", 0, 86400000),
	INT("GOLDWATCH_DB_TCP_TIMEOUT_MS", tcp_ms, "5000", 0, 600000),
	INT("GOLDWATCH_REQUEST_DEADLINE_MS", deadline_ms, "15000", 100, 600000),
	STR("GOLDWATCH_METRICS_ALLOW", metrics_allow, "127.0.0.1"),
	INT("GOLDWATCH_METRICS_CACHE_MS", metrics_cache_ms, "1000", 0, 60000),
	STR("SMTP_SERVER", smtp_server, ""),
	INT("SMTP_PORT", smtp_port, "587", 1, 65535),
	STR("SMTP_USERNAME", smtp_username, ""),
	STR("SMTP_PASSWORD", smtp_password, ""),
	BOOL("SMTP_USE_TLS", smtp_use_tls, "true"),
	STR("FROM_EMAIL", from_email, "goldwatch@localhost"),
	STR("GOLDWATCH_SMTP_CA_FILE", smtp_ca_file, ""),
	BOOL("GOLDWATCH_SMTP_INSECURE", smtp_insecure, "false"),
	INT("GOLDWATCH_SMTP_TIMEOUT", smtp_timeout_s, "20", 1, 600),
	STR("GOLDWATCH_SPOOL_DIR", spool_dir, "/var/spool/goldwatch"),
	INT("GOLDWATCH_MAIL_MAX_ATTEMPTS", mail_max_attempts, "8", 1, 100),
	INT("GOLDWATCH_ACK_LINK_DAYS", ack_link_days, "7", 1, 365),
	INT("GOLDWATCH_HTTP_CONNECT_TIMEOUT_MS", http_connect_ms, "3000", 100, 60000),
	INT("GOLDWATCH_HTTP_TIMEOUT_MS", http_timeout_ms, "10000", 100, 120000),
	STR("GOLDWATCH_PUSHER_SOCKET", pusher_socket, "/run/goldwatch-pusher/pusher.sock"),
	INT("GOLDWATCH_PUSHER_QUEUE", pusher_queue, "1024", 16, 1048576),
	INT("GOLDWATCH_PUSHER_PING", pusher_ping_s, "30", 1, 3600),
	INT("GOLDWATCH_PUSHER_RECHECK", pusher_recheck_s, "5", 1, 3600),
	INT("GOLDWATCH_ESCALATION_MAX_LEVEL", escalate_max, "3", 1, 100),
	INT("GOLDWATCH_RETENTION_ALERTS_DAYS", keep_alerts_days, "365", 1, 36500),
	INT("GOLDWATCH_RETENTION_SAMPLES_DAYS", keep_samples_days, "90", 1, 36500),
	INT("GOLDWATCH_RETENTION_EVENTS_DAYS", keep_events_days, "30", 1, 36500),
	INT("GOLDWATCH_RETENTION_MAIL_DAYS", keep_mail_days, "30", 1, 36500),
	INT("GOLDWATCH_CLEANUP_BATCH", cleanup_batch, "5000", 1, 1000000),
	BOOL("GOLDWATCH_DIGEST_SEND_EMPTY", digest_empty, "false"),
	BOOL("GOLDWATCH_SYSTEM_CHECKS", system_checks, "true"),
};

int config_bool(const char *v)
{
	return v && (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0 ||
	    strcasecmp(v, "yes") == 0 || strcasecmp(v, "on") == 0);
}

/* The index of v in the NULL-terminated words (any case), or -1. */
static int word_index(const char *const *words, const char *v)
{
	for (int i = 0; words[i]; i++)
		if (strcasecmp(v, words[i]) == 0)
			return i;
	return -1;
}

static const char *const bool_words[] = {"true", "false", "1", "0", "yes", "no", "on", "off",
    NULL};

/* "a, b, c" of a word list, for the error line. */
static void word_list(const char *const *words, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (int i = 0; words[i] && used < len; i++)
		used += (size_t)snprintf(out + used, len - used, "%s%s", i ? ", " : "", words[i]);
}

/*
 * A zone the system's tz database has (PostgreSQL and localtime_r() read
 * the same files on Debian). Where there is no database to ask, any
 * well-formed name passes and PostgreSQL has the last word.
 */
static int zone_known(const char *tz)
{
	const char *dir = getenv("TZDIR");
	char path[512];
	struct stat st;

	if (dir == NULL || dir[0] == '\0')
		dir = "/usr/share/zoneinfo";
	if (tz[0] == '\0' || tz[0] == '/')
		return 0;
	if (strcmp(tz, "UTC") == 0 || stat(dir, &st) < 0)
		return 1;
	snprintf(path, sizeof(path), "%s/%s", dir, tz);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* What a setting's type cannot check: the values that must name something real. */
static int config_check(struct config *cfg)
{
	const char *bad;
	size_t badlen;

	for (const char *p = cfg->timezone; *p; p++) {
		if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p)) {
			log_err("GOLDWATCH_TIMEZONE is not a time zone name");
			return -1;
		}
	}
	if (cfg->secret_key[0] && (strlen(cfg->secret_key) != 64 ||
	    strspn(cfg->secret_key, "0123456789abcdefABCDEF") != 64)) {
		log_err("GOLDWATCH_SECRET_KEY must be 64 hex digits (32 random bytes:"
		    " od -An -tx1 -N32 /dev/urandom | tr -d ' \\n')");
		return -1;
	}
	if (addr_list_parse(cfg->metrics_allow, &cfg->metrics_nets, &bad, &badlen) < 0) {
		log_err("GOLDWATCH_METRICS_ALLOW: \"%.*s\" is not an address or CIDR (at most %d,"
		    " comma-separated, e.g. 127.0.0.1,10.0.0.0/8,::1)", (int)badlen, bad,
		    ADDR_LIST_MAX);
		return -1;
	}
	if (!zone_known(cfg->timezone)) {
		log_err("GOLDWATCH_TIMEZONE \"%s\" is not a time zone (see /usr/share/zoneinfo)",
		    cfg->timezone);
		return -1;
	}
	if (units_currency(cfg->currency) == NULL) {
		log_err("GOLDWATCH_CURRENCY \"%.8s\" is not a currency goldwatch knows: an ISO 4217"
		    " code in capitals, e.g. USD, EUR, GBP, INR, AED, SAR, KWD, JPY", cfg->currency);
		return -1;
	}
	/* every formatter of this process shows the shop's units from here on */
	units_set(units_currency(cfg->currency),
	    units_weight(units_weight_codes[cfg->weight_unit]));
	return 0;
}

int config_load(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < GW_ARRAY_LEN(conf_vars); i++) {
		const struct conf_var *v = &conf_vars[i];
		const char *val = getenv(v->env);
		char *field = (char *)cfg + v->offset;

		if (val == NULL || *val == '\0')
			val = v->def;
		switch (v->type) {
		case CONF_STR:
			*(char **)field = xstrdup(val);
			break;
		case CONF_BOOL:
			if (word_index(bool_words, val) < 0) {
				log_err("%s must be true or false", v->env);
				goto fail;
			}
			*(int64_t *)field = config_bool(val);
			break;
		case CONF_INT:
			if (parse_int64(val, v->min, v->max, (int64_t *)field) < 0) {
				log_err("%s must be a whole number from %lld to %lld",
				    v->env, (long long)v->min, (long long)v->max);
				goto fail;
			}
			break;
		case CONF_WORD: {
			int w = word_index(v->words, val);
			char list[128];

			if (w < 0) {
				word_list(v->words, list, sizeof(list));
				log_err("%s must be one of %s", v->env, list);
				goto fail;
			}
			*(int64_t *)field = w;
			if (v->offset == offsetof(struct config, log_format))
				log_set_format((enum log_format)w);
			break;
		}
		case CONF_TYPE__MAX:
			break;
		}
	}
	if (config_check(cfg) < 0)
		goto fail;
	return 0;
fail:
	config_free(cfg);
	return -1;
}

void config_free(struct config *cfg)
{
	for (size_t i = 0; i < GW_ARRAY_LEN(conf_vars); i++) {
		if (conf_vars[i].type != CONF_STR)
			continue;
		char **field = (char **)((char *)cfg + conf_vars[i].offset);
		free(*field);
		*field = NULL;
	}
}

char *config_path(const struct config *cfg, const char *sub, const char *name)
{
	return xasprintf("%s/%s/%s", cfg->data_dir, sub, name);
}
