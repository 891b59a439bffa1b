"""A proven gap for a calendar level that HiGHS stopped before its branch and bound had one.

At ICS size and above HiGHS's presolve and root LP of a leximin step can use up the step's
whole time limit, so the MILP reports no dual bound ("gap ?") and nothing could be said about
how far the plan kept is from the optimum. The LP relaxation of the same model, solved by the
interior point method (about 1 CPU second at ICS, where dual simplex took 12), bounds the
MILP's optimum from the right side, so ``(bound - value) / value`` is a proven gap: looser
than branch and bound's would be, but a figure instead of none.
"""

from __future__ import annotations

import highspy
import numpy as np

_SLACK = 1e-7  # relative: IPM stops within 1e-8 of the LP's optimum; never claim a gap too small
_LEAST_S = 30.0  # a step the level left little time still gets its bound (1 CPU s at ICS)


def relaxation_gap(
    h: highspy.Highs, fresh: highspy.Highs, value: float, maximise: bool, seconds: float
) -> float:
    """The gap of ``value`` (a plan's objective in the model held by ``h``) against the LP
    relaxation's optimum, solved in ``fresh``; infinite when the LP is not solved in time."""
    lp = h.getLp()
    fresh.passModel(lp)
    cols = lp.num_col_
    if cols:
        fresh.changeColsIntegrality(
            cols,
            np.arange(cols, dtype=np.int32),
            np.full(cols, highspy.HighsVarType.kContinuous),
        )
    fresh.setOptionValue("solver", "ipm")
    fresh.setOptionValue("run_crossover", "off")
    fresh.setOptionValue("time_limit", max(float(seconds), _LEAST_S))
    fresh.run()
    if fresh.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return float("inf")
    bound = float(fresh.getInfo().objective_function_value)
    bound += (1.0 if maximise else -1.0) * _SLACK * max(abs(bound), 1.0)
    gap = (bound - value) if maximise else (value - bound)
    return max(0.0, gap) / max(abs(value), 1e-9)
