/*
 * test_jdoc.c — the event-log line scanner (sim/eventlog/jdoc.c) against
 * jansson, the parser it stands in for: on every line of every shared real
 * log and test fixture it must read the same values (and so the same
 * "Event"), never accept a line jansson refuses (hand-made malformed lines,
 * and thousands of real lines with a byte changed), and the reader must
 * take an event the same way whether its "Event" comes first, last, twice
 * or escaped, or the line is deeper than the scanner follows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/eventlog/eventlog.h"
#include "sim/eventlog/jdoc.h"

static char srcdir[1024];

/* ------------------------------------------- the same values as jansson */

static void assert_same(const struct jdoc *d, long i, json_t *v);

static void assert_same_object(const struct jdoc *d, long i, json_t *v)
{
    assert_true(jdoc_is(d, i, JDOC_OBJECT));
    /* Every key jansson has reads the same value here (jansson keeps the
     * last of a repeated key, as jdoc_get does)... */
    const char *key;
    json_t *m;
    json_object_foreach(v, key, m)
    {
        long k = jdoc_get(d, i, key);
        if (k < 0)
            fail_msg("key \"%s\" missing", key);
        assert_same(d, k, m);
    }
    /* ...and every key here is one jansson has. */
    for (size_t k = (size_t)i + 1; k < d->tok[i].end; k = d->tok[k + 1].end) {
        size_t cap = (size_t)d->tok[k].len + 1;
        char *name = malloc(cap);
        assert_non_null(name);
        assert_true(jdoc_str_copy(d, (long)k, name, cap) >= 0);
        if (!json_object_get(v, name))
            fail_msg("key \"%s\" not in jansson's object", name);
        free(name);
    }
}

static void assert_same(const struct jdoc *d, long i, json_t *v)
{
    assert_true(i >= 0 && (size_t)i < d->n);
    const struct jdoc_tok *t = &d->tok[i];
    switch (json_typeof(v)) {
    case JSON_OBJECT: assert_same_object(d, i, v); break;
    case JSON_ARRAY: {
        size_t k = (size_t)i + 1, n = 0;
        assert_true(jdoc_is(d, i, JDOC_ARRAY));
        for (; k < t->end; k = d->tok[k].end, n++) {
            assert_true(n < json_array_size(v));
            assert_same(d, (long)k, json_array_get(v, n));
        }
        assert_int_equal(n, json_array_size(v));
        break;
    }
    case JSON_STRING: {
        size_t cap = (size_t)t->len + 1;
        char *s = malloc(cap);
        assert_non_null(s);
        long n = jdoc_str_copy(d, i, s, cap);
        assert_int_equal(n, json_string_length(v));
        assert_memory_equal(s, json_string_value(v), (size_t)n);
        free(s);
        break;
    }
    case JSON_INTEGER:
        assert_true(jdoc_is(d, i, JDOC_INT));
        assert_true(t->num.i == (int64_t)json_integer_value(v));
        break;
    case JSON_REAL:
        assert_true(jdoc_is(d, i, JDOC_REAL));
        assert_true(t->num.d == json_real_value(v));
        break;
    case JSON_TRUE: assert_true(jdoc_is(d, i, JDOC_TRUE)); break;
    case JSON_FALSE: assert_true(jdoc_is(d, i, JDOC_FALSE)); break;
    case JSON_NULL: assert_true(jdoc_is(d, i, JDOC_NULL)); break;
    }
}

/* Scans one line and compares with jansson. Returns 1 when both read it,
 * 0 when both refuse it, 2 when the scanner left it to jansson, which reads
 * it (allowed: the reader then uses jansson's reading). */
static int check_line(struct jdoc *d, const char *text, size_t len)
{
    json_error_t err;
    json_t *v = json_loadb(text, len, 0, &err);
    enum jdoc_scan_result rc = jdoc_scan(d, text, len);
    assert_int_not_equal(rc, JDOC_NOMEM);
    if (!v) {
        if (rc != JDOC_REJECT)
            fail_msg("scanner accepts what jansson refuses (%s): %.*s", err.text,
                     (int)(len > 200 ? 200 : len), text);
        return 0;
    }
    if (rc == JDOC_REJECT) {
        json_decref(v);
        return 2;
    }
    assert_same(d, 0, v);
    /* The event name, the reader's first question, in particular. */
    const char *name = json_string_value(json_object_get(v, "Event"));
    long at = jdoc_get(d, 0, "Event");
    if (name)
        assert_true(jdoc_str_eq(d, at, name));
    else
        assert_false(jdoc_is(d, at, JDOC_STRING));
    json_decref(v);
    return 1;
}

