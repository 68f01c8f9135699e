/*
 * main.c — the stagecast command line: reads the arguments, drives
 * scenario -> cluster -> simulation -> report, and is the one place that
 * prints errors and chooses exit codes (0 ok, 2 bad input or usage, 1 other
 * failures).
 */
#include "config.h"

#include <errno.h>
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/catalog.h"
#include "sim/calib/calibrate.h"
#include "sim/input/cluster.h"
#include "sim/output/nodes.h"
#include "sim/output/outfile.h"
#include "sim/plan/plan_print.h"
#include "sim/pipeline/pipeline.h"
#include "sim/plan/planner.h"
#include "sim/output/plot.h"
#include "sim/eventlog/eventlog.h"
#include "sim/calib/fit_factors.h"
#include "sim/eventlog/importer.h"
#include "sim/eventlog/replay.h"
#include "sim/output/report.h"
#include "sim/runtime/runtime.h"
#include "sim/input/scenario.h"
#include "sim/sweep/sweep.h"
#include "sim/output/trace.h"
#ifdef HAVE_MPI
#include "sim/sweep/sweep_mpi.h"
#endif

#define EXIT_INPUT 2

static const char usage_text[] =
    "usage: stagecast <command> [options]\n"
    "\n"
    "commands:\n"
    "  run FILE        simulate a scenario and print the per-stage table\n"
    "      --json OUT      also write the results as JSON (\"-\" for stdout)\n"
    "      --timeline OUT  also write one CSV row per task attempt\n"
    "      --plot OUT      draw the timeline, utilization and stage waterfall with\n"
    "                      gnuplot into OUT.png, .svg or .pdf (\"-\": a terminal\n"
    "                      preview of utilization after the table)\n"
    "      --plot-dir DIR  write the plot data (CSV) and gnuplot scripts to DIR\n"
    "      --trace OUT     also write a Chrome trace (JSON) for Perfetto\n"
    "      --seed N        override the scenario's seed\n"
    "      --set KEY=VALUE override a scenario setting (cluster.workers=16,\n"
    "                      cluster.worker=Standard_E8ds_v5, spark.sql.shuffle.partitions=400)\n"
    "      --quiet         do not print the table\n"
    "      --recalibrate   measure the kernels again instead of using cached fits\n"
    "  calibrate FILE  time each stage's operators on sample data and print the fits\n"
    "      --recalibrate   measure again even when the fits are cached\n"
    "      --ops           also print each operator's fit\n"
    "      --set KEY=VALUE override a scenario setting, as for run\n"
    "  plan FILE       print each job's stages as the planner makes them from its query\n"
    "      --set KEY=VALUE override a scenario setting, as for run\n"
    "  import LOG      turn a Spark event log (plain, .zstd or .lz4) into a scenario\n"
    "      -o OUT          write it to OUT (\"-\" for stdout)\n"
    "      --strict        a malformed line is an error, not a warning\n"
    "  replay LOG      simulate a Spark event log's run on its own cluster and\n"
    "                  compare each stage and the application with the log\n"
    "      --json OUT      also write the comparison as JSON (\"-\" for stdout)\n"
    "      --table         replay LOG... and print one Markdown row per log\n"
    "      --worker SIZE, --driver SIZE, --workers N, --executor-cores N,\n"
    "      --executors-per-worker N, --platform P\n"
    "                      predict the same application on another cluster\n"
    "      --strict, --quiet\n"
    "  fit-factors LOG...  fit the Spark overhead factor of each operator class\n"
    "                  from event logs' CPU time per record over the kernels' cost\n"
    "      --json OUT      also write the fit as JSON (\"-\" for stdout, no table)\n"
    "      --native C=NS,...  native ns per row of classes instead of timing them\n"
    "  sweep FILE      run the scenario over a grid of clusters and settings, each\n"
    "                  point replicated over seeds; table sorted by cost, Pareto\n"
    "                  front, cheapest point meeting a deadline\n"
    "      --node-types A,B    worker (and driver, if the scenario's is the same) sizes\n"
    "      --workers R         worker counts: 2,4,8 | 2-32 (doubling) | 2-32:2 (step)\n"
    "      --autoscale 2-8,... autoscale min-max ranges\n"
    "      --spot 0,0.5,1      spot fractions of the workers\n"
    "      --set KEY=V1,V2,... any setting (repeatable; one value: fixed)\n"
    "      --replications N    seeds per point (default 1)   --seed N\n"
    "      --deadline D        e.g. 30m    --confidence C  default 0.95\n"
    "      --json OUT, --csv OUT, --plot OUT.png|svg|pdf, --quiet\n"
    "      --threads N         default: the online CPUs\n"
    "      --results F.jsonl   append each finished run; --resume continues F\n"
    "      --shard I/N         run only the points with index % N == I\n"
    "  merge F...      join sweep results files (shards) into the sweep's outputs\n"
    "      --json OUT, --csv OUT, --deadline D, --confidence C, --quiet\n"
    "  nodes           list the Azure node catalog\n"
    "      --platform P    only azure_vm, hdinsight or synapse rows\n"
    "      --json          as JSON\n"
    "  spark-keys      the Spark settings stagecast knows, with types and defaults\n"
    "      --markdown      as a Markdown table\n"
    "  help            this text\n"
    "  version         the version\n"
    "\n"
    "Exit status: 0 success, 2 bad input or usage, 1 other failure.\n";

