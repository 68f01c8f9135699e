/*
 * validate_fit.h — the Spark overhead factors (models/calib.h: native
 * kernel time -> Spark executor CPU time, per operator class) fitted on
 * the from-scenario validations themselves, so that the fit is made in the
 * very model that predicts: `stagecast validate --fit-factors` and
 * `--cross-validate`.
 *
 * Evidence: every matched row of a validation (a planned stage paired with
 * log stages) whose log has executor CPU time (Spark 2.1+) and whose
 * planned stage is calibrated. Its target y is the log stages' executor CPU
 * ns; its regressors are the planned stage's native ns per class on the
 * scenario's worker, all tasks (validate_pair.native_ns). A row whose log
 * tasks read fewer than VFIT_MIN_RECORDS_PER_TASK records each is not
 * evidence: a task's fixed costs, which the JVM model carries, dominate it.
 *
 * Fit: min sum_s ((sum_c N_sc f_c + M_s rho) / y_s - 1)^2
 *          + lambda sum_c (f_c / p - 1)^2
 * over the classes with evidence and rho, the JVM's ns per operator row
 * (models/calib.h: M_s the stage's operator rows, scaled to the reference
 * speed), f_c >= VFIT_FLOOR and rho >= 0 by an active set, no pull on
 * rho; p,
 * the pooled ratio sum_s y_s / sum_s sum_c N_sc, is what a class the
 * stages cannot tell apart from its neighbours (or that no stage has)
 * falls back to. Every stage counts by its relative misfit, so a 0.3 s
 * stage weighs as much as a 250 s one; the CPU-weighted misfit is
 * reported beside the RMS.
 *
 * Leave-one-log-out: vfit_fit with exclude_log fits on the other logs'
 * rows only; the CLI re-runs the left-out validation with those factors.
 *
 * Ownership: vfit_collect's rows point into the validations (log names,
 * job and stage names): keep those alive while the rows are used.
 */
#ifndef STAGECAST_VALIDATE_FIT_H
#define STAGECAST_VALIDATE_FIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "models/calib.h"
#include "models/diag.h"
#include "sim/validate/validate.h"

/* Below this many records a log task, the per-record cost is not per record. */
#define VFIT_MIN_RECORDS_PER_TASK 10000.0

/* The pull toward the pooled ratio: a class at twice it costs as much as
 * one stage missed by 32%. It decides what the stages cannot: how to split
 * classes that always run together (sort, sort_merge_join and shuffle_read
 * in every join stage). Chosen by leave-one-log-out on the six shared
 * validations among 1e-3, 0.1, 10 and 1000 (sum over logs of the
 * cross-validated duration-weighted stage error 710%, 438%, 442% and
 * ~470% on 2026-12-07): a choice made on the same logs the table scores,
 * as docs/accuracy.md says. */
#define VFIT_LAMBDA 0.1

/* Rounds of the fit with the pull's target recomputed without the
 * per-row part (vfit_fit). */
#define VFIT_ROUNDS 200

/* No factor below this: a kernel is the least work a row needs. */
#define VFIT_FLOOR 1.0

/* A stage counts among a class's stages when the class has this share of
 * its native time. */
#define VFIT_MIN_SHARE 0.10

struct vfit_row {
    const char *log;  /* the log's file name */
    const char *job;  /* the planned stage's job */
    int64_t stage;    /* its id in the job */
    const char *name; /* its name */
    double y;         /* the log stages' executor CPU ns */
    double records_per_task;
    double native[CALIB_N_CLASSES]; /* native ns by class, all tasks */
    double native_sum;
    double op_rows; /* validate_pair.op_rows */
    char skip[96]; /* why it is not evidence; "" when it is */
};

struct vfit_class {
    double factor;   /* fitted; the pooled ratio where no stage has the class */
    size_t n_stages; /* evidence stages where it has >= VFIT_MIN_SHARE of the native time */
    bool fitted;     /* some evidence stage has it */
    bool at_floor;   /* the fit wanted less than VFIT_FLOOR */
};

struct vfit_result {
    struct vfit_class cls[CALIB_N_CLASSES];
    double row_ns;     /* the JVM's ns per operator row (models/calib.h) */
    bool row_at_floor; /* the fit wanted it below 0 */
    double pooled;       /* sum (y - row_ns op_rows) / sum native over the evidence:
                          * the pull's target */
    size_t n_used;       /* evidence stages */
    size_t n_logs;       /* logs they come from */
    double rms_rel;      /* RMS of (predicted / actual - 1) over the evidence */
    double cpu_weighted; /* sum |predicted - actual| / sum actual CPU */
};

/* One row per matched pair of every validation (skipped ones included,
 * with skip set). *rows is malloc'd (free it); SC_ENOMEM. */
enum sc_status vfit_collect(struct validation *const *vs, size_t n, struct vfit_row **rows,
                            size_t *n_rows, struct diag *d);

/* Fits on the evidence rows whose log is not exclude_log (NULL: every
 * row). SC_EINPUT when no row is evidence. */
enum sc_status vfit_fit(const struct vfit_row *rows, size_t n, const char *exclude_log,
                        struct vfit_result *res, struct diag *d);

/* What res predicts for a row's CPU ns. */
double vfit_predict(const struct vfit_row *row, const struct vfit_result *res);

/* The evidence table, the per-class factors and the scenario fragment. */
void vfit_print(FILE *out, const struct vfit_row *rows, size_t n, const struct vfit_result *res);

/* "model.overhead.CLASS=F" for every class and "model.overhead.row_ns=R",
 * as --set takes them; buf has VFIT_N_SETS entries. */
#define VFIT_N_SETS (CALIB_N_CLASSES + 1)
void vfit_sets(const struct vfit_result *res, char buf[][64]);

#endif
