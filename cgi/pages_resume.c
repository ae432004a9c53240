/*
 * pages_resume.c - an action started while signed out, offered again
 * after signing in: the form it was, with its fields and a fresh CSRF
 * token, behind one button. It is never performed by the sign-in itself:
 * the kept fields came from a request without a session, which another
 * site can make a browser send, so only the signed-in user's own click
 * (with the token) may carry it out.
 */
#include <stdlib.h>
#include <string.h>

#include "alert_store.h"
#include "app.h"
#include "json_out.h"
#include "page.h"

/*
 * What a kept action is called on its confirmation page: the user must
 * see what the button does (a link from anywhere can fill the kept form).
 * A route not named here is offered with its path.
 */
static const struct {
	const char *pattern;
	const char *question; /* %s: the route's {id} */
	const char *button;
} resume_words[] = {
	{"/alerts/{id}/acknowledge", "Acknowledge alert #%s", "Acknowledge"},
	{"/alerts/acknowledge", "Acknowledge the alerts you ticked%.0s", "Acknowledge"},
	{"/notifications/{id}/retry", "Send message #%s again", "Retry"},
	{"/rules", "Create this rule%.0s", "Create rule"},
	{"/rules/load-starter", "Load the starter rules%.0s", "Load starter rules"},
	{"/rules/{id}", "Save rule #%s", "Save rule"},
	{"/rules/{id}/enabled", "Switch rule #%s on or off", "Switch"},
	{"/rules/{id}/delete", "Delete rule #%s", "Delete rule"},
	{"/calendar", "Save the opening hours%.0s", "Save"},
	{"/contact-points", "Create this contact point%.0s", "Create contact point"},
	{"/contact-points/{id}", "Save contact point #%s", "Save"},
	{"/contact-points/{id}/test", "Send a test to contact point #%s", "Send test"},
	{"/contact-points/{id}/delete", "Delete contact point #%s", "Delete contact point"},
	{"/notification-policies", "Save the notification policies%.0s", "Save"},
	{"/escalation-policies", "Create this escalation policy%.0s", "Create policy"},
	{"/escalation-policies/{id}", "Save escalation policy #%s", "Save"},
	{"/escalation-policies/{id}/delete", "Delete escalation policy #%s", "Delete policy"},
	{"/tokens", "Create an API token%.0s", "Create token"},
	{"/tokens/{id}/revoke", "Revoke API token #%s", "Revoke"},
	{"/users/{id}/sessions/end", "End the sessions of user #%s", "End sessions"},
	{"/silences", "Create this silence%.0s", "Create silence"},
	{"/silences/{id}/end", "End silence #%s", "End silence"},
};

/* The kept path's route, if it is a form page a signed-in user posts. */
static const struct route *resume_route(const char *path, struct route_params *params)
{
	char allow[128];
	int status = 0;
	const struct route *r;

	if (path == NULL || !page_local_path(path))
		return NULL;
	r = routes_find(M_POST, path, params, &status, allow, sizeof(allow));
	if (r == NULL || !(r->flags & ROUTE_PAGE) || r->body != BODY_FORM ||
	    r->role == ROLE_PUBLIC || strcmp(r->pattern, "/logout") == 0)
		return NULL;
	return r;
}

/* The question and button for route r; an alert's rule named when known. */
static void resume_say(struct request *req, struct tpl_dict *d, const char *path,
    const struct route *r, const struct route_params *params)
{
	const char *id = route_param(params, "id");
	json_t *alert = NULL;

	tpl_setf(d, "QUESTION", "Send the form you started to %s", path);
	tpl_set(d, "BUTTON", "Send");
	for (size_t i = 0; i < GW_ARRAY_LEN(resume_words); i++) {
		if (strcmp(resume_words[i].pattern, r->pattern) != 0)
			continue;
		tpl_setf(d, "QUESTION", resume_words[i].question, id ? id : "");
		tpl_set(d, "BUTTON", resume_words[i].button);
	}
	if (strcmp(r->pattern, "/alerts/{id}/acknowledge") == 0 && id &&
	    alert_get(req->db, strtoll(id, NULL, 10), &alert) == ST_OK)
		tpl_set(tpl_section(d, "NAMED"), "NAME",
		    json_str_or(alert, "rule_name", ""));
	json_decref(alert);
}

int page_resume_offer(struct request *req, const struct page_resume *kept, const char *next)
{
	struct route_params params;
	const struct route *r = resume_route(kept->path, &params);
	struct page p;

	if (r == NULL || req->who.role < r->role)
		return req_redirect(req, next);
	page_begin(&p, req, "Finish what you started", "resume.html.tpl", NULL);
	tpl_set(p.content, "ACTION", kept->path);
	tpl_set(p.content, "BACK", next);
	resume_say(req, p.content, kept->path, r, &params);
	for (size_t i = 0; i < kept->n; i++) {
		/* a note stays in view, and can be changed, before it is sent */
		int note = strcmp(kept->fields[i].key, "note") == 0;
		struct tpl_dict *f = tpl_section(p.content, note ? "NOTE" : "FIELD");
		tpl_set(f, "NAME", kept->fields[i].key);
		tpl_set(f, "VALUE", kept->fields[i].value);
	}
	return page_end(&p, req, 200);
}
