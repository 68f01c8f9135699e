/*
 * fit_factors.c — `stagecast fit-factors`: Spark overhead factors per
 * operator class fitted from event logs (the procedure is in
 * fit_factors.h and README "Calibration").
 *
 * Where it sits: reads logs with sim/eventlog/eventlog.c (metrics) and a pass of its
 * own over the JSON lines (SQL plans and stage accumulators, which the
 * event-log reader does not keep), times the kernels with sim/calib/calibrate.c,
 * and leaves a table and a scenario fragment for models/calib.c's
 * factor_table or a scenario's model.overhead.
 */
#include "sim/calib/fit_factors.h"

#include <errno.h>
#include <gsl/gsl_errno.h>
#include <libconfig.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "models/catalog.h"
#include "models/operators.h"
#include "sim/calib/calibrate.h"
#include "sim/input/cluster.h"
#include "sim/eventlog/eventlog.h"
#include "sim/output/outfile.h"
#include "sim/pipeline/pipeline.h"
#include "sim/plan/planner.h"
#include "sim/input/scenario.h"

#define BIT(c) (1u << (unsigned)(c))

/* ---- plan nodes to classes ------------------------------------------------ */

/* Scans that decode a file or a cached relation: an RDD turned into rows
 * (Scan ExistingRDD, ExternalRDDScan) or a literal table does no decoding
 * that the scan kernel models, so it has no class. */
static bool fitf_is_file_scan(const char *name, const char *simple)
{
    if (strncmp(name, "FileScan", 8) == 0 || strncmp(name, "BatchScan", 9) == 0 ||
        strncmp(name, "InMemoryTableScan", 17) == 0)
        return true;
    const char *s = strcmp(name, "Scan") == 0 && simple ? simple : name;
    if (strncmp(s, "Scan ", 5) != 0)
        return false;
    return strncmp(s, "Scan ExistingRDD", 16) != 0 && strncmp(s, "Scan ExternalRDD", 16) != 0 &&
           strncmp(s, "Scan OneRowRelation", 19) != 0;
}

/* The classes of a SQL plan node (0: none, e.g. WholeStageCodegen,
 * InputAdapter, Exchange — shuffles come from the stage's metrics, since
 * one Exchange node carries both its writing and its reading stage). */
static uint32_t fitf_node_classes(const char *name, const char *simple)
{
    if (fitf_is_file_scan(name, simple))
        return BIT(CALIB_SCAN);
    /* The registry's Spark node names (models/operators.c). */
    int k = op_kernel_of_spark_node(name);
    int c = k >= 0 ? op_kernel_info((enum op_kernel)k)->cls : -1;
    return c >= 0 ? BIT(c) : 0;
}

/* A node below which another stage runs: metric-less nodes under it do not
 * inherit its accumulators. */
static bool fitf_is_boundary(const char *name)
{
    return strcmp(name, "Exchange") == 0 || strcmp(name, "BroadcastExchange") == 0 ||
           strstr(name, "QueryStage") != NULL || strcmp(name, "AQEShuffleRead") == 0 ||
           strcmp(name, "CustomShuffleReader") == 0;
}

/* RDD scope names of RDD API stages (no SQL plan), e.g. "reduceByKey". */
static uint32_t fitf_rdd_classes(const char *scope)
{
    int k = op_kernel_of_rdd_scope(scope);
    int c = k >= 0 ? op_kernel_info((enum op_kernel)k)->cls : -1;
    return c >= 0 ? BIT(c) : 0;
}

/* ---- one log's own pass ---------------------------------------------------- */

struct fitf_acc {
    int64_t id;
    uint32_t classes;
};

struct fitf_stage_accs {
    int64_t id;
    int32_t attempt;
    int64_t *ids;
    size_t n;
    uint32_t rdd_classes;
};

struct fitf_pass {
    struct fitf_acc *accs;
    size_t n_accs, cap_accs;
    struct fitf_stage_accs *stages;
    size_t n_stages, cap_stages;
    bool oom;
};

static void *fitf_grow(void *p, size_t *cap, size_t need, size_t size, bool *oom)
{
    if (need <= *cap)
        return p;
    size_t nc = *cap ? *cap * 2 : 64;
    while (nc < need)
        nc *= 2;
    void *q = realloc(p, nc * size);
    if (!q) {
        *oom = true;
        return p;
    }
    *cap = nc;
    return q;
}

static void fitf_add_acc(struct fitf_pass *p, int64_t id, uint32_t classes)
{
    p->accs = fitf_grow(p->accs, &p->cap_accs, p->n_accs + 1, sizeof *p->accs, &p->oom);
    if (p->oom)
        return;
    p->accs[p->n_accs++] = (struct fitf_acc){id, classes};
}

/* Walks a sparkPlanInfo tree. A node with metrics is in the stages that
 * update them; one without (Project inside whole-stage codegen) runs where
 * its nearest ancestor with metrics runs, so it takes that one's. */
static void fitf_walk(struct fitf_pass *p, json_t *node, const int64_t *inh, size_t n_inh,
                      int depth)
{
    if (!json_is_object(node) || depth > 200)
        return;
    const char *name = json_string_value(json_object_get(node, "nodeName"));
    const char *simple = json_string_value(json_object_get(node, "simpleString"));
    if (!name)
        name = "";
    json_t *metrics = json_object_get(node, "metrics");
    size_t nm = json_is_array(metrics) ? json_array_size(metrics) : 0;
    int64_t own[64];
    size_t n_own = 0;
    for (size_t i = 0; i < nm && n_own < 64; i++) {
        json_t *id = json_object_get(json_array_get(metrics, i), "accumulatorId");
        if (json_is_integer(id))
            own[n_own++] = json_integer_value(id);
    }
    const int64_t *eff = n_own ? own : inh;
    size_t n_eff = n_own ? n_own : n_inh;
    uint32_t cls = fitf_node_classes(name, simple);
    if (cls)
        for (size_t i = 0; i < n_eff; i++)
            fitf_add_acc(p, eff[i], cls);
    bool boundary = fitf_is_boundary(name);
    json_t *children = json_object_get(node, "children");
    for (size_t i = 0; json_is_array(children) && i < json_array_size(children); i++)
        fitf_walk(p, json_array_get(children, i), boundary ? NULL : eff, boundary ? 0 : n_eff,
                  depth + 1);
}

