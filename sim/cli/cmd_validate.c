/*
 * cmd_validate.c — `stagecast validate`: from-scenario prediction scored
 * against real event logs (sim/validate). Each validation file names a log
 * and a scenario written from its plans and input sizes; the command runs
 * the scenario with this host's calibration and prints predicted against
 * actual per stage, for the application, and a summary table.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/catalog.h"
#include "sim/calib/calibrate.h"
#include "sim/cli/commands.h"
#include "sim/cli/env.h"
#include "sim/validate/validate.h"
#include "sim/validate/validate_fit.h"

enum { OPT_LOG_DIR, OPT_HOST_ACU, OPT_TABLE, OPT_SET, OPT_FIT, OPT_CV };

#define DEFAULT_LOG_DIR "../shared/data"
#define MAX_VALIDATIONS 256
#define MAX_SETS 64

struct validate_args {
    const char *log_dir;
    const char *host_acu; /* as STAGECAST_HOST_ACU, checked by the env's reader */
    bool table;
    bool fit;            /* --fit-factors */
    bool cross_validate; /* --cross-validate */
    const char *sets[MAX_SETS];
    size_t n_sets;
};

static enum sc_status validate_option(void *ctx, int key, const char *v, struct diag *d)
{
    struct validate_args *a = ctx;
    switch (key) {
    case OPT_LOG_DIR: a->log_dir = v; return SC_OK;
    case OPT_HOST_ACU: a->host_acu = v; return SC_OK;
    case OPT_TABLE: a->table = true; return SC_OK;
    case OPT_FIT: a->fit = true; return SC_OK;
    case OPT_CV: a->cross_validate = true; return SC_OK;
    case OPT_SET:
        if (a->n_sets == MAX_SETS)
            return diag_set(d, SC_EINPUT, NULL, 0, "at most %d --set options", MAX_SETS);
        a->sets[a->n_sets++] = v;
        return SC_OK;
    }
    return SC_BUG(d, "validate option %d has no case", key);
}

/* --fit-factors: the overhead factors fitted on every validation's stages
 * (validate_fit.h), printed with their evidence. --cross-validate: each
 * validation run again with the factors fitted on the others' stages, and
 * their table. */
static int fit_and_cross_validate(const struct validate_args *a, const struct validate_options *o,
                                  char **paths, struct validation **vs, int n)
{
    struct diag d;
    diag_clear(&d);
    struct vfit_row *rows = NULL;
    size_t n_rows = 0;
    struct vfit_result full;
    if (vfit_collect(vs, (size_t)n, &rows, &n_rows, &d) != SC_OK ||
        vfit_fit(rows, n_rows, NULL, &full, &d) != SC_OK) {
        free(rows);
        return cli_report_error(&d);
    }
    if (a->fit) {
        printf("\nOverhead factors fitted on these validations' stages (in-sample: "
               "executor CPU of the log's stages against the planned stages' native "
               "kernel time on the scenario's worker):\n\n");
        vfit_print(stdout, rows, n_rows, &full);
    }
    int rc = 0;
    if (a->cross_validate) {
        struct validation **cv = calloc((size_t)n, sizeof *cv);
        const char *sets[MAX_SETS + VFIT_N_SETS];
        char fs[VFIT_N_SETS][64];
        char (*used)[VFIT_N_SETS][64] = calloc((size_t)n, sizeof *used);
        if (!cv || !used) {
            free(cv);
            free(used);
            free(rows);
            diag_set(&d, SC_ENOMEM, NULL, 0, "out of memory");
            return cli_report_error(&d);
        }
        for (int i = 0; i < n && !rc; i++) {
            struct vfit_result r;
            const char *log = strrchr(vs[i]->log, '/');
            log = log ? log + 1 : vs[i]->log;
            if (vfit_fit(rows, n_rows, log, &r, &d) != SC_OK) {
                rc = cli_report_error(&d);
                break;
            }
            vfit_sets(&r, fs);
            memcpy(used[i], fs, sizeof fs);
            /* The user's --set first: a model.overhead one of theirs is
             * overridden by the fit, which is the point of the run. */
            size_t ns = 0;
            for (size_t k = 0; k < a->n_sets; k++)
                sets[ns++] = a->sets[k];
            for (int c = 0; c < VFIT_N_SETS; c++)
                sets[ns++] = fs[c];
            struct validate_options oc = *o;
            oc.sets = sets;
            oc.n_sets = ns;
            cv[i] = validate_run(paths[i], &oc, &d);
            if (!cv[i]) {
                fflush(stdout);
                rc = cli_report_error(&d);
                break;
            }
            cv[i]->cross_validated = true;
            if (!a->table)
                validate_print(stdout, cv[i]);
        }
        if (!rc) {
            printf("\nCross-validated: each validation run with the overhead factors fitted on "
                   "the other validations' stages (leave one log out):\n");
            validate_table_header(stdout);
            for (int i = 0; i < n; i++)
                validate_table_row(stdout, cv[i]);
            printf("\nfactors used (fitted without the log):\n");
            for (int i = 0; i < n; i++) {
                const char *log = strrchr(vs[i]->log, '/');
                printf("  %s:", log ? log + 1 : vs[i]->log);
                for (int c = 0; c < VFIT_N_SETS; c++)
                    printf(" %s", used[i][c] + strlen("model.overhead."));
                putchar('\n');
            }
        }
        for (int i = 0; i < n; i++)
            validate_free(cv[i]);
        free(cv);
        free(used);
    }
    free(rows);
    return rc;
}

