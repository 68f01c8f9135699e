/*
 * cmd_scenario.c — the commands that take a scenario file through the
 * pipeline driver (sim/pipeline): `run` (load, cluster, plan, calibrate,
 * simulate, report), `plan` (up to the plan) and `calibrate` (up to the
 * calibration). Each command reads its options, runs the pipeline with
 * this host's catalog and calibration options, and writes its outputs.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "models/catalog.h"
#include "sim/calib/cache_listing.h"
#include "sim/calib/calibrate.h"
#include "sim/cli/commands.h"
#include "sim/cli/env.h"
#include "sim/input/cluster.h"
#include "sim/input/scenario.h"
#include "sim/output/outfile.h"
#include "sim/output/plot.h"
#include "sim/output/report.h"
#include "sim/output/trace.h"
#include "sim/pipeline/pipeline.h"
#include "sim/plan/plan_print.h"
#include "sim/runtime/feasibility.h"
#include "sim/runtime/runtime.h"
#include "sim/pipeline/scaling.h"
#include "sim/sweep/sweep.h"

#define MAX_SETS 64

enum {
    OPT_JSON,
    OPT_TIMELINE,
    OPT_PLOT,
    OPT_PLOT_DIR,
    OPT_TRACE,
    OPT_SEED,
    OPT_SET,
    OPT_QUIET,
    OPT_RECALIBRATE,
    OPT_OPS,
    OPT_SHOW,
    OPT_CALIBRATED,
    OPT_EXECUTORS
};

#define SET_HELP                                                                                   \
    "override a scenario setting (repeatable): cluster.workers=16, "                               \
    "cluster.worker=Standard_E8ds_v5, spark.sql.shuffle.partitions=400"

/* What run, plan and calibrate read from their command lines. */
struct scenario_args {
    const char *file;
    const char *json_path, *timeline_path, *plot_path, *plot_dir, *trace_path;
    bool quiet, have_seed, recalibrate, ops, show, calibrated;
    unsigned long long seed;
    const char *sets[MAX_SETS];
    size_t n_sets;
    int64_t *counts; /* run --executors, malloc'd; NULL: not given */
    size_t n_counts;
};

static enum sc_status on_option(void *ctx, int key, const char *v, struct diag *d)
{
    struct scenario_args *a = ctx;
    switch (key) {
    case OPT_JSON: a->json_path = v; break;
    case OPT_TIMELINE: a->timeline_path = v; break;
    case OPT_PLOT: a->plot_path = v; break;
    case OPT_PLOT_DIR: a->plot_dir = v; break;
    case OPT_TRACE: a->trace_path = v; break;
    case OPT_SEED:
        if (cli_parse_u64(v, 0, UINT64_MAX, &a->seed) != 0)
            return diag_set(d, SC_EINPUT, NULL, 0, "--seed needs a non-negative integer, not '%s'",
                            v);
        a->have_seed = true;
        break;
    case OPT_SET:
        if (a->n_sets == MAX_SETS)
            return diag_set(d, SC_EINPUT, NULL, 0, "too many --set options (at most %d)", MAX_SETS);
        a->sets[a->n_sets++] = v;
        break;
    case OPT_QUIET: a->quiet = true; break;
    case OPT_RECALIBRATE: a->recalibrate = true; break;
    case OPT_OPS: a->ops = true; break;
    case OPT_SHOW: a->show = true; break;
    case OPT_CALIBRATED: a->calibrated = true; break;
    case OPT_EXECUTORS:
        free(a->counts);
        a->counts = NULL;
        return sweep_parse_counts(v, "--executors", 1, SCN_MAX_WORKERS, &a->counts, &a->n_counts,
                                  d);
    default: return SC_BUG(d, "option %d has no case", key);
    }
    return SC_OK;
}

/* Takes the one scenario file among the operands argv[first..argc) into a:
 * -1 to go on, else the exit status. */
static int scenario_operand(const struct cli_command *cmd, int argc, char **argv, int first,
                            struct scenario_args *a)
{
    if (first == argc)
        return cli_usage_error(cmd, "%s needs a scenario file: stagecast %s FILE", cmd->name,
                               cmd->name);
    if (argc - first > 1)
        return cli_usage_error(cmd, "%s takes one scenario file; '%s' is one too many", cmd->name,
                               argv[first + 1]);
    a->file = argv[first];
    return -1;
}

