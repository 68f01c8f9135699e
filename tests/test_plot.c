/*
 * test_plot.c — plots and traces: the data files behind the plots (on
 * hand-made results, with the expected rows worked out by hand), and the
 * real binary drawing PNG, SVG and PDF with gnuplot, redrawing from a plot
 * directory, writing a Chrome trace, and failing cleanly without gnuplot.
 *
 * The build passes STAGECAST (the binary) and SRCDIR (the source tree).
 * Tests that need gnuplot are skipped when it is not installed; nothing
 * here measures time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "cli_harness.h"
#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/output/plot.h"
#include "sim/output/plotlabel.h"
#include "sim/output/trace.h"

static const char *binary;
static const char *srcdir;
static char workdir[256];
static char *gnuplot; /* NULL: not installed, drawing tests are skipped */

/* ---- helpers ------------------------------------------------------------ */

/* Runs a shell command line, stdout and stderr to files in the work
 * directory; returns the exit status. */
static int sh(const char *cmdline)
{
    return harness_sh(workdir, cmdline);
}

/* Runs the binary with args (already shell-quoted) after an optional
 * environment prefix ("VAR=value ..."). */
static int run_env(const char *env, const char *args)
{
    char cmd[6144];
    snprintf(cmd, sizeof cmd, "%s '%s' %s", env ? env : "", binary, args);
    return sh(cmd);
}

static int run(const char *args)
{
    return run_env(NULL, args);
}

static char *slurp_n(const char *path, size_t *len)
{
    return harness_slurp(path, len);
}

static char *slurp(const char *path)
{
    return slurp_n(path, NULL);
}

static const char *work_file(const char *name)
{
    static char path[4][1024];
    static int k;
    k = (k + 1) % 4;
    snprintf(path[k], sizeof path[k], "%s/%s", workdir, name);
    return path[k];
}

static bool exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[1024];
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat sb;
        if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
            remove_tree(path);
            rmdir(path);
        } else {
            unlink(path);
        }
    }
    closedir(d);
}

/* Entries of dir other than out.txt and err.txt (and, when given, one
 * more name that is expected there). */
static int stray_files(const char *dir, const char *expected)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "out.txt") &&
            strcmp(e->d_name, "err.txt") && (!expected || strcmp(e->d_name, expected)))
            n++;
    closedir(d);
    return n;
}

/* Checks a PNG file: the 8-byte signature, then the IHDR chunk first with
 * a width and height above zero. Returns the width (0 when invalid). */
static unsigned png_width(const char *path, unsigned *height)
{
    size_t n;
    unsigned char *b = (unsigned char *)slurp_n(path, &n);
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
    unsigned w = 0, h = 0;
    if (b && n >= 24 && memcmp(b, sig, 8) == 0 && memcmp(b + 12, "IHDR", 4) == 0) {
        w = (unsigned)b[16] << 24 | (unsigned)b[17] << 16 | (unsigned)b[18] << 8 | b[19];
        h = (unsigned)b[20] << 24 | (unsigned)b[21] << 16 | (unsigned)b[22] << 8 | b[23];
    }
    free(b);
    if (height)
        *height = h;
    return h > 0 ? w : 0;
}

/* A minimal XML well-formedness check, enough to catch a truncated or
 * garbled SVG: a prolog of declarations and comments, then one root
 * element whose tags nest and close, attributes quoted, and text with no
 * stray '<' and only well-formed entity references. Returns 1 if well
 * formed. */
