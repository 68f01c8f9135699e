/*
 * locality.c — where tasks would rather run, and how long Spark holds them
 * back for it: preferred locations and delay scheduling.
 *
 * What is reproduced (apache/spark core, scheduler/TaskSetManager.scala,
 * TaskSchedulerImpl.scala, MapOutputTracker.scala):
 *  - Preferences. A task prefers an executor (PROCESS_LOCAL: a cached
 *    block), a host (NODE_LOCAL: an HDFS block, or map output), hosts with
 *    no executor in the executors' rack (RACK_LOCAL), or hosts with no
 *    executor at all; or nothing. The scenario gives them per task
 *    (task_locality, written by the event-log import from each task's
 *    logged Locality and Host); the model knows one rack, holding the data
 *    of the tasks the log ran RACK_LOCAL, so a task away from its host runs
 *    ANY.
 *  - Reduce tasks without given preferences prefer the workers that hold
 *    at least 20% of their first parent's map output, under Spark's
 *    thresholds (models/reduce_locality.h). The model splits every map task's
 *    output over the reducers alike, so each reducer's fractions are the
 *    map output's. A reducer that runs there fetches that share from its
 *    own worker's disk, off the network (shuffle.c).
 *  - Valid levels (computeValidLocalityLevels): PROCESS_LOCAL when a
 *    pending task prefers an alive executor, NODE_LOCAL when one prefers a
 *    host with an alive executor, NO_PREF when one prefers nothing,
 *    RACK_LOCAL when one prefers the rack, and ANY; recomputed when
 *    executors come or go, the current level kept.
 *  - The allowed level (getAllowedLocalityLevel): the task set starts at
 *    its best valid level and moves to the next once no pending task has a
 *    preference of the current kind, or once the level's wait
 *    (spark.locality.wait.process/.node/.rack, each spark.locality.wait by
 *    default; none at NO_PREF) has passed since the timer's last reset.
 *  - Offers (resourceOffers): each task set, in FIFO or FAIR order, is
 *    offered the free slots once per valid level, best first, capped at
 *    that level and at the allowed one, until it launches nothing more; a
 *    slot takes the lowest pending task of the best level it gives
 *    (dequeueTask: executor, host, no preference, rack, any).
 *  - The timer's reset: on every launch at the launch's level with
 *    spark.locality.wait.legacyResetOnTaskLaunch (Spark before 3.1 always
 *    did so); otherwise (SPARK-18886) after a round in which the task set
 *    launched tasks and was refused no slot for delay scheduling, if that
 *    round offered every free slot (a revive) or none was refused since the
 *    last reset.
 *  - Held back, a task set gets its next offer when a task ends or at the
 *    driver's next revive (every spark.scheduler.revive.interval, from the
 *    start of the run), the first after its wait runs out.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/runtime/runtime_internal.h"
#include "models/reduce_locality.h"
#include "models/units.h"

static void on_revive(struct engine *eng, struct event *ev);

static struct rt_locality *locality_new(int64_t tasks)
{
    struct rt_locality *lc = calloc(1, sizeof *lc);
    size_t n = (size_t)(tasks > 0 ? tasks : 1);
    if (!lc)
        return NULL;
    lc->pref = calloc(n, sizeof *lc->pref);
    lc->pref_exec = malloc(n * sizeof *lc->pref_exec);
    lc->pref_host = malloc(n * sizeof *lc->pref_host);
    lc->taken = calloc(n, sizeof *lc->taken);
    if (!lc->pref || !lc->pref_exec || !lc->pref_host || !lc->taken) {
        free(lc->pref);
        free(lc->pref_exec);
        free(lc->pref_host);
        free(lc->taken);
        free(lc);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        lc->pref_exec[i] = lc->pref_host[i] = -1;
    lc->reset_us = -1;
    lc->epoch = UINT64_MAX;
    return lc;
}

static void bucket_free(struct loc_bucket *b)
{
    free(b->start);
    free(b->items);
    free(b->cursor);
    memset(b, 0, sizeof *b);
}

/* Groups the tasks i with key(i) in 0..n-1 (the others left out). */
static bool bucket_build(struct loc_bucket *b, const struct rt_locality *lc, int64_t tasks, int n,
                         int (*key)(const struct rt_locality *lc, int64_t i))
{
    b->n = n;
    b->start = calloc((size_t)n + 1, sizeof *b->start);
    b->cursor = calloc((size_t)n + 1, sizeof *b->cursor);
    if (!b->start || !b->cursor)
        return false;
    int64_t total = 0;
    for (int64_t i = 0; i < tasks; i++) {
        int k = key(lc, i);
        if (k >= 0 && k < n) {
            b->start[k + 1]++;
            total++;
        }
    }
    for (int k = 0; k < n; k++)
        b->start[k + 1] += b->start[k];
    b->items = malloc((size_t)(total ? total : 1) * sizeof *b->items);
    if (!b->items)
        return false;
    for (int k = 0; k < n; k++)
        b->cursor[k] = b->start[k];
    for (int64_t i = 0; i < tasks; i++) {
        int k = key(lc, i);
        if (k >= 0 && k < n)
            b->items[b->cursor[k]++] = i;
    }
    for (int k = 0; k < n; k++)
        b->cursor[k] = b->start[k];
    return true;
}

