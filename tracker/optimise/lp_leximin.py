"""Leximin levels as PuLP models: the reference the network's progressive filling is tested
against, stated independently of it.

The sorted vector of fills is lexicographically maximal exactly when, for k = 1, 2, ..., the
sum of the k smallest fills is maximal with the sums before it kept. Each sum is linear in
Ogryczak and Sliwinski's form: the sum of the k smallest ``y_g`` is ``max k*r - sum(d_g)`` with
``d_g >= r - y_g`` and ``d_g >= 0``; for sectors from above, the sum of the k largest is
``min k*r + sum(d_g)`` with ``d_g >= y_g - r``. Each step is one MILP (integer learners per
arc) with every earlier step's sum kept as a row, which needs no freezing and so no
whole-learner stall. The sums are ratios, kept within ``_TOL`` of their optimum: ratios of
different groups differ by at least ``1 / (requested_g * requested_h)``, far more than that on
the instances this reference is run on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pulp

if TYPE_CHECKING:
    from tracker.optimise.lp import _Levels, _Model

_TOL = 1e-7


def _group_ratios(
    m: _Model, group_of_arc: np.ndarray, over: np.ndarray
) -> dict[int, list[tuple[Any, float]]]:
    """Per group with ``over > 0`` its ratio ``(base + learners) / over`` as linear terms,
    the constant ``base / over`` added by :func:`_k_sum_rows`."""
    terms: dict[int, list[tuple[Any, float]]] = {int(g): [] for g in np.flatnonzero(over > 0)}
    for a, g in enumerate(group_of_arc):
        if int(g) in terms:
            terms[int(g)].append((m.x[a], 1.0 / float(over[g])))
    return terms


def _k_sum_rows(
    m: _Model, k: int, sums: KeptSums, terms: dict[int, list[tuple[Any, float]]]
) -> pulp.LpAffineExpression:
    """Rows making the returned expression the sum of the k smallest ratios (``up``: the k
    largest, as a value to minimise) at any optimum of it."""
    from tracker.optimise.lp import _variable

    up = sums.up
    tag = f"{sums.name}{k}_{len(m.model.constraints)}"
    r = _variable(m.model, f"r_{tag}", -1.0, None, pulp.LpContinuous)
    out = pulp.LpAffineExpression([(r, float(k))])
    sign = 1.0 if up else -1.0
    for g, expr in terms.items():
        d = _variable(m.model, f"d_{tag}_{g}", 0, None, pulp.LpContinuous)
        out.addterm(d, sign)
        # lower: d >= r - ratio_g; upper: d >= ratio_g - r (ratio_g = expr + base_g / over_g)
        row = pulp.LpAffineExpression([(d, 1.0), (r, sign), *((v, -sign * c) for v, c in expr)])
        m.model += row >= sign * float(sums.base[g]) / float(sums.over[g]), f"k_{tag}_{g}"
    return out


@dataclass
class KeptSums:
    """A leximin level's k-sums found so far, to keep as rows in every later model."""

    name: str
    group_of_arc: np.ndarray
    base: np.ndarray  # learners already placed per group (pins)
    over: np.ndarray  # requested per HEI, or places per sector
    up: bool  # sectors: the k largest uses, to keep at most their value
    values: list[float] = field(default_factory=list)


def add_kept(m: _Model, sums: KeptSums, upto: int | None = None) -> None:
    """Keep the first ``upto`` (default all) k-sums of ``sums`` in model ``m``."""
    terms = _group_ratios(m, sums.group_of_arc, sums.over)
    for j, value in enumerate(sums.values[:upto], start=1):
        expr = _k_sum_rows(m, j, sums, terms)
        if sums.up:
            m.model += expr <= value + _TOL
        else:
            m.model += expr >= value - _TOL


def leximin_levels(lv: _Levels, sums: KeptSums) -> np.ndarray:
    """Solve one level's k-sum steps, recording each in ``sums``; return the last flow."""
    over = sums.over
    flow = np.zeros(len(sums.group_of_arc), np.int64)
    for k in range(1, int((over > 0).sum()) + 1):
        m = lv.model(f"{sums.name}_{k}", pulp.LpMinimize if sums.up else pulp.LpMaximize)
        add_kept(m, sums)
        m.model.setObjective(_k_sum_rows(m, k, sums, _group_ratios(m, sums.group_of_arc, over)))
        flow = lv.solve(m)
        learners = np.bincount(sums.group_of_arc, weights=flow, minlength=len(over)) + sums.base
        ratios = np.sort(learners[over > 0] / over[over > 0])
        sums.values.append(float(ratios[::-1][:k].sum() if sums.up else ratios[:k].sum()))
    return flow
