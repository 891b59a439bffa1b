"""Settings, placement blocks, HEI calendars, supervision capacity and placement requests.

Column names follow the allocator's inputs, so a file a coordinator keeps for the allocator can
be imported as it is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date

from sqlmodel import Session, col, delete, select

from tracker.data.importers.core import (
    LAT_RANGE,
    LON_RANGE,
    Action,
    Column,
    Context,
    KindSpec,
    Row,
    by_key,
    chunks,
    keys,
    max_length,
    upsert,
)
from tracker.data.importers.pipeline import load_cohorts, registers
from tracker.data.importers.registers import resolve_hei, resolve_programme
from tracker.models import (
    Cohort,
    Organisation,
    PlacementBlock,
    PlacementRequest,
    PlacementSetting,
    ProfessionGroup,
    Programme,
    ProgrammeCalendar,
    Sector,
    SettingProgramme,
    SupervisionCapacity,
)
from tracker.services.audit import utcnow

ANY_PROGRAMME = "*"


def _codes(values: type[Sector] | type[ProfessionGroup]) -> str:
    return ", ".join(member.value for member in values)


def _linked_programmes(session: Session, setting_ids: list[int]) -> dict[int, list[Programme]]:
    linked: dict[int, list[Programme]] = defaultdict(list)
    for batch in chunks(setting_ids):
        query = (
            select(SettingProgramme.setting_id, Programme)
            .join(Programme)
            .where(col(SettingProgramme.setting_id).in_(batch))
        )
        for setting_id, programme in session.exec(query).all():
            linked[setting_id].append(programme)
    return linked


def _link_programmes(programme_ids: set[int]) -> Callable[[Session, PlacementSetting], None]:
    """Replace the setting's programme list: the file states the whole list."""

    def link(session: Session, setting: PlacementSetting) -> None:
        session.exec(  # type: ignore[call-overload]
            delete(SettingProgramme).where(col(SettingProgramme.setting_id) == setting.id)
        )
        for pid in sorted(programme_ids):
            session.add(SettingProgramme(setting_id=setting.id, programme_id=pid))

    return link


def plan_settings(ctx: Context, rows: list[Row]) -> list[Action]:
    session = ctx.session
    existing = by_key(
        session, PlacementSetting, PlacementSetting.code, (r.raw("setting_id") for r in rows)
    )
    orgs = by_key(session, Organisation, Organisation.code, (r.raw("organisation") for r in rows))
    listed = {
        code.strip()
        for r in rows
        for code in r.raw("programmes").split(";")
        if code.strip() and code.strip() != ANY_PROGRAMME
    }
    programmes = by_key(session, Programme, Programme.code, listed)
    linked = _linked_programmes(session, [s.id for s in existing.values() if s.id is not None])
    seen: dict[str, int] = {}
    actions = []
    for row in rows:
        code = row.text("setting_id", limit=max_length(PlacementSetting.code))
        org_code = row.text("organisation")
        org = orgs.get(org_code) if org_code else None
        if org_code and org is None:
            row.problem("organisation", "no organisation with this code; import it first")
        values: dict[str, object] = {
            "name": row.text("name", limit=max_length(PlacementSetting.name)),
            "sector": row.choice("sector", Sector),
            "organisation_id": org.id if org else None,
        }
        programme_ids: set[int] = set()
        text = row.text("programmes")
        if text is not None:
            codes = [c.strip() for c in text.split(";") if c.strip()]
            values["hosts_any_programme"] = codes == [ANY_PROGRAMME]
            unknown = [c for c in codes if c not in programmes and c != ANY_PROGRAMME]
            if ANY_PROGRAMME in codes and len(codes) > 1:
                row.problem("programmes", "write * alone, or a list of programme codes")
            elif unknown:
                row.problem("programmes", f"unknown programme codes: {', '.join(unknown)}")
            elif not codes:
                row.problem("programmes", "list programme codes separated by ;, or * for any")
            programme_ids = {programmes[c].id for c in codes if c in programmes}  # type: ignore[misc]
        if row.has("lat") or row.has("lon"):
            where = row.coordinates()
            if where is not None:
                values["lat"], values["lon"] = where
        if row.has("postcode_district"):
            values["postcode_district"] = row.postcode_district(
                "postcode_district", limit=max_length(PlacementSetting.postcode_district)
            )
        if row.has("active"):
            values["active"] = row.flag("active", default=True)
        if code is not None:
            row.first_time(seen, code, "setting_id", "setting_id")
        if row.bad or code is None:
            continue
        setting = existing.get(code)
        old_codes = ""
        if setting is not None and setting.id is not None:
            old_codes = ";".join(sorted(p.code for p in linked.get(setting.id, [])))
        new_codes = ";".join(sorted(c for c in programmes if programmes[c].id in programme_ids))
        actions.append(
            upsert(
                PlacementSetting,
                setting,
                code,
                values,
                create={"code": code},
                bump_version=True,
                after=_link_programmes(programme_ids),
                extra_old={"programmes": old_codes} if setting else None,
                extra_new={"programmes": new_codes},
            )
        )
    return actions


