"""Most learners fully assigned, exactly: the integer programme against brute force on tiny
instances (every choice of place, supervisor and assessor for every learner)."""

from __future__ import annotations

import itertools
from datetime import date

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.optimise.staff_helpers import SETTINGS, frame
from tracker.optimise.practice import assign_staff

STARTS = ("2027-01-04", "2027-02-01")
END = {"2027-01-04": "2027-02-26", "2027-02-01": "2027-03-26"}


@st.composite
def tiny(draw: st.DrawFn) -> dict[str, object]:
    placements = [
        {
            "request_id": f"r{r}",
            "setting_id": "S1",
            "block": "1",
            "learners": str(draw(st.integers(1, 2))),
            "start_date": (s := draw(st.sampled_from(STARTS))),
            "end_date": END[s],
            "programme": "ADN",
        }
        for r in range(2)
    ]
    fields = ("adult nursing", "mental health nursing")
    learners = [
        {"learner_id": f"L{n}", "request_id": f"r{draw(st.integers(0, 1))}", "field": f}
        for n, f in enumerate(draw(st.lists(st.sampled_from(fields), min_size=1, max_size=3)))
    ]
    roles = ("practice_supervisor", "practice_assessor", "practice_supervisor;practice_assessor")
    staff = [
        {
            "staff_id": f"P{k}",
            "setting_id": "S1",
            "roles": draw(st.sampled_from(roles)),
            "field": draw(st.sampled_from(fields)),
            "max_learners": str(draw(st.integers(1, 2))),
        }
        for k in range(draw(st.integers(2, 3)))
    ]
    return {"placements": placements, "learners": learners, "staff": staff}


def _best(case: dict[str, object]) -> int:
    placements: list[dict[str, str]] = case["placements"]  # type: ignore[assignment]
    learners: list[dict[str, str]] = case["learners"]  # type: ignore[assignment]
    staff: list[dict[str, str]] = case["staff"]  # type: ignore[assignment]
    span = {
        p["request_id"]: (date.fromisoformat(p["start_date"]), date.fromisoformat(p["end_date"]))
        for p in placements
    }
    places = {p["request_id"]: int(p["learners"]) for p in placements}
    sups = [s["staff_id"] for s in staff if "practice_supervisor" in s["roles"]]
    options = []
    for lr in learners:
        asss = [
            s["staff_id"]
            for s in staff
            if "practice_assessor" in s["roles"] and s["field"] == lr["field"]
        ]
        options.append([None] + [(a, b) for a in sups for b in asss if a != b])
    limit = {s["staff_id"]: int(s["max_learners"]) for s in staff}
    best = 0
    for choice in itertools.product(*options):
        taken = [(lr, c) for lr, c in zip(learners, choice, strict=True) if c is not None]
        if any(sum(1 for lr, _ in taken if lr["request_id"] == r) > n for r, n in places.items()):
            continue
        ok = True
        for k, cap in limit.items():
            for lr, _ in taken:
                day = span[lr["request_id"]][0]
                at_once = sum(
                    (c[0] == k) + (c[1] == k)
                    for lr2, c in taken
                    if span[lr2["request_id"]][0] <= day <= span[lr2["request_id"]][1]
                )
                ok = ok and at_once <= cap
        if ok:
            best = max(best, len(taken))
    return best


@settings(max_examples=30, deadline=None)
@given(tiny())
def test_fully_assigns_as_many_learners_as_brute_force(case: dict[str, object]) -> None:
    result = assign_staff(
        frame(case["placements"]),  # type: ignore[arg-type]
        frame(case["learners"]),  # type: ignore[arg-type]
        SETTINGS,
        pd.DataFrame(case["staff"], dtype=object),
    )
    assert len(result.assignments) == _best(case)
