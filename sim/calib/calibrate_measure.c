/*
 * calibrate_measure.c — measuring a stage (see calibrate.c): its pipeline
 * run at each sample size, each operator's time fitted against the stage's
 * input rows; the measurement as the cache stores it (JSON), and the cache
 * key that says which measurements a stage may reuse.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/sbuf.h"
#include "sim/calib/calibrate_internal.h"

/* ---- measuring --------------------------------------------------------------- */

static int compare_size_desc(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x < y) - (x > y);
}

enum sc_status calibrate_pipe_measure(struct pipe *p, const struct calibrate_options *o,
                                      const struct calib_clock *clock, struct meas *m,
                                      struct diag *d)
{
    memset(m, 0, sizeof *m);
    size_t sizes[CALIBRATE_MAX_SIZES];
    size_t ns = o->n_rows;
    memcpy(sizes, o->rows, ns * sizeof *sizes);
    qsort(sizes, ns, sizeof *sizes, compare_size_desc);
    int reps = o->repetitions;
    double *t = calloc((size_t)reps * (p->n_ops + 1), sizeof *t);
    double(*y)[CALIBRATE_MAX_SIZES] = calloc(p->n_ops + 1, sizeof *y);
    /* Per size and operator, its runs segment by segment (a chunk of rows
     * through the operator): the fastest of each segment over the runs is
     * what load moves least (struct calib_segmin). */
    struct calib_segmin *segs = calloc(ns * (p->n_ops ? p->n_ops : 1), sizeof *segs);
    /* Each size's prepared sources, kept between passes. */
    struct pipe_stash *stash = calloc(ns, sizeof *stash);
    size_t xs[CALIBRATE_MAX_SIZES] = {0};
    if (!t || !y || !segs || !stash) {
        free(t);
        free(y);
        free(segs);
        free(stash);
        return calibrate_nomem(d);
    }
    /* Unless the user fixed the host's speed, each size's timed runs in the
     * first two passes follow one run of the host benchmark (10 in all with
     * the default 5 sizes; one before every run cost a fifth of
     * calibration's CPU for no steadier figure), and the pipeline's times
     * are divided by the benchmark's: both are slowed alike by what else
     * shares the core (a busy sibling hyperthread, another guest's cache
     * traffic, a lower clock), which the thread's CPU clock does not
     * remove. Times are then in reference-host ns (CALIB_REF_BENCH_NS per
     * benchmark run, CALIB_REF_ACU). Both are taken the same way, the
     * fastest of their runs slice by slice (struct calib_segmin): a ratio
     * of two minima, each what load moves least. (A median of the
     * benchmark against the fastest pipeline runs moved fits by 1-7%
     * between calibrations; the minimum of per-run ratios, which picks
     * whichever run's benchmark was unluckily slow, by 10-30%.) */
    bool normalise = !(o->host_acu > 0.0);
    struct calib_bench bench;
    double *bt = normalise ? calloc((size_t)reps * ns, sizeof *bt) : NULL;
    if (normalise && (!bt || calib_bench_init(&bench) != SC_OK)) {
        free(t);
        free(y);
        free(segs);
        free(stash);
        free(bt);
        return calibrate_nomem(d);
    }
    m->acu = normalise ? CALIB_REF_ACU : o->host_acu;
    m->bench_ns = NAN;
    enum sc_status rc = SC_OK;
    for (size_t i = 0; i <= p->n_ops; i++)
        for (size_t k = 0; k < ns; k++)
            y[i][k] = INFINITY;
    /* The repetitions of each size spread over up to MAX_PASSES passes over
     * the sizes (one run of each size a pass with the default 5): another
     * process's work that slows memory for seconds (a compiler on the other
     * core filling the shared L3) disturbs the runs of one pass, and the
     * fastest segments below come from the others. */
    enum { MAX_PASSES = 5 };
    int passes = reps < 4 ? 1 : reps < MAX_PASSES ? reps : MAX_PASSES;
    size_t nb = 0; /* benchmark runs so far */
    for (int pass = 0; pass < passes && rc == SC_OK; pass++) {
        int pass_reps = reps / passes + (pass < reps % passes);
        /* Largest first, after one untimed run of it in the first pass:
         * that warm-up grows every buffer as large as it will get and
         * faults its pages in, so the timed runs of every size allocate
         * nothing and find the code and tables in cache. */
        for (size_t k = 0; k < ns && rc == SC_OK; k++) {
            size_t actual;
            size_t slot = ns - 1 - k; /* results stored ascending */
            if (pass == 0) {
                rc = calibrate_pipe_prepare(p, sizes[k], &actual, d);
                xs[slot] = actual;
            } else {
                calibrate_pipe_unstash(p, &stash[slot]);
                actual = xs[slot];
            }
            if (pass == 0 && k == 0 && rc == SC_OK)
                rc = calibrate_pipe_run(p, clock, d);
            /* The benchmark in the first two passes only: 10 runs with the
             * default 5 sizes are plenty for its fastest slices. */
            if (normalise && pass < 2 && rc == SC_OK)
                bt[nb++] = calib_bench_run_ns(&bench);
            p->segs = &segs[slot * p->n_ops];
            for (int r = 0; r < pass_reps && rc == SC_OK; r++) {
                for (size_t i = 0; i < p->n_ops; i++)
                    calib_segmin_begin(&p->segs[i]);
                rc = calibrate_pipe_run(p, clock, d);
                for (size_t i = 0; i < p->n_ops; i++)
                    calib_segmin_end(&p->segs[i]);
                double total = 0.0;
                for (size_t i = 0; i < p->n_ops; i++) {
                    t[(size_t)r * (p->n_ops + 1) + i] = p->ops[i].ns;
                    total += p->ops[i].ns;
                }
                t[(size_t)r * (p->n_ops + 1) + p->n_ops] = total;
            }
            p->segs = NULL;
            if (passes > 1)
                calibrate_pipe_stash(p, &stash[slot]);
            if (rc != SC_OK)
                break;
            /* The least-disturbed run: the work is the same every time, and
             * what else the machine does (another process's cache misses,
             * an interrupt, a migration, even on the thread's CPU clock)
             * only ever adds time, so the minimum is the kernel's own cost
             * and, unlike the median, does not move when half the runs are
             * disturbed. */
            for (size_t i = 0; i <= p->n_ops; i++)
                for (int r = 0; r < pass_reps; r++) {
                    double v = t[(size_t)r * (p->n_ops + 1) + i];
                    y[i][slot] = v < y[i][slot] ? v : y[i][slot];
                }
            if (pass > 0)
                continue;
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
                /* Rows a source repeats from its parent's smaller sample add
                 * no observation: at most the given rows are distinct. */
                double distinct = 0.0;
                bool repeats = false;
                for (size_t s = 0; s < p->n_srcs; s++) {
                    const struct source *src = &p->srcs[s];
                    repeats |= src->given != NULL;
                    distinct += src->given && src->given->n_rows < src->rows
                                    ? (double)src->given->n_rows
                                    : (double)src->rows;
                }
                for (size_t i = 0; i < p->n_ops; i++) {
                    const struct cop *op = &p->ops[i];
                    /* Every operator's rows per stage input row: the
                     * aggregates' group correction and the JVM's per-row
                     * cost (models/calib.h) scale with them. */
                    m->ops[i].rows_frac = actual ? (double)op->rows_in / (double)actual : 0.0;
                    m->ops[i].values_frac =
                        actual ? (double)op->rows_in_values / (double)actual : 0.0;
                    if (op->kind == COP_FILTER) {
                        struct meas_op *mo = &m->ops[i];
                        mo->filter = true;
                        mo->rows_in = (double)op->rows_in;
                        mo->rows_out = (double)op->rows_out;
                        mo->rows_distinct = repeats ? fmin(mo->rows_in, distinct) : mo->rows_in;
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
                        m->ops[i].rows_distinct =
                            repeats ? fmin((double)op->rows_in, distinct) : (double)op->rows_in;
                    }
                }
            }
        }
    }
    p->segs = NULL;
    for (size_t k = 0; k < ns; k++)
        calibrate_pipe_stash_free(&stash[k]);
    free(stash);
    /* Each size's operators fastest segment by segment over all its runs
     * (both passes), and the total as their sum; the fastest whole run
     * above where an operator's runs were uneven. */
    for (size_t k = 0; k < ns && rc == SC_OK; k++) {
        double sum = 0.0;
        bool even = true;
        for (size_t i = 0; i < p->n_ops; i++) {
            double v = calib_segmin_total(&segs[k * p->n_ops + i]);
            even &= isfinite(v);
            if (isfinite(v))
                y[i][k] = v;
            sum += isfinite(v) ? v : y[i][k];
        }
        if (even)
            y[p->n_ops][k] = sum;
    }
    for (size_t k = 0; k < ns * p->n_ops; k++)
        calib_segmin_free(&segs[k]);
    free(segs);
    if (normalise) {
        /* The benchmark's runs beside the pipeline's, fastest slice by
         * slice as the pipeline's segments are (their median where the
         * slices could not be kept). */
        double sliced = calib_bench_fastest_ns(&bench);
        m->bench_ns = isfinite(sliced) && sliced > 0.0 ? sliced : calib_median(bt, nb);
        calib_bench_free(&bench);
        free(bt);
        double scale = m->bench_ns > 0.0 ? CALIB_REF_BENCH_NS / m->bench_ns : 1.0;
        for (size_t i = 0; i <= p->n_ops; i++)
            for (size_t k = 0; k < ns; k++)
                y[i][k] *= scale;
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
        rc = calib_fit_points_robust(model, m->x, y[i], ns, &mo->fit, d);
        mo->fitted = rc == SC_OK;
    }
    if (rc == SC_OK)
        rc = calib_fit_points_robust(nlogn ? CALIB_NLOGN : CALIB_LINEAR, m->x, y[p->n_ops], ns,
                                     &m->total, d);
    free(t);
    free(y);
    return rc;
}