static int key_exec(const struct rt_locality *lc, int64_t i)
{
    return lc->pref[i] == TASK_PREF_PROCESS ? lc->pref_exec[i] : -1;
}

static int key_host(const struct rt_locality *lc, int64_t i)
{
    int p = lc->pref[i];
    return p == TASK_PREF_PROCESS || p == TASK_PREF_NODE ? lc->pref_host[i] : -1;
}

static int key_none(const struct rt_locality *lc, int64_t i)
{
    return lc->pref[i] == TASK_PREF_NONE ? 0 : -1;
}

static int key_rack(const struct rt_locality *lc, int64_t i)
{
    return lc->pref[i] == TASK_PREF_RACK ? 0 : -1;
}

static void locality_stage_free(struct rt_locality *lc)
{
    if (!lc)
        return;
    bucket_free(&lc->by_exec);
    bucket_free(&lc->by_host);
    bucket_free(&lc->no_pref);
    bucket_free(&lc->rack);
    free(lc->pref);
    free(lc->pref_exec);
    free(lc->pref_host);
    free(lc->reduce_worker);
    free(lc->taken);
    free(lc);
}

/* Host ids: 0 .. max_workers - 1 are the workers; a timeline entry that
 * names its host gets the id of the first entry naming the same one, past
 * the workers; one that names none is a host of its own. */
static enum sc_status build_hosts(struct sim *sim, struct diag *d)
{
    const struct cluster_spec *cs = &sim->scn->cluster;
    int n_exec = sim->max_executors;
    sim->exec_ident = malloc((size_t)(n_exec ? n_exec : 1) * sizeof *sim->exec_ident);
    sim->exec_host = malloc((size_t)(n_exec ? n_exec : 1) * sizeof *sim->exec_host);
    if (!sim->exec_ident || !sim->exec_host)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    int epw = sim->cl.executors_per_worker > 0 ? sim->cl.executors_per_worker : 1;
    for (int e = 0; e < n_exec; e++) {
        sim->exec_ident[e] = e;
        sim->exec_host[e] = e / epw;
    }
    sim->n_idents = n_exec;
    sim->n_hosts = sim->max_workers > sim->n_workers ? sim->max_workers : sim->n_workers;
    if (sim->n_timeline) {
        sim->timeline_host = malloc(sim->n_timeline * sizeof *sim->timeline_host);
        if (!sim->timeline_host)
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        int base = sim->n_hosts;
        for (size_t i = 0; i < sim->n_timeline; i++) {
            sim->timeline_host[i] = base + (int)i;
            if (!cs->executors[i].host[0])
                continue;
            for (size_t j = 0; j < i; j++)
                if (strcmp(cs->executors[j].host, cs->executors[i].host) == 0) {
                    sim->timeline_host[i] = sim->timeline_host[j];
                    break;
                }
        }
        sim->n_hosts = base + (int)sim->n_timeline;
        if ((int)sim->n_timeline > sim->n_idents)
            sim->n_idents = (int)sim->n_timeline;
    }
    sim->ident_alive = calloc((size_t)sim->n_idents + 1, sizeof *sim->ident_alive);
    sim->host_alive = calloc((size_t)sim->n_hosts + 1, sizeof *sim->host_alive);
    if (!sim->ident_alive || !sim->host_alive)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    return SC_OK;
}

