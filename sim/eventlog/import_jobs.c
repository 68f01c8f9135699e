/*
 * import_jobs.c — the imported scenario's jobs: which job each stage that
 * ran belongs to, the stages' parents (inferred from submission times for
 * Spark 1.4), the jobs in submission order and how each starts after the
 * ones before it (see importer.c's "Stages", "Jobs"). A step of import_log
 * (import_build.h).
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

static int strcasecmp_ascii(const char *a, const char *b)
{
    for (;; a++, b++) {
        int x = tolower((unsigned char)*a), y = tolower((unsigned char)*b);
        if (x != y || x == 0)
            return x - y;
    }
}

struct owner {
    int64_t stage, job;
};

static int compare_owner(const void *a, const void *b)
{
    const struct owner *x = a, *y = b;
    if (x->stage != y->stage)
        return (x->stage > y->stage) - (x->stage < y->stage);
    return (x->job > y->job) - (x->job < y->job);
}

/* The job that created each stage: the smallest job id listing it. */
static struct owner *stage_owners(const struct evlog *log, size_t *n)
{
    size_t total = 0;
    for (size_t j = 0; j < log->n_jobs; j++)
        total += log->jobs[j].n_stages;
    struct owner *o = malloc((total ? total : 1) * sizeof *o);
    if (!o)
        return NULL;
    size_t k = 0;
    for (size_t j = 0; j < log->n_jobs; j++)
        for (size_t i = 0; i < log->jobs[j].n_stages; i++)
            o[k++] = (struct owner){log->jobs[j].stages[i].id, log->jobs[j].id};
    qsort(o, k, sizeof *o, compare_owner);
    size_t m = 0;
    for (size_t i = 0; i < k; i++)
        if (m == 0 || o[m - 1].stage != o[i].stage)
            o[m++] = o[i];
    *n = m;
    return o;
}

