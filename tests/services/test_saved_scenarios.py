"""Saved, named outlook scenarios: who saves and sees which, every change audited, names
checked; and the comparison of saved scenarios beside the baseline, as each viewer may see
it."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.services.pipeline_fixtures import ADMIN, COLLABORATIVE, build_pipeline
from tests.services.test_allocation_services import COORDINATOR, build_system
from tracker.measures import HESA
from tracker.models import AuditLog
from tracker.queries.scenarios import saved_scenarios
from tracker.refusals import Refused
from tracker.services.outlook import OutlookRequest, outlook_report
from tracker.services.outlook_scenarios import (
    ScenarioEdits,
    edits_from,
    placement_cells,
    scenario_of,
    scenario_placements,
)
from tracker.services.saved_scenarios import (
    delete_scenario,
    load_scenario,
    rename_scenario,
    save_scenario,
)
from tracker.services.scenario_comparison import MAX_COMPARED, compare_scenarios

GROWTH = edits_from({"intake_for": "nursing", "intake_percent": 40, "intake_by": 2026})
CARE_HOMES = edits_from(
    {"sector": "care_home", "supervisors": 2, "capacity_from": 2025, "intake_by": 2030}
)


def _actions(session: Session) -> list[str]:
    return [a.action for a in session.exec(select(AuditLog).order_by(AuditLog.id)).all()]


def test_planners_share_scenarios_and_every_change_is_audited(engine: Engine) -> None:
    with Session(engine) as session:
        row = save_scenario(
            session,
            principal=COLLABORATIVE,
            name="  Growth  40 ",
            edits=GROWTH,
            description="Adult nursing +40%",
        )
        session.commit()
        assert row.name == "Growth 40" and row.owner == "" and row.saved_by == "collab"
        assert row.saved_at.tzinfo is not None
        # a coordinator sees it, loads it back exactly, and may replace it
        listed = saved_scenarios(session, principal=COORDINATOR)
        assert listed["name"].tolist() == ["Growth 40"]
        assert load_scenario(session, principal=COORDINATOR, scenario_id=row.id) == (
            "Growth 40",
            GROWTH,
        )
        with pytest.raises(Refused, match="saved already"):
            save_scenario(session, principal=COORDINATOR, name="Growth 40", edits=CARE_HOMES)
        save_scenario(
            session, principal=COORDINATOR, name="Growth 40", edits=CARE_HOMES, replace=True
        )
        rename_scenario(session, principal=ADMIN, scenario_id=row.id, name="Care homes")
        session.commit()
        assert load_scenario(session, principal=ADMIN, scenario_id=row.id) == (
            "Care homes",
            CARE_HOMES,
        )
        assert delete_scenario(session, principal=COLLABORATIVE, scenario_id=row.id) == (
            "Care homes"
        )
        session.commit()
        assert saved_scenarios(session, principal=ADMIN).empty
        assert _actions(session) == [
            "outlook_scenario.save",
            "outlook_scenario.replace",
            "outlook_scenario.rename",
            "outlook_scenario.delete",
        ]
        replaced = session.exec(
            select(AuditLog).where(AuditLog.action == "outlook_scenario.replace")
        ).one()
        assert replaced.old and replaced.old["scenario"] == GROWTH.stored()
        assert replaced.new and replaced.new["scenario"] == CARE_HOMES.stored()


def test_hei_users_keep_their_own_scenarios_apart(engine: Engine) -> None:
    with Session(engine) as session:
        system = build_system(session)
        shared = save_scenario(session, principal=COORDINATOR, name="Shared", edits=GROWTH)
        own = save_scenario(session, principal=system.h1, name="Shared", edits=CARE_HOMES)
        session.commit()
        assert own.owner == "h1user"
        assert saved_scenarios(session, principal=system.h1)["name"].tolist() == ["Shared"]
        assert saved_scenarios(session, principal=system.h1)["id"].tolist() == [own.id]
        assert saved_scenarios(session, principal=system.h2).empty
        assert saved_scenarios(session, principal=COORDINATOR)["id"].tolist() == [shared.id]
        for who, other in ((system.h1, shared.id), (system.h2, own.id), (COORDINATOR, own.id)):
            with pytest.raises(Refused, match="no longer exists"):
                load_scenario(session, principal=who, scenario_id=other)
            with pytest.raises(Refused, match="no longer exists"):
                delete_scenario(session, principal=who, scenario_id=other)
        assert len(_actions(session)) == 2


@pytest.mark.parametrize(
    ("name", "description", "message"),
    [
        ("   ", "", "Give the scenario a name"),
        ("x" * 81, "", "at most 80"),
        ("Fine", "y" * 501, "at most 500"),
        (["a"], "", "Give the scenario a name"),
    ],
)
def test_bad_names_are_refused_and_nothing_is_saved(
    engine: Engine, name: object, description: str, message: str
) -> None:
    with Session(engine) as session:
        with pytest.raises(Refused, match=message):
            save_scenario(
                session,
                principal=ADMIN,
                name=name,  # type: ignore[arg-type]
                edits=GROWTH,
                description=description,
            )
        assert saved_scenarios(session, principal=ADMIN).empty and not _actions(session)


def test_a_stored_scenario_that_no_longer_checks_is_refused_on_load(engine: Engine) -> None:
    with Session(engine) as session:
        row = save_scenario(session, principal=ADMIN, name="Old", edits=GROWTH)
        row.scenario = {**row.scenario, "intake_percent": 9_999}
        session.add(row)
        session.commit()
        with pytest.raises(Refused, match="cannot be used"):
            load_scenario(session, principal=ADMIN, scenario_id=row.id)


def test_comparison_sets_each_saved_scenario_beside_the_baseline(engine: Engine) -> None:
    """Each column is exactly the figures the page shows for that scenario on its own: the
    baseline's outlook, the grown intake's higher completions; controlled for the
    collaborative member (multiples of 5, the same cells the outlook hides)."""
    with Session(engine) as session:
        build_pipeline(session)
        growth = save_scenario(session, principal=ADMIN, name="Growth", edits=GROWTH)
        session.commit()
        compared = compare_scenarios(
            session,
            principal=COLLABORATIVE,
            scenario_ids=[growth.id],
            group="nursing",
            years=5,
            policy=HESA,
        )
        alone = outlook_report(
            session,
            principal=COLLABORATIVE,
            request=OutlookRequest(years=5, scenario=scenario_of(GROWTH)),
            policy=HESA,
        ).outlook.numbers
        baseline = outlook_report(
            session, principal=COLLABORATIVE, request=OutlookRequest(years=5), policy=HESA
        ).outlook.numbers
        exact = compare_scenarios(
            session, principal=ADMIN, scenario_ids=[growth.id], group="nursing", years=5
        )
    assert compared.names == ("Baseline", "Growth")
    assert list(compared.table.columns) == ["measure", "area", "year", "Baseline", "Growth"]
    completions = compared.table[compared.table["measure"] == "completions"]
    for column, expected in (("Baseline", baseline), ("Growth", alone)):
        want = expected[expected["profession_group"] == "nursing"].set_index(["field", "year"])
        got = completions.set_index(["area", "year"])[column]
        pd.testing.assert_series_equal(
            got.sort_index(), want["completions"].sort_index(), check_names=False
        )
    shown = completions[["Baseline", "Growth"]].stack()
    assert (shown % 5 == 0).all()
    grown = exact.table[exact.table["measure"] == "completions"]
    assert exact.exact and grown["Growth"].sum() > grown["Baseline"].sum()
    assert not compared.placements  # no placement requests in this pipeline: none shown
    assert not compared.exact


def test_comparison_of_placements_is_the_pages_heatmap_figures(engine: Engine) -> None:
    with Session(engine) as session:
        system = build_system(session)
        care = save_scenario(session, principal=COORDINATOR, name="Care homes", edits=CARE_HOMES)
        grow = save_scenario(session, principal=COORDINATOR, name="Growth", edits=GROWTH)
        session.commit()
        compared = compare_scenarios(
            session,
            principal=COORDINATOR,
            scenario_ids=[care.id, grow.id],
            group="nursing",
            years=5,
            policy=HESA,
        )
        assert compared.placements and compared.names == ("Baseline", "Care homes", "Growth")
        year = int(compared.table["year"].max())
        page = scenario_placements(session, principal=COORDINATOR, edits=GROWTH, year=year)
        cells = placement_cells(page.shortfall, principal=COORDINATOR, policy=HESA)
        needed = compared.table[compared.table["measure"] == "requested"]
        got = needed.set_index(["area", "year"])["Growth"].sort_index()
        want = cells.set_index(["sector", "year"])["requested"].sort_index()
        pd.testing.assert_series_equal(got, want, check_names=False)
        with pytest.raises(Refused, match="from 1 to"):
            compare_scenarios(
                session,
                principal=COORDINATOR,
                scenario_ids=list(range(MAX_COMPARED + 1)),
                group="nursing",
                years=5,
            )
        # an HEI user compares their own scenarios only, and gets no placement rows
        mine = save_scenario(session, principal=system.h1, name="Mine", edits=GROWTH)
        session.commit()
        with pytest.raises(Refused, match="no longer exists"):
            compare_scenarios(
                session, principal=system.h1, scenario_ids=[grow.id], group="nursing", years=5
            )
        theirs = compare_scenarios(
            session, principal=system.h1, scenario_ids=[mine.id], group="nursing", years=5
        )
        assert not theirs.placements
        assert set(theirs.table["measure"]) <= {"completions", "local_posts"}
        assert ScenarioEdits().is_baseline()
