/*
 * network.c — the flow-level bandwidth model (see network.h): every transfer
 * of the simulated cluster (shuffle fetch, storage read, disk spill) is a flow
 * through resources, and active flows share each resource max-min fairly.
 * It sits under the Spark runtime model, which starts flows and moves one
 * engine event to the times returned here; it never calls the engine.
 *
 * The idea is SimGrid's max-min model (Velho, Schnorr, Casanova, Legrand, "On the
 * validity of flow-level TCP network models for grid and cloud
 * simulations", ACM TOMACS 2013): progressive filling, weighted. Take the
 * resource whose remaining capacity per unit of unfrozen weight (its "share")
 * is smallest; every unfrozen flow on it gets rate weight x share and is
 * frozen; its consumption is taken off every other resource it crosses;
 * repeat until every flow is frozen.
 *
 * What makes it fast enough for a 100-node shuffle:
 *
 *  - Classes. Flows crossing the same resource set with the same weight
 *    always get the same rate, so the solver works on classes (count x weight)
 *    and a shuffle among W nodes has at most W^2 of them. A class keeps one
 *    "progress" figure, the bytes each member has moved since the class was
 *    created; a flow joining at progress p with b bytes ends when progress
 *    reaches its key p + b. Members sit in a min-heap by key, so advancing time
 *    costs nothing per flow and the next finisher of a class is its heap top.
 *
 *  - Batching. Starts, cancels and completions only mark what changed (the
 *    class, or the resources of a class that vanished) in O(1); one solve at
 *    the next net_update covers all of them.
 *
 *  - Incremental solves. A solve visits only the connected components of
 *    the graph "class -- linking resource" that contain a change. The
 *    components are kept as classes come and go: a new class joins those it
 *    meets, and one whose leaving may split its component marks it to be
 *    searched again at its next solve; nothing is re-discovered otherwise.
 *    Unconstrained (INFINITY) resources never link, and neither do slack
 *    ones: a finite resource that bound no class at its last solve and has
 *    room to spare is left out of solves (the allocation without it is the
 *    allocation with it while it fits), its use is checked after every
 *    pass, and it links again when it fills up (see check_slack). In a
 *    shuffle bounded by the source disks, a change re-solves one disk's
 *    classes, not the cluster's. Flows in components that were not reached
 *    keep their rates, progress and completion times untouched. Each
 *    component keeps the earliest completion of its classes in a heap of
 *    components, so the next completion of the whole network is that heap's
 *    top, and the list of its classes due within 1 us of it, so net_complete
 *    looks at those classes only; called late (the simulator rounds times up
 *    to its completion quantum), it looks at the classes whose due bound has
 *    come, not at every class.
 *
 *  - Virtual clocks. A component whose one linking resource binds every
 *    class (a disk behind slack NICs: the common case) is "flat": each of
 *    its flows gets capacity / flows, and its classes' progress is read
 *    from the resource's clock, their next completions from a heap of the
 *    clock's values. A change to it moves the clock, recomputes the share
 *    and re-keys the classes that changed, without visiting the others
 *    (see solve_flat).
 *
 *  - Lazy heap in the filling. Freezing a class only raises the share of the
 *    other resources it crosses (shown at fill_component), so a resource's
 *    key in the heap is a lower bound of its share: it is marked stale and
 *    recomputed only when it reaches the top.
 *
 * Nothing is allocated in a solve or a completion: pools and scratch arrays
 * grow (doubling) when resources, classes or flows are added.
 */
#include "models/network.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum flow_state { FLOW_FREE, FLOW_PENDING, FLOW_ACTIVE, FLOW_DONE };

struct net_flow {
    double bytes;
    double key; /* ACTIVE: class progress at which it has moved all its bytes */
    void *owner;
    uint64_t tag;
    int cls;
    int slot; /* ACTIVE: index in its class heap; PENDING: in n->pending; FREE: next free */
    int state;
};

/* A solve reads and writes one cache line of each class it visits: the
 * records are 64-byte aligned and everything a solve needs comes first, with
 * the first four resource ids (the paths of the simulator have at most four).
 * What a solve writes per class otherwise (its component, when it is due,
 * whether it was visited or frozen) lives in small arrays indexed by class
 * (n->ccomp, n->cnextus, n->cstamp, n->cfroz, ...), so the scans over a
 * resource's classes and over a component's list touch only those. */
struct net_class {
    /* First cache line. */
    _Alignas(64) double weight;
    double rate;      /* per-flow rate from the last solve, bytes/s */
    double progress;  /* bytes each member moved since the class began, at t_ref */
    double first_key; /* key of the heap top; INFINITY if the heap is empty */
    int64_t t_ref_us;
    int count; /* member flows, pending and active */
    int n_res;
    int res[NET_MAX_PATH]; /* sorted resource ids: with weight, the class's identity */
    /* The rest is read when flows come and go. */
    bool dirty;            /* in n->dirty_cls */
    int pos[NET_MAX_PATH]; /* index of this class in res[i]'s class array */
    int *heap;             /* active member flows, min-heap by key */
    int heap_n, heap_cap;
    int hnext; /* next class in the hash chain, or in the free list */
};

struct net_res {
    double cap;
    int *cls; /* classes crossing it */
    int n_cls, cap_cls;
    int64_t nflows;
    int64_t busy_since_us;
    double busy_s;
    double bytes;
    /* The virtual clock, while it is the one linking resource of a flat
     * component (see solve_flat): V(t) = vclock + vshare (t - vt_us), the
     * bytes each flow of weight 1 has moved; its classes in a heap by the
     * V at which their first member ends. */
    double vclock, vshare, vresv, vmaxkey;
    int64_t vt_us, vcount; /* vcount: the flows of its component */
    int *vheap;            /* as large as cls */
    int vheap_n, vtop;
};

/* A connected component of the graph "class -- finite resource", kept as
 * classes come and go: its classes form a list (n->cnext, n->cprev). Every
 * class crossing a finite resource is in the component of that resource's
 * other classes. A new class merges the components it touches; a class
 * that leaves may split its component, which is only marked (`split`) and
 * searched again at the next solve. */
struct net_comp {
    int64_t next_us;  /* earliest completion at its last solve */
    int64_t first_us; /* when a flow that completes at next_us started */
    int head;         /* first class; -1 when the record is free */
    int n_cls;
    int due_head; /* classes that were due within 1 us of next_us (a superset) */
    int heap_pos; /* in n->comp_heap; -1 when not there */
    int next_free;
    bool dirty; /* listed in n->dirty_comps (also once freed, until the solve) */
    bool split; /* lost a class linking two finite resources: may have split */
    bool scan;  /* merged since its solve: its due list is incomplete */
    int flat;   /* its one linking resource, if it is flat (see solve_flat); else -1 */
};

struct fill_entry {
    double share;
    int res;
};

struct span {
    int r0, r1, c0, c1; /* a component's slice of rqueue and cqueue */
};

struct net {
    int64_t now_us; /* latest time seen */

    struct net_res *res;
    size_t n_res, cap_res;
    /* Solver scratch, per resource (struct of arrays: the filling loop
     * touches only these). */
    double *rem;  /* capacity not yet given to frozen classes */
    double *wsum; /* weight of unfrozen flows */
    int *nunf;    /* unfrozen classes */
    uint32_t *rstamp;
    bool *stale; /* rem or wsum changed since its heap key was computed */
    /* Which finite resources link their classes into components: those
     * that may bind (see solve_pass). A slack one is left out of solves;
     * `used` then sums n->cused over its classes, to see it fill up. */
    bool *link;
    double *used;
    uint32_t *rbot;  /* epoch of the pass in which it was a bottleneck */
    uint32_t *rmark; /* epoch of the pass that listed it in n->rlist */
    int *rlist;      /* resources to link or unlink after a pass */
    int *rqueue;
    struct fill_entry *fheap;

    struct net_class *cls;
    uint32_t *cstamp; /* epoch of the solve that visited it; UINT32_MAX: free record */
    uint32_t *cfroz;  /* epoch of the solve that froze its rate */
    size_t cap_cls, n_cls_live;
    int cls_free;
    int *buckets; /* hash of classes by (res, weight); size a power of two */
    size_t n_buckets;
    int *cqueue;
    int *dirty_cls;
    size_t n_dirty_cls;
    int *cnext, *cprev;     /* each class's neighbours in its component's list */
    int *ccomp;             /* each class's component, kept as classes come and go */
    int *cdnext;            /* next in its component's list of classes due first */
    int64_t *cnextus;       /* when its first member finishes, at the last solve */
    int64_t *cdue;          /* a time at or before which nothing of the class finishes */
    double *cused;          /* count x rate at its last solve (0 if unconstrained); in a
                             * flat component, count x its resource's vresv */
    double *cvref;          /* flat: the V at which its progress was taken */
    double *cvfin;          /* flat: the V at which its first member ends */
    int *cvpos;             /* flat: its index in its resource's vheap, or -1 */
    struct net_comp *comps; /* as many as classes can be */
    int comp_free;
    int *dirty_comps;
    size_t n_dirty_comps;
    int *comp_heap;
    size_t n_comp_heap;
    struct span *spans;
    int *due; /* components due in net_complete */

    struct net_flow *flows;
    size_t cap_flows, n_active;
    int flow_free;
    int *pending;
    size_t n_pending;
    int *done;
    size_t n_done;
    int64_t *fstart; /* when each flow started (apart: only solves' minimum reads it) */

    uint32_t epoch;
    int64_t solves;
    size_t last_visited;
};

