"""The calendar engine's fallback gap: a time-limited level's plan measured against the LP
relaxation of its model (``milp_bound.relaxation_gap``)."""

from __future__ import annotations

import highspy
import numpy as np
import pytest

from tracker.optimise.milp import _highs
from tracker.optimise.milp_bound import relaxation_gap


def _two_halves(maximise: bool) -> highspy.Highs:
    """x1 + x2 (max) or -x1 - x2 (min) over whole x in {0, 1} with 2*x1 + 2*x2 <= 3: the
    integer optimum is 1 (or -1), the LP's 1.5 (or -1.5)."""
    h = _highs()
    h.addVars(2, np.zeros(2), np.ones(2))
    h.changeColsIntegrality(
        2, np.arange(2, dtype=np.int32), np.full(2, highspy.HighsVarType.kInteger)
    )
    h.addRows(
        1,
        np.array([-highspy.kHighsInf]),
        np.array([3.0]),
        2,
        np.array([0], np.int32),
        np.array([0, 1], np.int32),
        np.array([2.0, 2.0]),
    )
    sign = 1.0 if maximise else -1.0
    h.changeColsCost(2, np.arange(2, dtype=np.int32), np.full(2, sign))
    sense = highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
    h.changeObjectiveSense(sense)
    return h


@pytest.mark.parametrize("maximise", [True, False])
def test_gap_against_the_lp_relaxation(maximise: bool) -> None:
    h = _two_halves(maximise)
    value = 1.0 if maximise else -1.0
    gap = relaxation_gap(h, _highs(), value, maximise, 10.0)
    assert gap == pytest.approx(0.5, abs=1e-5)
    assert gap >= 0.5  # the IPM's tolerance only ever widens the gap claimed


def test_a_plan_at_the_lp_bound_has_no_gap_and_a_worse_one_a_larger_gap() -> None:
    h = _two_halves(True)
    assert relaxation_gap(h, _highs(), 1.5, True, 10.0) == pytest.approx(0.0, abs=1e-5)
    assert relaxation_gap(h, _highs(), 0.5, True, 10.0) == pytest.approx(2.0, abs=1e-5)


def test_the_model_in_hand_keeps_its_integrality() -> None:
    h = _two_halves(True)
    relaxation_gap(h, _highs(), 1.0, True, 10.0)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.run()
    assert h.getInfo().objective_function_value == pytest.approx(1.0)
