/*
 * sweep_report.c — a sweep's outputs, the last step of the flow: the table
 * for a terminal (points by cost, then the front, the failed points grouped
 * by message, and the recommendation), the JSON (points by index, with
 * their intervals, the front and the recommendation and its reason) and
 * the CSV that plots/sweep.gp draws.
 */
#include "config.h"

#include "sim/sweep/sweep_internal.h"

#include "models/units.h"
#include "sim/output/plotlabel.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Axes shown as their own columns: all but node type and workers, which
 * every point has. */
static bool extra_axis(const struct sweep_axis *ax)
{
    return strcmp(ax->name, "node_type") != 0 && strcmp(ax->name, "workers") != 0;
}

static int cmp_table(const void *a, const void *b)
{
    const struct sweep_point *p = *(const struct sweep_point *const *)a;
    const struct sweep_point *q = *(const struct sweep_point *const *)b;
    int rp = p->status == SWEEP_OK ? (p->cost_known ? 0 : 1) : 2;
    int rq = q->status == SWEEP_OK ? (q->cost_known ? 0 : 1) : 2;
    if (rp != rq)
        return rp - rq;
    if (rp == 0 && p->cost_usd.mean != q->cost_usd.mean)
        return p->cost_usd.mean < q->cost_usd.mean ? -1 : 1;
    if (rp <= 1 && p->makespan_s.mean != q->makespan_s.mean)
        return p->makespan_s.mean < q->makespan_s.mean ? -1 : 1;
    return (p->index > q->index) - (p->index < q->index);
}

/* Failed points by message, then index. */
static int cmp_failed(const void *a, const void *b)
{
    const struct sweep_point *p = *(const struct sweep_point *const *)a;
    const struct sweep_point *q = *(const struct sweep_point *const *)b;
    int c = strcmp(p->error ? p->error : "", q->error ? q->error : "");
    if (c != 0)
        return c;
    return (p->index > q->index) - (p->index < q->index);
}

static const struct sweep_point **scope_points(const struct sweep *sw, size_t *n)
{
    const struct sweep_point **v = malloc((sw->n_points + 1) * sizeof *v);
    *n = 0;
    for (size_t i = 0; v && i < sw->n_points; i++)
        if (sw->points[i].in_scope)
            v[(*n)++] = &sw->points[i];
    return v;
}

/* The table's title: the scenario, the grid's size and seeds, the shard
 * (n of the points) and the deadline. */
static void table_title(FILE *f, const struct sweep *sw, size_t n)
{
    const struct sweep_spec *sp = &sw->spec;
    fprintf(f, "stagecast %s  sweep of '%s'  %zu points x %zu replication%s (seed %llu%s)\n",
            PACKAGE_VERSION, sp->scenario_name, sw->n_points, sp->replications,
            sp->replications == 1 ? "" : "s", (unsigned long long)sp->seed,
            sp->replications > 1 ? " and derived" : "");
    if (sp->shard_count > 1)
        fprintf(f, "shard %zu/%zu: %zu of the points (stagecast merge joins the shards)\n",
                sp->shard_index, sp->shard_count, n);
    char b1[48];
    if (!isnan(sp->deadline_s))
        fprintf(f, "deadline %s at %.3g%% confidence\n",
                units_format_duration(sp->deadline_s, b1, sizeof b1), 100.0 * sp->confidence);
    fputc('\n', f);
}

/* The column heads, then a row per point that ran, in the order of v
 * (by cost); the extra axes get a column each. Returns how many of v
 * failed (they are listed after the table). */