/* One us of transfer, and the relative round-off allowance: see network.h. */
#define NET_TICK_S 1e-6
#define NET_ROUNDOFF 1e-9

/* ---- growth ------------------------------------------------------------- */

static int grow_array(void **p, size_t n_elems, size_t elem)
{
    void *q = realloc(*p, n_elems * elem);
    if (!q)
        return -1;
    *p = q;
    return 0;
}

/* Room for cap resources in every per-resource array. */
static int grow_res_to(struct net *n, size_t cap)
{
    if (grow_array((void **)&n->res, cap, sizeof *n->res) ||
        grow_array((void **)&n->rem, cap, sizeof *n->rem) ||
        grow_array((void **)&n->wsum, cap, sizeof *n->wsum) ||
        grow_array((void **)&n->nunf, cap, sizeof *n->nunf) ||
        grow_array((void **)&n->rstamp, cap, sizeof *n->rstamp) ||
        grow_array((void **)&n->stale, cap, sizeof *n->stale) ||
        grow_array((void **)&n->rqueue, cap, sizeof *n->rqueue) ||
        grow_array((void **)&n->fheap, cap, sizeof *n->fheap) ||
        grow_array((void **)&n->link, cap, sizeof *n->link) ||
        grow_array((void **)&n->used, cap, sizeof *n->used) ||
        grow_array((void **)&n->rbot, cap, sizeof *n->rbot) ||
        grow_array((void **)&n->rmark, cap, sizeof *n->rmark) ||
        grow_array((void **)&n->rlist, cap, sizeof *n->rlist))
        return -1;
    n->cap_res = cap;
    return 0;
}

static int grow_res(struct net *n)
{
    return grow_res_to(n, n->cap_res ? 2 * n->cap_res : 16);
}

int net_reserve_resources(struct net *n, size_t more)
{
    if (more > (size_t)INT32_MAX - n->n_res)
        return -1;
    size_t want = n->n_res + more;
    return want <= n->cap_res ? 0 : grow_res_to(n, want);
}

static uint64_t class_hash(const int *res, int n_res, double weight)
{
    uint64_t h = 0x9e3779b97f4a7c15u ^ (uint64_t)n_res;
    for (int i = 0; i < n_res; i++)
        h = (h ^ (uint32_t)res[i]) * 0x100000001b3u;
    uint64_t wb;
    memcpy(&wb, &weight, sizeof wb);
    h = (h ^ wb) * 0xff51afd7ed558ccdu;
    return h ^ (h >> 32);
}

static void rehash(struct net *n, int *buckets, size_t n_buckets)
{
    for (size_t b = 0; b < n_buckets; b++)
        buckets[b] = -1;
    for (size_t c = 0; c < n->cap_cls; c++) {
        struct net_class *k = &n->cls[c];
        if (n->cstamp[c] == UINT32_MAX)
            continue; /* a free record */
        size_t b = class_hash(k->res, k->n_res, k->weight) & (n_buckets - 1);
        k->hnext = buckets[b];
        buckets[b] = (int)c;
    }
    free(n->buckets);
    n->buckets = buckets;
    n->n_buckets = n_buckets;
}

/* Class records are cache-line aligned, which realloc does not promise. */
static int grow_class_records(struct net *n, size_t old, size_t cap)
{
    struct net_class *p = aligned_alloc(64, cap * sizeof *p);
    if (!p)
        return -1;
    if (old)
        memcpy(p, n->cls, old * sizeof *p);
    free(n->cls);
    n->cls = p;
    return 0;
}

static int grow_classes(struct net *n)
{
    size_t old = n->cap_cls, cap = old ? 2 * old : 64;
    if (grow_class_records(n, old, cap) ||
        grow_array((void **)&n->cstamp, cap, sizeof *n->cstamp) ||
        grow_array((void **)&n->cfroz, cap, sizeof *n->cfroz) ||
        grow_array((void **)&n->cqueue, cap, sizeof *n->cqueue) ||
        grow_array((void **)&n->dirty_cls, cap, sizeof *n->dirty_cls) ||
        grow_array((void **)&n->cnext, cap, sizeof *n->cnext) ||
        grow_array((void **)&n->ccomp, cap, sizeof *n->ccomp) ||
        grow_array((void **)&n->cdnext, cap, sizeof *n->cdnext) ||
        grow_array((void **)&n->cnextus, cap, sizeof *n->cnextus) ||
        grow_array((void **)&n->cprev, cap, sizeof *n->cprev) ||
        grow_array((void **)&n->cdue, cap, sizeof *n->cdue) ||
        grow_array((void **)&n->cused, cap, sizeof *n->cused) ||
        grow_array((void **)&n->cvref, cap, sizeof *n->cvref) ||
        grow_array((void **)&n->cvfin, cap, sizeof *n->cvfin) ||
        grow_array((void **)&n->cvpos, cap, sizeof *n->cvpos) ||
        grow_array((void **)&n->dirty_comps, cap, sizeof *n->dirty_comps) ||
        grow_array((void **)&n->comps, cap, sizeof *n->comps) ||
        grow_array((void **)&n->comp_heap, cap, sizeof *n->comp_heap) ||
        grow_array((void **)&n->spans, cap, sizeof *n->spans) ||
        grow_array((void **)&n->due, cap, sizeof *n->due))
        return -1;
    int *buckets = malloc(cap * sizeof *buckets);
    if (!buckets)
        return -1;
    /* New records go on the free lists lowest id first. A free class is
     * marked by cstamp UINT32_MAX (epochs never reach it). */
    for (size_t c = cap; c-- > old;) {
        struct net_class *k = &n->cls[c];
        memset(k, 0, sizeof *k);
        n->ccomp[c] = -1;
        n->cdnext[c] = -1;
        n->cnextus[c] = INT64_MAX;
        n->cstamp[c] = UINT32_MAX;
        n->cfroz[c] = 0;
        k->hnext = n->cls_free;
        n->cls_free = (int)c;
        n->cnext[c] = n->cprev[c] = -1;
        n->cdue[c] = INT64_MAX;
        n->cvpos[c] = -1;
        memset(&n->comps[c], 0, sizeof n->comps[c]);
        n->comps[c].head = -1;
        n->comps[c].flat = -1;
        n->comps[c].heap_pos = -1;
        n->comps[c].next_free = n->comp_free;
        n->comp_free = (int)c;
    }
    n->cap_cls = cap;
    rehash(n, buckets, cap); /* load factor stays <= 1 */
    return 0;
}

static int grow_flows(struct net *n)
{
    size_t old = n->cap_flows, cap = old ? 2 * old : 64;
    if (grow_array((void **)&n->flows, cap, sizeof *n->flows) ||
        grow_array((void **)&n->pending, cap, sizeof *n->pending) ||
        grow_array((void **)&n->done, cap, sizeof *n->done) ||
        grow_array((void **)&n->fstart, cap, sizeof *n->fstart))
        return -1;
    for (size_t f = cap; f-- > old;) {
        n->flows[f].state = FLOW_FREE;
        n->flows[f].slot = n->flow_free;
        n->flow_free = (int)f;
    }
    n->cap_flows = cap;
    return 0;
}

/* ---- life cycle --------------------------------------------------------- */

struct net *net_new(void)
{
    struct net *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->cls_free = n->comp_free = n->flow_free = -1;
    if (grow_res(n) || grow_classes(n) || grow_flows(n)) {
        net_free(n);
        return NULL;
    }
    return n;
}

void net_free(struct net *n)
{
    if (!n)
        return;
    for (size_t r = 0; r < n->n_res; r++) {
        free(n->res[r].cls);
        free(n->res[r].vheap);
    }
    for (size_t c = 0; c < n->cap_cls && n->cls; c++)
        free(n->cls[c].heap);
    free(n->res);
    free(n->rem);
    free(n->wsum);
    free(n->nunf);
    free(n->rstamp);
    free(n->stale);
    free(n->rqueue);
    free(n->fheap);
    free(n->link);
    free(n->used);
    free(n->rbot);
    free(n->rmark);
    free(n->rlist);
    free(n->cls);
    free(n->cstamp);
    free(n->cfroz);
    free(n->buckets);
    free(n->cqueue);
    free(n->dirty_cls);
    free(n->cnext);
    free(n->ccomp);
    free(n->cdnext);
    free(n->cnextus);
    free(n->cprev);
    free(n->cdue);
    free(n->cused);
    free(n->cvref);
    free(n->cvfin);
    free(n->cvpos);
    free(n->dirty_comps);
    free(n->comps);
    free(n->comp_heap);
    free(n->spans);
    free(n->due);
    free(n->flows);
    free(n->pending);
    free(n->done);
    free(n->fstart);
    free(n);
}

static void set_time(struct net *n, int64_t now_us)
{
    if (now_us > n->now_us)
        n->now_us = now_us;
}

static bool capacity_ok(double c)
{
    return c >= 0.0; /* false for NaN; INFINITY is fine */
}

static void mark_comp_dirty(struct net *n, int k)
{
    if (!n->comps[k].dirty) {
        n->comps[k].dirty = true;
        n->dirty_comps[n->n_dirty_comps++] = k;
    }
}

static void mark_class_dirty(struct net *n, int c)
{
    if (!n->cls[c].dirty) {
        n->cls[c].dirty = true;
        n->dirty_cls[n->n_dirty_cls++] = c;
    }
    mark_comp_dirty(n, n->ccomp[c]);
}

static int comp_merge(struct net *n, int a, int b);
static void link_resource(struct net *n, int r);
static void unflatten(struct net *n, int k);

