/*
 * plot.c — the data behind a run's plots, and gnuplot run on it (see
 * plot.h). It sits beside the report: it reads the results the simulation
 * produced and computes only what a picture needs — which timeline row a
 * slot is drawn on, which task attempts merge into one bar, the busy-slot
 * curve, each job's critical path.
 *
 * Big runs must draw in seconds and keep the data files small, so nothing
 * here writes a row per task attempt: the timeline merges attempts of the
 * same stage that would be thinner than a few pixels, and the utilization
 * curve is binned once there are more steps than a plot can show.
 */
#include "sim/output/plot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "models/datafile.h"
#include "sim/output/outfile.h"
#include "sim/output/report.h"

extern char **environ;

/* The scripts a plot directory gets: each panel, the three-panel overview,
 * and what they share. */
static const char *const plot_scripts[] = {"common.gp", "overview.gp", "timeline.gp",
                                           "utilization.gp", "waterfall.gp"};
#define N_SCRIPTS (sizeof plot_scripts / sizeof plot_scripts[0])

static const char *const data_files[] = {"run.csv", "stages.csv", "executors.csv", "bars.csv",
                                         "utilization.csv"};
#define N_DATA (sizeof data_files / sizeof data_files[0])

static double rel_s(const struct results *r, int64_t t_us)
{
    return (double)(t_us - r->start_us) * 1e-6;
}

static int64_t span_us(const struct results *r)
{
    return r->end_us > r->start_us ? r->end_us - r->start_us : 0;
}

/* A name as one CSV field gnuplot can read: gnuplot 5.4 splits at every
 * comma, quoted or not, so commas become semicolons and quotes apostrophes
 * rather than being quoted. */
static void put_name(FILE *out, const char *text)
{
    for (const char *p = text; *p; p++) {
        char c = *p;
        if (c == ',')
            c = ';';
        else if (c == '"')
            c = '\'';
        else if (c == '\n' || c == '\r' || c == '\t')
            c = ' ';
        fputc(c, out);
    }
}

/* ---- stage order and critical paths ----------------------------------- */

/* Stages are drawn in submission order (Spark's stage id): order[k] is the
 * k-th stage submitted, rank[i] the position of results stage i. */
struct stage_order {
    size_t *order;
    size_t *rank;
    int *critical;         /* 1 on its job's critical path */
    long *critical_parent; /* rank of the critical parent, or -1 */
};

struct stage_key {
    int64_t spark_id;
    size_t index;
};

