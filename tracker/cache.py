"""A cache of finished pipeline reports, shared by every web worker of one deployment.

At 60,000 learners a dashboard's measures take seconds to compute, while the learner data
changes only on an import or an edit. So a report is computed once per (report, filters,
what the viewer may see, data version) and then read by every worker: from a disk cache in
the data folder by default, from Redis when ``TRACKER_REDIS_URL`` is set (several hosts).
Each process opens its cache from the settings; the one thing kept per process is
``memo_per_version``'s latest whole-system read per database.

The data version is read from the database on every request (one cheap statement per
family of views: the pipeline's learner data, or capacity against demand), so a write from
any process, a command or another host makes every older entry of that family unreachable;
stale entries are never served and simply expire.
"""

from __future__ import annotations

import hashlib
import pickle
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from sqlalchemy import text
from sqlmodel import Session

from tracker.access import Principal
from tracker.config import Settings
from tracker.models import (
    AuditLog,
    Cohort,
    Learner,
    LearnerEvent,
    Organisation,
    PlacementBlock,
    PlacementRequest,
    PlacementSetting,
    Programme,
    SupervisionCapacity,
)

T = TypeVar("T")

#: Entries live a day at most; a new data version makes them unreachable long before that.
ENTRY_SECONDS = 24 * 3600
#: How long other workers wait for the one computing a missing entry before computing it too.
COMPUTE_WAIT_SECONDS = 60.0
_POLL_SECONDS = 0.1


def _name(model: Any) -> str:
    return str(model.__table__.name)


def _rows(*models: Any) -> list[str]:
    # The newest id only: an index lookup, where count(*) scans the table (10 ms a request on
    # PostgreSQL at 100,000 events, most of the database's work under load). Inserts raise
    # it; deletes and in-place edits through the app are audited (see ``_EDITED``).
    return [f"(SELECT max(id) FROM {t})" for t in map(_name, models)]


#: Audited actions that change nothing any view reads: sign-ins and accounts, and the life of
#: draft allocation runs, whose proposed placements no view outside the run counts. Fifty
#: sign-ins or two coordinators running plans must not make every cached figure stale.
_NOT_DATA = (
    "signin%",
    "signout%",
    "user.%",
    "allocation.run.create",
    "allocation.run.finish",
    "allocation.run.cancel",
    "allocation.run.stale",
)
_AUDIT = _name(AuditLog)


@dataclass(frozen=True)
class DataFamily:
    """What one family of views reads, as one statement whose answer changes on any change.

    Inserts raise a table's max id; deletes and in-place edits go through services that
    write the audit log, so the newest audit row of the kinds that can change data is
    included. A delete or edit made outside the app (SQL by hand) is not seen: run
    ``python -m tracker cache clear`` after one. (Counting or summing rows would see those
    too, but would scan the tables on every request.)
    """

    name: str
    parts: tuple[str, ...]

    @property
    def sql(self) -> Any:
        return text("SELECT " + ", ".join(self.parts))


#: The newest audited change that may have edited data in place.
_EDITED = (
    f"(SELECT max(id) FROM {_AUDIT} WHERE "
    + " AND ".join(f"action NOT LIKE '{p}'" for p in _NOT_DATA)
    + ")"
)
#: The pipeline reports: learners, their events and cohorts.
PIPELINE_DATA = DataFamily(
    "pipeline",
    (
        *_rows(Learner, LearnerEvent, Cohort, Organisation, Programme),
        _EDITED,
    ),
)
#: Capacity against demand: the registers, requests and published placements. Hosted
#: programmes (no id of their own) change with their setting, and placements are published,
#: completed or cancelled, through audited services; a draft run's proposed placements are
#: no part of the view, so two coordinators running plans do not make it stale.
CAPACITY_DATA = DataFamily(
    "capacity",
    (
        *_rows(
            SupervisionCapacity,
            PlacementSetting,
            PlacementRequest,
            PlacementBlock,
            Organisation,
            Programme,
        ),
        _EDITED,
    ),
)


def data_version(session: Session, family: DataFamily) -> str:
    """A fingerprint of a family's data that changes on every import, edit or delete of it."""
    row = session.connection().execute(family.sql).one()
    return family.name + ":" + ".".join("-" if v is None else str(v) for v in row)


def viewer_scope(principal: Principal) -> str:
    """What of the principal decides a report's rows and disclosure (not who it is).

    Everything but the user's identity, so two administrators share entries while an HEI
    user only ever shares with users of the same HEI and role; a field added to
    ``Principal`` later (a new kind of scope) is part of the key without anyone editing this.
    """
    fields = asdict(principal)
    fields.pop("username", None)
    fields.pop("user_id", None)
    return repr(sorted((k, str(v)) for k, v in fields.items()))


class _Store(Protocol):
    def get(self, key: str) -> bytes | None: ...
    def set(self, key: str, value: bytes, seconds: float) -> None: ...
    def add(self, key: str, value: bytes, seconds: float) -> bool: ...
    def delete(self, key: str) -> None: ...
    def clear(self) -> None: ...


