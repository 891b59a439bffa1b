"""A cache of finished pipeline reports, shared by every web worker of one deployment.

At 60,000 learners a dashboard's measures take seconds to compute, while the learner data
changes only on an import or an edit. So a report is computed once per (report, filters,
what the viewer may see, data version) and then read by every worker: from a disk cache in
the data folder by default, from Redis when ``TRACKER_REDIS_URL`` is set (several hosts).
Each process opens its cache from the settings; the one thing kept per process is
``memo_per_version``'s latest whole-system read per database.

The data version is read from the database once per request (one cheap statement per
family of views: the pipeline's learner data, or capacity against demand), so a write from
any process, a command or another host makes every older entry of that family unreachable;
stale entries are never served and simply expire. A cached computation that nests another
(drawn content around a report around its frames) reuses the version its outer layer read.

Report services declare themselves with ``@cached_report(family)``: the one caching rule.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import pickle
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from types import MappingProxyType
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import text
from sqlmodel import Session

from tracker.access import Principal
from tracker.cache_stores import DiskStore, RedisStore, Store
from tracker.config import Settings
from tracker.models import (
    AuditLog,
    Cohort,
    Learner,
    LearnerEvent,
    Organisation,
    PlacementBlock,
    PlacementEvaluation,
    PlacementRequest,
    PlacementSetting,
    PracticeHours,
    PracticeRequirement,
    PracticeStaff,
    Programme,
    ProgrammeCalendar,
    QualityReview,
    SupervisionCapacity,
)

T = TypeVar("T")
P = ParamSpec("P")

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


#: Audited actions that change nothing any view reads: sign-ins and accounts, the life of
#: draft allocation runs, whose proposed placements no view outside the run counts, and the
#: Outlook page's saved scenarios (the views are keyed by the scenario's numbers instead). Fifty
#: sign-ins or two coordinators running plans must not make every cached figure stale.
_NOT_DATA = (
    "signin%",
    "signout%",
    "user.%",
    "allocation.run.create",
    "allocation.run.finish",
    "allocation.run.cancel",
    "allocation.run.stale",
    "outlook_scenario.%",
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
#: Capacity against demand and the calendar: the registers, calendars, requests, the practice
#: staff whose places named settings offer, and published placements. Hosted programmes and a
#: person's settings (no id of their own) change with their setting or person, and
#: placements are published, completed or cancelled, through audited services; a draft run's
#: proposed placements are no part of the view, so two coordinators running plans do not
#: make it stale.
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
            ProgrammeCalendar,
            PracticeStaff,
        ),
        _EDITED,
    ),
)

#: Practice hours against requirements (/hours-behind): the learners in training (the
#: pipeline's data) with their recorded hours and their programmes' requirements; hours
#: edited or deleted in the app are audited.
HOURS_DATA = DataFamily(
    "hours",
    (
        *_rows(Learner, LearnerEvent, Cohort, Organisation, Programme),
        *_rows(PracticeHours, PracticeRequirement),
        _EDITED,
    ),
)
#: Placement quality (/quality): evaluations, quality reviews (started and ended through
#: audited services) and the settings and organisations they are named by.
QUALITY_DATA = DataFamily(
    "quality",
    (*_rows(PlacementEvaluation, QualityReview, PlacementSetting, Organisation), _EDITED),
)


#: The data versions the cached computation now running was keyed by, per (family, database):
#: a context variable, so each request (thread or task) sees only its own.
_VERSIONS: ContextVar[Mapping[tuple[str, int], str]] = ContextVar(
    "tracker_data_versions", default=MappingProxyType({})
)


def data_version(session: Session, family: DataFamily) -> str:
    """A fingerprint of a family's data that changes on every import, edit or delete of it.

    Inside a cached computation (see ``cached_for``) the version that computation was keyed
    by, so a request reads it once however many cached layers it goes through.
    """
    known = _VERSIONS.get().get((family.name, id(session.get_bind())))
    if known is not None:
        return known
    row = session.connection().execute(family.sql).one()
    return family.name + ":" + ".".join("-" if v is None else str(v) for v in row)


@contextmanager
def _keyed_by(session: Session, family: DataFamily, version: str) -> Iterator[None]:
    token = _VERSIONS.set({**_VERSIONS.get(), (family.name, id(session.get_bind())): version})
    try:
        yield
    finally:
        _VERSIONS.reset(token)


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


class ReportCache:
    """Get-or-compute for pure report results, with one computation per key at a time.

    When fifty users open the same view just after an import, one worker computes it and
    the others wait for its result instead of all computing it at once on a small server.
    """

    def __init__(self, store: Store, namespace: str) -> None:
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
    version = data_version(session, family)
    key = cache.key(name, parts, viewer_scope(principal), version)

    def keyed_compute() -> T:
        with _keyed_by(session, family, version):
            return compute()

    return cache.get_or_compute(key, keyed_compute)


def cached_report(
    family: DataFamily, *, unordered: tuple[str, ...] = ()
) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """The one caching rule for report services: ``report(session, *, principal, ...,
    cache=None)`` is computed once per (report, arguments, viewer scope, data version).

    The cache is the ``cache`` argument when given (commands, cache warm-up, tests), else the
    running web app's (``app_report_cache``), else none: the report is computed afresh. The
    other arguments, defaults filled in, are the key, so a report must be a pure function of
    them, what the viewer may see and the family's data. Arguments named in ``unordered`` are
    sets chosen in any order (filters): they are keyed sorted.
    """

    def decorate(report: Callable[P, T]) -> Callable[P, T]:
        signature = inspect.signature(report)
        for needed in ("session", "principal", "cache"):
            if needed not in signature.parameters:
                raise TypeError(f"{report.__name__} needs a {needed!r} argument to be cached")

        @functools.wraps(report)
        def cached(*args: P.args, **kwargs: P.kwargs) -> T:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            arguments = dict(bound.arguments)
            session, principal = arguments.pop("session"), arguments.pop("principal")
            cache = arguments.pop("cache") or app_report_cache()
            if cache is None:
                return report(*args, **kwargs)
            parts = tuple(
                (name, tuple(sorted(value)) if name in unordered else value)
                for name, value in arguments.items()
            )
            return cached_for(
                cache,
                session,
                principal,
                report.__name__,
                parts,
                family,
                lambda: report(*args, **kwargs),
            )

        return cached

    return decorate


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
    """The running web app's report cache: None outside the app (commands, tests without an
    app context) and when switched off by TRACKER_REPORT_CACHE=0."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return None
    cache: ReportCache | None = current_app.extensions.get(REPORT_CACHE_KEY)
    return cache


def open_report_cache(settings: Settings) -> ReportCache:
    """The deployment's report cache: Redis if configured, else a disk cache in the data folder.

    Entries are namespaced by database URL, so two databases served from one data folder or
    one Redis (a test and a live system, a restore into a new database) never share figures.
    """
    store: Store
    if settings.redis_url:
        store = RedisStore(settings.redis_url)
    else:
        store = DiskStore(settings.data_dir / "report-cache")
    return ReportCache(store, namespace=settings.database_url)