/* Parses argv for cmd into a: -1 to go on, else the exit status. */
static int parse_scenario_args(const struct cli_command *cmd, int argc, char **argv,
                               struct scenario_args *a)
{
    memset(a, 0, sizeof *a);
    int first;
    int rc = cli_parse_or_exit(cmd, argc, argv, on_option, a, &first);
    if (rc >= 0)
        return rc;
    return scenario_operand(cmd, argc, argv, first, a);
}

static void print_calibration_warnings(const struct calibration *cal)
{
    for (size_t i = 0; i < calibrate_n_warnings(cal); i++)
        fprintf(stderr, "stagecast: warning: %s\n", calibrate_warning(cal, i));
}

/* What the pipeline made for a command; scenario_run_fini frees it. */
struct scenario_run {
    struct pipeline pl;
    struct catalog *named; /* $STAGECAST_CATALOG's, or NULL: the pipeline loads the shipped one */
};

static void scenario_run_fini(struct scenario_run *sr)
{
    pipeline_fini(&sr->pl);
    catalog_free(sr->named);
}

/* Runs the pipeline up to until on a's scenario with this host's catalog
 * and calibration options. Calibration's warnings are printed, also when a
 * later step fails. */
static enum sc_status run_pipeline(const struct scenario_args *a, const struct cli_env *env,
                                   enum pipeline_step until, struct scenario_run *sr,
                                   struct diag *d)
{
    memset(sr, 0, sizeof *sr);
    struct calibrate_options host;
    if (until >= PIPELINE_CALIBRATE && cli_env_calibrate_options(env, &host, d) != SC_OK)
        return d->status;
    if (env->catalog && !(sr->named = cli_env_catalog(env, d)))
        return d->status;
    double memory_limit;
    if (cli_env_memory_limit(env, &memory_limit, d) != SC_OK)
        return d->status;
    struct pipeline_request rq = {.until = until,
                                  .path = a->file,
                                  .sets = a->sets,
                                  .n_sets = a->n_sets,
                                  .catalog = sr->named,
                                  .calibration = until >= PIPELINE_CALIBRATE ? &host : NULL,
                                  .recalibrate = a->recalibrate,
                                  .have_seed = a->have_seed,
                                  .seed = a->seed,
                                  .calib_interval = until == PIPELINE_SIMULATE,
                                  .task_records = a->timeline_path || a->trace_path ||
                                                  a->plot_path || a->plot_dir,
                                  .memory_limit_bytes = memory_limit};
    enum sc_status st = pipeline_run(&sr->pl, &rq, d);
    if (sr->pl.scn && sr->pl.scn->size_note[0])
        fprintf(stderr, "stagecast: note: %s\n", sr->pl.scn->size_note);
    if (sr->pl.cal)
        print_calibration_warnings(sr->pl.cal);
    return st;
}

/* ---- run -------------------------------------------------------------------- */

static bool is_stdout(const char *path)
{
    return path && strcmp(path, "-") == 0;
}

/* The checks of run's options together. -1, or the exit status. */
static int check_run_args(const struct scenario_args *a)
{
    const struct cli_command *cmd = &cli_cmd_run;
    if (is_stdout(a->json_path) && is_stdout(a->timeline_path))
        return cli_usage_error(cmd, "--json and --timeline cannot both go to stdout");
    if (a->plot_path && !plot_path_supported(a->plot_path))
        return cli_usage_error(cmd,
                               "--plot draws a .png, .svg or .pdf file (or - for a terminal "
                               "preview), not '%s'",
                               a->plot_path);
    if (a->counts && (a->json_path || a->timeline_path || a->plot_path || a->plot_dir ||
                      a->trace_path || a->quiet))
        return cli_usage_error(cmd, "--executors prints its own table: it does not go with "
                                    "--json, --timeline, --plot, --plot-dir, --trace or --quiet");
    if (a->plot_dir && (!a->plot_dir[0] || strcmp(a->plot_dir, "-") == 0))
        return cli_usage_error(cmd, "--plot-dir needs a directory, not '%s'", a->plot_dir);
    int n_stdout = is_stdout(a->json_path) + is_stdout(a->timeline_path) + is_stdout(a->plot_path) +
                   is_stdout(a->trace_path);
    if (n_stdout > 1)
        return cli_usage_error(cmd, "only one of --json, --timeline, --plot and --trace can go "
                                    "to stdout (-)");
    /* Each output is renamed into place in turn: two naming one file would
     * leave only the last, and an output over the scenario destroys it. */
    const char *names[] = {"--json", "--timeline", "--trace", "--plot"};
    const char *paths[] = {a->json_path, a->timeline_path, a->trace_path, a->plot_path};
    for (size_t i = 0; i < 4; i++) {
        if (outfile_same_file(paths[i], a->file))
            return cli_usage_error(cmd,
                                   "%s '%s' is the scenario file being read: it would be "
                                   "overwritten; choose another path",
                                   names[i], paths[i]);
        for (size_t j = i + 1; j < 4; j++)
            if (outfile_same_file(paths[i], paths[j]))
                return cli_usage_error(cmd,
                                       "%s and %s both name '%s': one would overwrite the other; "
                                       "give each output its own path",
                                       names[i], names[j], paths[j]);
    }
    return -1;
}

