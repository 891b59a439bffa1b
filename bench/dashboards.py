"""Dashboards at national scale: ``python -m bench.dashboards --scale N [--postgres URL]``.

Builds (or reuses) the demo database at that scale (``python -m tracker demo --scale N``'s
data: SQLite under ``$TRACKER_BENCH_DIR``, default ``/tmp/tracker-bench-dashboards``, one
file per scale; or the PostgreSQL database given, filled if empty, reused as it is if not).
Then each dashboard, as an administrator and as the demo HEI user where that role may open
it, runs in a fresh process on the real web app (``create_app``, Flask's test client, signed
in) with an empty report cache of its own, and is timed as the browser asks for it: the
pages router's render of the page plus every callback Dash's renderer fires on load (those
whose inputs and outputs are all in the rendered layout and that are not
``prevent_initial_call``; callbacks chained behind them are not followed). Per view:

* cold: the first view in the fresh process (no report cache, no learner data in memory);
* filtered: then one HEI (administrator) or one programme (HEI user) through the URL, or the
  page's own filter for pages without URL filters (see ``FILTERED``), or "—";
* cached: the first view again (served from the report and drawn-content caches);
* KB: bytes of the responses of the cold view (router and its callbacks), what the page's
  data costs the network;
* peak MB: the process's peak resident size (``getrusage`` maxrss), the web app included;
  "app MB" is that peak just before the first view (the app, signed in, no view yet).

Times are in-process server time (no browser, no network), one run each: wall clock with the
CPU seconds of the process in brackets, since the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

#: (label, page path, roles that may open it) — the dashboards of issue 19.
VIEWS = (
    ("overview", "/pipeline"),
    ("cohorts", "/cohorts"),
    ("concerns", "/concerns"),
    ("capacity-demand", "/capacity-demand"),
    ("calendar", "/calendar"),
    ("hours-behind", "/hours-behind"),
    ("quality", "/quality"),
)
ROLES = {"admin": "demo-admin-pass", "hei": "demo-hei-pass"}
#: Pages filtered by a control rather than the URL: (component id, property) -> value.
FILTERED: dict[str, dict[tuple[str, str], Any]] = {
    "/capacity-demand": {("capacity-demand-groups", "value"): ["nursing"]},
    "/calendar": {("calendar-groups", "value"): ["nursing"]},
    "/quality": {("quality-level", "value"): "organisation"},
}
URL_FILTERED = ("/pipeline", "/cohorts", "/concerns")
ROUTER_OUTPUT = ".._pages_content.children..._pages_store.data.."
_LOCATION = ".._pages_location.pathname..._pages_location.search.."
HEADER = (
    "| view | role | cold s (CPU) | filtered s (CPU) | cached s (CPU) | KB | callbacks "
    "| app MB | peak MB |"
)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _outputs(output: str) -> list[dict[str, str]]:
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return [{"id": part.rpartition(".")[0], "property": part.rpartition(".")[2]} for part in parts]


def _components(node: Any, found: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every component with a plain string id in a rendered layout: id -> its props."""
    if isinstance(node, list):
        for item in node:
            _components(item, found)
    elif isinstance(node, dict) and "props" in node:
        props = node["props"]
        if isinstance(props.get("id"), str):
            found[props["id"]] = props
        for value in props.values():
            if isinstance(value, dict | list):
                _components(value, found)
    return found


def _update(
    client: Any, output: str, inputs: list[dict[str, Any]], state: list[dict[str, Any]]
) -> Any:
    """POST one callback as the renderer does, the first input named as what changed."""
    outputs = _outputs(output)
    first = inputs[0]
    body = {
        "output": output,
        "outputs": outputs if output.startswith("..") else outputs[0],
        "inputs": inputs,
        "state": state,
        "changedPropIds": [f"{first['id']}.{first['property']}"],
    }
    return client.post("/_dash-update-component", json=body)


def _valued(items: list[dict[str, str]], values: dict[tuple[str, str], Any]) -> list[Any]:
    return [{**i, "value": values.get((i["id"], i["property"]))} for i in items]