/* Stage st's preferences as the scenario gives them: executor K is timeline
 * entry K, or executor position K without a timeline. */
static enum sc_status given_preferences(struct sim *sim, struct rt_stage *st, struct diag *d)
{
    const struct task_pref_spec *tp = st->spec->task_locality;
    bool any = false;
    for (int64_t i = 0; i < st->tasks && !any; i++)
        any = tp[i].level != TASK_PREF_NONE;
    if (!any)
        return SC_OK;
    if (!(st->loc = locality_new(st->tasks)))
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    struct rt_locality *lc = st->loc;
    for (int64_t i = 0; i < st->tasks; i++) {
        int level = tp[i].level;
        int k = tp[i].executor;
        if (level == TASK_PREF_PROCESS || level == TASK_PREF_NODE) {
            if (sim->n_timeline && (size_t)k < sim->n_timeline) {
                lc->pref_exec[i] = k;
                lc->pref_host[i] = sim->timeline_host[k];
            } else if (!sim->n_timeline && k < sim->max_executors) {
                lc->pref_exec[i] = k;
                lc->pref_host[i] = sim->exec_host[k];
            } else {
                level = TASK_PREF_ELSEWHERE; /* an executor the cluster never has */
            }
        }
        lc->pref[i] = (uint8_t)level;
        lc->pending[level]++;
    }
    if (!bucket_build(&lc->by_exec, lc, st->tasks, sim->n_idents, key_exec) ||
        !bucket_build(&lc->by_host, lc, st->tasks, sim->n_hosts, key_host) ||
        !bucket_build(&lc->no_pref, lc, st->tasks, 1, key_none) ||
        !bucket_build(&lc->rack, lc, st->tasks, 1, key_rack))
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    sim->locality_on = true;
    return SC_OK;
}

/* Stage-level scheduling (Spark 3.1+): with a timeline whose executors
 * belong to resource profiles, a stage runs only on executors of its own
 * profile. A profile no timeline executor has is not enforced (the stage
 * would never run), and without a timeline every executor runs every
 * stage. */
static void resource_profiles(struct sim *sim)
{
    const struct cluster_spec *cs = &sim->scn->cluster;
    bool any = false;
    for (size_t i = 0; i < sim->n_timeline; i++)
        any |= cs->executors[i].resource_profile != 0;
    for (size_t i = 0; i < sim->n_stages; i++) {
        struct rt_stage *st = &sim->stages[i];
        st->profile = -1;
        int rp = st->spec->resource_profile;
        for (size_t k = 0; k < sim->n_timeline && (any || rp != 0) && st->profile < 0; k++)
            if (cs->executors[k].resource_profile == rp)
                st->profile = rp;
        if (st->profile >= 0)
            sim->locality_on = true;
    }
}

