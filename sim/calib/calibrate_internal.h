/*
 * calibrate_internal.h — what calibration's files share (see calibrate.c for
 * the model): an operator bound to its kernel (struct cop,
 * calibrate_bind.c), the pipeline of one stage that runs them
 * (calibrate_pipe.c), what is measured and cached for a stage
 * (calibrate_measure.c) and turned into its cost (calibrate_cost.c), and the
 * calibration's state. Private to sim/calib/calibrate*.c; the rest of the
 * program sees calibrate.h only.
 *
 * Ownership: a pipe owns its operators and their kernels' state
 * (pipe_free); everything else hangs from the struct calibration.
 */
#ifndef STAGECAST_CALIBRATE_INTERNAL_H
#define STAGECAST_CALIBRATE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/batch.h"
#include "models/expr.h"
#include "models/kernels/filter.h"
#include "models/kernels/hashagg.h"
#include "models/kernels/join.h"
#include "models/kernels/partition.h"
#include "models/kernels/project.h"
#include "models/kernels/sample.h"
#include "models/kernels/scan.h"
#include "models/kernels/shuffle.h"
#include "models/kernels/sort.h"
#include "models/kernels/window.h"
#include "models/operators.h"
#include "sim/calib/calibrate.h"
#include "sim/plan/plan_op.h"

/* Spark's default columnar batch (spark.sql.parquet.columnarReaderBatchSize). */
#define CHUNK_ROWS 4096
/* Sample data does not depend on the scenario's seed, so a seed change
 * does not invalidate the cache. */
#define CALIB_SEED 0x5eedca1bULL
/* The cache's key texts: the host benchmark's, the hash-table curve's, and
 * how every pipeline's begins (calibrate_stage_key). */
#define CALIBRATE_KEY_HOST_BENCHMARK "stagecast host benchmark\n"
#define CALIBRATE_KEY_GROUP_CURVE "stagecast hash-table size curve\n"
#define CALIBRATE_KEY_PIPELINE "stagecast calibration\n"
#define MAX_KEYS 32
#define MAX_OPS 48
#define MAX_CHAINS 16

/* A list of owned strings. */
struct slist {
    char **v;
    size_t n, cap;
};

/* ---- operators bound to kernels (calibrate_bind.c) ----------------------- */

enum cop_kind {
    COP_SCAN, /* Scan <format> <table> [cols]: decode generated rows */
    COP_ROWS, /* Rows <table> [cols]: generated rows, free (a kernel alone) */
    COP_READ, /* ShuffleRead <partitioning>: decompress + deserialize */
    COP_FILTER,
    COP_PROJECT,
    COP_AGG,
    COP_SORT,
    COP_WINDOW,
    COP_SMJ,
    COP_BHJ,
    COP_UNION,
    COP_EXCHANGE,
    COP_WRITE,
    COP_CACHE,
    COP_LIMIT,
    COP_SAMPLE, /* Bernoulli sampling (models/kernels/sample.h) */
    COP_SALT, /* a salted key (sim/plan/skew.h): the salt column, or the rows once per salt */
    COP_PASS  /* costs nothing here: Collect, Coalesce, broadcast, sampling */
};

enum part_kind { PK_HASH, PK_RANGE, PK_ROUNDROBIN, PK_SINGLE };

