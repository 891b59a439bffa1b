"""Settings under quality review: no new learners (hard), or other settings preferred (soft)."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.optimise.alloc_helpers import capacity, demand, settings
from tests.optimise.test_calendar import cap, dem
from tracker.optimise import InputError, Pin, Policy, allocate, check_plan, validate

REASON = "NETS scores below 2.5 for two terms"


def reviewed(frame: pd.DataFrame, *under: str) -> pd.DataFrame:
    return frame.assign(
        quality_review=[REASON if sid in under else "" for sid in frame["setting_id"]]
    )


def at_setting(result, setting: str) -> int:  # type: ignore[no-untyped-def]
    p = result.placements
    return int(p.loc[p["setting_id"] == setting, "learners"].sum())


NEAR_AND_FAR = settings(("WARD-A", "acute", "*", 0.0), ("WARD-B", "acute", "*", 5.0))


@pytest.mark.parametrize("method", ["network", "lp"])
def test_a_setting_under_review_gets_no_new_learners(method: str) -> None:
    caps = capacity(("WARD-A", "B1", 3), ("WARD-B", "B1", 1))
    asked = demand(("R1", "UOA", "nursing", "B1", 3))
    policy = Policy(method=method)
    before = allocate(NEAR_AND_FAR, caps, asked, policy)
    assert at_setting(before, "WARD-A") == 3  # it is nearest: without the review it takes all
    result = allocate(reviewed(NEAR_AND_FAR, "WARD-A"), caps, asked, policy)
    assert at_setting(result, "WARD-A") == 0
    assert at_setting(result, "WARD-B") == 1
    unmet = result.unmet.iloc[0]
    assert unmet["learners"] == 2
    assert unmet["reason_code"] == "quality_review"
    assert unmet["reason"].startswith(f"setting under quality review: WARD-A ({REASON})")


def test_no_column_or_empty_reasons_change_nothing() -> None:
    caps = capacity(("WARD-A", "B1", 3), ("WARD-B", "B1", 1))
    asked = demand(("R1", "UOA", "nursing", "B1", 3))
    plain = allocate(NEAR_AND_FAR, caps, asked)
    empty = allocate(reviewed(NEAR_AND_FAR), caps, asked)
    pd.testing.assert_frame_equal(plain.placements, empty.placements)
    assert empty.unmet.empty


def test_unmet_elsewhere_is_not_blamed_on_the_review() -> None:
    """A review of a setting that does not host the programme explains nothing."""
    frame = settings(("WARD-A", "acute", "midwifery", 0.0), ("WARD-B", "acute", "*", 5.0))
    caps = capacity(("WARD-A", "B1", 3), ("WARD-B", "B1", 1))
    result = allocate(reviewed(frame, "WARD-A"), caps, demand(("R1", "UOA", "nursing", "B1", 3)))
    assert result.unmet.iloc[0]["reason_code"] == "too_few_places"


def test_dated_capacity_obeys_the_review_too() -> None:
    frame = reviewed(NEAR_AND_FAR, "WARD-A")
    result = allocate(
        frame, cap(("WARD-A", 1, 4, 3), ("WARD-B", 1, 4, 1)), dem(("R1", "UOA", 3, 1, 4, 0.0))
    )
    assert at_setting(result, "WARD-A") == 0
    assert result.unmet.iloc[0]["reason_code"] == "quality_review"


def test_a_pin_at_a_setting_under_review_is_refused_by_the_rule() -> None:
    caps = capacity(("WARD-A", "B1", 3), ("WARD-B", "B1", 1))
    asked = demand(("R1", "UOA", "nursing", "B1", 3))
    with pytest.raises(InputError, match="setting under quality review"):
        allocate(reviewed(NEAR_AND_FAR, "WARD-A"), caps, asked, pins=[Pin("R1", "WARD-A", "B1", 1)])


def test_check_plan_names_the_rule() -> None:
    frame = reviewed(NEAR_AND_FAR, "WARD-A")
    caps = capacity(("WARD-A", "B1", 3), ("WARD-B", "B1", 1))
    asked = demand(("R1", "UOA", "nursing", "B1", 3))
    problem = validate(frame, caps, asked)
    plan = pd.DataFrame(
        [{"request_id": "R1", "setting_id": "WARD-A", "block": "B1", "learners": 1}]
    )
    broken = check_plan(problem.settings, problem.capacity, problem.demand, plan)
    assert list(broken["rule"]) == ["setting under quality review"]


SAME_PLACE = settings(("WARD-A", "acute", "*", 2.0), ("WARD-B", "acute", "*", 2.0))


@pytest.mark.parametrize("method", ["network", "lp"])
def test_the_soft_policy_prefers_others_but_still_uses_it_if_needed(method: str) -> None:
    policy = Policy(method=method, quality_review="prefer_others")
    caps = capacity(("WARD-A", "B1", 2), ("WARD-B", "B1", 2))
    frame = reviewed(SAME_PLACE, "WARD-A")
    for under, other in (("WARD-A", "WARD-B"), ("WARD-B", "WARD-A")):
        two = allocate(reviewed(SAME_PLACE, under), caps, demand(("R1", "U", "n", "B1", 2)), policy)
        assert at_setting(two, under) == 0 and at_setting(two, other) == 2
    three = allocate(frame, caps, demand(("R1", "UOA", "nursing", "B1", 3)), policy)
    assert at_setting(three, "WARD-B") == 2
    assert at_setting(three, "WARD-A") == 1  # needed to place the third learner
    assert three.unmet.empty


def test_the_soft_level_comes_after_least_travel() -> None:
    """A nearer setting under review is still chosen: travel ranks first."""
    policy = Policy(quality_review="prefer_others")
    caps = capacity(("WARD-A", "B1", 3), ("WARD-B", "B1", 3))
    result = allocate(
        reviewed(NEAR_AND_FAR, "WARD-A"), caps, demand(("R1", "UOA", "nursing", "B1", 2)), policy
    )
    assert at_setting(result, "WARD-A") == 2
    assert result.levels.learner_km == pytest.approx(0.0, abs=1e-6)


def test_the_soft_policy_on_dated_capacity() -> None:
    policy = Policy(quality_review="prefer_others")
    result = allocate(
        reviewed(SAME_PLACE, "WARD-A"),
        cap(("WARD-A", 1, 4, 2), ("WARD-B", 1, 4, 2)),
        dem(("R1", "UOA", 2, 1, 4, 0.0)),
        policy,
    )
    assert at_setting(result, "WARD-B") == 2


def test_the_policy_value_is_checked() -> None:
    with pytest.raises(InputError, match="quality_review"):
        Policy(quality_review="sometimes")  # type: ignore[arg-type]