static void fitf_on_stage_completed(struct fitf_pass *p, json_t *ev)
{
    json_t *si = json_object_get(ev, "Stage Info");
    json_t *sid = json_object_get(si, "Stage ID");
    if (!json_is_integer(sid))
        return;
    p->stages = fitf_grow(p->stages, &p->cap_stages, p->n_stages + 1, sizeof *p->stages, &p->oom);
    if (p->oom)
        return;
    struct fitf_stage_accs *s = &p->stages[p->n_stages++];
    memset(s, 0, sizeof *s);
    s->id = json_integer_value(sid);
    s->attempt = (int32_t)json_integer_value(json_object_get(si, "Stage Attempt ID"));
    json_t *accs = json_object_get(si, "Accumulables");
    size_t n = json_is_array(accs) ? json_array_size(accs) : 0;
    if (n && !(s->ids = malloc(n * sizeof *s->ids))) {
        p->oom = true;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *id = json_object_get(json_array_get(accs, i), "ID");
        if (json_is_integer(id))
            s->ids[s->n++] = json_integer_value(id);
    }
    /* "Scope" is itself JSON text: {"id":"3","name":"reduceByKey"}. */
    json_t *rdds = json_object_get(si, "RDD Info");
    for (size_t i = 0; json_is_array(rdds) && i < json_array_size(rdds); i++) {
        const char *scope = json_string_value(json_object_get(json_array_get(rdds, i), "Scope"));
        json_t *sj = scope ? json_loads(scope, 0, NULL) : NULL;
        const char *sname = json_string_value(json_object_get(sj, "name"));
        if (sname)
            s->rdd_classes |= fitf_rdd_classes(sname);
        json_decref(sj);
    }
}

static int fitf_cmp_acc(const void *a, const void *b)
{
    const struct fitf_acc *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

static uint32_t fitf_acc_classes(const struct fitf_pass *p, int64_t id)
{
    struct fitf_acc key = {id, 0};
    if (!p->n_accs)
        return 0;
    const struct fitf_acc *a = bsearch(&key, p->accs, p->n_accs, sizeof key, fitf_cmp_acc);
    return a ? a->classes : 0;
}

static void fitf_pass_free(struct fitf_pass *p)
{
    for (size_t i = 0; i < p->n_stages; i++)
        free(p->stages[i].ids);
    free(p->stages);
    free(p->accs);
}

/* Reads path's plans and stage accumulators. Every line must be a JSON
 * object: this tool's numbers are only as good as the log, so a damaged
 * line stops it (file:line) rather than being skipped. */
static enum sc_status fitf_pass_read(struct fitf_pass *p, const char *path, struct diag *d)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return diag_set(d, errno == ENOENT ? SC_ENOENT : SC_EIO, path, 0, "cannot open: %s",
                        strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0;
    enum sc_status st = SC_OK;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0)
            continue;
        json_error_t err;
        json_t *ev = json_loadb(line, (size_t)len, 0, &err);
        const char *kind = json_string_value(json_object_get(ev, "Event"));
        if (!json_is_object(ev) || !kind) {
            st = diag_set(d, SC_EINPUT, path, lineno, "not a Spark event (%s)",
                          ev ? "no \"Event\"" : err.text);
            json_decref(ev);
            break;
        }
        json_t *plan = json_object_get(ev, "sparkPlanInfo");
        if (plan && (strstr(kind, "SQLExecutionStart") || strstr(kind, "AdaptiveExecutionUpdate")))
            fitf_walk(p, plan, NULL, 0, 0);
        else if (strcmp(kind, "SparkListenerStageCompleted") == 0)
            fitf_on_stage_completed(p, ev);
        json_decref(ev);
        if (p->oom) {
            st = diag_set(d, SC_ENOMEM, path, lineno, "out of memory");
            break;
        }
    }
    if (st == SC_OK && ferror(f))
        st = diag_set(d, SC_EIO, path, lineno, "read error: %s", strerror(errno));
    free(line);
    fclose(f);
    if (st == SC_OK && p->n_accs) /* a log without SQL has no array at all */
        qsort(p->accs, p->n_accs, sizeof *p->accs, fitf_cmp_acc);
    /* Merge the entries of one accumulator (it can appear in several plans
     * of one execution, AQE re-plans keep node metrics). */
    size_t w = 0;
    for (size_t i = 0; st == SC_OK && i < p->n_accs; i++) {
        if (w > 0 && p->accs[w - 1].id == p->accs[i].id)
            p->accs[w - 1].classes |= p->accs[i].classes;
        else
            p->accs[w++] = p->accs[i];
    }
    if (st == SC_OK)
        p->n_accs = w;
    return st;
}

/* ---- stages --------------------------------------------------------------- */

static double fitf_v(int64_t x)
{
    return x == EVLOG_NONE ? 0.0 : (double)x;
}

