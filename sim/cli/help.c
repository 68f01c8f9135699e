/*
 * help.c — everything the command line says about itself, printed from the
 * command and option tables: the overview (`stagecast help`), a command's
 * usage (`stagecast help run`, `stagecast run --help`), the man page
 * stagecast(1) (`stagecast help --man`) and the Markdown reference
 * docs/cli.md (`stagecast help --markdown`). The committed docs/stagecast.1
 * and docs/cli.md are this file's output; tests/test_cli.c fails when they
 * differ, so an option added to a table is documented everywhere or the
 * build says so.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "sim/cli/cli.h"
#include "sim/cli/env.h"

#define TEXT_WIDTH 79
#define HELP_COLUMN 26 /* where an option's help starts in usage text */

static const char overview_text[] =
    "stagecast predicts how an Apache Spark application will run on an Azure cluster "
    "(Databricks, Synapse Spark pools, HDInsight or plain VMs) before anyone pays for the "
    "cluster: how long each stage takes, how busy the executors are, what the run costs, and "
    "which cluster size and node type is cheapest for a deadline. It is a discrete-event "
    "simulator whose costs are measured: each operator's real kernel runs on sample data "
    "generated from the scenario's table schemas.";

static const struct {
    int code;
    const char *meaning;
} exit_statuses[] = {
    {0, "success"},
    {1, "a failure that is not the input's: a file that cannot be written, a missing gnuplot"},
    {2, "bad input or usage: an unknown option, a malformed scenario or event log (the message "
        "names the file and line), a file that does not exist"},
};

static const struct cli_option help_option = {0, "help", 'h', NULL, "print this help and exit"};

int cli_parse_or_exit(const struct cli_command *cmd, int argc, char **argv, cli_option_fn on_option,
                      void *ctx, int *first_operand)
{
    struct diag d;
    diag_clear(&d);
    bool help = false;
    if (cli_parse(cmd, argc, argv, on_option, ctx, first_operand, &help, &d) != SC_OK)
        return d.status == SC_EINPUT ? cli_usage_error(cmd, "%s", d.msg) : cli_report_error(&d);
    if (!help)
        return -1;
    cli_print_usage(stdout, cmd);
    return cli_flush_stdout();
}

/* ---- plain text ------------------------------------------------------------- */

/* Prints text from column col (the cursor is there), wrapping words at
 * TEXT_WIDTH onto lines indented to indent; ends the line. */
