/*
 * catalog.c — the Azure node catalog (see catalog.h): reads the CSV data file
 * that lists the VM sizes a cluster can be built from, and answers lookups by
 * name. It sits at the very start of the flow: the scenario names a node
 * size, the planner and the cluster model take their cores, memory, disk,
 * network and price from the node_type found here.
 *
 * The file is RFC 4180 CSV (quoted fields may hold commas, doubled quotes and
 * newlines) plus two conveniences for a hand-edited data file: lines starting
 * with '#' are comments and blank lines are skipped. Columns are found by
 * their header name, so a newer file may add columns in any order. An empty
 * figure means "not found in any source" and becomes NaN, never a guess.
 *
 * Prices are kept per region: the catalog's price column is each node's
 * East US row, and a prices file beside it (azure-prices.csv, same CSV
 * rules) adds rows for other regions with their source and date, so that a
 * report can say where and when each price was true.
 */
#include "models/catalog.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "models/datafile.h"
#include "models/textdist.h"

/* Limits on what the input may size. A catalog row is well under 1 KiB; a
 * record 64 times that is not a catalog (a binary file, a missing closing
 * quote swallowing the rest of the file), and refusing it keeps one bad
 * file from taking unbounded memory. The row limit is far above the few
 * hundred VM sizes Azure offers across all platforms. */
#define CSV_MAX_RECORD_BYTES (64 * 1024)
#define CATALOG_MAX_NODES 100000
/* The largest Azure VMs have a few hundred vCPUs; vcpus may later size
 * per-slot arrays, so anything beyond this is taken as a typo. */
#define CATALOG_MAX_VCPUS 65536
/* catalog_suggest compares against names of at most sizeof name - 1 bytes;
 * a query much longer than any name has no useful neighbour. */
#define SUGGEST_MAX_QUERY 256

static const char std_prefix[] = "Standard_";
#define STD_PREFIX_LEN (sizeof std_prefix - 1)

struct catalog {
    char *path;
    struct node_type *nodes;
    int *lines; /* line of each node in the file, for late errors */
    size_t count, cap;
    /* Price rows: the East US rows of the catalog's column first, then the
     * prices file's, in file order. */
    char *prices_path;
    struct node_price *prices;
    size_t n_prices, n_column_prices;
};

/* ---- CSV records ------------------------------------------------------- */

/* Reads one record at a time. Field texts live back to back, NUL-terminated,
 * in buf; offs[i] is where field i starts. Both grow as needed, bounded by
 * CSV_MAX_RECORD_BYTES. */
struct csv_reader {
    FILE *fp;
    const char *path;
    int line;        /* physical line of the next unread character */
    int record_line; /* line where the current record starts */
    int at_start;    /* nothing read yet: a UTF-8 BOM may come */
    char *buf;
    size_t len, cap;
    size_t *offs;
    size_t nfields, fcap;
};

static enum sc_status csv_putc(struct csv_reader *r, char c, struct diag *d)
{
    if (r->len >= CSV_MAX_RECORD_BYTES)
        return diag_set(d, SC_ELIMIT, r->path, r->record_line,
                        "record longer than %d bytes (unterminated quote?)",
                        CSV_MAX_RECORD_BYTES);
    if (r->len == r->cap) {
        size_t ncap = r->cap ? 2 * r->cap : 512;
        char *nbuf = realloc(r->buf, ncap);
        if (nbuf == NULL)
            return diag_set(d, SC_ENOMEM, r->path, r->record_line, "out of memory");
        r->buf = nbuf;
        r->cap = ncap;
    }
    r->buf[r->len++] = c;
    return SC_OK;
}

static enum sc_status csv_begin_field(struct csv_reader *r, struct diag *d)
{
    if (r->nfields == r->fcap) {
        size_t ncap = r->fcap ? 2 * r->fcap : 16;
        size_t *noffs = realloc(r->offs, ncap * sizeof *noffs);
        if (noffs == NULL)
            return diag_set(d, SC_ENOMEM, r->path, r->record_line, "out of memory");
        r->offs = noffs;
        r->fcap = ncap;
    }
    r->offs[r->nfields++] = r->len;
    return SC_OK;
}

static const char *csv_field(const struct csv_reader *r, size_t i)
{
    return r->buf + r->offs[i];
}

/* Reads a character, counting lines and folding CRLF to LF so that files
 * written on Windows read the same. A lone CR is kept as data. */
static int csv_getc(struct csv_reader *r)
{
    int c = getc(r->fp);
    if (c == '\r') {
        int next = getc(r->fp);
        if (next == '\n')
            c = '\n';
        else if (next != EOF)
            ungetc(next, r->fp);
    }
    if (c == '\n')
        r->line++;
    return c;
}

