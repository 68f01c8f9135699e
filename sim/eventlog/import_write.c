/*
 * import_write.c — an import written as a scenario file: libconfig text
 * with comments that say what the log measured and why each value was
 * chosen (`stagecast import -o`). import_tree.c builds the same scenario as
 * a tree; the two read the same struct import and round numbers alike.
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

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.1.0"
#endif

/* A libconfig string literal. */
static void put_quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p == '\r')
            fputs("\\r", f);
        else if (*p == '\t')
            fputs("\\t", f);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\x%02x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* Text inside a # comment: one line. */
static void put_comment_text(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        fputc(*p < 0x20 || *p == 0x7f ? ' ' : *p, f);
}

/* A comment paragraph, wrapped at about 96 columns, each line prefixed. */
static void put_wrapped(FILE *f, const char *prefix, const char *first, const char *text)
{
    size_t col = (size_t)fprintf(f, "%s%s", prefix, first);
    const char *p = text;
    while (*p) {
        size_t n = strcspn(p, " ");
        if (col + n + 1 > 96 && col > strlen(prefix) + strlen(first)) {
            col = (size_t)fprintf(f, "\n%s    ", prefix) - 1;
        } else if (p != text) {
            fputc(' ', f);
            col++;
        }
        char word[256];
        size_t w = n < sizeof word - 1 ? n : sizeof word - 1;
        memcpy(word, p, w);
        word[w] = '\0';
        put_comment_text(f, word);
        col += n;
        p += n;
        while (*p == ' ')
            p++;
    }
    fputc('\n', f);
}

static void put_bytes(FILE *f, const char *what, int64_t bytes, int64_t records, bool *first)
{
    if (bytes == EVLOG_NONE && records == EVLOG_NONE)
        return;
    char b[32];
    fprintf(f, "%s%s %s", *first ? "" : "; ", what,
            bytes == EVLOG_NONE ? "?" : units_format_bytes(bytes, b, sizeof b));
    if (records != EVLOG_NONE)
        fprintf(f, " (%lld records)", (long long)records);
    *first = false;
}

