/*
 * sweep_setup.c — one point of a sweep made ready to run, and one of its
 * replications run: the scenario read with the point's overrides, planned
 * and calibrated (through the pipeline, pipeline.h), its cluster built,
 * then one simulation per seed. Points that differ only in their cluster's
 * shape share one configuration, read and planned once (below).
 */
#include "config.h"

#include "sim/sweep/sweep_internal.h"

/* The project's headers come before <pthread.h>: scenario.h names an
 * enumerator SCHED_FIFO, which <sched.h> (pulled in by <pthread.h>) also
 * defines as a macro. */
#include "models/sbuf.h"
#include "sim/input/scenario.h"
#include "sim/plan/planner.h"
#include "sim/runtime/feasibility.h"
#include "sim/runtime/runtime.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- configurations ----------------------------------------------------------
 *
 * Points differ in their overrides. Those a point's cluster shape takes
 * (cluster.worker, cluster.driver, cluster.workers) change neither the file's
 * other settings nor, beyond the executor cores, its plan; the rest (--set
 * lists, autoscale ranges, spot fractions) make a configuration. Each
 * configuration's scenario is read and checked once, and planned and
 * calibrated once per figure the planner reads from the cluster
 * (planner_cluster_key); a point then only builds its cluster and
 * simulates. A point whose cluster overrides the reader would take
 * differently (scenario_cluster_variant says so), or whose configuration
 * does not load on its own, reads the file with all its overrides, as
 * before, so every message is the reader's. */

struct config_plan {
    int64_t key;        /* planner_cluster_key; 0 for a scenario of explicit stages */
    struct pipeline pl; /* planned and calibrated, unless error */
    char *error;
};

struct config_entry {
    char *key;             /* its overrides, one a line */
    struct scenario *base; /* NULL: it does not load by itself */
    struct config_plan **plans;
    size_t n_plans;
};

struct sweep_configs {
    pthread_mutex_t lock;
    struct config_entry **v;
    size_t n;
};

struct sweep_configs *sweep_configs_new(void)
{
    struct sweep_configs *c = calloc(1, sizeof *c);
    if (c)
        pthread_mutex_init(&c->lock, NULL);
    return c;
}

void sweep_configs_free(struct sweep_configs *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        struct config_entry *e = c->v[i];
        for (size_t k = 0; k < e->n_plans; k++) {
            pipeline_fini(&e->plans[k]->pl);
            free(e->plans[k]->error);
            free(e->plans[k]);
        }
        free(e->plans);
        scenario_free(e->base);
        free(e->key);
        free(e);
    }
    free(c->v);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static bool is_shape_override(const char *o)
{
    return strncmp(o, "cluster.worker=", 15) == 0 || strncmp(o, "cluster.driver=", 15) == 0 ||
           strncmp(o, "cluster.workers=", 16) == 0;
}

/* The configuration of the overrides rest (loading it the first time).
 * Called with the lock held; NULL when memory runs out. */
static struct config_entry *config_get(struct sweep_configs *c, const struct sweep *sw,
                                       const char *const *rest, size_t n_rest)
{
    struct sbuf kb = {0};
    for (size_t i = 0; i < n_rest; i++)
        sb_add(&kb, "%s\n", rest[i]);
    char *key = sb_take(&kb);
    if (!key)
        return NULL;
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->v[i]->key, key) == 0) {
            free(key);
            return c->v[i];
        }
    struct config_entry *e = calloc(1, sizeof *e);
    struct config_entry **v = realloc(c->v, (c->n + 1) * sizeof *v);
    if (!e || !v) {
        free(e);
        free(key);
        if (v)
            c->v = v;
        return NULL;
    }
    c->v = v;
    e->key = key;
    struct diag d;
    diag_clear(&d);
    e->base = scenario_load_with(sw->spec.scenario_file, rest, n_rest, &d);
    c->v[c->n++] = e;
    return e;
}

/* The configuration's plan for clusters of planner key k (making it the
 * first time, on cluster cl). Called with the lock held; NULL on memory. */
static struct config_plan *config_plan_get(struct config_entry *e, const struct sweep_env *env,
                                           int64_t k, const struct cluster *cl)
{
    for (size_t i = 0; i < e->n_plans; i++)
        if (e->plans[i]->key == k)
            return e->plans[i];
    struct config_plan *p = calloc(1, sizeof *p);
    struct config_plan **v = realloc(e->plans, (e->n_plans + 1) * sizeof *v);
    if (!p || !v) {
        free(p);
        if (v)
            e->plans = v;
        return NULL;
    }
    e->plans = v;
    p->key = k;
    struct diag d;
    diag_clear(&d);
    struct pipeline_request rq = {.until = PIPELINE_CALIBRATE,
                                  .scenario = e->base,
                                  .catalog = env->catalog,
                                  .cluster = cl,
                                  .stats = env->stats,
                                  .calibration = env->calib,
                                  .memory_limit_bytes = env->memory_limit_bytes};
    pthread_mutex_t *lock = env->calib_lock;
    if (lock)
        pthread_mutex_lock(lock);
    enum sc_status st = pipeline_run(&p->pl, &rq, &d);
    if (lock)
        pthread_mutex_unlock(lock);
    if (st != SC_OK) {
        char buf[1200];
        p->error = strdup(diag_format(&d, buf, sizeof buf));
        pipeline_fini(&p->pl);
    }
    e->plans[e->n_plans++] = p;
    return p;
}

static bool has_query(const struct scenario *s)
{
    for (size_t j = 0; j < s->n_jobs; j++)
        if (s->jobs[j].query && s->jobs[j].n_query > 0)
            return true;
    return false;
}

