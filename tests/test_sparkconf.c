/*
 * test_sparkconf.c — Spark settings: defaults, type checks, unknown keys
 * (sim/input/sparkconf.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <string.h>

#include "sim/input/sparkconf.h"

/* cmocka 1.1 compares only floats; seconds need doubles. */
#define assert_near(a, b, eps) assert_near_at((a), (b), (eps), __FILE__, __LINE__)
static void assert_near_at(double a, double b, double eps, const char *file, int line)
{
    if (!(fabs(a - b) <= eps)) {
        print_error("%.17g is not %.17g (within %g)\n", a, b, eps);
        _fail(file, line);
    }
}

static int setup(void **state)
{
    static struct spark_conf conf;
    spark_conf_init(&conf);
    *state = &conf;
    return 0;
}

static int teardown(void **state)
{
    spark_conf_fini(*state);
    return 0;
}

/* Sets key = value, expecting success. */
static void set_ok(struct spark_conf *c, const char *key, const char *value)
{
    struct diag d;
    diag_clear(&d);
    assert_int_equal(spark_conf_set(c, key, value, "x.cfg", 3, &d), SC_OK);
    assert_int_equal(d.status, SC_OK);
}

/* Sets key = value, expecting an input error at x.cfg:7 whose message
 * contains want. */
static void set_fails(struct spark_conf *c, const char *key, const char *value, const char *want)
{
    struct diag d;
    diag_clear(&d);
    size_t before = c->n;
    assert_int_equal(spark_conf_set(c, key, value, "x.cfg", 7, &d), SC_EINPUT);
    assert_int_equal(d.status, SC_EINPUT);
    assert_string_equal(d.file, "x.cfg");
    assert_int_equal(d.line, 7);
    if (strstr(d.msg, want) == NULL)
        fail_msg("message \"%s\" does not contain \"%s\"", d.msg, want);
    assert_int_equal(c->n, before); /* nothing stored */
}

static void test_defaults_when_unset(void **state)
{
    const struct spark_conf *c = *state;
    assert_int_equal(spark_conf_int(c, "spark.sql.shuffle.partitions"), 200);
    assert_int_equal(spark_conf_int(c, "spark.task.cpus"), 1);
    assert_int_equal(spark_conf_int(c, "spark.task.maxFailures"), 4);
    /* 128 MiB = 134217728, 4 MiB, 10 MiB, 48 MiB */
    assert_int_equal(spark_conf_bytes(c, "spark.sql.files.maxPartitionBytes"), 134217728);
    assert_int_equal(spark_conf_bytes(c, "spark.sql.files.openCostInBytes"), 4194304);
    assert_int_equal(spark_conf_bytes(c, "spark.sql.autoBroadcastJoinThreshold"), 10485760);
    assert_int_equal(spark_conf_bytes(c, "spark.reducer.maxSizeInFlight"), 50331648);
    assert_int_equal(spark_conf_bytes(c, "spark.executor.memory"), 1073741824);
    assert_int_equal(
        spark_conf_bytes(c, "spark.sql.adaptive.skewJoin.skewedPartitionThresholdInBytes"),
        268435456);
    assert_true(spark_conf_bool(c, "spark.sql.adaptive.enabled"));
    assert_true(spark_conf_bool(c, "spark.sql.adaptive.coalescePartitions.parallelismFirst"));
    assert_false(spark_conf_bool(c, "spark.speculation"));
    assert_false(spark_conf_bool(c, "spark.dynamicAllocation.enabled"));
    assert_near(spark_conf_double(c, "spark.memory.fraction"), 0.6, 0.0);
    assert_near(spark_conf_double(c, "spark.sql.adaptive.skewJoin.skewedPartitionFactor"), 5.0,
                0.0);
    assert_near(spark_conf_seconds(c, "spark.locality.wait"), 3.0, 0.0);
    assert_near(spark_conf_seconds(c, "spark.speculation.minTaskRuntime"), 0.1, 1e-12);
    assert_near(spark_conf_seconds(c, "spark.dynamicAllocation.executorIdleTimeout"), 60.0, 0.0);
    assert_string_equal(spark_conf_string(c, "spark.scheduler.mode"), "FIFO");
    assert_string_equal(spark_conf_string(c, "spark.io.compression.codec"), "lz4");
    assert_int_equal(spark_conf_int(c, "spark.reducer.maxReqsInFlight"), 2147483647);
    assert_int_equal(spark_conf_int(c, "spark.dynamicAllocation.maxExecutors"), 2147483647);
    assert_null(spark_conf_get(c, "spark.sql.shuffle.partitions"));
}

