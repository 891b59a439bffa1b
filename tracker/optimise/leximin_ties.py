"""Trade groups after a leximin level: the plans with the same sorted fills (or uses).

Levels after fairness (least travel) must choose among *every* plan that is equally fair, not
only the one the level's last flow happened to give. Those plans differ by single-learner
trades between groups sharing a denominator (see ``Ties``), so a level's result is turned into
trade groups with bounds that the flow network (``flow_network.Tie``) enforces.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Ties:
    """Groups that may trade a learner without changing a leximin level's sorted vector.

    A single trade (one learner from b to a) keeps the sorted ratios only where a and b share
    the denominator and b has exactly one more; every plan with the same sorted vector is
    reached from another by such trades (the level's optima form an M-convex set), so the
    optima are exactly: within each run of two consecutive values ``v, v+1`` of a shared
    denominator, each member between ``v`` and ``v+1`` with the run's total kept. Runs of three
    or more consecutive values are not of that form; their members stay fixed (``fixed_runs``).
    """

    group: np.ndarray  # per item: 0 fixed, else its run's group (1, 2, ...)
    low: np.ndarray  # learners beyond pins, at least
    high: np.ndarray  # learners beyond pins, at most
    room: np.ndarray  # per group: learners beyond the members' lows (group 0: 0)
    fixed_runs: int = 0

    @property
    def any(self) -> bool:
        return len(self.room) > 1


def ties(values: np.ndarray, over: np.ndarray, pinned: np.ndarray) -> Ties:
    """The trade groups of a level's result: ``values`` beyond pins, ratios over ``over``."""
    whole = values + pinned
    group = np.zeros(len(values), np.int64)
    low, high = values.copy(), values.copy()
    room, fixed_runs = [0], 0
    for denominator in np.unique(over[over > 0]):
        items = np.flatnonzero(over == denominator)
        levels = np.unique(whole[items])
        run_starts = np.flatnonzero(np.diff(levels, prepend=levels[0] - 2) != 1)
        for i, first in enumerate(run_starts):
            last = run_starts[i + 1] - 1 if i + 1 < len(run_starts) else len(levels) - 1
            if last - first >= 2:
                fixed_runs += 1
                continue
            if last == first:
                continue
            v = int(levels[first])
            # a member pinned above v cannot come down to v, so it cannot trade
            members = items[((whole[items] == v) | (whole[items] == v + 1)) & (pinned[items] <= v)]
            if not ((whole[members] == v).any() and (whole[members] == v + 1).any()):
                continue
            group[members] = len(room)
            low[members] = v - pinned[members]
            high[members] = v + 1 - pinned[members]
            room.append(int((values[members] - low[members]).sum()))
    return Ties(group, low, high, np.array(room, np.int64), fixed_runs)


def fixed_note(tied: Ties, what: str) -> list[str]:
    """The plan explanation's note when runs of three or more values had to stay fixed."""
    if not tied.fixed_runs:
        return []
    return [
        f"{tied.fixed_runs} group(s) of {what} with equal sizes could trade learners without "
        "changing fairness; they were kept as the fairness level left them, so the levels "
        "after it chose among fewer plans than all equally fair ones"
    ]