/* Skips the rest of a comment line. */
static void csv_skip_line(struct csv_reader *r)
{
    int c;
    do {
        c = csv_getc(r);
    } while (c != '\n' && c != EOF);
}

static int csv_blank_record(const struct csv_reader *r)
{
    if (r->nfields != 1)
        return 0;
    for (const char *p = csv_field(r, 0); *p; p++)
        if (!isspace((unsigned char)*p))
            return 0;
    return 1;
}

/* Reads the next record that is neither a comment nor blank. Sets *got to 0
 * at the end of the file. */
static enum sc_status csv_next(struct csv_reader *r, int *got, struct diag *d)
{
    enum sc_status st;
    *got = 0;
    for (;;) {
        r->len = 0;
        r->nfields = 0;
        r->record_line = r->line;
        int c = csv_getc(r);
        if (r->at_start) {
            r->at_start = 0;
            /* Editors on Windows like to start UTF-8 files with a BOM; it is
             * not part of the first column's name. */
            if (c == 0xEF) {
                if (getc(r->fp) != 0xBB || getc(r->fp) != 0xBF)
                    return diag_set(d, SC_EINPUT, r->path, r->line,
                                    "not a text file (broken UTF-8 byte-order mark)");
                c = csv_getc(r);
            }
        }
        if (c == EOF)
            break;
        if (c == '#') {
            csv_skip_line(r);
            continue;
        }
        /* One field per pass of this loop; c holds its first character. */
        int end = 0;
        while (!end) {
            if ((st = csv_begin_field(r, d)) != SC_OK)
                return st;
            if (c == '"') {
                int quote_line = r->line;
                for (;;) {
                    c = csv_getc(r);
                    if (c == EOF)
                        return diag_set(d, SC_EINPUT, r->path, quote_line,
                                        "quoted field never closed");
                    if (c == '"') {
                        c = csv_getc(r);
                        if (c != '"')
                            break; /* closing quote; c is what follows it */
                    }
                    if (c == '\0')
                        return diag_set(d, SC_EINPUT, r->path, r->line, "NUL byte in file");
                    if ((st = csv_putc(r, (char)c, d)) != SC_OK)
                        return st;
                }
                if (c != ',' && c != '\n' && c != EOF)
                    return diag_set(d, SC_EINPUT, r->path, r->line,
                                    "text after the closing quote of field %zu", r->nfields);
            } else {
                /* Unquoted: a quote inside is kept as a plain character, as
                 * most CSV writers and readers do. */
                while (c != ',' && c != '\n' && c != EOF) {
                    if (c == '\0')
                        return diag_set(d, SC_EINPUT, r->path, r->line, "NUL byte in file");
                    if ((st = csv_putc(r, (char)c, d)) != SC_OK)
                        return st;
                    c = csv_getc(r);
                }
            }
            if ((st = csv_putc(r, '\0', d)) != SC_OK)
                return st;
            if (c == ',')
                c = csv_getc(r);
            else
                end = 1;
        }
        if (csv_blank_record(r))
            continue;
        *got = 1;
        return SC_OK;
    }
    if (ferror(r->fp))
        return diag_set(d, SC_EIO, r->path, r->line, "read error: %s", strerror(errno));
    return SC_OK;
}

/* ---- columns and fields ------------------------------------------------ */

enum column {
    COL_NAME,
    COL_PLATFORM,
    COL_VCPUS,
    COL_MEMORY,
    COL_SSD_GIB,
    COL_SSD_MBPS,
    COL_NETWORK,
    COL_ACU,
    COL_CPU,
    COL_PRICE,
    COL_DBU,
    COL_NOTES,
    NCOLUMNS
};

/* cpu and notes are descriptions for people; a file without them still
 * gives the models everything they need. */
static const struct {
    const char *name;
    int required;
} columns[NCOLUMNS] = {
    [COL_NAME] = {"name", 1},
    [COL_PLATFORM] = {"platform", 1},
    [COL_VCPUS] = {"vcpus", 1},
    [COL_MEMORY] = {"memory_gib", 1},
    [COL_SSD_GIB] = {"local_ssd_gib", 1},
    [COL_SSD_MBPS] = {"local_ssd_mbps", 1},
    [COL_NETWORK] = {"network_mbps", 1},
    [COL_ACU] = {"acu_per_vcpu", 1},
    [COL_CPU] = {"cpu", 0},
    [COL_PRICE] = {"linux_usd_per_hour_eastus", 1},
    [COL_DBU] = {"dbu_per_hour", 1},
    [COL_NOTES] = {"notes", 0},
};