/* Checks every line of a file; counts lines by check_line's result. */
static void check_file(struct jdoc *d, const char *path, int counts[3])
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        if (n > 0)
            counts[check_line(d, line, (size_t)n)]++;
    }
    free(line);
    fclose(f);
}

/* Every line of every plain log in dir (files ending in .json). */
static void check_dir(struct jdoc *d, const char *dir, int counts[3], int *files)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 5, ".json") != 0)
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        check_file(d, path, counts);
        (*files)++;
    }
    closedir(dp);
}

static void test_every_real_log_line_reads_as_jansson_reads_it(void **state)
{
    (void)state;
    struct jdoc d;
    jdoc_init(&d);
    int counts[3] = {0, 0, 0}, files = 0;
    char dir[2048];
    static const char *const dirs[] = {"../shared/data/eventlogs",
                                       "../shared/data/eventlogs-extra"};
    for (size_t k = 0; k < sizeof dirs / sizeof dirs[0]; k++) {
        snprintf(dir, sizeof dir, "%s/%s", srcdir, dirs[k]);
        check_dir(&d, dir, counts, &files);
    }
    struct stat sb;
    snprintf(dir, sizeof dir, "%s/../shared/data/eventlogs", srcdir);
    if (stat(dir, &sb) != 0) {
        jdoc_fini(&d);
        skip(); /* no shared logs here (make distcheck) */
    }
    /* Real logs: every line is JSON, and none needs jansson. */
    assert_true(files >= 10);
    assert_true(counts[1] > 5000);
    assert_int_equal(counts[0], 0);
    assert_int_equal(counts[2], 0);
    jdoc_fini(&d);
}

static void test_every_fixture_line_reads_as_jansson_reads_it(void **state)
{
    (void)state;
    struct jdoc d;
    jdoc_init(&d);
    int counts[3] = {0, 0, 0}, files = 0;
    char dir[2048];
    snprintf(dir, sizeof dir, "%s/tests/eventlogs", srcdir);
    check_dir(&d, dir, counts, &files);
    assert_true(files >= 10);
    /* bad-line.json and truncated.json hold lines that are not JSON. */
    assert_true(counts[0] >= 2);
    assert_true(counts[1] > 100);
    jdoc_fini(&d);
}

