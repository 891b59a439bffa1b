"""The allocator's inputs: the registers in scope as its settings, capacity and demand frames,
and the educational audits (with the blocks' dates) its audit rule reads."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date

import numpy as np
import pandas as pd
from sqlmodel import Session, col, select

from tracker.models import (
    EducationalAudit,
    PlacementBlock,
    PlacementRequest,
    PlacementSetting,
    Programme,
    RequestStatus,
    SupervisionCapacity,
)
from tracker.queries.joins import HEI, with_cohort
from tracker.queries.options import frame_of, hosted_codes
from tracker.queries.quality import open_review_reasons
from tracker.queries.staff_capacity import NamedCapacity, named_capacity
from tracker.snapshots import GROUP_SEPARATOR, register_code

ALLOCATOR_SETTINGS_COLUMNS = ["setting_id", "sector", "programmes", "lat", "lon", "active"]


ALLOCATOR_CAPACITY_COLUMNS = ["setting_id", "block", "places", "learners_per_supervisor"]


ALLOCATOR_AUDIT_COLUMNS = ["setting_id", "audited_on", "expires_on", "outcome", "programmes"]


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


def _places(
    session: Session,
    settings: Mapping[int | None, PlacementSetting],
    groups: set[str],
    block_code: Mapping[int | None, str],
    overrides: Mapping[tuple[str, str, str], int],
    named: NamedCapacity,
) -> dict[tuple[int, str, str], list[int]]:
    """Places per (setting id, profession group, block) in scope, with the learners per
    supervisor of each row: the named staff's places where the setting lists staff for the
    group, else the typed counts; what-if overrides replace either."""
    # places per (setting id, group, block), and the smallest learners-per-supervisor seen
    query = select(SupervisionCapacity).where(
        col(SupervisionCapacity.block_id).in_(list(block_code))
    )
    places: dict[tuple[int, str, str], list[int]] = {}
    for c in session.exec(query).all():
        if c.profession_group not in groups:
            continue
        block = block_code[c.block_id]
        setting = settings[c.setting_id]
        counted = named.places_in(setting.code, c.profession_group, block, c.places)
        value = overrides.get((setting.code, block, c.profession_group), counted)
        places[(c.setting_id, c.profession_group, block)] = [value, c.learners_per_supervisor]
    for (code, block, group), value in overrides.items():
        # an override may offer places where the register has no row yet
        match = next((s for s in settings.values() if s.code == code), None)
        if match is not None and group in groups and block in block_code.values():
            places.setdefault((match.id or 0, group, block), [value, 1])
    return places


def _demand(
    session: Session, block_code: Mapping[int | None, str], group_of: Mapping[str, str]
) -> pd.DataFrame:
    """Submitted requests in scope, as the allocator's demand frame (sector None: any), with
    ``makeup_learners`` once any request in scope has make-up hours learners: without the
    column while none has, so runs made then allocate and fingerprint exactly as before."""
    demand_query = (
        with_cohort(select(PlacementRequest, HEI.code, Programme.code), PlacementRequest.cohort_id)
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
            "makeup_learners": int(r.makeup_learners),
        }
        for r, hei_code, programme in session.exec(demand_query).all()
        if programme in group_of
    ]
    columns = list(ALLOCATOR_DEMAND_COLUMNS)
    if any(r["makeup_learners"] for r in demand_rows):
        columns.append("makeup_learners")
    demand = frame_of(demand_rows, columns)
    # None (any sector) stays None: pandas would otherwise turn it into a missing string
    demand["sector"] = pd.Series(
        [r["sector"] for r in demand_rows], index=demand.index, dtype="object"
    )
    return demand


def _programmes_offered(
    session: Session,
    settings: Mapping[int | None, PlacementSetting],
    places: Mapping[tuple[int, str, str], list[int]],
    group_of: Mapping[str, str],
    named: NamedCapacity,
    field_of: Mapping[str, str],
) -> tuple[dict[int, list[str]], dict[tuple[int, str], list[str]]]:
    """Per setting, the profession groups it offers places to in scope; per (setting, group),
    the in-scope programmes of that group it hosts ("any programme" narrowed to the group),
    less those of fields its named staff cannot assess or educate."""
    hosted = hosted_codes(session)
    offered: dict[int, list[str]] = {}
    setting_programmes: dict[tuple[int, str], list[str]] = {}
    for setting_id, group in sorted({(s, g) for s, g, _ in places}):
        setting = settings[setting_id]
        candidates = list(group_of) if setting.hosts_any_programme else hosted.get(setting_id, [])
        codes = sorted(
            c
            for c in candidates
            if group_of.get(c) == group and named.offers(setting.code, group, field_of[c])
        )
        if codes:
            offered.setdefault(setting_id, []).append(group)
            setting_programmes[(setting_id, group)] = codes
    return offered, setting_programmes


def _capacity_frame(
    places: Mapping[tuple[int, str, str], list[int]],
    setting_programmes: Mapping[tuple[int, str], list[str]],
    allocator_id: Callable[[int, str], str],
    block_code: Mapping[int | None, str],
) -> pd.DataFrame:
    """The allocator's capacity frame, by setting and then block in date order."""
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
    capacity = frame_of(capacity_rows, ALLOCATOR_CAPACITY_COLUMNS)
    if not capacity.empty:
        capacity = capacity.sort_values(
            ["setting_id", "block"], key=lambda s: s.map(block_order) if s.name == "block" else s
        ).reset_index(drop=True)
    return capacity


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
    means any; ids are register codes), and ``makeup_learners`` once any request has some.

    Places for a request's programme come only from the capacity rows of that programme's
    profession group: a physiotherapy request never takes a nursing supervisor's place.
    Where a setting lists named staff for the group, a row's places are theirs
    (``queries.staff_capacity``), and only the programmes of fields they can assess or educate
    are hosted there; elsewhere the typed counts stand. The
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

    settings = {s.id: s for s in session.exec(select(PlacementSetting)).all()}
    named = named_capacity(session)
    places = _places(session, settings, groups, block_code, overrides, named)
    field_of = {p.code: p.field for p in scope}
    offered, setting_programmes = _programmes_offered(
        session, settings, places, group_of, named, field_of
    )

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
    capacity = _capacity_frame(places, setting_programmes, allocator_id, block_code)
    demand = _demand(session, block_code, group_of)
    frame = frame_of(settings_rows, ALLOCATOR_SETTINGS_COLUMNS)
    return _with_reviews(session, frame, settings, setting_programmes), capacity, demand