/* The files run writes, each to a temporary file renamed into place only
 * once all of them are complete. */
struct run_outputs {
    struct outfile json, timeline, trace;
    struct plot_files *plots;
    char *gnuplot, *plot_scripts;
    struct diag no_gnuplot; /* why a plot cannot be drawn: not a failed run */
};

static void run_outputs_abort(struct run_outputs *o)
{
    outfile_abort(&o->json);
    outfile_abort(&o->timeline);
    outfile_abort(&o->trace);
    plot_abort(o->plots);
    o->plots = NULL;
}

/* Writes every output but the table to its temporary file. */
static enum sc_status stage_outputs(const struct scenario_args *a, const struct cli_env *env,
                                    const struct pipeline *p, struct run_outputs *o, struct diag *d)
{
    const struct results *r = sim_results(p->sim);
    const struct plan *plan = p->plan;
    FILE *f;
    if (a->json_path && (!(f = outfile_open(&o->json, a->json_path, d)) ||
                         report_json(f, plan, &p->cl, r, d) != SC_OK)) {
        if (d->status == SC_EIO && !d->file[0]) {
            /* Name the file the report was going to. */
            char msg[sizeof d->msg];
            snprintf(msg, sizeof msg, "%s", d->msg);
            diag_clear(d); /* diag_set keeps a first error */
            diag_set(d, SC_EIO, a->json_path, 0, "%s", msg);
        }
        return d->status;
    }
    if (a->timeline_path && (!(f = outfile_open(&o->timeline, a->timeline_path, d)) ||
                             report_timeline_csv(f, plan, r, d) != SC_OK))
        return d->status;
    if (a->trace_path && (!(f = outfile_open(&o->trace, a->trace_path, d)) ||
                          trace_write_chrome(f, plan, r, d) != SC_OK))
        return d->status;
    /* Plots: without gnuplot the run still writes everything else (the
     * plot data too, with --plot-dir) and then says what to install. */
    if (a->plot_path)
        o->gnuplot = plot_find_gnuplot(&env->plot, &o->no_gnuplot);
    struct plot_request preq = {o->gnuplot ? a->plot_path : NULL, a->plot_dir, env->tmp_dir};
    if (preq.plot_path || preq.plot_dir) {
        if (!(o->plot_scripts = plot_find_scripts(&env->plot, d)))
            return d->status;
        o->plots = plot_stage(&preq, o->plot_scripts, plan, r, d);
        if (!o->plots || plot_render(o->plots, o->gnuplot, o->plot_scripts, d) != SC_OK)
            return d->status;
    }
    return SC_OK;
}

static enum sc_status commit_outputs(struct run_outputs *o, struct diag *d)
{
    if (outfile_commit(&o->json, d) != SC_OK || outfile_commit(&o->timeline, d) != SC_OK ||
        outfile_commit(&o->trace, d) != SC_OK)
        return d->status;
    struct plot_files *committing = o->plots;
    o->plots = NULL; /* plot_commit frees it, also on error */
    if (plot_commit(committing, stdout, d) != SC_OK)
        return d->status;
    if (fflush(stdout) != 0)
        return diag_set(d, SC_EIO, NULL, 0, "writing to standard output failed");
    return SC_OK;
}

/* Warns, with the figures, when the run's shuffle and spill would not fit
 * its workers' local disks (sim/runtime/feasibility.c has the rule): the
 * simulation does not fail such a run, a real cluster would. */
