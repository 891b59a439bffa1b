"""The staff assignment as one integer programme, solved exactly by HiGHS in levels.

Decisions: ``y[i,p]`` (learner i takes a place of placement row p) for every pair that passes
the learner's own rules, and, per *group* (one placement row and one learner field),
``s[g,k]`` and ``e[g,k]``: how many of the group's learners person k supervises and assesses
(or educates). Learners of one group are interchangeable for every staff rule (same setting,
same dates, same field), so counts per group lose nothing, and one learner's supervisor and
assessor can be made different people exactly when ``s[g,k] + e[g,k] <= Y[g]`` for every k
(Hall's condition for a pairing of two multisets without a fixed point); ``pair_staff`` then
names them. It is not a network flow: each learner needs two people at once, and no flow
can say "different people". Levels, each frozen before the next: most learners behind on
practice hours fully assigned (when any is), most learners fully assigned, then fewest
repeated sectors, then least travel.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import highspy
import numpy as np
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import connected_components

#: Levels that count learners placed (maximised); the others are minimised.
MAXIMISED = frozenset({"behind_assigned", "learners_assigned"})


@dataclass(frozen=True)
class Group:
    placement: int
    supervisors: tuple[str, ...]
    assessors: tuple[str, ...]  # assessors in the field, or practice educators
    educator_model: bool


@dataclass(frozen=True)
class StaffProblem:
    """Pairs ``(learner, placement, group)`` with their repeat flag and km; per staff member
    the learner limit and the capacity rows: sets of groups that overlap in time."""

    pair_learner: np.ndarray
    pair_placement: np.ndarray
    pair_group: np.ndarray
    pair_repeat: np.ndarray
    pair_km: np.ndarray
    places: np.ndarray  # places per placement row
    groups: tuple[Group, ...]
    limits: dict[str, int]
    overlaps: Mapping[str, tuple[tuple[int, ...], ...]]  # staff_id -> groups at one moment
    pair_behind: np.ndarray | None = None  # the pair's learner is behind on practice hours


@dataclass(frozen=True)
class StaffSolution:
    status: str  # "optimal" | "time_limit"
    chosen: np.ndarray  # bool per pair
    supervised: dict[tuple[int, str], int]  # (group, staff_id) -> learners
    assessed: dict[tuple[int, str], int]
    seconds: float
    levels: dict[str, float] = field(default_factory=dict)


class _Columns:
    """Columns of the model with their bounds, and triplets of the constraint matrix."""

    def __init__(self) -> None:
        self.upper: list[float] = []
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.row_low: list[float] = []
        self.row_up: list[float] = []

    def add_cols(self, upper: np.ndarray) -> int:
        first = len(self.upper)
        self.upper.extend(float(u) for u in upper)
        return first

    def add_row(self, cols: list[int], vals: list[float], low: float, up: float) -> None:
        r = len(self.row_low)
        self.rows.extend([r] * len(cols))
        self.cols.extend(cols)
        self.vals.extend(vals)
        self.row_low.append(low)
        self.row_up.append(up)


def _build(
    problem: StaffProblem,
) -> tuple[_Columns, dict[tuple[int, str], int], dict[tuple[int, str], int]]:
    m = _Columns()
    n_pairs = len(problem.pair_learner)
    m.add_cols(np.ones(n_pairs))
    sup: dict[tuple[int, str], int] = {}
    ass: dict[tuple[int, str], int] = {}
    pairs_of_group: dict[int, list[int]] = {}
    for j, g in enumerate(problem.pair_group.tolist()):
        pairs_of_group.setdefault(int(g), []).append(j)
    for g, members in pairs_of_group.items():
        group = problem.groups[g]
        cap = float(problem.places[group.placement])
        for k in group.supervisors:
            sup[(g, k)] = m.add_cols(np.array([min(cap, problem.limits[k])]))
        for k in group.assessors:
            ass[(g, k)] = m.add_cols(np.array([min(cap, problem.limits[k])]))
        minus = [-1.0] * len(members)
        if not group.educator_model:
            cols = [sup[(g, k)] for k in group.supervisors]
            m.add_row(cols + members, [1.0] * len(cols) + minus, 0.0, 0.0)
            for k in set(group.supervisors) & set(group.assessors):
                m.add_row([sup[(g, k)], ass[(g, k)], *members], [1.0, 1.0, *minus], -np.inf, 0.0)
        cols = [ass[(g, k)] for k in group.assessors]
        m.add_row(cols + members, [1.0] * len(cols) + minus, 0.0, 0.0)
    for rows_of, cap_of in (
        (problem.pair_learner, None),
        (problem.pair_placement, problem.places),
    ):
        order: dict[int, list[int]] = {}
        for j, owner in enumerate(rows_of.tolist()):
            order.setdefault(int(owner), []).append(j)
        for owner, members in order.items():
            up = 1.0 if cap_of is None else float(cap_of[owner])
            m.add_row(members, [1.0] * len(members), -np.inf, up)
    for k, groups in ((k, g) for k, moments in problem.overlaps.items() for g in moments):
        cols = [c for g in groups for c in (sup.get((g, k)), ass.get((g, k))) if c is not None]
        if cols:
            m.add_row(cols, [1.0] * len(cols), -np.inf, float(problem.limits[k]))
    return m, sup, ass


def solve_staff(problem: StaffProblem, *, time_limit_s: float = 300.0) -> StaffSolution:
    """Most learners fully assigned, then fewest repeated sectors, then least travel.

    Parts of the model that share no row (settings no learner or person links) are solved
    separately: the levels add up over independent parts, so this is still exact, and many
    small integer programmes solve far faster than one large one."""
    t0 = time.perf_counter()
    n_pairs = len(problem.pair_learner)
    if n_pairs == 0:
        return StaffSolution("optimal", np.zeros(0, dtype=bool), {}, {}, 0.0)
    m, sup, ass = _build(problem)
    n = len(m.upper)
    matrix = sp.csr_matrix((m.vals, (m.rows, m.cols)), shape=(len(m.row_low), n), dtype=np.float64)
    n_rows = matrix.shape[0]
    graph = sp.bmat([[None, matrix], [matrix.T, None]], format="csr")
    _, label = connected_components(graph, directed=False)
    row_label, col_label = label[:n_rows], label[n_rows:]
    upper = np.asarray(m.upper, dtype=np.float64)
    row_low = np.asarray(m.row_low, dtype=np.float64)
    row_up = np.asarray(m.row_up, dtype=np.float64)
    behind = problem.pair_behind
    first = {} if behind is None or not behind.any() else {"behind_assigned": behind * 1.0}
    objectives = {
        **first,
        "learners_assigned": np.ones(n_pairs),
        "repeated_sectors": problem.pair_repeat.astype(np.float64),
        "learner_km": problem.pair_km.astype(np.float64),
    }
    values = np.zeros(n)
    levels = dict.fromkeys(objectives, 0.0)
    status = "optimal"
    cols_of = np.argsort(col_label, kind="stable")
    rows_of = np.argsort(row_label, kind="stable")
    col_bounds = np.searchsorted(col_label[cols_of], np.arange(label.max() + 2))
    row_bounds = np.searchsorted(row_label[rows_of], np.arange(label.max() + 2))
    for c in range(label.max() + 1):
        cols = cols_of[col_bounds[c] : col_bounds[c + 1]]
        rows = rows_of[row_bounds[c] : row_bounds[c + 1]]
        pairs = cols[cols < n_pairs]
        if len(pairs) == 0:
            continue
        remaining = max(time_limit_s - (time.perf_counter() - t0), 1.0)
        part, part_status, part_levels = _solve_levels(
            matrix[rows][:, cols].tocsc(),
            upper[cols],
            row_low[rows],
            row_up[rows],
            {k: v[pairs] for k, v in objectives.items()},
            remaining,
        )
        values[cols] = part
        for k, v in part_levels.items():
            levels[k] += v
        if part_status != "optimal":
            status = part_status
    chosen = np.rint(values[:n_pairs]) > 0.5
    supervised = {key: round(float(values[c])) for key, c in sup.items() if values[c] > 0.5}
    assessed = {key: round(float(values[c])) for key, c in ass.items() if values[c] > 0.5}
    return StaffSolution(status, chosen, supervised, assessed, time.perf_counter() - t0, levels)


def _solve_levels(
    matrix: sp.csc_matrix,
    upper: np.ndarray,
    row_low: np.ndarray,
    row_up: np.ndarray,
    objectives: dict[str, np.ndarray],
    time_limit_s: float,
) -> tuple[np.ndarray, str, dict[str, float]]:
    """One part's levels in turn, each optimum frozen as a row before the next; the pair
    columns come first in ``matrix``."""
    t0 = time.perf_counter()
    n = matrix.shape[1]
    n_pairs = len(objectives["learners_assigned"])
    start = next(iter(objectives))
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 0.999)  # integer objectives: a gap below 1 is proof
    h.setOptionValue("time_limit", float(time_limit_s))
    cost = np.zeros(n)
    cost[:n_pairs] = objectives[start]
    h.passModel(
        n,
        matrix.shape[0],
        matrix.nnz,
        1,  # column-wise
        -1,  # maximise
        0.0,
        cost,
        np.zeros(n),
        upper,
        row_low,
        row_up,
        matrix.indptr.astype(np.int32),
        matrix.indices.astype(np.int32),
        matrix.data,
        np.ones(n, dtype=np.int32),
    )
    status = "optimal"
    pair_cols = np.arange(n_pairs, dtype=np.int32)
    levels: dict[str, float] = {}
    values = np.zeros(n)
    for name, objective in objectives.items():
        integral = name != "learner_km"
        most = name in MAXIMISED
        if name != start:
            if not objective.any():
                continue
            h.setOptionValue("mip_abs_gap", 0.999 if integral else 1e-6)
            h.setOptionValue("mip_rel_gap", 0.0 if integral else 1e-6)
            sense = highspy.ObjSense.kMaximize if most else highspy.ObjSense.kMinimize
            h.changeObjectiveSense(sense)
            h.changeColsCost(n_pairs, pair_cols, objective)
            h.setOptionValue("time_limit", max(time_limit_s - (time.perf_counter() - t0), 1.0))
            h.setSolution(_solution(values))
        h.run()
        model_status = h.getModelStatus()
        if model_status != highspy.HighsModelStatus.kOptimal:
            if h.getInfo().primal_solution_status < 2:
                raise RuntimeError(
                    f"HiGHS stopped without a plan: {h.modelStatusToString(model_status)}"
                )
            status = "time_limit"
        values = np.asarray(h.getSolution().col_value)
        achieved = float(objective @ values[:n_pairs])
        levels[name] = float(np.rint(achieved)) if integral else achieved
        if status != "optimal":
            break
        if integral:
            h.addRow(
                levels[name] - 0.5 if most else -highspy.kHighsInf,
                highspy.kHighsInf if most else levels[name] + 0.5,
                n_pairs,
                pair_cols,
                objective,
            )
    return values, status, levels


def _solution(values: np.ndarray) -> highspy.HighsSolution:
    sol = highspy.HighsSolution()
    sol.col_value = list(values)
    sol.value_valid = True
    return sol


def pair_staff(
    learners: list[int], supervisors: dict[str, int], assessors: dict[str, int]
) -> list[tuple[int, str | None, str]]:
    """Name a supervisor and an assessor for each learner of one group, never one person for
    both: an assignment problem with cost 1 where they would coincide, whose optimum is 0
    whenever ``supervisors[k] + assessors[k] <= len(learners)`` for every k."""
    ass_list = [k for k, c in sorted(assessors.items()) for _ in range(c)]
    if not supervisors:
        return [(i, None, a) for i, a in zip(learners, ass_list, strict=True)]
    sup_list = [k for k, c in sorted(supervisors.items()) for _ in range(c)]
    cost = np.array([[a == s for a in ass_list] for s in sup_list], dtype=np.float64)
    rows, cols = linear_sum_assignment(cost)
    if cost[rows, cols].sum() > 0:
        raise RuntimeError("no pairing of supervisors and assessors keeps them different")
    return [(learners[r], sup_list[r], ass_list[c]) for r, c in zip(rows, cols, strict=True)]
