"""The demo system: its data (``tracker.data.demo``) and its sign-in accounts, in one step.

The data layer writes the registers and learners; the accounts are users, so the user
service creates them. Both go into the caller's transaction.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from tracker.data.demo import DEFAULT_SEED, has_organisations, write_demo_rows
from tracker.data.demo_summary import DemoSummary
from tracker.services.learner_status import rebuild_learner_status
from tracker.services.users import create_demo_accounts


def generate_demo(session: Session, *, seed: int = DEFAULT_SEED, scale: int = 1) -> DemoSummary:
    """Fill an empty database with the demo system and its accounts (see ``write_demo_rows``)."""
    summary = write_demo_rows(session, seed=seed, scale=scale)
    session.flush()
    rebuild_learner_status(session)
    accounts = create_demo_accounts(session)
    session.flush()
    return dataclasses.replace(summary, users=len(accounts))


def ensure_demo_data(engine: Engine) -> DemoSummary | None:
    """Seed the demo system on first start; None when the database already has data.

    Several web workers may start at once: the loser of that race hits the unique codes,
    rolls back and finds the winner's data, which is not an error.
    """
    with Session(engine) as session:
        if has_organisations(session):
            return None
        try:
            summary = generate_demo(session)
            session.commit()
        except IntegrityError:
            session.rollback()
            if has_organisations(session):
                return None
            raise
    return summary
