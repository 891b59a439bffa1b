"""Learner events: each learner's history, append-only, checked as one sequence."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from sqlmodel import Session, col, select

from tracker.data.importers.common import codes
from tracker.data.importers.core import Action, Column, Context, KindSpec, chunks, keys
from tracker.data.importers.rows import Row
from tracker.measures.definitions import EVENT_PRECEDENCE
from tracker.models import Cohort, EventType, Learner, LearnerEvent, WithdrawalReason

ENDINGS: Mapping[str, str] = MappingProxyType(
    {EventType.WITHDREW.value: "withdrew", EventType.TRANSFERRED_OUT.value: "transferred out"}
)
STARTS = frozenset({EventType.STARTED.value, EventType.TRANSFERRED_IN.value})
EMPLOYMENT = frozenset({EventType.EMPLOYED_LOCAL.value, EventType.EMPLOYED_ELSEWHERE.value})


@dataclass
class _Event:
    day: date
    event: str
    row: Row | None  # None: already in the database

    def __str__(self) -> str:
        return f"{self.event} on {self.day}"


def _violation(e: _Event, state: dict[str, _Event]) -> tuple[_Event | None, str] | None:
    """Why ``e`` cannot happen given the learner's history so far, and which event says so."""
    if "ended" in state:
        ended = state["ended"]
        return ended, f"comes after the learner {ENDINGS[ended.event]} on {ended.day}"
    if "completed" in state and e.event not in EMPLOYMENT:
        done = state["completed"]
        return done, f"comes after the learner completed on {done.day}; only employment follows"
    if e.event in EMPLOYMENT and "completed" not in state:
        return None, "employment is recorded only after a completion"
    if e.event in STARTS and "started" in state:
        return state["started"], f"the learner already has {state['started']}"
    if e.event == EventType.INTERRUPTED.value and "interrupted" in state:
        return state["interrupted"], f"the learner is already interrupted ({state['interrupted']})"
    if e.event == EventType.RETURNED.value and "interrupted" not in state:
        return None, "a return needs an interruption before it"
    return None


def _advance(e: _Event, state: dict[str, _Event]) -> None:
    if e.event in STARTS:
        state["started"] = e
    elif e.event == EventType.INTERRUPTED.value:
        state["interrupted"] = e
    elif e.event == EventType.RETURNED.value:
        state.pop("interrupted", None)
    elif e.event in ENDINGS:
        state["ended"] = e
    elif e.event == EventType.COMPLETED.value:
        state["completed"] = e
        state.pop("interrupted", None)


def check_sequence(events: list[_Event]) -> None:
    """Replay stored and new events in order; blame the file row that breaks the sequence.

    A stored event made impossible by a new one (an earlier withdrawal in the file) is reported
    on that file row; problems among stored events alone are not the file's to answer for.
    """
    ordered = sorted(events, key=lambda e: (e.day, EVENT_PRECEDENCE.get(e.event, 99)))
    state: dict[str, _Event] = {}
    for e in ordered:
        found = _violation(e, state)
        if found is None:
            _advance(e, state)
            continue
        cause, message = found
        if e.row is not None:
            e.row.problem("event", message)
        elif cause is not None and cause.row is not None:
            cause.row.problem("event", f"{e}, already recorded, cannot follow this {cause.event}")
        else:
            _advance(e, state)


def _visible_learners(
    ctx: Context, rows: list[Row]
) -> tuple[dict[str, Learner], dict[int, list[LearnerEvent]]]:
    """The learners the file names that the user may see, with their stored events.

    An HEI user's lookup is limited to its own HEI in the query itself, so another HEI's
    learner takes exactly the path of a reference that exists nowhere.
    """
    learners: dict[str, Learner] = {}
    stored: dict[int, list[LearnerEvent]] = defaultdict(list)
    scope = ctx.principal.hei_id if ctx.principal.is_hei else None
    for batch in chunks(keys(r.raw("learner_ref") for r in rows)):
        query = select(Learner).join(Cohort).where(col(Learner.learner_ref).in_(batch))
        events = (
            select(LearnerEvent)
            .join(Learner)
            .join(Cohort)
            .where(col(Learner.learner_ref).in_(batch))
        )
        if scope is not None:
            query = query.where(Cohort.hei_id == scope)
            events = events.where(Cohort.hei_id == scope)
        for learner in ctx.session.exec(query).all():
            learners[learner.learner_ref] = learner
        for ev in ctx.session.exec(events).all():
            stored[ev.learner_id].append(ev)
    return learners, stored


