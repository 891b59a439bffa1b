"""Register codes and names for filters and forms, and the small helpers every register read shares.

Everything comes out as DataFrames keyed by register codes (setting, block, programme, HEI),
the same codes import files and the allocator use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
from sqlmodel import Session, col, select

from tracker.access import Principal, hei_scope, setting_owner_scope
from tracker.models import (
    Cohort,
    Organisation,
    OrgKind,
    PlacementBlock,
    Programme,
    SettingProgramme,
)
from tracker.queries.joins import HEI, with_hei_and_programme

ANY_PROGRAMME = "*"


def frame_of(rows: Sequence[Mapping[str, object]], columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(columns))


def hosted_codes(session: Session) -> dict[int, list[str]]:
    hosted: dict[int, list[str]] = {}
    query = select(SettingProgramme.setting_id, Programme.code).join(Programme)
    for setting_id, code in session.exec(query).all():
        hosted.setdefault(setting_id, []).append(code)
    return hosted


def block_options(session: Session) -> pd.DataFrame:
    """Placement blocks in date order (code, name, start_date, end_date)."""
    rows = session.exec(select(PlacementBlock).order_by(col(PlacementBlock.start_date))).all()
    return frame_of(
        [
            {"block": b.code, "name": b.name, "start_date": b.start_date, "end_date": b.end_date}
            for b in rows
        ],
        ["block", "name", "start_date", "end_date"],
    )


def organisation_options(
    session: Session, *, heis: bool = False, principal: Principal | None = None
) -> pd.DataFrame:
    """Organisations (code, name, kind): HEIs only, or every organisation that is not one
    (given the ``principal``, only those it may see: a placement provider user its own)."""
    query = select(Organisation).order_by(Organisation.name)
    owner = None if principal is None else setting_owner_scope(principal)
    if owner is not None:
        query = query.where(Organisation.id == owner)
    query = query.where(
        (Organisation.kind == OrgKind.HEI.value)
        if heis
        else (Organisation.kind != OrgKind.HEI.value)
    )
    return frame_of(
        [{"code": o.code, "name": o.name, "kind": o.kind} for o in session.exec(query).all()],
        ["code", "name", "kind"],
    )


def programme_options(session: Session) -> pd.DataFrame:
    rows = session.exec(select(Programme).order_by(Programme.code)).all()
    return frame_of(
        [{"code": p.code, "name": p.name, "profession_group": p.profession_group} for p in rows],
        ["code", "name", "profession_group"],
    )


def programme_fields(session: Session) -> list[str]:
    """The programmes' fields (``adult nursing``), which an audit may approve as a whole."""
    return sorted(set(session.exec(select(Programme.field)).all()))


def cohort_options(session: Session, *, principal: Principal) -> pd.DataFrame:
    """Cohorts a user may request placements for: its own HEI's, or every HEI's for staff."""
    query = with_hei_and_programme(
        select(Cohort, HEI.code, Programme.code, Programme.name),
        hei_id=Cohort.hei_id,
        programme_id=Cohort.programme_id,
    ).order_by(
        col(HEI.code),
        col(Programme.code),
        col(Cohort.intake_year),
        col(Cohort.intake_month),
    )
    scope = hei_scope(principal)
    if scope is not None:
        query = query.where(Cohort.hei_id == scope)
    rows = [
        {
            "id": c.id,
            "hei": hei,
            "programme": code,
            "intake": c.intake,
            "label": f"{hei} · {code} ({name}) · intake {c.intake}",
        }
        for c, hei, code, name in session.exec(query).all()
    ]
    return frame_of(rows, ["id", "hei", "programme", "intake", "label"])