static void warn_disk(const struct pipeline *p)
{
    struct disk_check dc;
    feasibility_check_disk(sim_results(p->sim), &p->cl, &dc);
    if (dc.fits)
        return;
    char buf[512];
    fprintf(stderr,
            "stagecast: warning: the run does not fit its workers' local disks: %s (%s); "
            "shuffle files stay until the application ends and the largest stage's spill comes "
            "on top, so a real cluster would fail with \"No space left on device\": use more "
            "workers or a node with a larger temp disk\n",
            feasibility_describe(&dc, buf, sizeof buf), p->cl.worker->name);
}

/* run --executors: the scenario's plan at each count (sim/pipeline/
 * scaling.h), calibrated once. */
static int run_executors(const struct scenario_args *a, const struct cli_env *env)
{
    struct diag d;
    diag_clear(&d);
    struct scenario_run sr;
    struct scaling *sc = NULL;
    int rc = 0;
    if (run_pipeline(a, env, PIPELINE_CALIBRATE, &sr, &d) != SC_OK ||
        !(sc = scaling_run(sr.pl.plan, &sr.pl.cl, a->counts, a->n_counts, sr.pl.seed, &d))) {
        rc = cli_report_error(&d);
    } else {
        scaling_print(stdout, sc);
        if (fflush(stdout) != 0) {
            diag_set(&d, SC_EIO, NULL, 0, "writing to standard output failed");
            rc = cli_report_error(&d);
        }
    }
    scaling_free(sc);
    scenario_run_fini(&sr);
    return rc;
}

static int run_scenario(const struct scenario_args *a, const struct cli_env *env);

static int cmd_run(int argc, char **argv, const struct cli_env *env)
{
    struct scenario_args a;
    int rc = parse_scenario_args(&cli_cmd_run, argc, argv, &a);
    if (rc < 0 && (rc = check_run_args(&a)) < 0)
        rc = a.counts ? run_executors(&a, env) : run_scenario(&a, env);
    free(a.counts);
    return rc;
}

static int run_scenario(const struct scenario_args *a_in, const struct cli_env *env)
{
    const struct scenario_args a = *a_in;
    int rc;
    struct diag d;
    diag_clear(&d);
    struct scenario_run sr;
    struct run_outputs o = {0};
    diag_clear(&o.no_gnuplot);
    rc = 0;
    if (run_pipeline(&a, env, PIPELINE_SIMULATE, &sr, &d) != SC_OK ||
        stage_outputs(&a, env, &sr.pl, &o, &d) != SC_OK)
        goto fail;
    warn_disk(&sr.pl);
    /* A terminal preview (--plot -) comes after the table. */
    if (!a.quiet && !is_stdout(a.json_path) && !is_stdout(a.timeline_path) &&
        !is_stdout(a.trace_path))
        report_table(stdout, sr.pl.plan, &sr.pl.cl, sim_results(sr.pl.sim));
    if (commit_outputs(&o, &d) != SC_OK)
        goto fail;
    if (a.plot_path && !o.gnuplot) {
        /* Exit 1, not 2: the input was fine, the machine lacks a program. */
        char buf[1200];
        fprintf(stderr, "stagecast: cannot draw %s: %s%s%s\n",
                is_stdout(a.plot_path) ? "the preview" : a.plot_path,
                diag_format(&o.no_gnuplot, buf, sizeof buf),
                a.plot_dir ? "; the plot data and scripts are in " : "",
                a.plot_dir ? a.plot_dir : "");
        rc = 1;
    }
    goto done;
fail:
    run_outputs_abort(&o);
    rc = cli_report_error(&d);
done:
    free(o.gnuplot);
    free(o.plot_scripts);
    scenario_run_fini(&sr);
    return rc;
}

