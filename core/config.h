/*
 * config.h - the whole configuration, read once from the environment at
 * start (systemd units read it from one EnvironmentFile). No other code
 * reads a setting from the environment (goldwatch-api reads only systemd's
 * LISTEN_PID and LISTEN_FDS). libpq reads its own PG* variables, or
 * DATABASE_URL when set.
 */
#ifndef GW_CONFIG_H
#define GW_CONFIG_H

#include <stdint.h>

#include "addr_list.h"

struct config {
	char *database_url;      /* DATABASE_URL, "" = libpq's PG* variables */
	char *read_database_url; /* GOLDWATCH_READ_DATABASE_URL: a streaming replica
	                          * the API's reads may use; "" = none (read_db.h) */
	int64_t read_lag_ms;     /* GOLDWATCH_READ_MAX_LAG_MS: a replica further
	                          * behind is not read from */
	char *timezone;          /* GOLDWATCH_TIMEZONE: the shop's zone */
	char *currency;          /* GOLDWATCH_CURRENCY: ISO 4217 code (units.h) */
	int64_t weight_unit;     /* GOLDWATCH_WEIGHT_UNIT: index in units_weight_codes */
	char *data_dir;          /* GOLDWATCH_DATA_DIR: templates/ static/ sql/ */
	char *socket_path;       /* GOLDWATCH_SOCKET: FastCGI socket of the API */
	char *base_url;          /* GOLDWATCH_BASE_URL: links in mail */
	char *admin_email;       /* GOLDWATCH_ADMIN_EMAIL: the starter rules' recipient */
	char *env_file;          /* GOLDWATCH_ENV_FILE: where the settings are kept
	                          * (goldwatch-admin doctor checks its mode) */
	char *secret_key;        /* GOLDWATCH_SECRET_KEY: 64 hex digits sealing the
	                          * contact points' secrets (secret.h); never logged */
	int64_t log_level;       /* GOLDWATCH_LOG_LEVEL: an enum log_level (log.h) */
	int64_t log_format;      /* GOLDWATCH_LOG_FORMAT: an enum log_format (log.h) */
	int64_t threads;         /* GOLDWATCH_THREADS: API worker threads */
	int64_t body_limit;      /* GOLDWATCH_BODY_LIMIT: request body bytes */
	int64_t session_hours;   /* GOLDWATCH_SESSION_HOURS */
	int64_t auth_cache_ms;   /* GOLDWATCH_AUTH_CACHE_MS: 0 = look up every time */
	int64_t read_cache_kb;   /* GOLDWATCH_READ_CACHE_KB: 0 = no read cache */
	int64_t page_cache_ms;   /* GOLDWATCH_PAGE_CACHE_MS: 0 = every page rendered */
	int64_t db_timeout_s;    /* GOLDWATCH_DB_CONNECT_TIMEOUT */
	int64_t statement_ms;    /* GOLDWATCH_STATEMENT_TIMEOUT_MS */
	int64_t lock_ms;         /* GOLDWATCH_LOCK_TIMEOUT_MS: the longest wait for a lock */
	int64_t idle_tx_ms;      /* GOLDWATCH_IDLE_TX_TIMEOUT_MS: a transaction left idle ends */
	int64_t tcp_ms;          /* GOLDWATCH_DB_TCP_TIMEOUT_MS: unacknowledged data, dead peer */
	int64_t deadline_ms;     /* GOLDWATCH_REQUEST_DEADLINE_MS: a request's waits on the database */
	char *metrics_allow;     /* GOLDWATCH_METRICS_ALLOW: who scrapes /metrics
	                          * without a token (addresses, CIDRs) */
	struct addr_list metrics_nets; /* the same, parsed */
	int64_t metrics_cache_ms; /* GOLDWATCH_METRICS_CACHE_MS: how long a process
	                          * shares the database's figures; 0 = each scrape */
	/* e-mail (names as in the original system) */
	char *smtp_server;       /* SMTP_SERVER, "" = spool .eml files */
	int64_t smtp_port;       /* SMTP_PORT */
	char *smtp_username;     /* SMTP_USERNAME */
	char *smtp_password;     /* SMTP_PASSWORD: never logged */
	int64_t smtp_use_tls;     /* SMTP_USE_TLS: true/false */
	char *from_email;        /* FROM_EMAIL */
	char *smtp_ca_file;      /* GOLDWATCH_SMTP_CA_FILE */
	int64_t smtp_insecure;    /* GOLDWATCH_SMTP_INSECURE: skip cert checks */
	int64_t smtp_timeout_s;  /* GOLDWATCH_SMTP_TIMEOUT */
	char *spool_dir;         /* GOLDWATCH_SPOOL_DIR */
	int64_t mail_max_attempts; /* GOLDWATCH_MAIL_MAX_ATTEMPTS */
	int64_t ack_link_days;   /* GOLDWATCH_ACK_LINK_DAYS */
	/* contact points' HTTP receivers (webhooks, chats) */
	int64_t http_connect_ms; /* GOLDWATCH_HTTP_CONNECT_TIMEOUT_MS */
	int64_t http_timeout_ms; /* GOLDWATCH_HTTP_TIMEOUT_MS: the whole request */
	/* live updates */
	char *pusher_socket;     /* GOLDWATCH_PUSHER_SOCKET */
	int64_t pusher_queue;    /* GOLDWATCH_PUSHER_QUEUE: events per client */
	int64_t pusher_ping_s;   /* GOLDWATCH_PUSHER_PING */
	int64_t pusher_recheck_s; /* GOLDWATCH_PUSHER_RECHECK: credentials re-checked */
	/* jobs */
	int64_t escalate_max;    /* GOLDWATCH_ESCALATION_MAX_LEVEL */
	int64_t keep_alerts_days;  /* GOLDWATCH_RETENTION_ALERTS_DAYS */
	int64_t keep_samples_days; /* GOLDWATCH_RETENTION_SAMPLES_DAYS */
	int64_t keep_events_days;  /* GOLDWATCH_RETENTION_EVENTS_DAYS */
	int64_t keep_mail_days;    /* GOLDWATCH_RETENTION_MAIL_DAYS */
	int64_t cleanup_batch;     /* GOLDWATCH_CLEANUP_BATCH */
	int64_t digest_empty;     /* GOLDWATCH_DIGEST_SEND_EMPTY: true/false */
	int64_t system_checks;    /* GOLDWATCH_SYSTEM_CHECKS: the system rules' checks run */
};

/*
 * Fills cfg from the environment, with defaults for what is unset.
 * Returns 0, or -1 after logging one line that names the bad variable.
 */
int config_load(struct config *cfg);
void config_free(struct config *cfg);

/* "true"/"1"/"yes"/"on" (any case) is true; everything else false. */
int config_bool(const char *v);

/* The path of a file below data_dir ("templates", "x.tpl"): caller frees. */
char *config_path(const struct config *cfg, const char *sub, const char *name);

#endif