static int exit_code(enum sc_status st)
{
    switch (st) {
    case SC_OK:
        return 0;
    case SC_EINPUT:
    case SC_ENOENT:
    case SC_ELIMIT:
        return EXIT_INPUT;
    default:
        return 1;
    }
}

static int report_error(const struct diag *d)
{
    char buf[1200];
    fprintf(stderr, "stagecast: %s\n", diag_format(d, buf, sizeof buf));
    return exit_code(d->status);
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "stagecast: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(run 'stagecast help' for usage)\n");
    return EXIT_INPUT;
}

static int parse_u64(const char *text, unsigned long long *out)
{
    char *end;
    errno = 0;
    if (!text[0] || text[0] == '-')
        return -1;
    *out = strtoull(text, &end, 10);
    return errno || *end ? -1 : 0;
}

static void print_calibration_warnings(const struct calibration *cal)
{
    for (size_t i = 0; i < calibrate_n_warnings(cal); i++)
        fprintf(stderr, "stagecast: warning: %s\n", calibrate_warning(cal, i));
}

static int cmd_run(int argc, char **argv)
{
    const char *file = NULL, *json_path = NULL, *timeline_path = NULL;
    const char *plot_path = NULL, *plot_dir = NULL, *trace_path = NULL;
    bool quiet = false, have_seed = false, recalibrate = false;
    unsigned long long seed = 0;
    const char *sets[64];
    size_t n_sets = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--recalibrate") == 0) {
            recalibrate = true;
            continue;
        }
        if (strcmp(a, "--json") == 0 || strcmp(a, "--timeline") == 0 || strcmp(a, "--seed") == 0 ||
            strcmp(a, "--plot") == 0 || strcmp(a, "--plot-dir") == 0 || strcmp(a, "--trace") == 0) {
            if (i + 1 >= argc)
                return usage_error("%s needs a value", a);
            const char *v = argv[++i];
            if (strcmp(a, "--json") == 0)
                json_path = v;
            else if (strcmp(a, "--timeline") == 0)
                timeline_path = v;
            else if (strcmp(a, "--plot") == 0)
                plot_path = v;
            else if (strcmp(a, "--plot-dir") == 0)
                plot_dir = v;
            else if (strcmp(a, "--trace") == 0)
                trace_path = v;
            else if (parse_u64(v, &seed) != 0)
                return usage_error("--seed needs a non-negative integer, not '%s'", v);
            else
                have_seed = true;
        } else if (strcmp(a, "--set") == 0) {
            if (i + 1 >= argc)
                return usage_error("%s needs key=value", a);
            if (n_sets == sizeof sets / sizeof sets[0])
                return usage_error("too many --set options (at most %s)", "64");
            sets[n_sets++] = argv[++i];
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            quiet = true;
        } else if (a[0] == '-' && a[1] != '\0') {
            return usage_error("run: unknown option '%s'", a);
        } else if (file) {
            return usage_error("run takes one scenario file; '%s' is one too many", a);
        } else {
            file = a;
        }
    }
    if (!file)
        return usage_error("%s", "run needs a scenario file: stagecast run FILE");
    if (json_path && timeline_path && strcmp(json_path, "-") == 0 &&
        strcmp(timeline_path, "-") == 0)
        return usage_error("%s", "--json and --timeline cannot both go to stdout");
    if (plot_path && !plot_path_supported(plot_path))
        return usage_error("--plot draws a .png, .svg or .pdf file (or - for a terminal "
                           "preview), not '%s'",
                           plot_path);
    if (plot_dir && (!plot_dir[0] || strcmp(plot_dir, "-") == 0))
        return usage_error("--plot-dir needs a directory, not '%s'", plot_dir);
    {
        const char *to_stdout[] = {json_path, timeline_path, plot_path, trace_path};
        int n_stdout = 0;
        for (int i = 0; i < 4; i++)
            n_stdout += to_stdout[i] && strcmp(to_stdout[i], "-") == 0;
        if (n_stdout > 1)
            return usage_error("%s", "only one of --json, --timeline, --plot and --trace can go "
                                     "to stdout (-)");
    }

    struct diag d;
    diag_clear(&d);
    struct pipeline pl = {0};
    struct outfile jf = {0}, tf = {0}, trf = {0};
    struct plot_files *pf = NULL;
    char *gnuplot = NULL, *plot_scripts = NULL;
    struct diag gd; /* why a plot cannot be drawn: not a failed run */
    diag_clear(&gd);
    int rc = 0;

    struct pipeline_request rq = {.until = PIPELINE_SIMULATE, .path = file, .sets = sets,
                                  .n_sets = n_sets, .recalibrate = recalibrate,
                                  .have_seed = have_seed, .seed = seed};
    enum sc_status st = pipeline_run(&pl, &rq, &d);
    if (pl.cal)
        print_calibration_warnings(pl.cal);
    if (st != SC_OK)
        goto fail;
    const struct plan *s = pl.plan;
    const struct cluster cl = pl.cl;
    const struct results *r = sim_results(pl.sim);

    /* Every output is written to a temporary file and only renamed into
     * place once all of them are complete. */
    bool json_stdout = json_path && strcmp(json_path, "-") == 0;
    bool tl_stdout = timeline_path && strcmp(timeline_path, "-") == 0;
    if (json_path) {
        FILE *f = outfile_open(&jf, json_path, &d);
        if (!f || report_json(f, s, &cl, r, &d) != SC_OK)
            goto fail;
    }
    if (timeline_path) {
        FILE *f = outfile_open(&tf, timeline_path, &d);
        if (!f || report_timeline_csv(f, s, r, &d) != SC_OK)
            goto fail;
    }
    bool trace_stdout = trace_path && strcmp(trace_path, "-") == 0;
    if (trace_path) {
        FILE *f = outfile_open(&trf, trace_path, &d);
        if (!f || trace_write_chrome(f, s, r, &d) != SC_OK)
            goto fail;
    }
    /* Plots: without gnuplot the run still writes everything else (the
     * plot data too, with --plot-dir) and then says what to install. */
    if (plot_path)
        gnuplot = plot_find_gnuplot(&gd);
    struct plot_request preq = {gnuplot ? plot_path : NULL, plot_dir};
    if (preq.plot_path || preq.plot_dir) {
        plot_scripts = plot_find_scripts(&d);
        if (!plot_scripts)
            goto fail;
        pf = plot_stage(&preq, plot_scripts, s, r, &d);
        if (!pf || plot_render(pf, gnuplot, plot_scripts, &d) != SC_OK)
            goto fail;
    }
    /* A terminal preview (--plot -) comes after the table. */
    if (!quiet && !json_stdout && !tl_stdout && !trace_stdout)
        report_table(stdout, s, &cl, r);
    if (outfile_commit(&jf, &d) != SC_OK || outfile_commit(&tf, &d) != SC_OK ||
        outfile_commit(&trf, &d) != SC_OK)
        goto fail;
    {
        struct plot_files *committing = pf;
        pf = NULL; /* plot_commit frees it, also on error */
        if (plot_commit(committing, stdout, &d) != SC_OK)
            goto fail;
    }
    if (fflush(stdout) != 0) {
        diag_set(&d, SC_EIO, NULL, 0, "writing to standard output failed");
        goto fail;
    }
    if (plot_path && !gnuplot) {
        /* Exit 1, not 2: the input was fine, the machine lacks a program. */
        char buf[1200];
        fprintf(stderr, "stagecast: cannot draw %s: %s%s%s\n",
                strcmp(plot_path, "-") == 0 ? "the preview" : plot_path,
                diag_format(&gd, buf, sizeof buf),
                plot_dir ? "; the plot data and scripts are in " : "", plot_dir ? plot_dir : "");
        rc = 1;
    }
    goto done;
