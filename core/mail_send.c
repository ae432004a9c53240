/*
 * mail_send.c - see mail_send.h.
 */
#include "mail_send.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "mail_mime.h"

struct mail_sender {
	const struct config *cfg;
	CURL *curl;                 /* NULL: spool */
	char *url;
	int spool_fd;               /* the spool folder (fsync after rename) */
	char from_addr[256];
	char errbuf[CURL_ERROR_SIZE];
	char reply[256];            /* the server's last reply line */
	const struct buf *upload;   /* the message being sent */
	size_t upload_off;
	long connects;              /* connections opened so far */
};

static int host_ok(const char *h)
{
	if (*h == '\0' || strlen(h) > 253)
		return 0;
	for (const char *p = h; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr(".-:[]", *p))
			return 0;
	return 1;
}

static int spool_ready(const char *dir)
{
	if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
		log_err("GOLDWATCH_SPOOL_DIR %s cannot be made: %s", dir, strerror(errno));
		return -1;
	}
	if (access(dir, W_OK | X_OK) < 0) {
		log_err("GOLDWATCH_SPOOL_DIR %s is not writable: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

int mail_config_check(const struct config *cfg)
{
	char addr[256], name[256];

	if (mime_from_parse(cfg->from_email, addr, sizeof(addr), name, sizeof(name)) < 0) {
		log_err("FROM_EMAIL must be one address, like alerts@shop.example or"
		    " Gold Shop <alerts@shop.example>");
		return -1;
	}
	if (cfg->smtp_server[0] == '\0')
		return spool_ready(cfg->spool_dir);
	if (!host_ok(cfg->smtp_server)) {
		log_err("SMTP_SERVER must be a host name or an IP address (no scheme, no port)");
		return -1;
	}
	if ((cfg->smtp_username[0] == '\0') != (cfg->smtp_password[0] == '\0')) {
		log_err("SMTP_USERNAME and SMTP_PASSWORD go together: set both or neither");
		return -1;
	}
	if (cfg->smtp_ca_file[0] && access(cfg->smtp_ca_file, R_OK) < 0) {
		log_err("GOLDWATCH_SMTP_CA_FILE %s cannot be read: %s", cfg->smtp_ca_file,
		    strerror(errno));
		return -1;
	}
	if (cfg->smtp_insecure)
		log_warn("GOLDWATCH_SMTP_INSECURE is true: the certificate of %s is not checked,"
		    " so anyone on the way can read the mail and the SMTP password",
		    cfg->smtp_server);
	if (!cfg->smtp_use_tls && cfg->smtp_port != 465 && cfg->smtp_username[0])
		log_warn("SMTP_USE_TLS is false: the SMTP password goes to %s unencrypted",
		    cfg->smtp_server);
	return 0;
}

char *mail_smtp_url(const struct config *cfg)
{
	const char *h = cfg->smtp_server;
	int v6 = strchr(h, ':') != NULL && h[0] != '[';

	return xasprintf("%s://%s%s%s:%lld", cfg->smtp_port == 465 ? "smtps" : "smtp",
	    v6 ? "[" : "", h, v6 ? "]" : "", (long long)cfg->smtp_port);
}

static size_t read_message(char *dst, size_t size, size_t nmemb, void *ud)
{
	struct mail_sender *s = ud;
	size_t n = s->upload->len - s->upload_off;

	if (n > size * nmemb)
		n = size * nmemb;
	memcpy(dst, s->upload->data + s->upload_off, n);
	s->upload_off += n;
	return n;
}

/*
 * Keeps the server's last reply line for the error text. Only what the
 * server says is kept: what curl sends (AUTH carries the password) is not.
 */
static int on_debug(CURL *c, curl_infotype type, char *data, size_t size, void *ud)
{
	struct mail_sender *s = ud;

	(void)c;
	if (type != CURLINFO_HEADER_IN)
		return 0;
	while (size > 0 && (data[size - 1] == '\n' || data[size - 1] == '\r'))
		size--;
	if (size >= sizeof(s->reply))
		size = sizeof(s->reply) - 1;
	memcpy(s->reply, data, size);
	s->reply[size] = '\0';
	for (char *p = s->reply; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
			*p = ' ';
	return 0;
}

struct mail_sender *mail_sender_new(const struct config *cfg)
{
	struct mail_sender *s = xcalloc(1, sizeof(*s));
	char name[256];
	CURL *c;

	s->cfg = cfg;
	s->spool_fd = -1;
	if (mime_from_parse(cfg->from_email, s->from_addr, sizeof(s->from_addr), name,
	    sizeof(name)) < 0) {
		log_err("FROM_EMAIL is not one address");
		goto fail;
	}
	if (cfg->smtp_server[0] == '\0') {
		s->spool_fd = open(cfg->spool_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (s->spool_fd < 0) {
			log_err("cannot open the spool folder %s: %s", cfg->spool_dir, strerror(errno));
			goto fail;
		}
		return s;
	}
	s->url = mail_smtp_url(cfg);
	s->curl = c = curl_easy_init();
	if (c == NULL) {
		log_err("curl_easy_init failed");
		goto fail;
	}
	curl_easy_setopt(c, CURLOPT_URL, s->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_PROXY, ""); /* configuration comes from struct config only */
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_message);
	curl_easy_setopt(c, CURLOPT_READDATA, s);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, s->from_addr);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_debug);
	curl_easy_setopt(c, CURLOPT_DEBUGDATA, s);
	if (cfg->smtp_port != 465)
		curl_easy_setopt(c, CURLOPT_USE_SSL,
		    cfg->smtp_use_tls ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_NONE);
	if (cfg->smtp_username[0]) {
		curl_easy_setopt(c, CURLOPT_USERNAME, cfg->smtp_username);
		curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->smtp_password);
	}
	if (cfg->smtp_ca_file[0])
		curl_easy_setopt(c, CURLOPT_CAINFO, cfg->smtp_ca_file);
	if (cfg->smtp_insecure) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	return s;
fail:
	mail_sender_free(s);
	return NULL;
}

