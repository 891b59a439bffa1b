"""The Outlook page's scenarios: the editor's few numbers checked, turned into the outlook's
scenario and capacity changes, and a scenario with no change reproducing the baseline."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from tests.services.pipeline_fixtures import ADMIN, COLLABORATIVE, build_pipeline
from tests.services.test_allocation_services import COORDINATOR, build_system
from tracker.access import AccessDenied
from tracker.measures import HESA
from tracker.measures.outlook_scenario import Scenario
from tracker.services.expansion import DatedCapacityChange
from tracker.services.outlook import OutlookRequest, outlook_report
from tracker.services.outlook_scenarios import (
    ScenarioEdits,
    capacity_changes_of,
    edits_from,
    scenario_of,
    scenario_outlook,
    scenario_placements,
)
from tracker.snapshots import CapacityChange


def test_no_change_is_no_scenario_whatever_the_years() -> None:
    edits = edits_from({"intake_by": 2031, "change_from": 2027, "capacity_from": 2028})
    assert edits.is_baseline()
    assert scenario_of(edits) == Scenario()
    assert capacity_changes_of(edits) == ()
    assert edits_from(edits.stored()) == edits


def test_the_editors_numbers_become_the_outlooks_scenario() -> None:
    edits = edits_from(
        {
            "intake_for": "nursing",
            "intake_percent": 20,
            "intake_by": 2031,
            "withdrawal_points": -2,
            "change_from": 2027,
            "sector": "care_home",
            "supervisors": 2,
            "capacity_from": 2028,
        }
    )
    scenario = scenario_of(edits)
    change = scenario.intake_change["nursing"]
    assert (change.percent, change.by_year, change.shape) == (20, 2031, "linear")
    assert scenario.withdrawal_change_points["*"].points == -2
    assert not scenario.local_employment_change_points
    assert capacity_changes_of(edits) == (
        DatedCapacityChange(2028, CapacityChange(sector="care_home", add_supervisors=2)),
    )


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"intake_percent": 20}, "target year"),
        ({"supervisors": 3}, "supervisors start"),
        ({"intake_percent": 10_000, "intake_by": 2030}, "from -100 to 500"),
        ({"supervisors": 1_000_000, "capacity_from": 2030}, "from 0 to 50"),
        ({"supervisors": 1.5, "capacity_from": 2030}, "whole number"),
        ({"intake_by": 12345}, "from 2000 to 2100"),
        ({"intake_percent": "20"}, "must be a number"),
        ({"tables": []}, "Unknown scenario value"),
    ],
)
def test_values_out_of_bounds_are_refused(values: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        edits_from(values)


def test_a_zero_change_outlook_equals_the_baseline(engine: Engine) -> None:
    with Session(engine) as session:
        build_pipeline(session)
        zero = scenario_outlook(
            session,
            principal=COLLABORATIVE,
            edits=edits_from({"intake_by": 2030, "change_from": 2026}),
            years=5,
            policy=HESA,
        )
        baseline = outlook_report(
            session, principal=COLLABORATIVE, request=OutlookRequest(years=5), policy=HESA
        )
        grown = scenario_outlook(
            session,
            principal=ADMIN,
            edits=edits_from({"intake_percent": 20, "intake_by": 2026}),
            years=5,
        )
        exact = outlook_report(session, principal=ADMIN, request=OutlookRequest(years=5))
    pd.testing.assert_frame_equal(zero.outlook.numbers, baseline.outlook.numbers)
    pd.testing.assert_frame_equal(zero.track_record, baseline.track_record)
    assert not zero.exact
    # +20% on every intake from 2025 on: more completions by the outlook's last year
    assert grown.outlook.numbers["completions"].sum() > exact.outlook.numbers["completions"].sum()


def test_the_outlook_years_are_five_to_ten(engine: Engine) -> None:
    with Session(engine) as session, pytest.raises(ValueError, match="5 to 10 years"):
        scenario_outlook(session, principal=ADMIN, edits=ScenarioEdits(), years=40)


def test_placements_for_a_year_in_range_and_not_for_hei_users(engine: Engine) -> None:
    with Session(engine) as session:
        system = build_system(session)
        report = scenario_placements(
            session, principal=COORDINATOR, edits=ScenarioEdits(), year=2027
        )
        assert report.checked and report.year == 2027
        with pytest.raises(ValueError, match="Choose a year from"):
            scenario_placements(session, principal=COORDINATOR, edits=ScenarioEdits(), year=2999)
        with pytest.raises(AccessDenied):
            scenario_placements(session, principal=system.h1, edits=ScenarioEdits(), year=2027)


def test_placements_needed_are_protected_as_counts_outside_exact_viewing() -> None:
    """Placements needed are projected from learners across every HEI: collaborative members
    see them rounded, small ones hidden (and the spare and shortfall that would give them
    away); places are register figures and stay; an administrator sees them whole."""
    from tracker.services.outlook_scenarios import placement_cells

    shortfall = pd.DataFrame(
        {
            "sector": ["acute", "acute", "care_home", "primary_care"],
            "year": [2028, 2028, 2028, 2028],
            "placements": [30.2, 11.6, 2.4, 13.0],
            "places": [40, 0, 10, 9],
            "shortfall": [0.0, 11.6, 0.0, 4.0],
        }
    )
    exact = placement_cells(shortfall, principal=ADMIN, policy=HESA).set_index("sector")
    shown = placement_cells(shortfall, principal=COLLABORATIVE, policy=HESA).set_index("sector")
    assert exact.loc["acute", "requested"] == 42 and exact.loc["care_home", "requested"] == 2
    assert shown.loc["acute", "requested"] == 40 and shown.loc["acute", "shortfall"] == 10
    assert pd.isna(shown.loc["care_home", "requested"])  # 2: a small count, hidden
    assert pd.isna(shown.loc["care_home", "spare"])  # 10 places - 2 would give it away
    assert shown.loc["primary_care", "requested"] == 15 and shown.loc["primary_care", "spare"] == -6
    assert shown["places"].to_dict() == {"acute": 40, "primary_care": 9, "care_home": 10}


def test_the_exported_document_carries_the_capacity_change_and_refuses_unknown_keys() -> None:
    from tracker.measures.outlook_scenario import CapacityStep, ScenarioError, parse_scenario
    from tracker.services.expansion import dated_changes
    from tracker.services.outlook_scenarios import scenario_document

    edits = edits_from(
        {"sector": "care_home", "supervisors": 2, "capacity_from": 2027, "intake_by": 2031}
    )
    document = scenario_document(edits)
    assert document == {
        "capacity_change": [{"sector": "care_home", "add_supervisors": 2, "from_year": 2027}]
    }
    scenario = parse_scenario(document)
    assert scenario.capacity_change == (CapacityStep(2, 2027, "care_home"),)
    assert dated_changes(scenario) == capacity_changes_of(edits)
    assert scenario_document(ScenarioEdits()) == {}
    for bad, message in (
        ({"capacity_change": [{"add_supervisors": 2, "from_year": 2027, "room": 1}]}, "room"),
        ({"capacity_change": [{"add_supervisors": 2.5, "from_year": 2027}]}, "whole number"),
        ({"capacity_change": [{"add_supervisors": 99, "from_year": 2027}]}, "from 0 to 50"),
        ({"capacity_change": {"sector": "acute"}}, "must be lists"),
    ):
        with pytest.raises(ScenarioError, match=message):
            parse_scenario(bad)
    with pytest.raises(ScenarioError, match="is no sector"):
        dated_changes(
            parse_scenario(
                {"capacity_change": [{"sector": "zoo", "add_supervisors": 1, "from_year": 2027}]}
            )
        )


def test_the_editors_new_knobs_are_checked_and_reach_the_scenario() -> None:
    from tracker.measures.outlook_scenario import PolicyTarget
    from tracker.services.outlook_scenarios import scenario_document

    edits = edits_from(
        {
            "intake_percent": 30,
            "intake_by": 2030,
            "intake_shape": "step",
            "target_per_learner": 1,
            "cost_acute": 3,
            "cost_care_home": 1,  # the default: not kept
            "cost_community": None,
            "cap_per_setting": 2,
        }
    )
    assert edits.intake_shape == "step" and edits.costs == (("acute", 3.0),)
    assert edits_from(edits.stored()) == edits  # the store's form loads back the same
    scenario = scenario_of(edits)
    assert scenario.intake_change["*"].shape == "step"
    assert scenario.policy_target == PolicyTarget(("community", "care_home"), 1.0)
    options = edits.options()
    assert options.cost("acute") == 3.0 and options.cost("community") == 1.0
    assert options.max_added_per_setting == 2
    assert "policy_target" in scenario_document(edits)
    assert not edits.is_baseline()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"intake_shape": "zigzag"}, "linear or step"),
        ({"target_per_learner": 9}, "from 0 to 4"),
        ({"target_per_learner": -1}, "from 0 to 4"),
        ({"cost_acute": 0}, "from 0.01 to"),
        ({"cost_acute": "cheap"}, "must be a number"),
        ({"cost_zoo": 2}, "Unknown scenario value 'cost_zoo'"),
        ({"costs": ["acute", 2]}, "by sector"),
        ({"cap_per_setting": 1.5}, "whole number"),
        ({"cap_per_setting": 0}, "from 1 to 50"),
    ],
)
def test_crafted_knobs_are_refused_with_a_clear_message(
    values: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        edits_from(values)


def test_policy_target_and_cap_change_the_placement_figures(engine: Engine) -> None:
    with Session(engine) as session:
        build_system(session)
        base = scenario_placements(session, principal=COORDINATOR, edits=ScenarioEdits(), year=2027)
        target = scenario_placements(
            session,
            principal=COORDINATOR,
            edits=edits_from({"target_per_learner": 1}),
            year=2027,
        )
        capped = scenario_placements(
            session, principal=COORDINATOR, edits=edits_from({"cap_per_setting": 1}), year=2027
        )

    def needed(report: object, sectors: tuple[str, ...]) -> float:
        rows = report.shortfall  # type: ignore[attr-defined]
        return float(rows[rows["sector"].isin(sectors)]["placements"].sum())

    assert needed(target, ("community", "care_home")) > needed(base, ("community", "care_home"))
    total = float(base.shortfall["placements"].sum())
    assert float(target.shortfall["placements"].sum()) == pytest.approx(total)
    added = capped.plan.settings["supervisors_added"]
    assert added.empty or int(added.max()) <= 1
