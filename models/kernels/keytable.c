/*
 * keytable.c — key tuples to dense group ids (see keytable.h). This is the
 * hash map inside Spark's HashAggregateExec (BytesToBytesMap), the set of
 * a distinct, and the build side of BroadcastHashJoinExec (HashedRelation).
 *
 * Two layouts, chosen once from the key types:
 *  - one integer-stored key (int32, int64, date, boolean): slots hold the
 *    key itself next to its group id, so a probe is one cache line and no
 *    indirection; a null key gets its own group outside the table;
 *  - anything else: per-row 64-bit hashes are computed a column at a time
 *    (keys.c), slots hold 32 bits of the hash and the group id, and a tag
 *    match is confirmed by comparing the key columns with the group's stored
 *    key (the key batch).
 * Invariant: at most cap/2 slots are used, so every probe ends at an empty
 * slot; slot.gid1 == 0 means empty, else it is group id + 1.
 */
#include "models/kernels/keytable.h"

#include <stdlib.h>
#include <string.h>

#include "models/kernels/keys.h"

struct int_slot {
    int64_t key;
    uint32_t gid1;
};

struct gen_slot {
    uint32_t tag;
    uint32_t gid1;
};

struct keytable {
    size_t n_keys;
    int int_path;       /* one integer-stored key */
    struct batch *keys; /* row g = group g's key */
    size_t n_groups;
    unsigned bits; /* table has 1 << bits slots */
    size_t cap;
    struct int_slot *islots; /* int path */
    struct gen_slot *gslots; /* generic path */
    size_t slots_alloc;      /* slots the current array holds (>= cap) */
    void *spare;             /* the array before the last growth, reused */
    size_t spare_alloc;
    uint64_t *ghash;         /* generic: each group's hash, for rehashing */
    size_t ghash_cap;
    uint32_t null_gid; /* int path: group of the null key, or KEYTABLE_NONE */
    uint64_t hash_ws[KEYTABLE_CHUNK];
};

static inline size_t int_slot_of(int64_t k, unsigned bits)
{
    /* Fibonacci hashing: the top bits of k * 2^64/phi spread sequential and
     * strided keys (id % 100) evenly. */
    return (size_t)(((uint64_t)k * 0x9e3779b97f4a7c15ull) >> (64 - bits));
}

static int alloc_slots(struct keytable *t, unsigned bits)
{
    size_t cap = (size_t)1 << bits;
    if (t->int_path) {
        struct int_slot *s = calloc(cap, sizeof *s);
        if (!s)
            return -1;
        free(t->islots);
        t->islots = s;
    } else {
        struct gen_slot *s = calloc(cap, sizeof *s);
        if (!s)
            return -1;
        free(t->gslots);
        t->gslots = s;
    }
    t->bits = bits;
    t->cap = cap;
    t->slots_alloc = cap;
    return 0;
}

enum { KEYTABLE_BITS0 = 7 }; /* a new or reset table's 128 slots */

/* A zeroed array of cap slots of `size` bytes: the spare one if it is large
 * enough (no allocation, no fresh pages), else a new one. */
static void *take_slots(struct keytable *t, size_t cap, size_t size, size_t *alloc)
{
    if (t->spare && t->spare_alloc >= cap) {
        void *s = t->spare;
        *alloc = t->spare_alloc;
        t->spare = NULL;
        t->spare_alloc = 0;
        memset(s, 0, cap * size);
        return s;
    }
    *alloc = cap;
    return calloc(cap, size);
}

/* Keeps the larger of old and the spare for the next growth. */
static void keep_spare(struct keytable *t, void *old, size_t alloc)
{
    if (t->spare && t->spare_alloc >= alloc) {
        free(old);
        return;
    }
    free(t->spare);
    t->spare = old;
    t->spare_alloc = alloc;
}

struct keytable *keytable_new(const enum col_type *types, size_t n_keys)
{
    if (n_keys == 0)
        return NULL;
    struct keytable *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->n_keys = n_keys;
    t->int_path = n_keys == 1 && col_type_storage(types[0]) == STORE_INT;
    t->null_gid = KEYTABLE_NONE;
    const char *names[64];
    const char **nm = n_keys <= 64 ? names : malloc(n_keys * sizeof *nm);
    if (!nm) {
        free(t);
        return NULL;
    }
    for (size_t k = 0; k < n_keys; k++)
        nm[k] = "key";
    t->keys = batch_new(n_keys, nm, types, 64);
    if (nm != names)
        free(nm);
    if (!t->keys || alloc_slots(t, KEYTABLE_BITS0) != 0) {
        keytable_free(t);
        return NULL;
    }
    return t;
}

