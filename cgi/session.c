/*
 * session.c - POST /api/auth/login, POST /api/auth/logout, GET /api/auth/me.
 */
#include <string.h>

#include "app.h"

void session_set_cookie(struct request *req, const char *token, int64_t max_age_s)
{
	req_header(req, "Set-Cookie: gw_session=%s; Path=/; Max-Age=%lld; HttpOnly;"
	    " SameSite=Strict%s", token, (long long)max_age_s,
	    req->https ? "; Secure" : "");
}

static const struct vfield login_fields[] = {
	{.name = "username", .type = V_STRING, .flags = V_REQUIRED, .min = 1, .max = 64},
	{.name = "password", .type = V_STRING, .flags = V_REQUIRED, .min = 1, .max = 1024},
};

static json_t *principal_json(const struct principal *p)
{
	return json_pack("{sI ss ss}", "id", (json_int_t)p->user_id,
	    "username", p->username, "role", role_name(p->role));
}

int session_login(struct request *req)
{
	struct verror err;
	const char *username, *password;
	char token[AUTH_TOKEN_MAX], csrf[AUTH_TOKEN_MAX], expires[40];
	int64_t uid = 0, expires_us;
	struct principal who;
	int rc;

	if (valid_object(req->json, login_fields, GW_ARRAY_LEN(login_fields), &err) < 0)
		return req_verror(req, &err);
	username = json_string_value(json_object_get(req->json, "username"));
	password = json_string_value(json_object_get(req->json, "password"));
	rc = auth_check_password(req->db, username, password, &uid);
	if (rc < 0)
		return 500;
	if (rc == 0)
		return req_error(req, 401, "invalid_credentials", NULL,
		    "wrong user name or password");
	if (auth_session_create(req->db, uid, req->cfg->session_hours, token, csrf,
	    &expires_us) < 0)
		return 500;
	if (auth_lookup(req->db, token, &who) != 1)
		return 500;
	session_set_cookie(req, token, req->cfg->session_hours * 3600);
	time_format_iso(expires_us, expires, sizeof(expires));
	req->authenticated = 1;
	req->who = who;
	return req_json(req, 200, json_pack("{ss so ss ss}", "token", token,
	    "user", principal_json(&who), "csrf_token", csrf, "expires_at", expires));
}

int session_logout(struct request *req)
{
	if (req->session_token == NULL)
		return req_error(req, 400, "not_a_session", NULL,
		    "this request used an API token; API tokens are revoked, not logged out");
	if (auth_session_end(req->db, req->session_token) < 0)
		return 500;
	session_set_cookie(req, "", 0);
	return req_no_content(req);
}

int session_me(struct request *req)
{
	json_t *me = principal_json(&req->who);
	char expires[40];

	json_object_set_new(me, "auth", json_string(req->who.via_session ? "session" : "token"));
	if (req->who.expires_us) {
		time_format_iso(req->who.expires_us, expires, sizeof(expires));
		json_object_set_new(me, "expires_at", json_string(expires));
	}
	if (req->who.csrf[0])
		json_object_set_new(me, "csrf_token", json_string(req->who.csrf));
	return req_json(req, 200, me);
}