struct cop {
    enum cop_kind kind;
    int cls;                  /* enum calib_class, -1 for none */
    const struct plan_op *po; /* the planned operator it runs */
    const char *text;         /* po's text, for messages */
    const char *short_name;
    /* parsed from the text */
    char *table;
    struct slist a, b, c; /* lists: see cop_from_plan for each kind */
    bool desc[MAX_KEYS];
    bool final_agg, all_cols, build_left;
    enum join_type jtype;
    enum part_kind part;
    int64_t nparts, limit;
    char *where;
    /* wiring */
    struct cop *next;
    int chain;
    /* bound */
    struct batch *out;
    const struct batch *layout;
    struct expr *pred;
    struct kernel_filter *kf;
    struct expr_list items;
    struct kernel_project *kp;
    struct hashagg *h;
    struct batch *raw;
    int keys[MAX_KEYS], keys2[MAX_KEYS];
    size_t n_keys;
    struct agg_call calls[MAX_KEYS];
    struct window_call wcalls[MAX_KEYS];
    struct expr_call parsed[MAX_KEYS];
    size_t n_calls, n_parsed;
    struct sort_key skeys[MAX_KEYS];
    size_t n_skeys;
    struct window_spec wspec;
    struct sortk_ws *ws;
    struct batch *buf;
    struct batch *slice; /* a chunk of its blocking output, handed on */
    struct join_spec jspec;
    struct join_ws *jws;
    struct join_hash *jh;
    struct batch *build;
    bool sort_in[2];
    struct batch *tmp[2];
    struct partition_map *pm;
    struct batch *bounds;
    struct shuffle_buf sraw, z;
    size_t *order;
    size_t order_cap;
    int32_t *hashes;
    size_t hash_cap;
    struct scan_file file;
    struct scan_reader *reader;
    int64_t remaining;
    struct sample_state sampler; /* COP_SAMPLE */
    double fraction;             /* COP_SAMPLE */
    uint64_t seed;               /* COP_SAMPLE */
    int src;
    double key_ndv; /* aggregate: distinct keys from the schema; NaN unknown */
    /* measured in the current run */
    double ns;
    int64_t rows_in, rows_out, ser_bytes, comp_bytes;
    int64_t rows_in_values; /* of rows_in, those that carry a column (count(*)'s
                             * empty rows do not: the JVM's per-row cost is
                             * handling a row's values) */
    size_t groups;
};

/* ---- an explicit stage's kernel alone (calibrate_generic.c) -------------- */

#define GENERIC_MAX_OPS 6

struct generic_pipe {
    struct plan_op ops[GENERIC_MAX_OPS];
    size_t n;
    bool built;
};

/* ---- the samples' design (calibrate_sample.c) ------------------------------ */

#define MAX_KEEPS 32
#define MAX_SOURCE_KEEPS 4

/* A join key sampled consistently: the scan of `table` in stage (job,
 * stage) generates only rows whose `column` is = residue (mod modulus)
 * (datagen_keep_keys), as does the scan on the join's other side. */
struct key_keep {
    size_t job, stage;
    const struct table_spec *table;
    const char *column; /* borrowed from the plan */
    int64_t modulus, residue;
    bool output_only; /* only the rows the stage hands on, not its own timing */
};

/* ---- the calibration -------------------------------------------------------- */

/* What a stage gives the stages reading it: the rows that entered its last
 * operator in one untimed run (an exchange's or a broadcast's input), and the
 * raw layout of its last partial aggregate (a final aggregate needs it). */
struct stage_out {
    bool done, failed;
    struct batch *rows;
    struct batch *agg_raw;
};

/* What is measured for one operator, and cached. */
struct meas_op {
    char name[24];
    int cls;
    bool fitted;
    struct calib_fit fit;
    bool agg_keys;                      /* an aggregate with grouping keys */
    double groups[CALIBRATE_MAX_SIZES]; /* groups at each size, ascending */
    double rows_frac;                   /* its input rows / stage input rows */
    double values_frac;                 /* of them, rows with a column (cop.rows_in_values) */
    double key_ndv;
    /* A filter: the rows it saw and kept at the largest size; a filter or
     * a keyed aggregate: how many of the rows it saw were distinct (rows
     * repeated from a parent's smaller sample are the same observation
     * again). */
    bool filter;
    double rows_in, rows_out, rows_distinct;
};

struct meas {
    size_t n_ops;
    struct meas_op ops[MAX_OPS];
    struct calib_fit total;
    size_t n_sizes;
    double x[CALIBRATE_MAX_SIZES]; /* stage input rows, ascending */
    double in_rows, out_rows, out_bytes, sel_in, sel_out, ser_bytes, comp_bytes;
    bool has_filter, has_exchange;
    double acu;      /* the ACU-equivalent its times are in: CALIB_REF_ACU
                      * (normalised by the benchmark run beside them) or the
                      * host_acu option that was set */
    double bench_ns; /* median of the benchmark runs beside it; NaN: none */
    int repetitions;  /* runs per size of this measurement; 0: unknown */
    int measurements; /* 2 when a poor first fit was measured again; 0: unknown */
};