enum sc_status locality_build(struct sim *sim, struct diag *d)
{
    const struct spark_conf *conf = &sim->scn->spark;
    enum sc_status rc = build_hosts(sim, d);
    if (rc != SC_OK)
        return rc;
    sim->loc_wait_us[LOC_PROCESS] =
        units_s_to_us(spark_conf_seconds(conf, "spark.locality.wait.process"));
    sim->loc_wait_us[LOC_NODE] =
        units_s_to_us(spark_conf_seconds(conf, "spark.locality.wait.node"));
    sim->loc_wait_us[LOC_RACK] =
        units_s_to_us(spark_conf_seconds(conf, "spark.locality.wait.rack"));
    sim->loc_wait_us[LOC_NO_PREF] = sim->loc_wait_us[LOC_ANY] = 0;
    sim->loc_legacy_reset = spark_conf_bool(conf, "spark.locality.wait.legacyResetOnTaskLaunch");
    sim->reduce_locality = spark_conf_bool(conf, "spark.shuffle.reduceLocality.enabled");
    sim->revive_us = units_s_to_us(spark_conf_seconds(conf, "spark.scheduler.revive.interval"));
    if (sim->revive_us < 1)
        sim->revive_us = 1;
    event_init(&sim->revive_ev, on_revive, sim);
    for (size_t i = 0; i < sim->n_stages; i++) {
        struct rt_stage *st = &sim->stages[i];
        if (st->spec->task_locality && (rc = given_preferences(sim, st, d)) != SC_OK)
            return rc;
    }
    resource_profiles(sim);
    return SC_OK;
}

void locality_free(struct sim *sim)
{
    for (size_t i = 0; i < sim->n_stages && sim->stages; i++)
        locality_stage_free(sim->stages[i].loc);
    free(sim->exec_ident);
    free(sim->exec_host);
    free(sim->ident_alive);
    free(sim->host_alive);
    free(sim->timeline_host);
}

void locality_exec_up(struct sim *sim, int e, int t)
{
    if (t >= 0) {
        sim->exec_ident[e] = t;
        sim->exec_host[e] = sim->timeline_host[t];
    }
    sim->ident_alive[sim->exec_ident[e]]++;
    sim->host_alive[sim->exec_host[e]]++;
    sim->exec_epoch++;
}

void locality_exec_down(struct sim *sim, int e)
{
    sim->ident_alive[sim->exec_ident[e]]--;
    sim->host_alive[sim->exec_host[e]]--;
    sim->exec_epoch++;
}

void locality_task_pending(struct rt_stage *st, int64_t index)
{
    st->loc->pending[st->loc->pref[index]]++;
}

/* ---- reduce tasks' preferences ------------------------------------------ */

void locality_stage_submit(struct sim *sim, struct rt_stage *st)
{
    if (st->spec->task_locality || !sim->reduce_locality || !st->fetch_frac ||
        st->spec->n_parents == 0)
        return;
    /* The RDD's preferred locations are its first shuffle dependency's. */
    const struct rt_stage *parent = &sim->stages[st->parent_index[0]];
    if (!parent->map_bytes)
        return;
    if (!st->loc) {
        if (!(st->loc = locality_new(st->tasks)) ||
            !(st->loc->reduce_worker = calloc((size_t)sim->n_workers, sizeof(bool)))) {
            runtime_fail(sim, SC_ENOMEM, "out of memory for preferred locations");
            return;
        }
    }
    struct rt_locality *lc = st->loc;
    if (reduce_locality_hosts(parent->map_bytes, (size_t)sim->n_workers, parent->tasks, st->tasks,
                              true, lc->reduce_worker) == 0) {
        /* No preference: the stage runs as if it had no locality state
         * (kept, with none, if a launch out of order needs its marks). */
        if (lc->taken_ahead == 0) {
            locality_stage_free(lc);
            st->loc = NULL;
            return;
        }
        memset(lc->pref, TASK_PREF_NONE, (size_t)st->tasks);
        memset(lc->pending, 0, sizeof lc->pending);
        lc->pending[TASK_PREF_NONE] = stage_pending(st);
        return;
    }
    /* A resubmission keeps the tasks' pending state; their preferences are
     * the same for every reducer. */
    memset(lc->pending, 0, sizeof lc->pending);
    for (int64_t i = 0; i < st->tasks; i++) {
        lc->pref[i] = TASK_PREF_NODE;
        lc->pref_host[i] = -1;
    }
    lc->pending[TASK_PREF_NODE] = stage_pending(st);
    lc->reset_us = -1;
    lc->epoch = UINT64_MAX;
    sim->locality_on = true;
}

/* ---- levels -------------------------------------------------------------- */