static const struct cli_option run_options[] = {
    {OPT_JSON, "json", 0, "OUT", "also write the results as JSON (\"-\" for stdout)"},
    {OPT_TIMELINE, "timeline", 0, "OUT", "also write one CSV row per task attempt"},
    {OPT_PLOT, "plot", 0, "OUT",
     "draw the timeline, utilization and stage waterfall with gnuplot into OUT.png, .svg or "
     ".pdf (\"-\": a terminal preview of utilization after the table)"},
    {OPT_PLOT_DIR, "plot-dir", 0, "DIR", "write the plot data (CSV) and gnuplot scripts to DIR"},
    {OPT_TRACE, "trace", 0, "OUT", "also write a Chrome trace (JSON) for Perfetto"},
    {OPT_SEED, "seed", 0, "N", "override the scenario's seed"},
    {OPT_SET, "set", 0, "KEY=VALUE", SET_HELP},
    {OPT_EXECUTORS, "executors", 0, "LIST",
     "instead of one run, simulate the scenario at each executor count of LIST (\"1-64\" "
     "doubling, \"1,2,4\", \"8-64:8\") of its executor size: time, cost, utilization, the "
     "critical-path lower bound, the ideal count within 10% of it, and each stage's skew and "
     "whether it gates the run"},
    {OPT_QUIET, "quiet", 'q', NULL, "do not print the table"},
    {OPT_RECALIBRATE, "recalibrate", 0, NULL,
     "measure the kernels again instead of using cached fits"},
};

const struct cli_command cli_cmd_run = {
    "run",
    "FILE",
    "simulate a scenario and print the per-stage table",
    "Plans the scenario's jobs into stages, calibrates each stage's operators on sample data "
    "(or reads the cached fits), simulates the application on the scenario's cluster and prints "
    "per stage its tasks, times, task-time percentiles, shuffle, spill and skew, then the "
    "application's wall time, executor utilization and cost.",
    run_options,
    sizeof run_options / sizeof run_options[0],
    cmd_run,
};

/* ---- plan ------------------------------------------------------------------- */

static int cmd_plan(int argc, char **argv, const struct cli_env *env)
{
    struct scenario_args a;
    int rc = parse_scenario_args(&cli_cmd_plan, argc, argv, &a);
    if (rc >= 0)
        return rc;
    struct diag d;
    diag_clear(&d);
    struct scenario_run sr;
    /* --calibrated: the plan run simulates, with calibration's measured
     * estimates and compression in it. */
    if (a.recalibrate && !a.calibrated)
        return cli_usage_error(&cli_cmd_plan, "--recalibrate needs --calibrated");
    enum pipeline_step until = a.calibrated ? PIPELINE_CALIBRATE : PIPELINE_PLAN;
    if (run_pipeline(&a, env, until, &sr, &d) != SC_OK) {
        rc = cli_report_error(&d);
    } else {
        plan_print(stdout, sr.pl.plan, &sr.pl.cl, a.calibrated);
        rc = cli_flush_stdout();
    }
    scenario_run_fini(&sr);
    return rc;
}

static const struct cli_option plan_options[] = {
    {OPT_CALIBRATED, "calibrated", 0, NULL,
     "calibrate first (or read the cached fits) and print the plan run simulates: measured "
     "selectivities and group counts in place of defaults, shuffle bytes at the measured LZ4 "
     "ratios"},
    {OPT_RECALIBRATE, "recalibrate", 0, NULL, "with --calibrated: measure again even when cached"},
    {OPT_SET, "set", 0, "KEY=VALUE", "override a scenario setting, as for run"},
};

const struct cli_command cli_cmd_plan = {
    "plan",
    "FILE",
    "print each job's stages as the planner makes them from its query",
    "Shows, per job, the stages Spark would run for its query: their operators, exchanges, "
    "partition counts and estimated rows and bytes, each filter's and aggregate's estimate marked "
    "with its source (the column distributions, a default, or measured on sample rows). Nothing "
    "is calibrated or simulated unless --calibrated is given; then the plan is the one run "
    "simulates, and agrees with run on every stage's rows and bytes.",
    plan_options,
    sizeof plan_options / sizeof plan_options[0],
    cmd_plan,
};

/* ---- calibrate -------------------------------------------------------------- */

/* `calibrate --show`: the cache directory's entries, as a table or (with
 * --json OUT) as JSON. No scenario: the cache is this host's. */
