/*
 * planner_internal.h — what the planner's files share (see planner.c for the
 * model): the logical tree (planner_logical.c), the stages under
 * construction (planner_stage.c), the streams physical planning passes
 * between operators (planner_physical.c, planner_join.c, planner_cache.c),
 * and the planner's state for one scenario. Private to sim/plan/planner*.c;
 * the rest of the program sees planner.h only.
 *
 * Ownership: everything here belongs to the struct planner it hangs from
 * and is freed when planner_plan returns.
 */
#ifndef STAGECAST_PLANNER_INTERNAL_H
#define STAGECAST_PLANNER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/diag.h"
#include "sim/input/scenario.h"
#include "sim/plan/plan.h"
#include "sim/plan/plan_op.h"
#include "sim/plan/plan_stats.h"
#include "sim/plan/planner.h"
#include "sim/plan/skew.h"

/* ---- the logical tree --------------------------------------------------- */

enum lkind {
    LK_SCAN,
    LK_FILTER,
    LK_SELECT,
    LK_WITH_COLUMN,
    LK_AGG,
    LK_JOIN,
    LK_SORT,
    LK_WINDOW,
    LK_DISTINCT,
    LK_REPARTITION,
    LK_COALESCE,
    LK_CACHE,
    LK_LIMIT,
    LK_UNION,
    LK_SAMPLE
};

/* An output column of a node. */
struct lcol {
    const char *name;
    enum col_type type;
    const struct column_spec *spec; /* the table column it still is; NULL when made */
    double table_rows;
    int src;  /* its index in the (left) child; -1: made here */
    int rsrc; /* join, union: its index in the right child; -1 */
};

struct lnode {
    enum lkind kind;
    const struct query_step *step;
    size_t step_no; /* 1-based, within its owner */
    const char *owner_kind, *owner_name;
    int child, right;
    const struct table_spec *table; /* scan */
    struct lcol *out;
    size_t n_out;
    bool *req;               /* per output column: used above */
    bool skip;               /* removed by the optimizer */
    struct plan_call *calls; /* aggregate or window functions */
    size_t n_calls;
    bool *call_used;
    const char **keys; /* grouping, sort, window partition, join left,
                        * repartition keys */
    bool *keys_desc;
    size_t n_keys;
    const char **okeys; /* window order keys, join right keys */
    bool *okeys_desc;
    size_t n_okeys;
    int64_t n;          /* limit, coalesce, repartition; -1 */
    bool is_count;      /* the aggregate Dataset.count() adds */
    bool collect_limit; /* a limit the collect takes (CollectLimitExec) */
    const char *how;    /* join type as written */
};

/* ---- stages under construction ------------------------------------------ */

enum role { ROLE_PIPE, ROLE_MAP, ROLE_BROADCAST, ROLE_SAMPLE, ROLE_RESULT };

/* A shuffle a stage reads (see "skew and adaptive execution" in planner_stage.c). */
struct pin {
    int map; /* the stage writing it */
    double rows, bytes;
    int64_t nparts;
    double *share;    /* each reduce partition's share of it; NULL = even */
    bool coalescable; /* CoalesceShufflePartitions may merge its partitions */
};

struct pstage {
    struct plan_op *ops;
    size_t n_ops, cap_ops;
    int64_t tasks;
    int *parents;
    size_t n_parents, cap_parents;
    double input_bytes, read_bytes, write_bytes, output_bytes;
    double input_files;       /* file pieces its scans open (0: no scan) */
    int input_store;          /* their store kind, when input_files > 0 */
    double input_store_bytes; /* bytes of the scan input_store was taken from */
    double in_rows, out_rows;
    double best_cost, kernel_rows;
    const char *kernel;
    double mem_per_task;
    double cache_bytes; /* bytes its tasks cache (df.cache() materialized here) */
    bool reads_cache;   /* it starts with an InMemoryTableScan */
    int cache_entry;    /* reads_cache: the cached data it reads */
    enum role role;
    bool dead;
    int line;
    int sample;  /* a map stage's sampling stage, or -1 */
    char *sig;   /* a closed stage's canonical form, for reuse */
    int job;     /* its Spark job */
    int order;   /* its position in the final listing */
    char **proj; /* items of the last operator while it is a Project */
    size_t n_proj;
    /* Skew and AQE (sim/plan/skew.h): the shuffles it reads; a sort-merge join
     * of two exchanges directly below it (bit 0: AQE may split the left
     * side, bit 1 the right); then what the data and AQE made of it. */
    struct pin *pins;
    size_t n_pins;
    int smj_split;
    double *weights;
    int64_t aqe_before, aqe_skewed, aqe_skew_tasks;
    bool aqe_bcast; /* a sort-merge join AQE turned into a broadcast one */
};

