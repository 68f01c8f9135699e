/*
 * test_engine.c — the event queue: order by time, ties by priority then by
 * scheduling order, cancel and move by handle, and heap integrity under a
 * random mix of operations checked against a plain sorted reference.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>

#include "sim/runtime/engine.h"

struct log {
    int ids[4096];
    int64_t times[4096];
    int n;
};

struct tev {
    struct event ev;
    int id;
    struct log *log;
};

static void record(struct engine *eng, struct event *ev)
{
    struct tev *t = (struct tev *)ev;
    t->log->ids[t->log->n] = t->id;
    t->log->times[t->log->n] = engine_now(eng);
    t->log->n++;
}

static void setup_events(struct tev *e, int n, struct log *log)
{
    for (int i = 0; i < n; i++) {
        event_init(&e[i].ev, record, NULL);
        e[i].id = i;
        e[i].log = log;
    }
}

static void test_events_fire_in_time_order(void **state)
{
    (void)state;
    struct engine eng;
    struct log log = {.n = 0};
    struct tev e[5];
    setup_events(e, 5, &log);
    assert_int_equal(engine_init(&eng, 2), 0);
    int64_t t[5] = {50, 10, 40, 20, 30};
    for (int i = 0; i < 5; i++)
        engine_schedule(&eng, &e[i].ev, t[i], 0);
    assert_int_equal(engine_run(&eng, ENGINE_TIME_MAX), 5);
    int expect[5] = {1, 3, 4, 2, 0};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(log.ids[i], expect[i]);
        assert_int_equal(log.times[i], t[expect[i]]);
    }
    assert_int_equal(engine_now(&eng), 50);
    engine_fini(&eng);
}

static void test_ties_break_by_priority_then_schedule_order(void **state)
{
    (void)state;
    struct engine eng;
    struct log log = {.n = 0};
    struct tev e[4];
    setup_events(e, 4, &log);
    engine_init(&eng, 4);
    /* All at t = 100: priorities 2, 1, 2, 1 -> the two 1s first in the order
     * they were scheduled (1, 3), then the 2s (0, 2). */
    engine_schedule(&eng, &e[0].ev, 100, 2);
    engine_schedule(&eng, &e[1].ev, 100, 1);
    engine_schedule(&eng, &e[2].ev, 100, 2);
    engine_schedule(&eng, &e[3].ev, 100, 1);
    engine_run(&eng, ENGINE_TIME_MAX);
    int expect[4] = {1, 3, 0, 2};
    for (int i = 0; i < 4; i++)
        assert_int_equal(log.ids[i], expect[i]);
    engine_fini(&eng);
}

static void test_cancelled_event_does_not_fire(void **state)
{
    (void)state;
    struct engine eng;
    struct log log = {.n = 0};
    struct tev e[3];
    setup_events(e, 3, &log);
    engine_init(&eng, 4);
    for (int i = 0; i < 3; i++)
        engine_schedule(&eng, &e[i].ev, 10 * (i + 1), 0);
    engine_cancel(&eng, &e[1].ev);
    assert_false(event_pending(&e[1].ev));
    engine_cancel(&eng, &e[1].ev); /* a second cancel is a no-op */
    assert_int_equal(engine_pending_count(&eng), 2);
    engine_run(&eng, ENGINE_TIME_MAX);
    assert_int_equal(log.n, 2);
    assert_int_equal(log.ids[0], 0);
    assert_int_equal(log.ids[1], 2);
    engine_fini(&eng);
}

static void test_moved_event_fires_at_new_time(void **state)
{
    (void)state;
    struct engine eng;
    struct log log = {.n = 0};
    struct tev e[3];
    setup_events(e, 3, &log);
    engine_init(&eng, 4);
    engine_schedule(&eng, &e[0].ev, 10, 0);
    engine_schedule(&eng, &e[1].ev, 20, 0);
    engine_schedule(&eng, &e[2].ev, 30, 0);
    engine_schedule(&eng, &e[0].ev, 25, 0); /* later */
    engine_schedule(&eng, &e[2].ev, 5, 0);  /* earlier */
    assert_int_equal(engine_pending_count(&eng), 3);
    engine_run(&eng, ENGINE_TIME_MAX);
    int expect[3] = {2, 1, 0};
    int64_t times[3] = {5, 20, 25};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(log.ids[i], expect[i]);
        assert_int_equal(log.times[i], times[i]);
    }
    engine_fini(&eng);
}

static void test_run_until_leaves_later_events_pending(void **state)
{
    (void)state;
    struct engine eng;
    struct log log = {.n = 0};
    struct tev e[3];
    setup_events(e, 3, &log);
    engine_init(&eng, 4);
    for (int i = 0; i < 3; i++)
        engine_schedule(&eng, &e[i].ev, 100 * (i + 1), 0);
    assert_int_equal(engine_run(&eng, 200), 2);
    assert_int_equal(engine_pending_count(&eng), 1);
    assert_int_equal(engine_run(&eng, ENGINE_TIME_MAX), 1);
    engine_fini(&eng);
}

