/*
 * page.c - see page.h.
 */
#include "page.h"

#include <string.h>

#include "app.h"
#include "log.h"

/* The same policy as the nginx site: no inline script, nothing foreign. */
#define PAGE_CSP "default-src 'self'; script-src 'self'; style-src 'self'; " \
	"img-src 'self' data:; connect-src 'self'; object-src 'none'; " \
	"base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

void page_begin(struct page *p, struct request *req, const char *title,
    const char *content_file, const char *nav)
{
	const char *flash;

	p->file = content_file;
	p->root = tpl_dict_new("page");
	tpl_set(p->root, "TITLE", title);
	tpl_set(p->root, "PAGE", content_file);
	if (req->authenticated) {
		tpl_show(p->root, "SIGNED_IN");
		tpl_set_global(p->root, "USERNAME", req->who.username);
		tpl_set_global(p->root, "ROLE", role_name(req->who.role));
		tpl_set_global(p->root, "CSRF", req->who.csrf);
		if (req->who.role >= ROLE_OPERATOR)
			tpl_set_global(p->root, "CAN_OPERATE", "1");
	}
	if (nav) {
		char section[32];
		snprintf(section, sizeof(section), "NAV_%s", nav);
		tpl_show(p->root, section);
	}
	flash = req_cookie(req, "gw_flash");
	if (flash && *flash) {
		char *text = pool_strdup(req->pool, flash);
		if (url_decode(text) == 0 && utf8_valid_text(text, strlen(text))) {
			const char *colon = strchr(text, ':');
			struct tpl_dict *f = tpl_section(p->root, "FLASH");
			int ok = colon && (strncmp(text, "ok:", 3) == 0 ||
			    strncmp(text, "error:", 6) == 0);
			tpl_set(f, "FLASH_KIND", ok && text[0] == 'e' ? "error" : "ok");
			tpl_set(f, "FLASH_TEXT", ok ? colon + 1 : text);
		}
		req_header(req, "Set-Cookie: gw_flash=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
	}
	p->content = tpl_include(p->root, "CONTENT", content_file);
}

int page_end(struct page *p, struct request *req, int status)
{
	struct buf html;
	int rc;

	buf_init(&html);
	if (tpl_expand("layout.html.tpl", p->root, &html) < 0) {
		tpl_dict_free(p->root);
		buf_free(&html);
		return req_error(req, 500, "template", NULL, "the page could not be rendered");
	}
	tpl_dict_free(p->root);
	p->root = p->content = NULL;
	req_header(req, "Content-Security-Policy: " PAGE_CSP);
	req_header(req, "X-Frame-Options: DENY");
	req_header(req, "Referrer-Policy: same-origin");
	req_header(req, "Cache-Control: no-store");
	rc = req_html(req, status, &html);
	buf_free(&html);
	return rc;
}

void page_flash(struct request *req, const char *kind, const char *text)
{
	struct buf v;

	buf_init(&v);
	buf_printf(&v, "%s:", kind);
	url_encode(&v, text);
	req_header(req, "Set-Cookie: gw_flash=%s; Path=/; Max-Age=60; HttpOnly; SameSite=Strict",
	    v.data);
	buf_free(&v);
}

int page_local_path(const char *s)
{
	if (s == NULL || s[0] != '/' || s[1] == '/' || s[1] == '\\')
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == '\\' || (unsigned char)*s == 0x7f)
			return 0;
	return 1;
}

int page_error(struct request *req, int status, const char *message)
{
	struct page p;

	page_begin(&p, req, status_text(status), "error.html.tpl", NULL);
	tpl_set_int(p.content, "STATUS", status);
	tpl_set(p.content, "STATUS_TEXT", status_text(status));
	tpl_set(p.content, "MESSAGE", message);
	return page_end(&p, req, status);
}
