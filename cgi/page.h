/*
 * page.h - rendering a staff page: the layout (templates/layout.html.tpl)
 * with the signed-in user, CSRF token, navigation and flash message, and
 * one content template included as {{>CONTENT}}.
 */
#ifndef GW_PAGE_H
#define GW_PAGE_H

#include "request.h"
#include "tpl.h"

struct page {
	struct tpl_dict *root;    /* the layout */
	struct tpl_dict *content; /* the content template's dictionary */
	const char *file;
};

/* nav: "DASHBOARD", "ALERTS", ... (the section shown as current) or NULL. */
void page_begin(struct page *p, struct request *req, const char *title,
    const char *content_file, const char *nav);
/* Expands the page and sets it as the response. Returns status. */
int page_end(struct page *p, struct request *req, int status);

/* Sets a one-shot message shown on the next page (after a redirect). */
void page_flash(struct request *req, const char *kind, const char *text);

/* 1 if s is a safe local redirect target ("/alerts?x=1", not "//evil"). */
int page_local_path(const char *s);

#endif