def plan_learner_events(ctx: Context, rows: list[Row]) -> list[Action]:
    learners, stored = _visible_learners(ctx, rows)
    reasons = ", ".join(r.value for r in WithdrawalReason)
    seen: dict[tuple[str, date, str], int] = {}
    history: dict[int, list[_Event]] = {}
    new: list[tuple[Row, Learner, date, str, str | None]] = []
    actions: list[Action] = []
    for row in rows:
        ref = row.text("learner_ref")
        day = row.day("date")
        event = row.choice("event", EventType)
        reason = None
        if event == EventType.WITHDREW.value:
            if not row.raw("reason"):
                row.problem("reason", f"required for withdrawals: one of {reasons}")
            else:
                reason = row.choice("reason", WithdrawalReason)
        elif row.raw("reason"):
            row.problem("reason", "a reason is recorded only for withdrawals")
        found = learners.get(ref) if ref else None
        if ref is not None and found is None:
            row.unknown_reference("learner_ref", "learner", "import learners first")
        if found is not None and day is not None and day < found.start_date:
            row.problem("date", f"before the learner's start date ({found.start_date})")
        repeated = False
        if ref is not None and day is not None and event is not None:
            key = (ref, day, event)
            repeated = not row.first_time(seen, key, "event", "event (same learner, date, event)")
        if found is None or day is None or event is None or repeated:
            continue
        learner = found
        assert learner.id is not None
        if learner.id not in history:
            history[learner.id] = [_Event(e.event_date, e.event, None) for e in stored[learner.id]]
        same = [e for e in stored[learner.id] if (e.event_date, e.event) == (day, event)]
        if same:
            if row.bad:
                continue
            if same[0].reason != reason:
                row.problem(
                    "reason",
                    f"this event is already recorded with reason {same[0].reason or 'none'}; "
                    "events are never rewritten by an import",
                )
            else:
                actions.append(Action(f"{ref}/{day}/{event}", "unchanged"))
            continue
        # Rows with other problems still take part in the sequence check, so that one wrong
        # cell does not make every later event of the learner look out of order too.
        history[learner.id].append(_Event(day, event, row))
        new.append((row, learner, day, event, reason))
    for sequence in history.values():
        check_sequence(sequence)
    for row, learner, day, event, reason in new:
        if row.bad:
            continue
        actions.append(_add_event(ctx, learner, day, event, reason))
    return actions


def _add_event(ctx: Context, learner: Learner, day: date, event: str, reason: str | None) -> Action:
    by, now = ctx.principal.username, ctx.now
    assert learner.id is not None
    learner_id = learner.id

    def add(session: Session) -> None:
        session.add(
            LearnerEvent(
                learner_id=learner_id,
                event_date=day,
                event=event,
                reason=reason,
                recorded_at=now,
                recorded_by=by,
            )
        )

    key = f"{learner.learner_ref}/{day}/{event}"
    new = {"date": day.isoformat(), "event": event, "reason": reason}
    return Action(key, "added", {}, new, add)


LEARNER_EVENTS = KindSpec(
    kind="learner-events",
    description=(
        "Learner history, append-only: rows already recorded are left as they are, "
        "nothing is deleted."
    ),
    access="hei",
    planner=plan_learner_events,
    columns=(
        Column("learner_ref", "reference of an existing learner", required=True),
        Column("date", "YYYY-MM-DD, on or after the learner's start date", required=True),
        Column(
            "event",
            f"one of {codes(EventType)}; nothing may follow withdrew or "
            "transferred_out, only employment may follow completed",
            required=True,
        ),
        Column("reason", f"for withdrew only (required then): one of {codes(WithdrawalReason)}"),
    ),
)
