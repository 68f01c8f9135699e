/*
 * calibrate.c — runs each stage's operators on sample data and turns the
 * timings into the stage's compute cost (see calibrate.h). It sits between
 * the planner and the simulation: scenario -> plan -> calibrate ->
 * simulate -> report.
 *
 * A stage's pipeline is built from the planner's typed operators
 * (sim/plan/plan_op.h; an explicit stage's kernel gets a generic pipeline
 * of its own): a source (Scan: Parquet-like decode
 * of rows generated from the table schema; ShuffleRead: LZ4 decompress and
 * deserialize of rows its parent stage wrote), then the operators in order,
 * each bound to the real kernel (models/kernels/). Rows flow in batches of
 * 4096, Spark's columnar batch size; blocking operators (aggregate, sort,
 * window) emit when their input ends, as in a Spark task. A stage that reads
 * two inputs (a sort-merge join, a union) has one chain per input and the
 * join consumes both chains' rows.
 *
 * Each operator's kernel calls are timed on their own, so the fit of each
 * is its time against the stage's input rows: a filter's selectivity, an
 * aggregate's reduction, a join's expansion are all inside the measured
 * per-input-row cost, and each operator's time is multiplied by the factor
 * of its class. Sorting is fitted as n log n, everything else as linear.
 *
 * Data for a stage reading a shuffle comes from running its parent stage's
 * pipeline once (untimed) and keeping the rows it wrote; rows are repeated
 * when more are needed than the parent's sample gave, except into a
 * sort-merge join, where repeated keys would multiply its output.
 */
#include "sim/calib/calibrate.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "models/batch.h"
#include "models/datagen.h"
#include "models/expr.h"
#include "models/kernels/filter.h"
#include "models/kernels/hashagg.h"
#include "models/kernels/join.h"
#include "models/kernels/limit.h"
#include "models/kernels/murmur3.h"
#include "models/kernels/partition.h"
#include "models/kernels/project.h"
#include "models/kernels/scan.h"
#include "models/kernels/shuffle.h"
#include "models/kernels/sort.h"
#include "models/kernels/window.h"
#include "models/operators.h"
#include "models/sbuf.h"
#include "sim/plan/plan_stats.h"

/* Spark's default columnar batch (spark.sql.parquet.columnarReaderBatchSize). */
#define CHUNK_ROWS 4096
/* Sample data does not depend on the scenario's seed, so a seed change
 * does not invalidate the cache. */
#define CALIB_SEED 0x5eedca1bULL
#define MAX_KEYS 32
#define MAX_OPS 48
#define MAX_CHAINS 16

/* ---- small helpers ------------------------------------------------------- */

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static enum sc_status nomem(struct diag *d)
{
    return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory calibrating");
}

struct slist {
    char **v;
    size_t n, cap;
};

static void slist_free(struct slist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* Appends s[0..len) with its surrounding blanks trimmed. */
static int slist_push(struct slist *l, const char *s, size_t len)
{
    while (len && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    char *c = malloc(len + 1);
    if (!c)
        return -1;
    memcpy(c, s, len);
    c[len] = '\0';
    l->v[l->n++] = c;
    return 0;
}

/* The alias of an item "expr AS name", or NULL. */
static const char *item_alias(const char *item)
{
    const char *as = NULL;
    for (const char *p = item; (p = strstr(p, " AS ")) != NULL; p += 4)
        as = p;
    return as ? as + 4 : NULL;
}

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- operators ----------------------------------------------------------- */

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
    COP_SALT, /* a salted key (sim/plan/skew.h): the salt column, or the rows once per salt */
    COP_PASS  /* costs nothing here: Collect, Coalesce, broadcast, sampling */
};

enum part_kind { PK_HASH, PK_RANGE, PK_ROUNDROBIN, PK_SINGLE };

struct cop {
    enum cop_kind kind;
    int cls; /* enum calib_class, -1 for none */
    const struct plan_op *po; /* the planned operator it runs */
    const char *text;         /* po's text, for messages */
    const char *short_name;
    /* parsed from the text */
    char *table;
    struct slist a, b, c; /* lists: see cop_parse for each kind */
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
    int src;
    double key_ndv; /* aggregate: distinct keys from the schema; NaN unknown */
    /* measured in the current run */
    double ns;
    int64_t rows_in, rows_out, ser_bytes, comp_bytes;
    size_t groups;
};

static void cop_fini(struct cop *op)
{
    free(op->table);
    free(op->where);
    slist_free(&op->a);
    slist_free(&op->b);
    slist_free(&op->c);
    batch_free(op->out);
    expr_free(op->pred);
    kernel_filter_free(op->kf);
    kernel_project_free(op->kp);
    expr_list_fini(&op->items);
    hashagg_free(op->h);
    batch_free(op->raw);
    for (size_t i = 0; i < op->n_parsed; i++)
        expr_call_fini(&op->parsed[i]);
    sortk_ws_free(op->ws);
    batch_free(op->buf);
    join_ws_free(op->jws);
    join_hash_free(op->jh);
    batch_free(op->build);
    batch_free(op->tmp[0]);
    batch_free(op->tmp[1]);
    partition_map_free(op->pm);
    batch_free(op->bounds);
    shuffle_buf_fini(&op->sraw);
    shuffle_buf_fini(&op->z);
    free(op->order);
    free(op->hashes);
    scan_file_fini(&op->file);
    scan_reader_free(op->reader);
}

/* The kernel's join type of a plan's join; -1 for one the kernel lacks. */
static int kernel_join_type(enum plan_join j, enum join_type *t)
{
    switch (j) {
    case PLAN_JOIN_INNER: *t = JOIN_INNER; return 0;
    case PLAN_JOIN_LEFT_OUTER: *t = JOIN_LEFT_OUTER; return 0;
    case PLAN_JOIN_LEFT_SEMI: *t = JOIN_LEFT_SEMI; return 0;
    case PLAN_JOIN_LEFT_ANTI: *t = JOIN_LEFT_ANTI; return 0;
    default: return -1;
    }
}

/* Copies names into l (and their directions into desc, when given). */
static int names_to_slist(const struct plan_names *names, struct slist *l, bool *desc)
{
    if (desc && names->n > MAX_KEYS)
        return -1;
    for (size_t i = 0; i < names->n; i++) {
        if (slist_push(l, names->v[i], strlen(names->v[i])) != 0)
            return -1;
        if (desc)
            desc[i] = names->desc && names->desc[i];
    }
    return 0;
}

/* A call as the expression language writes it: "count(DISTINCT x)", with
 * " AS alias" when with_alias. */
static int call_to_slist(const struct plan_call *c, bool with_alias, struct slist *l)
{
    char buf[512];
    int n = snprintf(buf, sizeof buf, "%s(%s%s)%s%s", c->func, c->distinct ? "DISTINCT " : "",
                     c->arg, with_alias ? " AS " : "", with_alias ? c->alias : "");
    if (n < 0 || (size_t)n >= sizeof buf)
        return -1;
    return slist_push(l, buf, (size_t)n);
}

/* Reads a planned operator's fields into op. Fails with SC_EINPUT on an
 * operator calibration cannot run. */
static enum sc_status cop_from_plan(struct cop *op, const struct plan_op *po, struct diag *d)
{
    memset(op, 0, sizeof *op);
    op->po = po;
    op->text = po->text;
    /* Its overhead class is its kernel's, from the operator registry. */
    op->cls = plan_op_class(po->kind);
    op->src = -1;
    op->chain = -1;
    op->key_ndv = NAN;
    int bad = 0;
    switch (po->kind) {
    case PLAN_OP_SCAN:
    case PLAN_OP_ROWS:
        op->kind = po->kind == PLAN_OP_SCAN ? COP_SCAN : COP_ROWS;
        op->short_name = op->kind == COP_SCAN ? "scan" : NULL;
        bad = !(op->table = strdup(po->table)) || names_to_slist(&po->cols, &op->a, NULL);
        break;
    case PLAN_OP_MEMSCAN:
        /* A cached DataFrame's columns, read back from memory: decoded like
         * a columnar file (the table they come from is found when bound). */
        op->kind = COP_SCAN;
        op->short_name = "memscan";
        bad = names_to_slist(&po->cols, &op->a, NULL);
        break;
    case PLAN_OP_SHUFFLE_READ:
        op->kind = COP_READ;
        op->short_name = "read";
        break;
    case PLAN_OP_FILTER:
        op->kind = COP_FILTER;
        op->short_name = "filter";
        bad = !(op->where = strdup(po->where));
        break;
    case PLAN_OP_SALT:
        /* The planner's salting (sim/plan/skew.h): n salt values; limit 1
         * when each row is replicated once per value. */
        op->kind = COP_SALT;
        op->short_name = "salt";
        op->limit = po->salt_mode == PLAN_SALT_EXPLODE;
        op->nparts = po->n;
        bad = op->nparts < 1;
        break;
    case PLAN_OP_PROJECT:
        op->kind = COP_PROJECT;
        op->short_name = "project";
        for (size_t i = 0; i < po->n_items && !bad; i++) {
            char buf[1024];
            const struct plan_item *it = &po->items[i];
            int n = snprintf(buf, sizeof buf, "%s%s%s", it->expr, it->alias ? " AS " : "",
                             it->alias ? it->alias : "");
            bad = n < 0 || (size_t)n >= sizeof buf || slist_push(&op->a, buf, (size_t)n) != 0;
        }
        break;
    case PLAN_OP_HASH_AGGREGATE:
        op->kind = COP_AGG;
        op->final_agg = po->final;
        op->short_name = op->final_agg ? "agg(final)" : "agg";
        bad = names_to_slist(&po->keys, &op->a, NULL);
        for (size_t i = 0; i < po->n_calls && !bad; i++)
            bad = call_to_slist(&po->calls[i], false, &op->b);
        break;
    case PLAN_OP_SORT:
        op->kind = COP_SORT;
        op->short_name = "sort";
        op->all_cols = po->local_all;
        if (!op->all_cols)
            bad = names_to_slist(&po->keys, &op->a, op->desc);
        break;
    case PLAN_OP_WINDOW:
        op->kind = COP_WINDOW;
        op->short_name = "window";
        for (size_t i = 0; i < po->n_calls && !bad; i++)
            bad = call_to_slist(&po->calls[i], true, &op->a);
        bad = bad || names_to_slist(&po->keys, &op->b, NULL) ||
              names_to_slist(&po->order, &op->c, op->desc);
        break;
    case PLAN_OP_SORT_MERGE_JOIN:
    case PLAN_OP_BROADCAST_HASH_JOIN: {
        bool smj = po->kind == PLAN_OP_SORT_MERGE_JOIN;
        op->kind = smj ? COP_SMJ : COP_BHJ;
        op->short_name = smj ? "smj" : "bhj";
        if (kernel_join_type(po->join, &op->jtype) < 0)
            return diag_set(d, SC_EINPUT, NULL, 0, "join type of '%s' is not calibrated", po->text);
        bad = names_to_slist(&po->keys, &op->a, NULL);
        op->build_left = !smj && po->build_left;
        if (!bad && op->build_left && op->jtype != JOIN_INNER) {
            cop_fini(op);
            return diag_set(d, SC_EINPUT, NULL, 0,
                            "'%s' (a build-left outer join) is not "
                            "calibrated",
                            po->text);
        }
        break;
    }
    case PLAN_OP_UNION:
        op->kind = COP_UNION;
        op->short_name = "union";
        break;
    case PLAN_OP_EXCHANGE:
        op->kind = COP_EXCHANGE;
        op->short_name = "exchange";
        switch (po->part) {
        case PLAN_PART_SINGLE: op->part = PK_SINGLE; break;
        case PLAN_PART_HASH: op->part = PK_HASH; break;
        case PLAN_PART_RANGE: op->part = PK_RANGE; break;
        case PLAN_PART_ROUNDROBIN: op->part = PK_ROUNDROBIN; break;
        case PLAN_PART_UNKNOWN: bad = 1; break;
        }
        op->nparts = po->part == PLAN_PART_SINGLE ? 1 : po->n;
        bad = bad || op->nparts < 1 ||
              names_to_slist(&po->keys, &op->a, po->part == PLAN_PART_RANGE ? op->desc : NULL);
        break;
    case PLAN_OP_WRITE:
        op->kind = COP_WRITE;
        op->short_name = "write";
        break;
    case PLAN_OP_CACHE:
        op->kind = COP_CACHE;
        op->short_name = "cache";
        break;
    case PLAN_OP_LIMIT:
        op->kind = COP_LIMIT;
        op->short_name = "limit";
        op->limit = po->n;
        break;
    case PLAN_OP_COLLECT:
    case PLAN_OP_COALESCE:
    case PLAN_OP_BROADCAST:
    case PLAN_OP_RANGE_SAMPLE: op->kind = COP_PASS; break;
    case PLAN_OP_TAKE_ORDERED:
    case PLAN_OP_NESTED_LOOP_JOIN:
    case PLAN_OP_CARTESIAN:
        return diag_set(d, SC_EINPUT, NULL, 0, "operator '%.80s' is not calibrated", po->text);
    }
    if (bad) {
        cop_fini(op);
        return diag_set(d, SC_EINPUT, NULL, 0, "cannot read operator '%.80s'", po->text);
    }
    return SC_OK;
}

static bool table_has(const struct table_spec *t, const struct slist *cols)
{
    for (size_t i = 0; i < cols->n; i++) {
        bool found = false;
        for (size_t c = 0; c < t->n_columns && !found; c++)
            found = strcmp(t->columns[c].name, cols->v[i]) == 0;
        if (!found)
            return false;
    }
    return true;
}

/* The table an InMemoryTableScan's columns come from: the first table the
 * job's query (or a view) scans that has them all, else any table that
 * does. The planner names the cached columns, not their table. */
static const struct table_spec *cached_table(const struct scenario *s, size_t job,
                                             const struct slist *cols)
{
    const struct job_spec *js = &s->jobs[job];
    for (size_t v = 0; v <= s->n_views; v++) {
        const struct query_step *steps = v == 0 ? js->query : s->views[v - 1].steps;
        size_t n = v == 0 ? js->n_query : s->views[v - 1].n_steps;
        for (size_t i = 0; i < n; i++) {
            const char *name = steps[i].op == OP_SCAN ? steps[i].table : NULL;
            const struct table_spec *t = name ? scenario_table(s, name) : NULL;
            if (t && table_has(t, cols))
                return t;
        }
    }
    for (size_t i = 0; i < s->n_tables; i++)
        if (table_has(&s->tables[i], cols))
            return &s->tables[i];
    return NULL;
}

static bool is_source(const struct cop *op)
{
    return op->kind == COP_SCAN || op->kind == COP_ROWS || op->kind == COP_READ;
}

/* ---- the generic schema of explicit stages --------------------------------- */

/* An explicit stage names a kernel and its records, not its columns: its
 * kernel runs alone on this table (a sequence id, a key with 1,000 values —
 * few groups, as most aggregations — a double, a string, a flag), and joins
 * find their other side in `generic_dim`. */
static const struct column_spec generic_cols[] = {
    {.name = "id", .type = COL_INT64, .dist = CDIST_SEQUENCE},
    {.name = "key", .type = COL_INT64, .dist = CDIST_UNIFORM, .min = 1, .max = 1000},
    {.name = "value", .type = COL_DOUBLE, .dist = CDIST_UNIFORM, .min = 0, .max = 100},
    {.name = "name", .type = COL_STRING, .dist = CDIST_ZIPF, .distinct = 1000, .exponent = 1.0},
    {.name = "flag", .type = COL_BOOLEAN, .dist = CDIST_UNIFORM},
};
static const struct column_spec generic_dim_cols[] = {
    {.name = "key", .type = COL_INT64, .dist = CDIST_SEQUENCE},
    {.name = "label", .type = COL_STRING, .dist = CDIST_SEQUENCE},
};
static const struct table_spec generic_tables[] = {
    {.name = "generic",
     .rows = 100000000,
     .size_bytes = -1,
     .format = "parquet",
     .columns = (struct column_spec *)generic_cols,
     .n_columns = 5},
    {.name = "generic_dim",
     .rows = 1000,
     .size_bytes = -1,
     .format = "parquet",
     .columns = (struct column_spec *)generic_dim_cols,
     .n_columns = 2},
};

/* ---- an explicit stage's kernel alone, on the generic tables ------------- */

/* The columns of generic_cols and generic_dim_cols the pipelines read. */
static const char *const generic_all[] = {"id", "key", "value", "name", "flag"};
static const char *const generic_idkv[] = {"id", "key", "value"};
static const char *const generic_dim_all[] = {"key", "label"};

#define GENERIC_MAX_OPS 6

struct generic_pipe {
    struct plan_op ops[GENERIC_MAX_OPS];
    size_t n;
    bool built;
};

static struct plan_op *gen_op(struct generic_pipe *g, enum plan_op_kind k)
{
    struct plan_op *op = &g->ops[g->n++];
    memset(op, 0, sizeof *op);
    op->kind = k;
    return op;
}

/* Rows of the generic table (or generic_dim) with the given columns. */
static int gen_rows(struct generic_pipe *g, const char *table, const char *const *cols, size_t n)
{
    struct plan_op *op = gen_op(g, PLAN_OP_ROWS);
    return !(op->table = strdup(table)) || plan_names_set(&op->cols, cols, NULL, n, false) ? -1 : 0;
}

static int gen_keys(struct plan_op *op, const char *const *keys, size_t n, bool dirs)
{
    return plan_names_set(&op->keys, keys, NULL, n, dirs);
}

static struct plan_call gen_call(const char *func, const char *arg, const char *alias)
{
    struct plan_call c;
    memset(&c, 0, sizeof c);
    snprintf(c.func, sizeof c.func, "%s", func);
    snprintf(c.arg, sizeof c.arg, "%s", arg);
    snprintf(c.alias, sizeof c.alias, "%s", alias);
    return c;
}

static int gen_calls(struct plan_op *op, const struct plan_call *calls, size_t n)
{
    if (!(op->calls = malloc(n * sizeof *op->calls)))
        return -1;
    memcpy(op->calls, calls, n * sizeof *calls);
    op->n_calls = n;
    return 0;
}

/* Builds kernel k's pipeline: generic rows into that kernel, with the
 * parameters of a typical use (what the kernel's fit is measured on).
 * Returns 0; -1 when memory runs out or k has no pipeline (g->n 0). */
static int generic_pipeline(enum op_kernel k, struct generic_pipe *g)
{
    static const char *const key[] = {"key"}, *const key_flag[] = {"key", "flag"};
    static const char *const value[] = {"value"}, *const key_value[] = {"key", "value"};
    struct plan_op *op;
    int rc = 0;
    if (k == OPK_SCAN) {
        op = gen_op(g, PLAN_OP_SCAN);
        rc = !(op->format = strdup("parquet")) || !(op->table = strdup("generic")) ||
             plan_names_set(&op->cols, generic_all, NULL, 5, false);
    } else if (k == OPK_SHUFFLE_READ) {
        op = gen_op(g, PLAN_OP_SHUFFLE_READ);
        op->part = PLAN_PART_HASH;
        op->n = 200;
        rc = gen_keys(op, key, 1, false);
    } else if (k == OPK_SORT_MERGE_JOIN) {
        rc = gen_rows(g, "generic", generic_idkv, 3) || gen_keys(gen_op(g, PLAN_OP_SORT), key, 1, true) ||
             gen_rows(g, "generic_dim", generic_dim_all, 2) ||
             gen_keys(gen_op(g, PLAN_OP_SORT), key, 1, true) ||
             gen_keys(gen_op(g, PLAN_OP_SORT_MERGE_JOIN), key, 1, false);
    } else if (k == OPK_GENERIC || k == OPK_WRITE || k == OPK_SAMPLE) {
        return -1; /* no kernel alone to time */
    } else {
        rc = gen_rows(g, "generic", generic_all, 5);
        if (k == OPK_FILTER) {
            rc = rc || !(gen_op(g, PLAN_OP_FILTER)->where = strdup("value < 50.0"));
        } else if (k == OPK_PROJECT) {
            static const char *const ex[] = {"id", "key", "value * 2.0", "upper(name)", "flag"};
            static const char *const al[] = {NULL, NULL, "value2", "uname", NULL};
            op = gen_op(g, PLAN_OP_PROJECT);
            if (!rc && !(op->items = calloc(5, sizeof *op->items)))
                rc = -1;
            for (size_t j = 0; !rc && j < 5; j++) {
                op->n_items++;
                rc = !(op->items[j].expr = strdup(ex[j])) ||
                     (al[j] && !(op->items[j].alias = strdup(al[j])));
            }
        } else if (k == OPK_HASH_AGGREGATE) {
            struct plan_call c[2] = {gen_call("count", "1", "count(1)"),
                                     gen_call("sum", "value", "sum(value)")};
            op = gen_op(g, PLAN_OP_HASH_AGGREGATE);
            rc = rc || gen_keys(op, key, 1, false) || gen_calls(op, c, 2);
        } else if (k == OPK_DISTINCT) {
            rc = rc || gen_keys(gen_op(g, PLAN_OP_HASH_AGGREGATE), key_flag, 2, false);
        } else if (k == OPK_SORT) {
            rc = rc || gen_keys(gen_op(g, PLAN_OP_SORT), value, 1, true);
        } else if (k == OPK_WINDOW) {
            struct plan_call c = gen_call("row_number", "", "rn");
            rc = rc || gen_keys(gen_op(g, PLAN_OP_SORT), key_value, 2, true);
            op = gen_op(g, PLAN_OP_WINDOW);
            rc = rc || gen_keys(op, key, 1, false) || gen_calls(op, &c, 1) ||
                 plan_names_set(&op->order, value, NULL, 1, true);
        } else if (k == OPK_BROADCAST_HASH_JOIN) {
            rc = rc || gen_keys(gen_op(g, PLAN_OP_BROADCAST_HASH_JOIN), key, 1, false);
        } else if (k == OPK_SHUFFLE_WRITE) {
            op = gen_op(g, PLAN_OP_EXCHANGE);
            op->part = PLAN_PART_HASH;
            op->n = 200;
            rc = rc || gen_keys(op, key, 1, false);
        } else if (k == OPK_LIMIT) {
            op = gen_op(g, PLAN_OP_LIMIT);
            op->limit_mode = PLAN_LIMIT_LOCAL;
            op->n = 1000000000;
        }
    }
    for (size_t j = 0; !rc && j < g->n; j++)
        rc = plan_op_finish(&g->ops[j]);
    return rc ? -1 : 0;
}

static void generic_pipe_fini(struct generic_pipe *g)
{
    for (size_t j = 0; j < g->n; j++)
        plan_op_fini(&g->ops[j]);
    memset(g, 0, sizeof *g);
}

static const struct table_spec *generic_table(const char *name)
{
    for (size_t i = 0; i < sizeof generic_tables / sizeof generic_tables[0]; i++)
        if (strcmp(generic_tables[i].name, name) == 0)
            return &generic_tables[i];
    return NULL;
}

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
    double key_ndv;
};

