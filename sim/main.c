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

#include "models/catalog.h"
#include "sim/cluster.h"
#include "sim/nodes.h"
#include "sim/outfile.h"
#include "sim/report.h"
#include "sim/runtime.h"
#include "sim/scenario.h"

#define EXIT_INPUT 2

static const char usage_text[] =
    "usage: stagecast <command> [options]\n"
    "\n"
    "commands:\n"
    "  run FILE        simulate a scenario and print the per-stage table\n"
    "      --json OUT      also write the results as JSON (\"-\" for stdout)\n"
    "      --timeline OUT  also write one CSV row per task attempt\n"
    "      --seed N        override the scenario's seed\n"
    "      --set KEY=VALUE override a scenario setting (cluster.workers=16,\n"
    "                      cluster.worker=Standard_E8ds_v5, spark.sql.shuffle.partitions=400)\n"
    "      --quiet         do not print the table\n"
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

static int cmd_run(int argc, char **argv)
{
    const char *file = NULL, *json_path = NULL, *timeline_path = NULL;
    bool quiet = false, have_seed = false;
    unsigned long long seed = 0;
    const char *sets[64];
    size_t n_sets = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0 || strcmp(a, "--timeline") == 0 ||
            strcmp(a, "--seed") == 0) {
            if (i + 1 >= argc)
                return usage_error("%s needs a value", a);
            const char *v = argv[++i];
            if (strcmp(a, "--json") == 0)
                json_path = v;
            else if (strcmp(a, "--timeline") == 0)
                timeline_path = v;
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

    struct diag d;
    diag_clear(&d);
    struct scenario *s = NULL;
    struct catalog *cat = NULL;
    struct sim *sim = NULL;
    struct outfile jf = {0}, tf = {0};
    int rc = 0;

    s = scenario_load_with(file, sets, n_sets, &d);
    if (!s)
        goto fail;
    if (have_seed)
        s->seed = seed;
    cat = catalog_load_default(&d);
    if (!cat)
        goto fail;
    struct cluster cl;
    if (cluster_build(s, cat, &cl, &d) != SC_OK)
        goto fail;
    struct sim_options opt = {s->seed};
    sim = sim_new(s, &cl, &opt, &d);
    if (!sim)
        goto fail;
    if (sim_run(sim, &d) != SC_OK)
        goto fail;
    const struct results *r = sim_results(sim);

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
    if (!quiet && !json_stdout && !tl_stdout)
        report_table(stdout, s, &cl, r);
    if (outfile_commit(&jf, &d) != SC_OK || outfile_commit(&tf, &d) != SC_OK)
        goto fail;
    if (fflush(stdout) != 0) {
        diag_set(&d, SC_EIO, NULL, 0, "writing to standard output failed");
        goto fail;
    }
    goto done;
fail:
    outfile_abort(&jf);
    outfile_abort(&tf);
    rc = report_error(&d);
done:
    sim_free(sim);
    catalog_free(cat);
    scenario_free(s);
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
    if (strcmp(cmd, "spark-keys") == 0)
        return cmd_spark_keys(argc - 2, argv + 2);
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
