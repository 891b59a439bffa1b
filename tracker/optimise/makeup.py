"""Make-up hours learners first, within each HEI's own places (stage 1).

A request may say how many of its learners need placements to make up practice hours
(``makeup_learners``). Once the levels are solved, each HEI's learners at each place are
re-shared among that HEI's requests: as many make-up learners as the places it was given can
take, then least travel. Nothing else moves: every place keeps its learners, every HEI and
every sector its total, so most learners placed, the fair share between HEIs and the fair
share between sectors are exactly as solved, and no other HEI is touched. A make-up learner
therefore never takes a place another HEI was given, only one of their own HEI's learners'
(docs/optimiser.md, "Make-up hours learners").

Within a request the placed learners are its make-up learners first (pins included), so only
requests of one HEI compete. The re-share is one min-cost flow per HEI on the arcs the rules
allow (places -> requests), with each request's inflow split in two: its make-up learners
still to place at no cost, the rest at a cost ``W`` larger than any possible travel, so the
minimum places the most make-up learners and, among those plans, travels least.
"""

from __future__ import annotations

import numpy as np

from tracker.optimise.arcs import Instance
from tracker.optimise.flow_network import solve_min_cost


def makeup_left(inst: Instance, makeup: np.ndarray) -> np.ndarray:
    """Per request, its make-up learners not already placed by a pin."""
    pinned = np.bincount(
        inst.pinned["request"].to_numpy(dtype=np.int64),
        weights=inst.pinned["learners"].to_numpy(dtype=np.int64),
        minlength=len(inst.request_left),
    ).astype(np.int64)
    left: np.ndarray = np.clip(makeup - pinned, 0, inst.request_left)
    return left


def makeup_first(inst: Instance, flow: np.ndarray, makeup: np.ndarray) -> np.ndarray:
    """The plan's arc flows with each HEI's learners at each place re-shared among its
    requests so that the most make-up learners are placed, then the least travel."""
    left = makeup_left(inst, makeup)
    out = flow.copy()
    for h in np.unique(inst.request_hei[left > 0]):
        arcs = np.flatnonzero(inst.request_hei[inst.arc_request] == h)
        if flow[arcs].sum() > 0:
            out[arcs] = _reshare(inst, arcs, flow[arcs], left)
    return out


def _reshare(inst: Instance, arcs: np.ndarray, used: np.ndarray, left: np.ndarray) -> np.ndarray:
    """One HEI: its learners per place (``used`` on ``arcs``) routed again to its requests."""
    places, place_of = np.unique(inst.arc_place[arcs], return_inverse=True)
    requests, request_of = np.unique(inst.arc_request[arcs], return_inverse=True)
    supply = np.bincount(place_of, weights=used, minlength=len(places)).astype(np.int64)
    total = int(supply.sum())
    n_p, n_r = len(places), len(requests)
    sink = n_p + n_r
    metres = inst.arc_cost[arcs].astype(np.int64)
    w = int(metres.max(initial=0)) * total + 1
    wanted = inst.request_left[requests]
    first = left[requests]
    tails = np.concatenate([place_of, n_p + np.arange(n_r), n_p + np.arange(n_r)])
    heads = np.concatenate([n_p + request_of, np.full(2 * n_r, sink)])
    caps = np.concatenate([np.full(len(arcs), total), first, wanted - first])
    costs = np.concatenate([metres, np.zeros(n_r, np.int64), np.full(n_r, w)])
    supplies = np.zeros(sink + 1, np.int64)
    supplies[:n_p] = supply
    supplies[sink] = -total
    # feasible: the solved plan itself routes every learner
    routed = solve_min_cost(tails, heads, caps, costs, supplies)
    reshared: np.ndarray = routed[: len(arcs)]
    return reshared
