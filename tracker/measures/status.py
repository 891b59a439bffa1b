"""Each learner's position on their programme as of a date, derived from the event log.

Every measure starts from this one table so that "withdrawn", "completed on time" and
"year of study" mean the same thing on every page, export and test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from tracker.measures.definitions import EVENT_PRECEDENCE, REASON_NOT_RECORDED, STATUS_EVENTS

LEARNER_COLUMNS = (
    "learner_id",
    "learner_ref",
    "hei",
    "programme",
    "profession_group",
    "route",
    "intake",
    "start_date",
    "years",
)
EVENT_COLUMNS = ("learner_id", "date", "event", "reason")


def academic_year(day: date | pd.Timestamp) -> str:
    """Academic year (September to August) as users write it, e.g. '2023/24'."""
    first = day.year if day.month >= 9 else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def academic_year_start(label: str) -> pd.Timestamp:
    """1 September of an academic year given as '2023/24'."""
    return pd.Timestamp(int(label[:4]), 9, 1)


def intake_academic_year(intake: pd.Series) -> pd.Series:
    """Academic year of 'YYYY-MM' intakes: a January 2024 intake belongs to 2023/24."""
    text = intake.astype(str)
    year = text.str.slice(0, 4).astype(int)
    month = text.str.slice(5, 7).astype(int)
    first = year.where(month >= 9, year - 1)
    return first.astype(str) + "/" + ((first + 1) % 100).astype(str).str.zfill(2)


def standard_end_date(start_date: pd.Series, years: pd.Series) -> pd.Series:
    """Start date + standard programme length, counted in whole calendar months.

    Calendar months (not 365-day years) so that a 3-year programme starting 2020-09-21 is
    due on 2023-09-21, as learners and HEIs reckon it.
    """
    months = (years.astype(float) * 12).round()
    # Learners share a handful of (start, length) pairs: add the months once per pair, not
    # once per learner (the per-row DateOffset was most of a dashboard's time at 60k learners).
    pairs = pd.DataFrame({"start": pd.to_datetime(start_date).to_numpy(),
                          "months": months.to_numpy()})
    known = pairs.dropna().drop_duplicates()
    known = known.assign(end=[s + pd.DateOffset(months=int(m))
                              for s, m in zip(known["start"], known["months"], strict=True)])
    out = pairs.merge(known, on=["start", "months"], how="left")["end"]
    return pd.Series(pd.to_datetime(out).to_numpy(), index=start_date.index)


def whole_years_between(start: pd.Series, end: pd.Series) -> pd.Series:
    """Anniversaries of `start` passed by `end` (both datetime64 Series)."""
    before = (end.dt.month < start.dt.month) | (
        (end.dt.month == start.dt.month) & (end.dt.day < start.dt.day)
    )
    return end.dt.year - start.dt.year - before.astype(int)


@dataclass
class _Track:
    """Running state of one learner while replaying events in order."""

    started: pd.Timestamp | None = None
    transferred_in: bool = False
    status: str = "not_started"
    status_date: pd.Timestamp | None = None
    withdrawal_reason: str | None = None
    completion_date: pd.Timestamp | None = None
    employed_local: bool = False
    employed_elsewhere: bool = False
    interrupted_since: pd.Timestamp | None = None
    interrupted_days: int = 0


def sort_events(events: pd.DataFrame) -> pd.DataFrame:
    """Events in the order they happened: by learner, date, then same-day precedence."""
    ev = events.copy()
    ev["_rank"] = ev["event"].map(EVENT_PRECEDENCE).fillna(99)
    return ev.sort_values(["learner_id", "date", "_rank"], kind="stable").drop(columns="_rank")


def statuses_on(sorted_events: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    """Status by learner_id at the end of `day`, from events already in `sort_events` order.

    A fast path for measures that need the status on many dates (in-year attrition);
    learners with no status event by then are absent.
    """
    ev = sorted_events.loc[
        (sorted_events["date"] <= day) & sorted_events["event"].isin(list(STATUS_EVENTS))
    ]
    return ev.groupby("learner_id", sort=False)["event"].last().map(STATUS_EVENTS)


def learner_status(learners: pd.DataFrame, events: pd.DataFrame, *, as_of: date) -> pd.DataFrame:
    """One row per learner: status and milestones as known on `as_of` (inclusive).

    Events dated after `as_of` are ignored, so any past view can be reproduced exactly.
    Returns the learner columns plus: intake_year, started, transferred_in, status,
    status_date, start_event_date, withdrawal_date, withdrawal_reason, transfer_out_date,
    completion_date, due_date, due, completed_on_time, employed_local, employed_elsewhere,
    interrupted_days, year_of_study.

    `year_of_study` is taken at the exit date for those who left or completed and at
    `as_of` otherwise; time spent interrupted does not count towards it (a learner who
    interrupts for a year in year 1 returns to year 1), and it is capped at the
    programme's final year.
    """
    cutoff = pd.Timestamp(as_of)
    ev = events.loc[pd.to_datetime(events["date"]) <= cutoff, list(EVENT_COLUMNS)]
    ev = sort_events(ev)

    tracks: dict[int, _Track] = {}
    for lid, day, event, reason in ev.itertuples(index=False, name=None):
        t = tracks.setdefault(int(lid), _Track())
        day = pd.Timestamp(day)
        if event == "started" and t.started is None:
            t.started = day
        if event == "transferred_in":
            t.transferred_in = True
        if event == "employed_local":
            t.employed_local = True
        elif event == "employed_elsewhere":
            t.employed_elsewhere = True
        if event not in STATUS_EVENTS:
            continue
        new = STATUS_EVENTS[event]
        if t.status == "interrupted" and new != "interrupted" and t.interrupted_since is not None:
            t.interrupted_days += (day - t.interrupted_since).days
            t.interrupted_since = None
        if new == "interrupted" and t.status != "interrupted":
            t.interrupted_since = day
        t.status, t.status_date = new, day
        if new == "withdrawn":
            t.withdrawal_reason = reason if isinstance(reason, str) and reason else None
        if new == "completed":
            t.completion_date = day

    out = learners.copy().reset_index(drop=True)
    out["start_date"] = pd.to_datetime(out["start_date"])
    ids = out["learner_id"].astype(int)
    blank = _Track()
    rows = [tracks.get(i, blank) for i in ids]
    out["intake_year"] = intake_academic_year(out["intake"])
    out["started"] = [r.started is not None for r in rows]
    out["start_event_date"] = pd.to_datetime([r.started for r in rows])
    out["transferred_in"] = [r.transferred_in and r.started is None for r in rows]
    out["status"] = [r.status for r in rows]
    out["status_date"] = pd.to_datetime([r.status_date for r in rows])
    still_interrupted = [
        (cutoff - r.interrupted_since).days if r.interrupted_since is not None else 0 for r in rows
    ]
    out["interrupted_days"] = np.array([r.interrupted_days for r in rows]) + np.array(
        still_interrupted, dtype=int
    )

    status = out["status"]
    out["withdrawal_date"] = out["status_date"].where(status == "withdrawn")
    out["withdrawal_reason"] = pd.Series(
        [r.withdrawal_reason or REASON_NOT_RECORDED for r in rows], index=out.index
    ).where(status == "withdrawn")
    out["transfer_out_date"] = out["status_date"].where(status == "transferred_out")
    out["completion_date"] = out["status_date"].where(status == "completed")

    # A missing contract start date falls back to the recorded start event.
    out["start_date"] = out["start_date"].fillna(out["start_event_date"])
    out["due_date"] = standard_end_date(out["start_date"], out["years"])
    out["due"] = out["due_date"] <= cutoff
    out["completed_on_time"] = (status == "completed") & (out["completion_date"] <= out["due_date"])
    out["employed_local"] = [r.employed_local for r in rows]
    out["employed_elsewhere"] = [r.employed_elsewhere for r in rows]
    out["employed_local"] &= status == "completed"
    out["employed_elsewhere"] &= status == "completed"
    out["year_of_study"] = year_of_study(out, cutoff)
    return out


def year_of_study(status: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    """Year of study at exit (withdrawal, transfer, completion) or at `as_of` if still on.

    Nullable integer; missing for learners who have not started.
    """
    on = status["status"].isin(["active", "interrupted"])
    at = status["status_date"].where(~on, as_of)
    effective_start = status["start_date"] + pd.to_timedelta(status["interrupted_days"], unit="D")
    full = whole_years_between(effective_start, at) + 1
    final_year = np.ceil(status["years"].astype(float)).clip(lower=1)
    year = full.clip(lower=1, upper=final_year).where(status["status"] != "not_started")
    return year.astype("Int64")
