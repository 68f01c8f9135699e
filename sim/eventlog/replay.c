/*
 * replay.c — replaying an imported Spark run and measuring the model's error
 * (see replay.h). The last step of `stagecast replay`: import -> scenario ->
 * cluster -> simulation -> this comparison.
 *
 * A stage's duration is Spark's: completion minus submission, so it holds
 * the wait for slots and for the driver's launches as well as the tasks.
 * The application's is the first job's submission to the last job's end.
 * Errors are (predicted - actual) / actual. The import gives the model the
 * driver's measured time (each job's before its first stages, each stage's
 * before its tasks are offered) and when each executor registered, so what
 * is left to explain a miss is what the model still leaves out, measured on
 * the log: failed attempts it does not re-run, executors of a stage's own
 * resource profile (stage-level scheduling), executors lost, delay
 * scheduling, result fetching that holds its slots, a first launch later
 * than the model's.
 */
#include "sim/eventlog/replay.h"

#include "sim/pipeline/pipeline.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "models/calib.h"
#include "models/utf8.h"
#include "sim/input/cluster.h"
#include "sim/output/report.h"
#include "sim/runtime/results.h"
#include "sim/runtime/runtime.h"
#include "sim/runtime/taskcost.h"
#include "models/order.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.1.0"
#endif

