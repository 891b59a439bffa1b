"""Placement requests: an HEI submits and withdraws its cohorts' requests.

An HEI may only act on its own cohorts and requests (``access.require_hei``). See
``services.registers`` for the checks and locking every register write shares.
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from sqlmodel import Session, select

from tracker.access import AccessDenied, Principal, may_edit_registers, require_hei
from tracker.clock import utcnow
from tracker.models import (
    Cohort,
    Organisation,
    PlacementBlock,
    PlacementRequest,
    Programme,
    RequestStatus,
)
from tracker.queries.joins import HEI, with_block, with_cohort, with_hei_and_programme
from tracker.services.audit import record_audit
from tracker.services.notify.events import request_event
from tracker.services.registers import (
    SaveRefused,
    conditional_update,
    no_longer_exists,
    validate_rows,
)


def submit_request(
    session: Session,
    *,
    principal: Principal,
    cohort_id: int,
    block: str,
    learners: int,
    sector: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    makeup_learners: int = 0,
) -> PlacementRequest:
    """An HEI asks for placements for some learners of one of its cohorts in one block, of
    whom ``makeup_learners`` make up practice hours (placed first within the HEI's share)."""
    if not (may_edit_registers(principal) or principal.is_hei):
        raise AccessDenied(f"Your role ({principal.role.value}) may not submit requests.")
    query = with_hei_and_programme(
        select(Cohort, HEI.code, Programme.code),
        hei_id=Cohort.hei_id,
        programme_id=Cohort.programme_id,
    )
    found = session.exec(query.where(Cohort.id == cohort_id)).first()
    if found is None:
        raise no_longer_exists("cohort")
    cohort, hei_code, programme_code = found
    require_hei(principal, cohort.hei_id, "request placements")
    code = f"{hei_code}-{block}-{uuid4().hex[:8].upper()}"
    validate_rows(
        session,
        principal,
        "requests",
        [
            {
                "request_id": code,
                "hei": hei_code,
                "programme": programme_code,
                "block": block,
                "learners": learners,
                "makeup_learners": makeup_learners,
                "sector": sector or "",
                "intake": cohort.intake,
                "lat": "" if lat is None else repr(float(lat)),
                "lon": "" if lon is None else repr(float(lon)),
            }
        ],
    )
    blk = session.exec(select(PlacementBlock).where(PlacementBlock.code == block)).one()
    assert blk.id is not None
    request = PlacementRequest(
        code=code,
        cohort_id=cohort_id,
        block_id=blk.id,
        learners=int(learners),
        makeup_learners=int(makeup_learners or 0),
        required_sector=sector or None,
        lat=lat,
        lon=lon,
        status=RequestStatus.SUBMITTED.value,
        created_at=utcnow(),
        created_by=principal.username,
    )
    session.add(request)
    session.flush()
    _record_submitted(session, principal, request, (hei_code, programme_code, cohort.intake))
    return request


def _record_submitted(
    session: Session, principal: Principal, request: PlacementRequest, of: tuple[str, str, str]
) -> None:
    """The submitted request's audit row and the coordinators' notification, in the same
    transaction as the request (``of``: its HEI, programme and intake codes)."""
    hei_code, programme_code, intake = of
    block = session.get(PlacementBlock, request.block_id)
    block_code = block.code if block else ""
    record_audit(
        session,
        principal,
        "submit_request",
        entity="placement_request",
        entity_id=request.code,
        new={
            "hei": hei_code,
            "programme": programme_code,
            "intake": intake,
            "block": block_code,
            "learners": request.learners,
            "makeup_learners": request.makeup_learners,
            "sector": request.required_sector,
        },
    )
    request_event(
        session,
        what="submitted",
        code=request.code,
        hei=hei_code,
        programme=programme_code,
        block=block_code,
        learners=request.learners,
        actor=principal,
    )


def set_makeup_learners(
    session: Session, *, principal: Principal, request_id: int, version: int, makeup: Any
) -> PlacementRequest:
    """Say how many of a submitted request's learners make up practice hours (0 for none).

    The request's HEI and coordinators may; the number is checked by the requests import's
    own rule (0 to the request's learners), and the edit is audited with the old value.
    """
    if not (may_edit_registers(principal) or principal.is_hei):
        raise AccessDenied(f"Your role ({principal.role.value}) may not change requests.")
    query = with_block(
        with_cohort(
            select(  # type: ignore[call-overload]  # five columns: past select's overloads
                PlacementRequest, Cohort, HEI.code, Programme.code, PlacementBlock.code
            ),
            PlacementRequest.cohort_id,
        ),
        PlacementRequest.block_id,
    )
    found = session.exec(query.where(PlacementRequest.id == request_id)).first()
    if found is None:
        raise no_longer_exists("request")
    request: PlacementRequest = found[0]
    cohort, hei_code, programme_code, block = found[1:]
    require_hei(principal, cohort.hei_id, "change requests")
    if request.status != RequestStatus.SUBMITTED.value:
        raise SaveRefused(
            [f"request {request.code} is {request.status}: only submitted requests are placed"]
        )
    validate_rows(
        session,
        principal,
        "requests",
        [
            {
                "request_id": request.code,
                "hei": hei_code,
                "programme": programme_code,
                "block": block,
                "learners": request.learners,
                "makeup_learners": "" if makeup is None else str(makeup).strip(),
                "intake": cohort.intake,
            }
        ],
    )
    new = int(float(str(makeup).strip() or 0)) if makeup is not None else 0
    old = request.makeup_learners
    conditional_update(session, PlacementRequest, request_id, version, {"makeup_learners": new})
    session.refresh(request)
    record_audit(
        session,
        principal,
        "set_makeup_learners",
        entity="placement_request",
        entity_id=request.code,
        old={"makeup_learners": old},
        new={"makeup_learners": new},
    )
    request_event(
        session,
        what="changed",
        code=request.code,
        hei=hei_code,
        programme=programme_code,
        block=block,
        learners=request.learners,
        actor=principal,
        change=f"Make-up hours learners: {old} -> {new}.",
        version=request.version,
    )
    return request


def withdraw_request(
    session: Session, *, principal: Principal, request_id: int, version: int
) -> PlacementRequest:
    """Withdraw a submitted request; kept on record (with its status) rather than deleted."""
    if not (may_edit_registers(principal) or principal.is_hei):
        raise AccessDenied(f"Your role ({principal.role.value}) may not withdraw requests.")
    found = session.exec(
        select(PlacementRequest, Cohort).join(Cohort).where(PlacementRequest.id == request_id)
    ).first()
    if found is None:
        raise no_longer_exists("request")
    request, cohort = found
    hei_id = cohort.hei_id
    require_hei(principal, hei_id, "withdraw requests")
    if request.status == RequestStatus.WITHDRAWN.value:
        raise SaveRefused([f"request {request.code} is already withdrawn"])
    conditional_update(
        session, PlacementRequest, request_id, version, {"status": RequestStatus.WITHDRAWN.value}
    )
    session.refresh(request)
    record_audit(
        session,
        principal,
        "withdraw_request",
        entity="placement_request",
        entity_id=request.code,
        old={"status": RequestStatus.SUBMITTED.value},
        new={"status": RequestStatus.WITHDRAWN.value},
    )
    hei, programme = session.get(Organisation, hei_id), session.get(Programme, cohort.programme_id)
    block = session.get(PlacementBlock, request.block_id)
    request_event(
        session,
        what="withdrawn",
        code=request.code,
        hei=hei.code if hei else "",
        programme=programme.code if programme else "",
        block=block.code if block else "",
        learners=request.learners,
        actor=principal,
    )
    return request
