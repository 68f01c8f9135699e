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
 *
 * Calibration's files: calibrate_bind.c (planned operators read and bound
 * to kernels), calibrate_generic.c (an explicit stage's kernel alone),
 * calibrate_pipe.c (a stage's pipeline, run batch by batch),
 * calibrate_measure.c (timing, the cache's payload and keys),
 * calibrate_cost.c (from measurement to a stage's cost, and compression),
 * calibrate_print.c (the printed tables), and this file (one stage's
 * calibration, the options, the entry point and the accessors).
 * calibrate_internal.h holds what they share.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "models/sbuf.h"
#include "sim/calib/calibrate_internal.h"

/* ---- small helpers ------------------------------------------------------- */

double calibrate_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

enum sc_status calibrate_nomem(struct diag *d)
{
    return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory calibrating");
}

void calibrate_slist_free(struct slist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* Appends s[0..len) with its surrounding blanks trimmed. */
int calibrate_slist_push(struct slist *l, const char *s, size_t len)
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
const char *calibrate_item_alias(const char *item)
{
    const char *as = NULL;
    for (const char *p = item; (p = strstr(p, " AS ")) != NULL; p += 4)
        as = p;
    return as ? as + 4 : NULL;
}

bool calibrate_starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

void calibrate_warn(struct calibration *cal, const char *fmt, ...)
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
    calibrate_slist_push(&cal->warnings, buf, strlen(buf));
}

struct stage_rec *calibrate_rec_at(struct calibration *cal, size_t job, size_t stage)
{
    return &cal->recs[cal->first[job] + stage];
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
long calibrate_find_parent(const struct plan_job *js, size_t stage, const struct plan_op *read, bool bcast,
                 size_t k)
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

/* What identifies the rows a stage hands on: its key and the size of its
 * output sample. */
static void key_hash(struct calibration *cal, struct stage_rec *r, const struct plan_stage *sp)
{
    size_t max = cal->opt.rows[cal->opt.n_rows - 1];
    double want = calibrate_stage_input_rows(sp);
    size_t n = want >= 1.0 && want < (double)max ? (size_t)want : max;
    char buf[20];
    snprintf(buf, sizeof buf, "%016llx",
             (unsigned long long)(calib_hash64(r->key) ^ (n * 0x9e3779b97f4a7c15ull)));
    r->hash = strdup(buf);
}

static enum sc_status host_speed(struct calibration *cal, struct diag *d);

/* Which of two measurements of a pipeline to keep: one whose fit is good
 * by the rule, else the one whose slope is known better (the narrower
 * relative interval). */
static bool measured_better(const struct meas *a, const struct meas *b,
                            const struct calib_quality_rule *q)
{
    bool poor_a = calib_fit_is_poor(&a->total, q), poor_b = calib_fit_is_poor(&b->total, q);
    if (poor_a != poor_b)
        return !poor_a;
    return calib_fit_rel_ci(&a->total) < calib_fit_rel_ci(&b->total);
}

/* Whether m was measured while the whole core ran slow: its host-benchmark
 * figure (taken beside it, struct calib_segmin) more than
 * CALIB_SLOW_PHASE times the fastest seen in this calibration. Another
 * guest on the core's sibling hyperthread slows everything for seconds at
 * a time, memory-bound kernels more than the compute-bound benchmark
 * (here: the benchmark 1.27x slower, a sort pipeline 1.69x), so dividing
 * by the benchmark does not cancel it. A faster figure becomes the
 * reference. */
#define CALIB_SLOW_PHASE 1.08
#define CALIB_SLOW_RETRIES 3

static bool slow_phase(struct calibration *cal, const struct meas *m)
{
    double b = m->bench_ns;
    if (!(b > 0.0))
        return false; /* not divided: the host's speed was given */
    if (!(cal->quiet_bench_ns > 0.0)) {
        /* The first reference: the benchmark at three moments a tenth of
         * a second apart, so that one slow phase does not set it. */
        cal->quiet_bench_ns = b;
        for (int i = 0; i < 3; i++) {
            struct timespec pause = {0, 100000000};
            nanosleep(&pause, NULL);
            double t = calib_host_bench_ns();
            if (t > 0.0 && t < cal->quiet_bench_ns)
                cal->quiet_bench_ns = t;
        }
    }
    if (b < cal->quiet_bench_ns) {
        cal->quiet_bench_ns = b;
        return false;
    }
    return b > CALIB_SLOW_PHASE * cal->quiet_bench_ns;
}

/* Measures stage (job, stage) into r->meas. Measured in a slow phase of
 * the core (slow_phase), it is measured again up to CALIB_SLOW_RETRIES
 * times, half a second apart, and the measurement beside the
 * fastest benchmark kept. A fit that is poor by the
 * options' rule is measured once more with twice the repetitions (more
 * chances for each size to run undisturbed), and the better of the two is
 * kept; whether it is still poor is for judge_fit to say. */
static enum sc_status measure_stage(struct calibration *cal, size_t job, size_t stage,
                                    struct stage_rec *r, struct diag *d)
{
    struct pipe *p;
    enum sc_status rc = calibrate_pipe_build(cal, job, stage, &p, d);
    if (rc != SC_OK)
        return rc;
    rc = calibrate_pipe_measure_sized(cal, job, stage, p, 0, &r->meas, d);
    for (int retry = 0; rc == SC_OK && retry < CALIB_SLOW_RETRIES && slow_phase(cal, &r->meas);
         retry++) {
        struct timespec pause = {0, 500000000};
        nanosleep(&pause, NULL);
        struct meas *again = malloc(sizeof *again);
        if (!again) {
            calibrate_pipe_free(p);
            return calibrate_nomem(d);
        }
        rc = calibrate_pipe_measure_sized(cal, job, stage, p, 0, again, d);
        if (rc == SC_OK && again->bench_ns < r->meas.bench_ns)
            r->meas = *again;
        free(again);
    }
    r->meas.repetitions = cal->opt.repetitions;
    r->meas.measurements = 1;
    if (rc == SC_OK && calib_fit_is_poor(&r->meas.total, &cal->opt.quality)) {
        struct calibrate_options more = cal->opt;
        more.repetitions = 2 * more.repetitions < 101 ? 2 * more.repetitions : 101;
        /* (the same sample sizes: the growth is decided again, quietly) */
        struct meas *again = malloc(sizeof *again);
        if (!again) {
            calibrate_pipe_free(p);
            return calibrate_nomem(d);
        }
        rc = calibrate_pipe_measure_sized(cal, job, stage, p, more.repetitions, again, d);
        if (rc == SC_OK) {
            again->repetitions = more.repetitions;
            if (measured_better(again, &r->meas, &cal->opt.quality))
                r->meas = *again;
            r->meas.measurements = 2;
        }
        free(again);
    }
    calibrate_pipe_free(p);
    return rc;
}

/* The stage's fit judged by the options' rule (also a cached one: its
 * figures are judged again, so a poor fit in the cache warns on every
 * run that uses it, never silently). */
static void judge_fit(struct calibration *cal, struct stage_rec *r)
{
    r->pub.poor = calib_fit_is_poor(&r->meas.total, &cal->opt.quality);
    r->pub.measurements = r->meas.measurements;
    r->pub.repetitions = r->meas.repetitions;
}

/* A percentage as the figures need it: 73%, 2.4%, 0.1%. */
static void percent(char *buf, size_t size, double fraction)
{
    double p = 100.0 * fraction;
    snprintf(buf, size, p >= 10.0 || !isfinite(p) ? "%.0f%%" : "%.1f%%", p);
}

/* Warns of a poor fit with its figures, each with the bound it is held to
 * (when that part of the rule is on), the stage's ns/row as the table
 * prints it, and what to do about it. */
static void warn_poor_fit(struct calibration *cal, const struct stage_rec *r)
{
    const struct meas *m = &r->meas;
    const struct calib_quality_rule *q = &cal->opt.quality;
    if (!r->pub.poor)
        return;
    char r2[48], ci[64], rel[16], bound[16], again[96] = "";
    int n = snprintf(r2, sizeof r2, "R^2 %.4f", m->total.r2);
    if (q->min_r2 > 0.0 && n > 0)
        snprintf(r2 + n, sizeof r2 - (size_t)n, " (wanted >= %.2f)", q->min_r2);
    percent(rel, sizeof rel, calib_fit_rel_ci(&m->total));
    percent(bound, sizeof bound, q->max_rel_ci);
    n = snprintf(ci, sizeof ci, "+/- %s", rel);
    if (q->max_rel_ci > 0.0 && n > 0)
        snprintf(ci + n, sizeof ci - (size_t)n, ", wanted <= %s", bound);
    if (m->measurements > 1)
        snprintf(again, sizeof again, ", also when measured a second time with %d repetitions",
                 2 * cal->opt.repetitions < 101 ? 2 * cal->opt.repetitions : 101);
    const struct calib_cost *c = &r->pub.cost;
    calibrate_warn(cal,
                   "job %zu stage %zu: the %s fit of pipeline %s is poor: %s, %.2f +/- %.2f "
                   "ns/row (%s)%s. It is used, so this stage's compute time is that uncertain: "
                   "run `stagecast calibrate --recalibrate` on a quieter machine, or raise "
                   "model.calibration.repetitions or model.calibration.rows (more or larger "
                   "sample sizes)",
                   r->pub.job, r->pub.stage,
                   r->pub.status == CALIBRATE_CACHED ? "cached" : "measured", r->pub.pipeline, r2,
                   c->ns_per_row, c->ns_per_row_ci, ci, again);
}

static enum sc_status calibrate_one(struct calibration *cal, size_t job, size_t stage,
                                    struct diag *d)
{
    struct plan_stage *sp = &cal->plan->jobs[job].stages[stage];
    struct stage_rec *r = calibrate_rec_at(cal, job, stage);
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
    size_t n = calibrate_stage_ops(cal, sp, &ops);
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
        return calibrate_nomem(d);
    enum sc_status rc = calibrate_pipe_parse(parsed, ops, n, &local);
    calibrate_pipe_name(parsed, r->pub.pipeline, sizeof r->pub.pipeline);
    calibrate_pipe_free(parsed);
    if (rc == SC_ENOMEM)
        return diag_set(d, rc, NULL, 0, "%s", local.msg);
    if (rc != SC_OK) {
        calibrate_set_reason(r, &local);
        return SC_OK;
    }
    if (!(r->key = calibrate_stage_key(cal, job, stage, &local))) {
        if (local.status == SC_ENOMEM)
            return diag_set(d, SC_ENOMEM, NULL, 0, "%s", local.msg);
        calibrate_set_reason(r, &local);
        return SC_OK;
    }
    key_hash(cal, r, sp);
    if (!r->hash)
        return calibrate_nomem(d);
    const char *dir = cal->opt.cache_dir;
    bool replace = cal->opt.recalibrate;
    json_t *payload = NULL;
    /* Measured (or read) already in this run, for an earlier plan. */
    const struct stage_rec *same = NULL;
    for (size_t i = 0; cal->prior && !same && i < cal->prior->n_recs; i++) {
        const struct stage_rec *pr = &cal->prior->recs[i];
        if (pr->have_meas && pr->key && strcmp(pr->key, r->key) == 0)
            same = pr;
    }
    if (same) {
        r->meas = same->meas;
        r->have_meas = true;
        r->pub.status = same->pub.status;
        if (r->pub.status == CALIBRATE_CACHED)
            cal->n_cached++;
        else
            cal->n_measured++;
    } else if (dir[0] && !cal->opt.recalibrate) {
        char why[700];
        enum calib_cache_status cs =
            calib_cache_load(dir, cal->host, cal->opt.version, r->key, &payload, why, sizeof why);
        if (cs == CALIB_CACHE_HIT && calibrate_meas_from_json(payload, &r->meas) != 0) {
            char path[1200];
            calib_cache_path(dir, cal->host, cal->opt.version, r->key, path, sizeof path);
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
            calibrate_warn(cal, "ignoring a corrupt calibration cache file (measuring again): %s", why);
            replace = true;
        }
    }
    if (!r->have_meas) {
        struct calib_measured at;
        calib_measured_now(&at, cal->clock.name);
        rc = measure_stage(cal, job, stage, r, &local);
        if (rc == SC_ENOMEM || d->status != SC_OK)
            return d->status != SC_OK ? d->status : diag_set(d, rc, NULL, 0, "%s", local.msg);
        if (rc != SC_OK) {
            calibrate_set_reason(r, &local);
            free(r->hash);
            r->hash = NULL; /* stages reading it cannot be keyed either */
            return SC_OK;
        }
        /* Through JSON and back, so this run uses exactly what a cached
         * run will read; and stored if no other run stored it first. A
         * poor fit is stored too, marked poor (so the next run uses it and
         * says so again rather than measuring on every run). */
        payload = calibrate_meas_to_json(&r->meas, r->pub.pipeline, &cal->opt.quality);
        if (!payload)
            return calibrate_nomem(d);
        if (dir[0]) {
            struct diag sd;
            diag_clear(&sd);
            if (calib_cache_store(dir, cal->host, cal->opt.version, r->key, payload, &at, replace,
                                  &sd) != SC_OK)
                calibrate_warn(cal, "%s", sd.msg);
            json_t *stored = NULL;
            char why[700];
            if (calib_cache_load(dir, cal->host, cal->opt.version, r->key, &stored, why,
                                 sizeof why) == CALIB_CACHE_HIT &&
                calibrate_meas_from_json(stored, &r->meas) == 0) {
                json_decref(payload);
                payload = stored;
            } else {
                json_decref(stored);
            }
        }
        if (calibrate_meas_from_json(payload, &r->meas) != 0) {
            json_decref(payload);
            return SC_BUG(d, "calibration payload does not read back");
        }
        json_decref(payload);
        r->have_meas = true;
        r->pub.status = CALIBRATE_MEASURED;
        cal->n_measured++;
    }
    judge_fit(cal, r);
    calibrate_fill_public(r);
    if (!cal->host_acu_source && (rc = host_speed(cal, d)) != SC_OK)
        return rc;
    if ((rc = calibrate_stage_cost(cal, r, sp, d)) != SC_OK)
        return rc;
    warn_poor_fit(cal, r);
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
    o->row_ns = NAN;
    o->quality.min_r2 = CALIB_DEFAULT_MIN_R2;
    o->quality.max_rel_ci = CALIB_DEFAULT_MAX_REL_CI;
    snprintf(o->version, sizeof o->version, "%s", PACKAGE_VERSION);
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
        if (m->calib_min_r2 >= 0.0)
            o->quality.min_r2 = m->calib_min_r2;
        if (m->calib_max_ci >= 0.0)
            o->quality.max_rel_ci = m->calib_max_ci;
        for (int c = 0; c < CALIB_N_CLASSES; c++)
            if (m->overhead[c] > 0.0)
                o->overhead[c] = m->overhead[c];
        if (m->row_ns >= 0.0)
            o->row_ns = m->row_ns;
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
    static const char key[] = CALIBRATE_KEY_HOST_BENCHMARK;
    const char *dir = cal->opt.cache_dir;
    json_t *payload = NULL;
    char why[600];
    enum calib_cache_status cs = CALIB_CACHE_MISS;
    if (dir[0] && !cal->opt.recalibrate)
        cs = calib_cache_load(dir, cal->host, cal->opt.version, key, &payload, why, sizeof why);
    double bench = cs == CALIB_CACHE_HIT ? calibrate_jget(payload, "bench_ns") : NAN;
    json_decref(payload);
    if (cs == CALIB_CACHE_HIT && bench > 0.0) {
        cal->host_acu = calib_host_acu_from_bench(bench);
        cal->quiet_bench_ns = bench;
        cal->host_acu_source = "cached";
        return SC_OK;
    }
    if (cs != CALIB_CACHE_MISS)
        calibrate_warn(cal, "ignoring a corrupt calibration cache file (measuring again): %s",
             cs == CALIB_CACHE_CORRUPT ? why : "the host benchmark has no bench_ns");
    struct calib_measured at;
    calib_measured_now(&at, cal->clock.name);
    bench = calib_host_bench_ns();
    cal->host_acu_source = "measured";
    if (dir[0]) {
        json_t *p = json_pack("{s:f}", "bench_ns", bench > 0.0 ? bench : CALIB_REF_BENCH_NS);
        struct diag sd;
        diag_clear(&sd);
        if (p && calib_cache_store(dir, cal->host, cal->opt.version, key, p, &at,
                                   cal->opt.recalibrate || cs != CALIB_CACHE_MISS, &sd) != SC_OK)
            calibrate_warn(cal, "%s", sd.msg);
        json_decref(p);
        /* The stored figure, so concurrent runs agree. */
        payload = NULL;
        if (calib_cache_load(dir, cal->host, cal->opt.version, key, &payload, why, sizeof why) ==
                CALIB_CACHE_HIT &&
            calibrate_jget(payload, "bench_ns") > 0.0)
            bench = calibrate_jget(payload, "bench_ns");
        json_decref(payload);
    }
    cal->host_acu = calib_host_acu_from_bench(bench);
    if (bench > 0.0)
        cal->quiet_bench_ns = bench;
    (void)d;
    return SC_OK;
}

enum sc_status calibrate_plan(struct plan *plan, const struct cluster *cl,
                              const struct calibrate_options *o, struct calibration **out,
                              struct diag *d)
{
    return calibrate_plan_reusing(plan, cl, o, NULL, out, d);
}

enum sc_status calibrate_plan_reusing(struct plan *plan, const struct cluster *cl,
                                      const struct calibrate_options *o,
                                      const struct calibration *prior, struct calibration **out,
                                      struct diag *d)
{
    const struct scenario *s = plan->scn;
    (void)cl;
    *out = NULL;
    double t0 = calibrate_now_ns();
    if (o->n_rows < 3 || o->n_rows > CALIBRATE_MAX_SIZES || o->repetitions < 1 ||
        o->repetitions > 101)
        return diag_set(d, SC_EINPUT, NULL, 0,
                        "calibration needs 3 to %d sample sizes and 1 to 101 repetitions",
                        CALIBRATE_MAX_SIZES);
    if (!(o->quality.min_r2 >= 0.0 && o->quality.min_r2 <= 1.0) || !(o->quality.max_rel_ci >= 0.0))
        return diag_set(d, SC_EINPUT, NULL, 0,
                        "a fit's quality rule needs a minimum R^2 from 0 to 1 and a maximum "
                        "relative interval >= 0, not %g and %g",
                        o->quality.min_r2, o->quality.max_rel_ci);
    struct calibration *cal = calloc(1, sizeof *cal);
    if (!cal)
        return calibrate_nomem(d);
    cal->s = s;
    cal->plan = plan;
    cal->opt = *o;
    cal->prior = prior;
    /* The earlier calibration's warnings hold for the stages reused. */
    for (size_t i = 0; prior && i < prior->warnings.n; i++)
        calibrate_warn(cal, "%s", prior->warnings.v[i]);
    if (prior && prior->host_acu_source) {
        cal->host_acu = prior->host_acu;
        cal->host_acu_source = prior->host_acu_source;
    }
    qsort(cal->opt.rows, cal->opt.n_rows, sizeof *cal->opt.rows, compare_size);
    calib_host_id(cal->host, sizeof cal->host);
    calib_clock_init(&cal->clock);
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
        return calibrate_nomem(d);
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
            calibrate_warn(cal, "%s; calibrating without a cache", md.msg);
            cal->opt.cache_dir[0] = '\0';
        }
    } else {
        calibrate_warn(cal, "no cache directory (set STAGECAST_CACHE_DIR or HOME); calibrating "
                  "without a cache");
    }
    /* Which join keys are sampled alike on both sides (calibrate_sample.c). */
    calibrate_sample_design(cal);
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
    cal->seconds = (calibrate_now_ns() - t0) * 1e-9;
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
    calibrate_slist_free(&c->warnings);
    for (size_t i = 0; i < OPK_COUNT; i++)
        calibrate_generic_pipe_fini(&c->generic[i]);
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