static int xml_well_formed(const char *p)
{
    char stack[64][64];
    int depth = 0, roots = 0;
    while (*p) {
        if (*p != '<') {
            if (*p == '&') {
                const char *semi = strchr(p, ';');
                if (!semi || semi - p < 2 || semi - p > 10)
                    return 0;
                for (const char *q = p + 1; q < semi; q++)
                    if (!(q == p + 1 && *q == '#') &&
                        !((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
                          (*q >= '0' && *q <= '9')))
                        return 0;
            } else if (depth == 0 && !strchr(" \t\r\n", *p)) {
                return 0; /* text outside the root */
            }
            p++;
            continue;
        }
        if (!strncmp(p, "<?", 2)) {
            const char *e = strstr(p, "?>");
            if (!e)
                return 0;
            p = e + 2;
        } else if (!strncmp(p, "<!--", 4)) {
            const char *e = strstr(p, "-->");
            if (!e)
                return 0;
            p = e + 3;
        } else if (!strncmp(p, "<![CDATA[", 9)) {
            const char *e = strstr(p, "]]>");
            if (!e || depth == 0)
                return 0;
            p = e + 3;
        } else if (!strncmp(p, "<!", 2)) {
            /* DOCTYPE, possibly with an internal subset in brackets. */
            int br = 0;
            for (p += 2; *p && (br || *p != '>'); p++)
                br += (*p == '[') - (*p == ']');
            if (!*p)
                return 0;
            p++;
        } else if (p[1] == '/') {
            p += 2;
            char name[64];
            size_t k = 0;
            while (*p && !strchr(" \t\r\n>", *p) && k < sizeof name - 1)
                name[k++] = *p++;
            name[k] = '\0';
            while (*p && strchr(" \t\r\n", *p))
                p++;
            if (*p != '>' || depth == 0 || strcmp(stack[depth - 1], name) != 0)
                return 0;
            depth--;
            p++;
        } else {
            p++;
            char name[64];
            size_t k = 0;
            while (*p && !strchr(" \t\r\n/>", *p) && k < sizeof name - 1)
                name[k++] = *p++;
            name[k] = '\0';
            if (k == 0)
                return 0;
            /* Attributes: name = "value" | 'value'. */
            for (;;) {
                while (*p && strchr(" \t\r\n", *p))
                    p++;
                if (*p == '>' || !strncmp(p, "/>", 2) || !*p)
                    break;
                while (*p && !strchr(" \t\r\n=/>", *p))
                    p++;
                while (*p && strchr(" \t\r\n", *p))
                    p++;
                if (*p != '=')
                    return 0;
                p++;
                while (*p && strchr(" \t\r\n", *p))
                    p++;
                char q = *p;
                if (q != '"' && q != '\'')
                    return 0;
                const char *e = strchr(p + 1, q);
                if (!e)
                    return 0;
                for (const char *c = p + 1; c < e; c++)
                    if (*c == '<')
                        return 0;
                p = e + 1;
            }
            if (!*p)
                return 0;
            if (depth == 0)
                roots++;
            if (*p == '/') {
                p += 2; /* empty element */
            } else {
                if (depth >= 64)
                    return 0;
                snprintf(stack[depth++], sizeof stack[0], "%s", name);
                p++;
            }
        }
    }
    return depth == 0 && roots == 1;
}

/* ---- hand-made results for the data-file tests ---------------------------- */

/* One executor with two slots, one stage of short tasks over a 1000 s run.
 * A pixel is 1000 s / PLOT_WIDTH_PX = 1 s; bars under PLOT_MIN_BAR_PX = 4 s
 * merge with a neighbour less than 1 s away. */
struct hand {
    struct task_rec tasks[16];
    struct stage_result stages[2];
    struct job_result job;
    struct executor_result ex[2];
    struct results r;
};

static void hand_init(struct hand *h)
{
    memset(h, 0, sizeof *h);
    h->stages[0] = (struct stage_result){
        .job = 0, .id = 0, .spark_id = 0, .name = "scan, with comma", .tasks = 1};
    h->stages[1] =
        (struct stage_result){.job = 0, .id = 1, .spark_id = 1, .name = "agg", .tasks = 1};
    h->job = (struct job_result){.name = "job", .first_stage = 0, .n_stages = 2};
    h->ex[0] =
        (struct executor_result){.id = 0, .worker = 0, .cores = 2, .slots = 2, .alive_s = 1000.0};
    h->r.tasks = h->tasks;
    h->r.stages = h->stages;
    h->r.n_stages = 2;
    h->r.jobs = &h->job;
    h->r.n_jobs = 1;
    h->r.executors = h->ex;
    h->r.n_executors = 1;
    h->r.start_us = 0;
    h->r.end_us = 1000000000; /* 1000 s */
    h->r.makespan_s = 1000.0;
    h->r.cost.total_usd = NAN;
}

static void hand_task(struct hand *h, int slot, int stage, double from_s, double to_s, int status,
                      int attempt)
{
    struct task_rec *t = &h->tasks[h->r.n_tasks++];
    t->launch_us = t->assign_us = (int64_t)llround(from_s * 1e6);
    t->end_us = (int64_t)llround(to_s * 1e6);
    t->stage = stage;
    t->index = (int32_t)h->r.n_tasks;
    t->executor = 0;
    t->slot = (int16_t)slot;
    t->attempt = (uint8_t)attempt;
    t->status = (uint8_t)status;
    t->phase_s[PHASE_COMPUTE] = (float)(to_s - from_s);
}

/* Writes with fn into a memory stream and returns the text (caller frees). */
static char *write_to_string(enum sc_status (*fn)(FILE *, const struct results *, struct diag *),
                             const struct results *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    struct diag d;
    diag_clear(&d);
    assert_int_equal(fn(f, r, &d), SC_OK);
    fclose(f);
    return buf;
}

static void test_thin_bars_merge_wide_bars_stay(void **state)
{
    (void)state;
    struct hand h;
    hand_init(&h);
    /* Slot 0: three 1 s tasks 0.5 s apart (thin, gaps < 1 px): one bar of
     * 3 attempts from 0 to 4. Then two 100 s tasks back to back at 10 and
     * 110.2: wide, kept apart. Slot 1: a failed 1 s attempt at 0 and a
     * successful retry at 1.5 — different marks, never merged — and a
     * stage-1 task at 3: another stage. */
    hand_task(&h, 0, 0, 0.0, 1.0, TASK_SUCCESS, 0);
    hand_task(&h, 0, 0, 1.5, 2.5, TASK_SUCCESS, 0);
    hand_task(&h, 0, 0, 3.0, 4.0, TASK_SUCCESS, 0);
    hand_task(&h, 0, 0, 10.0, 110.0, TASK_SUCCESS, 0);
    hand_task(&h, 0, 0, 110.2, 210.2, TASK_SUCCESS, 0);
    hand_task(&h, 1, 0, 0.0, 1.0, TASK_FAILED, 0);
    hand_task(&h, 1, 0, 1.5, 2.5, TASK_SUCCESS, 1);
    hand_task(&h, 1, 1, 3.0, 3.5, TASK_SUCCESS, 0);
    char *csv = write_to_string(plot_write_bars_csv, &h.r);
    const char *expect = "row,start_s,end_s,stage,spark_stage_id,attempts,status,retry\n"
                         "0,0.000000,4.000000,0,0,3,0,0\n"
                         "0,10.000000,110.000000,0,0,1,0,0\n"
                         "0,110.200000,210.200000,0,0,1,0,0\n"
                         "1,1.500000,2.500000,0,0,1,0,1\n"
                         "1,0.000000,1.000000,0,0,1,1,0\n"
                         "1,3.000000,3.500000,1,1,1,0,0\n";
    assert_string_equal(csv, expect);
    free(csv);
}

static void test_utilization_steps_count_busy_slots(void **state)
{
    (void)state;
    struct hand h;
    hand_init(&h);
    /* Two slots: a task on [0,10) and one on [5,20). Everything at one
     * instant applies together, so the row at 0 already has the first
     * task: busy 1 from 0, 2 from 5, 1 from 10, 0 from 20; 2 slots and 1
     * worker until the end at 1000, then none. */
    hand_task(&h, 0, 0, 0.0, 10.0, TASK_SUCCESS, 0);
    hand_task(&h, 1, 0, 5.0, 20.0, TASK_SUCCESS, 0);
    char *csv = write_to_string(plot_write_utilization_csv, &h.r);
    const char *expect = "time_s,busy_slots,available_slots,workers,utilization\n"
                         "0.000000,1.0000,2.0000,1.0000,0.500000\n"
                         "5.000000,2.0000,2.0000,1.0000,1.000000\n"
                         "10.000000,1.0000,2.0000,1.0000,0.500000\n"
                         "20.000000,0.0000,2.0000,1.0000,0.000000\n"
                         "1000.000000,0.0000,0.0000,0.0000,0.000000\n";
    assert_string_equal(csv, expect);
    free(csv);
}

/* An autoscaled cluster: executor 0 (worker 0, 2 slots) from the start,
 * worker 1's executor (2 slots) joins at 100 s and leaves at 300 s; the
 * run ends at 1000 s. The scale events say what was alive after each
 * change, so the curves are 2 slots and 1 worker until 100, 4 and 2 until
 * 300, 2 and 1 until 1000, then none — not both executors from 0 for
 * their alive time, which would claim 4 slots from the start. One task on
 * worker 1's slot from 150 to 250. */
static void test_utilization_follows_the_cluster_size(void **state)
{
    (void)state;
    struct hand h;
    hand_init(&h);
    h.ex[0].ever_alive = true;
    h.ex[0].alive_from_us = 0;
    h.ex[0].alive_to_us = 1000000000;
    h.ex[1] = (struct executor_result){.id = 1,
                                       .worker = 1,
                                       .cores = 2,
                                       .slots = 2,
                                       .ever_alive = true,
                                       .alive_from_us = 100000000,
                                       .alive_to_us = 300000000,
                                       .alive_s = 200.0};
    h.r.n_executors = 2;
    struct scale_event ev[2] = {{.t_us = 100000000,
                                 .kind = SCALE_NODE_JOINED,
                                 .id = 1,
                                 .count = 1,
                                 .workers_alive = 2,
                                 .executors_alive = 2},
                                {.t_us = 300000000,
                                 .kind = SCALE_NODE_REMOVED,
                                 .id = 1,
                                 .count = 1,
                                 .workers_alive = 1,
                                 .executors_alive = 1}};
    h.r.scale = ev;
    h.r.n_scale = 2;
    hand_task(&h, 0, 0, 150.0, 250.0, TASK_SUCCESS, 0);
    h.tasks[0].executor = 1;
    char *csv = write_to_string(plot_write_utilization_csv, &h.r);
    const char *expect = "time_s,busy_slots,available_slots,workers,utilization\n"
                         "0.000000,0.0000,2.0000,1.0000,0.000000\n"
                         "100.000000,0.0000,4.0000,2.0000,0.000000\n"
                         "150.000000,1.0000,4.0000,2.0000,0.250000\n"
                         "250.000000,0.0000,4.0000,2.0000,0.000000\n"
                         "300.000000,0.0000,2.0000,1.0000,0.000000\n"
                         "1000.000000,0.0000,0.0000,0.0000,0.000000\n";
    assert_string_equal(csv, expect);
    free(csv);
    /* The timeline's bands: worker 1's executor from its join to its
     * leave. */
    csv = write_to_string(plot_write_executors_csv, &h.r);
    assert_non_null(strstr(csv, "\n1,1,2,100.000000,300.000000,2,3\n"));
    free(csv);
}

static void test_binned_utilization_averages_over_bins(void **state)
{
    (void)state;
    /* More attempts than PLOT_EXACT_STEPS_MAX_TASKS: binned into
     * PLOT_UTIL_BINS bins of 1 s over 1000 s. Every attempt runs [0, 0.5)
     * on slot 0, so bin 0 averages n * 0.5 busy slots and the others 0. */
    size_t n = PLOT_EXACT_STEPS_MAX_TASKS + 1;
    struct hand h;
    hand_init(&h);
    struct task_rec *many = calloc(n, sizeof *many);
    for (size_t i = 0; i < n; i++) {
        many[i].launch_us = 0;
        many[i].end_us = 500000;
    }
    h.r.tasks = many;
    h.r.n_tasks = n;
    char *csv = write_to_string(plot_write_utilization_csv, &h.r);
    assert_int_equal(harness_count_lines(csv), 1 + PLOT_UTIL_BINS + 1);
    char row0[128];
    snprintf(row0, sizeof row0, "\n0.000000,%.4f,2.0000,1.0000,", (double)n * 0.5);
    assert_non_null(strstr(csv, row0));
    assert_non_null(strstr(csv, "\n1.000000,0.0000,2.0000,1.0000,0.000000\n"));
    free(csv);
    free(many);
}

static void test_critical_path_follows_the_parent_that_ended_last(void **state)
{
    (void)state;
    /* Job: stages 0 and 1 independent, 2 has parents [0, 1]. Stage 1 ends
     * later (at 30) than 0 (at 20), so the path is 1 -> 2; stage 0 is off
     * it. Stage names with commas become semicolons for gnuplot. */
    struct hand h;
    hand_init(&h);
    struct stage_result st[3] = {
        {.job = 0,
         .id = 0,
         .spark_id = 0,
         .name = "a, b",
         .tasks = 1,
         .submit_us = 0,
         .end_us = 20000000},
        {.job = 0,
         .id = 1,
         .spark_id = 1,
         .name = "c",
         .tasks = 1,
         .submit_us = 0,
         .end_us = 30000000},
        {.job = 0,
         .id = 2,
         .spark_id = 2,
         .name = "d",
         .tasks = 1,
         .submit_us = 30000000,
         .end_us = 40000000},
    };
    h.r.stages = st;
    h.r.n_stages = 3;
    h.job.n_stages = 3;
    struct plan_stage specs[3] = {{.id = 0}, {.id = 1}, {.id = 2}};
    int64_t parents[2] = {0, 1};
    specs[2].parents = parents;
    specs[2].n_parents = 2;
    struct job_spec js = {.name = "job"};
    struct scenario sc = {.name = "t", .jobs = &js, .n_jobs = 1};
    struct plan_job pj = {.spec = &js, .stages = specs, .n_stages = 3};
    struct plan s = {.scn = &sc, .jobs = &pj, .n_jobs = 1};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct diag d;
    diag_clear(&d);
    assert_int_equal(plot_write_stages_csv(f, &s, &h.r, &d), SC_OK);
    fclose(f);
    assert_non_null(strstr(buf, "\n0,0,job,0,0,a; b,1,0.000000,20.000000,"));
    /* critical, critical_parent at the end of each row */
    /* (then the longest task's start, end and row: unknown here, no
     * task records) */
    assert_non_null(strstr(buf, "a; b,1,0.000000,20.000000,20.000000,0.000000,0.000000,"
                                "0.000000,0,-1,,,\n"));
    assert_non_null(strstr(buf, ",c,1,0.000000,30.000000,30.000000,0.000000,0.000000,"
                                "0.000000,1,-1,,,\n"));
    assert_non_null(strstr(buf, ",d,1,30.000000,40.000000,10.000000,0.000000,0.000000,"
                                "0.000000,1,1,,,\n"));
    free(buf);
}

static void test_many_slots_share_rows(void **state)
{
    (void)state;
    /* 3 executors x 100 slots = 300 > PLOT_MAX_ROWS (256): 2 slots a row,
     * 150 rows; executor 1's slots 100..199 are rows 50..99. */
    struct hand h;
    hand_init(&h);
    struct executor_result ex[3];
    for (int e = 0; e < 3; e++)
        ex[e] = (struct executor_result){
            .id = e, .worker = e, .cores = 100, .slots = 100, .alive_s = 1000.0};
    h.r.executors = ex;
    h.r.n_executors = 3;
    char *csv = write_to_string(plot_write_executors_csv, &h.r);
    assert_non_null(strstr(csv, "\n1,1,100,0.000000,1000.000000,50,99\n"));
    free(csv);
}

/* ---- the binary ------------------------------------------------------------ */

static void test_png_has_a_valid_header(void **state)
{
    (void)state;
    if (!gnuplot)
        skip();
    remove_tree(workdir);
    char args[2048];
    snprintf(args, sizeof args, "run '%s/scenarios/etl-nightly.cfg' -q --plot '%s'", srcdir,
             work_file("run.png"));
    int rc = run(args);
    if (rc != 0)
        fail_msg("exit %d: %s", rc, slurp(work_file("err.txt")));
    unsigned h = 0, w = png_width(work_file("run.png"), &h);
    assert_int_equal(w, 1400); /* overview.gp's width */
    assert_true(h > 800);
    assert_int_equal(stray_files(workdir, "run.png"), 0); /* no temporary left */
}

static void test_sweep_plot_from_the_command(void **state)
{
    (void)state;
    if (!gnuplot)
        skip();
    remove_tree(workdir);
    /* stagecast sweep --plot draws both panels from the sweep's own CSV:
     * the SVG names the recommendation the table prints, the front, and
     * the bar panel's axis; nothing else is left beside it. */
    char args[2048];
    snprintf(args, sizeof args,
             "sweep '%s/scenarios/analytics-ds3.cfg' --node-types Standard_DS3_v2,Standard_E8ds_v5 "
             "--workers 2-8 --deadline 10s --quiet --plot '%s'",
             srcdir, work_file("sweep.svg"));
    assert_int_equal(run(args), 0);
    char *svg = slurp(work_file("sweep.svg"));
    assert_non_null(svg);
    assert_int_equal(xml_well_formed(svg), 1);
    assert_non_null(strstr(svg, "Pareto front"));
    assert_non_null(strstr(svg, "recommended: "));
    assert_non_null(strstr(svg, "predicted cost per node type at each worker count"));
    assert_non_null(strstr(svg, "cost (USD)"));
    free(svg);
    assert_int_equal(stray_files(workdir, "sweep.svg"), 0);
    /* A plot file of another kind is refused before anything runs. */
    snprintf(args, sizeof args, "sweep '%s/scenarios/analytics-ds3.cfg' --workers 2 --plot '%s'",
             srcdir, work_file("sweep.gif"));
    assert_int_equal(run(args), 2);
}

static void test_svg_parses_and_names_its_series_and_axes(void **state)
{
    (void)state;
    if (!gnuplot)
        skip();
    remove_tree(workdir);
    char args[2048];
    snprintf(args, sizeof args, "run '%s/scenarios/concurrent-fair.cfg' -q --plot '%s'", srcdir,
             work_file("run.svg"));
    assert_int_equal(run(args), 0);
    char *svg = slurp(work_file("run.svg"));
    assert_non_null(svg);
    assert_non_null(strstr(svg, "<svg"));
    assert_int_equal(xml_well_formed(svg), 1);
    static const char *const needles[] = {
        /* axis labels, with units */
        "time since the first job was submitted (s)", "task slots", "workers",
        "executor (one row per slot)",
        /* series and key entries of the three panels */
        "busy slots", "available slots", "stage completes", "stage span", "critical path",
        "task p50", "task p95", "longest task",
        /* the stages by name, the executors, the run */
        "S0 scan+aggregate", "S2 filtered scan", "exec 3", "concurrent-fair"};
    for (size_t i = 0; i < sizeof needles / sizeof needles[0]; i++)
        if (!strstr(svg, needles[i]))
            fail_msg("the SVG lacks '%s'", needles[i]);
    free(svg);
    /* A truncated SVG is caught by the checker. */
    assert_int_equal(xml_well_formed("<svg><g><text>x</text></g>"), 0);
}

static void test_pdf_is_drawn(void **state)
{
    (void)state;
    if (!gnuplot)
        skip();
    remove_tree(workdir);
    char args[2048];
    snprintf(args, sizeof args, "run '%s/scenarios/analytics-ds3.cfg' -q --plot '%s'", srcdir,
             work_file("run.pdf"));
    assert_int_equal(run(args), 0);
    size_t n;
    char *pdf = slurp_n(work_file("run.pdf"), &n);
    assert_non_null(pdf);
    assert_true(n > 1000 && memcmp(pdf, "%PDF-", 5) == 0);
    free(pdf);
}

/* Every data file's header, and the bars account for every attempt. */
static void test_plot_dir_holds_data_and_scripts(void **state)
{
    (void)state;
    remove_tree(workdir);
    char args[2048];
    snprintf(args, sizeof args,
             "run '%s/scenarios/etl-nightly.cfg' -q --plot-dir '%s' "
             "--timeline '%s'",
             srcdir, work_file("pd"), work_file("t.csv"));
    assert_int_equal(run(args), 0);
    static const char *const headers[][2] = {
        {"run.csv", "scenario,makespan_s,utilization,"},
        {"stages.csv", "stage,job,job_name,stage_id,spark_stage_id,name,tasks,start_s,end_s,"
                       "duration_s,task_p50_s,task_p95_s,task_max_s,critical,critical_parent,"
                       "longest_start_s,longest_end_s,longest_row\n"},
        {"executors.csv", "id,worker,slots,alive_from_s,alive_to_s,"},
        {"bars.csv", "row,start_s,end_s,stage,spark_stage_id,attempts,status,retry\n"},
        {"utilization.csv", "time_s,busy_slots,available_slots,workers,utilization\n"},
    };
    for (size_t i = 0; i < 5; i++) {
        char path[600];
        snprintf(path, sizeof path, "pd/%s", headers[i][0]);
        char *text = slurp(work_file(path));
        if (!text || strncmp(text, headers[i][1], strlen(headers[i][1])) != 0)
            fail_msg("%s does not start with %s", headers[i][0], headers[i][1]);
        free(text);
    }
    static const char *const scripts[] = {"common.gp", "overview.gp", "timeline.gp",
                                          "utilization.gp", "waterfall.gp"};
    for (size_t i = 0; i < 5; i++) {
        char path[600];
        snprintf(path, sizeof path, "pd/%s", scripts[i]);
        assert_true(exists(work_file(path)));
    }
    /* No staging directory left behind. */
    assert_int_equal(stray_files(work_file("pd"), NULL), 10);

    /* The attempts column adds up to the timeline's rows; busy never
     * exceeds available. */
    char *tl = slurp(work_file("t.csv"));
    int attempts = harness_count_lines(tl) - 1;
    free(tl);
    FILE *f = fopen(work_file("pd/bars.csv"), "r");
    char line[256];
    int sum = 0, rows = 0;
    assert_non_null(fgets(line, sizeof line, f));
    while (fgets(line, sizeof line, f)) {
        int row, stage, id, n, status, retry;
        double a, b;
        assert_int_equal(sscanf(line, "%d,%lf,%lf,%d,%d,%d,%d,%d", &row, &a, &b, &stage, &id, &n,
                                &status, &retry),
                         8);
        assert_true(b >= a && row >= 0 && row < 64);
        sum += n;
        rows++;
    }
    fclose(f);
    assert_int_equal(sum, attempts);
    assert_true(rows <= attempts);
    f = fopen(work_file("pd/utilization.csv"), "r");
    assert_non_null(fgets(line, sizeof line, f));
    while (fgets(line, sizeof line, f)) {
        double t, busy, avail, workers, util;
        assert_int_equal(sscanf(line, "%lf,%lf,%lf,%lf,%lf", &t, &busy, &avail, &workers, &util),
                         5);
        assert_true(busy <= avail + 1e-9 && util <= 1.0 + 1e-9);
    }
    fclose(f);
}

/* gnuplot DIR/x.gp redraws from anywhere, with no warning. */
static void test_plot_dir_scripts_redraw(void **state)
{
    (void)state;
    if (!gnuplot)
        skip();
    remove_tree(workdir);
    char args[2048];
    snprintf(args, sizeof args, "run '%s/scenarios/concurrent-fair.cfg' -q --plot-dir '%s'", srcdir,
             work_file("pd"));
    assert_int_equal(run(args), 0);
    static const char *const panels[] = {"timeline", "utilization", "waterfall", "overview"};
    for (size_t i = 0; i < 4; i++) {
        char cmd[2048];
        /* Run from / so that only the script's own path leads to the data. */
        snprintf(cmd, sizeof cmd, "cd / && '%s' '%s/pd/%s.gp'", gnuplot, workdir, panels[i]);
        int rc = sh(cmd);
        char *err = slurp(work_file("err.txt"));
        if (rc != 0 || err[0])
            fail_msg("gnuplot %s.gp: exit %d: %s", panels[i], rc, err);
        free(err);
        char png[600];
        snprintf(png, sizeof png, "pd/%s.png", panels[i]);
        assert_true(png_width(work_file(png), NULL) > 0);
    }
}

static void test_sweep_script_draws_a_hand_made_csv(void **state)
{
    (void)state;
    if (!gnuplot)
        skip();
    remove_tree(workdir);
    /* Three node types, a front of three, one recommended, one row with
     * an unknown cost (left empty). */
    FILE *f = fopen(work_file("sweep.csv"), "w");
    fputs("node_type,workers,makespan_s,cost_usd,pareto,recommended,feasible,deadline_s,label,"
          "label_side,label_x_s,label_y_usd,label_lead_x_s,label_lead_y_usd,variant\n"
          "Standard_E8ds_v5,4,2400,3.10,1,0,1,1800,4 x E8ds_v5,1,2450,3.10,,,\n"
          "Standard_E8ds_v5,8,1300,3.35,1,1,1,1800,8 x E8ds_v5,-1,1250,3.35,,,\n"
          "Standard_E8ds_v5,16,800,4.20,1,0,1,1800,16 x E8ds_v5,3,1000,4.5,1000,4.45,\n"
          "Standard_DS4_v2,8,1700,3.80,0,0,0,1800,,0,,,,,\n"
          "Standard_D4s_v3,8,2000,,0,0,,1800,,0,,,,,\n",
          f);
    fclose(f);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' -e \"datadir='%s/'\" '%s/plots/sweep.gp'", gnuplot, workdir,
             srcdir);
    assert_int_equal(sh(cmd), 0);
    assert_true(png_width(work_file("sweep.png"), NULL) > 0);
    snprintf(cmd, sizeof cmd,
             "'%s' -e \"datadir='%s/'; outfile='%s/sweep.svg'\" '%s/plots/sweep.gp'", gnuplot,
             workdir, workdir, srcdir);
    assert_int_equal(sh(cmd), 0);
    char *svg = slurp(work_file("sweep.svg"));
    assert_int_equal(xml_well_formed(svg), 1);
    assert_non_null(strstr(svg, "Pareto front"));
    assert_non_null(strstr(svg, "recommended: 8 x E8ds_v5"));
    assert_non_null(strstr(svg, "makespan (min)"));
    assert_non_null(strstr(svg, "cost (USD)"));
    /* The deadline, 1800 s, is drawn and named; the labels stagecast placed
     * are drawn, the callout (side 3) too, and a point it left unlabelled
     * is not named. */
    assert_non_null(strstr(svg, "deadline 30m"));
    assert_non_null(strstr(svg, "4 x E8ds_v5"));
    assert_non_null(strstr(svg, "16 x E8ds_v5"));
    assert_null(strstr(svg, "8 x DS4_v2"));
    assert_non_null(strstr(svg, "infeasible: exceeds local disk"));
    free(svg);
}