/* The host preference of task i is met on executor position e. */
static bool host_matches(const struct sim *sim, const struct rt_locality *lc, int64_t i, int e)
{
    if (lc->pref_host[i] < 0)
        return lc->reduce_worker && lc->reduce_worker[e / sim->cl.executors_per_worker];
    return sim->exec_host[e] == lc->pref_host[i];
}

/* Some alive executor meets task i's host preference. */
static bool host_alive(const struct sim *sim, const struct rt_locality *lc, int64_t i)
{
    if (lc->pref_host[i] >= 0)
        return sim->host_alive[lc->pref_host[i]] > 0;
    for (int e = 0; e < sim->max_executors; e++)
        if (sim->execs[e].alive && host_matches(sim, lc, i, e))
            return true;
    return false;
}

/* Runs body on each pending task of st (the retries, then the tasks never
 * launched by index) until it breaks. */
#define FOR_PENDING(st, i, body)                                                                   \
    do {                                                                                           \
        for (size_t r_ = 0; r_ < (st)->retry_n; r_++) {                                            \
            int64_t i = (st)->retry[((st)->retry_head + r_) % (st)->retry_cap];                    \
            body                                                                                   \
        }                                                                                          \
        for (int64_t i = (st)->next; i < (st)->tasks; i++) {                                       \
            if ((st)->loc->taken[i])                                                               \
                continue;                                                                          \
            body                                                                                   \
        }                                                                                          \
    } while (0)

/* computeValidLocalityLevels, keeping the current level when recomputed. */
static void compute_levels(struct sim *sim, struct rt_stage *st)
{
    struct rt_locality *lc = st->loc;
    bool valid[LOC_COUNT] = {false};
    valid[LOC_ANY] = true;
    valid[LOC_NO_PREF] = lc->pending[TASK_PREF_NONE] > 0;
    valid[LOC_RACK] = lc->pending[TASK_PREF_RACK] > 0;
    if (lc->pending[TASK_PREF_PROCESS] + lc->pending[TASK_PREF_NODE] > 0) {
        FOR_PENDING(st, i, {
            int p = lc->pref[i];
            if (p == TASK_PREF_PROCESS && sim->ident_alive[lc->pref_exec[i]] > 0)
                valid[LOC_PROCESS] = true;
            if ((p == TASK_PREF_PROCESS || p == TASK_PREF_NODE) && host_alive(sim, lc, i))
                valid[LOC_NODE] = true;
            if (valid[LOC_PROCESS] && valid[LOC_NODE])
                break;
        });
    }
    int previous = lc->n_levels ? lc->levels[lc->level_index] : -1;
    lc->n_levels = 0;
    lc->level_index = 0;
    for (int l = 0; l < LOC_COUNT; l++)
        if (valid[l]) {
            if (previous >= 0 && l <= previous)
                lc->level_index = lc->n_levels; /* getLocalityIndex(previous) */
            lc->levels[lc->n_levels++] = (uint8_t)l;
        }
    lc->epoch = sim->exec_epoch;
}

/* Pending tasks that go in Spark's lists for a level (moreTasksToRunIn):
 * a task with any host preference is listed under its hosts and their
 * racks, whether or not an executor is there. */
static bool more_tasks(const struct rt_locality *lc, int level)
{
    const int64_t *p = lc->pending;
    switch (level) {
    case LOC_PROCESS: return p[TASK_PREF_PROCESS] > 0;
    case LOC_NO_PREF: return p[TASK_PREF_NONE] > 0;
    default:
        return p[TASK_PREF_PROCESS] + p[TASK_PREF_NODE] + p[TASK_PREF_RACK] +
                   p[TASK_PREF_ELSEWHERE] >
               0;
    }
}

/* getAllowedLocalityLevel at now. */
static int allowed_level(struct sim *sim, struct rt_locality *lc, int64_t now)
{
    while (lc->level_index < lc->n_levels - 1) {
        int level = lc->levels[lc->level_index];
        if (!more_tasks(lc, level)) {
            lc->reset_us = now;
            lc->level_index++;
        } else if (now - lc->reset_us >= sim->loc_wait_us[level]) {
            lc->reset_us += sim->loc_wait_us[level];
            lc->level_index++;
        } else {
            return level;
        }
    }
    return lc->levels[lc->level_index];
}