/* ---- the cache payload --------------------------------------------------------- */

static json_t *jreal(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

double calibrate_jget(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* How rule q judges m's total fit, with the figures it judged, for
 * whoever reads the file (stagecast calibrate --show). */
static int quality_to_json(json_t *root, const struct meas *m, const struct calib_quality_rule *q)
{
    double ns = calib_fit_ns_per_row(&m->total, m->in_rows);
    double rel = calib_fit_rel_ci(&m->total);
    json_t *fig = json_object();
    if (!fig)
        return -1;
    int bad = json_object_set_new(fig, "r2", jreal(m->total.r2));
    bad |= json_object_set_new(fig, "ns_per_row", jreal(ns));
    bad |= json_object_set_new(fig, "ns_per_row_ci95", jreal(rel * fabs(ns)));
    bad |= json_object_set_new(fig, "relative_ci95", jreal(rel));
    bad |= json_object_set_new(fig, "min_r2", json_real(q->min_r2));
    bad |= json_object_set_new(fig, "max_relative_ci95", json_real(q->max_rel_ci));
    bad |= json_object_set_new(root, "quality",
                               json_string(calib_fit_is_poor(&m->total, q) ? "poor" : "good"));
    bad |= json_object_set_new(root, "quality_figures", fig);
    bad |= json_object_set_new(root, "repetitions", json_integer(m->repetitions));
    bad |= json_object_set_new(root, "measurements", json_integer(m->measurements));
    return bad;
}

json_t *calibrate_meas_to_json(const struct meas *m, const char *pipeline,
                               const struct calib_quality_rule *q)
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
        bad |= json_object_set_new(jo, "rows_frac", json_real(mo->rows_frac));
        bad |= json_object_set_new(jo, "values_frac", json_real(mo->values_frac));
        if (mo->agg_keys) {
            json_t *g = json_array();
            for (size_t k = 0; g && k < m->n_sizes; k++)
                bad |= json_array_append_new(g, json_real(mo->groups[k]));
            bad |= json_object_set_new(jo, "groups", g);
            bad |= json_object_set_new(jo, "key_ndv", jreal(mo->key_ndv));
            bad |= json_object_set_new(jo, "rows_distinct", jreal(mo->rows_distinct));
        }
        if (mo->filter) {
            bad |= json_object_set_new(jo, "rows_in", json_real(mo->rows_in));
            bad |= json_object_set_new(jo, "rows_out", json_real(mo->rows_out));
            bad |= json_object_set_new(jo, "rows_distinct", json_real(mo->rows_distinct));
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
    bad |= json_object_set_new(root, "acu", json_real(m->acu));
    bad |= json_object_set_new(root, "bench_ns", jreal(m->bench_ns));
    if (m->has_filter) {
        bad |= json_object_set_new(root, "filter_in", json_real(m->sel_in));
        bad |= json_object_set_new(root, "filter_out", json_real(m->sel_out));
    }
    if (m->has_exchange) {
        bad |= json_object_set_new(root, "serialized_bytes", json_real(m->ser_bytes));
        bad |= json_object_set_new(root, "compressed_bytes", json_real(m->comp_bytes));
    }
    bad |= quality_to_json(root, m, q);
    if (bad) {
        json_decref(root);
        return NULL;
    }
    return root;
}

int calibrate_meas_from_json(const json_t *j, struct meas *m)
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
        /* Every operator's share of the stage's rows (kernel version 5). */
        mo->rows_frac = calibrate_jget(jo, "rows_frac");
        mo->values_frac = calibrate_jget(jo, "values_frac");
        if (!(mo->rows_frac >= 0.0) || !(mo->values_frac >= 0.0))
            return -1;
        const json_t *g = json_object_get(jo, "groups");
        if (g) {
            if (!json_is_array(g) || json_array_size(g) != m->n_sizes)
                return -1;
            mo->agg_keys = true;
            for (size_t k = 0; k < m->n_sizes; k++)
                mo->groups[k] = json_number_value(json_array_get(g, k));
            mo->key_ndv = calibrate_jget(jo, "key_ndv");
            mo->rows_distinct = calibrate_jget(jo, "rows_distinct"); /* NaN in older entries */
        }
        /* Entries measured before filters recorded their rows have none. */
        if (json_object_get(jo, "rows_in")) {
            mo->filter = true;
            mo->rows_in = calibrate_jget(jo, "rows_in");
            mo->rows_out = calibrate_jget(jo, "rows_out");
            mo->rows_distinct = calibrate_jget(jo, "rows_distinct");
            if (!(mo->rows_in >= 0.0) || !(mo->rows_out >= 0.0) || !(mo->rows_distinct >= 0.0))
                return -1;
        }
    }
    m->in_rows = calibrate_jget(j, "in_rows");
    m->out_rows = calibrate_jget(j, "out_rows");
    m->out_bytes = calibrate_jget(j, "out_bytes");
    m->acu = calibrate_jget(j, "acu");
    m->bench_ns = calibrate_jget(j, "bench_ns");
    if (!(m->in_rows >= 0.0) || !(m->out_rows >= 0.0) || !(m->out_bytes >= 0.0) ||
        !(m->acu > 0.0))
        return -1;
    if (json_object_get(j, "filter_in")) {
        m->has_filter = true;
        m->sel_in = calibrate_jget(j, "filter_in");
        m->sel_out = calibrate_jget(j, "filter_out");
    }
    if (json_object_get(j, "serialized_bytes")) {
        m->has_exchange = true;
        m->ser_bytes = calibrate_jget(j, "serialized_bytes");
        m->comp_bytes = calibrate_jget(j, "compressed_bytes");
    }
    /* How it was measured (the verdict itself is judged again by whoever
     * uses it, with their rule). */
    double reps = calibrate_jget(j, "repetitions"), times = calibrate_jget(j, "measurements");
    m->repetitions = reps >= 1.0 && reps <= 101.0 ? (int)reps : 0;
    m->measurements = times >= 1.0 && times <= 2.0 ? (int)times : 0;
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
char *calibrate_stage_key(struct calibration *cal, size_t job, size_t stage, struct diag *d)
{
    const struct plan_job *js = &cal->plan->jobs[job];
    const struct plan_stage *sp = &js->stages[stage];
    const struct plan_op *ops;
    size_t n = calibrate_stage_ops(cal, sp, &ops);
    bool planned = sp->n_ops > 0;
    struct sbuf b = {0};
    sb_add(&b, CALIBRATE_KEY_PIPELINE "chunk %d seed %llu reps %d sizes", CHUNK_ROWS,
           (unsigned long long)CALIB_SEED, cal->opt.repetitions);
    for (size_t i = 0; i < cal->opt.n_rows; i++)
        sb_add(&b, " %zu", cal->opt.rows[i]);
    sb_add(&b, "\n");
    if (planned)
        calibrate_sample_key_text(cal, job, stage, &b);
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
            if (calibrate_cop_from_plan(&op, t, &ignore) == SC_OK) {
                const struct table_spec *tab = !op.table ? calibrate_cached_table(cal->s, job, &op.a)
                                               : planned ? scenario_table(cal->s, op.table)
                                                         : calibrate_generic_table(op.table);
                if (tab)
                    table_text(&b, tab);
                calibrate_cop_fini(&op);
            }
        } else if (planned && (t->kind == PLAN_OP_SHUFFLE_READ ||
                               t->kind == PLAN_OP_BROADCAST_HASH_JOIN)) {
            bool bc = t->kind == PLAN_OP_BROADCAST_HASH_JOIN;
            size_t k = 0;
            for (size_t j = 0; !bc && j < i; j++)
                k += ops[j].kind == PLAN_OP_SHUFFLE_READ && plan_op_same_partitioning(&ops[j], t);
            long par = calibrate_find_parent(js, stage, t, bc, bc ? bhj++ : k);
            const struct stage_rec *pr = par >= 0 ? calibrate_rec_at(cal, job, (size_t)par) : NULL;
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
        calibrate_nomem(d);
    return key;
}