/* Trims spaces around a field in place (the field is ours to edit). */
static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static enum sc_status read_header(struct csv_reader *r, int idx[NCOLUMNS], struct diag *d)
{
    for (int k = 0; k < NCOLUMNS; k++)
        idx[k] = -1;
    for (size_t i = 0; i < r->nfields; i++) {
        const char *h = trim(r->buf + r->offs[i]);
        for (int k = 0; k < NCOLUMNS; k++) {
            if (strcasecmp(h, columns[k].name) != 0)
                continue;
            if (idx[k] >= 0)
                return diag_set(d, SC_EINPUT, r->path, r->record_line,
                                "column '%s' appears twice in the header", columns[k].name);
            if (i > INT_MAX)
                return diag_set(d, SC_ELIMIT, r->path, r->record_line, "too many columns");
            idx[k] = (int)i;
        }
    }
    char missing[512] = "";
    size_t used = 0;
    for (int k = 0; k < NCOLUMNS; k++) {
        if (idx[k] >= 0 || !columns[k].required)
            continue;
        int n = snprintf(missing + used, sizeof missing - used, "%s%s", used ? ", " : "",
                         columns[k].name);
        if (n > 0 && (size_t)n < sizeof missing - used)
            used += (size_t)n;
    }
    if (used > 0)
        return diag_set(d, SC_EINPUT, r->path, r->record_line,
                        "header lacks required column(s): %s", missing);
    return SC_OK;
}

/* A figure: empty means not found (NaN); otherwise a plain non-negative
 * decimal number. Signs, "inf", "nan" and hex are refused up front because
 * strtod would accept them. */