static int show_cache(const struct scenario_args *a, const struct cli_env *env)
{
    struct diag d;
    diag_clear(&d);
    if (!env->cache_dir[0]) {
        diag_set(&d, SC_EIO, NULL, 0,
                 "no calibration cache to show: set STAGECAST_CACHE_DIR (or XDG_CACHE_HOME or "
                 "HOME) to where calibrations are cached");
        return cli_report_error(&d);
    }
    struct stat st;
    if (stat(env->cache_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        diag_set(&d, SC_EIO, NULL, 0,
                 "the calibration cache %s does not exist: nothing has been calibrated into it "
                 "yet (STAGECAST_CACHE_DIR chooses another)",
                 env->cache_dir);
        return cli_report_error(&d);
    }
    char host[320];
    calib_host_id(host, sizeof host);
    struct calibrate_options o;
    calibrate_options_default(&o);
    struct cache_listing l;
    if (cache_listing_read(env->cache_dir, host, o.version, &l, &d) != SC_OK)
        return cli_report_error(&d);
    int rc = 0;
    if (a->json_path) {
        struct outfile out = {0};
        json_t *j = cache_listing_json(&l, env->cache_dir, host, o.version);
        FILE *f = j ? outfile_open(&out, a->json_path, &d) : NULL;
        if (!j && d.status == SC_OK)
            diag_set(&d, SC_ENOMEM, NULL, 0, "out of memory listing the calibration cache");
        if (!f || json_dumpf(j, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) != 0 ||
            fputc('\n', f) == EOF || outfile_commit(&out, &d) != SC_OK) {
            if (d.status == SC_OK)
                diag_set(&d, SC_EIO, NULL, 0, "cannot write %s", a->json_path);
            outfile_abort(&out);
            rc = cli_report_error(&d);
        }
        json_decref(j);
    } else {
        cache_listing_print(stdout, &l, env->cache_dir, host, o.version);
        rc = cli_flush_stdout();
    }
    cache_listing_free(&l);
    return rc;
}

static int cmd_calibrate(int argc, char **argv, const struct cli_env *env)
{
    const struct cli_command *cmd = &cli_cmd_calibrate;
    struct scenario_args a;
    memset(&a, 0, sizeof a);
    int first;
    int rc = cli_parse_or_exit(cmd, argc, argv, on_option, &a, &first);
    if (rc >= 0)
        return rc;
    if (a.show) {
        if (first < argc)
            return cli_usage_error(cmd, "--show lists the cache and takes no scenario file ('%s')",
                                   argv[first]);
        if (a.recalibrate || a.ops || a.n_sets)
            return cli_usage_error(cmd, "--show takes no other option than --json");
        return show_cache(&a, env);
    }
    if (a.json_path)
        return cli_usage_error(cmd, "--json goes with --show");
    if ((rc = scenario_operand(cmd, argc, argv, first, &a)) >= 0)
        return rc;
    struct diag d;
    diag_clear(&d);
    struct scenario_run sr;
    if (run_pipeline(&a, env, PIPELINE_CALIBRATE, &sr, &d) != SC_OK) {
        rc = cli_report_error(&d);
    } else {
        calibrate_print_table(stdout, sr.pl.cal, sr.pl.plan, &sr.pl.cl);
        if (a.ops)
            calibrate_print_ops(stdout, sr.pl.cal);
        rc = cli_flush_stdout();
    }
    scenario_run_fini(&sr);
    return rc;
}

static const struct cli_option calibrate_options[] = {
    {OPT_RECALIBRATE, "recalibrate", 0, NULL, "measure again even when the fits are cached"},
    {OPT_OPS, "ops", 0, NULL, "also print each operator's fit"},
    {OPT_SET, "set", 0, "KEY=VALUE", "override a scenario setting, as for run"},
    {OPT_SHOW, "show", 0, NULL,
     "list the cache's entries instead (no FILE): what each holds, when and under what load it "
     "was measured, its ns/row, R2 and quality, and whether this host and version use it"},
    {OPT_JSON, "json", 0, "OUT", "with --show, write the entries as JSON (\"-\" for stdout)"},
};

const struct cli_command cli_cmd_calibrate = {
    "calibrate",
    "FILE | --show",
    "time each stage's operators on sample data and print the fits",
    "Generates sample rows from the scenario's table schemas, runs each stage's real kernels at "
    "several sizes and fits time against rows. Fits are cached per host, stagecast version and "
    "kernel version (see ENVIRONMENT), so the second run is instant. A fit whose R2 or slope "
    "interval is poor (STAGECAST_CALIB_MIN_R2, STAGECAST_CALIB_MAX_CI) is measured again, then "
    "used with a warning and cached marked poor; --show lists what the cache holds.",
    calibrate_options,
    sizeof calibrate_options / sizeof calibrate_options[0],
    cmd_calibrate,
};