struct meas {
    size_t n_ops;
    struct meas_op ops[MAX_OPS];
    struct calib_fit total;
    size_t n_sizes;
    double x[CALIBRATE_MAX_SIZES]; /* stage input rows, ascending */
    double in_rows, out_rows, out_bytes, sel_in, sel_out, ser_bytes, comp_bytes;
    bool has_filter, has_exchange;
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
};

static void warn(struct calibration *cal, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void warn(struct calibration *cal, const char *fmt, ...)
{
    char buf[1400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    /* Once each: an unwritable cache would say so for every stage. */
    for (size_t i = 0; i < cal->warnings.n; i++)
        if (strcmp(cal->warnings.v[i], buf) == 0)
            return;
    slist_push(&cal->warnings, buf, strlen(buf));
}

static struct stage_rec *rec_at(struct calibration *cal, size_t job, size_t stage)
{
    return &cal->recs[cal->first[job] + stage];
}

/* The stage's operators: the planner's, or its kernel's generic pipeline
 * (none for a kernel without one, or when memory runs out building it). */
static size_t stage_ops(struct calibration *cal, const struct plan_stage *sp,
                        const struct plan_op **ops)
{
    if (sp->n_ops > 0) {
        *ops = sp->ops;
        return sp->n_ops;
    }
    *ops = NULL;
    int k = op_kernel_find(sp->kernel);
    if (k < 0)
        return 0;
    struct generic_pipe *g = &cal->generic[k];
    if (!g->built) {
        if (generic_pipeline((enum op_kernel)k, g) != 0) {
            generic_pipe_fini(g);
            return 0;
        }
        g->built = true;
    }
    *ops = g->ops;
    return g->n;
}

/* Index in its job of the stage with id `id`, or -1. */
static long stage_index(const struct plan_job *js, int64_t id)
{
    for (size_t i = 0; i < js->n_stages; i++)
        if (js->stages[i].id == id)
            return (long)i;
    return -1;
}

/* The parent stage a ShuffleRead (`read`, its k-th of that partitioning) or a
 * BroadcastHashJoin (`bcast`, the k-th) of stage `stage` reads: the parent
 * whose last operator is the matching Exchange or BroadcastExchange, in the
 * order of the parents (stage_merge keeps it the operators' order). */
static long find_parent(const struct plan_job *js, size_t stage, const struct plan_op *read,
                        bool bcast, size_t k)
{
    const struct plan_stage *sp = &js->stages[stage];
    long last = -1;
    size_t seen = 0;
    for (size_t i = 0; i < sp->n_parents; i++) {
        long p = stage_index(js, sp->parents[i]);
        if (p < 0 || (size_t)p >= stage || js->stages[p].n_ops == 0)
            continue;
        const struct plan_op *lo = &js->stages[p].ops[js->stages[p].n_ops - 1];
        bool match = bcast ? lo->kind == PLAN_OP_BROADCAST
                           : lo->kind == PLAN_OP_EXCHANGE && plan_op_same_partitioning(lo, read);
        if (!match)
            continue;
        if (seen++ == k)
            return p;
        last = p;
    }
    return last; /* a reused exchange read twice */
}

/* ---- the pipeline ----------------------------------------------------------- */

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
};

static void source_unprepare(struct source *s)
{
    for (size_t i = 0; i < s->n_chunks; i++) {
        if (s->files)
            scan_file_fini(&s->files[i]);
        if (s->bufs)
            shuffle_buf_fini(&s->bufs[i]);
        if (s->chunks)
            batch_free(s->chunks[i]);
    }
    free(s->files);
    free(s->bufs);
    free(s->chunks);
    s->files = NULL;
    s->bufs = NULL;
    s->chunks = NULL;
    s->n_chunks = 0;
}

static void pipe_free(struct pipe *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_srcs; i++) {
        source_unprepare(&p->srcs[i]);
        batch_free(p->srcs[i].base);
    }
    for (size_t i = 0; i < p->n_chains; i++)
        batch_free(p->chains[i].collect);
    for (size_t i = 0; i < p->n_ops; i++)
        cop_fini(&p->ops[i]);
    batch_free(p->sample);
    shuffle_buf_fini(&p->scratch);
    free(p);
}

/* Reads ops into p's operators and links them into chains (see the file
 * comment). SC_EINPUT with the reason when the pipeline cannot be run. */
static enum sc_status pipe_parse(struct pipe *p, const struct plan_op *ops, size_t n,
                                 struct diag *d)
{
    if (n > MAX_OPS)
        return diag_set(d, SC_EINPUT, NULL, 0, "more than %d operators", MAX_OPS);
    int cur = -1;
    int stack[MAX_CHAINS];
    size_t depth = 0;
    for (size_t i = 0; i < n; i++) {
        struct cop *op = &p->ops[i];
        enum sc_status rc = cop_from_plan(op, &ops[i], d);
        if (rc != SC_OK)
            return rc;
        p->n_ops = i + 1;
        bool combine = op->kind == COP_SMJ || op->kind == COP_UNION;
        if (is_source(op) || combine) {
            if (p->n_chains == MAX_CHAINS)
                return diag_set(d, SC_EINPUT, NULL, 0, "more than %d inputs", MAX_CHAINS);
            struct chain *ch = &p->chains[p->n_chains];
            ch->head = ch->tail = op;
            ch->src = ch->in_l = ch->in_r = -1;
            if (combine) {
                if (cur < 0 || depth == 0)
                    return diag_set(d, SC_EINPUT, NULL, 0, "'%s' without two inputs", op->text);
                ch->in_l = stack[--depth];
                ch->in_r = cur;
                p->has_smj |= op->kind == COP_SMJ;
            } else {
                if (cur >= 0)
                    stack[depth++] = cur;
                if (p->n_srcs == MAX_CHAINS)
                    return diag_set(d, SC_EINPUT, NULL, 0, "more than %d inputs", MAX_CHAINS);
                ch->src = (int)p->n_srcs;
                op->src = (int)p->n_srcs;
                p->srcs[p->n_srcs++].op = op;
            }
            cur = (int)p->n_chains++;
            op->chain = cur;
            continue;
        }
        if (cur < 0)
            return diag_set(d, SC_EINPUT, NULL, 0, "'%s' has no input", op->text);
        op->chain = cur;
        p->chains[cur].tail->next = op;
        p->chains[cur].tail = op;
    }
    if (cur < 0)
        return diag_set(d, SC_EINPUT, NULL, 0, "no input operator");
    if (depth != 0)
        return diag_set(d, SC_EINPUT, NULL, 0, "an input that nothing joins");
    p->last = p->chains[cur].tail;
    return SC_OK;
}

/* A short name for the table: "scan>filter>agg>exchange". */
static void pipe_name(const struct pipe *p, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < p->n_ops; i++) {
        const char *n = p->ops[i].short_name;
        if (!n)
            continue;
        int w = snprintf(buf + len, size - len, "%s%s", len ? ">" : "", n);
        if (w < 0 || (size_t)w >= size - len)
            break;
        len += (size_t)w;
    }
}

/* ---- binding: operators to kernels ----------------------------------------- */

struct bind_env {
    struct calibration *cal;
    size_t job, stage;
    bool planned;
    size_t n_read, n_bhj; /* occurrences bound so far */
};