static void fitf_build_stage(struct fitf_stage *fs, const struct evlog *log,
                             const struct evlog_stage *st, const struct fitf_pass *p)
{
    const char *base = strrchr(log->path, '/');
    snprintf(fs->log, sizeof fs->log, "%s", base ? base + 1 : log->path);
    fs->id = st->id;
    fs->attempt = st->attempt;
    fs->line = st->line;
    snprintf(fs->name, sizeof fs->name, "%s", st->name ? st->name : "");
    fs->native_ns = fs->ratio = NAN;
    size_t nt = 0;
    const struct evlog_task *t = evlog_stage_tasks(log, st->id, st->attempt, &nt);
    for (size_t i = 0; i < nt; i++)
        fs->tasks += t[i].end == EVLOG_SUCCESS;

    uint32_t plan = 0, rdd = 0;
    for (size_t i = 0; i < p->n_stages; i++)
        if (p->stages[i].id == st->id && p->stages[i].attempt == st->attempt) {
            for (size_t k = 0; k < p->stages[i].n; k++)
                plan |= fitf_acc_classes(p, p->stages[i].ids[k]);
            rdd |= p->stages[i].rdd_classes;
        }
    fs->from_plan = plan != 0;
    fs->classes = plan ? plan : rdd;
    const struct evlog_metrics *m = &st->metrics;
    /* What the stage's metrics say it did: these are the classes whose
     * records the metrics count. Input records without a file scan in the
     * plan are a Range or an RDD's records, which no kernel decodes. */
    if (fitf_v(m->input_records) > 0 && !plan)
        fs->classes |= BIT(CALIB_SCAN);
    if (fitf_v(m->shuffle_read_records) > 0)
        fs->classes |= BIT(CALIB_SHUFFLE_READ);
    if (fitf_v(m->shuffle_write_records) > 0)
        fs->classes |= BIT(CALIB_SHUFFLE_WRITE);
    if (fitf_v(m->output_records) > 0)
        fs->classes |= BIT(CALIB_WRITE);

    double in = fitf_v(m->input_records), sr = fitf_v(m->shuffle_read_records);
    fs->records = in + sr;
    fs->rec_kind = in > 0 && sr > 0 ? "input+shuffle read" : in > 0 ? "input" : "shuffle read";
    if (fs->records <= 0) {
        /* A stage that generates its rows (Range, a parallelized
         * collection) reads nothing: its rows are the ones it writes. */
        fs->records = fitf_v(m->shuffle_write_records) + fitf_v(m->output_records);
        fs->rec_kind = "written";
    }
    /* A plan operator is taken to see every record the stage reads (its
     * own input rows are not in the stage's metrics); the classes the
     * metrics count see what they count: a count's shuffle write of one
     * row a task costs nothing per scanned record. */
    for (int c = 0; c < CALIB_N_CLASSES; c++)
        fs->weight[c] = (fs->classes & BIT(c)) ? 1.0 : 0.0;
    if (fs->records > 0) {
        if (fs->classes & BIT(CALIB_SCAN) && in > 0)
            fs->weight[CALIB_SCAN] = in / fs->records;
        if (fs->classes & BIT(CALIB_SHUFFLE_READ))
            fs->weight[CALIB_SHUFFLE_READ] = sr / fs->records;
        if (fs->classes & BIT(CALIB_SHUFFLE_WRITE))
            fs->weight[CALIB_SHUFFLE_WRITE] = fitf_v(m->shuffle_write_records) / fs->records;
        if (fs->classes & BIT(CALIB_WRITE) && fitf_v(m->output_records) > 0)
            fs->weight[CALIB_WRITE] = fitf_v(m->output_records) / fs->records;
    }
    fs->cpu_ns = fitf_v(m->cpu_ns);
    fs->spark_ns = fs->records > 0 ? fs->cpu_ns / fs->records : NAN;

    if (st->status != EVLOG_STAGE_COMPLETED)
        snprintf(fs->skip, sizeof fs->skip, "not completed");
    else if (m->cpu_ns == EVLOG_NONE || m->cpu_ns <= 0)
        snprintf(fs->skip, sizeof fs->skip, "no executor CPU time (Spark %s; logged from 2.1)",
                 log->spark_version ? log->spark_version : "?");
    else if (fs->records <= 0)
        snprintf(fs->skip, sizeof fs->skip, "no records read or written");
    else if (fs->tasks > 0 && fs->records / (double)fs->tasks < FITF_MIN_RECORDS_PER_TASK)
        snprintf(fs->skip, sizeof fs->skip, "%.0f records a task (< %.0f)",
                 fs->records / (double)fs->tasks, FITF_MIN_RECORDS_PER_TASK);
    else if (fs->classes == 0)
        snprintf(fs->skip, sizeof fs->skip, "no operator identified");
}

enum sc_status fitf_read_log(struct fitf_set *set, const char *path, struct diag *d)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return diag_set(d, SC_EINPUT, path, 0,
                        "fit-factors reads one plain JSON log file, not a directory");
    struct evlog_options opt = {.strict = true};
    struct evlog *log = evlog_read(path, &opt, d);
    if (!log)
        return d->status;
    if (log->codec != EVLOG_PLAIN) {
        /* The plan pass reads lines itself and does not decompress. */
        enum evlog_codec codec = log->codec;
        evlog_free(log);
        return diag_set(d, SC_EINPUT, path, 0,
                        "fit-factors reads plain JSON logs; decompress this %s log first",
                        evlog_codec_name(codec));
    }
    struct fitf_pass p = {0};
    enum sc_status st = fitf_pass_read(&p, path, d);
    for (size_t i = 0; st == SC_OK && i < log->n_stages; i++) {
        set->stages = fitf_grow(set->stages, &set->cap, set->n + 1, sizeof *set->stages, &p.oom);
        if (p.oom) {
            st = diag_set(d, SC_ENOMEM, path, 0, "out of memory");
            break;
        }
        struct fitf_stage *fs = &set->stages[set->n++];
        memset(fs, 0, sizeof *fs);
        fitf_build_stage(fs, log, &log->stages[i], &p);
    }
    if (st == SC_OK)
        set->n_logs++;
    fitf_pass_free(&p);
    evlog_free(log);
    return st;
}

void fitf_set_free(struct fitf_set *set)
{
    if (!set)
        return;
    free(set->stages);
    set->stages = NULL;
    set->n = set->cap = set->n_logs = 0;
}

/* ---- native costs --------------------------------------------------------- */

enum sc_status fitf_native_parse(const char *spec, double native[CALIB_N_CLASSES], struct diag *d)
{
    const char *s = spec;
    while (s && *s) {
        const char *end = strchr(s, ',');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        char item[96];
        if (n >= sizeof item)
            return diag_set(d, SC_EINPUT, NULL, 0, "native cost '%.60s...' is too long", s);
        memcpy(item, s, n);
        item[n] = '\0';
        char *eq = strchr(item, '=');
        char *num_end = NULL;
        double v = eq ? strtod(eq + 1, &num_end) : NAN;
        if (eq)
            *eq = '\0';
        int c = eq ? calib_class_find(item) : -1;
        if (!eq || c < 0 || num_end == eq + 1 || *num_end != '\0' || !(v >= 0.0) || !isfinite(v))
            return diag_set(d, SC_EINPUT, NULL, 0,
                            "native cost '%s%s%s' is not class=ns with a known class and ns >= 0",
                            item, eq ? "=" : "", eq ? eq + 1 : "");
        native[c] = v;
        s = end ? end + 1 : NULL;
    }
    return SC_OK;
}

/* One explicit stage per class with a generic kernel (README "Calibration":
 * the generic table) and a scan > write query for `write`, which has no
 * explicit kernel: 100,000 rows a task, the rows per task of the stages the
 * hand derivations used. */
