"""The Outlook page through the app: a scenario with no change draws the baseline, a +20%
intake scenario raises completions, and an HEI user's page carries its own programmes only."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.conftest import sign_in_client
from tests.web.test_access_walk import OWN_HEI, _post, _render
from tracker.models import Cohort, Organisation, Programme
from tracker.services.outlook_scenarios import ScenarioEdits
from tracker.vocabulary import PROFESSION_GROUPS

OUTLOOK = "..outlook-chart.figure...outlook-accuracy-table.children..."


def _client(web_app: Any, username: str) -> Any:
    client = web_app.server.test_client()
    assert sign_in_client(client, username).status_code == 302
    return client


def _dep(client: Any, output: str) -> dict[str, Any]:
    return next(d for d in client.get("/_dash-dependencies").json if d["output"] == output)


def _figure(client: Any, scenario: dict[str, Any] | None, group: str = "nursing") -> Any:
    dep = next(
        d
        for d in client.get("/_dash-dependencies").json
        if d["output"].startswith("..outlook-chart.figure")
    )
    values = {
        ("outlook-group", "value"): group,
        ("outlook-years", "value"): 10,
        ("outlook-scenario", "data"): scenario,
    }
    response = _post(client, dep, values, dep["inputs"][0])
    assert response.status_code == 200, response.text[:300]
    return response.json["response"]["outlook-chart"]["figure"]


def _completions(figure: dict[str, Any]) -> dict[str, list[float]]:
    return {
        t["name"]: t["y"] for t in figure["data"] if str(t.get("name", "")).endswith("completions")
    }


def test_a_zero_change_scenario_draws_the_baseline(web_app: Any) -> None:
    client = _client(web_app, "collaborative")
    baseline = _figure(client, None)
    zero = _figure(client, ScenarioEdits(intake_by=2031, change_from=2027).stored())
    assert _completions(baseline) and _completions(zero) == _completions(baseline)
    bands = [t for t in baseline["data"] if t.get("fill") == "toself"]
    assert bands, "the chart draws a band"
    # figures reach the collaborative user rounded to 5 (HESA convention), never exact
    for values in _completions(baseline).values():
        assert all(v is None or v % 5 == 0 for v in values)


def test_a_bigger_intake_raises_later_completions(web_app: Any) -> None:
    client = _client(web_app, "collaborative")
    baseline = _completions(_figure(client, None))
    grown = ScenarioEdits(intake_for="nursing", intake_percent=20, intake_by=2029).stored()
    changed = _completions(_figure(client, grown))
    base_total = sum(v or 0 for ys in baseline.values() for v in ys)
    grown_total = sum(v or 0 for ys in changed.values() for v in ys)
    assert grown_total > base_total


def test_a_crafted_scenario_gets_a_message_not_a_long_run(web_app: Any) -> None:
    client = _client(web_app, "collaborative")
    dep = next(
        d
        for d in client.get("/_dash-dependencies").json
        if d["output"].startswith("..outlook-chart.figure")
    )
    values = {("outlook-years", "value"): 12345, ("outlook-scenario", "data"): {"x": 1}}
    response = _post(client, dep, values, dep["inputs"][0])
    assert response.status_code == 200
    assert "No outlook" in response.text


def _own_fields(engine: Engine) -> set[str]:
    with Session(engine) as session:
        rows = session.exec(
            select(Programme.field)
            .join(Cohort, Cohort.programme_id == Programme.id)  # type: ignore[arg-type]
            .join(Organisation, Organisation.id == Cohort.hei_id)  # type: ignore[arg-type]
            .where(Organisation.code == OWN_HEI)
        ).all()
    return {str(field) for field in rows}


@pytest.mark.parametrize("group", ["nursing", "ahp"])
def test_an_hei_users_page_carries_only_its_own_programmes(
    web_app: Any, web_engine: Engine, group: str
) -> None:
    hei, admin = _client(web_app, "hei"), _client(web_app, "admin")
    page = _render(hei, "/outlook", "")
    assert page.status_code == 200 and "outlook-chart" in page.text
    assert "outlook-plan" not in page.text  # no system-wide placement figures for HEIs
    own = _own_fields(web_engine)

    def fields(client: Any) -> set[str]:
        names = [t["name"] for t in _figure(client, None, group)["data"] if "name" in t]
        return {n.split(":")[0].casefold() for n in names}

    theirs, everyone = fields(hei), fields(admin)
    assert theirs <= {f.casefold() for f in own}
    hei_total = sum(v or 0 for ys in _completions(_figure(hei, None, group)).values() for v in ys)
    all_total = sum(v or 0 for ys in _completions(_figure(admin, None, group)).values() for v in ys)
    assert hei_total < all_total
    assert everyone >= theirs


def _plan(client: Any) -> Any:
    """The response to "Plan placements" for 2028."""
    dep = next(
        d
        for d in client.get("/_dash-dependencies").json
        if d["output"].startswith("..outlook-heatmap.figure")
    )
    values = {("outlook-plan", "n_clicks"): 1, ("outlook-plan-year", "value"): 2028}
    return _post(client, dep, values, dep["inputs"][0])


def test_the_placement_plan_is_refused_to_hei_users(web_app: Any) -> None:
    response = _plan(_client(web_app, "hei"))
    assert response.status_code == 200
    body = json.dumps(response.json)
    assert "No plan" in body and "setting_id" not in body


def test_staff_get_the_placement_shortfall_heatmap(web_app: Any) -> None:
    # the shortfall by sector and year names no staff: the heatmap draws without them
    response = _plan(_client(web_app, "coordinator"))
    assert response.status_code == 200, response.text[:300]
    figure = response.json["response"]["outlook-heatmap"]["figure"]
    heat = [t for t in figure["data"] if t.get("type") == "heatmap"]
    assert heat and "named" not in heat[0]["hovertemplate"]
    assert all(len(cell) == 3 for row in heat[0]["customdata"] for cell in row)


def test_an_hei_users_intake_choice_offers_only_programmes_its_outlook_covers(
    web_app: Any, web_engine: Engine
) -> None:
    with Session(web_engine) as session:
        runs = session.exec(
            select(Organisation.code, Programme.code)
            .join(Cohort, Cohort.programme_id == Programme.id)  # type: ignore[arg-type]
            .join(Organisation, Organisation.id == Cohort.hei_id)  # type: ignore[arg-type]
        ).all()
    own = {p for hei, p in runs if hei == OWN_HEI}
    others_only = {p for hei, p in runs if hei != OWN_HEI} - own
    assert own and others_only, "the demo should have programmes only other HEIs run"
    page = _render(_client(web_app, "hei"), "/outlook", "").json
    choice = _component(page["response"]["_pages_content"]["children"], "outlook-intake_for")
    named = {o["value"] for o in choice["options"]} - {"*"} - set(PROFESSION_GROUPS)
    assert named == own


def _component(node: Any, ident: str) -> dict[str, Any]:
    """The props of the component `ident` in a rendered layout (JSON)."""
    found = _find(node, ident)
    assert found is not None, f"{ident} not in the page"
    return found


def _find(node: Any, ident: str) -> dict[str, Any] | None:
    items = node if isinstance(node, list) else [node]
    for item in items:
        if not isinstance(item, dict):
            continue
        props = item.get("props", {})
        if props.get("id") == ident:
            return dict(props)
        for value in props.values():
            if isinstance(value, dict | list) and (hit := _find(value, ident)) is not None:
                return hit
    return None