enum pkind { PART_UNKNOWN, PART_HASH, PART_RANGE, PART_ROUNDROBIN, PART_SINGLE };

/* What flows out of a planned node: the open stage producing it, its rows,
 * its columns' estimates, its partitioning and ordering. */
struct stream {
    int stage;
    double rows;
    struct plan_column *cols; /* owned; one per output column of the node */
    size_t n_cols;
    const bool *req;   /* the node's: which columns are carried */
    double spark_size; /* Spark's static sizeInBytes estimate */
    enum pkind part;
    const char *const *pkeys;
    size_t n_pkeys;
    int64_t nparts;
    const char *const *sorted;
    size_t n_sorted;
};

struct planner {
    const struct scenario *s;
    const struct plan_stats *st;
    struct diag *d;
    /* settings */
    int64_t shuffle_partitions, max_partition_bytes, open_cost, min_partitions;
    int64_t broadcast_threshold;
    bool aqe, compress;
    struct aqe_conf aqe_conf;
    int64_t aqe_broadcast_threshold; /* spark.sql.adaptive.autoBroadcastJoinThreshold */
    /* How the next exchange's rows count (set by its caller, then reset):
     * a partial aggregate's output, a repartition(n), an inner join's
     * null-free keys. */
    enum skew_count xchg_count;
    double xchg_buckets, xchg_rows_in;
    bool xchg_by_num, xchg_drop_nulls;
    /* per query */
    const struct job_spec *job;
    struct lnode *nodes;
    size_t n_nodes, cap_nodes;
    struct pstage *stages;
    size_t n_stages, cap_stages;
    const struct query_step *action;
    int64_t total_tasks;
    /* df.cache(): the fragments cached so far, across the scenario's jobs. */
    struct cache_entry *caches;
    size_t n_caches, cap_caches;
    size_t job_index;   /* the job being planned */
    int discarding;     /* > 0 while planning a fragment that a cache read replaces */
    bool same_reads;    /* this query reads data it caches itself */
    bool no_same_reads; /* re-planning it without such reads */
    bool replan;        /* they made its stages wait for each other in a cycle */
};

/* A cached fragment (see "df.cache()" in planner_cache.c). */
struct cache_entry {
    char *sig;       /* its logical plan as text */
    size_t job;      /* the job whose action materializes it */
    int stage;       /* the stage that does, in that job's plan */
    double bytes;    /* its in-memory size */
    int64_t tasks;   /* its partitions, once that job is planned (0 before) */
    double *weights; /* their sizes (as the caching tasks' weights); NULL: even */
};

/* ---- functions shared by the planner's files ------------------------------
 *
 * Each carries the module's prefix (planner_), as every function the
 * library exports does. */

/* planner.c */
/* Sets P->d to SC_EINPUT at node nd's step (or the job's line when nd is
 * NULL) and returns SC_EINPUT. */