static enum sc_status stage_output(struct calibration *cal, size_t job, size_t stage,
                                   struct stage_out **out, struct diag *d);

static int find_col(const struct batch *b, const char *name)
{
    int c = batch_find(b, name);
    if (c < 0 && name[0] == '`') {
        char tmp[256];
        size_t len = strlen(name);
        if (len >= 2 && len - 2 < sizeof tmp) {
            memcpy(tmp, name + 1, len - 2);
            tmp[len - 2] = '\0';
            c = batch_find(b, tmp);
        }
    }
    return c;
}

static enum sc_status need_cols(const struct cop *op, const struct slist *names,
                                const struct batch *b, int *idx, struct diag *d)
{
    if (names->n > MAX_KEYS)
        return diag_set(d, SC_EINPUT, NULL, 0, "'%s': too many keys", op->text);
    for (size_t i = 0; i < names->n; i++) {
        idx[i] = find_col(b, names->v[i]);
        if (idx[i] < 0)
            return diag_set(d, SC_EINPUT, NULL, 0, "'%s': no column '%s' in its input", op->text,
                            names->v[i]);
    }
    return SC_OK;
}

/* Compares two expression texts ignoring case and blanks. */
static bool same_text(const char *a, const char *b)
{
    for (;;) {
        while (isspace((unsigned char)*a))
            a++;
        while (isspace((unsigned char)*b))
            b++;
        if (!*a || !*b)
            return !*a && !*b;
        if (tolower((unsigned char)*a++) != tolower((unsigned char)*b++))
            return false;
    }
}

static bool is_count_star(const struct expr_call *c)
{
    return c->fn == EXPR_FN_COUNT && (!c->arg || expr_n_refs(c->arg) == 0);
}

/* The alias the query gave an aggregate the final HashAggregate names only
 * by its function ("count(emp_id)"): the planner's text drops it, the
 * query's group_by steps have it. */
static const char *find_agg_alias(const struct scenario *s, size_t job, const struct expr_call *c,
                                  char *buf, size_t size)
{
    const struct job_spec *js = &s->jobs[job];
    for (size_t v = 0; v <= s->n_views; v++) {
        const struct query_step *steps = v == 0 ? js->query : s->views[v - 1].steps;
        size_t n = v == 0 ? js->n_query : s->views[v - 1].n_steps;
        for (size_t i = 0; i < n; i++) {
            if (steps[i].op != OP_GROUP_BY)
                continue;
            for (size_t a = 0; a < steps[i].aggs.n; a++) {
                struct diag ignore;
                diag_clear(&ignore);
                struct expr_call q;
                if (expr_call_parse_agg(steps[i].aggs.v[a], &q, &ignore) != SC_OK)
                    continue;
                bool match =
                    q.alias && q.fn == c->fn &&
                    (is_count_star(&q)
                         ? is_count_star(c)
                         : q.arg && c->arg && same_text(expr_text(q.arg), expr_text(c->arg)));
                if (match)
                    snprintf(buf, size, "%s", q.alias);
                expr_call_fini(&q);
                if (match)
                    return buf;
            }
        }
    }
    return NULL;
}

static enum sc_status bind_agg(struct bind_env *env, struct cop *op, struct chain *ch,
                               struct diag *d)
{
    const struct batch *in = ch->layout;
    const struct batch *raw = op->final_agg ? ch->agg_raw : in;
    if (!raw)
        return diag_set(d, SC_EINPUT, NULL, 0, "'%s': its partial aggregate is not known",
                        op->text);
    if (op->b.n > MAX_KEYS)
        return diag_set(d, SC_EINPUT, NULL, 0, "'%s': too many functions", op->text);
    enum sc_status rc = need_cols(op, &op->a, raw, op->keys, d);
    if (rc != SC_OK)
        return rc;
    op->n_keys = op->a.n;
    for (size_t i = 0; i < op->b.n; i++) {
        const char *t = op->b.v[i];
        if (starts(t, "partial_"))
            t += 8;
        struct expr_call *c = &op->parsed[op->n_parsed];
        if ((rc = expr_call_parse_agg(t, c, d)) != SC_OK)
            return rc;
        op->n_parsed++;
        struct agg_call *a = &op->calls[op->n_calls++];
        a->col = -1;
        a->alias = c->alias;
        switch (c->fn) {
        case EXPR_FN_COUNT: a->func = is_count_star(c) ? AGG_COUNT_STAR : AGG_COUNT; break;
        case EXPR_FN_COUNT_DISTINCT: a->func = AGG_COUNT_DISTINCT; break;
        case EXPR_FN_SUM: a->func = AGG_SUM; break;
        case EXPR_FN_AVG: a->func = AGG_AVG; break;
        case EXPR_FN_MIN: a->func = AGG_MIN; break;
        case EXPR_FN_MAX: a->func = AGG_MAX; break;
        default:
            return diag_set(d, SC_EINPUT, NULL, 0, "'%s': function '%s' is not calibrated",
                            op->text, t);
        }
        if (a->func != AGG_COUNT_STAR) {
            const char *name = c->arg ? expr_column_name(c->arg) : NULL;
            a->col = name ? find_col(raw, name) : -1;
            if (a->col < 0)
                return diag_set(d, SC_EINPUT, NULL, 0,
                                "'%s': the argument of '%s' is not a column of its input", op->text,
                                t);
        }
        /* A final aggregate's results carry the query's aliases, which the
         * operators above it refer to. */
        char alias[128];
        if (op->final_agg && !item_alias(t) && env->planned &&
            find_agg_alias(env->cal->s, env->job, c, alias, sizeof alias)) {
            free(c->alias);
            if (!(c->alias = strdup(alias)))
                return nomem(d);
            a->alias = c->alias;
        }
    }
    struct agg_spec spec = {op->keys, op->n_keys, op->calls, op->n_calls};
    op->h = hashagg_new(&spec, op->final_agg ? AGG_FINAL : AGG_PARTIAL, raw, d);
    if (!op->h)
        return d->status != SC_OK ? d->status : nomem(d);
    if (!(op->out = hashagg_output_new(op->h, 0)))
        return nomem(d);
    if (!op->final_agg) {
        if (!(op->raw = batch_new_like(raw, 0)))
            return nomem(d);
        ch->agg_raw = op->raw;
    }
    op->layout = op->out;
    return SC_OK;
}

/* Distinct keys of an aggregate, from the schema: the product of each
 * key's distinct count — a table column's (plan_stats_column_ndv), or for a
 * key a projection derived from the table's columns, its expression's
 * (plan_stats_default_expr_ndv: id % 100 has 100, a CASE its branches) —
 * capped by the table's rows. NaN when a key's count is unknown. */
static double agg_key_ndv(const struct pipe *p, const struct cop *agg)
{
    const struct chain *ch = &p->chains[agg->chain];
    if (ch->src < 0 || agg->final_agg || agg->a.n == 0)
        return NAN;
    const struct table_spec *t = p->srcs[ch->src].table;
    if (!t || p->srcs[ch->src].op->kind == COP_READ)
        return NAN;
    double rows = (double)(t->rows > 0 ? t->rows : 1);
    struct plan_column cols[64];
    size_t nc = t->n_columns < 64 ? t->n_columns : 64;
    for (size_t c = 0; c < nc; c++)
        cols[c] = (struct plan_column){t->columns[c].name,
                                       t->columns[c].type,
                                       &t->columns[c],
                                       rows,
                                       plan_stats_column_ndv(&t->columns[c], rows),
                                       8.0,
                                       t->columns[c].null_fraction};
    double ndv = 1.0;
    for (size_t k = 0; k < agg->a.n; k++) {
        const char *key = agg->a.v[k];
        double kn = NAN;
        for (size_t c = 0; c < nc; c++)
            if (strcmp(cols[c].name, key) == 0)
                kn = cols[c].ndv;
        /* The last projection on the way that defines the key decides. */
        for (const struct cop *op = ch->head; op && op != agg; op = op->next) {
            if (op->kind != COP_PROJECT)
                continue;
            for (size_t i = 0; i < op->a.n; i++) {
                const char *as = item_alias(op->a.v[i]);
                if (!as || strcmp(as, key) != 0)
                    continue;
                char expr[512];
                size_t len = (size_t)(as - 4 - op->a.v[i]);
                if (len >= sizeof expr)
                    return NAN;
                memcpy(expr, op->a.v[i], len);
                expr[len] = '\0';
                kn = plan_stats_default_expr_ndv(NULL, expr, cols, nc, rows);
            }
        }
        if (!(kn >= 1.0))
            return NAN;
        ndv *= kn;
    }
    return ndv > rows ? rows : ndv;
}

/* Generates the first `rows` rows of table t's columns cols (in order). */
static struct batch *generate(const struct table_spec *t, const struct slist *cols, size_t rows,
                              struct diag *d)
{
    struct batch *b;
    if (cols->n == 0) {
        b = batch_new(0, NULL, NULL, 0);
        if (!b) {
            nomem(d);
            return NULL;
        }
        b->n_rows = rows;
        return b;
    }
    b = datagen_batch_new_columns(t, (const char *const *)cols->v, cols->n, rows, d);
    if (!b)
        return NULL;
    if (datagen_generate(t, CALIB_SEED, 0, rows, b, d) != SC_OK) {
        batch_free(b);
        return NULL;
    }
    return b;
}

static enum sc_status bind_source(struct bind_env *env, struct pipe *p, struct cop *op,
                                  struct chain *ch, struct diag *d)
{
    struct calibration *cal = env->cal;
    struct source *src = &p->srcs[op->src];
    const struct batch *layout = NULL;
    if (op->kind == COP_SCAN || op->kind == COP_ROWS) {
        const struct table_spec *t = !op->table     ? cached_table(cal->s, env->job, &op->a)
                                     : env->planned ? scenario_table(cal->s, op->table)
                                                    : generic_table(op->table);
        if (!t)
            return diag_set(d, SC_EINPUT, NULL, 0, "'%s': no table has its columns", op->text);
        src->table = t;
        src->weight = t->rows > 0 ? (double)t->rows : 1.0;
        struct batch *b = generate(t, &op->a, 0, d);
        if (!b)
            return d->status;
        op->out = b;
        layout = b;
        if (op->kind == COP_SCAN && !(op->reader = scan_reader_new()))
            return nomem(d);
    } else if (!env->planned) {
        /* A shuffle read alone: the generic table's rows, serialized. */
        static const char *const all[] = {"id", "key", "value", "name", "flag"};
        struct slist cols = {(char **)all, 5, 5};
        src->table = &generic_tables[0];
        src->weight = 1.0;
        op->table = NULL;
        if (!(op->out = generate(src->table, &cols, 0, d)))
            return d->status;
        layout = op->out;
    } else {
        const struct plan_job *js = &cal->plan->jobs[env->job];
        size_t k = 0;
        for (size_t i = 0; i < (size_t)(op - p->ops); i++)
            k += p->ops[i].kind == COP_READ && plan_op_same_partitioning(p->ops[i].po, op->po);
        long par = find_parent(js, env->stage, op->po, false, k);
        if (par < 0)
            return diag_set(d, SC_EINPUT, NULL, 0, "'%s': no parent stage writes it", op->text);
        struct stage_out *po;
        enum sc_status rc = stage_output(cal, env->job, (size_t)par, &po, d);
        if (rc != SC_OK)
            return rc;
        if (po->failed || !po->rows)
            return diag_set(d, SC_EINPUT, NULL, 0, "its input stage %ld could not be run", par);
        if (po->rows->n_rows == 0)
            return diag_set(d, SC_EINPUT, NULL, 0,
                            "its input stage %ld wrote no rows on the sample", par);
        src->given = po->rows;
        src->may_tile = true;
        double w = (double)js->stages[par].output_records;
        src->weight = w > 0.0 ? w : 1.0;
        ch->agg_raw = po->agg_raw;
        if (!(op->out = batch_new_like(po->rows, 0)))
            return nomem(d);
        layout = op->out;
    }
    op->layout = layout;
    ch->layout = layout;
    return SC_OK;
}

/* The build side of a broadcast hash join: its broadcast parent's rows, or
 * generic_dim's 1,000 rows for a kernel alone. */
static enum sc_status bhj_build_rows(struct bind_env *env, struct cop *op, struct diag *d)
{
    if (!env->planned) {
        static const char *const cols[] = {"key", "label"};
        struct slist l = {(char **)cols, 2, 2};
        op->build = generate(&generic_tables[1], &l, 1000, d);
        return op->build ? SC_OK : d->status;
    }
    struct calibration *cal = env->cal;
    const struct plan_job *js = &cal->plan->jobs[env->job];
    long par = find_parent(js, env->stage, NULL, true, env->n_bhj++);
    if (par < 0)
        return diag_set(d, SC_EINPUT, NULL, 0, "'%s': no broadcast parent", op->text);
    struct stage_out *po;
    enum sc_status rc = stage_output(cal, env->job, (size_t)par, &po, d);
    if (rc != SC_OK)
        return rc;
    if (po->failed || !po->rows)
        return diag_set(d, SC_EINPUT, NULL, 0, "its broadcast stage %ld could not be run", par);
    if (!(op->build = batch_new_like(po->rows, po->rows->n_rows)) ||
        batch_append(op->build, po->rows, 0, po->rows->n_rows) != 0)
        return nomem(d);
    /* The build keys are the broadcast's (HashedRelationBroadcastMode(k)). */
    const struct plan_stage *ps = &js->stages[par];
    if (names_to_slist(&ps->ops[ps->n_ops - 1].keys, &op->b, NULL) != 0)
        return nomem(d);
    return SC_OK;
}

/* The planner writes a select as the list of its columns and a withColumn
 * as only its "expr AS name" items: a list without a bare column name keeps
 * the input's columns (the item replacing one of the same name in place)
 * and adds its items, as withColumn does. */
static enum sc_status bind_project(struct cop *op, const struct batch *in, struct diag *d)
{
    bool bare = false;
    for (size_t i = 0; i < op->a.n; i++)
        bare |= item_alias(op->a.v[i]) == NULL;
    if (bare)
        return expr_list_select(&op->items, in, (const char *const *)op->a.v, op->a.n, d);
    struct slist all = {0};
    bool *used = calloc(op->a.n + 1, sizeof *used);
    enum sc_status rc = used ? SC_OK : nomem(d);
    for (size_t c = 0; c < in->n_cols && rc == SC_OK; c++) {
        const char *text = NULL;
        for (size_t i = 0; i < op->a.n && !text; i++)
            if (strcmp(item_alias(op->a.v[i]), in->names[c]) == 0) {
                text = op->a.v[i];
                used[i] = true;
            }
        char quoted[300];
        if (!text) {
            snprintf(quoted, sizeof quoted, "`%s`", in->names[c]);
            text = quoted;
        }
        if (slist_push(&all, text, strlen(text)) != 0)
            rc = nomem(d);
    }
    for (size_t i = 0; i < op->a.n && rc == SC_OK; i++)
        if (!used[i] && slist_push(&all, op->a.v[i], strlen(op->a.v[i])) != 0)
            rc = nomem(d);
    if (rc == SC_OK)
        rc = expr_list_select(&op->items, in, (const char *const *)all.v, all.n, d);
    free(used);
    slist_free(&all);
    return rc;
}

