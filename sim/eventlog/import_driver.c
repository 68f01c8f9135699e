/*
 * import_driver.c — the driver's own time in the imported scenario: its
 * per-task launch cost (model.task_launch_ms) from the stages' first waves,
 * and each stage's driver_s, the part of the wait before its first launch
 * that no missing slot or other launch explains (see importer.c's "Driver
 * launch rate" and "Driver time"). A step of import_log (import_build.h).
 */
#include "sim/eventlog/import_build.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/units.h"
#include "sim/runtime/runtime.h"

/* model.task_launch_ms from the first waves (see the top comment). */
void import_estimate_launch(struct builder *b)
{
    const struct evlog *log = b->log;
    struct import *im = b->im;
    int64_t slots = (int64_t)im->executors * (im->executor_cores / b->task_cpus);
    if (slots < 1)
        slots = 1;
    int64_t sum = 0, gaps = 0;
    size_t stages = 0;
    int64_t *launch = NULL;
    size_t cap = 0;
    for (size_t k = 0; k < im->n_jobs; k++)
        for (size_t i = 0; i < im->jobs[k].n_stages; i++) {
            const struct import_stage *s = &im->jobs[k].stages[i];
            const struct evlog_stage *first = evlog_stage_find(log, s->id, 0);
            size_t nt;
            const struct evlog_task *t =
                evlog_stage_tasks(log, s->id, first ? first->attempt : 0, &nt);
            if (nt < 3)
                continue;
            if (nt > cap) {
                int64_t *l = realloc(launch, nt * sizeof *l);
                if (!l) {
                    b->oom = true;
                    free(launch);
                    return;
                }
                launch = l;
                cap = nt;
            }
            for (size_t q = 0; q < nt; q++)
                launch[q] = t[q].launch_ms;
            qsort(launch, nt, sizeof *launch, import_compare_i64);
            size_t wave = (int64_t)nt < slots ? nt : (size_t)slots;
            bool used = false;
            for (size_t q = 2; q < wave; q++) {
                int64_t g = launch[q] - launch[q - 1];
                if (g > IMPORT_LAUNCH_GAP_MAX_MS)
                    continue;
                sum += g;
                gaps++;
                used = true;
            }
            stages += used;
        }
    free(launch);
    if (gaps == 0) {
        im->task_launch_ms = NAN;
        snprintf(im->launch_why, sizeof im->launch_why,
                 "no stage launched 3 or more tasks in one wave; the default is kept");
        return;
    }
    /* To the microsecond, as the scenario writes it and the runtime keeps
     * it: the stages' driver_s below are measured with this very value. */
    im->task_launch_ms = round((double)sum / (double)gaps * 1000.0) / 1000.0;
    snprintf(im->launch_why, sizeof im->launch_why,
             "mean gap between consecutive task launches in the stages' first waves: %lld ms "
             "over %lld gaps in %zu stages",
             (long long)sum, (long long)gaps, stages);
}

/* How many of the n sorted values in a are <= v. */
static size_t count_le(const int64_t *a, size_t n, int64_t v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] <= v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The task attempts of one resource profile (all of them for profile -1),
 * as sorted launch and finish times in us: how many held a slot at t. */
struct occupancy {
    int64_t profile;
    int64_t *launch_us, *finish_us;
    size_t n;
};

static int occupancy_build(const struct evlog *log, int64_t profile, struct occupancy *o)
{
    o->profile = profile;
    o->n = 0;
    o->launch_us = malloc((log->n_tasks ? log->n_tasks : 1) * sizeof *o->launch_us);
    o->finish_us = malloc((log->n_tasks ? log->n_tasks : 1) * sizeof *o->finish_us);
    if (!o->launch_us || !o->finish_us)
        return -1;
    const struct evlog_stage *st = NULL;
    for (size_t i = 0; i < log->n_tasks; i++) {
        const struct evlog_task *t = &log->tasks[i];
        if (profile >= 0) {
            /* Tasks are sorted by stage: one lookup per stage attempt. */
            if (!st || st->id != t->stage_id || st->attempt != t->stage_attempt)
                st = evlog_stage_find(log, t->stage_id, t->stage_attempt);
            if ((st ? st->resource_profile : 0) != profile)
                continue;
        }
        o->launch_us[o->n] = t->launch_ms * 1000;
        o->finish_us[o->n] = (t->finish_ms > t->launch_ms ? t->finish_ms : t->launch_ms) * 1000;
        o->n++;
    }
    qsort(o->launch_us, o->n, sizeof *o->launch_us, import_compare_i64);
    qsort(o->finish_us, o->n, sizeof *o->finish_us, import_compare_i64);
    return 0;
}

