/*
 * cmd_eventlog.c — the commands that read Spark event logs: `import` (a log
 * into a scenario file), `replay` (simulate a log's run and compare) and
 * `fit-factors` (fit Spark's overhead per operator class from logs).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "models/catalog.h"
#include "models/utf8.h"
#include "sim/calib/calibrate.h"
#include "sim/calib/fit_factors.h"
#include "sim/eventlog/jvm_costs.h"
#include "sim/cli/commands.h"
#include "sim/cli/env.h"
#include "sim/eventlog/eventlog.h"
#include "sim/eventlog/importer.h"
#include "sim/eventlog/replay.h"
#include "sim/output/outfile.h"
#include "sim/sweep/sweep.h"

enum {
    OPT_OUTPUT,
    OPT_STRICT,
    OPT_JSON,
    OPT_TABLE,
    OPT_WORKER,
    OPT_DRIVER,
    OPT_WORKERS,
    OPT_EXECUTOR_CORES,
    OPT_EXECUTORS_PER_WORKER,
    OPT_PLATFORM,
    OPT_QUIET,
    OPT_NATIVE,
    OPT_CROSS_VALIDATE,
    OPT_EXECUTORS,
    OPT_INPUT_SCALE
};

#define STRICT_HELP "a malformed line is an error, not a warning"

/* Prints the reader's warnings (malformed lines it skipped), at most a few. */
static void print_log_warnings(const struct evlog *log)
{
    char safe[3600];
    for (size_t i = 0; i < log->n_warnings; i++)
        fprintf(stderr, "stagecast: warning: %s\n",
                utf8_escape_controls(log->warnings[i], safe, sizeof safe));
    if (log->warnings_dropped)
        fprintf(stderr, "stagecast: warning: ... and %zu more malformed lines\n",
                log->warnings_dropped);
}

/* ---- import ----------------------------------------------------------------- */

struct import_args {
    const char *out_path;
    struct evlog_options opt;
};

static enum sc_status import_option(void *ctx, int key, const char *v, struct diag *d)
{
    struct import_args *a = ctx;
    if (key == OPT_OUTPUT)
        a->out_path = v;
    else if (key == OPT_STRICT)
        a->opt.strict = true;
    else
        return SC_BUG(d, "import option %d has no case", key);
    return SC_OK;
}

static int cmd_import(int argc, char **argv, const struct cli_env *env)
{
    const struct cli_command *cmd = &cli_cmd_import;
    struct import_args a = {NULL, {false}};
    int first;
    int rc = cli_parse_or_exit(cmd, argc, argv, import_option, &a, &first);
    if (rc >= 0)
        return rc;
    if (argc - first > 1)
        return cli_usage_error(cmd, "import takes one event log; '%s' is one too many",
                               argv[first + 1]);
    if (first == argc || !a.out_path)
        return cli_usage_error(cmd,
                               "import needs an event log and -o: stagecast import LOG -o OUT");
    const char *log_path = argv[first];
    if (outfile_same_file(a.out_path, log_path))
        return cli_usage_error(cmd,
                               "-o '%s' is the event log being read: it would be overwritten; "
                               "choose another path",
                               a.out_path);
    struct diag d;
    diag_clear(&d);
    struct catalog *cat = NULL;
    struct import *im = NULL;
    struct outfile of = {0};
    rc = 0;
    struct evlog *log = evlog_read(log_path, &a.opt, &d);
    if (!log || !(cat = cli_env_catalog(env, &d)) || !(im = import_log(log, cat, &d)))
        goto fail;
    FILE *f = outfile_open(&of, a.out_path, &d);
    if (!f || import_write(f, im, &d) != SC_OK || outfile_commit(&of, &d) != SC_OK)
        goto fail;
    print_log_warnings(log);
    goto done;
fail:
    outfile_abort(&of);
    rc = cli_report_error(&d);
done:
    import_free(im);
    catalog_free(cat);
    evlog_free(log);
    return rc;
}