static void write_stage(FILE *f, const struct import *im, const struct import_stage *s,
                        bool cold_known, bool last)
{
    const char *in = "                ";
    fprintf(f, "            {\n%sid = %lld;\n", in, (long long)s->id);
    if (s->name) {
        fprintf(f, "%sname = ", in);
        put_quoted(f, s->name);
        fputs(";\n", f);
    }
    fprintf(f, "%stasks = %lld;\n", in, (long long)s->tasks);
    if (s->n_parents) {
        fprintf(f, "%sparents = [", in);
        for (size_t p = 0; p < s->n_parents; p++)
            fprintf(f, "%s%lld", p ? ", " : " ", (long long)s->parents[p]);
        fprintf(f, " ];%s\n", s->parents_inferred ? "  # inferred from submission times" : "");
    } else if (s->parents_inferred) {
        fprintf(f, "%s# no parents: nothing of this job had completed when it was submitted\n", in);
    }
    fprintf(f,
            "%s# measured: %.3f s from submission to completion, first task launched after "
            "%.3f s",
            in, s->actual_s, s->launch_wait_s);
    if (s->attempts > 1)
        fprintf(f, ", %d stage attempts", s->attempts);
    fputc('\n', f);
    if (s->resource_profile > 0 && s->resource_profile <= INT32_MAX)
        fprintf(f, "%sresource_profile = %lld;  # runs on the executors of this profile only\n", in,
                (long long)s->resource_profile);
    if (s->driver_s > 0.0 && s->offer_wait_s > 0.0)
        fprintf(f,
                "%sdriver_s = %.6f;  # that wait less its first launch's task_launch_ms and "
                "%.3f s with no slot free or the driver launching other tasks\n",
                in, s->driver_s, s->offer_wait_s);
    else if (s->driver_s > 0.0)
        fprintf(f, "%sdriver_s = %.6f;  # that wait less its first launch's task_launch_ms\n", in,
                s->driver_s);
    else if (!s->submit_logged)
        fprintf(f, "%s# no submission time in the log: its first launch stands for it\n", in);
    const struct evlog_metrics *m = &s->metrics;
    bool first = true;
    fprintf(f, "%s# data: ", in);
    put_bytes(f, "input", m->input_bytes, m->input_records, &first);
    put_bytes(f, "shuffle read", m->shuffle_read_bytes, m->shuffle_read_records, &first);
    put_bytes(f, "shuffle write", m->shuffle_write_bytes, m->shuffle_write_records, &first);
    put_bytes(f, "output", m->output_bytes, m->output_records, &first);
    if (first)
        fputs("none logged", f);
    fputc('\n', f);
    char b1[32], b2[32];
    fprintf(f, "%s# spilled %s to memory, %s to disk; executor run time %.3f s", in,
            m->memory_spilled_bytes == EVLOG_NONE
                ? "?"
                : units_format_bytes(m->memory_spilled_bytes, b1, sizeof b1),
            m->disk_spilled_bytes == EVLOG_NONE
                ? "?"
                : units_format_bytes(m->disk_spilled_bytes, b2, sizeof b2),
            m->run_ms == EVLOG_NONE ? 0.0 : import_ms_to_s(m->run_ms));
    if (m->cpu_ns != EVLOG_NONE)
        fprintf(f, ", CPU time %.3f s", (double)m->cpu_ns * 1e-9);
    if (m->gc_ms != EVLOG_NONE)
        fprintf(f, ", GC %.3f s", import_ms_to_s(m->gc_ms));
    fputc('\n', f);
    bool replays_lost = s->n_lost && im->n_timeline;
    bool replays_failed = s->n_fail && im->n_timeline;
    if (s->failed_tasks || s->killed_tasks || s->resubmitted_tasks || s->speculative_tasks) {
        int64_t lost = replays_lost ? s->lost_attempts : 0;
        int64_t failed = replays_failed ? (int64_t)s->n_fail : 0;
        int64_t charged = s->failed_tasks - lost - failed;
        fprintf(f, "%s# other attempts: %lld failed (", in, (long long)s->failed_tasks);
        if (lost)
            fprintf(f, "%lld lost with their executor, replayed as lost_attempts%s",
                    (long long)lost, failed || charged ? "; " : "");
        if (failed)
            fprintf(f, "%lld on a live executor, replayed as failed_attempts%s", (long long)failed,
                    charged ? "; " : "");
        if (charged)
            fprintf(f, "%lld with %s time added to %s", (long long)charged,
                    charged == 1 ? "its" : "their", charged == 1 ? "its task's" : "their tasks'");
        fprintf(f,
                "), %lld killed (%.3f slot-seconds), %lld resubmitted; %lld speculative "
                "successes\n",
                (long long)s->killed_tasks, s->retry_s, (long long)s->resubmitted_tasks,
                (long long)s->speculative_tasks);
    }
    if (s->fixed_s >= 0.0005)
        fprintf(f,
                "%sfixed_s = %.3f;  # per task, launch to finish less executor run time: what "
                "input_scale and another worker leave as it is\n",
                in, s->fixed_s);
    if (s->fetch_wait_s >= 0.0005)
        fprintf(f, "%sfetch_wait_s = %.3f;  # per task, of its run time: waiting for shuffle blocks\n",
                in, s->fetch_wait_s);
    if (s->shuffle_write_s >= 0.0005)
        fprintf(f, "%sshuffle_write_s = %.3f;  # per task, of its run time: writing shuffle output\n",
                in, s->shuffle_write_s);
    if (m->input_bytes > 0)
        fprintf(f, "%slogged_input_bytes = %lld%s;  # sizes its scan tasks under input_scale\n", in,
                (long long)m->input_bytes, m->input_bytes > INT32_MAX ? "L" : "");
    if (m->shuffle_read_bytes > 0)
        fprintf(f, "%slogged_shuffle_bytes = %lld%s;  # sizes AQE's partitions under input_scale\n",
                in, (long long)m->shuffle_read_bytes, m->shuffle_read_bytes > INT32_MAX ? "L" : "");
    if (cold_known) {
        fprintf(f, "%scold_tasks = [", in);
        for (int64_t i = 0, k = 0; s->cold && i < s->tasks; i++)
            if (s->cold[i])
                fprintf(f, "%s%lld", k++ ? ", " : " ", (long long)i);
        fprintf(f, "%s];  # on a fresh executor: they hold model.jvm.first_task_ms\n",
                s->n_cold ? " " : "");
    }
    if (s->task_locality && im->n_timeline) {
        fprintf(f,
                "%s# where each task ran, as the log's Locality of it says: its data on that\n"
                "%s# executor (process:K) or host (node:K), K in cluster.executors; \"rack\" and\n"
                "%s# \"elsewhere\": on hosts without executors (RACK_LOCAL, ANY)\n"
                "%stask_locality = [",
                in, in, in, in);
        for (int64_t i = 0; i < s->tasks; i++) {
            char item[32];
            import_task_locality(im, s, i, item, sizeof item);
            if (i % 8 == 0)
                fprintf(f, "\n%s    ", in);
            fprintf(f, "\"%s\"%s", item, i + 1 < s->tasks ? ", " : "");
        }
        fprintf(f, "\n%s];\n", in);
    }
    if (replays_lost) {
        fprintf(f,
                "%s# attempts lost with their executor (K in cluster.executors), each with the\n"
                "%s# seconds it had run when K left: the replay loses the same attempt of the\n"
                "%s# task with K, or runs it at least that long on another executor\n"
                "%slost_attempts = (",
                in, in, in, in);
        for (size_t k = 0; k < s->n_lost; k++) {
            int e = import_timeline_entry(im, s->lost_exec[k]);
            fprintf(f, "%s\n%s    { task = %lld; ", k ? "," : "", in, (long long)s->lost_index[k]);
            if (e >= 0)
                fprintf(f, "executor = %d; ", e);
            fprintf(f, "run_s = %.3f; }", s->lost_run_s[k]);
        }
        fprintf(f, "\n%s);\n", in);
    }
    if (replays_failed) {
        fprintf(f,
                "%s# attempts that failed on a live executor (K in cluster.executors), each with\n"
                "%s# the seconds it ran: the replay fails the same attempt of the task after\n"
                "%s# that long where it runs on K, and runs it as its task elsewhere\n"
                "%sfailed_attempts = (",
                in, in, in, in);
        for (size_t k = 0; k < s->n_fail; k++) {
            int e = import_timeline_entry(im, s->fail_exec[k]);
            fprintf(f, "%s\n%s    { task = %lld; ", k ? "," : "", in, (long long)s->fail_index[k]);
            if (e >= 0)
                fprintf(f, "executor = %d; ", e);
            fprintf(f, "run_s = %.3f; }", s->fail_run_s[k]);
        }
        fprintf(f, "\n%s);\n", in);
    }
    fprintf(f, "%stask_seconds = [", in);
    for (int64_t i = 0; i < s->tasks; i++) {
        if (i % 10 == 0)
            fprintf(f, "\n%s    ", in);
        fprintf(f, "%.3f%s", s->task_s[i], i + 1 < s->tasks ? ", " : "");
    }
    fprintf(f, "\n%s];\n            }%s\n", in, last ? "" : ",");
}

