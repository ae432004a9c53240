/*
 * kpi_store.h - the KPI catalogue and its samples as the API and the pages
 * see them: listing with each KPI's latest value, one KPI with its rules,
 * samples in a time range; defining and deleting push KPIs and recording
 * their values. Catalogue changes are audited in their own transaction.
 * Sampling for an evaluation is kpi.h's.
 */
#ifndef GW_KPI_STORE_H
#define GW_KPI_STORE_H

#include <jansson.h>
#include <stdint.h>

#include "auth.h"
#include "db.h"
#include "store.h"
#include "valid.h"

/* Catalogue entries as JSON: select KPI_COLUMNS from kpis k. */
#define KPI_COLUMNS \
	"k.key, k.name, k.category, k.unit, k.description, k.recommendation, k.source," \
	" k.max_age_minutes, iso(k.created_at) AS created_at, iso(k.deleted_at) AS deleted_at"
json_t *kpi_json(const PGresult *r, int row);

/* 1 for financial, operational or customer. */
int kpi_valid_category(const char *s);

/* A new push KPI, as kpi_fields decode it (valid.h). */
struct kpi_input {
	const char *key, *name, *category;
	const char *unit, *description, *recommendation;  /* "" when not given */
	int64_t max_age_minutes;
};
extern const struct vfield kpi_fields[];
extern const size_t kpi_nfields;

/* A value for a push KPI, as sample_fields decode it. */
struct sample_input {
	double value;
	int64_t at_us;          /* has_at: when it was measured; else now */
	int has_at;
	int evaluate;           /* 1 (default): the rules on the KPI are evaluated at once */
};
extern const struct vfield sample_fields[];
extern const size_t sample_nfields;

/* Which samples to read. */
struct sample_range {
	int has_since, has_until;
	int64_t since_us, until_us;
	int64_t limit;
};

/*
 * *out: the catalogue as a JSON array, each with "latest" ({"value","at"}
 * or null), by category then key. category NULL: all.
 */
enum store_rc kpi_list(struct db *db, int include_deleted, const char *category,
    json_t **out);
/* One KPI (deleted ones too) with "latest" and "rules" ([{id,name,enabled,severity}]). */
enum store_rc kpi_get(struct db *db, const char *key, json_t **out);
/* *out: {"kpi","items":[{value,at,source}]}, newest first. ST_NOT_FOUND for no KPI. */
enum store_rc kpi_samples(struct db *db, const char *key, const struct sample_range *q,
    json_t **out);

/*
 * The pages' charts: *out is [[t_us, value, backfilled], ...] oldest
 * first, the samples of key in the last hours: at most 600, the latest of
 * each 600th of the period.
 */
enum store_rc kpi_chart(struct db *db, const char *key, int hours, json_t **out);
/*
 * The sparklines: *out maps every KPI key with samples in the last 24
 * hours to its [[t_us, value, backfilled], ...], at most 96 each, oldest
 * first.
 */
enum store_rc kpi_sparklines(struct db *db, json_t **out);

/* Defines a push KPI. ST_CONFLICT (err) if the key exists, deleted or not. */
enum store_rc kpi_create(struct db *db, const struct principal *who,
    const struct kpi_input *in, json_t **out, struct verror *err);
/*
 * Records a value of a push KPI with its kpi.sampled event. ST_NOT_FOUND
 * for no (or a deleted) KPI, ST_CONFLICT (err) for a sql KPI, ST_INVALID
 * (err) for a time more than 5 minutes ahead. *out: {"kpi","value","at"}.
 */
enum store_rc kpi_sample_push(struct db *db, const char *key, const struct sample_input *in,
    json_t **out, struct verror *err);
/*
 * Deletes a push KPI (sql KPIs belong to the migrations: ST_CONFLICT).
 * A KPI that any rule (enabled or not) uses is not deleted: ST_CONFLICT,
 * err code "conflict", *out {"rules":[{id,name,enabled,severity}]} (the
 * error's details). Its samples stay. *out: the deleted KPI.
 */
enum store_rc kpi_delete(struct db *db, const struct principal *who, const char *key,
    json_t **out, struct verror *err);

#endif