static size_t table_rows(FILE *f, const struct sweep *sw, const struct sweep_point **v, size_t n)
{
    const struct sweep_spec *sp = &sw->spec;
    int wn = 9, wx[64] = {0};
    size_t n_extra = 0;
    for (size_t k = 0; k < n; k++) {
        int l = (int)strlen(v[k]->node_type);
        if (l > wn)
            wn = l;
    }
    for (size_t a = 0; a < sp->n_axes && n_extra < 64; a++) {
        if (!extra_axis(&sp->axes[a]))
            continue;
        int w = (int)strlen(sp->axes[a].name);
        for (size_t c = 0; c < sp->axes[a].n_choices; c++)
            if ((int)strlen(sp->axes[a].choices[c].label) > w)
                w = (int)strlen(sp->axes[a].choices[c].label);
        wx[n_extra++] = w > 40 ? 40 : w;
    }
    bool deadline = !isnan(sp->deadline_s);
    fprintf(f, "%6s  %-*s %7s", "point", wn, "node type", "workers");
    for (size_t a = 0, x = 0; a < sp->n_axes && x < n_extra; a++)
        if (extra_axis(&sp->axes[a]))
            fprintf(f, "  %-*.*s", wx[x], wx[x], sp->axes[a].name), x++;
    fprintf(f, "  %11s %9s  %9s %8s  %9s %8s  %9s %8s  %6s", "makespan s", "+-95%", "cost $",
            "+-95%", "run $", "+-95%", "start-up $", "+-95%", "util");
    if (deadline)
        fprintf(f, "  %11s %5s", "bound s", "meets");
    fputs("\n", f);
    size_t n_failed = 0;
    for (size_t k = 0; k < n; k++) {
        const struct sweep_point *p = v[k];
        if (p->status != SWEEP_OK) {
            n_failed++;
            continue;
        }
        fprintf(f, "%6zu  %-*s %7lld", p->index, wn, p->node_type, (long long)p->workers);
        for (size_t a = 0, x = 0; a < sp->n_axes && x < n_extra; a++)
            if (extra_axis(&sp->axes[a])) {
                const char *lab = sp->axes[a].choices[sweep_point_choice(sp, p->index, a)].label;
                fprintf(f, "  %-*.*s", wx[x], wx[x], lab);
                x++;
            }
        fprintf(f, "  %11.3f", p->makespan_s.mean);
        if (p->n >= 2)
            fprintf(f, " %9.3f", p->makespan_s.hi - p->makespan_s.mean);
        else
            fprintf(f, " %9s", "-");
        if (p->cost_known) {
            fprintf(f, "  %9.4f", p->cost_usd.mean);
            if (p->n >= 2)
                fprintf(f, " %8.4f", p->cost_usd.hi - p->cost_usd.mean);
            else
                fprintf(f, " %8s", "-");
        } else {
            fprintf(f, "  %9s %8s", "unknown", "");
        }
        /* The cost's two parts: the run's own billed time and the start-up
         * draw's (sweep_cost_split), each with its own interval. */
        const struct sweep_stat *parts[2] = {&p->run_usd, &p->startup_usd};
        for (int j = 0; j < 2; j++) {
            if (isfinite(parts[j]->mean))
                fprintf(f, "  %9.4f", parts[j]->mean);
            else
                fprintf(f, "  %9s", "-");
            if (isfinite(parts[j]->hi))
                fprintf(f, " %8.4f", parts[j]->hi - parts[j]->mean);
            else
                fprintf(f, " %8s", "-");
        }
        fprintf(f, "  %5.1f%%", 100.0 * p->utilization);
        if (deadline)
            fprintf(f, "  %11.3f %5s", p->makespan_upper_s, p->meets_deadline == 1 ? "yes" : "no");
        if (p->feasible < 0)
            fputs("  INFEASIBLE (local disk)", f);
        if (p->pareto)
            fputs("  front", f);
        if (p->recommended)
            fputs("  <- recommended", f);
        fputs("\n", f);
    }
    return n_failed;
}

/* Says when the start-up draw, not the run, makes a cost interval wide:
 * a user reading "$12 +- 12" should know that the run's own cost is sure
 * and the cluster's start-up time is not. */