def plan_blocks(ctx: Context, rows: list[Row]) -> list[Action]:
    existing = by_key(
        ctx.session, PlacementBlock, PlacementBlock.code, (r.raw("block") for r in rows)
    )
    calendars: dict[int, list[ProgrammeCalendar]] = defaultdict(list)
    ids = [b.id for b in existing.values() if b.id is not None]
    for batch in chunks(ids):
        query = select(ProgrammeCalendar).where(col(ProgrammeCalendar.block_id).in_(batch))
        for entry in ctx.session.exec(query).all():
            calendars[entry.block_id].append(entry)
    seen: dict[str, int] = {}
    actions = []
    for row in rows:
        code = row.text("block", limit=max_length(PlacementBlock.code))
        start, end = row.day("start_date"), row.day("end_date")
        values = {
            "name": row.text("name", limit=max_length(PlacementBlock.name)),
            "start_date": start,
            "end_date": end,
        }
        if start is not None and end is not None and end < start:
            row.problem("end_date", f"before the start date {start}")
        if code is not None:
            row.first_time(seen, code, "block", "block code")
        block = existing.get(code) if code else None
        if block is not None and start is not None and end is not None and end >= start:
            outside = [
                c for c in calendars[block.id or 0] if c.start_date < start or c.end_date > end
            ]
            if outside:
                row.problem(
                    "start_date",
                    f"{len(outside)} HEI calendar entries would fall outside these dates; "
                    "import the calendar first",
                )
        if row.bad or code is None:
            continue
        actions.append(upsert(PlacementBlock, block, code, values, create={"code": code}))
    return actions


def plan_calendar(ctx: Context, rows: list[Row]) -> list[Action]:
    orgs, programmes = registers(ctx, rows)
    blocks = by_key(
        ctx.session, PlacementBlock, PlacementBlock.code, (r.raw("block") for r in rows)
    )
    existing: dict[tuple[int, int, int, int], ProgrammeCalendar] = {}
    for batch in chunks([b.id for b in blocks.values()]):
        query = select(ProgrammeCalendar).where(col(ProgrammeCalendar.block_id).in_(batch))
        for c in ctx.session.exec(query).all():
            existing[(c.hei_id, c.programme_id, c.block_id, c.year_of_study)] = c
    seen: dict[tuple[int, int, int, int], int] = {}
    actions = []
    for row in rows:
        hei = resolve_hei(row, "hei", orgs)
        programme = resolve_programme(row, "programme", programmes)
        block_code = row.text("block")
        block = blocks.get(block_code) if block_code else None
        if block_code and block is None:
            row.problem("block", "no placement block with this code; import placement-blocks first")
        year = row.integer("year_of_study", required=False, minimum=1, maximum=6)
        if not row.raw("year_of_study"):
            year = 1
        start, end = row.day("start_date"), row.day("end_date")
        if start is not None and end is not None and end < start:
            row.problem("end_date", f"before the start date {start}")
        elif (
            block is not None
            and start is not None
            and end is not None
            and (start < block.start_date or end > block.end_date)
        ):
            row.problem(
                "start_date", f"outside block {block.code} ({block.start_date} to {block.end_date})"
            )
        if hei is not None:
            row.own_hei("hei", hei.id, "calendar")
        if hei is None or programme is None or block is None or year is None:
            continue
        assert hei.id is not None and programme.id is not None and block.id is not None
        key = (hei.id, programme.id, block.id, year)
        row.first_time(seen, key, "block", "calendar entry (same hei, programme, block, year)")
        if row.bad:
            continue
        label = f"{hei.code}/{programme.code}/{block.code}/year {year}"
        create = {
            "hei_id": hei.id,
            "programme_id": programme.id,
            "block_id": block.id,
            "year_of_study": year,
        }
        values = {"start_date": start, "end_date": end}
        actions.append(upsert(ProgrammeCalendar, existing.get(key), label, values, create=create))
    return actions


