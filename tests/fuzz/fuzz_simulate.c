/*
 * fuzz_simulate.c — libFuzzer harness for the simulation itself: the input
 * is a scenario file, read and planned as `stagecast plan` does, then
 * simulated without calibration (a stage without task_seconds takes the
 * planner's default cost: calibration times kernels on this host, which is
 * neither deterministic nor bounded by the input), and its table and JSON
 * report printed, as `stagecast run` does.
 *
 * Bounds: inputs over FUZZ_MAX_INPUT are skipped, and so is any input that
 * names libconfig's @include (fuzz_scenario.c says why). The work is
 * capped, not guessed from the input: a footprint over 256 MiB is refused
 * before anything is allocated (footprint.h), and the run stops with
 * SC_ELIMIT after MAX_EVENTS engine events. An input that reaches the cap
 * is not a failure here; one that takes more than a second under it is
 * (libFuzzer's -timeout): work that grows with something other than the
 * events, such as the simulated span or the bytes, shows that way.
 */
#include <jansson.h>
#include <stdbool.h>
#include <string.h>

#include "sim/output/report.h"
#include "sim/pipeline/pipeline.h"
#include "sim/runtime/runtime.h"
#include "tests/fuzz/fuzz_harness.h"

/* An event of a wide shuffle costs 30 to 60 us here (network solves under
 * -fsanitize=fuzzer's comparison tracing, 70% of the time), against 1.5 us
 * in a plain build: 10,000 leave room under -timeout=1 on a loaded machine,
 * where 20,000 took 0.6 to 1.1 s of CPU on the wide-shuffle seed. */
#define MAX_EVENTS 10000
#define MAX_FOOTPRINT_BYTES (256.0 * 1024 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT || fuzz_names_include(data, size))
        return 0;
    const char *path = fuzz_tmp_write("scenario.cfg", data, size);
    struct pipeline_request rq = {.until = PIPELINE_PLAN,
                                  .path = path,
                                  .catalog = fuzz_catalog(),
                                  .memory_limit_bytes = MAX_FOOTPRINT_BYTES};
    struct pipeline pl;
    memset(&pl, 0, sizeof pl);
    struct diag d;
    diag_clear(&d);
    if (pipeline_run(&pl, &rq, &d) != SC_OK) {
        if (d.status == SC_OK)
            __builtin_trap(); /* a failure must say why */
        fuzz_note("refused", &d);
        pipeline_fini(&pl);
        return 0;
    }
    struct sim_options opt = {.seed = pl.scn->seed,
                              .task_records = false,
                              .memory_limit_bytes = MAX_FOOTPRINT_BYTES,
                              .max_events = MAX_EVENTS};
    diag_clear(&d);
    struct sim *sim = sim_new(pl.plan, &pl.cl, &opt, &d);
    if (sim && sim_run(sim, &d) == SC_OK) {
        fuzz_note("simulated", NULL);
        const struct results *r = sim_results(sim);
        report_table(fuzz_sink(), pl.plan, &pl.cl, r);
        json_t *doc = report_json_build(pl.plan, &pl.cl, r);
        json_decref(doc);
    } else if (d.status == SC_EINTERNAL || d.status == SC_OK) {
        /* An invariant of the simulator broke, or it failed silently. */
        fuzz_note("internal error", &d);
        __builtin_trap();
    } else {
        fuzz_note(d.status == SC_ELIMIT ? "capped" : "refused", &d);
    }
    sim_free(sim);
    pipeline_fini(&pl);
    return 0;
}
