"""Practice hours in the allocator: learners behind on hours are placed first in stage 2
(with named staff; without, in tests/optimise/test_assign.py), and a request's make-up hours
learners are placed before others of their HEI in stage 1, never moving another HEI's share."""

from __future__ import annotations

import numpy as np
import pytest

from tests.optimise.alloc_helpers import capacity, demand, random_instance, settings
from tests.optimise.staff_helpers import ASS, SUP, assigned, learner, person, placement, run
from tracker.optimise import allocate
from tracker.optimise.check import check_plan
from tracker.optimise.model import AllocationResult, InputError
from tracker.optimise.validate import validate


def test_a_learner_behind_on_hours_is_placed_first_with_named_staff() -> None:
    """Two places and three learners: which two is a tie without hours; the learner behind
    takes one of them, and the two places are still both used."""
    staff = [person("A", SUP), person("B", ASS)]
    people = [learner("L1"), learner("L2"), learner("L3")]
    plain = assigned(run([placement(learners=2)], people, staff))
    assert len(plain) == 2
    (left_out,) = {"L1", "L2", "L3"} - set(plain)
    flagged = [
        {**p, "behind_on_hours": "yes" if p["learner_id"] == left_out else ""} for p in people
    ]
    first = assigned(run([placement(learners=2)], flagged, staff))
    assert left_out in first and len(first) == 2


def test_behind_first_never_costs_a_place_a_staff_limit_allows() -> None:
    """The supervisor may take one more learner; the learner behind is in a field no assessor
    covers, so putting them first must not leave the place empty: the other learner takes it."""
    staff = [person("A", SUP, limit=1), person("B", ASS, limit=1)]
    people = [
        learner("L1", field="mental health nursing") | {"behind_on_hours": "true"},
        learner("L2"),
    ]
    assert set(assigned(run([placement(learners=2)], people, staff))) == {"L2"}


def test_behind_on_hours_must_be_true_or_false() -> None:
    people = [learner("L1") | {"behind_on_hours": "perhaps"}]
    try:
        run([placement()], people, [person("A", SUP), person("B", ASS)])
    except InputError as error:
        assert [p.column for p in error.problems] == ["behind_on_hours"]
    else:  # pragma: no cover - the assertion is the test
        raise AssertionError("a bad behind_on_hours cell was accepted")


# --- stage 1: make-up hours learners before others of their HEI ------------------------------


def _placed(result: AllocationResult) -> dict[str, int]:
    return result.placements.groupby("request_id")["learners"].sum().to_dict()


def test_make_up_learners_are_placed_before_others_of_their_hei() -> None:
    """Two places near r1; r2's learners live 30 km off. Least travel sends r1; once r2's
    learners make up hours, they take the HEI's places first, travel second."""
    near = settings(("S1", "acute", "*", 0))
    places = capacity(("S1", "1", 2))
    asks = demand(("r1", "H1", "ADN", "1", 2, None, 0), ("r2", "H1", "ADN", "1", 2, None, 30))
    assert _placed(allocate(near, places, asks)) == {"r1": 2}
    makeup = asks.assign(makeup_learners=[0, 2])
    result = allocate(near, places, makeup)
    assert _placed(result) == {"r2": 2}
    assert any("make-up hours learners placed" in m and "2 of 2" in m for m in result.messages)


def test_make_up_learners_never_change_another_heis_share() -> None:
    """Four places for eight learners of two HEIs: each HEI's fair share is two. H1's make-up
    learners get H1's two, and H2 keeps exactly its two at the same places."""
    near = settings(("S1", "acute", "*", 0), ("S2", "community", "*", 5))
    places = capacity(("S1", "1", 2), ("S2", "1", 2))
    asks = demand(
        ("r1", "H1", "ADN", "1", 2, None, 0),
        ("r2", "H1", "ADN", "1", 2, None, 40),
        ("r3", "H2", "ADN", "1", 4, None, 0),
    )
    plain = allocate(near, places, asks)
    first = allocate(near, places, asks.assign(makeup_learners=[0, 2, 0]))
    assert _placed(first)["r2"] == 2 and "r1" not in _placed(first)
    columns = ["hei", "requested", "placed", "fill_ratio"]
    assert first.hei_fill[columns].equals(plain.hei_fill[columns])
    h2 = ["request_id", "setting_id", "block", "learners"]
    mine = first.placements[first.placements["hei"] == "H2"][h2].reset_index(drop=True)
    assert mine.equals(plain.placements[plain.placements["hei"] == "H2"][h2].reset_index(drop=True))
    assert first.levels.min_hei_fill == plain.levels.min_hei_fill
    assert first.levels.placed == plain.levels.placed


@pytest.mark.parametrize("seed", range(12))
def test_make_up_learners_keep_every_level_and_every_place_on_random_instances(seed: int) -> None:
    """Whatever the requests' make-up learners, every HEI, sector and place keeps its
    learners, and the plan still obeys every hard rule."""
    s, c, d = random_instance(seed)
    rng = np.random.default_rng(seed)
    makeup = d.assign(makeup_learners=[int(rng.integers(0, n + 1)) for n in d["learners"]])
    plain, first = allocate(s, c, d), allocate(s, c, makeup)
    for table, key in (
        ("hei_fill", "hei"),
        ("sector_utilisation", "sector"),
        ("setting_utilisation", ["setting_id", "block"]),
    ):
        a = getattr(plain, table).set_index(key)["placed"].sort_index()
        b = getattr(first, table).set_index(key)["placed"].sort_index()
        assert a.equals(b), table
    problem = validate(s, c, makeup)
    assert check_plan(problem.settings, problem.capacity, problem.demand, first.placements).empty


def test_make_up_learners_are_checked() -> None:
    near = settings(("S1", "acute", "*", 0))
    asks = demand(("r1", "H1", "ADN", "1", 2)).assign(makeup_learners=["3"])
    with pytest.raises(InputError) as error:
        allocate(near, capacity(("S1", "1", 2)), asks)
    assert [p.column for p in error.value.problems] == ["makeup_learners"]
