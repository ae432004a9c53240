/*
 * tpl.h - the C face of ctemplate (tpl.cc is the only C++ in goldwatch).
 * Templates are loaded once at start by tpl_init() and the cache is then
 * frozen, so expansion from many threads reads shared, immutable data.
 * HTML templates begin with {{%AUTOESCAPE context="HTML"}}: every value is
 * escaped for where it appears (text, attribute, URL, script).
 */
#ifndef GW_TPL_H
#define GW_TPL_H

#include "util.h"

#ifdef __cplusplus
extern "C" {
#endif

struct tpl_dict;

/*
 * Loads every *.tpl below dir (one level of sub-folders too) and freezes
 * the cache. Returns 0, or -1 after logging which template failed. Once
 * loaded, the same dir again returns 0 and another is an error.
 */
int tpl_init(const char *dir);

/* A root dictionary; free it (and its sections) with tpl_dict_free(). */
struct tpl_dict *tpl_dict_new(const char *name);
void tpl_dict_free(struct tpl_dict *d);

void tpl_set(struct tpl_dict *d, const char *key, const char *value);
void tpl_set_int(struct tpl_dict *d, const char *key, long value);
void tpl_setf(struct tpl_dict *d, const char *key, const char *fmt, ...)
    GW_PRINTF(3, 4);
/* Sets key for this dictionary and every section and include below it. */
void tpl_set_global(struct tpl_dict *d, const char *key, const char *value);
/* Adds one repetition of a section and returns its dictionary. */
struct tpl_dict *tpl_section(struct tpl_dict *d, const char *name);
/* Shows a section once with the parent's values. */
void tpl_show(struct tpl_dict *d, const char *name);
/* Fills the include marker {{>name}} with file; returns its dictionary. */
struct tpl_dict *tpl_include(struct tpl_dict *d, const char *name, const char *file);

/*
 * Expands file (relative to the template folder) with d, appending to out.
 * Returns 0, or -1 after logging (missing template or expansion error).
 */
int tpl_expand(const char *file, const struct tpl_dict *d, struct buf *out);

#ifdef __cplusplus
}
#endif

#endif
