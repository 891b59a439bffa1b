"""The UI kit's callback makers (``ui.FilteredView``, ``ui.RegisterTable``, ``ui.action``):
the callbacks they register carry one named, typed parameter per value, as a hand-written
callback would, so the callback-input guard checks them; a view's read gets its controls by
name with a cleared multi-select as no filter."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from tests.conftest import sign_in_client
from tests.web.test_access_walk import _post
from tracker.access import Principal
from tracker.callback_inputs import Refusal, check_request, declared
from tracker.components import FilteredView
from tracker.models import PlacementSetting, Role
from tracker.queries.options import ANY_PROGRAMME
from tracker.queries.settings import settings_register

STAFF = Principal("coordinator", Role.COORDINATOR)


def _entry(web_app: Any, output: str) -> dict[str, Any]:
    client = web_app.server.test_client()
    sign_in_client(client, "admin")  # Dash copies the pages' callbacks in on a first request
    return next(
        cb for key, cb in web_app.callback_map.items() if key.lstrip(".").startswith(output)
    )


def test_a_view_reads_its_controls_by_name_with_cleared_lists_as_no_filter() -> None:
    seen: list[dict[str, Any]] = []
    view = FilteredView(
        "p",
        {"blocks": list[str] | None, "block": str | None, "heis": Any},
        lambda principal, **chosen: seen.append({"principal": principal, **chosen}),
    )
    view.read_values("me", None, None, None)
    view.read_values("me", ["b1"], "b2", ["x"])
    assert seen == [
        {"principal": "me", "blocks": [], "block": None, "heis": None},
        {"principal": "me", "blocks": ["b1"], "block": "b2", "heis": ["x"]},
    ]


def test_a_report_download_declares_its_buttons_and_filters(web_app: Any) -> None:
    entry = _entry(web_app, "capacity-demand-sector-download.data")
    assert declared(entry).names == ("_csv", "_xlsx", "blocks", "sectors", "groups")
    assert all(t is not None for t in declared(entry).types)


def test_an_action_declares_its_buttons_form_and_counter(web_app: Any) -> None:
    entry = _entry(web_app, "calendar-message.children")
    names = ("_save", "hei", "programme", "block", "year", "start", "end", "refresh")
    assert declared(entry).names == names
    capacity = _entry(web_app, "capacity-message.children...capacity-refresh")
    assert declared(capacity).names[:4] == ("_save", "_bulk_confirm", "rows", "values_0")
    assert declared(capacity).names[-1] == "refresh"


def test_an_action_form_value_of_the_wrong_type_is_refused(web_app: Any) -> None:
    entry = _entry(web_app, "calendar-message.children")
    state = [
        {"id": component, "property": prop, "value": "notadate" if "start" in component else None}
        for component, prop in declared(entry).items[1:]
    ]
    body = {
        "output": "..calendar-message.children...calendar-refresh.data..",
        "outputs": [
            {"id": "calendar-message", "property": "children"},
            {"id": "calendar-refresh", "property": "data"},
        ],
        "inputs": [{"id": "calendar-save", "property": "n_clicks", "value": 1}],
        "state": state,
        "changedPropIds": ["calendar-save.n_clicks"],
    }
    with pytest.raises(Refusal, match="start"):
        check_request(body, web_app.callback_map)


# --- an action through the app, as the Dash front end posts it --------------------------------


def _answer(web_app: Any, username: str, output: str, values: Any, trigger: str) -> Any:
    client = web_app.server.test_client()
    sign_in_client(client, username)
    deps = client.get("/_dash-dependencies").json
    dep = next(d for d in deps if d["output"].startswith(output))  # allow_duplicate: @<hash>
    response = _post(client, dep, values, {"id": trigger, "property": "n_clicks"})
    assert response.status_code == 200, response.text[:300]
    return response.json["response"]


SETTINGS_SAVE = "..settings-message.children...settings-refresh.data...settings-editing.data"


def test_a_register_save_says_what_it_did_and_keeps_its_record_open(
    web_app: Any, web_engine: Engine
) -> None:
    with Session(web_engine) as session:
        row = settings_register(session, principal=STAFF).iloc[0]
    codes = "" if row["programmes"] in (ANY_PROGRAMME, None) else row["programmes"]
    values = {
        ("settings-code", "value"): row["setting_id"],
        ("settings-name", "value"): row["name"],
        ("settings-form-organisation", "value"): row["organisation"],
        ("settings-form-sector", "value"): row["sector"],
        ("settings-form-programmes", "value"): codes.split(";") if codes else [],
        ("settings-any", "value"): row["programmes"] == ANY_PROGRAMME,
        ("settings-lat", "value"): float(row["lat"]),
        ("settings-lon", "value"): float(row["lon"]),
        ("settings-postcode", "value"): row["postcode_district"] or "",
        ("settings-contact", "value"): "ward@trust.test",
        ("settings-form-active", "value"): bool(row["active"]),
        ("settings-editing", "data"): {"id": int(row["id"]), "version": int(row["version"])},
        ("settings-refresh", "data"): 4,
    }
    answer = _answer(web_app, "coordinator", SETTINGS_SAVE, values, "settings-save")
    assert f"Saved {row['setting_id']}." in json.dumps(answer["settings-message"])
    with Session(web_engine) as session:
        saved = session.get(PlacementSetting, int(row["id"]))
        assert saved is not None and saved.contact_email == "ward@trust.test"
    assert answer["settings-refresh"]["data"] == 5
    assert answer["settings-editing"]["data"]["id"] == int(row["id"])


def test_a_refused_action_says_why_and_leaves_the_counter_and_record(web_app: Any) -> None:
    values = {
        ("settings-any", "value"): False,
        ("settings-form-active", "value"): True,
        ("settings-editing", "data"): None,
        ("settings-refresh", "data"): 4,
    }
    answer = _answer(web_app, "coordinator", SETTINGS_SAVE, values, "settings-delete")
    assert "select a setting in the table first" in json.dumps(answer["settings-message"])
    assert set(answer) == {"settings-message"}  # counter and open record: no update
    placements = "..placements-message.children...placements-changed.data.."
    answer = _answer(web_app, "coordinator", placements, {}, "placements-complete")
    said = answer["placements-message"]["children"]
    assert said["props"]["color"] == "warning"
    assert said["props"]["children"] == "Select a placement first."
    assert set(answer) == {"placements-message"}