fail:
    outfile_abort(&jf);
    outfile_abort(&tf);
    outfile_abort(&trf);
    plot_abort(pf);
    rc = report_error(&d);
done:
    free(gnuplot);
    free(plot_scripts);
    pipeline_fini(&pl);
    return rc;
}

static int cmd_nodes(int argc, char **argv)
{
    const char *platform = NULL;
    bool json = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--platform") == 0 && i + 1 < argc)
            platform = argv[++i];
        else if (strcmp(argv[i], "--json") == 0)
            json = true;
        else
            return usage_error("nodes: unknown argument '%s'", argv[i]);
    }
    if (platform && strcmp(platform, "azure_vm") != 0 && strcmp(platform, "hdinsight") != 0 &&
        strcmp(platform, "synapse") != 0)
        return usage_error("nodes: --platform is azure_vm, hdinsight or synapse, not '%s'",
                           platform);
    struct diag d;
    diag_clear(&d);
    struct catalog *cat = catalog_load_default(&d);
    if (!cat)
        return report_error(&d);
    int rc = 0;
    if (json)
        rc = nodes_print_json(stdout, cat) == 0 ? 0 : 1;
    else
        nodes_print(stdout, cat, platform);
    catalog_free(cat);
    if (fflush(stdout) != 0)
        rc = 1;
    return rc;
}