static void table_startup_note(FILE *f, const struct sweep_point **v, size_t n)
{
    size_t n_split = 0, n_startup = 0;
    for (size_t k = 0; k < n; k++) {
        const struct sweep_point *p = v[k];
        if (p->status != SWEEP_OK || !isfinite(p->startup_usd.hi) || !isfinite(p->run_usd.hi))
            continue;
        n_split++;
        n_startup += p->startup_usd.hi - p->startup_usd.mean > p->run_usd.hi - p->run_usd.mean;
    }
    if (n_split == 0)
        return;
    fprintf(f,
            "\ncost = run $ (the run's own billed time) + start-up $ (the cluster start-up drawn "
            "for each replication, billed); the start-up's interval is the wider at %zu of %zu "
            "points\n",
            n_startup, n_split);
}

/* The front among v, fastest first. */
static void table_front(FILE *f, const struct sweep_point **v, size_t n)
{
    char b1[48];
    size_t n_front = 0;
    for (size_t k = 0; k < n; k++)
        n_front += v[k]->pareto;
    if (n_front > 0) {
        const struct sweep_point **fr = malloc(n_front * sizeof *fr);
        if (fr) {
            size_t m = 0;
            for (size_t k = 0; k < n; k++)
                if (v[k]->pareto)
                    fr[m++] = v[k];
            qsort(fr, m, sizeof *fr, sweep_cmp_front);
            fprintf(f, "\nPareto front (no other point is as fast and as cheap and better in one), "
                       "fastest first:\n");
            for (size_t k = 0; k < m; k++)
                fprintf(f, "  point %zu  %lld x %s  %s  $%.4f\n", fr[k]->index,
                        (long long)fr[k]->workers, fr[k]->node_type,
                        units_format_duration(fr[k]->makespan_s.mean, b1, sizeof b1),
                        fr[k]->cost_usd.mean);
            free(fr);
        }
    }
}

/* The failed points among v, n_failed of them, grouped by message:
 * twenty node counts of an unknown node type are one problem, said once. */
static void table_failed(FILE *f, const struct sweep_point **v, size_t n, size_t n_failed)
{
    const struct sweep_point **fl = malloc(n_failed * sizeof *fl);
    size_t m = 0;
    for (size_t k = 0; fl && k < n; k++)
        if (v[k]->status == SWEEP_FAILED)
            fl[m++] = v[k];
    if (fl) {
        qsort(fl, m, sizeof *fl, cmp_failed);
        fprintf(f, "\nfailed (%zu point%s):\n", m, m == 1 ? "" : "s");
        for (size_t g = 0; g < m;) {
            size_t e = g + 1;
            while (e < m &&
                   strcmp(fl[e]->error ? fl[e]->error : "", fl[g]->error ? fl[g]->error : "") == 0)
                e++;
            fprintf(f, "  point%s", e - g > 1 ? "s" : "");
            for (size_t k = g; k < e && k < g + 8; k++)
                fprintf(f, "%s %zu", k > g ? "," : "", fl[k]->index);
            if (e - g > 8)
                fprintf(f, " and %zu more", e - g - 8);
            fprintf(f, ": %s\n", fl[g]->error ? fl[g]->error : "failed");
            g = e;
        }
        free(fl);
    }
}

/* The points among v whose shuffle and spill exceed their workers' local
 * disks, each with its figures (sim/runtime/feasibility.c's rule). */
static void table_infeasible(FILE *f, const struct sweep_point **v, size_t n)
{
    const double gib = 1024.0 * 1024.0 * 1024.0;
    bool first = true;
    for (size_t k = 0; k < n; k++) {
        const struct sweep_point *p = v[k];
        if (p->status != SWEEP_OK || p->feasible >= 0)
            continue;
        if (first)
            fprintf(f, "\ninfeasible (not on the front, never recommended): the most local disk "
                       "one worker needs, shuffle files kept to the end plus the largest stage's "
                       "spill, exceeds the node's temp disk:\n");
        first = false;
        fprintf(f,
                "  point %zu  %lld x %s: %.1f GiB (%.1f GiB shuffle + %.1f GiB spill) on a "
                "%.1f GiB disk\n",
                p->index, (long long)p->workers, p->node_type, p->disk_peak_bytes / gib,
                p->disk_shuffle_bytes / gib, p->disk_spill_bytes / gib, p->disk_bytes / gib);
    }
}

