/*
 * log.h - one line per message on stderr (systemd's journal takes it from
 * there): "goldwatch-api: error: db_exec: connection lost". Log once, where
 * the error happens; callers pass the error up without logging it again.
 * Never pass a password, token or cookie to these functions.
 */
#ifndef GW_LOG_H
#define GW_LOG_H

#include "util.h"

#ifdef __cplusplus
extern "C" {
#endif

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG, LOG_LVL__MAX };
/* "error", "warning", "info", "debug" by level, then NULL (GOLDWATCH_LOG_LEVEL) */
extern const char *const log_level_names[LOG_LVL__MAX + 1];

/* Sets the program name used as prefix and the most verbose level shown. */
void log_init(const char *progname, enum log_level max);
const char *log_progname(void);
void log_msg(enum log_level lvl, const char *func, const char *fmt, ...) GW_PRINTF(3, 4);
/* A raw line with only the program prefix (access log, job summaries). */
void log_line(const char *fmt, ...) GW_PRINTF(1, 2);

#define log_err(...) log_msg(LOG_LVL_ERROR, __func__, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __func__, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __func__, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __func__, __VA_ARGS__)

#ifdef __cplusplus
}
#endif

#endif