void mail_sender_free(struct mail_sender *s)
{
	if (s == NULL)
		return;
	if (s->curl)
		curl_easy_cleanup(s->curl); /* sends QUIT on a live connection */
	if (s->spool_fd >= 0)
		close(s->spool_fd);
	free(s->url);
	free(s);
}

long mail_sender_connects(const struct mail_sender *s)
{
	return s->connects;
}

static enum mail_send_rc spool_write(struct mail_sender *s, const char *name,
    const struct buf *msg, char *err, size_t errlen)
{
	char tmp[300], final[300];
	size_t off = 0;
	int fd;

	snprintf(tmp, sizeof(tmp), ".%s.eml.tmp", name);
	snprintf(final, sizeof(final), "%s.eml", name);
	fd = openat(s->spool_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		goto fail;
	while (off < msg->len) {
		ssize_t n = write(fd, msg->data + off, msg->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			goto fail_unlink;
		}
		off += (size_t)n;
	}
	/* the data is on disk before the name is: a crash never leaves half a file */
	if (fsync(fd) < 0) {
		close(fd);
		goto fail_unlink;
	}
	if (close(fd) < 0 || renameat(s->spool_fd, tmp, s->spool_fd, final) < 0)
		goto fail_unlink;
	fsync(s->spool_fd);
	return MAIL_SENT;
fail_unlink:
	snprintf(err, errlen, "cannot write %s/%s: %s", s->cfg->spool_dir, final, strerror(errno));
	unlinkat(s->spool_fd, tmp, 0);
	return MAIL_SERVER_DOWN;
fail:
	snprintf(err, errlen, "cannot write %s/%s: %s", s->cfg->spool_dir, tmp, strerror(errno));
	return MAIL_SERVER_DOWN;
}

/*
 * What a failure means for this message and the ones after it. A timeout
 * is the server's when it said nothing at all in that time (silent,
 * unreachable); when it had answered this send and then stalled, only
 * this message failed: the other due rows are not marked failed for it.
 */
static enum mail_send_rc classify(CURLcode rc, long code, int replied)
{
	switch (rc) {
	case CURLE_OK:
		return MAIL_SENT;
	case CURLE_OPERATION_TIMEDOUT:
		return replied ? MAIL_RETRY : MAIL_SERVER_DOWN;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_USE_SSL_FAILED:
	case CURLE_LOGIN_DENIED:
	case CURLE_AUTH_ERROR:
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_GOT_NOTHING:
	case CURLE_REMOTE_ACCESS_DENIED:
		return MAIL_SERVER_DOWN;
	default:
		break;
	}
	/* 421 closing, 530 authentication or STARTTLS required, 534/535/538 login */
	if (code == 421 || code == 530 || code == 534 || code == 535 || code == 538)
		return MAIL_SERVER_DOWN;
	if (code >= 500 && code < 600)
		return MAIL_REJECTED;
	return MAIL_RETRY;
}

/* One line for last_error: what failed, what the server said, what to do. */
static void describe(struct mail_sender *s, CURLcode rc, char *err, size_t errlen)
{
	const struct config *cfg = s->cfg;
	const char *detail = s->errbuf[0] ? s->errbuf : curl_easy_strerror(rc);
	const char *hint = "";
	char said[300] = "";

	if (s->reply[0])
		snprintf(said, sizeof(said), "; the server said: %s", s->reply);
	switch (rc) {
	case CURLE_LOGIN_DENIED:
		hint = "; check SMTP_USERNAME and SMTP_PASSWORD";
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
		hint = "; the server's certificate is not trusted (GOLDWATCH_SMTP_CA_FILE)";
		break;
	case CURLE_USE_SSL_FAILED:
		hint = "; the server offers no STARTTLS, which SMTP_USE_TLS=true requires";
		break;
	default:
		break;
	}
	snprintf(err, errlen, "SMTP %s:%lld: %s%s%s", cfg->smtp_server,
	    (long long)cfg->smtp_port, detail, said, hint);
}

enum mail_send_rc mail_sender_send(struct mail_sender *s, const char *rcpt,
    const char *name, const struct buf *message, int64_t timeout_ms, char *err,
    size_t errlen)
{
	struct curl_slist *to = NULL;
	char angle[300];
	long code = 0, connects = 0, ms = (long)(s->cfg->smtp_timeout_s * 1000);
	CURLcode rc;

	err[0] = '\0';
	if (s->curl == NULL)
		return spool_write(s, name, message, err, errlen);
	if (timeout_ms > 0 && timeout_ms < ms)
		ms = (long)timeout_ms;
	snprintf(angle, sizeof(angle), "<%s>", rcpt);
	to = curl_slist_append(to, angle);
	s->upload = message;
	s->upload_off = 0;
	s->errbuf[0] = '\0';
	s->reply[0] = '\0';
	curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, to);
	curl_easy_setopt(s->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)message->len);
	curl_easy_setopt(s->curl, CURLOPT_CONNECTTIMEOUT_MS, ms);
	curl_easy_setopt(s->curl, CURLOPT_TIMEOUT_MS, ms);
	rc = curl_easy_perform(s->curl);
	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(s->curl, CURLINFO_NUM_CONNECTS, &connects);
	s->connects += connects;
	curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, NULL);
	curl_slist_free_all(to);
	s->upload = NULL;
	if (rc != CURLE_OK)
		describe(s, rc, err, errlen);
	return classify(rc, code, s->reply[0] != '\0');
}

static size_t discard(char *data, size_t size, size_t n, void *ud)
{
	(void)data;
	(void)ud;
	return size * n;
}

int mail_sender_probe(struct mail_sender *s, int64_t timeout_ms, char *err, size_t errlen)
{
	CURLcode rc;

	err[0] = '\0';
	if (s->curl == NULL)
		return 0;
	s->errbuf[0] = '\0';
	s->reply[0] = '\0';
	/* no recipient and no upload: libcurl opens the session (greeting,
	 * EHLO, STARTTLS, AUTH) and sends the one command, never MAIL FROM */
	curl_easy_setopt(s->curl, CURLOPT_UPLOAD, 0L);
	curl_easy_setopt(s->curl, CURLOPT_CUSTOMREQUEST, "NOOP");
	curl_easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(s->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(s->curl, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	rc = curl_easy_perform(s->curl);
	curl_easy_setopt(s->curl, CURLOPT_CUSTOMREQUEST, NULL);
	curl_easy_setopt(s->curl, CURLOPT_UPLOAD, 1L);
	if (rc == CURLE_OK)
		return 0;
	describe(s, rc, err, errlen);
	return -1;
}
