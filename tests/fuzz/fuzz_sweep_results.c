/*
 * fuzz_sweep_results.c — libFuzzer harness for the sweep results reader
 * (sim/sweep/sweep_results.c): the input is a results file (a header line
 * and run lines, JSON), merged as `stagecast merge FILE` does: the sweep
 * rebuilt from its header, its runs read in, the statistics worked out,
 * and the table, JSON and CSV written.
 *
 * Bounds: inputs over FUZZ_MAX_INPUT are skipped.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sweep/sweep.h"
#include "sim/sweep/sweep_internal.h"
#include "tests/fuzz/fuzz_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        return 0;
    const char *path = fuzz_tmp_write("results.jsonl", data, size);
    const char *files[] = {path};
    struct sweep_args a;
    memset(&a, 0, sizeof a);
    a.merge = true;
    a.files = files;
    a.n_files = 1;
    a.deadline_s = NAN;
    a.confidence = NAN;
    struct diag d;
    diag_clear(&d);
    struct sweep *sw = sweep_merge_files(&a, &d);
    if (sw && sweep_summarize(sw, &d) == SC_OK) {
        fuzz_note("merged", NULL);
        sweep_print_table(fuzz_sink(), sw);
        (void)sweep_write_json(fuzz_sink(), sw, &d);
        (void)sweep_write_csv(fuzz_sink(), sw, &d);
        size_t len = 0;
        free(sweep_runs_text(sw, &len, &d));
    }
    if (d.status != SC_OK)
        fuzz_note("refused", &d);
    sweep_free(sw);
    return 0;
}