void sweep_print_table(FILE *f, const struct sweep *sw)
{
    size_t n;
    const struct sweep_point **v = scope_points(sw, &n);
    if (!v)
        return;
    table_title(f, sw, n);
    qsort(v, n, sizeof *v, cmp_table);
    size_t n_failed = table_rows(f, sw, v, n);
    table_startup_note(f, v, n);
    table_front(f, v, n);
    bool any_unknown = false;
    for (size_t k = 0; k < n; k++)
        if (v[k]->status == SWEEP_OK && !v[k]->cost_known && !any_unknown) {
            fprintf(f, "\ncost unknown for some points (not on the front, never recommended): %s\n",
                    v[k]->cost_note ? v[k]->cost_note : "a price is unknown");
            any_unknown = true;
        }
    table_infeasible(f, v, n);
    if (n_failed > 0)
        table_failed(f, v, n, n_failed);
    if (sw->recommended != SIZE_MAX) {
        const struct sweep_point *p = &sw->points[sw->recommended];
        fprintf(f, "\nrecommendation: %lld x %s (point %zu), $%.4f, makespan %.3f s\n  %s\n",
                (long long)p->workers, p->node_type, p->index, p->cost_usd.mean, p->makespan_s.mean,
                sw->reason);
    } else {
        fprintf(f, "\nrecommendation: none: %s\n", sw->reason);
    }
    free(v);
}

static json_t *interval(const struct sweep_stat *s)
{
    if (!isfinite(s->lo))
        return json_null();
    return json_pack("[f, f]", s->lo, s->hi);
}

static json_t *point_json(const struct sweep *sw, const struct sweep_point *p, const char **ov,
                          size_t max_ov)
{
    const struct sweep_spec *sp = &sw->spec;
    json_t *o = json_object(), *settings = json_object();
    size_t k = sweep_point_overrides(sw, p->index, ov, max_ov);
    json_t *ovs = json_array();
    for (size_t j = 0; ovs && j < k; j++)
        json_array_append_new(ovs, json_string(ov[j]));
    for (size_t a = 0; settings && a < sp->n_axes; a++)
        json_object_set_new(
            settings, sp->axes[a].name,
            json_string(sp->axes[a].choices[sweep_point_choice(sp, p->index, a)].label));
    json_object_set_new(o, "index", json_integer((json_int_t)p->index));
    json_object_set_new(o, "status", json_string(p->status == SWEEP_OK ? "ok" : "failed"));
    json_object_set_new(o, "node_type", json_string(p->node_type));
    json_object_set_new(o, "workers", json_integer((json_int_t)p->workers));
    json_object_set_new(o, "settings", settings);
    json_object_set_new(o, "overrides", ovs);
    if (p->status != SWEEP_OK) {
        json_object_set_new(o, "error", json_string(p->error ? p->error : "failed"));
        json_object_set_new(o, "pareto", json_false());
        json_object_set_new(o, "recommended", json_false());
        return o;
    }
    json_object_set_new(o, "replications", json_integer((json_int_t)p->n));
    json_object_set_new(o, "makespan_s", json_real(p->makespan_s.mean));
    json_object_set_new(o, "makespan_ci_s", interval(&p->makespan_s));
    json_object_set_new(o, "makespan_sd_s", sweep_jnum(p->makespan_s.sd));
    json_object_set_new(o, "makespan_upper_s",
                        p->n >= 2 ? sweep_jnum(p->makespan_upper_s) : json_null());
    json_object_set_new(o, "cost_usd", sweep_jnum(p->cost_usd.mean));
    json_object_set_new(o, "cost_ci_usd", interval(&p->cost_usd));
    json_object_set_new(o, "cost_sd_usd", sweep_jnum(p->cost_usd.sd));
    json_object_set_new(o, "cost_run_usd", sweep_jnum(p->run_usd.mean));
    json_object_set_new(o, "cost_run_ci_usd", interval(&p->run_usd));
    json_object_set_new(o, "cost_startup_usd", sweep_jnum(p->startup_usd.mean));
    json_object_set_new(o, "cost_startup_ci_usd", interval(&p->startup_usd));
    if (!p->cost_known)
        json_object_set_new(o, "cost_note", json_string(p->cost_note ? p->cost_note : ""));
    json_object_set_new(o, "utilization", json_real(p->utilization));
    /* Local disk: null when the node has no figure (or the results file
     * predates the check). */
    json_object_set_new(o, "feasible",
                        p->feasible == 0 ? json_null() : json_boolean(p->feasible > 0));
    json_object_set_new(
        o, "local_disk",
        json_pack("{s:o, s:o, s:o, s:o}", "peak_bytes", sweep_jnum(p->disk_peak_bytes),
                  "shuffle_bytes", sweep_jnum(p->disk_shuffle_bytes), "spill_bytes",
                  sweep_jnum(p->disk_spill_bytes), "disk_bytes", sweep_jnum(p->disk_bytes)));
    json_object_set_new(o, "pareto", json_boolean(p->pareto));
    json_object_set_new(o, "meets_deadline",
                        p->meets_deadline < 0 ? json_null() : json_boolean(p->meets_deadline));
    json_object_set_new(o, "recommended", json_boolean(p->recommended));
    return o;
}

