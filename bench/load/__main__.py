"""``python -m bench.load``: deploy on this machine, load it with locust, print a table.

Sets up what the README's Deployment section describes, configured by environment variables
only: a fresh PostgreSQL database filled by ``python -m tracker demo --scale N``, the report
cache warmed, ``gunicorn -w W app:server`` and a Celery worker on Redis. Then locust runs
headless (``bench/load/locustfile.py``) with dashboard users and coordinators running
allocations, and everything is torn down, database included. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--scale", type=int, default=10, help="demo data scale (10: ~60k learners)")
    parser.add_argument("--users", type=int, default=50, help="dashboard users")
    parser.add_argument("--allocators", type=int, default=2, help="coordinators allocating")
    parser.add_argument("--duration", type=int, default=60, help="seconds of measured load")
    parser.add_argument("--spawn-rate", type=float, default=10.0, help="users started per second")
    parser.add_argument("--web-workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--web-threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument("--celery-workers", type=int, default=1, help="Celery worker processes")
    parser.add_argument("--port", type=int, default=8097)
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
        help="a PostgreSQL server to create the throwaway database on",
    )
    parser.add_argument(
        "--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/2")
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="TRACKER_REPORT_CACHE=0: measure without the report cache",
    )
    parser.add_argument("--no-warm", action="store_true", help="skip `tracker cache warm`")
    return parser.parse_args()


def _local(url: str) -> None:
    host = (
        sa.engine.make_url(url).host
        if "://" in url and not url.startswith("redis")
        else (url.split("://", 1)[1].split("/", 1)[0].split(":")[0])
    )
    if host not in ("127.0.0.1", "localhost"):
        raise SystemExit(f"refusing to use {host}: the load test only targets 127.0.0.1")


def _wait_healthy(base: str, timeout: float, processes: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            raise SystemExit("a server process exited while starting (see its log above)")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the web server did not become healthy")


def _table(stats_csv: Path) -> str:
    rows = list(csv.DictReader(stats_csv.open()))
    head = f"{'request':<36}{'count':>7}{'errors':>7}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
    lines = [head, "-" * len(head)]
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "ALL REQUESTS"
        lines.append(
            f"{name[:35]:<36}{row['Request Count']:>7}{row['Failure Count']:>7}"
            f"{row['50%']:>9}{row['95%']:>9}{float(row['Max Response Time']):>9.0f}"
        )
    return "\n".join(lines)


def main() -> int:
    args = _arguments()
    _local(args.postgres)
    _local(args.redis)
    name = f"tracker_load_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(
        args.postgres, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
    )
    database_url = (
        sa.engine.make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
    )
    work = Path(tempfile.mkdtemp(prefix="tracker-load-"))
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": database_url,
        "TRACKER_REDIS_URL": args.redis,
        "TRACKER_DATA_DIR": str(work / "data"),
        "TRACKER_SECRET_KEY": uuid.uuid4().hex,
        "TRACKER_DEMO_MODE": "1",
        "TRACKER_REPORT_CACHE": "0" if args.no_cache else "1",
        "BENCH_ALLOCATORS": str(args.allocators),
        "PYTHONPATH": str(ROOT),
    }
    processes: list[subprocess.Popen[bytes]] = []
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "tracker", "demo", "--scale", str(args.scale)],
            env=env,
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"demo data at scale {args.scale}: {time.perf_counter() - started:.0f} s", flush=True)
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()",
                args.redis,
            ],
            check=True,
        )
        if not args.no_cache and not args.no_warm:
            subprocess.run(
                [sys.executable, "-m", "tracker", "cache", "warm"], env=env, cwd=ROOT, check=True
            )
        log = (work / "servers.log").open("wb")
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "tracker.worker:celery_app",
                    "worker",
                    f"--concurrency={args.celery_workers}",
                    "--loglevel=warning",
                    "--without-mingle",
                    "--without-gossip",
                ],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-w",
                    str(args.web_workers),
                    "--threads",
                    str(args.web_threads),
                    "-b",
                    f"127.0.0.1:{args.port}",
                    "--timeout",
                    "120",
                    "--keep-alive",
                    "75",
                    "app:server",
                ],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        base = f"http://127.0.0.1:{args.port}"
        _wait_healthy(base, 120, processes)
        prefix = work / "locust"
        total = args.users + args.allocators
        print(
            f"locust: {args.users} dashboard users + {args.allocators} allocation users, "
            f"{args.duration} s, {args.web_workers} gunicorn workers x {args.web_threads} "
            f"threads, report cache {'off' if args.no_cache else 'on'}",
            flush=True,
        )
        subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(HERE / "locustfile.py"),
                "--headless",
                "-u",
                str(total),
                "-r",
                str(args.spawn_rate),
                "--run-time",
                f"{args.duration}s",
                "--stop-timeout",
                "30",
                "--host",
                base,
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env=env,
            cwd=ROOT,
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=(work / "locust.log").open("wb"),
        )
        print(_table(Path(f"{prefix}_stats.csv")))
        failures = Path(f"{prefix}_failures.csv")
        if failures.exists() and failures.read_text().count("\n") > 1:
            print("\nerrors:\n" + failures.read_text())
        return 0
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
