"""Every notification event writes its outbox rows in the event's own transaction, to the
users who asked for it, and rolls back with it."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from tests.services.test_allocation_services import COORDINATOR, System, _run, build_system
from tracker.access import Principal
from tracker.data.importers import ImportRejected
from tracker.db import session_scope
from tracker.models import (
    Cohort,
    EducationalAudit,
    Learner,
    LearnerReadiness,
    NotificationPreference,
    OutboxMessage,
    Placement,
    PlacementRequest,
    PlacementSetting,
    Role,
    User,
)
from tracker.refusals import Refused
from tracker.services.imports import apply_import, tell_import_rejected
from tracker.services.named_learners import assign_named_learners
from tracker.services.notify.daily import queue_daily_reminders
from tracker.services.notify.digest import gather_digests
from tracker.services.notify.preferences import (
    my_notification_settings,
    save_notification_settings,
)
from tracker.services.placements import approve_run
from tracker.services.requests import set_makeup_learners, submit_request, withdraw_request


@pytest.fixture
def system(engine: Engine) -> System:
    with Session(engine) as session:
        built = build_system(session)
        heis = {"H1": built.h1.hei_id, "H2": built.h2.hei_id}
        for name, role, hei in [
            ("coord", "coordinator", None),
            ("coord2", "coordinator", None),
            ("admin", "admin", None),
            ("h1user", "hei", "H1"),
            ("h2user", "hei", "H2"),
        ]:
            session.add(
                User(
                    username=name,
                    password_hash="x",
                    role=role,
                    hei_id=heis[hei] if hei else None,
                    email=f"{name}@nhs.test",
                )
            )
        session.commit()
    return built


def _user(session: Session, name: str) -> User:
    return session.exec(select(User).where(User.username == name)).one()


def _principal(session: Session, name: str) -> Principal:
    user = _user(session, name)
    return Principal(name, Role(user.role), user_id=user.id, hei_id=user.hei_id)


def _outbox(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))))


def _cohort(session: Session, hei_id: int | None) -> int:
    cohort = session.exec(select(Cohort).where(Cohort.hei_id == hei_id)).first()
    assert cohort is not None and cohort.id is not None
    return cohort.id


def _submit_as_h1(session: Session, system: System, *, learners: int) -> PlacementRequest:
    return submit_request(
        session,
        principal=_principal(session, "h1user"),
        cohort_id=_cohort(session, system.h1.hei_id),
        block="2026-B1",
        learners=learners,
    )


def test_a_request_submitted_or_withdrawn_tells_every_coordinator(
    engine: Engine, system: System
) -> None:
    with session_scope(engine) as session:
        request = _submit_as_h1(session, system, learners=2)
        request_id, version = request.id, request.version
    rows = _outbox(engine)
    assert sorted(r.address for r in rows) == ["coord2@nhs.test", "coord@nhs.test"]
    assert all("submitted" in r.subject and r.status == "queued" for r in rows)
    assert "2 learner(s) of NUR in block 2026-B1" in rows[0].body

    with session_scope(engine) as session:
        off = _user(session, "coord2")
        session.add(NotificationPreference(user_id=off.id, kind="request", mode="off"))
    with session_scope(engine) as session:
        withdraw_request(
            session, principal=_principal(session, "h1user"), request_id=request_id, version=version
        )
    withdrawn = [r for r in _outbox(engine) if "withdrawn" in r.subject]
    assert [r.address for r in withdrawn] == ["coord@nhs.test"]  # coord2 switched it off


def test_each_change_to_a_request_tells_every_coordinator_once(
    engine: Engine, system: System
) -> None:
    """A request changed in place (its make-up hours learners) is an event of its own each
    time, so two changes give two messages per coordinator and saying the same again none."""
    with session_scope(engine) as session:
        request = _submit_as_h1(session, system, learners=4)
        request_id, version = request.id, request.version
    assert request_id is not None
    for makeup in (2, 1):
        with session_scope(engine) as session:
            changed = set_makeup_learners(
                session,
                principal=_principal(session, "h1user"),
                request_id=request_id,
                version=version,
                makeup=makeup,
            )
            version = changed.version
    rows = [r for r in _outbox(engine) if "changed" in r.subject]
    twice = ["coord2@nhs.test", "coord2@nhs.test", "coord@nhs.test", "coord@nhs.test"]
    assert sorted(r.address for r in rows) == twice
    bodies = {r.body.split("\n")[0] for r in rows}
    assert any("Make-up hours learners: 0 -> 2" in b for b in bodies)
    assert any("Make-up hours learners: 2 -> 1" in b for b in bodies)


def test_a_request_that_rolls_back_queues_no_mail(engine: Engine, system: System) -> None:
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        _submit_as_h1(session, system, learners=1)
        assert len(_outbox_in(session)) == 2  # written in the event's transaction...
        raise RuntimeError("something after the request failed")
    assert _outbox(engine) == []  # ...and gone with it


def _outbox_in(session: Session) -> list[OutboxMessage]:
    return list(session.exec(select(OutboxMessage)))


def _learners_frame(refs: list[str], hei: str = "H1") -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "learner_ref": ref,
                "hei": hei,
                "programme": "NUR",
                "intake": "2025-09",
                "start_date": "2025-09-22",
            }
            for ref in refs
        ]
    )


def test_an_import_finished_or_rejected_tells_the_person_who_ran_it(
    engine: Engine, system: System
) -> None:
    with session_scope(engine) as session:
        me = _principal(session, "h1user")
        apply_import(session, me, "learners", _learners_frame(["H1-NEW1"]))
    rows = _outbox(engine)
    assert [(r.address, r.kind) for r in rows] == [("h1user@nhs.test", "import_done")]
    assert "finished" in rows[0].subject and "1 added" in rows[0].body.lower()

    with pytest.raises(ImportRejected) as rejected, session_scope(engine) as session:
        apply_import(session, me, "learners", _learners_frame(["H2-X"], hei="H2"))
    assert len(_outbox(engine)) == 1  # the rejected import's transaction wrote nothing
    with session_scope(engine) as session:
        tell_import_rejected(session, me, "learners", rejected.value.report)
    last = _outbox(engine)[-1]
    assert last.address == "h1user@nhs.test" and "rejected" in last.subject


def test_a_published_plan_tells_each_hei_its_learners_and_each_setting_who_is_coming(
    engine: Engine, system: System
) -> None:
    with session_scope(engine) as session:
        s1 = session.get(PlacementSetting, system.settings["S1"])
        assert s1 is not None
        s1.contact_email = "ward1@trust.test"
        digest = _user(session, "h2user")
        session.add(NotificationPreference(user_id=digest.id, kind="plan_published", mode="digest"))
    run_id = _run(engine, max_km=50)
    with session_scope(engine) as session:
        assign_named_learners(session, principal=COORDINATOR, run_id=run_id)
    assert _outbox(engine) == []  # a proposed plan tells nobody
    with session_scope(engine) as session:
        approve_run(session, principal=COORDINATOR, run_id=run_id)
    rows = {r.address: r for r in _outbox(engine)}
    assert set(rows) == {"h1user@nhs.test", "h2user@nhs.test", "ward1@trust.test"}
    h1 = rows["h1user@nhs.test"]
    assert h1.status == "queued" and "H1-L" in h1.body and "H2-L" not in h1.body
    assert rows["h2user@nhs.test"].status == "held"  # chose the daily digest
    ward = rows["ward1@trust.test"].body
    assert "Setting S1" in ward and "Setting S2" not in ward and "07 Sep 2026" in ward

    with session_scope(engine) as session:
        assert gather_digests(session, day=date(2026, 9, 1)) == 1
        assert gather_digests(session, day=date(2026, 9, 1)) == 0  # one digest a day
    digests = [r for r in _outbox(engine) if r.kind == "digest"]
    assert [d.address for d in digests] == ["h2user@nhs.test"] and "H2-L" in digests[0].body
    assert {r.status for r in _outbox(engine) if r.address == "h2user@nhs.test"} == {
        "gathered",
        "queued",
    }


def test_daily_reminders_of_audits_due_and_readiness_lapsing_once_a_day(
    engine: Engine, system: System
) -> None:
    day = date(2026, 8, 1)
    run_id = _run(engine, max_km=50)
    with session_scope(engine) as session:
        assign_named_learners(session, principal=COORDINATOR, run_id=run_id)
        approve_run(session, principal=COORDINATOR, run_id=run_id)
    with session_scope(engine) as session:
        for code, expires in [
            ("S1", day + timedelta(days=30)),
            ("S2", day - timedelta(days=1)),
            ("S3", day + timedelta(days=200)),
        ]:
            setting = session.get(PlacementSetting, system.settings[code])
            assert setting is not None
            setting.contact_email = f"{code.lower()}@trust.test"
            session.add(
                EducationalAudit(
                    setting_id=setting.id,
                    audited_on=date(2024, 9, 1),
                    outcome="approved",
                    expires_on=expires,
                )
            )
        learner = session.exec(
            select(Learner)
            .join(Placement, col(Placement.learner_id) == Learner.id)
            .where(Placement.run_id == run_id, col(Learner.learner_ref).startswith("H1-"))
            .order_by(col(Learner.learner_ref))
        ).first()
        assert learner is not None
        placed_ref = learner.learner_ref
        lapses = date(2026, 10, 1)  # inside block 2026-B1 (7 Sep to 27 Nov)
        session.add(
            LearnerReadiness(
                learner_id=learner.id,
                dbs_valid_until=lapses,
                occupational_health_valid_until=date(2027, 9, 1),
                mandatory_training_valid_until=date(2027, 9, 1),
            )
        )
    placed = _outbox(engine)
    with session_scope(engine) as session:
        queue_daily_reminders(session, day=day)
        queue_daily_reminders(session, day=day)  # a second pass the same day adds nothing
    new = [
        r
        for r in _outbox(engine)
        if r not in placed and r.kind in ("audit_due", "readiness_expiring")
    ]
    audits = {r.address: r for r in new if r.kind == "audit_due"}
    assert set(audits) == {"coord@nhs.test", "coord2@nhs.test", "s1@trust.test", "s2@trust.test"}
    assert "overdue since 31 July 2026" in audits["coord@nhs.test"].body
    assert "S3" not in audits["coord@nhs.test"].body  # 200 days off: not yet
    ready = [r for r in new if r.kind == "readiness_expiring"]
    assert [r.address for r in ready] == ["h1user@nhs.test"]
    assert placed_ref in ready[0].body and "01 October 2026" in ready[0].body
    with session_scope(engine) as session:
        queue_daily_reminders(session, day=day + timedelta(days=1))  # the next day: again
    assert len([r for r in _outbox(engine) if r.kind == "audit_due"]) == 2 * len(audits)


def test_users_keep_their_own_settings_and_bad_values_are_refused(
    engine: Engine, system: System
) -> None:
    with session_scope(engine) as session:
        me = _principal(session, "coord")
        mine = my_notification_settings(session, principal=me)
        assert mine.email == "coord@nhs.test" and {m.value for m in mine.modes.values()} == {
            "immediate"
        }
        modes = {k.value: "digest" for k in mine.modes}
        saved = save_notification_settings(
            session, principal=me, email="c.new@nhs.test", modes={**modes, "request": "off"}
        )
        assert saved.modes[next(k for k in saved.modes if k.value == "request")].value == "off"
    with session_scope(engine) as session:
        assert _user(session, "coord").email == "c.new@nhs.test"
        with pytest.raises(Refused) as refused:
            save_notification_settings(
                session, principal=me, email="not an address", modes={"request": "loud"}
            )
        assert len(refused.value.problems) >= 2
        with pytest.raises(Refused):
            my_notification_settings(session, principal=Principal("system", Role.ADMIN))


def test_a_settings_contact_address_is_importable_and_checked(
    engine: Engine, system: System
) -> None:
    def frame(address: str) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "setting_id": "S1",
                    "organisation": "T1",
                    "name": "Setting S1",
                    "sector": "acute",
                    "programmes": "*",
                    "contact_email": address,
                }
            ]
        )

    with pytest.raises(ImportRejected) as rejected, session_scope(engine) as session:
        apply_import(session, COORDINATOR, "settings", frame("ward one at trust"))
    assert [p.column for p in rejected.value.report.problems] == ["contact_email"]
    with session_scope(engine) as session:
        apply_import(session, COORDINATOR, "settings", frame("ward1@trust.test"))
    with Session(engine) as session:
        setting = session.get(PlacementSetting, system.settings["S1"])
        assert setting is not None and setting.contact_email == "ward1@trust.test"


def test_the_outbox_is_read_by_administrators_only_and_filtered_by_status(
    engine: Engine, system: System
) -> None:
    from tracker.access import AccessDenied
    from tracker.queries.outbox import outbox_counts, outbox_frame

    with session_scope(engine) as session:
        _submit_as_h1(session, system, learners=1)
        first = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).first()
        assert first is not None
        first.status, first.last_error = "failed", "550 5.1.1 no such mailbox"
    with Session(engine) as session:
        admin = _principal(session, "admin")
        every = outbox_frame(session, principal=admin)
        assert len(every) == 2 and set(every["outbox_status"]) == {"queued", "failed"}
        failed = outbox_frame(session, principal=admin, status="failed")
        assert list(failed["last_error"]) == ["550 5.1.1 no such mailbox"]
        assert outbox_counts(session, principal=admin) == {"failed": 1, "queued": 1}
        for name in ("coord", "h1user"):
            with pytest.raises(AccessDenied):
                outbox_frame(session, principal=_principal(session, name))


def test_an_account_without_an_address_uses_its_single_sign_on_address_else_gets_none(
    engine: Engine, system: System
) -> None:
    from datetime import UTC, datetime

    from tracker.models import SsoIdentity

    with session_scope(engine) as session:
        coord, coord2 = _user(session, "coord"), _user(session, "coord2")
        coord.email = coord2.email = None
        seen = datetime(2026, 9, 1, tzinfo=UTC)
        session.add(
            SsoIdentity(
                issuer="https://login.microsoftonline.com/t/v2.0",
                subject="abc",
                email="coord.sso@nhs.test",
                user_id=coord.id,
                first_seen_at=seen,
                last_seen_at=seen,
            )
        )
    with session_scope(engine) as session:
        _submit_as_h1(session, system, learners=1)
    assert [r.address for r in _outbox(engine)] == ["coord.sso@nhs.test"]  # coord2: no address


def test_requests_added_or_changed_by_an_import_tell_the_coordinators(
    engine: Engine, system: System
) -> None:
    def row(code: str, learners: int) -> dict[str, object]:
        return {
            "request_id": code,
            "hei": "H1",
            "programme": "NUR",
            "intake": "2025-09",
            "block": "2026-B1",
            "learners": learners,
        }

    frame = pd.DataFrame([row("R1", 3), row("R9", 2)])  # R1 was 4 learners: changed
    with session_scope(engine) as session:
        apply_import(session, _principal(session, "h1user"), "requests", frame)
    told = [r for r in _outbox(engine) if r.kind == "request"]
    assert sorted(r.address for r in told) == ["coord2@nhs.test", "coord@nhs.test"]
    assert "1 submitted, 1 changed" in told[0].subject
    assert "Added: R9" in told[0].body and "Changed: R1" in told[0].body
    mine = [r for r in _outbox(engine) if r.kind == "import_done"]
    assert [r.address for r in mine] == ["h1user@nhs.test"]
