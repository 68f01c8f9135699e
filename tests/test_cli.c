/*
 * test_cli.c — scenario tests: the real stagecast binary on the bundled
 * scenarios and on malformed inputs, checked through its exit status, its
 * JSON (parsed with jansson) and the files it leaves behind.
 *
 * The build passes STAGECAST (the binary) and SRCDIR (the source tree).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "cli_harness.h"
#include <ctype.h>
#include <dirent.h>
#include <glob.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "models/units.h"
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *binary;
static const char *srcdir;
static char workdir[256];

/* Runs the binary with args (already shell-quoted), stdout and stderr to
 * files in the work directory; returns the exit status. */
static int run(const char *args)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' %s", binary, args);
    return harness_sh(workdir, cmd);
}

static char *slurp(const char *path)
{
    return harness_slurp(path, NULL);
}

static char *work_file(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", workdir, name);
    return path;
}

/* Files left in the work directory other than out.txt and err.txt. */
static int stray_files(void)
{
    return harness_stray_files(workdir);
}

static void clean_workdir(void)
{
    harness_clean_dir(workdir);
}

/* A full standard output (/dev/full: every write fails with ENOSPC) is a
 * failure with one message and a non-zero exit for every command that
 * prints, never exit 0 with nothing written (issue 15). */
static void test_full_stdout_fails_every_command(void **state)
{
    (void)state;
    struct stat sb;
    if (stat("/dev/full", &sb) != 0) {
        skip();
        return;
    }
    char scn[1024];
    snprintf(scn, sizeof scn, "'%s/scenarios/walkthrough.cfg'", srcdir);
    const char *cmds[] = {"nodes", "spark-keys", "version", "help", "plan", "calibrate"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        clean_workdir();
        char args[2048];
        int needs_file = strcmp(cmds[i], "plan") == 0 || strcmp(cmds[i], "calibrate") == 0;
        /* In braces: harness_sh sends the group's stdout to out.txt, the
         * command's own redirection inside it wins. */
        snprintf(args, sizeof args, "{ '%s' %s %s >/dev/full; }", binary, cmds[i],
                 needs_file ? scn : "");
        int rc = harness_sh(workdir, args);
        char *err = slurp(work_file("err.txt"));
        if (rc == 0 || !strstr(err, "writing to standard output failed"))
            fail_msg("%s: exit %d, stderr: %s", cmds[i], rc, err);
        free(err);
    }
    /* An output file written in place (a device): its path and errno. */
    clean_workdir();
    char args[2048];
    snprintf(args, sizeof args, "run '%s/scenarios/analytics-ds3.cfg' -q --json /dev/full", srcdir);
    assert_int_equal(run(args), 1);
    char *err = slurp(work_file("err.txt"));
    assert_non_null(strstr(err, "/dev/full: "));
    assert_non_null(strstr(err, strerror(ENOSPC)));
    free(err);
}

/* run --json says whether the shuffle and spill fit the workers' local
 * disks. On one Standard_E8ds_v5 (300 GiB temp disk in the catalog) the
 * one worker holds every stage's shuffle files and the largest stage's
 * spill comes on top: the sums of the JSON's own stages, worked out here. */
static void test_run_json_reports_local_disk(void **state)
{
    (void)state;
    clean_workdir();
    char args[2048];
    snprintf(args, sizeof args,
             "run '%s/scenarios/groupby-large.cfg' --set cluster.workers=1 -q --json '%s/r.json'",
             srcdir, workdir);
    assert_int_equal(run(args), 0);
    json_error_t err;
    json_t *root = json_load_file(work_file("r.json"), 0, &err);
    assert_non_null(root);
    json_t *disk = json_object_get(root, "local_disk");
    assert_true(json_is_object(disk));
    double shuffle = 0.0, spill = 0.0;
    json_t *jobs = json_object_get(root, "jobs");
    for (size_t j = 0; j < json_array_size(jobs); j++) {
        json_t *stages = json_object_get(json_array_get(jobs, j), "stages");
        for (size_t k = 0; k < json_array_size(stages); k++) {
            json_t *st = json_array_get(stages, k);
            shuffle += json_number_value(json_object_get(st, "shuffle_write_bytes"));
            double sp = json_number_value(json_object_get(st, "spill_bytes"));
            spill = sp > spill ? sp : spill;
        }
    }
    assert_true(json_is_true(json_object_get(disk, "checked")));
    assert_true(json_is_false(json_object_get(disk, "fits")));
    assert_float_equal(json_number_value(json_object_get(disk, "disk_bytes")),
                       300.0 * 1024 * 1024 * 1024, 0.5);
    assert_float_equal(json_number_value(json_object_get(disk, "shuffle_bytes")), shuffle,
                       1e-6 * shuffle + 1.0);
    assert_float_equal(json_number_value(json_object_get(disk, "spill_bytes")), spill,
                       1e-6 * spill + 1.0);
    assert_float_equal(json_number_value(json_object_get(disk, "peak_bytes")), shuffle + spill,
                       1e-6 * (shuffle + spill) + 1.0);
    json_decref(root);
    char *e = slurp(work_file("err.txt"));
    assert_non_null(strstr(e, "does not fit its workers' local disks"));
    free(e);
}