static void put_wrapped(FILE *out, const char *text, int col, int indent)
{
    const char *p = text;
    while (*p) {
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        int len = (int)(p - w);
        if (col > indent && col + 1 + len > TEXT_WIDTH) {
            fprintf(out, "\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', out);
            col++;
        }
        fwrite(w, 1, (size_t)len, out);
        col += len;
        while (*p == ' ')
            p++;
    }
    fputc('\n', out);
}

/* "  -q, --quiet" or "      --json OUT" into buf. */
static void option_spec(const struct cli_option *o, char *buf, size_t size)
{
    char shortname[8] = "    ";
    if (o->short_name)
        snprintf(shortname, sizeof shortname, "-%c, ", o->short_name);
    snprintf(buf, size, "  %s--%s%s%s", shortname, o->name, o->arg ? " " : "",
             o->arg ? o->arg : "");
}

static void put_option(FILE *out, const struct cli_option *o)
{
    char spec[128];
    option_spec(o, spec, sizeof spec);
    int len = (int)strlen(spec);
    fputs(spec, out);
    if (len + 2 > HELP_COLUMN) {
        fprintf(out, "\n%*s", HELP_COLUMN, "");
        len = HELP_COLUMN;
    } else {
        fprintf(out, "%*s", HELP_COLUMN - len, "");
    }
    put_wrapped(out, o->help, HELP_COLUMN, HELP_COLUMN);
}

/* "stagecast run [options] FILE" */
static void synopsis(const struct cli_command *cmd, char *buf, size_t size)
{
    snprintf(buf, size, "stagecast %s%s%s%s", cmd->name, cmd->n_options ? " [options]" : "",
             cmd->operands[0] ? " " : "", cmd->operands);
}

void cli_print_usage(FILE *out, const struct cli_command *cmd)
{
    char syn[256];
    synopsis(cmd, syn, sizeof syn);
    fprintf(out, "usage: %s\n\n", syn);
    /* The summary as a sentence. */
    fprintf(out, "%c%s.\n", toupper((unsigned char)cmd->summary[0]), cmd->summary + 1);
    if (cmd->details) {
        fputc('\n', out);
        put_wrapped(out, cmd->details, 0, 0);
    }
    fputs("\noptions:\n", out);
    for (size_t i = 0; i < cmd->n_options; i++)
        put_option(out, &cmd->options[i]);
    put_option(out, &help_option);
}

void cli_print_overview(FILE *out)
{
    size_t n;
    const struct cli_command *const *cmds = cli_commands(&n);
    fputs("usage: stagecast COMMAND [options] [operands]\n\ncommands:\n", out);
    for (size_t i = 0; i < n; i++) {
        char left[128];
        snprintf(left, sizeof left, "  %s%s%s", cmds[i]->name, cmds[i]->operands[0] ? " " : "",
                 cmds[i]->operands);
        int len = (int)strlen(left);
        fputs(left, out);
        if (len + 2 > HELP_COLUMN)
            fprintf(out, "\n%*s", HELP_COLUMN, "");
        else
            fprintf(out, "%*s", HELP_COLUMN - len, "");
        put_wrapped(out, cmds[i]->summary, HELP_COLUMN, HELP_COLUMN);
    }
    fputs("\n'stagecast help COMMAND' or 'stagecast COMMAND --help' prints a command's "
          "options.\n",
          out);
    fputs("Exit status: 0 success, 2 bad input or usage, 1 other failure.\n", out);
}

/* ---- the man page ----------------------------------------------------------- */

/* Text for roff: backslashes escaped, and a line that would start with a
 * control character protected. minus: every '-' a minus sign (option
 * names), not a hyphen. */
static void roff(FILE *out, const char *text, bool minus)
{
    if (text[0] == '.' || text[0] == '\'')
        fputs("\\&", out);
    for (const char *p = text; *p; p++) {
        if (*p == '\\')
            fputs("\\e", out);
        else if (*p == '-' && minus)
            fputs("\\-", out);
        else
            fputc(*p, out);
    }
}

static void man_option(FILE *out, const struct cli_option *o)
{
    fputs(".TP\n", out);
    if (o->short_name)
        fprintf(out, "\\fB\\-%c\\fR, ", o->short_name);
    fputs("\\fB\\-\\-", out);
    roff(out, o->name, true);
    fputs("\\fR", out);
    if (o->arg) {
        fputs(" \\fI", out);
        roff(out, o->arg, true);
        fputs("\\fR", out);
    }
    fputc('\n', out);
    roff(out, o->help, false);
    fputc('\n', out);
}

static void man_synopsis(FILE *out, const struct cli_command *cmd)
{
    fputs(".B stagecast ", out);
    roff(out, cmd->name, true);
    fputc('\n', out);
    if (cmd->n_options)
        fputs("[\\fIoptions\\fR]\n", out);
    if (cmd->operands[0]) {
        fputs(".I ", out);
        roff(out, cmd->operands, true);
        fputc('\n', out);
    }
}

static void man_commands(FILE *out, const struct cli_command *const *cmds, size_t n)
{
    fputs(".SH COMMANDS\n", out);
    fputs("Every command also takes \\fB\\-h\\fR, \\fB\\-\\-help\\fR: print its usage and "
          "options, and exit.\n",
          out);
    for (size_t i = 0; i < n; i++) {
        fputs(".SS ", out);
        roff(out, cmds[i]->name, true);
        fputs("\n", out);
        man_synopsis(out, cmds[i]);
        fputs(".PP\n", out);
        fprintf(out, "%c", toupper((unsigned char)cmds[i]->summary[0]));
        roff(out, cmds[i]->summary + 1, false);
        fputs(".\n", out);
        if (cmds[i]->details) {
            roff(out, cmds[i]->details, false);
            fputc('\n', out);
        }
        for (size_t k = 0; k < cmds[i]->n_options; k++)
            man_option(out, &cmds[i]->options[k]);
    }
}

void cli_print_man(FILE *out)
{
    size_t n;
    const struct cli_command *const *cmds = cli_commands(&n);
    fputs(".\\\" Generated by `stagecast help --man` from the command tables in sim/cli/;\n"
          ".\\\" do not edit: change the tables and regenerate (make update-cli-docs).\n",
          out);
    fprintf(out, ".TH STAGECAST 1 \"\" \"stagecast %s\" \"User Commands\"\n", PACKAGE_VERSION);
    fputs(".SH NAME\nstagecast \\- predict the run time and cost of a Spark application on an "
          "Azure cluster\n",
          out);
    fputs(".SH SYNOPSIS\n", out);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputs(".br\n", out);
        man_synopsis(out, cmds[i]);
    }
    fputs(".SH DESCRIPTION\n", out);
    roff(out, overview_text, false);
    fputs("\n.PP\nA scenario file (libconfig syntax) describes the cluster, the Spark settings, "
          "the tables' schemas and the jobs, as DataFrame queries or as explicit stages. "
          "Errors name the file and line.\n",
          out);
    man_commands(out, cmds, n);
    fputs(".SH ENVIRONMENT\n", out);
    size_t nv;
    const struct cli_env_var *vars = cli_env_vars(&nv);
    for (size_t i = 0; i < nv; i++) {
        fprintf(out, ".TP\n.B %s\n", vars[i].name);
        roff(out, vars[i].help, false);
        fputc('\n', out);
    }
    fputs(".SH EXIT STATUS\n", out);
    for (size_t i = 0; i < sizeof exit_statuses / sizeof exit_statuses[0]; i++) {
        fprintf(out, ".TP\n.B %d\n", exit_statuses[i].code);
        roff(out, exit_statuses[i].meaning, false);
        fputs(".\n", out);
    }
    fputs(".SH FILES\n"
          ".TP\n\\fIPREFIX\\fR/share/stagecast/azure-nodes.csv\n"
          "The node catalog: Azure VM sizes with their vCPUs, memory, disk and network "
          "throughput, ACU, prices and DBU rates.\n"
          ".TP\n\\fIPREFIX\\fR/share/stagecast/plots/\n"
          "The gnuplot scripts that draw \\fB\\-\\-plot\\fR and \\fB\\-\\-plot\\-dir\\fR.\n"
          ".TP\n.I ~/.cache/stagecast/\n"
          "The calibration cache (see \\fBSTAGECAST_CACHE_DIR\\fR).\n"
          ".PP\n\\fIPREFIX\\fR is where stagecast is installed (\\fB./configure \\-\\-prefix\\fR, "
          "/usr/local by default); in a build tree the files are found beside the binary.\n",
          out);
    fputs(".SH SEE ALSO\n.BR gnuplot (1)\n.PP\n"
          "The command-line reference docs/cli.md and the scenario-format and model "
          "references in docs/ of the stagecast source distribution.\n",
          out);
}