#define FITF_NATIVE_NAME "(fit-factors native-cost scenario)"
static const char fitf_native_cfg[] =
    "name = \"fit-factors-native\";\n"
    "cluster = { platform = \"vm\"; worker = \"Standard_DS3_v2\"; workers = 2; };\n"
    "tables = { t = { rows = 1000000L; columns = (\n"
    "  { name = \"id\"; type = \"int64\"; dist = \"sequence\"; },\n"
    "  { name = \"key\"; type = \"int64\"; dist = \"uniform\"; min = 0; max = 1000; },\n"
    "  { name = \"value\"; type = \"double\"; dist = \"uniform\"; min = 0; max = 100; } ); }; };\n"
    "jobs = (\n"
    "  { name = \"kernels\"; stages = (\n"
    "    { id = 0; tasks = 10; records = 1000000L; kernel = \"scan\"; },\n"
    "    { id = 1; tasks = 10; records = 1000000L; kernel = \"filter\"; },\n"
    "    { id = 2; tasks = 10; records = 1000000L; kernel = \"project\"; },\n"
    "    { id = 3; tasks = 10; records = 1000000L; kernel = \"hash_aggregate\"; },\n"
    "    { id = 4; tasks = 10; records = 1000000L; kernel = \"sort\"; },\n"
    "    { id = 5; tasks = 10; records = 1000000L; kernel = \"sort_merge_join\"; },\n"
    "    { id = 6; tasks = 10; records = 1000000L; kernel = \"broadcast_hash_join\"; },\n"
    "    { id = 7; tasks = 10; records = 1000000L; kernel = \"window\"; },\n"
    "    { id = 8; tasks = 10; records = 1000000L; kernel = \"shuffle_write\"; },\n"
    "    { id = 9; tasks = 10; records = 1000000L; kernel = \"shuffle_read\"; },\n"
    "    { id = 10; tasks = 10; records = 1000000L; kernel = \"limit\"; } ); },\n"
    "  { name = \"write\"; query = ( { op = \"scan\"; table = \"t\"; },\n"
    "      { op = \"write\"; path = \"/out\"; format = \"parquet\"; } ); }\n"
    ");\n";


enum sc_status fitf_native_measure(double native[CALIB_N_CLASSES], double *host_acu,
                                   const struct fitf_host *host, struct diag *d)
{
    static const struct fitf_host none = {NULL, NULL};
    if (!host)
        host = &none;
    /* Read from the text in memory: no temporary file to create and clean. */
    config_t cfg;
    config_init(&cfg);
    if (!config_read_string(&cfg, fitf_native_cfg)) {
        enum sc_status bug = diag_set(d, SC_EINTERNAL, FITF_NATIVE_NAME, config_error_line(&cfg),
                                      "the native-cost scenario does not parse (a stagecast "
                                      "bug): %s",
                                      config_error_text(&cfg));
        config_destroy(&cfg);
        return bug;
    }
    struct pipeline pl = {0};
    enum sc_status st = SC_OK;
    struct scenario *s = scenario_from_config(&cfg, FITF_NATIVE_NAME, d);
    config_destroy(&cfg);
    /* This host's calibration options; the scenario has no model group. */
    struct catalog *named = s && host->catalog_path ? catalog_load(host->catalog_path, d) : NULL;
    struct pipeline_request rq = {
        .until = PIPELINE_CALIBRATE, .scenario = s, .catalog = named, .calibration = host->calib};
    if (!s || (host->catalog_path && !named) || pipeline_run(&pl, &rq, d) != SC_OK) {
        st = d->status != SC_OK ? d->status : SC_EINTERNAL;
        goto done;
    }
    const struct calibration *cal = pl.cal;
    const char *src = NULL;
    double acu = calibrate_host_acu(cal, &src);
    if (!(acu > 0.0))
        acu = CALIB_REF_ACU;
    *host_acu = acu;
    for (size_t i = 0; i < calibrate_n_stages(cal); i++) {
        const struct calibrate_stage *cs = calibrate_stage_at(cal, i);
        if (!cs->cost.valid || !(cs->cost.rows_per_task > 0.0))
            continue;
        /* Job 0's stages run one kernel each; job 1 writes. */
        const struct plan_stage *ps = &pl.plan->jobs[cs->job].stages[cs->stage];
        int k = cs->job == 0 ? op_kernel_find(ps->kernel) : cs->job == 1 ? OPK_WRITE : -1;
        int cls = k >= 0 ? op_kernel_info((enum op_kernel)k)->cls : -1;
        if (cls < 0)
            continue;
        enum calib_class c = (enum calib_class)cls;
        /* Only the class's own operator: the sort_merge_join kernel sorts
         * its inputs too, but a log's join stage has its Sort nodes. */
        double ns = cs->cost.class_ns[c] / cs->cost.rows_per_task;
        /* Host ns to the reference host's ns: the defaults take a log's
         * machine as fast per core as the reference. */
        if (isnan(native[c]) && ns >= 0.0)
            native[c] = ns * cs->cost.host_acu / CALIB_REF_ACU;
    }
done:
    pipeline_fini(&pl);
    catalog_free(named);
    scenario_free(s);
    return st;
}

bool fitf_native_missing(const struct fitf_set *set, const double native[CALIB_N_CLASSES])
{
    for (size_t i = 0; i < set->n; i++)
        for (int c = 0; c < CALIB_N_CLASSES; c++)
            if (!set->stages[i].skip[0] && (set->stages[i].classes & BIT(c)) && isnan(native[c]))
                return true;
    return false;
}

/* ---- the fit ---------------------------------------------------------------- */

/* Least squares over the free classes, the others fixed at their value in
 * f: rows of a relative to 1, prior rows sqrt(lambda) / prior_c. */