static int index_of_level(const struct rt_locality *lc, int level)
{
    int k = 0;
    while (k < lc->n_levels - 1 && lc->levels[k] < level)
        k++;
    return k;
}

/* The level task i runs at on executor position e. A task without a
 * preference is launched as PROCESS_LOCAL, as Spark logs it. */
static int level_on(const struct sim *sim, const struct rt_locality *lc, int64_t i, int e)
{
    switch (lc->pref[i]) {
    case TASK_PREF_NONE: return LOC_NO_PREF;
    case TASK_PREF_PROCESS:
        if (sim->exec_ident[e] == lc->pref_exec[i])
            return LOC_PROCESS;
        return host_matches(sim, lc, i, e) ? LOC_NODE : LOC_ANY;
    case TASK_PREF_NODE: return host_matches(sim, lc, i, e) ? LOC_NODE : LOC_ANY;
    case TASK_PREF_RACK: return LOC_RACK;
    default: return LOC_ANY;
    }
}

/* The lowest task of group k never launched; -1 when none is left. */
static int64_t bucket_next(struct loc_bucket *b, const struct rt_stage *st, int k)
{
    if (!b->items || k < 0 || k >= b->n)
        return -1;
    int64_t end = b->start[k + 1];
    int64_t c = b->cursor[k];
    while (c < end && (b->items[c] < st->next || st->loc->taken[b->items[c]]))
        c++;
    b->cursor[k] = c;
    return c < end ? b->items[c] : -1;
}

/* dequeueTask: the first pending task of the best level executor e gives,
 * at most max_level; -1 when none. At each level retries first, the last
 * queued first (Spark appends a failed task to its lists again and
 * dequeues from their ends), then the tasks never launched. */
static int64_t pick_task(const struct sim *sim, struct rt_stage *st, int e, int max_level,
                         int *level_out)
{
    struct rt_locality *lc = st->loc;
    int64_t best = -1;
    int best_level = LOC_COUNT;
    for (size_t r = st->retry_n; r > 0 && best_level > LOC_PROCESS; r--) {
        int64_t i = st->retry[(st->retry_head + r - 1) % st->retry_cap];
        if (exclude_blocks_task(sim, st, e, i))
            continue; /* excluded on e or its host (dequeueTaskFromList) */
        int l = level_on(sim, lc, i, e);
        if (l <= max_level && l < best_level) {
            best = i;
            best_level = l;
        }
    }
    int64_t i = -1;
    int l = LOC_COUNT;
    if (max_level >= LOC_PROCESS && best_level > LOC_PROCESS &&
        (i = bucket_next(&lc->by_exec, st, sim->exec_ident[e])) >= 0)
        l = LOC_PROCESS;
    if (i < 0 && max_level >= LOC_NODE && best_level > LOC_NODE) {
        if (lc->reduce_worker) {
            /* Every task of a reduce stage prefers the same workers. */
            if (lc->reduce_worker[e / sim->cl.executors_per_worker] && st->next < st->tasks)
                i = st->next;
        } else {
            i = bucket_next(&lc->by_host, st, sim->exec_host[e]);
        }
        if (i >= 0)
            l = level_on(sim, lc, i, e);
    }
    if (i < 0 && max_level >= LOC_NO_PREF && best_level > LOC_NO_PREF &&
        (i = bucket_next(&lc->no_pref, st, 0)) >= 0)
        l = LOC_NO_PREF;
    if (i < 0 && max_level >= LOC_RACK && best_level > LOC_RACK &&
        (i = bucket_next(&lc->rack, st, 0)) >= 0)
        l = LOC_RACK;
    if (i < 0 && max_level >= LOC_ANY && best_level > LOC_ANY && st->next < st->tasks) {
        /* Nothing better for e: the lowest task never launched. */
        i = st->next;
        l = level_on(sim, lc, i, e);
    }
    if (i >= 0 && l < best_level && l <= max_level) {
        best = i;
        best_level = l;
    }
    *level_out = best_level;
    return best;
}

