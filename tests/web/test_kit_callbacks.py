"""The UI kit's callback makers (``ui.FilteredView``, ``ui.RegisterTable``, ``ui.action``):
the callbacks they register carry one named, typed parameter per value, as a hand-written
callback would, so the callback-input guard checks them; a view's read gets its controls by
name with a cleared multi-select as no filter."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import sign_in_client
from tracker.callback_inputs import Refusal, check_request, declared
from tracker.components import FilteredView


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
