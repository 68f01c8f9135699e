/*
 * sweep_mpi.c — a sweep across MPI ranks. The sweep itself (sweep.c) knows
 * only a struct sweep_peer: rank r runs the points with index % size == r,
 * all ranks agree on whether set-up succeeded, and rank 0 gathers every
 * rank's finished runs as results-file text, which it reads exactly as
 * `stagecast merge` reads shard files. This file fills that struct with MPI
 * calls, and is the only one that includes <mpi.h>.
 *
 * Only the main thread calls MPI (the sweep's worker threads never do), so
 * MPI_THREAD_FUNNELED is enough.
 */
#include "config.h"

#include "sim/sweep/sweep_mpi.h"

#include <mpi.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Texts move in pieces below MPI's int counts. */
#define CHUNK_BYTES (1 << 28)
#define TAG_LEN 1
#define TAG_TEXT 2

bool sweep_mpi_launched(void)
{
    const char *vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        if (getenv(vars[i]))
            return true;
    return false;
}

static enum sc_status mpi_failed(struct diag *d, const char *what, int rc)
{
    char msg[MPI_MAX_ERROR_STRING] = "";
    int len = 0;
    MPI_Error_string(rc, msg, &len);
    return diag_set(d, SC_EINTERNAL, NULL, 0, "MPI: %s failed: %s", what, msg);
}

static enum sc_status mpi_agree(const struct sweep_peer *p, enum sc_status local)
{
    (void)p;
    int mine = (int)local, worst = (int)SC_EINTERNAL;
    if (MPI_Allreduce(&mine, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD) != MPI_SUCCESS)
        return SC_EINTERNAL;
    return (enum sc_status)worst;
}

/* Point to point, in rank order, rather than MPI_Gatherv: its int counts
 * and displacements would cap the gathered text at 2 GiB. */
static enum sc_status mpi_gather(const struct sweep_peer *p, const char *text, size_t len,
                                 char **all, size_t *all_len, struct diag *d)
{
    *all = NULL;
    *all_len = 0;
    int rc;
    if (p->rank != 0) {
        unsigned long long n = len;
        if ((rc = MPI_Send(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, TAG_LEN, MPI_COMM_WORLD)) !=
            MPI_SUCCESS)
            return mpi_failed(d, "sending the runs' size", rc);
        for (size_t off = 0; off < len; off += CHUNK_BYTES) {
            int c = (int)(len - off < CHUNK_BYTES ? len - off : CHUNK_BYTES);
            if ((rc = MPI_Send(text + off, c, MPI_CHAR, 0, TAG_TEXT, MPI_COMM_WORLD)) !=
                MPI_SUCCESS)
                return mpi_failed(d, "sending the runs", rc);
        }
        return SC_OK;
    }
    /* Rank 0 receives every rank's text, even after a failure of its own,
     * so that no sender is left blocked. */
    unsigned long long *lens = calloc((size_t)p->size, sizeof *lens);
    if (!lens)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory gathering the ranks' runs");
    size_t total = len;
    enum sc_status st = SC_OK;
    for (int r = 1; r < p->size; r++) {
        if ((rc = MPI_Recv(&lens[r], 1, MPI_UNSIGNED_LONG_LONG, r, TAG_LEN, MPI_COMM_WORLD,
                           MPI_STATUS_IGNORE)) != MPI_SUCCESS) {
            free(lens);
            return mpi_failed(d, "receiving the runs' size", rc);
        }
        total += (size_t)lens[r];
    }
    char *buf = malloc(total + 1);
    if (!buf)
        st = diag_set(d, SC_ENOMEM, NULL, 0, "out of memory gathering the ranks' runs");
    else
        memcpy(buf, text, len);
    size_t at = len;
    for (int r = 1; r < p->size; r++) {
        for (size_t off = 0; off < lens[r]; off += CHUNK_BYTES) {
            size_t c = lens[r] - off < CHUNK_BYTES ? lens[r] - off : CHUNK_BYTES;
            char *dst = buf ? buf + at + off : NULL;
            char scratch[1];
            /* Without a buffer each piece is still received (truncated into
             * scratch, an error ignored), so that the sender finishes. */
            if (!dst) {
                MPI_Recv(scratch, 1, MPI_CHAR, r, TAG_TEXT, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                continue;
            }
            if ((rc = MPI_Recv(dst, (int)c, MPI_CHAR, r, TAG_TEXT, MPI_COMM_WORLD,
                               MPI_STATUS_IGNORE)) != MPI_SUCCESS &&
                st == SC_OK)
                st = mpi_failed(d, "receiving the runs", rc);
        }
        at += (size_t)lens[r];
    }
    free(lens);
    if (st != SC_OK) {
        free(buf);
        return st;
    }
    buf[total] = '\0';
    *all = buf;
    *all_len = total;
    return SC_OK;
}

enum sc_status sweep_mpi_start(struct sweep_peer *peer, struct diag *d)
{
    memset(peer, 0, sizeof *peer);
    int provided = 0, rc;
    if ((rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided)) != MPI_SUCCESS)
        return diag_set(d, SC_EINTERNAL, NULL, 0, "MPI: MPI_Init_thread failed (%d)", rc);
    /* Errors come back as codes and become diagnostics, instead of MPI's
     * default of aborting every rank. */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    if ((rc = MPI_Comm_rank(MPI_COMM_WORLD, &peer->rank)) != MPI_SUCCESS ||
        (rc = MPI_Comm_size(MPI_COMM_WORLD, &peer->size)) != MPI_SUCCESS) {
        enum sc_status st = mpi_failed(d, "asking the rank", rc);
        MPI_Finalize();
        return st;
    }
    peer->agree = mpi_agree;
    peer->gather = mpi_gather;
    return SC_OK;
}

void sweep_mpi_finish(struct sweep_peer *peer)
{
    (void)peer;
    MPI_Finalize();
}
