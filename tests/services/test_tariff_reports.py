"""Expected tariff of a plan and of the published placements, on the registers: hand-worked
sums across 31 March, the eligibility checks the product makes, who sees what."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.services.test_allocation_services import COORDINATOR, System, build_system
from tracker.access import AccessDenied, Principal
from tracker.clock import utcnow
from tracker.models import (
    AllocationRun,
    EducationalAudit,
    Placement,
    PlacementBlock,
    PlacementRequest,
    Role,
    SupervisionCapacity,
    TariffRate,
)
from tracker.services.tariff_reports import tariff_report

ADMIN = Principal("admin", Role.ADMIN)
WEEKLY = {"unit": "week", "weeks_per_year": None, "source": "test", "programme_id": None}


@pytest.fixture
def system(engine: Engine) -> System:
    """The allocation tests' system, a block across 31 March (15 March to 11 April 2027, with
    supervisors at S1 and S3 but none at S4), nursing rates of £104 a week in 2026/27 and
    £5,720 a year over 52 weeks (£110 a week) in 2027/28, and these placements:

    block 2026-B1 (7 September to 27 November 2026, 82 days): R1 3 learners at S1 (Trust One,
    acute), R2 1 learner at S2 (Care Homes Ltd); block 2027-B3: R1 2 learners at S3 (Care Homes
    Ltd), R2 1 learner at S4 (Trust One, no supervisors: not eligible).
    """
    with Session(engine) as session:
        built = build_system(session)
        b3 = PlacementBlock(
            code="2027-B3", name="Block 3", start_date=date(2027, 3, 15), end_date=date(2027, 4, 11)
        )
        session.add(b3)
        session.flush()
        for setting in ("S1", "S3"):
            session.add(
                SupervisionCapacity(
                    setting_id=built.settings[setting],
                    block_id=b3.id,
                    profession_group="nursing",
                    practice_supervisors=3,
                )
            )
        session.add(
            TariffRate(financial_year="2026/27", profession_group="nursing", rate=104, **WEEKLY)
        )
        session.add(
            TariffRate(
                financial_year="2027/28",
                profession_group="nursing",
                rate=5720,
                unit="year",
                weeks_per_year=52,
                source="test",
            )
        )
        run = AllocationRun(name="plan", status="approved", created_at=utcnow())
        session.add(run)
        session.flush()
        b1 = session.exec(select(PlacementBlock).where(PlacementBlock.code == "2026-B1")).one()
        requests = {r.code: r.id for r in session.exec(select(PlacementRequest)).all()}
        for request, setting, block, learners in [
            ("R1", "S1", b1.id, 3),
            ("R2", "S2", b1.id, 1),
            ("R1", "S3", b3.id, 2),
            ("R2", "S4", b3.id, 1),
        ]:
            session.add(
                Placement(
                    run_id=run.id,
                    request_id=requests[request],
                    setting_id=built.settings[setting],
                    block_id=block,
                    learners=learners,
                    status="confirmed",
                )
            )
        session.commit()
        return built


def _table(engine: Engine, principal: Principal, **kwargs: object):  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        report = tariff_report(session, principal=principal, **kwargs)  # type: ignore[arg-type]
    rows = report.rows().set_index(["organisation", "sector", "financial_year"])
    return report, rows


def test_published_tariff_matches_the_hand_worked_sums_across_31_march(
    engine: Engine, system: System
) -> None:
    report, rows = _table(engine, ADMIN)
    assert report.exact
    trust = rows.loc[("Trust One", "acute", "2026/27")]
    # S1: 3 learners x 82 days / 7 = 35.14 weeks at £104 = £3,654.86; S4 earns nothing.
    assert trust["tariff"] == pytest.approx(3654.86)
    assert trust["eligible_weeks"] == pytest.approx(35.1)
    care_now = rows.loc[("Care Homes Ltd", "care_home", "2026/27")]
    # S2: 1 x 82 / 7 weeks; S3: 17 March days (15-31) x 2 / 7 = 4.857 weeks; at £104 a week.
    assert care_now["learners"] == 3
    assert care_now["tariff"] == pytest.approx(round(82 / 7 * 104 + 34 / 7 * 104, 2))
    care_next = rows.loc[("Care Homes Ltd", "care_home", "2027/28")]
    # S3: 11 April days x 2 / 7 = 3.143 weeks at £5,720 / 52 = £110 a week: £345.71.
    assert care_next["tariff"] == pytest.approx(345.71)
    assert report.tariff == pytest.approx(3654.857 + 1723.429 + 345.714, abs=0.01)


def test_a_setting_with_no_supervisors_for_the_group_earns_no_tariff(
    engine: Engine, system: System
) -> None:
    _, rows = _table(engine, ADMIN)
    # S4 in block 3 (Trust One): 1 learner, 17 days in 2026/27 and 11 in 2027/28, not eligible.
    late = rows.loc[("Trust One", "acute", "2027/28")]
    assert late["tariff"] == 0 and late["eligible_weeks"] == 0
    assert late["ineligible_weeks"] == pytest.approx(1.6)
    assert rows.loc[("Trust One", "acute", "2026/27"), "ineligible_weeks"] == pytest.approx(2.4)


def test_once_audits_are_recorded_only_settings_with_an_in_date_audit_earn(
    engine: Engine, system: System
) -> None:
    with Session(engine) as session:
        session.add(
            EducationalAudit(
                setting_id=system.settings["S1"],
                audited_on=date(2026, 1, 5),
                outcome="approved",
                expires_on=date(2028, 1, 5),
                programmes="*",
            )
        )
        session.commit()
    _, rows = _table(engine, ADMIN)
    assert rows.loc[("Trust One", "acute", "2026/27"), "tariff"] == pytest.approx(3654.86)
    assert (rows.xs("Care Homes Ltd", level="organisation")["tariff"] == 0).all()


def test_an_hei_sees_its_own_placements_exactly_and_others_see_small_cells_hidden(
    engine: Engine, system: System
) -> None:
    own, rows = _table(engine, system.h2)
    assert own.exact
    # H2's placements only: R2 at S2 (1 learner) and at S4 (not eligible).
    assert rows["learners"].sum() == 1 + 1 + 1
    assert rows.loc[("Care Homes Ltd", "care_home", "2026/27"), "tariff"] == pytest.approx(
        round(82 / 7 * 104, 2)
    )
    controlled, shown = _table(engine, COORDINATOR)
    assert not controlled.exact and "estimated from the rounded" in controlled.note
    small = shown.loc[("Care Homes Ltd", "care_home", "2027/28")]  # 2 learners
    assert (small["learners"], small["eligible_weeks"], small["tariff"]) == ("0", "*", "*")
    big = shown.loc[("Care Homes Ltd", "care_home", "2026/27")]  # 3 learners, rounded to 5
    # exact £1,723.43 for 116 learner days at £104 a week; shown: the 5 learners shown
    # x 6 whole weeks per learner (116 / 7 / 3 = 5.5) x £104, which tells nothing of the 3
    assert big["learners"] == 5 and big["eligible_weeks"] == 5 * 6
    assert big["tariff"] == pytest.approx(5 * 6 * 104)
    assert controlled.tariff == pytest.approx(
        sum(v for v in shown["tariff"] if isinstance(v, float))
    )


def test_a_plan_is_priced_for_staff_only_and_draft_placements_are_not_published(
    engine: Engine, system: System
) -> None:
    with Session(engine) as session:
        draft = AllocationRun(name="draft", status="succeeded", created_at=utcnow())
        session.add(draft)
        session.flush()
        b1 = session.exec(select(PlacementBlock).where(PlacementBlock.code == "2026-B1")).one()
        request = session.exec(select(PlacementRequest)).first()
        assert request is not None and draft.id is not None
        session.add(
            Placement(
                run_id=draft.id,
                request_id=request.id,
                setting_id=system.settings["S3"],
                block_id=b1.id,
                learners=2,
                status="proposed",
            )
        )
        session.commit()
        draft_id = draft.id
    plan, _ = _table(engine, ADMIN, run_id=draft_id)
    assert plan.tariff == pytest.approx(2 * 82 / 7 * 104)
    published, _ = _table(engine, ADMIN)
    assert published.tariff == pytest.approx(3654.857 + 1723.429 + 345.714, abs=0.01)
    with pytest.raises(AccessDenied):
        _table(engine, system.h1, run_id=draft_id)
