"""The reminders computed once a day: educational audits falling due, readiness lapsing.

``send-mail`` and the Celery beat task run :func:`queue_daily_reminders` on every pass; each
message's key names its recipient and the day, so however often it runs, each recipient gets
at most one reminder of each kind a day (and none once the audit is renewed or the checks
are recorded).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pandas as pd
from sqlmodel import Session

from tracker.access import SYSTEM
from tracker.models import (
    NotificationKind,
    PlacementStatus,
    Role,
)
from tracker.queries.audits import audits_register
from tracker.queries.placements import visible_placements
from tracker.queries.readiness import readiness_register
from tracker.services.notify.outbox import (
    Message,
    hei_users,
    notify_users,
    queue_message,
    setting_contacts,
    users_with_role,
)

#: An audit is worth a reminder from this long before it expires (and every day it is overdue).
AUDIT_NOTICE = timedelta(days=60)


def queue_daily_reminders(session: Session, *, day: date) -> None:
    """Queue today's audit and readiness reminders (once per recipient and day)."""
    audits_due_reminders(session, day=day)
    readiness_reminders(session, day=day)


def audits_due_reminders(session: Session, *, day: date) -> None:
    """Audits expiring within 60 days or overdue: to coordinators (every such audit) and to
    each setting's contact (its own)."""
    frame = audits_register(session, principal=SYSTEM, today=day)
    latest = frame.drop_duplicates("setting_id", keep="first")  # newest first per setting
    due = latest[
        latest["expires_on"].notna()
        & (pd.to_datetime(latest["expires_on"]).dt.date <= day + AUDIT_NOTICE)
    ]
    if due.empty:
        return
    lines = {
        str(r.setting_id): f"- {r.setting_name} ({r.setting_id}, {r.organisation}): "
        + ("overdue since" if r.expires_on < day else "expires on")
        + f" {r.expires_on:%d %B %Y}"
        for r in due.itertuples()
    }
    subject = f"Educational audits due: {len(lines)} setting(s)"
    body = "Educational audits expiring within 60 days or overdue:\n\n" + "\n".join(lines.values())
    message = Message(NotificationKind.AUDIT_DUE, subject, body + "\n")
    coordinators = users_with_role(session, Role.COORDINATOR.value)
    notify_users(session, coordinators, message, key=f"audit-due:{day.isoformat()}")
    contacts = setting_contacts(session, lines)
    for code, line in lines.items():
        if contacts.get(code):
            own = Message(
                NotificationKind.AUDIT_DUE,
                f"Educational audit due for {code}",
                f"Your setting's educational audit needs renewing:\n\n{line}\n",
            )
            queue_message(
                session, message=own, address=str(contacts[code]), key=f"audit-due:{day}:{code}"
            )


def readiness_reminders(session: Session, *, day: date) -> None:
    """Learners whose readiness lapses before their next placement ends: to their HEI's users."""
    placements = visible_placements(
        session, principal=SYSTEM, statuses=(PlacementStatus.CONFIRMED.value,)
    )
    placements = placements[placements["learner"].notna()]
    if placements.empty:
        return
    placements = placements[pd.to_datetime(placements["block_end"]).dt.date >= day]
    upcoming = placements.sort_values("block_start").drop_duplicates("learner", keep="first")
    ready = readiness_register(session, principal=SYSTEM, today=day)
    joined = upcoming.merge(
        ready[["learner_ref", "hei", "ready_until"]],
        left_on=["learner", "hei"],
        right_on=["learner_ref", "hei"],
    )
    joined = joined[joined["ready_until"].notna()]
    lapsing = joined[
        pd.to_datetime(joined["ready_until"]).dt.date < pd.to_datetime(joined["block_end"]).dt.date
    ]
    by_hei: dict[str, list[str]] = defaultdict(list)
    for r in lapsing.itertuples():
        by_hei[str(r.hei)].append(
            f"- {r.learner} ({r.programme}): ready until {r.ready_until:%d %B %Y}, placed at "
            f"{r.setting_name} from {r.block_start:%d %B %Y} to {r.block_end:%d %B %Y}"
        )
    for hei, lines in sorted(by_hei.items()):
        message = Message(
            NotificationKind.READINESS_EXPIRING,
            f"Readiness lapsing before placement: {len(lines)} {hei} learner(s)",
            "These learners' placement checks lapse before their next placement ends:\n\n"
            + "\n".join(lines)
            + "\n\nRecord the renewed checks on the Readiness page.\n",
        )
        key = f"readiness:{day.isoformat()}:{hei}"
        notify_users(session, hei_users(session, hei), message, key=key)
