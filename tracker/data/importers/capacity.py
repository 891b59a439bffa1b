"""Placement settings and their supervision capacity per block and profession group.

Column names follow the allocator's inputs, so a file a coordinator keeps for the allocator can
be imported as it is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection

from sqlmodel import Session, col, delete, select

from tracker.data.importers.common import (
    ANY_PROGRAMME,
    BLOCK,
    LON,
    NO_BLOCK,
    NO_SETTING,
    WHERE,
    blocks_named,
    codes,
    organisations_named,
    programme_list,
    rows_where,
    settings_named,
)
from tracker.data.importers.core import (
    Action,
    Column,
    Context,
    KindSpec,
    by_key,
    chunks,
    max_length,
    upsert,
)
from tracker.data.importers.rows import Row
from tracker.models import (
    PlacementSetting,
    ProfessionGroup,
    Programme,
    Sector,
    SettingProgramme,
    SupervisionCapacity,
)


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


def link_programmes(
    programme_ids: Collection[int],
) -> Callable[[Session, PlacementSetting], None]:
    """Replace the setting's programme list: the file (or the form) states the whole list."""

    def link(session: Session, setting: PlacementSetting) -> None:
        session.exec(delete(SettingProgramme).where(col(SettingProgramme.setting_id) == setting.id))
        assert setting.id is not None
        for pid in sorted(programme_ids):
            session.add(SettingProgramme(setting_id=setting.id, programme_id=pid))

    return link


def plan_settings(ctx: Context, rows: list[Row]) -> list[Action]:
    session = ctx.session
    existing = settings_named(ctx, rows)
    orgs = organisations_named(ctx, rows)
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
        org = row.lookup("organisation", orgs, "no organisation with this code; import it first")
        values: dict[str, object] = {
            "name": row.text("name", limit=max_length(PlacementSetting.name)),
            "sector": row.choice("sector", Sector),
            "organisation_id": org.id if org else None,
        }
        programme_ids: set[int] = set()
        hosted = programme_list(row, programmes.__contains__)
        if hosted is not None:
            values["hosts_any_programme"] = hosted == [ANY_PROGRAMME]
            programme_ids = {programmes[c].id for c in hosted if c in programmes}  # type: ignore[misc]
        row.place(values)
        if row.has("postcode_district"):
            values["postcode_district"] = row.postcode_district(
                "postcode_district", limit=max_length(PlacementSetting.postcode_district)
            )
        if row.has("contact_email"):
            values["contact_email"] = row.email(
                "contact_email", limit=max_length(PlacementSetting.contact_email)
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
                after=link_programmes(programme_ids),
                extra_old={"programmes": old_codes} if setting else None,
                extra_new={"programmes": new_codes},
            )
        )
    return actions


def _existing_capacity(
    session: Session, setting_ids: list[int]
) -> dict[tuple[int, int, str], SupervisionCapacity]:
    """Stored capacity of these settings by natural key (setting, block, profession group)."""
    found = rows_where(session, SupervisionCapacity, SupervisionCapacity.setting_id, setting_ids)
    return {(c.setting_id, c.block_id, c.profession_group): c for c in found}


def _profession_group(
    row: Row, setting: PlacementSetting | None, linked: dict[int, list[Programme]]
) -> str | None:
    """The row's profession group; empty means the one group the setting's programmes are in."""
    group = row.choice("profession_group", ProfessionGroup, required=False)
    if setting is None:
        return group
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
    return group


def _supervision(row: Row) -> tuple[int | None, int | None, int | None]:
    """Places, or supervisors and learners per supervisor: one way of stating capacity."""
    places = row.integer("places", required=False)
    supervisors = row.integer("supervisors", required=False)
    per_supervisor = row.integer("learners_per_supervisor", required=False, minimum=1, maximum=20)
    if places is not None and (supervisors is not None or per_supervisor is not None):
        row.problem("places", "give places, or supervisors and learners_per_supervisor, not both")
    elif places is None and supervisors is None and not row.bad:
        row.problem("places", "required: places, or supervisors (with learners_per_supervisor)")
    return places, supervisors, per_supervisor


def _staff_values(row: Row) -> dict[str, object]:
    """Assessors and educators, for the columns the file has (left out: left as they are)."""
    values: dict[str, object] = {}
    for column, field in (("assessors", "practice_assessors"), ("educators", "practice_educators")):
        if row.has(column):
            values[field] = row.integer(column, required=False) or 0
    return values


def plan_capacity(ctx: Context, rows: list[Row]) -> list[Action]:
    session = ctx.session
    settings = settings_named(ctx, rows)
    blocks = blocks_named(ctx, rows)
    setting_ids = [s.id for s in settings.values() if s.id is not None]
    linked = _linked_programmes(session, setting_ids)
    existing = _existing_capacity(session, setting_ids)
    seen: dict[tuple[int, int, str], int] = {}
    actions = []
    for row in rows:
        setting = row.lookup("setting_id", settings, NO_SETTING)
        block = row.lookup("block", blocks, NO_BLOCK)
        group = _profession_group(row, setting, linked)
        places, supervisors, per_supervisor = _supervision(row)
        values = _staff_values(row)
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


SETTINGS = KindSpec(
    kind="settings",
    description="Placement settings (wards, teams, practices, homes) and what they host.",
    access="staff",
    planner=plan_settings,
    columns=(
        Column("setting_id", "unique setting code; used by the capacity file", required=True),
        Column("organisation", "code of the organisation that runs it", required=True),
        Column("name", "setting name, e.g. Ward 12 (respiratory)", required=True),
        Column("sector", f"one of {codes(Sector)}", required=True),
        Column(
            "programmes",
            "programme codes it hosts separated by ; (replaces the list), or * for any programme",
            required=True,
        ),
        Column("lat", f"latitude, with lon, in England ({WHERE})"),
        LON,
        Column("postcode_district", "outward code, e.g. LS1"),
        Column(
            "contact_email", "who the setting's notifications go to (who is coming, audits due)"
        ),
        Column("active", "yes/no (default yes)"),
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
        BLOCK,
        Column(
            "profession_group",
            f"one of {codes(ProfessionGroup)}; may be empty when the "
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