static void test_keys_without_default_read_as_zero(void **state)
{
    const struct spark_conf *c = *state;
    assert_int_equal(spark_conf_int(c, "spark.default.parallelism"), 0);
    assert_int_equal(spark_conf_int(c, "spark.executor.instances"), 0);
    assert_int_equal(spark_conf_bytes(c, "spark.executor.memoryOverhead"), 0);
}

static void test_unset_key_follows_its_fallback(void **state)
{
    struct spark_conf *c = *state;
    /* sustainedSchedulerBacklogTimeout defaults to schedulerBacklogTimeout */
    assert_near(spark_conf_seconds(c, "spark.dynamicAllocation.sustainedSchedulerBacklogTimeout"),
                1.0, 0.0);
    set_ok(c, "spark.dynamicAllocation.schedulerBacklogTimeout", "5s");
    assert_near(spark_conf_seconds(c, "spark.dynamicAllocation.sustainedSchedulerBacklogTimeout"),
                5.0, 0.0);
    set_ok(c, "spark.dynamicAllocation.minExecutors", "3");
    assert_int_equal(spark_conf_int(c, "spark.dynamicAllocation.initialExecutors"), 3);
    set_ok(c, "spark.sql.shuffle.partitions", "64");
    assert_int_equal(spark_conf_int(c, "spark.sql.adaptive.coalescePartitions.initialPartitionNum"),
                     64);
}

static void test_set_values_override_defaults(void **state)
{
    struct spark_conf *c = *state;
    set_ok(c, "spark.sql.shuffle.partitions", "64");
    set_ok(c, "spark.sql.adaptive.enabled", "FALSE");
    set_ok(c, "spark.memory.fraction", "0.75");
    set_ok(c, "spark.sql.adaptive.advisoryPartitionSizeInBytes", "32m");
    set_ok(c, "spark.locality.wait", "500ms");
    set_ok(c, "spark.executor.memory", "4g");
    assert_int_equal(spark_conf_int(c, "spark.sql.shuffle.partitions"), 64);
    assert_false(spark_conf_bool(c, "spark.sql.adaptive.enabled"));
    assert_near(spark_conf_double(c, "spark.memory.fraction"), 0.75, 0.0);
    assert_int_equal(spark_conf_bytes(c, "spark.sql.adaptive.advisoryPartitionSizeInBytes"),
                     33554432);
    assert_near(spark_conf_seconds(c, "spark.locality.wait"), 0.5, 1e-12);
    assert_int_equal(spark_conf_bytes(c, "spark.executor.memory"), 4294967296LL);

    const struct spark_setting *s = spark_conf_get(c, "spark.sql.shuffle.partitions");
    assert_non_null(s);
    assert_true(s->known);
    assert_int_equal(s->type, SPARK_INT);
    assert_string_equal(s->s, "64");
    assert_int_equal(s->line, 3);
}

static void test_setting_twice_keeps_the_last(void **state)
{
    struct spark_conf *c = *state;
    set_ok(c, "spark.task.cpus", "2");
    set_ok(c, "spark.task.cpus", "4");
    assert_int_equal(c->n, 1);
    assert_int_equal(spark_conf_int(c, "spark.task.cpus"), 4);
}