static const char *spark_type_word(enum spark_type t)
{
    switch (t) {
    case SPARK_INT: return "integer";
    case SPARK_DOUBLE: return "number";
    case SPARK_BOOL: return "boolean";
    case SPARK_STRING: return "string";
    case SPARK_BYTES: return "size";
    case SPARK_SECONDS: return "duration";
    }
    return "?";
}

static int cmd_spark_keys(int argc, char **argv)
{
    bool md = argc == 1 && strcmp(argv[0], "--markdown") == 0;
    if (argc > 1 || (argc == 1 && !md))
        return usage_error("spark-keys: unknown argument '%s'", argv[0]);
    size_t n;
    const struct spark_key *keys = spark_known_keys(&n);
    if (md)
        printf("| key | type | default | meaning |\n|---|---|---|---|\n");
    for (size_t i = 0; i < n; i++) {
        const char *def = keys[i].default_value && keys[i].default_value[0]
                              ? keys[i].default_value
                              : "(unset)";
        if (md)
            printf("| `%s` | %s | %s | %s |\n", keys[i].key, spark_type_word(keys[i].type), def,
                   keys[i].doc);
        else
            printf("%-58s %-8s %-12s %s\n", keys[i].key, spark_type_word(keys[i].type), def,
                   keys[i].doc);
    }
    return fflush(stdout) == 0 ? 0 : 1;
}

/* Prints the reader's warnings (malformed lines it skipped), at most a few. */
static void print_log_warnings(const struct evlog *log)
{
    for (size_t i = 0; i < log->n_warnings; i++)
        fprintf(stderr, "stagecast: warning: %s\n", log->warnings[i]);
    if (log->warnings_dropped)
        fprintf(stderr, "stagecast: warning: ... and %zu more malformed lines\n",
                log->warnings_dropped);
}