static void test_every_bundled_scenario_runs(void **state)
{
    (void)state;
    char pattern[512];
    snprintf(pattern, sizeof pattern, "%s/scenarios/*.cfg", srcdir);
    glob_t g;
    assert_int_equal(glob(pattern, 0, NULL, &g), 0);
    assert_true(g.gl_pathc >= 3);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        clean_workdir();
        char args[2048];
        snprintf(args, sizeof args, "run '%s' --json '%s/r.json' --timeline '%s/t.csv'",
                 g.gl_pathv[i], workdir, workdir);
        int rc = run(args);
        if (rc != 0)
            fail_msg("%s exited %d: %s", g.gl_pathv[i], rc, slurp(work_file("err.txt")));
        json_error_t err;
        json_t *root = json_load_file(work_file("r.json"), 0, &err);
        assert_non_null(root);
        double makespan = json_number_value(json_object_get(root, "makespan_s"));
        assert_true(makespan > 0.0);
        double util = json_number_value(json_object_get(root, "utilization"));
        assert_true(util > 0.0 && util <= 1.0);
        json_t *jobs = json_object_get(root, "jobs");
        assert_true(json_array_size(jobs) >= 1);
        /* Every task appears once in the timeline; every stage ends within
         * the run and after it starts. */
        long tasks = 0;
        for (size_t j = 0; j < json_array_size(jobs); j++) {
            json_t *stages = json_object_get(json_array_get(jobs, j), "stages");
            for (size_t k = 0; k < json_array_size(stages); k++) {
                json_t *st = json_array_get(stages, k);
                tasks += (long)json_integer_value(json_object_get(st, "tasks"));
                double s0 = json_number_value(json_object_get(st, "start_s"));
                double s1 = json_number_value(json_object_get(st, "end_s"));
                assert_true(s0 >= 0.0 && s1 >= s0 && s1 <= makespan + 1e-6);
            }
        }
        /* One row per attempt: each task succeeds once (a map task whose
         * output an eviction lost succeeds again), and the failed ones are
         * the attempts the JSON counts. */
        char *csv = slurp(work_file("t.csv"));
        assert_non_null(csv);
        long ok = 0, failed = 0;
        for (const char *p = strchr(csv, '\n'); p && p[1]; p = strchr(p + 1, '\n')) {
            const char *eol = strchr(p + 1, '\n');
            size_t len = eol ? (size_t)(eol - p - 1) : strlen(p + 1);
            if (len >= 7 && strncmp(p + 1 + len - 7, "success", 7) == 0)
                ok++;
            else if (len >= 6 && strncmp(p + 1 + len - 6, "failed", 6) == 0)
                failed++;
        }
        json_t *scaling = json_object_get(root, "scaling");
        long want_failed = (long)json_integer_value(json_object_get(scaling, "failed_attempts"));
        long recomputed = (long)json_integer_value(json_object_get(scaling, "recomputed_tasks"));
        assert_int_equal(failed, want_failed);
        assert_int_equal(ok, tasks + recomputed);
        assert_int_equal(harness_count_lines(csv), 1 + ok + failed);
        free(csv);
        /* The table went to stdout and names the scenario. */
        char *out = slurp(work_file("out.txt"));
        const char *name =
            json_string_value(json_object_get(json_object_get(root, "scenario"), "name"));
        assert_non_null(strstr(out, name));
        assert_non_null(strstr(out, "utilization"));
        free(out);
        json_decref(root);
    }
    globfree(&g);
}

static void test_same_seed_writes_same_bytes(void **state)
{
    (void)state;
    clean_workdir();
    char args[2048];
    const char *files[3] = {"a.json", "b.json", "c.json"};
    const char *seeds[3] = {"", "", "--seed 99"};
    for (int i = 0; i < 3; i++) {
        snprintf(args, sizeof args, "run '%s/scenarios/etl-nightly.cfg' --quiet --json '%s/%s' %s",
                 srcdir, workdir, files[i], seeds[i]);
        assert_int_equal(run(args), 0);
    }
    char *a = slurp(work_file("a.json")), *b = slurp(work_file("b.json"));
    char *c = slurp(work_file("c.json"));
    assert_string_equal(a, b);
    assert_true(strcmp(a, c) != 0);
    free(a);
    free(b);
    free(c);
}

struct bad_case {
    const char *file;   /* under tests/scenarios/bad/, or an absolute oddity */
    int line;           /* expected line in the message; 0 = no line */
    const char *needle; /* text the message must hold */
};

/* The expected lines were read off the fixtures by hand. */
static const struct bad_case bad_cases[] = {
#include "bad_cases.inc"
};