static void occupancy_free(struct occupancy *o)
{
    free(o->launch_us);
    free(o->finish_us);
}

/* Task slots of resource profile rp at t (us): its executors alive then,
 * each with cores / task cpus of the profile. */
static int64_t slots_at(const struct evlog *log, int64_t rp, double task_cpus, int64_t t)
{
    int64_t slots = 0;
    for (size_t i = 0; i < log->n_executors; i++) {
        const struct evlog_executor *e = &log->executors[i];
        if (import_is_driver(e) || e->resource_profile != rp || e->added_ms * 1000 > t ||
            (e->removed_ms != EVLOG_NONE && e->removed_ms * 1000 <= t))
            continue;
        slots += (int64_t)((double)e->cores / task_cpus + 1e-9);
    }
    return slots;
}

double import_profile_task_cpus(const struct evlog *log, int64_t rp, double dflt)
{
    for (size_t i = 0; i < log->n_profiles; i++)
        if (log->profiles[i].id == rp && !isnan(log->profiles[i].task_cpus) &&
            log->profiles[i].task_cpus > 0)
            return log->profiles[i].task_cpus;
    return dflt;
}

struct driver_probe {
    const struct evlog *log;
    const struct occupancy *all;  /* every task attempt: the driver's launches */
    const struct occupancy *mine; /* those of the stage's profile: its slots */
    int64_t profile;
    double task_cpus;
    int64_t local_slots; /* > 0: local mode, this many slots all the time */
    int64_t launch_us;
};

/* Could the stage not have launched a task at t (us), had it been offered?
 * Every slot it may use was taken (by finish times: a slot is the model's
 * until the task's logged finish), or the driver was launching another
 * task then (the launch ending at X took (X - task_launch_ms, X]). */
static bool offer_blocked(const struct driver_probe *p, int64_t t)
{
    const struct occupancy *a = p->all, *m = p->mine;
    size_t next = count_le(a->launch_us, a->n, t);
    if (p->launch_us > 0 && next < a->n && a->launch_us[next] - p->launch_us <= t)
        return true;
    int64_t busy =
        (int64_t)count_le(m->launch_us, m->n, t) - (int64_t)count_le(m->finish_us, m->n, t);
    int64_t slots =
        p->local_slots > 0 ? p->local_slots : slots_at(p->log, p->profile, p->task_cpus, t);
    return busy >= slots;
}

static int push_point(int64_t **pts, size_t *n, size_t *cap, int64_t v)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        int64_t *g = realloc(*pts, c * sizeof *g);
        if (!g)
            return -1;
        *pts = g;
        *cap = c;
    }
    (*pts)[(*n)++] = v;
    return 0;
}

/* A stage's driver_s (see the top comment): of the time from its submission
 * to its first launch less that launch's own task_launch_ms, the part in
 * which it could have launched a task had it been offered. Sets *wait_s to
 * the rest, spent waiting for a slot or for the driver's other launches.
 * Returns -1 when memory runs out. */
