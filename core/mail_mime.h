/*
 * mail_mime.h - one message as it goes on the wire (RFC 5322 and MIME):
 * the headers (Date, Message-ID, From, To, Subject as RFC 2047 encoded
 * words when it is not plain ASCII, MIME-Version, Auto-Submitted), and a
 * multipart/alternative body: the plain-text part first, the HTML part
 * second (clients show the last part they can render), both UTF-8 in
 * quoted-printable, every line ending in CRLF. Pure functions, no I/O:
 * the SMTP sender and the spool write the same bytes.
 */
#ifndef GW_MAIL_MIME_H
#define GW_MAIL_MIME_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct mime_msg {
	const char *from;        /* FROM_EMAIL: "a@b" or "Name <a@b>" */
	const char *to;          /* one address */
	const char *subject;     /* UTF-8, one line */
	const char *message_id;  /* "<...@...>" */
	int64_t date_us;         /* the Date header */
	const char *text;        /* UTF-8 plain text */
	const char *html;        /* UTF-8 HTML */
	const char *kind;        /* X-Goldwatch-Kind: fired, resolved, ... */
	int64_t alert_id;        /* X-Goldwatch-Alert; 0 = no alert */
	const char *boundary;    /* NULL: a random one */
};

/* Appends the whole message (headers, blank line, body) to out. */
void mime_build(const struct mime_msg *m, struct buf *out);

/*
 * Splits FROM_EMAIL ("a@b" or "Display Name <a@b>") into the address
 * (for MAIL FROM) and the display name ("" if none). Returns 0, or -1
 * when it is not one address of that form (or a part does not fit).
 */
int mime_from_parse(const char *from, char *addr, size_t addrlen, char *name,
    size_t namelen);

/*
 * The right-hand part of the Message-IDs of mail from FROM_EMAIL: the
 * domain of its address, "localhost" if it has none. The outbox INSERT
 * fixes each row's Message-ID with it (mail.c).
 */
const char *mime_message_domain(const char *from_email, char *out, size_t outlen);

/* "Tue, 05 Nov 2024 09:30:00 +0000" (RFC 5322 date, UTC) into out. */
void mime_date(int64_t us, char *out, size_t outlen);

/*
 * Appends "Name: value" and CRLF to out, value as RFC 2047 "B" encoded
 * words (each at most 75 characters, never splitting a UTF-8 character)
 * when it holds anything but printable ASCII, else folded at spaces.
 */
void mime_header(struct buf *out, const char *name, const char *value);

/* Appends s in quoted-printable (RFC 2045), LF or CRLF becoming CRLF. */
void mime_qp(struct buf *out, const char *s);

#endif