class _DiskStore:
    def __init__(self, folder: Path) -> None:
        import diskcache

        self._cache = diskcache.Cache(str(folder), size_limit=2**30)

    def get(self, key: str) -> bytes | None:
        value = self._cache.get(key)
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes, seconds: float) -> None:
        self._cache.set(key, value, expire=seconds)

    def add(self, key: str, value: bytes, seconds: float) -> bool:
        return bool(self._cache.add(key, value, expire=seconds))

    def delete(self, key: str) -> None:
        self._cache.delete(key)

    def clear(self) -> None:
        self._cache.clear()


class _RedisStore:
    PREFIX = "tracker:reports:"

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)

    def get(self, key: str) -> bytes | None:
        value = self._redis.get(self.PREFIX + key)
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes, seconds: float) -> None:
        self._redis.set(self.PREFIX + key, value, ex=max(1, int(seconds)))

    def add(self, key: str, value: bytes, seconds: float) -> bool:
        return bool(self._redis.set(self.PREFIX + key, value, ex=max(1, int(seconds)), nx=True))

    def delete(self, key: str) -> None:
        self._redis.delete(self.PREFIX + key)

    def clear(self) -> None:
        for key in self._redis.scan_iter(self.PREFIX + "*"):
            self._redis.delete(key)


class ReportCache:
    """Get-or-compute for pure report results, with one computation per key at a time.

    When fifty users open the same view just after an import, one worker computes it and
    the others wait for its result instead of all computing it at once on a small server.
    """

    def __init__(self, store: _Store, namespace: str) -> None:
        self._store = store
        self._namespace = namespace

    def key(self, name: str, *parts: Any) -> str:
        digest = hashlib.sha256(repr((self._namespace, name, parts)).encode()).hexdigest()
        return f"{name}:{digest[:40]}"

    def get_or_compute(self, key: str, compute: Callable[[], T]) -> T:
        found = self._store.get(key)
        if found is not None:
            value: T = pickle.loads(found)
            return value
        lock = key + ":computing"
        if not self._store.add(lock, b"1", COMPUTE_WAIT_SECONDS):
            deadline = time.monotonic() + COMPUTE_WAIT_SECONDS
            while time.monotonic() < deadline:
                time.sleep(_POLL_SECONDS)
                found = self._store.get(key)
                if found is not None:
                    stored: T = pickle.loads(found)
                    return stored
                if self._store.get(lock) is None:  # the computing worker died or failed
                    break
        try:
            value = compute()
            self._store.set(
                key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), ENTRY_SECONDS
            )
            return value
        finally:
            self._store.delete(lock)

    def clear(self) -> None:
        self._store.clear()


def cached_for(
    cache: ReportCache,
    session: Session,
    principal: Principal,
    name: str,
    parts: tuple[object, ...],
    family: DataFamily,
    compute: Callable[[], T],
) -> T:
    """``compute()`` from the shared cache, keyed by what decides its result.

    For pure functions of their arguments (``parts``), what the viewer may see and the
    data: the data version in the key is all the invalidation they need.
    """
    key = cache.key(name, parts, viewer_scope(principal), data_version(session, family))
    return cache.get_or_compute(key, compute)


#: Per process: database (engine or connection) -> read name -> (data version, value).
_MEMO: weakref.WeakKeyDictionary[Any, dict[str, tuple[str, Any]]] = weakref.WeakKeyDictionary()
_MEMO_LOCK = threading.Lock()


def memo_per_version(
    session: Session, name: str, family: DataFamily, compute: Callable[[], T]
) -> T:
    """``compute()`` kept in this process until the data version of the session's database
    changes: for whole-system reads that every report filters in memory.

    Only the latest version of each read is kept per database, so memory stays at one copy
    however long the process runs. Keyed by the database object itself, never its URL: two
    in-memory databases of one process share a URL. Callers must not modify the value.
    """
    bind = session.get_bind()
    version = data_version(session, family)
    with _MEMO_LOCK:
        found = _MEMO.get(bind, {}).get(name)
    if found is not None and found[0] == version:
        return found[1]
    value = compute()
    with _MEMO_LOCK:
        _MEMO.setdefault(bind, {})[name] = (version, value)
    return value


REPORT_CACHE_KEY = "tracker_report_cache"


def app_report_cache() -> ReportCache | None:
    """The running web app's report cache (None when switched off by TRACKER_REPORT_CACHE=0)."""
    from flask import current_app

    cache: ReportCache | None = current_app.extensions.get(REPORT_CACHE_KEY)
    return cache


def open_report_cache(settings: Settings) -> ReportCache:
    """The deployment's report cache: Redis if configured, else a disk cache in the data folder.

    Entries are namespaced by database URL, so two databases served from one data folder or
    one Redis (a test and a live system, a restore into a new database) never share figures.
    """
    store: _Store
    if settings.redis_url:
        store = _RedisStore(settings.redis_url)
    else:
        store = _DiskStore(settings.data_dir / "report-cache")
    return ReportCache(store, namespace=settings.database_url)
