/*
 * plot.h — plots of a run. stagecast writes small CSV files (the data), and
 * the gnuplot scripts in plots/ draw them; gnuplot is a program found at run
 * time and run as a child process, never linked. The data files are the
 * contract: users restyle a plot by editing a script, not by re-running.
 *
 * The files, all with a header row (README.md "Plots and traces" documents
 * their columns):
 *   run.csv          one row: the run's name and totals, for titles
 *   stages.csv       one row per stage, in submission order, with its span,
 *                    task-time spread and whether it is on its job's
 *                    critical path
 *   executors.csv    one row per executor: when it was alive and where its
 *                    slots sit in the timeline
 *   bars.csv         the timeline's bars: task attempts per slot, merged
 *                    where they would be thinner than a pixel
 *   utilization.csv  busy and available slots and workers over time, as a
 *                    step function (binned on large runs)
 *
 * Outputs appear whole or not at all, like sim/output/outfile.h: plot_stage writes
 * everything to a staging directory beside its destination, plot_render
 * draws into a temporary file, and plot_commit renames into place.
 *
 * Ownership: plot_stage returns a struct plot_files that plot_commit or
 * plot_abort frees. Strings returned by plot_find_* are the caller's to free.
 */
#ifndef STAGECAST_PLOT_H
#define STAGECAST_PLOT_H

#include <stdbool.h>
#include <stdio.h>

#include "models/diag.h"
#include "sim/runtime/results.h"
#include "sim/plan/plan.h"

/* The timeline is drawn for a plot about this many pixels wide: task
 * attempts shorter than PLOT_MIN_BAR_PX pixels are merged with their
 * neighbours of the same stage when the gap between them is under a pixel. */
#define PLOT_WIDTH_PX 1000
#define PLOT_MIN_BAR_PX 4
/* At most this many timeline rows: above it, consecutive slots share a row. */
#define PLOT_MAX_ROWS 256
/* Runs with more task attempts than this get a binned utilization curve. */
#define PLOT_EXACT_STEPS_MAX_TASKS 2500
#define PLOT_UTIL_BINS 1000

/* What plotting takes from the host, which the CLI reads from the
 * environment; each NULL (or "") when not set. */
struct plot_env {
    const char *scripts_dir; /* $STAGECAST_PLOTS: stagecast's plots/ directory */
    const char *gnuplot;     /* $STAGECAST_GNUPLOT: a path, or a name looked up on path */
    const char *path;        /* $PATH */
    const char *tmp_dir;     /* $TMPDIR: where data are staged without --plot-dir; /tmp */
};

struct plot_request {
    const char *plot_path; /* --plot: FILE.png, .svg or .pdf; "-" is a terminal
                            * preview of utilization; NULL: none */
    const char *plot_dir;  /* --plot-dir: data files and scripts; NULL: none */
    const char *tmp_dir;   /* where data are staged without a plot dir; NULL: /tmp */
};

/* True when path is a plot stagecast can draw: it ends in .png, .svg or
 * .pdf (any case), or is "-". */
bool plot_path_supported(const char *path);

/* The directory holding the gnuplot scripts: env->scripts_dir if set, else
 * plots/ beside the binary (build tree), ../share/stagecast/plots next to
 * it, the install's data directory, the source tree. Returns a malloc'd
 * path, or NULL with d filled (SC_ENOENT, naming where it looked). */
char *plot_find_scripts(const struct plot_env *env, struct diag *d);

/* The gnuplot program: env->gnuplot if set (a path, or a name looked up on
 * env->path), else "gnuplot" on env->path. Returns a malloc'd path, or NULL with
 * d filled (SC_ENOENT, the message says what to install). */
char *plot_find_gnuplot(const struct plot_env *env, struct diag *d);

struct plot_files;

/* Writes the data files — and, with a plot directory, the scripts copied
 * from scripts_dir (which may be NULL without one) — to a staging
 * directory. Returns NULL with d filled when a file cannot be written. */
struct plot_files *plot_stage(const struct plot_request *req, const char *scripts_dir,
                              const struct plan *plan, const struct results *r, struct diag *d);

/* Whether the drawing at path is whole for its format ("png": the
 * signature and the IEND chunk last; "svg": it ends with </svg>; "pdf":
 * %PDF- first and %%EOF last; any other format is not checked); why says
 * what is wrong. gnuplot exits 0 with a truncated file on a full disk. */
bool plot_file_complete(const char *path, const char *fmt, char *why, size_t why_size);

/* Runs gnuplot on the staged data to draw req->plot_path into a temporary
 * file (nothing to do without a plot path). Returns SC_OK, or SC_EIO with
 * gnuplot's first error line in d. */
enum sc_status plot_render(struct plot_files *pf, const char *gnuplot, const char *scripts_dir,
                           struct diag *d);

/* Moves everything staged into place; a terminal preview is copied to
 * preview. Frees pf, also on error. */
enum sc_status plot_commit(struct plot_files *pf, FILE *preview, struct diag *d);

/* Removes everything staged (and a plot directory it created). Frees pf;
 * NULL is allowed. */
void plot_abort(struct plot_files *pf);

/* Draws a sweep's CSV (sweep_write_csv's columns) with plots/sweep.gp into
 * out_path (.png, .svg or .pdf): cost against makespan with the Pareto front
 * and the recommendation, and cost per node type at each worker count.
 * All or nothing. Returns SC_OK, or an error in d (gnuplot missing: the
 * message says what to install). */
enum sc_status plot_sweep(const char *csv_path, const char *out_path, const struct plot_env *env,
                          struct diag *d);

/* The data files one by one, to any stream (plot_stage uses these; tests
 * and other writers may too). Each returns SC_OK, SC_ENOMEM or SC_EIO. */
enum sc_status plot_write_run_csv(FILE *out, const struct plan *plan, const struct results *r,
                                  struct diag *d);
enum sc_status plot_write_stages_csv(FILE *out, const struct plan *plan, const struct results *r,
                                     struct diag *d);
enum sc_status plot_write_executors_csv(FILE *out, const struct results *r, struct diag *d);
enum sc_status plot_write_bars_csv(FILE *out, const struct results *r, struct diag *d);
enum sc_status plot_write_utilization_csv(FILE *out, const struct results *r, struct diag *d);

#endif