/* Lines jansson refuses, one rule each; the scanner must refuse them too. */
static void test_lines_jansson_refuses_are_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "{\"a\":01}",                      /* leading zero */
        "{\"a\":1.}",                      /* fraction without digits */
        "{\"a\":.5}",                      /* no integer part */
        "{\"a\":-}",                       /* a lone minus */
        "{\"a\":1e}",                      /* exponent without digits */
        "{\"a\":+1}",                      /* a plus sign */
        "{\"a\":9223372036854775808}",     /* 2^63: past strtoll */
        "{\"a\":-9223372036854775809}",    /* below -2^63 */
        "{\"a\":99999999999999999999999}", /* far past */
        "{\"a\":1e400}",                   /* strtod overflows */
        "{\"a\":-1e400}",                  /* to minus infinity */
        "{\"a\":\"\\u0000\"}",             /* NUL without JSON_ALLOW_NUL */
        "{\"a\":\"\\ud800\"}",             /* a lone high surrogate */
        "{\"a\":\"\\udc00\"}",             /* a lone low surrogate */
        "{\"a\":\"\\ud800\\u0041\"}",      /* high surrogate, then not a low */
        "{\"a\":\"\\u12g4\"}",             /* not hex */
        "{\"a\":\"\\x\"}",                 /* unknown escape */
        "{\"a\":\"tab\there\"}",           /* a raw control character */
        "{\"a\":\"\xc0\x80\"}",            /* overlong NUL */
        "{\"a\":\"\xe0\x80\xaf\"}",        /* overlong slash */
        "{\"a\":\"\xed\xa0\x80\"}",        /* an encoded surrogate */
        "{\"a\":\"\xf4\x90\x80\x80\"}",    /* past U+10FFFF */
        "{\"a\":\"\x80\"}",                /* a stray continuation byte */
        "{\"a\":\"\xc3\"}",                /* a cut sequence */
        "{\"a\":\"\xff\"}",                /* never UTF-8 */
        "{\"a\":\"open}",                  /* an unclosed string */
        "{\"a\":1,}",                      /* trailing comma */
        "[1,]",                            /* in an array too */
        "{\"a\" 1}",                       /* no colon */
        "{'a':1}",                         /* single quotes */
        "{a:1}",                           /* a bare key */
        "{1:1}",                           /* a number as key */
        "{\"a\":tru}",                     /* a cut literal */
        "{\"a\":truex}",                   /* a longer word */
        "{\"a\":nul}",                     /* another */
        "{\"a\":True}",                    /* capitalised */
        "{\"a\":1} x",                     /* something after the value */
        "{} {}",                           /* two values */
        "\"just a string\"",               /* not an object or array */
        "42",                              /* nor a number */
        "",                                /* nothing */
        "{\"a\":[1,2}",                    /* a mismatched close */
        "{\"a\":{\"b\":1]}",               /* another */
        "{\"a\":1",                        /* cut off */
        "{\"a\":1}\x01",                   /* a control byte after */
    };
    struct jdoc d;
    jdoc_init(&d);
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        json_error_t err;
        json_t *v = json_loadb(bad[k], strlen(bad[k]), 0, &err);
        if (v)
            fail_msg("jansson reads case %zu: %s", k, bad[k]);
        if (jdoc_scan(&d, bad[k], strlen(bad[k])) != JDOC_REJECT)
            fail_msg("scanner accepts case %zu: %s", k, bad[k]);
    }
    /* A NUL byte inside a string, which strlen would hide. */
    static const char nul_in_string[] = "{\"a\":\"x\0y\"}";
    assert_int_equal(check_line(&d, nul_in_string, sizeof nul_in_string - 1), 0);
    jdoc_fini(&d);
}

/* Lines at the edges of the rules that jansson reads: the same values. */
static void test_edge_lines_read_the_same_values(void **state)
{
    (void)state;
    static const char *const good[] = {
        "{}",
        "[]",
        " \t{ \"a\" : [ 1 , -2 , 3.5 , -0 , 0 ] , \"b\" : { } }\r\n",
        "{\"a\":-9223372036854775808,\"b\":9223372036854775807}",
        "{\"a\":1e-400,\"b\":1E+2,\"c\":-0.0,\"d\":2.5e-3}",
        "{\"a\":\"\\ud83d\\ude00\",\"b\":\"\\u00e9\\u20ac\",\"c\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}",
        "{\"a\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x7f\"}",
        "{\"a\":true,\"b\":false,\"c\":null,\"d\":[true,[false,[null]]]}",
        "{\"k\":1,\"k\":2,\"k\":\"last\"}",
        "{\"\\u0045vent\":\"x\",\"Event\":\"SparkListener\\u0054askEnd\"}",
    };
    struct jdoc d;
    jdoc_init(&d);
    for (size_t k = 0; k < sizeof good / sizeof good[0]; k++)
        if (check_line(&d, good[k], strlen(good[k])) != 1)
            fail_msg("case %zu not read alike: %s", k, good[k]);
    /* The repeated key reads its last value, as jansson keeps it. */
    assert_int_equal(jdoc_scan(&d, good[8], strlen(good[8])), JDOC_OK);
    assert_true(jdoc_str_eq(&d, jdoc_get(&d, 0, "k"), "last"));
    /* An escaped key matches its decoded name; the last "Event" wins. */
    assert_int_equal(jdoc_scan(&d, good[9], strlen(good[9])), JDOC_OK);
    assert_true(jdoc_str_eq(&d, jdoc_get(&d, 0, "Event"), "SparkListenerTaskEnd"));
    jdoc_fini(&d);
}

/* Nesting: 100 levels are JSON to jansson but beyond the scanner, which
 * leaves the line to it; 3,000 are beyond jansson's 2,048 as well. */
