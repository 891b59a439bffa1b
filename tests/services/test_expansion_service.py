"""The cheapest expansion of a growth scenario on the registers, as each role may ask for it."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from tests.services.pipeline_fixtures import ADMIN, COLLABORATIVE
from tests.services.test_allocation_services import COORDINATOR, System, build_system
from tracker.access import AccessDenied, Principal
from tracker.measures.outlook_scenario import parse_scenario
from tracker.optimise import Policy, allocate
from tracker.optimise.expansion import ExpansionOptions
from tracker.queries.allocator_inputs import allocator_inputs
from tracker.refusals import Refused
from tracker.services.expansion import (
    DatedCapacityChange,
    ExpansionReport,
    ExpansionRequest,
    PolicyTarget,
    plan_expansion,
)
from tracker.snapshots import CapacityChange

# intakes double from the 2026 intake on: 8 learners in training today (5 + 3, nobody has
# left yet), 8 + 16 + 16 = 40 in 2027, so today's 7 requested learners become 35
DOUBLE = parse_scenario(
    {"intake_change": {"*": {"percent": 100, "by_year": 2026, "shape": "step"}}}
)
CARE_HOMES = CapacityChange(sector="care_home", add_supervisors=2)


@pytest.fixture
def system(engine: Engine) -> System:
    with Session(engine) as session:
        return build_system(session)


def _plan(engine: Engine, who: Principal, **kwargs: object) -> ExpansionReport:
    request = ExpansionRequest(year=2027, scenario=DOUBLE, max_distance_km=50, **kwargs)
    with Session(engine) as session:
        return plan_expansion(session, principal=who, request=request)


def test_coordinator_gets_a_plan_the_allocator_confirms(engine: Engine, system: System) -> None:
    report = _plan(engine, COORDINATOR)
    assert report.checked
    # learners in training are counts from learner records: a coordinator sees them under
    # the disclosure convention (rounded), an administrator exactly
    assert not report.exact
    growth = report.growth.set_index("profession_group").loc["nursing"]
    assert (growth.learners_now, growth.learners_then) == (10, 40)
    exact = _plan(engine, ADMIN)
    growth = exact.growth.set_index("profession_group").loc["nursing"]
    assert exact.exact and (growth.learners_now, growth.learners_then) == (8, 40)
    assert report.demand.set_index("request_id")["learners"].to_dict() == {"R1": 20, "R2": 15}
    plan = report.plan
    # within 50 km of Leeds: S1 (3), S2 (1), S3 (2) today, one learner per supervisor;
    # London's S4 is out of reach, so 35 - 6 = 29 more supervisors, none in London
    assert (plan.placeable, plan.supervisors_added) == (35, 29)
    assert "S4" not in set(plan.settings["setting_id"])
    assert plan.unplaced.empty
    with Session(engine) as session:
        settings = allocator_inputs(session, blocks=None, programmes=None)[0]
    placed = allocate(settings, plan.capacity, report.demand, Policy(max_distance_km=50))
    assert placed.levels.placed == 35
    # demand per sector follows today's plan: half acute, half care home (the learner today's
    # places cannot take counted where the others go), grown with the learners
    year = report.shortfall[report.shortfall["year"] == 2027].set_index("sector")
    assert year["placements"].sum() == pytest.approx(35)
    assert year.loc["care_home", "places"] == 3
    assert (year["shortfall"] >= 0).all()


def test_capacity_changes_count_from_their_year(engine: Engine, system: System) -> None:
    base = _plan(engine, ADMIN).plan.supervisors_added
    sooner = _plan(engine, ADMIN, capacity_changes=(DatedCapacityChange(2027, CARE_HOMES),))
    later = _plan(engine, ADMIN, capacity_changes=(DatedCapacityChange(2028, CARE_HOMES),))
    # two care homes in reach, two more supervisors each
    assert sooner.plan.supervisors_added == base - 4
    assert later.plan.supervisors_added == base
    by_year = sooner.shortfall.groupby(["year", "sector"])["places"].sum()
    assert (by_year[(2026, "care_home")], by_year[(2027, "care_home")]) == (3, 3 + 2 * 2)


def test_costs_caps_and_a_policy_target(engine: Engine, system: System) -> None:
    options = ExpansionOptions(cost_per_supervisor={"acute": 5.0}, max_added_per_setting=10)
    report = _plan(
        engine,
        COLLABORATIVE,
        options=options,
        target=PolicyTarget(sectors=("care_home",), per_learner=1.0),
    )
    plan = report.plan
    assert (plan.settings["supervisors_added"] <= 10).all()
    # care homes first (cheaper), up to 10 each; the rest at the acute trust
    assert plan.settings.set_index("setting_id")["supervisors_added"].to_dict() == {
        "S2": 10,
        "S3": 10,
        "S1": 9,
    }
    assert report.checked
    target = report.shortfall[report.shortfall["year"] == 2027].set_index("sector")
    assert target.loc["care_home", "placements"] == pytest.approx(35)


def test_hei_users_may_not_and_years_must_be_ahead(engine: Engine, system: System) -> None:
    with pytest.raises(AccessDenied):
        _plan(engine, system.h1)
    with Session(engine) as session, pytest.raises(Refused, match="after 2025"):
        plan_expansion(session, principal=COORDINATOR, request=ExpansionRequest(year=2025))
    with Session(engine) as session, pytest.raises(Refused, match="at most 30 after 2025"):
        plan_expansion(session, principal=COORDINATOR, request=ExpansionRequest(year=2056))
