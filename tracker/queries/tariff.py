"""What the tariff measure reads: the tariff table, and a plan's or the published placements
with what the product can check of each one's eligibility.

Eligibility (``measures.tariff``): at least one week, properly supervised, the setting's audit
in date, not shadowing. What is checked here, from the registers:

* **supervised**: the setting counts at least one practice supervisor or practice educator for
  the placement's profession group in its block (the capacity register), or lists an active
  member of practice staff in that group (the practice staff register). Whether the learner was
  in fact supervised as the regulator requires is taken as given.
* **audited**: the allocator's own audit rule (``optimise.audits.audit_problem``): an approved
  audit covering the programme, in date through the whole block. While the audits register is
  empty there is no audit rule, as for the allocator, and audits are taken as given.
* **shadowing** is not recorded anywhere in the product: every placement is taken as direct
  clinical training that is part of the curriculum.

A placement's dates are its block's, or its own where a run on the programme calendars gave it
them (``placement.start_date``/``end_date``: the HEI's calendar weeks inside the block).
A request-level row counts its learners once; named rows of the same request are not counted
again, and named rows with no request (placements recorded learner by learner) count one each.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from tracker.access import Principal, hei_scope, setting_owner_scope
from tracker.models import (
    Cohort,
    Learner,
    Placement,
    PlacementBlock,
    PlacementRequest,
    PlacementSetting,
    PlacementStatus,
    PracticeStaff,
    PracticeStaffSetting,
    Programme,
    SupervisionCapacity,
    TariffRate,
)
from tracker.optimise.audits import audit_problem, read_audits
from tracker.queries.allocator_inputs import allocator_audits
from tracker.queries.joins import (
    HEI,
    SETTING_OWNER,
    with_block,
    with_hei_and_programme,
    with_setting,
)
from tracker.queries.runs import require_reviewer

#: Published placements: confirmed and completed (cancelled ones earn nothing).
PUBLISHED = (PlacementStatus.CONFIRMED.value, PlacementStatus.COMPLETED.value)
RATE_COLUMNS = [
    "financial_year",
    "profession_group",
    "programme",
    "rate",
    "unit",
    "weeks_per_year",
    "source",
]
PLACEMENT_COLUMNS = [
    "placement_id",
    "hei_id",
    "hei",
    "organisation",
    "sector",
    "setting",
    "profession_group",
    "programme",
    "block",
    "start_date",
    "end_date",
    "learners",
    "supervised",
    "audited",
]


def tariff_rates(session: Session) -> pd.DataFrame:
    """The tariff table, a programme's own rate naming its programme code."""
    query = select(TariffRate, Programme.code).outerjoin(
        Programme, col(Programme.id) == TariffRate.programme_id
    )
    rows = [
        {**r.model_dump(include=set(RATE_COLUMNS)), "programme": code}
        for r, code in session.exec(query.order_by(TariffRate.financial_year)).all()
    ]
    return pd.DataFrame(rows, columns=RATE_COLUMNS)


def _placements(session: Session, where: list[Any]) -> pd.DataFrame:
    """Placement units (request-level rows, and named rows with no request) with their HEI,
    programme, block dates, setting and its organisation."""
    cohort_id = func.coalesce(PlacementRequest.cohort_id, Learner.cohort_id)
    query = sa_select(  # type: ignore[call-overload]  # SQLModel fields are typed as values
        Placement.id,
        Placement.setting_id,
        Placement.block_id,
        Placement.learners,
        Cohort.hei_id,
        HEI.code,
        Programme.code,
        Programme.profession_group,
        PlacementBlock.code,
        # a placement of a run on the programme calendars has its own dates, else its block's
        func.coalesce(Placement.start_date, PlacementBlock.start_date),
        func.coalesce(Placement.end_date, PlacementBlock.end_date),
        PlacementSetting.code,
        SETTING_OWNER.name,
        PlacementSetting.sector,
    )
    query = query.outerjoin(PlacementRequest, col(PlacementRequest.id) == Placement.request_id)
    query = query.outerjoin(Learner, col(Learner.id) == Placement.learner_id)
    query = query.join(Cohort, col(Cohort.id) == cohort_id)
    query = with_hei_and_programme(query, hei_id=Cohort.hei_id, programme_id=Cohort.programme_id)
    query = with_setting(with_block(query, Placement.block_id), Placement.setting_id, owner=True)
    query = query.where(
        or_(col(Placement.learner_id).is_(None), col(Placement.request_id).is_(None)), *where
    )
    names = [
        "placement_id",
        "setting_id",
        "block_id",
        "learners",
        "hei_id",
        "hei",
        "programme",
        "profession_group",
        "block",
        "start_date",
        "end_date",
        "setting",
        "organisation",
        "sector",
    ]
    return pd.DataFrame([tuple(r) for r in session.execute(query).all()], columns=names)


