"""The disclosure walk: every number a pipeline page or callback sends, as every role.

Not a browser test: the Flask test client posts what the Dash front end would post (the
pages router, the filter callbacks, the download buttons), reusing the access walk's
helpers. From every response it collects each number that describes learners: figure data
(bar and line values, Sankey flows, funnel points and lines), layout annotations and shapes,
hover text and customdata strings, grid rows, stat cards, ``dcc.Store`` data and downloads.
For a viewer outside the owning HEI each must be a controlled value: a learner count a
multiple of the rounding base (or hidden), a rate a fraction at the shown precision (one
decimal place of a percentage), and a rate shown beside its counts their ratio.

Exact viewers (administrators; the HEI user on its own learners) are walked too, as a
positive control: the same collection finds exact figures there, so the walk cannot pass
because it collected nothing.
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from tests.conftest import sign_in_client
from tests.services.disclosure_checks import BASE, SCALE, is_count_value, is_rate_value
from tests.web.test_access_walk import _downloaded, _post, _render
from tracker.measures import COUNT_COLUMNS, MEASURE_LABELS, RATE_PARTS
from tracker.models import Cohort, Organisation, Programme
from tracker.queries.pipeline import PipelineFilters
from tracker.vocabulary.columns import label as column_label

ROLES = ("admin", "coordinator", "collaborative", "hei")
OWN_HEI = "UNI-A"
#: Pages that show learner figures, and their paths.
PAGES = {
    "pipeline": "/pipeline",
    "concerns": "/concerns",
    "cohorts": "/cohorts",
    "home": "/",
    "hours-behind": "/hours-behind",
}
#: Learner counts of the pipeline tables (cohort measures and in-year attrition).
TABLE_COUNTS = (
    *COUNT_COLUMNS,
    "on_programme_at_start",
    "started_in_year",
    "at_risk",
    "withdrawn_in_year",
)
#: The hours-behind table's counts and its rate (the share behind), beside the pipeline's.
HOURS_PARTS = {"behind_share": ("behind", "learners")}
COUNT_FIELDS = frozenset({*TABLE_COUNTS, "learners", "behind"})
RATE_FIELDS = frozenset({*RATE_PARTS, *HOURS_PARTS, "share"})
#: Column headers of downloads, by what they hold.
COUNT_LABELS = frozenset(
    {MEASURE_LABELS[c] for c in TABLE_COUNTS if c in MEASURE_LABELS}
    | {column_label("learners"), column_label("behind")}
)
RATE_LABELS = frozenset(
    {MEASURE_LABELS[r] for r in RATE_PARTS if r in MEASURE_LABELS}
    | {"Share of withdrawals", column_label("behind_share")}
)
NUMBER = re.compile(r"(?<![\w/-])([+-]?\d[\d,]*(?:\.\d+)?)(\s*%| points)?")
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATES = re.compile(
    rf"\b(\d{{4}}-\d{{2}}(-\d{{2}})?|\d{{4}}/\d{{2}}|\d{{1,2}} ({MONTHS}) \d{{4}})\b"
)


@dataclass
class Numbers:
    """Learner figures found in one response, each with where it was found."""

    counts: list[tuple[str, float]] = field(default_factory=list)
    rates: list[tuple[str, float]] = field(default_factory=list)
    #: (where, rate, numerator, denominator) from one table row
    pairs: list[tuple[str, float, float, float]] = field(default_factory=list)

    def problems(self) -> list[str]:
        bad = [f"{w}: count {v}" for w, v in self.counts if not is_count_value(v)]
        bad += [f"{w}: rate {v}" for w, v in self.rates if not is_rate_value(v)]
        for where, rate, num, den in self.pairs:
            if den > 0 and abs(rate - math.floor(num / den * SCALE + 0.5) / SCALE) > 1e-9:
                bad.append(f"{where}: rate {rate} beside {num} of {den}")
        return bad

    def __len__(self) -> int:
        return len(self.counts) + len(self.rates)


def _array(value: Any) -> list[Any]:
    """Plotly sends numpy arrays as typed base64 ({"dtype", "bdata"}); lists stay lists."""
    if isinstance(value, dict) and "bdata" in value:
        data = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        return data.astype(float).tolist()
    if isinstance(value, list | tuple):
        return list(value)
    return [] if value is None else [value]


def _floats(values: list[Any]) -> list[float]:
    out = []
    for v in values:
        if isinstance(v, bool) or v is None:
            continue
        if isinstance(v, int | float):
            out.append(float(v))
    return out


def _strings(where: str, values: list[Any], found: Numbers) -> None:
    """Numbers inside hover text, customdata and annotations: percentages are rates (as
    fractions), 'points' are rate differences, other numbers learner counts."""
    for value in values:
        if isinstance(value, list | tuple):
            _strings(where, list(value), found)
            continue
        if not isinstance(value, str):
            continue
        text = DATES.sub(" ", value)
        for number, unit in NUMBER.findall(text):
            amount = float(number.replace(",", ""))
            if unit.strip() in ("%", "points"):
                found.rates.append((where, amount / 100))
            else:
                found.counts.append((where, amount))


def _figure(where: str, figure: dict[str, Any], found: Numbers, *, only: str | None) -> None:
    layout = figure.get("layout", {})
    rate_axis = "%" in str(layout.get("yaxis", {}).get("tickformat", ""))
    rate_x_axis = "%" in str(layout.get("xaxis", {}).get("tickformat", ""))  # horizontal bars
    x_title = str(layout.get("xaxis", {}).get("title", {}).get("text", ""))
    for trace in figure.get("data", []):
        name = str(trace.get("name", ""))
        if (only is not None and name != only) or name == MEASURE_LABELS["commissioned_places"]:
            continue  # commissioned places are published figures, not learners
        here = f"{where} {trace.get('type', 'scatter')} {name!r}"
        if trace.get("type") == "sankey":
            found.counts += [(here, v) for v in _floats(_array(trace["link"].get("value")))]
            continue
        if trace.get("hoverinfo") == "skip" and not rate_axis:
            continue
        horizontal = trace.get("orientation") == "h"
        values = _floats(_array(trace.get("x" if horizontal else "y")))
        rates = rate_x_axis if horizontal else rate_axis  # the axis the values stand on
        (found.rates if rates else found.counts).extend((here, v) for v in values)
        if (
            not horizontal
            and MEASURE_LABELS["starters"] in x_title
            and trace.get("mode") == "markers"
        ):
            found.counts += [(f"{here} x", v) for v in _floats(_array(trace.get("x")))]
        for key in ("text", "hovertext", "customdata"):
            _strings(f"{here} {key}", _array(trace.get(key)), found)
    if only is None:
        for note in layout.get("annotations", []):
            _strings(f"{where} annotation", [note.get("text")], found)
        for shape in layout.get("shapes", []):
            if shape.get("yref", "y") == "y" and rate_axis:
                found.rates += [(f"{where} line", v) for v in _floats([shape.get("y0")])]


def _grid(where: str, props: dict[str, Any], found: Numbers, *, system_only: bool) -> None:
    for row in props.get("rowData") or []:
        if system_only and str(row.get("hei", "")) == OWN_HEI:
            continue
        values = {k: _cell(v) for k, v in row.items()}
        for key, value in values.items():
            if value is None:
                continue
            field_name = key.removeprefix("system_")
            if system_only and not key.startswith("system_"):
                continue
            if field_name in RATE_FIELDS:
                found.rates.append((f"{where}.{key}", value))
            elif field_name in COUNT_FIELDS:
                found.counts.append((f"{where}.{key}", value))
        for rate, (num, den) in {**RATE_PARTS, **HOURS_PARTS}.items():
            parts = (values.get(rate), values.get(num), values.get(den))
            if not system_only and all(p is not None for p in parts):
                found.pairs.append((f"{where}.{rate}", *parts))  # type: ignore[arg-type]


def _cell(value: Any) -> float | None:
    """A grid cell as a number: '1,235' -> 1235, '14.3%' -> 0.143, markers -> None."""
    text = str(value).strip().replace(",", "")
    try:
        return float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        return None


def _card(where: str, component: dict[str, Any], found: Numbers, *, system_only: bool) -> None:
    texts = []

    def collect(node: Any) -> None:
        if isinstance(node, str):
            texts.append(node)
        elif isinstance(node, list):
            for item in node:
                collect(item)
        elif isinstance(node, dict):
            collect(node.get("props", {}).get("children"))

    collect(component.get("props", {}).get("children"))
    if system_only:
        texts = [t.removeprefix("System: ") for t in texts if t.startswith("System: ")]
    _strings(where, texts, found)


def _download(where: str, frame: pd.DataFrame, found: Numbers, *, system_only: bool) -> None:
    for column in frame.columns:
        label = str(column)
        if system_only and not label.lower().startswith("system"):
            continue
        values = pd.to_numeric(frame[column], errors="coerce").dropna().astype(float).tolist()
        if label in RATE_LABELS or "rate" in label.lower():
            found.rates += [(f"{where}.{label}", v) for v in values]
        elif label in COUNT_LABELS:
            found.counts += [(f"{where}.{label}", v) for v in values]


def numbers_in(text: str, *, system_only: bool = False) -> Numbers:
    """Every learner figure in a Dash response body (a page or a callback's answer).

    `system_only`: for the HEI user on the cohort view, only the system's side (traces
    named "System", system columns, "System:" card lines) is outside its own HEI.
    """
    found = Numbers()
    try:
        body = json.loads(text)
    except ValueError:
        return found
    for frame in _downloaded(text):
        _download("download", frame, found, system_only=system_only)

    def walk(node: Any, where: str) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item, where)
            return
        if not isinstance(node, dict):
            return
        kind, props = node.get("type"), node.get("props")
        if isinstance(props, dict):
            ident = str(props.get("id", "")) or where
            if kind == "Graph" and isinstance(props.get("figure"), dict):
                only = "System" if system_only else None
                _figure(ident, props["figure"], found, only=only)
            elif kind == "AgGrid":
                _grid(ident, props, found, system_only=system_only)
            elif kind == "Store":
                _strings(f"{ident} store", [json.dumps(props.get("data"))], found)
            elif kind == "Card" and "stat-card" in str(props.get("className", "")):
                if ident.startswith(("pipeline-", "cohorts-", "home-learners")):
                    _card(ident, node, found, system_only=system_only)
                return
            walk(props.get("children"), ident)
            return
        if "figure" in node and isinstance(node["figure"], dict):  # a callback's figure output
            _figure(where, node["figure"], found, only="System" if system_only else None)
        for key, value in node.items():
            walk(value, f"{where}.{key}" if where else key)

    walk(body, "")
    return found


# --- the walk ---------------------------------------------------------------------------------


@dataclass
class Walked:
    bodies: dict[str, list[tuple[str, str]]]
    facts: dict[str, Any]


def _two_hei_programme(engine: Engine) -> tuple[str, list[str]]:
    """A programme exactly two HEIs run (the own HEI one of them, if it can be)."""
    with Session(engine) as session:
        rows = session.exec(
            select(Programme.code, Organisation.code)
            .join(Cohort, col(Cohort.programme_id) == Programme.id)
            .join(Organisation, col(Organisation.id) == Cohort.hei_id)
        ).all()
    runs: dict[str, set[str]] = {}
    for programme, hei in rows:
        runs.setdefault(programme, set()).add(hei)
    two = sorted((p, sorted(h)) for p, h in runs.items() if len(h) == 2)
    assert two, "the demo has no programme run by exactly two HEIs"
    return next(((p, h) for p, h in two if OWN_HEI in h), two[0])


def _selections(programme: str, heis: list[str]) -> list[dict[str, Any]]:
    """Filter selections posted to every filter callback (the page renders cover none)."""
    return [
        {"programme": [programme]},
        {"programme": [programme], "hei": heis[:1]},
        {"intake_year": ["2022/23"], "hei": [OWN_HEI]},
    ]


def _filter_values(page: str, selection: dict[str, Any]) -> dict[tuple[str, str], Any]:
    return {(f"{page}-filter-{n}", "value"): selection.get(n) for n in PipelineFilters.names()}


#: What each role is walked through: pages rendered, and pages whose callbacks are posted.
#: Administrators are the positive control (renders only); the HEI user may open the
#: cohort view and home of the learner pages.
WALKED = {
    "admin": (("pipeline", "concerns", "cohorts", "home", "hours-behind"), ()),
    "coordinator": (
        ("pipeline", "concerns", "cohorts", "home", "hours-behind"),
        ("pipeline", "concerns", "cohorts", "hours-behind"),
    ),
    "collaborative": (
        ("pipeline", "concerns", "cohorts", "home", "hours-behind"),
        ("pipeline", "concerns", "cohorts", "hours-behind"),
    ),
    "hei": (("cohorts", "home"), ("cohorts",)),
}


def _callbacks(
    client: Any,
    deps: list[dict[str, Any]],
    pages: tuple[str, ...],
    selections: list[dict[str, Any]],
) -> Iterator[tuple[str, str]]:
    """Every callback of `pages` once per selection; download buttons once each (CSV for
    every selection, Excel for the first)."""
    for dep in deps:
        page = next((p for p in pages if dep["output"].lstrip(".").startswith(f"{p}-")), None)
        if page is None:
            continue
        buttons = [i for i in dep["inputs"] if i["property"] == "n_clicks"]
        for n, selection in enumerate(selections):
            for trigger in (buttons if n == 0 else buttons[:1]) or dep["inputs"][:1]:
                values = {
                    **_filter_values(page, selection),
                    (f"{page}-unit", "value"): "cohort" if n else "programme",
                    (f"{page}-learners-table", "getRowsRequest"): {"startRow": 0, "endRow": 100},
                }
                if trigger["property"] == "n_clicks":
                    values[(trigger["id"], "n_clicks")] = 1
                response = _post(client, dep, values, trigger)
                yield f"{dep['output']} <- {trigger['id']} {selection}", response.text


@pytest.fixture(scope="module")
def walked(web_app: Any, web_engine: Engine) -> Iterator[Walked]:
    programme, heis = _two_hei_programme(web_engine)
    selections = _selections(programme, heis)
    bodies: dict[str, list[tuple[str, str]]] = {name: [] for name in ROLES}
    for name in ROLES:
        client = web_app.server.test_client()
        assert sign_in_client(client, name).status_code == 302
        deps = client.get("/_dash-dependencies").json
        rendered, posted = WALKED[name]
        for page in rendered:
            response = _render(client, PAGES[page], "")
            bodies[name].append((f"page {PAGES[page]}", response.text))
        bodies[name].extend(_callbacks(client, deps, posted, selections))
    yield Walked(bodies, {"programme": programme, "heis": heis})


def _is_cohorts(label: str) -> bool:
    return "cohorts" in label


@pytest.mark.parametrize("username", ["coordinator", "collaborative"])
def test_every_number_outside_the_owning_hei_is_controlled(walked: Walked, username: str) -> None:
    """Coordinators and collaborative users see no HEI's figures exactly: every learner
    number of every pipeline page, callback and download they receive is controlled."""
    problems, seen = [], 0
    for label, text in walked.bodies[username]:
        found = numbers_in(text)
        seen += len(found)
        problems += [f"{label}: {p}" for p in found.problems()]
    assert seen > 200, "the walk collected too few numbers to mean anything"
    assert problems == [], problems[:20]


def test_the_hei_user_receives_the_system_only_as_controlled_figures(walked: Walked) -> None:
    """The HEI user's own figures are exact; the cohort view's system side is not."""
    problems, seen = [], 0
    for label, text in walked.bodies["hei"]:
        if not _is_cohorts(label):
            continue
        found = numbers_in(text, system_only=True)
        seen += len(found)
        problems += [f"{label}: {p}" for p in found.problems()]
    assert seen > 20
    assert problems == [], problems[:20]


@pytest.mark.parametrize("username", ["admin", "hei"])
def test_positive_control_exact_viewers_get_exact_figures(walked: Walked, username: str) -> None:
    """Administrators (everything) and the HEI user (its own cohorts) see exact figures,
    and the walk finds them: it would fail the checks above if they leaked elsewhere."""
    exact = []
    for label, text in walked.bodies[username]:
        if username == "hei" and not _is_cohorts(label):
            continue
        exact += numbers_in(text).problems()
    assert exact, "exact viewers' figures look controlled: the walk may be collecting nothing"


def test_home_page_learner_count_is_controlled_outside_an_hei(walked: Walked) -> None:
    for username in ("coordinator", "collaborative"):
        home = next(t for label, t in walked.bodies[username] if label == "page /")
        found = numbers_in(home)
        assert found.counts, "the home page shows no learner count"
        assert found.problems() == []
    assert BASE == 5


def test_learners_behind_on_hours_are_controlled_outside_an_hei(walked: Walked) -> None:
    """The hours-behind page and its download: every count of learners (and behind) is
    controlled for coordinators and the collaborative, each share behind the ratio of its
    shown counts; administrators get the exact table, which the same checks catch."""
    for username in ("coordinator", "collaborative"):
        bodies = [t for where, t in walked.bodies[username] if "hours-behind" in where]
        assert len(bodies) >= 3  # the page, and the CSV and Excel downloads
        found = [numbers_in(t) for t in bodies]
        assert sum(len(f.counts) for f in found) > 40
        assert sum(len(f.pairs) for f in found) > 10
        assert [p for f in found for p in f.problems()] == []
    admin = next(t for where, t in walked.bodies["admin"] if where == "page /hours-behind")
    assert numbers_in(admin).problems(), "the administrator's table looks controlled"
