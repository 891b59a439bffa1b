"""The access-control walk: every page and every callback, as every role, over HTTP.

Not a browser test: the Flask test client posts exactly what the Dash front end would post
(the pages router for pages, ``/_dash-update-component`` for callbacks), plus what a curious
user could post by hand: query strings naming other HEIs, and callback inputs naming other
HEIs' codes, requests, learners, runs and settings. Every response body for the HEI user and
the collaborative user is kept and searched for what they must never receive.

``tracker.access.PAGE_ROLES`` is the expectation: a role's permitted pages render, the others
answer with the forbidden panel and no data.
"""

from __future__ import annotations

import base64
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import dash
import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, col, select

from tests.conftest import sign_in_client
from tests.placement_rows import confirm_at, remove_placements
from tracker.access import PAGE_ROLES
from tracker.models import (
    AllocationRun,
    AuditLog,
    Cohort,
    Learner,
    Organisation,
    Placement,
    PlacementRequest,
    PlacementSetting,
    Role,
)

ROLES = {
    "admin": Role.ADMIN,
    "coordinator": Role.COORDINATOR,
    "collaborative": Role.COLLABORATIVE,
    "hei": Role.HEI,
    "provider": Role.PROVIDER,
}
OWN_HEI = "UNI-A"
#: The demo ``provider`` account's organisation (services.users.DEMO_PROVIDERS).
OWN_PROVIDER = "RTRUST1"
#: Roles whose every callback the walk posts with crafted values (staff see everything).
SCOPED = ("hei", "collaborative", "provider")
OTHER_HEIS = ["UNI-B", "UNI-C", "UNI-D"]
ROUTER_OUTPUT = ".._pages_content.children..._pages_store.data.."
# Query strings that try to widen what a page shows: other HEIs in the filters, and
# keywords a page does not know (Dash passes every query parameter to ``layout``).
WIDENING_QUERIES = [
    "",
    "?hei=UNI-B,UNI-C",
    "?hei=UNI-B&programme=&route=&kind=learners",
    "?hei_id=2&organisation=UNI-B&learner_ref=x",
]
# Callbacks we deliberately do not post: they are Dash's own or the navigation toggle, which
# carry no data (the router is walked separately, page by page).
SKIPPED_OUTPUTS = {
    ROUTER_OUTPUT: "the pages router: walked page by page with crafted query strings",
    "_pages_dummy.children": "clientside: sets the document title in the browser",
    "nav-collapse.is_open": "navigation toggle: returns a boolean, reads nothing",
}
# Whole-number learner counts that disclosure control rounds to multiples of 5.
COUNT_COLUMNS = (
    "Starters",
    "On programme",
    "Currently interrupted",
    "Completed",
    "Transferred out",
    "Withdrawn",
)


@dataclass
class Facts:
    """What the database holds that a scoped user must not receive."""

    other_refs: set[str]
    all_refs: set[str]
    other_request_codes: set[str]
    other_request_rows: list[dict[str, Any]]
    other_placement_ids: list[int]
    run_ids: list[int]
    setting_ids: list[int]
    other_org_ids: list[int]
    other_cohort_ids: list[int]
    #: setting codes of every organisation but the provider account's
    other_setting_codes: set[str]
    #: learners with no published placement at the provider account's settings
    unplaced_refs: set[str]
    #: requests with no published placement there
    unplaced_requests: set[str]


@dataclass
class Seen:
    """Every response body a role received during the walk."""

    bodies: list[tuple[str, int, str]] = field(default_factory=list)

    def add(self, label: str, status: int, text: str) -> None:
        self.bodies.append((label, status, text))


