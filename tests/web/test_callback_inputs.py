"""The callback-input guard: a crafted ``/_dash-update-component`` body is refused before Dash
runs anything, by the shape Dash expects and by the types the callback's hints declare.

Unit tests build their callbacks on a private Dash app (``app.callback``, never
``dash.callback``, and no request is served), so the shared web app's callbacks are untouched.
"""

from __future__ import annotations

from typing import Any

import pytest
from dash import ALL, MATCH, Dash, Input, Output, State
from typing_extensions import TypedDict

from tests.conftest import sign_in_client
from tracker.callback_inputs import IsoDate, Refusal, check_request, declared


class Row(TypedDict):
    id: int


@pytest.fixture(scope="module")
def callbacks() -> dict[str, Any]:
    app = Dash("guard-unit-tests")

    @app.callback(
        Output("t-out", "children"),
        Input("t-go", "n_clicks"),
        State("t-rows", "selectedRows"),
        State("t-start", "value"),
        State("t-note", "value"),
    )
    def typed(clicks: int | None, rows: list[Row] | None, start: IsoDate | None, note: Any) -> str:
        return "ok"

    @app.callback(Output("t-any", "children"), Input("t-a", "value"), Input("t-b", "value"))
    def loose(*values: Any) -> str:
        return "ok"

    @app.callback(
        Output({"type": "t-cell", "index": MATCH}, "children"),
        Input({"type": "t-cell", "index": MATCH}, "n_clicks"),
        State({"type": "t-box", "index": ALL}, "value"),
    )
    def pattern(clicks: int | None, boxes: list[str | None]) -> str:
        return "ok"

    @app.callback(Output("t-kw", "children"), inputs={"count": Input("t-count", "value")})
    def keyword(count: int | None) -> str:
        return "ok"

    return app.callback_map


def _body(output: str, inputs: list[Any], state: list[Any] | None = None) -> dict[str, Any]:
    component, _, prop = output.rpartition(".")
    return {
        "output": output,
        "outputs": {"id": component, "property": prop},
        "inputs": inputs,
        "state": state or [],
        "changedPropIds": [],
    }


def _typed(
    clicks: Any = 1, rows: Any = None, start: Any = None, note: Any = None
) -> dict[str, Any]:
    return _body(
        "t-out.children",
        [{"id": "t-go", "property": "n_clicks", "value": clicks}],
        [
            {"id": "t-rows", "property": "selectedRows", "value": rows},
            {"id": "t-start", "property": "value", "value": start},
            {"id": "t-note", "property": "value", "value": note},
        ],
    )


def _refusal(body: Any, callbacks: dict[str, Any]) -> str:
    with pytest.raises(Refusal) as refused:
        check_request(body, callbacks)
    return str(refused.value)


def test_well_typed_inputs_pass(callbacks: dict[str, Any]) -> None:
    check_request(
        _typed(1, [{"id": 3, "name": "extra keys are fine"}], "2025-09-01", {}), callbacks
    )
    check_request(_typed(None, None, None, None), callbacks)


@pytest.mark.parametrize(
    ("clicks", "rows", "start"),
    [
        ("x", None, None),  # a string for a number
        (True, None, None),  # a boolean is not a count
        (None, [{"id": "x"}], None),  # a row id that is not a number
        (None, {"id": 1}, None),  # an object for a list
        (None, [{}], None),  # a row without its id
        (None, None, "notadate"),  # a date that is not one
        (None, None, ["2025-09-01"]),  # a list for a string
    ],
)
def test_wrong_typed_inputs_are_refused(
    callbacks: dict[str, Any], clicks: Any, rows: Any, start: Any
) -> None:
    assert "wrong type" in _refusal(_typed(clicks, rows, start), callbacks)


def test_any_and_unhinted_parameters_are_not_checked(callbacks: dict[str, Any]) -> None:
    check_request(_typed(note=[{"anything": ["goes"]}]), callbacks)
    body = _body(
        "t-any.children",
        [
            {"id": "t-a", "property": "value", "value": {"x": 1}},
            {"id": "t-b", "property": "value", "value": ["y"]},
        ],
    )
    check_request(body, callbacks)