static int cmd_validate(int argc, char **argv, const struct cli_env *env)
{
    const struct cli_command *cmd = &cli_cmd_validate;
    struct validate_args a = {DEFAULT_LOG_DIR, NULL, false, false, false, {NULL}, 0};
    int first;
    int rc = cli_parse_or_exit(cmd, argc, argv, validate_option, &a, &first);
    if (rc >= 0)
        return rc;
    int n = argc - first;
    if (n == 0)
        return cli_usage_error(cmd, "validate needs validation files: stagecast validate "
                                    "validation/*.validate");
    if (n > MAX_VALIDATIONS)
        return cli_usage_error(cmd, "validate takes at most %d files", MAX_VALIDATIONS);
    struct cli_env e = *env;
    if (a.host_acu)
        e.host_acu = a.host_acu;
    struct diag d;
    diag_clear(&d);
    struct calibrate_options host;
    struct catalog *cat = NULL;
    if (cli_env_calibrate_options(&e, &host, &d) != SC_OK ||
        (e.catalog && !(cat = cli_env_catalog(&e, &d))))
        return cli_report_error(&d);
    struct validate_options o = {a.log_dir, cat, &host, a.sets, a.n_sets};
    struct validation **vs = calloc((size_t)n, sizeof *vs);
    if (!vs) {
        catalog_free(cat);
        diag_set(&d, SC_ENOMEM, NULL, 0, "out of memory");
        return cli_report_error(&d);
    }
    rc = 0;
    if (!a.table)
        validate_print_preamble(stdout);
    for (int i = 0; i < n; i++) {
        struct diag vd;
        diag_clear(&vd);
        vs[i] = validate_run(argv[first + i], &o, &vd);
        if (!vs[i]) {
            fflush(stdout);
            int vrc = cli_report_error(&vd);
            if (!rc)
                rc = vrc;
            continue;
        }
        if (!a.table)
            validate_print(stdout, vs[i]);
    }
    validate_table_header(stdout);
    for (int i = 0; i < n; i++)
        if (vs[i])
            validate_table_row(stdout, vs[i]);
    if (!rc && (a.fit || a.cross_validate))
        rc = fit_and_cross_validate(&a, &o, argv + first, vs, n);
    for (int i = 0; i < n; i++)
        validate_free(vs[i]);
    free(vs);
    catalog_free(cat);
    int frc = cli_flush_stdout();
    return rc ? rc : frc;
}

static const struct cli_option validate_options[] = {
    {OPT_LOG_DIR, "log-dir", 0, "DIR",
     "find each validation file's log under DIR (default " DEFAULT_LOG_DIR ")"},
    {OPT_HOST_ACU, "host-acu", 0, "ACU",
     "calibrate as if this host's ACU-equivalent per core were ACU (as STAGECAST_HOST_ACU)"},
    {OPT_TABLE, "table", 0, NULL, "print only the summary table"},
    {OPT_FIT, "fit-factors", 0, NULL,
     "fit the Spark overhead factors on the validations' own stages (executor CPU against "
     "native kernel time) and print them with their evidence and a model.overhead fragment"},
    {OPT_CV, "cross-validate", 0, NULL,
     "run each validation again with the overhead factors fitted on the other validations' "
     "stages (leave one log out) and print their table"},
    {OPT_SET, "set", 0, "KEY=VALUE",
     "override a setting of every validation's scenario, as for run (e.g. model.jvm's "
     "defaults fitted without the log, for cross-validation)"},
};

const struct cli_command cli_cmd_validate = {
    "validate",
    "FILE...",
    "score from-scenario predictions against the Spark event logs they were written for",
    "Each FILE (validation/*.validate) names an event log, a scenario written from that log's "
    "plans and input sizes only, and which log stage(s) each planned stage is. The scenario is "
    "planned, calibrated on this host and simulated; each stage's and the application's "
    "predicted duration is set against the log's, with the median absolute stage error and the "
    "duration-weighted stage error (sum of |predicted - actual| over sum of actual; a log stage "
    "no planned stage makes counts as predicted 0). Ends with a Markdown table of all FILEs.",
    validate_options,
    sizeof validate_options / sizeof validate_options[0],
    cmd_validate,
};