def _on_load(deps: list[dict[str, Any]], ids: set[str]) -> list[dict[str, Any]]:
    """The server callbacks the renderer fires when this layout appears."""
    fired = []
    for dep in deps:
        if dep.get("clientside_function") or dep.get("prevent_initial_call") or dep.get("long"):
            continue
        items = dep["inputs"] + dep.get("state", []) + _outputs(dep["output"])
        if all(not i["id"].startswith("{") and i["id"] in ids for i in items):
            fired.append(dep)
    return fired


def _view(
    client: Any, deps: list[dict[str, Any]], path: str, search: str, overrides: dict[Any, Any]
) -> tuple[float, float, int, int]:
    """One page view as the browser asks for it: wall-clock and CPU seconds, response bytes,
    callbacks fired."""
    started, cpu = time.perf_counter(), time.process_time()
    location = {("_pages_location", "pathname"): path, ("_pages_location", "search"): search}
    page = _update(client, ROUTER_OUTPUT, _valued(_outputs(_LOCATION), location), [])
    if page.status_code != 200:
        raise RuntimeError(f"{path}{search}: HTTP {page.status_code}")
    layout = page.json["response"]["_pages_content"]["children"]
    props = _components(layout, {})
    values = {(i, p): v for i, all_props in props.items() for p, v in all_props.items()}
    values.update(overrides)
    size = len(page.data)
    fired = _on_load(deps, set(props))
    for dep in fired:
        state = _valued(dep.get("state", []), values)
        answer = _update(client, dep["output"], _valued(dep["inputs"], values), state)
        if answer.status_code not in (200, 204):
            raise RuntimeError(f"{path}: callback {dep['output']}: HTTP {answer.status_code}")
        size += len(answer.data)
    return time.perf_counter() - started, time.process_time() - cpu, size, len(fired)


def _sign_in(client: Any, role: str) -> None:
    import re

    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, "sign-in form has no CSRF token"
    answer = client.post(
        "/login",
        data={"username": role, "password": ROLES[role], "csrf_token": token.group(1)},
    )
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in as {role} failed: HTTP {answer.status_code}")


def _filter_codes(database_url: str) -> tuple[str, str]:
    """The HEI an administrator filters on and the programme the HEI user filters on: the
    demo HEI user's own HEI and its first programme by code."""
    from sqlalchemy import create_engine, text

    from tracker.data.demo_reference import HEIS

    hei = HEIS[0].code
    engine = create_engine(database_url)
    with engine.connect() as connection:
        programme = connection.execute(
            text(
                "SELECT MIN(p.code) FROM cohort c JOIN programme p ON p.id = c.programme_id "
                "JOIN organisation o ON o.id = c.hei_id WHERE o.code = :hei"
            ),
            {"hei": hei},
        ).scalar_one()
    engine.dispose()
    return hei, str(programme)


def run_view(database_url: str, path: str, role: str) -> dict[str, Any]:
    """One dashboard as one role in this (fresh) process: cold, filtered, cached."""
    from tracker.access import can_view_page
    from tracker.config import Settings
    from tracker.webapp import create_app

    hei, programme = _filter_codes(database_url)
    with tempfile.TemporaryDirectory(prefix="bench-dashboards-") as folder:
        settings = Settings(
            database_url=database_url,
            data_dir=Path(folder),
            secret_key="bench-secret-key",
            redis_url=None,
            demo_mode=True,
            secure_cookies=False,
        )
        app = create_app(settings, seed_demo=False)
        client = app.server.test_client()
        _sign_in(client, role)
        deps = client.get("/_dash-dependencies").json
        from tracker.access import Principal
        from tracker.models import Role

        principal = Principal(username=role, role=Role(role))
        if not can_view_page(principal, path.strip("/").replace("/", "-")):
            return {"path": path, "role": role, "allowed": False}
        app_mb = _peak_mb()
        cold = _view(client, deps, path, "", {})
        filtered: tuple[float, float, int, int] | None = None
        if path in URL_FILTERED:
            search = f"?hei={hei}" if role == "admin" else f"?programme={programme}"
            filtered = _view(client, deps, path, search, {})
        elif path in FILTERED:
            filtered = _view(client, deps, path, "", FILTERED[path])
        cached = _view(client, deps, path, "", {})
    return {
        "path": path,
        "role": role,
        "allowed": True,
        "cold": cold,
        "filtered": filtered,
        "cached": cached,
        "app_mb": app_mb,
        "peak_mb": _peak_mb(),
    }