/* ---- Markdown --------------------------------------------------------------- */

/* Text for a Markdown table cell: '|' escaped. */
static void md_cell(FILE *out, const char *text)
{
    for (const char *p = text; *p; p++) {
        if (*p == '|')
            fputc('\\', out);
        fputc(*p, out);
    }
}

static void md_command(FILE *out, const struct cli_command *cmd)
{
    char syn[256];
    synopsis(cmd, syn, sizeof syn);
    fprintf(out, "\n## stagecast %s\n\n```\n%s\n```\n\n", cmd->name, syn);
    fprintf(out, "%c%s.", toupper((unsigned char)cmd->summary[0]), cmd->summary + 1);
    if (cmd->details)
        fprintf(out, " %s", cmd->details);
    fputc('\n', out);
    if (!cmd->n_options)
        return;
    fputs("\n| option | meaning |\n|---|---|\n", out);
    for (size_t i = 0; i < cmd->n_options; i++) {
        const struct cli_option *o = &cmd->options[i];
        fputs("| ", out);
        if (o->short_name)
            fprintf(out, "`-%c`, ", o->short_name);
        fprintf(out, "`--%s%s", o->name, o->arg ? " " : "");
        if (o->arg)
            md_cell(out, o->arg);
        fputs("` | ", out);
        md_cell(out, o->help);
        fputs(" |\n", out);
    }
}

void cli_print_markdown(FILE *out)
{
    size_t n;
    const struct cli_command *const *cmds = cli_commands(&n);
    fputs("# stagecast command-line reference\n\n"
          "<!-- Generated by `stagecast help --markdown` from the command tables in sim/cli/; "
          "do not edit: change the tables and run `make update-cli-docs`. -->\n\n",
          out);
    fprintf(out, "%s\n\n", overview_text);
    fputs("```\nstagecast COMMAND [options] [operands]\n```\n\n"
          "Every command also takes `-h`, `--help` (its usage and options); "
          "`stagecast help COMMAND` prints the same. The man page stagecast(1) says all of "
          "this too.\n\n"
          "| command | what it does |\n|---|---|\n",
          out);
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "| [`%s`](#stagecast-%s)", cmds[i]->name, cmds[i]->name);
        if (cmds[i]->operands[0]) {
            fputc(' ', out);
            md_cell(out, cmds[i]->operands);
        }
        fputs(" | ", out);
        md_cell(out, cmds[i]->summary);
        fputs(" |\n", out);
    }
    for (size_t i = 0; i < n; i++)
        md_command(out, cmds[i]);
    fputs("\n## Environment\n\n| variable | meaning |\n|---|---|\n", out);
    size_t nv;
    const struct cli_env_var *vars = cli_env_vars(&nv);
    for (size_t i = 0; i < nv; i++) {
        fprintf(out, "| `%s` | ", vars[i].name);
        md_cell(out, vars[i].help);
        fputs(" |\n", out);
    }
    fputs("\n## Exit status\n\n| status | meaning |\n|---|---|\n", out);
    for (size_t i = 0; i < sizeof exit_statuses / sizeof exit_statuses[0]; i++)
        fprintf(out, "| %d | %s |\n", exit_statuses[i].code, exit_statuses[i].meaning);
}