static void write_spark(FILE *f, const struct import *im)
{
    if (im->n_skipped) {
        fputs("# Spark settings of the log that a scenario cannot hold:\n", f);
        for (size_t i = 0; i < im->n_skipped; i++) {
            fputs("#   ", f);
            put_comment_text(f, im->skipped_keys[i]);
            fputc('\n', f);
        }
    }
    fputs("# The Spark settings of the log (SparkListenerEnvironmentUpdate). A key that is\n"
          "# both a value and a group, such as spark.speculation, is written as `enabled`.\n",
          f);
    fputs("spark = {\n", f);
    /* The open groups, as (start, length) of the key's dotted parts. */
    const char *open[64];
    size_t open_len[64];
    size_t depth = 0;
    for (size_t i = 0; i < im->n_settings; i++) {
        const struct import_setting *s = &im->settings[i];
        const char *parts[64];
        size_t lens[64], n = 0;
        for (const char *p = s->key + 6; n < 63;) {
            size_t k = strcspn(p, ".");
            parts[n] = p;
            lens[n++] = k;
            if (p[k] == '\0')
                break;
            p += k + 1;
        }
        size_t groups = s->as_enabled ? n : n - 1;
        size_t common = 0;
        while (common < depth && common < groups && open_len[common] == lens[common] &&
               strncmp(open[common], parts[common], lens[common]) == 0)
            common++;
        while (depth > common) {
            depth--;
            fprintf(f, "%*s};\n", (int)(4 * (depth + 1)), "");
        }
        while (depth < groups) {
            fprintf(f, "%*s%.*s = {\n", (int)(4 * (depth + 1)), "", (int)lens[depth], parts[depth]);
            open[depth] = parts[depth];
            open_len[depth] = lens[depth];
            depth++;
        }
        if (s->as_enabled)
            fprintf(f, "%*s%s = ", (int)(4 * (depth + 1)), "",
                    s->kind == IMPORT_BOOL ? "enabled" : "value");
        else
            fprintf(f, "%*s%.*s = ", (int)(4 * (depth + 1)), "", (int)lens[n - 1], parts[n - 1]);
        if (s->kind == IMPORT_STRING) {
            put_quoted(f, s->text);
        } else {
            fputs(s->text, f);
            if (s->kind == IMPORT_INT) {
                long long v = strtoll(s->text, NULL, 10);
                if (v > 2147483647LL || v < -2147483648LL)
                    fputc('L', f);
            }
        }
        fputs(";", f);
        if (s->comment)
            fprintf(f, "  # %s", s->comment);
        fputc('\n', f);
    }
    while (depth > 0) {
        depth--;
        fprintf(f, "%*s};\n", (int)(4 * (depth + 1)), "");
    }
    fputs("};\n\n", f);
}

