/*
 * plan_print.c — the text of `stagecast plan` (see plan_print.h). It sits
 * after the planner and beside the reports: it formats the stages the
 * planner wrote into the scenario and computes nothing of its own.
 *
 * Each planned stage is printed as its header line (id, Spark job, tasks,
 * parents, kernel), its operators one per line in pipeline order (a stage
 * that reads a shuffle starts with ShuffleRead, a map stage ends with the
 * Exchange it writes), and a line of estimated rows and bytes.
 */
#include "sim/plan/plan_print.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "models/units.h"

/* 12345678 -> "12,345,678". */
static const char *group_digits(int64_t v, char *buf, size_t size)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%lld", (long long)(v < 0 ? -v : v));
    size_t len = strlen(tmp), o = 0;
    if (v < 0 && o + 1 < size)
        buf[o++] = '-';
    for (size_t i = 0; i < len && o + 2 < size; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = tmp[i];
    }
    buf[o] = '\0';
    return buf;
}

static void print_parents(FILE *out, const struct plan_stage *sp)
{
    if (sp->n_parents == 0) {
        fprintf(out, "-");
        return;
    }
    for (size_t p = 0; p < sp->n_parents; p++)
        fprintf(out, "%s%lld", p ? "," : "", (long long)sp->parents[p]);
}

/* Bytes moved by the stage: input, shuffle read and write, output. */
static void print_bytes(FILE *out, const struct plan_stage *sp)
{
    char b[32];
    if (sp->input_bytes > 0)
        fprintf(out, ", %s input", units_format_bytes(sp->input_bytes, b, sizeof b));
    if (sp->shuffle_read_bytes > 0)
        fprintf(out, ", %s shuffle read", units_format_bytes(sp->shuffle_read_bytes, b, sizeof b));
    if (sp->shuffle_write_bytes > 0)
        fprintf(out, ", %s shuffle write",
                units_format_bytes(sp->shuffle_write_bytes, b, sizeof b));
    if (sp->output_bytes > 0)
        fprintf(out, ", %s written", units_format_bytes(sp->output_bytes, b, sizeof b));
}

/* Uneven task sizes (from the key distribution) and AQE's changes
 * (sim/plan/skew.h), when there are any. */
static void print_skew(FILE *out, const struct plan_stage *sp)
{
    if (sp->task_weights) {
        double max = 0.0, min = INFINITY;
        int64_t at = 0;
        for (int64_t i = 0; i < sp->tasks; i++) {
            if (sp->task_weights[i] > max) {
                max = sp->task_weights[i];
                at = i;
            }
            min = fmin(min, sp->task_weights[i]);
        }
        fprintf(out, "    task sizes: largest task %lld holds %.1f%% of the rows (%.2fx the mean), "
                     "smallest %.2fx\n",
                (long long)at, 100.0 * max / (double)sp->tasks, max, min);
    }
    if (sp->aqe_partitions_before > 0 || sp->aqe_skewed > 0 || sp->aqe_broadcast) {
        fprintf(out, "    AQE:");
        if (sp->aqe_partitions_before > 0)
            fprintf(out, " %lld shuffle partitions -> %lld task%s",
                    (long long)sp->aqe_partitions_before, (long long)sp->tasks,
                    sp->tasks == 1 ? "" : "s");
        if (sp->aqe_skewed > 0)
            fprintf(out, "%s %lld skewed partition%s split into %lld tasks",
                    sp->aqe_partitions_before > 0 ? ";" : "", (long long)sp->aqe_skewed,
                    sp->aqe_skewed == 1 ? "" : "s", (long long)sp->aqe_skew_tasks);
        if (sp->aqe_broadcast)
            fprintf(out, "; sort-merge join turned into a broadcast join (local shuffle reads)");
        fprintf(out, "\n");
    }
}

/* An operator's estimate and where it comes from, after its text. */
static void print_estimate(FILE *out, const struct plan_op *o, bool calibrated)
{
    if (o->est == PLAN_EST_NONE)
        return;
    char g[32];
    bool filter = o->kind == PLAN_OP_FILTER;
    if (filter)
        fprintf(out, "   [selectivity %.4g", o->est_value);
    else
        fprintf(out, "   [groups %s", group_digits((int64_t)llround(o->est_value), g, sizeof g));
    switch (o->est) {
    case PLAN_EST_NONE: break;
    case PLAN_EST_DISTRIBUTION: fprintf(out, ": distribution]"); break;
    case PLAN_EST_MEASURED:
        if (filter && o->est_sample_rows > 0.0) {
            /* The binomial 95% interval of a share of n sample rows. */
            double p = o->est_value, n = o->est_sample_rows;
            fprintf(out, " +- %.2g", 1.96 * sqrt(p * (1.0 - p) / n));
        }
        fprintf(out, ": measured on %s sample rows]",
                group_digits((int64_t)llround(o->est_sample_rows), g, sizeof g));
        break;
    case PLAN_EST_DEFAULT:
        fprintf(out, ": default%s]", calibrated ? ", not measured" : ", calibration measures it");
        break;
    }
}