static int add_line(char ***list, size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int add_line(char ***list, size_t *n, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    char **l = realloc(*list, (*n + 1) * sizeof *l);
    if (!l)
        return -1;
    *list = l;
    if (!(l[*n] = strdup(text)))
        return -1;
    (*n)++;
    return 0;
}

/* What names the log's executors, for a cluster that does not have them.
 * The log's task locality names its executors and the hosts its data was
 * on, neither of which another cluster has: an Azure cluster reading
 * cloud storage gives its scan tasks no preferred location (ABFS answers
 * "localhost", which Spark drops), so the tasks prefer nothing there and
 * reduce tasks follow their map output (runtime, locality.c). */
static void drop_log_executors(struct scenario *s)
{
    for (size_t j = 0; j < s->n_jobs; j++)
        for (size_t k = 0; k < s->jobs[j].n_stages; k++) {
            struct stage_spec *sp = &s->jobs[j].stages[k];
            free(sp->locality);
            sp->locality = NULL;
            /* The attempts that failed on the log's executors name
             * executors of its timeline: on another cluster their time is
             * charged to their tasks, as the import does without a
             * timeline. */
            for (size_t i = 0; i < sp->n_failed && sp->task_seconds_list; i++)
                sp->task_seconds_list[sp->failed[i].task] += sp->failed[i].run_s;
            free(sp->failed);
            sp->failed = NULL;
            sp->n_failed = 0;
        }
}

/* Applies the overrides to the imported scenario's cluster. */
static enum sc_status apply_cluster(struct scenario *s, const struct catalog *cat,
                                    const struct replay_cluster *oc, struct diag *d)
{
    struct cluster_spec *c = &s->cluster;
    if (oc->platform) {
        enum platform p;
        if (platform_parse(oc->platform, &p) != 0)
            return diag_set(d, SC_EINPUT, NULL, 0,
                            "--platform must be databricks, synapse, hdinsight or vm, not '%s'",
                            oc->platform);
        c->platform = p;
    }
    const struct node_type *node = NULL;
    const char *names[2] = {oc->worker, oc->driver};
    for (int i = 0; i < 2; i++) {
        if (!names[i])
            continue;
        const struct node_type *n = catalog_find(cat, names[i]);
        if (!n) {
            const char *near[3];
            size_t k = catalog_suggest(cat, names[i], near, 3);
            return diag_set(d, SC_EINPUT, NULL, 0,
                            "--%s: unknown node size '%s' (`stagecast nodes` lists them)%s%s%s%s%s",
                            i ? "driver" : "worker", names[i], k ? "; did you mean " : "",
                            k ? near[0] : "", k > 1 ? ", " : "", k > 1 ? near[1] : "",
                            k ? "?" : "");
        }
        if (i == 0) {
            node = n;
            snprintf(c->worker, sizeof c->worker, "%s", n->name);
            if (!oc->driver)
                snprintf(c->driver, sizeof c->driver, "%s", n->name);
            if (!oc->executors_per_worker && !platform_get(c->platform)->layout.fixed)
                c->executors_per_worker = 0; /* as many executors as fit */
        } else {
            snprintf(c->driver, sizeof c->driver, "%s", n->name);
        }
    }
    if (oc->workers > 0)
        c->workers = oc->workers;
    if (oc->executor_cores > 0) {
        c->executor_cores = oc->executor_cores;
        if (!oc->executors_per_worker && !platform_get(c->platform)->layout.fixed)
            c->executors_per_worker = 0;
    }
    if (oc->executors_per_worker > 0)
        c->executors_per_worker = oc->executors_per_worker;
    /* The log's executor timeline says nothing of another cluster: there
     * the cluster's own policy applies (see cluster_policy). */
    if (oc->worker || oc->workers > 0 || oc->executor_cores > 0 || oc->executors_per_worker > 0) {
        c->n_executor_start_s = 0;
        c->n_executors = 0;
        drop_log_executors(s);
    }
    if (!node)
        node = catalog_find(cat, c->worker);
    /* The log's executors may not fit a smaller node: then one executor of
     * all its vCPUs. Databricks always runs one executor of all of them. */
    if (node && !oc->executor_cores &&
        (c->executor_cores > node->vcpus || platform_get(c->platform)->layout.fixed)) {
        c->executor_cores = node->vcpus;
        c->executors_per_worker = 1;
    }
    return SC_OK;
}

/* What decides the executors of a what-if cluster, in r->policy: the
 * log's timeline is dropped (when it had one), and the cluster is fixed,
 * autoscaled or allocated dynamically with the log's settings. */
static void cluster_policy(struct replay *r, const struct import *im, const struct scenario *s,
                           const struct cluster *cl)
{
    int n = 0;
    if (im->n_timeline)
        n = snprintf(r->policy, sizeof r->policy,
                     "the log's executor timeline (%zu executors joining and leaving) is "
                     "dropped; ",
                     im->n_timeline);
    else if (im->n_executor_start_s)
        n = snprintf(r->policy, sizeof r->policy,
                     "the log's executor registration times are dropped; ");
    if (n < 0 || (size_t)n >= sizeof r->policy)
        return;
    const struct spark_conf *conf = &s->spark;
    if (cl->autoscale)
        snprintf(r->policy + n, sizeof r->policy - (size_t)n,
                 "the cluster autoscales from %d to %d workers", cl->min_workers, cl->max_workers);
    else if (spark_conf_bool(conf, "spark.dynamicAllocation.enabled"))
        snprintf(r->policy + n, sizeof r->policy - (size_t)n,
                 "dynamic allocation with the log's settings (minExecutors %lld, maxExecutors "
                 "%lld, at most the %d executor positions of %d workers)",
                 (long long)spark_conf_int(conf, "spark.dynamicAllocation.minExecutors"),
                 (long long)spark_conf_int(conf, "spark.dynamicAllocation.maxExecutors"),
                 cl->executors, cl->workers);
    else
        snprintf(r->policy + n, sizeof r->policy - (size_t)n,
                 "a fixed cluster: all %d executors from the start", cl->executors);
}

/* What the model leaves out, as a stage's miss is attributed to it. */
enum cause {
    CAUSE_RETRY,           /* failed or killed attempts re-ran */
    CAUSE_NO_EXECUTORS,    /* no executor (of its profile) when submitted, and it
                            * waited longer than the model */
    CAUSE_LOCALITY,        /* delay scheduling: held back, then RACK_LOCAL or ANY */
    CAUSE_LOCALITY_IDLE,   /* delay scheduling: executors left idle */
    CAUSE_FEWER_EXECUTORS, /* executors lost or not yet added */
    CAUSE_LAUNCH_LATENCY,  /* submission to first launch, beyond the model's */
    CAUSE_RESULT_HOLD,     /* the model holds slots through the result fetch */
    CAUSE_MODEL_WAIT,      /* submission to first launch, longer in the model */
    CAUSE_WAVES,           /* more tasks than the model's slots: waves the log
                            * did not run */
    CAUSE_OTHER,
    CAUSE_COUNT
};

struct cause_sum {
    size_t stages;
    double seconds;  /* actual - predicted, summed */
    double measured; /* the cause's own measure, summed */
};

/* The one cause that best explains a stage's difference d = actual -
 * predicted, from what the log recorded about it. */
static enum cause stage_cause(const struct replay_stage *rs, const struct import_stage *s,
                              const struct import *im, int slots, double *measured)
{
    double d = rs->actual_s - rs->predicted_s;
    double extra_wait = rs->actual_wait_s - rs->predicted_wait_s;
    *measured = 0.0;
    /* Attempts lost with their executor are replayed on the timeline
     * (lost_attempts): only the others are a cause the model leaves out. */
    int64_t replayed = im->n_timeline ? (int64_t)(s->n_lost + s->n_fail) : 0;
    if (d > 0 && (s->failed_tasks - replayed > 0 || s->killed_tasks)) {
        *measured = s->retry_s;
        return CAUSE_RETRY;
    }
    if (d > 0 && s->executors_at_submit == 0 && extra_wait > 0.25 * d) {
        *measured = extra_wait;
        return CAUSE_NO_EXECUTORS;
    }
    if (d > 0 && s->delayed_launches > 0) {
        *measured = s->locality_wait_s;
        return CAUSE_LOCALITY;
    }
    if (d > 0 && s->idle_executors > 0) {
        *measured = (double)s->idle_executors;
        return CAUSE_LOCALITY_IDLE;
    }
    if (d > 0 && s->executors_at_submit > 0 && s->executors_at_submit < im->executors) {
        *measured = (double)s->executors_at_submit;
        return CAUSE_FEWER_EXECUTORS;
    }
    if (d > 0 && extra_wait > 0.5 * d) {
        *measured = extra_wait;
        return CAUSE_LAUNCH_LATENCY;
    }
    double waves = ceil((double)s->tasks / (double)(slots > 0 ? slots : 1));
    if (d < 0 && s->result_s * waves > 0.3 * -d) {
        *measured = s->result_s * waves;
        return CAUSE_RESULT_HOLD;
    }
    /* The model too slow: its tasks are the log's, so the time is in
     * scheduling, either before the first launch (slots still busy with
     * other stages, the driver's time spent while they were) or in waves of
     * tasks the log ran more of at once. */
    if (d < 0 && -extra_wait > 0.5 * -d) {
        *measured = -extra_wait;
        return CAUSE_MODEL_WAIT;
    }
    if (d < 0 && waves > 1) {
        *measured = waves;
        return CAUSE_WAVES;
    }
    return CAUSE_OTHER;
}

/* Did the log's stages run under more than one resource profile? */
static bool several_profiles(const struct import *im)
{
    bool first = true;
    int64_t rp = 0;
    for (size_t j = 0; j < im->n_jobs; j++)
        for (size_t i = 0; i < im->jobs[j].n_stages; i++) {
            if (!first && im->jobs[j].stages[i].resource_profile != rp)
                return true;
            rp = im->jobs[j].stages[i].resource_profile;
            first = false;
        }
    return false;
}

/* One sentence per cause, for the stages it explains. */
static void say_cause(struct replay *r, enum cause c, const struct cause_sum *cs,
                      const struct import *im, const char *what)
{
    size_t n = cs->stages;
    const char *st = n == 1 ? "stage" : "stages";
    switch (c) {
    case CAUSE_RETRY:
        add_line(&r->why, &r->n_why,
                 "%s: %zu %s re-ran failed or killed task attempts (%.1f slot-s of them), %.1f "
                 "s longer than the model, which runs a task again only when its executor "
                 "leaves",
                 what, n, st, cs->measured, cs->seconds);
        break;
    case CAUSE_NO_EXECUTORS:
        if (several_profiles(im))
            add_line(&r->why, &r->n_why,
                     "%s: %zu %s waited %.1f s more than the model for executors of their own "
                     "resource profile (stage-level scheduling: Spark asks for a profile's "
                     "executors when a stage of it is submitted, and only they run its tasks); "
                     "the model runs a stage on its profile's executors only from the log's "
                     "timeline, where they joined when the log's did",
                     what, n, st, cs->measured);
        else
            add_line(&r->why, &r->n_why,
                     "%s: %zu %s waited %.1f s more than the model for executors to register "
                     "(%s)",
                     what, n, st, cs->measured,
                     im->n_timeline ? "the model registers each when the log did"
                                    : "the model's k-th executor registers when the log first "
                                      "had k alive and never leaves");
        break;
    case CAUSE_LOCALITY:
        add_line(&r->why, &r->n_why,
                 "%s: %zu %s held tasks back for spark.locality.wait before launching them "
                 "RACK_LOCAL or ANY (%.1f s of gaps); the model holds them too, from each "
                 "task's logged locality, but offers again at its own revives and task ends",
                 what, n, st, cs->measured);
        break;
    case CAUSE_LOCALITY_IDLE:
        add_line(&r->why, &r->n_why,
                 "%s: %zu %s left %.0f executor%s of %s resource profile idle while %s tasks "
                 "queued for the slots of the executors holding their data (NODE_LOCAL, never "
                 "waiting out spark.locality.wait), %.1f s longer; the model keeps a task "
                 "for its logged host only while the wait lasts",
                 what, n, st, cs->measured, cs->measured == 1.0 ? "" : "s",
                 n == 1 ? "its" : "their", n == 1 ? "its" : "their", cs->seconds);
        break;
    case CAUSE_FEWER_EXECUTORS:
        add_line(&r->why, &r->n_why,
                 "%s: %zu %s ran with fewer than the scenario's %d executors alive (executors "
                 "lost and replaced), %.1f s longer; %s",
                 what, n, st, im->executors, cs->seconds,
                 im->n_timeline ? "the model follows the log's executor timeline and loses "
                                  "the attempts the log lost where they run on the same "
                                  "executor, but its tasks did not all run where the log's did"
                                : "the model keeps every executor from its registration on");
        break;
    case CAUSE_LAUNCH_LATENCY:
        add_line(&r->why, &r->n_why,
                 "%s: %zu %s waited %.3f s more in all than the model between submission and "
                 "their first task launch; the model spends the driver time measured while a "
                 "slot was free, so the rest is slots that stayed busy longer in the run",
                 what, n, st, cs->measured);
        break;
    case CAUSE_RESULT_HOLD:
        add_line(&r->why, &r->n_why,
                 "%s: %zu %s of short tasks where the logged finish includes the driver fetching "
                 "the result after the slot was freed; the model holds the slot until then "
                 "(%.3f s too long)",
                 what, n, st, -cs->seconds);
        break;
    case CAUSE_MODEL_WAIT:
        add_line(&r->why, &r->n_why,
                 "%s: %zu %s waited %.3f s longer in the model than in the log between "
                 "submission and their first task launch (the model's slots still busy with "
                 "earlier or concurrent stages' tasks), %.3f s too long in all",
                 what, n, st, cs->measured, -cs->seconds);
        break;
    case CAUSE_WAVES:
        add_line(&r->why, &r->n_why,
                 "%s: %zu %s had more tasks than the model's %d task slots and ran them in "
                 "waves, %.3f s too long in all: the log ran more of them at once than the "
                 "executors it gave the model hold (executors it had briefly, or tasks that "
                 "overlapped as their results were fetched)",
                 what, n, st, r->slots, -cs->seconds);
        break;
    default: break;
    }
}

/* How the stages missed by more than the stage target split between a
 * model too slow (predicted longer than logged) and too fast, in seconds:
 * said first, so that the causes after it read in the right direction. */
static void say_directions(struct replay *r)
{
    size_t slow = 0, fast = 0;
    double slow_s = 0.0, fast_s = 0.0;
    for (size_t i = 0; i < r->n_stages; i++) {
        const struct replay_stage *s = &r->stages[i];
        if (isnan(s->error) || fabs(s->error) <= REPLAY_STAGE_TARGET)
            continue;
        if (s->error > 0)
            slow++, slow_s += s->predicted_s - s->actual_s;
        else
            fast++, fast_s += s->actual_s - s->predicted_s;
    }
    if (slow + fast == 0)
        return;
    char slow_text[96] = "", fast_text[96] = "";
    if (slow)
        snprintf(slow_text, sizeof slow_text,
                 "%zu predicted too long (the model too slow, %.3f s in all)", slow, slow_s);
    if (fast)
        snprintf(fast_text, sizeof fast_text,
                 "%zu predicted too short (the model too fast, %.3f s in all)", fast, fast_s);
    add_line(&r->why, &r->n_why, "stages: %zu of %zu miss by more than %.0f%%: %s%s%s", slow + fast,
             r->n_stages, REPLAY_STAGE_TARGET * 100, slow_text, slow && fast ? ", " : "",
             fast_text);
}

/* The causes of the misses, measured on the log (see the top comment), in
 * both directions: a model too fast (a stage took longer in the log than
 * predicted) and too slow. */
static void explain(struct replay *r, const struct import *im, const struct cluster *cl)
{
    bool stage_miss = !isnan(r->median_abs_error) && r->median_abs_error > REPLAY_STAGE_TARGET;
    bool weighted_miss =
        !isnan(r->weighted_abs_error) && r->weighted_abs_error > REPLAY_WEIGHTED_TARGET;
    bool app_miss = !isnan(r->app_error) && fabs(r->app_error) > REPLAY_APP_TARGET;
    if (!stage_miss && !weighted_miss && !app_miss)
        return;
    struct cause_sum missed[CAUSE_COUNT] = {{0}}, all[CAUSE_COUNT] = {{0}};
    size_t k = 0;
    for (size_t j = 0; j < im->n_jobs; j++)
        for (size_t i = 0; i < im->jobs[j].n_stages; i++, k++) {
            const struct replay_stage *rs = &r->stages[k];
            double measured;
            enum cause c =
                stage_cause(rs, &im->jobs[j].stages[i], im, cluster_slots(cl), &measured);
            double d = rs->actual_s - rs->predicted_s;
            all[c].stages++;
            all[c].seconds += d;
            all[c].measured += measured;
            if (!isnan(rs->error) && fabs(rs->error) > REPLAY_STAGE_TARGET) {
                missed[c].stages++;
                missed[c].seconds += d;
                missed[c].measured += measured;
            }
        }
    bool said[CAUSE_COUNT] = {false};
    if (stage_miss || weighted_miss) {
        say_directions(r);
        /* The causes of the missed stages: by stages for the median, by
         * seconds for the weighted error (its misses are the long stages). */
        for (int round = 0; round < 2; round++) {
            int best = -1;
            for (int c = 0; c < CAUSE_OTHER; c++) {
                if (said[c] || !missed[c].stages)
                    continue;
                bool better =
                    best < 0 || (stage_miss ? missed[c].stages > missed[best].stages
                                            : fabs(missed[c].seconds) > fabs(missed[best].seconds));
                if (better)
                    best = c;
            }
            if (best < 0)
                break;
            said[best] = true;
            say_cause(r, (enum cause)best, &missed[best], im, "stages");
        }
        if (missed[CAUSE_OTHER].stages)
            add_line(&r->why, &r->n_why,
                     "stages: %zu of the missed have no cause the log shows (net %.3f s, the "
                     "model too %s)",
                     missed[CAUSE_OTHER].stages, fabs(missed[CAUSE_OTHER].seconds),
                     missed[CAUSE_OTHER].seconds > 0 ? "fast" : "slow");
    }
    if (app_miss) {
        /* The application's difference, by the stages' causes that make up
         * a quarter of it in its direction (the driver's time between a
         * job's submission and its first stages' the model spends: the
         * job's driver_s). */
        double diff = r->actual_s - r->predicted_s;
        add_line(&r->why, &r->n_why,
                 "application: predicted %.3f s %s than logged (the model too %s)", fabs(diff),
                 diff > 0 ? "shorter" : "longer", diff > 0 ? "fast" : "slow");
        bool any = false;
        for (int c = 0; c < CAUSE_OTHER; c++)
            if (all[c].stages && fabs(all[c].seconds) > 0.25 * fabs(diff) &&
                (all[c].seconds > 0) == (diff > 0)) {
                any = true;
                if (!said[c])
                    say_cause(r, (enum cause)c, &all[c], im, "application");
            }
        const struct cause_sum *other = &all[CAUSE_OTHER];
        if (!any && other->stages && fabs(other->seconds) > 0.25 * fabs(diff) &&
            (other->seconds > 0) == (diff > 0))
            add_line(&r->why, &r->n_why,
                     "application: %zu %s with no cause the log shows make up %.3f s of it",
                     other->stages, other->stages == 1 ? "stage" : "stages", fabs(other->seconds));
        else if (!any)
            add_line(&r->why, &r->n_why,
                     "application: no stage's cause makes up a quarter of it (the difference "
                     "is between the stages: the driver's time, or jobs submitted later than "
                     "logged)");
    }
}

bool replay_cluster_overridden(const struct replay_cluster *oc)
{
    return oc && (oc->worker || oc->driver || oc->platform || oc->workers > 0 ||
                  oc->executor_cores > 0 || oc->executors_per_worker > 0);
}

bool replay_what_if(const struct replay_cluster *oc)
{
    return replay_cluster_overridden(oc) || (oc && oc->input_scale > 0.0 && oc->input_scale != 1.0);
}

/* r->what_if: what the what-if did to the tasks, and on what it rests: the
 * tasks the scans became, and the speed of the log's node (as the import
 * chose it) against the what-if's worker. */
static void describe_what_if(struct replay *r, const struct import *im, const struct cluster *cl,
                             int64_t logged_tasks, int64_t predicted_tasks)
{
    size_t n = 0;
    int k = 0;
    if (r->input_scale != 1.0) {
        k = snprintf(r->what_if, sizeof r->what_if,
                     "input x%g: %lld tasks in all (the log ran %lld); each task's compute "
                     "scales with the records it gets, its fixed part (launch to finish less "
                     "executor run time, the stage's mean) does not",
                     r->input_scale, (long long)predicted_tasks, (long long)logged_tasks);
        if (k < 0 || (size_t)k >= sizeof r->what_if)
            return;
        n = (size_t)k;
    }
    if (cl->task_seconds_node && cl->worker && cl->task_seconds_node != cl->worker) {
        const char *src_log, *src_new;
        double acu_log = calib_node_acu(cl->task_seconds_node, NULL, &src_log);
        double acu_new = calib_node_acu(cl->worker, NULL, &src_new);
        snprintf(r->what_if + n, sizeof r->what_if - n,
                 "%snode: compute x%.3f, the log's node %s (ACU %.0f, %s; the import chose it: "
                 "%s) over %s (ACU %.0f, %s); shuffle fetch wait x%.3f and shuffle write "
                 "x%.3f (network and local-disk bandwidth per vCPU); storage reads stay in the "
                 "compute part",
                 n ? "; " : "", acu_log / acu_new, cl->task_seconds_node->name, acu_log, src_log,
                 im->worker_why, cl->worker->name, acu_new, src_new,
                 taskcost_node_io_speedup(cl, true), taskcost_node_io_speedup(cl, false));
    }
}

static void describe_cluster(char *buf, size_t size, const struct cluster *cl)
{
    snprintf(buf, size, "%s, %d x %s (%d executor%s x %d cores each, %d task slots)",
             platform_name(cl->platform), cl->workers, cl->worker->name, cl->executors_per_worker,
             cl->executors_per_worker == 1 ? "" : "s", cl->executor_cores, cluster_slots(cl));
}

/* rc: c priced as the run report prices it, its lines kept as text. */
static int price(struct replay_cost *rc, const struct scenario *s, const struct cluster *cl,
                 const struct cost_result *c, double duration_s)
{
    describe_cluster(rc->cluster, sizeof rc->cluster, cl);
    rc->duration_s = duration_s;
    rc->usd = c->total_usd;
    size_t len = 0;
    FILE *f = open_memstream(&rc->text, &len);
    if (!f)
        return -1;
    report_cost(f, s, cl, c);
    if (fclose(f) != 0)
        return -1;
    /* report_cost opens its section with a blank line: the replay places it. */
    if (rc->text[0] == '\n')
        memmove(rc->text, rc->text + 1, len);
    return 0;
}

/* The cost of the cluster the log ran on, as the import resolved it, with
 * all its workers for the logged time: the same scenario without the
 * overrides, resolved again (nothing simulated). */
static enum sc_status price_log_cluster(struct replay *r, const struct import *im,
                                        const struct catalog *cat, struct diag *d)
{
    struct scenario *s = import_scenario(im, d);
    if (!s)
        return d->status;
    struct pipeline pl = {0};
    struct pipeline_request rq = {.until = PIPELINE_CLUSTER, .scenario = s, .catalog = cat};
    enum sc_status st = pipeline_run(&pl, &rq, d);
    if (st == SC_OK) {
        struct cost_result c;
        results_cost(&c, &pl.cl, r->actual_s, NULL, 0);
        if (price(&r->log_cost, s, &pl.cl, &c, r->actual_s) != 0)
            st = diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    }
    pipeline_fini(&pl);
    scenario_free(s);
    return st;
}

struct replay *replay_run(const struct import *im, const struct catalog *cat,
                          const struct replay_cluster *oc, struct diag *d)
{
    struct replay *r = calloc(1, sizeof *r);
    struct scenario *s = NULL;
    struct pipeline pl = {0};
    if (!r) {
        diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        return NULL;
    }
    r->log = strdup(im->source);
    r->app_name = strdup(im->name);
    r->spark_version = strdup(im->spark_version);
    if (!r->log || !r->app_name || !r->spark_version)
        goto nomem;
    s = import_scenario(im, d);
    if (!s)
        goto fail;
    r->input_scale = 1.0;
    if (replay_cluster_overridden(oc)) {
        r->other_cluster = true;
        if (apply_cluster(s, cat, oc, d) != SC_OK)
            goto fail;
    }
    if (oc && oc->input_scale > 0.0 && oc->input_scale != 1.0) {
        r->other_cluster = true;
        r->input_scale = s->what_if.input_scale = oc->input_scale;
    }
    struct diag cd;
    diag_clear(&cd);
    /* The log's stages all have task times: planning copies them, and
     * calibration has nothing to measure. */
    struct pipeline_request rq = {.until = PIPELINE_SIMULATE, .scenario = s, .catalog = cat};
    if (pipeline_run(&pl, &rq, &cd) != SC_OK) {
        /* Its lines are the imported scenario's: name the cluster instead. */
        if (pl.failed == PIPELINE_CLUSTER)
            diag_set(d, cd.status, NULL, 0, "%s cluster: %s",
                     r->other_cluster ? "the" : "the log's", cd.msg);
        else
            *d = cd;
        goto fail;
    }
    const struct cluster cl = pl.cl;
    describe_cluster(r->cluster, sizeof r->cluster, &cl);
    if (replay_cluster_overridden(oc))
        cluster_policy(r, im, s, &cl);
    else if (im->n_timeline)
        snprintf(r->policy, sizeof r->policy,
                 "the log's executor timeline: %zu executors joining and leaving as logged, at "
                 "most %d at once",
                 im->n_timeline, im->timeline_peak);
    r->slots = cluster_slots(&cl);
    r->task_launch_ms = isnan(s->model.task_launch_s) ? RUNTIME_DEFAULT_TASK_LAUNCH_S * 1e3
                                                      : s->model.task_launch_s * 1e3;
    const struct results *res = sim_results(pl.sim);

    size_t n = 0;
    for (size_t j = 0; j < im->n_jobs; j++)
        n += im->jobs[j].n_stages;
    if (res->n_stages != n) {
        SC_BUG(d, "the simulation has %zu stages, the import %zu", res->n_stages, n);
        goto fail;
    }
    r->stages = calloc(n ? n : 1, sizeof *r->stages);
    double *first_launch = malloc((n ? n : 1) * sizeof *first_launch);
    if (!r->stages || !first_launch) {
        free(first_launch);
        goto nomem;
    }
    for (size_t i = 0; i < n; i++)
        first_launch[i] = INFINITY;
    for (size_t i = 0; i < n; i++)
        if (res->stages[i].first_launch_us != INT64_MAX)
            first_launch[i] = (double)res->stages[i].first_launch_us * 1e-6;
    size_t k = 0;
    for (size_t j = 0; j < im->n_jobs; j++)
        for (size_t i = 0; i < im->jobs[j].n_stages; i++, k++) {
            const struct import_stage *is = &im->jobs[j].stages[i];
            const struct stage_result *sr = &res->stages[k];
            struct replay_stage *rs = &r->stages[k];
            if (sr->id != is->id) {
                free(first_launch);
                SC_BUG(d, "simulated stage %zu is %lld, imported %lld", k, (long long)sr->id,
                       (long long)is->id);
                goto fail;
            }
            rs->job_id = im->jobs[j].id;
            rs->stage_id = is->id;
            rs->tasks = is->tasks;
            rs->predicted_tasks = sr->tasks;
            if (is->name && !(rs->name = strdup(is->name))) {
                free(first_launch);
                goto nomem;
            }
            rs->actual_s = is->actual_s;
            rs->predicted_s = (double)(sr->end_us - sr->submit_us) * 1e-6;
            rs->error = rs->actual_s > 0.0 ? (rs->predicted_s - rs->actual_s) / rs->actual_s : NAN;
            rs->actual_wait_s = is->launch_wait_s;
            rs->predicted_wait_s =
                isinf(first_launch[k]) ? 0.0 : first_launch[k] - (double)sr->submit_us * 1e-6;
        }
    free(first_launch);
    r->n_stages = n;
    if (r->other_cluster) {
        int64_t logged = 0, predicted = 0;
        for (size_t i = 0; i < n; i++) {
            logged += r->stages[i].tasks;
            predicted += r->stages[i].predicted_tasks;
        }
        describe_what_if(r, im, &cl, logged, predicted);
    }
    r->actual_s = im->actual_s;
    r->predicted_s = res->makespan_s;
    r->app_error = r->actual_s > 0.0 ? (r->predicted_s - r->actual_s) / r->actual_s : NAN;

    /* The duration-weighted error: each stage's miss in seconds over all
     * the stages' logged seconds, so a long stage counts for its length
     * (the median lets many sub-second stages hide a long one missed). */
    double miss_s = 0.0, logged_s = 0.0;
    for (size_t i = 0; i < n; i++) {
        miss_s += fabs(r->stages[i].predicted_s - r->stages[i].actual_s);
        logged_s += r->stages[i].actual_s;
    }
    r->weighted_abs_error = logged_s > 0.0 ? miss_s / logged_s : NAN;

    /* Median, 90th percentile and worst of the absolute stage errors. */
    double *ape = malloc((n ? n : 1) * sizeof *ape);
    if (!ape)
        goto nomem;
    size_t m = 0;
    r->worst_stage = -1;
    r->worst_abs_error = NAN;
    for (size_t i = 0; i < n; i++) {
        if (isnan(r->stages[i].error))
            continue;
        double e = fabs(r->stages[i].error);
        ape[m++] = e;
        if (isnan(r->worst_abs_error) || e > r->worst_abs_error) {
            r->worst_abs_error = e;
            r->worst_stage = r->stages[i].stage_id;
        }
    }
    if (m) {
        qsort(ape, m, sizeof *ape, order_double_asc);
        r->median_abs_error = results_quantile_sorted(ape, m, 0.5);
        r->p90_abs_error = results_quantile_sorted(ape, m, 0.9);
    } else {
        r->median_abs_error = r->p90_abs_error = NAN;
    }
    free(ape);

    /* The costs: the simulated cluster's as `run` reports it (its lives
     * where workers come and go), and the log's cluster's for the logged
     * time. */
    if (price(&r->cost, s, &cl, &res->cost, r->predicted_s) != 0)
        goto nomem;
    if (price_log_cluster(r, im, cat, d) != SC_OK)
        goto fail;
    for (size_t i = 0; i < im->n_notes; i++)
        if (add_line(&r->notes, &r->n_notes, "%s", im->notes[i]) != 0)
            goto nomem;
    if (!r->other_cluster)
        explain(r, im, &cl);
    pipeline_fini(&pl);
    scenario_free(s);
    return r;

nomem:
    diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
fail:
    pipeline_fini(&pl);
    scenario_free(s);
    replay_free(r);
    return NULL;
}

struct scaling *replay_scaling(const struct import *im, const struct catalog *cat,
                               const struct replay_cluster *oc, const int64_t *counts, size_t n,
                               struct diag *d)
{
    struct scenario *s = import_scenario(im, d);
    if (!s)
        return NULL;
    struct scaling *sc = NULL;
    struct pipeline pl = {0};
    if (oc &&
        (oc->worker || oc->driver || oc->platform || oc->workers > 0 || oc->executor_cores > 0 ||
         oc->executors_per_worker > 0) &&
        apply_cluster(s, cat, oc, d) != SC_OK)
        goto done;
    /* The timeline is what the log's cluster did with its own executors:
     * it would replace every count (as any other cluster drops it). */
    s->cluster.n_executor_start_s = 0;
    s->cluster.n_executors = 0;
    drop_log_executors(s);
    /* The warm-up of fresh executors stays in the tasks that had it in the
     * log (cold_tasks dropped): moved to each count's fresh executors, a
     * run with more of them could take longer than with fewer, and the
     * critical path would no longer bound every count from below. */
    for (size_t j = 0; j < s->n_jobs; j++)
        for (size_t k = 0; k < s->jobs[j].n_stages; k++) {
            free(s->jobs[j].stages[k].cold);
            s->jobs[j].stages[k].cold = NULL;
        }
    struct diag cd;
    diag_clear(&cd);
    struct pipeline_request rq = {.until = PIPELINE_CALIBRATE, .scenario = s, .catalog = cat};
    if (pipeline_run(&pl, &rq, &cd) != SC_OK) {
        if (pl.failed == PIPELINE_CLUSTER)
            diag_set(d, cd.status, NULL, 0, "the log's cluster: %s", cd.msg);
        else
            *d = cd;
        goto done;
    }
    sc = scaling_run(pl.plan, &pl.cl, counts, n, pl.seed, d);
done:
    pipeline_fini(&pl);
    scenario_free(s);
    return sc;
}

void replay_free(struct replay *r)
{
    if (!r)
        return;
    free(r->log);
    free(r->app_name);
    free(r->spark_version);
    for (size_t i = 0; i < r->n_stages; i++)
        free(r->stages[i].name);
    free(r->stages);
    for (size_t i = 0; i < r->n_notes; i++)
        free(r->notes[i]);
    free(r->notes);
    for (size_t i = 0; i < r->n_why; i++)
        free(r->why[i]);
    free(r->why);
    free(r->log_cost.text);
    free(r->cost.text);
    free(r);
}

/* ------------------------------------------------------------- output */

static void print_pct(FILE *out, double e, int width)
{
    if (isnan(e))
        fprintf(out, "%*s", width, "n/a");
    else
        fprintf(out, "%+*.1f%%", width - 1, e * 100.0);
}

/* The word for a difference from the log: an error when the replay runs
 * the log's cluster, a change when it is a what-if (the log ran another
 * cluster, so the difference is the prediction, not a miss). */
static const char *diff_word(const struct replay *r)
{
    return r->other_cluster ? "change vs the log" : "error";
}

static void money(char *buf, size_t size, double usd)
{
    if (isnan(usd))
        snprintf(buf, size, "unknown");
    else if (usd < 10.0)
        snprintf(buf, size, "$%.4f", usd);
    else
        snprintf(buf, size, "$%.2f", usd);
}

/* A cost section: its heading, then report_cost's lines indented. */
static void print_cost(FILE *out, const char *what, const char *when, const struct replay_cost *c)
{
    fprintf(out, "\ncost of %s for the %s %.3f s: %s\n", what, when, c->duration_s, c->cluster);
    for (const char *p = c->text; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        fprintf(out, "  %.*s\n", (int)len, p);
        p += len + (nl != NULL);
    }
}

void replay_print(FILE *out, const struct replay *r)
{
    fprintf(out, "stagecast %s  replay of %s\n", PACKAGE_VERSION, r->log);
    char app[512], version[128];
    /* The App Name is the log's text: a control in it must not reach a
     * terminal raw (it could retitle or clear it). */
    fprintf(out, "application '%s', Spark %s\n", utf8_escape_controls(r->app_name, app, sizeof app),
            utf8_escape_controls(r->spark_version, version, sizeof version));
    fprintf(out, "cluster: %s%s; driver launches a task every %.3f ms\n", r->cluster,
            r->other_cluster ? " (a what-if, not the log's: \"actual\" is the log's run on its "
                               "own cluster, and differences are changes vs the log)"
                             : ", as in the log",
            r->task_launch_ms);
    if (r->policy[0])
        fprintf(out, "executors: %s\n", r->policy);
    if (r->what_if[0])
        fprintf(out, "what-if: %s\n", r->what_if);
    const char *word = diff_word(r);
    /* A what-if may change the task counts: both are shown. */
    fprintf(out, "\n  job  stage  %-32s  tasks%s   actual s  predicted s  %*s\n", "name",
            r->other_cluster ? "  what-if" : "", r->other_cluster ? 17 : 8, word);
    for (size_t i = 0; i < r->n_stages; i++) {
        const struct replay_stage *s = &r->stages[i];
        char name[40];
        snprintf(name, sizeof name, "%s", s->name ? s->name : "");
        for (char *p = name; *p; p++)
            if ((unsigned char)*p < 0x20)
                *p = ' ';
        fprintf(out, "%5lld  %5lld  %-32s %6lld", (long long)s->job_id, (long long)s->stage_id,
                name, (long long)s->tasks);
        if (r->other_cluster)
            fprintf(out, " %8lld", (long long)s->predicted_tasks);
        fprintf(out, " %10.3f %12.3f  ", s->actual_s, s->predicted_s);
        print_pct(out, s->error, r->other_cluster ? 17 : 8);
        fputc('\n', out);
    }
    fprintf(out, "\napplication: actual %.3f s, predicted %.3f s, %s ", r->actual_s, r->predicted_s,
            word);
    print_pct(out, r->app_error, 1);
    fprintf(out, "\nstage %s (absolute): median ",
            r->other_cluster ? "changes vs the log" : "errors");
    print_pct(out, r->median_abs_error, 1);
    fprintf(out, ", 90th percentile ");
    print_pct(out, r->p90_abs_error, 1);
    fprintf(out, ", worst ");
    print_pct(out, r->worst_abs_error, 1);
    if (r->worst_stage >= 0)
        fprintf(out, " (stage %lld)", (long long)r->worst_stage);
    fprintf(out, "; duration-weighted ");
    print_pct(out, r->weighted_abs_error, 1);
    fputc('\n', out);
    if (!r->other_cluster)
        fprintf(out,
                "targets: median stage error <= %.0f%%: %s; duration-weighted stage error <= "
                "%.0f%%: %s; application error <= %.0f%%: %s\n",
                REPLAY_STAGE_TARGET * 100,
                isnan(r->median_abs_error)                   ? "n/a"
                : r->median_abs_error <= REPLAY_STAGE_TARGET ? "met"
                                                             : "missed",
                REPLAY_WEIGHTED_TARGET * 100,
                isnan(r->weighted_abs_error)                      ? "n/a"
                : r->weighted_abs_error <= REPLAY_WEIGHTED_TARGET ? "met"
                                                                  : "missed",
                REPLAY_APP_TARGET * 100,
                isnan(r->app_error)                       ? "n/a"
                : fabs(r->app_error) <= REPLAY_APP_TARGET ? "met"
                                                          : "missed");
    for (size_t i = 0; i < r->n_why; i++)
        fprintf(out, "why: %s\n", r->why[i]);
    print_cost(out, "the log's cluster as imported", "logged", &r->log_cost);
    print_cost(out, r->other_cluster ? "the what-if cluster" : "the replayed cluster (the log's)",
               "predicted", &r->cost);
    if (r->other_cluster && !isnan(r->log_cost.usd) && !isnan(r->cost.usd) &&
        r->log_cost.usd > 0.0) {
        char a[32], b[32];
        money(a, sizeof a, r->log_cost.usd);
        money(b, sizeof b, r->cost.usd);
        fprintf(out, "cost change vs the log: %s -> %s, ", a, b);
        print_pct(out, (r->cost.usd - r->log_cost.usd) / r->log_cost.usd, 1);
        fputc('\n', out);
    }
    if (r->n_notes) {
        fprintf(out, "\nnotes from the import:\n");
        for (size_t i = 0; i < r->n_notes; i++)
            fprintf(out, "  - %s\n", r->notes[i]);
    }
}

/* A number rounded to the millionth (seconds to the microsecond), so the
 * bytes are the same on every machine; NaN is null. */
static int json_num(json_t *obj, const char *key, double v)
{
    json_t *j = isnan(v) || isinf(v) ? json_null() : json_real(round(v * 1e6) / 1e6);
    return json_object_set_new(obj, key, j);
}

static int json_str(json_t *obj, const char *key, const char *v)
{
    return json_object_set_new(obj, key, v ? json_string(v) : json_null());
}

static json_t *json_lines(char **lines, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        if (json_array_append_new(a, json_string(lines[i])) != 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

enum sc_status replay_write_json(FILE *out, const struct replay *r, struct diag *d)
{
    json_t *root = json_object();
    int bad = root == NULL;
    /* A what-if's differences are changes, and its keys say so. */
    const char *err_key = r->other_cluster ? "change_vs_log" : "error";
    if (!bad) {
        bad |= json_str(root, "stagecast_version", PACKAGE_VERSION);
        bad |= json_str(root, "log", r->log);
        bad |= json_str(root, "application_name", r->app_name);
        bad |= json_str(root, "spark_version", r->spark_version);
        bad |= json_str(root, "cluster", r->cluster);
        bad |= json_object_set_new(root, "other_cluster", json_boolean(r->other_cluster));
        bad |= json_str(root, "comparison", diff_word(r));
        bad |= json_str(root, "executors", r->policy[0] ? r->policy : NULL);
        bad |= json_num(root, "task_launch_ms", r->task_launch_ms);
        /* A what-if says what it changed (a replay of the log's own run
         * keeps the keys it always had). */
        if (r->other_cluster) {
            bad |= json_num(root, "input_scale", r->input_scale);
            bad |= json_str(root, "what_if", r->what_if[0] ? r->what_if : NULL);
        }
        json_t *stages = json_array();
        bad |= stages == NULL;
        for (size_t i = 0; !bad && i < r->n_stages; i++) {
            const struct replay_stage *s = &r->stages[i];
            json_t *js = json_object();
            bad |= js == NULL || json_array_append_new(stages, js) != 0;
            if (bad)
                break;
            bad |= json_object_set_new(js, "job", json_integer((json_int_t)s->job_id));
            bad |= json_object_set_new(js, "id", json_integer((json_int_t)s->stage_id));
            bad |= json_str(js, "name", s->name);
            bad |= json_object_set_new(js, "tasks", json_integer((json_int_t)s->tasks));
            if (r->other_cluster)
                bad |= json_object_set_new(js, "predicted_tasks",
                                           json_integer((json_int_t)s->predicted_tasks));
            bad |= json_num(js, "actual_s", s->actual_s);
            bad |= json_num(js, "predicted_s", s->predicted_s);
            bad |= json_num(js, err_key, s->error);
            bad |= json_num(js, "actual_wait_s", s->actual_wait_s);
            bad |= json_num(js, "predicted_wait_s", s->predicted_wait_s);
        }
        bad |= json_object_set_new(root, "stages", stages);
        json_t *app = json_object();
        bad |= app == NULL;
        if (app) {
            bad |= json_num(app, "actual_s", r->actual_s);
            bad |= json_num(app, "predicted_s", r->predicted_s);
            bad |= json_num(app, err_key, r->app_error);
        }
        bad |= json_object_set_new(root, "application", app);
        char key[64];
        const char *stat[4] = {"median", "weighted", "p90", "worst"};
        const double val[4] = {r->median_abs_error, r->weighted_abs_error, r->p90_abs_error,
                               r->worst_abs_error};
        for (int i = 0; i < 4; i++) {
            snprintf(key, sizeof key, "%s_abs_stage_%s", stat[i], err_key);
            bad |= json_num(root, key, val[i]);
        }
        bad |= json_object_set_new(root, "worst_stage",
                                   r->worst_stage >= 0 ? json_integer((json_int_t)r->worst_stage)
                                                       : json_null());
        json_t *cost = json_object();
        bad |= cost == NULL;
        const struct replay_cost *rc[2] = {&r->log_cost, &r->cost};
        const char *rk[2] = {"log", "predicted"};
        for (int i = 0; cost && i < 2; i++) {
            json_t *c = json_object();
            bad |= c == NULL || json_object_set_new(cost, rk[i], c) != 0;
            if (!c)
                break;
            bad |= json_str(c, "cluster", rc[i]->cluster);
            bad |= json_num(c, "duration_s", rc[i]->duration_s);
            bad |= json_num(c, "usd", rc[i]->usd);
        }
        if (cost)
            bad |= json_num(
                cost, err_key,
                r->log_cost.usd > 0.0 ? (r->cost.usd - r->log_cost.usd) / r->log_cost.usd : NAN);
        bad |= json_object_set_new(root, "cost", cost);
        json_t *why = json_lines(r->why, r->n_why), *notes = json_lines(r->notes, r->n_notes);
        bad |= why == NULL || notes == NULL;
        bad |= json_object_set_new(root, "why", why);
        bad |= json_object_set_new(root, "notes", notes);
    }
    if (bad) {
        json_decref(root);
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory building the JSON");
    }
    int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(root);
    if (rc != 0 || fputc('\n', out) == EOF)
        return diag_set(d, SC_EIO, NULL, 0, "writing the JSON failed");
    return SC_OK;
}

void replay_table_header(FILE *out, bool what_if)
{
    const char *w = what_if ? "change vs the log" : "error";
    fprintf(out,
            "| log | Spark | stages | median stage %s | duration-weighted stage %s | p90 stage "
            "%s | application %s | cost: the log's cluster -> %s | %s |\n"
            "|---|---|---:|---:|---:|---:|---:|---:|---|\n",
            w, w, w, w, what_if ? "the what-if's" : "replayed",
            what_if ? "executors of the what-if" : "why (where a target is missed)");
}

static void cell_pct(FILE *out, double e, bool sign, bool missed)
{
    if (isnan(e)) {
        fprintf(out, " n/a |");
        return;
    }
    fprintf(out, sign ? " %s%+.1f%%%s |" : " %s%.1f%%%s |", missed ? "**" : "", e * 100.0,
            missed ? "**" : "");
}

/* Text for a Markdown cell: a '|' would end it. */
static void cell_text(FILE *out, const char *text)
{
    for (const char *p = text; *p; p++)
        fputc(*p == '|' ? '/' : *p, out);
}

void replay_table_row(FILE *out, const struct replay *r)
{
    const char *base = strrchr(r->log, '/');
    /* A what-if has no targets: its changes are the prediction. */
    bool judge = !r->other_cluster;
    fprintf(out, "| `%s` | %s | %zu |", base ? base + 1 : r->log, r->spark_version, r->n_stages);
    cell_pct(out, r->median_abs_error, false,
             judge && !isnan(r->median_abs_error) && r->median_abs_error > REPLAY_STAGE_TARGET);
    cell_pct(out, r->weighted_abs_error, false,
             judge && !isnan(r->weighted_abs_error) &&
                 r->weighted_abs_error > REPLAY_WEIGHTED_TARGET);
    cell_pct(out, r->p90_abs_error, false, false);
    cell_pct(out, r->app_error, true,
             judge && !isnan(r->app_error) && fabs(r->app_error) > REPLAY_APP_TARGET);
    char a[32], b[32];
    money(a, sizeof a, r->log_cost.usd);
    money(b, sizeof b, r->cost.usd);
    fprintf(out, " %s -> %s | ", a, b);
    if (r->other_cluster) {
        cell_text(out, r->policy[0] ? r->policy : "as the cluster's settings say");
        fputs(" |\n", out);
        return;
    }
    for (size_t i = 0; i < r->n_why; i++) {
        fputs(i ? "; " : "", out);
        cell_text(out, r->why[i]);
    }
    fputs(r->n_why ? " |\n" : "— |\n", out);
}