static enum sc_status solve_free(const double *a, size_t n_rows, int n_vars, const bool *free_c,
                                 const double *prior, const double *lambda, double *f,
                                 struct diag *d)
{
    int col[FITF_MAX_VARS], n_free = 0, n_pull = 0;
    for (int c = 0; c < n_vars; c++) {
        col[c] = free_c[c] ? n_free++ : -1;
        n_pull += free_c[c] && lambda[c] > 0.0;
    }
    if (n_free == 0)
        return SC_OK;
    size_t rows = n_rows + (size_t)n_pull;
    gsl_matrix *X = gsl_matrix_calloc(rows, (size_t)n_free);
    gsl_vector *y = gsl_vector_calloc(rows);
    gsl_vector *beta = gsl_vector_alloc((size_t)n_free);
    gsl_matrix *cov = gsl_matrix_alloc((size_t)n_free, (size_t)n_free);
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(rows, (size_t)n_free);
    enum sc_status st = SC_OK;
    if (!X || !y || !beta || !cov || !w) {
        st = diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        goto done;
    }
    for (size_t r = 0; r < n_rows; r++) {
        const double *ar = &a[r * (size_t)n_vars];
        double rhs = 1.0;
        for (int c = 0; c < n_vars; c++) {
            if (free_c[c])
                gsl_matrix_set(X, r, (size_t)col[c], ar[c]);
            else
                rhs -= ar[c] * f[c];
        }
        gsl_vector_set(y, r, rhs);
    }
    size_t r = n_rows;
    for (int c = 0; c < n_vars; c++)
        if (free_c[c] && lambda[c] > 0.0) {
            double sl = sqrt(lambda[c]);
            gsl_matrix_set(X, r, (size_t)col[c], sl / prior[c]);
            gsl_vector_set(y, r++, sl);
        }
    double chisq;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int rc = gsl_multifit_linear(X, y, beta, cov, &chisq, w);
    gsl_set_error_handler(old);
    if (rc != GSL_SUCCESS) {
        st = SC_BUG(d, "gsl_multifit_linear failed: %s", gsl_strerror(rc));
        goto done;
    }
    for (int c = 0; c < n_vars; c++)
        if (free_c[c])
            f[c] = gsl_vector_get(beta, (size_t)col[c]);
done:
    gsl_multifit_linear_free(w);
    gsl_matrix_free(cov);
    gsl_vector_free(beta);
    gsl_vector_free(y);
    gsl_matrix_free(X);
    return st;
}

enum sc_status fitf_solve_bounded(const double *a, size_t n_rows, int n_vars, const bool *has,
                                  const double *prior, const double *lambda, const double *floor,
                                  double *f, bool *at_floor, struct diag *d)
{
    if (n_vars < 1 || n_vars > FITF_MAX_VARS)
        return SC_BUG(d, "fitf_solve_bounded: %d variables", n_vars);
    bool free_c[FITF_MAX_VARS];
    for (int c = 0; c < n_vars; c++) {
        f[c] = prior[c];
        free_c[c] = has[c];
        at_floor[c] = false;
    }
    /* Active set: solve, fix the variable furthest below its floor at it,
     * and solve the rest again, until none is below (at most one pass per
     * variable). Clamping all at once would leave the others fitted to a
     * contribution that is no longer there. "Furthest" is relative to the
     * floor's scale, so that a per-row cost in ns and a factor compare. */
    for (int pass = 0; pass <= n_vars; pass++) {
        enum sc_status st = solve_free(a, n_rows, n_vars, free_c, prior, lambda, f, d);
        if (st != SC_OK)
            return st;
        int worst = -1;
        double worst_by = 0.0;
        for (int c = 0; c < n_vars; c++) {
            if (!free_c[c] || !(f[c] < floor[c]))
                continue;
            double by = (floor[c] - f[c]) / (floor[c] > 0.0 ? floor[c] : fabs(prior[c]) > 0.0 ? fabs(prior[c]) : 1.0);
            if (worst < 0 || by > worst_by) {
                worst = c;
                worst_by = by;
            }
        }
        if (worst < 0)
            break;
        free_c[worst] = false;
        f[worst] = floor[worst];
        at_floor[worst] = true;
    }
    return SC_OK;
}

enum sc_status fitf_solve_floor(const double *a, size_t n_rows, const bool *has,
                                const double *prior, double lambda, double floor, double *f,
                                bool *at_floor, struct diag *d)
{
    double lam[CALIB_N_CLASSES], fl[CALIB_N_CLASSES];
    for (int c = 0; c < CALIB_N_CLASSES; c++) {
        lam[c] = lambda;
        fl[c] = floor;
    }
    return fitf_solve_bounded(a, n_rows, CALIB_N_CLASSES, has, prior, lam, fl, f, at_floor, d);
}

/* A stage's Spark ns per record predicted by factors f: the sum over its
 * classes of native ns x rows per record x factor. */
static double fitf_predict(const struct fitf_stage *s, const double *native, const double *f)
{
    double pred = 0.0;
    for (int c = 0; c < CALIB_N_CLASSES; c++)
        if (s->classes & BIT(c))
            pred += native[c] * s->weight[c] * f[c];
    return pred;
}

enum sc_status fitf_fit(struct fitf_set *set, const double native[CALIB_N_CLASSES],
                        struct fitf_result *res, struct diag *d)
{
    memset(res, 0, sizeof *res);
    memcpy(res->native, native, sizeof res->native);
    bool evidence[CALIB_N_CLASSES] = {false};
    for (size_t i = 0; i < set->n; i++) {
        struct fitf_stage *s = &set->stages[i];
        if (s->skip[0])
            continue;
        double sum = 0.0;
        for (int c = 0; c < CALIB_N_CLASSES && s->classes; c++)
            if (s->classes & BIT(c)) {
                if (isnan(native[c])) {
                    snprintf(s->skip, sizeof s->skip, "no native cost for %s", calib_class_name(c));
                    break;
                }
                sum += native[c] * s->weight[c];
            }
        if (s->skip[0])
            continue;
        if (!(sum > 0.0)) {
            snprintf(s->skip, sizeof s->skip, "native cost 0");
            continue;
        }
        s->native_ns = sum;
        s->ratio = s->spark_ns / sum;
        res->n_used++;
        for (int c = 0; c < CALIB_N_CLASSES; c++)
            if ((s->classes & BIT(c)) && native[c] * s->weight[c] > 0.0)
                evidence[c] = true;
    }

    /* Each evidence stage's row: its classes' native ns x rows per record
     * over its Spark ns per record. */
    double f[CALIB_N_CLASSES], prior[CALIB_N_CLASSES];
    bool at_floor[CALIB_N_CLASSES];
    for (int c = 0; c < CALIB_N_CLASSES; c++)
        prior[c] = calib_factor_default(c)->factor;
    double *a = calloc((res->n_used ? res->n_used : 1) * CALIB_N_CLASSES, sizeof *a);
    if (!a)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    size_t n_rows = 0;
    for (size_t i = 0; i < set->n; i++) {
        const struct fitf_stage *s = &set->stages[i];
        if (s->skip[0])
            continue;
        for (int c = 0; c < CALIB_N_CLASSES; c++)
            if (s->classes & BIT(c))
                a[n_rows * CALIB_N_CLASSES + c] = native[c] * s->weight[c] / s->spark_ns;
        n_rows++;
    }
    enum sc_status fst =
        fitf_solve_floor(a, n_rows, evidence, prior, FITF_LAMBDA, FITF_FLOOR, f, at_floor, d);
    free(a);
    if (fst != SC_OK)
        return fst;
    for (int c = 0; c < CALIB_N_CLASSES; c++)
        res->cls[c].at_floor = at_floor[c];