static void test_bad_inputs_fail_cleanly(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const struct bad_case *bc = &bad_cases[i];
        clean_workdir();
        char path[1024], args[2048];
        snprintf(path, sizeof path, "%s/tests/scenarios/bad/%s", srcdir, bc->file);
        snprintf(args, sizeof args, "run '%s' --json '%s/never.json' --timeline '%s/never.csv'",
                 path, workdir, workdir);
        int rc = run(args);
        char *err = slurp(work_file("err.txt"));
        if (rc != 2)
            fail_msg("%s: exit %d, expected 2; stderr: %s", bc->file, rc, err);
        /* One message, naming file:line. */
        assert_int_equal(harness_count_lines(err), 1);
        char expect[1200];
        if (bc->line > 0)
            snprintf(expect, sizeof expect, "stagecast: %s:%d: ", path, bc->line);
        else
            snprintf(expect, sizeof expect, "stagecast: %s", path);
        if (strncmp(err, expect, strlen(expect)) != 0)
            fail_msg("%s: expected prefix '%s', got '%s'", bc->file, expect, err);
        if (bc->needle && !strstr(err, bc->needle))
            fail_msg("%s: message lacks '%s': %s", bc->file, bc->needle, err);
        /* No output file, not even a temporary one. */
        assert_int_equal(stray_files(), 0);
        free(err);
    }
}

/* The only executor of cluster.executors leaves (at 1 s) before the job
 * comes (at 5 s), with spark.speculation on: no task can ever run, and the
 * run must say so at once (exit 2, naming cluster.executors, line 7) as it
 * does without speculation, not tick the speculation check for ever
 * (fuzz_eventlog found it in a replayed log). timeout(1) turns the old
 * hang into exit 124. */
static void test_speculation_does_not_keep_a_stuck_run_going(void **state)
{
    (void)state;
    clean_workdir();
    char path[1024], cmd[4096];
    snprintf(path, sizeof path, "%s/tests/scenarios/runtime/timeline-gone-speculation.cfg", srcdir);
    snprintf(cmd, sizeof cmd, "timeout 60 '%s' run '%s'", binary, path);
    int rc = harness_sh(workdir, cmd);
    char *err = slurp(work_file("err.txt"));
    if (rc != 2)
        fail_msg("exit %d, expected 2; stderr: %s", rc, err);
    char expect[1200];
    snprintf(expect, sizeof expect, "stagecast: %s:7: 0 of 1 jobs finished when the last executor",
             path);
    if (strncmp(err, expect, strlen(expect)) != 0)
        fail_msg("expected prefix '%s', got '%s'", expect, err);
    free(err);
}

static void test_missing_file_fails_cleanly(void **state)
{
    (void)state;
    clean_workdir();
    char args[1024];
    snprintf(args, sizeof args, "run '%s/no-such.cfg' --json '%s/x.json'", workdir, workdir);
    assert_int_equal(run(args), 2);
    char *err = slurp(work_file("err.txt"));
    assert_int_equal(harness_count_lines(err), 1);
    assert_non_null(strstr(err, "no-such.cfg"));
    assert_int_equal(stray_files(), 0);
    free(err);
}

static void test_unwritable_output_leaves_nothing(void **state)
{
    (void)state;
    clean_workdir();
    char args[1024];
    snprintf(args, sizeof args,
             "run '%s/scenarios/analytics-ds3.cfg' --json '%s/r.json' "
             "--timeline '%s/no-such-dir/t.csv'",
             srcdir, workdir, workdir);
    assert_int_equal(run(args), 1);
    assert_int_equal(stray_files(), 0); /* r.json was not committed either */
}

/* Two outputs naming one file, or an output naming the scenario: refused
 * before anything runs (the JSON was silently lost under the timeline; run
 * s.cfg --json s.cfg overwrote its own input). */
/* As run, from the work directory (relative paths name files there). */
static int run_in_workdir(const char *args)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s", workdir, binary, args);
    return harness_sh(workdir, cmd);
}

static void test_outputs_sharing_a_path_are_refused(void **state)
{
    (void)state;
    clean_workdir();
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cp '%s/scenarios/analytics-ds3.cfg' '%s/s.cfg'", srcdir, workdir);
    assert_int_equal(harness_sh(workdir, cmd), 0);
    char *before = slurp(work_file("s.cfg"));

    assert_int_equal(run_in_workdir("run s.cfg --json x.out --timeline x.out"), 2);
    char *err = slurp(work_file("err.txt"));
    assert_non_null(strstr(err, "--json and --timeline both name 'x.out'"));
    free(err);
    /* ./x.out is x.out too */
    assert_int_equal(run_in_workdir("run s.cfg --json x.out --trace ./x.out"), 2);
    err = slurp(work_file("err.txt"));
    assert_non_null(strstr(err, "--json and --trace both name './x.out'"));
    free(err);

    assert_int_equal(run_in_workdir("run s.cfg --json s.cfg"), 2);
    err = slurp(work_file("err.txt"));
    assert_non_null(strstr(err, "--json 's.cfg' is the scenario file being read"));
    free(err);
    snprintf(cmd, sizeof cmd, "run s.cfg --timeline '%s/s.cfg'", workdir);
    assert_int_equal(run_in_workdir(cmd), 2);

    /* sweep and merge: outputs, the scenario and the results files merged */
    assert_int_equal(run_in_workdir("sweep s.cfg --json x.out --csv ./x.out"), 2);
    err = slurp(work_file("err.txt"));
    assert_non_null(strstr(err, "--json and --csv both name './x.out'"));
    free(err);
    assert_int_equal(run_in_workdir("sweep s.cfg --results s.cfg"), 2);
    assert_int_equal(run_in_workdir("merge a.jsonl --json a.jsonl"), 2);
    err = slurp(work_file("err.txt"));
    assert_non_null(strstr(err, "--json 'a.jsonl' is a results file being merged"));
    free(err);
    /* import: -o over the log it reads */
    snprintf(cmd, sizeof cmd, "cp '%s/tests/eventlogs/tiny.json' '%s/log.json'", srcdir, workdir);
    assert_int_equal(harness_sh(workdir, cmd), 0);
    assert_int_equal(run_in_workdir("import log.json -o ./log.json"), 2);
    err = slurp(work_file("err.txt"));
    assert_non_null(strstr(err, "-o './log.json' is the event log being read"));
    free(err);
    snprintf(cmd, sizeof cmd, "cmp -s '%s/tests/eventlogs/tiny.json' '%s/log.json'", srcdir,
             workdir);
    assert_int_equal(harness_sh(workdir, cmd), 0);

    char *after = slurp(work_file("s.cfg"));
    assert_string_equal(before, after);
    assert_int_equal(access(work_file("x.out"), F_OK), -1);
    free(before);
    free(after);
}

