"""Fault test: kill a web worker and the Celery worker in the middle of an allocation job.

The deployment of the README runs here for real, configured by environment variables only: a
fresh PostgreSQL database with demo data, ``gunicorn -w 2 app:server`` and a Celery worker on
Redis. A heavy run (two blocks, CBC) is queued exactly as the allocation page's background
callback queues it, and while it solves one gunicorn worker and the whole Celery worker (with
its CBC subprocess) get SIGKILL. What users must see: the app keeps serving, the run has no
placements (the plan is written in one final transaction, never half), and once its heartbeat
is older than ``TRACKER_JOB_STALE_SECONDS`` a new worker reports it failed and serves new jobs.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from tracker.db import make_engine
from tracker.models import AllocationRun, Placement
from tracker.services.run_jobs import STALE_ERROR

POSTGRES_URL = os.environ.get("TRACKER_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("TRACKER_TEST_REDIS_URL")
ROOT = Path(__file__).resolve().parents[1]
STALE_SECONDS = 5

pytestmark = pytest.mark.skipif(
    not (POSTGRES_URL and REDIS_URL),
    reason="set TRACKER_TEST_POSTGRES_URL and TRACKER_TEST_REDIS_URL (e.g. "
    "redis://127.0.0.1:6379/15) to run the fault test: it starts gunicorn and Celery on them",
)

# Queue a run and send the allocation page's background task through the Celery queue, as the
# Dash CeleryManager does for a browser request; print the run id and leave at once.
ENQUEUE = textwrap.dedent("""
    import json, sys, time
    from dash.background_callback.managers import BaseBackgroundCallbackManager
    from tracker.access import Principal
    from tracker.db import session_scope
    from tracker.models import Role
    from tracker.components.run_tokens import run_token
    from tracker.services.runs import create_run
    from tracker.webapp import create_app

    blocks, policy = json.loads(sys.argv[1]), json.loads(sys.argv[2])
    app = create_app(seed_demo=False)
    with session_scope(app.server.extensions["tracker_engine"]) as session:
        run_id = create_run(session, principal=Principal("coordinator", Role.COORDINATOR),
                            blocks=blocks, policy=policy)
    manager = app._background_manager
    key = next(k for k, fn, _p in BaseBackgroundCallbackManager.functions
               if fn.__name__ == "execute_queued")
    queued = {"run_id": run_id, "token": run_token(app.server.config["SECRET_KEY"], run_id)}
    manager.call_job_fn(f"fault-test-{run_id}-{time.time()}", manager.func_registry[key],
                        [queued], {})
    print(json.dumps({"run_id": run_id}))
""")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    """Direct children of a process, from /proc (gunicorn workers of the master)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _wait_for(
    what: str,
    check: Callable[[], Any],
    timeout: float,
    processes: Sequence[subprocess.Popen[bytes]] = (),
) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        if any(p.poll() is not None for p in processes):
            pytest.fail(f"a server process exited while waiting for {what}")
        time.sleep(0.25)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