void keytable_free(struct keytable *t)
{
    if (!t)
        return;
    batch_free(t->keys);
    free(t->islots);
    free(t->gslots);
    free(t->spare);
    free(t->ghash);
    free(t);
}

void keytable_reset(struct keytable *t)
{
    /* Back to a new table's size, as a table built again from nothing
     * would be (a few groups in the slots of the largest build are spread
     * over far more cache lines); its arrays stay for the growth. */
    if (t->bits > KEYTABLE_BITS0) {
        t->bits = KEYTABLE_BITS0;
        t->cap = (size_t)1 << KEYTABLE_BITS0;
    }
    if (t->int_path)
        memset(t->islots, 0, t->cap * sizeof *t->islots);
    else
        memset(t->gslots, 0, t->cap * sizeof *t->gslots);
    batch_clear(t->keys);
    t->n_groups = 0;
    t->null_gid = KEYTABLE_NONE;
}

size_t keytable_size(const struct keytable *t)
{
    return t->n_groups;
}

const struct batch *keytable_keys(const struct keytable *t)
{
    return t->keys;
}

/* Doubles the slot array and re-inserts every group. */
static int grow(struct keytable *t)
{
    unsigned bits = t->bits + 1;
    size_t cap = (size_t)1 << bits, mask = cap - 1;
    size_t alloc;
    if (t->int_path) {
        struct int_slot *s = take_slots(t, cap, sizeof *s, &alloc);
        if (!s)
            return -1;
        const int64_t *kv = t->keys->cols[0].i64;
        for (size_t g = 0; g < t->n_groups; g++) {
            if ((uint32_t)g == t->null_gid)
                continue;
            size_t i = int_slot_of(kv[g], bits);
            while (s[i].gid1)
                i = (i + 1) & mask;
            s[i].key = kv[g];
            s[i].gid1 = (uint32_t)g + 1;
        }
        keep_spare(t, t->islots, t->slots_alloc);
        t->islots = s;
    } else {
        struct gen_slot *s = take_slots(t, cap, sizeof *s, &alloc);
        if (!s)
            return -1;
        for (size_t g = 0; g < t->n_groups; g++) {
            uint64_t h = t->ghash[g];
            size_t i = (size_t)(h >> (64 - bits));
            while (s[i].gid1)
                i = (i + 1) & mask;
            s[i].tag = (uint32_t)h;
            s[i].gid1 = (uint32_t)g + 1;
        }
        keep_spare(t, t->gslots, t->slots_alloc);
        t->gslots = s;
    }
    t->bits = bits;
    t->cap = cap;
    t->slots_alloc = alloc;
    return 0;
}

/* Room for one more group: key batch row, hash, and the half-full rule. */
static int make_room(struct keytable *t)
{
    if (t->n_groups >= UINT32_MAX - 1)
        return -1;
    if ((t->n_groups + 1) * 2 > t->cap && grow(t) != 0)
        return -1;
    if (batch_ensure(t->keys, t->n_groups + 1) != 0)
        return -1;
    if (!t->int_path && t->n_groups + 1 > t->ghash_cap) {
        size_t cap = t->ghash_cap ? t->ghash_cap * 2 : 64;
        uint64_t *p = realloc(t->ghash, cap * sizeof *p);
        if (!p)
            return -1;
        t->ghash = p;
        t->ghash_cap = cap;
    }
    return 0;
}

/* Appends row r's key columns to the key batch as group n_groups. */
static int store_key(struct keytable *t, const struct batch *b, const int *cols, size_t r)
{
    struct batch *kb = t->keys;
    for (size_t k = 0; k < t->n_keys; k++)
        if (column_gather(&kb->cols[k], kb->cap_rows, kb->n_rows, &b->cols[cols[k]], &r, 1) != 0)
            return -1;
    kb->n_rows++;
    return 0;
}