/* SIGTERM while outputs are staged: the temporaries are removed and the
 * process still dies of the signal (143 from the shell). A fake gnuplot that
 * sleeps holds the run while r.json's temporary exists. */
static void test_signal_removes_temporary_outputs(void **state)
{
    (void)state;
    clean_workdir();
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && ( printf '#!/bin/sh\\necho $$ > gp.pid\\nexec sleep 20\\n' > fakegp && "
             "chmod +x fakegp && "
             "STAGECAST_GNUPLOT=\"$PWD/fakegp\" '%s' run '%s/scenarios/analytics-ds3.cfg' -q "
             "--json r.json --timeline t.csv --plot p.png & pid=$!; "
             "i=0; while [ ! -s gp.pid ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; "
             "ls r.json.tmp.* > tmps.txt 2>/dev/null; "
             "kill -TERM $pid; wait $pid; rc=$?; kill $(cat gp.pid) 2>/dev/null; "
             "rm -f fakegp gp.pid; exit $rc )",
             workdir, binary, srcdir);
    assert_int_equal(harness_sh(workdir, cmd), 143);
    char *tmps = slurp(work_file("tmps.txt"));
    assert_non_null(strstr(tmps, "r.json.tmp.")); /* the temporary was there */
    free(tmps);
    unlink(work_file("tmps.txt"));
    assert_int_equal(stray_files(), 0); /* and is gone, as are t.csv's and p.png's */
}

/* What libconfig reads as "file I/O error" or a syntax error on line 1,
 * named for what it is: a directory, a gzip (or zstd) file, a UTF-8 BOM.
 * One line, exit 2, nothing written. */
static void test_directory_or_compressed_scenario_is_named(void **state)
{
    (void)state;
    clean_workdir();
    static const struct {
        const char *name;
        const char *bytes;
        size_t n;
        const char *says;
    } cases[] = {
        {NULL, NULL, 0, "is a directory, expected a scenario file"},
        {"s.cfg.gz", "\x1f\x8b\x08\x00\x00\x00\x00\x00", 8,
         "s.cfg.gz: looks like a gzip-compressed file; scenarios are plain text (gunzip it first)"},
        {"z.cfg", "\x28\xb5\x2f\xfd\x00", 5, "z.cfg: looks like a zstd-compressed file"},
        {"bom.cfg", "\xef\xbb\xbfname = \"x\";\n", 15,
         "bom.cfg:1: starts with a UTF-8 byte-order mark"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[600], args[2048];
        if (cases[i].name) {
            snprintf(path, sizeof path, "%s", work_file(cases[i].name));
            FILE *f = fopen(path, "wb");
            assert_non_null(f);
            assert_int_equal(fwrite(cases[i].bytes, 1, cases[i].n, f), cases[i].n);
            fclose(f);
        } else {
            snprintf(path, sizeof path, "%s/scenarios/", srcdir);
        }
        snprintf(args, sizeof args, "run '%s' --json '%s/r.json' --timeline '%s/t.csv'", path,
                 workdir, workdir);
        assert_int_equal(run(args), 2);
        char *err = slurp(work_file("err.txt"));
        assert_int_equal(harness_count_lines(err), 1);
        if (!strstr(err, cases[i].says))
            fail_msg("'%s' does not say '%s'", err, cases[i].says);
        free(err);
        if (cases[i].name)
            unlink(path);
        assert_int_equal(stray_files(), 0);
    }
}

/* A run that would need more memory than STAGECAST_MEMORY_LIMIT for its
 * tasks or its shuffle partitions is refused at once, with the key and the
 * figures, exit 2 and no output written. 1e8 tasks with --timeline: at
 * least 64 bytes of record each, 6.4e9 B, over 1 GiB; 1e8 partitions at
 * 72 bytes each, 7.2e9 B, over 1 GiB. */
static void test_memory_limit_refuses_up_front(void **state)
{
    (void)state;
    clean_workdir();
    FILE *f = fopen(work_file("many.cfg"), "w");
    assert_non_null(f);
    fputs("name = \"many\";\ncluster = { worker = \"Standard_DS3_v2\"; workers = 2; };\n"
          "jobs = ( { name = \"j\"; stages = ( { id = 0; tasks = 100000000; "
          "task_seconds = 1.0; } ); } );\n",
          f);
    fclose(f);
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "STAGECAST_MEMORY_LIMIT=1g '%s' run '%s' -q --timeline '%s/t.csv' --json '%s/r.json'",
             binary, work_file("many.cfg"), workdir, workdir);
    assert_int_equal(harness_sh(workdir, cmd), 2);
    char *err = slurp(work_file("err.txt"));
    assert_int_equal(harness_count_lines(err), 1);
    assert_non_null(strstr(err, "many.cfg:3:"));
    assert_non_null(strstr(err, "has 100000000 tasks (tasks = 100000000)"));
    assert_non_null(strstr(err, "task records"));
    assert_non_null(strstr(err, "1.00 GiB memory limit"));
    free(err);
    unlink(work_file("many.cfg"));
    assert_int_equal(stray_files(), 0);

    snprintf(cmd, sizeof cmd,
             "STAGECAST_MEMORY_LIMIT=1g '%s' run '%s/scenarios/skew-agg.cfg' -q --set "
             "spark.sql.shuffle.partitions=100000000 --json '%s/r.json'",
             binary, srcdir, workdir);
    assert_int_equal(harness_sh(workdir, cmd), 2);
    err = slurp(work_file("err.txt"));
    assert_int_equal(harness_count_lines(err), 1);
    assert_non_null(strstr(err, "spark.sql.shuffle.partitions = 100000000"));
    assert_non_null(strstr(err, "72 bytes a partition"));
    free(err);
    assert_int_equal(stray_files(), 0);

    snprintf(cmd, sizeof cmd, "STAGECAST_MEMORY_LIMIT=lots '%s' run '%s/scenarios/skew-agg.cfg' -q",
             binary, srcdir);
    assert_int_equal(harness_sh(workdir, cmd), 2);
    err = slurp(work_file("err.txt"));
    assert_non_null(strstr(err, "STAGECAST_MEMORY_LIMIT"));
    free(err);
}

