"""The whole-column learner status and Sankey flows against a plain event-by-event replay.

``learner_status`` and ``pipeline_flows`` fold the event log with grouped column operations
for speed; the reference here replays each learner's events one at a time, exactly as the
definitions in docs/measures.md read. Random event logs (same-day events, repeated
interruptions, events after the cutoff, reasons missing) must give identical answers.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from itertools import pairwise

import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from measures_helpers import make_events, make_learners

from tracker.measures import learner_status, pipeline_flows
from tracker.measures.definitions import REASON_NOT_RECORDED, STATUS_EVENTS
from tracker.measures.flows import COMPLETED, EMPLOYMENT, EXITS, STARTED, year_node
from tracker.measures.status import sort_events, status_from_projection, status_projection

EVENTS = (
    "started",
    "transferred_in",
    "interrupted",
    "returned",
    "withdrew",
    "transferred_out",
    "completed",
    "employed_local",
    "employed_elsewhere",
)
FIRST_DAY = date(2020, 9, 1)
AS_OF = date(2024, 3, 1)


def replay(events: pd.DataFrame, as_of: date) -> dict[int, dict[str, object]]:
    """One learner at a time, one event at a time: the definition, not the fast path."""
    cutoff = pd.Timestamp(as_of)
    ev = sort_events(events.loc[events["date"] <= cutoff])
    out: dict[int, dict[str, object]] = {}
    for lid, day, event, reason in ev.itertuples(index=False, name=None):
        t = out.setdefault(
            int(lid),
            {
                "started": None,
                "transferred_in": False,
                "status": "not_started",
                "status_date": None,
                "reason": None,
                "employed_local": False,
                "employed_elsewhere": False,
                "since": None,
                "interrupted_days": 0,
            },
        )
        if event == "started" and t["started"] is None:
            t["started"] = day
        if event in ("transferred_in", "employed_local", "employed_elsewhere"):
            t[event] = True
        if event not in STATUS_EVENTS:
            continue
        new = STATUS_EVENTS[event]
        if t["status"] == "interrupted" and new != "interrupted":
            t["interrupted_days"] += (day - t["since"]).days
            t["since"] = None
        if new == "interrupted" and t["status"] != "interrupted":
            t["since"] = day
        t["status"], t["status_date"] = new, day
        if new == "withdrawn":
            t["reason"] = reason if isinstance(reason, str) and reason else REASON_NOT_RECORDED
    for t in out.values():
        if t["since"] is not None:
            t["interrupted_days"] += (cutoff - t["since"]).days
    return out


logs = st.lists(
    st.tuples(
        st.integers(1, 6),
        st.integers(0, 5 * 365),
        st.sampled_from(EVENTS),
        st.sampled_from([None, "", "academic", "financial"]),
    ),
    max_size=40,
)


def _frames(rows: list[tuple[int, int, str, str | None]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    learners = make_learners([(i, "2020-09", "2020-09-01") for i in range(1, 7)])
    events = make_events(
        [(lid, (FIRST_DAY + timedelta(days=d)).isoformat(), e, r) for lid, d, e, r in rows]
    )
    return learners, events


#: Whole careers random logs seldom reach: completers with each kind of employment record.
CAREERS = [
    (1, 0, "started", None),
    (1, 1000, "completed", None),
    (1, 1010, "employed_local", None),
    (2, 0, "started", None),
    (2, 1000, "completed", None),
    (2, 1020, "employed_elsewhere", None),
    (3, 0, "started", None),
    (3, 400, "interrupted", None),
    (3, 800, "returned", None),
    (3, 1200, "completed", None),
    (4, 0, "started", None),
    (4, 500, "withdrew", "financial"),
]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(logs)
@example(CAREERS)
def test_status_matches_an_event_by_event_replay(
    rows: list[tuple[int, int, str, str | None]],
) -> None:
    learners, events = _frames(rows)
    fast = learner_status(learners, events, as_of=AS_OF).set_index("learner_id")
    slow = replay(events, AS_OF)
    for lid in fast.index:
        t = slow.get(int(lid))
        row = fast.loc[lid]
        if t is None:
            assert row["status"] == "not_started" and not row["started"]
            assert not row["transferred_in"] and row["interrupted_days"] == 0
            continue
        assert row["status"] == t["status"]
        assert row["started"] == (t["started"] is not None)
        assert (pd.isna(row["start_event_date"]) and t["started"] is None) or (
            row["start_event_date"] == t["started"]
        )
        assert row["transferred_in"] == (t["transferred_in"] and t["started"] is None)
        assert (pd.isna(row["status_date"]) and t["status_date"] is None) or (
            row["status_date"] == t["status_date"]
        )
        assert row["interrupted_days"] == t["interrupted_days"]
        completed = t["status"] == "completed"
        assert row["employed_local"] == (t["employed_local"] and completed)
        assert row["employed_elsewhere"] == (t["employed_elsewhere"] and completed)
        if t["status"] == "withdrawn":
            assert row["withdrawal_reason"] == t["reason"]
        else:
            assert pd.isna(row["withdrawal_reason"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(logs)
@example(CAREERS)
def test_flows_match_one_path_per_learner(rows: list[tuple[int, int, str, str | None]]) -> None:
    learners, events = _frames(rows)
    status = learner_status(learners, events, as_of=AS_OF)
    expected: Counter[tuple[str, str]] = Counter()
    for r in status.loc[status["started"]].itertuples(index=False):
        reached = int(r.year_of_study) if r.status != "completed" else 3
        path = [STARTED, *(year_node(y) for y in range(1, reached + 1))]
        if r.status == "completed":
            local, elsewhere = r.employed_local, r.employed_elsewhere
            key = "local" if local else "elsewhere" if elsewhere else "unknown"
            path += [COMPLETED, EMPLOYMENT[key]]
        else:
            path.append(EXITS[str(r.status)])
        expected.update(pairwise(path))
    flows = pipeline_flows(status)
    got = {
        (s, t): int(n)
        for s, t, n in flows[["source", "target", "learners"]].itertuples(index=False, name=None)
    }
    assert got == dict(expected)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(logs, st.integers(0, 400))
@example(CAREERS, 0)
def test_the_stored_projection_gives_the_same_status(
    rows: list[tuple[int, int, str, str | None]], later: int
) -> None:
    """The learner_status table's rows (folded once over every event) give exactly
    learner_status on any date from the last event on, open interruptions counted to it."""
    learners, events = _frames(rows)
    events = events.loc[events["date"] <= pd.Timestamp(AS_OF)].reset_index(drop=True)
    projection = status_projection(learners, events)
    assert projection["learner_id"].is_unique and len(projection) == len(learners)
    for as_of in (AS_OF, AS_OF + timedelta(days=later)):
        pd.testing.assert_frame_equal(
            status_from_projection(learners, projection, as_of=as_of),
            learner_status(learners, events, as_of=as_of),
        )
