/*
 * sparkconf.h — Spark settings from a scenario's `spark` group, looked up by
 * their dotted names ("spark.sql.shuffle.partitions").
 *
 * Known keys (the table in sparkconf.c, with Spark's defaults and the Spark
 * documentation as their source) are type-checked when read; unknown keys
 * are kept, flagged, and listed in the report, never fatal.
 *
 * Ownership: a spark_conf owns its keys and strings; spark_conf_fini frees
 * them.
 */
#ifndef STAGECAST_SPARKCONF_H
#define STAGECAST_SPARKCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/diag.h"

enum spark_type {
    SPARK_INT,      /* integer */
    SPARK_DOUBLE,   /* number */
    SPARK_BOOL,     /* true/false */
    SPARK_STRING,   /* text */
    SPARK_BYTES,    /* size: number of bytes or "48m" (Spark's own size syntax);
                       see spark_bare_unit */
    SPARK_SECONDS   /* duration: number of seconds or "3s", "100ms"; see spark_bare_unit */
};

struct spark_setting {
    char *key;              /* dotted, starts with "spark." */
    enum spark_type type;   /* the known key's type; for unknown keys, as written */
    int64_t i;              /* SPARK_INT, SPARK_BYTES, SPARK_BOOL (0/1) */
    double d;               /* SPARK_DOUBLE, SPARK_SECONDS */
    char *s;                /* the value as text, always set */
    bool known;
    int line;
};

struct spark_conf {
    struct spark_setting *v;
    size_t n;
};

struct spark_key {
    const char *key;
    enum spark_type type;
    const char *default_value;  /* as Spark documents it: "200", "48m", "3s";
                                   "" = no fixed default (getters return 0) */
    const char *doc;            /* one line */
    /* Checks beyond the type, and Spark's own reading rules: */
    bool ranged;                /* check min <= value <= max (INT, DOUBLE, BYTES, SECONDS) */
    double min, max;
    const char *choices;        /* SPARK_STRING: "FIFO|FAIR", case-insensitive; NULL = any */
    const char *spark_bare_unit; /* BYTES/SECONDS whose bare number Spark reads in another
                                    unit ("MiB", "ms"): a bare number other than 0 is
                                    refused as ambiguous; NULL = bytes / seconds */
    const char *fallback;       /* unset and no default: the value of this key instead */
};

/* The table of known keys, and one entry by name (NULL if not known). */
const struct spark_key *spark_known_keys(size_t *count);
const struct spark_key *spark_key_find(const char *key);

void spark_conf_init(struct spark_conf *c);
void spark_conf_fini(struct spark_conf *c);

/* Adds or replaces a setting from text (value as the user wrote it), checking
 * its type when the key is known. Returns SC_OK, or SC_EINPUT with d filled
 * (file, line) when the value does not fit the key's type. */
enum sc_status spark_conf_set(struct spark_conf *c, const char *key, const char *value,
                              const char *file, int line, struct diag *d);

/* The setting, or NULL when the scenario does not set it. */
const struct spark_setting *spark_conf_get(const struct spark_conf *c, const char *key);

/* Typed lookups: the scenario's value, else the known key's default. Calling
 * these with an unknown key, or with a key of another type, is a bug and
 * returns 0. */
int64_t spark_conf_int(const struct spark_conf *c, const char *key);
int64_t spark_conf_bytes(const struct spark_conf *c, const char *key);
double spark_conf_double(const struct spark_conf *c, const char *key);
double spark_conf_seconds(const struct spark_conf *c, const char *key);
bool spark_conf_bool(const struct spark_conf *c, const char *key);
const char *spark_conf_string(const struct spark_conf *c, const char *key);

#endif