/* The sweep plot's axes start at 0 whatever the data (gnuplot's autoscale
 * with offsets started the makespan axis at -5 min). */
static void test_sweep_axes_start_at_zero(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/plots/sweep.gp", srcdir);
    char *gp = slurp(path);
    assert_non_null(gp);
    assert_non_null(strstr(gp, "set xrange [0:*]"));
    assert_non_null(strstr(gp, "set yrange [0:*]"));
    /* Any narrower range it sets later still starts at 0. */
    for (const char *p = gp; (p = strstr(p, "set xrange [")) != NULL; p++)
        assert_true(p[12] == '0' && p[13] == ':');
    for (const char *p = gp; (p = strstr(p, "set yrange [")) != NULL; p++)
        assert_true(p[12] == '0' && p[13] == ':');
    assert_null(strstr(gp, "set offsets graph 0.05, graph 0.05"));
    free(gp);
}

/* Label placement on a 10 x 10 plot, sizes in plot fractions: a character
 * 0.01 wide, a line 0.05 high, a 0.01 gap, markers 0.02 square. Worked
 * out by hand (px = x / 10, py = y / 10):
 * A label starts half a marker plus the gap (0.02) from its point.
 *  A (2, 5), 10 chars: right would be [0.22, 0.32] x [0.475, 0.525], which
 *    holds B's marker [0.24, 0.26] x [0.50, 0.52]; left is [0.08, 0.18]:
 *    free, so LEFT, anchored at its right end, x = 1.8, y = 5.
 *  B (2.5, 5.1), 10 chars: right [0.27, 0.37] x [0.485, 0.535]: A's label
 *    and marker [0.19, 0.21] are clear, so RIGHT, anchored at x = 2.7.
 *  C (0.3, 9.9): right and left run out past the top (0.99 + 0.025),
 *    above too, below starts at x 0.03 - 0.05 < 0: NONE.
 *  D (8, 2): no label wanted, only in the way.
 *  E (8.5, 2), priority 2 (placed first): right [0.87, 0.97]: RIGHT.
 *  Q (3.5, 7) beside a line from P1 (4, 8.5) to P2 (4, 5.5), drawn since
 *    both are on_line: right [0.37, 0.47] crosses x = 0.4; left [0.23,
 *    0.33] x [0.675, 0.725] is clear: LEFT, anchored at x = 3.3.
 *  R (5.5, 9.5), 5 chars, by the deadline at x 6 whose 10-char label takes
 *    [0.6, 0.71] x [0.925, 1]: right [0.57, 0.62] meets it; left [0.48,
 *    0.53]: LEFT.
 * Five labelled. */
