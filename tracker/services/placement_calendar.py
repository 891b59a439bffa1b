"""Published placements as an iCalendar file (RFC 5545, ``.ics``) that a learner's or a
setting's own calendar (Outlook, Google, Apple) opens: one all-day event per placement, from
the block's first to its last day, at the setting.

The rows are the placements page's own (``queries.placements.visible_placements``), so the
file carries what the user may see and nothing more: an HEI user's file holds its own
learners' placements only. Each event keeps one UID per placement, so a file downloaded again
after a change (dates, supervisor, a cancellation: ``STATUS:CANCELLED``) updates the event a
calendar already holds instead of adding a second one.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
from icalendar import Calendar, Event
from sqlmodel import Session

from tracker.clock import utcnow
from tracker.queries.placements import setting_postcodes
from tracker.vocabulary import PLACEMENT_STATUSES, label

#: The calendar's product identifier (RFC 5545 PRODID).
PRODUCT = "-//Placement and Pipeline Tracker//Placements//EN"
#: Every event's UID ends with this, so a placement is one event in any calendar.
UID_DOMAIN = "placements.tracker"
#: What the event's description lists, in this order, where the row has it.
DESCRIBED = (
    "hei",
    "programme",
    "block",
    "request",
    "learner",
    "learners",
    "practice_supervisor",
    "practice_assessor",
    "status",
)


def _day(value: Any) -> date:
    day: date = pd.Timestamp(value).date()
    return day


def _summary(row: pd.Series) -> str:
    """What the calendar shows on the day: who (a named learner, or how many of an HEI's)
    goes where."""
    if pd.notna(row.get("learner")):
        who = str(row["learner"])
    else:
        count = int(row["learners"])
        who = f"{count} {row['hei']} learner{'' if count == 1 else 's'}"
    return f"Placement: {who} ({row['programme']}) at {row['setting_name']}"


def _description(row: pd.Series) -> str:
    lines = []
    for column in DESCRIBED:
        value = row.get(column)
        if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "":
            continue
        shown = PLACEMENT_STATUSES.get(str(value), str(value)) if column == "status" else value
        lines.append(f"{label(column)}: {shown}")
    return "\n".join(lines)


def _event(row: pd.Series, postcode: str | None, stamp: Any) -> Event:
    event = Event()
    event.add("uid", f"placement-{int(row['placement_id'])}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", _day(row["block_start"]))
    event.add("dtend", _day(row["block_end"]) + timedelta(days=1))  # all-day: end is exclusive
    event.add("summary", _summary(row))
    where = [row.get("setting_name"), row.get("organisation"), postcode]
    event.add("location", ", ".join(str(w) for w in where if w is not None and pd.notna(w)))
    event.add("description", _description(row))
    event.add("status", "CANCELLED" if row.get("status") == "cancelled" else "CONFIRMED")
    event.add("transp", "TRANSPARENT")  # an all-day placement does not block meeting slots
    return event


def placements_calendar(session: Session, rows: pd.DataFrame) -> bytes:
    """The placements of `rows` (``visible_placements``' columns) as one ``.ics`` file."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Placements")
    postcodes = setting_postcodes(session, sorted(set(rows["setting"].dropna())))
    stamp = utcnow()
    for _, row in rows.iterrows():
        calendar.add_component(_event(row, postcodes.get(row["setting"]), stamp))
    data: bytes = calendar.to_ical()
    return data
