"""Placement capacity reads: registers, calendar, requests and the allocator's inputs.

Everything comes out as DataFrames keyed by register codes (setting, block, programme, HEI),
the same codes import files and the allocator use. Requests are scoped through
``tracker.access``: an HEI user only ever gets its own HEI's rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from tracker.access import Principal, hei_scope
from tracker.cache import CAPACITY_DATA, ReportCache, cached_for
from tracker.measures.capacity import ANY_SECTOR
from tracker.models import (
    Cohort,
    Organisation,
    OrgKind,
    Placement,
    PlacementBlock,
    PlacementRequest,
    PlacementSetting,
    PlacementStatus,
    ProfessionGroup,
    Programme,
    ProgrammeCalendar,
    RequestStatus,
    SettingProgramme,
    SupervisionCapacity,
)

ANY_PROGRAMME = "*"
#: Joins a setting code and a profession group when one setting offers places to several
#: profession groups in one allocation (see :func:`allocator_inputs`).
GROUP_SEPARATOR = "#"

SETTINGS_COLUMNS = [
    "id",
    "setting_id",
    "name",
    "organisation",
    "organisation_name",
    "sector",
    "programmes",
    "lat",
    "lon",
    "postcode_district",
    "active",
    "version",
    "has_history",
]
CAPACITY_COLUMNS = [
    "id",
    "setting_id",
    "setting_name",
    "organisation",
    "sector",
    "active",
    "block",
    "profession_group",
    "practice_supervisors",
    "practice_assessors",
    "practice_educators",
    "learners_per_supervisor",
    "places",
    "version",
]
REQUEST_COLUMNS = [
    "id",
    "request_id",
    "hei",
    "programme",
    "profession_group",
    "intake",
    "block",
    "learners",
    "sector",
    "status",
    "created_at",
    "created_by",
    "version",
]
CALENDAR_COLUMNS = [
    "id",
    "hei",
    "programme",
    "profession_group",
    "block",
    "year_of_study",
    "start_date",
    "end_date",
]
ALLOCATOR_SETTINGS_COLUMNS = ["setting_id", "sector", "programmes", "lat", "lon", "active"]
ALLOCATOR_CAPACITY_COLUMNS = ["setting_id", "block", "places", "learners_per_supervisor"]
ALLOCATOR_DEMAND_COLUMNS = [
    "request_id",
    "hei",
    "programme",
    "block",
    "learners",
    "sector",
    "lat",
    "lon",
]


def _frame(rows: Sequence[Mapping[str, object]], columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(columns))


def _hosted_codes(session: Session) -> dict[int, list[str]]:
    hosted: dict[int, list[str]] = {}
    query = select(SettingProgramme.setting_id, Programme.code).join(Programme)
    for setting_id, code in session.exec(query).all():
        hosted.setdefault(setting_id, []).append(code)
    return hosted


# --- options for filters and forms -----------------------------------------------------------


def block_options(session: Session) -> pd.DataFrame:
    """Placement blocks in date order (code, name, start_date, end_date)."""
    rows = session.exec(select(PlacementBlock).order_by(col(PlacementBlock.start_date))).all()
    return _frame(
        [
            {"block": b.code, "name": b.name, "start_date": b.start_date, "end_date": b.end_date}
            for b in rows
        ],
        ["block", "name", "start_date", "end_date"],
    )


def organisation_options(session: Session, *, heis: bool = False) -> pd.DataFrame:
    """Organisations (code, name, kind): HEIs only, or every organisation that is not one."""
    query = select(Organisation).order_by(Organisation.name)
    query = query.where(
        (Organisation.kind == OrgKind.HEI.value)
        if heis
        else (Organisation.kind != OrgKind.HEI.value)
    )
    return _frame(
        [{"code": o.code, "name": o.name, "kind": o.kind} for o in session.exec(query).all()],
        ["code", "name", "kind"],
    )


def programme_options(session: Session) -> pd.DataFrame:
    rows = session.exec(select(Programme).order_by(Programme.code)).all()
    return _frame(
        [{"code": p.code, "name": p.name, "profession_group": p.profession_group} for p in rows],
        ["code", "name", "profession_group"],
    )


def cohort_options(session: Session, *, principal: Principal) -> pd.DataFrame:
    """Cohorts a user may request placements for: its own HEI's, or every HEI's for staff."""
    query = (
        select(Cohort, Organisation.code, Programme.code, Programme.name)
        .join(Organisation, col(Organisation.id) == Cohort.hei_id)
        .join(Programme, col(Programme.id) == Cohort.programme_id)
        .order_by(
            col(Organisation.code),
            col(Programme.code),
            col(Cohort.intake_year),
            col(Cohort.intake_month),
        )
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
    return _frame(rows, ["id", "hei", "programme", "intake", "label"])


# --- registers ---------------------------------------------------------------------------------


def settings_register(
    session: Session,
    *,
    principal: Principal,
    sector: Sequence[str] = (),
    organisation: Sequence[str] = (),
    active: bool | None = None,
) -> pd.DataFrame:
    """Every placement setting with its organisation, programmes hosted and location.

    ``has_history`` marks settings with placements: they may be deactivated, never deleted.
    Settings are not personal data, so every role that may open a settings page sees them all.
    """
    del principal  # the register is not scoped: kept in the signature so callers pass one
    query = (
        select(PlacementSetting, Organisation.code, Organisation.name)
        .join(Organisation, col(Organisation.id) == PlacementSetting.organisation_id)
        .order_by(PlacementSetting.code)
    )
    if sector:
        query = query.where(col(PlacementSetting.sector).in_(list(sector)))
    if organisation:
        query = query.where(col(Organisation.code).in_(list(organisation)))
    if active is not None:
        query = query.where(PlacementSetting.active == active)
    hosted = _hosted_codes(session)
    with_history = set(session.exec(select(Placement.setting_id).distinct()).all())
    rows = [
        {
            "id": s.id,
            "setting_id": s.code,
            "name": s.name,
            "organisation": org_code,
            "organisation_name": org_name,
            "sector": s.sector,
            "programmes": ANY_PROGRAMME
            if s.hosts_any_programme
            else ";".join(sorted(hosted.get(s.id or 0, []))),
            "lat": s.lat,
            "lon": s.lon,
            "postcode_district": s.postcode_district,
            "active": s.active,
            "version": s.version,
            "has_history": s.id in with_history,
        }
        for s, org_code, org_name in session.exec(query).all()
    ]
    return _frame(rows, SETTINGS_COLUMNS)


def capacity_register(
    session: Session,
    *,
    principal: Principal,
    blocks: Sequence[str] = (),
    sector: Sequence[str] = (),
    organisation: Sequence[str] = (),
    profession_group: Sequence[str] = (),
    active_only: bool = False,
) -> pd.DataFrame:
    """Supervision capacity rows with their setting, block and derived places."""
    del principal  # capacity is not personal data; kept so every read names its reader
    # Plain columns, not ORM objects: at scale there are tens of thousands of rows, and
    # building an entity per row was most of the capacity-against-demand view's time.
    query = (
        select(  # type: ignore[call-overload]
            SupervisionCapacity.id,
            PlacementSetting.code,
            PlacementSetting.name,
            Organisation.code,
            PlacementSetting.sector,
            PlacementSetting.active,
            PlacementBlock.code,
            SupervisionCapacity.profession_group,
            SupervisionCapacity.practice_supervisors,
            SupervisionCapacity.practice_assessors,
            SupervisionCapacity.practice_educators,
            SupervisionCapacity.learners_per_supervisor,
            SupervisionCapacity.version,
        )
        .join(PlacementSetting, col(PlacementSetting.id) == SupervisionCapacity.setting_id)
        .join(Organisation, col(Organisation.id) == PlacementSetting.organisation_id)
        .join(PlacementBlock, col(PlacementBlock.id) == SupervisionCapacity.block_id)
        .order_by(
            col(PlacementBlock.start_date),
            col(PlacementSetting.code),
            col(SupervisionCapacity.profession_group),
        )
    )
    if blocks:
        query = query.where(col(PlacementBlock.code).in_(list(blocks)))
    if sector:
        query = query.where(col(PlacementSetting.sector).in_(list(sector)))
    if organisation:
        query = query.where(col(Organisation.code).in_(list(organisation)))
    if profession_group:
        query = query.where(col(SupervisionCapacity.profession_group).in_(list(profession_group)))
    if active_only:
        query = query.where(PlacementSetting.active)
    # places = supervisors x learners per supervisor, as SupervisionCapacity.places says
    rows = [(*r[:12], r[8] * r[11], r[12]) for r in session.exec(query).all()]
    return pd.DataFrame.from_records(rows, columns=CAPACITY_COLUMNS)


def calendar_register(session: Session, *, principal: Principal) -> pd.DataFrame:
    """Every HEI programme's placement weeks.

    Calendars are shown to every HEI (not only its own): seeing when other HEIs place learners
    is what lets them stagger their weeks. Editing stays limited to the owning HEI.
    """
    del principal
    hei = aliased(Organisation)
    query = (
        select(  # type: ignore[call-overload]
            ProgrammeCalendar,
            hei.code,
            Programme.code,
            Programme.profession_group,
            PlacementBlock.code,
        )
        .join(hei, col(hei.id) == ProgrammeCalendar.hei_id)
        .join(Programme, col(Programme.id) == ProgrammeCalendar.programme_id)
        .join(PlacementBlock, col(PlacementBlock.id) == ProgrammeCalendar.block_id)
        .order_by(ProgrammeCalendar.start_date, hei.code, Programme.code)
    )
    rows = [
        {
            "id": c.id,
            "hei": hei_code,
            "programme": programme,
            "profession_group": group,
            "block": block,
            "year_of_study": c.year_of_study,
            "start_date": c.start_date,
            "end_date": c.end_date,
        }
        for c, hei_code, programme, group, block in session.exec(query).all()
    ]
    return _frame(rows, CALENDAR_COLUMNS)


def _request_query(principal: Principal):  # type: ignore[no-untyped-def]
    hei = aliased(Organisation)
    query = (
        select(  # type: ignore[call-overload]
            PlacementRequest,
            Cohort,
            hei.code,
            Programme.code,
            Programme.profession_group,
            PlacementBlock.code,
        )
        .join(Cohort, col(Cohort.id) == PlacementRequest.cohort_id)
        .join(hei, col(hei.id) == Cohort.hei_id)
        .join(Programme, col(Programme.id) == Cohort.programme_id)
        .join(PlacementBlock, col(PlacementBlock.id) == PlacementRequest.block_id)
    )
    scope = hei_scope(principal)
    if scope is not None:
        query = query.where(Cohort.hei_id == scope)
    return query, hei


def requests_register(
    session: Session,
    *,
    principal: Principal,
    blocks: Sequence[str] = (),
    heis: Sequence[str] = (),
    status: Sequence[str] = (),
) -> pd.DataFrame:
    """Placement requests: an HEI user's own HEI only, every HEI's for other roles."""
    query, hei = _request_query(principal)
    if blocks:
        query = query.where(col(PlacementBlock.code).in_(list(blocks)))
    if heis:
        query = query.where(col(hei.code).in_(list(heis)))
    if status:
        query = query.where(col(PlacementRequest.status).in_(list(status)))
    query = query.order_by(col(PlacementBlock.start_date), hei.code, col(PlacementRequest.code))
    rows = [
        {
            "id": r.id,
            "request_id": r.code,
            "hei": hei_code,
            "programme": programme,
            "profession_group": group,
            "intake": cohort.intake,
            "block": block,
            "learners": r.learners,
            "sector": r.required_sector,
            "status": r.status,
            "created_at": r.created_at,
            "created_by": r.created_by,
            "version": r.version,
        }
        for r, cohort, hei_code, programme, group, block in session.exec(query).all()
    ]
    return _frame(rows, REQUEST_COLUMNS)


# --- capacity against demand ---------------------------------------------------------------


@dataclass(frozen=True)
class CapacityDemandFrames:
    """The inputs of the capacity-against-demand measures, filtered alike.

    ``capacity``: setting_id, sector, block, profession_group, places, lat, lon (active
    settings only). ``demand``: request_id, hei, programme, profession_group, block, sector,
    learners (submitted requests; sector is ``ANY_SECTOR`` when none is required).
    ``hosting``: setting_id, programme, profession_group. ``placed``: setting_id, block,
    learners in published (confirmed or completed) placements, not drafts. ``settings``:
    setting_id, name,
    organisation, sector, lat, lon.
    """

    capacity: pd.DataFrame
    demand: pd.DataFrame
    hosting: pd.DataFrame
    placed: pd.DataFrame
    settings: pd.DataFrame


def capacity_demand_frames(
    session: Session,
    *,
    principal: Principal,
    blocks: Sequence[str] = (),
    sectors: Sequence[str] = (),
    profession_groups: Sequence[str] = (),
    cache: ReportCache | None = None,
) -> CapacityDemandFrames:
    """Places and requests side by side, as the capacity-against-demand view needs them.

    Demand is scoped like the requests register, so an HEI user would compare the system's
    places with its own requests only. The sector filter narrows places and the demand that
    requires those sectors; requests open to any sector are kept, since any sector may meet them.
    With ``cache``, the frames are read from (or computed once into) the shared report cache,
    keyed by the filters, what the viewer may see and the data version.
    """
    if cache is not None:
        # filters are sets: the frames do not depend on the order they were chosen in
        parts = (tuple(sorted(blocks)), tuple(sorted(sectors)), tuple(sorted(profession_groups)))
        return cached_for(
            cache,
            session,
            principal,
            "capacity_demand_frames",
            parts,
            CAPACITY_DATA,
            lambda: capacity_demand_frames(
                session,
                principal=principal,
                blocks=blocks,
                sectors=sectors,
                profession_groups=profession_groups,
            ),
        )
    cap = capacity_register(
        session,
        principal=principal,
        blocks=blocks,
        sector=sectors,
        profession_group=profession_groups,
        active_only=True,
    )
    settings = settings_register(session, principal=principal, sector=sectors, active=True)
    where = settings.set_index("setting_id")[["lat", "lon"]]
    capacity = cap[["setting_id", "sector", "block", "profession_group", "places"]].copy()
    capacity["lat"] = capacity["setting_id"].map(where["lat"])
    capacity["lon"] = capacity["setting_id"].map(where["lon"])

    requests = requests_register(
        session, principal=principal, blocks=blocks, status=[RequestStatus.SUBMITTED.value]
    )
    if profession_groups:
        requests = requests[requests["profession_group"].isin(list(profession_groups))]
    requests = requests.assign(sector=requests["sector"].fillna(ANY_SECTOR))
    if sectors:
        requests = requests[requests["sector"].isin([*sectors, ANY_SECTOR])]
    demand = requests[
        ["request_id", "hei", "programme", "profession_group", "block", "sector", "learners"]
    ].reset_index(drop=True)

    programmes = programme_options(session)
    group_of = dict(zip(programmes["code"], programmes["profession_group"], strict=True))
    hosting_rows: list[dict[str, object]] = []
    hosted = _hosted_codes(session)
    for row in settings.itertuples(index=False):
        codes = list(group_of) if row.programmes == ANY_PROGRAMME else hosted.get(int(row.id), [])
        hosting_rows.extend(
            {"setting_id": row.setting_id, "programme": code, "profession_group": group_of[code]}
            for code in codes
        )
    hosting = _frame(hosting_rows, ["setting_id", "programme", "profession_group"])

    placed_query = (
        select(PlacementSetting.code, PlacementBlock.code, func.sum(Placement.learners))
        .join(PlacementSetting, col(PlacementSetting.id) == Placement.setting_id)
        .join(PlacementBlock, col(PlacementBlock.id) == Placement.block_id)
        .where(
            col(Placement.status).in_(
                [PlacementStatus.CONFIRMED.value, PlacementStatus.COMPLETED.value]
            )
        )
        .group_by(PlacementSetting.code, PlacementBlock.code)
    )
    if blocks:
        placed_query = placed_query.where(col(PlacementBlock.code).in_(list(blocks)))
    placed = _frame(
        [
            {"setting_id": s, "block": b, "learners": int(n or 0)}
            for s, b, n in session.exec(placed_query).all()
        ],
        ["setting_id", "block", "learners"],
    )
    return CapacityDemandFrames(
        capacity=capacity.reset_index(drop=True),
        demand=demand,
        hosting=hosting,
        placed=placed,
        settings=settings[["setting_id", "name", "organisation", "sector", "lat", "lon"]],
    )


# --- the allocator's inputs ----------------------------------------------------------------


def setting_code(allocator_setting_id: str) -> tuple[str, str | None]:
    """Split an allocator setting id back into (register setting code, profession group).

    The group is None for plain setting codes; see :func:`allocator_inputs` for when an id
    carries one.
    """
    code, sep, group = allocator_setting_id.rpartition(GROUP_SEPARATOR)
    if sep and group in {g.value for g in ProfessionGroup}:
        return code, group
    return allocator_setting_id, None


def _override_places(
    capacity_overrides: pd.DataFrame | Mapping[tuple[str, str, str], int] | None,
) -> dict[tuple[str, str, str], int]:
    if capacity_overrides is None:
        return {}
    if isinstance(capacity_overrides, pd.DataFrame):
        return {
            (str(s), str(b), str(g)): int(p)
            for s, b, g, p in capacity_overrides[
                ["setting_id", "block", "profession_group", "places"]
            ].itertuples(index=False)
        }
    return {tuple(map(str, k)): int(v) for k, v in capacity_overrides.items()}  # type: ignore[misc]


def allocator_inputs(
    session: Session,
    *,
    blocks: Sequence[str] | None,
    programmes: Sequence[str] | None,
    capacity_overrides: pd.DataFrame | Mapping[tuple[str, str, str], int] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The registers in scope as the allocator's (settings, capacity, demand) frames.

    ``blocks`` and ``programmes`` are register codes (None or empty: all). Columns are exactly
    the allocator's: settings ``setting_id, sector, programmes, lat, lon, active``; capacity
    ``setting_id, block, places, learners_per_supervisor``; demand ``request_id, hei,
    programme, block, learners, sector, lat, lon`` (submitted requests only; sector None
    means any; ids are register codes).

    Places for a request's programme come only from the capacity rows of that programme's
    profession group: a physiotherapy request never takes a nursing supervisor's place. The
    allocator knows settings, not profession groups, so:

    * a setting offering places to one profession group in scope keeps its register code as
      ``setting_id``, with ``programmes`` = the in-scope programmes of that group it hosts;
    * a setting offering places to several groups in scope appears once per group, as
      ``"<code>#<group>"`` (see :func:`setting_code` to map back), each with its own
      programmes and places, so the groups cannot borrow each other's places.

    ``programmes`` is always an explicit ';' list (never '*'): "any programme" is narrowed to
    the programmes of the group whose supervisors offer the places. Settings with no places
    rows in scope are left out. ``capacity_overrides`` replaces places for what-if runs without
    touching the register: a mapping ``(setting code, block code, profession group) -> places``
    or a DataFrame with those four columns (``setting_id, block, profession_group, places``).
    """
    all_programmes = session.exec(select(Programme)).all()
    wanted = set(programmes or [])
    scope = [p for p in all_programmes if not wanted or p.code in wanted]
    group_of = {p.code: p.profession_group for p in scope}
    groups = set(group_of.values())
    block_rows = session.exec(select(PlacementBlock).order_by(col(PlacementBlock.start_date))).all()
    wanted_blocks = set(blocks or [])
    block_code = {b.id: b.code for b in block_rows if not wanted_blocks or b.code in wanted_blocks}
    overrides = _override_places(capacity_overrides)

    # places per (setting id, group, block), and the smallest learners-per-supervisor seen
    query = select(SupervisionCapacity).where(
        col(SupervisionCapacity.block_id).in_(list(block_code))
    )
    places: dict[tuple[int, str, str], list[int]] = {}
    settings = {s.id: s for s in session.exec(select(PlacementSetting)).all()}
    for c in session.exec(query).all():
        if c.profession_group not in groups:
            continue
        block = block_code[c.block_id]
        setting = settings[c.setting_id]
        value = overrides.get((setting.code, block, c.profession_group), c.places)
        places[(c.setting_id, c.profession_group, block)] = [value, c.learners_per_supervisor]
    for (code, block, group), value in overrides.items():
        # an override may offer places where the register has no row yet
        match = next((s for s in settings.values() if s.code == code), None)
        if match is not None and group in groups and block in block_code.values():
            places.setdefault((match.id or 0, group, block), [value, 1])

    hosted = _hosted_codes(session)
    offered: dict[int, list[str]] = {}
    setting_programmes: dict[tuple[int, str], list[str]] = {}
    for setting_id, group in sorted({(s, g) for s, g, _ in places}):
        setting = settings[setting_id]
        candidates = list(group_of) if setting.hosts_any_programme else hosted.get(setting_id, [])
        codes = sorted(c for c in candidates if group_of.get(c) == group)
        if codes:
            offered.setdefault(setting_id, []).append(group)
            setting_programmes[(setting_id, group)] = codes

    def allocator_id(setting_id: int, group: str) -> str:
        code = settings[setting_id].code
        return code if len(offered[setting_id]) == 1 else f"{code}{GROUP_SEPARATOR}{group}"

    settings_rows = []
    for (setting_id, group), codes in sorted(
        setting_programmes.items(), key=lambda item: (settings[item[0][0]].code, item[0][1])
    ):
        s = settings[setting_id]
        settings_rows.append(
            {
                "setting_id": allocator_id(setting_id, group),
                "sector": s.sector,
                "programmes": ";".join(codes),
                "lat": np.nan if s.lat is None else s.lat,
                "lon": np.nan if s.lon is None else s.lon,
                "active": bool(s.active),
            }
        )
    block_order = {code: i for i, code in enumerate(block_code.values())}
    capacity_rows = [
        {
            "setting_id": allocator_id(setting_id, group),
            "block": block,
            "places": int(value),
            "learners_per_supervisor": int(lps),
        }
        for (setting_id, group, block), (value, lps) in places.items()
        if (setting_id, group) in setting_programmes
    ]
    capacity = _frame(capacity_rows, ALLOCATOR_CAPACITY_COLUMNS)
    if not capacity.empty:
        capacity = capacity.sort_values(
            ["setting_id", "block"], key=lambda s: s.map(block_order) if s.name == "block" else s
        ).reset_index(drop=True)

    hei = aliased(Organisation)
    demand_query = (
        select(PlacementRequest, hei.code, Programme.code)
        .join(Cohort, col(Cohort.id) == PlacementRequest.cohort_id)
        .join(hei, col(hei.id) == Cohort.hei_id)
        .join(Programme, col(Programme.id) == Cohort.programme_id)
        .where(PlacementRequest.status == RequestStatus.SUBMITTED.value)
        .where(col(PlacementRequest.block_id).in_(list(block_code)))
        .order_by(PlacementRequest.code)
    )
    demand_rows = [
        {
            "request_id": r.code,
            "hei": hei_code,
            "programme": programme,
            "block": block_code[r.block_id],
            "learners": int(r.learners),
            "sector": r.required_sector,
            "lat": np.nan if r.lat is None else r.lat,
            "lon": np.nan if r.lon is None else r.lon,
        }
        for r, hei_code, programme in session.exec(demand_query).all()
        if programme in group_of
    ]
    demand = _frame(demand_rows, ALLOCATOR_DEMAND_COLUMNS)
    # None (any sector) stays None: pandas would otherwise turn it into a missing string
    demand["sector"] = pd.Series(
        [r["sector"] for r in demand_rows], index=demand.index, dtype="object"
    )
    return _frame(settings_rows, ALLOCATOR_SETTINGS_COLUMNS), capacity, demand
