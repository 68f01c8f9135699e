/*
 * engine.h — the discrete-event engine: a simulated clock and a queue of
 * pending events. It knows nothing of Spark.
 *
 * Time is an int64_t count of microseconds since the simulation began (names
 * end in _us). Events fire in (time, priority, sequence) order: at equal time
 * a lower priority number fires first, and at equal priority the event
 * scheduled first fires first, so a run is deterministic.
 *
 * Ownership: events are owned by the caller and embedded in the caller's
 * structures (a slot's completion event, a job's submission event); the
 * engine allocates nothing per event. An event may be scheduled, moved and
 * cancelled by its handle any number of times. Each struct engine is
 * independent: many can exist in one process.
 */
#ifndef STAGECAST_ENGINE_H
#define STAGECAST_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct engine;
struct event;

typedef void (*event_fn)(struct engine *eng, struct event *ev);

struct event {
    event_fn fn;
    void *arg;         /* for the callback's use */
    int64_t time_us;   /* when it fires, while pending */
    size_t heap_index; /* position in the queue; EVENT_IDLE when not pending */
    bool firing;       /* its callback runs and has not set it again: still in the
                        * queue (engine_run takes it out after), but not pending */
};

#define EVENT_IDLE ((size_t)-1)
#define ENGINE_TIME_MAX INT64_MAX

/* An entry of the queue: the ordering key packed next to the event, so the
 * heap compares without touching the event. tie = priority << 48 | sequence. */
struct engine_slot {
    int64_t time_us;
    uint64_t tie;
    struct event *ev;
};

struct engine {
    int64_t now_us;
    uint64_t seq; /* sequence number of the next schedule call */
    struct engine_slot *heap;
    size_t n, cap;
    uint64_t fired;      /* events fired so far */
    uint64_t fire_limit; /* engine_run returns once fired reaches it (0: no limit) */
    bool stopped;
};

#define ENGINE_PRIO_MAX 0xffff

/* Sets up an empty engine at time 0. Returns 0, or -1 if the first queue
 * allocation fails. */
int engine_init(struct engine *eng, size_t expected_events);
void engine_fini(struct engine *eng);

/* Prepares an event; it is not pending until scheduled. */
void event_init(struct event *ev, event_fn fn, void *arg);

/* Whether ev will fire: scheduled, and not the event whose callback runs
 * now unless that callback set it again. */
static inline bool event_pending(const struct event *ev)
{
    return ev->heap_index != EVENT_IDLE && !ev->firing;
}

static inline int64_t engine_now(const struct engine *eng)
{
    return eng->now_us;
}

/* Schedules ev at time_us (clamped to now: the past cannot be scheduled) with
 * a priority 0..ENGINE_PRIO_MAX. An event already pending is moved, and takes
 * a new sequence number. Returns 0, or -1 when the queue cannot grow. */
int engine_schedule(struct engine *eng, struct event *ev, int64_t time_us, unsigned prio);

/* Removes ev from the queue if it is pending; a no-op otherwise. */
void engine_cancel(struct engine *eng, struct event *ev);

/* Fires events in order until the queue is empty, engine_stop is called, or
 * the next event is later than until_us (the clock is then left at the last
 * fired event). An event counts as pending while its own callback runs (it
 * leaves the queue when the callback returns, unless the callback moved
 * it); the events an event's callback may free must be cancelled first.
 * Returns the number of events fired. */
uint64_t engine_run(struct engine *eng, int64_t until_us);

/* Makes engine_run return after the current event. */
void engine_stop(struct engine *eng);

/* Number of pending events. */
static inline size_t engine_pending_count(const struct engine *eng)
{
    return eng->n;
}

#endif