static int stage_driver_time(const struct driver_probe *p, struct import_stage *s, int64_t **pts,
                             size_t *cap)
{
    s->driver_s = s->offer_wait_s = 0.0;
    if (!s->submit_logged || s->first_launch_ms == EVLOG_NONE)
        return 0;
    int64_t from = s->submit_ms * 1000, to = s->first_launch_ms * 1000 - p->launch_us;
    if (to <= from)
        return 0;
    /* The offer test changes only at these instants: tasks launching and
     * finishing, the driver starting a launch, executors coming and going. */
    size_t n = 0;
    int rc = push_point(pts, &n, cap, from) | push_point(pts, &n, cap, to);
    const struct occupancy *m = p->mine, *a = p->all;
    for (size_t i = count_le(m->launch_us, m->n, from); rc == 0 && i < m->n && m->launch_us[i] < to;
         i++)
        rc = push_point(pts, &n, cap, m->launch_us[i]);
    for (size_t i = count_le(m->finish_us, m->n, from); rc == 0 && i < m->n && m->finish_us[i] < to;
         i++)
        rc = push_point(pts, &n, cap, m->finish_us[i]);
    for (size_t i = count_le(a->launch_us, a->n, from);
         rc == 0 && i < a->n && a->launch_us[i] - p->launch_us < to; i++) {
        int64_t x = a->launch_us[i] - p->launch_us;
        if (x > from)
            rc = push_point(pts, &n, cap, x);
        if (rc == 0 && a->launch_us[i] < to)
            rc = push_point(pts, &n, cap, a->launch_us[i]);
    }
    for (size_t i = 0; rc == 0 && p->local_slots == 0 && i < p->log->n_executors; i++) {
        const struct evlog_executor *e = &p->log->executors[i];
        int64_t times[2] = {e->added_ms * 1000,
                            e->removed_ms != EVLOG_NONE ? e->removed_ms * 1000 : INT64_MIN};
        for (int k = 0; k < 2 && rc == 0; k++)
            if (times[k] > from && times[k] < to)
                rc = push_point(pts, &n, cap, times[k]);
    }
    if (rc != 0)
        return -1;
    qsort(*pts, n, sizeof **pts, import_compare_i64);
    int64_t blocked = 0;
    for (size_t i = 0; i + 1 < n; i++)
        if ((*pts)[i + 1] > (*pts)[i] && offer_blocked(p, (*pts)[i]))
            blocked += (*pts)[i + 1] - (*pts)[i];
    s->driver_s = (double)(to - from - blocked) * 1e-6;
    s->offer_wait_s = (double)blocked * 1e-6;
    return 0;
}

/* The driver's time the model is to spend (see the top comment): each
 * job's from its submission to its first stages', each stage's from its
 * submission to its tasks' offer. */
void import_measure_driver(struct builder *b)
{
    const struct evlog *log = b->log;
    struct import *im = b->im;
    double cpus = b->task_cpus;
    double launch_ms =
        isnan(im->task_launch_ms) ? RUNTIME_DEFAULT_TASK_LAUNCH_S * 1e3 : im->task_launch_ms;
    bool local = true;
    for (size_t i = 0; i < log->n_executors && local; i++)
        local = import_is_driver(&log->executors[i]);
    struct driver_probe p = {.log = log, .launch_us = units_s_to_us(launch_ms / 1000.0)};
    if (local) /* no executor of its own: the scenario's slots, all the time */
        p.local_slots = (int64_t)im->executors * (int64_t)((double)im->executor_cores / cpus);
    if (local && p.local_slots < 1)
        p.local_slots = 1;
    struct occupancy all = {0}, mine = {0};
    int64_t *pts = NULL;
    size_t cap = 0, unlogged_stages = 0, unlogged_jobs = 0;
    bool have_mine = false;
    if (occupancy_build(log, -1, &all) != 0)
        b->oom = true;
    for (size_t k = 0; k < im->n_jobs && !b->oom; k++) {
        struct import_job *j = &im->jobs[k];
        unlogged_jobs += !j->submit_logged;
        for (size_t i = 0; i < j->n_stages && !b->oom; i++) {
            struct import_stage *s = &j->stages[i];
            unlogged_stages += !s->submit_logged;
            int64_t rp = s->resource_profile;
            if (!local && (!have_mine || mine.profile != rp)) {
                occupancy_free(&mine);
                have_mine = true;
                if (occupancy_build(log, rp, &mine) != 0) {
                    b->oom = true;
                    break;
                }
            }
            p.profile = rp;
            p.task_cpus = import_profile_task_cpus(log, rp, cpus);
            p.all = &all;
            p.mine = local ? &all : &mine;
            if (stage_driver_time(&p, s, &pts, &cap) != 0)
                b->oom = true;
        }
    }
    free(pts);
    occupancy_free(&all);
    occupancy_free(&mine);
    if (unlogged_jobs)
        import_note(b,
                    "%zu job%s without a submission time in the log: %s first stage's submission "
                    "stands for it, and the job's driver time is 0",
                    unlogged_jobs, unlogged_jobs == 1 ? "" : "s",
                    unlogged_jobs == 1 ? "its" : "their");
    if (unlogged_stages)
        import_note(b,
                    "%zu stage%s without a submission time in the log: %s first task launch stands "
                    "for it, and the stage's driver time is 0",
                    unlogged_stages, unlogged_stages == 1 ? "" : "s",
                    unlogged_stages == 1 ? "its" : "their");
}