/* An event that schedules another in its own callback, at the same time:
 * it must fire after everything already queued for that time. */
static struct tev chained;
static void schedule_more(struct engine *eng, struct event *ev)
{
    record(eng, ev);
    engine_schedule(eng, &chained.ev, engine_now(eng), 0);
}

static void test_event_scheduled_now_fires_after_queued_ties(void **state)
{
    (void)state;
    struct engine eng;
    struct log log = {.n = 0};
    struct tev e[2];
    setup_events(e, 2, &log);
    e[0].ev.fn = schedule_more;
    event_init(&chained.ev, record, NULL);
    chained.id = 99;
    chained.log = &log;
    engine_init(&eng, 4);
    engine_schedule(&eng, &e[0].ev, 7, 0);
    engine_schedule(&eng, &e[1].ev, 7, 0);
    engine_run(&eng, ENGINE_TIME_MAX);
    assert_int_equal(log.n, 3);
    assert_int_equal(log.ids[0], 0);
    assert_int_equal(log.ids[1], 1);
    assert_int_equal(log.ids[2], 99);
    engine_fini(&eng);
}

/* Random schedules, moves and cancels; the firing order must equal the
 * reference order: sort the surviving (time, prio, last schedule seq). */
struct ref {
    int64_t t;
    unsigned prio;
    uint64_t seq;
    int live;
};

static int ref_less(const struct ref *a, const struct ref *b)
{
    if (a->t != b->t)
        return a->t < b->t;
    if (a->prio != b->prio)
        return a->prio < b->prio;
    return a->seq < b->seq;
}

static void test_random_operations_match_reference_order(void **state)
{
    (void)state;
    enum { N = 2000 };
    static struct tev e[N];
    static struct ref ref[N];
    static struct log log;
    log.n = 0;
    setup_events(e, N, &log);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 7);
    struct engine eng;
    engine_init(&eng, 8);
    uint64_t seq = 0;
    for (int i = 0; i < N; i++)
        ref[i].live = 0;
    for (int step = 0; step < 4 * N; step++) {
        int i = (int)gsl_rng_uniform_int(rng, N);
        if (gsl_rng_uniform(rng) < 0.2) {
            engine_cancel(&eng, &e[i].ev);
            ref[i].live = 0;
        } else {
            int64_t t = (int64_t)gsl_rng_uniform_int(rng, 50);
            unsigned prio = (unsigned)gsl_rng_uniform_int(rng, 3);
            engine_schedule(&eng, &e[i].ev, t, prio);
            ref[i] = (struct ref){t, prio, seq++, 1};
        }
    }
    int live = 0;
    for (int i = 0; i < N; i++)
        live += ref[i].live;
    assert_int_equal(engine_pending_count(&eng), live);
    engine_run(&eng, ENGINE_TIME_MAX);
    assert_int_equal(log.n, live);
    /* Each fired event must be the reference minimum among those left. */
    for (int k = 0; k < log.n; k++) {
        int best = -1;
        for (int i = 0; i < N; i++)
            if (ref[i].live && (best < 0 || ref_less(&ref[i], &ref[best])))
                best = i;
        assert_int_equal(log.ids[k], best);
        ref[best].live = 0;
    }
    gsl_rng_free(rng);
    engine_fini(&eng);
}

/* Events whose callbacks set themselves (and sometimes another event)
 * again, or cancel another, as task slots and the network do: the firing
 * order is the reference's, where the reference takes the earliest
 * (time, priority, sequence) of the live events at each step. */
struct hold_ctx {
    struct tev *e;
    struct ref *ref;
    gsl_rng *rng;
    uint64_t seq;
    int n, left;
    int n_fired;
};

static struct hold_ctx *hold_ctx_of;

static void hold_schedule(struct engine *eng, struct hold_ctx *h, int i)
{
    int64_t t = engine_now(eng) + (int64_t)gsl_rng_uniform_int(h->rng, 20);
    unsigned prio = (unsigned)gsl_rng_uniform_int(h->rng, 3);
    engine_schedule(eng, &h->e[i].ev, t, prio);
    h->ref[i] = (struct ref){t, prio, h->seq++, 1};
}

