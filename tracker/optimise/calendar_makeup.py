"""Make-up hours learners first on the calendar, within each HEI's own share.

The block engine re-shares each HEI's learners at each place among its own requests
(``makeup.py``). On the calendar a place is a setting on a range of days, and two requests of
one HEI with different dates do not occupy the same days, so the re-share is a small MILP per
HEI instead of a flow: once the levels are solved, for each HEI with make-up learners,

- every other HEI's arcs are fixed at the plan (their places, on every day, are taken: each
  capacity row keeps only what the others left);
- the HEI keeps exactly its learners placed (its fill) and its learner-days in every sector
  (so every sector's utilisation stays as solved, and most learners placed too);
- within that, the most make-up learners are placed (a request's placed learners are its
  make-up learners first), and then the HEI's least travel.

So no other HEI's placement changes at all, and no HEI's fair share moves: a make-up learner
takes only a place its own HEI was given on those days, as on blocks. The price (more travel)
is paid inside the HEI. Each HEI's MILP is exact (status and gap kept like a level's).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from tracker.optimise.calendar_instance import CalendarInstance
from tracker.optimise.calendar_parts import restrict
from tracker.optimise.milp import _INF, _Model
from tracker.optimise.model import Policy


def _others_left(inst: CalendarInstance, flow: np.ndarray, mine: np.ndarray) -> np.ndarray:
    """Places left on each capacity row once the other HEIs' learners are counted."""
    others = np.where(mine, 0, flow)[inst.row_arcs]
    row_of_nnz = np.repeat(np.arange(len(inst.row_places)), np.diff(inst.row_indptr))
    used = np.bincount(row_of_nnz, weights=others, minlength=len(inst.row_places))
    left: np.ndarray = inst.row_places - np.rint(used).astype(np.int64)
    return left


def _reshare(
    inst: CalendarInstance, flow: np.ndarray, arcs: np.ndarray, makeup: np.ndarray, policy: Policy
) -> tuple[np.ndarray, bool]:
    """One HEI's arcs re-planned: most make-up learners, then least travel, with its learners
    placed and its learner-days per sector as in ``flow``."""
    mine = np.zeros(len(flow), bool)
    mine[arcs] = True
    sub = restrict(dataclasses.replace(inst, row_places=_others_left(inst, flow, mine)), arcs)
    m = _Model(sub, policy)
    x = m.full(flow[arcs].astype(float))
    for cols in (m.hei_col, m.sector_col):  # this HEI's share of each, kept exactly
        m.h.changeColsBounds(len(cols), cols.astype(np.int32), x[cols], x[cols])
    requests = np.unique(sub.arc_request)
    wanted = requests[makeup[requests] > 0]
    k = len(wanted)
    if k == 0:  # none of its make-up requests can reach a place: nothing to re-share
        return flow[arcs].astype(np.int64), True
    got = m.add_vars(k, 0.0, 0.0)
    m.h.changeColsBounds(k, got.astype(np.int32), np.zeros(k), makeup[wanted].astype(float))
    pos = {int(r): i for i, r in enumerate(wanted)}
    for r in wanted:  # make-up learners placed <= learners placed on the request
        on = np.flatnonzero(sub.arc_request == r)
        m.add_row(np.r_[got[pos[int(r)]], on], np.r_[1.0, -np.ones(len(on))], -_INF, 0.0)
    placed_r = np.bincount(sub.arc_request, weights=x[: m.n], minlength=len(makeup))
    m.start(np.r_[x, np.minimum(placed_r[wanted], makeup[wanted])])
    y, st1, _ = m.solve(got, np.ones(k), True, policy.time_limit_s)
    most = float(np.rint(y[got]).sum())
    m.add_row(got, np.ones(k), most - 0.5, _INF)
    m.start(y)
    y, st2, _ = m.solve(np.arange(m.n), sub.arc_cost.astype(float), False, policy.time_limit_s)
    return np.rint(y[: m.n]).astype(np.int64), st1 == st2 == "optimal"


def calendar_makeup_first(
    inst: CalendarInstance, flow: np.ndarray, makeup: np.ndarray, policy: Policy
) -> tuple[np.ndarray, bool]:
    """The plan with each HEI's make-up learners placed first within its own share, and
    whether every HEI's re-plan was proven optimal."""
    out = flow.astype(np.int64).copy()
    proven = True
    arc_hei = inst.request_hei[inst.arc_request]
    for h in np.unique(inst.request_hei[makeup > 0]):
        arcs = np.flatnonzero(arc_hei == h)
        if out[arcs].sum() > 0:
            out[arcs], ok = _reshare(inst, out, arcs, makeup, policy)
            proven &= ok
    return out, proven


def makeup_placed(inst: CalendarInstance, flow: np.ndarray, makeup: np.ndarray) -> int:
    """Make-up learners the plan places (a request's placed learners are its make-up first)."""
    placed = np.bincount(inst.arc_request, weights=flow, minlength=len(makeup))
    return int(np.minimum(placed, makeup).sum())
