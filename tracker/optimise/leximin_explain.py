"""Why each HEI (and sector) stopped where leximin left it, in words a coordinator uses.

Progressive filling freezes groups round by round (``leximin.Frozen``): an HEI is frozen when
its unmet learners can only go to places that are already full, and the places that held it
are the full places its short requests could reach. A sector is frozen when every learner it
could take, whatever the rest of the plan, is already there.
"""

from __future__ import annotations

import numpy as np

from tracker.optimise.arcs import Instance
from tracker.optimise.leximin import Frozen
from tracker.optimise.model import SECTORS, AllocationProblem

_MAX_NAMED = 8  # settings named per round; the bottlenecks table lists them all


def leximin_explanation(
    problem: AllocationProblem, inst: Instance, flow: np.ndarray, frozen: dict[str, list[Frozen]]
) -> tuple[str, ...]:
    """One line per round of each leximin level: who was held, at what, and by which places."""
    lines: list[str] = []
    placed_r = np.bincount(inst.arc_request, weights=flow, minlength=len(inst.request_left))
    placed_p = np.bincount(inst.arc_place, weights=flow, minlength=len(inst.place_left))
    full = placed_p >= inst.place_left
    short = placed_r < inst.request_left
    cap = problem.capacity
    for round_ in frozen.get("heis", []):
        names: list[str] = []
        bound: set[int] = set()
        for h, value in zip(round_.groups, round_.values, strict=True):
            fill = (value + inst.hei_pinned[h]) / max(int(inst.hei_requested[h]), 1)
            names.append(f"{inst.heis[h]} {fill:.1%}")
            arcs = short[inst.arc_request] & (inst.request_hei[inst.arc_request] == h)
            bound.update(int(p) for p in inst.arc_place[arcs] if full[p])
        places = [
            f"{cap['setting_id'].iat[p]} (block {cap['block'].iat[p]})" for p in sorted(bound)
        ]
        where = ", ".join(places[:_MAX_NAMED])
        if len(places) > _MAX_NAMED:
            where += f" and {len(places) - _MAX_NAMED} more"
        reason = (
            f"the places in reach of their unmet learners are full: {where}"
            if places
            else "every learner they asked for in reach of a place is placed"
        )
        if round_.by_total:
            reason = (
                "the most learners that can be placed are placed, shared as evenly as whole "
                f"learners allow; full places in reach of their unmet learners: {where or 'none'}"
            )
        lines.append(
            f"fair share between HEIs, round {round_.round}: {', '.join(names)} held; {reason}"
        )
    for round_ in frozen.get("sectors", []):
        uses = [
            (
                SECTORS[s].replace("_", " "),
                (v + inst.sector_pinned[s]) / max(int(inst.sector_places[s]), 1),
            )
            for s, v in zip(round_.groups, round_.values, strict=True)
            if inst.sector_places[s] > 0
        ]
        names = [f"{sector} {use:.1%}" for sector, use in uses]
        if names:
            lines.append(
                f"fair share between sectors, round {round_.round}: {', '.join(names)} held; "
                "every learner who could go there is there (no learner still to place, and "
                "none placed elsewhere, can reach their other places)"
            )
    return tuple(lines)