def _facts(engine: Engine) -> Facts:
    with Session(engine) as session:
        own = session.exec(select(Organisation).where(Organisation.code == OWN_HEI)).one()
        learners = session.exec(
            select(Learner.learner_ref, Cohort.hei_id).join(
                Cohort, col(Cohort.id) == Learner.cohort_id
            )
        ).all()
        requests = session.exec(
            select(PlacementRequest, Cohort.hei_id).join(
                Cohort, col(Cohort.id) == PlacementRequest.cohort_id
            )
        ).all()
        placements = session.exec(
            select(Placement.id, Cohort.hei_id)
            .join(PlacementRequest, col(PlacementRequest.id) == Placement.request_id)
            .join(Cohort, col(Cohort.id) == PlacementRequest.cohort_id)
        ).all()
        return Facts(
            other_refs={ref for ref, hei in learners if hei != own.id},
            all_refs={ref for ref, _ in learners},
            other_request_codes={r.code for r, hei in requests if hei != own.id},
            other_request_rows=[
                {"id": r.id, "version": r.version, "request_id": r.code, "hei": "UNI-B"}
                for r, hei in requests
                if hei != own.id
            ][:3],
            other_placement_ids=[int(p) for p, hei in placements if hei != own.id][:3],
            run_ids=[int(r) for r in session.exec(select(AllocationRun.id)).all()][:3],
            setting_ids=[int(s) for s in session.exec(select(PlacementSetting.id)).all()][:3],
            other_org_ids=[
                int(o.id)
                for o in session.exec(select(Organisation)).all()
                if o.code in OTHER_HEIS and o.id is not None
            ],
            other_cohort_ids=[
                int(c.id)
                for c in session.exec(select(Cohort)).all()
                if c.hei_id != own.id and c.id is not None
            ][:2],
            **_provider_facts(
                session, {ref for ref, _ in learners}, {r.code for r, _hei in requests}
            ),
        )


def _provider_facts(
    session: Session, refs: set[str], request_codes: set[str]
) -> dict[str, set[str]]:
    """What the provider account must not receive: other organisations' settings, and
    learners not placed (published) at its own settings."""
    org = session.exec(select(Organisation).where(Organisation.code == OWN_PROVIDER)).one()
    settings = session.exec(select(PlacementSetting)).all()
    own = {s.id for s in settings if s.organisation_id == org.id}
    placed = session.exec(
        select(Learner.learner_ref)
        .join(Placement, col(Placement.learner_id) == Learner.id)
        .where(col(Placement.setting_id).in_(own), Placement.status != "proposed")
    ).all()
    asked = session.exec(
        select(PlacementRequest.code)
        .join(Placement, col(Placement.request_id) == PlacementRequest.id)
        .where(col(Placement.setting_id).in_(own), Placement.status != "proposed")
    ).all()
    return {
        "other_setting_codes": {s.code for s in settings if s.organisation_id != org.id},
        "unplaced_refs": refs - set(placed),
        "unplaced_requests": request_codes - set(asked),
    }


def _upload(kind: str) -> str:
    """A small learners file naming another HEI, as ``dcc.Upload`` sends it (a data URL)."""
    csv = (
        "learner_ref,hei,programme,intake,start_date\nWALK-NEW-1,UNI-B,BSC-AN,2024-09,2024-09-23\n"
    )
    return f"data:text/csv;base64,{base64.b64encode(csv.encode()).decode()}"