def plan_capacity(ctx: Context, rows: list[Row]) -> list[Action]:
    session = ctx.session
    settings = by_key(
        session, PlacementSetting, PlacementSetting.code, (r.raw("setting_id") for r in rows)
    )
    blocks = by_key(session, PlacementBlock, PlacementBlock.code, (r.raw("block") for r in rows))
    setting_ids = [s.id for s in settings.values() if s.id is not None]
    linked = _linked_programmes(session, setting_ids)
    existing: dict[tuple[int, int, str], SupervisionCapacity] = {}
    for batch in chunks(setting_ids):
        query = select(SupervisionCapacity).where(col(SupervisionCapacity.setting_id).in_(batch))
        for c in session.exec(query).all():
            existing[(c.setting_id, c.block_id, c.profession_group)] = c
    seen: dict[tuple[int, int, str], int] = {}
    actions = []
    for row in rows:
        code = row.text("setting_id")
        setting = settings.get(code) if code else None
        if code and setting is None:
            row.problem("setting_id", "no placement setting with this code; import settings first")
        block_code = row.text("block")
        block = blocks.get(block_code) if block_code else None
        if block_code and block is None:
            row.problem("block", "no placement block with this code; import placement-blocks first")
        group = row.choice("profession_group", ProfessionGroup, required=False)
        if setting is not None:
            hosted = sorted({p.profession_group for p in linked.get(setting.id or 0, [])})
            if group is None and not row.raw("profession_group"):
                if setting.hosts_any_programme or len(hosted) != 1:
                    row.problem(
                        "profession_group",
                        "required: this setting hosts "
                        + (
                            "any programme"
                            if setting.hosts_any_programme
                            else "programmes of several profession groups"
                        ),
                    )
                else:
                    group = hosted[0]
            elif group is not None and not setting.hosts_any_programme and group not in hosted:
                row.problem(
                    "profession_group",
                    f"setting {setting.code} hosts no {group} programmes "
                    f"(it hosts: {', '.join(hosted) or 'none'})",
                )
        places = row.integer("places", required=False)
        supervisors = row.integer("supervisors", required=False)
        per_supervisor = row.integer(
            "learners_per_supervisor", required=False, minimum=1, maximum=20
        )
        if places is not None and (supervisors is not None or per_supervisor is not None):
            row.problem(
                "places", "give places, or supervisors and learners_per_supervisor, not both"
            )
        elif places is None and supervisors is None and not row.bad:
            row.problem("places", "required: places, or supervisors (with learners_per_supervisor)")
        values: dict[str, object] = {}
        for column, field in (
            ("assessors", "practice_assessors"),
            ("educators", "practice_educators"),
        ):
            if row.has(column):
                values[field] = row.integer(column, required=False) or 0
        if row.bad or setting is None or block is None or group is None:
            continue
        assert setting.id is not None and block.id is not None
        key = (setting.id, block.id, group)
        if not row.first_time(seen, key, "setting_id", "capacity (same setting, block, group)"):
            continue
        current = existing.get(key)
        if places is not None:
            # Places alone keep a refined supervisor model that already gives the same places.
            if current is None or current.places != places:
                values["practice_supervisors"] = places
                values["learners_per_supervisor"] = 1
        else:
            values["practice_supervisors"] = supervisors
            values["learners_per_supervisor"] = per_supervisor or 1
        label = f"{setting.code}/{block.code}/{group}"
        create = {"setting_id": setting.id, "block_id": block.id, "profession_group": group}
        actions.append(
            upsert(SupervisionCapacity, current, label, values, create=create, bump_version=True)
        )
    return actions