enum sc_status planner_fail_at(struct planner *P, const struct lnode *nd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
enum sc_status planner_nomem(struct planner *P);

/* planner_whatif.c: what_if.input_scale f on job's explicit stages (task
 * counts by Spark's split and AQE rules, each task's records, the bytes
 * the model moves). SC_OK, SC_ELIMIT naming the stage, or SC_ENOMEM. */
enum sc_status planner_scale_explicit(struct planner *P, struct plan_job *job, double f);

/* planner_logical.c */
bool planner_name_eq(const char *a, const char *b);
int planner_find_lcol(const struct lcol *cols, size_t n, const char *name);
int planner_node_new(struct planner *P, enum lkind kind, const struct query_step *step, size_t step_no,
             const char *owner_kind, const char *owner_name);
void planner_node_fini(struct lnode *nd);
enum sc_status planner_resolve(struct planner *P, int node);
enum sc_status planner_build_steps(struct planner *P, const struct query_step *steps, size_t n,
                           const char *owner_kind, const char *owner_name, bool top, int depth,
                           int *root);
enum sc_status planner_prune(struct planner *P, int node, const bool *need);
void planner_eliminate_sorts(struct planner *P, int node);

/* planner_stage.c */
int planner_stage_new(struct planner *P, int64_t tasks, enum role role, int line);
void planner_stage_fini(struct pstage *st);
int planner_stage_parent(struct planner *P, int stage, int parent);
int planner_stage_op(struct planner *P, int stage, struct plan_op *op, const char *kernel, double rows_in,
             double mem);
int planner_stage_op_n(struct planner *P, int stage, enum plan_op_kind k, int64_t n, const char *kernel,
               double rows_in);
int planner_stage_op_keys(struct planner *P, int stage, struct plan_op *op, const char *const *names,
                  const bool *desc, size_t n, bool with_dir, const char *kernel, double rows_in,
                  double mem);
int planner_stage_project(struct planner *P, int stage, const char *const *items, size_t n, bool replace,
                  double rows);
int planner_stage_seal(struct planner *P, int stage);
int planner_stage_reuse(struct planner *P, int stage);
int planner_stage_merge(struct planner *P, int a, int b, int64_t tasks, double mult_a, double mult_b);
double planner_row_bytes(const struct plan_column *cols, const bool *req, size_t n);
double planner_spark_row(const struct lcol *cols, const bool *req, size_t n);
double planner_shuffle_bytes(struct planner *P, const struct plan_column *cols, const bool *req, size_t n,
                     double rows);
void planner_stream_fini(struct stream *s);
double planner_cap_ndv(double ndv, double rows);
int planner_stream_cols(struct stream *out, const struct lnode *nd, const struct stream *left,
                const struct stream *right);
bool planner_key_in(const char *k, const char *const *set, size_t n);
bool planner_satisfies_clustered(const struct stream *s, const char *const *keys, size_t n);
bool planner_satisfies_all(const struct stream *s);
bool planner_sorted_by(const struct stream *s, const char *const *keys, size_t n);
bool planner_agg_keeps_rows(const struct lnode *nd);
int planner_copy_weights(double **dst, const double *src, int64_t n);

/* Sets stage i's task count; weights of another count are dropped (even):
 * a union, a coalesce or a collect's limit changes the tasks in place. */
void planner_stage_set_tasks(struct planner *P, int i, int64_t tasks);
double *planner_weights_of(const double *rows, size_t n);
int planner_skew_finish(struct planner *P);
int planner_exchange(struct planner *P, struct stream *s, enum pkind kind, const char *const *keys,
             const bool *desc, size_t n_keys, int64_t nparts, double rows,
             const struct plan_column *cols, const bool *req, size_t n_cols, int line);

/* planner_physical.c */
int planner_carried_names(const struct lnode *nd, struct plan_names *l);
double planner_sort_mem(const struct stream *s, int64_t tasks);
enum sc_status planner_plan_salted_aggregate(struct planner *P, const struct lnode *nd, struct stream *s,
                                     double *groups_out, int line);
enum sc_status planner_phys_plain(struct planner *P, int node, struct stream *out);
enum sc_status planner_phys(struct planner *P, int node, struct stream *out);

/* planner_join.c */
enum sc_status planner_plan_join(struct planner *P, int node, struct stream *l, struct stream *r,
                         struct stream *out);
enum sc_status planner_plan_salted_join(struct planner *P, int node, struct stream *l, struct stream *r,
                                struct stream *out);

/* planner_cache.c */
char *planner_node_sig(const struct planner *P, int node);
int planner_cache_find(const struct planner *P, const char *sig);
bool planner_cache_ready(const struct planner *P, int ce);
int planner_stages_cyclic(const struct planner *P);
bool planner_cached_before(const struct planner *P, int node);
enum sc_status planner_plan_cache(struct planner *P, int node, const struct stream *s, struct stream *out);
enum sc_status planner_plan_cache_read(struct planner *P, int node, int ce, struct stream *out);

#endif