def _crafted(component: str, prop: str, facts: Facts) -> list[Any]:
    """Values a user could post for one input or state: each names something not theirs.

    Several values per property widen the search; the walk posts each callback once per
    value set (value sets are zipped, the last value repeating) and once with None.
    """
    other = list(OTHER_HEIS)
    rows_of_placements = [{"placement_id": p} for p in facts.other_placement_ids]
    if prop == "n_clicks":
        return [1]
    if prop == "selectedRows":
        if component.startswith("requests"):
            return [facts.other_request_rows[:1]]
        if component.startswith("allocation-history"):
            return [[{"run_id": r} for r in facts.run_ids[:1]]]
        if component.startswith("allocation-plan"):
            return [[{"placement_id": p, "learners": 1} for p in facts.other_placement_ids[:1]]]
        if component.startswith("practice-hours"):  # another HEI's learner's years of study
            return [[{"learner_ref": ref} for ref in sorted(facts.other_refs)[:1]]]
        return [rows_of_placements[:1], [{"id": i} for i in facts.setting_ids[:1]]]
    if prop == "contents":
        return [_upload("learners")]
    if prop == "filename":
        return ["learners.csv"]
    if prop in ("start_date", "end_date"):
        return ["2000-01-01" if prop == "start_date" else "2100-01-01"]
    if prop == "rowData":
        return [[{"id": i, "version": 1, "practice_supervisors": 99} for i in facts.setting_ids]]
    if prop == "dashGridOptions":
        return [{}]
    if prop == "data":
        if component in ("allocation-selected",):
            return [facts.run_ids[0] if facts.run_ids else 1]
        if component == "allocation-queued":
            return [{"run_id": facts.run_ids[0] if facts.run_ids else 1, "token": "forged"}]
        if component == "allocation-done":
            return [{"run_id": facts.run_ids[0] if facts.run_ids else 1}]
        if component == "settings-editing":
            return [facts.setting_ids[0] if facts.setting_ids else 1]
        return [1]
    # "value" and anything else: by what the component is about
    if component.endswith(("-hei", "-heis", "-filter-hei", "-named-hei")):
        return [[OWN_HEI, *other], "UNI-B"]
    if component.endswith(("organisation", "-bulk-organisation", "-form-organisation")):
        return [facts.other_org_ids[0] if facts.other_org_ids else 2, facts.other_org_ids]
    if component.endswith("-cohort"):
        return [facts.other_cohort_ids[0] if facts.other_cohort_ids else 2]
    if component.endswith(("-setting",)):
        return [facts.setting_ids[0] if facts.setting_ids else 1]
    if component.endswith(("-compare-with", "-run-id")):
        return [facts.run_ids[-1] if facts.run_ids else 1]
    if component.endswith("-username"):
        return ["admin"]
    if component.endswith("-kind"):
        return ["learners", "events", "placements"]
    if component.endswith("-unit"):
        return ["hei", "programme"]
    if component.endswith(("-learners", "-move-n", "-year")):
        return [1]
    if component.endswith("-status"):
        return [["confirmed", "completed", "cancelled", "proposed"]]
    return [None]


def _outputs(output: str) -> list[dict[str, str]]:
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    result = []
    for part in parts:
        component, _, prop = part.rpartition(".")
        result.append({"id": component, "property": prop})
    return result


def _post(
    client: Any, dep: dict[str, Any], values: dict[tuple[str, str], Any], trigger: dict[str, str]
) -> Any:
    def spec(items: list[dict[str, str]]) -> list[dict[str, Any]]:
        return [{**i, "value": values.get((i["id"], i["property"]))} for i in items]

    return client.post(
        "/_dash-update-component",
        json={
            "output": dep["output"],
            "outputs": _outputs(dep["output"])
            if dep["output"].startswith("..")
            else _outputs(dep["output"])[0],
            "inputs": spec(dep["inputs"]),
            "state": spec(dep.get("state", [])),
            "changedPropIds": [f"{trigger['id']}.{trigger['property']}"],
        },
    )


def _render(client: Any, path: str, search: str) -> Any:
    return client.post(
        "/_dash-update-component",
        json={
            "output": ROUTER_OUTPUT,
            "outputs": _outputs(ROUTER_OUTPUT),
            "inputs": [
                {"id": "_pages_location", "property": "pathname", "value": path},
                {"id": "_pages_location", "property": "search", "value": search},
            ],
            "state": [],
            "changedPropIds": ["_pages_location.pathname"],
        },
    )


def _downloaded(text: str) -> list[pd.DataFrame]:
    """The tables in a response's ``dcc.Download`` payloads (CSV or Excel)."""
    frames = []
    try:
        body = json.loads(text)
    except ValueError:
        return frames
    for component in body.get("response", {}).values():
        for value in component.values():
            if not isinstance(value, dict) or "content" not in value:
                continue
            raw = (
                base64.b64decode(value["content"])
                if value.get("base64")
                else (value["content"].encode())
            )
            name = str(value.get("filename", ""))
            try:
                if name.endswith(".xlsx"):
                    frames.extend(pd.read_excel(io.BytesIO(raw), sheet_name=None).values())
                else:
                    frames.append(pd.read_csv(io.BytesIO(raw)))
            except ValueError:
                continue
    return frames


# --- the walk, once per test module (it is the expensive part) -------------------------------


@dataclass
class Walk:
    engine: Engine
    facts: Facts
    deps: list[dict[str, Any]]
    pages: dict[str, dict[tuple[str, str], tuple[int, str]]]
    seen: dict[str, Seen]
    skipped: dict[str, str]
    posted: dict[str, int]
    published: list[int]


