"""Cohorts, learners and learner events: the learner pipeline."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, func, select

from tracker.data.importers.core import (
    Action,
    Column,
    Context,
    KindSpec,
    by_key,
    chunks,
    keys,
    max_length,
    upsert,
)
from tracker.data.importers.registers import resolve_hei, resolve_programme
from tracker.data.importers.rows import Row
from tracker.measures.definitions import EVENT_PRECEDENCE
from tracker.models import (
    Cohort,
    EventType,
    Learner,
    LearnerEvent,
    Organisation,
    Programme,
    WithdrawalReason,
)

CohortKey = tuple[int, int, int, int]


def load_cohorts(session: Session, hei_ids: Iterable[int]) -> dict[CohortKey, Cohort]:
    found: dict[CohortKey, Cohort] = {}
    for batch in chunks(sorted(set(hei_ids))):
        for c in session.exec(select(Cohort).where(col(Cohort.hei_id).in_(batch))).all():
            found[(c.hei_id, c.programme_id, c.intake_year, c.intake_month)] = c
    return found


def registers(
    ctx: Context, rows: list[Row]
) -> tuple[dict[str, Organisation], dict[str, Programme]]:
    """HEIs and programmes named in the file, loaded once."""
    orgs = by_key(ctx.session, Organisation, Organisation.code, (r.raw("hei") for r in rows))
    programmes = by_key(ctx.session, Programme, Programme.code, (r.raw("programme") for r in rows))
    return orgs, programmes


def plan_cohorts(ctx: Context, rows: list[Row]) -> list[Action]:
    orgs, programmes = registers(ctx, rows)
    existing = load_cohorts(ctx.session, (o.id for o in orgs.values() if o.id is not None))
    seen: dict[CohortKey, int] = {}
    actions = []
    for row in rows:
        hei = resolve_hei(row, "hei", orgs)
        programme = resolve_programme(row, "programme", programmes)
        intake = row.intake("intake")
        places = row.integer("commissioned_places")
        if hei is not None:
            row.own_hei("hei", hei.id, "cohorts")
        if hei is None or programme is None or intake is None:
            continue
        assert hei.id is not None and programme.id is not None
        key = (hei.id, programme.id, *intake)
        row.first_time(seen, key, "intake", "cohort (same hei, programme and intake)")
        if row.bad:
            continue
        label = f"{hei.code}/{programme.code}/{row.raw('intake')}"
        create = {
            "hei_id": hei.id,
            "programme_id": programme.id,
            "intake_year": intake[0],
            "intake_month": intake[1],
        }
        values = {"commissioned_places": places}
        actions.append(upsert(Cohort, existing.get(key), label, values, create=create))
    return actions


def plan_learners(ctx: Context, rows: list[Row]) -> list[Action]:
    orgs, programmes = registers(ctx, rows)
    cohorts = load_cohorts(ctx.session, (o.id for o in orgs.values() if o.id is not None))
    existing: dict[str, tuple[Learner, int]] = {}
    first_event: dict[int, date] = {}
    refs = keys(r.raw("learner_ref") for r in rows)
    for batch in chunks(refs):
        query = (
            select(Learner, Cohort.hei_id).join(Cohort).where(col(Learner.learner_ref).in_(batch))
        )
        for learner, hei_id in ctx.session.exec(query).all():
            existing[learner.learner_ref] = (learner, hei_id)
        events = (
            select(LearnerEvent.learner_id, func.min(LearnerEvent.event_date))
            .join(Learner)
            .where(col(Learner.learner_ref).in_(batch))
            .group_by(col(LearnerEvent.learner_id))
        )
        first_event.update(dict(ctx.session.exec(events).all()))
    seen: dict[str, int] = {}
    actions = []
    for row in rows:
        ref = row.text("learner_ref", limit=max_length(Learner.learner_ref))
        hei = resolve_hei(row, "hei", orgs)
        programme = resolve_programme(row, "programme", programmes)
        intake = row.intake("intake")
        start = row.day("start_date")
        values: dict[str, object] = {"start_date": start}
        if row.has("home_postcode_district"):
            values["home_postcode_district"] = row.postcode_district(
                "home_postcode_district", limit=max_length(Learner.home_postcode_district)
            )
        if row.has("reasonable_adjustments"):
            values["reasonable_adjustments"] = row.flag("reasonable_adjustments", default=False)
        if row.has("max_travel_km"):
            values["max_travel_km"] = row.decimal(
                "max_travel_km", minimum=0, maximum=1000, required=False
            )
        if row.has("driver"):
            values["driver"] = row.flag("driver", default=False)
        if hei is not None:
            row.own_hei("hei", hei.id, "learners")
        current = existing.get(ref) if ref else None
        if current is not None and ctx.principal.is_hei:
            # An HEI user may not take over a learner reference another HEI already uses.
            row.own_hei("learner_ref", current[1], "learners")
        if ref is not None:
            row.first_time(seen, ref, "learner_ref", "learner reference")
        cohort = None
        if hei is not None and programme is not None and intake is not None:
            assert hei.id is not None and programme.id is not None
            cohort = cohorts.get((hei.id, programme.id, *intake))
            if cohort is None:
                row.problem(
                    "intake",
                    f"no cohort of {programme.code} at {hei.code} with this intake; "
                    "import cohorts first",
                )
        if cohort is not None and programme is not None and start is not None:
            opens = date(cohort.intake_year, cohort.intake_month, 1) - timedelta(days=31)
            closes = date(cohort.intake_year, cohort.intake_month, 1) + timedelta(
                days=round(365.25 * programme.years)
            )
            if not opens <= start <= closes:
                row.problem(
                    "start_date",
                    f"outside the intake: expected between {opens} and {closes} "
                    "(a month before the intake to the programme's standard end)",
                )
        if current is not None and start is not None:
            first = first_event.get(current[0].id or 0)
            if first is not None and first < start:
                row.problem(
                    "start_date", f"this learner has events recorded before it (from {first})"
                )
        if row.bad or ref is None or cohort is None:
            continue
        values["cohort_id"] = cohort.id
        known = current[0] if current else None
        actions.append(upsert(Learner, known, ref, values, create={"learner_ref": ref}))
    return actions


# --- learner events -----------------------------------------------------------------------------

ENDINGS = {EventType.WITHDREW.value: "withdrew", EventType.TRANSFERRED_OUT.value: "transferred out"}
STARTS = {EventType.STARTED.value, EventType.TRANSFERRED_IN.value}
EMPLOYMENT = {EventType.EMPLOYED_LOCAL.value, EventType.EMPLOYED_ELSEWHERE.value}


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


def plan_learner_events(ctx: Context, rows: list[Row]) -> list[Action]:
    learners: dict[str, tuple[Learner, int]] = {}
    stored: dict[int, list[LearnerEvent]] = defaultdict(list)
    refs = keys(r.raw("learner_ref") for r in rows)
    for batch in chunks(refs):
        query = (
            select(Learner, Cohort.hei_id).join(Cohort).where(col(Learner.learner_ref).in_(batch))
        )
        for learner, hei_id in ctx.session.exec(query).all():
            learners[learner.learner_ref] = (learner, hei_id)
        events = select(LearnerEvent).join(Learner).where(col(Learner.learner_ref).in_(batch))
        for ev in ctx.session.exec(events).all():
            stored[ev.learner_id].append(ev)
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
            row.problem("learner_ref", "no learner with this reference; import learners first")
        if found is not None and not row.own_hei("learner_ref", found[1], "learners"):
            continue
        if found is not None and day is not None and day < found[0].start_date:
            row.problem("date", f"before the learner's start date ({found[0].start_date})")
        repeated = False
        if ref is not None and day is not None and event is not None:
            key = (ref, day, event)
            repeated = not row.first_time(seen, key, "event", "event (same learner, date, event)")
        if found is None or day is None or event is None or repeated:
            continue
        learner = found[0]
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


def _codes(values: type[EventType] | type[WithdrawalReason]) -> str:
    return ", ".join(member.value for member in values)


COHORTS = KindSpec(
    kind="cohorts",
    description="One intake of one programme at one HEI, with its commissioned places.",
    access="hei",
    planner=plan_cohorts,
    columns=(
        Column("hei", "HEI organisation code", required=True),
        Column("programme", "programme code", required=True),
        Column("intake", "intake month YYYY-MM, e.g. 2024-09", required=True),
        Column(
            "commissioned_places", "places commissioned for this intake (0 or more)", required=True
        ),
    ),
)

LEARNERS = KindSpec(
    kind="learners",
    description="Pseudonymous learners, each in one cohort (no names or personal details).",
    access="hei",
    planner=plan_learners,
    columns=(
        Column(
            "learner_ref",
            "unique pseudonymous reference (never a name or student number)",
            required=True,
        ),
        Column("hei", "HEI organisation code", required=True),
        Column("programme", "programme code", required=True),
        Column("intake", "intake month YYYY-MM of an existing cohort", required=True),
        Column("start_date", "YYYY-MM-DD, from a month before the intake", required=True),
        Column("home_postcode_district", "outward code only, e.g. LS6"),
        Column("reasonable_adjustments", "yes/no (default no)"),
        Column("max_travel_km", "personal travel limit in km"),
        Column("driver", "yes/no (default no)"),
    ),
)

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
            f"one of {_codes(EventType)}; nothing may follow withdrew or "
            "transferred_out, only employment may follow completed",
            required=True,
        ),
        Column("reason", f"for withdrew only (required then): one of {_codes(WithdrawalReason)}"),
    ),
)
