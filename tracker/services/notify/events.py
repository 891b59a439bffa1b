"""The events people are told of, as outbox messages queued in the event's own transaction.

Each function is called by the service that makes the event (``services.requests``,
``services.imports``, ``services.placements``) with the event's session, so an event that
rolls back takes its e-mails with it. Messages say what happened in the registers' words;
they carry no figure a recipient could not see in the app.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
from sqlmodel import Session

from tracker.access import SYSTEM, Principal
from tracker.clock import utcnow
from tracker.models import (
    NotificationKind,
    PlacementStatus,
    Role,
    User,
)
from tracker.queries.placements import visible_placements
from tracker.services.notify.outbox import (
    Message,
    hei_users,
    notify_users,
    queue_message,
    setting_contacts,
    users_with_role,
)

REQUEST_WORDS = {"submitted": "submitted", "changed": "changed", "withdrawn": "withdrawn"}


def request_event(
    session: Session,
    *,
    what: str,
    code: str,
    hei: str,
    programme: str,
    block: str,
    learners: int,
    actor: Principal,
    change: str = "",
    version: int | None = None,
) -> None:
    """An HEI request submitted, changed or withdrawn: told to every coordinator.

    ``change`` says what changed; with the request's new ``version`` each change is an event
    of its own (a request is submitted and withdrawn once, but may change many times)."""
    detail = f" {change}" if change else ""
    word = REQUEST_WORDS[what]
    message = Message(
        NotificationKind.REQUEST,
        f"Placement request {code} {word} by {hei}",
        f"{hei} {word} placement request {code}: {learners} learner(s) of {programme} in "
        f"block {block}.{detail}\n\nBy {actor.username} at {utcnow():%d %B %Y %H:%M} UTC.\n"
        "See the Requests page for every request.",
    )
    coordinators = users_with_role(session, Role.COORDINATOR.value)
    version_key = "" if version is None else f":v{version}"
    notify_users(session, coordinators, message, key=f"request:{code}:{what}{version_key}")


def requests_imported(
    session: Session, *, added: list[str], changed: list[str], audit_id: int, actor: Principal
) -> None:
    """Requests added or changed by an import: one message to every coordinator."""
    if not added and not changed:
        return
    parts = [
        f"Added: {', '.join(added)}" if added else "",
        f"Changed: {', '.join(changed)}" if changed else "",
    ]
    message = Message(
        NotificationKind.REQUEST,
        f"Placement requests imported: {len(added)} submitted, {len(changed)} changed",
        f"{actor.username} imported placement requests.\n\n"
        + "\n".join(p for p in parts if p)
        + "\n\nSee the Requests page for every request.",
    )
    coordinators = users_with_role(session, Role.COORDINATOR.value)
    notify_users(session, coordinators, message, key=f"request-import:{audit_id}")


def import_event(
    session: Session, *, principal: Principal, kind: str, summary: str, key: str, ok: bool
) -> None:
    """An import finished or was rejected: told to the person who ran it (not to systems)."""
    if principal.user_id is None:  # the command line or an API token: nobody to tell
        return
    user = session.get(User, principal.user_id)
    if user is None:
        return
    title = "finished" if ok else "rejected: nothing was written"
    message = Message(
        NotificationKind.IMPORT_DONE,
        f"Your {kind} import {title}",
        f"Your import of {kind} {title}.\n\n{summary}\n",
    )
    notify_users(session, [user], message, key=key)


def plan_published(session: Session, *, run_id: int) -> None:
    """A plan published: each HEI's users get their learners' placements, each setting's
    contact who is coming, when, and with whom as supervisor and assessor where named."""
    frame = visible_placements(
        session, principal=SYSTEM, statuses=(PlacementStatus.CONFIRMED.value,)
    )
    frame = frame[frame["run_id"] == run_id]
    named = frame[frame["learner"].notna()]
    rows = named if not named.empty else frame
    if rows.empty:
        return
    by_hei: dict[str, list[str]] = defaultdict(list)
    by_setting: dict[str, list[str]] = defaultdict(list)
    for row in rows.sort_values(
        ["block_start", "setting", "learner"], na_position="last"
    ).itertuples():
        line = _placement_line(row)
        by_hei[str(row.hei)].append(line)
        by_setting[str(row.setting)].append(line)
    for hei, lines in sorted(by_hei.items()):
        message = Message(
            NotificationKind.PLAN_PUBLISHED,
            f"Placements published for {hei}",
            f"A placement plan was published. {hei}'s learners:\n\n" + "\n".join(lines) + "\n",
        )
        notify_users(session, hei_users(session, hei), message, key=f"plan:{run_id}:hei:{hei}")
    _tell_setting_contacts(session, run_id, by_setting)


def _tell_setting_contacts(session: Session, run_id: int, by_setting: dict[str, list[str]]) -> None:
    contacts = setting_contacts(session, by_setting)
    for code, lines in sorted(by_setting.items()):
        address = contacts.get(code)
        if not address:
            continue
        message = Message(
            NotificationKind.PLAN_PUBLISHED,
            f"Learners coming to {code}",
            "A placement plan was published. Coming to your setting:\n\n" + "\n".join(lines) + "\n",
        )
        queue_message(
            session, message=message, address=address, key=f"plan:{run_id}:setting:{code}"
        )


def _placement_line(row: object) -> str:
    """One placement in words: who (or how many), where, when, and the named staff."""
    get = row.__getattribute__
    who = get("learner") if _present(get("learner")) else f"{get('learners')} learner(s)"
    line = (
        f"- {who} ({get('hei')}, {get('programme')}) at {get('setting_name')} ({get('setting')}), "
        f"block {get('block')}: {get('block_start'):%d %b %Y} to {get('block_end'):%d %b %Y}"
    )
    staff = [
        f"{label} {get(column)}"
        for label, column in (
            ("practice supervisor", "practice_supervisor"),
            ("practice assessor", "practice_assessor"),
        )
        if _present(get(column))
    ]
    return line + (f"; {', '.join(staff)}" if staff else "")


def _present(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and pd.isna(value)) and value != ""