def _publish_named_placements(engine: Engine) -> list[int]:
    """Confirmed placements, one per request and one per named learner, for UNI-A and UNI-B,
    at the demo provider account's first setting.

    The demo's published placements are all historic; these make the walk meet what the
    placements page shows after an approval (named learners of several HEIs). Returns the ids,
    so the walk can remove them again for the tests that share the app.
    """
    made = []
    with Session(engine) as session:
        for code in (OWN_HEI, "UNI-B"):
            request, cohort = session.exec(
                select(PlacementRequest, Cohort)
                .join(Cohort, col(Cohort.id) == PlacementRequest.cohort_id)
                .join(Organisation, col(Organisation.id) == Cohort.hei_id)
                .where(Organisation.code == code)
                .order_by(col(PlacementRequest.id))
            ).first()
            learner = session.exec(
                select(Learner).where(Learner.cohort_id == cohort.id).order_by(col(Learner.id))
            ).first()
            setting = session.exec(  # the demo provider account's first setting
                select(PlacementSetting).where(PlacementSetting.code == f"{OWN_PROVIDER}-001")
            ).first()
            assert request is not None and learner is not None and setting is not None
            made += confirm_at(session, request, learner, setting)
        session.commit()
    return made


def _triggers(dep: dict[str, Any]) -> list[dict[str, str]]:
    """Which inputs to name as the trigger: the first, and every button (a callback may do
    different things per button, e.g. CSV or Excel, submit or withdraw)."""
    first, *rest = dep["inputs"]
    return [first, *(i for i in rest if i["property"] == "n_clicks")]


@pytest.fixture(scope="module")
def walk(web_app: Any, web_engine: Engine) -> Iterator[Walk]:
    published = _publish_named_placements(web_engine)
    facts = _facts(web_engine)
    seen = {name: Seen() for name in ROLES}
    pages: dict[str, dict[tuple[str, str], tuple[int, str]]] = {}
    deps: list[dict[str, Any]] = []
    skipped: dict[str, str] = {}
    posted = {name: 0 for name in ROLES}
    for name in ROLES:
        client = web_app.server.test_client()
        assert sign_in_client(client, name).status_code == 302
        deps = client.get("/_dash-dependencies").json
        pages[name] = {}
        # Staff see everything anyway: one plain render each is enough for them.
        queries = {
            "hei": WIDENING_QUERIES,
            "collaborative": WIDENING_QUERIES[:2],
            "provider": WIDENING_QUERIES,
        }.get(name, WIDENING_QUERIES[:1])
        for page in dash.page_registry.values():
            for search in queries:
                response = _render(client, page["path"], search)
                pages[name][(page["access"], search)] = (response.status_code, response.text)
                seen[name].add(f"page {page['path']}{search}", response.status_code, response.text)
        if name not in SCOPED:
            continue
        for dep in deps:
            if dep["output"] in SKIPPED_OUTPUTS or dep.get("clientside_function"):
                skipped[dep["output"]] = SKIPPED_OUTPUTS.get(dep["output"], "clientside")
                continue
            items = dep["inputs"] + dep.get("state", [])
            crafted = {
                (i["id"], i["property"]): _crafted(i["id"], i["property"], facts) for i in items
            }
            rounds = max(len(v) for v in crafted.values())
            for t, trigger in enumerate(_triggers(dep)):
                # every crafted value set once, through the first trigger; buttons once each
                for n in range(rounds if t == 0 else 1):
                    values = {k: v[min(n, len(v) - 1)] for k, v in crafted.items()}
                    response = _post(client, dep, values, trigger)
                    posted[name] += 1
                    seen[name].add(
                        f"{dep['output']} <- {trigger['id']} #{n}",
                        response.status_code,
                        response.text,
                    )
            response = _post(client, dep, {}, dep["inputs"][0])
            posted[name] += 1
            seen[name].add(
                f"{dep['output']} <- {dep['inputs'][0]['id']} (None)",
                response.status_code,
                response.text,
            )
    _walk_api(web_app, web_engine, seen["hei"])
    yield Walk(web_engine, facts, deps, pages, seen, skipped, posted, published)
    remove_placements(web_engine, published)