static void test_labels_avoid_labels_points_and_lines(void **state)
{
    (void)state;
    const struct plotlabel_point pts[] = {
        {2.0, 5.0, 10, 1, 1.0, 0}, {2.5, 5.1, 10, 1, 1.0, 0}, {0.3, 9.9, 10, 1, 1.0, 0},
        {8.0, 2.0, 0, 0, 1.0, 0},  {8.5, 2.0, 10, 2, 1.0, 0}, {4.0, 8.5, 0, 0, 1.0, 1},
        {4.0, 5.5, 0, 0, 1.0, 1},  {3.5, 7.0, 10, 1, 1.0, 0}, {5.5, 9.5, 5, 1, 1.0, 0}};
    const struct plotlabel_frame f = {.x_hi = 10.0,
                                      .y_hi = 10.0,
                                      .char_w = 0.01,
                                      .line_h = 0.05,
                                      .gap = 0.01,
                                      .mark_w = 0.02,
                                      .mark_h = 0.02,
                                      .vline_x = 6.0,
                                      .vline_chars = 10};
    struct plotlabel_spot spot[9];
    assert_int_equal(plotlabel_place(pts, 9, &f, spot), 5);
    static const int want[] = {PLOTLABEL_LEFT, PLOTLABEL_RIGHT, PLOTLABEL_NONE,
                               PLOTLABEL_NONE, PLOTLABEL_RIGHT, PLOTLABEL_NONE,
                               PLOTLABEL_NONE, PLOTLABEL_LEFT,  PLOTLABEL_LEFT};
    for (int i = 0; i < 9; i++)
        assert_int_equal(spot[i].side, want[i]);
    assert_true(fabs(spot[0].x - 1.8) < 1e-9 && fabs(spot[0].y - 5.0) < 1e-9);
    assert_true(fabs(spot[1].x - 2.7) < 1e-9 && fabs(spot[1].y - 5.1) < 1e-9);
    assert_true(fabs(spot[4].x - 8.7) < 1e-9);
    assert_true(fabs(spot[7].x - 3.3) < 1e-9);
    assert_true(fabs(spot[8].x - 5.3) < 1e-9);
}

