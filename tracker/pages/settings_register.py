"""Placement settings register: search, filter, add, edit and deactivate settings."""

from __future__ import annotations

from typing import Any

import dash
from dash import Output

from tracker import components as ui
from tracker.access import Principal
from tracker.pages import _settings_register_form as layout_parts
from tracker.queries.options import ANY_PROGRAMME, organisation_options, programme_options
from tracker.queries.settings import SETTINGS_COLUMNS, settings_register
from tracker.services.settings import SettingInput, deactivate_setting, delete_setting, save_setting

PAGE = "settings"
dash.register_page(__name__, path="/settings", name="Settings", order=20, access=PAGE)

#: The register's columns but the row id and version (kept for editing) and the
#: organisation's name (its code is shown).
SHOWN = [c for c in SETTINGS_COLUMNS if c not in ("id", "organisation_name", "version")]


@ui.page_guard(PAGE)
def layout(principal: Principal, **_query: Any) -> Any:
    with ui.reading() as session:
        orgs = organisation_options(session)
        programmes = programme_options(session)
    programme_choices = ui.coded_options(programmes)
    filters = layout_parts.filters(orgs)
    form = layout_parts.form(orgs, programme_choices)
    header = ui.page_header(
        "Placement settings",
        "Wards, teams, practices and homes: who runs them, what they host, where.",
    )
    grid = ui.register_grid(
        PAGE,
        "Settings",
        SHOWN,
        "A setting with placements is never deleted: deactivate it instead.",
    )
    return ui.register_layout(PAGE, header, filters, grid, form, edits=True)


#: The "active" filter's choices as the register's flag ("all": no flag).
ACTIVE = {"active": True, "inactive": False}


def _read(principal: Principal, active: str | None, **chosen: Any) -> Any:
    """The settings the filters choose (sector, organisation: as the register names them)."""
    with ui.reading() as session:
        return settings_register(
            session, principal=principal, active=ACTIVE.get(active or "all"), **chosen
        )


TABLE = ui.RegisterTable(
    PAGE,
    {"sector": list[str] | None, "organisation": list[str] | None, "active": str | None},
    _read,
)
TABLE.follow_edits("load_settings")


FORM = [
    "code",
    "name",
    "form-organisation",
    "form-sector",
    "form-programmes",
    "any",
    "lat",
    "lon",
    "postcode",
    "contact",
    "form-active",
]


def _fill_setting(row: dict[str, Any] | None) -> tuple[Any, ...]:
    """The form's values, whether the code is locked, the record open and the mode line."""
    if row is None:
        blank: tuple[Any, ...] = ("", "", None, None, [], False, None, None, "", "", True)
        return (*blank, False, None, "New setting: give it a unique code.")
    any_programme = row["programmes"] == ANY_PROGRAMME
    codes = [] if any_programme or not row["programmes"] else row["programmes"].split(";")
    return (
        row["setting_id"],
        row["name"],
        row["organisation"],
        row["sector"],
        codes,
        any_programme,
        row["lat"],
        row["lon"],
        row["postcode_district"] or "",
        row.get("contact_email") or "",
        bool(row["active"]),
        True,
        ui.picked(row),
        f"Editing {row['setting_id']} (the code cannot change).",
    )


ui.fill_form(
    PAGE,
    FORM,
    list[dict[str, Any]] | None,
    _fill_setting,
    also=[Output(f"{PAGE}-code", "disabled")],
)


@ui.action(
    PAGE,
    ["save", "deactivate", "delete"],
    ui.states(PAGE, *FORM),
    edits=True,
)
def change_setting(
    session: ui.DbSession,
    principal: Principal,
    button: str,
    code: str | None,
    name: str | None,
    organisation: str | None,
    sector: str | None,
    programmes: list[str] | None,
    any_programme: bool,
    lat: float | None,
    lon: float | None,
    postcode: str | None,
    contact: str | None,
    active: bool,
    editing: dict[str, int] | None,
) -> tuple[str, dict[str, Any] | None]:
    if button == "save":
        saved = save_setting(
            session,
            principal=principal,
            **ui.lock(editing, "setting_id"),
            setting=SettingInput(
                code=(code or "").strip(),
                organisation=organisation or "",
                name=name or "",
                sector=sector or "",
                programmes=[ANY_PROGRAMME] if any_programme else (programmes or []),
                lat=lat,
                lon=lon,
                postcode_district=postcode or None,
                contact_email=contact or None,
                active=bool(active),
            ),
        )
        return f"Saved {saved.code}.", ui.opened(saved)
    chosen = ui.lock(editing, "setting_id", what="a setting")
    if button == "deactivate":
        done = deactivate_setting(session, principal=principal, **chosen)
        return f"{done.code} deactivated.", ui.opened(done)
    delete_setting(session, principal=principal, **chosen)
    return "Setting deleted.", None


TABLE.download(
    "download_settings", SHOWN, "placement-settings", note="Placement settings register."
)