static const struct cli_option import_options[] = {
    {OPT_OUTPUT, "output", 'o', "OUT", "write the scenario to OUT (\"-\" for stdout)"},
    {OPT_STRICT, "strict", 0, NULL, STRICT_HELP},
};

const struct cli_command cli_cmd_import = {
    "import",
    "LOG -o OUT",
    "turn a Spark event log (plain, .zstd, .lz4 or .gz) into a scenario",
    "Writes the log's cluster, Spark settings and jobs as explicit stages (task counts, bytes, "
    "records, parents and task times) to a scenario file that `run` and `sweep` take.",
    import_options,
    sizeof import_options / sizeof import_options[0],
    cmd_import,
};

/* ---- replay ----------------------------------------------------------------- */

struct replay_args {
    const char *json_path;
    bool table, quiet;
    struct evlog_options opt;
    struct replay_cluster oc;
    int64_t *counts; /* --executors, malloc'd; NULL: not given */
    size_t n_counts;
};

static enum sc_status parse_count(const char *opt, const char *v, int *out, struct diag *d)
{
    unsigned long long n;
    if (cli_parse_u64(v, 1, 100000, &n) != 0)
        return diag_set(d, SC_EINPUT, NULL, 0,
                        "%s needs a whole number from 1 to 100000, not '%.80s'", opt, v);
    *out = (int)n;
    return SC_OK;
}

static enum sc_status replay_option(void *ctx, int key, const char *v, struct diag *d)
{
    struct replay_args *a = ctx;
    switch (key) {
    case OPT_JSON: a->json_path = v; return SC_OK;
    case OPT_TABLE: a->table = true; return SC_OK;
    case OPT_STRICT: a->opt.strict = true; return SC_OK;
    case OPT_QUIET: a->quiet = true; return SC_OK;
    case OPT_WORKER: a->oc.worker = v; return SC_OK;
    case OPT_DRIVER: a->oc.driver = v; return SC_OK;
    case OPT_PLATFORM: a->oc.platform = v; return SC_OK;
    case OPT_WORKERS: return parse_count("--workers", v, &a->oc.workers, d);
    case OPT_EXECUTOR_CORES: return parse_count("--executor-cores", v, &a->oc.executor_cores, d);
    case OPT_EXECUTORS_PER_WORKER:
        return parse_count("--executors-per-worker", v, &a->oc.executors_per_worker, d);
    case OPT_INPUT_SCALE: {
        char *end;
        double f = strtod(v, &end);
        /* As what_if.input_scale takes it: finite, > 0, at most 1e6. */
        if (!v[0] || *end || !(f > 0.0 && f <= 1e6))
            return diag_set(d, SC_EINPUT, NULL, 0,
                            "--input-scale needs a factor greater than 0 and at most 1e6 (e.g. "
                            "2 for twice the input, 0.5 for half), not '%.80s'",
                            v);
        a->oc.input_scale = f;
        return SC_OK;
    }
    case OPT_EXECUTORS:
        free(a->counts);
        a->counts = NULL;
        return sweep_parse_counts(v, "--executors", 1, SCN_MAX_WORKERS, &a->counts, &a->n_counts,
                                  d);
    }
    return SC_BUG(d, "replay option %d has no case", key);
}

/* Reads, imports and replays one log. */
static struct replay *replay_one(const char *path, const struct replay_args *a,
                                 const struct catalog *cat, bool warnings, struct diag *d)
{
    struct evlog *log = evlog_read(path, &a->opt, d);
    if (!log)
        return NULL;
    if (warnings)
        print_log_warnings(log);
    struct import *im = import_log(log, cat, d);
    evlog_free(log);
    if (!im)
        return NULL;
    struct replay *r = replay_run(im, cat, &a->oc, d);
    import_free(im);
    return r;
}

