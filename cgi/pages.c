/*
 * pages.c - the sign-in pages and the dashboard.
 */
#include <string.h>

#include "app.h"
#include "log.h"
#include "page.h"

#define LOGIN_COOKIE "gw_login"

/*
 * The login form carries a token that must match a cookie set with the
 * form (double submit): another site cannot sign a visitor in as itself.
 */
static int login_render(struct request *req, int status, const char *error,
    const char *username, const char *next)
{
	char token[AUTH_TOKEN_MAX];
	struct page p;

	auth_token_new("", token);
	req_header(req, "Set-Cookie: " LOGIN_COOKIE "=%s; Path=/login; HttpOnly; SameSite=Strict%s",
	    token, req->https ? "; Secure" : "");
	page_begin(&p, req, "Sign in", "login.html.tpl", NULL);
	tpl_set(p.content, "LOGIN_CSRF", token);
	tpl_set(p.content, "NEXT", page_local_path(next) ? next : "/");
	tpl_set(p.content, "USERNAME_VALUE", username ? username : "");
	if (error) {
		struct tpl_dict *e = tpl_section(p.content, "ERROR");
		tpl_set(e, "ERROR_TEXT", error);
	}
	return page_end(&p, req, status);
}

int page_login_form(struct request *req)
{
	const char *next = req_query(req, "next");

	if (req->authenticated)
		return req_redirect(req, page_local_path(next) ? next : "/");
	return login_render(req, 200, NULL, NULL, next);
}

int page_login_submit(struct request *req)
{
	const char *cookie = req_cookie(req, LOGIN_COOKIE);
	const char *sent = req_form(req, "_csrf");
	const char *user = req_form(req, "username");
	const char *pw = req_form(req, "password");
	const char *next = req_form(req, "next");
	char token[AUTH_TOKEN_MAX], csrf[AUTH_TOKEN_MAX];
	int64_t uid = 0, expires_us;
	int rc;

	if (cookie == NULL || sent == NULL || !auth_const_eq(cookie, sent))
		return login_render(req, 403, "The form expired. Please sign in again.", user, next);
	if (user == NULL || pw == NULL || !valid_username(user) || strlen(pw) > 1024)
		return login_render(req, 401, "Wrong user name or password.", user, next);
	rc = auth_check_password(req->db, user, pw, &uid);
	if (rc < 0)
		return 500;
	if (rc == 0)
		return login_render(req, 401, "Wrong user name or password.", user, next);
	if (auth_session_create(req->db, uid, req->cfg->session_hours, token, csrf,
	    &expires_us) < 0)
		return 500;
	session_set_cookie(req, token, req->cfg->session_hours * 3600);
	req_header(req, "Set-Cookie: " LOGIN_COOKIE "=; Path=/login; Max-Age=0; HttpOnly; SameSite=Strict");
	return req_redirect(req, page_local_path(next) ? next : "/");
}

int page_logout(struct request *req)
{
	if (req->session_token && auth_session_end(req->db, req->session_token) < 0)
		return 500;
	session_set_cookie(req, "", 0);
	page_flash(req, "ok", "You are signed out.");
	return req_redirect(req, "/login");
}

int page_dashboard(struct request *req)
{
	struct page p;

	page_begin(&p, req, "Dashboard", "dashboard.html.tpl", "DASHBOARD");
	return page_end(&p, req, 200);
}
