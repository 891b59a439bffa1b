"""Academic assessors (NMC SSSA): one per learner per part, never the same person for
consecutive parts, spread evenly over those eligible."""

from __future__ import annotations

import pandas as pd

from tracker.optimise.academic import HELD, assesses, assign_academic, consecutive_problem

NEEDS = pd.DataFrame(
    {
        "learner": ["L1", "L2", "L3", "L4"],
        "hei": ["H1", "H1", "H1", "H2"],
        "programme": ["ADN", "ADN", "ADN", "ADN"],
        "part": [2, 2, 2, 1],
    }
)
ASSESSORS = pd.DataFrame(
    {"assessor": ["A", "B", "C"], "hei": ["H1", "H1", "H2"], "programmes": ["*", "ADN;MID", "MID"]}
)


def test_the_same_person_for_consecutive_parts_is_refused() -> None:
    assert consecutive_problem("A", 2, {1: "A"}) is not None
    assert "part 3" in (consecutive_problem("A", 2, {3: "A"}, name="Dr A") or "")
    assert "Dr A" in (consecutive_problem("A", 2, {1: "A"}, name="Dr A") or "")


def test_a_different_person_or_a_part_two_apart_is_allowed() -> None:
    assert consecutive_problem("A", 2, {1: "B", 3: "C"}) is None
    assert consecutive_problem("A", 3, {1: "A"}) is None
    assert consecutive_problem("A", 2, {2: "A"}) is None  # the part itself is being replaced


def test_programmes_assessed() -> None:
    assert assesses("*", "ADN") and assesses("adn; MID", "ADN") and not assesses("MID", "ADN")


def test_assigns_obeying_the_rule_and_spreading_evenly() -> None:
    held = pd.DataFrame({"learner": ["L1"], "part": [1], "assessor": ["A"]}, columns=HELD)
    new, left = assign_academic(NEEDS, ASSESSORS, held)
    chosen = dict(zip(new["learner"], new["assessor"], strict=True))
    # L1's part 1 was A's; then the least loaded for part 2 (ties by reference)
    assert chosen == {"L1": "B", "L2": "A", "L3": "A"}
    # L4's HEI has only a midwifery assessor
    assert list(left["learner"]) == ["L4"]
    assert left["reason_code"].tolist() == ["no_academic_assessor"]


def test_a_learner_whose_only_assessor_had_the_last_part_is_left_with_the_reason() -> None:
    needs = NEEDS.iloc[:1]
    held = pd.DataFrame({"learner": ["L1"], "part": [1], "assessor": ["A"]})
    only_a = ASSESSORS.iloc[:1]
    new, left = assign_academic(needs, only_a, held)
    assert new.empty
    assert left["reason_code"].tolist() == ["consecutive_parts"]
    assert "consecutive parts" in left["reason"].iloc[0]


def test_a_learner_who_has_one_for_the_part_keeps_them() -> None:
    held = pd.DataFrame({"learner": ["L1"], "part": [2], "assessor": ["B"]})
    new, _ = assign_academic(NEEDS.iloc[:1], ASSESSORS, held)
    assert new.empty