/* --table: every log gets its row; a log that fails says why in it. */
static int replay_table(char **logs, int n_logs, const struct replay_args *a,
                        const struct catalog *cat)
{
    int rc = 0;
    replay_table_header(stdout, replay_what_if(&a->oc));
    for (int i = 0; i < n_logs; i++) {
        struct diag ld;
        diag_clear(&ld);
        struct replay *r = replay_one(logs[i], a, cat, false, &ld);
        if (r) {
            replay_table_row(stdout, r);
            replay_free(r);
            continue;
        }
        char buf[1200];
        const char *base = strrchr(logs[i], '/');
        printf("| `%s` | ? | | | | | | | not replayed: %s |\n", base ? base + 1 : logs[i],
               diag_format(&ld, buf, sizeof buf));
        if (!rc)
            rc = cli_report_error(&ld);
    }
    return cli_flush_stdout() == 0 ? rc : 1;
}

/* --executors: the log's run at each count, with the bound, the ideal
 * count and the stages' skew. */
static int replay_executors(const char *path, const struct replay_args *a,
                            const struct catalog *cat)
{
    struct diag d;
    diag_clear(&d);
    struct evlog *log = evlog_read(path, &a->opt, &d);
    if (!log)
        return cli_report_error(&d);
    print_log_warnings(log);
    struct import *im = import_log(log, cat, &d);
    evlog_free(log);
    struct scaling *sc = im ? replay_scaling(im, cat, &a->oc, a->counts, a->n_counts, &d) : NULL;
    import_free(im);
    if (!sc)
        return cli_report_error(&d);
    scaling_print(stdout, sc);
    scaling_free(sc);
    if (fflush(stdout) != 0) {
        diag_set(&d, SC_EIO, NULL, 0, "writing to standard output failed");
        return cli_report_error(&d);
    }
    return 0;
}

/* One log: the comparison as a table and, with --json, as JSON. */
static int replay_single(const char *path, const struct replay_args *a, const struct catalog *cat)
{
    struct diag d;
    diag_clear(&d);
    struct outfile jf = {0};
    int rc = 0;
    struct replay *r = replay_one(path, a, cat, true, &d);
    if (!r)
        goto fail;
    bool json_stdout = a->json_path && strcmp(a->json_path, "-") == 0;
    if (a->json_path) {
        FILE *f = outfile_open(&jf, a->json_path, &d);
        if (!f || replay_write_json(f, r, &d) != SC_OK)
            goto fail;
    }
    if (!a->quiet && !json_stdout)
        replay_print(stdout, r);
    if (outfile_commit(&jf, &d) != SC_OK)
        goto fail;
    if (fflush(stdout) != 0) {
        diag_set(&d, SC_EIO, NULL, 0, "writing to standard output failed");
        goto fail;
    }
    goto done;
fail:
    outfile_abort(&jf);
    rc = cli_report_error(&d);
done:
    replay_free(r);
    return rc;
}

static int cmd_replay(int argc, char **argv, const struct cli_env *env)
{
    const struct cli_command *cmd = &cli_cmd_replay;
    struct replay_args a;
    memset(&a, 0, sizeof a);
    int first;
    int rc = cli_parse_or_exit(cmd, argc, argv, replay_option, &a, &first);
    if (rc >= 0)
        goto done;
    int n_logs = argc - first;
    if (n_logs == 0)
        rc = cli_usage_error(cmd, "replay needs an event log: stagecast replay LOG");
    else if (n_logs > 1 && !a.table)
        rc = cli_usage_error(cmd, "replay takes one event log (or several with --table)");
    else if (a.table && a.json_path)
        rc = cli_usage_error(cmd, "--table and --json do not go together");
    else if (a.counts && (a.table || a.json_path || a.quiet))
        rc = cli_usage_error(cmd, "--executors prints its own table: it does not go with "
                                  "--table, --json or --quiet");
    if (rc >= 0)
        goto done;
    struct diag d;
    diag_clear(&d);
    struct catalog *cat = cli_env_catalog(env, &d);
    if (!cat) {
        rc = cli_report_error(&d);
        goto done;
    }
    if (a.counts)
        rc = replay_executors(argv[first], &a, cat);
    else
        rc = a.table ? replay_table(argv + first, n_logs, &a, cat)
                     : replay_single(argv[first], &a, cat);
    catalog_free(cat);
done:
    free(a.counts);
    return rc;
}

