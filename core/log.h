/*
 * log.h - one line per message on stderr (systemd's journal takes it from
 * there). GOLDWATCH_LOG_FORMAT chooses the line's form for every binary:
 *   text (default): "goldwatch-api: error: db_exec: connection lost"
 *   json: {"time":"2026-12-01T23:59:00.123456Z","level":"error",
 *          "process":"goldwatch-api","function":"db_exec",
 *          "message":"connection lost","request_id":"..."}
 * one object a line, with the fields that are known (request_id while a
 * request is being served; route, status, duration_ms on the access line;
 * rule, alert, kpi, contact_point: log_set_field).
 * Log once, where the error happens; callers pass the error up without
 * logging it again. Never pass a password, token or cookie to these
 * functions.
 */
#ifndef GW_LOG_H
#define GW_LOG_H

#include <stdint.h>

#include "util.h"

#ifdef __cplusplus
extern "C" {
#endif

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG, LOG_LVL__MAX };
/* "error", "warning", "info", "debug" by level, then NULL (GOLDWATCH_LOG_LEVEL) */
extern const char *const log_level_names[LOG_LVL__MAX + 1];

enum log_format { LOG_FMT_TEXT, LOG_FMT_JSON, LOG_FMT__MAX };
/* "text", "json", then NULL (GOLDWATCH_LOG_FORMAT) */
extern const char *const log_format_names[LOG_FMT__MAX + 1];

/* Sets the program name used as prefix and the most verbose level shown. */
void log_init(const char *progname, enum log_level max);
/* The form of every line from now on (config_load sets it). */
void log_set_format(enum log_format fmt);
const char *log_progname(void);
void log_msg(enum log_level lvl, const char *func, const char *fmt, ...) GW_PRINTF(3, 4);
/* The last error line this thread logged ("function: message", cut at 300
 * bytes; "" when none): what a failed job records as its error. */
const char *log_last_error(void);
/* A raw line with only the program prefix (job summaries). */
void log_line(const char *fmt, ...) GW_PRINTF(1, 2);

/*
 * The request this thread serves: id (nginx's $request_id, at most 64
 * characters kept; NULL or "" for none) goes into every line the thread
 * writes until the next call (NULL ends it).
 */
void log_set_request(const char *id);
/* This thread's request id, "" when none. */
const char *log_request_id(void);
/*
 * What this thread's lines are about, in json: "rule", "alert" (ids, as
 * numbers), "kpi" and "contact_point", set while a rule, alert, KPI or
 * contact point is being worked on (value NULL or "" ends it; at most 64
 * characters kept), so a search finds every line about it.
 */
enum log_field { LOG_F_RULE, LOG_F_ALERT, LOG_F_KPI, LOG_F_CONTACT_POINT, LOG_F__MAX };
void log_set_field(enum log_field f, const char *value);
/*
 * The access line of one request: "METHOD PATH STATUS DURATIONus USER
 * rid=ID" in text; method, path, route (the route table's pattern, NULL
 * when none matched), status, duration_ms, user in json.
 */
void log_access(const char *method, const char *path, const char *route, int status,
    int64_t duration_us, const char *user);

#define log_err(...) log_msg(LOG_LVL_ERROR, __func__, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __func__, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __func__, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __func__, __VA_ARGS__)

#ifdef __cplusplus
}
#endif

#endif