static void test_deep_lines_are_left_to_jansson(void **state)
{
    (void)state;
    struct jdoc d;
    jdoc_init(&d);
    static const int depths[] = {JDOC_MAX_DEPTH, JDOC_MAX_DEPTH + 1, 100, 3000};
    static const int expect[] = {1, 2, 2, 0};
    for (size_t k = 0; k < 4; k++) {
        int n = depths[k];
        char *s = malloc((size_t)n * 2 + 1);
        assert_non_null(s);
        memset(s, '[', (size_t)n);
        memset(s + n, ']', (size_t)n);
        s[2 * n] = '\0';
        assert_int_equal(check_line(&d, s, (size_t)n * 2), expect[k]);
        free(s);
    }
    jdoc_fini(&d);
}

/* A small deterministic generator (splitmix64) for the mutations. */
static uint64_t next_random(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Real lines with one byte changed, inserted or removed, or cut short: the
 * scanner never accepts one jansson refuses, and reads the same values from
 * those jansson reads. */
static void test_mutated_real_lines_agree_with_jansson(void **state)
{
    (void)state;
    static const unsigned char bytes[] = {'"',  '\\', '{',  '}',  '[',  ']',  ',',  ':', '0',  '9',
                                          '-',  '+',  'e',  '.',  'u',  ' ',  't',  'n', 0x00, 0x1f,
                                          0x7f, 0x80, 0xbf, 0xc3, 0xe2, 0xed, 0xf4, 0xff};
    char path[2048];
    snprintf(path, sizeof path, "%s/tests/eventlogs/retries.json", srcdir);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    struct jdoc d;
    jdoc_init(&d);
    uint64_t seed = 16;
    int counts[3] = {0, 0, 0};
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 1) {
        n--; /* the newline */
        char *m = malloc((size_t)n + 1);
        assert_non_null(m);
        for (int k = 0; k < 200; k++) {
            size_t len = (size_t)n, at = next_random(&seed) % (size_t)n;
            memcpy(m, line, (size_t)n);
            switch (next_random(&seed) % 4) {
            case 0: m[at] = (char)bytes[next_random(&seed) % sizeof bytes]; break;
            case 1: /* insert */
                memcpy(m + at + 1, line + at, (size_t)n - at);
                m[at] = (char)bytes[next_random(&seed) % sizeof bytes];
                len++;
                break;
            case 2: memmove(m + at, m + at + 1, --len - at); break; /* remove */
            case 3: len = at; break;                                /* cut */
            }
            counts[check_line(&d, m, len)]++;
        }
        free(m);
    }
    free(line);
    fclose(f);
    /* Both outcomes were met many times. */
    assert_true(counts[0] > 500);
    assert_true(counts[1] > 500);
    jdoc_fini(&d);
}

/* ------------------------------------------------- through the reader */