/* Names with control characters (libconfig's \\x escapes): echoed escaped
 * in the table and in messages, never raw (ESC ] 0 ; ... BEL retitles a
 * terminal, ESC [ 2 J clears it). */
static void test_control_characters_are_escaped_on_the_terminal(void **state)
{
    (void)state;
    clean_workdir();
    FILE *f = fopen(work_file("ctl.cfg"), "w");
    assert_non_null(f);
    fputs("name = \"t\\x1b]0;pwned\\x07\";\n"
          "cluster = { worker = \"Standard_DS3_v2\"; workers = 2; };\n"
          "jobs = ( { name = \"j\\x1b[2J\"; stages = ( { id = 0; name = \"s\\x1b[31mred\";\n"
          "           tasks = 4; task_seconds = 1.0; } ); } );\n",
          f);
    fclose(f);
    assert_int_equal(run_in_workdir("run ctl.cfg"), 0);
    char *out = slurp(work_file("out.txt"));
    assert_null(strchr(out, '\x1b'));
    assert_null(strchr(out, '\x07'));
    assert_non_null(strstr(out, "scenario 't\\x1B]0;pwned\\x07'"));
    assert_non_null(strstr(out, "job 0 'j\\x1B[2J'"));
    assert_non_null(strstr(out, "s\\x1B[31mred"));
    free(out);

    f = fopen(work_file("ctl.cfg"), "a");
    assert_non_null(f);
    fputs("pools = ( { name = \"p\\x1b[2J\"; }, { name = \"p\\x1b[2J\"; } );\n", f);
    fclose(f);
    assert_int_equal(run_in_workdir("run ctl.cfg"), 2);
    char *err = slurp(work_file("err.txt"));
    assert_null(strchr(err, '\x1b'));
    assert_non_null(strstr(err, "two pools are named 'p\\x1B[2J'"));
    free(err);
}

static void test_dev_null_stays_a_device(void **state)
{
    (void)state;
    /* Writing a report to /dev/null must not replace the device with a
     * file (the all-or-nothing rename would). */
    char args[1024];
    snprintf(args, sizeof args, "run '%s/scenarios/analytics-ds3.cfg' -q --json /dev/null", srcdir);
    assert_int_equal(run(args), 0);
    struct stat sb;
    assert_int_equal(stat("/dev/null", &sb), 0);
    assert_true(S_ISCHR(sb.st_mode));
}

/* Reports are files for other people and tools: their permissions follow
 * the user's umask like any new file's (0666 & ~umask), not the 0600 of a
 * private temporary file. */
