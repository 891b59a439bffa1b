"""Locust users that behave like browsers on the tracker (run by ``python -m bench.load``).

Dashboard users sign in through the real form (CSRF token included), then do what the Dash
front end does: load a page, fetch ``/_dash-layout`` and ``/_dash-dependencies``, call the
page router callback and the page's own callbacks, and change filters. Allocation users
(coordinators) queue an allocation and poll its background callback to the end, as the
allocation page does. Request names group the figures by what a user waits for.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from typing import Any

from locust import HttpUser, between, events, task

CONFIG = re.compile(r'<script id="_dash-config" type="application/json">(.*?)</script>', re.S)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORDS = {
    "admin": "demo-admin-pass",
    "coordinator": "demo-coordinator-pass",
    "collaborative": "demo-collaborative-pass",
    "hei": "demo-hei-pass",
}
#: The filter choices users try: a few common cuts, so that views repeat across users as
#: they do in practice (a coordinator and a colleague look at the same nursing figures).
PIPELINE_FILTERS: list[dict[str, list[str]]] = [
    {},
    {"profession_group": ["nursing"]},
    {"profession_group": ["midwifery"]},
    {"profession_group": ["ahp"]},
    {"route": ["apprenticeship"]},
]
CAPACITY_FILTERS: list[dict[str, list[str]]] = [
    {},
    {"sectors": ["acute"]},
    {"sectors": ["community"]},
    {"groups": ["nursing"]},
]
FILTER_NAMES = ("profession_group", "programme", "hei", "intake_year", "route")
ALLOCATION_POLL_SECONDS = 1.0
ALLOCATION_TIMEOUT = float(os.environ.get("BENCH_ALLOCATION_TIMEOUT", "300"))


def _outputs(spec: str) -> Any:
    """Dash's ``outputs`` field from a dependency's output string."""

    def one(item: str) -> dict[str, str]:
        ident, prop = item.rsplit(".", 1)
        return {"id": ident, "property": prop.split("@")[0]}

    if spec.startswith(".."):
        return [one(s) for s in spec[2:-2].split("...")]
    return one(spec)


class DashClient:
    """What a browser tab keeps: the page's endId and the app's callback dependencies."""

    def __init__(self, user: HttpUser) -> None:
        self.user = user
        self.end_id = ""
        self.deps: list[dict[str, Any]] = []

    def sign_in(self, username: str) -> None:
        page = self.user.client.get("/login", name="sign in: form")
        token = CSRF.search(page.text)
        if not token:
            raise RuntimeError("no CSRF token on the sign-in form")
        with self.user.client.post(
            "/login",
            name="sign in: submit",
            allow_redirects=False,
            catch_response=True,
            data={
                "username": username,
                "password": PASSWORDS[username],
                "csrf_token": token.group(1),
                "next": "/",
            },
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in answered {response.status_code}")

    def open_page(self, path: str, label: str, search: str = "") -> Any:
        """Load a page as the browser does; returns the router callback's response."""
        html = self.user.client.get(path + search, name=f"{label}: page html")
        found = CONFIG.search(html.text)
        self.end_id = json.loads(found.group(1)).get("end_id", "") if found else ""
        self.user.client.get("/_dash-layout", name="dash: layout")
        deps = self.user.client.get("/_dash-dependencies", name="dash: dependencies")
        self.deps = deps.json() if deps.ok else []
        return self.callback(
            "_pages_content.children",
            {
                ("_pages_location", "pathname"): path,
                ("_pages_location", "search"): search,
            },
            name=f"{label}: router",
            changed=["_pages_location.pathname"],
        )

    def _dep(self, output: str) -> dict[str, Any]:
        for dep in self.deps:
            if output in dep["output"]:
                return dep
        raise RuntimeError(f"no callback outputs {output}")

    def payload(
        self, output: str, values: dict[tuple[str, str], Any], changed: list[str] | None = None
    ) -> dict[str, Any]:
        dep = self._dep(output)

        def items(kind: str) -> list[dict[str, Any]]:
            return [
                {
                    "id": i["id"],
                    "property": i["property"],
                    "value": values.get((i["id"], i["property"])),
                }
                for i in dep.get(kind, [])
            ]

        inputs = items("inputs")
        return {
            "output": dep["output"],
            "outputs": _outputs(dep["output"]),
            "inputs": inputs,
            "changedPropIds": changed or [f"{inputs[0]['id']}.{inputs[0]['property']}"],
            "state": items("state"),
        }

    def callback(
        self,
        output: str,
        values: dict[tuple[str, str], Any],
        *,
        name: str,
        changed: list[str] | None = None,
    ) -> Any:
        body = self.payload(output, values, changed)
        with self.user.client.post(
            f"/_dash-update-component?endId={self.end_id}",
            json=body,
            name=name,
            catch_response=True,
        ) as response:
            if response.status_code not in (200, 204):
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return None
            return response.json() if response.status_code == 200 else None


def _find(tree: Any, component_id: str) -> dict[str, Any] | None:
    """A component's props in a layout returned by a callback (for dropdown options)."""
    if isinstance(tree, dict):
        props = tree.get("props")
        if isinstance(props, dict) and props.get("id") == component_id:
            return props
        for value in tree.values():
            found = _find(value, component_id)
            if found:
                return found
    elif isinstance(tree, list):
        for value in tree:
            found = _find(value, component_id)
            if found:
                return found
    return None


