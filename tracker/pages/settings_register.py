"""Placement settings register: search, filter, add, edit and deactivate settings."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, ctx, dcc

from tracker import components as ui
from tracker.access import Principal
from tracker.pages import _settings_register_form as layout_parts
from tracker.queries.options import ANY_PROGRAMME, organisation_options, programme_options
from tracker.queries.settings import SETTINGS_COLUMNS, settings_register
from tracker.refusals import Refused
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
    return ui.register_layout(
        PAGE,
        header,
        filters,
        dcc.Store(id=f"{PAGE}-editing", data=None),
        ui.register_grid(
            PAGE,
            "Settings",
            SHOWN,
            "A setting with placements is never deleted: deactivate it instead.",
        ),
        form,
    )


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
TABLE.follow("load_settings", Input(f"{PAGE}-refresh", "data"))
ui.follow_search(PAGE)


FORM = [
    f"{PAGE}-code",
    f"{PAGE}-name",
    f"{PAGE}-form-organisation",
    f"{PAGE}-form-sector",
    f"{PAGE}-form-programmes",
    f"{PAGE}-any",
    f"{PAGE}-lat",
    f"{PAGE}-lon",
    f"{PAGE}-postcode",
    f"{PAGE}-form-active",
]
FORM_PROPS = ["value"] * len(FORM)


@callback(
    *[Output(i, p) for i, p in zip(FORM, FORM_PROPS, strict=True)],
    Output(f"{PAGE}-code", "disabled"),
    Output(f"{PAGE}-editing", "data"),
    Output(f"{PAGE}-form-mode", "children"),
    Input(f"{PAGE}-grid", "selectedRows"),
    Input(f"{PAGE}-new", "n_clicks"),
    prevent_initial_call=True,
)
def fill_setting_form(selected: list[dict[str, Any]] | None, _new: int | None) -> Any:
    ui.callback_principal(PAGE)
    if ctx.triggered_id == f"{PAGE}-new" or not selected:
        return (
            "",
            "",
            None,
            None,
            [],
            False,
            None,
            None,
            "",
            True,
            False,
            None,
            "New setting: give it a unique code.",
        )
    row = selected[0]
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
        bool(row["active"]),
        True,
        {"id": row["id"], "version": row["version"]},
        f"Editing {row['setting_id']} (the code cannot change).",
    )


@ui.action(
    PAGE,
    ["save", "deactivate", "delete"],
    [State(i, p) for i, p in zip(FORM, FORM_PROPS, strict=True)],
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
    active: bool,
    editing: dict[str, int] | None,
) -> tuple[str, dict[str, Any] | None]:
    if button == "save":
        saved = save_setting(
            session,
            principal=principal,
            setting_id=editing["id"] if editing else None,
            version=editing["version"] if editing else None,
            setting=SettingInput(
                code=(code or "").strip(),
                organisation=organisation or "",
                name=name or "",
                sector=sector or "",
                programmes=[ANY_PROGRAMME] if any_programme else (programmes or []),
                lat=lat,
                lon=lon,
                postcode_district=postcode or None,
                active=bool(active),
            ),
        )
        return f"Saved {saved.code}.", ui.opened(saved)
    if not editing:
        raise Refused(["select a setting in the table first"])
    chosen = {"setting_id": editing["id"], "version": editing["version"]}
    if button == "deactivate":
        done = deactivate_setting(session, principal=principal, **chosen)
        return f"{done.code} deactivated.", ui.opened(done)
    delete_setting(session, principal=principal, **chosen)
    return "Setting deleted.", None


TABLE.download(
    "download_settings", SHOWN, "placement-settings", note="Placement settings register."
)