enum sc_status sweep_write_json(FILE *f, const struct sweep *sw, struct diag *d)
{
    const struct sweep_spec *sp = &sw->spec;
    size_t max_ov = sweep_max_overrides(sw);
    const char **ov = malloc((max_ov + 1) * sizeof *ov);
    json_t *root = json_object(), *points = json_array(), *front = json_array();
    json_t *seeds = json_array(), *axes = json_array();
    if (!ov || !root || !points || !front || !seeds || !axes) {
        free(ov);
        json_decref(root);
        json_decref(points);
        json_decref(front);
        json_decref(seeds);
        json_decref(axes);
        return sweep_no_memory(d);
    }
    for (size_t r = 0; r < sp->replications; r++)
        json_array_append_new(seeds, json_integer((json_int_t)sw->seeds[r]));
    for (size_t a = 0; a < sp->n_axes; a++) {
        json_t *vals = json_array();
        for (size_t c = 0; vals && c < sp->axes[a].n_choices; c++)
            json_array_append_new(vals, json_string(sp->axes[a].choices[c].label));
        json_array_append_new(axes,
                              json_pack("{s:s, s:o}", "name", sp->axes[a].name, "values", vals));
    }
    size_t n_failed = 0, n_scope = 0;
    for (size_t i = 0; i < sw->n_points; i++) {
        const struct sweep_point *p = &sw->points[i];
        if (!p->in_scope)
            continue;
        n_scope++;
        n_failed += p->status == SWEEP_FAILED;
        json_array_append_new(points, point_json(sw, p, ov, max_ov));
    }
    /* The front's points, fastest first. */
    size_t n;
    const struct sweep_point **v = scope_points(sw, &n);
    if (v) {
        size_t m = 0;
        for (size_t k = 0; k < n; k++)
            if (v[k]->pareto)
                v[m++] = v[k];
        qsort(v, m, sizeof *v, sweep_cmp_front);
        for (size_t k = 0; k < m; k++)
            json_array_append_new(front, json_integer((json_int_t)v[k]->index));
        free(v);
    }
    json_object_set_new(root, "stagecast_version", json_string(PACKAGE_VERSION));
    json_object_set_new(root, "scenario",
                        json_pack("{s:s, s:s, s:I}", "name", sp->scenario_name, "file",
                                  sp->scenario_file, "seed", (json_int_t)sp->seed));
    json_object_set_new(root, "replications", json_integer((json_int_t)sp->replications));
    json_object_set_new(root, "seeds", seeds);
    json_object_set_new(root, "fixed", sweep_strings_json(sp->fixed, sp->n_fixed));
    json_object_set_new(root, "axes", axes);
    if (sp->shard_count > 1)
        json_object_set_new(
            root, "shard",
            json_pack("[I, I]", (json_int_t)sp->shard_index, (json_int_t)sp->shard_count));
    json_object_set_new(root, "deadline_s", sweep_jnum(sp->deadline_s));
    json_object_set_new(root, "confidence", json_real(sp->confidence));
    json_object_set_new(root, "n_points", json_integer((json_int_t)n_scope));
    json_object_set_new(root, "n_failed", json_integer((json_int_t)n_failed));
    json_object_set_new(root, "points", points);
    json_object_set_new(root, "pareto", front);
    if (sw->recommended != SIZE_MAX) {
        const struct sweep_point *p = &sw->points[sw->recommended];
        json_t *rec = point_json(sw, p, ov, max_ov);
        json_object_set_new(rec, "deadline_s", sweep_jnum(sp->deadline_s));
        json_object_set_new(rec, "confidence", json_real(sp->confidence));
        json_object_set_new(rec, "confidence_computed", json_boolean(p->n >= 2));
        json_object_set_new(rec, "bound_s", sweep_jnum(p->makespan_upper_s));
        json_object_set_new(rec, "reason", json_string(sw->reason));
        json_object_set_new(root, "recommendation", rec);
    } else {
        json_object_set_new(root, "recommendation", json_null());
    }
    json_object_set_new(root, "recommendation_reason", json_string(sw->reason));
    free(ov);
    int rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(root);
    if (rc != 0 || fputc('\n', f) == EOF)
        return diag_set(d, SC_EIO, NULL, 0, "writing the sweep's JSON failed");
    return SC_OK;
}