static void test_outputs_follow_the_umask(void **state)
{
    (void)state;
    clean_workdir();
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "umask 027 && '%s' run '%s/scenarios/analytics-ds3.cfg' -q --json '%s/r.json' "
             "--timeline '%s/t.csv'",
             binary, srcdir, workdir, workdir);
    assert_int_equal(harness_sh(workdir, cmd), 0);
    struct stat sb;
    assert_int_equal(stat(work_file("r.json"), &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0640);
    assert_int_equal(stat(work_file("t.csv"), &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0640);
    snprintf(cmd, sizeof cmd,
             "umask 002 && '%s' run '%s/scenarios/analytics-ds3.cfg' -q --json '%s/r.json'", binary,
             srcdir, workdir);
    assert_int_equal(harness_sh(workdir, cmd), 0);
    assert_int_equal(stat(work_file("r.json"), &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0664);
}

static void test_usage_errors_exit_2(void **state)
{
    (void)state;
    assert_int_equal(run("frobnicate"), 2);
    assert_int_equal(run("run"), 2);
    assert_int_equal(run("run a.cfg --bogus"), 2);
    assert_int_equal(run("run a.cfg --seed -1"), 2);
    assert_int_equal(run("help"), 0);
    assert_int_equal(run("run a.cfg --json"), 2);
    assert_int_equal(run("nodes extra"), 2);
    assert_int_equal(run("spark-keys -x"), 2);
}

static void test_nodes_lists_the_catalog(void **state)
{
    (void)state;
    assert_int_equal(run("nodes"), 0);
    char *out = slurp(work_file("out.txt"));
    assert_non_null(strstr(out, "Standard_DS3_v2"));
    assert_non_null(strstr(out, "Standard_E64ds_v5"));
    assert_non_null(strstr(out, "Synapse_Medium"));
    free(out);
    assert_int_equal(run("nodes --json"), 0);
    json_error_t err;
    json_t *root = json_load_file(work_file("out.txt"), 0, &err);
    assert_non_null(root);
    json_decref(root);
}

/* Runs the binary with args and returns its stdout (the caller frees it);
 * *rc gets the exit status. */
static char *output_of(const char *args, int *rc)
{
    *rc = run(args);
    return slurp(work_file("out.txt"));
}

/* The committed man page and CLI reference are what the binary prints: an
 * option added to a table without regenerating them fails here. */
static void test_committed_docs_match_the_option_tables(void **state)
{
    (void)state;
    static const struct {
        const char *flag, *file;
    } docs[] = {{"--man", "docs/stagecast.1"}, {"--markdown", "docs/cli.md"}};
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        char args[64], path[1024];
        snprintf(args, sizeof args, "help %s", docs[i].flag);
        int rc;
        char *made = output_of(args, &rc);
        assert_int_equal(rc, 0);
        snprintf(path, sizeof path, "%s/%s", srcdir, docs[i].file);
        char *committed = slurp(path);
        if (!committed || strcmp(made, committed) != 0)
            fail_msg("%s differs from `stagecast help %s`: run `make update-cli-docs` and "
                     "commit it",
                     docs[i].file, docs[i].flag);
        free(made);
        free(committed);
    }
}

/* Every command `stagecast help` lists answers --help and -h with exit 0
 * and its usage, the same as `help COMMAND`, listing each of its options
 * the reference lists. */
static void test_every_command_answers_help(void **state)
{
    (void)state;
    int rc;
    char *overview = output_of("help", &rc);
    assert_int_equal(rc, 0);
    char *reference = output_of("help --markdown", &rc);
    assert_int_equal(rc, 0);
    const char *p = strstr(overview, "commands:\n");
    assert_non_null(p);
    int n_commands = 0;
    for (p = strchr(p, '\n') + 1; strncmp(p, "  ", 2) == 0; p = strchr(p, '\n') + 1) {
        char name[64];
        if (p[2] == ' ' || sscanf(p + 2, "%63s", name) != 1)
            continue; /* a wrapped summary */
        n_commands++;
        char args[128], usage[128];
        snprintf(usage, sizeof usage, "usage: stagecast %s", name);
        snprintf(args, sizeof args, "help %s", name);
        char *via_help = output_of(args, &rc);
        assert_int_equal(rc, 0);
        assert_true(strncmp(via_help, usage, strlen(usage)) == 0);
        const char *flags[] = {"--help", "-h"};
        for (int k = 0; k < 2; k++) {
            snprintf(args, sizeof args, "%s %s", name, flags[k]);
            char *out = output_of(args, &rc);
            if (rc != 0 || strcmp(out, via_help) != 0)
                fail_msg("'stagecast %s' exited %d or differs from 'stagecast help %s'", args, rc,
                         name);
            free(out);
        }
        /* Its options, as its section of the reference lists them. */
        char heading[128];
        snprintf(heading, sizeof heading, "\n## stagecast %s\n", name);
        const char *sec = strstr(reference, heading);
        assert_non_null(sec);
        const char *end = strstr(sec + 1, "\n## ");
        for (const char *o = strstr(sec, "`--"); o && (!end || o < end); o = strstr(o + 1, "`--")) {
            char opt[64];
            size_t len = strcspn(o + 1, " `");
            snprintf(opt, sizeof opt, "%.*s", (int)len, o + 1);
            if (!strstr(via_help, opt))
                fail_msg("'stagecast %s --help' does not list %s", name, opt);
        }
        assert_non_null(strstr(via_help, "--help"));
        free(via_help);
    }
    assert_true(n_commands >= 12);
    free(overview);
    free(reference);
}

static void test_help_for_an_unknown_command_fails(void **state)
{
    (void)state;
    assert_int_equal(run("help frobnicate"), 2);
    char *err = slurp(work_file("err.txt"));
    assert_non_null(strstr(err, "unknown command 'frobnicate'"));
    free(err);
    assert_int_equal(run("help run plan"), 2);
    assert_int_equal(run("run --help=yes"), 2);
}

/* $STAGECAST_CATALOG is used, or reported when it cannot be read: never
 * silently replaced by the shipped catalog. */
static void test_named_catalog_is_used_or_reported(void **state)
{
    (void)state;
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "STAGECAST_CATALOG='%s/models/azure-nodes.csv' '%s' nodes", srcdir,
             binary);
    assert_int_equal(harness_sh(workdir, cmd), 0);
    char *out = slurp(work_file("out.txt"));
    assert_non_null(strstr(out, "Standard_DS3_v2"));
    free(out);
    snprintf(cmd, sizeof cmd, "STAGECAST_CATALOG='%s/nowhere.csv' '%s' nodes", workdir, binary);
    assert_int_equal(harness_sh(workdir, cmd), 2);
    char *err = slurp(work_file("err.txt"));
    assert_non_null(strstr(err, "nowhere.csv"));
    free(err);
}