static void test_scheduler_mode_is_fifo_or_fair_in_any_case(void **state)
{
    struct spark_conf *c = *state;
    set_ok(c, "spark.scheduler.mode", "fair");
    /* stored in Spark's spelling */
    assert_string_equal(spark_conf_string(c, "spark.scheduler.mode"), "FAIR");
    set_fails(c, "spark.scheduler.mode", "LIFO", "must be one of FIFO, FAIR");
}

static void test_wrong_types_are_input_errors(void **state)
{
    struct spark_conf *c = *state;
    set_fails(c, "spark.sql.shuffle.partitions", "lots", "must be an integer");
    set_fails(c, "spark.sql.shuffle.partitions", "200.5", "must be an integer");
    set_fails(c, "spark.sql.adaptive.enabled", "yes", "must be true or false");
    set_fails(c, "spark.memory.fraction", "most", "must be a number");
    set_fails(c, "spark.sql.files.maxPartitionBytes", "big", "must be a size");
    set_fails(c, "spark.locality.wait", "soon", "must be a duration");
}

static void test_counts_below_their_minimum_are_refused(void **state)
{
    struct spark_conf *c = *state;
    set_fails(c, "spark.task.cpus", "0", "must be at least 1");
    set_fails(c, "spark.task.cpus", "-2", "must be at least 1");
    set_fails(c, "spark.sql.shuffle.partitions", "0", "must be at least 1");
    set_fails(c, "spark.dynamicAllocation.minExecutors", "-1", "must not be negative");
    set_fails(c, "spark.memory.fraction", "1.5", "must be at most 1");
    /* 1e8 partitions, the most tasks of one stage (issue 15: 2147483647 ran out of memory). */
    set_fails(c, "spark.sql.shuffle.partitions", "3000000000", "must be at most 100000000");
    set_fails(c, "spark.sql.shuffle.partitions", "2147483647", "must be at most 100000000");
}

static void test_broadcast_threshold_accepts_minus_one(void **state)
{
    struct spark_conf *c = *state;
    /* -1 disables broadcast joins; nothing below it means anything */
    set_ok(c, "spark.sql.autoBroadcastJoinThreshold", "-1");
    assert_int_equal(spark_conf_bytes(c, "spark.sql.autoBroadcastJoinThreshold"), -1);
    set_fails(c, "spark.sql.autoBroadcastJoinThreshold", "-2", "must be at least -1");
    set_fails(c, "spark.sql.files.maxPartitionBytes", "-1", "must be at least 1");
}

static void test_bare_numbers_spark_reads_in_other_units_are_refused(void **state)
{
    struct spark_conf *c = *state;
    /* Spark reads these bare numbers as MiB and ms: 96 would be 96 MiB in
     * Spark and 96 bytes here, so we ask for the unit. */
    set_fails(c, "spark.reducer.maxSizeInFlight", "96", "needs a unit");
    set_fails(c, "spark.executor.memory", "4096", "Spark reads a bare number here in MiB");
    set_fails(c, "spark.locality.wait", "100", "Spark reads a bare number here in ms");
    /* 0 is 0 in any unit */
    set_ok(c, "spark.locality.wait", "0");
    assert_near(spark_conf_seconds(c, "spark.locality.wait"), 0.0, 0.0);
    /* Where Spark also reads bytes and seconds, bare numbers are fine. */
    set_ok(c, "spark.sql.files.maxPartitionBytes", "1048576");
    assert_int_equal(spark_conf_bytes(c, "spark.sql.files.maxPartitionBytes"), 1048576);
    set_ok(c, "spark.dynamicAllocation.executorIdleTimeout", "120");
    assert_near(spark_conf_seconds(c, "spark.dynamicAllocation.executorIdleTimeout"), 120.0, 0.0);
}