/* Sets ps up from its configuration; false when the point must read the
 * file itself (see above). */
static bool setup_from_config(const struct sweep *sw, const struct sweep_env *env,
                              const char *const *ov, size_t n_ov, struct point_setup *ps)
{
    const char **shape = malloc((n_ov + 1) * sizeof *shape);
    const char **rest = malloc((n_ov + 1) * sizeof *rest);
    size_t n_shape = 0, n_rest = 0;
    bool done = false;
    if (!shape || !rest)
        goto out;
    for (size_t i = 0; i < n_ov; i++) {
        if (is_shape_override(ov[i]))
            shape[n_shape++] = ov[i];
        else
            rest[n_rest++] = ov[i];
    }
    struct sweep_configs *c = env->configs;
    pthread_mutex_lock(&c->lock);
    struct config_entry *e = config_get(c, sw, rest, n_rest);
    struct scenario variant;
    if (!e || !e->base || !scenario_cluster_variant(e->base, shape, n_shape, &variant)) {
        pthread_mutex_unlock(&c->lock);
        goto out;
    }
    done = true;
    struct diag d;
    diag_clear(&d);
    if (cluster_build(&variant, env->catalog, &ps->cl, &d) != SC_OK) {
        pthread_mutex_unlock(&c->lock);
        char buf[1200];
        ps->error = strdup(diag_format(&d, buf, sizeof buf));
        goto out;
    }
    int64_t k = has_query(e->base) ? planner_cluster_key(&ps->cl) : 0;
    const struct config_plan *p = config_plan_get(e, env, k, &ps->cl);
    pthread_mutex_unlock(&c->lock);
    if (!p)
        goto out; /* ps->error NULL: out of memory, sweep_run_rep says so */
    if (p->error) {
        ps->error = strdup(p->error);
        goto out;
    }
    ps->shared = &p->pl;
    ps->ready = true;
out:
    free(shape);
    free(rest);
    return done;
}

void sweep_setup_point(const struct sweep *sw, const struct sweep_env *env, const char *const *ov,
                       size_t n_ov, struct point_setup *ps)
{
    struct diag d;
    diag_clear(&d);
    memset(ps, 0, sizeof *ps);
    if (env->configs && setup_from_config(sw, env, ov, n_ov, ps))
        return;
    struct pipeline_request rq = {.until = PIPELINE_PLAN,
                                  .path = sw->spec.scenario_file,
                                  .sets = ov,
                                  .n_sets = n_ov,
                                  .catalog = env->catalog,
                                  .stats = env->stats,
                                  .calibration = env->calib,
                                  .memory_limit_bytes = env->memory_limit_bytes};
    enum sc_status st = pipeline_run(&ps->pl, &rq, &d);
    if (st == SC_OK) {
        /* Calibration shares its cache between threads: one measures, the
         * others then read what it measured. */
        pthread_mutex_t *lock = env->calib_lock;
        if (lock)
            pthread_mutex_lock(lock);
        rq.until = PIPELINE_CALIBRATE;
        st = pipeline_run(&ps->pl, &rq, &d);
        if (lock)
            pthread_mutex_unlock(lock);
    }
    if (st == SC_OK) {
        ps->cl = ps->pl.cl;
        ps->ready = true;
        return;
    }
    char buf[1200];
    ps->error = strdup(diag_format(&d, buf, sizeof buf));
    pipeline_fini(&ps->pl); /* ps->error NULL too: out of memory, sweep_run_rep says so */
}

void sweep_setup_fini(struct point_setup *ps)
{
    pipeline_fini(&ps->pl);
    free(ps->error);
    memset(ps, 0, sizeof *ps);
}

/* Simulates one replication of a set-up point into out. Everything it
 * touches is its own except env and the point's plan, which it only
 * reads: this is what makes runs safe to put on threads. */
void sweep_run_rep(const struct point_setup *ps, uint64_t seed, bool draw, struct sweep_run *out)
{
    out->done = true;
    out->ok = false;
    if (!ps->ready) {
        out->error = strdup(ps->error ? ps->error : "out of memory");
        return;
    }
    struct diag d;
    diag_clear(&d);
    /* draw (more than one replication): each replication draws its
     * stages' calibrated costs within their fits' intervals, so the spread
     * of the replications covers calibration error too. */
    struct sim_options o = {.seed = seed,
                            .calib = draw ? SIM_CALIB_DRAWN : SIM_CALIB_NOMINAL};
    struct sim *sim = pipeline_simulate(ps->shared ? ps->shared : &ps->pl, &ps->cl, &o, &d);
    if (!sim) {
        char buf[1200];
        out->error = strdup(diag_format(&d, buf, sizeof buf));
        return;
    }
    const struct results *r = sim_results(sim);
    out->ok = true;
    out->makespan_s = r->makespan_s;
    out->cost_usd = r->cost.total_usd;
    out->startup_usd = isfinite(r->cost.total_usd) ? r->cost.startup_usd : NAN;
    out->utilization = r->utilization;
    snprintf(out->node_type, sizeof out->node_type, "%s", ps->cl.worker->name);
    out->workers = ps->cl.workers;
    struct disk_check dc;
    feasibility_check_disk(r, &ps->cl, &dc);
    out->disk_peak_bytes = dc.worker >= 0 ? dc.peak_bytes : 0.0;
    out->disk_shuffle_bytes = dc.shuffle_bytes;
    out->disk_spill_bytes = dc.spill_bytes;
    out->disk_bytes = dc.disk_bytes;
    if (!isfinite(out->cost_usd)) {
        out->cost_usd = NAN;
        out->cost_note = strdup(r->cost.note[0] ? r->cost.note : "a price is unknown");
    }
    sim_free(sim);
}
