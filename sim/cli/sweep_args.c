/*
 * sweep_args.c — the options of `stagecast sweep` and `stagecast merge` and
 * their checks: each value is checked here, as it is read, so that a usage
 * error is reported before anything runs. What the values mean (the grid,
 * the runs, the statistics) is sim/sweep/'s (sweep.h).
 */
#include "config.h"

#include "sim/cli/sweep_args.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "models/units.h"
#include "sim/output/outfile.h"
#include "sim/output/plot.h"

enum {
    OPT_NODE_TYPES,
    OPT_WORKERS,
    OPT_AUTOSCALE,
    OPT_SPOT,
    OPT_SET,
    OPT_REPLICATIONS,
    OPT_SEED,
    OPT_DEADLINE,
    OPT_CONFIDENCE,
    OPT_JSON,
    OPT_CSV,
    OPT_PLOT,
    OPT_QUIET,
    OPT_THREADS,
    OPT_RESULTS,
    OPT_RESUME,
    OPT_SHARD
};

#define JSON_HELP "write the table's points as JSON (\"-\" for stdout)"
#define CSV_HELP "write one CSV row per point (\"-\" for stdout)"
#define PLOT_HELP "draw cost against makespan with gnuplot into OUT.png, .svg or .pdf"
#define DEADLINE_HELP "recommend the cheapest point that meets D (e.g. 30m, 1.5h, 90s)"
#define CONFIDENCE_HELP "the confidence the deadline is met with (default 0.95)"

const struct cli_option cli_sweep_options[] = {
    {OPT_NODE_TYPES, "node-types", 0, "A,B",
     "worker sizes (and driver, if the scenario's is the same as its worker)"},
    {OPT_WORKERS, "workers", 0, "R", "worker counts: 2,4,8 | 2-32 (doubling) | 2-32:2 (step)"},
    {OPT_AUTOSCALE, "autoscale", 0, "MIN-MAX,...", "autoscale ranges"},
    {OPT_SPOT, "spot", 0, "F,...", "spot fractions of the workers (0 to 1)"},
    {OPT_SET, "set", 0, "KEY=V1,V2,...",
     "any scenario setting over values (repeatable; one value: fixed)"},
    {OPT_REPLICATIONS, "replications", 0, "N", "seeds per point (default 1)"},
    {OPT_SEED, "seed", 0, "N", "the first seed (default: the scenario's)"},
    {OPT_DEADLINE, "deadline", 0, "D", DEADLINE_HELP},
    {OPT_CONFIDENCE, "confidence", 0, "C", CONFIDENCE_HELP},
    {OPT_JSON, "json", 0, "OUT", JSON_HELP},
    {OPT_CSV, "csv", 0, "OUT", CSV_HELP},
    {OPT_PLOT, "plot", 0, "OUT", PLOT_HELP},
    {OPT_QUIET, "quiet", 'q', NULL, "do not print the table or a progress bar"},
    {OPT_THREADS, "threads", 0, "N", "runs at a time (default: the online CPUs)"},
    {OPT_RESULTS, "results", 0, "F.jsonl", "append each finished run to F.jsonl"},
    {OPT_RESUME, "resume", 0, NULL, "continue the --results file: skip the runs it holds"},
    {OPT_SHARD, "shard", 0, "I/N", "run only the points whose index % N is I"},
};
_Static_assert(sizeof cli_sweep_options / sizeof cli_sweep_options[0] == CLI_N_SWEEP_OPTIONS,
               "CLI_N_SWEEP_OPTIONS counts cli_sweep_options");

const struct cli_option cli_merge_options[] = {
    {OPT_JSON, "json", 0, "OUT", JSON_HELP},
    {OPT_CSV, "csv", 0, "OUT", CSV_HELP},
    {OPT_PLOT, "plot", 0, "OUT", PLOT_HELP},
    {OPT_DEADLINE, "deadline", 0, "D", DEADLINE_HELP},
    {OPT_CONFIDENCE, "confidence", 0, "C", CONFIDENCE_HELP},
    {OPT_QUIET, "quiet", 'q', NULL, "do not print the table"},
};
_Static_assert(sizeof cli_merge_options / sizeof cli_merge_options[0] == CLI_N_MERGE_OPTIONS,
               "CLI_N_MERGE_OPTIONS counts cli_merge_options");