static void hold_fire(struct engine *eng, struct event *ev)
{
    struct hold_ctx *h = hold_ctx_of;
    int id = ((struct tev *)ev)->id;
    int best = -1;
    for (int i = 0; i < h->n; i++)
        if (h->ref[i].live && (best < 0 || ref_less(&h->ref[i], &h->ref[best])))
            best = i;
    assert_int_equal(id, best);
    assert_int_equal(engine_now(eng), h->ref[id].t);
    h->n_fired++;
    h->ref[id].live = 0;
    if (h->left-- <= 0)
        return; /* no longer rescheduled: the queue drains */
    double u = gsl_rng_uniform(h->rng);
    if (u < 0.7) {
        hold_schedule(eng, h, id); /* the usual hold: itself, later */
    } else if (u < 0.85) {
        int other = (int)gsl_rng_uniform_int(h->rng, (unsigned long)h->n);
        hold_schedule(eng, h, other); /* another one, maybe pending */
        if (other != id)
            hold_schedule(eng, h, id);
    } else {
        int other = (int)gsl_rng_uniform_int(h->rng, (unsigned long)h->n);
        engine_cancel(eng, &h->e[other].ev);
        h->ref[other].live = 0;
    }
}

static void test_callbacks_moving_their_own_events_keep_order(void **state)
{
    (void)state;
    enum { N = 64 };
    static struct tev e[N];
    static struct ref ref[N];
    static struct log log;
    static struct hold_ctx h;
    setup_events(e, N, &log);
    h = (struct hold_ctx){.e = e, .ref = ref, .n = N, .left = 3000};
    h.rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(h.rng, 11);
    hold_ctx_of = &h;
    struct engine eng;
    engine_init(&eng, 4);
    for (int i = 0; i < N; i++) {
        event_init(&e[i].ev, hold_fire, NULL);
        hold_schedule(&eng, &h, i);
    }
    /* hold_fire checks each firing against the reference. */
    uint64_t fired = engine_run(&eng, ENGINE_TIME_MAX);
    assert_int_equal((int)fired, h.n_fired);
    assert_int_equal(engine_pending_count(&eng), 0);
    for (int i = 0; i < N; i++)
        assert_int_equal(ref[i].live, 0);
    gsl_rng_free(h.rng);
    engine_fini(&eng);
}

static void test_two_engines_are_independent(void **state)
{
    (void)state;
    struct engine a, b;
    struct log la = {.n = 0}, lb = {.n = 0};
    struct tev ea[2], eb[2];
    setup_events(ea, 2, &la);
    setup_events(eb, 2, &lb);
    engine_init(&a, 2);
    engine_init(&b, 2);
    engine_schedule(&a, &ea[0].ev, 5, 0);
    engine_schedule(&b, &eb[0].ev, 50, 0);
    engine_schedule(&a, &ea[1].ev, 6, 0);
    engine_run(&a, ENGINE_TIME_MAX);
    assert_int_equal(la.n, 2);
    assert_int_equal(lb.n, 0);
    assert_int_equal(engine_now(&b), 0);
    engine_run(&b, ENGINE_TIME_MAX);
    assert_int_equal(lb.n, 1);
    assert_int_equal(engine_now(&a), 6);
    engine_fini(&a);
    engine_fini(&b);
}

/* A timer that asks whether it is pending from its own callback (as the
 * autoscaling and speculation timers do before scheduling themselves):
 * not while it fires, yes once it sets itself again; it fires 3 times at
 * 10, 20 and 30 and then is done. */
struct self_timer {
    struct event ev;
    int fired;
    bool pending_seen;
};

static void self_tick(struct engine *eng, struct event *ev)
{
    struct self_timer *t = (struct self_timer *)ev;
    t->fired++;
    t->pending_seen |= event_pending(ev);
    if (t->fired < 3) {
        assert_int_equal(engine_schedule(eng, ev, engine_now(eng) + 10, 0), 0);
        assert_true(event_pending(ev));
    }
}

static void test_firing_event_is_not_pending_to_its_callback(void **state)
{
    (void)state;
    struct engine eng;
    assert_int_equal(engine_init(&eng, 4), 0);
    struct self_timer t = {.fired = 0, .pending_seen = false};
    event_init(&t.ev, self_tick, NULL);
    assert_int_equal(engine_schedule(&eng, &t.ev, 10, 0), 0);
    engine_run(&eng, ENGINE_TIME_MAX);
    assert_int_equal(t.fired, 3);
    assert_false(t.pending_seen);
    assert_false(event_pending(&t.ev));
    assert_int_equal(engine_now(&eng), 30);
    engine_fini(&eng);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_events_fire_in_time_order),
        cmocka_unit_test(test_firing_event_is_not_pending_to_its_callback),
        cmocka_unit_test(test_ties_break_by_priority_then_schedule_order),
        cmocka_unit_test(test_cancelled_event_does_not_fire),
        cmocka_unit_test(test_moved_event_fires_at_new_time),
        cmocka_unit_test(test_run_until_leaves_later_events_pending),
        cmocka_unit_test(test_event_scheduled_now_fires_after_queued_ties),
        cmocka_unit_test(test_random_operations_match_reference_order),
        cmocka_unit_test(test_callbacks_moving_their_own_events_keep_order),
        cmocka_unit_test(test_two_engines_are_independent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
