/*
 * page.h - rendering a staff page: the layout (templates/layout.html.tpl)
 * with the signed-in user, CSRF token, navigation and flash message, and
 * one content template included as {{>CONTENT}}.
 */
#ifndef GW_PAGE_H
#define GW_PAGE_H

#include "request.h"
#include "tpl.h"

#include <jansson.h>

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

/* Sets KEY to a time in the shop's zone ("26 Nov 14:05") and KEY_ISO to
 * its ISO 8601 form (for <time datetime>); an ISO string in, or NULL. */
void page_time(struct tpl_dict *d, const char *key, const char *iso);

/* KPI names and units, for showing values of many alerts. */
struct kpi_names;
struct kpi_names *kpi_names_load(struct request *req);
const char *kpi_names_unit(const struct kpi_names *k, const char *key);
const char *kpi_names_name(const struct kpi_names *k, const char *key);
void kpi_names_free(struct kpi_names *k);
/* The i-th KPI (by key), for lists of choices. */
int kpi_names_count(const struct kpi_names *k);
const char *kpi_names_key_at(const struct kpi_names *k, int i);
const char *kpi_names_name_at(const struct kpi_names *k, int i);
/*
 * One <option> of a select: a SECTION with V, LABEL (unless NULL) and SEL
 * when value is selected; page_kpi_options() adds every KPI as KPI_OPT.
 */
void page_option(struct tpl_dict *d, const char *section, const char *value,
    const char *label, const char *selected);
void page_kpi_options(struct tpl_dict *d, const struct kpi_names *k, const char *selected);

/* Fills a dictionary (a table row, a card) with an alert's fields. */
void page_alert(const struct request *req, struct tpl_dict *d, const json_t *a,
    const struct kpi_names *k);
/* Shows CAN_OPERATE / CAN_ADMIN / READ_ONLY in d as the user's role allows
 * (sections are shown per dictionary: a table row needs its own). */
void page_roles(const struct request *req, struct tpl_dict *d);

/*
 * An EVENT section of d for each row of events (a result of EVENT_COLUMNS):
 * EVENT_TEXT (the event's own words), EVENT_KIND and AT.
 */
void page_events(struct tpl_dict *d, const PGresult *events);

/* Appends key=value (URL-encoded, after '?' or '&') to a query being built; nothing if value is NULL or empty. */
struct buf;
void page_append_param(struct buf *b, const char *key, const char *value);

/* The form value of key, or "" (never NULL). */
const char *page_form(const struct request *req, const char *key);
/*
 * The checkboxes named prefix + VALUE that are ticked ("p0_cp_7=1": a
 * form key is never sent twice), their VALUEs in the form's order as a
 * JSON array: as integers when ints, else as strings. page_form_number:
 * key's value as a JSON integer, the text as typed when it is not one
 * (the decoder refuses it at its field), or NULL when empty. New
 * references.
 */
json_t *page_form_all(const struct request *req, const char *prefix, int ints);
json_t *page_form_number(const struct request *req, const char *key);
/*
 * A SECTION (V, LABEL, SEL) for each object of items (contact points,
 * rules: their "id" and "name"), SEL when its id is among selected (a
 * JSON array of ids).
 */
void page_id_options(struct tpl_dict *d, const char *section, const json_t *items,
    const json_t *selected);
/*
 * Why an acknowledge's note was refused (ack_fields), in a page's words:
 * mostly its length, then the table's bound; written into buf if needed.
 */
const char *page_note_refused(const char *note, const struct verror *err, char *buf,
    size_t len);

/* pages_preview.c: the rule form's preview section of d for a decoded rule
 * (over the form's preview_days, 30 by default), rendered server-side;
 * rule NULL: the form has errors, no preview. */
struct rule_input;
void page_rule_preview(struct request *req, struct tpl_dict *d, const struct rule_input *rule);

#endif