static enum sc_status parse_size(const char *opt, const char *v, size_t lo, size_t hi, size_t *out,
                                 struct diag *d)
{
    unsigned long long n;
    if (cli_parse_u64(v, lo, hi, &n) != 0)
        return diag_set(d, SC_EINPUT, NULL, 0, "%s needs a whole number from %zu to %zu, not '%s'",
                        opt, lo, hi, v);
    *out = (size_t)n;
    return SC_OK;
}

/* --shard i/n with 0 <= i < n. */
static enum sc_status parse_shard(const char *v, struct sweep_args *a, struct diag *d)
{
    char buf[64];
    const char *slash = strchr(v, '/');
    size_t len = slash ? (size_t)(slash - v) : 0;
    unsigned long long i = 0, n = 0;
    if (slash && len < sizeof buf) {
        memcpy(buf, v, len);
        buf[len] = '\0';
    }
    if (!slash || len >= sizeof buf || cli_parse_u64(buf, 0, SWEEP_MAX_POINTS, &i) != 0 ||
        cli_parse_u64(slash + 1, 1, SWEEP_MAX_POINTS, &n) != 0 || i >= n)
        return diag_set(d, SC_EINPUT, NULL, 0,
                        "--shard needs i/n with 0 <= i < n (e.g. 0/4), not '%s'", v);
    a->shard_index = (size_t)i;
    a->shard_count = (size_t)n;
    a->have_shard = true;
    return SC_OK;
}

static enum sc_status on_option(void *ctx, int key, const char *v, struct diag *d)
{
    struct sweep_args *a = ctx;
    switch (key) {
    case OPT_NODE_TYPES: a->node_types = v; return SC_OK;
    case OPT_WORKERS: a->workers = v; return SC_OK;
    case OPT_AUTOSCALE: a->autoscale = v; return SC_OK;
    case OPT_SPOT: a->spot = v; return SC_OK;
    case OPT_SET: a->sets[a->n_sets++] = v; return SC_OK;
    case OPT_REPLICATIONS:
        return parse_size("--replications", v, 1, SWEEP_MAX_REPLICATIONS, &a->replications, d);
    case OPT_SEED: {
        unsigned long long s;
        if (cli_parse_u64(v, 0, UINT64_MAX, &s) != 0)
            return diag_set(d, SC_EINPUT, NULL, 0, "--seed needs a non-negative integer, not '%s'",
                            v);
        a->seed = s;
        a->have_seed = true;
        return SC_OK;
    }
    case OPT_DEADLINE:
        if (units_parse_duration(v, &a->deadline_s) != 0 || !(a->deadline_s > 0))
            return diag_set(d, SC_EINPUT, NULL, 0,
                            "--deadline needs a duration such as 30m, 1.5h or 90s, not '%s'", v);
        return SC_OK;
    case OPT_CONFIDENCE: {
        char *end;
        a->confidence = strtod(v, &end);
        if (!v[0] || *end || !(a->confidence > 0.0 && a->confidence < 1.0))
            return diag_set(d, SC_EINPUT, NULL, 0,
                            "--confidence needs a probability between 0 and 1 (e.g. 0.95), "
                            "not '%s'",
                            v);
        return SC_OK;
    }
    case OPT_JSON: a->json_path = v; return SC_OK;
    case OPT_CSV: a->csv_path = v; return SC_OK;
    case OPT_PLOT:
        if (!plot_path_supported(v) || strcmp(v, "-") == 0)
            return diag_set(d, SC_EINPUT, NULL, 0,
                            "--plot draws a .png, .svg or .pdf file, not '%s'", v);
        a->plot_path = v;
        return SC_OK;
    case OPT_QUIET: a->quiet = true; return SC_OK;
    case OPT_THREADS: return parse_size("--threads", v, 1, SWEEP_MAX_THREADS, &a->threads, d);
    case OPT_RESULTS: a->results_path = v; return SC_OK;
    case OPT_RESUME: a->resume = true; return SC_OK;
    case OPT_SHARD: return parse_shard(v, a, d);
    }
    return SC_BUG(d, "sweep option %d has no case", key);
}