static char *write_log(const char *text)
{
    const char *tmp = getenv("TMPDIR");
    char *path = malloc(1024);
    assert_non_null(path);
    snprintf(path, 1024, "%s/test_jdoc_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* A task end with the given index, its keys in the order given by the
 * caller's text around it. */
#define TASK_INFO(index)                                                                           \
    "\"Task Info\":{\"Task ID\":" #index ",\"Index\":" #index ",\"Attempt\":0,"                    \
    "\"Launch Time\":1000,\"Finish Time\":3000,\"Executor ID\":\"1\",\"Locality\":"                \
    "\"NODE_LOCAL\",\"Speculative\":false,\"Getting Result Time\":0}"

static void test_events_read_whatever_the_key_order(void **state)
{
    (void)state;
    /* A nested value 100 deep: JSON, but beyond the scanner (64). */
    char deep[256];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    deep[200] = '\0';
    char text[8192];
    snprintf(
        text, sizeof text,
        /* 1: the log's start */
        "{\"Event\":\"SparkListenerLogStart\",\"Spark Version\":\"3.1.1\"}\n"
        /* 2: a task start whose "Event" comes last */
        "{\"Stage ID\":0,\"Stage Attempt ID\":0,\"Event\":\"SparkListenerTaskStart\"}\n"
        /* 3: "Event" twice: jansson keeps the last, an unknown event */
        "{\"Event\":\"SparkListenerTaskEnd\",\"Event\":\"NotAnEvent\",\"Stage ID\":0}\n"
        /* 4: a task end named with an escape, its metrics first */
        "{\"Task Metrics\":{\"Executor Run Time\":1500},\"Event\":"
        "\"SparkListener\\u0054askEnd\",\"Stage ID\":0,\"Stage Attempt ID\":0,"
        "\"Task End Reason\":{\"Reason\":\"Success\"}," TASK_INFO(
            3) "}\n"
               /* 5: a task end too deep for the scanner, "Event" last */
               "{" TASK_INFO(4) ",\"Task Metrics\":{\"Executor Run Time\":700,\"Deep\":%s},"
                                "\"Task End Reason\":{\"Reason\":\"TaskKilled\"},\"Stage ID\":0,"
                                "\"Event\":\"SparkListenerTaskEnd\"}\n",
        deep);
    char *path = write_log(text);
    struct diag dg;
    diag_clear(&dg);
    struct evlog_options opt = {true}; /* strict: any malformed line fails */
    struct evlog *log = evlog_read(path, &opt, &dg);
    unlink(path);
    free(path);
    if (!log)
        fail_msg("%s", dg.msg);
    /* Five events; line 3 is the one stagecast does not use. */
    assert_int_equal(log->events, 5);
    assert_int_equal(log->unknown_events, 1);
    assert_int_equal(log->bad_lines, 0);
    const struct evlog_stage *st = evlog_stage_find(log, 0, 0);
    assert_non_null(st);
    assert_int_equal(st->tasks_started, 1);
    assert_int_equal(st->tasks_ended, 2);
    assert_int_equal(log->n_tasks, 2);
    /* Sorted by index: line 4's task (index 3), then line 5's (index 4). */
    const struct evlog_task *t = &log->tasks[0];
    assert_int_equal(t->index, 3);
    assert_int_equal(t->line, 4);
    assert_int_equal(t->end, EVLOG_SUCCESS);
    assert_int_equal(t->locality, EVLOG_NODE_LOCAL);
    assert_int_equal(t->launch_ms, 1000);
    assert_int_equal(t->finish_ms, 3000);
    assert_int_equal(t->run_ms, 1500);
    assert_int_equal(t->executor, -1); /* executor "1" was never added */
    t = &log->tasks[1];
    assert_int_equal(t->index, 4);
    assert_int_equal(t->line, 5);
    assert_int_equal(t->end, EVLOG_KILLED);
    assert_int_equal(t->run_ms, 700);
    /* Only the successful task's run time is summed into its stage. */
    assert_int_equal(st->metrics.run_ms, 1500);
    evlog_free(log);
}

/* A garbled line of an event the reader does not use is still reported:
 * skipping unused events must not skip checking that a line is JSON. */
static void test_garbled_unused_event_is_still_a_bad_line(void **state)
{
    (void)state;
    char *path = write_log("{\"Event\":\"SparkListenerLogStart\",\"Spark Version\":\"3.1.1\"}\n"
                           "{\"Event\":\"SparkListenerBlockUpdated\",\"Block\":[1,2}\n"
                           "{\"Event\":\"SparkListenerUnpersistRDD\",\"RDD ID\":01}\n");
    struct diag dg;
    diag_clear(&dg);
    struct evlog_options opt = {false};
    struct evlog *log = evlog_read(path, &opt, &dg);
    if (!log)
        fail_msg("%s", dg.msg);
    assert_int_equal(log->bad_lines, 2);
    assert_int_equal(log->events, 1);
    assert_int_equal(log->n_warnings, 2);
    /* Each names its line, after the file. */
    assert_non_null(strstr(log->warnings[0], ":2: not JSON"));
    assert_non_null(strstr(log->warnings[1], ":3: not JSON"));
    evlog_free(log);
    unlink(path);
    free(path);
}

int main(void)
{
    const char *env = getenv("SRCDIR");
    snprintf(srcdir, sizeof srcdir, "%s", env ? env : ABS_TOP_SRCDIR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_real_log_line_reads_as_jansson_reads_it),
        cmocka_unit_test(test_every_fixture_line_reads_as_jansson_reads_it),
        cmocka_unit_test(test_lines_jansson_refuses_are_refused),
        cmocka_unit_test(test_edge_lines_read_the_same_values),
        cmocka_unit_test(test_deep_lines_are_left_to_jansson),
        cmocka_unit_test(test_mutated_real_lines_agree_with_jansson),
        cmocka_unit_test(test_events_read_whatever_the_key_order),
        cmocka_unit_test(test_garbled_unused_event_is_still_a_bad_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
