/*
 * scenario_internal.h — what the scenario reader's files share: the reader
 * that every function carries (where errors go and the scenario being
 * filled), its error reporting and typed getters (scenario_read.c), the key
 * table's group check (scenario_keys.c), and each group's reader
 * (scenario_cluster.c, scenario_settings.c, scenario_tables.c,
 * scenario_query.c, scenario_jobs.c), called in file order by read_root in
 * scenario.c. Private to sim/input/scenario*.c; the rest of the program sees
 * scenario.h only.
 *
 * Ownership: everything read is copied into r->s, which scenario_free
 * releases whether or not reading finished; the getters that borrow
 * libconfig's strings say so.
 */
#ifndef STAGECAST_SCENARIO_INTERNAL_H
#define STAGECAST_SCENARIO_INTERNAL_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/input/scenario.h"

/* What the reader carries through every function: where errors go. */
struct reader {
    const char *file;
    struct diag *d;
    struct scenario *s;
    int64_t total_tasks;
};

/* ------------------------------------------------- errors (scenario_read.c) */

/* Each sets r->d to file:line and the message, and returns -1. */
int scenario_fail_status(struct reader *r, enum sc_status status, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* An input error (SC_EINPUT). */
int scenario_fail(struct reader *r, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* SC_ENOMEM, "out of memory reading the scenario". */
int scenario_fail_nomem(struct reader *r, int line);
/* "'key' in where must be expected, not <what was written>." */
int scenario_wrong_type(struct reader *r, const config_setting_t *st, const char *where,
                        const char *expected);

/* The line a setting came from, or its nearest ancestor's (the root has 0). */
int scenario_line_of(const config_setting_t *st);
/* What the user wrote, for messages: "a string (\"four\")", "a list". */
const char *scenario_describe(const config_setting_t *st, char *buf, size_t size);
/* names (NULL-terminated) joined with ", " into buf, cut at size. */
void scenario_join_names(const char *const *names, char *buf, size_t size);

/* ----------------------------------------------------- unknown-key checks */

/* Every member of group g must be one of allowed (NULL-terminated); a typo
 * gets a "did you mean". 0, or -1 with the diagnostic set. */
int scenario_check_keys(struct reader *r, const config_setting_t *g, const char *where,
                        const char *const *allowed);
/* scenario_check_keys with the keys the key table (scenario_keys.c) gives
 * group: with variant NULL every key of any form of the group, else the keys
 * of every form plus those of that form only. */
int scenario_check_group(struct reader *r, const config_setting_t *g, const char *where,
                         const char *group, const char *variant);

/* ---------------------------------------------------------- typed getters */

/* Each getter returns 1 when the key is present and valid (out set), 0 when
 * it is absent and not required (out untouched), -1 on error (diag set). */

bool scenario_is_int(const config_setting_t *st);
bool scenario_is_number(const config_setting_t *st);
/* An integer or float setting as a double. */
double scenario_number_of(const config_setting_t *st);

/* An integer in [lo, hi]; above hi is SC_ELIMIT when hi_is_limit. */
int scenario_get_int(struct reader *r, const config_setting_t *g, const char *where,
                     const char *key, bool required, int64_t lo, int64_t hi, bool hi_is_limit,
                     int64_t *out);
/* A finite number in [lo, hi]; lo_open makes the lower bound exclusive. */
int scenario_get_number(struct reader *r, const config_setting_t *g, const char *where,
                        const char *key, bool required, double lo, bool lo_open, double hi,
                        double *out);
int scenario_get_bool(struct reader *r, const config_setting_t *g, const char *where,
                      const char *key, bool *out);
/* A non-empty string, borrowed from libconfig (valid until config_destroy);
 * *line, when line is not NULL, is where it was written. */
int scenario_get_str(struct reader *r, const config_setting_t *g, const char *where,
                     const char *key, bool required, const char **out, int *line);
/* A non-empty string copied for the scenario to own (replacing *out). */
int scenario_get_str_copy(struct reader *r, const config_setting_t *g, const char *where,
                          const char *key, bool required, char **out);
/* A string that must be one of choices (NULL-terminated); *index is set. */
int scenario_get_choice(struct reader *r, const config_setting_t *g, const char *where,
                        const char *key, bool required, const char *const *choices,
                        bool ignore_case, int *index);
/* A size in bytes: an integer, a number, or a string such as "4g". */
int scenario_get_size(struct reader *r, const config_setting_t *g, const char *where,
                      const char *key, int64_t *out);
/* An array or list of non-empty strings, copied (nonempty: at least one). */
int scenario_get_strlist(struct reader *r, const config_setting_t *g, const char *where,
                         const char *key, bool required, bool nonempty, struct strlist *out);
/* A member that must be of want_type (CONFIG_TYPE_GROUP or _LIST). */
int scenario_get_aggregate(struct reader *r, const config_setting_t *g, const char *where,
                           const char *key, bool required, int want_type, config_setting_t **out);
/* Frees the strings of l and empties it. */
void scenario_strlist_free(struct strlist *l);

/* ------------------------------------------------------------ the groups */

/* Each reads one group (or list) of the file into r->s: 0, or -1 with the
 * diagnostic set. */
int scenario_read_cluster(struct reader *r, const config_setting_t *g);
/* The nested `spark` group; prefix is the path so far ("spark"). */
int scenario_read_spark_group(struct reader *r, const config_setting_t *g, const char *prefix);
int scenario_read_model(struct reader *r, const config_setting_t *g);
int scenario_read_what_if(struct reader *r, const config_setting_t *g);
int scenario_read_tables(struct reader *r, const config_setting_t *g);
int scenario_read_views(struct reader *r, const config_setting_t *g);
int scenario_read_jobs(struct reader *r, const config_setting_t *list);
int scenario_read_pools(struct reader *r, const config_setting_t *list);

/* Views checked once all are read: names resolve, no name is a table's, and
 * no view reaches itself through joins and unions. */
int scenario_check_views(struct reader *r);
/* Reads a list of steps (a job's query or a view) into *steps (owned by the
 * scenario). */
int scenario_read_steps(struct reader *r, const config_setting_t *list, const char *owner,
                        bool is_view, struct query_step **steps, size_t *n_steps);
/* Checks that scan names a table and join/union name a table or a view. */
int scenario_resolve_steps(struct reader *r, const struct query_step *steps, size_t n,
                           const char *owner);
/* A number of seconds or a distribution group ({ dist = "..."; ... }) into
 * *out; stage names the owner in messages. 0, or -1 with the diagnostic set. */
int scenario_read_task_seconds(struct reader *r, const config_setting_t *st, const char *stage,
                               struct dist *out);

/* The file formats a table is stored in and a write step writes
 * (NULL-terminated). */
extern const char *const scenario_table_formats[];

/* Free what a step or a stage owns (not the struct itself). */
void scenario_step_free(struct query_step *q);
void scenario_stage_free(struct stage_spec *sp);

#endif
