/*
 * plan.c — the plan object (see plan.h): made from a scenario with its
 * explicit stages copied, filled by the planner, annotated by calibration.
 */
#include "sim/plan/plan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A copy of an explicit stage as the simulation will run it. */
static int stage_copy(struct plan_stage *dst, const struct stage_spec *src)
{
    memset(dst, 0, sizeof *dst);
    dst->id = src->id;
    dst->n_parents = src->n_parents;
    dst->tasks = src->tasks;
    dst->has_task_seconds = src->has_task_seconds;
    dst->task_seconds = src->task_seconds;
    dst->fixed_s = isnan(src->fixed_s) ? 0.0 : src->fixed_s;
    dst->compute_scale = 1.0;
    dst->fetch_wait_s = isnan(src->fetch_wait_s) ? 0.0 : src->fetch_wait_s;
    dst->shuffle_write_s = isnan(src->shuffle_write_s) ? 0.0 : src->shuffle_write_s;
    dst->input_bytes = src->input_bytes;
    dst->records = src->records;
    dst->shuffle_read_bytes = src->shuffle_read_bytes;
    dst->shuffle_write_bytes = src->shuffle_write_bytes;
    dst->output_bytes = src->output_bytes;
    /* An explicit stage's bytes move by bandwidth alone: its task times,
     * when it states them, already hold whatever its reads waited. */
    dst->input_store = dst->output_store = -1;
    dst->memory_bytes = src->memory_bytes;
    dst->cache_bytes = src->cache_bytes;
    dst->reads_cache = src->reads_cache;
    dst->driver_s = src->driver_s;
    dst->resource_profile = src->resource_profile;
    dst->tasks_derived = src->tasks_derived;
    dst->line = src->line;
    dst->parents_line = src->parents_line;
    if (src->name && !(dst->name = strdup(src->name)))
        return -1;
    if (src->kernel && !(dst->kernel = strdup(src->kernel)))
        return -1;
    if (src->n_parents) {
        if (!(dst->parents = malloc(src->n_parents * sizeof *dst->parents)))
            return -1;
        memcpy(dst->parents, src->parents, src->n_parents * sizeof *dst->parents);
    }
    if (src->cold && src->task_seconds_list) {
        size_t n = (size_t)src->tasks;
        if (!(dst->task_cold = malloc((n ? n : 1) * sizeof *dst->task_cold)))
            return -1;
        memcpy(dst->task_cold, src->cold, n * sizeof *dst->task_cold);
    }
    if (src->locality) {
        size_t n = (size_t)src->tasks;
        if (!(dst->task_locality = malloc((n ? n : 1) * sizeof *dst->task_locality)))
            return -1;
        memcpy(dst->task_locality, src->locality, n * sizeof *dst->task_locality);
    }
    if (src->n_failed) {
        if (!(dst->failed = malloc(src->n_failed * sizeof *dst->failed)))
            return -1;
        memcpy(dst->failed, src->failed, src->n_failed * sizeof *dst->failed);
        dst->n_failed = src->n_failed;
    }
    if (src->n_lost) {
        if (!(dst->lost = malloc(src->n_lost * sizeof *dst->lost)))
            return -1;
        memcpy(dst->lost, src->lost, src->n_lost * sizeof *dst->lost);
        dst->n_lost = src->n_lost;
    }
    if (src->task_seconds_list) {
        size_t n = (size_t)src->tasks;
        if (!(dst->task_seconds_list = malloc((n ? n : 1) * sizeof *dst->task_seconds_list)))
            return -1;
        memcpy(dst->task_seconds_list, src->task_seconds_list,
               n * sizeof *dst->task_seconds_list);
    }
    return 0;
}

void plan_stage_fini(struct plan_stage *st)
{
    free(st->name);
    free(st->parents);
    free(st->task_seconds_list);
    free(st->task_cold);
    free(st->task_locality);
    free(st->lost);
    free(st->failed);
    free(st->task_weights);
    free(st->kernel);
    for (size_t k = 0; k < st->n_ops; k++)
        plan_op_fini(&st->ops[k]);
    free(st->ops);
    memset(st, 0, sizeof *st);
}

void plan_job_clear(struct plan_job *j)
{
    for (size_t i = 0; i < j->n_stages; i++)
        plan_stage_fini(&j->stages[i]);
    free(j->stages);
    j->stages = NULL;
    j->n_stages = 0;
}

void plan_free(struct plan *p)
{
    if (!p)
        return;
    for (size_t j = 0; j < p->n_jobs; j++)
        plan_job_clear(&p->jobs[j]);
    free(p->jobs);
    free(p);
}

struct plan *plan_new(const struct scenario *s, struct diag *d)
{
    struct plan *p = calloc(1, sizeof *p);
    if (!p || !(p->jobs = calloc(s->n_jobs ? s->n_jobs : 1, sizeof *p->jobs))) {
        free(p);
        diag_set(d, SC_ENOMEM, NULL, 0, "out of memory making the plan");
        return NULL;
    }
    p->scn = s;
    p->n_jobs = s->n_jobs;
    for (size_t j = 0; j < s->n_jobs; j++) {
        const struct job_spec *js = &s->jobs[j];
        struct plan_job *pj = &p->jobs[j];
        pj->spec = js;
        pj->planned = js->query && js->n_query > 0;
        if (pj->planned || js->n_stages == 0)
            continue;
        if (!(pj->stages = calloc(js->n_stages, sizeof *pj->stages))) {
            plan_free(p);
            diag_set(d, SC_ENOMEM, NULL, 0, "out of memory making the plan");
            return NULL;
        }
        for (size_t k = 0; k < js->n_stages; k++) {
            pj->n_stages++;
            if (stage_copy(&pj->stages[k], &js->stages[k]) != 0) {
                plan_free(p);
                diag_set(d, SC_ENOMEM, NULL, 0, "out of memory making the plan");
                return NULL;
            }
        }
    }
    return p;
}

int64_t plan_total_tasks(const struct plan *p)
{
    int64_t n = 0;
    for (size_t j = 0; j < p->n_jobs; j++)
        for (size_t k = 0; k < p->jobs[j].n_stages; k++)
            n += p->jobs[j].stages[k].tasks;
    return n;
}

enum plan_est plan_stage_est(const struct plan_job *j, size_t k)
{
    /* Parents come before their children (ids ascend along every edge), so
     * one pass over stages 0..k settles each from its parents'. */
    enum plan_est *e = malloc((k + 1) * sizeof *e);
    if (!e)
        return PLAN_EST_DEFAULT;
    for (size_t s = 0; s <= k; s++) {
        const struct plan_stage *sp = &j->stages[s];
        e[s] = PLAN_EST_NONE;
        for (size_t i = 0; i < sp->n_ops; i++)
            e[s] = plan_est_worse(e[s], sp->ops[i].est);
        for (size_t p = 0; p < sp->n_parents; p++)
            for (size_t i = 0; i < s; i++)
                if (j->stages[i].id == sp->parents[p])
                    e[s] = plan_est_worse(e[s], e[i]);
    }
    enum plan_est r = e[k];
    free(e);
    return r;
}