enum sc_status import_write(FILE *f, const struct import *im, struct diag *d)
{
    fprintf(f, "# Imported by stagecast %s from ", PACKAGE_VERSION);
    put_comment_text(f, im->source);
    fprintf(f, " (%s).\n# Application ", evlog_codec_name(im->codec));
    put_comment_text(f, im->name);
    if (im->app_id) {
        fputs(" (", f);
        put_comment_text(f, im->app_id);
        fputc(')', f);
    }
    fprintf(f, ", Spark ");
    put_comment_text(f, im->spark_version);
    if (im->master) {
        fputs(", master ", f);
        put_comment_text(f, im->master);
    }
    size_t stages = 0;
    for (size_t k = 0; k < im->n_jobs; k++)
        stages += im->jobs[k].n_stages;
    fprintf(f,
            ".\n# Replays %zu of the log's %zu jobs: %zu stages, %zu tasks (%zu stage listings "
            "skipped by Spark,\n# their output already computed). Application time as "
            "recorded: %.3f s.\n",
            im->n_jobs, im->log_jobs, stages, im->tasks, im->skipped_stages, im->actual_s);
    fputs("#\n"
          "# Each task takes the time its successful attempt took, launch to finish as Spark\n"
          "# logged it (the finish includes the driver fetching the task's result). Bytes,\n"
          "# records, spill and CPU time are comments: the task times already include\n"
          "# moving those bytes, and as keys the simulator would move them a second time.\n",
          f);
    if (im->n_notes) {
        fputs("#\n# Notes:\n", f);
        for (size_t i = 0; i < im->n_notes; i++)
            put_wrapped(f, "#", "  - ", im->notes[i]);
    }
    fputs("\nname = ", f);
    put_quoted(f, im->name);
    fputs(";\nseed = 1;\n\ncluster = {\n    platform = ", f);
    put_quoted(f, platform_name(im->platform));
    fputs(";  # ", f);
    put_comment_text(f, im->platform_why);
    fputs("\n    worker = ", f);
    put_quoted(f, im->worker);
    fputs(";  # ", f);
    put_comment_text(f, im->worker_why);
    fputs("\n    driver = ", f);
    put_quoted(f, im->driver);
    fputs(";  # ", f);
    put_comment_text(f, im->driver_why);
    fprintf(f, "\n    workers = %d;  # ", im->workers);
    put_comment_text(f, im->executors_why);
    fprintf(f, "\n    executors_per_worker = %d;\n    executor_cores = %d;\n",
            im->executors_per_worker, im->executor_cores);
    if (im->n_executor_start_s) {
        fputs("    # When each executor registered (SparkListenerExecutorAdded), seconds after "
              "the first\n    # job's submission: the k-th when the log first had k alive at "
              "once. Slots are\n    # offered only from then.\n    executor_start_s = [",
              f);
        for (size_t e = 0; e < im->n_executor_start_s; e++) {
            if (e % 10 == 0)
                fputs("\n        ", f);
            fprintf(f, "%.3f%s", im->executor_start_s[e],
                    e + 1 < im->n_executor_start_s ? ", " : "");
        }
        fputs("\n    ];\n", f);
    }
    if (im->n_timeline) {
        fputs("    # The executors as they came and went (SparkListenerExecutorAdded and\n"
              "    # ExecutorRemoved), seconds after the first job's submission; no end_s: it\n"
              "    # stayed past the last job. The simulation follows it; a what-if on another\n"
              "    # cluster drops it.\n    executors = (\n",
              f);
        for (size_t i = 0; i < im->n_timeline; i++) {
            const struct import_executor *x = &im->timeline[i];
            fprintf(f, "        { start_s = %.3f; ", x->start_s);
            if (isfinite(x->end_s))
                fprintf(f, "end_s = %.3f; ", x->end_s);
            fprintf(f, "cores = %d; ", x->cores);
            if (x->resource_profile > 0 && x->resource_profile <= INT32_MAX)
                fprintf(f, "resource_profile = %lld; ", (long long)x->resource_profile);
            if (x->host[0]) {
                fputs("host = ", f);
                put_quoted(f, x->host);
                fputs("; ", f);
            }
            if (x->lost_by_app)
                fputs("lost_by_app = true; ", f);
            fprintf(f, "}%s\n", i + 1 < im->n_timeline ? "," : "");
        }
        fputs("    );\n", f);
    }
    fputs("};\n\n", f);
    write_spark(f, im);
    if (!isnan(im->task_launch_ms)) {
        fputs("# The driver's time to launch one task: ", f);
        put_comment_text(f, im->launch_why);
        fprintf(f, ".\nmodel = {\n    task_launch_ms = %.3f;\n", im->task_launch_ms);
    } else {
        fputs("# model.task_launch_ms: ", f);
        put_comment_text(f, im->launch_why);
        fputs(".\nmodel = {\n", f);
    }
    fputs("    # The task times were measured on the log's worker (as chosen above): on\n"
          "    # another worker their compute part scales by the two nodes' ACU.\n"
          "    task_seconds_node = ",
          f);
    put_quoted(f, im->worker);
    if (!isnan(im->first_task_ms))
        fprintf(f,
                ";\n    # A fresh executor's first tasks' extra time, measured on this log as\n"
                "    # fit-jvm does; the stages' cold_tasks hold it, and a cluster whose\n"
                "    # executors start elsewhere gets it where they do.\n"
                "    jvm = { first_task_ms = %.3f; }", im->first_task_ms);
    fputs(";\n};\n\n", f);
    fputs("jobs = (\n", f);
    for (size_t k = 0; k < im->n_jobs; k++) {
        const struct import_job *j = &im->jobs[k];
        fputs("    {\n        name = ", f);
        put_quoted(f, j->name);
        fprintf(f,
                ";\n        # submitted at %.3f s, ended at %.3f s%s; its first stage was "
                "submitted %.3f s after it\n",
                import_ms_to_s(j->submit_ms - im->start_ms),
                import_ms_to_s(j->end_ms - im->start_ms),
                j->end_from_stages ? " (its last stage's completion)" : "", j->stage_delay_s);
        if (j->concurrent) {
            fprintf(f, "        concurrent = true;  # submitted while the job before it ran\n");
            if (j->gap_s > 0.0)
                fprintf(f, "        gap_s = %.3f;  # after that job's submission\n", j->gap_s);
        } else if (j->after >= 0) {
            fputs("        after = ", f);
            put_quoted(f, im->jobs[j->after].name);
            fputs(";  # the latest job to end before it was submitted\n", f);
            if (j->gap_s > 0.0)
                fprintf(f, "        gap_s = %.3f;  # recorded time from that job's end\n",
                        j->gap_s);
        } else if (!isnan(j->submit_s)) {
            fprintf(f, "        submit_s = %.3f;\n", j->submit_s);
        }
        if (j->stage_delay_s > 0.0)
            fprintf(f,
                    "        driver_s = %.3f;  # the driver's, before it submitted the first "
                    "stages\n",
                    j->stage_delay_s);
        else if (!j->submit_logged)
            fputs("        # no submission time in the log: its first stage's stands for it\n", f);
        if (j->pool) {
            fputs("        pool = ", f);
            put_quoted(f, j->pool);
            fputs(";\n", f);
        }
        fputs("        stages = (\n", f);
        for (size_t i = 0; i < j->n_stages; i++)
            write_stage(f, im, &j->stages[i], !isnan(im->first_task_ms), i + 1 == j->n_stages);
        fprintf(f, "        );\n    }%s\n", k + 1 < im->n_jobs ? "," : "");
    }
    fputs(");\n", f);
    if (ferror(f))
        return diag_set(d, SC_EIO, NULL, 0, "writing the scenario failed");
    return SC_OK;
}
