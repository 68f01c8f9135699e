/*
 * import_build.h — inside the importer (importer.h): the state its steps
 * share while they turn one log into a struct import, and the steps
 * themselves, one file per concern:
 *
 *   importer.c        import_log: runs the steps in order; notes, free
 *   import_settings.c the Spark settings, kept for the scenario or read
 *   import_cluster.c  the cluster: platform, node sizes, executors
 *   import_stages.c   one stage from its attempts and tasks
 *   import_jobs.c     the jobs, their stages' parents, their timing
 *   import_driver.c   the driver's launch rate and time before each stage
 *   import_write.c    the scenario as commented libconfig text
 *   import_tree.c     the scenario as an in-memory libconfig tree
 *
 * A step records what it had to decide or leave out with import_note, and
 * sets oom (and stops) when memory runs out; import_log checks it once.
 * Not installed, not for use outside sim/eventlog/.
 */
#ifndef STAGECAST_IMPORT_BUILD_H
#define STAGECAST_IMPORT_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/eventlog/importer.h"

struct builder {
    struct import *im;
    const struct evlog *log;
    const struct catalog *cat;
    struct diag *d;
    int64_t locality_wait_ms; /* spark.locality.wait */
    int task_cpus;            /* spark.task.cpus */
    size_t orphans;           /* stages that ran with no JobStart listing them */
    int64_t *exec_first_finish_ms; /* per log executor: its first task's finish;
                                    * INT64_MAX when none finished; NULL: no
                                    * executors */
    bool oom;
};

static inline double import_ms_to_s(int64_t ms)
{
    return (double)ms / 1000.0;
}

/* importer.c */

/* Adds a sentence to im->notes (the scenario's comment header, replay's
 * notes); sets b->oom when it cannot. */
void import_note(struct builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* strdup(s), NULL for NULL; sets b->oom when it fails. */
char *import_dup(struct builder *b, const char *s);
/* qsort order of int64_t values. */
int import_compare_i64(const void *a, const void *b);

/* import_settings.c */

/* Fills im->settings (sorted by key) and im->skipped_keys from the log's
 * Spark properties. */
void import_settings(struct builder *b);
/* A note that the property p, at its file:line, is not `want`, and that
 * `instead` is used. */
void import_bad_property(struct builder *b, const struct evlog_property *p, const char *want,
                         const char *instead);
/* text as a whole decimal number in [lo, hi]: true and *out, else false. */
bool import_parse_long(const char *text, long lo, long hi, long *out);
/* spark.task.cpus, 1 when absent or unreadable (noted). */
int import_task_cpus(struct builder *b);
/* spark.locality.wait in ms, 3 s when absent or unreadable (noted). */
int64_t import_locality_wait_ms(struct builder *b);
/* A memory setting in MiB; 0 when absent or unreadable (noted). */
int64_t import_memory_mib(struct builder *b, const char *key);

/* import_cluster.c */

/* Platform, node sizes, workers, executors and their start times. */
void import_layout_cluster(struct builder *b);
/* Whether e is the driver's own entry ("driver", "<driver>"). */
bool import_is_driver(const struct evlog_executor *e);

/* import_stages.c */

/* out from the attempts att[0..n_att) of one stage of job: task times,
 * parents, metrics, waits. Returns 0, or -1 (b->oom) when memory runs out. */
int import_build_stage(struct builder *b, const struct evlog_stage *att, size_t n_att,
                       const struct evlog_job *job, struct import_stage *out);
void import_stage_free(struct import_stage *s);

/* import_jobs.c */

/* im->jobs from the log's jobs and the stages that ran. Returns 0, or -1
 * with b->d filled (or b->oom). */
int import_jobs(struct builder *b);
/* Each job's submit_s / gap_s / concurrent, and the application's time. */
void import_time_jobs(struct import *im);
void import_job_free(struct import_job *j);

/* import_driver.c */

/* im->task_launch_ms from the stages' first waves. */
void import_estimate_launch(struct builder *b);
/* Each stage's driver_s and offer_wait_s (see importer.c). */
void import_measure_driver(struct builder *b);
/* The cpus a task of resource profile rp takes; dflt when the profile does
 * not say. */
double import_profile_task_cpus(const struct evlog *log, int64_t rp, double dflt);

#endif