/* A point boxed in on all four sides gets its label further out, with a
 * leader line, once callouts are allowed. Frame 10 x 10, characters 0.01
 * wide, lines 0.05 high, gap 0.01, markers 0.02 square. P (5, 5) wants 10
 * characters (0.1 wide); its four places are each blocked by a marker:
 *  right [0.52, 0.62] x [0.475, 0.525] holds R (6.2, 5): [0.61, 0.63];
 *  left [0.38, 0.48] holds L (3.8, 5): [0.37, 0.39];
 *  above [0.45, 0.55] x [0.52, 0.57] holds A (5, 5.45): [0.535, 0.555];
 *  below [0.45, 0.55] x [0.43, 0.48] holds B (5, 4.55): [0.445, 0.465].
 * Without callouts P is NONE. With them it is CALLOUT, and whatever place
 * is chosen must keep these invariants: its box (x0 = spot.x / 10, centred
 * on spot.y / 10) is inside the plot and meets no marker, P's own included;
 * the leader's end (lead) is on the box's edge, at least 3 marker
 * half-widths and a gap (0.04) and at most 0.25 from P; and the leader,
 * from P's marker edge, meets no other marker. Q (1, 9), free on its
 * right, still gets RIGHT: a callout never replaces a label beside its
 * point. */
static bool box_meets(double x0, double y0, double x1, double y1, double cx, double cy, double r)
{
    return x0 < cx + r && cx - r < x1 && y0 < cy + r && cy - r < y1;
}

static void test_boxed_in_label_becomes_a_callout_with_a_clear_leader(void **state)
{
    (void)state;
    const struct plotlabel_point pts[] = {{5.0, 5.0, 10, 1, 1.0, 0}, {6.2, 5.0, 0, 0, 1.0, 0},
                                          {3.8, 5.0, 0, 0, 1.0, 0},  {5.0, 5.45, 0, 0, 1.0, 0},
                                          {5.0, 4.55, 0, 0, 1.0, 0}, {1.0, 9.0, 10, 1, 1.0, 0}};
    struct plotlabel_frame f = {.x_hi = 10.0,
                                .y_hi = 10.0,
                                .char_w = 0.01,
                                .line_h = 0.05,
                                .gap = 0.01,
                                .mark_w = 0.02,
                                .mark_h = 0.02,
                                .vline_x = NAN};
    struct plotlabel_spot spot[6];
    assert_int_equal(plotlabel_place(pts, 6, &f, spot), 1);
    assert_int_equal(spot[0].side, PLOTLABEL_NONE);
    assert_true(isnan(spot[5].lead_x));
    f.callouts = 1;
    assert_int_equal(plotlabel_place(pts, 6, &f, spot), 2);
    assert_int_equal(spot[5].side, PLOTLABEL_RIGHT);
    assert_int_equal(spot[0].side, PLOTLABEL_CALLOUT);
    double x0 = spot[0].x / 10, x1 = x0 + 0.1, y0 = spot[0].y / 10 - 0.025, y1 = y0 + 0.05;
    assert_true(x0 >= 0 && x1 <= 1 && y0 >= 0 && y1 <= 1);
    for (int j = 0; j < 5; j++)
        assert_false(box_meets(x0, y0, x1, y1, pts[j].x / 10, pts[j].y / 10, 0.01));
    double lx = spot[0].lead_x / 10, ly = spot[0].lead_y / 10;
    bool on_edge =
        ((fabs(lx - x0) < 1e-9 || fabs(lx - x1) < 1e-9) && ly >= y0 - 1e-9 && ly <= y1 + 1e-9) ||
        ((fabs(ly - y0) < 1e-9 || fabs(ly - y1) < 1e-9) && lx >= x0 - 1e-9 && lx <= x1 + 1e-9);
    assert_true(on_edge);
    double len = hypot(lx - 0.5, ly - 0.5);
    assert_true(len >= 0.04 - 1e-9 && len <= 0.25 + 1e-9);
    /* The leader from P's marker edge (0.01 out) to lead, sampled finely. */
    for (int k = 0; k <= 1000; k++) {
        double t = 0.01 / len + (1 - 0.01 / len) * k / 1000.0;
        double x = 0.5 + (lx - 0.5) * t, y = 0.5 + (ly - 0.5) * t;
        for (int j = 1; j < 5; j++)
            assert_false(fabs(x - pts[j].x / 10) < 0.01 && fabs(y - pts[j].y / 10) < 0.01);
    }
}

/* One CSV row's fields, split at commas (none of these fields hold one). */
static int split_fields(char *line, char **field, int max)
{
    int n = 0;
    for (char *p = line; n < max;) {
        field[n++] = p;
        char *c = strchr(p, ',');
        if (!c)
            break;
        *c = '\0';
        p = c + 1;
    }
    return n;
}

static int field_index(char **names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], name))
            return i;
    fail_msg("no column %s", name);
    return -1;
}

/* A small sweep's CSV: every row carries the deadline (3m = 180 s), and
 * labels sit only on Pareto points — the front derived here from the rows'
 * makespan and cost, not read from the pareto column: a point is on it
 * when no other is both no slower and no dearer, and better in one. The
 * recommended point is labelled. */
static void test_sweep_csv_labels_only_the_front(void **state)
{
    (void)state;
    remove_tree(workdir);
    char args[2048];
    snprintf(args, sizeof args,
             "sweep '%s/scenarios/etl-nightly.cfg' -q --node-types "
             "Standard_DS3_v2,Standard_D16s_v3 --workers 2-16 --replications 1 --deadline 3m "
             "--csv '%s'",
             srcdir, work_file("s.csv"));
    assert_int_equal(run(args), 0);
    char *csv = slurp(work_file("s.csv"));
    assert_non_null(csv);
    char *names[64], *line = strtok(csv, "\n");
    int nn = split_fields(line, names, 64);
    int c_mk = field_index(names, nn, "makespan_s"), c_cost = field_index(names, nn, "cost_usd");
    int c_dl = field_index(names, nn, "deadline_s"), c_lab = field_index(names, nn, "label");
    int c_rec = field_index(names, nn, "recommended");
    int c_side = field_index(names, nn, "label_side");
    int c_w = field_index(names, nn, "workers"), c_t = field_index(names, nn, "node_type");
    double mk[16], cost[16];
    int rec[16], side[16], n = 0;
    char label[16][64], want[16][64];
    while ((line = strtok(NULL, "\n")) != NULL && n < 16) {
        char *f[64];
        assert_true(split_fields(line, f, 64) >= nn - 2);
        assert_true(fabs(atof(f[c_dl]) - 180.0) < 1e-9);
        mk[n] = atof(f[c_mk]);
        cost[n] = atof(f[c_cost]);
        rec[n] = atoi(f[c_rec]);
        side[n] = atoi(f[c_side]);
        snprintf(label[n], sizeof label[n], "%s", f[c_lab]);
        snprintf(want[n], sizeof want[n], "%s x %s", f[c_w], f[c_t] + strlen("Standard_"));
        n++;
    }
    assert_int_equal(n, 8); /* 2 node types x 2, 4, 8, 16 workers */
    int labelled = 0, recs = 0;
    for (int i = 0; i < n; i++) {
        bool front = true;
        for (int j = 0; j < n; j++)
            if (j != i && mk[j] <= mk[i] && cost[j] <= cost[i] &&
                (mk[j] < mk[i] || cost[j] < cost[i]))
                front = false;
        if (label[i][0]) {
            assert_true(front);
            assert_string_equal(label[i], want[i]);
            assert_true(side[i] != 0);
            labelled++;
        } else {
            assert_int_equal(side[i], 0);
        }
        if (rec[i]) {
            recs++;
            assert_true(label[i][0] != '\0');
        }
    }
    assert_int_equal(recs, 1);
    assert_true(labelled >= 2);
    free(csv);
}

/* A sweep over a third axis (--spot) has points that share a node type
 * and worker count: each row names its variant ("spot 0.25"), and a
 * label, where there is one, carries it, so two labels never read alike;
 * the drawing names the recommended point's variant in its key. */