static const struct cli_option replay_options[] = {
    {OPT_JSON, "json", 0, "OUT", "also write the comparison as JSON (\"-\" for stdout)"},
    {OPT_TABLE, "table", 0, NULL, "replay LOG... and print one Markdown row per log"},
    {OPT_WORKER, "worker", 0, "SIZE", "predict the run on this worker node type"},
    {OPT_DRIVER, "driver", 0, "SIZE", "predict the run with this driver node type"},
    {OPT_WORKERS, "workers", 0, "N", "predict the run on N workers"},
    {OPT_EXECUTOR_CORES, "executor-cores", 0, "N", "predict the run with N cores per executor"},
    {OPT_EXECUTORS_PER_WORKER, "executors-per-worker", 0, "N",
     "predict the run with N executors per worker"},
    {OPT_PLATFORM, "platform", 0, "P", "predict the run on platform P"},
    {OPT_INPUT_SCALE, "input-scale", 0, "F",
     "predict the same application on F times its input: scan tasks by Spark's file-split "
     "rules, shuffle partitions as configured (or as AQE coalesces them), each task's compute "
     "by the records it gets"},
    {OPT_EXECUTORS, "executors", 0, "LIST",
     "predict the run at each executor count of LIST (\"1-64\" doubling, \"1,2,4\", "
     "\"8-64:8\") of the log's executor size: time, cost, utilization, the critical-path "
     "lower bound, the ideal count within 10% of it, and each stage's skew and whether it "
     "gates the run"},
    {OPT_STRICT, "strict", 0, NULL, STRICT_HELP},
    {OPT_QUIET, "quiet", 'q', NULL, "do not print the comparison"},
};

const struct cli_command cli_cmd_replay = {
    "replay",
    "LOG...",
    "simulate a Spark event log's run and compare it with the log",
    "Imports the log, simulates it on its own cluster and compares each stage and the "
    "application with what the log recorded (median and duration-weighted stage error), with "
    "the cost of the log's cluster. The cluster options predict the same application on another "
    "cluster instead: a what-if, whose differences are reported as the change vs the log, with "
    "the cost of both clusters. Plain, zstd, lz4 and gzip (.gz) logs are read.",
    replay_options,
    sizeof replay_options / sizeof replay_options[0],
    cmd_replay,
};

/* ---- fit-factors ------------------------------------------------------------ */

#define MAX_FITF_LOGS 256

static enum sc_status fitf_option(void *ctx, int key, const char *v, struct diag *d)
{
    struct fit_factors_args *a = ctx;
    if (key == OPT_JSON)
        a->json_path = v;
    else if (key == OPT_NATIVE)
        a->native_spec = v;
    else if (key == OPT_CROSS_VALIDATE)
        a->cross_validate = true;
    else
        return SC_BUG(d, "fit-factors option %d has no case", key);
    return SC_OK;
}

