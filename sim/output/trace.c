/*
 * trace.c — a run's task records as a Chrome trace (see trace.h). It sits
 * beside the report: it only formats what the simulation recorded.
 *
 * A million-task run writes a few million events, so the JSON is printed
 * directly rather than built as a jansson tree (which would hold every
 * event in memory at once); what repeats per task — the stage's escaped
 * name, category and colour — is escaped once per stage.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "sim/output/trace.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/output/report.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.1.0"
#endif

/* chrome://tracing colours slices by "cname", which must be one of its
 * reserved colour names; these are distinct ones, cycled over the stages in
 * submission order. Perfetto ignores cname and colours by name, and each
 * stage's tasks share a name, so there too a stage has one colour. */
static const char *const stage_cnames[] = {"thread_state_runnable",
                                           "thread_state_running",
                                           "thread_state_iowait",
                                           "background_memory_dump",
                                           "detailed_memory_dump",
                                           "thread_state_unknown",
                                           "thread_state_uninterruptible",
                                           "olive",
                                           "light_memory_dump",
                                           "yellow",
                                           "rail_animation",
                                           "rail_idle"};
#define N_CNAMES (sizeof stage_cnames / sizeof stage_cnames[0])

static const char *const phase_cnames[PHASE_COUNT] = {"rail_load", "thread_state_iowait", "good",
                                                      "bad", "rail_response"};

static const char *const status_names[] = {"success", "failed", "killed"};

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *p)
{
    if (p[0] < 0x80)
        return 1;
    size_t n = p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;
    if (n == 0 || (p[0] >= 0xf8))
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    /* Overlong three-byte forms and UTF-16 surrogates are not UTF-8. */
    if (n == 3 && ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0)))
        return 0;
    if (n == 4 && ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90)))
        return 0;
    return n;
}

/* text escaped for a JSON string (without the quotes), malloc'd. Bytes that
 * are not UTF-8 become '?': a scenario's names are the user's bytes, and a
 * trace a viewer refuses helps no one. */
static char *json_escape(const char *text)
{
    size_t n = strlen(text);
    char *out = malloc(6 * n + 1);
    if (!out)
        return NULL;
    size_t k = 0;
    const unsigned char *p = (const unsigned char *)text;
    while (*p) {
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            out[k++] = '\\';
            out[k++] = (char)c;
            p++;
        } else if (c < 0x20) {
            k += (size_t)sprintf(out + k, "\\u%04x", c);
            p++;
        } else {
            size_t len = utf8_len(p);
            if (len == 0) {
                out[k++] = '?';
                p++;
            } else {
                memcpy(out + k, p, len);
                k += len;
                p += len;
            }
        }
    }
    out[k] = '\0';
    return out;
}

/* What each stage's events repeat, escaped once. */
struct trace_stage {
    char *name; /* "S<spark id> <name>" escaped */
    long long spark_id;
    const char *cname;
    long rank; /* submission order */
};

static void free_stages(struct trace_stage *ts, size_t n)
{
    if (!ts)
        return;
    for (size_t i = 0; i < n; i++)
        free(ts[i].name);
    free(ts);
}

struct rank_key {
    int64_t spark_id;
    size_t index;
};