static int cmd_import(int argc, char **argv)
{
    const char *log_path = NULL, *out_path = NULL;
    struct evlog_options opt = {false};
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) {
            if (i + 1 >= argc)
                return usage_error("%s needs a file", argv[i]);
            out_path = argv[++i];
        } else if (strcmp(argv[i], "--strict") == 0) {
            opt.strict = true;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return usage_error("import: unknown option '%s'", argv[i]);
        } else if (log_path) {
            return usage_error("import takes one event log; '%s' is one too many", argv[i]);
        } else {
            log_path = argv[i];
        }
    }
    if (!log_path || !out_path)
        return usage_error("%s", "import needs an event log and -o: stagecast import LOG -o OUT");
    struct diag d;
    diag_clear(&d);
    struct catalog *cat = NULL;
    struct import *im = NULL;
    struct outfile of = {0};
    int rc = 0;
    struct evlog *log = evlog_read(log_path, &opt, &d);
    if (!log || !(cat = catalog_load_default(&d)) || !(im = import_log(log, cat, &d)))
        goto fail;
    FILE *f = outfile_open(&of, out_path, &d);
    if (!f || import_write(f, im, &d) != SC_OK || outfile_commit(&of, &d) != SC_OK)
        goto fail;
    print_log_warnings(log);
    goto done;
fail:
    outfile_abort(&of);
    rc = report_error(&d);
done:
    import_free(im);
    catalog_free(cat);
    evlog_free(log);
    return rc;
}

/* Reads, imports and replays one log. */
static struct replay *replay_one(const char *path, const struct evlog_options *opt,
                                 const struct catalog *cat, const struct replay_cluster *oc,
                                 bool warnings, struct diag *d)
{
    struct evlog *log = evlog_read(path, opt, d);
    if (!log)
        return NULL;
    if (warnings)
        print_log_warnings(log);
    struct import *im = import_log(log, cat, d);
    evlog_free(log);
    if (!im)
        return NULL;
    struct replay *r = replay_run(im, cat, oc, d);
    import_free(im);
    return r;
}

static int parse_count(const char *opt, const char *v, int *out)
{
    unsigned long long n;
    if (parse_u64(v, &n) != 0 || n < 1 || n > 100000) {
        char msg[200];
        snprintf(msg, sizeof msg, "%s needs a whole number from 1 to 100000, not '%.80s'", opt, v);
        return usage_error("%s", msg);
    }
    *out = (int)n;
    return 0;
}