static enum sc_status bind_op(struct bind_env *env, struct pipe *p, struct cop *op, struct diag *d)
{
    struct chain *ch = &p->chains[op->chain];
    const struct batch *in = ch->layout;
    enum sc_status rc = SC_OK;
    switch (op->kind) {
    case COP_SCAN:
    case COP_ROWS:
    case COP_READ: return bind_source(env, p, op, ch, d);
    case COP_FILTER:
        if (!(op->pred = expr_compile(op->where, in, d)))
            return d->status;
        if (!(op->kf = kernel_filter_new(op->pred, CHUNK_ROWS, d)))
            return d->status;
        if (!(op->out = batch_new_like(in, CHUNK_ROWS)))
            return nomem(d);
        op->layout = op->out;
        break;
    case COP_PROJECT:
        if ((rc = bind_project(op, in, d)) != SC_OK)
            return rc;
        if (!(op->kp = kernel_project_new(&op->items, CHUNK_ROWS, d)))
            return d->status;
        if (!(op->out = kernel_project_output_new(op->kp, CHUNK_ROWS)))
            return nomem(d);
        op->layout = op->out;
        break;
    case COP_AGG:
        if ((rc = bind_agg(env, op, ch, d)) != SC_OK)
            return rc;
        op->key_ndv = agg_key_ndv(p, op);
        break;
    case COP_SORT:
        if (op->all_cols) {
            /* The sort before a round-robin exchange orders rows by their
             * hash code (a radix sort on an 8-byte prefix in Spark), so
             * that a retried task deals the same rows to the same
             * partitions: hash every column, sort the hashes, gather. */
            static const char *const hname[1] = {"hash"};
            static const enum col_type htype[1] = {COL_INT64};
            if (in->n_cols > MAX_KEYS)
                return diag_set(d, SC_EINPUT, NULL, 0, "'%s': too many columns", op->text);
            for (size_t i = 0; i < in->n_cols; i++)
                op->keys[i] = (int)i;
            op->n_keys = in->n_cols;
            op->skeys[0] = (struct sort_key){0, SORT_ASC, SORT_NULLS_DEFAULT};
            op->n_skeys = 1;
            if (!(op->tmp[0] = batch_new(1, hname, htype, 0)))
                return nomem(d);
        } else {
            if ((rc = need_cols(op, &op->a, in, op->keys, d)) != SC_OK)
                return rc;
            for (size_t i = 0; i < op->a.n; i++)
                op->skeys[i] = (struct sort_key){op->keys[i], op->desc[i] ? SORT_DESC : SORT_ASC,
                                                 SORT_NULLS_DEFAULT};
            op->n_skeys = op->a.n;
        }
        if (!(op->ws = sortk_ws_new()) || !(op->buf = batch_new_like(in, 0)) ||
            !(op->out = batch_new_like(in, 0)))
            return nomem(d);
        op->layout = op->out;
        break;
    case COP_WINDOW: {
        if ((rc = need_cols(op, &op->b, in, op->keys, d)) != SC_OK ||
            (rc = need_cols(op, &op->c, in, op->keys2, d)) != SC_OK)
            return rc;
        for (size_t i = 0; i < op->c.n; i++)
            op->skeys[i] = (struct sort_key){op->keys2[i], op->desc[i] ? SORT_DESC : SORT_ASC,
                                             SORT_NULLS_DEFAULT};
        if (op->a.n > MAX_KEYS)
            return diag_set(d, SC_EINPUT, NULL, 0, "'%s': too many functions", op->text);
        for (size_t i = 0; i < op->a.n; i++) {
            struct expr_call *c = &op->parsed[op->n_parsed];
            if ((rc = expr_call_parse_window(op->a.v[i], c, d)) != SC_OK)
                return rc;
            op->n_parsed++;
            struct window_call *w = &op->wcalls[op->n_calls++];
            w->alias = c->alias;
            w->col = -1;
            switch (c->fn) {
            case EXPR_FN_ROW_NUMBER: w->func = WIN_ROW_NUMBER; break;
            case EXPR_FN_RANK: w->func = WIN_RANK; break;
            case EXPR_FN_SUM: w->func = WIN_SUM; break;
            case EXPR_FN_AVG: w->func = WIN_AVG; break;
            default:
                return diag_set(d, SC_EINPUT, NULL, 0, "'%s': '%s' is not calibrated", op->text,
                                op->a.v[i]);
            }
            if (w->func == WIN_SUM || w->func == WIN_AVG) {
                const char *name = c->arg ? expr_column_name(c->arg) : NULL;
                if (!name || (w->col = find_col(in, name)) < 0)
                    return diag_set(d, SC_EINPUT, NULL, 0,
                                    "'%s': argument of '%s' is not a "
                                    "column",
                                    op->text, op->a.v[i]);
            }
        }
        op->wspec =
            (struct window_spec){op->keys, op->b.n, op->skeys, op->c.n, op->wcalls, op->n_calls};
        if ((rc = window_check(&op->wspec, in, d)) != SC_OK)
            return rc;
        if (!(op->buf = batch_new_like(in, 0)) || !(op->out = window_output_new(&op->wspec, in, 0)))
            return nomem(d);
        op->layout = op->out;
        break;
    }
    case COP_SMJ:
    case COP_UNION: {
        const struct chain *l = &p->chains[ch->in_l], *r = &p->chains[ch->in_r];
        if (!(p->chains[ch->in_l].collect = batch_new_like(l->layout, 0)) ||
            !(p->chains[ch->in_r].collect = batch_new_like(r->layout, 0)))
            return nomem(d);
        ch->agg_raw = l->agg_raw;
        if (op->kind == COP_UNION) {
            if (l->layout->n_cols != r->layout->n_cols)
                return diag_set(d, SC_EINPUT, NULL, 0, "union of different widths");
            op->layout = l->layout;
            break;
        }
        if ((rc = need_cols(op, &op->a, l->layout, op->keys, d)) != SC_OK ||
            (rc = need_cols(op, &op->a, r->layout, op->keys2, d)) != SC_OK)
            return rc;
        op->jspec = (struct join_spec){op->jtype, op->keys, op->keys2, op->a.n};
        if ((rc = join_check(&op->jspec, l->layout, r->layout, d)) != SC_OK)
            return rc;
        /* A side that is not sorted on the keys by its chain gets an
         * untimed sort (a sort Spark would have planned anyway). */
        for (int s = 0; s < 2; s++) {
            const struct cop *t = p->chains[s ? ch->in_r : ch->in_l].tail;
            op->sort_in[s] = t->kind != COP_SORT;
            if (op->sort_in[s] && !(op->tmp[s] = batch_new_like(s ? r->layout : l->layout, 0)))
                return nomem(d);
        }
        if (op->a.n > MAX_KEYS / 2)
            return diag_set(d, SC_EINPUT, NULL, 0, "'%s': too many keys", op->text);
        if (!(op->jws = join_ws_new()) || !(op->ws = sortk_ws_new()) ||
            !(op->out = join_output_new(&op->jspec, l->layout, r->layout, 0)))
            return nomem(d);
        op->layout = op->out;
        break;
    }
    case COP_BHJ: {
        if ((rc = bhj_build_rows(env, op, d)) != SC_OK)
            return rc;
        const struct slist *bk = op->b.n ? &op->b : &op->a;
        if (bk->n != op->a.n)
            return diag_set(d, SC_EINPUT, NULL, 0, "'%s': key counts differ", op->text);
        if ((rc = need_cols(op, &op->a, in, op->keys, d)) != SC_OK ||
            (rc = need_cols(op, bk, op->build, op->keys2, d)) != SC_OK)
            return rc;
        /* The kernel builds its right side: with BuildLeft (inner only) the
         * streamed right side probes the broadcast left, same result. */
        op->jspec = (struct join_spec){op->jtype, op->keys, op->keys2, op->a.n};
        if ((rc = join_check(&op->jspec, in, op->build, d)) != SC_OK)
            return rc;
        if (!(op->jh = join_hash_new()) || !(op->jws = join_ws_new()))
            return nomem(d);
        if ((rc = join_hash_build(op->jh, &op->jspec, op->build, d)) != SC_OK)
            return rc;
        if (!(op->out = join_output_new(&op->jspec, in, op->build, 0)))
            return nomem(d);
        op->layout = op->out;
        break;
    }
    case COP_EXCHANGE:
        if (op->part == PK_HASH || op->part == PK_RANGE) {
            if ((rc = need_cols(op, &op->a, in, op->keys, d)) != SC_OK)
                return rc;
            for (size_t i = 0; i < op->a.n; i++)
                op->skeys[i] = (struct sort_key){op->keys[i], op->desc[i] ? SORT_DESC : SORT_ASC,
                                                 SORT_NULLS_DEFAULT};
            op->n_skeys = op->a.n;
        }
        if (!(op->pm = partition_map_new()))
            return nomem(d);
        if (op->part == PK_RANGE &&
            (!(op->ws = sortk_ws_new()) || !(op->buf = batch_new_like(in, 0))))
            return nomem(d);
        op->layout = in;
        break;
    case COP_LIMIT:
        if (!(op->out = batch_new_like(in, 0)))
            return nomem(d);
        op->layout = op->out;
        break;
    case COP_CACHE:
        if (!(op->buf = batch_new_like(in, 0)))
            return nomem(d);
        op->layout = in;
        break;
    case COP_SALT: {
        /* in's columns and an int32 `salt`. */
        const char **names = calloc(in->n_cols + 1, sizeof *names);
        enum col_type *types = calloc(in->n_cols + 1, sizeof *types);
        if (names && types) {
            for (size_t i = 0; i < in->n_cols; i++) {
                names[i] = in->names[i];
                types[i] = in->cols[i].type;
            }
            names[in->n_cols] = "salt";
            types[in->n_cols] = COL_INT32;
            op->out = batch_new(in->n_cols + 1, names, types, CHUNK_ROWS);
        }
        free(names);
        free(types);
        if (!op->out)
            return nomem(d);
        op->layout = op->out;
        break;
    }
    case COP_WRITE:
    case COP_PASS: op->layout = in; break;
    }
    ch->layout = op->layout;
    return SC_OK;
}

/* ---- running --------------------------------------------------------------- */

static enum sc_status push(struct pipe *p, struct cop *op, const struct batch *in, struct diag *d);

/* Hands op's output on: to the next operator, or into its chain's
 * collection when the chain feeds a join or union. */
static enum sc_status emit(struct pipe *p, struct cop *op, const struct batch *out, struct diag *d)
{
    op->rows_out += (int64_t)out->n_rows;
    if (op->next)
        return push(p, op->next, out, d);
    struct batch *col = p->chains[op->chain].collect;
    if (col && out->n_rows && batch_append(col, out, 0, out->n_rows) != 0)
        return nomem(d);
    return SC_OK;
}

static int ensure_order(struct cop *op, size_t n)
{
    if (n <= op->order_cap)
        return 0;
    size_t *v = realloc(op->order, n * sizeof *v);
    if (!v)
        return -1;
    op->order = v;
    op->order_cap = n;
    return 0;
}

static enum sc_status push_exchange(struct cop *op, const struct batch *in, struct diag *d)
{
    enum sc_status rc = SC_OK;
    const size_t *rows = NULL;
    struct shuffle_stats st = {0};
    if (op->part == PK_RANGE && !op->bounds) {
        /* Range bounds come from Spark's separate sampling job: untimed. */
        struct batch *keys = NULL;
        if ((rc = sortk_sort(in, &(struct sort_spec){op->skeys, op->n_skeys}, op->ws, op->buf, NULL,
                             d)) != SC_OK)
            return rc;
        const char **names = calloc(op->n_skeys + 1, sizeof *names);
        enum col_type *types = calloc(op->n_skeys + 1, sizeof *types);
        if (names && types) {
            for (size_t i = 0; i < op->n_skeys; i++) {
                names[i] = in->names[op->skeys[i].col];
                types[i] = in->cols[op->skeys[i].col].type;
            }
            keys = batch_new(op->n_skeys, names, types, 0);
        }
        free(names);
        free(types);
        if (!keys)
            return nomem(d);
        op->bounds = keys;
        rc = partition_pick_bounds(op->buf, &(struct sort_spec){op->skeys, op->n_skeys},
                                   (size_t)op->nparts, op->bounds, d);
        if (rc != SC_OK)
            return rc;
    }
    double t0 = now_ns();
    switch (op->part) {
    case PK_HASH:
        rc = partition_hash(in, op->keys, op->n_skeys, (size_t)op->nparts, op->pm, d);
        rows = op->pm->rows;
        break;
    case PK_RANGE: {
        /* partition_range compares bound column i with key i. */
        struct sort_key bk[MAX_KEYS];
        for (size_t i = 0; i < op->n_skeys; i++)
            bk[i] = op->skeys[i];
        rc = partition_range(in, &(struct sort_spec){bk, op->n_skeys}, op->bounds, op->pm, d);
        rows = op->pm->rows;
        break;
    }
    case PK_ROUNDROBIN: {
        /* Rows dealt round-robin, then written partition by partition. */
        if (ensure_order(op, in->n_rows) != 0) {
            rc = nomem(d);
            break;
        }
        size_t k = 0, n = (size_t)op->nparts;
        for (size_t part = 0; part < n; part++)
            for (size_t r = part; r < in->n_rows; r += n)
                op->order[k++] = r;
        rows = op->order;
        break;
    }
    case PK_SINGLE: break;
    }
    if (rc == SC_OK)
        rc = shuffle_write(in, rows, in->n_rows, &op->sraw, &op->z, &st, d);
    op->ns += now_ns() - t0;
    op->ser_bytes += st.serialized_bytes;
    op->comp_bytes += st.compressed_bytes;
    return rc;
}