static bool owner_of(const struct owner *o, size_t n, int64_t stage, int64_t *job)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (o[mid].stage == stage) {
            *job = o[mid].job;
            return true;
        }
        if (o[mid].stage < stage)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static struct import_stage *find_import_stage(struct import_job *job, int64_t id)
{
    size_t lo = 0, hi = job->n_stages;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (job->stages[mid].id == id)
            return &job->stages[mid];
        if (job->stages[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int compare_import_stages(const void *a, const void *b)
{
    const struct import_stage *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

/* Is a an ancestor of c through the parents settled so far? */
static bool is_ancestor(struct import_job *job, int64_t a, int64_t c, int depth)
{
    struct import_stage *s = find_import_stage(job, c);
    if (!s || depth > 10000)
        return false;
    for (size_t i = 0; i < s->n_parents; i++)
        if (s->parents[i] == a || is_ancestor(job, a, s->parents[i], depth + 1))
            return true;
    return false;
}

static int compare_by_submit(const void *a, const void *b)
{
    const struct import_stage *x = *(const struct import_stage *const *)a;
    const struct import_stage *y = *(const struct import_stage *const *)b;
    if (x->submit_ms != y->submit_ms)
        return (x->submit_ms > y->submit_ms) - (x->submit_ms < y->submit_ms);
    return (x->id > y->id) - (x->id < y->id);
}

/* Parents within the job only (lower ids: Spark creates parents first, and
 * this also keeps a corrupt log from making a cycle); inferred from times
 * when the log gives none. Returns how many stages had theirs inferred. */
static size_t settle_parents(struct builder *b, struct import_job *job)
{
    size_t inferred = 0;
    for (size_t i = 0; i < job->n_stages; i++) {
        struct import_stage *s = &job->stages[i];
        if (s->parents_inferred)
            continue;
        size_t m = 0;
        for (size_t p = 0; p < s->n_parents; p++) {
            int64_t id = s->parents[p];
            bool dup = false;
            for (size_t q = 0; q < m; q++)
                dup |= s->parents[q] == id;
            if (!dup && id < s->id && find_import_stage(job, id))
                s->parents[m++] = id;
        }
        s->n_parents = m;
    }
    /* Spark 1.4: in submission order, parents = the stages completed by this
     * one's submission, less those implied by another. */
    struct import_stage **order = malloc((job->n_stages ? job->n_stages : 1) * sizeof *order);
    if (!order) {
        b->oom = true;
        return 0;
    }
    for (size_t i = 0; i < job->n_stages; i++)
        order[i] = &job->stages[i];
    qsort(order, job->n_stages, sizeof *order, compare_by_submit);
    for (size_t i = 0; i < job->n_stages; i++) {
        struct import_stage *s = order[i];
        if (!s->parents_inferred)
            continue;
        inferred++;
        free(s->parents);
        s->parents = NULL;
        s->n_parents = 0;
        int64_t *cand = malloc((job->n_stages ? job->n_stages : 1) * sizeof *cand);
        if (!cand) {
            b->oom = true;
            break;
        }
        size_t nc = 0;
        for (size_t k = 0; k < i; k++)
            if (order[k]->complete_ms <= s->submit_ms && order[k]->id != s->id)
                cand[nc++] = order[k]->id;
        size_t m = 0;
        for (size_t k = 0; k < nc; k++) {
            bool implied = false;
            for (size_t q = 0; q < nc && !implied; q++)
                implied = q != k && is_ancestor(job, cand[k], cand[q], 0);
            if (!implied)
                cand[m++] = cand[k];
        }
        qsort(cand, m, sizeof *cand, import_compare_i64);
        s->parents = cand;
        s->n_parents = m;
        /* Parents completed before their child was submitted: no cycle. */
    }
    free(order);
    return inferred;
}

static char *job_name(const struct evlog_job *lj, const struct import_job *job)
{
    const char *what = lj && lj->description ? lj->description : NULL;
    if (!what && job->n_stages && job->stages[job->n_stages - 1].name)
        what = job->stages[job->n_stages - 1].name;
    char buf[200];
    if (what)
        snprintf(buf, sizeof buf, "job %lld: %.160s", (long long)job->id, what);
    else
        snprintf(buf, sizeof buf, "job %lld", (long long)job->id);
    return strdup(buf);
}

void import_job_free(struct import_job *j)
{
    for (size_t i = 0; i < j->n_stages; i++)
        import_stage_free(&j->stages[i]);
    free(j->stages);
    free(j->name);
    free(j->pool);
}

/* The import job of log job lj, created on first use. */
static struct import_job *job_for(struct builder *b, const struct evlog_job *lj)
{
    struct import *im = b->im;
    for (size_t i = 0; i < im->n_jobs; i++)
        if (im->jobs[i].id == lj->id)
            return &im->jobs[i];
    struct import_job *jobs = realloc(im->jobs, (im->n_jobs + 1) * sizeof *jobs);
    if (!jobs) {
        b->oom = true;
        return NULL;
    }
    im->jobs = jobs;
    struct import_job *j = &jobs[im->n_jobs++];
    memset(j, 0, sizeof *j);
    j->id = lj->id;
    j->submit_s = NAN;
    return j;
}

static int compare_jobs_by_submit(const void *a, const void *b)
{
    const struct import_job *x = a, *y = b;
    if (x->submit_ms != y->submit_ms)
        return (x->submit_ms > y->submit_ms) - (x->submit_ms < y->submit_ms);
    return (x->id > y->id) - (x->id < y->id);
}

/* Adds each stage that ran and completed to the job that owns it. Returns 0
 * or -1 (b->d filled, or b->oom). */
static int collect_stages(struct builder *b, const struct owner *owners, size_t n_owner)
{
    const struct evlog *log = b->log;
    struct import *im = b->im;
    size_t orphans = 0;
    /* Stage attempts are sorted by (id, attempt): walk each id's run. */
    for (size_t i = 0; i < log->n_stages;) {
        size_t n = 1;
        while (i + n < log->n_stages && log->stages[i + n].id == log->stages[i].id)
            n++;
        const struct evlog_stage *att = &log->stages[i];
        const struct evlog_stage *last = &att[n - 1];
        i += n;
        int64_t job_id;
        if (!owner_of(owners, n_owner, last->id, &job_id)) {
            b->orphans++;
            if (orphans++ == 0)
                import_note(b,
                            "stage %lld ran but no JobStart lists it (events missing from the "
                            "log); such stages are not replayed",
                            (long long)last->id);
            continue;
        }
        im->log_stages_ran++;
        if (last->status == EVLOG_STAGE_FAILED) {
            import_note(b,
                        "stage %lld (job %lld) failed after %lld of %lld tasks ended: %s; not "
                        "replayed",
                        (long long)last->id, (long long)job_id, (long long)last->tasks_ended,
                        (long long)last->num_tasks,
                        last->failure ? last->failure : "no reason given");
            continue;
        }
        if (last->status == EVLOG_STAGE_RUNNING) {
            import_note(b,
                        "stage %lld (job %lld) was still running when the log ends (%lld of %lld "
                        "tasks ended, %lld started); not replayed",
                        (long long)last->id, (long long)job_id, (long long)last->tasks_ended,
                        (long long)last->num_tasks, (long long)last->tasks_started);
            continue;
        }
        const struct evlog_job *lj = evlog_job_find(log, job_id);
        struct import_stage st;
        int rc = import_build_stage(b, att, n, lj, &st);
        if (rc != 0) {
            import_stage_free(&st);
            if (rc < 0)
                return -1;
            continue;
        }
        struct import_job *job = job_for(b, lj);
        struct import_stage *grown =
            job ? realloc(job->stages, (job->n_stages + 1) * sizeof *grown) : NULL;
        if (!grown) {
            import_stage_free(&st);
            b->oom = true;
            return -1;
        }
        job->stages = grown;
        job->stages[job->n_stages++] = st;
        im->tasks += (size_t)st.tasks;
    }
    return 0;
}

/* What the Spark UI calls skipped: a stage a job lists but did not run, its
 * output computed by an earlier job. */
static size_t skipped_stages(const struct evlog *log, const struct owner *owners, size_t n_owner)
{
    size_t skipped = 0;
    for (size_t j = 0; j < log->n_jobs; j++)
        for (size_t i = 0; i < log->jobs[j].n_stages; i++) {
            int64_t id = log->jobs[j].stages[i].id, owner;
            if (!evlog_stage_find(log, id, 0) ||
                (owner_of(owners, n_owner, id, &owner) && owner != log->jobs[j].id))
                skipped++;
        }
    return skipped;
}

/* A job's stages in order with their parents settled, its submission and
 * end, name and pool. Returns how many stages' parents were inferred. */
static size_t settle_job(struct builder *b, struct import_job *job, const struct evlog_job *lj,
                         bool fair)
{
    qsort(job->stages, job->n_stages, sizeof *job->stages, compare_import_stages);
    size_t inferred = settle_parents(b, job);
    int64_t first_stage = INT64_MAX, last_end = INT64_MIN;
    for (size_t i = 0; i < job->n_stages; i++) {
        if (job->stages[i].submit_ms < first_stage)
            first_stage = job->stages[i].submit_ms;
        if (job->stages[i].complete_ms > last_end)
            last_end = job->stages[i].complete_ms;
    }
    job->submit_logged = lj->submit_ms != EVLOG_NONE;
    job->submit_ms = lj->submit_ms != EVLOG_NONE ? lj->submit_ms : first_stage;
    if (job->submit_ms > first_stage)
        job->submit_ms = first_stage;
    job->stage_delay_s = import_ms_to_s(first_stage - job->submit_ms);
    if (lj->result == EVLOG_JOB_SUCCEEDED && lj->end_ms != EVLOG_NONE) {
        job->end_ms = lj->end_ms < last_end ? last_end : lj->end_ms;
    } else {
        job->end_ms = last_end;
        job->end_from_stages = true;
        job->failed = lj->result == EVLOG_JOB_FAILED;
        if (lj->result == EVLOG_JOB_FAILED)
            import_note(b,
                        "job %lld failed (%s); its %zu completed stage%s are replayed and its "
                        "end is taken as theirs",
                        (long long)job->id, lj->failure ? lj->failure : "no reason given",
                        job->n_stages, job->n_stages == 1 ? "" : "s");
        else
            import_note(b, "job %lld has no %s; its end is taken as its last stage's completion",
                        (long long)job->id, lj->end_line ? "completion time" : "JobEnd event");
    }
    if (!(job->name = job_name(lj, job)))
        b->oom = true;
    if (fair && lj->pool && !(job->pool = strdup(lj->pool)))
        b->oom = true;
    return inferred;
}

/* A note for each job of the log that replays nothing, and why. */
static void note_unreplayed_jobs(struct builder *b)
{
    const struct evlog *log = b->log;
    struct import *im = b->im;
    for (size_t j = 0; j < log->n_jobs; j++) {
        const struct evlog_job *lj = &log->jobs[j];
        bool kept = false;
        for (size_t k = 0; k < im->n_jobs && !kept; k++)
            kept = im->jobs[k].id == lj->id;
        if (kept)
            continue;
        if (lj->result == EVLOG_JOB_FAILED)
            import_note(b, "job %lld failed (%s) without completing a stage; not replayed",
                        (long long)lj->id, lj->failure ? lj->failure : "no reason given");
        else if (lj->result == EVLOG_JOB_RUNNING)
            import_note(b,
                        "job %lld was still running when the log ends, with no completed stage; "
                        "not replayed",
                        (long long)lj->id);
        else
            import_note(b,
                        "job %lld ran no stage (all were computed by earlier jobs); not replayed",
                        (long long)lj->id);
    }
}

int import_jobs(struct builder *b)
{
    const struct evlog *log = b->log;
    struct import *im = b->im;
    size_t n_owner = 0;
    struct owner *owners = stage_owners(log, &n_owner);
    if (!owners) {
        b->oom = true;
        return -1;
    }
    if (collect_stages(b, owners, n_owner) != 0) {
        free(owners);
        return -1;
    }
    im->log_jobs = log->n_jobs;
    im->skipped_stages += skipped_stages(log, owners, n_owner);
    free(owners);

    size_t inferred = 0;
    const char *mode = evlog_property(log, "spark.scheduler.mode");
    bool fair = mode && strcasecmp_ascii(mode, "FAIR") == 0;
    for (size_t k = 0; k < im->n_jobs; k++)
        inferred += settle_job(b, &im->jobs[k], evlog_job_find(log, im->jobs[k].id), fair);
    if (inferred)
        import_note(b,
                    "the log gives no stage parents (Spark %s); the parents of %zu stages are "
                    "inferred: the stages of the same job that had completed when each was "
                    "submitted, as the DAGScheduler submits a stage when its last parent completes",
                    log->spark_version ? log->spark_version : "1.4 or older", inferred);
    note_unreplayed_jobs(b);
    return b->oom ? -1 : 0;
}

/* Submission order and the keys that reproduce it (see the top comment):
 * each job after the first is either concurrent with the job before it,
 * which still ran when it was submitted, gap_s after that job's submission;
 * or submitted gap_s after the latest-ending job that had ended by then
 * (`after`). Both are relative, so a what-if moves a job with the work
 * before it; none is at an absolute time. */
void import_time_jobs(struct import *im)
{
    if (im->n_jobs > 1)
        qsort(im->jobs, im->n_jobs, sizeof *im->jobs, compare_jobs_by_submit);
    int64_t max_end = INT64_MIN;
    for (size_t k = 0; k < im->n_jobs; k++) {
        struct import_job *j = &im->jobs[k];
        j->after = -1;
        j->submit_s = NAN;
        j->concurrent = false;
        j->gap_s = 0.0;
        if (k > 0 && j->submit_ms < im->jobs[k - 1].end_ms) {
            /* The job before it still ran: the driver (another thread, or
             * AQE's broadcast and shuffle jobs) submitted it meanwhile. */
            j->concurrent = true;
            j->gap_s = import_ms_to_s(j->submit_ms - im->jobs[k - 1].submit_ms);
        } else if (k > 0) {
            /* The action that used the result of the job that ended last. */
            int64_t best = -1;
            for (size_t i = 0; i < k; i++)
                if (im->jobs[i].end_ms <= j->submit_ms &&
                    (best < 0 || im->jobs[i].end_ms >= im->jobs[best].end_ms))
                    best = (int64_t)i;
            j->after = best;
            j->gap_s = import_ms_to_s(j->submit_ms - im->jobs[best].end_ms);
        }
        if (j->end_ms > max_end)
            max_end = j->end_ms;
    }
    im->start_ms = im->n_jobs ? im->jobs[0].submit_ms : 0;
    im->end_ms = max_end == INT64_MIN ? im->start_ms : max_end;
    im->actual_s = import_ms_to_s(im->end_ms - im->start_ms);
}