static int cmd_fit_factors(int argc, char **argv, const struct cli_env *env)
{
    const struct cli_command *cmd = &cli_cmd_fit_factors;
    struct fit_factors_args a;
    memset(&a, 0, sizeof a);
    a.native_spec = env->fitf_native;
    int first;
    int rc = cli_parse_or_exit(cmd, argc, argv, fitf_option, &a, &first);
    if (rc >= 0)
        return rc;
    if (first == argc)
        return cli_usage_error(cmd, "fit-factors needs event logs: stagecast fit-factors LOG...");
    if (argc - first > MAX_FITF_LOGS)
        return cli_usage_error(cmd, "fit-factors takes at most %d logs", MAX_FITF_LOGS);
    a.logs = (const char **)(argv + first);
    a.n_logs = (size_t)(argc - first);
    struct diag d;
    diag_clear(&d);
    struct calibrate_options host;
    if (cli_env_calibrate_options(env, &host, &d) != SC_OK)
        return cli_report_error(&d);
    a.host = (struct fitf_host){env->catalog, &host};
    enum sc_status st = fit_factors_execute(&a, stdout, &d);
    if (st == SC_OK && fflush(stdout) != 0)
        st = diag_set(&d, SC_EIO, NULL, 0, "writing to standard output failed");
    return st == SC_OK ? 0 : cli_report_error(&d);
}

static const struct cli_option fit_factors_options[] = {
    {OPT_JSON, "json", 0, "OUT", "also write the fit as JSON (\"-\" for stdout, no table)"},
    {OPT_NATIVE, "native", 0, "C=NS,...",
     "native ns per row of operator classes instead of timing them"},
    {OPT_CROSS_VALIDATE, "cross-validate", 0, NULL,
     "also score each log's stages by factors fitted on the other logs (leave-one-log-out), "
     "beside the defaults and the in-sample fit"},
};

const struct cli_command cli_cmd_fit_factors = {
    "fit-factors",
    "LOG...",
    "fit the Spark overhead factor of each operator class from event logs",
    "Divides each stage's CPU time per record in the logs by the cost of stagecast's kernels "
    "for its operators and fits one factor per operator class, printed with the scenario "
    "fragment (model = { overhead = { ... }; };) that uses them.",
    fit_factors_options,
    sizeof fit_factors_options / sizeof fit_factors_options[0],
    cmd_fit_factors,
};

/* ---- fit-jvm ------------------------------------------------------------------ */

static enum sc_status fitjvm_option(void *ctx, int key, const char *v, struct diag *d)
{
    (void)ctx;
    (void)v;
    return SC_BUG(d, "fit-jvm option %d has no case", key);
}

static int cmd_fit_jvm(int argc, char **argv, const struct cli_env *env)
{
    const struct cli_command *cmd = &cli_cmd_fit_jvm;
    (void)env;
    int first;
    int rc = cli_parse_or_exit(cmd, argc, argv, fitjvm_option, NULL, &first);
    if (rc >= 0)
        return rc;
    if (first == argc)
        return cli_usage_error(cmd, "fit-jvm needs event logs: stagecast fit-jvm LOG...");
    if (argc - first > MAX_FITF_LOGS)
        return cli_usage_error(cmd, "fit-jvm takes at most %d logs", MAX_FITF_LOGS);
    struct diag d;
    diag_clear(&d);
    enum sc_status st =
        jvm_fit_execute((const char *const *)(argv + first), (size_t)(argc - first), stdout, &d);
    if (st == SC_OK && fflush(stdout) != 0)
        st = diag_set(&d, SC_EIO, NULL, 0, "writing to standard output failed");
    return st == SC_OK ? 0 : cli_report_error(&d);
}

const struct cli_command cli_cmd_fit_jvm = {
    "fit-jvm",
    "LOG...",
    "measure the JVM's own costs in event logs and fit the model.jvm defaults",
    "Measures, per log, each task's Executor Deserialize Time, Result Serialization Time and "
    "scheduler delay (as the Spark UI computes it), the GC share of run time, the slowdown of "
    "each executor's first tasks and of the first run of a repeated stage, and the driver's "
    "time before a query's and a job's first task and around broadcast jobs; prints medians "
    "and spread, then each model.jvm default (the median over the logs) with its in-sample "
    "and leave-one-log-out errors, and the scenario fragment.",
    NULL,
    0,
    cmd_fit_jvm,
};