static enum sc_status push(struct pipe *p, struct cop *op, const struct batch *in, struct diag *d)
{
    enum sc_status rc = SC_OK;
    op->rows_in += (int64_t)in->n_rows;
    if (op == p->last) {
        p->out_bytes += batch_bytes(in);
        if (p->sample && in->n_rows && batch_append(p->sample, in, 0, in->n_rows) != 0)
            return nomem(d);
    }
    double t0 = now_ns();
    switch (op->kind) {
    case COP_FILTER:
        rc = kernel_filter_run(op->kf, in, op->out, NULL, d);
        op->ns += now_ns() - t0;
        return rc != SC_OK ? rc : emit(p, op, op->out, d);
    case COP_PROJECT:
        rc = kernel_project_run(op->kp, in, op->out, NULL, d);
        op->ns += now_ns() - t0;
        return rc != SC_OK ? rc : emit(p, op, op->out, d);
    case COP_AGG:
        rc = hashagg_add(op->h, in, d);
        op->ns += now_ns() - t0;
        return rc;
    case COP_SORT:
        /* The sorter copies each row into its buffer (UnsafeExternalSorter
         * inserting records): part of the sort's cost. */
        if (batch_append(op->buf, in, 0, in->n_rows) != 0)
            return nomem(d);
        op->ns += now_ns() - t0;
        return SC_OK;
    case COP_WINDOW:
        /* Its input comes sorted in one batch; buffering it is ours, not Spark's. */
        if (batch_append(op->buf, in, 0, in->n_rows) != 0)
            return nomem(d);
        return SC_OK;
    case COP_BHJ:
        rc = join_hash_probe(op->jh, &op->jspec, in, op->jws, op->out, NULL, d);
        op->ns += now_ns() - t0;
        return rc != SC_OK ? rc : emit(p, op, op->out, d);
    case COP_EXCHANGE: return push_exchange(op, in, d);
    case COP_WRITE:
        rc = scan_encode(in, &op->file, d);
        op->ns += now_ns() - t0;
        return rc;
    case COP_CACHE:
        if (batch_append(op->buf, in, 0, in->n_rows) != 0)
            return nomem(d);
        op->ns += now_ns() - t0;
        return emit(p, op, in, d);
    case COP_LIMIT:
        batch_clear(op->out);
        rc = limit_take(in, &op->remaining, op->out, NULL, d);
        op->ns += now_ns() - t0;
        if (rc != SC_OK || op->out->n_rows == 0)
            return rc;
        return emit(p, op, op->out, d);
    case COP_SALT: {
        /* Each row with a pseudo-random salt (rand()), or once per salt
         * value (explode). */
        size_t n = in->n_rows, reps = op->limit ? (size_t)op->nparts : 1;
        batch_clear(op->out);
        if (ensure_order(op, n) != 0 || batch_ensure(op->out, n * reps) != 0)
            return nomem(d);
        for (size_t i = 0; i < n; i++)
            op->order[i] = i;
        for (size_t r = 0; r < reps; r++) {
            size_t at = op->out->n_rows;
            for (size_t c = 0; c < in->n_cols; c++)
                if (column_gather(&op->out->cols[c], op->out->cap_rows, at, &in->cols[c], op->order,
                                  n) != 0)
                    return nomem(d);
            int64_t *salt = op->out->cols[in->n_cols].i64 + at;
            for (size_t i = 0; i < n; i++) {
                uint64_t h = (uint64_t)(op->rows_in + (int64_t)i) * 0x9E3779B97F4A7C15ULL;
                salt[i] = op->limit ? (int64_t)r : (int64_t)((h >> 33) % (uint64_t)op->nparts);
            }
            op->out->n_rows = at + n;
        }
        op->ns += now_ns() - t0;
        return emit(p, op, op->out, d);
    }
    case COP_PASS:
    case COP_UNION:
    case COP_SMJ:
    case COP_SCAN:
    case COP_ROWS:
    case COP_READ: return emit(p, op, in, d);
    }
    return SC_OK;
}

/* The local sort before a round-robin exchange (see bind_op). */
static enum sc_status sort_by_hash(struct cop *op, struct diag *d)
{
    const struct batch *in = op->buf;
    size_t n = in->n_rows;
    batch_clear(op->out);
    if (in->n_cols == 0) {
        op->out->n_rows = n;
        return SC_OK;
    }
    if (n > op->hash_cap) {
        int32_t *h = realloc(op->hashes, n * sizeof *h);
        if (!h)
            return nomem(d);
        op->hashes = h;
        op->hash_cap = n;
    }
    struct batch *hb = op->tmp[0];
    batch_clear(hb);
    if (batch_ensure(hb, n) != 0)
        return nomem(d);
    murmur3_hash_rows(in, op->keys, op->n_keys, MURMUR3_SPARK_SEED, op->hashes);
    for (size_t i = 0; i < n; i++)
        hb->cols[0].i64[i] = op->hashes[i];
    hb->n_rows = n;
    const size_t *perm;
    enum sc_status rc =
        sortk_order(hb, &(struct sort_spec){op->skeys, op->n_skeys}, op->ws, &perm, d);
    if (rc == SC_OK && batch_gather(op->out, in, perm, n) != 0)
        rc = nomem(d);
    return rc;
}

/* End of input for the operators from op on: blocking ones emit. */
static enum sc_status finish(struct pipe *p, struct cop *op, struct diag *d)
{
    enum sc_status rc = SC_OK;
    for (; op && rc == SC_OK; op = op->next) {
        double t0 = now_ns();
        switch (op->kind) {
        case COP_AGG:
            rc = hashagg_emit(op->h, op->out, NULL, d);
            op->ns += now_ns() - t0;
            op->groups = hashagg_groups(op->h);
            if (rc == SC_OK)
                rc = emit(p, op, op->out, d);
            break;
        case COP_SORT:
            if (op->all_cols)
                rc = sort_by_hash(op, d);
            else
                rc = sortk_sort(op->buf, &(struct sort_spec){op->skeys, op->n_skeys}, op->ws,
                                op->out, NULL, d);
            op->ns += now_ns() - t0;
            if (rc == SC_OK)
                rc = emit(p, op, op->out, d);
            break;
        case COP_WINDOW:
            rc = window_run(&op->wspec, op->buf, op->out, NULL, d);
            op->ns += now_ns() - t0;
            if (rc == SC_OK)
                rc = emit(p, op, op->out, d);
            break;
        default: break;
        }
    }
    return rc;
}

static enum sc_status run_combiner(struct pipe *p, struct chain *ch, struct diag *d)
{
    struct cop *op = ch->head;
    struct batch *in[2] = {p->chains[ch->in_l].collect, p->chains[ch->in_r].collect};
    enum sc_status rc = SC_OK;
    op->rows_in += (int64_t)(in[0]->n_rows + in[1]->n_rows);
    if (op->kind == COP_UNION) {
        rc = emit(p, op, in[0], d);
        if (rc == SC_OK)
            rc = emit(p, op, in[1], d);
        return rc != SC_OK ? rc : finish(p, op->next, d);
    }
    const struct batch *side[2] = {in[0], in[1]};
    for (int s = 0; s < 2 && rc == SC_OK; s++)
        if (op->sort_in[s]) {
            struct sort_key k[MAX_KEYS];
            for (size_t i = 0; i < op->a.n; i++)
                k[i] =
                    (struct sort_key){s ? op->keys2[i] : op->keys[i], SORT_ASC, SORT_NULLS_DEFAULT};
            rc = sortk_sort(in[s], &(struct sort_spec){k, op->a.n}, op->ws, op->tmp[s], NULL, d);
            side[s] = op->tmp[s];
        }
    if (rc != SC_OK)
        return rc;
    double t0 = now_ns();
    rc = join_sort_merge(&op->jspec, side[0], side[1], op->jws, op->out, NULL, d);
    op->ns += now_ns() - t0;
    if (rc == SC_OK)
        rc = emit(p, op, op->out, d);
    return rc != SC_OK ? rc : finish(p, op->next, d);
}

static void pipe_reset(struct pipe *p)
{
    p->out_bytes = 0;
    for (size_t i = 0; i < p->n_ops; i++) {
        struct cop *op = &p->ops[i];
        op->ns = 0.0;
        op->rows_in = op->rows_out = op->ser_bytes = op->comp_bytes = 0;
        op->groups = 0;
        op->remaining = op->limit;
        if (op->h)
            hashagg_reset(op->h);
        if (op->buf)
            batch_clear(op->buf);
    }
    for (size_t i = 0; i < p->n_chains; i++)
        if (p->chains[i].collect)
            batch_clear(p->chains[i].collect);
}

/* One run of the whole pipeline over the prepared sources. */
static enum sc_status pipe_run(struct pipe *p, struct diag *d)
{
    pipe_reset(p);
    enum sc_status rc = SC_OK;
    for (size_t c = 0; c < p->n_chains && rc == SC_OK; c++) {
        struct chain *ch = &p->chains[c];
        if (ch->src < 0) {
            rc = run_combiner(p, ch, d);
            continue;
        }
        struct source *s = &p->srcs[ch->src];
        struct cop *op = s->op;
        for (size_t k = 0; k < s->n_chunks && rc == SC_OK; k++) {
            double t0 = now_ns();
            if (op->kind == COP_SCAN) {
                rc = scan_decode(op->reader, &s->files[k], NULL, 0, op->out, NULL, d);
                if (rc == SC_OK && op->out->n_cols == 0)
                    op->out->n_rows = s->chunks[k]->n_rows;
                op->ns += now_ns() - t0;
                if (rc == SC_OK)
                    rc = push(p, op, op->out, d);
            } else if (op->kind == COP_READ) {
                batch_clear(op->out);
                rc = shuffle_read(&s->bufs[k], &p->scratch, op->out, NULL, d);
                if (rc == SC_OK && op->out->n_cols == 0)
                    op->out->n_rows = s->chunks[k]->n_rows;
                op->ns += now_ns() - t0;
                if (rc == SC_OK)
                    rc = push(p, op, op->out, d);
            } else {
                rc = push(p, op, s->chunks[k], d);
            }
        }
        if (rc == SC_OK)
            rc = finish(p, op->next, d);
    }
    return rc;
}

/* The rows of source s for a size: generated (a table) or taken from the
 * parent's sample, repeated when allowed. */
static enum sc_status source_base(struct source *s, size_t rows, struct diag *d)
{
    if (s->base && s->base->n_rows >= rows)
        return SC_OK;
    batch_free(s->base);
    s->base = NULL;
    if (s->table && !s->given) {
        const struct slist *cols = &s->op->a;
        static const char *const all[] = {"id", "key", "value", "name", "flag"};
        struct slist generic = {(char **)all, 5, 5};
        s->base = generate(s->table, s->op->kind == COP_READ ? &generic : cols, rows, d);
        return s->base ? SC_OK : d->status;
    }
    const struct batch *g = s->given;
    if (!(s->base = batch_new_like(g, rows)))
        return nomem(d);
    if (g->n_cols == 0) {
        s->base->n_rows = rows;
        return SC_OK;
    }
    /* The parent's rows over and over: row i is its row i mod m. */
    size_t *idx = malloc(rows * sizeof *idx);
    if (!idx)
        return nomem(d);
    for (size_t i = 0; i < rows; i++)
        idx[i] = i % g->n_rows;
    int bad = batch_gather(s->base, g, idx, rows);
    free(idx);
    return bad ? nomem(d) : SC_OK;
}

/* Cuts `rows` rows of s into chunks in the form its operator reads:
 * encoded files (scan), LZ4 shuffle blocks (read) or batches (rows). */
static enum sc_status source_prepare(struct source *s, size_t rows, struct diag *d)
{
    source_unprepare(s);
    enum sc_status rc = source_base(s, rows, d);
    if (rc != SC_OK)
        return rc;
    size_t n = (rows + CHUNK_ROWS - 1) / CHUNK_ROWS;
    s->rows = rows;
    s->chunks = calloc(n + 1, sizeof *s->chunks);
    if (s->op->kind == COP_SCAN)
        s->files = calloc(n + 1, sizeof *s->files);
    if (s->op->kind == COP_READ)
        s->bufs = calloc(n + 1, sizeof *s->bufs);
    if (!s->chunks || (s->op->kind == COP_SCAN && !s->files) ||
        (s->op->kind == COP_READ && !s->bufs))
        return nomem(d);
    struct shuffle_buf raw = {0};
    for (size_t k = 0; k < n && rc == SC_OK; k++) {
        size_t first = k * CHUNK_ROWS;
        size_t len = rows - first < CHUNK_ROWS ? rows - first : CHUNK_ROWS;
        s->n_chunks = k + 1;
        struct batch *c = batch_new_like(s->base, len);
        if (!c || (s->base->n_cols && batch_append(c, s->base, first, len) != 0)) {
            batch_free(c);
            rc = nomem(d);
            break;
        }
        c->n_rows = len;
        s->chunks[k] = c;
        if (s->op->kind == COP_SCAN)
            rc = scan_encode(c, &s->files[k], d);
        else if (s->op->kind == COP_READ)
            rc = shuffle_write(c, NULL, len, &raw, &s->bufs[k], NULL, d);
    }
    shuffle_buf_fini(&raw);
    return rc;
}

/* Prepares every source for a stage of `total` input rows, split by the
 * sources' weights; a source that may not repeat rows is capped at its
 * parent's sample. Returns the rows actually prepared. */
static enum sc_status pipe_prepare(struct pipe *p, size_t total, size_t *actual, struct diag *d)
{
    double wsum = 0.0;
    for (size_t i = 0; i < p->n_srcs; i++)
        wsum += p->srcs[i].weight;
    *actual = 0;
    for (size_t i = 0; i < p->n_srcs; i++) {
        struct source *s = &p->srcs[i];
        double share = wsum > 0.0 ? s->weight / wsum : 1.0 / (double)p->n_srcs;
        size_t rows = (size_t)llround((double)total * share);
        if (rows < 1)
            rows = 1;
        if (s->given && (!s->may_tile || p->has_smj) && rows > s->given->n_rows)
            rows = s->given->n_rows;
        enum sc_status rc = source_prepare(s, rows, d);
        if (rc != SC_OK)
            return rc;
        *actual += rows;
    }
    return SC_OK;
}

/* Builds stage (job, stage)'s pipeline, bound and ready to run. */
static enum sc_status pipe_build(struct calibration *cal, size_t job, size_t stage,
                                 struct pipe **out, struct diag *d)
{
    *out = NULL;
    const struct plan_stage *sp = &cal->plan->jobs[job].stages[stage];
    const struct plan_op *ops;
    size_t n = stage_ops(cal, sp, &ops);
    if (n == 0)
        return diag_set(d, SC_EINPUT, NULL, 0, "kernel '%s' names no operator to run",
                        sp->kernel ? sp->kernel : "generic");
    struct pipe *p = calloc(1, sizeof *p);
    if (!p)
        return nomem(d);
    enum sc_status rc = pipe_parse(p, ops, n, d);
    struct bind_env env = {cal, job, stage, sp->n_ops > 0, 0, 0};
    for (size_t i = 0; i < p->n_ops && rc == SC_OK; i++)
        rc = bind_op(&env, p, &p->ops[i], d);
    if (rc != SC_OK) {
        pipe_free(p);
        return rc;
    }
    *out = p;
    return SC_OK;
}

/* Rows the stage really reads in all (for the size of its output sample). */
static double stage_input_rows(const struct plan_stage *sp)
{
    if (sp->n_ops > 0)
        return (double)sp->input_records;
    return (double)sp->records;
}