    double sq = 0.0;
    for (size_t i = 0; i < set->n; i++) {
        const struct fitf_stage *s = &set->stages[i];
        if (s->skip[0])
            continue;
        double pred = fitf_predict(s, native, f);
        sq += (pred / s->spark_ns - 1.0) * (pred / s->spark_ns - 1.0);
    }
    res->rms_rel = res->n_used ? sqrt(sq / (double)res->n_used) : NAN;

    double *ratios = malloc((set->n ? set->n : 1) * sizeof *ratios);
    if (!ratios)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    for (int c = 0; c < CALIB_N_CLASSES; c++) {
        struct fitf_class_result *r = &res->cls[c];
        r->deflt = calib_factor_default(c)->factor;
        r->fitted = evidence[c];
        r->factor = f[c];
        r->min = r->median = r->max = NAN;
        /* A stage's ratio attributed to c, as the hand derivations do it:
         * the stage's Spark ns less its other classes at their fitted
         * factors, over c's native ns. */
        size_t n = 0;
        for (size_t i = 0; evidence[c] && i < set->n; i++) {
            const struct fitf_stage *s = &set->stages[i];
            double own = native[c] * s->weight[c];
            if (s->skip[0] || !(s->classes & BIT(c)) || !(own > 0.0) ||
                own < FITF_MIN_SHARE * s->native_ns)
                continue;
            double rest = 0.0;
            for (int k = 0; k < CALIB_N_CLASSES; k++)
                if (k != c && (s->classes & BIT(k)))
                    rest += native[k] * s->weight[k] * f[k];
            ratios[n++] = (s->spark_ns - rest) / own;
        }
        r->n_stages = n;
        if (n) {
            r->median = calib_median(ratios, n); /* sorts */
            r->min = ratios[0];
            r->max = ratios[n - 1];
        }
    }
    free(ratios);
    return SC_OK;
}

/* ---- leave-one-log-out ----------------------------------------------------------- */

/* The score of factors f on the evidence stages of log (NULL: every log). */
static enum sc_status fitf_score(const struct fitf_set *set, const double *native, const double *f,
                                 const char *log, struct fitf_score *out, struct diag *d)
{
    double *err = malloc((set->n ? set->n : 1) * sizeof *err);
    if (!err)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    size_t n = 0;
    double dev = 0.0, tot = 0.0;
    for (size_t i = 0; i < set->n; i++) {
        const struct fitf_stage *s = &set->stages[i];
        if (s->skip[0] || (log && strcmp(s->log, log) != 0))
            continue;
        double pred = fitf_predict(s, native, f);
        err[n++] = fabs(pred / s->spark_ns - 1.0);
        dev += fabs(pred - s->spark_ns) * s->records;
        tot += s->cpu_ns;
    }
    out->n = n;
    out->median_abs = n ? calib_median(err, n) : NAN;
    out->cpu_weighted = tot > 0.0 ? dev / tot : NAN;
    free(err);
    return SC_OK;
}

enum sc_status fitf_cross_validate(const struct fitf_set *set, const struct fitf_result *full,
                                   struct fitf_cv *cv, struct diag *d)
{
    memset(cv, 0, sizeof *cv);
    double hand[CALIB_N_CLASSES], fitted[CALIB_N_CLASSES];
    for (int c = 0; c < CALIB_N_CLASSES; c++) {
        hand[c] = calib_factor_default(c)->factor;
        fitted[c] = full->cls[c].factor;
    }
    /* The logs with evidence, in the order they were read. */
    cv->logs = calloc(set->n_logs ? set->n_logs : 1, sizeof *cv->logs);
    struct fitf_set train = {0};
    train.stages = malloc((set->n ? set->n : 1) * sizeof *train.stages);
    if (!cv->logs || !train.stages) {
        free(train.stages);
        fitf_cv_free(cv);
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    }
    enum sc_status st = SC_OK;
    /* Predictions of every held-out stage by the factors fitted without
     * its log, for the pooled score. */
    double *cvf = malloc((set->n ? set->n : 1) * CALIB_N_CLASSES * sizeof *cvf);
    if (!cvf)
        st = diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    for (size_t i = 0; st == SC_OK && i < set->n; i++) {
        const struct fitf_stage *s = &set->stages[i];
        if (s->skip[0])
            continue;
        bool seen = false;
        for (size_t k = 0; k < cv->n && !seen; k++)
            seen = strcmp(cv->logs[k].log, s->log) == 0;
        if (seen || cv->n >= set->n_logs)
            continue;
        struct fitf_cv_log *L = &cv->logs[cv->n++];
        snprintf(L->log, sizeof L->log, "%s", s->log);
        memcpy(train.stages, set->stages, set->n * sizeof *train.stages);
        train.n = set->n;
        train.n_logs = set->n_logs - 1;
        for (size_t k = 0; k < train.n; k++)
            if (!train.stages[k].skip[0] && strcmp(train.stages[k].log, L->log) == 0)
                snprintf(train.stages[k].skip, sizeof train.stages[k].skip, "held out");
        struct fitf_result r;
        st = fitf_fit(&train, full->native, &r, d);
        if (st != SC_OK)
            break;
        double f[CALIB_N_CLASSES];
        for (int c = 0; c < CALIB_N_CLASSES; c++)
            f[c] = r.cls[c].factor;
        for (size_t k = 0; k < set->n; k++)
            if (!set->stages[k].skip[0] && strcmp(set->stages[k].log, L->log) == 0)
                memcpy(&cvf[k * CALIB_N_CLASSES], f, sizeof f);
        if ((st = fitf_score(set, full->native, hand, L->log, &L->hand, d)) != SC_OK ||
            (st = fitf_score(set, full->native, fitted, L->log, &L->in_sample, d)) != SC_OK ||
            (st = fitf_score(set, full->native, f, L->log, &L->cv, d)) != SC_OK)
            break;
    }
    if (st == SC_OK && (st = fitf_score(set, full->native, hand, NULL, &cv->hand, d)) == SC_OK)
        st = fitf_score(set, full->native, fitted, NULL, &cv->in_sample, d);
    if (st == SC_OK) {
        /* Pooled: each stage predicted by the factors that did not see its log. */
        double *err = malloc((set->n ? set->n : 1) * sizeof *err);
        size_t n = 0;
        double dev = 0.0, tot = 0.0;
        for (size_t i = 0; err && i < set->n; i++) {
            const struct fitf_stage *s = &set->stages[i];
            if (s->skip[0])
                continue;
            double pred = fitf_predict(s, full->native, &cvf[i * CALIB_N_CLASSES]);
            err[n++] = fabs(pred / s->spark_ns - 1.0);
            dev += fabs(pred - s->spark_ns) * s->records;
            tot += s->cpu_ns;
        }
        if (!err)
            st = diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        cv->cv.n = n;
        cv->cv.median_abs = n ? calib_median(err, n) : NAN;
        cv->cv.cpu_weighted = tot > 0.0 ? dev / tot : NAN;
        free(err);
    }
    free(cvf);
    free(train.stages);
    if (st != SC_OK)
        fitf_cv_free(cv);
    return st;
}

