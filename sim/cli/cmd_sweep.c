/*
 * cmd_sweep.c — `stagecast sweep` and `stagecast merge`: the options are
 * read by sweep_args.c, the work is sim/sweep/sweep.c's; under mpirun (when
 * built with MPI) each rank takes its share of the points.
 */
#include "config.h"

#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "sim/calib/calibrate.h"
#include "sim/cli/commands.h"
#include "sim/cli/env.h"
#include "sim/cli/sweep_args.h"
#include "sim/sweep/sweep.h"
#ifdef HAVE_MPI
#include "sim/sweep/sweep_mpi.h"
#endif

/* Keeps the memory a simulation frees for the next one. Every point of a
 * sweep allocates and frees the same few megabytes (the network model's
 * arrays grow with workers x cores), and glibc by default hands a freed
 * heap top back to the kernel (trim threshold 128 KiB, raised only as far
 * as the largest block freed) and serves big blocks with mmap, so the next
 * point faulted the same pages in again: at 1,600-2,000 workers, 2.5
 * million page faults for 2,000 points and half the CPU time in the
 * kernel. A fixed mmap threshold (32 MiB, glibc's largest) and trim
 * threshold (256 MiB) keep the pages; the sweep's peak memory grows by
 * about that of one point per thread. A process-wide policy, so the
 * command sets it, not the library. */
static void keep_freed_memory(void)
{
#if defined(__GLIBC__) && defined(M_TRIM_THRESHOLD) && defined(M_MMAP_THRESHOLD)
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

/* Runs the sweep (or merge) a describes, alone or as an MPI rank. */
static enum sc_status execute(const struct sweep_args *a, struct diag *d)
{
    struct sweep_io io = {stdout, !a->quiet && isatty(STDERR_FILENO) ? stderr : NULL, NULL,
                          stderr};
    enum sc_status st = SC_OK;
    keep_freed_memory();
#ifdef HAVE_MPI
    struct sweep_peer peer;
    if (sweep_mpi_launched() && (st = sweep_mpi_start(&peer, d)) == SC_OK)
        io.peer = &peer;
#endif
    if (st == SC_OK)
        st = sweep_execute(a, &io, d);
#ifdef HAVE_MPI
    if (io.peer)
        sweep_mpi_finish(&peer);
#endif
    return st;
}

static int run_sweep(const struct cli_command *cmd, int argc, char **argv,
                     const struct cli_env *env)
{
    struct diag d;
    diag_clear(&d);
    struct sweep_args a;
    bool help = false;
    if (cli_sweep_parse(argc, argv, cmd == &cli_cmd_merge, &a, &help, &d) != SC_OK) {
        cli_sweep_args_fini(&a);
        return cli_usage_error(cmd, "%s", d.msg);
    }
    if (help) {
        cli_sweep_args_fini(&a);
        cli_print_usage(stdout, cmd);
        return cli_flush_stdout();
    }
    /* merge calibrates nothing: a malformed calibration variable is not its
     * concern. */
    struct calibrate_options host;
    enum sc_status st = a.merge ? SC_OK : cli_env_calibrate_options(env, &host, &d);
    a.catalog_path = env->catalog;
    a.calib = a.merge ? NULL : &host;
    a.plot = &env->plot;
    if (st == SC_OK && !a.merge)
        st = cli_env_memory_limit(env, &a.memory_limit_bytes, &d);
    if (st == SC_OK)
        st = execute(&a, &d);
    cli_sweep_args_fini(&a);
    if (st == SC_OK && fflush(stdout) != 0)
        st = diag_set(&d, SC_EIO, NULL, 0, "writing to standard output failed");
    return st == SC_OK ? 0 : cli_report_error(&d);
}

static int cmd_sweep(int argc, char **argv, const struct cli_env *env)
{
    return run_sweep(&cli_cmd_sweep, argc, argv, env);
}

static int cmd_merge(int argc, char **argv, const struct cli_env *env)
{
    return run_sweep(&cli_cmd_merge, argc, argv, env);
}

const struct cli_command cli_cmd_sweep = {
    "sweep",
    "FILE",
    "run a scenario over a grid of clusters and settings and find the cheapest",
    "Each point of the grid (node types x worker counts x autoscale ranges x spot fractions x "
    "settings) is replicated over seeds. Prints the points sorted by cost with their mean "
    "makespan and its interval, the Pareto front of makespan against cost, and the cheapest "
    "point that meets the deadline at the stated confidence. Runs are spread over threads, "
    "shards (--shard, then merge) or MPI ranks (mpirun stagecast sweep); the output is the "
    "same either way.",
    cli_sweep_options,
    CLI_N_SWEEP_OPTIONS,
    cmd_sweep,
};

const struct cli_command cli_cmd_merge = {
    "merge",
    "F.jsonl...",
    "join sweep results files (shards) into the sweep's outputs",
    "Reads the results files that sweeps with --results (and --shard) wrote and prints the "
    "table, JSON, CSV and plot the whole sweep would have.",
    cli_merge_options,
    CLI_N_MERGE_OPTIONS,
    cmd_merge,
};