struct stage_rec {
    struct calibrate_stage pub;
    char *key;  /* cache key text; NULL: not calibratable */
    char *hash; /* hex of the key, for the keys of stages reading this one */
    struct stage_out out;
    struct meas meas;
    bool have_meas;
};

struct calibration {
    const struct scenario *s; /* the plan's */
    struct plan *plan;
    struct calibrate_options opt;
    char host[320];
    double host_acu;
    const char *host_acu_source;
    struct calib_group_curve curve;
    int curve_state; /* 0 not tried, 1 have, -1 failed */
    struct stage_rec *recs;
    size_t n_recs;
    size_t *first; /* per job: index of its first stage in recs */
    struct slist warnings;
    size_t n_measured, n_cached;
    double seconds;
    struct generic_pipe generic[OPK_COUNT]; /* built when first needed */
    struct calib_clock clock;               /* kernels are timed on it */
    double quiet_bench_ns; /* the fastest host-benchmark figure seen: the core at its quietest */
    struct key_keep keeps[MAX_KEEPS];       /* calibrate_sample_design's */
    size_t n_keeps;
    const struct calibration *prior; /* an earlier calibration in this run to reuse */
};

/* ---- the pipeline (calibrate_pipe.c) ---------------------------------------- */

struct chain {
    struct cop *head, *tail;
    int src;
    int in_l, in_r;
    struct batch *collect;
    const struct batch *layout;
    const struct batch *agg_raw;
};

struct source {
    struct cop *op;
    const struct table_spec *table;
    const struct batch *given; /* a parent's rows */
    double weight;
    bool may_tile;
    const struct key_keep *keep[MAX_SOURCE_KEEPS]; /* its scan's restricted keys */
    size_t n_keep;
    int64_t table_rows; /* rows its table holds (restricted); 0 unknown */
    int key_col;        /* a sort-merge join's first key in `given`, -1: none */
    double key_frac;    /* share of the join's keys kept at this size (key_col) */
    struct batch *base;
    size_t rows;
    size_t n_chunks;
    struct scan_file *files;
    struct shuffle_buf *bufs;
    struct batch **chunks;
};

struct pipe {
    struct cop ops[MAX_OPS];
    size_t n_ops;
    struct chain chains[MAX_CHAINS];
    size_t n_chains;
    struct source srcs[MAX_CHAINS];
    size_t n_srcs;
    struct cop *last;
    bool has_smj;
    struct batch *sample; /* rows entering the last operator, when capturing */
    int64_t out_bytes;
    struct shuffle_buf scratch;
    const struct calib_clock *clock; /* what the current run is timed on */
    struct calib_segmin *segs; /* per operator, when the run's segments are kept */
};

/* What binding an operator needs to know of the stage it runs in. */
struct bind_env {
    struct calibration *cal;
    size_t job, stage;
    bool planned;
    bool for_output; /* built for the rows it hands on (calibrate_stage_output) */
    size_t n_read, n_bhj; /* occurrences bound so far */
};

/* ---- functions shared by calibration's files ------------------------------
 *
 * Each carries the module's prefix (calibrate_), as every function the
 * library exports does. */