static int insert_int(struct keytable *t, const struct column *c, size_t first, size_t n,
                      uint32_t *gid, int add)
{
    for (size_t i = 0; i < n; i++) {
        size_t r = first + i;
        if (column_is_null(c, r)) {
            if (t->null_gid == KEYTABLE_NONE && add) {
                if (make_room(t) != 0)
                    return -1;
                struct batch *kb = t->keys;
                kb->cols[0].i64[kb->n_rows] = 0;
                if (column_set_null(&kb->cols[0], kb->cap_rows, kb->n_rows) != 0)
                    return -1;
                kb->n_rows++;
                t->null_gid = (uint32_t)t->n_groups++;
            }
            gid[i] = t->null_gid;
            continue;
        }
        int64_t k = c->i64[r];
        size_t mask = t->cap - 1;
        size_t s = int_slot_of(k, t->bits);
        for (;;) {
            const struct int_slot *sl = &t->islots[s];
            if (sl->gid1 == 0)
                break;
            if (sl->key == k)
                break;
            s = (s + 1) & mask;
        }
        if (t->islots[s].gid1) {
            gid[i] = t->islots[s].gid1 - 1;
            continue;
        }
        if (!add) {
            gid[i] = KEYTABLE_NONE;
            continue;
        }
        if ((t->n_groups + 1) * 2 > t->cap) {
            if (make_room(t) != 0)
                return -1;
            /* the table was rehashed: find the empty slot again */
            mask = t->cap - 1;
            s = int_slot_of(k, t->bits);
            while (t->islots[s].gid1)
                s = (s + 1) & mask;
        } else if (make_room(t) != 0) {
            return -1;
        }
        struct batch *kb = t->keys;
        kb->cols[0].i64[kb->n_rows] = k;
        if (kb->cols[0].valid)
            kb->cols[0].valid[kb->n_rows] = 1;
        kb->n_rows++;
        t->islots[s].key = k;
        t->islots[s].gid1 = (uint32_t)t->n_groups + 1;
        gid[i] = (uint32_t)t->n_groups++;
    }
    return 0;
}

static int insert_generic(struct keytable *t, const struct batch *b, const int *cols, size_t first,
                          size_t n, uint32_t *gid, int add)
{
    uint64_t *h = t->hash_ws;
    for (size_t i = 0; i < n; i++)
        h[i] = 0;
    for (size_t k = 0; k < t->n_keys; k++)
        keys_hash_column(&b->cols[cols[k]], first, n, h);
    for (size_t i = 0; i < n; i++) {
        size_t r = first + i;
        uint64_t hv = h[i];
        uint32_t tag = (uint32_t)hv;
        size_t mask = t->cap - 1;
        size_t s = (size_t)(hv >> (64 - t->bits));
        uint32_t found = KEYTABLE_NONE;
        while (t->gslots[s].gid1) {
            if (t->gslots[s].tag == tag) {
                uint32_t g = t->gslots[s].gid1 - 1;
                size_t k = 0;
                while (k < t->n_keys && keys_equal(&b->cols[cols[k]], r, &t->keys->cols[k], g))
                    k++;
                if (k == t->n_keys) {
                    found = g;
                    break;
                }
            }
            s = (s + 1) & mask;
        }
        if (found != KEYTABLE_NONE || !add) {
            gid[i] = found;
            continue;
        }
        size_t cap_before = t->cap;
        if (make_room(t) != 0)
            return -1;
        if (t->cap != cap_before) {
            mask = t->cap - 1;
            s = (size_t)(hv >> (64 - t->bits));
            while (t->gslots[s].gid1)
                s = (s + 1) & mask;
        }
        if (store_key(t, b, cols, r) != 0)
            return -1;
        t->ghash[t->n_groups] = hv;
        t->gslots[s].tag = tag;
        t->gslots[s].gid1 = (uint32_t)t->n_groups + 1;
        gid[i] = (uint32_t)t->n_groups++;
    }
    return 0;
}

int keytable_insert(struct keytable *t, const struct batch *b, const int *cols, size_t first,
                    size_t n, uint32_t *gid)
{
    if (t->int_path)
        return insert_int(t, &b->cols[cols[0]], first, n, gid, 1);
    return insert_generic(t, b, cols, first, n, gid, 1);
}

void keytable_find(struct keytable *t, const struct batch *b, const int *cols, size_t first,
                   size_t n, uint32_t *gid)
{
    if (t->int_path)
        (void)insert_int(t, &b->cols[cols[0]], first, n, gid, 0);
    else
        (void)insert_generic(t, b, cols, first, n, gid, 0);
}