/* The checks that need the whole command line. */
static enum sc_status check_args(const struct sweep_args *a, struct diag *d)
{
    if (a->merge && a->n_files == 0)
        return diag_set(d, SC_EINPUT, NULL, 0,
                        "merge needs results files: stagecast merge F1.jsonl F2.jsonl ...");
    if (!a->merge && !a->file)
        return diag_set(d, SC_EINPUT, NULL, 0,
                        "sweep needs a scenario file: stagecast sweep FILE [options]");
    if (a->resume && !a->results_path)
        return diag_set(d, SC_EINPUT, NULL, 0,
                        "--resume continues a results file: give it with --results FILE");
    if (a->json_path && a->csv_path && strcmp(a->json_path, "-") == 0 &&
        strcmp(a->csv_path, "-") == 0)
        return diag_set(d, SC_EINPUT, NULL, 0, "--json and --csv cannot both go to stdout");
    /* Outputs are renamed into place in turn: two on one file would leave
     * only the last, and one over the scenario or a results file destroys it. */
    const char *names[] = {"--json", "--csv", "--plot", "--results"};
    const char *paths[] = {a->json_path, a->csv_path, a->plot_path, a->results_path};
    for (size_t i = 0; i < 4; i++) {
        if (a->file && outfile_same_file(paths[i], a->file))
            return diag_set(d, SC_EINPUT, NULL, 0,
                            "%s '%s' is the scenario file being read: it would be overwritten; "
                            "choose another path",
                            names[i], paths[i]);
        for (size_t k = 0; i < 3 && k < a->n_files; k++)
            if (outfile_same_file(paths[i], a->files[k]))
                return diag_set(d, SC_EINPUT, NULL, 0,
                                "%s '%s' is a results file being merged: it would be overwritten",
                                names[i], paths[i]);
        for (size_t j = i + 1; j < 4; j++)
            if (outfile_same_file(paths[i], paths[j]))
                return diag_set(d, SC_EINPUT, NULL, 0,
                                "%s and %s both name '%s': one would overwrite the other; give "
                                "each output its own path",
                                names[i], names[j], paths[j]);
    }
    return SC_OK;
}

enum sc_status cli_sweep_parse(int argc, char **argv, bool merge, struct sweep_args *a, bool *help,
                               struct diag *d)
{
    memset(a, 0, sizeof *a);
    a->merge = merge;
    a->deadline_s = NAN;
    a->confidence = NAN;
    a->sets = calloc((size_t)argc + 1, sizeof *a->sets);
    a->files = calloc((size_t)argc + 1, sizeof *a->files);
    if (!a->sets || !a->files)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory in the sweep");
    const struct cli_command cmd = {
        .name = merge ? "merge" : "sweep",
        .options = merge ? cli_merge_options : cli_sweep_options,
        .n_options = merge ? CLI_N_MERGE_OPTIONS : CLI_N_SWEEP_OPTIONS,
    };
    int first;
    if (cli_parse(&cmd, argc, argv, on_option, a, &first, help, d) != SC_OK || *help)
        return d->status;
    for (int i = first; i < argc; i++) {
        if (merge)
            a->files[a->n_files++] = argv[i];
        else if (a->file)
            return diag_set(d, SC_EINPUT, NULL, 0,
                            "sweep takes one scenario file; '%s' is one too many", argv[i]);
        else
            a->file = argv[i];
    }
    return check_args(a, d);
}

void cli_sweep_args_fini(struct sweep_args *a)
{
    free(a->sets);
    free(a->files);
    a->sets = NULL;
    a->files = NULL;
}
