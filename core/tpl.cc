// tpl.cc - the extern "C" wrapper around ctemplate; see tpl.h. This is the
// only C++ file in goldwatch. No exception crosses into C.
#include "tpl.h"

#include <ctemplate/template.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <string>

#include "log.h"

using ctemplate::TemplateDictionary;

static ctemplate::Strip strip_for(const char *file)
{
	// whitespace is content in plain-text mail; HTML loses only blank lines
	const char *dot = strstr(file, ".txt");
	return dot ? ctemplate::DO_NOT_STRIP : ctemplate::STRIP_BLANK_LINES;
}

static int load_dir(const std::string &root, const std::string &sub, int depth)
{
	std::string path = sub.empty() ? root : root + "/" + sub;
	DIR *d = opendir(path.c_str());
	struct dirent *e;
	int rc = 0;

	if (d == NULL) {
		log_err("cannot open template folder %s", path.c_str());
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		std::string name = e->d_name;
		std::string rel = sub.empty() ? name : sub + "/" + name;
		if (name[0] == '.')
			continue;
		if (e->d_type == DT_DIR) {
			if (depth > 0 && load_dir(root, rel, depth - 1) < 0)
				rc = -1;
			continue;
		}
		if (name.size() < 5 || name.compare(name.size() - 4, 4, ".tpl") != 0)
			continue;
		if (!ctemplate::LoadTemplate(rel, strip_for(rel.c_str()))) {
			log_err("template %s does not load", rel.c_str());
			rc = -1;
		}
	}
	closedir(d);
	return rc;
}

// the folder the cache was loaded from and frozen with
static std::string loaded;

extern "C" int tpl_init(const char *dir)
{
	try {
		// a frozen cache cannot load again; the same folder again is done
		if (!loaded.empty())
			return loaded == dir ? 0 : (log_err("templates already loaded from %s", loaded.c_str()), -1);
		if (!ctemplate::mutable_default_template_cache()->SetTemplateRootDirectory(dir)) {
			log_err("bad template folder %s", dir);
			return -1;
		}
		if (load_dir(dir, "", 1) < 0)
			return -1;
		ctemplate::mutable_default_template_cache()->Freeze();
		loaded = dir;
		return 0;
	} catch (...) {
		log_err("loading templates from %s failed", dir);
		return -1;
	}
}

static TemplateDictionary *D(struct tpl_dict *d)
{
	return reinterpret_cast<TemplateDictionary *>(d);
}

static const TemplateDictionary *CD(const struct tpl_dict *d)
{
	return reinterpret_cast<const TemplateDictionary *>(d);
}

static struct tpl_dict *W(TemplateDictionary *d)
{
	return reinterpret_cast<struct tpl_dict *>(d);
}

extern "C" struct tpl_dict *tpl_dict_new(const char *name)
{
	return W(new TemplateDictionary(name));
}

extern "C" void tpl_dict_free(struct tpl_dict *d)
{
	delete D(d);
}

extern "C" void tpl_set(struct tpl_dict *d, const char *key, const char *value)
{
	D(d)->SetValue(key, value ? value : "");
}

extern "C" void tpl_set_int(struct tpl_dict *d, const char *key, long value)
{
	D(d)->SetIntValue(key, value);
}

extern "C" void tpl_setf(struct tpl_dict *d, const char *key, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < (int)sizeof(small)) {
		D(d)->SetValue(key, small);
		return;
	}
	std::string big((size_t)n + 1, '\0');
	va_start(ap, fmt);
	vsnprintf(&big[0], big.size(), fmt, ap);
	va_end(ap);
	big.resize((size_t)n);
	D(d)->SetValue(key, big);
}

extern "C" void tpl_set_global(struct tpl_dict *d, const char *key, const char *value)
{
	D(d)->SetTemplateGlobalValue(key, value ? value : "");
}

extern "C" struct tpl_dict *tpl_section(struct tpl_dict *d, const char *name)
{
	return W(D(d)->AddSectionDictionary(name));
}

extern "C" void tpl_show(struct tpl_dict *d, const char *name)
{
	D(d)->ShowSection(name);
}

extern "C" struct tpl_dict *tpl_include(struct tpl_dict *d, const char *name,
    const char *file)
{
	TemplateDictionary *inc = D(d)->AddIncludeDictionary(name);
	inc->SetFilename(file);
	return W(inc);
}

extern "C" int tpl_expand(const char *file, const struct tpl_dict *d, struct buf *out)
{
	try {
		std::string s;
		if (!ctemplate::ExpandTemplate(file, strip_for(file), CD(d), &s)) {
			log_err("template %s did not expand", file);
			return -1;
		}
		buf_append(out, s.data(), s.size());
		return 0;
	} catch (...) {
		log_err("template %s threw while expanding", file);
		return -1;
	}
}
