/* test_tpl.c - the ctemplate wrapper: loading, expansion, auto-escaping. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate.h"
#include "testlib.h"
#include "tpl.h"
#include "unit.h"

static int init(void)
{
	char *dir = xasprintf("%s/templates", test_top());
	int rc = tpl_init(dir);
	free(dir);
	return rc;
}

static void t_escape_text(void)
{
	struct tpl_dict *d = tpl_dict_new("t");
	struct tpl_dict *c;
	struct buf out;

	buf_init(&out);
	c = tpl_include(d, "CONTENT", "error.html.tpl");
	tpl_set(d, "TITLE", "<b>title</b>");
	tpl_set(c, "MESSAGE", "<script>alert(1)</script> & \"Co\"");
	tpl_set_int(c, "STATUS", 404);
	CU_ASSERT_EQUAL(tpl_expand("layout.html.tpl", d, &out), 0);
	CU_ASSERT_PTR_NULL(strstr(out.data, "<script>alert(1)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "&lt;b&gt;title&lt;/b&gt;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "404"));
	tpl_dict_free(d);
	buf_free(&out);
}

static void t_escape_attribute(void)
{
	struct tpl_dict *d = tpl_dict_new("t");
	struct tpl_dict *c;
	struct buf out;

	buf_init(&out);
	c = tpl_include(d, "CONTENT", "login.html.tpl");
	tpl_set(c, "USERNAME_VALUE", "\" autofocus onfocus=\"alert(2)");
	tpl_set(c, "NEXT", "/x\"><img src=x>");
	CU_ASSERT_EQUAL(tpl_expand("layout.html.tpl", d, &out), 0);
	CU_ASSERT_PTR_NULL(strstr(out.data, "onfocus=\"alert"));
	CU_ASSERT_PTR_NULL(strstr(out.data, "<img src=x>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "&quot; autofocus onfocus=&quot;alert(2)"));
	tpl_dict_free(d);
	buf_free(&out);
}

static void t_missing(void)
{
	struct tpl_dict *d = tpl_dict_new("t");
	struct buf out;

	buf_init(&out);
	/* the cache is frozen after loading: an unknown file is an error */
	CU_ASSERT_EQUAL(tpl_expand("no-such-template.html.tpl", d, &out), -1);
	tpl_dict_free(d);
	buf_free(&out);
}

/* Every HTML template must start with the AUTOESCAPE pragma. */
static void t_all_autoescape(void)
{
	char *dir = xasprintf("%s/templates", test_top());
	DIR *d = opendir(dir);
	struct dirent *e;
	int seen = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((e = readdir(d)) != NULL) {
		char *path, *text;
		if (strstr(e->d_name, ".html.tpl") == NULL)
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		text = file_read_all(path, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(text);
		if (strncmp(text, "{{%AUTOESCAPE context=\"HTML\"}}", 30) != 0)
			fprintf(stderr, "\n    %s lacks AUTOESCAPE\n", e->d_name);
		CU_ASSERT_EQUAL(strncmp(text, "{{%AUTOESCAPE context=\"HTML\"}}", 30), 0);
		free(text);
		free(path);
		seen++;
	}
	closedir(d);
	free(dir);
	CU_ASSERT_TRUE(seen >= 4);
}

void suite_tpl(void)
{
	static const struct test_case cases[] = {
		{"values are HTML-escaped in text", t_escape_text},
		{"values are escaped in attributes", t_escape_attribute},
		{"a missing template is an error", t_missing},
		{"every HTML template auto-escapes", t_all_autoescape},
		{NULL, NULL},
	};
	test_add_suite("tpl", init, NULL, cases);
}
