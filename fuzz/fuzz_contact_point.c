/*
 * fuzz_contact_point.c - a contact point body as the API takes it: strict
 * JSON parsing, then cp_decode (the kind's table, URLs, headers, chat
 * ids), then the split into public settings and secrets. What it accepts
 * has only http(s) URLs, and no secret stands in the public settings.
 */
#include "fuzz.h"

#include "contact_point.h"
#include "valid.h"

/*
 * Where each secret would show in the public settings, it does not: a
 * secret field is not there with its value, a secret header is there as
 * {"secret": true} only.
 */
static void check_split(const struct cp_input *in)
{
	struct verror err;
	json_t *sec = NULL, *pub, *v, *h;
	const char *k;

	if (cp_secrets(in, NULL, &sec, &err) < 0) {
		FUZZ_CHECK(err.status == 422 && err.field[0]);
		return;
	}
	pub = cp_public_settings(in, sec);
	FUZZ_CHECK(json_is_object(pub));
	json_object_foreach(sec, k, v) {
		if (strcmp(k, "headers") != 0) {
			FUZZ_CHECK(!json_equal(json_object_get(pub, k), v));
			continue;
		}
		json_object_foreach(v, k, h) {
			const json_t *shown = json_object_get(json_object_get(pub, "headers"), k);
			FUZZ_CHECK(json_is_object(shown) && json_object_size(shown) == 1 &&
			    json_is_true(json_object_get(shown, "secret")));
		}
	}
	json_decref(pub);
	json_decref(sec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct verror err;
	struct cp_input in;
	json_t *body = valid_json_body((const char *)data, size, &err);

	if (body == NULL) {
		FUZZ_CHECK(err.status == 400);
		return 0;
	}
	if (cp_decode(body, &in, &err) == 0) {
		FUZZ_CHECK(in.k < CP__MAX);
		FUZZ_CHECK(in.url == NULL || valid_http_url(in.url));
		FUZZ_CHECK(in.api_base == NULL || valid_http_url(in.api_base));
		check_split(&in);
	} else {
		FUZZ_CHECK(err.status == 400 || err.status == 422);
		FUZZ_CHECK(strlen(err.message) < sizeof(err.message));
	}
	cp_input_free(&in);
	json_decref(body);
	return 0;
}