/* calibrate.c */
double calibrate_now_ns(void);
enum sc_status calibrate_nomem(struct diag *d);
void calibrate_slist_free(struct slist *l);
int calibrate_slist_push(struct slist *l, const char *s, size_t len);
const char *calibrate_item_alias(const char *item);
bool calibrate_starts(const char *s, const char *prefix);
/* Records a warning for the calibration's list (once each). */
void calibrate_warn(struct calibration *cal, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
struct stage_rec *calibrate_rec_at(struct calibration *cal, size_t job, size_t stage);
long calibrate_find_parent(const struct plan_job *js, size_t stage, const struct plan_op *read, bool bcast,
                 size_t k);

/* calibrate_bind.c */
void calibrate_cop_fini(struct cop *op);
enum sc_status calibrate_cop_from_plan(struct cop *op, const struct plan_op *po, struct diag *d);
const struct table_spec *calibrate_cached_table(const struct scenario *s, size_t job,
                                      const struct slist *cols);
bool calibrate_is_source(const struct cop *op);
struct batch *calibrate_generate(const struct table_spec *t, const struct slist *cols, size_t rows,
                       struct diag *d);
enum sc_status calibrate_bind_op(struct bind_env *env, struct pipe *p, struct cop *op, struct diag *d);

/* calibrate_generic.c */
void calibrate_generic_pipe_fini(struct generic_pipe *g);
const struct table_spec *calibrate_generic_table(const char *name);
size_t calibrate_stage_ops(struct calibration *cal, const struct plan_stage *sp, const struct plan_op **ops);

/* calibrate_pipe.c */
void calibrate_pipe_free(struct pipe *p);
enum sc_status calibrate_pipe_parse(struct pipe *p, const struct plan_op *ops, size_t n, struct diag *d);
void calibrate_pipe_name(const struct pipe *p, char *buf, size_t size);
enum sc_status calibrate_pipe_run(struct pipe *p, const struct calib_clock *clock, struct diag *d);
enum sc_status calibrate_pipe_prepare(struct pipe *p, size_t total, size_t *actual, struct diag *d);

/* The sources of one prepared size, set aside so that later passes over
 * the sizes need not encode the same rows again. */
struct pipe_stash {
    struct {
        size_t rows, n_chunks;
        struct scan_file *files;
        struct shuffle_buf *bufs;
        struct batch **chunks;
    } srcs[MAX_CHAINS];
    size_t n_srcs;
    bool held;
};

/* Moves p's prepared sources into st (p's sources are left unprepared). */
void calibrate_pipe_stash(struct pipe *p, struct pipe_stash *st);

/* Drops p's prepared sources and moves st's back into p. */
void calibrate_pipe_unstash(struct pipe *p, struct pipe_stash *st);

void calibrate_pipe_stash_free(struct pipe_stash *st);
enum sc_status calibrate_pipe_build(struct calibration *cal, size_t job, size_t stage, struct pipe **out,
                          struct diag *d);
double calibrate_stage_input_rows(const struct plan_stage *sp);
enum sc_status calibrate_stage_output(struct calibration *cal, size_t job, size_t stage,
                            struct stage_out **out, struct diag *d);

/* calibrate_measure.c */
enum sc_status calibrate_pipe_measure(struct pipe *p, const struct calibrate_options *o,
                                      const struct calib_clock *clock, struct meas *m,
                                      struct diag *d);
double calibrate_jget(const json_t *o, const char *key);
/* The payload of a stage's cache file; its "quality" ("good" or "poor")
 * and "quality_figures" say how rule q judged the total fit. */
json_t *calibrate_meas_to_json(const struct meas *m, const char *pipeline,
                               const struct calib_quality_rule *q);
int calibrate_meas_from_json(const json_t *j, struct meas *m);
char *calibrate_stage_key(struct calibration *cal, size_t job, size_t stage, struct diag *d);

/* calibrate_sample.c */
struct sbuf;
void calibrate_sample_design(struct calibration *cal);
size_t calibrate_sample_keeps(const struct calibration *cal, size_t job, size_t stage,
                              const struct table_spec *t, bool for_output,
                              const struct key_keep **out, size_t max);
struct batch *calibrate_generate_kept(const struct table_spec *t, const struct slist *cols,
                                      size_t rows, const struct key_keep *const *keep,
                                      size_t n_keep, int64_t *table_rows, struct diag *d);
void calibrate_sample_key_text(const struct calibration *cal, size_t job, size_t stage,
                               struct sbuf *b);
uint64_t calibrate_key_hash(const struct batch *b, int col, size_t row);
/* Measures p (calibrate_pipe_measure) at sample sizes grown until every
 * operator sees rows; repetitions > 0 overrides the options' count (a
 * poor fit measured again). */
enum sc_status calibrate_pipe_measure_sized(struct calibration *cal, size_t job, size_t stage,
                                            struct pipe *p, int repetitions, struct meas *m,
                                            struct diag *d);

/* calibrate_cost.c */
enum sc_status calibrate_stage_cost(struct calibration *cal, struct stage_rec *r, const struct plan_stage *sp,
                          struct diag *d);
void calibrate_fill_public(struct stage_rec *r);
void calibrate_set_reason(struct stage_rec *r, const struct diag *d);

#endif
