"""The placement calendar's writes: an HEI programme's placement weeks, by its owner.

``ProgrammeCalendar`` has no version column: saves are last-writer-wins upserts by (HEI,
programme, block, year). See ``services.registers`` for the shared checks.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from tracker.access import AccessDenied, Principal, may_edit_registers, require_hei
from tracker.models import (
    Organisation,
    PlacementBlock,
    Programme,
    ProgrammeCalendar,
)
from tracker.services.audit import record_audit
from tracker.services.registers import validate_rows


def save_calendar_entry(
    session: Session,
    *,
    principal: Principal,
    hei: str,
    programme: str,
    block: str,
    start_date: date,
    end_date: date,
    year_of_study: int = 1,
) -> ProgrammeCalendar:
    """Add or move an HEI programme's placement weeks in a block (keyed as in the file).

    HEI users may only change their own HEI's calendar; the weeks must lie inside the block.
    """
    if not (may_edit_registers(principal) or principal.is_hei):
        raise AccessDenied(f"Your role ({principal.role.value}) may not edit calendars.")
    org = session.exec(select(Organisation).where(Organisation.code == hei)).first()
    if org is not None and org.id is not None:
        require_hei(principal, org.id, "edit calendars")
    validate_rows(
        session,
        principal,
        "calendar",
        [
            {
                "hei": hei,
                "programme": programme,
                "block": block,
                "year_of_study": year_of_study,
                "start_date": start_date.isoformat(),
                "end_date": end_date.isoformat(),
            }
        ],
    )
    assert org is not None
    prog = session.exec(select(Programme).where(Programme.code == programme)).one()
    blk = session.exec(select(PlacementBlock).where(PlacementBlock.code == block)).one()
    entry = session.exec(
        select(ProgrammeCalendar).where(
            ProgrammeCalendar.hei_id == org.id,
            ProgrammeCalendar.programme_id == prog.id,
            ProgrammeCalendar.block_id == blk.id,
            ProgrammeCalendar.year_of_study == year_of_study,
        )
    ).first()
    old = None
    assert org.id is not None and prog.id is not None and blk.id is not None
    if entry is None:
        entry = ProgrammeCalendar(
            hei_id=org.id,
            programme_id=prog.id,
            block_id=blk.id,
            year_of_study=year_of_study,
            start_date=start_date,
            end_date=end_date,
        )
    else:
        old = {"start_date": entry.start_date.isoformat(), "end_date": entry.end_date.isoformat()}
        entry.start_date, entry.end_date = start_date, end_date
    session.add(entry)
    session.flush()
    record_audit(
        session,
        principal,
        "save_calendar_entry",
        entity="programme_calendar",
        entity_id=f"{hei}/{programme}/{block}/year {year_of_study}",
        old=old,
        new={"start_date": start_date.isoformat(), "end_date": end_date.isoformat()},
    )
    return entry
