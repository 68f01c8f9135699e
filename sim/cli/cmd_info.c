/*
 * cmd_info.c — the commands that print what stagecast knows without running
 * anything: `nodes` (the Azure node catalog), `spark-keys` (the Spark
 * settings it reads), `help` and `version`.
 */
#include "config.h"

#include <string.h>

#include "models/catalog.h"
#include "models/platform.h"
#include "sim/cli/commands.h"
#include "sim/cli/env.h"
#include "sim/input/sparkconf.h"
#include "sim/output/nodes.h"

enum { OPT_PLATFORM, OPT_JSON, OPT_MARKDOWN, OPT_MAN };

/* ---- nodes ------------------------------------------------------------------ */

struct nodes_args {
    const char *platform;
    bool json;
};

static enum sc_status nodes_option(void *ctx, int key, const char *v, struct diag *d)
{
    struct nodes_args *a = ctx;
    if (key == OPT_PLATFORM)
        a->platform = v;
    else if (key == OPT_JSON)
        a->json = true;
    else
        return SC_BUG(d, "nodes option %d has no case", key);
    return SC_OK;
}

static int cmd_nodes(int argc, char **argv, const struct cli_env *env)
{
    const struct cli_command *cmd = &cli_cmd_nodes;
    struct nodes_args a = {NULL, false};
    int first;
    int rc = cli_parse_or_exit(cmd, argc, argv, nodes_option, &a, &first);
    if (rc >= 0)
        return rc;
    if (first < argc)
        return cli_usage_error(cmd, "nodes: unknown argument '%s'", argv[first]);
    enum platform p;
    if (a.platform && platform_parse(a.platform, &p) != 0)
        return cli_usage_error(cmd,
                               "nodes: --platform is databricks, synapse, hdinsight or vm (or "
                               "azure_vm), not '%s'",
                               a.platform);
    struct diag d;
    diag_clear(&d);
    struct catalog *cat = cli_env_catalog(env, &d);
    if (!cat)
        return cli_report_error(&d);
    rc = 0;
    if (a.json)
        rc = nodes_print_json(stdout, cat) == 0 ? 0 : 1;
    else
        nodes_print(stdout, cat, a.platform);
    catalog_free(cat);
    if (cli_flush_stdout() != 0)
        rc = 1;
    return rc;
}

static const struct cli_option nodes_options[] = {
    {OPT_PLATFORM, "platform", 0, "P",
     "only the rows of P: databricks, synapse, hdinsight, vm (or azure_vm), as scenarios name "
     "platforms"},
    {OPT_JSON, "json", 0, NULL, "as JSON"},
};

const struct cli_command cli_cmd_nodes = {
    "nodes",
    "",
    "list the Azure node catalog",
    "Prints each node type's vCPUs, memory, local disk and network throughput, ACU, VM price "
    "per region and DBU rate, as the simulator uses them, with where each region's prices come "
    "from and as of when; a Synapse node's price is its vCores at the vCore-hour rate (marked "
    "v).",
    nodes_options,
    sizeof nodes_options / sizeof nodes_options[0],
    cmd_nodes,
};

/* ---- spark-keys ------------------------------------------------------------- */

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

static enum sc_status markdown_option(void *ctx, int key, const char *v, struct diag *d)
{
    (void)v;
    if (key != OPT_MARKDOWN && key != OPT_MAN)
        return SC_BUG(d, "option %d has no case", key);
    *(int *)ctx = key;
    return SC_OK;
}

static int cmd_spark_keys(int argc, char **argv, const struct cli_env *env)
{
    (void)env;
    const struct cli_command *cmd = &cli_cmd_spark_keys;
    int format = -1, first;
    int rc = cli_parse_or_exit(cmd, argc, argv, markdown_option, &format, &first);
    if (rc >= 0)
        return rc;
    if (first < argc)
        return cli_usage_error(cmd, "spark-keys: unknown argument '%s'", argv[first]);
    bool md = format == OPT_MARKDOWN;
    size_t n;
    const struct spark_key *keys = spark_known_keys(&n);
    if (md)
        printf("| key | type | default | meaning |\n|---|---|---|---|\n");
    for (size_t i = 0; i < n; i++) {
        const char *def =
            keys[i].default_value && keys[i].default_value[0] ? keys[i].default_value : "(unset)";
        if (md)
            printf("| `%s` | %s | %s | %s |\n", keys[i].key, spark_type_word(keys[i].type), def,
                   keys[i].doc);
        else
            printf("%-58s %-8s %-12s %s\n", keys[i].key, spark_type_word(keys[i].type), def,
                   keys[i].doc);
    }
    return cli_flush_stdout();
}

static const struct cli_option spark_keys_options[] = {
    {OPT_MARKDOWN, "markdown", 0, NULL, "as a Markdown table"},
};

const struct cli_command cli_cmd_spark_keys = {
    "spark-keys",
    "",
    "list the Spark settings stagecast knows, with types and defaults",
    "These are the keys a scenario's spark group (and --set spark.KEY=VALUE) may set.",
    spark_keys_options,
    sizeof spark_keys_options / sizeof spark_keys_options[0],
    cmd_spark_keys,
};

/* ---- help ------------------------------------------------------------------- */

/* Not listed in help itself: they generate the reference documents. */
static const struct cli_option help_hidden_options[] = {
    {OPT_MAN, "man", 0, NULL, "print the man page stagecast(1)"},
    {OPT_MARKDOWN, "markdown", 0, NULL, "print the CLI reference docs/cli.md"},
};

static int cmd_help(int argc, char **argv, const struct cli_env *env)
{
    (void)env;
    const struct cli_command parse = {
        .name = "help",
        .options = help_hidden_options,
        .n_options = sizeof help_hidden_options / sizeof help_hidden_options[0],
    };
    int format = -1, first;
    struct diag d;
    diag_clear(&d);
    bool help = false;
    if (cli_parse(&parse, argc, argv, markdown_option, &format, &first, &help, &d) != SC_OK)
        return cli_usage_error(&cli_cmd_help, "%s", d.msg);
    if (help) {
        cli_print_usage(stdout, &cli_cmd_help);
        return cli_flush_stdout();
    }
    if (argc - first > 1)
        return cli_usage_error(&cli_cmd_help, "help takes one command; '%s' is one too many",
                               argv[first + 1]);
    if (first < argc) {
        const struct cli_command *cmd = cli_command_find(argv[first]);
        if (!cmd)
            return cli_usage_error(NULL, "help: unknown command '%s'", argv[first]);
        cli_print_usage(stdout, cmd);
    } else if (format == OPT_MAN) {
        cli_print_man(stdout);
    } else if (format == OPT_MARKDOWN) {
        cli_print_markdown(stdout);
    } else {
        cli_print_overview(stdout);
    }
    return cli_flush_stdout();
}

const struct cli_command cli_cmd_help = {
    "help", "[COMMAND]", "print the commands, or one command's usage and options", NULL, NULL,
    0,      cmd_help,
};

/* ---- version ---------------------------------------------------------------- */

static int cmd_version(int argc, char **argv, const struct cli_env *env)
{
    (void)env;
    const struct cli_command *cmd = &cli_cmd_version;
    int first;
    int rc = cli_parse_or_exit(cmd, argc, argv, markdown_option, NULL, &first);
    if (rc >= 0)
        return rc;
    if (first < argc)
        return cli_usage_error(cmd, "version: unknown argument '%s'", argv[first]);
    printf("stagecast %s\n", PACKAGE_VERSION);
    return cli_flush_stdout();
}

const struct cli_command cli_cmd_version = {
    "version", "", "print the version", NULL, NULL, 0, cmd_version,
};