static void test_sweep_labels_name_the_variant(void **state)
{
    (void)state;
    remove_tree(workdir);
    char args[2048];
    snprintf(args, sizeof args,
             "sweep '%s/scenarios/spot-batch.cfg' -q --spot 0,0.5 --replications 1 --deadline 20m "
             "--csv '%s' --plot '%s'",
             srcdir, work_file("s.csv"), work_file("s.svg"));
    int rc = run(args);
    if (!gnuplot) {
        /* Without gnuplot the plot fails; the CSV is still checked below
         * from a run without --plot. */
        snprintf(args, sizeof args,
                 "sweep '%s/scenarios/spot-batch.cfg' -q --spot 0,0.5 --replications 1 "
                 "--deadline 20m --csv '%s'",
                 srcdir, work_file("s.csv"));
        rc = run(args);
    }
    assert_int_equal(rc, 0);
    char *csv = slurp(work_file("s.csv"));
    char *names[64], *line = strtok(csv, "\n");
    int nn = split_fields(line, names, 64);
    int c_var = field_index(names, nn, "variant"), c_lab = field_index(names, nn, "label");
    int rows = 0;
    while ((line = strtok(NULL, "\n")) != NULL) {
        char *f[64];
        split_fields(line, f, 64);
        const char *want = rows == 0 ? "spot 0" : "spot 0.5";
        assert_string_equal(f[c_var], want);
        if (f[c_lab][0]) {
            char tail[32];
            snprintf(tail, sizeof tail, "(%s)", want);
            assert_non_null(strstr(f[c_lab], tail));
        }
        rows++;
    }
    assert_int_equal(rows, 2);
    free(csv);
    if (gnuplot) {
        char *svg = slurp(work_file("s.svg"));
        assert_non_null(svg);
        assert_non_null(strstr(svg, "recommended: "));
        assert_non_null(strstr(svg, "(spot 0"));
        assert_non_null(strstr(svg, "predicted cost of each point"));
        free(svg);
    }
}

/* Each stage's longest task is marked where it ran: the stages.csv
 * columns hold the start and end of the longest successful attempt found
 * in the run's own --timeline rows, and the row of its slot (etl-nightly:
 * 8 executors of 8 slots, one row per slot, so row = executor x 8 + slot). */
static void test_straggler_marked_where_it_ran(void **state)
{
    (void)state;
    remove_tree(workdir);
    char args[2048];
    snprintf(args, sizeof args,
             "run '%s/scenarios/etl-nightly.cfg' -q --timeline '%s' --plot-dir '%s'", srcdir,
             work_file("t.csv"), work_file("pd"));
    assert_int_equal(run(args), 0);
    /* The longest successful attempt per Spark stage id, from the timeline. */
    double best_dur[16], best_start[16], best_end[16];
    int best_row[16];
    for (int i = 0; i < 16; i++)
        best_dur[i] = -1.0;
    char *tl = slurp(work_file("t.csv"));
    char *line = strtok(tl, "\n");
    while ((line = strtok(NULL, "\n")) != NULL) {
        char *f[32];
        assert_int_equal(split_fields(line, f, 32), 21);
        int id = atoi(f[3]);
        assert_true(id >= 0 && id < 16);
        double start = atof(f[11]), end = atof(f[12]);
        if (strcmp(f[20], "success") == 0 && end - start > best_dur[id] + 1e-9) {
            best_dur[id] = end - start;
            best_start[id] = start;
            best_end[id] = end;
            best_row[id] = atoi(f[7]) * 8 + atoi(f[9]);
        }
    }
    free(tl);
    char *st = slurp(work_file("pd/stages.csv"));
    char *names[32];
    line = strtok(st, "\n");
    int nn = split_fields(line, names, 32);
    int c_id = field_index(names, nn, "spark_stage_id");
    int c_s = field_index(names, nn, "longest_start_s");
    int c_e = field_index(names, nn, "longest_end_s");
    int c_r = field_index(names, nn, "longest_row");
    int stages = 0;
    while ((line = strtok(NULL, "\n")) != NULL) {
        char *f[32];
        assert_int_equal(split_fields(line, f, 32), nn);
        int id = atoi(f[c_id]);
        assert_true(best_dur[id] >= 0.0);
        /* Both files print microseconds; equal durations may tie, so the
         * marked task must be as long as the longest, and where it ran. */
        assert_true(fabs((atof(f[c_e]) - atof(f[c_s])) - best_dur[id]) < 2e-6);
        if (fabs(atof(f[c_s]) - best_start[id]) < 2e-6) {
            assert_true(fabs(atof(f[c_e]) - best_end[id]) < 2e-6);
            assert_int_equal(atoi(f[c_r]), best_row[id]);
        }
        stages++;
    }
    assert_int_equal(stages, 8);
    free(st);
}

/* Spark ids of the stages whose shuffle read (from run --json) is > 0,
 * as a bit set: the tasks that must show a fetch in the trace. */
static unsigned long stages_reading_shuffle(const char *json_path)
{
    json_error_t err;
    json_t *root = json_load_file(json_path, 0, &err);
    assert_non_null(root);
    unsigned long set = 0;
    json_t *jobs = json_object_get(root, "jobs");
    for (size_t j = 0; j < json_array_size(jobs); j++) {
        json_t *stages = json_object_get(json_array_get(jobs, j), "stages");
        for (size_t k = 0; k < json_array_size(stages); k++) {
            json_t *st = json_array_get(stages, k);
            json_int_t id = json_integer_value(json_object_get(st, "spark_id"));
            if (json_number_value(json_object_get(st, "shuffle_read_bytes")) > 0.0 && id < 64)
                set |= 1ul << id;
        }
    }
    json_decref(root);
    return set;
}

static void test_trace_has_one_event_per_attempt(void **state)
{
    (void)state;
    remove_tree(workdir);
    char args[2048];
    /* wide-shuffle's tasks have input, compute and write phases, and its
     * second stage reads the first one's shuffle output. */
    snprintf(args, sizeof args,
             "run '%s/scenarios/wide-shuffle.cfg' -q --trace '%s' "
             "--timeline '%s' --json '%s'",
             srcdir, work_file("t.json"), work_file("t.csv"), work_file("r.json"));
    assert_int_equal(run(args), 0);
    char *tl = slurp(work_file("t.csv"));
    int attempts = harness_count_lines(tl) - 1;
    free(tl);
    unsigned long reading = stages_reading_shuffle(work_file("r.json"));
    assert_true(reading != 0);
    json_error_t err;
    json_t *root = json_load_file(work_file("t.json"), 0, &err);
    if (!root)
        fail_msg("trace does not parse: %s at line %d", err.text, err.line);
    json_t *events = json_object_get(root, "traceEvents");
    assert_true(json_is_array(events));
    int tasks = 0, phases = 0, names = 0, misnested = 0, in_task = 0, most = 0;
    int must_fetch = 0, fetches = 0, stray_fetches = 0, task_fetches = 0;
    double task_ts = 0, task_end = 0, phase_at = 0, compute_ts = -1, compute_end = 0;
    for (size_t i = 0; i <= json_array_size(events); i++) {
        json_t *e = json_array_get(events, i); /* NULL after the last */
        const char *ph = e ? json_string_value(json_object_get(e, "ph")) : "end";
        const char *cat = e ? json_string_value(json_object_get(e, "cat")) : "";
        const char *name = e ? json_string_value(json_object_get(e, "name")) : "";
        assert_non_null(ph);
        if (!strcmp(ph, "M")) {
            names += !strcmp(name, "process_name") || !strcmp(name, "thread_name");
            continue;
        }
        bool is_task = !strcmp(ph, "end") || !strncmp(cat, "stage ", 6);
        if (is_task && tasks > 0 && task_fetches != 1 && must_fetch)
            stray_fetches++; /* the task before had no fetch, or several */
        if (!strcmp(ph, "end"))
            break;
        assert_string_equal(ph, "X");
        double ts = json_number_value(json_object_get(e, "ts"));
        double dur = json_number_value(json_object_get(e, "dur"));
        assert_true(json_integer_value(json_object_get(e, "pid")) >= 1);
        assert_true(json_integer_value(json_object_get(e, "tid")) >= 1);
        if (is_task) {
            tasks++;
            in_task = 0;
            task_fetches = 0;
            task_ts = phase_at = ts;
            task_end = ts + dur;
            compute_ts = -1;
            long id = strtol(cat + 6, NULL, 10);
            must_fetch = id < 64 && (reading >> id & 1ul);
            /* The task's own status: a killed attempt may stop mid-fetch. */
            const char *status =
                json_string_value(json_object_get(json_object_get(e, "args"), "status"));
            must_fetch = must_fetch && status && !strcmp(status, "success");
        } else if (!strcmp(cat, TRACE_PHASE_CATEGORY)) {
            phases++;
            if (!strcmp(name, "fetch")) {
                /* The fetch runs under the compute: it starts with it and
                 * ends within it. */
                fetches++;
                task_fetches++;
                if (compute_ts < 0 || fabs(ts - compute_ts) > 0.0015 ||
                    ts + dur > compute_end + 0.0015)
                    misnested++;
                continue;
            }
            /* The other phases follow their task, back to back from its
             * launch, inside its span. */
            if (++in_task > most)
                most = in_task;
            if (fabs(ts - phase_at) > 0.0015 || ts < task_ts || ts + dur > task_end + 0.0015)
                misnested++;
            if (!strcmp(name, "compute")) {
                compute_ts = ts;
                compute_end = ts + dur;
            }
            phase_at = ts + dur;
        }
    }
    assert_int_equal(tasks, attempts);
    assert_true(phases >= attempts); /* every task has a phase */
    assert_true(most >= 2);          /* and some, from data, several back to back */
    assert_int_equal(misnested, 0);
    /* Every successful task of a stage that reads shuffle data shows its
     * fetch, once. */
    assert_true(fetches > 0);
    assert_int_equal(stray_fetches, 0);
    /* wide-shuffle: 6 workers x 2 executors x 4 cores = 12 executors, 48
     * slots, plus the driver: 13 process names, 48 slot threads, and one
     * thread per job (1) and stage (2). */
    assert_int_equal(names, 13 + 48 + 1 + 2);
    json_decref(root);
}