/* A text field for the CSV: gnuplot splits at every comma, quoted or not,
 * so commas become semicolons (and line breaks spaces); the JSON keeps the
 * text exactly. */
static void csv_text(FILE *f, const char *s)
{
    for (; s && *s; s++)
        fputc(*s == ',' ? ';' : (*s == '\n' || *s == '\r') ? ' ' : *s == '"' ? '\'' : *s, f);
}

static void csv_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.10g", v);
}

/* How plots/sweep.gp draws its upper panel, for placing labels: its axes
 * run to SWEEP_PLOT_X_PAD times the longest makespan (or the deadline) and
 * SWEEP_PLOT_Y_PAD times the highest cost; the sizes are fractions of that
 * panel's plot area on the 1100 x 1000 picture, with labels in 9 pt. */
#define SWEEP_PLOT_X_PAD 1.15
#define SWEEP_PLOT_Y_PAD 1.12
static const struct plotlabel_frame sweep_plot_frame = {
    .char_w = 0.0092, .line_h = 0.040, .gap = 0.008, .mark_w = 0.016, .mark_h = 0.030};

/* What sets point i apart beyond its node type and worker count: each
 * extra axis's name and choice, "autoscale 2-8", "spot 0.25" (empty
 * without extra axes). Returns its length, cut to fit size. */