def _supervised(session: Session, frame: pd.DataFrame) -> pd.Series:
    """Whether each placement's setting counts or names supervision for its group."""
    counted = session.exec(
        select(
            SupervisionCapacity.setting_id,
            SupervisionCapacity.block_id,
            SupervisionCapacity.profession_group,
        ).where(
            SupervisionCapacity.practice_supervisors + SupervisionCapacity.practice_educators > 0
        )
    ).all()
    named = session.exec(
        select(PracticeStaffSetting.setting_id, PracticeStaff.profession_group)
        .join(PracticeStaff, col(PracticeStaff.id) == PracticeStaffSetting.staff_id)
        .where(col(PracticeStaff.active))
    ).all()
    by_block, by_staff = set(counted), set(named)
    return pd.Series(
        [
            (s, b, g) in by_block or (s, g) in by_staff
            for s, b, g in zip(
                frame["setting_id"], frame["block_id"], frame["profession_group"], strict=True
            )
        ],
        index=frame.index,
        dtype=bool,
    )


def _audited(session: Session, frame: pd.DataFrame) -> pd.Series:
    """Whether the allocator's audit rule lets each placement's setting host its programme
    through the block (all True while no audit is recorded: no audit rule)."""
    settings = pd.DataFrame({"setting_id": sorted(set(frame["setting"].astype(str)))})
    recorded = allocator_audits(session, settings=settings)
    if recorded is None:
        return pd.Series(True, index=frame.index, dtype=bool)
    audits = read_audits(recorded, [])
    return pd.Series(
        [
            audit_problem(audits, setting, programme, start, end) is None
            for setting, programme, start, end in zip(
                frame["setting"],
                frame["programme"],
                frame["start_date"],
                frame["end_date"],
                strict=True,
            )
        ],
        index=frame.index,
        dtype=bool,
    )


def _checked(session: Session, frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=PLACEMENT_COLUMNS)
    frame["supervised"] = _supervised(session, frame)
    frame["audited"] = _audited(session, frame)
    return frame[PLACEMENT_COLUMNS].reset_index(drop=True)


def published_placements(session: Session, *, principal: Principal) -> pd.DataFrame:
    """Confirmed and completed placements with their eligibility checks; an HEI user only its
    own HEI's (``access.hei_scope``), a placement provider its own settings'."""
    where: list[Any] = [col(Placement.status).in_(PUBLISHED)]
    scope = hei_scope(principal)
    if scope is not None:
        where.append(Cohort.hei_id == scope)
    owner = setting_owner_scope(principal)
    if owner is not None:  # a placement provider: its own organisation's tariff
        where.append(PlacementSetting.organisation_id == owner)
    return _checked(session, _placements(session, where))


def plan_placements(session: Session, *, principal: Principal, run_id: int) -> pd.DataFrame:
    """One allocation run's placements (its plan) with their eligibility checks (staff only)."""
    require_reviewer(principal)
    where = [Placement.run_id == run_id, col(Placement.status) != PlacementStatus.CANCELLED.value]
    return _checked(session, _placements(session, where))