/* The trace's phases on hand-made task records, worked out by hand.
 * Task A (launch 10 s): input 1 s, compute 4 s, fetch 3 s that ended
 * before the compute (no wait), write 2 s: input at 10 s for 1 s, compute
 * at 11 s for 4 s with the fetch at 11 s for 3 s inside it, write at 15 s
 * for 2 s. Task B (launch 30 s): compute 2 s, but its fetch took 5 s, so it
 * waited 3 s for the last blocks (phase_s fetch = 3): compute at 30 s for
 * 2 + 3 = 5 s, the fetch at 30 s for 5 s. Task C (launch 40 s) reads no
 * shuffle data: no fetch slice at all. */
static void test_trace_fetch_lasts_the_modelled_fetch(void **state)
{
    (void)state;
    struct hand h;
    hand_init(&h);
    hand_task(&h, 0, 1, 10.0, 17.0, TASK_SUCCESS, 0);
    h.tasks[0].phase_s[PHASE_INPUT] = 1.0f;
    h.tasks[0].phase_s[PHASE_COMPUTE] = 4.0f;
    h.tasks[0].phase_s[PHASE_WRITE] = 2.0f;
    h.tasks[0].fetch_s = 3.0f;
    hand_task(&h, 0, 1, 30.0, 35.0, TASK_SUCCESS, 0);
    h.tasks[1].phase_s[PHASE_COMPUTE] = 2.0f;
    h.tasks[1].phase_s[PHASE_FETCH] = 3.0f;
    h.tasks[1].fetch_s = 5.0f;
    hand_task(&h, 1, 0, 40.0, 42.0, TASK_SUCCESS, 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct diag d;
    diag_clear(&d);
    assert_int_equal(trace_write_chrome(f, NULL, &h.r, &d), SC_OK);
    fclose(f);
    json_error_t err;
    json_t *root = json_loads(buf, 0, &err);
    free(buf);
    assert_non_null(root);
    json_t *events = json_object_get(root, "traceEvents");
    /* Expected slices, in µs: (name, ts, dur). */
    static const struct {
        const char *name;
        double ts, dur;
    } want[] = {{"input", 10e6, 1e6},  {"compute", 11e6, 4e6}, {"fetch", 11e6, 3e6},
                {"write", 15e6, 2e6},  {"compute", 30e6, 5e6}, {"fetch", 30e6, 5e6},
                {"compute", 40e6, 2e6}};
    size_t k = 0;
    for (size_t i = 0; i < json_array_size(events); i++) {
        json_t *e = json_array_get(events, i);
        const char *cat = json_string_value(json_object_get(e, "cat"));
        if (!cat || strcmp(cat, TRACE_PHASE_CATEGORY) != 0)
            continue;
        assert_true(k < sizeof want / sizeof want[0]);
        assert_string_equal(json_string_value(json_object_get(e, "name")), want[k].name);
        assert_true(fabs(json_number_value(json_object_get(e, "ts")) - want[k].ts) < 1.0);
        assert_true(fabs(json_number_value(json_object_get(e, "dur")) - want[k].dur) < 1.0);
        k++;
    }
    assert_int_equal(k, sizeof want / sizeof want[0]);
    json_decref(root);
}

/* Writes n bytes of data to path. */
static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* A drawing is whole only with its format's ending: a PNG's signature and
 * IEND chunk (length 0, "IEND", CRC AE 42 60 82), an SVG's </svg>, a PDF's
 * %PDF- and %%EOF; the same files cut short are not. */
static void test_truncated_drawings_are_recognised(void **state)
{
    (void)state;
    remove_tree(workdir);
    mkdir(workdir, 0755); /* remove_tree may leave it, empty */
    char why[300];
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0,    0, 0, 13,
                                        'I',  'H', 'D', 'R', 1,    2,    3,    4,    5,    6, 7, 8,
                                        9,    10,  11,  12,  13,   0xde, 0xad, 0xbe, 0xef, 0, 0, 0,
                                        0,    'I', 'E', 'N', 'D',  0xae, 0x42, 0x60, 0x82};
    write_bytes(work_file("a.png"), png, sizeof png);
    assert_true(plot_file_complete(work_file("a.png"), "png", why, sizeof why));
    write_bytes(work_file("a.png"), png, sizeof png - 12);
    assert_false(plot_file_complete(work_file("a.png"), "png", why, sizeof why));
    assert_non_null(strstr(why, "incomplete"));
    static const char svg[] = "<svg xmlns='http://www.w3.org/2000/svg'><g/></svg>\n";
    write_bytes(work_file("a.svg"), svg, sizeof svg - 1);
    assert_true(plot_file_complete(work_file("a.svg"), "svg", why, sizeof why));
    write_bytes(work_file("a.svg"), svg, 20);
    assert_false(plot_file_complete(work_file("a.svg"), "svg", why, sizeof why));
    static const char pdf[] = "%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
    write_bytes(work_file("a.pdf"), pdf, sizeof pdf - 1);
    assert_true(plot_file_complete(work_file("a.pdf"), "pdf", why, sizeof why));
    write_bytes(work_file("a.pdf"), pdf, 30);
    assert_false(plot_file_complete(work_file("a.pdf"), "pdf", why, sizeof why));
    assert_false(plot_file_complete(work_file("missing.png"), "png", why, sizeof why));

    /* End to end: a gnuplot that exits 0 after writing half a PNG (as on a
     * full disk) fails the run, and the user's existing file stays. */
    char fake[600], args[2048], scen[600];
    snprintf(fake, sizeof fake, "%s/fakegp", workdir);
    FILE *f = fopen(fake, "w");
    assert_non_null(f);
    fputs("#!/bin/sh\nout=$(printf '%s' \"$2\" | sed -n \"s/.*outfile='\\([^']*\\)'.*/\\1/p\")\n"
          "printf '\\211PNG\\r\\n\\032\\n0123' > \"$out\"\nexit 0\n",
          f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(fake, 0755), 0);
    write_bytes(work_file("keep.png"), "old", 3);
    snprintf(scen, sizeof scen, "'%s/scenarios/analytics-ds3.cfg'", srcdir);
    snprintf(args, sizeof args, "run %s -q --plot '%s'", scen, work_file("keep.png"));
    char env[700];
    snprintf(env, sizeof env, "STAGECAST_GNUPLOT='%s'", fake);
    assert_int_equal(run_env(env, args), 1);
    char *err = slurp(work_file("err.txt"));
    assert_non_null(strstr(err, "incomplete"));
    free(err);
    size_t n = 0;
    char *kept = slurp_n(work_file("keep.png"), &n);
    assert_int_equal(n, 3);
    assert_memory_equal(kept, "old", 3);
    free(kept);
}

static void test_missing_gnuplot_says_what_to_install(void **state)
{
    (void)state;
    remove_tree(workdir);
    char args[2048];
    char scen[600];
    snprintf(scen, sizeof scen, "'%s/scenarios/analytics-ds3.cfg'", srcdir);

    /* A plot asked for: exit 1, one line naming the Debian package, no
     * plot and no temporary file; the JSON is still written. */
    snprintf(args, sizeof args, "run %s -q --plot '%s' --json '%s'", scen, work_file("p.png"),
             work_file("r.json"));
    assert_int_equal(run_env("STAGECAST_GNUPLOT=/nonexistent/gnuplot", args), 1);
    char *err = slurp(work_file("err.txt"));
    assert_int_equal(harness_count_lines(err), 1);
    assert_non_null(strstr(err, "gnuplot-nox"));
    assert_non_null(strstr(err, "/nonexistent/gnuplot"));
    free(err);
    assert_false(exists(work_file("p.png")));
    assert_int_equal(stray_files(workdir, "r.json"), 0);

    /* gnuplot hidden from PATH. */
    remove_tree(workdir);
    snprintf(args, sizeof args, "run %s -q --plot '%s'", scen, work_file("p.svg"));
    assert_int_equal(run_env("PATH=/nonexistent", args), 1);
    err = slurp(work_file("err.txt"));
    assert_non_null(strstr(err, "not found on PATH"));
    assert_non_null(strstr(err, "gnuplot-nox"));
    free(err);
    assert_int_equal(stray_files(workdir, NULL), 0);

    /* With --plot-dir too: the data and scripts are written, still exit 1. */
    snprintf(args, sizeof args, "run %s -q --plot '%s' --plot-dir '%s'", scen, work_file("p.png"),
             work_file("pd"));
    assert_int_equal(run_env("STAGECAST_GNUPLOT=/nonexistent", args), 1);
    assert_true(exists(work_file("pd/bars.csv")));
    assert_true(exists(work_file("pd/timeline.gp")));
    assert_false(exists(work_file("p.png")));

    /* No plot asked for: gnuplot is not needed, exit 0. */
    remove_tree(workdir);
    snprintf(args, sizeof args, "run %s -q --plot-dir '%s' --trace '%s'", scen, work_file("pd"),
             work_file("t.json"));
    assert_int_equal(run_env("STAGECAST_GNUPLOT=/nonexistent PATH=/nonexistent", args), 0);
    assert_true(exists(work_file("pd/utilization.csv")));
    assert_true(exists(work_file("t.json")));
}