static int compare_rank_key(const void *a, const void *b)
{
    const struct rank_key *x = a, *y = b;
    if (x->spark_id != y->spark_id)
        return x->spark_id < y->spark_id ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

static struct trace_stage *build_stages(const struct results *r)
{
    size_t n = r->n_stages ? r->n_stages : 1;
    struct trace_stage *ts = calloc(n, sizeof *ts);
    struct rank_key *keys = malloc(n * sizeof *keys);
    if (!ts || !keys) {
        free(ts);
        free(keys);
        return NULL;
    }
    /* Colours go by Spark's id: stages submitted one after another get
     * neighbouring colours, which therefore differ. */
    for (size_t i = 0; i < r->n_stages; i++)
        keys[i] = (struct rank_key){r->stages[i].spark_id, i};
    qsort(keys, r->n_stages, sizeof *keys, compare_rank_key);
    for (size_t k = 0; k < r->n_stages; k++)
        ts[keys[k].index].rank = (long)k;
    free(keys);
    for (size_t i = 0; i < r->n_stages; i++) {
        const struct stage_result *st = &r->stages[i];
        char name[128], label[160];
        snprintf(label, sizeof label, "S%lld %s", (long long)st->spark_id,
                 report_stage_name(st, name, sizeof name));
        ts[i].name = json_escape(label);
        ts[i].spark_id = (long long)st->spark_id;
        ts[i].cname = stage_cnames[(size_t)ts[i].rank % N_CNAMES];
        if (!ts[i].name) {
            free_stages(ts, r->n_stages);
            return NULL;
        }
    }
    return ts;
}

/* Writes a metadata event naming a process or thread, and its sort order. */
static void put_meta(FILE *out, const char *what, long pid, long tid, const char *name_esc,
                     long sort_index)
{
    fprintf(out,
            ",\n{\"name\":\"%s_name\",\"ph\":\"M\",\"pid\":%ld,\"tid\":%ld,"
            "\"args\":{\"name\":\"%s\"}}",
            what, pid, tid, name_esc);
    fprintf(out,
            ",\n{\"name\":\"%s_sort_index\",\"ph\":\"M\",\"pid\":%ld,\"tid\":%ld,"
            "\"args\":{\"sort_index\":%ld}}",
            what, pid, tid, sort_index);
}

/* One phase slice, [start_ns, start_ns + len_ns) of the run, on a task's
 * thread. */
static void put_phase(FILE *out, const char *name, const char *cname, long long start_ns,
                      long long len_ns, int pid, long tid)
{
    fprintf(out,
            ",\n{\"name\":\"%s\",\"cat\":\"" TRACE_PHASE_CATEGORY "\",\"ph\":\"X\","
            "\"ts\":%lld.%03lld,\"dur\":%lld.%03lld,\"pid\":%d,\"tid\":%ld,"
            "\"cname\":\"%s\"}",
            name, start_ns / 1000, start_ns % 1000, len_ns / 1000, len_ns % 1000, pid, tid, cname);
}

/* A task attempt's phases as slices nested in its event. The model runs
 * input, then compute with the shuffle fetch under it (Spark's reducer
 * computes on blocks as they arrive; phase_s[PHASE_FETCH] is only the wait
 * for blocks beyond the compute), then spill and write. So the compute
 * slice spans the compute and that wait, the fetch slice sits inside it
 * from its start for the fetch's own time (fetch_s), and the others follow
 * back to back. The phases are floats in seconds while the attempt's span
 * is whole microseconds, so each slice is clipped to the span: one that
 * overhangs its parent would be drawn outside it. */
static void put_phases(FILE *out, const struct task_rec *t, long long ts_us, long long dur_us,
                       long tid)
{
    long long dur_ns = dur_us * 1000, at_ns = 0;
    for (int p = 0; p < PHASE_COUNT; p++) {
        if (p == PHASE_FETCH)
            continue; /* drawn with the compute */
        double len_s = t->phase_s[p];
        if (p == PHASE_COMPUTE)
            len_s += t->phase_s[PHASE_FETCH];
        long long end_ns = at_ns + llround(len_s * 1e9);
        if (end_ns > dur_ns)
            end_ns = dur_ns;
        if (p == PHASE_COMPUTE && t->fetch_s > 0.0f) {
            /* The fetch ends with its last block, never after the compute
             * that waits for it; a task killed mid-fetch shows what ran. */
            long long fetch_end_ns = at_ns + llround((double)t->fetch_s * 1e9);
            if (fetch_end_ns > end_ns)
                end_ns = fetch_end_ns < dur_ns ? fetch_end_ns : dur_ns;
            if (end_ns > at_ns)
                put_phase(out, task_phase_name(PHASE_COMPUTE), phase_cnames[PHASE_COMPUTE],
                          ts_us * 1000 + at_ns, end_ns - at_ns, t->executor + 1, tid);
            if (fetch_end_ns > end_ns)
                fetch_end_ns = end_ns;
            if (fetch_end_ns > at_ns)
                put_phase(out, task_phase_name(PHASE_FETCH), phase_cnames[PHASE_FETCH],
                          ts_us * 1000 + at_ns, fetch_end_ns - at_ns, t->executor + 1, tid);
            at_ns = end_ns > at_ns ? end_ns : at_ns;
            continue;
        }
        if (end_ns <= at_ns)
            continue;
        put_phase(out, task_phase_name((enum task_phase)p), phase_cnames[p], ts_us * 1000 + at_ns,
                  end_ns - at_ns, t->executor + 1, tid);
        at_ns = end_ns;
    }
}

enum sc_status trace_write_chrome(FILE *out, const struct plan *plan, const struct results *r,
                                  struct diag *d)
{
    if (!r->keep_tasks && r->n_attempts > 0)
        return SC_BUG(d, "%s needs the per-task records (sim_options.task_records)", "the trace");
    struct trace_stage *ts = build_stages(r);
    long *first_tid = malloc((r->n_executors ? r->n_executors : 1) * sizeof *first_tid);
    char *scenario_name = json_escape(plan && plan->scn->name ? plan->scn->name : "");
    if (!ts || !first_tid || !scenario_name) {
        free_stages(ts, r->n_stages);
        free(first_tid);
        free(scenario_name);
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory writing the trace");
    }
    long slots = 0;
    for (size_t e = 0; e < r->n_executors; e++) {
        first_tid[e] = 1 + slots;
        slots += r->executors[e].slots;
    }
    long driver_pid = (long)r->n_executors + 1;

    fprintf(out,
            "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"generator\":\"stagecast %s\","
            "\"scenario\":\"%s\",\"seed\":%llu,\"makespan_s\":%.6f},\n\"traceEvents\":[\n",
            PACKAGE_VERSION, scenario_name, (unsigned long long)r->seed, r->makespan_s);
    /* The driver's process first (sort index 0), then the executors. */
    fprintf(out,
            "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%ld,\"tid\":0,"
            "\"args\":{\"name\":\"driver: jobs and stages\"}}",
            driver_pid);
    fprintf(out,
            ",\n{\"name\":\"process_sort_index\",\"ph\":\"M\",\"pid\":%ld,\"tid\":0,"
            "\"args\":{\"sort_index\":0}}",
            driver_pid);
    for (size_t e = 0; e < r->n_executors; e++) {
        const struct executor_result *er = &r->executors[e];
        char label[96];
        snprintf(label, sizeof label, "executor %d (worker %d)", er->id, er->worker);
        fprintf(out,
                ",\n{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%zu,\"tid\":0,"
                "\"args\":{\"name\":\"%s\"}}",
                e + 1, label);
        fprintf(out,
                ",\n{\"name\":\"process_sort_index\",\"ph\":\"M\",\"pid\":%zu,\"tid\":0,"
                "\"args\":{\"sort_index\":%zu}}",
                e + 1, e + 1);
        for (int k = 0; k < er->slots; k++) {
            snprintf(label, sizeof label, "slot %d", k);
            put_meta(out, "thread", (long)e + 1, first_tid[e] + k, label, k);
        }
    }

    /* Driver threads: one per job, then one per stage, each with its span
     * (jobs and stages overlap one another, so each needs its own track). */
    long tid = slots + 1;
    for (size_t j = 0; j < r->n_jobs; j++, tid++) {
        const struct job_result *jr = &r->jobs[j];
        char *name = json_escape(jr->name ? jr->name : "");
        char *pool = json_escape(jr->pool ? jr->pool : "default");
        if (!name || !pool) {
            free(name);
            free(pool);
            goto nomem;
        }
        char label[64];
        snprintf(label, sizeof label, "job %lld", (long long)jr->spark_id);
        put_meta(out, "thread", driver_pid, tid, label, tid);
        fprintf(out,
                ",\n{\"name\":\"job %lld: %s\",\"cat\":\"job\",\"ph\":\"X\",\"ts\":%lld,"
                "\"dur\":%lld,\"pid\":%ld,\"tid\":%ld,\"args\":{\"pool\":\"%s\"}}",
                (long long)jr->spark_id, name, (long long)(jr->submit_us - r->start_us),
                (long long)(jr->end_us - jr->submit_us), driver_pid, tid, pool);
        free(name);
        free(pool);
    }
    for (size_t i = 0; i < r->n_stages; i++) {
        const struct stage_result *st = &r->stages[i];
        long stid = tid + ts[i].rank;
        char label[64];
        snprintf(label, sizeof label, "stage %lld", ts[i].spark_id);
        put_meta(out, "thread", driver_pid, stid, label, stid);
        fprintf(out,
                ",\n{\"name\":\"%s\",\"cat\":\"stage-span\",\"ph\":\"X\",\"ts\":%lld,"
                "\"dur\":%lld,\"pid\":%ld,\"tid\":%ld,\"cname\":\"%s\",\"args\":{"
                "\"job\":%lld,\"stage_id\":%lld,\"tasks\":%lld,\"task_p50_s\":%.6f,"
                "\"task_p95_s\":%.6f,\"task_max_s\":%.6f}}",
                ts[i].name, (long long)(st->submit_us - r->start_us),
                (long long)(st->end_us - st->submit_us), driver_pid, stid, ts[i].cname,
                (long long)r->jobs[st->job].spark_id, (long long)st->id, (long long)st->tasks,
                st->task_p50_s, st->task_p95_s, st->task_max_s);
    }

    /* One complete event per task attempt, its phases nested inside. The
     * phases are floats in seconds while the attempt's span is whole
     * microseconds, so each phase is clipped to the span: a slice that
     * overhangs its parent would be drawn outside it. */
    for (size_t i = 0; i < r->n_tasks; i++) {
        const struct task_rec *t = &r->tasks[i];
        const struct trace_stage *sg = &ts[t->stage];
        long long ts_us = (long long)(t->launch_us - r->start_us);
        long long dur_us = (long long)(t->end_us - t->launch_us);
        long ttid = first_tid[t->executor] + t->slot;
        unsigned st = t->status < 3 ? t->status : 0;
        const char *cname = st == TASK_FAILED ? "terrible" : st == TASK_KILLED ? "grey" : sg->cname;
        fprintf(out,
                ",\n{\"name\":\"%s\",\"cat\":\"stage %lld\",\"ph\":\"X\",\"ts\":%lld,"
                "\"dur\":%lld,\"pid\":%d,\"tid\":%ld,\"cname\":\"%s\",\"args\":{"
                "\"job\":%lld,\"task\":%d,\"attempt\":%d,\"status\":\"%s\","
                "\"scheduler_delay_us\":%lld}}",
                sg->name, sg->spark_id, ts_us, dur_us, t->executor + 1, ttid, cname,
                (long long)r->jobs[r->stages[t->stage].job].spark_id, t->index, t->attempt,
                status_names[st], (long long)(t->launch_us - t->assign_us));
        put_phases(out, t, ts_us, dur_us, ttid);
    }
    fputs("\n]}\n", out);
    free_stages(ts, r->n_stages);
    free(first_tid);
    free(scenario_name);
    if (ferror(out))
        return diag_set(d, SC_EIO, NULL, 0, "writing the trace failed");
    return SC_OK;
nomem:
    free_stages(ts, r->n_stages);
    free(first_tid);
    free(scenario_name);
    return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory writing the trace");
}