static int compare_stage_key(const void *a, const void *b)
{
    const struct stage_key *x = a, *y = b;
    if (x->spark_id != y->spark_id)
        return x->spark_id < y->spark_id ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

static void stage_order_fini(struct stage_order *o)
{
    free(o->order);
    free(o->rank);
    free(o->critical);
    free(o->critical_parent);
    memset(o, 0, sizeof *o);
}

/* The index in results.stages of stage `id` of job j, or -1. Parents name
 * stages of the same job by the scenario's id. */
static long find_stage(const struct results *r, size_t j, int64_t id)
{
    const struct job_result *jr = &r->jobs[j];
    for (size_t k = 0; k < jr->n_stages; k++)
        if (r->stages[jr->first_stage + k].id == id)
            return (long)(jr->first_stage + k);
    return -1;
}

/* Each job's critical path: from the stage that ends last, step to the
 * parent that ended last (the one the stage waited for), until a stage with
 * no parents. Those are the stages whose time sets the job's end. */
static void mark_critical_paths(struct stage_order *o, const struct plan *plan,
                                const struct results *r)
{
    for (size_t j = 0; j < r->n_jobs; j++) {
        const struct job_result *jr = &r->jobs[j];
        if (jr->n_stages == 0)
            continue;
        const struct plan_job *js = j < plan->n_jobs ? &plan->jobs[j] : NULL;
        size_t last = jr->first_stage;
        for (size_t k = 1; k < jr->n_stages; k++) {
            size_t i = jr->first_stage + k;
            if (r->stages[i].end_us >= r->stages[last].end_us)
                last = i;
        }
        /* A chain visits at most n_stages stages (parents form a DAG). */
        for (size_t steps = 0; steps < jr->n_stages; steps++) {
            o->critical[last] = 1;
            size_t k = last - jr->first_stage;
            if (!js || !js->stages || k >= js->n_stages)
                break;
            const struct plan_stage *ss = &js->stages[k];
            long best = -1;
            for (size_t p = 0; p < ss->n_parents; p++) {
                long i = find_stage(r, j, ss->parents[p]);
                if (i >= 0 && (best < 0 || r->stages[i].end_us > r->stages[best].end_us))
                    best = i;
            }
            if (best < 0)
                break;
            o->critical_parent[last] = (long)o->rank[best];
            last = (size_t)best;
        }
    }
}

static enum sc_status stage_order_init(struct stage_order *o, const struct plan *plan,
                                       const struct results *r, struct diag *d)
{
    size_t n = r->n_stages ? r->n_stages : 1;
    o->order = malloc(n * sizeof *o->order);
    o->rank = malloc(n * sizeof *o->rank);
    o->critical = calloc(n, sizeof *o->critical);
    o->critical_parent = malloc(n * sizeof *o->critical_parent);
    if (!o->order || !o->rank || !o->critical || !o->critical_parent) {
        stage_order_fini(o);
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory writing plot data");
    }
    struct stage_key *keys = malloc(n * sizeof *keys);
    if (!keys) {
        stage_order_fini(o);
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory writing plot data");
    }
    for (size_t i = 0; i < r->n_stages; i++) {
        keys[i] = (struct stage_key){r->stages[i].spark_id, i};
        o->critical_parent[i] = -1;
    }
    qsort(keys, r->n_stages, sizeof *keys, compare_stage_key);
    for (size_t k = 0; k < r->n_stages; k++)
        o->order[k] = keys[k].index;
    free(keys);
    for (size_t k = 0; k < r->n_stages; k++)
        o->rank[o->order[k]] = k;
    if (plan)
        mark_critical_paths(o, plan, r);
    return SC_OK;
}

/* ---- timeline rows ------------------------------------------------------ */

/* Slot g (counting every executor's slots in executor order) is drawn on
 * row g / per_row: one row per slot unless the cluster has more slots than
 * PLOT_MAX_ROWS, when consecutive slots share a row. */
struct row_layout {
    int *first_slot; /* per executor */
    long slots;
    long per_row;
    long rows;
};

static enum sc_status row_layout_init(struct row_layout *l, const struct results *r, struct diag *d)
{
    l->first_slot = malloc((r->n_executors ? r->n_executors : 1) * sizeof *l->first_slot);
    if (!l->first_slot)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory writing plot data");
    l->slots = 0;
    for (size_t e = 0; e < r->n_executors; e++) {
        l->first_slot[e] = (int)l->slots;
        l->slots += r->executors[e].slots;
    }
    l->per_row = l->slots > PLOT_MAX_ROWS ? (l->slots + PLOT_MAX_ROWS - 1) / PLOT_MAX_ROWS : 1;
    l->rows = l->slots ? (l->slots + l->per_row - 1) / l->per_row : 0;
    return SC_OK;
}

static long row_of(const struct row_layout *l, int executor, int slot)
{
    return ((long)l->first_slot[executor] + slot) / l->per_row;
}

/* ---- run.csv ------------------------------------------------------------ */

enum sc_status plot_write_run_csv(FILE *out, const struct plan *plan, const struct results *r,
                                  struct diag *d)
{
    struct row_layout l;
    if (row_layout_init(&l, r, d) != SC_OK)
        return d->status;
    int workers = 0;
    for (size_t e = 0; e < r->n_executors; e++)
        if (r->executors[e].worker + 1 > workers)
            workers = r->executors[e].worker + 1;
    long failed = 0, killed = 0, retried = 0;
    for (size_t i = 0; i < r->n_tasks; i++) {
        failed += r->tasks[i].status == TASK_FAILED;
        killed += r->tasks[i].status == TASK_KILLED;
        retried += r->tasks[i].attempt > 0;
    }
    fputs("scenario,makespan_s,utilization,busy_slot_s,available_slot_s,task_attempts,stages,"
          "executors,workers,slots,rows,slots_per_row,merge_gap_s,failed_attempts,"
          "killed_attempts,retry_attempts,cost_usd\n",
          out);
    put_name(out, plan && plan->scn->name ? plan->scn->name : "");
    double px_s = (double)span_us(r) * 1e-6 / PLOT_WIDTH_PX;
    fprintf(out, ",%.6f,%.6f,%.6f,%.6f,%zu,%zu,%zu,%d,%ld,%ld,%ld,%.6f,%ld,%ld,%ld,", r->makespan_s,
            r->utilization, r->busy_s, r->available_s, (size_t)r->n_attempts, r->n_stages, r->n_executors,
            workers, l.slots, l.rows, l.per_row, px_s, failed, killed, retried);
    /* -1 stands for an unknown cost: gnuplot reads no NaN from a CSV. */
    fprintf(out, "%.6f\n", isnan(r->cost.total_usd) ? -1.0 : r->cost.total_usd);
    free(l.first_slot);
    return ferror(out) ? diag_set(d, SC_EIO, NULL, 0, "writing plot data failed") : SC_OK;
}

/* ---- stages.csv --------------------------------------------------------- */

enum sc_status plot_write_stages_csv(FILE *out, const struct plan *plan, const struct results *r,
                                     struct diag *d)
{
    struct stage_order o = {0};
    struct row_layout l;
    if (row_layout_init(&l, r, d) != SC_OK)
        return d->status;
    if (stage_order_init(&o, plan, r, d) != SC_OK) {
        free(l.first_slot);
        return d->status;
    }
    fputs("stage,job,job_name,stage_id,spark_stage_id,name,tasks,start_s,end_s,duration_s,"
          "task_p50_s,task_p95_s,task_max_s,critical,critical_parent,longest_start_s,"
          "longest_end_s,longest_row\n",
          out);
    for (size_t k = 0; k < r->n_stages; k++) {
        size_t i = o.order[k];
        const struct stage_result *st = &r->stages[i];
        const struct job_result *jr = &r->jobs[st->job];
        char name[128];
        fprintf(out, "%zu,%lld,", k, (long long)jr->spark_id);
        put_name(out, jr->name ? jr->name : "");
        fprintf(out, ",%lld,%lld,", (long long)st->id, (long long)st->spark_id);
        put_name(out, report_stage_name(st, name, sizeof name));
        fprintf(out, ",%lld,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%d,%ld,", (long long)st->tasks,
                rel_s(r, st->submit_us), rel_s(r, st->end_us),
                (double)(st->end_us - st->submit_us) * 1e-6, st->task_p50_s, st->task_p95_s,
                st->task_max_s, o.critical[i], o.critical_parent[i]);
        /* Where the longest task ran, so that a straggler is marked there:
         * empty when no attempt succeeded (or the results hold no record). */
        bool known = st->longest_end_us > st->longest_launch_us ||
                     (st->longest_end_us != 0 && st->task_max_s == 0.0);
        if (known && (size_t)st->longest_executor < r->n_executors)
            fprintf(out, "%.6f,%.6f,%ld\n", rel_s(r, st->longest_launch_us),
                    rel_s(r, st->longest_end_us),
                    row_of(&l, st->longest_executor, st->longest_slot));
        else
            fputs(",,\n", out);
    }
    free(l.first_slot);
    stage_order_fini(&o);
    return ferror(out) ? diag_set(d, SC_EIO, NULL, 0, "writing plot data failed") : SC_OK;
}

/* ---- executors.csv ------------------------------------------------------ */

enum sc_status plot_write_executors_csv(FILE *out, const struct results *r, struct diag *d)
{
    struct row_layout l;
    if (row_layout_init(&l, r, d) != SC_OK)
        return d->status;
    fputs("id,worker,slots,alive_from_s,alive_to_s,row_first,row_last\n", out);
    for (size_t e = 0; e < r->n_executors; e++) {
        const struct executor_result *er = &r->executors[e];
        /* From its first join to its last leave (with autoscaling an
         * executor may also be down in between: utilization.csv has the
         * exact counts). Records without those times live from the start
         * for alive_s. */
        double from_s = 0.0, to_s = er->alive_s;
        if (er->ever_alive && er->alive_to_us > er->alive_from_us) {
            from_s = rel_s(r, er->alive_from_us > r->start_us ? er->alive_from_us : r->start_us);
            to_s = rel_s(r, er->alive_to_us < r->end_us ? er->alive_to_us : r->end_us);
        }
        long first = row_of(&l, (int)e, 0);
        long last = row_of(&l, (int)e, er->slots > 0 ? er->slots - 1 : 0);
        fprintf(out, "%d,%d,%d,%.6f,%.6f,%ld,%ld\n", er->id, er->worker, er->slots, from_s, to_s,
                first, last);
    }
    free(l.first_slot);
    return ferror(out) ? diag_set(d, SC_EIO, NULL, 0, "writing plot data failed") : SC_OK;
}

/* ---- bars.csv ----------------------------------------------------------- */

struct bar {
    int64_t start_us, end_us;
    int32_t row;
    int32_t stage;  /* rank in submission order: the colour */
    uint8_t status; /* enum task_status */
    uint8_t retry;  /* attempt > 0: a retry or a speculative copy */
    int32_t count;  /* attempts merged into this bar */
};

static int compare_bar(const void *a, const void *b)
{
    const struct bar *x = a, *y = b;
    if (x->row != y->row)
        return x->row < y->row ? -1 : 1;
    if (x->stage != y->stage)
        return x->stage < y->stage ? -1 : 1;
    if (x->status != y->status)
        return x->status < y->status ? -1 : 1;
    if (x->retry != y->retry)
        return x->retry < y->retry ? -1 : 1;
    if (x->start_us != y->start_us)
        return x->start_us < y->start_us ? -1 : 1;
    return (x->end_us > y->end_us) - (x->end_us < y->end_us);
}

enum sc_status plot_write_bars_csv(FILE *out, const struct results *r, struct diag *d)
{
    struct row_layout l;
    if (row_layout_init(&l, r, d) != SC_OK)
        return d->status;
    struct stage_order o = {0};
    struct bar *bars = malloc((r->n_tasks ? r->n_tasks : 1) * sizeof *bars);
    if (!bars || stage_order_init(&o, NULL, r, d) != SC_OK) {
        free(bars);
        free(l.first_slot);
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory writing plot data");
    }
    for (size_t i = 0; i < r->n_tasks; i++) {
        const struct task_rec *t = &r->tasks[i];
        bars[i] = (struct bar){t->launch_us,
                               t->end_us,
                               (int32_t)row_of(&l, t->executor, t->slot),
                               (int32_t)o.rank[t->stage],
                               t->status,
                               t->attempt > 0,
                               1};
    }
    qsort(bars, r->n_tasks, sizeof *bars, compare_bar);

    /* One pixel of the plot in simulated time. Sorted by row, stage and
     * mark, an attempt joins the bar before it when they share all three,
     * the gap is under a pixel, and one of them is too thin to see as a bar
     * of its own. Rows shared by several slots hold overlapping attempts:
     * there the union of a stage's attempts is what can be drawn. Failed,
     * killed and retried attempts only merge among their own kind, so their
     * marks survive. */
    double px_us = (double)span_us(r) / PLOT_WIDTH_PX;
    double thin_us = px_us * PLOT_MIN_BAR_PX;
    size_t n = 0;
    for (size_t i = 0; i < r->n_tasks; i++) {
        struct bar *b = &bars[i];
        if (n > 0) {
            struct bar *c = &bars[n - 1];
            bool same = c->row == b->row && c->stage == b->stage && c->status == b->status &&
                        c->retry == b->retry;
            bool close = (double)(b->start_us - c->end_us) < px_us;
            bool thin = l.per_row > 1 || (double)(c->end_us - c->start_us) < thin_us ||
                        (double)(b->end_us - b->start_us) < thin_us;
            if (same && close && thin) {
                if (b->end_us > c->end_us)
                    c->end_us = b->end_us;
                c->count += b->count;
                continue;
            }
        }
        bars[n++] = *b;
    }

    fputs("row,start_s,end_s,stage,spark_stage_id,attempts,status,retry\n", out);
    for (size_t i = 0; i < n; i++) {
        const struct bar *b = &bars[i];
        fprintf(out, "%d,%.6f,%.6f,%d,%lld,%d,%d,%d\n", b->row, rel_s(r, b->start_us),
                rel_s(r, b->end_us), b->stage, (long long)r->stages[o.order[b->stage]].spark_id,
                b->count, b->status, b->retry);
    }
    free(bars);
    free(l.first_slot);
    stage_order_fini(&o);
    return ferror(out) ? diag_set(d, SC_EIO, NULL, 0, "writing plot data failed") : SC_OK;
}

/* ---- utilization.csv ---------------------------------------------------- */

/* The three curves as changes at instants: busy slots (+1 at a task's
 * launch, -1 at its end), available slots and workers (when executors and
 * workers join and leave). */
enum curve { CURVE_BUSY, CURVE_AVAIL, CURVE_WORKERS, N_CURVES };

struct step_event {
    int64_t t_us;
    int curve;
    int delta;
};

static int compare_step(const void *a, const void *b)
{
    const struct step_event *x = a, *y = b;
    if (x->t_us != y->t_us)
        return x->t_us < y->t_us ? -1 : 1;
    if (x->curve != y->curve)
        return x->curve - y->curve;
    return x->delta - y->delta;
}

/* Workers are alive from their first executor's start to their last
 * executor's end. from_us/to_us are filled per worker (n = max id + 1). */
static int worker_spans(const struct results *r, int64_t **from_us, int64_t **to_us)
{
    int n = 0;
    for (size_t e = 0; e < r->n_executors; e++)
        if (r->executors[e].worker + 1 > n)
            n = r->executors[e].worker + 1;
    *from_us = malloc((n ? (size_t)n : 1) * sizeof **from_us);
    *to_us = malloc((n ? (size_t)n : 1) * sizeof **to_us);
    if (!*from_us || !*to_us)
        return -1;
    for (int w = 0; w < n; w++) {
        (*from_us)[w] = INT64_MAX;
        (*to_us)[w] = INT64_MIN;
    }
    for (size_t e = 0; e < r->n_executors; e++) {
        const struct executor_result *er = &r->executors[e];
        int64_t from = r->start_us, to = r->start_us + (int64_t)llround(er->alive_s * 1e6);
        if (from < (*from_us)[er->worker])
            (*from_us)[er->worker] = from;
        if (to > (*to_us)[er->worker])
            (*to_us)[er->worker] = to;
    }
    return n;
}

/* With autoscaling or spot evictions the cluster's size changes, and
 * results.scale records how many workers and executors were alive after
 * each change: that, not each executor's summed alive time, is the
 * available-slots and workers curve. levels[k] holds from times[k] to
 * times[k + 1] (the last to the run's end), in µs from the start. Returns
 * the number of steps (0: no scale events, use the executors' lives), or
 * -1 when memory runs out. */
struct size_step {
    int64_t t_us;
    double slots, workers;
};

static long scale_steps(const struct results *r, struct size_step **out)
{
    *out = NULL;
    if (r->n_scale == 0)
        return 0;
    struct size_step *st = malloc((r->n_scale + 1) * sizeof *st);
    if (!st)
        return -1;
    /* Executors share the cluster's layout: one executor's slots. */
    int spe = 0;
    for (size_t e = 0; e < r->n_executors; e++)
        if (r->executors[e].slots > spe)
            spe = r->executors[e].slots;
    /* The state at the start: those alive from the span's start. */
    int x0 = 0, w0 = 0;
    for (size_t e = 0; e < r->n_executors; e++)
        x0 += r->executors[e].ever_alive && r->executors[e].alive_from_us <= r->start_us;
    for (int w = 0;; w++) {
        bool any = false, seen = false;
        for (size_t e = 0; e < r->n_executors; e++) {
            const struct executor_result *er = &r->executors[e];
            any |= er->worker >= w;
            seen |= er->worker == w && er->ever_alive && er->alive_from_us <= r->start_us;
        }
        if (!any)
            break;
        w0 += seen;
    }
    long n = 0;
    st[n++] = (struct size_step){0, (double)x0 * spe, (double)w0};
    for (size_t i = 0; i < r->n_scale; i++) {
        const struct scale_event *ev = &r->scale[i];
        if (ev->t_us >= r->end_us)
            break; /* after the last job: outside the plot */
        int64_t t = ev->t_us > r->start_us ? ev->t_us - r->start_us : 0;
        struct size_step s = {t, (double)ev->executors_alive * spe, (double)ev->workers_alive};
        if (st[n - 1].t_us == t)
            st[n - 1] = s; /* the last change at an instant holds */
        else
            st[n++] = s;
    }
    *out = st;
    return n;
}

static void put_util_row(FILE *out, double t_s, double busy, double avail, double workers)
{
    fprintf(out, "%.6f,%.4f,%.4f,%.4f,%.6f\n", t_s, busy, avail, workers,
            avail > 0.0 ? busy / avail : 0.0);
}

/* Exact step function: a row at every instant something changes. */
static enum sc_status util_exact(FILE *out, const struct results *r, const int64_t *wfrom,
                                 const int64_t *wto, int nworkers, struct diag *d)
{
    struct size_step *steps;
    long ns = scale_steps(r, &steps);
    size_t n = 2 * (r->n_tasks + r->n_executors + (size_t)nworkers) + 2 * (size_t)(ns + 1);
    struct step_event *ev = ns >= 0 ? malloc(n * sizeof *ev) : NULL;
    if (!ev) {
        free(steps);
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory writing plot data");
    }
    size_t k = 0;
    for (size_t i = 0; i < r->n_tasks; i++) {
        ev[k++] = (struct step_event){r->tasks[i].launch_us, CURVE_BUSY, 1};
        ev[k++] = (struct step_event){r->tasks[i].end_us, CURVE_BUSY, -1};
    }
    if (ns > 0) {
        /* Level changes as steps; both curves drop to 0 at the end. */
        double slots = 0.0, workers = 0.0;
        for (long i = 0; i <= ns; i++) {
            int64_t t = i < ns ? r->start_us + steps[i].t_us : r->end_us;
            double s2 = i < ns ? steps[i].slots : 0.0, w2 = i < ns ? steps[i].workers : 0.0;
            ev[k++] = (struct step_event){t, CURVE_AVAIL, (int)llround(s2 - slots)};
            ev[k++] = (struct step_event){t, CURVE_WORKERS, (int)llround(w2 - workers)};
            slots = s2;
            workers = w2;
        }
    } else {
        for (size_t e = 0; e < r->n_executors; e++) {
            const struct executor_result *er = &r->executors[e];
            ev[k++] = (struct step_event){r->start_us, CURVE_AVAIL, er->slots};
            ev[k++] = (struct step_event){r->start_us + (int64_t)llround(er->alive_s * 1e6),
                                          CURVE_AVAIL, -er->slots};
        }
        for (int w = 0; w < nworkers; w++) {
            if (wfrom[w] > wto[w])
                continue; /* a worker id with no executor */
            ev[k++] = (struct step_event){wfrom[w], CURVE_WORKERS, 1};
            ev[k++] = (struct step_event){wto[w], CURVE_WORKERS, -1};
        }
    }
    free(steps);
    qsort(ev, k, sizeof *ev, compare_step);
    long level[N_CURVES] = {0};
    for (size_t i = 0; i < k;) {
        int64_t t = ev[i].t_us;
        while (i < k && ev[i].t_us == t) {
            level[ev[i].curve] += ev[i].delta;
            i++;
        }
        put_util_row(out, rel_s(r, t), (double)level[CURVE_BUSY], (double)level[CURVE_AVAIL],
                     (double)level[CURVE_WORKERS]);
    }
    free(ev);
    return SC_OK;
}

/* Adds weight over [a, b) (µs from the start) to bins of width w: partial
 * bins at both ends directly, whole bins through a difference array that is
 * summed once at the end, so a long interval costs O(1). */
static void bin_interval(double *acc, double *diff, size_t nbins, double w, double a, double b,
                         double weight)
{
    if (b <= a)
        return;
    size_t i0 = (size_t)(a / w), i1 = (size_t)(b / w);
    if (i0 >= nbins)
        i0 = nbins - 1;
    if (i1 >= nbins)
        i1 = nbins - 1;
    if (i0 == i1) {
        acc[i0] += (b - a) * weight;
        return;
    }
    acc[i0] += ((double)(i0 + 1) * w - a) * weight;
    acc[i1] += (b - (double)i1 * w) * weight;
    diff[i0 + 1] += weight;
    diff[i1] -= weight;
}

/* Binned: the time-average of each curve over PLOT_UTIL_BINS equal bins. */
static enum sc_status util_binned(FILE *out, const struct results *r, const int64_t *wfrom,
                                  const int64_t *wto, int nworkers, struct diag *d)
{
    const size_t nb = PLOT_UTIL_BINS;
    double *acc = calloc(N_CURVES * (nb + 1), sizeof *acc);
    double *diff = calloc(N_CURVES * (nb + 1), sizeof *diff);
    if (!acc || !diff) {
        free(acc);
        free(diff);
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory writing plot data");
    }
    double span = (double)span_us(r);
    double w = span > 0.0 ? span / (double)nb : 1.0;
    for (size_t i = 0; i < r->n_tasks; i++)
        bin_interval(acc, diff, nb, w, (double)(r->tasks[i].launch_us - r->start_us),
                     (double)(r->tasks[i].end_us - r->start_us), 1.0);
    struct size_step *steps;
    long ns = scale_steps(r, &steps);
    if (ns < 0) {
        free(acc);
        free(diff);
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory writing plot data");
    }
    for (long i = 0; i < ns; i++) {
        double a = (double)steps[i].t_us, b = i + 1 < ns ? (double)steps[i + 1].t_us : span;
        bin_interval(acc + (nb + 1), diff + (nb + 1), nb, w, a, b, steps[i].slots);
        bin_interval(acc + 2 * (nb + 1), diff + 2 * (nb + 1), nb, w, a, b, steps[i].workers);
    }
    free(steps);
    for (size_t e = 0; ns == 0 && e < r->n_executors; e++)
        bin_interval(acc + (nb + 1), diff + (nb + 1), nb, w, 0.0, r->executors[e].alive_s * 1e6,
                     r->executors[e].slots);
    for (int k = 0; ns == 0 && k < nworkers; k++)
        if (wfrom[k] <= wto[k])
            bin_interval(acc + 2 * (nb + 1), diff + 2 * (nb + 1), nb, w,
                         (double)(wfrom[k] - r->start_us), (double)(wto[k] - r->start_us), 1.0);
    double last[N_CURVES] = {0};
    double run[N_CURVES] = {0};
    for (size_t i = 0; i < nb; i++) {
        for (int c = 0; c < N_CURVES; c++) {
            run[c] += diff[c * (nb + 1) + i];
            last[c] = (acc[c * (nb + 1) + i] + run[c] * w) / w;
        }
        put_util_row(out, (double)i * w * 1e-6, last[CURVE_BUSY], last[CURVE_AVAIL],
                     last[CURVE_WORKERS]);
    }
    /* A closing row so the last bin's step reaches the end of the run. */
    put_util_row(out, span * 1e-6, last[CURVE_BUSY], last[CURVE_AVAIL], last[CURVE_WORKERS]);
    free(acc);
    free(diff);
    return SC_OK;
}

enum sc_status plot_write_utilization_csv(FILE *out, const struct results *r, struct diag *d)
{
    int64_t *wfrom = NULL, *wto = NULL;
    int nworkers = worker_spans(r, &wfrom, &wto);
    if (nworkers < 0) {
        free(wfrom);
        free(wto);
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory writing plot data");
    }
    fputs("time_s,busy_slots,available_slots,workers,utilization\n", out);
    enum sc_status st = r->n_tasks <= PLOT_EXACT_STEPS_MAX_TASKS
                            ? util_exact(out, r, wfrom, wto, nworkers, d)
                            : util_binned(out, r, wfrom, wto, nworkers, d);
    free(wfrom);
    free(wto);
    if (st != SC_OK)
        return st;
    return ferror(out) ? diag_set(d, SC_EIO, NULL, 0, "writing plot data failed") : SC_OK;
}

/* ---- finding the scripts and gnuplot ------------------------------------ */

static bool is_executable_file(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && access(path, X_OK) == 0;
}

char *plot_find_scripts(const struct plot_env *env, struct diag *d)
{
    /* Scripts the user names are used or reported, never replaced. */
    const char *dir = env ? env->scripts_dir : NULL;
    if (dir && dir[0]) {
        char *probe = datafile_path_join(dir, "overview.gp");
        bool ok = probe && datafile_is_readable(probe);
        free(probe);
        if (ok)
            return strdup(dir);
        diag_set(d, SC_ENOENT, NULL, 0,
                 "no gnuplot scripts in $STAGECAST_PLOTS (%s): it should name stagecast's "
                 "plots/ directory",
                 dir);
        return NULL;
    }
    char *found = NULL;
    char looked[600];
    enum sc_status st =
        datafile_find("plots", "plots", "overview.gp", &found, looked, sizeof looked);
    if (st == SC_ENOMEM)
        diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    else if (st != SC_OK)
        diag_set(d, SC_ENOENT, NULL, 0,
                 "no gnuplot scripts found (looked in: %s); set STAGECAST_PLOTS to stagecast's "
                 "plots/ directory",
                 looked[0] ? looked : "nowhere");
    return found;
}

static char *search_path(const char *path, const char *name)
{
    if (!path || !path[0])
        return NULL;
    const char *p = path;
    for (;;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        char dir[4096];
        if (len < sizeof dir) {
            /* An empty PATH entry is the current directory. */
            memcpy(dir, len ? p : ".", len ? len : 1);
            dir[len ? len : 1] = '\0';
            char *cand = datafile_path_join(dir, name);
            if (cand && is_executable_file(cand))
                return cand;
            free(cand);
        }
        if (!colon)
            return NULL;
        p = colon + 1;
    }
}

char *plot_find_gnuplot(const struct plot_env *penv, struct diag *d)
{
    static const char install[] =
        "install gnuplot to draw plots (Debian/Ubuntu: apt-get install gnuplot-nox, or "
        "gnuplot; elsewhere the gnuplot package)";
    const char *path = penv ? penv->path : NULL;
    const char *env = penv ? penv->gnuplot : NULL;
    if (env && env[0]) {
        char *p = strchr(env, '/') ? (is_executable_file(env) ? strdup(env) : NULL)
                                   : search_path(path, env);
        if (!p)
            diag_set(d, SC_ENOENT, NULL, 0,
                     "gnuplot not found: $STAGECAST_GNUPLOT is '%s', which is not an executable "
                     "program; %s, or unset STAGECAST_GNUPLOT",
                     env, install);
        return p;
    }
    char *p = search_path(path, "gnuplot");
    if (!p)
        diag_set(d, SC_ENOENT, NULL, 0,
                 "gnuplot not found on PATH; %s, or set STAGECAST_GNUPLOT to the program", install);
    return p;
}

bool plot_path_supported(const char *path)
{
    if (strcmp(path, "-") == 0)
        return true;
    size_t n = strlen(path);
    if (n < 5 || path[n - 5] == '/')
        return false;
    const char *ext = path + n - 4;
    return strcasecmp(ext, ".png") == 0 || strcasecmp(ext, ".svg") == 0 ||
           strcasecmp(ext, ".pdf") == 0;
}

/* ---- staging, drawing, committing --------------------------------------- */

struct plot_files {
    char *stage_dir;   /* everything is written here first */
    char *dest_dir;    /* --plot-dir, or NULL */
    bool created_dest; /* stagecast made dest_dir: removed again on abort */
    char *plot_path;   /* --plot, or NULL */
    char *plot_tmp;    /* the drawing before it is renamed to plot_path */
    bool preview;      /* plot_path is "-" */
};

/* Removes every file in the staging directory and the directory. */
static void remove_stage_dir(const char *dir)
{
    DIR *dh = opendir(dir);
    if (dh) {
        struct dirent *e;
        while ((e = readdir(dh)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char *p = datafile_path_join(dir, e->d_name);
            if (p)
                unlink(p);
            free(p);
        }
        closedir(dh);
    }
    rmdir(dir);
}

static void plot_files_free(struct plot_files *pf)
{
    free(pf->stage_dir);
    free(pf->dest_dir);
    free(pf->plot_path);
    free(pf->plot_tmp);
    free(pf);
}

void plot_abort(struct plot_files *pf)
{
    if (!pf)
        return;
    if (pf->plot_tmp) {
        unlink(pf->plot_tmp);
        outfile_forget_tmp(pf->plot_tmp);
    }
    if (pf->stage_dir)
        remove_stage_dir(pf->stage_dir);
    if (pf->created_dest && pf->dest_dir)
        rmdir(pf->dest_dir);
    plot_files_free(pf);
}

typedef enum sc_status (*data_writer)(FILE *out, const struct plan *plan, const struct results *r,
                                      struct diag *d);

static enum sc_status write_executors(FILE *out, const struct plan *plan, const struct results *r,
                                      struct diag *d)
{
    (void)plan;
    return plot_write_executors_csv(out, r, d);
}

static enum sc_status write_bars(FILE *out, const struct plan *plan, const struct results *r,
                                 struct diag *d)
{
    (void)plan;
    return plot_write_bars_csv(out, r, d);
}

static enum sc_status write_utilization(FILE *out, const struct plan *plan,
                                        const struct results *r, struct diag *d)
{
    (void)plan;
    return plot_write_utilization_csv(out, r, d);
}

static enum sc_status write_staged(const char *dir, const char *name, data_writer fn,
                                   const struct plan *plan, const struct results *r,
                                   struct diag *d)
{
    char *path = datafile_path_join(dir, name);
    if (!path)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    FILE *f = fopen(path, "w");
    if (!f) {
        diag_set(d, SC_EIO, path, 0, "cannot write: %s", strerror(errno));
        free(path);
        return d->status;
    }
    enum sc_status st = fn(f, plan, r, d);
    if (fclose(f) != 0 && st == SC_OK)
        st = diag_set(d, SC_EIO, path, 0, "writing failed: %s", strerror(errno));
    free(path);
    return st;
}

static enum sc_status copy_file(const char *from, const char *to, struct diag *d)
{
    FILE *in = fopen(from, "rb");
    if (!in)
        return diag_set(d, SC_ENOENT, from, 0, "cannot read: %s", strerror(errno));
    FILE *out = fopen(to, "wb");
    if (!out) {
        fclose(in);
        return diag_set(d, SC_EIO, to, 0, "cannot write: %s", strerror(errno));
    }
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n)
            break;
    int bad = ferror(in) || ferror(out);
    fclose(in);
    if (fclose(out) != 0)
        bad = 1;
    return bad ? diag_set(d, SC_EIO, to, 0, "copying %s failed", from) : SC_OK;
}

/* Makes the staging directory: inside the plot directory (so committing is
 * a rename on one file system), else in $TMPDIR. */
static enum sc_status make_stage_dir(struct plot_files *pf, const char *tmp_dir, struct diag *d)
{
    const char *base;
    if (pf->dest_dir) {
        if (mkdir(pf->dest_dir, 0777) == 0) {
            pf->created_dest = true;
        } else if (errno != EEXIST) {
            return diag_set(d, SC_EIO, pf->dest_dir, 0, "cannot create the plot directory: %s",
                            strerror(errno));
        } else {
            struct stat sb;
            if (stat(pf->dest_dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
                return diag_set(d, SC_EIO, pf->dest_dir, 0,
                                "--plot-dir names a file, not a directory");
        }
        base = pf->dest_dir;
    } else {
        base = tmp_dir;
        if (!base || !base[0])
            base = "/tmp";
    }
    pf->stage_dir = datafile_path_join(base, ".stagecast-plot.XXXXXX");
    if (!pf->stage_dir)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    if (!mkdtemp(pf->stage_dir)) {
        free(pf->stage_dir);
        pf->stage_dir = NULL;
        return diag_set(d, SC_EIO, base, 0, "cannot write plot data here: %s", strerror(errno));
    }
    return SC_OK;
}

struct plot_files *plot_stage(const struct plot_request *req, const char *scripts_dir,
                              const struct plan *plan, const struct results *r, struct diag *d)
{
    if (!r->keep_tasks && r->n_attempts > 0) {
        SC_BUG(d, "%s needs the per-task records (sim_options.task_records)", "a plot");
        return NULL;
    }
    struct plot_files *pf = calloc(1, sizeof *pf);
    if (!pf) {
        diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        return NULL;
    }
    pf->preview = req->plot_path && strcmp(req->plot_path, "-") == 0;
    if ((req->plot_dir && !(pf->dest_dir = strdup(req->plot_dir))) ||
        (req->plot_path && !(pf->plot_path = strdup(req->plot_path)))) {
        diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        goto fail;
    }
    if (make_stage_dir(pf, req->tmp_dir, d) != SC_OK)
        goto fail;
    static const data_writer writers[N_DATA] = {plot_write_run_csv, plot_write_stages_csv,
                                                write_executors, write_bars, write_utilization};
    for (size_t i = 0; i < N_DATA; i++)
        if (write_staged(pf->stage_dir, data_files[i], writers[i], plan, r, d) != SC_OK)
            goto fail;
    if (pf->dest_dir) {
        if (!scripts_dir) {
            SC_BUG(d, "plot_stage: a plot directory needs the scripts' directory");
            goto fail;
        }
        for (size_t i = 0; i < N_SCRIPTS; i++) {
            char *from = datafile_path_join(scripts_dir, plot_scripts[i]);
            char *to = datafile_path_join(pf->stage_dir, plot_scripts[i]);
            enum sc_status st = from && to ? copy_file(from, to, d)
                                           : diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
            free(from);
            free(to);
            if (st != SC_OK)
                goto fail;
        }
    }
    /* The drawing's temporary file sits beside its destination, so that
     * an unwritable destination is found now and commit is a rename. */
    if (pf->plot_path && !pf->preview) {
        size_t n = strlen(pf->plot_path);
        pf->plot_tmp = malloc(n + 48);
        if (!pf->plot_tmp) {
            diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
            goto fail;
        }
        int fd = outfile_create_tmp(pf->plot_path, pf->plot_tmp, n + 48);
        if (fd < 0) {
            diag_set(d, SC_EIO, pf->plot_path, 0, "cannot write: %s", strerror(errno));
            free(pf->plot_tmp);
            pf->plot_tmp = NULL;
            goto fail;
        }
        close(fd);
    }
    return pf;
fail:
    plot_abort(pf);
    return NULL;
}

/* gnuplot reads '...' strings with '' for a quote; paths go in that way. */
static bool append_quoted(char *buf, size_t size, size_t *used, const char *text)
{
    for (const char *p = text; *p; p++) {
        if (*used + 3 >= size)
            return false;
        if (*p == '\'')
            buf[(*used)++] = '\'';
        buf[(*used)++] = *p;
    }
    buf[*used] = '\0';
    return true;
}

static bool append_text(char *buf, size_t size, size_t *used, const char *text)
{
    size_t n = strlen(text);
    if (*used + n + 1 >= size)
        return false;
    memcpy(buf + *used, text, n + 1);
    *used += n;
    return true;
}

/* The first lines gnuplot wrote to stderr, joined, for a one-line error. */
static void read_error_lines(const char *path, char *msg, size_t size)
{
    msg[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[512];
    size_t used = 0;
    int lines = 0;
    while (lines < 3 && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *p = line;
        while (*p == ' ' || *p == '^')
            p++;
        if (!*p)
            continue;
        int k = snprintf(msg + used, size - used, "%s%s", used ? " / " : "", p);
        if (k < 0 || (size_t)k >= size - used)
            break;
        used += (size_t)k;
        lines++;
    }
    fclose(f);
}

bool plot_file_complete(const char *path, const char *fmt, char *why, size_t why_size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, why_size, "cannot read it back: %s", strerror(errno));
        return false;
    }
    unsigned char head[8] = {0}, tail[1024];
    size_t nh = fread(head, 1, sizeof head, f);
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    long from = size > (long)sizeof tail ? size - (long)sizeof tail : 0;
    size_t nt = size >= 0 && fseek(f, from, SEEK_SET) == 0 ? fread(tail, 1, sizeof tail, f) : 0;
    fclose(f);
    while (nt > 0 && (tail[nt - 1] == '\n' || tail[nt - 1] == '\r' || tail[nt - 1] == ' '))
        nt--;
    bool ok = true;
    if (strcmp(fmt, "png") == 0) {
        /* The signature, and the IEND chunk last: length 0, "IEND", CRC. */
        static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        ok = nh == 8 && memcmp(head, sig, 8) == 0 && nt >= 12 &&
             memcmp(tail + nt - 8, "IEND", 4) == 0;
    } else if (strcmp(fmt, "svg") == 0) {
        ok = nt >= 6 && memcmp(tail + nt - 6, "</svg>", 6) == 0;
    } else if (strcmp(fmt, "pdf") == 0) {
        /* "%PDF-" first, "%%EOF" at the end. */
        ok = nh >= 5 && memcmp(head, "%PDF-", 5) == 0 && nt >= 5 &&
             memcmp(tail + nt - 5, "%%EOF", 5) == 0;
    }
    if (!ok)
        snprintf(why, why_size,
                 "the %s gnuplot wrote is incomplete (%ld bytes; a full disk?), so it is not "
                 "kept",
                 fmt, size);
    return ok;
}

/* Runs gnuplot on script after the commands in setup, as a child with no
 * shell in between: stdin and stdout from /dev/null (a drawing goes to
 * out_path), stderr to err_path for the message. what names the drawing in
 * errors. Returns SC_OK when gnuplot succeeded and drew something. */
static enum sc_status run_gnuplot(const char *gnuplot, const char *setup, const char *script,
                                  const char *out_path, const char *err_path, const char *what,
                                  const char *fmt, struct diag *d)
{
    posix_spawn_file_actions_t fa;
    if (posix_spawn_file_actions_init(&fa) != 0)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    char *argv[] = {(char *)gnuplot, "-e", (char *)setup, (char *)script, NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, gnuplot, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return diag_set(d, SC_EIO, NULL, 0, "cannot run gnuplot (%s): %s", gnuplot, strerror(rc));
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return diag_set(d, SC_EIO, NULL, 0, "waiting for gnuplot failed: %s",
                            strerror(errno));
    struct stat sb;
    bool drawn = stat(out_path, &sb) == 0 && sb.st_size > 0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !drawn) {
        char msg[400];
        read_error_lines(err_path, msg, sizeof msg);
        if (!WIFEXITED(status))
            return diag_set(d, SC_EIO, NULL, 0, "gnuplot (%s) was killed by signal %d drawing %s",
                            gnuplot, WTERMSIG(status), what);
        return diag_set(d, SC_EIO, NULL, 0, "gnuplot (%s) failed drawing %s (exit %d): %s",
                        gnuplot, what, WEXITSTATUS(status), msg[0] ? msg : "it drew nothing");
    }
    /* gnuplot exits 0 with a truncated file when the disk is full: read the
     * drawing's structure back before it replaces anything. */
    char why[300];
    if (!plot_file_complete(out_path, fmt, why, sizeof why))
        return diag_set(d, SC_EIO, what, 0, "%s", why);
    return SC_OK;
}

enum sc_status plot_render(struct plot_files *pf, const char *gnuplot, const char *scripts_dir,
                           struct diag *d)
{
    if (!pf->plot_path)
        return SC_OK;
    char *out_path =
        pf->preview ? datafile_path_join(pf->stage_dir, "preview.txt") : strdup(pf->plot_tmp);
    char *err_path = datafile_path_join(pf->stage_dir, "gnuplot.err");
    char *script = datafile_path_join(scripts_dir, pf->preview ? "utilization.gp" : "overview.gp");
    const char *fmt = "dumb";
    if (!pf->preview) {
        const char *ext = pf->plot_path + strlen(pf->plot_path) - 3;
        fmt = strcasecmp(ext, "svg") == 0 ? "svg" : strcasecmp(ext, "pdf") == 0 ? "pdf" : "png";
    }
    char setup[8192];
    size_t used = 0;
    setup[0] = '\0';
    bool ok = out_path && err_path && script &&
              append_text(setup, sizeof setup, &used, "datadir='") &&
              append_quoted(setup, sizeof setup, &used, pf->stage_dir) &&
              append_text(setup, sizeof setup, &used, "/'; outfile='") &&
              append_quoted(setup, sizeof setup, &used, out_path) &&
              append_text(setup, sizeof setup, &used, "'; fmt='") &&
              append_text(setup, sizeof setup, &used, fmt) &&
              append_text(setup, sizeof setup, &used, "'");
    enum sc_status st = SC_OK;
    if (!ok) {
        st = out_path && err_path && script
                 ? diag_set(d, SC_ELIMIT, NULL, 0, "plot paths too long for gnuplot")
                 : diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        goto done;
    }

    st = run_gnuplot(gnuplot, setup, script, out_path, err_path, pf->plot_path, fmt, d);
done:
    free(out_path);
    free(err_path);
    free(script);
    return st;
}

/* Copies gnuplot's terminal drawing to out without the form feed the dumb
 * terminal starts a page with, nor the blanks it pads lines with. */
static enum sc_status copy_to_stream(const char *path, FILE *out, struct diag *d)
{
    FILE *in = fopen(path, "r");
    if (!in)
        return diag_set(d, SC_EIO, NULL, 0, "the terminal preview was not drawn");
    char line[1024];
    while (fgets(line, sizeof line, in)) {
        char *p = line;
        while (*p == '\f')
            p++;
        size_t n = strlen(p);
        bool nl = n > 0 && p[n - 1] == '\n';
        while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == ' ' || p[n - 1] == '\r'))
            n--;
        fwrite(p, 1, n, out);
        if (nl)
            fputc('\n', out);
    }
    fclose(in);
    if (fflush(out) != 0 || ferror(out))
        return diag_set(d, SC_EIO, NULL, 0, "writing to standard output failed");
    return SC_OK;
}