def _with_reviews(
    session: Session,
    frame: pd.DataFrame,
    settings: dict[int | None, PlacementSetting],
    setting_programmes: dict[tuple[int, str], list[str]],
) -> pd.DataFrame:
    """The settings frame with ``quality_review`` (each open review's reason) once any
    setting is under review; without the column while none is, so runs made then allocate
    and fingerprint exactly as before."""
    reasons = open_review_reasons(session)
    if not reasons:
        return frame
    ordered = sorted(setting_programmes, key=lambda key: (settings[key[0]].code, key[1]))
    return frame.assign(quality_review=[reasons.get(setting_id, "") for setting_id, _ in ordered])


def _approved_codes(listed: str, programmes: Sequence[Programme]) -> str:
    """An audit's approved list as programme codes: ``*`` stays, a field (``adult nursing``)
    becomes every programme of that field, codes stay codes (compared without case)."""
    if listed.strip() == "*":
        return "*"
    codes: set[str] = set()
    for entry in (e.strip().lower() for e in listed.split(";") if e.strip()):
        codes |= {p.code for p in programmes if entry in (p.code.lower(), p.field.lower())}
    return ";".join(sorted(codes)) or "-"


def allocator_audits(session: Session, *, settings: pd.DataFrame) -> pd.DataFrame | None:
    """The audits of the allocator's settings, one row per allocator setting id (a setting
    split by profession group carries its audits to each part), in the audit rule's words.

    None while the register is empty: an installation that has not started recording audits
    allocates as before, with no audit rule. Once any audit is recorded the rule applies to
    every setting, and a setting with no audit takes no learners.
    """
    audits = session.exec(
        select(EducationalAudit, PlacementSetting.code).join(
            PlacementSetting, col(PlacementSetting.id) == EducationalAudit.setting_id
        )
    ).all()
    if not audits:
        return None
    programmes = session.exec(select(Programme)).all()
    by_code: dict[str, list[EducationalAudit]] = {}
    for audit, code in audits:
        by_code.setdefault(code, []).append(audit)
    rows = [
        {
            "setting_id": sid,
            "audited_on": a.audited_on.isoformat(),
            "expires_on": a.expires_on.isoformat(),
            "outcome": a.outcome.replace("_", " "),
            "programmes": _approved_codes(a.programmes, programmes),
        }
        for sid in settings["setting_id"].astype(str)
        for a in sorted(by_code.get(register_code(sid), []), key=lambda a: a.audited_on)
    ]
    return frame_of(rows, ALLOCATOR_AUDIT_COLUMNS)


def block_dates(session: Session, blocks: Sequence[str]) -> dict[str, tuple[date, date]]:
    """Each block's first and last day, which an audit must cover for places in it."""
    query = select(PlacementBlock).where(col(PlacementBlock.code).in_(list(blocks)))
    return {b.code: (b.start_date, b.end_date) for b in session.exec(query).all()}