/* ---- offers -------------------------------------------------------------- */

void locality_offer(struct sim *sim, int st_index, bool full_round)
{
    struct rt_stage *st = &sim->stages[st_index];
    struct rt_locality *lc = st->loc;
    int64_t now = engine_now(&sim->eng);
    if (lc->epoch != sim->exec_epoch)
        compute_levels(sim, st);
    if (lc->reset_us < 0)
        lc->reset_us = now; /* the task set's creation */
    bool launched_any = false;
    int min_level = LOC_ANY;
    for (int k = 0; k < lc->n_levels && sim->free_count > 0 && stage_pending(st) > 0; k++) {
        int max_level = lc->levels[k];
        bool launched;
        do {
            launched = false;
            for (size_t f = 0; f < sim->free_count && stage_pending(st) > 0 && !sim->failed;) {
                int slot = sched_free_at(sim, f);
                int e = sim->slots[slot].executor;
                if (!stage_may_use(sim, st, e)) {
                    f++;
                    continue;
                }
                int allowed = allowed_level(sim, lc, now);
                if (allowed > max_level)
                    allowed = max_level;
                int level;
                int64_t i = pick_task(sim, st, e, allowed, &level);
                if (i < 0) {
                    f++;
                    continue;
                }
                sched_free_take(sim, f);
                sched_launch_index(sim, st_index, slot, i);
                launched = launched_any = true;
                if (level < min_level)
                    min_level = level;
                if (sim->loc_legacy_reset && level != LOC_NO_PREF) {
                    lc->level_index = index_of_level(lc, level);
                    lc->reset_us = now;
                }
            }
        } while (launched && sim->free_count > 0 && stage_pending(st) > 0 && !sim->failed);
    }
    /* Slots left free while tasks wait were refused for delay scheduling:
     * at ANY, any of them would have run one. */
    bool rejected = false;
    for (size_t f = 0; f < sim->free_count && stage_pending(st) > 0 && !rejected; f++)
        rejected = stage_may_use(sim, st, sim->slots[sched_free_at(sim, f)].executor);
    if (sim->loc_legacy_reset)
        return;
    if (!rejected) {
        if (launched_any && (full_round || !lc->rejects_since_reset)) {
            lc->reset_us = now;
            if (min_level != LOC_NO_PREF)
                lc->level_index = index_of_level(lc, min_level);
            lc->rejects_since_reset = false;
        }
    } else {
        lc->rejects_since_reset = true;
    }
}

/* The time task set lc's allowed level next moves, or INT64_MAX. */
static int64_t next_expiry(const struct sim *sim, const struct rt_locality *lc)
{
    if (lc->level_index >= lc->n_levels - 1 || lc->reset_us < 0)
        return INT64_MAX;
    return lc->reset_us + sim->loc_wait_us[lc->levels[lc->level_index]];
}

void locality_after_round(struct sim *sim)
{
    if (sim->free_count == 0 || sim->failed)
        return;
    int64_t at = INT64_MAX;
    for (size_t i = 0; i < sim->n_active; i++) {
        const struct rt_stage *st = &sim->stages[sim->active[i]];
        if (!st->loc || stage_pending(st) == 0)
            continue;
        int64_t t = next_expiry(sim, st->loc);
        if (t < at)
            at = t;
    }
    if (at == INT64_MAX)
        return;
    /* The driver's next revive at or after the expiry. */
    int64_t now = engine_now(&sim->eng);
    if (at <= now)
        at = now + 1;
    at = (at + sim->revive_us - 1) / sim->revive_us * sim->revive_us;
    if (event_pending(&sim->revive_ev) && sim->revive_ev.time_us <= at)
        return;
    if (engine_schedule(&sim->eng, &sim->revive_ev, at, 2) != 0)
        runtime_fail(sim, SC_ENOMEM, "out of memory for the event queue");
}

static void on_revive(struct engine *eng, struct event *ev)
{
    struct sim *sim = ev->arg;
    (void)eng;
    sched_offer_round_full(sim);
    task_net_sync(sim);
}