static int parse_figure(const char *s, double *out)
{
    if (*s == '\0') {
        *out = NAN;
        return 0;
    }
    if (!isdigit((unsigned char)*s) && *s != '.')
        return -1;
    for (const char *p = s; *p; p++)
        if (!strchr("0123456789.eE+-", *p))
            return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* ACU per vCPU: "210-250" (a range over the host CPUs the size may land on),
 * "195" (one figure) or empty (not published). ACUs are plain decimals, so
 * after checking the characters a '-' can only be the range dash. */
static int parse_acu(const char *s, double *lo, double *hi)
{
    if (*s == '\0') {
        *lo = *hi = NAN;
        return 0;
    }
    if (strspn(s, "0123456789. -") != strlen(s))
        return -1;
    const char *dash = strchr(s, '-');
    if (dash == NULL) {
        if (parse_figure(s, lo) != 0)
            return -1;
        *hi = *lo;
        return 0;
    }
    /* The field is trimmed already, so spaces can only sit at the dash. */
    char first[64];
    size_t n = (size_t)(dash - s);
    while (n > 0 && s[n - 1] == ' ')
        n--;
    if (n == 0 || n >= sizeof first)
        return -1;
    memcpy(first, s, n);
    first[n] = '\0';
    const char *second = dash + 1;
    while (*second == ' ')
        second++;
    if (parse_figure(first, lo) != 0 || parse_figure(second, hi) != 0)
        return -1;
    return *lo <= *hi ? 0 : -1;
}

/* Copies a text field into a fixed-size member. Names must fit (a cut name
 * would find the wrong node); descriptions are cut at a UTF-8 character
 * boundary, since losing the tail of a note beats refusing the catalog. */
static int copy_text(char *dst, size_t size, const char *src, int may_cut)
{
    size_t n = strlen(src);
    if (n >= size) {
        if (!may_cut)
            return -1;
        n = size - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
    return 0;
}

static enum sc_status read_row(struct csv_reader *r, const int idx[NCOLUMNS],
                               size_t header_fields, struct node_type *n, struct diag *d)
{
    const char *path = r->path;
    int line = r->record_line;
    if (r->nfields != header_fields)
        return diag_set(d, SC_EINPUT, path, line, "row has %zu fields, the header has %zu",
                        r->nfields, header_fields);
    char *f[NCOLUMNS];
    for (int k = 0; k < NCOLUMNS; k++)
        f[k] = idx[k] >= 0 ? trim(r->buf + r->offs[idx[k]]) : NULL;

    memset(n, 0, sizeof *n);
    if (f[COL_NAME][0] == '\0')
        return diag_set(d, SC_EINPUT, path, line, "empty name");
    if (copy_text(n->name, sizeof n->name, f[COL_NAME], 0) != 0)
        return diag_set(d, SC_EINPUT, path, line, "name '%.40s...' longer than %zu characters",
                        f[COL_NAME], sizeof n->name - 1);
    if (f[COL_PLATFORM][0] == '\0')
        return diag_set(d, SC_EINPUT, path, line, "%s: empty platform", n->name);
    if (copy_text(n->platform, sizeof n->platform, f[COL_PLATFORM], 0) != 0)
        return diag_set(d, SC_EINPUT, path, line, "%s: platform '%s' longer than %zu characters",
                        n->name, f[COL_PLATFORM], sizeof n->platform - 1);

    const char *v = f[COL_VCPUS];
    long vcpus = 0;
    if (v[0] != '\0' && strspn(v, "0123456789") == strlen(v)) {
        errno = 0;
        vcpus = strtol(v, NULL, 10);
        if (errno == ERANGE)
            vcpus = LONG_MAX;
    }
    if (vcpus < 1 || vcpus > CATALOG_MAX_VCPUS)
        return diag_set(d, SC_EINPUT, path, line,
                        "%s: vcpus '%s' is not a whole number from 1 to %d", n->name, v,
                        CATALOG_MAX_VCPUS);
    n->vcpus = (int)vcpus;

    static const struct {
        enum column col;
        size_t offset;
    } figures[] = {
        {COL_MEMORY, offsetof(struct node_type, memory_gib)},
        {COL_SSD_GIB, offsetof(struct node_type, local_ssd_gib)},
        {COL_SSD_MBPS, offsetof(struct node_type, local_ssd_mbps)},
        {COL_NETWORK, offsetof(struct node_type, network_mbps)},
        {COL_PRICE, offsetof(struct node_type, price_usd_per_hour)},
        {COL_DBU, offsetof(struct node_type, dbu_per_hour)},
    };
    for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++) {
        double *dst = (double *)((char *)n + figures[i].offset);
        const char *s = f[figures[i].col];
        if (parse_figure(s, dst) != 0)
            return diag_set(d, SC_EINPUT, path, line,
                            "%s: %s '%s' is not a non-negative number (leave it empty if "
                            "unknown)",
                            n->name, columns[figures[i].col].name, s);
    }
    if (parse_acu(f[COL_ACU], &n->acu_min, &n->acu_max) != 0)
        return diag_set(d, SC_EINPUT, path, line,
                        "%s: acu_per_vcpu '%s' is not a number or a range 'min-max'", n->name,
                        f[COL_ACU]);
    if (f[COL_CPU])
        copy_text(n->cpu, sizeof n->cpu, f[COL_CPU], 1);
    if (f[COL_NOTES])
        copy_text(n->notes, sizeof n->notes, f[COL_NOTES], 1);
    return SC_OK;
}

static enum sc_status catalog_grow(struct catalog *cat, const char *path, int line,
                                   struct diag *d)
{
    if (cat->count < cat->cap)
        return SC_OK;
    if (cat->count >= CATALOG_MAX_NODES)
        return diag_set(d, SC_ELIMIT, path, line, "more than %d node types",
                        CATALOG_MAX_NODES);
    size_t ncap = cat->cap ? 2 * cat->cap : 64;
    struct node_type *nodes = realloc(cat->nodes, ncap * sizeof *nodes);
    if (nodes == NULL)
        return diag_set(d, SC_ENOMEM, path, line, "out of memory");
    cat->nodes = nodes;
    int *lines = realloc(cat->lines, ncap * sizeof *lines);
    if (lines == NULL)
        return diag_set(d, SC_ENOMEM, path, line, "out of memory");
    cat->lines = lines;
    cat->cap = ncap;
    return SC_OK;
}

struct name_line {
    const char *name;
    int line;
};

static int cmp_name_line(const void *a, const void *b)
{
    const struct name_line *x = a, *y = b;
    int c = strcasecmp(x->name, y->name);
    if (c != 0)
        return c;
    return (x->line > y->line) - (x->line < y->line);
}

/* Names must be unique regardless of letter case, since catalog_find falls
 * back to a case-insensitive match. Sorting keeps this O(n log n) for big
 * files; the later of two equal names is the one reported. */
static enum sc_status check_unique(const struct catalog *cat, struct diag *d)
{
    if (cat->count < 2)
        return SC_OK;
    struct name_line *v = malloc(cat->count * sizeof *v);
    if (v == NULL)
        return diag_set(d, SC_ENOMEM, cat->path, 0, "out of memory");
    for (size_t i = 0; i < cat->count; i++)
        v[i] = (struct name_line){cat->nodes[i].name, cat->lines[i]};
    qsort(v, cat->count, sizeof *v, cmp_name_line);
    enum sc_status st = SC_OK;
    for (size_t i = 1; i < cat->count; i++) {
        if (strcasecmp(v[i - 1].name, v[i].name) == 0) {
            st = diag_set(d, SC_EINPUT, cat->path, v[i].line,
                          "node type '%s' already defined on line %d", v[i].name,
                          v[i - 1].line);
            break;
        }
    }
    free(v);
    return st;
}

/* ---- prices by region ---------------------------------------------------- */

static const char prices_file_name[] = "azure-prices.csv";

/* The catalog's own price column is the East US row of each node it
 * prices; the notes column names each figure's secondary source (PRICE-A
 * to PRICE-D of azure-catalog.md), which are mixed and mostly undated. */
static enum sc_status add_column_prices(struct catalog *cat, struct diag *d)
{
    size_t n = 0;
    for (size_t i = 0; i < cat->count; i++)
        n += !isnan(cat->nodes[i].price_usd_per_hour);
    if (n == 0)
        return SC_OK;
    cat->prices = calloc(n, sizeof *cat->prices);
    if (cat->prices == NULL)
        return diag_set(d, SC_ENOMEM, cat->path, 0, "out of memory");
    for (size_t i = 0; i < cat->count; i++) {
        const struct node_type *nt = &cat->nodes[i];
        if (isnan(nt->price_usd_per_hour))
            continue;
        struct node_price *p = &cat->prices[cat->n_prices++];
        snprintf(p->node, sizeof p->node, "%s", nt->name);
        snprintf(p->region, sizeof p->region, "%s", CATALOG_DEFAULT_REGION);
        p->vm_usd_per_hour = nt->price_usd_per_hour;
        p->dbu_per_hour = NAN;
        snprintf(p->source, sizeof p->source, "the node catalog's secondary sources (its notes)");
        p->date[0] = '\0';
        p->line = cat->lines[i];
    }
    cat->n_column_prices = cat->n_prices;
    return SC_OK;
}

enum price_column { PC_NODE, PC_REGION, PC_VM, PC_DBU, PC_SOURCE, PC_DATE, NPRICE_COLUMNS };

static const char *const price_columns[NPRICE_COLUMNS] = {
    "node", "region", "vm_usd_per_hour", "dbu_per_hour", "source", "date",
};

/* Azure writes region names in lower-case letters and digits. */
static int valid_region(const char *s)
{
    return s[0] != '\0' && strlen(s) < sizeof ((struct node_price *)0)->region &&
           strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789") == strlen(s);
}

/* "" or YYYY-MM-DD (a date is read, not computed with, so its shape is all
 * that is checked). */
static int valid_date(const char *s)
{
    if (s[0] == '\0')
        return 1;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

static enum sc_status read_price_row(struct csv_reader *r, const int idx[NPRICE_COLUMNS],
                                     size_t header_fields, struct node_price *p, struct diag *d)
{
    const char *path = r->path;
    int line = r->record_line;
    if (r->nfields != header_fields)
        return diag_set(d, SC_EINPUT, path, line, "row has %zu fields, the header has %zu",
                        r->nfields, header_fields);
    char *f[NPRICE_COLUMNS];
    for (int k = 0; k < NPRICE_COLUMNS; k++)
        f[k] = trim(r->buf + r->offs[idx[k]]);
    memset(p, 0, sizeof *p);
    p->line = line;
    if (f[PC_NODE][0] == '\0' || copy_text(p->node, sizeof p->node, f[PC_NODE], 0) != 0)
        return diag_set(d, SC_EINPUT, path, line, "node '%.40s' is empty or too long",
                        f[PC_NODE]);
    if (!valid_region(f[PC_REGION]))
        return diag_set(d, SC_EINPUT, path, line,
                        "%s: region '%s' is not an Azure region name (lower-case letters and "
                        "digits, like westus2)",
                        p->node, f[PC_REGION]);
    snprintf(p->region, sizeof p->region, "%s", f[PC_REGION]);
    if (parse_figure(f[PC_VM], &p->vm_usd_per_hour) != 0 ||
        parse_figure(f[PC_DBU], &p->dbu_per_hour) != 0)
        return diag_set(d, SC_EINPUT, path, line,
                        "%s: vm_usd_per_hour '%s' or dbu_per_hour '%s' is not a non-negative "
                        "number (leave it empty if unknown)",
                        p->node, f[PC_VM], f[PC_DBU]);
    if (f[PC_SOURCE][0] == '\0')
        return diag_set(d, SC_EINPUT, path, line, "%s: a price needs its source", p->node);
    copy_text(p->source, sizeof p->source, f[PC_SOURCE], 1);
    if (!valid_date(f[PC_DATE]))
        return diag_set(d, SC_EINPUT, path, line,
                        "%s: date '%s' is not YYYY-MM-DD (leave it empty if undated)", p->node,
                        f[PC_DATE]);
    snprintf(p->date, sizeof p->date, "%s", f[PC_DATE]);
    return SC_OK;
}

static const struct node_price *find_price(const struct node_price *v, size_t n, const char *node,
                                           const char *region)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].node, node) == 0 && strcmp(v[i].region, region) == 0)
            return &v[i];
    return NULL;
}