#: The JSON API as the HEI's own system calls it, with crafted filters and, for every import
#: kind, a row naming another HEI (a new learner ref, so an echoed value is not a leak).
API_CALLS = [
    ("get", "/api/v1/placements", {}),
    ("get", "/api/v1/placements?block=2026-B1&hei=UNI-B", {}),
    ("get", "/api/v1/requests", {}),
    ("get", "/api/v1/requests?hei=UNI-B&heis=UNI-B", {}),
    *(
        (
            "post",
            f"/api/v1/imports/{kind}",
            {"json": [{"learner_ref": "WALK-API-1", "hei": "UNI-B"}]},
        )
        for kind in ("learners", "learner-events", "readiness", "practice-hours", "evaluations")
    ),
]


def _walk_api(web_app: Any, engine: Engine, seen: Seen) -> None:
    """Every API route with a write token of the HEI user's HEI (no session cookie)."""
    from tracker.access import SYSTEM
    from tracker.services.api_tokens import create_api_token

    with Session(engine) as session:
        token = create_api_token(session, hei_code=OWN_HEI, scope="write", actor=SYSTEM).secret
        session.commit()
    client = web_app.server.test_client()
    for method, path, kwargs in API_CALLS:
        response = getattr(client, method)(
            path, headers={"Authorization": f"Bearer {token}"}, **kwargs
        )
        seen.add(f"api {method.upper()} {path}", response.status_code, response.text)


# --- pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("username", list(ROLES))
def test_every_page_renders_or_is_forbidden_by_page_roles(walk: Walk, username: str) -> None:
    role = ROLES[username]
    assert {p["access"] for p in dash.page_registry.values()} <= set(PAGE_ROLES)
    problems = []
    for (key, search), (status, text) in walk.pages[username].items():
        permitted = role in PAGE_ROLES[key]
        if status != 200:
            problems.append(f"{key}{search}: HTTP {status}")
        elif permitted and "page-forbidden" in text:
            problems.append(f"{key}{search}: forbidden to a permitted role")
        elif not permitted and ("page-forbidden" not in text or len(text) > 2000):
            problems.append(f"{key}{search}: rendered for a role without the page")
    assert not problems, problems


def _component_ids(node: Any) -> list[str]:
    """Every component id in a rendered layout (Dash's JSON: ``{"props": {"id": ...}}``)."""
    if isinstance(node, list):
        return [i for item in node for i in _component_ids(item)]
    if not isinstance(node, dict):
        return []
    found = []
    props = node.get("props")
    if isinstance(props, dict) and "id" in props and "type" in node:
        found.append(json.dumps(props["id"], sort_keys=True))
    return found + [i for value in node.values() for i in _component_ids(value)]


def test_no_page_gives_two_components_one_id(walk: Walk) -> None:
    """Two components with one id make Dash update or read the wrong one (the allocation
    page's quality-review choice and its review card once shared ``allocation-review``)."""
    problems = []
    for username, rendered in walk.pages.items():
        for (key, search), (status, text) in rendered.items():
            if status != 200:
                continue
            ids = _component_ids(json.loads(text))
            twice = sorted({i for i in ids if ids.count(i) > 1})
            if twice:
                problems.append(f"{username} {key}{search}: {twice}")
    assert not problems, problems


def test_the_walk_covers_every_page_and_callback(walk: Walk) -> None:
    assert len(walk.pages["hei"]) == len(dash.page_registry) * len(WIDENING_QUERIES)
    server_side = [d for d in walk.deps if d["output"] not in walk.skipped]
    assert len(server_side) >= 40
    assert set(walk.skipped) <= set(SKIPPED_OUTPUTS) | {
        d["output"] for d in walk.deps if d.get("clientside_function")
    }
    assert walk.posted["hei"] >= len(server_side) and walk.posted["collaborative"] >= len(
        server_side
    )


# --- what the HEI user and the collaborative user receive -----------------------------------


