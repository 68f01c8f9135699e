/*
 * network.h — a flow-level model of shared bandwidth: NICs, local disks,
 * storage accounts, any resource measured in bytes per second.
 *
 * A flow moves some bytes through 1..NET_MAX_PATH resources. Active flows
 * share every resource max-min fairly, weighted: the progressive-filling
 * allocation of SimGrid's validated flow model. Rates change only at
 * net_update and net_complete; between them every flow moves at a constant
 * rate. The model knows no engine: the caller keeps one event per network,
 * moves it to the time net_update/net_complete return, and calls
 * net_complete when it fires.
 *
 * Time is int64_t microseconds, never decreasing across calls; rates are
 * double bytes/s; bytes are double. A capacity of INFINITY is unconstrained:
 * a flow that crosses only unconstrained resources completes at once (at the
 * next update). A capacity of 0 is a resource that is down: its flows get rate
 * 0 and finish only if it comes back (or are cancelled).
 *
 * Finishing: a flow is finished at time t when its remaining bytes are at most
 * one microsecond of transfer at its current rate, plus a round-off allowance
 * of 1e-9 of the bytes its class has carried per flow (see network.c). So a
 * completion time is the exact finish time rounded up to a whole us, and a
 * flow ending less than 1 us after it is completed with it, slightly early.
 *
 * Ownership: the struct net owns every resource and flow record; the caller
 * owns `owner` pointers, which the model only hands back.
 */
#ifndef STAGECAST_NETWORK_H
#define STAGECAST_NETWORK_H

#include <stddef.h>
#include <stdint.h>

#define NET_MAX_PATH 8 /* resources a flow may cross */

struct net;

/* A new empty network, or NULL when out of memory. */
struct net *net_new(void);

/* Frees n and everything in it; NULL is a no-op. */
void net_free(struct net *n);

/* Adds a resource of capacity_bps (>= 0, or INFINITY). Returns its id, ids
 * counting 0, 1, 2, ...; or -1 if the capacity is negative or NaN, or when out
 * of memory. */
int net_resource_add(struct net *n, double capacity_bps);

/* Room for `more` resources beyond those added, in one allocation (a
 * caller that knows how many it will add saves the doublings' copies: a
 * 2,000-worker cluster adds about 38,000). Returns 0, or -1 out of memory
 * (the network as it was). */
int net_reserve_resources(struct net *n, size_t more);

/* Changes a capacity; the new value is used from the next net_update (call it
 * at the same now_us). Returns 0, or -1 for a bad id or capacity. */
int net_resource_set_capacity(struct net *n, int res, double capacity_bps, int64_t now_us);

size_t net_resource_count(const struct net *n);

/* Starts a flow of `bytes` (finite, >= 0) through the n_res (1..NET_MAX_PATH)
 * distinct resources in res, with weight > 0 (1 for plain fair sharing). It
 * moves nothing until the next net_update solves its rate. Costs O(1) and
 * allocates nothing once the pools have grown. Returns a handle >= 0, reused
 * after the flow ends; or -1 for a bad argument or when out of memory. */
int net_flow_start(struct net *n, int64_t now_us, double bytes, const int *res, int n_res,
                   double weight, void *owner, uint64_t tag);

/* Removes an active flow without a callback; the bytes it moved so far count
 * as carried. A handle that is not active (ended, or completed in a
 * net_complete whose callbacks are running) is ignored. */
void net_flow_cancel(struct net *n, int64_t now_us, int flow);

/* Brings the network to now_us: if flows started or ended or a capacity
 * changed since the last solve, re-solves the rates of the connected
 * components those changes touched. Returns the earliest completion time (>=
 * now_us if every due completion was taken), or INT64_MAX when no flow will
 * ever complete (none active, or all on a resource that is down). Never
 * fails. */
int64_t net_update(struct net *n, int64_t now_us);

/* When a flow that completes at the time net_update or net_complete last
 * returned was started (for an adaptive completion grain: how long that
 * flow has taken); INT64_MAX when none will complete. */
int64_t net_next_start_us(const struct net *n);

typedef void (*net_done_fn)(void *ctx, void *owner, uint64_t tag, int flow, int64_t now_us);

/* At a time net_update returned: removes every finished flow (all of them at
 * once), then calls cb for each in increasing handle order, then re-solves
 * once and returns the next completion time as net_update does. Callbacks may
 * start and cancel flows, and the completed handles are not reused before the
 * last callback returns; a callback must not call net_complete. */
int64_t net_complete(struct net *n, int64_t now_us, net_done_fn cb, void *ctx);

/* The rate of an active flow in bytes/s (INFINITY if unconstrained); 0 before
 * its first solve or for a handle that is not active. */
double net_flow_rate(const struct net *n, int flow);

/* Bytes an active flow still has to move at now_us (>= the last update); 0 for
 * a handle that is not active. */
double net_flow_remaining(const struct net *n, int flow, int64_t now_us);

/* Flows started and not yet ended. */
size_t net_active_flows(const struct net *n);

/* Simulated seconds during which res had at least one active flow, up to the
 * latest time passed to any net_ call. */
double net_resource_busy_s(const struct net *n, int res);

/* Bytes carried by res: all the bytes of each completed flow crossing it, and
 * what each cancelled one had moved. */
double net_resource_bytes(const struct net *n, int res);

/* For benchmarks and tests: the number of solves so far; the classes (sets of
 * flows with the same resources and weight, solved as one) currently active;
 * and the classes the last solve visited (flows in other components kept
 * their rates; a class counts twice when a slack resource it crosses had to
 * link again and its component was solved once more; in a flat component,
 * see network.c, the classes that changed and those whose reservation on
 * the slack resources moved). */
int64_t net_solves(const struct net *n);
size_t net_active_classes(const struct net *n);
size_t net_last_solve_classes(const struct net *n);

#endif
