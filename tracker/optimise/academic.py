"""Academic assessors (NMC SSSA): one per learner per part of the programme, of the
learner's HEI, assessing the learner's programme, and never the same person for two
consecutive parts (so each progression decision brings a fresh academic view).

Pure: frames in, frames out. ``consecutive_problem`` is the rule a hand choice is checked
by; ``assign_academic`` gives every learner who still needs one an assessor for their part,
obeying the same rule, spreading learners evenly over the eligible assessors (least loaded
for that part first, then by id), which is the best spread one learner at a time can give
because every learner weighs the same.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping

import pandas as pd

#: What ``assign_academic`` reads and returns.
NEEDS = ["learner", "hei", "programme", "part"]
ASSESSORS = ["assessor", "hei", "programmes"]  # programmes: "*" or ";"-separated codes
HELD = ["learner", "part", "assessor"]
UNASSIGNED = ["learner", "part", "reason_code", "reason"]

NOT_CONSECUTIVE = "not the same academic assessor for consecutive parts of the programme"


def assesses(programmes: str, programme: str) -> bool:
    """Whether an assessor listed for ``programmes`` ("*" or codes) assesses ``programme``."""
    listed = {p.strip().upper() for p in str(programmes).split(";") if p.strip()}
    return "*" in listed or programme.strip().upper() in listed


def consecutive_problem(
    assessor: str, part: int, by_part: Mapping[int, str], *, name: str | None = None
) -> str | None:
    """None when ``assessor`` may assess the learner for ``part`` given who assesses their
    other parts (``by_part``: part -> assessor); otherwise the rule, in words."""
    for other in (part - 1, part + 1):
        if by_part.get(other) == assessor:
            return (
                f"Not the same person for consecutive parts of the programme: {name or assessor} "
                f"is already this learner's academic assessor for part {other} (NMC SSSA)."
            )
    return None


def assign_academic(
    needs: pd.DataFrame, assessors: pd.DataFrame, held: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An academic assessor for each (learner, part) of ``needs`` that ``held`` has none for.

    Returns the new rows (``HELD`` columns) and the learners left without one
    (``UNASSIGNED``: ``no_academic_assessor`` when the HEI has nobody active for the
    programme, ``consecutive_parts`` when the only ones assess a neighbouring part)."""
    by_learner: dict[str, dict[int, str]] = defaultdict(dict)
    load: Counter[tuple[str, int]] = Counter()
    for row in held.itertuples(index=False):
        by_learner[str(row.learner)][int(row.part)] = str(row.assessor)
        load[(str(row.assessor), int(row.part))] += 1
    pool = [(str(a.assessor), str(a.hei), str(a.programmes)) for a in assessors.itertuples()]
    new, left = [], []
    for row in needs.sort_values(["hei", "programme", "learner"]).itertuples(index=False):
        learner, part = str(row.learner), int(row.part)
        if part in by_learner[learner]:
            continue
        eligible = [a for a, h, p in pool if h == str(row.hei) and assesses(p, str(row.programme))]
        allowed = [a for a in eligible if consecutive_problem(a, part, by_learner[learner]) is None]
        if not allowed:
            left.append(_unassigned(learner, part, str(row.programme), bool(eligible)))
            continue
        chosen = min(allowed, key=lambda a: (load[(a, part)], a))
        load[(chosen, part)] += 1
        by_learner[learner][part] = chosen
        new.append({"learner": learner, "part": part, "assessor": chosen})
    return pd.DataFrame(new, columns=HELD), pd.DataFrame(left, columns=UNASSIGNED)


def _unassigned(learner: str, part: int, programme: str, someone: bool) -> dict[str, object]:
    if someone:
        reason = (
            f"every active academic assessor for {programme} already assesses this learner "
            f"for a neighbouring part ({NOT_CONSECUTIVE})"
        )
        return {
            "learner": learner,
            "part": part,
            "reason_code": "consecutive_parts",
            "reason": reason,
        }
    reason = f"the HEI has no active academic assessor for {programme}"
    return {
        "learner": learner,
        "part": part,
        "reason_code": "no_academic_assessor",
        "reason": reason,
    }