int net_resource_add(struct net *n, double capacity_bps)
{
    if (!capacity_ok(capacity_bps))
        return -1;
    if (n->n_res == n->cap_res && grow_res(n))
        return -1;
    if (n->n_res >= (size_t)INT32_MAX)
        return -1;
    int r = (int)n->n_res++;
    memset(&n->res[r], 0, sizeof n->res[r]);
    n->res[r].cap = capacity_bps;
    n->res[r].vtop = -1;
    n->rstamp[r] = 0;
    n->stale[r] = false;
    n->link[r] = isfinite(capacity_bps);
    n->used[r] = 0.0;
    n->rbot[r] = n->rmark[r] = 0;
    return r;
}

int net_resource_set_capacity(struct net *n, int res, double capacity_bps, int64_t now_us)
{
    if (res < 0 || (size_t)res >= n->n_res || !capacity_ok(capacity_bps))
        return -1;
    set_time(n, now_us);
    struct net_res *rs = &n->res[res];
    if (rs->cap == capacity_bps)
        return 0;
    rs->cap = capacity_bps;
    if (rs->n_cls == 0) {
        n->link[res] = isfinite(capacity_bps);
        n->used[res] = 0.0;
    } else if (isfinite(capacity_bps)) {
        link_resource(n, res); /* it may bind now: solved with its classes */
    } else if (n->link[res]) {
        /* Unconstrained now: it stops linking its classes. */
        n->link[res] = false;
        int k = n->ccomp[rs->cls[0]];
        unflatten(n, k);
        n->comps[k].split = true;
        mark_comp_dirty(n, k);
    } else {
        for (int i = 0; i < rs->n_cls; i++)
            mark_comp_dirty(n, n->ccomp[rs->cls[i]]);
    }
    return 0;
}

size_t net_resource_count(const struct net *n)
{
    return n->n_res;
}

/* ---- class heaps: a class's active flows by key ------------------------- */

static void cheap_place(struct net *n, struct net_class *k, int i, int f)
{
    k->heap[i] = f;
    n->flows[f].slot = i;
}

static void cheap_up(struct net *n, struct net_class *k, int i)
{
    int f = k->heap[i];
    double key = n->flows[f].key;
    while (i > 0) {
        int p = (i - 1) / 2;
        if (n->flows[k->heap[p]].key <= key)
            break;
        cheap_place(n, k, i, k->heap[p]);
        i = p;
    }
    cheap_place(n, k, i, f);
}

static void cheap_down(struct net *n, struct net_class *k, int i)
{
    int f = k->heap[i];
    double key = n->flows[f].key;
    for (;;) {
        int l = 2 * i + 1;
        if (l >= k->heap_n)
            break;
        if (l + 1 < k->heap_n && n->flows[k->heap[l + 1]].key < n->flows[k->heap[l]].key)
            l++;
        if (n->flows[k->heap[l]].key >= key)
            break;
        cheap_place(n, k, i, k->heap[l]);
        i = l;
    }
    cheap_place(n, k, i, f);
}

static void cheap_top_changed(const struct net *n, struct net_class *k)
{
    k->first_key = k->heap_n ? n->flows[k->heap[0]].key : INFINITY;
}

static void cheap_remove(struct net *n, struct net_class *k, int i)
{
    int last = k->heap[--k->heap_n];
    if (i < k->heap_n) {
        cheap_place(n, k, i, last);
        cheap_down(n, k, i);
        cheap_up(n, k, n->flows[last].slot);
    }
    cheap_top_changed(n, k);
}

/* ---- the component heap: components by earliest completion ------------- */

static bool comp_less(const struct net *n, int a, int b)
{
    return n->comps[a].next_us < n->comps[b].next_us;
}

static void comp_place(struct net *n, size_t i, int k)
{
    n->comp_heap[i] = k;
    n->comps[k].heap_pos = (int)i;
}