void fitf_cv_free(struct fitf_cv *cv)
{
    free(cv->logs);
    memset(cv, 0, sizeof *cv);
}

static void fitf_score_cells(FILE *out, const struct fitf_score *s)
{
    if (s->n)
        fprintf(out, " %7.1f%% %7.1f%%", 100.0 * s->median_abs, 100.0 * s->cpu_weighted);
    else
        fprintf(out, " %8s %8s", "-", "-");
}

void fitf_cv_print(FILE *out, const struct fitf_cv *cv)
{
    fprintf(out,
            "\nleave-one-log-out: each log's evidence stages predicted (CPU ns per record) by the "
            "default factors (hand), by the factors fitted on every log (in-sample) and by the "
            "factors fitted on the other logs only (cross-validated); errors are the median "
            "|predicted / actual - 1| and the CPU-weighted sum |predicted - actual| / sum actual\n");
    fprintf(out, "%-32s %6s %17s %17s %17s\n", "log", "stages", "hand: med  wtd",
            "in-sample: med wtd", "cv: med  wtd");
    for (size_t i = 0; i < cv->n; i++) {
        const struct fitf_cv_log *L = &cv->logs[i];
        fprintf(out, "%-32.32s %6zu", L->log, L->cv.n);
        fitf_score_cells(out, &L->hand);
        fitf_score_cells(out, &L->in_sample);
        fitf_score_cells(out, &L->cv);
        fputc('\n', out);
    }
    fprintf(out, "%-32s %6zu", "all stages", cv->cv.n);
    fitf_score_cells(out, &cv->hand);
    fitf_score_cells(out, &cv->in_sample);
    fitf_score_cells(out, &cv->cv);
    fputc('\n', out);
}

static json_t *fitf_score_json(const struct fitf_score *s)
{
    return json_pack("{s:I, s:o, s:o}", "stages", (json_int_t)s->n, "median_abs_error",
                     isfinite(s->median_abs) ? json_real(s->median_abs) : json_null(),
                     "cpu_weighted_error",
                     isfinite(s->cpu_weighted) ? json_real(s->cpu_weighted) : json_null());
}

json_t *fitf_cv_to_json(const struct fitf_cv *cv)
{
    json_t *logs = json_array();
    for (size_t i = 0; logs && i < cv->n; i++)
        json_array_append_new(logs, json_pack("{s:s, s:o, s:o, s:o}", "log", cv->logs[i].log,
                                              "hand", fitf_score_json(&cv->logs[i].hand),
                                              "in_sample",
                                              fitf_score_json(&cv->logs[i].in_sample), "cv",
                                              fitf_score_json(&cv->logs[i].cv)));
    return json_pack("{s:o, s:o, s:o, s:o}", "logs", logs, "hand", fitf_score_json(&cv->hand),
                     "in_sample", fitf_score_json(&cv->in_sample), "cv",
                     fitf_score_json(&cv->cv));
}

/* ---- output ----------------------------------------------------------------- */

static void fitf_class_list(uint32_t classes, char *buf, size_t size)
{
    size_t off = 0;
    buf[0] = '\0';
    for (int c = 0; c < CALIB_N_CLASSES && off < size; c++)
        if (classes & BIT(c))
            off += (size_t)snprintf(buf + off, size - off, "%s%s", off ? "," : "",
                                    calib_class_name(c));
    if (!buf[0])
        snprintf(buf, size, "-");
}

void fitf_print_fragment(FILE *out, const struct fitf_result *res)
{
    fputs("model = { overhead = {", out);
    bool any = false;
    for (int c = 0; c < CALIB_N_CLASSES; c++)
        if (res->cls[c].fitted) {
            fprintf(out, " %s = %.1f;", calib_class_name(c), res->cls[c].factor);
            any = true;
        }
    fputs(any ? " }; };\n" : " }; };  # no class had evidence: the defaults stand\n", out);
}

void fitf_print(FILE *out, const struct fitf_set *set, const struct fitf_result *res)
{
    fprintf(out, "native ns per row (reference host):");
    for (int c = 0; c < CALIB_N_CLASSES; c++)
        fprintf(out, " %s=%.2f", calib_class_name(c), res->native[c]);
    fputs("\n\n", out);
    fprintf(out, "%-32s %5s  %-44s %12s %-18s %9s %9s %8s %7s  %s\n", "log", "stage", "classes",
            "records", "records are", "CPU s", "Spark ns", "native", "ratio", "used");
    for (size_t i = 0; i < set->n; i++) {
        const struct fitf_stage *s = &set->stages[i];
        char cls[160];
        fitf_class_list(s->classes, cls, sizeof cls);
        char stage[32];
        snprintf(stage, sizeof stage, s->attempt ? "%lld.%d" : "%lld", (long long)s->id,
                 (int)s->attempt);
        fprintf(out, "%-32.32s %5s  %-44.44s %12.0f %-18s %9.3f %9.1f %8.2f %7.2f  %s%s\n", s->log,
                stage, cls, s->records, s->rec_kind, s->cpu_ns * 1e-9, s->spark_ns, s->native_ns,
                s->ratio, s->skip[0] ? "no: " : "yes", s->skip);
    }
    fprintf(out,
            "\n%zu of %zu stages in %zu log%s used; RMS misfit %.1f%% of Spark ns/rec "
            "(lambda %.2g, floor %.1f)\n\n",
            res->n_used, set->n, set->n_logs, set->n_logs == 1 ? "" : "s", 100.0 * res->rms_rel,
            FITF_LAMBDA, FITF_FLOOR);
    fprintf(out, "%-20s %7s %6s %8s %8s %8s %8s  %s\n", "class", "fitted", "stages", "min",
            "median", "max", "default", "note");
    for (int c = 0; c < CALIB_N_CLASSES; c++) {
        const struct fitf_class_result *r = &res->cls[c];
        const char *note = !r->fitted     ? "no stage: default kept"
                           : r->at_floor  ? "held at the floor"
                           : !r->n_stages ? "always < 10% of a stage's cost: near its default"
                                          : "";
        if (r->fitted && r->n_stages)
            fprintf(out, "%-20s %7.2f %6zu %8.2f %8.2f %8.2f %8.2f  %s\n", calib_class_name(c),
                    r->factor, r->n_stages, r->min, r->median, r->max, r->deflt, note);
        else
            fprintf(out, "%-20s %7.2f %6zu %8s %8s %8s %8.2f  %s\n", calib_class_name(c), r->factor,
                    r->n_stages, "-", "-", "-", r->deflt, note);
    }
    fputc('\n', out);
    fitf_print_fragment(out, res);
}

