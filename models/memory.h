/*
 * memory.h — Spark's unified memory manager, as far as task spills need it:
 * how an executor's heap splits into reserved, user, and the unified region
 * that execution and storage share, and how much of it one running task may
 * use before it spills.
 *
 * Rules reproduced (Spark's UnifiedMemoryManager and ExecutionMemoryPool):
 * 300 MiB of the heap is reserved; the unified region is
 * (heap - 300 MiB) x spark.memory.fraction; storage keeps
 * spark.memory.storageFraction of it safe from eviction, and execution may
 * use the rest plus any storage memory not in use; with N tasks running, each
 * task may hold at most 1/N of the execution pool (and is guaranteed 1/(2N)).
 * Values only: nothing to free.
 */
#ifndef STAGECAST_MEMORY_H
#define STAGECAST_MEMORY_H

#define MEMORY_RESERVED_BYTES (300.0 * 1024 * 1024)

struct exec_memory {
    double heap_bytes;
    double unified_bytes;      /* execution + storage */
    double storage_safe_bytes; /* storageFraction of unified */
    double user_bytes;         /* the rest of the heap, outside Spark's control */
};

/* Lays out a heap of heap_bytes with the given fractions. */
void memory_layout(double heap_bytes, double memory_fraction, double storage_fraction,
                   struct exec_memory *m);

/* Execution memory available when cached_bytes of the unified region hold
 * cached blocks: execution may evict storage down to storage_safe_bytes. */
double memory_execution_pool(const struct exec_memory *m, double cached_bytes);

/* The most one of running_tasks concurrently running tasks may use. */
double memory_task_share(double execution_pool_bytes, int running_tasks);

/* Bytes a task with this working set spills when its share is share_bytes:
 * what does not fit is written to disk and read back once. */
double memory_spill_bytes(double working_set_bytes, double share_bytes);

#endif
