/*
 * memory.c — Spark's unified memory layout and per-task shares (see
 * memory.h for the rules and where they come from).
 */
#include "models/memory.h"

void memory_layout(double heap_bytes, double memory_fraction, double storage_fraction,
                   struct exec_memory *m)
{
    double usable = heap_bytes - MEMORY_RESERVED_BYTES;
    if (usable < 0.0)
        usable = 0.0;
    m->heap_bytes = heap_bytes;
    m->unified_bytes = usable * memory_fraction;
    m->storage_safe_bytes = m->unified_bytes * storage_fraction;
    m->user_bytes = usable - m->unified_bytes;
}

double memory_execution_pool(const struct exec_memory *m, double cached_bytes)
{
    /* Execution can take back storage memory beyond the safe part, so only
     * cached blocks inside the safe part reduce it. */
    double protected_cache = cached_bytes < m->storage_safe_bytes ? cached_bytes
                                                                 : m->storage_safe_bytes;
    if (protected_cache < 0.0)
        protected_cache = 0.0;
    return m->unified_bytes - protected_cache;
}

double memory_task_share(double execution_pool_bytes, int running_tasks)
{
    if (running_tasks < 1)
        running_tasks = 1;
    return execution_pool_bytes / running_tasks;
}

double memory_spill_bytes(double working_set_bytes, double share_bytes)
{
    double over = working_set_bytes - share_bytes;
    return over > 0.0 ? over : 0.0;
}
