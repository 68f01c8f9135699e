/*
 * fuzz_scenario.c — libFuzzer harness for the scenario reader and the
 * planner: the input is a scenario file (libconfig text), read and planned
 * exactly as `stagecast plan` does (pipeline_run up to PIPELINE_PLAN), and
 * the plan printed. Nothing is calibrated or simulated: calibration times
 * kernels on this host, which is neither deterministic nor bounded by the
 * input.
 *
 * Bounds: inputs over FUZZ_MAX_INPUT are skipped, and so is any input that
 * names libconfig's @include, which reads another file of the machine
 * (/dev/zero never ends) rather than the fuzzer's input.
 */
#include <stdbool.h>
#include <string.h>

#include "sim/pipeline/pipeline.h"
#include "sim/plan/plan_print.h"
#include "tests/fuzz/fuzz_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT || fuzz_names_include(data, size))
        return 0;
    const struct catalog *cat = fuzz_catalog();
    const char *path = fuzz_tmp_write("scenario.cfg", data, size);

    struct pipeline_request rq = {.until = PIPELINE_PLAN, .path = path, .catalog = cat};
    struct pipeline pl;
    memset(&pl, 0, sizeof pl);
    struct diag d;
    diag_clear(&d);
    if (pipeline_run(&pl, &rq, &d) == SC_OK) {
        fuzz_note("planned", NULL);
        plan_print(fuzz_sink(), pl.plan, &pl.cl, false);
    } else if (d.status != SC_OK) {
        fuzz_note("refused", &d);
    } else {
        /* A failure must say why: the CLI prints d and nothing else. */
        __builtin_trap();
    }
    pipeline_fini(&pl);
    return 0;
}