class DashboardUser(HttpUser):
    """A collaborative, coordinator, administrator or HEI user browsing the dashboards."""

    weight = 1
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.username = random.choice(["admin", "collaborative", "coordinator", "hei"])
        self.dash = DashClient(self)
        self.dash.sign_in(self.username)

    def _pipeline_page(self, page: str, path: str, *, unit: bool = False) -> None:
        self.dash.open_page(path, page)
        for _ in range(2):
            chosen = random.choice(PIPELINE_FILTERS)
            values: dict[tuple[str, str], Any] = {
                (f"{page}-filter-{n}", "value"): chosen.get(n, []) for n in FILTER_NAMES
            }
            if unit:
                values[(f"{page}-unit", "value")] = random.choice(["programme", "cohort"])
            self.dash.callback(
                f"{page}-content.children",
                values,
                name=f"{page}: filter change",
                changed=[f"{page}-filter-{FILTER_NAMES[0]}.value"],
            )

    @task(3)
    def pipeline(self) -> None:
        if self.username == "hei":  # HEI users have no system overview: their cohort view
            return self.cohorts()
        self._pipeline_page("pipeline", "/pipeline")
        return None

    @task(2)
    def concerns(self) -> None:
        if self.username == "hei":
            return self.cohorts()
        self._pipeline_page("concerns", "/concerns", unit=True)
        return None

    @task(2)
    def cohorts(self) -> None:
        self._pipeline_page("cohorts", "/cohorts")

    @task(2)
    def capacity_demand(self) -> None:
        if self.username == "hei":  # HEI users have no capacity view: their cohort view
            return self.cohorts()
        page = "capacity-demand"
        self.dash.open_page("/capacity-demand", page)
        for step in range(2):
            chosen = {} if step == 0 else random.choice(CAPACITY_FILTERS)
            values = {
                (f"{page}-{n}", "value"): chosen.get(n, []) for n in ("blocks", "sectors", "groups")
            }
            values[(f"{page}-colour", "value")] = "sector"
            label = "initial" if step == 0 else "filter change"
            self.dash.callback(
                f"{page}-cards.children",
                values,
                name=f"{page}: {label}",
                changed=[f"{page}-sectors.value"],
            )
            self.dash.callback(
                f"{page}-map.figure",
                values,
                name=f"{page}: map {label}",
                changed=[f"{page}-sectors.value"],
            )
        return None


class AllocationUser(HttpUser):
    """A coordinator running allocations from the allocation page, one after another."""

    fixed_count = int(os.environ.get("BENCH_ALLOCATORS", "2"))
    weight = 0
    wait_time = between(2, 5)

    def on_start(self) -> None:
        self.dash = DashClient(self)
        self.dash.sign_in("coordinator")

    @task
    def run_allocation(self) -> None:
        router = self.dash.open_page("/allocation", "allocation")
        blocks = _find(router, "allocation-blocks") or {}
        programmes = _find(router, "allocation-programmes") or {}
        block_codes = [o["value"] for o in blocks.get("options", [])]
        programme_codes = [o["value"] for o in programmes.get("options", [])]
        if not block_codes:
            return
        state = {
            ("allocation-run", "n_clicks"): 1,
            ("allocation-blocks", "value"): [random.choice(block_codes)],
            ("allocation-programmes", "value"): random.sample(
                programme_codes, k=min(2, len(programme_codes))
            ),
            ("allocation-distance", "value"): None,
            ("allocation-solver", "value"): "highs",
            ("allocation-name", "value"): "load test",
        }
        started = time.perf_counter()
        queued = self.dash.callback("allocation-queued.data", state, name="allocation: queue run")
        data = (queued or {}).get("response", {}).get("allocation-queued", {}).get("data")
        if not data:
            return  # refused (no requests in that scope): the message says why
        body = self.dash.payload("allocation-done.data", {("allocation-queued", "data"): data})
        url = f"/_dash-update-component?endId={self.dash.end_id}"
        handle = self.client.post(url, json=body, name="allocation: start job").json()
        for item in body["inputs"]:
            item["value"] = None
        poll = f"{url}&cacheKey={handle['cacheKey']}&job={handle['job']}"
        outcome = "timeout"
        while time.perf_counter() - started < ALLOCATION_TIMEOUT:
            time.sleep(ALLOCATION_POLL_SECONDS)
            with self.client.post(
                poll, json=body, name="allocation: poll", catch_response=True
            ) as response:
                if response.status_code == 204:
                    outcome = "no update"
                    break
                if response.status_code != 200:
                    response.failure(f"{response.status_code}")
                    outcome = "error"
                    break
                answer = response.json()
                if "response" in answer:
                    done = answer["response"].get("allocation-done", {}).get("data") or {}
                    outcome = str(done.get("status", "no status"))
                    break
        events.request.fire(
            request_type="JOB",
            name=f"allocation: whole run ({outcome})",
            response_time=(time.perf_counter() - started) * 1000,
            response_length=0,
            exception=None if outcome in ("succeeded", "failed") else RuntimeError(outcome),
            context={},
        )