enum sc_status plot_commit(struct plot_files *pf, FILE *preview, struct diag *d)
{
    if (!pf)
        return SC_OK;
    enum sc_status st = SC_OK;
    if (pf->dest_dir) {
        /* Data first, scripts after: a script never lands without its data. */
        for (size_t i = 0; i < N_DATA + N_SCRIPTS && st == SC_OK; i++) {
            const char *name = i < N_DATA ? data_files[i] : plot_scripts[i - N_DATA];
            char *from = datafile_path_join(pf->stage_dir, name);
            char *to = datafile_path_join(pf->dest_dir, name);
            if (!from || !to)
                st = diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
            else if (rename(from, to) != 0)
                st = diag_set(d, SC_EIO, to, 0, "writing failed: %s", strerror(errno));
            free(from);
            free(to);
        }
    }
    if (st == SC_OK && pf->plot_tmp) {
        if (rename(pf->plot_tmp, pf->plot_path) != 0)
            st = diag_set(d, SC_EIO, pf->plot_path, 0, "writing failed: %s", strerror(errno));
        else {
            outfile_forget_tmp(pf->plot_tmp);
            free(pf->plot_tmp);
            pf->plot_tmp = NULL;
        }
    }
    if (st == SC_OK && pf->preview) {
        char *p = datafile_path_join(pf->stage_dir, "preview.txt");
        st = p ? copy_to_stream(p, preview, d) : diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        free(p);
    }
    if (pf->plot_tmp) {
        unlink(pf->plot_tmp);
        outfile_forget_tmp(pf->plot_tmp);
    }
    remove_stage_dir(pf->stage_dir);
    plot_files_free(pf);
    return st;
}