/* A scenario with timestamp columns, end to end: it plans (the filter on a
 * string literal kept as written), calibrates on generated timestamps, and
 * the selectivity calibration measures is the planner's: December of a
 * column uniform over 2024 is 31/366 = 0.085, one day through to_date
 * 1/366 = 0.003 (printed with three decimals). */
static void test_timestamp_scenario_plans_and_calibrates(void **state)
{
    (void)state;
    clean_workdir();
    char args[1024];
    snprintf(args, sizeof args, "plan '%s/tests/scenarios/good/timestamps.cfg'", srcdir);
    if (run(args) != 0)
        fail_msg("plan: %s", slurp(work_file("err.txt")));
    char *out = slurp(work_file("out.txt"));
    assert_non_null(strstr(out, "Filter (event_time >= '2024-12-01 00:00:00')"));
    assert_non_null(strstr(out, "Filter (to_date(event_time) = DATE '2024-06-15')"));
    /* hour(event_time) makes 24 groups. */
    assert_non_null(strstr(out, "rows in 384, out 24"));
    free(out);
    snprintf(args, sizeof args, "calibrate '%s/tests/scenarios/good/timestamps.cfg'", srcdir);
    if (run(args) != 0)
        fail_msg("calibrate: %s", slurp(work_file("err.txt")));
    out = slurp(work_file("out.txt"));
    /* Each pipeline's line: job stage pipeline ns/row +- ci R2 sel ...; the
     * largest sample is 32768 rows, so December keeps about 2775 of them
     * (binomial sd 50: +-0.0015) and one day about 90 (sd 9.4: +-0.0003). */
    static const struct {
        const char *pipeline;
        double want, tol;
    } lines[] = {{"scan>filter>project>agg>exchange", 31.0 / 366.0, 0.006},
                 {"scan>filter>agg>exchange", 1.0 / 366.0, 0.0012}};
    for (size_t i = 0; i < 2; i++) {
        const char *at = strstr(out, lines[i].pipeline);
        assert_non_null(at);
        while (at > out && at[-1] != '\n')
            at--;
        int job, stage;
        char name[64];
        double ns, ci, r2, sel;
        if (sscanf(at, "%d %d %63s %lf +- %lf %lf %lf", &job, &stage, name, &ns, &ci, &r2, &sel) !=
                7 ||
            fabs(sel - lines[i].want) > lines[i].tol)
            fail_msg("%s: measured selectivity is not %.4f:\n%s", lines[i].pipeline, lines[i].want,
                     out);
    }
    free(out);
    assert_int_equal(stray_files(), 0);
}

/* `plan --calibrated` prints the plan `run` simulates: for two bundled
 * scenarios and measured-filter.cfg (whose year(d) = 2024 filters calibration
 * measures), every planned stage's rows in and out agree exactly with run's
 * JSON input_records and output_records, and its shuffle write with the
 * JSON's shuffle_write_bytes (as plan formats bytes); the JSON says where
 * the rows come from. */