/* Reads the rows for cat's nodes into *out (malloc'd), checking each
 * against the rows before it and cat's own. */
static enum sc_status read_prices(const struct catalog *cat, struct csv_reader *r,
                                  struct node_price **out, size_t *n_out, struct diag *d)
{
    enum sc_status st;
    int got;
    if ((st = csv_next(r, &got, d)) != SC_OK)
        return st;
    if (!got)
        return diag_set(d, SC_EINPUT, r->path, r->line, "no header line (empty prices file)");
    int idx[NPRICE_COLUMNS];
    for (int k = 0; k < NPRICE_COLUMNS; k++) {
        idx[k] = -1;
        for (size_t i = 0; i < r->nfields && i <= INT_MAX; i++)
            if (strcasecmp(trim(r->buf + r->offs[i]), price_columns[k]) == 0)
                idx[k] = (int)i;
        if (idx[k] < 0)
            return diag_set(d, SC_EINPUT, r->path, r->record_line,
                            "header lacks the column '%s' (it needs node, region, "
                            "vm_usd_per_hour, dbu_per_hour, source, date)",
                            price_columns[k]);
    }
    size_t header_fields = r->nfields, cap = 0;
    for (;;) {
        if ((st = csv_next(r, &got, d)) != SC_OK)
            return st;
        if (!got)
            return SC_OK;
        struct node_price p;
        if ((st = read_price_row(r, idx, header_fields, &p, d)) != SC_OK)
            return st;
        const struct node_type *nt = catalog_find(cat, p.node);
        if (nt == NULL || strcmp(nt->name, p.node) != 0)
            continue; /* a size this catalog does not list */
        /* Rows already loaded: the catalog's column, then earlier files. */
        const char *dup_file = NULL;
        const struct node_price *dup = find_price(cat->prices, cat->n_prices, p.node, p.region);
        if (dup != NULL)
            dup_file = (size_t)(dup - cat->prices) < cat->n_column_prices ? cat->path
                                                                           : cat->prices_path;
        else if ((dup = find_price(*out, *n_out, p.node, p.region)) != NULL)
            dup_file = r->path;
        if (dup != NULL)
            return diag_set(d, SC_EINPUT, r->path, p.line,
                            "%s in %s is priced twice (also on line %d of %s)", p.node, p.region,
                            dup->line, dup_file ? dup_file : "?");
        if (*n_out == cap) {
            if (cap >= CATALOG_MAX_NODES)
                return diag_set(d, SC_ELIMIT, r->path, p.line, "more than %d price rows",
                                CATALOG_MAX_NODES);
            size_t ncap = cap ? 2 * cap : 64;
            struct node_price *nv = realloc(*out, ncap * sizeof *nv);
            if (nv == NULL)
                return diag_set(d, SC_ENOMEM, r->path, p.line, "out of memory");
            *out = nv;
            cap = ncap;
        }
        (*out)[(*n_out)++] = p;
    }
}