static int cmd_replay(int argc, char **argv)
{
    const char *json_path = NULL;
    const char **logs = calloc((size_t)argc + 1, sizeof *logs);
    size_t n_logs = 0;
    bool table = false, quiet = false;
    struct evlog_options opt = {false};
    struct replay_cluster oc = {0};
    if (!logs)
        return 1;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool takes = strcmp(a, "--json") == 0 || strcmp(a, "--worker") == 0 ||
                     strcmp(a, "--driver") == 0 || strcmp(a, "--platform") == 0 ||
                     strcmp(a, "--workers") == 0 || strcmp(a, "--executor-cores") == 0 ||
                     strcmp(a, "--executors-per-worker") == 0;
        if (takes && i + 1 >= argc) {
            free(logs);
            return usage_error("%s needs a value", a);
        }
        int bad = 0;
        if (strcmp(a, "--json") == 0)
            json_path = argv[++i];
        else if (strcmp(a, "--worker") == 0)
            oc.worker = argv[++i];
        else if (strcmp(a, "--driver") == 0)
            oc.driver = argv[++i];
        else if (strcmp(a, "--platform") == 0)
            oc.platform = argv[++i];
        else if (strcmp(a, "--workers") == 0)
            bad = parse_count(a, argv[++i], &oc.workers);
        else if (strcmp(a, "--executor-cores") == 0)
            bad = parse_count(a, argv[++i], &oc.executor_cores);
        else if (strcmp(a, "--executors-per-worker") == 0)
            bad = parse_count(a, argv[++i], &oc.executors_per_worker);
        else if (strcmp(a, "--table") == 0)
            table = true;
        else if (strcmp(a, "--strict") == 0)
            opt.strict = true;
        else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0)
            quiet = true;
        else if (a[0] == '-' && a[1] != '\0')
            bad = usage_error("replay: unknown option '%s'", a);
        else
            logs[n_logs++] = a;
        if (bad) {
            free(logs);
            return EXIT_INPUT;
        }
    }
    int rc = 0;
    if (n_logs == 0)
        rc = usage_error("%s", "replay needs an event log: stagecast replay LOG");
    else if (n_logs > 1 && !table)
        rc = usage_error("%s", "replay takes one event log (or several with --table)");
    else if (table && json_path)
        rc = usage_error("%s", "--table and --json do not go together");
    if (rc) {
        free(logs);
        return rc;
    }
    struct diag d;
    diag_clear(&d);
    struct catalog *cat = catalog_load_default(&d);
    if (!cat) {
        free(logs);
        return report_error(&d);
    }
    if (table) {
        /* Every log gets its row; a log that fails says why in it. */
        replay_table_header(stdout);
        for (size_t i = 0; i < n_logs; i++) {
            struct diag ld;
            diag_clear(&ld);
            struct replay *r = replay_one(logs[i], &opt, cat, &oc, false, &ld);
            if (r) {
                replay_table_row(stdout, r);
                replay_free(r);
                continue;
            }
            char buf[1200];
            const char *base = strrchr(logs[i], '/');
            printf("| `%s` | ? | | | | | not replayed: %s |\n", base ? base + 1 : logs[i],
                   diag_format(&ld, buf, sizeof buf));
            if (!rc)
                rc = report_error(&ld);
        }
        catalog_free(cat);
        free(logs);
        return fflush(stdout) == 0 ? rc : 1;
    }
    struct outfile jf = {0};
    struct replay *r = replay_one(logs[0], &opt, cat, &oc, true, &d);
    free(logs);
    if (!r)
        goto fail;
    bool json_stdout = json_path && strcmp(json_path, "-") == 0;
    if (json_path) {
        FILE *f = outfile_open(&jf, json_path, &d);
        if (!f || replay_write_json(f, r, &d) != SC_OK)
            goto fail;
    }
    if (!quiet && !json_stdout)
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
    rc = report_error(&d);
done:
    replay_free(r);
    catalog_free(cat);
    return rc;
}

/* stagecast plan FILE: the stages of each job, planned, not simulated. */
static int cmd_plan(int argc, char **argv)
{
    const char *file = NULL;
    const char *sets[64];
    size_t n_sets = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--set") == 0) {
            if (i + 1 >= argc)
                return usage_error("%s needs key=value", argv[i]);
            if (n_sets == sizeof sets / sizeof sets[0])
                return usage_error("too many --set options (at most %s)", "64");
            sets[n_sets++] = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return usage_error("plan: unknown option '%s'", argv[i]);
        } else if (file) {
            return usage_error("plan takes one scenario file; '%s' is one too many", argv[i]);
        } else {
            file = argv[i];
        }
    }
    if (!file)
        return usage_error("%s", "plan needs a scenario file: stagecast plan FILE");
    struct diag d;
    diag_clear(&d);
    struct pipeline pl = {0};
    struct pipeline_request rq = {.until = PIPELINE_PLAN, .path = file, .sets = sets,
                                  .n_sets = n_sets};
    int rc = 0;
    if (pipeline_run(&pl, &rq, &d) != SC_OK) {
        rc = report_error(&d);
    } else {
        plan_print(stdout, pl.plan, &pl.cl);
        if (fflush(stdout) != 0)
            rc = 1;
    }
    pipeline_fini(&pl);
    return rc;
}

/* stagecast calibrate FILE: the fits of every stage's pipeline, measured or
 * cached, as a table. */