enum sc_status plot_sweep(const char *csv_path, const char *out_path, const struct plot_env *env,
                          struct diag *d)
{
    if (!plot_path_supported(out_path) || strcmp(out_path, "-") == 0)
        return diag_set(d, SC_EINPUT, NULL, 0,
                        "--plot draws a .png, .svg or .pdf file, not '%s'", out_path);
    char *gnuplot = plot_find_gnuplot(env, d);
    if (!gnuplot)
        return d->status;
    char *scripts = plot_find_scripts(env, d);
    if (!scripts) {
        free(gnuplot);
        return d->status;
    }
    /* Draw into a temporary file beside the destination, then rename it:
     * the plot appears whole or not at all. */
    size_t n = strlen(out_path);
    char *tmp = malloc(n + 48), *err = malloc(n + 32),
         *script = datafile_path_join(scripts, "sweep.gp");
    enum sc_status st = SC_OK;
    int fd = -1, efd = -1;
    if (!tmp || !err || !script) {
        st = diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        goto done;
    }
    const char *ext = out_path + n - 3;
    snprintf(err, n + 32, "%s.err.XXXXXX", out_path);
    fd = outfile_create_tmp(out_path, tmp, n + 48);
    efd = fd >= 0 ? mkstemp(err) : -1;
    if (fd < 0 || efd < 0) {
        st = diag_set(d, SC_EIO, out_path, 0, "cannot write: %s", strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
            outfile_forget_tmp(tmp);
            fd = -1;
        }
        goto done;
    }
    close(fd);
    close(efd);
    char setup[8192];
    size_t used = 0;
    setup[0] = '\0';
    const char *sfmt = strcasecmp(ext, "svg") == 0   ? "svg"
                       : strcasecmp(ext, "pdf") == 0 ? "pdf"
                                                     : "png";
    bool ok = append_text(setup, sizeof setup, &used, "sweepfile='") &&
              append_quoted(setup, sizeof setup, &used, csv_path) &&
              append_text(setup, sizeof setup, &used, "'; outfile='") &&
              append_quoted(setup, sizeof setup, &used, tmp) &&
              append_text(setup, sizeof setup, &used, "'; fmt='") &&
              append_text(setup, sizeof setup, &used, sfmt) &&
              append_text(setup, sizeof setup, &used, "'");
    if (!ok)
        st = diag_set(d, SC_ELIMIT, NULL, 0, "plot paths too long for gnuplot");
    else
        st = run_gnuplot(gnuplot, setup, script, tmp, err, out_path, sfmt, d);
    if (st == SC_OK && rename(tmp, out_path) != 0)
        st = diag_set(d, SC_EIO, out_path, 0, "cannot write: %s", strerror(errno));
    if (st != SC_OK)
        unlink(tmp);
    outfile_forget_tmp(tmp);
    unlink(err);
done:
    free(tmp);
    free(err);
    free(script);
    free(scripts);
    free(gnuplot);
    return st;
}