static void test_unknown_keys_are_kept_and_flagged(void **state)
{
    struct spark_conf *c = *state;
    set_ok(c, "spark.databricks.delta.optimizeWrite.enabled", "true");
    set_ok(c, "spark.kryoserializer.buffer.max", "512m");
    set_ok(c, "spark.sql.broadcastTimeout", "300");
    set_ok(c, "spark.some.ratio", "0.25");
    assert_int_equal(c->n, 4);

    const struct spark_setting *s =
        spark_conf_get(c, "spark.databricks.delta.optimizeWrite.enabled");
    assert_non_null(s);
    assert_false(s->known);
    assert_int_equal(s->type, SPARK_BOOL);
    assert_int_equal(s->i, 1);
    s = spark_conf_get(c, "spark.kryoserializer.buffer.max");
    assert_int_equal(s->type, SPARK_STRING);
    assert_string_equal(s->s, "512m");
    s = spark_conf_get(c, "spark.sql.broadcastTimeout");
    assert_int_equal(s->type, SPARK_INT);
    assert_int_equal(s->i, 300);
    s = spark_conf_get(c, "spark.some.ratio");
    assert_int_equal(s->type, SPARK_DOUBLE);
    assert_near(s->d, 0.25, 0.0);
}

static void test_typed_getters_refuse_unknown_or_mistyped_keys(void **state)
{
    struct spark_conf *c = *state;
    set_ok(c, "spark.sql.broadcastTimeout", "300");
    /* unknown to the table: a caller bug, read as 0 */
    assert_int_equal(spark_conf_int(c, "spark.sql.broadcastTimeout"), 0);
    assert_null(spark_conf_string(c, "spark.sql.broadcastTimeout"));
    /* a known key read with the getter of another type */
    assert_int_equal(spark_conf_int(c, "spark.memory.fraction"), 0);
    assert_near(spark_conf_double(c, "spark.sql.shuffle.partitions"), 0.0, 0.0);
    assert_false(spark_conf_bool(c, "spark.sql.shuffle.partitions"));
    assert_null(spark_conf_string(c, "spark.sql.adaptive.enabled"));
}

static void test_keys_must_start_with_spark(void **state)
{
    struct spark_conf *c = *state;
    set_fails(c, "sql.shuffle.partitions", "8", "does not start with \"spark.\"");
    set_fails(c, "spark.", "8", "does not start with \"spark.\"");
}

static void test_every_known_default_parses(void **state)
{
    struct spark_conf *c = *state;
    size_t n = 0;
    const struct spark_key *keys = spark_known_keys(&n);
    assert_true(n >= 40);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(strncmp(keys[i].key, "spark.", 6), 0);
        assert_true(strlen(keys[i].doc) > 10);
        assert_ptr_equal(spark_key_find(keys[i].key), &keys[i]); /* names are unique */
        if (keys[i].default_value[0] != '\0')
            set_ok(c, keys[i].key, keys[i].default_value);
        else /* unset means a number left out, another key's value, or text
              * without a default (spark.master: read as "") */
            assert_true(keys[i].type == SPARK_INT || keys[i].type == SPARK_BYTES ||
                        keys[i].type == SPARK_SECONDS || keys[i].type == SPARK_STRING ||
                        keys[i].fallback != NULL);
    }
    assert_null(spark_key_find("spark.no.such.key"));
    assert_string_equal(spark_conf_string(c, "spark.master"), "");
}

int main(void)
{
    gsl_set_error_handler_off();
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_defaults_when_unset),
        T(test_keys_without_default_read_as_zero),
        T(test_unset_key_follows_its_fallback),
        T(test_set_values_override_defaults),
        T(test_setting_twice_keeps_the_last),
        T(test_scheduler_mode_is_fifo_or_fair_in_any_case),
        T(test_wrong_types_are_input_errors),
        T(test_counts_below_their_minimum_are_refused),
        T(test_broadcast_threshold_accepts_minus_one),
        T(test_bare_numbers_spark_reads_in_other_units_are_refused),
        T(test_unknown_keys_are_kept_and_flagged),
        T(test_typed_getters_refuse_unknown_or_mistyped_keys),
        T(test_keys_must_start_with_spark),
        T(test_every_known_default_parses),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
