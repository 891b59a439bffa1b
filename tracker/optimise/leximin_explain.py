"""Why each HEI (and sector) stopped where leximin left it, in words a coordinator uses.

Progressive filling freezes groups round by round (``leximin.Frozen``): an HEI is frozen when
its unmet learners can only go to places that are already full, and the places that held it
are the full places its short requests could reach. A sector is frozen when every learner it
could take, whatever the rest of the plan, is already there. The rounds are kept as data
(``model.Held``, which the app shows in its own words) and written as text from that data.
"""

from __future__ import annotations

import numpy as np

from tracker.optimise.arcs import Instance
from tracker.optimise.leximin import Frozen
from tracker.optimise.model import SECTORS, AllocationProblem, Held, HeldReason

_MAX_NAMED = 8  # settings named per round; the bottlenecks table lists them all
HEIS, SECTOR_LEVEL = "fair_share_between_heis", "fair_share_between_sectors"


def leximin_held(
    problem: AllocationProblem, inst: Instance, flow: np.ndarray, frozen: dict[str, list[Frozen]]
) -> tuple[Held, ...]:
    """Each round of each leximin level: who was held, at what, and by which full places."""
    held: list[Held] = []
    placed_r = np.bincount(inst.arc_request, weights=flow, minlength=len(inst.request_left))
    placed_p = np.bincount(inst.arc_place, weights=flow, minlength=len(inst.place_left))
    full = placed_p >= inst.place_left
    short = placed_r < inst.request_left
    cap = problem.capacity
    for round_ in frozen.get("heis", []):
        members: list[tuple[str, float]] = []
        bound: set[int] = set()
        for h, value in zip(round_.groups, round_.values, strict=True):
            fill = (value + inst.hei_pinned[h]) / max(int(inst.hei_requested[h]), 1)
            members.append((str(inst.heis[h]), float(fill)))
            arcs = short[inst.arc_request] & (inst.request_hei[inst.arc_request] == h)
            bound.update(int(p) for p in inst.arc_place[arcs] if full[p])
        places = tuple(
            (str(cap["setting_id"].iat[p]), str(cap["block"].iat[p])) for p in sorted(bound)
        )
        reason: HeldReason = "by_total" if round_.by_total else ("full" if places else "all_placed")
        held.append(Held(HEIS, round_.round, tuple(members), places, reason))
    for round_ in frozen.get("sectors", []):
        uses = tuple(
            (
                SECTORS[s],
                float((v + inst.sector_pinned[s]) / max(int(inst.sector_places[s]), 1)),
            )
            for s, v in zip(round_.groups, round_.values, strict=True)
            if inst.sector_places[s] > 0
        )
        if uses:
            held.append(Held(SECTOR_LEVEL, round_.round, uses, (), "all_there"))
    return tuple(held)


def held_lines(held: tuple[Held, ...]) -> tuple[str, ...]:
    """The rounds as the text lines of ``AllocationResult.explanation`` and ``summary.json``."""
    lines: list[str] = []
    for round_ in held:
        if round_.level == SECTOR_LEVEL:
            names = ", ".join(f"{s.replace('_', ' ')} {use:.1%}" for s, use in round_.members)
            lines.append(
                f"fair share between sectors, round {round_.round}: {names} held; "
                "every learner who could go there is there (no learner still to place, and "
                "none placed elsewhere, can reach their other places)"
            )
            continue
        names = ", ".join(f"{hei} {fill:.1%}" for hei, fill in round_.members)
        places = [f"{setting} (block {block})" for setting, block in round_.places]
        where = ", ".join(places[:_MAX_NAMED])
        if len(places) > _MAX_NAMED:
            where += f" and {len(places) - _MAX_NAMED} more"
        reason = (
            f"the places in reach of their unmet learners are full: {where}"
            if places
            else "every learner they asked for in reach of a place is placed"
        )
        if round_.reason == "by_total":
            reason = (
                "the most learners that can be placed are placed, shared as evenly as whole "
                f"learners allow; full places in reach of their unmet learners: {where or 'none'}"
            )
        lines.append(f"fair share between HEIs, round {round_.round}: {names} held; {reason}")
    return tuple(lines)