static size_t plot_variant(const struct sweep *sw, size_t i, char *buf, size_t size)
{
    const struct sweep_spec *sp = &sw->spec;
    size_t used = 0;
    buf[0] = '\0';
    for (size_t a = 0; a < sp->n_axes; a++) {
        if (!extra_axis(&sp->axes[a]))
            continue;
        int k = snprintf(buf + used, size - used, "%s%s %s", used ? " " : "", sp->axes[a].name,
                         sp->axes[a].choices[sweep_point_choice(sp, i, a)].label);
        if (k < 0 || (size_t)k >= size - used) {
            used = strlen(buf);
            break;
        }
        used += (size_t)k;
    }
    return used;
}

/* The label the sweep plot prints beside point i: "8 x E8ds_v5", and its
 * variant when the sweep has more axes: "2 x DS4_v2 (autoscale 2-8)" (no
 * comma: the CSV would turn it into a semicolon). */
static int plot_label(const struct sweep *sw, size_t i, char *buf, size_t size)
{
    const struct sweep_point *p = &sw->points[i];
    const char *t = p->node_type;
    if (strncmp(t, "Standard_", 9) == 0 && t[9])
        t += 9;
    char variant[96];
    plot_variant(sw, i, variant, sizeof variant);
    if (!variant[0])
        return snprintf(buf, size, "%lld x %s", (long long)p->workers, t);
    return snprintf(buf, size, "%lld x %s (%s)", (long long)p->workers, t, variant);
}

/* Which points the sweep plot labels, and where (spot[i] for point i): the
 * Pareto points, the recommended one first, each where its label overlaps
 * no other label or point nor the deadline's label, beside its point or,
 * in a crowd, further out with a leader line; the others are drawn
 * unlabelled. Returns false when memory runs out. */
static bool plot_label_spots(const struct sweep *sw, struct plotlabel_spot *spot)
{
    size_t n = sw->n_points;
    struct plotlabel_point *lp = malloc((n ? n : 1) * sizeof *lp);
    if (!lp)
        return false;
    struct plotlabel_frame fr = sweep_plot_frame;
    double x_max = isnan(sw->spec.deadline_s) ? 0.0 : sw->spec.deadline_s, y_max = 0.0;
    for (size_t i = 0; i < n; i++) {
        const struct sweep_point *p = &sw->points[i];
        bool drawn = p->in_scope && p->status == SWEEP_OK && isfinite(p->makespan_s.mean) &&
                     isfinite(p->cost_usd.mean);
        char text[192];
        lp[i] = (struct plotlabel_point){NAN, NAN, 0, 0, 1.0, 0};
        if (!drawn)
            continue;
        int len = plot_label(sw, i, text, sizeof text);
        lp[i].x = p->makespan_s.mean;
        lp[i].y = p->cost_usd.mean;
        lp[i].chars = p->pareto && len > 0 ? (size_t)len : 0;
        lp[i].priority = p->recommended ? 2 : 1;
        /* The recommended point is circled: ps 3 against the dots' 1.3. */
        lp[i].mark_scale = p->recommended ? 3.0 / 1.3 : 1.0;
        lp[i].on_line = p->pareto; /* sweep.gp joins the front's points */
        if (lp[i].x > x_max)
            x_max = lp[i].x;
        if (lp[i].y > y_max)
            y_max = lp[i].y;
    }
    fr.x_hi = x_max * SWEEP_PLOT_X_PAD;
    fr.y_hi = y_max * SWEEP_PLOT_Y_PAD;
    fr.vline_x = sw->spec.deadline_s; /* "deadline 3m", "deadline 1.5h": 14 at most */
    fr.vline_chars = 14;
    fr.callouts = 1; /* a crowded front's labels go out with leader lines */
    long placed = plotlabel_place(lp, n, &fr, spot);
    free(lp);
    return placed >= 0;
}