static void test_calibrated_plan_agrees_with_run(void **state)
{
    (void)state;
    static const char *const files[] = {"scenarios/seed-analytics.cfg", "scenarios/walkthrough.cfg",
                                        "tests/scenarios/good/measured-filter.cfg"};
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        clean_workdir();
        char args[1024];
        int rc;
        snprintf(args, sizeof args, "plan --calibrated '%s/%s'", srcdir, files[f]);
        char *plan = output_of(args, &rc);
        if (rc != 0)
            fail_msg("%s: %s", args, slurp(work_file("err.txt")));
        assert_non_null(strstr(plan, "estimates: calibrated"));
        snprintf(args, sizeof args, "run -q --json - '%s/%s'", srcdir, files[f]);
        char *json = output_of(args, &rc);
        if (rc != 0)
            fail_msg("%s: %s", args, slurp(work_file("err.txt")));
        json_error_t err;
        json_t *root = json_loads(json, 0, &err);
        assert_non_null(root);
        /* Walk plan's "job N" headers and "rows in" lines in order beside
         * the JSON's planned stages. */
        const char *at = plan;
        size_t n_jobs = json_array_size(json_object_get(root, "jobs")), checked = 0;
        for (size_t j = 0; j < n_jobs; j++) {
            char head[32];
            snprintf(head, sizeof head, "\njob %zu '", j);
            at = strstr(at, head);
            assert_non_null(at);
            json_t *stages =
                json_object_get(json_array_get(json_object_get(root, "jobs"), j), "stages");
            for (size_t k = 0; k < json_array_size(stages); k++) {
                json_t *st = json_array_get(stages, k);
                if (json_is_null(json_object_get(st, "input_records")))
                    continue;
                at = strstr(at, "    rows in ");
                assert_non_null(at);
                const char *eol = strchr(at, '\n');
                char line[512], want[512], bytes[32];
                snprintf(line, sizeof line, "%.*s", (int)(eol - at), at);
                /* Digits grouped by commas ("1,995,117") read as one number. */
                char plain[512];
                size_t o = 0;
                for (size_t i = 0; line[i] && o + 1 < sizeof plain; i++)
                    if (!(line[i] == ',' && i > 0 && isdigit((unsigned char)line[i - 1]) &&
                          isdigit((unsigned char)line[i + 1])))
                        plain[o++] = line[i];
                plain[o] = '\0';
                long long in = -1, out = -1;
                assert_int_equal(sscanf(plain, "    rows in %lld, out %lld", &in, &out), 2);
                if (in != json_integer_value(json_object_get(st, "input_records")) ||
                    out != json_integer_value(json_object_get(st, "output_records")))
                    fail_msg("%s job %zu stage %zu: plan says '%s', run %lld -> %lld", files[f], j,
                             k, line,
                             (long long)json_integer_value(json_object_get(st, "input_records")),
                             (long long)json_integer_value(json_object_get(st, "output_records")));
                double w = json_number_value(json_object_get(st, "shuffle_write_bytes"));
                if (w > 0.0) {
                    snprintf(want, sizeof want, ", %s shuffle write",
                             units_format_bytes((int64_t)llround(w), bytes, sizeof bytes));
                    if (!strstr(line, want))
                        fail_msg("%s job %zu stage %zu: plan says '%s', run wrote %.0f bytes",
                                 files[f], j, k, line, w);
                } else {
                    assert_null(strstr(line, "shuffle write"));
                }
                json_t *es = json_object_get(st, "estimate_source");
                assert_true(json_is_string(es) || json_is_null(es));
                /* measured-filter's first stage: its filter measured. */
                if (f == 2 && j == 0 && k == 0)
                    assert_string_equal(json_string_value(es), "measured");
                at = eol;
                checked++;
            }
        }
        assert_true(checked > 0);
        json_decref(root);
        free(json);
        free(plan);
    }
    assert_int_equal(stray_files(), 0);
}

int main(void)
{
    binary = getenv("STAGECAST");
    srcdir = getenv("SRCDIR");
    if (!binary || !srcdir) {
        fprintf(stderr, "test_cli: set STAGECAST and SRCDIR (make check does)\n");
        return 1;
    }
    snprintf(workdir, sizeof workdir, "/tmp/stagecast-cli-XXXXXX");
    if (!mkdtemp(workdir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_bundled_scenario_runs),
        cmocka_unit_test(test_full_stdout_fails_every_command),
        cmocka_unit_test(test_run_json_reports_local_disk),
        cmocka_unit_test(test_calibrated_plan_agrees_with_run),
        cmocka_unit_test(test_same_seed_writes_same_bytes),
        cmocka_unit_test(test_bad_inputs_fail_cleanly),
        cmocka_unit_test(test_speculation_does_not_keep_a_stuck_run_going),
        cmocka_unit_test(test_missing_file_fails_cleanly),
        cmocka_unit_test(test_unwritable_output_leaves_nothing),
        cmocka_unit_test(test_dev_null_stays_a_device),
        cmocka_unit_test(test_outputs_sharing_a_path_are_refused),
        cmocka_unit_test(test_signal_removes_temporary_outputs),
        cmocka_unit_test(test_control_characters_are_escaped_on_the_terminal),
        cmocka_unit_test(test_outputs_follow_the_umask),
        cmocka_unit_test(test_usage_errors_exit_2),
        cmocka_unit_test(test_nodes_lists_the_catalog),
        cmocka_unit_test(test_committed_docs_match_the_option_tables),
        cmocka_unit_test(test_every_command_answers_help),
        cmocka_unit_test(test_help_for_an_unknown_command_fails),
        cmocka_unit_test(test_named_catalog_is_used_or_reported),
        cmocka_unit_test(test_timestamp_scenario_plans_and_calibrates),
        cmocka_unit_test(test_memory_limit_refuses_up_front),
        cmocka_unit_test(test_directory_or_compressed_scenario_is_named),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    clean_workdir();
    rmdir(workdir);
    return rc;
}