/* When any output fails — a file that cannot be written, gnuplot failing —
 * no plot, data, trace or JSON is left, and a plot directory stagecast
 * created is removed again. */
static void test_failed_run_leaves_no_plot_files(void **state)
{
    (void)state;
    remove_tree(workdir);
    char args[2048];
    snprintf(args, sizeof args,
             "run '%s/scenarios/analytics-ds3.cfg' -q --plot '%s' "
             "--plot-dir '%s' --trace '%s' --json '%s/no-such-dir/r.json'",
             srcdir, work_file("p.png"), work_file("pd"), work_file("t.json"), workdir);
    assert_int_equal(run(args), 1);
    assert_int_equal(stray_files(workdir, NULL), 0);

    /* gnuplot that fails: `false` stands in for it. */
    snprintf(args, sizeof args,
             "run '%s/scenarios/analytics-ds3.cfg' -q --plot '%s' "
             "--plot-dir '%s' --trace '%s' --json '%s'",
             srcdir, work_file("p.png"), work_file("pd"), work_file("t.json"), work_file("r.json"));
    assert_int_equal(run_env("STAGECAST_GNUPLOT=false", args), 1);
    char *err = slurp(work_file("err.txt"));
    assert_non_null(strstr(err, "failed drawing"));
    free(err);
    assert_int_equal(stray_files(workdir, NULL), 0);

    if (!gnuplot)
        return;
    /* The plot's own destination cannot be written. */
    snprintf(args, sizeof args,
             "run '%s/scenarios/analytics-ds3.cfg' -q --plot "
             "'%s/no-such-dir/p.png' --plot-dir '%s' --json '%s'",
             srcdir, workdir, work_file("pd"), work_file("r.json"));
    assert_int_equal(run(args), 1);
    assert_int_equal(stray_files(workdir, NULL), 0);
}

static void test_terminal_preview_follows_the_table(void **state)
{
    (void)state;
    if (!gnuplot)
        skip();
    char args[2048];
    snprintf(args, sizeof args, "run '%s/scenarios/etl-nightly.cfg' --plot -", srcdir);
    assert_int_equal(run(args), 0);
    char *out = slurp(work_file("out.txt"));
    const char *table = strstr(out, "utilization:");
    const char *chart = strstr(out, "busy task slots");
    assert_non_null(table);
    assert_non_null(chart);
    assert_true(table < chart);
    assert_null(strchr(out, '\f'));
    free(out);
    /* Quiet: only the chart. */
    snprintf(args, sizeof args, "run '%s/scenarios/etl-nightly.cfg' -q --plot -", srcdir);
    assert_int_equal(run(args), 0);
    out = slurp(work_file("out.txt"));
    assert_null(strstr(out, "utilization:"));
    assert_non_null(strstr(out, "busy task slots"));
    assert_true(harness_count_lines(out) <= 30);
    free(out);
}

static void test_plot_usage_errors_exit_2(void **state)
{
    (void)state;
    char args[2048];
    snprintf(args, sizeof args, "run '%s/scenarios/etl-nightly.cfg' --plot out.gif", srcdir);
    assert_int_equal(run(args), 2);
    snprintf(args, sizeof args, "run '%s/scenarios/etl-nightly.cfg' --plot - --json -", srcdir);
    assert_int_equal(run(args), 2);
    snprintf(args, sizeof args, "run '%s/scenarios/etl-nightly.cfg' --trace - --timeline -",
             srcdir);
    assert_int_equal(run(args), 2);
    snprintf(args, sizeof args, "run '%s/scenarios/etl-nightly.cfg' --plot", srcdir);
    assert_int_equal(run(args), 2);
}

/* 24,000 attempts on 320 slots: rows are shared (2 slots each) and thin
 * attempts merged, so the timeline's data stay far below a row per attempt
 * and the utilization curve is binned. */
static void test_large_run_keeps_plot_data_small(void **state)
{
    (void)state;
    remove_tree(workdir);
    FILE *f = fopen(work_file("big.cfg"), "w");
    fputs("name = \"big\";\nseed = 5;\n"
          "cluster = { platform = \"databricks\"; worker = \"Standard_E8ds_v5\"; workers = 40; };\n"
          "jobs = ( { name = \"big\"; stages = (\n"
          "  { id = 0; tasks = 12000; task_seconds = { dist = \"lognormal\"; median = 1.0; "
          "sigma = 0.5; }; },\n"
          "  { id = 1; parents = [0]; tasks = 12000; task_seconds = { dist = \"exponential\"; "
          "mean = 0.5; }; } ); } );\n",
          f);
    fclose(f);
    char args[2048];
    snprintf(args, sizeof args, "run '%s' -q --plot-dir '%s'", work_file("big.cfg"),
             work_file("pd"));
    assert_int_equal(run(args), 0);
    char *bars = slurp(work_file("pd/bars.csv"));
    char *util = slurp(work_file("pd/utilization.csv"));
    char *runcsv = slurp(work_file("pd/run.csv"));
    assert_true(harness_count_lines(bars) - 1 < 24000 / 4);
    assert_int_equal(harness_count_lines(util), 1 + PLOT_UTIL_BINS + 1);
    /* slots 320, rows 160, 2 slots per row */
    assert_non_null(strstr(runcsv, ",320,160,2,"));
    free(bars);
    free(util);
    free(runcsv);
}

int main(void)
{
    binary = getenv("STAGECAST");
    srcdir = getenv("SRCDIR");
    if (!binary || !srcdir) {
        fprintf(stderr, "test_plot: set STAGECAST and SRCDIR (make check does)\n");
        return 1;
    }
    struct diag d;
    diag_clear(&d);
    const struct plot_env env = {getenv("STAGECAST_PLOTS"), getenv("STAGECAST_GNUPLOT"),
                                 getenv("PATH"), getenv("TMPDIR")};
    gnuplot = plot_find_gnuplot(&env, &d);
    if (!gnuplot)
        fprintf(stderr, "test_plot: %s; the drawing tests are skipped\n", d.msg);
    snprintf(workdir, sizeof workdir, "/tmp/stagecast-plot-XXXXXX");
    if (!mkdtemp(workdir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thin_bars_merge_wide_bars_stay),
        cmocka_unit_test(test_utilization_steps_count_busy_slots),
        cmocka_unit_test(test_binned_utilization_averages_over_bins),
        cmocka_unit_test(test_utilization_follows_the_cluster_size),
        cmocka_unit_test(test_critical_path_follows_the_parent_that_ended_last),
        cmocka_unit_test(test_many_slots_share_rows),
        cmocka_unit_test(test_png_has_a_valid_header),
        cmocka_unit_test(test_svg_parses_and_names_its_series_and_axes),
        cmocka_unit_test(test_pdf_is_drawn),
        cmocka_unit_test(test_plot_dir_holds_data_and_scripts),
        cmocka_unit_test(test_plot_dir_scripts_redraw),
        cmocka_unit_test(test_sweep_script_draws_a_hand_made_csv),
        cmocka_unit_test(test_sweep_axes_start_at_zero),
        cmocka_unit_test(test_labels_avoid_labels_points_and_lines),
        cmocka_unit_test(test_boxed_in_label_becomes_a_callout_with_a_clear_leader),
        cmocka_unit_test(test_sweep_csv_labels_only_the_front),
        cmocka_unit_test(test_sweep_labels_name_the_variant),
        cmocka_unit_test(test_straggler_marked_where_it_ran),
        cmocka_unit_test(test_sweep_plot_from_the_command),
        cmocka_unit_test(test_trace_has_one_event_per_attempt),
        cmocka_unit_test(test_trace_fetch_lasts_the_modelled_fetch),
        cmocka_unit_test(test_missing_gnuplot_says_what_to_install),
        cmocka_unit_test(test_failed_run_leaves_no_plot_files),
        cmocka_unit_test(test_terminal_preview_follows_the_table),
        cmocka_unit_test(test_plot_usage_errors_exit_2),
        cmocka_unit_test(test_large_run_keeps_plot_data_small),
        cmocka_unit_test(test_truncated_drawings_are_recognised),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    remove_tree(workdir);
    rmdir(workdir);
    free(gnuplot);
    return rc;
}
