"""An allocation job through a real Celery worker on Redis (skipped without a test Redis).

Both sides run in subprocesses, as in production: a ``celery -A tracker.worker:celery_app
worker`` and a "web" process that builds the same Dash app with the Celery manager and
enqueues the allocation page's background callback exactly as Dash does for a request. The
worker must find the task (it builds the app on import), resolve the database itself (no web
request there) and store the run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from tracker.db import make_engine
from tracker.models import AllocationRun, Placement

REDIS_URL = os.environ.get("TRACKER_TEST_REDIS_URL")
ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    not REDIS_URL,
    reason="set TRACKER_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15) to run "
    "the Celery worker test",
)

CLIENT = textwrap.dedent("""
    import json, sys, time
    from sqlmodel import Session
    from dash.background_callback.managers import BaseBackgroundCallbackManager
    from tracker.access import Principal
    from tracker.db import session_scope
    from tracker.models import Role
    from tracker.components.run_tokens import run_token
    from tracker.services.runs import create_run
    from tracker.webapp import create_app
    from tests.services.test_allocation_services import build_system

    app = create_app(seed_demo=False)
    engine = app.server.extensions["tracker_engine"]
    with Session(engine) as session:
        build_system(session)
    with session_scope(engine) as session:
        run_id = create_run(session, principal=Principal("coord", Role.COORDINATOR),
                            blocks=["2026-B1"], programmes=["NUR"], policy={})
    manager = app._background_manager
    key = next(k for k, fn, _p in BaseBackgroundCallbackManager.functions
               if fn.__name__ == "execute_queued")
    queued = {"run_id": run_id, "token": run_token(app.server.config["SECRET_KEY"], run_id)}
    cache_key = f"celery-test-{run_id}-{time.time()}"
    manager.call_job_fn(cache_key, manager.func_registry[key], [queued], {})
    deadline = time.time() + 25
    while time.time() < deadline and not manager.result_ready(cache_key):
        time.sleep(0.2)
    result = manager.get_result(cache_key, None)
    print(json.dumps({"run_id": run_id, "result": result}))
""")


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    return celery_environment(tmp_path)


def celery_environment(tmp_path: Path) -> dict[str, str]:
    """The worker's and client's environment on a fresh, migrated database in ``tmp_path``."""
    env = dict(os.environ)
    env.update(
        {
            "TRACKER_REDIS_URL": str(REDIS_URL),
            "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'jobs.db'}",
            "TRACKER_DATA_DIR": str(tmp_path / "data"),
            "TRACKER_SECRET_KEY": "celery-test-secret",
            "TRACKER_DEMO_MODE": "0",
            "PYTHONPATH": str(ROOT),
        }
    )
    # Create the schema before either process starts, so they do not race to migrate.
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from tracker.config import load_settings;"
            "from tracker.db import make_engine, upgrade;"
            "upgrade(make_engine(load_settings().database_url))",
        ],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=60,
    )
    return env


@pytest.fixture
def worker(environment: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tracker.worker:celery_app",
            "worker",
            "--pool=solo",
            "--loglevel=warning",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ],
        env=environment,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def test_allocation_job_runs_in_a_celery_worker(
    environment: dict[str, str], worker: subprocess.Popen[bytes]
) -> None:
    started = time.monotonic()
    client = subprocess.run(
        [sys.executable, "-c", CLIENT],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if client.returncode != 0 or worker.poll() is not None:
        worker.terminate()
        output = worker.communicate(timeout=10)[0].decode(errors="replace")
        pytest.fail(f"client:\n{client.stdout}\n{client.stderr}\nworker:\n{output}")
    outcome = json.loads(client.stdout.strip().splitlines()[-1])
    assert outcome["result"][0] == {"run_id": outcome["run_id"], "status": "succeeded"}
    engine = make_engine(environment["TRACKER_DATABASE_URL"])
    with Session(engine) as session:
        run = session.get(AllocationRun, outcome["run_id"])
        assert run is not None and run.status == "succeeded"
        assert run.figures["levels"]["placed"] == 7
        assert session.exec(select(Placement).where(Placement.run_id == run.id)).first()
    engine.dispose()
    assert time.monotonic() - started < 30