enum sc_status sweep_write_csv(FILE *f, const struct sweep *sw, struct diag *d)
{
    const struct sweep_spec *sp = &sw->spec;
    size_t max_ov = sweep_max_overrides(sw);
    const char **ov = malloc((max_ov + 1) * sizeof *ov);
    struct plotlabel_spot *spot = malloc((sw->n_points ? sw->n_points : 1) * sizeof *spot);
    if (!ov || !spot || !plot_label_spots(sw, spot)) {
        free(ov);
        free(spot);
        return sweep_no_memory(d);
    }
    fputs("point,node_type,workers,makespan_s,cost_usd,pareto,recommended,status,replications,"
          "makespan_lo_s,makespan_hi_s,makespan_sd_s,makespan_upper_s,cost_lo_usd,cost_hi_usd,"
          "utilization,meets_deadline,feasible,deadline_s,label,label_side,label_x_s,label_y_usd,"
          "label_lead_x_s,label_lead_y_usd,variant",
          f);
    for (size_t a = 0; a < sp->n_axes; a++)
        if (extra_axis(&sp->axes[a])) {
            fputc(',', f);
            csv_text(f, sp->axes[a].name);
        }
    fputs(",overrides,error\n", f);
    for (size_t i = 0; i < sw->n_points; i++) {
        const struct sweep_point *p = &sw->points[i];
        if (!p->in_scope)
            continue;
        bool ok = p->status == SWEEP_OK;
        fprintf(f, "%zu,", p->index);
        csv_text(f, p->node_type);
        fprintf(f, ",%lld,", (long long)p->workers);
        if (ok)
            csv_num(f, p->makespan_s.mean);
        fputc(',', f);
        if (ok)
            csv_num(f, p->cost_usd.mean);
        fprintf(f, ",%d,%d,%s,%zu,", p->pareto, p->recommended, ok ? "ok" : "failed", p->n);
        if (ok) {
            csv_num(f, p->makespan_s.lo);
            fputc(',', f);
            csv_num(f, p->makespan_s.hi);
            fputc(',', f);
            csv_num(f, p->makespan_s.sd);
            fputc(',', f);
            if (p->n >= 2)
                csv_num(f, p->makespan_upper_s);
            fputc(',', f);
            csv_num(f, p->cost_usd.lo);
            fputc(',', f);
            csv_num(f, p->cost_usd.hi);
            fputc(',', f);
            csv_num(f, p->utilization);
            fputc(',', f);
            if (p->meets_deadline >= 0)
                fprintf(f, "%d", p->meets_deadline);
            fputc(',', f);
            if (p->feasible != 0)
                fprintf(f, "%d", p->feasible > 0);
        } else {
            fputs(",,,,,,,,", f);
        }
        fputc(',', f);
        csv_num(f, sp->deadline_s);
        fputc(',', f);
        if (spot[i].side != PLOTLABEL_NONE) {
            char text[192];
            plot_label(sw, i, text, sizeof text);
            csv_text(f, text);
        }
        fprintf(f, ",%d,", spot[i].side);
        csv_num(f, spot[i].x);
        fputc(',', f);
        csv_num(f, spot[i].y);
        fputc(',', f);
        csv_num(f, spot[i].lead_x);
        fputc(',', f);
        csv_num(f, spot[i].lead_y);
        fputc(',', f);
        char variant[96];
        plot_variant(sw, i, variant, sizeof variant);
        csv_text(f, variant);
        for (size_t a = 0; a < sp->n_axes; a++)
            if (extra_axis(&sp->axes[a])) {
                fputc(',', f);
                csv_text(f, sp->axes[a].choices[sweep_point_choice(sp, i, a)].label);
            }
        fputc(',', f);
        size_t k = sweep_point_overrides(sw, i, ov, max_ov);
        for (size_t j = 0; j < k; j++) {
            if (j)
                fputc(' ', f);
            csv_text(f, ov[j]);
        }
        fputc(',', f);
        if (!ok)
            csv_text(f, p->error ? p->error : "failed");
        fputc('\n', f);
    }
    free(ov);
    free(spot);
    if (ferror(f))
        return diag_set(d, SC_EIO, NULL, 0, "writing the sweep's CSV failed");
    return SC_OK;
}
