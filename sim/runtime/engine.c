/*
 * engine.c — the event queue and clock (see engine.h).
 *
 * The queue is an implicit 4-ary min-heap of (time, tie, event) entries. A
 * 4-ary heap halves the depth of a binary heap and keeps a node's children
 * in one or two cache lines, which is what matters once the queue outgrows
 * L1. Each event remembers its heap position, so cancel and move are
 * O(log n) without searching. The key sits in the entry, not behind the
 * pointer: comparisons never touch the event itself.
 */
#include "sim/runtime/engine.h"

#include <stdlib.h>

#define ARITY 4

static inline bool slot_less(const struct engine_slot *a, const struct engine_slot *b)
{
    if (a->time_us != b->time_us)
        return a->time_us < b->time_us;
    return a->tie < b->tie;
}

static inline void place(struct engine *eng, size_t i, struct engine_slot s)
{
    eng->heap[i] = s;
    s.ev->heap_index = i;
}

static void sift_up(struct engine *eng, size_t i)
{
    struct engine_slot s = eng->heap[i];
    while (i > 0) {
        size_t parent = (i - 1) / ARITY;
        if (!slot_less(&s, &eng->heap[parent]))
            break;
        place(eng, i, eng->heap[parent]);
        i = parent;
    }
    place(eng, i, s);
}

static void sift_down(struct engine *eng, size_t i)
{
    struct engine_slot s = eng->heap[i];
    size_t n = eng->n;
    for (;;) {
        size_t first = i * ARITY + 1;
        if (first >= n)
            break;
        size_t last = first + ARITY < n ? first + ARITY : n;
        size_t best = first;
        for (size_t c = first + 1; c < last; c++)
            if (slot_less(&eng->heap[c], &eng->heap[best]))
                best = c;
        if (!slot_less(&eng->heap[best], &s))
            break;
        place(eng, i, eng->heap[best]);
        i = best;
    }
    place(eng, i, s);
}

int engine_init(struct engine *eng, size_t expected_events)
{
    eng->now_us = 0;
    eng->seq = 0;
    eng->n = 0;
    eng->fired = 0;
    eng->fire_limit = 0;
    eng->stopped = false;
    eng->cap = expected_events > 16 ? expected_events : 16;
    eng->heap = malloc(eng->cap * sizeof *eng->heap);
    return eng->heap ? 0 : -1;
}

void engine_fini(struct engine *eng)
{
    for (size_t i = 0; i < eng->n; i++)
        eng->heap[i].ev->heap_index = EVENT_IDLE;
    free(eng->heap);
    eng->heap = NULL;
    eng->n = eng->cap = 0;
}

void event_init(struct event *ev, event_fn fn, void *arg)
{
    ev->fn = fn;
    ev->arg = arg;
    ev->time_us = 0;
    ev->heap_index = EVENT_IDLE;
    ev->firing = false;
}

/* Takes the entry at i out of the heap, keeping the heap property. */
static void remove_at(struct engine *eng, size_t i)
{
    struct event *ev = eng->heap[i].ev;
    ev->heap_index = EVENT_IDLE;
    eng->n--;
    if (i == eng->n)
        return;
    struct engine_slot moved = eng->heap[eng->n];
    place(eng, i, moved);
    /* The entry moved into the hole may belong above or below it. */
    if (i > 0 && slot_less(&moved, &eng->heap[(i - 1) / ARITY]))
        sift_up(eng, i);
    else
        sift_down(eng, i);
}

int engine_schedule(struct engine *eng, struct event *ev, int64_t time_us, unsigned prio)
{
    if (time_us < eng->now_us)
        time_us = eng->now_us;
    if (prio > ENGINE_PRIO_MAX)
        prio = ENGINE_PRIO_MAX;
    struct engine_slot s = {time_us, ((uint64_t)prio << 48) | (eng->seq++ & 0xffffffffffffULL), ev};
    ev->time_us = time_us;
    ev->firing = false; /* set again from its own callback: it stays, moved */
    if (ev->heap_index != EVENT_IDLE) {
        size_t i = ev->heap_index;
        struct engine_slot old = eng->heap[i];
        place(eng, i, s);
        if (slot_less(&s, &old))
            sift_up(eng, i);
        else
            sift_down(eng, i);
        return 0;
    }
    if (eng->n == eng->cap) {
        size_t cap = eng->cap * 2;
        struct engine_slot *h = realloc(eng->heap, cap * sizeof *h);
        if (!h)
            return -1;
        eng->heap = h;
        eng->cap = cap;
    }
    size_t i = eng->n++;
    place(eng, i, s);
    sift_up(eng, i);
    return 0;
}

void engine_cancel(struct engine *eng, struct event *ev)
{
    ev->firing = false;
    if (ev->heap_index != EVENT_IDLE)
        remove_at(eng, ev->heap_index);
}

uint64_t engine_run(struct engine *eng, int64_t until_us)
{
    uint64_t fired = 0;
    eng->stopped = false;
    while (eng->n > 0 && !eng->stopped && !(eng->fire_limit && eng->fired >= eng->fire_limit)) {
        struct engine_slot top = eng->heap[0];
        if (top.time_us > until_us)
            break;
        struct event *ev = top.ev;
        eng->now_us = top.time_us;
        fired++;
        eng->fired++;
        /* The event stays in the queue while its callback runs. A callback
         * that sets its own event again (a task slot's timer, the
         * network's next completion: most events) then moves it down from
         * the top in one sift, where taking it out first would sift the
         * last entry down from the top and then sift it up from the
         * bottom. One the callback neither moved nor cancelled (it still
         * has its sequence number) is taken out after it. The order of
         * events is the same either way: sequence numbers decide ties. */
        ev->firing = true;
        ev->fn(eng, ev);
        if (ev->firing) {
            /* Neither set again nor cancelled: it is done. */
            ev->firing = false;
            if (ev->heap_index != EVENT_IDLE)
                remove_at(eng, ev->heap_index);
        }
    }
    return fired;
}

void engine_stop(struct engine *eng)
{
    eng->stopped = true;
}