static enum sc_status stage_output(struct calibration *cal, size_t job, size_t stage,
                                   struct stage_out **out, struct diag *d)
{
    struct stage_rec *r = rec_at(cal, job, stage);
    *out = &r->out;
    if (r->out.done)
        return SC_OK;
    r->out.done = true;
    r->out.failed = true;
    struct diag local;
    diag_clear(&local);
    struct pipe *p;
    enum sc_status rc = pipe_build(cal, job, stage, &p, &local);
    if (rc == SC_ENOMEM)
        return diag_set(d, rc, NULL, 0, "%s", local.msg);
    if (rc != SC_OK)
        return SC_OK; /* failed: the reader says so */
    size_t max = cal->opt.rows[cal->opt.n_rows - 1];
    double want = stage_input_rows(&cal->plan->jobs[job].stages[stage]);
    size_t n = want >= 1.0 && want < (double)max ? (size_t)want : max;
    size_t actual;
    if (!(p->sample = batch_new_like(p->last->layout, 0))) {
        pipe_free(p);
        return nomem(d);
    }
    rc = pipe_prepare(p, n, &actual, &local);
    if (rc == SC_OK)
        rc = pipe_run(p, &local);
    if (rc == SC_OK) {
        r->out.rows = p->sample;
        p->sample = NULL;
        for (size_t i = p->n_ops; i-- > 0;)
            if (p->ops[i].kind == COP_AGG && !p->ops[i].final_agg) {
                r->out.agg_raw = p->ops[i].raw;
                p->ops[i].raw = NULL;
                break;
            }
        r->out.failed = false;
    }
    pipe_free(p);
    return rc == SC_ENOMEM ? diag_set(d, rc, NULL, 0, "%s", local.msg) : SC_OK;
}

/* ---- measuring --------------------------------------------------------------- */

static int compare_size_desc(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x < y) - (x > y);
}

static enum sc_status pipe_measure(struct pipe *p, const struct calibrate_options *o,
                                   struct meas *m, struct diag *d)
{
    memset(m, 0, sizeof *m);
    size_t sizes[CALIBRATE_MAX_SIZES];
    size_t ns = o->n_rows;
    memcpy(sizes, o->rows, ns * sizeof *sizes);
    qsort(sizes, ns, sizeof *sizes, compare_size_desc);
    int reps = o->repetitions;
    double *t = calloc((size_t)reps * (p->n_ops + 1), sizeof *t);
    double(*y)[CALIBRATE_MAX_SIZES] = calloc(p->n_ops + 1, sizeof *y);
    if (!t || !y) {
        free(t);
        free(y);
        return nomem(d);
    }
    enum sc_status rc = SC_OK;
    /* Largest first: after its first run every buffer is as large as it
     * will get (the median leaves that run's allocations out), and the
     * smaller sizes allocate nothing. */
    for (size_t k = 0; k < ns && rc == SC_OK; k++) {
        size_t actual;
        size_t slot = ns - 1 - k; /* results stored ascending */
        rc = pipe_prepare(p, sizes[k], &actual, d);
        for (int r = 0; r < reps && rc == SC_OK; r++) {
            rc = pipe_run(p, d);
            double total = 0.0;
            for (size_t i = 0; i < p->n_ops; i++) {
                t[(size_t)r * (p->n_ops + 1) + i] = p->ops[i].ns;
                total += p->ops[i].ns;
            }
            t[(size_t)r * (p->n_ops + 1) + p->n_ops] = total;
        }
        if (rc != SC_OK)
            break;
        double col[128];
        for (size_t i = 0; i <= p->n_ops; i++) {
            for (int r = 0; r < reps; r++)
                col[r] = t[(size_t)r * (p->n_ops + 1) + i];
            y[i][slot] = calib_median(col, (size_t)reps);
        }
        m->x[slot] = (double)actual;
        for (size_t i = 0; i < p->n_ops; i++)
            if (p->ops[i].kind == COP_AGG)
                m->ops[i].groups[slot] = (double)p->ops[i].groups;
        if (k == 0) {
            /* What the largest sample did, from its last run. */
            m->in_rows = (double)actual;
            m->out_rows = (double)p->last->rows_in;
            m->out_bytes = (double)p->out_bytes;
            m->sel_in = m->sel_out = 0.0;
            for (size_t i = 0; i < p->n_ops; i++) {
                const struct cop *op = &p->ops[i];
                if (op->kind == COP_FILTER) {
                    m->has_filter = true;
                    /* Filters in a row multiply: keep the first's input
                     * and the last's output. */
                    if (m->sel_in == 0.0)
                        m->sel_in = (double)op->rows_in;
                    m->sel_out = (double)op->rows_out;
                }
                if (op->kind == COP_EXCHANGE) {
                    m->has_exchange = true;
                    m->ser_bytes += (double)op->ser_bytes;
                    m->comp_bytes += (double)op->comp_bytes;
                }
                if (op->kind == COP_AGG && op->n_keys > 0) {
                    m->ops[i].agg_keys = true;
                    m->ops[i].rows_frac = actual ? (double)op->rows_in / (double)actual : 0.0;
                }
            }
        }
    }
    m->n_sizes = ns;
    m->n_ops = p->n_ops;
    bool nlogn = false;
    for (size_t i = 0; i < p->n_ops && rc == SC_OK; i++) {
        const struct cop *op = &p->ops[i];
        struct meas_op *mo = &m->ops[i];
        snprintf(mo->name, sizeof mo->name, "%s", op->short_name ? op->short_name : "");
        mo->cls = op->cls;
        mo->key_ndv = op->key_ndv;
        if (op->cls < 0)
            continue;
        enum calib_model model = op->kind == COP_SORT ? CALIB_NLOGN : CALIB_LINEAR;
        nlogn |= model == CALIB_NLOGN;
        rc = calib_fit_points(model, m->x, y[i], ns, &mo->fit, d);
        mo->fitted = rc == SC_OK;
    }
    if (rc == SC_OK)
        rc = calib_fit_points(nlogn ? CALIB_NLOGN : CALIB_LINEAR, m->x, y[p->n_ops], ns, &m->total,
                              d);
    free(t);
    free(y);
    return rc;
}

/* ---- the cache payload --------------------------------------------------------- */