enum sc_status catalog_load_prices(struct catalog *cat, const char *path, struct diag *d)
{
    if (cat == NULL || path == NULL)
        return SC_BUG(d, "catalog_load_prices: NULL argument");
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        int e = errno;
        return diag_set(d, e == ENOENT ? SC_ENOENT : SC_EIO, path, 0,
                        "cannot open prices file: %s", strerror(e));
    }
    struct csv_reader r = {.fp = fp, .path = path, .line = 1, .at_start = 1};
    struct node_price *rows = NULL;
    size_t n = 0;
    char *copy = NULL;
    enum sc_status st = read_prices(cat, &r, &rows, &n, d);
    free(r.buf);
    free(r.offs);
    fclose(fp);
    struct node_price *all = NULL;
    if (st == SC_OK) {
        all = realloc(cat->prices, (cat->n_prices + n + 1) * sizeof *all);
        copy = strdup(path);
        if (all == NULL || copy == NULL)
            st = diag_set(d, SC_ENOMEM, path, 0, "out of memory");
        if (all != NULL)
            cat->prices = all;
    }
    if (st != SC_OK) {
        free(rows);
        free(copy);
        return st;
    }
    if (n > 0)
        memcpy(cat->prices + cat->n_prices, rows, n * sizeof *rows);
    cat->n_prices += n;
    free(rows);
    free(cat->prices_path);
    cat->prices_path = copy;
    /* A node's DBU count is the same in every region (the pricing pages
     * list one per size); a catalog row without one takes the first price
     * row's. */
    for (size_t i = 0; i < cat->count; i++) {
        struct node_type *nt = &cat->nodes[i];
        if (!isnan(nt->dbu_per_hour))
            continue;
        for (size_t k = 0; k < cat->n_prices; k++) {
            const struct node_price *p = &cat->prices[k];
            if (isnan(p->dbu_per_hour) || strcmp(p->node, nt->name) != 0)
                continue;
            nt->dbu_per_hour = p->dbu_per_hour;
            snprintf(nt->dbu_source, sizeof nt->dbu_source, "%.40s%s%s", p->source,
                     p->date[0] ? " " : "", p->date);
            break;
        }
    }
    return SC_OK;
}