static void print_planned(FILE *out, const struct plan_job *job, bool calibrated)
{
    int spark_jobs = 0;
    for (size_t k = 0; k < job->n_stages; k++)
        if (job->stages[k].spark_job + 1 > spark_jobs)
            spark_jobs = job->stages[k].spark_job + 1;
    fprintf(out, "%zu stage%s in %d Spark job%s\n", job->n_stages, job->n_stages == 1 ? "" : "s",
            spark_jobs, spark_jobs == 1 ? "" : "s");
    for (size_t k = 0; k < job->n_stages; k++) {
        const struct plan_stage *sp = &job->stages[k];
        char r1[32], r2[32];
        fprintf(out, "\n  stage %lld  '%s'\n", (long long)sp->id, sp->name ? sp->name : "");
        fprintf(out, "    Spark job %d, %lld task%s, parents ", sp->spark_job, (long long)sp->tasks,
                sp->tasks == 1 ? "" : "s");
        print_parents(out, sp);
        fprintf(out, ", kernel %s\n", sp->kernel ? sp->kernel : "generic");
        for (size_t i = 0; i < sp->n_ops; i++) {
            fprintf(out, "      %s %s", i + 1 == sp->n_ops ? "`-" : "|-", sp->ops[i].text);
            print_estimate(out, &sp->ops[i], calibrated);
            fprintf(out, "\n");
        }
        fprintf(out, "    rows in %s, out %s", group_digits(sp->input_records, r1, sizeof r1),
                group_digits(sp->output_records, r2, sizeof r2));
        print_bytes(out, sp);
        enum plan_est e = plan_stage_est(job, k);
        if (e != PLAN_EST_NONE)
            fprintf(out, "  [rows: %s]", plan_est_name(e));
        fprintf(out, "\n");
        print_skew(out, sp);
    }
}

static void print_explicit(FILE *out, const struct plan_job *job)
{
    fprintf(out, "%zu explicit stage%s (as written, not planned)\n", job->n_stages,
            job->n_stages == 1 ? "" : "s");
    for (size_t k = 0; k < job->n_stages; k++) {
        const struct plan_stage *sp = &job->stages[k];
        fprintf(out, "\n  stage %lld", (long long)sp->id);
        if (sp->name)
            fprintf(out, "  '%s'", sp->name);
        fprintf(out, "\n    %lld task%s, parents ", (long long)sp->tasks,
                sp->tasks == 1 ? "" : "s");
        print_parents(out, sp);
        fprintf(out, ", kernel %s%s\n", sp->kernel ? sp->kernel : "-",
                sp->has_task_seconds ? ", task times given" : "");
        if (sp->input_bytes > 0 || sp->shuffle_read_bytes > 0 || sp->shuffle_write_bytes > 0 ||
            sp->output_bytes > 0 || sp->records > 0) {
            char r[32];
            fprintf(out, "    records %s",
                    sp->records > 0 ? group_digits(sp->records, r, sizeof r) : "-");
            print_bytes(out, sp);
            fprintf(out, "\n");
        }
    }
}

void plan_print(FILE *out, const struct plan *p, const struct cluster *cl, bool calibrated)
{
    const struct scenario *s = p->scn;
    const struct spark_conf *c = &s->spark;
    bool aqe = spark_conf_bool(c, "spark.sql.adaptive.enabled");
    char thr[32];
    int64_t t = spark_conf_bytes(c, "spark.sql.autoBroadcastJoinThreshold");
    if (t < 0)
        snprintf(thr, sizeof thr, "off");
    else
        units_format_bytes(t, thr, sizeof thr);
    fprintf(out, "plan of scenario '%s' (%s)\n", s->name, s->file);
    fprintf(out,
            "cluster: %d x %s, %d executor cores; adaptive execution %s, "
            "spark.sql.shuffle.partitions %lld, broadcast threshold %s\n",
            cl->workers, cl->worker->name, cl->executors * cl->executor_cores, aqe ? "on" : "off",
            (long long)spark_conf_int(c, "spark.sql.shuffle.partitions"), thr);
    if (calibrated)
        fprintf(out, "estimates: calibrated (measured selectivities and groups replace the "
                     "defaults calibration could measure; shuffle bytes at the measured LZ4 "
                     "ratios)\n");
    else
        fprintf(out,
                "estimates: not calibrated (defaults and shuffle bytes at the assumed LZ4 "
                "ratio %.2g are replaced by what calibration measures: plan --calibrated, "
                "run)\n",
                PLAN_STATS_SHUFFLE_COMPRESSION);
    for (size_t j = 0; j < p->n_jobs; j++) {
        const struct plan_job *job = &p->jobs[j];
        fprintf(out, "\njob %zu '%s' (line %d): ", j, job->spec->name, job->spec->line);
        if (job->spec->query)
            print_planned(out, job, calibrated);
        else
            print_explicit(out, job);
    }
}