static void comp_sift(struct net *n, size_t i)
{
    int k = n->comp_heap[i];
    while (i > 0 && comp_less(n, k, n->comp_heap[(i - 1) / 2])) {
        comp_place(n, i, n->comp_heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    for (;;) {
        size_t l = 2 * i + 1;
        if (l >= n->n_comp_heap)
            break;
        if (l + 1 < n->n_comp_heap && comp_less(n, n->comp_heap[l + 1], n->comp_heap[l]))
            l++;
        if (!comp_less(n, n->comp_heap[l], k))
            break;
        comp_place(n, i, n->comp_heap[l]);
        i = l;
    }
    comp_place(n, i, k);
}

static void comp_heap_push(struct net *n, int k)
{
    comp_place(n, n->n_comp_heap++, k);
    comp_sift(n, n->n_comp_heap - 1);
}

static void comp_heap_remove(struct net *n, int k)
{
    size_t i = (size_t)n->comps[k].heap_pos;
    n->comps[k].heap_pos = -1;
    int last = n->comp_heap[--n->n_comp_heap];
    if (i < n->n_comp_heap) {
        comp_place(n, i, last);
        comp_sift(n, i);
    }
}

/* ---- flat components: a virtual clock per bottleneck -------------------- */

/* A component is flat when one finite resource R links all its classes
 * (each crosses R, and otherwise only slack or unconstrained resources) and
 * every class has weight 1: its max-min allocation is then R's capacity
 * over its flows, the same share s for every flow, and that is what
 * progressive filling gives it (one resource in the fill heap; every class
 * freezes at rem / wsum = cap / flows). While it stays flat, its classes
 * keep no rate or progress of their own that changes with s: R keeps a
 * virtual clock V, the bytes a flow has moved at the shares of the solves
 * so far (V(t) = vclock + s (t - vt_us)); a class's progress at t is its
 * progress at V = cvref plus V(t) - cvref, and its first member ends when V
 * reaches cvfin = cvref + first_key - progress. A flow that comes or goes
 * changes s: the clock is moved to now and s recomputed, and only the class
 * that changed is re-keyed in R's heap of classes by cvfin. The component's
 * next completion is that heap's top. This is the fair-queueing schedulers'
 * virtual time; it keeps a change in O(log classes) instead of a pass over
 * the component (see solve_flat for the slack resources).
 *
 * A component stops being flat (unflatten: every class gets its progress at
 * now and its rate, as after a solve) when anything could give it a second
 * linking resource or an unequal share: a merge, a resource that links
 * again, a new class with another linking resource or another weight, a
 * change of R's capacity. It is solved in full then, and becomes flat again
 * when that solve finds it so. */

static inline int class_flat(const struct net *n, int c)
{
    int k = n->ccomp[c];
    return k >= 0 ? n->comps[k].flat : -1;
}

static inline double vclock_at(const struct net_res *rs, int64_t now_us)
{
    int64_t dt = now_us - rs->vt_us;
    return dt > 0 ? rs->vclock + rs->vshare * (double)dt * 1e-6 : rs->vclock;
}

static void vheap_place(struct net *n, struct net_res *rs, int i, int c)
{
    rs->vheap[i] = c;
    n->cvpos[c] = i;
}

static void vheap_sift(struct net *n, struct net_res *rs, int i)
{
    int c = rs->vheap[i];
    double key = n->cvfin[c];
    while (i > 0 && key < n->cvfin[rs->vheap[(i - 1) / 2]]) {
        vheap_place(n, rs, i, rs->vheap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    for (;;) {
        int l = 2 * i + 1;
        if (l >= rs->vheap_n)
            break;
        if (l + 1 < rs->vheap_n && n->cvfin[rs->vheap[l + 1]] < n->cvfin[rs->vheap[l]])
            l++;
        if (!(n->cvfin[rs->vheap[l]] < key))
            break;
        vheap_place(n, rs, i, rs->vheap[l]);
        i = l;
    }
    vheap_place(n, rs, i, c);
}

static void vheap_push(struct net *n, struct net_res *rs, int c)
{
    vheap_place(n, rs, rs->vheap_n++, c);
    vheap_sift(n, rs, rs->vheap_n - 1);
}

static void vheap_remove(struct net *n, struct net_res *rs, int c)
{
    int i = n->cvpos[c];
    n->cvpos[c] = -1;
    int last = rs->vheap[--rs->vheap_n];
    if (i < rs->vheap_n) {
        vheap_place(n, rs, i, last);
        vheap_sift(n, rs, i);
    }
}

/* Class c of a flat component on R: its key in R's heap from its progress
 * and first member (after either changed). */
static void flat_rekey(struct net *n, int c, int R)
{
    struct net_res *rs = &n->res[R];
    const struct net_class *k = &n->cls[c];
    n->cvfin[c] = n->cvref[c] + (k->first_key - k->progress);
    if (k->first_key > rs->vmaxkey)
        rs->vmaxkey = k->first_key;
    if (n->cvpos[c] < 0)
        vheap_push(n, rs, c);
    else
        vheap_sift(n, rs, n->cvpos[c]);
}

static void class_flush(struct net *n, int c, int64_t now_us);
static int64_t class_next_us(const struct net_class *k, int64_t now_us);
static int64_t class_due_bound(const struct net_class *k, int64_t next_us, int64_t now_us);

/* Gives every class of flat component k its own progress (at the latest
 * time seen) and rate, completion time and due bound, as a solve would:
 * from here on it is an ordinary component until solved again. */
static void unflatten(struct net *n, int k)
{
    struct net_comp *cp = &n->comps[k];
    if (cp->flat < 0)
        return;
    int64_t now_us = n->now_us;
    for (int c = cp->head; c >= 0; c = n->cnext[c]) {
        class_flush(n, c, now_us); /* still flat: from the clock */
        struct net_class *kc = &n->cls[c];
        n->cnextus[c] = class_next_us(kc, now_us);
        n->cdue[c] = class_due_bound(kc, n->cnextus[c], now_us);
        n->cvpos[c] = -1;
    }
    struct net_res *rs = &n->res[cp->flat];
    rs->vheap_n = 0;
    rs->vtop = -1;
    cp->flat = -1;
    cp->scan = true; /* its due list was not kept: net_complete scans it */
}

/* ---- components, kept as classes come and go ---------------------------- */

/* A free record (one always exists: there are no more components than
 * classes, and as many records as class records). */
static int comp_new(struct net *n)
{
    int k = n->comp_free;
    struct net_comp *cp = &n->comps[k];
    n->comp_free = cp->next_free;
    cp->next_us = INT64_MAX;
    cp->first_us = INT64_MAX;
    cp->head = -1;
    cp->n_cls = 0;
    cp->due_head = -1;
    cp->heap_pos = -1;
    cp->split = cp->scan = false;
    cp->flat = -1;
    return k; /* cp->dirty is kept: the record may still be listed */
}

static void comp_release(struct net *n, int k)
{
    if (n->comps[k].heap_pos >= 0)
        comp_heap_remove(n, k);
    n->comps[k].flat = -1;
    n->comps[k].head = -1;
    n->comps[k].n_cls = 0;
    n->comps[k].next_free = n->comp_free;
    n->comp_free = k;
}

static void comp_link(struct net *n, int k, int c)
{
    struct net_comp *cp = &n->comps[k];
    n->ccomp[c] = k;
    n->cprev[c] = -1;
    n->cnext[c] = cp->head;
    if (cp->head >= 0)
        n->cprev[cp->head] = c;
    cp->head = c;
    cp->n_cls++;
}

/* Takes class c out of its component's list; releases an emptied one. */
static void comp_unlink(struct net *n, int c)
{
    int k = n->ccomp[c];
    struct net_comp *cp = &n->comps[k];
    if (n->cprev[c] >= 0)
        n->cnext[n->cprev[c]] = n->cnext[c];
    else
        cp->head = n->cnext[c];
    if (n->cnext[c] >= 0)
        n->cprev[n->cnext[c]] = n->cprev[c];
    n->ccomp[c] = -1;
    if (--cp->n_cls == 0)
        comp_release(n, k);
}

/* Joins components a and b (a new class or a resource linked them): the
 * smaller one's classes are relabelled and spliced in, so a class is
 * relabelled O(log classes) times over its life. The result is due at the
 * earlier of the two times, but its due list no longer covers every class
 * due then: net_complete scans it whole until it is solved again. Returns
 * the component that remains. */
static int comp_merge(struct net *n, int a, int b)
{
    if (a == b)
        return a;
    unflatten(n, a);
    unflatten(n, b);
    if (n->comps[a].n_cls < n->comps[b].n_cls) {
        int t = a;
        a = b;
        b = t;
    }
    struct net_comp *ca = &n->comps[a], *cb = &n->comps[b];
    int tail = -1;
    for (int c = cb->head; c >= 0; c = n->cnext[c]) {
        n->ccomp[c] = a;
        tail = c;
    }
    if (tail >= 0) {
        n->cnext[tail] = ca->head;
        if (ca->head >= 0)
            n->cprev[ca->head] = tail;
        ca->head = cb->head;
    }
    ca->n_cls += cb->n_cls;
    ca->split |= cb->split;
    ca->scan = true;
    if (cb->next_us < ca->next_us) {
        ca->next_us = cb->next_us;
        ca->first_us = cb->first_us;
        if (ca->heap_pos >= 0)
            comp_sift(n, (size_t)ca->heap_pos);
        else
            comp_heap_push(n, a);
    }
    if (cb->dirty)
        mark_comp_dirty(n, a);
    cb->head = -1;
    comp_release(n, b);
    return a;
}

/* Makes finite resource r (with classes) link its classes: their
 * components become one, to be solved with r before the solve ends. */
static void link_resource(struct net *n, int r)
{
    const struct net_res *rs = &n->res[r];
    n->link[r] = true;
    int k = n->ccomp[rs->cls[0]];
    for (int i = 1; i < rs->n_cls; i++)
        k = comp_merge(n, k, n->ccomp[rs->cls[i]]);
    unflatten(n, k);
    mark_comp_dirty(n, k);
}

/* ---- classes ------------------------------------------------------------ */

static int class_find(const struct net *n, const int *res, int n_res, double weight)
{
    size_t b = class_hash(res, n_res, weight) & (n->n_buckets - 1);
    for (int c = n->buckets[b]; c >= 0; c = n->cls[c].hnext) {
        const struct net_class *k = &n->cls[c];
        if (k->n_res == n_res && k->weight == weight &&
            memcmp(k->res, res, (size_t)n_res * sizeof *res) == 0)
            return c;
    }
    return -1;
}

/* Makes sure a class can be created: every array it would enter has room. */
static int class_reserve(struct net *n, const int *res, int n_res)
{
    if (n->cls_free < 0 && grow_classes(n))
        return -1;
    for (int i = 0; i < n_res; i++) {
        struct net_res *r = &n->res[res[i]];
        if (r->n_cls == r->cap_cls) {
            int cap = r->cap_cls ? 2 * r->cap_cls : 8;
            if (grow_array((void **)&r->cls, (size_t)cap, sizeof *r->cls) ||
                grow_array((void **)&r->vheap, (size_t)cap, sizeof *r->vheap))
                return -1;
            r->cap_cls = cap;
        }
    }
    return 0;
}

static int class_create(struct net *n, const int *res, int n_res, double weight, int64_t now_us)
{
    int c = n->cls_free;
    struct net_class *k = &n->cls[c];
    n->cls_free = k->hnext;
    memcpy(k->res, res, (size_t)n_res * sizeof *res);
    k->n_res = n_res;
    k->count = 0;
    k->weight = weight;
    k->rate = 0.0;
    k->progress = 0.0;
    k->t_ref_us = now_us;
    n->cnextus[c] = INT64_MAX;
    k->first_key = INFINITY;
    k->heap_n = 0;
    n->ccomp[c] = -1;
    n->cdue[c] = INT64_MAX;
    n->cused[c] = 0.0;
    n->cstamp[c] = 0;
    n->cfroz[c] = 0;
    /* k->dirty is kept: a record released and reused before the next solve
     * may still be listed in n->dirty_cls, and must not be listed twice. */
    for (int i = 0; i < n_res; i++) {
        struct net_res *r = &n->res[res[i]];
        k->pos[i] = r->n_cls;
        r->cls[r->n_cls++] = c;
    }
    size_t b = class_hash(res, n_res, weight) & (n->n_buckets - 1);
    k->hnext = n->buckets[b];
    n->buckets[b] = c;
    n->n_cls_live++;
    /* Its component: the union of those of the classes it meets on finite
     * resources (each such resource's classes share one), or a new one. */
    int comp = -1;
    for (int i = 0; i < n_res; i++) {
        const struct net_res *r = &n->res[res[i]];
        if (!n->link[res[i]] || r->n_cls < 2)
            continue;
        int other = r->cls[0] != c ? r->cls[0] : r->cls[1];
        int k2 = n->ccomp[other];
        comp = comp < 0 ? k2 : comp_merge(n, comp, k2);
    }
    /* A flat component stays flat if the class links nothing but its
     * resource and has weight 1; it starts at the clock's now. */
    if (comp >= 0 && n->comps[comp].flat >= 0) {
        int R = n->comps[comp].flat;
        bool other = weight != 1.0;
        for (int i = 0; i < n_res; i++)
            other |= res[i] != R && n->link[res[i]];
        if (other) {
            unflatten(n, comp);
        } else {
            n->cvref[c] = vclock_at(&n->res[R], now_us);
            n->cvpos[c] = -1;
        }
    }
    comp_link(n, comp >= 0 ? comp : comp_new(n), c);
    return c;
}

/* Takes a class that lost its last member out of the hash, its resources and
 * its component; those resources get re-solved, since the others on them
 * gain what it used. */
static void class_release(struct net *n, int c)
{
    struct net_class *k = &n->cls[c];
    size_t b = class_hash(k->res, k->n_res, k->weight) & (n->n_buckets - 1);
    int *link = &n->buckets[b];
    while (*link != c)
        link = &n->cls[*link].hnext;
    *link = k->hnext;

    int finite = 0;
    for (int i = 0; i < k->n_res; i++) {
        int r = k->res[i];
        struct net_res *rs = &n->res[r];
        int p = k->pos[i];
        int moved = rs->cls[--rs->n_cls];
        if (moved != c) {
            rs->cls[p] = moved;
            struct net_class *m = &n->cls[moved];
            for (int j = 0; j < m->n_res; j++)
                if (m->res[j] == r) {
                    m->pos[j] = p;
                    break;
                }
        }
        finite += n->link[r];
        if (!n->link[r] && isfinite(rs->cap))
            n->used[r] -= n->cused[c];
        if (rs->n_cls == 0) { /* empty: linking again, the safe default */
            n->link[r] = isfinite(rs->cap);
            n->used[r] = 0.0;
        }
    }
    /* The others on its resources gain what it used: its component is
     * re-solved, and searched again if the class linked two resources. */
    int comp = n->ccomp[c];
    if (n->cvpos[c] >= 0)
        vheap_remove(n, &n->res[n->comps[comp].flat], c);
    comp_unlink(n, c);
    if (n->comps[comp].head >= 0) {
        n->comps[comp].split |= finite >= 2;
        mark_comp_dirty(n, comp);
    }
    /* A dirty entry for c may remain in n->dirty_cls (k->dirty stays set):
     * the solve skips records with no members. */
    n->cstamp[c] = UINT32_MAX;
    k->hnext = n->cls_free;
    n->cls_free = c;
    n->n_cls_live--;
}

/* Class progress (bytes per member) at now_us, at the rate of the last solve;
 * class_progress also for a class of a flat component (from the clock). */
static inline double progress_at(const struct net_class *k, int64_t now_us)
{
    int64_t dt = now_us - k->t_ref_us;
    if (dt <= 0 || k->rate <= 0.0 || isinf(k->rate))
        return k->progress;
    return k->progress + k->rate * (double)dt * 1e-6;
}

static double class_progress(const struct net *n, int c, int64_t now_us)
{
    int R = class_flat(n, c);
    if (R >= 0)
        return n->cls[c].progress + (vclock_at(&n->res[R], now_us) - n->cvref[c]);
    return progress_at(&n->cls[c], now_us);
}

/* The rate of class c's flows (in a flat component, its resource's share). */
static double class_rate(const struct net *n, int c)
{
    int R = class_flat(n, c);
    return R >= 0 ? n->res[R].vshare : n->cls[c].rate;
}

/* Moves a class's reference point to now_us before its rate changes. An
 * unconstrained class finished all its members at its last solve. A class
 * of a flat component takes its progress from the clock. */
static void flush_plain(struct net *n, struct net_class *k, int64_t now_us)
{
    if (now_us <= k->t_ref_us)
        return;
    if (isinf(k->rate)) {
        for (int i = 0; i < k->heap_n; i++)
            if (n->flows[k->heap[i]].key > k->progress)
                k->progress = n->flows[k->heap[i]].key;
    } else {
        k->progress = progress_at(k, now_us);
    }
    k->t_ref_us = now_us;
}

static void class_flush(struct net *n, int c, int64_t now_us)
{
    struct net_class *k = &n->cls[c];
    int R = class_flat(n, c);
    if (R < 0) {
        flush_plain(n, k, now_us);
        return;
    }
    double v = vclock_at(&n->res[R], now_us);
    k->progress += v - n->cvref[c];
    n->cvref[c] = v;
    k->rate = n->res[R].vshare;
    if (now_us > k->t_ref_us)
        k->t_ref_us = now_us;
}

/* ---- flows -------------------------------------------------------------- */

int net_flow_start(struct net *n, int64_t now_us, double bytes, const int *res, int n_res,
                   double weight, void *owner, uint64_t tag)
{
    if (!(bytes >= 0.0) || isinf(bytes) || !(weight > 0.0) || isinf(weight) || !res || n_res < 1 ||
        n_res > NET_MAX_PATH)
        return -1;
    /* The class identity is the sorted set: insertion sort of <= 8 ids. */
    int path[NET_MAX_PATH];
    for (int i = 0; i < n_res; i++) {
        int r = res[i], j = i;
        if (r < 0 || (size_t)r >= n->n_res)
            return -1;
        while (j > 0 && path[j - 1] > r) {
            path[j] = path[j - 1];
            j--;
        }
        if (j > 0 && path[j - 1] == r)
            return -1; /* a resource named twice */
        path[j] = r;
    }
    set_time(n, now_us);

    if (n->flow_free < 0 && grow_flows(n))
        return -1;
    int c = class_find(n, path, n_res, weight);
    bool created = false;
    if (c < 0) {
        if (class_reserve(n, path, n_res))
            return -1;
        c = class_create(n, path, n_res, weight, now_us);
        created = true;
    }
    struct net_class *k = &n->cls[c];
    if (k->count >= k->heap_cap) { /* room in the class heap for every member */
        int cap = k->heap_cap ? 2 * k->heap_cap : 4;
        if (grow_array((void **)&k->heap, (size_t)cap, sizeof *k->heap)) {
            if (created)
                class_release(n, c);
            return -1;
        }
        k->heap_cap = cap;
    }

    int f = n->flow_free;
    struct net_flow *fl = &n->flows[f];
    n->flow_free = fl->slot;
    fl->bytes = bytes;
    fl->key = 0.0;
    fl->owner = owner;
    fl->tag = tag;
    n->fstart[f] = now_us;
    fl->cls = c;
    fl->state = FLOW_PENDING;
    fl->slot = (int)n->n_pending;
    n->pending[n->n_pending++] = f;
    n->n_active++;

    k->count++;
    if (class_flat(n, c) >= 0)
        n->res[class_flat(n, c)].vcount++;
    mark_class_dirty(n, c);
    for (int i = 0; i < n_res; i++) {
        struct net_res *r = &n->res[path[i]];
        if (r->nflows++ == 0)
            r->busy_since_us = now_us;
    }
    return f;
}

/* Takes flow f out of its class and resources (it is no longer PENDING or
 * ACTIVE there); the class is re-solved, or released if it became empty. */
static void flow_detach(struct net *n, int f, int64_t now_us)
{
    int c = n->flows[f].cls;
    struct net_class *k = &n->cls[c];
    for (int i = 0; i < k->n_res; i++) {
        struct net_res *r = &n->res[k->res[i]];
        if (--r->nflows == 0)
            r->busy_s += (double)(now_us - r->busy_since_us) * 1e-6;
    }
    n->n_active--;
    if (class_flat(n, c) >= 0)
        n->res[class_flat(n, c)].vcount--;
    if (--k->count == 0)
        class_release(n, c);
    else
        mark_class_dirty(n, c);
}

static void flow_release(struct net *n, int f)
{
    n->flows[f].state = FLOW_FREE;
    n->flows[f].slot = n->flow_free;
    n->flow_free = f;
}

static void credit_bytes(struct net *n, const struct net_class *k, double bytes)
{
    for (int i = 0; i < k->n_res; i++)
        n->res[k->res[i]].bytes += bytes;
}

static double flow_remaining(const struct net *n, int f, int64_t now_us)
{
    const struct net_flow *fl = &n->flows[f];
    if (fl->state == FLOW_PENDING)
        return fl->bytes;
    if (fl->state != FLOW_ACTIVE)
        return 0.0;
    if (isinf(class_rate(n, fl->cls)))
        return 0.0;
    double rem = fl->key - class_progress(n, fl->cls, now_us);
    return rem > 0.0 ? (rem < fl->bytes ? rem : fl->bytes) : 0.0;
}

void net_flow_cancel(struct net *n, int64_t now_us, int flow)
{
    if (flow < 0 || (size_t)flow >= n->cap_flows)
        return;
    struct net_flow *fl = &n->flows[flow];
    if (fl->state != FLOW_PENDING && fl->state != FLOW_ACTIVE)
        return;
    set_time(n, now_us);
    struct net_class *k = &n->cls[fl->cls];
    if (fl->state == FLOW_PENDING) {
        int last = n->pending[--n->n_pending];
        n->pending[fl->slot] = last;
        n->flows[last].slot = fl->slot;
    } else {
        credit_bytes(n, k, fl->bytes - flow_remaining(n, flow, now_us));
        cheap_remove(n, k, fl->slot);
    }
    flow_detach(n, flow, now_us);
    flow_release(n, flow);
}

double net_flow_rate(const struct net *n, int flow)
{
    if (flow < 0 || (size_t)flow >= n->cap_flows || n->flows[flow].state != FLOW_ACTIVE)
        return 0.0;
    return class_rate(n, n->flows[flow].cls);
}

double net_flow_remaining(const struct net *n, int flow, int64_t now_us)
{
    if (flow < 0 || (size_t)flow >= n->cap_flows)
        return 0.0;
    return flow_remaining(n, flow, now_us);
}

size_t net_active_flows(const struct net *n)
{
    return n->n_active;
}

/* ---- the solve ---------------------------------------------------------- */

static void visit_res(struct net *n, int r, int *rq)
{
    n->rstamp[r] = n->epoch;
    n->rem[r] = n->res[r].cap;
    n->wsum[r] = 0.0;
    n->nunf[r] = 0;
    n->stale[r] = false;
    n->rqueue[(*rq)++] = r;
}

/* A class enters this solve. (Its component record is released by the
 * caller, which re-forms the component from the classes queued.) Its
 * progress is brought to now at its old rate only if its rate or its
 * members change (see fill_component): a class whose rate the solve does
 * not change keeps its reference point and its completion times. A flat
 * component is never solved in full, and its classes are reached from no
 * other. */
static void visit_class(struct net *n, int c, int *cq, int64_t now_us)
{
    (void)now_us;
    n->cstamp[c] = n->epoch;
    n->cqueue[(*cq)++] = c;
}


/* A class's weight onto each resource it links (an unconstrained or slack
 * one links nothing), visiting the resources not seen in this epoch: the
 * step both component searches take for every class they reach. */
static inline void add_class_to_resources(struct net *n, const struct net_class *k,
                                          const bool *link, const uint32_t *rstamp,
                                          uint32_t epoch, double *wsum, int *nunf, int *rn)
{
    double w = (double)k->count * k->weight;
    for (int i = 0; i < k->n_res; i++) {
        int r = k->res[i];
        if (!link[r])
            continue;
        if (rstamp[r] != epoch)
            visit_res(n, r, rn);
        wsum[r] += w;
        nunf[r]++;
    }
}

/* A component that only gained classes or flows, or lost some that linked
 * no two finite resources, is still connected: its classes are queued from
 * its list, with no search, and its resources summed as search_component
 * does. */
#define NET_PREFETCH 4 /* records asked for ahead of use */

static void gather_component(struct net *n, int comp, int *rq, int *cq, size_t *nspan,
                             int64_t now_us)
{
    const uint32_t epoch = n->epoch;
    const bool *link = n->link;
    const uint32_t *rstamp = n->rstamp;
    double *wsum = n->wsum;
    int *nunf = n->nunf;
    int r0 = *rq, c0 = *cq, rn = *rq, cn = *cq;
    /* The list is in arrays, the records are not: the record a few links
     * ahead is asked for while this one is worked on. */
    int ahead = n->comps[comp].head;
    for (int i = 0; i < NET_PREFETCH && ahead >= 0; i++) {
        __builtin_prefetch(&n->cls[ahead]);
        ahead = n->cnext[ahead];
    }
    for (int c = n->comps[comp].head; c >= 0; c = n->cnext[c]) {
        if (ahead >= 0) {
            __builtin_prefetch(&n->cls[ahead]);
            ahead = n->cnext[ahead];
        }
        visit_class(n, c, &cn, now_us);
        add_class_to_resources(n, &n->cls[c], link, rstamp, epoch, wsum, nunf, &rn);
    }
    *rq = rn;
    *cq = cn;
    if (cn > c0)
        n->spans[(*nspan)++] = (struct span){r0, rn, c0, cn};
}

/* Breadth-first search of one component from a seed class, appending its resources to rqueue and
 * its classes to cqueue, and summing each resource's weight. Invariant: everything before ri / ci
 * has had its neighbours visited. */
static void search_component(struct net *n, int seed_cls, int *rq, int *cq, size_t *nspan,
                             int64_t now_us)
{
    /* Locals, so that the stores below are not taken to alias them. */
    const uint32_t epoch = n->epoch;
    const struct net_class *cls = n->cls;
    const struct net_res *res = n->res;
    const bool *link = n->link;
    const uint32_t *cstamp = n->cstamp, *rstamp = n->rstamp;
    const int *cqueue = n->cqueue, *rqueue = n->rqueue;
    double *wsum = n->wsum;
    int *nunf = n->nunf;
    int r0 = *rq, c0 = *cq, rn = *rq, cn = *cq;
    if (cstamp[seed_cls] == epoch)
        return;
    visit_class(n, seed_cls, &cn, now_us);
    int ri = r0, ci = c0;
    while (ri < rn || ci < cn) {
        while (ci < cn) {
            add_class_to_resources(n, &cls[cqueue[ci++]], link, rstamp, epoch, wsum, nunf, &rn);
        }
        while (ri < rn) {
            const struct net_res *rs = &res[rqueue[ri++]];
            for (int i = 0; i < rs->n_cls; i++)
                if (cstamp[rs->cls[i]] != epoch)
                    visit_class(n, rs->cls[i], &cn, now_us);
        }
    }
    *rq = rn;
    *cq = cn;
    if (cn > c0)
        n->spans[(*nspan)++] = (struct span){r0, rn, c0, cn};
}

static double share_of(const struct net *n, int r)
{
    return n->rem[r] > 0.0 ? n->rem[r] / n->wsum[r] : 0.0;
}

/* Puts e at index i of the fill heap h (of hn entries) and sifts it down:
 * used both to build the heap and to re-key or drop its top. */
static void fheap_sift_down(struct fill_entry *h, int hn, int i, struct fill_entry e)
{
    for (;;) {
        int l = 2 * i + 1;
        if (l >= hn)
            break;
        if (l + 1 < hn && h[l + 1].share < h[l].share)
            l++;
        if (h[l].share >= e.share)
            break;
        h[i] = h[l];
        i = l;
    }
    h[i] = e;
}

/* When the first member of a class finishes, given the rate just solved.
 * The exact time is rounded up to a whole us, ignoring an excess below one
 * picosecond (or 1e-12 relative) that is round-off: the finishing test in
 * collect_finished accepts that much. */
static inline int64_t next_us_of(double first_key, double progress, double rate, int64_t now_us)
{
    if (isinf(first_key))
        return INT64_MAX; /* no active member */
    double rem = first_key - progress;
    if (rem <= 0.0 || isinf(rate))
        return now_us;
    if (rate <= 0.0)
        return INT64_MAX;
    double dt_us = rem / rate * 1e6;
    dt_us = ceil(dt_us - 1e-6 - 1e-12 * dt_us);
    if (dt_us >= 9.0e18 || (double)(INT64_MAX - now_us) <= dt_us)
        return INT64_MAX;
    return now_us + (dt_us > 0.0 ? (int64_t)dt_us : 0);
}

static int64_t class_next_us(const struct net_class *k, int64_t now_us)
{
    return next_us_of(k->first_key, k->progress, k->rate, now_us);
}

/* A time at or before the first at which collect_finished finds the first
 * member of class k finished or forced: no later than next_us, and no later
 * than the time its round-off allowance lets it pass (which may come first
 * for a member with a large key). net_complete, when called late, looks at
 * the classes whose bound has come, and finds the same flows finished as a
 * look at every class would. */
static int64_t class_due_bound(const struct net_class *k, int64_t next_us, int64_t now_us)
{
    if (isinf(k->first_key))
        return INT64_MAX;
    if (isinf(k->rate))
        return now_us;
    /* It passes when first_key - progress(t) <= rate (t + 1 us) + 1e-9
     * first_key, that is after x / rate - 1 us; 2 us earlier for round-off.
     * When the allowance is worth at most 1 us (first_key <= 1000 s of
     * transfer at the rate: nearly always), that is no earlier than 3 us
     * before next_us (which rounds D = rem / rate up by less than 1 us:
     * D - 1 - 1 >= next_us - 3), and no division is needed. */
    if (next_us != INT64_MAX && k->rate > 0.0 && k->first_key <= 1e3 * k->rate)
        return next_us - 3;
    double x = k->first_key - k->progress - NET_ROUNDOFF * k->first_key;
    if (x <= 0.0)
        return now_us;
    if (k->rate <= 0.0)
        return next_us;
    double dt_us = floor(x / k->rate * 1e6) - 3.0;
    if (dt_us >= 9.0e18 || (double)(INT64_MAX - now_us) <= dt_us)
        return next_us;
    int64_t t = now_us + (dt_us > 0.0 ? (int64_t)dt_us : 0);
    return t < next_us ? t : next_us;
}

/* Progressive filling of one component. The heap holds each resource that
 * still has unfrozen classes, keyed by its share when last keyed. Freezing a
 * class at rate w*s, where s is the smallest share, can only raise another
 * resource's share: (rem - k w s) / (W - k w) >= rem / W exactly when
 * s <= rem / W. So keys are lower bounds: a top whose rem or W changed since
 * it was keyed is re-keyed in place and sifted down, and a top that did not
 * change holds the true smallest share.
 *
 * Freezing writes rem, wsum, nunf and stale of every resource the class
 * crosses, including the bottleneck itself (reset after the loop) and
 * unconstrained ones (never in the heap, and re-initialised by the next
 * visit): cheaper than testing for them. */
static void fill_component(struct net *n, const struct span *sp, int64_t now_us)
{
    struct fill_entry *h = n->fheap;
    int hn = 0;
    for (int i = sp->r0; i < sp->r1; i++) {
        int r = n->rqueue[i];
        if (n->nunf[r] > 0)
            h[hn++] = (struct fill_entry){share_of(n, r), r};
    }
    for (int i = hn / 2; i-- > 0;) /* Floyd's heap construction */
        fheap_sift_down(h, hn, i, h[i]);
    const uint32_t epoch = n->epoch;
    uint32_t *cfroz = n->cfroz;
    struct net_class *cls = n->cls;
    double *rem = n->rem, *wsum = n->wsum;
    int *nunf = n->nunf;
    bool *stale = n->stale;
    while (hn > 0) {
        struct fill_entry e = h[0];
        int r = e.res;
        if (n->nunf[r] == 0) {
            hn--;
            if (hn > 0)
                fheap_sift_down(h, hn, 0, h[hn]);
            continue;
        }
        if (n->stale[r]) {
            n->stale[r] = false;
            fheap_sift_down(h, hn, 0, (struct fill_entry){share_of(n, r), r});
            continue;
        }
        hn--;
        if (hn > 0)
            fheap_sift_down(h, hn, 0, h[hn]);
        n->rbot[r] = epoch;
        const struct net_res *rs = &n->res[r];
        for (int i = 0; i < rs->n_cls; i++) {
            int c = rs->cls[i];
            if (cfroz[c] == epoch)
                continue;
            cfroz[c] = epoch;
            struct net_class *k = &cls[c];
            double rate = k->weight * e.share;
            if (rate != k->rate || k->dirty) {
                /* Its completion times now, while its line is in cache. */
                flush_plain(n, k, now_us);
                k->rate = rate;
                int64_t next = class_next_us(k, now_us);
                n->cnextus[c] = next;
                n->cdue[c] = class_due_bound(k, next, now_us);
            }
            double used = (double)k->count * k->rate, w = (double)k->count * k->weight;
            for (int j = 0; j < k->n_res; j++) {
                int r2 = k->res[j];
                rem[r2] -= used;
                wsum[r2] -= w;
                nunf[r2]--;
                stale[r2] = true;
            }
        }
        nunf[r] = 0;
    }
}

/* Slack resources. A finite resource that bound no class at a solve and
 * carries at most NET_SLACK_LOW of its capacity (not more, so that one near
 * its limit does not leave and come back at every solve) stops linking
 * components: the max-min allocation computed without it is the allocation
 * with it, as long as that allocation fits within it (the optimum over a
 * larger feasible set, if it lies in the smaller one, is the optimum there
 * too). So after each component's solve, every slack resource crossed by a
 * class solved in it has its use checked; one filled beyond NET_SLACK_HIGH
 * of its capacity, or crossed by a class that nothing else limits, links
 * again and its classes are solved once more with it, in the same solve. In
 * a shuffle whose reads are bounded by the source disks, the NICs go slack
 * and a completion re-solves one disk's classes instead of the cluster's. */
#define NET_SLACK_LOW 0.9
#define NET_SLACK_HIGH (1.0 - 1e-6)

static void list_resource(struct net *n, int r, int *nlist)
{
    if (n->rmark[r] != n->epoch) {
        n->rmark[r] = n->epoch;
        n->rlist[(*nlist)++] = r;
    }
}

/* After a component's solve: each class's use is moved onto the slack
 * resources it crosses, and those it overfills are linked (returns true);
 * otherwise, if may_unlink, the linking resources that bound no class and
 * have room to spare stop linking (their component is searched again at
 * its next solve). */
static bool check_slack(struct net *n, const struct span *sp, bool may_unlink)
{
    int nlist = 0;
    /* The span's classes are one part, flat or not, until the links below. */
    int R = sp->c1 > sp->c0 ? class_flat(n, n->cqueue[sp->c0]) : -1;
    for (int i = sp->c0; i < sp->c1; i++) {
        int c = n->cqueue[i];
        const struct net_class *k = &n->cls[c];
        double use = R >= 0           ? (double)k->count * n->res[R].vresv
                     : isinf(k->rate) ? INFINITY
                                      : (double)k->count * k->rate;
        double d = (isinf(use) ? 0.0 : use) - n->cused[c];
        n->cused[c] += d;
        for (int j = 0; j < k->n_res; j++) {
            int r = k->res[j];
            if (n->link[r])
                continue;
            double cap = n->res[r].cap;
            if (!isfinite(cap))
                continue;
            n->used[r] += d;
            if (isinf(use) || n->used[r] > cap * NET_SLACK_HIGH)
                list_resource(n, r, &nlist);
        }
    }
    for (int i = 0; i < nlist; i++)
        link_resource(n, n->rlist[i]);
    if (!may_unlink || nlist > 0)
        return nlist > 0;
    for (int i = sp->r0; i < sp->r1; i++) {
        int r = n->rqueue[i];
        const struct net_res *rs = &n->res[r];
        if (n->rbot[r] == n->epoch || rs->cap - n->rem[r] > rs->cap * NET_SLACK_LOW)
            continue;
        double used = 0.0;
        for (int j = 0; j < rs->n_cls; j++)
            used += n->cused[rs->cls[j]];
        n->link[r] = false;
        n->used[r] = used;
        n->comps[n->ccomp[rs->cls[0]]].split = true;
    }
    return false;
}

static void next_epoch(struct net *n)
{
    if (++n->epoch == UINT32_MAX) { /* wrap: forget every stamp */
        for (size_t r = 0; r < n->n_res; r++)
            n->rstamp[r] = n->rbot[r] = n->rmark[r] = 0;
        for (size_t c = 0; c < n->cap_cls; c++) {
            if (n->cstamp[c] != UINT32_MAX)
                n->cstamp[c] = 0;
            n->cfroz[c] = 0;
        }
        n->epoch = 1;
    }
}

/* Slack resources and flat components. A flat component's classes would
 * change their use of the slack resources they cross at every change of its
 * share; instead each reserves count x vresv, a share above the true one,
 * and the resources' sums (n->used) are kept over the reservations: the
 * check above is then against at least the true use, and a resource that
 * links on it gives the same max-min allocation (it only joins a solve).
 * The reservation is set to NET_FLAT_RESERVE times the share when the share
 * rises above it or falls below it by that factor squared: only then does a
 * change visit every class of the component. */
#define NET_FLAT_RESERVE 1.05

/* Class c's reservation becomes count x resv: its slack resources' sums
 * follow, and those it fills up are listed to link. */
static void flat_reserve(struct net *n, int c, double resv, int *nlist)
{
    const struct net_class *k = &n->cls[c];
    double d = (double)k->count * resv - n->cused[c];
    if (d == 0.0)
        return;
    n->cused[c] += d;
    for (int j = 0; j < k->n_res; j++) {
        int r = k->res[j];
        double cap = n->res[r].cap;
        if (n->link[r] || !isfinite(cap))
            continue;
        n->used[r] += d;
        if (d > 0.0 && n->used[r] > cap * NET_SLACK_HIGH)
            list_resource(n, r, nlist);
    }
}

/* The component `part`, just solved, is flat on R: its classes' progress
 * (all taken at now_us) is kept against R's clock from here on. */
static void flat_begin(struct net *n, int part, const struct span *sp, int R, double share,
                       int64_t flows, int64_t now_us)
{
    struct net_res *rs = &n->res[R];
    n->comps[part].flat = R;
    rs->vclock = 0.0;
    rs->vt_us = now_us;
    rs->vshare = share;
    rs->vresv = share * NET_FLAT_RESERVE;
    rs->vmaxkey = 0.0;
    rs->vcount = flows;
    rs->vheap_n = 0;
    for (int i = sp->c0; i < sp->c1; i++) {
        int c = n->cqueue[i];
        flush_plain(n, &n->cls[c], now_us); /* its rate is the solve's */
        n->cvref[c] = 0.0;
        n->cvpos[c] = -1;
        flat_rekey(n, c, R);
    }
    rs->vtop = rs->vheap[0];
}

/* Solves a flat component that holds a change: its clock is brought to
 * now at the old share, the share becomes capacity / flows (what
 * progressive filling gives it), the classes that changed were re-keyed
 * before (see solve), and its next completion is its heap top's. Returns
 * whether a slack resource had to link. */
static bool solve_flat(struct net *n, int comp, int64_t now_us, size_t *visited)
{
    struct net_comp *cp = &n->comps[comp];
    int R = cp->flat;
    struct net_res *rs = &n->res[R];
    rs->vclock = vclock_at(rs, now_us);
    rs->vt_us = now_us;
    double share = rs->cap / (double)rs->vcount;
    rs->vshare = share;
    int nlist = 0;
    if (share > rs->vresv || share * (NET_FLAT_RESERVE * NET_FLAT_RESERVE) < rs->vresv) {
        next_epoch(n);
        rs->vresv = share * NET_FLAT_RESERVE;
        for (int c = cp->head; c >= 0; c = n->cnext[c]) {
            flat_reserve(n, c, rs->vresv, &nlist);
            *visited += !n->cls[c].dirty; /* a changed class was counted */
        }
    }
    int top = rs->vheap[0];
    const struct net_class *k = &n->cls[top];
    rs->vtop = top;
    cp->next_us =
        next_us_of(k->first_key, k->progress + (rs->vclock - n->cvref[top]), share, now_us);
    cp->first_us = n->fstart[k->heap[0]];
    cp->due_head = -1;
    if (cp->heap_pos >= 0)
        comp_sift(n, (size_t)cp->heap_pos);
    else
        comp_heap_push(n, comp);
    for (int i = 0; i < nlist; i++)
        link_resource(n, n->rlist[i]);
    return nlist > 0;
}

/* Solves one component that holds a change, with an epoch of its own: its
 * classes are queued from its list, or searched anew from each of them when
 * it may have split; its record is released and each part found gets a new
 * one. The classes stay in cache from the queueing to the slack check.
 * Returns whether a slack resource had to link again. */
static bool solve_component(struct net *n, int comp, int64_t now_us, bool may_unlink,
                            size_t *visited)
{
    next_epoch(n);
    int rq = 0, cq = 0;
    size_t nspan = 0;
    struct net_comp *cp = &n->comps[comp];
    if (cp->split) {
        for (int c = cp->head; c >= 0; c = n->cnext[c])
            search_component(n, c, &rq, &cq, &nspan, now_us);
    } else {
        gather_component(n, comp, &rq, &cq, &nspan, now_us);
    }
    comp_release(n, comp);

    for (size_t s = 0; s < nspan; s++) {
        const struct span *sp = &n->spans[s];
        /* One linking resource of room > 0: flat if every class has
         * weight 1 (and so freezes at its share, cap / flows). */
        int R = sp->r1 - sp->r0 == 1 ? n->rqueue[sp->r0] : -1;
        bool flat = R >= 0 && n->res[R].cap > 0.0 && isfinite(n->res[R].cap);
        double share = flat ? n->res[R].cap / n->wsum[R] : 0.0; /* fill's share_of */
        int64_t flows = 0;
        fill_component(n, sp, now_us);
        int part = comp_new(n);
        int64_t next = INT64_MAX, first = INT64_MAX;
        int prev = -1, due = -1;
        for (int i = sp->c0; i < sp->c1; i++) {
            int c = n->cqueue[i];
            if (flat) {
                flat = n->cls[c].weight == 1.0 && n->cfroz[c] == n->epoch;
                flows += n->cls[c].count;
            }
            if (n->cfroz[c] != n->epoch) { /* crosses only unconstrained resources */
                struct net_class *k = &n->cls[c];
                flush_plain(n, k, now_us);
                k->rate = INFINITY;
                n->cnextus[c] = class_next_us(k, now_us);
                n->cdue[c] = class_due_bound(k, n->cnextus[c], now_us);
            }
            int64_t t = n->cnextus[c];
            /* Invariant: every class seen so far that is due within 1 us of
             * the smallest next_us so far is on the due list (which may hold
             * more: the smallest only decreases). */
            if (t != INT64_MAX && t - 1 <= next) {
                n->cdnext[c] = due;
                due = c;
                if (t < next) {
                    next = t;
                    first = n->fstart[n->cls[c].heap[0]]; /* its first finisher */
                }
            }
            n->ccomp[c] = part;
            n->cprev[c] = prev;
            n->cnext[c] = -1;
            if (prev >= 0)
                n->cnext[prev] = c;
            else
                n->comps[part].head = c;
            prev = c;
        }
        n->comps[part].n_cls = sp->c1 - sp->c0;
        n->comps[part].next_us = next;
        n->comps[part].first_us = first;
        n->comps[part].due_head = due;
        comp_heap_push(n, part);
        if (flat && flows > 0)
            flat_begin(n, part, sp, R, share, flows, now_us);
    }
    /* Every part has its record now: linking may merge them. */
    bool linked = false;
    for (size_t s = 0; s < nspan; s++)
        linked |= check_slack(n, &n->spans[s], may_unlink);
    *visited += (size_t)cq;
    return linked;
}

/* New flows join their classes (flushed to now first: the flush in the
 * component's solve is then a no-op), then every component holding a
 * change is solved, and those that slack resources linked again, until
 * none is left. Resources stop linking only until one has to link again in
 * this solve, so the loop ends. The dirty list is used as a stack: each
 * record is on it at most once. */
static void solve(struct net *n, int64_t now_us)
{
    for (size_t i = 0; i < n->n_pending; i++) {
        int f = n->pending[i];
        struct net_flow *fl = &n->flows[f];
        struct net_class *k = &n->cls[fl->cls];
        class_flush(n, fl->cls, now_us);
        fl->key = k->progress + fl->bytes;
        fl->state = FLOW_ACTIVE;
        cheap_place(n, k, k->heap_n++, f);
        cheap_up(n, k, k->heap_n - 1);
        cheap_top_changed(n, k);
    }
    n->n_pending = 0;
    /* A changed class of a flat component is re-keyed in its resource's
     * heap and reserves for its new count (records released since they were
     * listed are skipped). Their marks stay until the components are
     * solved: nothing in between marks a class. */
    size_t visited = 0;
    int nlist = 0;
    next_epoch(n);
    for (size_t i = 0; i < n->n_dirty_cls; i++) {
        int c = n->dirty_cls[i];
        int R = n->cstamp[c] != UINT32_MAX ? class_flat(n, c) : -1;
        if (R >= 0) {
            flat_rekey(n, c, R);
            flat_reserve(n, c, n->res[R].vresv, &nlist);
            visited++;
        }
    }
    for (int i = 0; i < nlist; i++)
        link_resource(n, n->rlist[i]);

    bool linked = nlist > 0;
    while (n->n_dirty_comps > 0) {
        int comp = n->dirty_comps[--n->n_dirty_comps];
        n->comps[comp].dirty = false;
        if (n->comps[comp].head < 0)
            continue; /* emptied or merged away since it was listed */
        if (n->comps[comp].flat >= 0)
            linked |= solve_flat(n, comp, now_us, &visited);
        else
            linked |= solve_component(n, comp, now_us, !linked, &visited);
    }
    for (size_t i = 0; i < n->n_dirty_cls; i++)
        n->cls[n->dirty_cls[i]].dirty = false;
    n->n_dirty_cls = 0;
    n->solves++;
    n->last_visited = visited;
}

int64_t net_update(struct net *n, int64_t now_us)
{
    set_time(n, now_us);
    if (n->n_dirty_comps || n->n_pending)
        solve(n, now_us);
    return n->n_comp_heap ? n->comps[n->comp_heap[0]].next_us : INT64_MAX;
}

/* Removes the finished members of class c at now_us and appends them to
 * n->done. A member is finished when what it has left is at most one us of
 * transfer plus 1e-9 of its key; since the allowance grows with the key, the
 * finished members are exactly a prefix of the heap order. A class that was
 * due by the last solve and did not change since gives up its first member
 * whatever round-off says, so a due time always makes progress. */
static void collect_finished(struct net *n, int c, int64_t now_us, bool force)
{
    struct net_class *k = &n->cls[c];
    double rate = class_rate(n, c);
    bool unconstrained = isinf(rate);
    double progress = class_progress(n, c, now_us), tick = rate * NET_TICK_S;
    while (k->heap_n > 0) {
        double key = k->first_key;
        if (!(force || unconstrained || key - progress <= tick + NET_ROUNDOFF * key))
            break;
        int f = k->heap[0];
        struct net_flow *fl = &n->flows[f];
        force = false;
        cheap_remove(n, k, 0);
        credit_bytes(n, k, fl->bytes);
        fl->state = FLOW_DONE;
        n->done[n->n_done++] = f;
        bool last = k->count == 1;
        flow_detach(n, f, now_us); /* the last member releases the class */
        if (last)
            return;
    }
}

/* A due flat component: the classes whose first member may have finished
 * are those whose cvfin the clock has reached, within one us of transfer
 * and the round-off allowance (of the largest key: a superset, which
 * collect_finished tests exactly). The class that set the due time gives up
 * a member whatever round-off says, as in net_complete. Those that keep
 * members go back in the heap with their new first key. */
static void collect_flat(struct net *n, int comp, int64_t now_us)
{
    int R = n->comps[comp].flat;
    struct net_res *rs = &n->res[R];
    double v = vclock_at(rs, now_us);
    double lim = v + rs->vshare * 2.0 * NET_TICK_S + 2.0 * NET_ROUNDOFF * (rs->vmaxkey + fabs(v));
    int top = rs->vtop, np = 0;
    bool force = now_us >= n->comps[comp].next_us && top >= 0 && n->cvpos[top] >= 0 &&
                 class_flat(n, top) == R && !n->cls[top].dirty;
    if (force) {
        vheap_remove(n, rs, top);
        n->cqueue[np++] = top;
    }
    while (rs->vheap_n > 0 && n->cvfin[rs->vheap[0]] <= lim) {
        int c = rs->vheap[0];
        vheap_remove(n, rs, c);
        n->cqueue[np++] = c;
    }
    for (int i = 0; i < np; i++) {
        int c = n->cqueue[i];
        collect_finished(n, c, now_us, force && c == top);
        if (n->cstamp[c] != UINT32_MAX && class_flat(n, c) == R)
            flat_rekey(n, c, R);
    }
}

static int compare_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int64_t net_complete(struct net *n, int64_t now_us, net_done_fn cb, void *ctx)
{
    set_time(n, now_us);
    /* Components due within the next us may hold finished flows. */
    int64_t horizon = now_us < INT64_MAX ? now_us + 1 : now_us;
    size_t n_due = 0;
    while (n->n_comp_heap && n->comps[n->comp_heap[0]].next_us <= horizon) {
        int comp = n->comp_heap[0];
        comp_heap_remove(n, comp);
        n->due[n_due++] = comp;
    }
    n->n_done = 0;
    for (size_t i = 0; i < n_due; i++) {
        int comp = n->due[i];
        if (n->comps[comp].flat >= 0) {
            collect_flat(n, comp, now_us);
        } else if (now_us <= n->comps[comp].next_us && !n->comps[comp].scan) {
            /* The usual case, called at the time returned: only classes on
             * the due list can have a finished flow. Since the solve that
             * made it, a class on it may have been released (and its record
             * reused, but not yet solved): such records are skipped. */
            for (int c = n->comps[comp].due_head; c >= 0;) {
                int next = n->cdnext[c];
                if (n->ccomp[c] == comp)
                    collect_finished(n, c, now_us, !n->cls[c].dirty && n->cnextus[c] <= now_us);
                if (n->comps[comp].head < 0)
                    break; /* its last class went */
                c = next;
            }
        } else {
            /* Called late (or merged since its solve): every class whose
             * bound has come. Releasing a class unlinks it, so the next one
             * is read first. */
            for (int c = n->comps[comp].head; c >= 0;) {
                int next = n->cnext[c];
                if (n->cdue[c] <= now_us)
                    collect_finished(n, c, now_us, !n->cls[c].dirty && n->cnextus[c] <= now_us);
                c = next;
            }
        }
        if (n->comps[comp].head >= 0)
            comp_heap_push(n, comp);
    }
    size_t n_done = n->n_done;
    qsort(n->done, n_done, sizeof *n->done, compare_int);
    /* Callbacks may start flows (which may grow n->done): index it afresh. */
    for (size_t i = 0; i < n_done; i++) {
        const struct net_flow *fl = &n->flows[n->done[i]];
        if (cb)
            cb(ctx, fl->owner, fl->tag, n->done[i], now_us);
    }
    /* Released last to first, so the lowest handle is reused first. */
    for (size_t i = n_done; i-- > 0;)
        flow_release(n, n->done[i]);
    n->n_done = 0;
    return net_update(n, now_us);
}

int64_t net_next_start_us(const struct net *n)
{
    return n->n_comp_heap ? n->comps[n->comp_heap[0]].first_us : INT64_MAX;
}

/* ---- accounting --------------------------------------------------------- */

double net_resource_busy_s(const struct net *n, int res)
{
    if (res < 0 || (size_t)res >= n->n_res)
        return 0.0;
    const struct net_res *r = &n->res[res];
    double s = r->busy_s;
    if (r->nflows > 0)
        s += (double)(n->now_us - r->busy_since_us) * 1e-6;
    return s;
}

double net_resource_bytes(const struct net *n, int res)
{
    if (res < 0 || (size_t)res >= n->n_res)
        return 0.0;
    return n->res[res].bytes;
}

int64_t net_solves(const struct net *n)
{
    return n->solves;
}

size_t net_active_classes(const struct net *n)
{
    return n->n_cls_live;
}

size_t net_last_solve_classes(const struct net *n)
{
    return n->last_visited;
}