def _hits(seen: Seen, needles: set[str]) -> list[str]:
    found = []
    pattern = re.compile("|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True)))
    for label, _status, text in seen.bodies:
        decoded = text + "".join(frame.to_csv() for frame in _downloaded(text))
        match = pattern.search(decoded)
        if match:
            found.append(f"{label}: {match.group(0)}")
    return found


def test_hei_user_never_receives_another_heis_learners(walk: Walk) -> None:
    assert walk.facts.other_refs
    assert not _hits(walk.seen["hei"], walk.facts.other_refs)


def test_hei_user_never_receives_another_heis_requests(walk: Walk) -> None:
    assert walk.facts.other_request_codes
    assert not _hits(walk.seen["hei"], walk.facts.other_request_codes)


def test_collaborative_user_never_receives_learner_level_rows(walk: Walk) -> None:
    assert not _hits(walk.seen["collaborative"], walk.facts.all_refs)


def test_provider_never_receives_other_organisations_settings_or_learners(walk: Walk) -> None:
    """A placement provider user gets its own settings only, and of learners only those
    placed there; of requests only those of the placements coming to it."""
    facts = walk.facts
    assert facts.other_setting_codes and facts.unplaced_refs and facts.unplaced_requests
    seen = walk.seen["provider"]
    assert not _hits(seen, facts.other_setting_codes)
    assert not _hits(seen, facts.unplaced_refs)
    assert not _hits(seen, facts.unplaced_requests)


def test_positive_control_the_provider_sees_who_is_coming(walk: Walk) -> None:
    """The walk's named placements are at the provider's first setting: the provider's
    placements grid carries both HEIs' learners coming there, and its audits and quality
    pages draw its own settings."""
    own_ref, other_ref = _published_refs(walk)
    grids = [
        t for label, _s, t in walk.seen["provider"].bodies if label.startswith("placements-grid")
    ]
    assert any(own_ref in text and other_ref in text for text in grids)
    assert f"{OWN_PROVIDER}-001" in walk.pages["provider"][("audits", "")][1]
    assert f"{OWN_PROVIDER}-" in walk.pages["provider"][("quality", "")][1]


@pytest.mark.parametrize("username", SCOPED)
def test_background_allocation_callback_refuses_non_staff(walk: Walk, username: str) -> None:
    """The allocation run is a background callback: its work happens in another process that
    knows no signed-in user, so the refusal must come before Dash queues anything."""
    background = [d for d in walk.deps if d["output"].startswith("..allocation-done.data")]
    assert background, "the allocation background callback is not registered"
    bodies = [
        (label, status, text)
        for label, status, text in walk.seen[username].bodies
        if label.startswith(background[0]["output"])
    ]
    assert bodies
    for label, status, text in bodies:
        assert status == 403, (label, status, text[:200])


def test_positive_control_named_rows_reach_whom_they_should(walk: Walk, web_app: Any) -> None:
    """The walk would pass vacuously if the placements grid were empty: the HEI user sees its
    own named learner, staff see both HEIs' named learners."""
    own_ref, other_ref = _published_refs(walk)
    own = [t for label, _s, t in walk.seen["hei"].bodies if label.startswith("placements-grid")]
    assert any(own_ref in text for text in own)
    client = web_app.server.test_client()
    sign_in_client(client, "coordinator")
    dep = next(d for d in walk.deps if d["output"] == "placements-grid.rowData")
    text = _post(client, dep, {}, dep["inputs"][0]).text
    assert own_ref in text and other_ref in text


def test_the_api_walk_covers_every_route_and_reaches_own_learners(walk: Walk) -> None:
    """The API's answers are in the HEI user's bodies (so the tests above search them); its
    placements carry the own HEI's named learner, and every crafted import was refused."""
    from tracker.api.routes import ROUTES

    answers = {label: (s, t) for label, s, t in walk.seen["hei"].bodies if label.startswith("api ")}
    called = {label.split(" ")[2].split("?")[0] for label in answers}
    routes = {r.rule.replace("<kind>", "learners") for r in ROUTES.iter_rules()}
    assert routes - {"/api/v1/openapi.json"} <= called
    own_ref, _other = _published_refs(walk)
    assert own_ref in answers["api GET /api/v1/placements"][1]
    imports = [s for label, (s, _t) in answers.items() if "/imports/" in label]
    assert imports and set(imports) == {422}


def _published_refs(walk: Walk) -> tuple[str, str]:
    refs = []
    with Session(walk.engine) as session:
        for placement_id in walk.published:
            placement = session.get(Placement, placement_id)
            if placement is not None and placement.learner_id is not None:
                learner = session.get(Learner, placement.learner_id)
                assert learner is not None
                refs.append(learner.learner_ref)
    own, other = refs
    assert own not in walk.facts.other_refs and other in walk.facts.other_refs
    return own, other


def test_crafted_posts_changed_nothing(walk: Walk) -> None:
    """Writes posted by the walk with other HEIs' ids were all refused: the audit log holds
    nothing but sign-ins for the HEI and collaborative users."""
    with Session(walk.engine) as session:
        actions = session.exec(
            select(AuditLog.username, AuditLog.action).where(
                col(AuditLog.username).in_(list(SCOPED))
            )
        ).all()
    assert {action for _user, action in actions} <= {"signin", "signout"}, actions


def _controlled(frame: pd.DataFrame) -> list[str]:
    problems = []
    for column in frame.columns:
        if str(column) not in COUNT_COLUMNS:
            continue
        for value in pd.to_numeric(frame[column], errors="coerce").dropna():
            if value % 5:
                problems.append(f"{column}={value}")
    return problems


def test_figures_beyond_the_own_hei_are_disclosure_controlled(walk: Walk) -> None:
    """Other HEIs' counts reach the HEI user only through the cohort view's system comparison
    (rates) and reach the collaborative user through the pipeline pages and their downloads:
    every learner count there is rounded to a multiple of 5 (HESA default)."""
    checked = 0
    for username in ("hei", "collaborative"):
        for label, _status, text in walk.seen[username].bodies:
            for frame in _downloaded(text):
                rows = frame
                if username == "hei" and "HEI" in frame.columns:
                    rows = frame[frame["HEI"] != OWN_HEI]
                elif username == "hei" and "system" not in label:
                    continue
                checked += 1
                assert not _controlled(rows), (username, label, _controlled(rows)[:5])
    assert checked
    # The HEI user's cohort view compares with the system only under disclosure control.
    cohorts = walk.pages["hei"][("cohorts", "")][1]
    assert "cohorts-system-disclosure" in cohorts


@pytest.mark.parametrize("username", SCOPED)
def test_crafted_posts_get_an_answer_not_a_server_error(walk: Walk, username: str) -> None:
    """Bad input gets a refusal or an empty answer, never an unhandled error (HTTP 500)."""
    errors = [label for label, status, _text in walk.seen[username].bodies if status >= 500]
    assert errors == []


# --- wrong-typed inputs: every callback, every role ------------------------------------------

# Values of the wrong type for most inputs (and of the right type for some, which the
# callbacks must then handle): each is posted for every input and state of every callback,
# the other values left empty, as every role; then every callback once with nothing but
# empty values, through each of its triggers.
WRONG_TYPED: dict[str, Any] = {
    "string": "x",
    "number": 12345,
    "list": ["x"],
    "object": {"id": "x", "run_id": "x", "placement_id": "x"},
    "bad date": "notadate",
    "oversized list": ["x"] * 2_000,
}


def _row_counts(engine: Engine) -> dict[str, int]:
    """Rows in every table; of the audit log only what is not a sign-in or sign-out."""
    counts = {}
    with Session(engine) as session:
        for table in SQLModel.metadata.sorted_tables:
            query = sa.select(sa.func.count()).select_from(table)
            if table.name == AuditLog.__tablename__:
                query = query.where(table.c.action.not_in(["signin", "signout"]))
            counts[table.name] = int(session.execute(query).scalar_one())
    return counts


def _wrong_typed_answers(client: Any) -> tuple[list[tuple[str, int, str]], int]:
    """Every wrong-typed value posted to every input and state of every callback, then each
    callback once through each trigger with nothing but empty values: (label, status, text)
    per post, and the number of callbacks walked."""
    deps = [d for d in client.get("/_dash-dependencies").json if not d.get("clientside_function")]
    answers: list[tuple[str, int, str]] = []
    for dep in deps:
        for item in dep["inputs"] + dep.get("state", []):
            trigger = item if item in dep["inputs"] else dep["inputs"][0]
            for family, value in WRONG_TYPED.items():
                response = _post(client, dep, {(item["id"], item["property"]): value}, trigger)
                label = f"{dep['output']} <- {item['id']}.{item['property']} = {family}"
                answers.append((label, response.status_code, response.text[:300]))
        for trigger in _triggers(dep):
            response = _post(client, dep, {}, trigger)
            label = f"{dep['output']} <- {trigger['id']} = null"
            answers.append((label, response.status_code, response.text[:300]))
    return answers, len(deps)


@pytest.mark.parametrize("username", list(ROLES))
def test_wrong_typed_inputs_never_give_a_server_error_and_write_nothing(
    web_app: Any, web_engine: Engine, username: str
) -> None:
    """One role's walk per test, so the roles' walks run on several test workers at once (as
    one fixture for every role it took about six minutes on one worker)."""
    client = web_app.server.test_client()
    assert sign_in_client(client, username).status_code == 302
    before = _row_counts(web_engine)
    answers, callbacks = _wrong_typed_answers(client)
    assert callbacks >= 45 and len(answers) >= callbacks * len(WRONG_TYPED)
    errors = [(label, status, text) for label, status, text in answers if status >= 500]
    assert errors == []
    assert _row_counts(web_engine) == before


# Requests crafted by hand that each gave HTTP 500 before the guard: (output, values,
# trigger). Calendar posts fill every other field, so only the crafted one is wrong.
_CALENDAR = {
    ("calendar-hei", "value"): OWN_HEI,
    ("calendar-programme", "value"): "BSC-AN",
    ("calendar-block", "value"): "2025-B1",
    ("calendar-year", "value"): 1,
    ("calendar-start", "value"): "2025-01-06",
    ("calendar-end", "value"): "2025-02-07",
}
KNOWN_CRAFTED = {
    "withdraw a request whose row id is not a number": (
        "..requests-message.children...requests-refresh.data..",
        {("requests-grid", "selectedRows"): [{"id": "x"}]},
        "requests-withdraw",
    ),
    "calendar weeks for year 'x'": (
        "..calendar-message.children...calendar-refresh.data..",
        {**_CALENDAR, ("calendar-year", "value"): "x"},
        "calendar-save",
    ),
    "calendar weeks starting 'notadate'": (
        "..calendar-message.children...calendar-refresh.data..",
        {**_CALENDAR, ("calendar-start", "value"): "notadate"},
        "calendar-save",
    ),
    "end a quality review whose row id is not a number": (
        "..quality-message.children...quality-reviews.rowData..",
        {
            ("quality-reviews", "selectedRows"): [{"id": "x"}],
            ("quality-day", "value"): "2026-01-05",
        },
        "quality-end",
    ),
    "put a setting under quality review on 'notadate'": (
        "..quality-message.children...quality-reviews.rowData..",
        {
            ("quality-setting", "value"): "S0001",
            ("quality-reason", "value"): "x",
            ("quality-day", "value"): "notadate",
        },
        "quality-start",
    ),
}


@pytest.mark.parametrize("username", ["coordinator", "hei"])
@pytest.mark.parametrize("case", list(KNOWN_CRAFTED))
def test_known_crafted_requests_are_refused(
    web_app: Any, web_engine: Engine, username: str, case: str
) -> None:
    output, values, trigger = KNOWN_CRAFTED[case]
    client = web_app.server.test_client()
    sign_in_client(client, username)
    dep = next(d for d in client.get("/_dash-dependencies").json if d["output"] == output)
    before = _row_counts(web_engine)
    response = _post(client, dep, values, {"id": trigger, "property": "n_clicks"})
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    assert _row_counts(web_engine) == before


@pytest.mark.parametrize(
    "body",
    [
        [{"output": "placements-grid.rowData"}],
        {"output": "nobody-here.children", "outputs": {}, "inputs": [], "state": []},
    ],
    ids=["a list", "an unknown output"],
)
def test_crafted_bodies_are_refused(web_app: Any, body: Any) -> None:
    client = web_app.server.test_client()
    sign_in_client(client, "coordinator")
    response = client.post("/_dash-update-component", json=body)
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