static json_t *jreal(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static double jget(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static json_t *meas_to_json(const struct meas *m, const char *pipeline)
{
    json_t *root = json_object(), *ops = json_array(), *x = json_array();
    if (!root || !ops || !x) {
        json_decref(root);
        json_decref(ops);
        json_decref(x);
        return NULL;
    }
    int bad = 0;
    for (size_t k = 0; k < m->n_sizes; k++)
        bad |= json_array_append_new(x, json_real(m->x[k]));
    for (size_t i = 0; i < m->n_ops; i++) {
        const struct meas_op *mo = &m->ops[i];
        json_t *jo = json_object();
        if (!jo) {
            bad = 1;
            break;
        }
        bad |= json_object_set_new(jo, "name", json_string(mo->name));
        bad |= json_object_set_new(
            jo, "class", mo->cls >= 0 ? json_string(calib_class_name(mo->cls)) : json_null());
        if (mo->fitted)
            bad |= json_object_set_new(jo, "fit", calib_fit_to_json(&mo->fit));
        if (mo->agg_keys) {
            json_t *g = json_array();
            for (size_t k = 0; g && k < m->n_sizes; k++)
                bad |= json_array_append_new(g, json_real(mo->groups[k]));
            bad |= json_object_set_new(jo, "groups", g);
            bad |= json_object_set_new(jo, "rows_frac", json_real(mo->rows_frac));
            bad |= json_object_set_new(jo, "key_ndv", jreal(mo->key_ndv));
        }
        bad |= json_array_append_new(ops, jo);
    }
    bad |= json_object_set_new(root, "pipeline", json_string(pipeline));
    bad |= json_object_set_new(root, "x", x);
    bad |= json_object_set_new(root, "ops", ops);
    bad |= json_object_set_new(root, "total", calib_fit_to_json(&m->total));
    bad |= json_object_set_new(root, "in_rows", json_real(m->in_rows));
    bad |= json_object_set_new(root, "out_rows", json_real(m->out_rows));
    bad |= json_object_set_new(root, "out_bytes", json_real(m->out_bytes));
    if (m->has_filter) {
        bad |= json_object_set_new(root, "filter_in", json_real(m->sel_in));
        bad |= json_object_set_new(root, "filter_out", json_real(m->sel_out));
    }
    if (m->has_exchange) {
        bad |= json_object_set_new(root, "serialized_bytes", json_real(m->ser_bytes));
        bad |= json_object_set_new(root, "compressed_bytes", json_real(m->comp_bytes));
    }
    if (bad) {
        json_decref(root);
        return NULL;
    }
    return root;
}

static int meas_from_json(const json_t *j, struct meas *m)
{
    memset(m, 0, sizeof *m);
    const json_t *x = json_object_get(j, "x"), *ops = json_object_get(j, "ops");
    if (!json_is_array(x) || !json_is_array(ops) || json_array_size(x) < 3 ||
        json_array_size(x) > CALIBRATE_MAX_SIZES || json_array_size(ops) > MAX_OPS ||
        calib_fit_from_json(json_object_get(j, "total"), &m->total) != 0)
        return -1;
    m->n_sizes = json_array_size(x);
    for (size_t k = 0; k < m->n_sizes; k++) {
        const json_t *v = json_array_get(x, k);
        if (!json_is_number(v))
            return -1;
        m->x[k] = json_number_value(v);
    }
    m->n_ops = json_array_size(ops);
    for (size_t i = 0; i < m->n_ops; i++) {
        const json_t *jo = json_array_get(ops, i);
        struct meas_op *mo = &m->ops[i];
        const char *name = json_string_value(json_object_get(jo, "name"));
        const json_t *cls = json_object_get(jo, "class");
        if (!name || (!json_is_null(cls) && !json_is_string(cls)))
            return -1;
        snprintf(mo->name, sizeof mo->name, "%s", name);
        mo->cls = json_is_string(cls) ? calib_class_find(json_string_value(cls)) : -1;
        if (json_is_string(cls) && mo->cls < 0)
            return -1;
        const json_t *fit = json_object_get(jo, "fit");
        if (fit) {
            if (calib_fit_from_json(fit, &mo->fit) != 0)
                return -1;
            mo->fitted = true;
        }
        const json_t *g = json_object_get(jo, "groups");
        if (g) {
            if (!json_is_array(g) || json_array_size(g) != m->n_sizes)
                return -1;
            mo->agg_keys = true;
            for (size_t k = 0; k < m->n_sizes; k++)
                mo->groups[k] = json_number_value(json_array_get(g, k));
            mo->rows_frac = jget(jo, "rows_frac");
            mo->key_ndv = jget(jo, "key_ndv");
            if (!(mo->rows_frac >= 0.0))
                return -1;
        }
    }
    m->in_rows = jget(j, "in_rows");
    m->out_rows = jget(j, "out_rows");
    m->out_bytes = jget(j, "out_bytes");
    if (!(m->in_rows >= 0.0) || !(m->out_rows >= 0.0) || !(m->out_bytes >= 0.0))
        return -1;
    if (json_object_get(j, "filter_in")) {
        m->has_filter = true;
        m->sel_in = jget(j, "filter_in");
        m->sel_out = jget(j, "filter_out");
    }
    if (json_object_get(j, "serialized_bytes")) {
        m->has_exchange = true;
        m->ser_bytes = jget(j, "serialized_bytes");
        m->comp_bytes = jget(j, "compressed_bytes");
    }
    return 0;
}

/* ---- cache keys ------------------------------------------------------------------ */

/* A table's schema, canonically: what the generated rows depend on. */
static void table_text(struct sbuf *b, const struct table_spec *t)
{
    sb_add(b, "table %s rows %lld format %s\n", t->name, (long long)t->rows,
           t->format ? t->format : "parquet");
    for (size_t i = 0; i < t->n_columns; i++) {
        const struct column_spec *c = &t->columns[i];
        sb_add(b,
               " col %s %d dist %d min %.17g max %.17g mean %.17g sd %.17g mu %.17g "
               "sigma %.17g exp %.17g distinct %lld null %.17g",
               c->name, (int)c->type, (int)c->dist, c->min, c->max, c->mean, c->stddev, c->mu,
               c->sigma, c->exponent, (long long)c->distinct, c->null_fraction);
        for (size_t v = 0; v < c->values.n; v++)
            sb_add(b, " '%s':%.17g", c->values.v[v], c->weights ? c->weights[v] : 1.0);
        sb_add(b, "\n");
    }
}

/* The text every measurement of the stage depends on: the kernels' build,
 * the sample sizes, its operators, and what its sources read (a table's
 * schema, or the key of the stage that wrote the shuffle). NULL with a
 * reason in d when an input stage has no key. */
static char *stage_key(struct calibration *cal, size_t job, size_t stage, struct diag *d)
{
    const struct plan_job *js = &cal->plan->jobs[job];
    const struct plan_stage *sp = &js->stages[stage];
    const struct plan_op *ops;
    size_t n = stage_ops(cal, sp, &ops);
    bool planned = sp->n_ops > 0;
    struct sbuf b = {0};
    sb_add(&b, "stagecast calibration\nchunk %d seed %llu reps %d sizes", CHUNK_ROWS,
           (unsigned long long)CALIB_SEED, cal->opt.repetitions);
    for (size_t i = 0; i < cal->opt.n_rows; i++)
        sb_add(&b, " %zu", cal->opt.rows[i]);
    sb_add(&b, "\n");
    size_t bhj = 0, sources = 0;
    for (size_t i = 0; i < n && i < MAX_OPS; i++)
        sources += ops[i].kind == PLAN_OP_SCAN || ops[i].kind == PLAN_OP_ROWS ||
                   ops[i].kind == PLAN_OP_SHUFFLE_READ || ops[i].kind == PLAN_OP_MEMSCAN;
    for (size_t i = 0; i < n && i < MAX_OPS; i++) {
        const struct plan_op *t = &ops[i];
        sb_add(&b, "op %s\n", t->text);
        if (t->kind == PLAN_OP_SCAN || t->kind == PLAN_OP_ROWS || t->kind == PLAN_OP_MEMSCAN) {
            struct cop op;
            struct diag ignore;
            diag_clear(&ignore);
            if (cop_from_plan(&op, t, &ignore) == SC_OK) {
                const struct table_spec *tab = !op.table ? cached_table(cal->s, job, &op.a)
                                               : planned ? scenario_table(cal->s, op.table)
                                                         : generic_table(op.table);
                if (tab)
                    table_text(&b, tab);
                cop_fini(&op);
            }
        } else if (planned && (t->kind == PLAN_OP_SHUFFLE_READ ||
                               t->kind == PLAN_OP_BROADCAST_HASH_JOIN)) {
            bool bc = t->kind == PLAN_OP_BROADCAST_HASH_JOIN;
            size_t k = 0;
            for (size_t j = 0; !bc && j < i; j++)
                k += ops[j].kind == PLAN_OP_SHUFFLE_READ && plan_op_same_partitioning(&ops[j], t);
            long par = find_parent(js, stage, t, bc, bc ? bhj++ : k);
            const struct stage_rec *pr = par >= 0 ? rec_at(cal, job, (size_t)par) : NULL;
            if (!pr || !pr->hash) {
                free(b.p);
                diag_set(d, SC_EINPUT, NULL, 0, "its input stage %ld could not be calibrated", par);
                return NULL;
            }
            /* With several inputs, each one's rows weigh in the sample. */
            if (sources > 1)
                sb_add(&b, " from %s rows %lld\n", pr->hash,
                       (long long)js->stages[par].output_records);
            else
                sb_add(&b, " from %s\n", pr->hash);
        }
    }
    char *key = sb_take(&b);
    if (!key)
        nomem(d);
    return key;
}

/* ---- from measurement to cost --------------------------------------------------- */

static enum sc_status load_curve(struct calibration *cal, struct diag *d)
{
    if (cal->curve_state != 0)
        return SC_OK;
    cal->curve_state = -1;
    static const char key[] = "stagecast hash-table size curve\n";
    json_t *payload = NULL;
    char why[600];
    enum calib_cache_status cs = CALIB_CACHE_MISS;
    if (cal->opt.cache_dir[0] && !cal->opt.recalibrate)
        cs = calib_cache_load(cal->opt.cache_dir, cal->host, key, &payload, why, sizeof why);
    if (cs == CALIB_CACHE_CORRUPT)
        warn(cal, "ignoring a corrupt calibration cache file: %s", why);
    if (cs == CALIB_CACHE_HIT) {
        const json_t *g = json_object_get(payload, "groups");
        const json_t *v = json_object_get(payload, "ns_per_row");
        size_t n = json_array_size(g);
        if (json_is_array(g) && json_is_array(v) && n >= 2 && n <= CALIB_CURVE_MAX &&
            json_array_size(v) == n) {
            cal->curve.n = n;
            for (size_t i = 0; i < n; i++) {
                cal->curve.groups[i] = json_number_value(json_array_get(g, i));
                cal->curve.ns_per_row[i] = json_number_value(json_array_get(v, i));
            }
            cal->curve_state = 1;
        } else {
            warn(cal, "ignoring a corrupt calibration cache file for the hash-table curve");
            cs = CALIB_CACHE_CORRUPT;
        }
        json_decref(payload);
        if (cal->curve_state == 1)
            return SC_OK;
    }
    struct diag local;
    diag_clear(&local);
    enum sc_status rc = calib_group_curve_measure(&cal->curve, &local);
    if (rc == SC_ENOMEM)
        return diag_set(d, rc, NULL, 0, "%s", local.msg);
    if (rc != SC_OK)
        return SC_OK; /* no correction */
    cal->curve_state = 1;
    if (!cal->opt.cache_dir[0])
        return SC_OK;
    json_t *g = json_array(), *v = json_array();
    for (size_t i = 0; g && v && i < cal->curve.n; i++) {
        json_array_append_new(g, json_real(cal->curve.groups[i]));
        json_array_append_new(v, json_real(cal->curve.ns_per_row[i]));
    }
    json_t *p = json_pack("{s:o, s:o}", "groups", g, "ns_per_row", v);
    if (p && calib_cache_store(cal->opt.cache_dir, cal->host, key, p,
                               cal->opt.recalibrate || cs == CALIB_CACHE_CORRUPT, &local) != SC_OK)
        warn(cal, "%s", local.msg);
    json_decref(p);
    return SC_OK;
}

static double overhead_of(const struct calibration *cal, int cls)
{
    double f = cal->opt.overhead[cls];
    return isfinite(f) && f > 0.0 ? f : calib_factor_default((enum calib_class)cls)->factor;
}

/* Expected distinct values among `rows` draws from `ndv` equally likely ones. */
static double expected_groups(double ndv, double rows)
{
    return ndv * -expm1(-rows / ndv);
}

/* The stage's cost from its measurement at its own rows per task R:
 *   t_op(R) = a_op + b_op * x_op(R) * g_op,
 * g_op the hash-table size correction of an aggregate:
 *   curve(groups a task holds) / curve(groups the largest sample held);
 * ns_per_row = sum b_op x_op(R) g_op / R, intercept = max(sum a_op, 0),
 * overhead = sum f_op w_op / sum w_op with w_op = max(b_op x_op(R) g_op, 0)
 * + max(a_op, 0), each operator's share of a task's time; then a task takes
 * (R ns_per_row + intercept) overhead host ns (calib_cost_task_s). */
static enum sc_status stage_cost(struct calibration *cal, struct stage_rec *r,
                                 const struct plan_stage *sp, struct diag *d)
{
    const struct meas *m = &r->meas;
    struct calib_cost *c = &r->pub.cost;
    memset(c, 0, sizeof *c);
    double records = sp->n_ops > 0 ? (double)sp->input_records : (double)sp->records;
    double R = sp->tasks > 0 && records > 0.0 ? records / (double)sp->tasks : 0.0;
    c->rows_per_task = R;
    c->host_acu = cal->host_acu;
    c->group_factor = 1.0;
    double weighted = 0.0, weight = 0.0;
    r->pub.groups_sample = r->pub.groups_task = NAN;
    for (size_t i = 0; i < m->n_ops; i++) {
        const struct meas_op *mo = &m->ops[i];
        if (mo->cls < 0 || !mo->fitted)
            continue;
        double g = 1.0;
        if (mo->agg_keys && R > 0.0) {
            enum sc_status rc = load_curve(cal, d);
            if (rc != SC_OK)
                return rc;
            size_t last = m->n_sizes - 1;
            double gs = mo->groups[last];
            double prev = m->n_sizes > 1 ? mo->groups[last - 1] : 0.0;
            double rows = R * mo->rows_frac;
            double sample_rows = m->in_rows * mo->rows_frac;
            /* Groups grow with rows as a power: alpha 0 when the keys are
             * all there already (a few departments), 1 when every row is a
             * new key (an id), in between for a skewed key whose rare
             * values keep turning up. Extrapolated from the two largest
             * samples, and never above what the schema allows (the
             * expected distinct values among `rows` draws) or the rows. */
            double xr = m->n_sizes > 1 ? m->x[last] / m->x[last - 1] : 1.0;
            double alpha = prev > 0.0 && gs > prev && xr > 1.0 ? log(gs / prev) / log(xr) : 0.0;
            alpha = fmin(fmax(alpha, 0.0), 1.0);
            double gt = sample_rows > 0.0 ? gs * pow(rows / sample_rows, alpha) : rows;
            if (isfinite(mo->key_ndv))
                gt = fmin(gt, expected_groups(mo->key_ndv, rows));
            gt = fmax(fmin(gt, rows), 1.0);
            if (cal->curve_state == 1 && gs >= 1.0 && gt >= 1.0) {
                double num = calib_group_curve_eval(&cal->curve, gt);
                double den = calib_group_curve_eval(&cal->curve, gs);
                if (num > 0.0 && den > 0.0)
                    g = fmin(fmax(num / den, 0.25), 50.0);
            }
            r->pub.groups_sample = gs;
            r->pub.groups_task = gt;
            c->group_factor = g;
        }
        double x = calib_model_x(mo->fit.model, R);
        c->ns_per_row += R > 0.0 ? mo->fit.b_ns * x * g / R : 0.0;
        c->intercept_ns += mo->fit.a_ns;
        double f = overhead_of(cal, mo->cls);
        c->class_factor[mo->cls] = f;
        /* Weights: each operator's share of a task's time, its negative
         * parts (noise around zero) left out. */
        double w = fmax(mo->fit.b_ns * x * g, 0.0) + fmax(mo->fit.a_ns, 0.0);
        c->class_ns[mo->cls] += w;
        weighted += f * w;
        weight += w;
    }
    if (R == 0.0) /* no rows: the slope at the sample's size, for the table */
        c->ns_per_row = m->total.b_ns;
    if (c->intercept_ns < 0.0) /* a negative intercept is noise around zero */
        c->intercept_ns = 0.0;
    c->overhead = weight > 0.0 ? weighted / weight : 1.0;
    double slope = calib_fit_ns_per_row(&m->total, R > 0.0 ? R : m->in_rows);
    c->ns_per_row_ci = slope > 0.0 ? m->total.b_ci_ns / m->total.b_ns * c->ns_per_row : NAN;
    c->r2 = m->total.r2;
    c->valid = true;
    c->cached = r->pub.status == CALIBRATE_CACHED;
    return SC_OK;
}

static void fill_public(struct stage_rec *r)
{
    const struct meas *m = &r->meas;
    r->pub.total = m->total;
    r->pub.in_rows = m->in_rows;
    r->pub.out_rows = m->out_rows;
    r->pub.out_bytes_per_row =
        m->out_rows > 0.0
            ? (m->has_exchange && m->ser_bytes > 0.0 ? m->ser_bytes : m->out_bytes) / m->out_rows
            : NAN;
    r->pub.selectivity = m->has_filter && m->sel_in > 0.0 ? m->sel_out / m->sel_in : NAN;
    r->pub.compression =
        m->has_exchange && m->comp_bytes > 0.0 ? m->ser_bytes / m->comp_bytes : NAN;
}

static void set_reason(struct stage_rec *r, const struct diag *d)
{
    r->pub.status = CALIBRATE_FAILED;
    snprintf(r->pub.reason, sizeof r->pub.reason, "%.310s", d->msg);
}

/* What identifies the rows a stage hands on: its key and the size of its
 * output sample. */
static void key_hash(struct calibration *cal, struct stage_rec *r, const struct plan_stage *sp)
{
    size_t max = cal->opt.rows[cal->opt.n_rows - 1];
    double want = stage_input_rows(sp);
    size_t n = want >= 1.0 && want < (double)max ? (size_t)want : max;
    char buf[20];
    snprintf(buf, sizeof buf, "%016llx",
             (unsigned long long)(calib_hash64(r->key) ^ (n * 0x9e3779b97f4a7c15ull)));
    r->hash = strdup(buf);
}

static enum sc_status host_speed(struct calibration *cal, struct diag *d);

static enum sc_status calibrate_one(struct calibration *cal, size_t job, size_t stage,
                                    struct diag *d)
{
    struct plan_stage *sp = &cal->plan->jobs[job].stages[stage];
    struct stage_rec *r = rec_at(cal, job, stage);
    r->pub.job = job;
    r->pub.stage = stage;
    sp->calib.valid = false;
    if (sp->has_task_seconds) {
        r->pub.status = CALIBRATE_SKIPPED;
        snprintf(r->pub.reason, sizeof r->pub.reason, "task_seconds given");
        return SC_OK;
    }
    struct diag local;
    diag_clear(&local);
    /* The pipeline's name, and whether it can be read at all. */
    const struct plan_op *ops;
    size_t n = stage_ops(cal, sp, &ops);
    if (n == 0) {
        r->pub.status = CALIBRATE_FAILED;
        snprintf(r->pub.reason, sizeof r->pub.reason, "%s",
                 sp->kernel ? "its kernel names no operator to run" : "no operators and no kernel");
        return SC_OK;
    }
    if (sp->n_ops == 0 && !(sp->records > 0 && sp->tasks > 0)) {
        r->pub.status = CALIBRATE_FAILED;
        snprintf(r->pub.reason, sizeof r->pub.reason, "no records to scale a kernel by");
        return SC_OK;
    }
    struct pipe *parsed = calloc(1, sizeof *parsed);
    if (!parsed)
        return nomem(d);
    enum sc_status rc = pipe_parse(parsed, ops, n, &local);
    pipe_name(parsed, r->pub.pipeline, sizeof r->pub.pipeline);
    pipe_free(parsed);
    if (rc == SC_ENOMEM)
        return diag_set(d, rc, NULL, 0, "%s", local.msg);
    if (rc != SC_OK) {
        set_reason(r, &local);
        return SC_OK;
    }
    if (!(r->key = stage_key(cal, job, stage, &local))) {
        if (local.status == SC_ENOMEM)
            return diag_set(d, SC_ENOMEM, NULL, 0, "%s", local.msg);
        set_reason(r, &local);
        return SC_OK;
    }
    key_hash(cal, r, sp);
    if (!r->hash)
        return nomem(d);
    const char *dir = cal->opt.cache_dir;
    bool replace = cal->opt.recalibrate;
    json_t *payload = NULL;
    if (dir[0] && !cal->opt.recalibrate) {
        char why[700];
        enum calib_cache_status cs =
            calib_cache_load(dir, cal->host, r->key, &payload, why, sizeof why);
        if (cs == CALIB_CACHE_HIT && meas_from_json(payload, &r->meas) != 0) {
            char path[1200];
            calib_cache_path(dir, cal->host, r->key, path, sizeof path);
            snprintf(why, sizeof why, "%.600s: fields missing or of the wrong type", path);
            cs = CALIB_CACHE_CORRUPT;
        }
        json_decref(payload);
        payload = NULL;
        if (cs == CALIB_CACHE_HIT) {
            r->pub.status = CALIBRATE_CACHED;
            r->have_meas = true;
            cal->n_cached++;
        } else if (cs == CALIB_CACHE_CORRUPT) {
            warn(cal, "ignoring a corrupt calibration cache file (measuring again): %s", why);
            replace = true;
        }
    }
    if (!r->have_meas) {
        struct pipe *p;
        rc = pipe_build(cal, job, stage, &p, &local);
        if (rc == SC_OK) {
            rc = pipe_measure(p, &cal->opt, &r->meas, &local);
            pipe_free(p);
        }
        if (rc == SC_ENOMEM || d->status != SC_OK)
            return d->status != SC_OK ? d->status : diag_set(d, rc, NULL, 0, "%s", local.msg);
        if (rc != SC_OK) {
            set_reason(r, &local);
            free(r->hash);
            r->hash = NULL; /* stages reading it cannot be keyed either */
            return SC_OK;
        }
        /* Through JSON and back, so this run uses exactly what a cached
         * run will read; and stored if no other run stored it first. */
        payload = meas_to_json(&r->meas, r->pub.pipeline);
        if (!payload)
            return nomem(d);
        if (dir[0]) {
            struct diag sd;
            diag_clear(&sd);
            if (calib_cache_store(dir, cal->host, r->key, payload, replace, &sd) != SC_OK)
                warn(cal, "%s", sd.msg);
            json_t *stored = NULL;
            char why[700];
            if (calib_cache_load(dir, cal->host, r->key, &stored, why, sizeof why) ==
                    CALIB_CACHE_HIT &&
                meas_from_json(stored, &r->meas) == 0) {
                json_decref(payload);
                payload = stored;
            } else {
                json_decref(stored);
            }
        }
        if (meas_from_json(payload, &r->meas) != 0) {
            json_decref(payload);
            return SC_BUG(d, "calibration payload does not read back");
        }
        json_decref(payload);
        r->have_meas = true;
        r->pub.status = CALIBRATE_MEASURED;
        cal->n_measured++;
    }
    fill_public(r);
    if (!cal->host_acu_source && (rc = host_speed(cal, d)) != SC_OK)
        return rc;
    if ((rc = stage_cost(cal, r, sp, d)) != SC_OK)
        return rc;
    sp->calib = r->pub.cost;
    return SC_OK;
}

/* ---- options ---------------------------------------------------------------------- */

static int compare_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

void calibrate_options_default(struct calibrate_options *o)
{
    memset(o, 0, sizeof *o);
    /* Five sizes for a fit with 3 degrees of freedom; 2^17 rows at most
     * keeps the largest seed scenario's calibration under 5 s here. */
    static const size_t defaults[] = {8192, 16384, 32768, 65536, 131072};
    o->n_rows = sizeof defaults / sizeof defaults[0];
    memcpy(o->rows, defaults, sizeof defaults);
    o->repetitions = CALIBRATE_DEFAULT_REPS;
    o->host_acu = NAN;
    for (int c = 0; c < CALIB_N_CLASSES; c++)
        o->overhead[c] = NAN;
}

enum sc_status calibrate_options_init(struct calibrate_options *o,
                                      const struct calibrate_options *host,
                                      const struct scenario *s, struct diag *d)
{
    if (host)
        *o = *host;
    else
        calibrate_options_default(o);
    if (o->n_rows < 3 || o->n_rows > CALIBRATE_MAX_SIZES)
        return diag_set(d, SC_EINPUT, NULL, 0, "calibration needs 3 to %d sample sizes, not %zu",
                        CALIBRATE_MAX_SIZES, o->n_rows);
    if (s) {
        const struct model_spec *m = &s->model;
        if (m->n_calib_rows >= 3) {
            o->n_rows = m->n_calib_rows;
            for (size_t i = 0; i < m->n_calib_rows; i++)
                o->rows[i] = (size_t)m->calib_rows[i];
        }
        if (m->calib_repetitions > 0)
            o->repetitions = m->calib_repetitions;
        if (m->host_acu > 0.0)
            o->host_acu = m->host_acu;
        for (int c = 0; c < CALIB_N_CLASSES; c++)
            if (m->overhead[c] > 0.0)
                o->overhead[c] = m->overhead[c];
    }
    qsort(o->rows, o->n_rows, sizeof *o->rows, compare_size);
    return SC_OK;
}

/* ---- the scenario ---------------------------------------------------------------- */

static enum sc_status host_speed(struct calibration *cal, struct diag *d)
{
    if (cal->opt.host_acu > 0.0) {
        cal->host_acu = cal->opt.host_acu;
        cal->host_acu_source = "override";
        return SC_OK;
    }
    static const char key[] = "stagecast host benchmark\n";
    const char *dir = cal->opt.cache_dir;
    json_t *payload = NULL;
    char why[600];
    enum calib_cache_status cs = CALIB_CACHE_MISS;
    if (dir[0] && !cal->opt.recalibrate)
        cs = calib_cache_load(dir, cal->host, key, &payload, why, sizeof why);
    double bench = cs == CALIB_CACHE_HIT ? jget(payload, "bench_ns") : NAN;
    json_decref(payload);
    if (cs == CALIB_CACHE_HIT && bench > 0.0) {
        cal->host_acu = calib_host_acu_from_bench(bench);
        cal->host_acu_source = "cached";
        return SC_OK;
    }
    if (cs != CALIB_CACHE_MISS)
        warn(cal, "ignoring a corrupt calibration cache file (measuring again): %s",
             cs == CALIB_CACHE_CORRUPT ? why : "the host benchmark has no bench_ns");
    bench = calib_host_bench_ns();
    cal->host_acu_source = "measured";
    if (dir[0]) {
        json_t *p = json_pack("{s:f}", "bench_ns", bench > 0.0 ? bench : CALIB_REF_BENCH_NS);
        struct diag sd;
        diag_clear(&sd);
        if (p && calib_cache_store(dir, cal->host, key, p,
                                   cal->opt.recalibrate || cs != CALIB_CACHE_MISS, &sd) != SC_OK)
            warn(cal, "%s", sd.msg);
        json_decref(p);
        /* The stored figure, so concurrent runs agree. */
        payload = NULL;
        if (calib_cache_load(dir, cal->host, key, &payload, why, sizeof why) == CALIB_CACHE_HIT &&
            jget(payload, "bench_ns") > 0.0)
            bench = jget(payload, "bench_ns");
        json_decref(payload);
    }
    cal->host_acu = calib_host_acu_from_bench(bench);
    (void)d;
    return SC_OK;
}

enum sc_status calibrate_plan(struct plan *plan, const struct cluster *cl,
                              const struct calibrate_options *o, struct calibration **out,
                              struct diag *d)
{
    const struct scenario *s = plan->scn;
    (void)cl;
    *out = NULL;
    double t0 = now_ns();
    if (o->n_rows < 3 || o->n_rows > CALIBRATE_MAX_SIZES || o->repetitions < 1 ||
        o->repetitions > 101)
        return diag_set(d, SC_EINPUT, NULL, 0,
                        "calibration needs 3 to %d sample sizes and 1 to 101 repetitions",
                        CALIBRATE_MAX_SIZES);
    struct calibration *cal = calloc(1, sizeof *cal);
    if (!cal)
        return nomem(d);
    cal->s = s;
    cal->plan = plan;
    cal->opt = *o;
    qsort(cal->opt.rows, cal->opt.n_rows, sizeof *cal->opt.rows, compare_size);
    calib_host_id(cal->host, sizeof cal->host);
    cal->first = calloc(s->n_jobs + 1, sizeof *cal->first);
    size_t total = 0;
    for (size_t j = 0; j < plan->n_jobs; j++) {
        if (cal->first)
            cal->first[j] = total;
        total += plan->jobs[j].n_stages;
    }
    cal->recs = calloc(total + 1, sizeof *cal->recs);
    cal->n_recs = total;
    if (!cal->first || !cal->recs) {
        calibrate_free(cal);
        return nomem(d);
    }
    /* Nothing to do (every stage has task_seconds): no cache touched. */
    bool needed = false;
    for (size_t j = 0; j < plan->n_jobs && !needed; j++)
        for (size_t k = 0; k < plan->jobs[j].n_stages && !needed; k++)
            needed = !plan->jobs[j].stages[k].has_task_seconds;
    if (!needed) {
        cal->opt.cache_dir[0] = '\0';
    } else if (cal->opt.cache_dir[0]) {
        struct diag md;
        diag_clear(&md);
        if (calib_cache_mkdir(cal->opt.cache_dir, &md) != SC_OK) {
            warn(cal, "%s; calibrating without a cache", md.msg);
            cal->opt.cache_dir[0] = '\0';
        }
    } else {
        warn(cal, "no cache directory (set STAGECAST_CACHE_DIR or HOME); calibrating "
                  "without a cache");
    }
    enum sc_status rc = SC_OK;
    for (size_t j = 0; j < plan->n_jobs && rc == SC_OK; j++)
        for (size_t k = 0; k < plan->jobs[j].n_stages && rc == SC_OK; k++)
            rc = calibrate_one(cal, j, k, d);
    /* The parents' sample rows are only needed while measuring. */
    for (size_t i = 0; i < cal->n_recs; i++) {
        batch_free(cal->recs[i].out.rows);
        batch_free(cal->recs[i].out.agg_raw);
        cal->recs[i].out.rows = cal->recs[i].out.agg_raw = NULL;
    }
    if (rc != SC_OK) {
        calibrate_free(cal);
        return rc;
    }
    cal->seconds = (now_ns() - t0) * 1e-9;
    *out = cal;
    return SC_OK;
}

void calibrate_free(struct calibration *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_recs; i++) {
        free(c->recs[i].key);
        free(c->recs[i].hash);
        batch_free(c->recs[i].out.rows);
        batch_free(c->recs[i].out.agg_raw);
    }
    free(c->recs);
    free(c->first);
    slist_free(&c->warnings);
    for (size_t i = 0; i < OPK_COUNT; i++)
        generic_pipe_fini(&c->generic[i]);
    free(c);
}

size_t calibrate_n_stages(const struct calibration *c)
{
    return c->n_recs;
}

const struct calibrate_stage *calibrate_stage_at(const struct calibration *c, size_t i)
{
    return i < c->n_recs ? &c->recs[i].pub : NULL;
}

size_t calibrate_n_measured(const struct calibration *c)
{
    return c->n_measured;
}

size_t calibrate_n_cached(const struct calibration *c)
{
    return c->n_cached;
}

double calibrate_seconds(const struct calibration *c)
{
    return c->seconds;
}

double calibrate_host_acu(const struct calibration *c, const char **source)
{
    if (source)
        *source = c->host_acu_source;
    return c->host_acu;
}

size_t calibrate_n_warnings(const struct calibration *c)
{
    return c->warnings.n;
}

const char *calibrate_warning(const struct calibration *c, size_t i)
{
    return i < c->warnings.n ? c->warnings.v[i] : NULL;
}

/* ---- the table ---------------------------------------------------------------------- */

static void cell(char *buf, size_t size, const char *fmt, double v)
{
    if (isfinite(v))
        snprintf(buf, size, fmt, v);
    else
        snprintf(buf, size, "-");
}

void calibrate_print_table(FILE *out, const struct calibration *c, const struct plan *s,
                           const struct cluster *cl)
{
    const char *src;
    double host = calibrate_host_acu(c, &src);
    bool fb = false;
    const char *acu_src;
    double node = calib_node_acu(cl ? cl->worker : NULL, &fb, &acu_src);
    fprintf(out, "calibration of scenario '%s' on %s (ACU-equivalent %.0f per core, %s)\n", s->scn->name,
            c->host, host, src);
    fprintf(out, "samples: %zu sizes from %zu to %zu input rows, median of %d runs; cache %s\n",
            c->opt.n_rows, c->opt.rows[0], c->opt.rows[c->opt.n_rows - 1], c->opt.repetitions,
            c->opt.cache_dir[0] ? c->opt.cache_dir : "(none)");
    if (cl)
        fprintf(out, "worker %s: %.1f ACU per vCPU (%s); task ms: one task's compute there\n",
                cl->worker->name, node, acu_src);
    fprintf(out, "\n%4s %5s  %-40s %17s %7s %6s %9s %6s %5s %6s %10s  %s\n", "job", "stage",
            "pipeline", "ns/row +-95% CI", "R2", "sel", "out rows", "B/row", "LZ4", "factor",
            "task ms", "fit");
    size_t failed = 0;
    for (size_t i = 0; i < c->n_recs; i++) {
        const struct calibrate_stage *r = &c->recs[i].pub;
        if (r->status == CALIBRATE_SKIPPED)
            continue;
        if (r->status == CALIBRATE_FAILED) {
            failed++;
            fprintf(out, "%4zu %5zu  %-40.40s %17s %7s %6s %9s %6s %5s %6s %10s  %s\n", r->job,
                    r->stage, r->pipeline[0] ? r->pipeline : "-", "-", "-", "-", "-", "-", "-", "-",
                    "-", "not calibrated");
            continue;
        }
        char ns[40], r2[16], sel[16], rows[24], bpr[16], lz[16], f[16], task[24];
        snprintf(ns, sizeof ns, "%.2f +- %.2f", r->cost.ns_per_row,
                 isfinite(r->cost.ns_per_row_ci) ? r->cost.ns_per_row_ci : 0.0);
        cell(r2, sizeof r2, "%.4f", r->cost.r2);
        cell(sel, sizeof sel, "%.3f", r->selectivity);
        cell(rows, sizeof rows, "%.0f", r->out_rows);
        cell(bpr, sizeof bpr, "%.1f", r->out_bytes_per_row);
        cell(lz, sizeof lz, "%.2f", r->compression);
        cell(f, sizeof f, "%.2f", r->cost.overhead);
        const struct plan_stage *sp = &s->jobs[r->job].stages[r->stage];
        (void)sp;
        cell(task, sizeof task, "%.3f",
             1e3 * calib_cost_task_s(&r->cost, r->cost.rows_per_task, node));
        fprintf(out, "%4zu %5zu  %-40.40s %17s %7s %6s %9s %6s %5s %6s %10s  %s\n", r->job,
                r->stage, r->pipeline, ns, r2, sel, rows, bpr, lz, f, task,
                r->status == CALIBRATE_CACHED ? "cached" : "measured");
    }
    fprintf(out,
            "\nout rows: rows reaching the last operator from the largest sample "
            "(%zu input rows); ns/row: host ns per input row at the stage's rows per "
            "task, before the factor\n",
            c->opt.rows[c->opt.n_rows - 1]);
    if (failed) {
        fprintf(out, "not calibrated (default per-record rates, marked * in `run`):\n");
        for (size_t i = 0; i < c->n_recs; i++) {
            const struct calibrate_stage *r = &c->recs[i].pub;
            if (r->status == CALIBRATE_FAILED)
                fprintf(out, "  job %zu stage %zu: %s\n", r->job, r->stage, r->reason);
        }
    }
    fprintf(out, "%zu pipelines measured, %zu from the cache, in %.2f s\n", c->n_measured,
            c->n_cached, c->seconds);
}

void calibrate_print_ops(FILE *out, const struct calibration *c)
{
    fprintf(out, "\nper operator (host ns against the stage's input rows x; t = a + b x, "
                 "x = rows or rows log2 rows):\n");
    fprintf(out, "%4s %5s  %-12s %-20s %-6s %12s %12s %10s %8s %10s\n", "job", "stage", "operator",
            "class", "model", "a ns", "b ns", "+-95%", "R2", "ns/row@R");
    for (size_t i = 0; i < c->n_recs; i++) {
        const struct stage_rec *r = &c->recs[i];
        if (!r->have_meas)
            continue;
        for (size_t k = 0; k < r->meas.n_ops; k++) {
            const struct meas_op *mo = &r->meas.ops[k];
            if (!mo->fitted)
                continue;
            double R = r->pub.cost.rows_per_task;
            fprintf(out, "%4zu %5zu  %-12s %-20s %-6s %12.1f %12.4f %10.4f %8.4f %10.3f\n",
                    r->pub.job, r->pub.stage, mo->name, calib_class_name(mo->cls),
                    calib_model_name(mo->fit.model), mo->fit.a_ns, mo->fit.b_ns, mo->fit.b_ci_ns,
                    mo->fit.r2, calib_fit_ns_per_row(&mo->fit, R));
            if (mo->agg_keys && isfinite(r->pub.groups_task))
                fprintf(out,
                        "%12s groups: %.0f in the largest sample, %.0f per task "
                        "(%.0f rows); hash-table size factor %.2f\n",
                        "", r->pub.groups_sample, r->pub.groups_task, R * mo->rows_frac,
                        r->pub.cost.group_factor);
        }
    }
}

void calibrate_apply_compression(struct plan *s, const struct calibration *c)
{
    for (size_t i = 0; i < calibrate_n_stages(c); i++) {
        const struct calibrate_stage *cs = calibrate_stage_at(c, i);
        if (cs->job >= s->n_jobs || isnan(cs->compression) || !(cs->compression > 1.0))
            continue;
        struct plan_job *job = &s->jobs[cs->job];
        if (cs->stage >= job->n_stages)
            continue;
        struct plan_stage *sp = &job->stages[cs->stage];
        /* Only the planner's own estimate is replaced: explicit stages keep
         * the bytes the user gave. */
        if (sp->n_ops == 0 || sp->shuffle_write_bytes <= 0)
            continue;
        double assumed = PLAN_STATS_SHUFFLE_COMPRESSION;
        double measured = 1.0 / cs->compression;
        int64_t old = sp->shuffle_write_bytes;
        int64_t now = (int64_t)llround((double)old * measured / assumed);
        if (now < 1)
            now = 1;
        sp->shuffle_write_bytes = now;
        /* Whatever reads this stage's output reads the new amount. */
        for (size_t k = 0; k < job->n_stages; k++) {
            struct plan_stage *child = &job->stages[k];
            for (size_t p = 0; p < child->n_parents; p++)
                if (child->parents[p] == sp->id && child->shuffle_read_bytes > 0) {
                    int64_t read = child->shuffle_read_bytes + (now - old);
                    child->shuffle_read_bytes = read > 0 ? read : 1;
                }
        }
    }
}