def ensure_database(scale: int, postgres: str | None) -> tuple[str, str]:
    """The demo database's URL at `scale`, built if missing, and how it was obtained."""
    if postgres:
        return postgres, _build(postgres, scale)
    folder = Path(os.environ.get("TRACKER_BENCH_DIR", "/tmp/tracker-bench-dashboards"))
    path = folder / f"scale-{scale}" / "tracker.db"
    url = f"sqlite:///{path.as_posix()}"
    if path.exists():
        return url, f"reused {path}"
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name("building.db")
    building.unlink(missing_ok=True)
    how = _build(f"sqlite:///{building.as_posix()}", scale)
    building.rename(path)  # only a finished database is ever reused
    return url, how


def _build(url: str, scale: int) -> str:
    """Fill the database at `url` with the demo system unless it already has data."""
    from sqlmodel import Session

    from tracker.data.demo import has_organisations
    from tracker.db import make_engine, upgrade
    from tracker.services.demo import generate_demo

    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        if has_organisations(session):
            engine.dispose()
            return "reused the database as it is"
        started = time.perf_counter()
        summary = generate_demo(session, scale=scale)
        session.commit()
    engine.dispose()
    learners = dict(summary.items()).get("learners", 0)
    return f"built in {time.perf_counter() - started:.0f} s ({learners:,} learners)"


def _seconds(measured: list[float] | None, digits: int = 2) -> str:
    """Wall-clock seconds with the CPU seconds in brackets (the machine is shared)."""
    return "—" if measured is None else f"{measured[0]:.{digits}f} ({measured[1]:.{digits}f})"


def _row(label: str, r: dict[str, Any]) -> str:
    if not r["allowed"]:
        return f"| {label} | {r['role']} | not open to this role | | | | | | |"
    cold = r["cold"]
    return (
        f"| {label} | {r['role']} | {_seconds(cold)} | {_seconds(r['filtered'])} "
        f"| {_seconds(r['cached'], 3)} | {cold[2] / 1024:,.0f} | {cold[3]} "
        f"| {r['app_mb']:.0f} | {r['peak_mb']:.0f} |"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=10, help="demo scale")
    parser.add_argument("--postgres", help="PostgreSQL URL (default: SQLite per scale)")
    parser.add_argument("--views", help="comma-separated view labels (default: all)")
    parser.add_argument("--roles", default="admin,hei", help="admin, hei or both")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per view")
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one is not None:
        print(json.dumps(run_view(*args.one)))
        return
    url, how = ensure_database(args.scale, args.postgres)
    print(f"demo database at scale {args.scale}: {how}")
    print(HEADER)
    print("|---" * (HEADER.count("|") - 1) + "|")
    chosen = set(args.views.split(",")) if args.views else None
    for label, path in VIEWS:
        if chosen is not None and label not in chosen:
            continue
        for role in args.roles.split(","):
            command = [sys.executable, "-m", "bench.dashboards", "--one", url, path, role]
            try:
                done = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout)
            except subprocess.TimeoutExpired:
                print(f"| {label} | {role} | stopped after {args.timeout:.0f} s |", flush=True)
                continue
            if done.returncode != 0:
                last = done.stderr.strip().splitlines()[-1:]
                print(f"| {label} | {role} | failed: {last} |", flush=True)
                continue
            print(_row(label, json.loads(done.stdout.strip().splitlines()[-1])), flush=True)


if __name__ == "__main__":
    main()