/* The prices file beside the catalog, when there is one. */
static enum sc_status load_sibling_prices(struct catalog *cat, struct diag *d)
{
    const char *slash = strrchr(cat->path, '/');
    size_t dir_len = slash ? (size_t)(slash - cat->path + 1) : 0;
    char *path = malloc(dir_len + sizeof prices_file_name);
    if (path == NULL)
        return diag_set(d, SC_ENOMEM, cat->path, 0, "out of memory");
    memcpy(path, cat->path, dir_len);
    memcpy(path + dir_len, prices_file_name, sizeof prices_file_name);
    enum sc_status st = SC_OK;
    if (datafile_is_readable(path))
        st = catalog_load_prices(cat, path, d);
    free(path);
    return st;
}

struct catalog *catalog_load(const char *path, struct diag *d)
{
    if (path == NULL) {
        SC_BUG(d, "catalog_load: NULL path");
        return NULL;
    }
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        int e = errno;
        diag_set(d, e == ENOENT ? SC_ENOENT : SC_EIO, path, 0, "cannot open node catalog: %s",
                 strerror(e));
        return NULL;
    }
    struct catalog *cat = calloc(1, sizeof *cat);
    struct csv_reader r = {.fp = fp, .path = path, .line = 1, .at_start = 1};
    enum sc_status st = SC_OK;
    int idx[NCOLUMNS];
    int got;
    if (cat == NULL || (cat->path = strdup(path)) == NULL) {
        st = diag_set(d, SC_ENOMEM, path, 0, "out of memory");
        goto out;
    }
    if ((st = csv_next(&r, &got, d)) != SC_OK)
        goto out;
    if (!got) {
        st = diag_set(d, SC_EINPUT, path, r.line, "no header line (empty catalog file)");
        goto out;
    }
    if ((st = read_header(&r, idx, d)) != SC_OK)
        goto out;
    size_t header_fields = r.nfields;
    for (;;) {
        if ((st = csv_next(&r, &got, d)) != SC_OK)
            goto out;
        if (!got)
            break;
        if ((st = catalog_grow(cat, path, r.record_line, d)) != SC_OK)
            goto out;
        if ((st = read_row(&r, idx, header_fields, &cat->nodes[cat->count], d)) != SC_OK)
            goto out;
        cat->lines[cat->count++] = r.record_line;
    }
    if (cat->count == 0) {
        st = diag_set(d, SC_EINPUT, path, r.line, "no node types after the header");
        goto out;
    }
    st = check_unique(cat, d);
    if (st == SC_OK)
        st = add_column_prices(cat, d);
out:
    free(r.buf);
    free(r.offs);
    fclose(fp);
    if (st == SC_OK)
        st = load_sibling_prices(cat, d);
    if (st != SC_OK) {
        catalog_free(cat);
        return NULL;
    }
    return cat;
}

void catalog_free(struct catalog *cat)
{
    if (cat == NULL)
        return;
    free(cat->path);
    free(cat->nodes);
    free(cat->lines);
    free(cat->prices_path);
    free(cat->prices);
    free(cat);
}

/* ---- finding the file -------------------------------------------------- */

struct catalog *catalog_load_default(struct diag *d)
{
    char *path = NULL;
    char looked[600];
    enum sc_status st = datafile_find("models/azure-nodes.csv", "azure-nodes.csv", NULL, &path,
                                      looked, sizeof looked);
    if (st == SC_OK) {
        struct catalog *cat = catalog_load(path, d);
        free(path);
        return cat;
    }
    if (st == SC_ENOMEM)
        diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    else
        diag_set(d, SC_ENOENT, NULL, 0,
                 "no node catalog found (looked in: $STAGECAST_CATALOG (unset)%s%s); set "
                 "STAGECAST_CATALOG to an azure-nodes.csv",
                 looked[0] ? ", " : "", looked);
    return NULL;
}

/* ---- queries ----------------------------------------------------------- */

size_t catalog_count(const struct catalog *cat)
{
    return cat ? cat->count : 0;
}

const struct node_type *catalog_at(const struct catalog *cat, size_t i)
{
    return cat && i < cat->count ? &cat->nodes[i] : NULL;
}

const char *catalog_path(const struct catalog *cat)
{
    return cat ? cat->path : NULL;
}

const char *catalog_prices_path(const struct catalog *cat)
{
    return cat ? cat->prices_path : NULL;
}

const struct node_price *catalog_price(const struct catalog *cat, const char *name,
                                       const char *region)
{
    if (cat == NULL || name == NULL || region == NULL)
        return NULL;
    return find_price(cat->prices, cat->n_prices, name, region);
}

size_t catalog_price_count(const struct catalog *cat)
{
    return cat ? cat->n_prices : 0;
}

const struct node_price *catalog_price_at(const struct catalog *cat, size_t i)
{
    return cat && i < cat->n_prices ? &cat->prices[i] : NULL;
}