class Deployment:
    """The servers of one test, with teardown that kills whole process groups."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", *args],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def celery(self, name: str) -> subprocess.Popen[bytes]:
        return self.start(
            name,
            "celery",
            "-A",
            "tracker.worker:celery_app",
            "worker",
            "--concurrency=1",
            "--loglevel=warning",
            "--without-mingle",
            "--without-gossip",
            "-n",
            f"{name}@%h",
        )

    def enqueue(self, blocks: list[str], policy: dict[str, Any]) -> int:
        done = subprocess.run(
            [sys.executable, "-c", ENQUEUE, json.dumps(blocks), json.dumps(policy)],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert done.returncode == 0, done.stderr
        return int(json.loads(done.stdout.strip().splitlines()[-1])["run_id"])

    def logs_text(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
            for p in sorted(self.logs.glob("*.log"))
        )

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
        for process in self.processes:
            process.wait(timeout=10)


@pytest.fixture
def database() -> Iterator[str]:
    """A fresh PostgreSQL database next to the configured one, dropped afterwards."""
    assert POSTGRES_URL
    admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    name = f"tracker_fault_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield sa.engine.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def deployment(database: str, tmp_path: Path) -> Iterator[Deployment]:
    import redis

    redis.Redis.from_url(str(REDIS_URL)).flushdb()
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": database,
        "TRACKER_REDIS_URL": str(REDIS_URL),
        "TRACKER_DATA_DIR": str(tmp_path / "data"),
        "TRACKER_SECRET_KEY": uuid.uuid4().hex,
        "TRACKER_DEMO_MODE": "1",
        "TRACKER_JOB_STALE_SECONDS": str(STALE_SECONDS),
        "PYTHONPATH": str(ROOT),
    }
    subprocess.run(
        [sys.executable, "-m", "tracker", "demo", "--scale", "1"],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=240,
    )
    servers = Deployment(env, tmp_path)
    try:
        yield servers
    finally:
        servers.stop()
        redis.Redis.from_url(str(REDIS_URL)).flushdb()


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def _status(opener: urllib.request.OpenerDirector, url: str) -> int:
    try:
        with opener.open(url, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def _sign_in(opener: urllib.request.OpenerDirector, base: str) -> None:
    with opener.open(base + "/login", timeout=10) as response:
        page = response.read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "sign-in form has no CSRF token"
    form = urllib.parse.urlencode(
        {
            "username": "coordinator",
            "password": "demo-coordinator-pass",
            "csrf_token": token.group(1),
            "next": "/",
        }
    ).encode()
    opener.open(base + "/login", data=form, timeout=10).close()


def _run(engine: Engine, run_id: int) -> tuple[AllocationRun, int]:
    with Session(engine) as session:
        run = session.get(AllocationRun, run_id)
        assert run is not None
        placements = session.exec(
            select(func.count()).select_from(Placement).where(Placement.run_id == run_id)
        ).one()
        return run, int(placements)


def test_killed_workers_leave_no_half_plan_and_the_app_serves(
    deployment: Deployment, database: str
) -> None:
    started = time.monotonic()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    web = deployment.start(
        "gunicorn",
        "gunicorn",
        "-w",
        "2",
        "-b",
        f"127.0.0.1:{port}",
        "--timeout",
        "60",
        "app:server",
    )
    worker = deployment.celery("worker1")
    engine = make_engine(database)
    browser = _opener()
    try:
        _wait_for(
            "the web server", lambda: _status(browser, base + "/healthz") == 200, 45, [web, worker]
        )
        _sign_in(browser, base)
        assert _status(browser, base + "/_dash-layout") == 200

        # A heavy run: two blocks solved level by level with CBC takes minutes here.
        heavy = deployment.enqueue(["2026-B1", "2026-B2"], {"method": "lp", "solver": "cbc"})
        _wait_for(
            "the run to start",
            lambda: _run(engine, heavy)[0].status == "running",
            30,
            [web, worker],
        )
        time.sleep(2)  # mid-solve, a heartbeat or two written
        run, placements = _run(engine, heavy)
        assert (run.status, placements) == ("running", 0)
        assert run.heartbeat_at is not None

        web_workers = _wait_for("two gunicorn workers", lambda: _children(web.pid), 10)
        os.kill(web_workers[0], signal.SIGKILL)
        os.killpg(worker.pid, signal.SIGKILL)  # the worker, its pool child and CBC
        worker.wait(timeout=10)
        killed_at = time.monotonic()

        # The app keeps serving: health and a signed-in Dash request, several times so that
        # both the surviving worker and the one gunicorn starts in place of the dead one answer.
        for _ in range(6):
            assert _wait_for("/healthz", lambda: _status(browser, base + "/healthz") == 200, 20)
            assert _status(browser, base + "/_dash-layout") == 200
        run, placements = _run(engine, heavy)
        assert (run.status, placements) == ("running", 0)  # nothing half-written

        # Once the heartbeat is older than the limit, a new worker fails the run at start.
        time.sleep(max(0.0, STALE_SECONDS + 1 - (time.monotonic() - killed_at)))
        second = deployment.celery("worker2")
        _wait_for(
            "the dead run to be failed",
            lambda: _run(engine, heavy)[0].status == "failed",
            45,
            [web, second],
        )
        run, placements = _run(engine, heavy)
        assert run.error == STALE_ERROR
        assert placements == 0

        # And the queue works again: a small run goes through the new worker to a whole plan.
        small = deployment.enqueue(["2026-B1"], {})
        _wait_for(
            "the new run to finish",
            lambda: _run(engine, small)[0].status in ("succeeded", "failed"),
            45,
            [web, second],
        )
        run, placements = _run(engine, small)
        assert run.status == "succeeded" and placements > 0
        assert _run(engine, heavy)[1] == 0
        assert _status(browser, base + "/_dash-layout") == 200
    except BaseException:
        print(deployment.logs_text())
        raise
    finally:
        engine.dispose()
    assert time.monotonic() - started < 90