static int cmd_calibrate(int argc, char **argv)
{
    const char *file = NULL;
    const char *sets[64];
    size_t n_sets = 0;
    bool recalibrate = false, ops = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--ops") == 0) {
            ops = true;
        } else if (strcmp(argv[i], "--set") == 0) {
            if (i + 1 >= argc)
                return usage_error("%s needs key=value", argv[i]);
            if (n_sets == sizeof sets / sizeof sets[0])
                return usage_error("too many --set options (at most %s)", "64");
            sets[n_sets++] = argv[++i];
        } else if (strcmp(argv[i], "--recalibrate") == 0) {
            recalibrate = true;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return usage_error("calibrate: unknown option '%s'", argv[i]);
        } else if (file) {
            return usage_error("calibrate takes one scenario file; '%s' is one too many",
                               argv[i]);
        } else {
            file = argv[i];
        }
    }
    if (!file)
        return usage_error("%s", "calibrate needs a scenario file: stagecast calibrate FILE");
    struct diag d;
    diag_clear(&d);
    struct pipeline pl = {0};
    struct pipeline_request rq = {.until = PIPELINE_CALIBRATE, .path = file, .sets = sets,
                                  .n_sets = n_sets, .recalibrate = recalibrate};
    int rc = 0;
    enum sc_status st = pipeline_run(&pl, &rq, &d);
    if (pl.cal)
        print_calibration_warnings(pl.cal);
    if (st != SC_OK) {
        rc = report_error(&d);
    } else {
        calibrate_print_table(stdout, pl.cal, pl.plan, &pl.cl);
        if (ops)
            calibrate_print_ops(stdout, pl.cal);
        if (fflush(stdout) != 0)
            rc = 1;
    }
    pipeline_fini(&pl);
    return rc;
}

/* `stagecast fit-factors`: fit_factors.c does the work. */
static int cmd_fit_factors(int argc, char **argv)
{
    struct diag d;
    diag_clear(&d);
    bool usage = false;
    enum sc_status st = fit_factors_command(argc, argv, stdout, &usage, &d);
    if (usage)
        return usage_error("%s", d.msg);
    if (st == SC_OK && fflush(stdout) != 0)
        st = diag_set(&d, SC_EIO, NULL, 0, "writing to standard output failed");
    return st == SC_OK ? 0 : report_error(&d);
}

/* `stagecast sweep` and `stagecast merge`: sweep.c does the work; under
 * mpirun (when built with MPI) each rank takes its share of the points. */
static int cmd_sweep(int argc, char **argv, bool merge)
{
    struct diag d;
    diag_clear(&d);
    struct sweep_args a;
    if (sweep_args_parse(argc, argv, merge, &a, &d) != SC_OK) {
        sweep_args_fini(&a);
        return usage_error("%s", d.msg);
    }
    struct sweep_io io = {stdout, !a.quiet && isatty(STDERR_FILENO) ? stderr : NULL, NULL};
    enum sc_status st = SC_OK;
#ifdef HAVE_MPI
    struct sweep_peer peer;
    bool mpi = sweep_mpi_launched();
    if (mpi && (st = sweep_mpi_start(&peer, &d)) == SC_OK)
        io.peer = &peer;
#endif
    if (st == SC_OK)
        st = sweep_execute(&a, &io, &d);
#ifdef HAVE_MPI
    if (io.peer)
        sweep_mpi_finish(&peer);
#endif
    sweep_args_fini(&a);
    if (st == SC_OK && fflush(stdout) != 0)
        st = diag_set(&d, SC_EIO, NULL, 0, "writing to standard output failed");
    return st == SC_OK ? 0 : report_error(&d);
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_INPUT;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 2, argv + 2);
    if (strcmp(cmd, "nodes") == 0)
        return cmd_nodes(argc - 2, argv + 2);
    if (strcmp(cmd, "calibrate") == 0)
        return cmd_calibrate(argc - 2, argv + 2);
    if (strcmp(cmd, "plan") == 0)
        return cmd_plan(argc - 2, argv + 2);
    if (strcmp(cmd, "spark-keys") == 0)
        return cmd_spark_keys(argc - 2, argv + 2);
    if (strcmp(cmd, "import") == 0)
        return cmd_import(argc - 2, argv + 2);
    if (strcmp(cmd, "replay") == 0)
        return cmd_replay(argc - 2, argv + 2);
    if (strcmp(cmd, "fit-factors") == 0)
        return cmd_fit_factors(argc - 2, argv + 2);
    if (strcmp(cmd, "sweep") == 0 || strcmp(cmd, "merge") == 0)
        return cmd_sweep(argc - 2, argv + 2, strcmp(cmd, "merge") == 0);
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("stagecast %s\n", PACKAGE_VERSION);
        return 0;
    }
    return usage_error("unknown command '%s'", cmd);
}
