/*
 * mail_send.h - the transport of finished messages: SMTP through libcurl
 * (SMTP_SERVER set), or .eml files in the spool folder (no SMTP_SERVER).
 *
 * SMTP: port 465 is implicit TLS (smtps://); otherwise SMTP_USE_TLS=true
 * requires STARTTLS (a server that does not offer it is an error, never a
 * silent fallback to plain text). The certificate is verified against
 * GOLDWATCH_SMTP_CA_FILE or the system's CAs unless GOLDWATCH_SMTP_INSECURE
 * says otherwise. One sender keeps one curl easy handle, so consecutive
 * messages reuse one connection (no new TCP, TLS and AUTH per message).
 * A sender belongs to one thread. SMTP_PASSWORD is handed to libcurl
 * only, never written to a log or an error text.
 */
#ifndef GW_MAIL_SEND_H
#define GW_MAIL_SEND_H

#include <stdint.h>

#include "config.h"
#include "util.h"

/*
 * Checks the mail settings beyond their types (config_load did those):
 * SMTP_SERVER is a host name, FROM_EMAIL one address, username and
 * password come together, the CA file is readable; without SMTP_SERVER,
 * the spool folder exists (it is made) and is writable. Warns about
 * GOLDWATCH_SMTP_INSECURE and passwords sent without TLS. Returns 0, or
 * -1 after logging one line that names the setting.
 */
int mail_config_check(const struct config *cfg);

enum mail_send_rc {
	MAIL_SENT,
	MAIL_RETRY,        /* this message failed for now: try it again later */
	MAIL_REJECTED,     /* the server refused this message for good (5xx) */
	MAIL_SERVER_DOWN,  /* no message can go now (connect, TLS, login) */
	MAIL_SEND_RC__MAX
};

struct mail_sender;

/*
 * A sender for cfg (which must outlive it). Returns NULL after logging if
 * the settings are bad (mail_config_check) or libcurl cannot start.
 */
struct mail_sender *mail_sender_new(const struct config *cfg);
/* Ends the SMTP session (QUIT) and frees the sender; NULL is fine. */
void mail_sender_free(struct mail_sender *s);

/*
 * Sends message (a whole RFC 5322 message, CRLF line ends) to rcpt, or
 * writes it to the spool as NAME.eml (temporary file, fsync, rename).
 * timeout_ms > 0 caps this message's connect and transfer time below
 * GOLDWATCH_SMTP_TIMEOUT. On failure err gets one line for last_error
 * (never the password). Logs nothing: the caller records the outcome.
 */
enum mail_send_rc mail_sender_send(struct mail_sender *s, const char *rcpt,
    const char *name, const struct buf *message, int64_t timeout_ms, char *err,
    size_t errlen);

/* How many connections the sender has opened (1 when all were reused). */
long mail_sender_connects(const struct mail_sender *s);

/* The libcurl URL of the SMTP server ("smtps://host:465"), caller frees. */
char *mail_smtp_url(const struct config *cfg);

/*
 * Opens an SMTP session and closes it again with no mail sent (connect,
 * EHLO, STARTTLS and AUTH as configured, NOOP; QUIT when s is freed),
 * within timeout_ms: goldwatch-admin doctor. 0 (also for the spool, which
 * has no server), or -1 with err as mail_sender_send gives it.
 */
int mail_sender_probe(struct mail_sender *s, int64_t timeout_ms, char *err, size_t errlen);

#endif