/* NaN is not JSON: null. */
static json_t *fitf_num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

json_t *fitf_to_json(const struct fitf_set *set, const struct fitf_result *res)
{
    json_t *root = json_object(), *stages = json_array(), *classes = json_object(),
           *native = json_object();
    if (!root || !stages || !classes || !native) {
        json_decref(root);
        json_decref(stages);
        json_decref(classes);
        json_decref(native);
        return NULL;
    }
    json_object_set_new(root, "format", json_string("stagecast-fit-factors"));
    json_object_set_new(root, "lambda", json_real(FITF_LAMBDA));
    json_object_set_new(root, "floor", json_real(FITF_FLOOR));
    json_object_set_new(root, "min_records_per_task", json_real(FITF_MIN_RECORDS_PER_TASK));
    json_object_set_new(root, "stages_used", json_integer((json_int_t)res->n_used));
    json_object_set_new(root, "rms_relative_misfit", fitf_num(res->rms_rel));
    for (int c = 0; c < CALIB_N_CLASSES; c++)
        json_object_set_new(native, calib_class_name(c), fitf_num(res->native[c]));
    json_object_set_new(root, "native_ns_per_row", native);
    for (size_t i = 0; i < set->n; i++) {
        const struct fitf_stage *s = &set->stages[i];
        json_t *cl = json_array();
        for (int c = 0; c < CALIB_N_CLASSES; c++)
            if (s->classes & BIT(c))
                json_array_append_new(cl, json_string(calib_class_name(c)));
        json_t *js = json_pack(
            "{s:s, s:I, s:i, s:s, s:o, s:b, s:I, s:f, s:f, s:s, s:o, s:o, "
            "s:o, s:b, s:s}",
            "log", s->log, "stage", (json_int_t)s->id, "attempt", (int)s->attempt, "name", s->name,
            "classes", cl, "from_plan", s->from_plan, "tasks", (json_int_t)s->tasks, "cpu_ns",
            s->cpu_ns, "records", s->records, "records_are", s->rec_kind, "spark_ns_per_record",
            fitf_num(s->spark_ns), "native_ns_per_record", fitf_num(s->native_ns), "ratio",
            fitf_num(s->ratio), "used", s->skip[0] == '\0', "skip", s->skip);
        if (js)
            json_array_append_new(stages, js);
    }
    json_object_set_new(root, "stages", stages);
    for (int c = 0; c < CALIB_N_CLASSES; c++) {
        const struct fitf_class_result *r = &res->cls[c];
        json_t *jc = json_pack("{s:o, s:b, s:b, s:I, s:o, s:o, s:o, s:f, s:s}", "factor",
                               fitf_num(r->factor), "fitted", r->fitted, "at_floor", r->at_floor,
                               "stages", (json_int_t)r->n_stages, "min", fitf_num(r->min), "median",
                               fitf_num(r->median), "max", fitf_num(r->max), "default", r->deflt,
                               "default_source", calib_factor_default(c)->source);
        if (jc)
            json_object_set_new(classes, calib_class_name(c), jc);
    }
    json_object_set_new(root, "classes", classes);
    return root;
}

/* ---- the command ------------------------------------------------------------ */

enum sc_status fit_factors_execute(const struct fit_factors_args *a, FILE *out, struct diag *d)
{
    const char *json_path = a->json_path, *native_spec = a->native_spec;
    double native[CALIB_N_CLASSES];
    for (int c = 0; c < CALIB_N_CLASSES; c++)
        native[c] = NAN;
    enum sc_status st = SC_OK;
    if (native_spec && native_spec[0])
        st = fitf_native_parse(native_spec, native, d);
    struct fitf_set set = {0};
    for (size_t i = 0; st == SC_OK && i < a->n_logs; i++)
        st = fitf_read_log(&set, a->logs[i], d);
    double acu = NAN;
    /* Only time the kernels when a stage needs a cost not given. */
    if (st == SC_OK && fitf_native_missing(&set, native))
        st = fitf_native_measure(native, &acu, &a->host, d);
    struct fitf_result res;
    if (st == SC_OK)
        st = fitf_fit(&set, native, &res, d);
    struct fitf_cv cv = {0};
    if (st == SC_OK && a->cross_validate)
        st = fitf_cross_validate(&set, &res, &cv, d);
    struct outfile of = {0};
    bool table = !(json_path && strcmp(json_path, "-") == 0);
    if (st == SC_OK && json_path) {
        json_t *j = fitf_to_json(&set, &res);
        if (j && a->cross_validate)
            json_object_set_new(j, "cross_validation", fitf_cv_to_json(&cv));
        FILE *f = j ? outfile_open(&of, json_path, d) : NULL;
        if (!j)
            st = diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        else if (!f || json_dumpf(j, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) != 0 ||
                 fputc('\n', f) == EOF)
            st = d->status != SC_OK ? d->status : diag_set(d, SC_EIO, json_path, 0, "cannot write");
        json_decref(j);
    }
    if (st == SC_OK && table) {
        if (isfinite(acu))
            fprintf(out,
                    "native costs measured on this host (ACU-equivalent %.0f per core), "
                    "scaled to the reference host (%.0f ACU)\n",
                    acu, CALIB_REF_ACU);
        fitf_print(out, &set, &res);
        if (a->cross_validate)
            fitf_cv_print(out, &cv);
    }
    if (st == SC_OK && json_path)
        st = outfile_commit(&of, d);
    else
        outfile_abort(&of);
    fitf_cv_free(&cv);
    fitf_set_free(&set);
    return st;
}
