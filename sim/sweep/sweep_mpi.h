/*
 * sweep_mpi.h — `mpirun -np N stagecast sweep ...`: each rank runs its share
 * of a sweep's points and rank 0 writes the merged outputs. Compiled only
 * when configure found MPI (--with-mpi); nothing else in stagecast knows MPI.
 *
 * Ownership: sweep_mpi_start fills a caller's struct sweep_peer;
 * sweep_mpi_finish ends MPI (call it once, after the sweep).
 */
#ifndef STAGECAST_SWEEP_MPI_H
#define STAGECAST_SWEEP_MPI_H

#include <stdbool.h>

#include "models/diag.h"
#include "sim/sweep/sweep.h"

/* True when an MPI launcher started this process (it sets OMPI_COMM_WORLD_SIZE,
 * PMI_SIZE or PMIX_RANK). A plain `stagecast sweep` then never touches MPI:
 * starting it as a singleton costs a third of a second. */
bool sweep_mpi_launched(void);

/* Initializes MPI and fills peer with this rank's place and the agree and
 * gather operations sweep_execute calls. SC_EINTERNAL when MPI fails. */
enum sc_status sweep_mpi_start(struct sweep_peer *peer, struct diag *d);

void sweep_mpi_finish(struct sweep_peer *peer);

#endif