def _cohort_for_block(
    cohorts: dict[tuple[int, int, int, int], Cohort], hei_id: int, programme_id: int, start: date
) -> Cohort | None:
    """The latest intake of the HEI programme that began on or before the block starts."""
    candidates = [
        c
        for (h, p, y, m), c in cohorts.items()
        if h == hei_id and p == programme_id and date(y, m, 1) <= start
    ]
    return max(candidates, key=lambda c: (c.intake_year, c.intake_month), default=None)


def plan_requests(ctx: Context, rows: list[Row]) -> list[Action]:
    session = ctx.session
    orgs, programmes = registers(ctx, rows)
    blocks = by_key(session, PlacementBlock, PlacementBlock.code, (r.raw("block") for r in rows))
    cohorts = load_cohorts(session, (o.id for o in orgs.values() if o.id is not None))
    existing: dict[str, tuple[PlacementRequest, int]] = {}
    codes = keys(r.raw("request_id") for r in rows)
    for batch in chunks(codes):
        query = (
            select(PlacementRequest, Cohort.hei_id)
            .join(Cohort)
            .where(col(PlacementRequest.code).in_(batch))
        )
        for request, hei_id in session.exec(query).all():
            existing[request.code] = (request, hei_id)
    seen: dict[str, int] = {}
    actions = []
    for row in rows:
        code = row.text("request_id", limit=max_length(PlacementRequest.code))
        hei = resolve_hei(row, "hei", orgs)
        programme = resolve_programme(row, "programme", programmes)
        block_code = row.text("block")
        block = blocks.get(block_code) if block_code else None
        if block_code and block is None:
            row.problem("block", "no placement block with this code; import placement-blocks first")
        values: dict[str, object] = {"learners": row.integer("learners", minimum=1)}
        if row.has("sector"):
            values["required_sector"] = row.choice("sector", Sector, required=False)
        if row.has("lat") or row.has("lon"):
            where = row.coordinates()
            if where is not None:
                values["lat"], values["lon"] = where
        intake = row.intake("intake", required=False)
        if hei is not None:
            row.own_hei("hei", hei.id, "requests")
        current = existing.get(code) if code else None
        if current is not None and ctx.principal.is_hei:
            row.own_hei("request_id", current[1], "requests")
        if code is not None:
            row.first_time(seen, code, "request_id", "request_id")
        cohort = None
        if hei is not None and programme is not None:
            assert hei.id is not None and programme.id is not None
            if intake is not None:
                cohort = cohorts.get((hei.id, programme.id, *intake))
                if cohort is None:
                    row.problem(
                        "intake",
                        f"no cohort of {programme.code} at {hei.code} "
                        "with this intake; import cohorts first",
                    )
            elif block is not None and not row.raw("intake"):
                cohort = _cohort_for_block(cohorts, hei.id, programme.id, block.start_date)
                if cohort is None:
                    row.problem(
                        "intake",
                        f"no cohort of {programme.code} at {hei.code} "
                        f"began by {block.start_date}; give the intake",
                    )
        if row.bad or code is None or cohort is None or block is None:
            continue
        values["cohort_id"] = cohort.id
        values["block_id"] = block.id
        create = {"code": code, "created_at": utcnow(), "created_by": ctx.principal.username}
        request = current[0] if current else None
        actions.append(
            upsert(PlacementRequest, request, code, values, create=create, bump_version=True)
        )
    return actions