@pytest.mark.parametrize(
    "body",
    [
        [],
        ["t-out.children"],
        "t-out.children",
        None,
        {"outputs": {}, "inputs": []},
        {"output": 5},
        {"output": "t-out.children", "inputs": "x"},
        {"output": "t-out.children", "inputs": [{"id": "t-go"}]},
        {"output": "t-out.children", "inputs": [], "changedPropIds": "t-go.n_clicks"},
    ],
)
def test_malformed_bodies_are_refused(callbacks: dict[str, Any], body: Any) -> None:
    _refusal(body, callbacks)


def test_unknown_outputs_are_refused(callbacks: dict[str, Any]) -> None:
    body = _typed()
    body["output"] = "nobody-here.children"
    assert "no callback" in _refusal(body, callbacks)


def test_inputs_must_be_the_declared_ones(callbacks: dict[str, Any]) -> None:
    short = _typed()
    short["state"] = short["state"][:2]
    renamed = _typed()
    renamed["state"][0]["id"] = "t-other"
    reprop = _typed()
    reprop["inputs"][0]["property"] = "value"
    for body in (short, renamed, reprop):
        assert "do not match" in _refusal(body, callbacks)


def test_outputs_must_be_the_declared_ones(callbacks: dict[str, Any]) -> None:
    body = _typed()
    body["outputs"] = {"id": "t-elsewhere", "property": "children"}
    assert "outputs do not match" in _refusal(body, callbacks)


def _pattern(clicks: Any, boxes: list[Any], index: Any = 1) -> dict[str, Any]:
    return {
        "output": '{"index":["MATCH"],"type":"t-cell"}.children',
        "outputs": {"id": {"type": "t-cell", "index": index}, "property": "children"},
        "inputs": [
            {"id": {"type": "t-cell", "index": index}, "property": "n_clicks", "value": clicks}
        ],
        "state": [
            [
                {"id": {"type": "t-box", "index": i}, "property": "value", "value": v}
                for i, v in enumerate(boxes)
            ]
        ],
        "changedPropIds": [f'{{"index":{index},"type":"t-cell"}}.n_clicks'],
    }


def test_pattern_matching_ids_keep_working(callbacks: dict[str, Any]) -> None:
    check_request(_pattern(2, ["a", None, "c"]), callbacks)
    check_request(_pattern(None, []), callbacks)
    assert "wrong type" in _refusal(_pattern(2, ["a", 5]), callbacks)
    assert "wrong type" in _refusal(_pattern("x", []), callbacks)
    wrong_type_key = _pattern(1, ["a"])
    wrong_type_key["state"][0][0]["id"] = {"type": "t-other", "index": 0}
    assert "do not match" in _refusal(wrong_type_key, callbacks)
    broken_trigger = _pattern(1, [])
    broken_trigger["changedPropIds"] = ['{"index":1,.n_clicks']
    assert "trigger" in _refusal(broken_trigger, callbacks)


def test_keyword_signatures_check_by_name(callbacks: dict[str, Any]) -> None:
    body = _body("t-kw.children", [{"id": "t-count", "property": "value", "value": 3}])
    check_request(body, callbacks)
    body["inputs"][0]["value"] = "three"
    assert "count" in _refusal(body, callbacks)


# --- the guard in the running app ------------------------------------------------------------


def test_background_callbacks_skip_the_progress_setter(web_app: Any) -> None:
    """Dash passes ``set_progress`` first to a background callback with progress outputs: the
    posted value is checked against the next parameter."""
    client = web_app.server.test_client()
    sign_in_client(client, "admin")  # Dash copies the pages' callbacks in on a first request
    entry = next(
        cb for key, cb in web_app.callback_map.items() if key.startswith("..allocation-done.data")
    )
    assert declared(entry).names == ("queued",)
    assert declared(entry).types[0] is not None


def test_the_app_answers_a_refusal_with_400_and_plain_text(web_app: Any) -> None:
    client = web_app.server.test_client()
    sign_in_client(client, "coordinator")
    response = client.post("/_dash-update-component", json=[{"output": "x"}])
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert response.text == "A callback request must be a JSON object."


def test_signed_out_requests_still_get_401_first(web_app: Any) -> None:
    response = web_app.server.test_client().post("/_dash-update-component", json=[])
    assert response.status_code == 401