int catalog_has_region(const struct catalog *cat, const char *region)
{
    for (size_t i = 0; cat && region && i < cat->n_prices; i++)
        if (strcmp(cat->prices[i].region, region) == 0)
            return 1;
    return 0;
}

const char *catalog_region_at(const struct catalog *cat, size_t i)
{
    size_t seen = 0;
    for (size_t k = 0; cat && k < cat->n_prices; k++) {
        const char *rg = cat->prices[k].region;
        size_t j = 0;
        while (j < k && strcmp(cat->prices[j].region, rg) != 0)
            j++;
        if (j < k)
            continue; /* counted already */
        if (seen++ == i)
            return rg;
    }
    return NULL;
}

void catalog_regions(const struct catalog *cat, char *buf, size_t size)
{
    size_t used = 0;
    if (size == 0)
        return;
    buf[0] = '\0';
    const char *rg;
    for (size_t i = 0; (rg = catalog_region_at(cat, i)) != NULL; i++) {
        int n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", rg);
        if (n < 0 || (size_t)n >= size - used)
            return;
        used += (size_t)n;
    }
}

const char *catalog_region_label(const char *region)
{
    static const struct {
        const char *name, *label;
    } labels[] = {
        {"eastus", "East US"},           {"eastus2", "East US 2"},
        {"westus", "West US"},           {"westus2", "West US 2"},
        {"westus3", "West US 3"},        {"centralus", "Central US"},
        {"southcentralus", "South Central US"}, {"northeurope", "North Europe"},
        {"westeurope", "West Europe"},
    };
    for (size_t i = 0; region && i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(labels[i].name, region) == 0)
            return labels[i].label;
    return region ? region : "?";
}

static int has_std_prefix(const char *s)
{
    return strncasecmp(s, std_prefix, STD_PREFIX_LEN) == 0;
}

/* Three passes, strictest first, so that an exact spelling always wins over
 * a looser reading of the same text. */
const struct node_type *catalog_find(const struct catalog *cat, const char *name)
{
    if (cat == NULL || name == NULL)
        return NULL;
    for (size_t i = 0; i < cat->count; i++)
        if (strcmp(cat->nodes[i].name, name) == 0)
            return &cat->nodes[i];
    for (size_t i = 0; i < cat->count; i++)
        if (strcasecmp(cat->nodes[i].name, name) == 0)
            return &cat->nodes[i];
    for (size_t i = 0; i < cat->count; i++) {
        const char *n = cat->nodes[i].name;
        if (has_std_prefix(n) && strcasecmp(n + STD_PREFIX_LEN, name) == 0)
            return &cat->nodes[i];
    }
    return NULL;
}

/* How far name is from a node: users type names with or without the
 * "Standard_" prefix, so each spelling is compared and the nearest counts. */
static size_t node_distance(const char *name, const char *node)
{
    size_t best = textdist_levenshtein(name, node);
    if (has_std_prefix(node)) {
        size_t dd = textdist_levenshtein(name, node + STD_PREFIX_LEN);
        if (dd < best)
            best = dd;
        if (has_std_prefix(name)) {
            dd = textdist_levenshtein(name + STD_PREFIX_LEN, node + STD_PREFIX_LEN);
            if (dd < best)
                best = dd;
        }
    }
    return best;
}

size_t catalog_suggest(const struct catalog *cat, const char *name, const char **out, size_t max)
{
    if (cat == NULL || name == NULL || out == NULL || max == 0)
        return 0;
    size_t len = strlen(name);
    if (len > SUGGEST_MAX_QUERY)
        return 0;
    /* Beyond about a third of the name, a "nearest" name is a different
     * machine, not a typo; short names still get a few edits. */
    size_t limit = len / 3 > 3 ? len / 3 : 3;
    /* Selection by (distance, catalog order): each round picks the least
     * pair above the previous pick. max is small (a "did you mean" line), so
     * recomputing beats allocating a table, and this cannot fail. */
    size_t nout = 0, last_d = 0, last_i = 0;
    while (nout < max) {
        size_t best_d = SIZE_MAX, best_i = 0;
        for (size_t i = 0; i < cat->count; i++) {
            size_t dd = node_distance(name, cat->nodes[i].name);
            if (dd > limit)
                continue;
            if (nout > 0 && (dd < last_d || (dd == last_d && i <= last_i)))
                continue;
            if (dd < best_d) {
                best_d = dd;
                best_i = i;
            }
        }
        if (best_d == SIZE_MAX)
            break;
        out[nout++] = cat->nodes[best_i].name;
        last_d = best_d;
        last_i = best_i;
    }
    return nout;
}

double node_type_acu_mid(const struct node_type *n)
{
    if (n == NULL || isnan(n->acu_min) || isnan(n->acu_max))
        return NAN;
    return (n->acu_min + n->acu_max) / 2.0 / 100.0;
}