_WHERE = f"lat {LAT_RANGE[0]} to {LAT_RANGE[1]}, lon {LON_RANGE[0]} to {LON_RANGE[1]}"

SETTINGS = KindSpec(
    kind="settings",
    description="Placement settings (wards, teams, practices, homes) and what they host.",
    access="staff",
    planner=plan_settings,
    columns=(
        Column("setting_id", "unique setting code; used by the capacity file", required=True),
        Column("organisation", "code of the organisation that runs it", required=True),
        Column("name", "setting name, e.g. Ward 12 (respiratory)", required=True),
        Column("sector", f"one of {_codes(Sector)}", required=True),
        Column(
            "programmes",
            "programme codes it hosts separated by ; (replaces the list), or * for any programme",
            required=True,
        ),
        Column("lat", f"latitude, with lon, in England ({_WHERE})"),
        Column("lon", "longitude, with lat"),
        Column("postcode_district", "outward code, e.g. LS1"),
        Column("active", "yes/no (default yes)"),
    ),
)

PLACEMENT_BLOCKS = KindSpec(
    kind="placement-blocks",
    description="System placement blocks that capacity is offered for and requests made against.",
    access="staff",
    planner=plan_blocks,
    columns=(
        Column("block", "unique block code, e.g. 2025-B1", required=True),
        Column("name", "block name, e.g. Autumn 2025", required=True),
        Column("start_date", "YYYY-MM-DD", required=True),
        Column("end_date", "YYYY-MM-DD, on or after start_date", required=True),
    ),
)

CALENDAR = KindSpec(
    kind="calendar",
    description="An HEI programme's own placement weeks inside a block (import blocks first).",
    access="hei",
    planner=plan_calendar,
    columns=(
        Column("hei", "HEI organisation code", required=True),
        Column("programme", "programme code", required=True),
        Column("block", "placement block code", required=True),
        Column("year_of_study", "1 to 6 (default 1)"),
        Column("start_date", "YYYY-MM-DD, inside the block", required=True),
        Column("end_date", "YYYY-MM-DD, inside the block, on or after start_date", required=True),
    ),
)

CAPACITY = KindSpec(
    kind="capacity",
    description="Supervision capacity per setting, block and profession group.",
    access="staff",
    planner=plan_capacity,
    one_of_columns=("places", "supervisors"),
    columns=(
        Column("setting_id", "code of a placement setting", required=True),
        Column("block", "placement block code", required=True),
        Column(
            "profession_group",
            f"one of {_codes(ProfessionGroup)}; may be empty when the "
            "setting hosts programmes of one group only",
        ),
        Column(
            "places",
            "learner places; stored as that many supervisors with 1 learner "
            "each (unless the supervisors already give these places)",
        ),
        Column("supervisors", "practice supervisors (instead of places)"),
        Column(
            "learners_per_supervisor",
            "learners each supervisor supports, 1 to 20 (default 1; 2 for coaching models)",
        ),
        Column("assessors", "practice assessors (default 0)"),
        Column("educators", "practice educators (default 0)"),
    ),
)

REQUESTS = KindSpec(
    kind="requests",
    description="HEI requests for placements for learners of one cohort in one block.",
    access="hei",
    planner=plan_requests,
    columns=(
        Column("request_id", "unique request code", required=True),
        Column("hei", "HEI organisation code", required=True),
        Column("programme", "programme code", required=True),
        Column("block", "placement block code", required=True),
        Column("learners", "learners to place, 1 or more", required=True),
        Column("sector", f"one of {_codes(Sector)}; empty for any sector"),
        Column("intake", "YYYY-MM; empty: the latest intake begun by the block start"),
        Column("lat", f"latitude the learners travel from, with lon ({_WHERE})"),
        Column("lon", "longitude, with lat"),
    ),
)
