"""The placement provider role: a user of one organisation that runs settings sees that
organisation's settings only: the placements coming there, its audits, its quality view
(under the same minimum of responses) and its tariff; no learner pipeline, no requests and
no allocation runs.

The examples (tests/services/test_quality.py) give settings T1-WARD12 and T1-PHYSIO
(TRUST-1), GP1-MAIN (GP-1) and CARE1-OAKS; UNI-A asks for 8 BSC-ADULT learners in 2025-B1
(WARD12 has 6 places, GP1-MAIN 2), so an approved run places learners at both TRUST-1 and GP-1.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from tests.data.test_importers import FILES, load_examples, run
from tests.services.test_quality import COORDINATOR, _evaluate, _run
from tracker.access import AccessDenied, Principal, can_view_page
from tracker.db import session_scope
from tracker.models import (
    EducationalAudit,
    Organisation,
    Placement,
    PlacementSetting,
    Role,
    SupervisionCapacity,
)
from tracker.queries.audits import audits_register
from tracker.queries.overview import headline_counts
from tracker.queries.placements import learner_placements, visible_placements
from tracker.queries.runs import run_history
from tracker.queries.settings import settings_register
from tracker.services.named_learners import assign_named_learners
from tracker.services.placements import approve_run
from tracker.services.quality_reports import quality_report
from tracker.services.quality_reviews import start_review
from tracker.services.tariff_reports import tariff_report
from tracker.services.users import UserError, authenticate, create_user


@pytest.fixture
def loaded(engine: Engine) -> Engine:
    load_examples(engine, upto="requests")
    return engine


def _provider(engine: Engine, code: str) -> Principal:
    with Session(engine) as session:
        org = session.exec(select(Organisation).where(Organisation.code == code)).one()
    return Principal(f"{code}-user", Role.PROVIDER, organisation_id=org.id)


def _organisations(engine: Engine) -> list[Organisation]:
    with Session(engine) as session:
        return list(session.exec(select(Organisation)).all())


@pytest.fixture
def published(loaded: Engine) -> Engine:
    """The 2025-B1 plan approved with its learners named."""
    with session_scope(loaded) as session:  # the example audit of the ward postdates 2025-B1
        for audit in session.exec(select(EducationalAudit)).all():
            audit.audited_on = date(2024, 3, 10)
    run_id = _run(loaded)
    with session_scope(loaded) as session:
        assign_named_learners(session, principal=COORDINATOR, run_id=run_id)
    with session_scope(loaded) as session:
        approve_run(session, principal=COORDINATOR, run_id=run_id)
    run(loaded, "tariff", (FILES / "tariff.csv").read_bytes())
    return loaded


def test_a_provider_sees_only_the_placements_coming_to_its_settings(published: Engine) -> None:
    trust, gp = _provider(published, "TRUST-1"), _provider(published, "GP-1")
    with Session(published) as session:
        every = visible_placements(session, principal=COORDINATOR)
        theirs = visible_placements(session, principal=trust)
        # asking for another organisation's gives nothing
        other = visible_placements(session, principal=trust, organisation_id=gp.organisation_id)
        named = session.exec(select(Placement).where(col(Placement.learner_id).is_not(None)))
        learner_id = int(named.first().learner_id)  # type: ignore[union-attr,arg-type]
        history = learner_placements(session, principal=trust, learner_id=learner_id)
    assert set(every["setting"]) >= {"T1-WARD12", "GP1-MAIN"}
    assert len(theirs) and set(theirs["setting"]) <= {"T1-WARD12", "T1-PHYSIO"}
    assert theirs["learner"].notna().any()  # who is coming: named learners
    assert other.empty and history.empty


def test_a_provider_reads_its_own_audits_quality_and_tariff(published: Engine) -> None:
    trust = _provider(published, "TRUST-1")
    _evaluate(published, "T1-WARD12", [4, 4, 5, 3, 4, 4], date(2025, 2, 17), "ward")
    _evaluate(published, "GP1-MAIN", [2, 2, 3, 2, 2], date(2025, 2, 18), "practice")
    with session_scope(published) as session:
        start_review(
            session, COORDINATOR, setting="GP1-MAIN", reason="Poor", started_on=date(2025, 3, 1)
        )
    with Session(published) as session:
        audits = audits_register(session, principal=trust, today=date(2025, 3, 1))
        settings = settings_register(session, principal=trust)
        quality = quality_report(session, principal=trust, min_responses=5)
        staff_view = quality_report(session, principal=COORDINATOR, min_responses=5)
        tariff = tariff_report(session, principal=trust)
        every_tariff = tariff_report(session, principal=COORDINATOR)
    assert set(audits["organisation"]) == {"TRUST-1"}
    assert set(settings["organisation"]) == {"TRUST-1"}
    assert set(quality.table["setting"]) == {"T1-WARD12"}
    assert set(staff_view.table["setting"]) == {"T1-WARD12", "GP1-MAIN"}
    assert quality.reviews.empty and not staff_view.reviews.empty
    assert set(quality.comments["setting"]) <= {"T1-WARD12"}
    names = {o.code: o.name for o in _organisations(published)}
    assert set(tariff.rows()["organisation"]) == {names["TRUST-1"]}
    assert set(every_tariff.rows()["organisation"]) >= {names["TRUST-1"], names["GP-1"]}


def test_a_provider_has_no_pipeline_requests_runs_or_reviews(published: Engine) -> None:
    trust = _provider(published, "TRUST-1")
    for page in ("cohorts", "outlook", "pipeline", "requests", "allocation", "readiness"):
        assert not can_view_page(trust, page)
    for page in ("placements", "audits", "quality", "tariff", "home"):
        assert can_view_page(trust, page)
    with Session(published) as session, pytest.raises(AccessDenied):
        run_history(session, principal=trust)
    with session_scope(published) as session, pytest.raises(AccessDenied):
        start_review(session, trust, setting="T1-WARD12", reason="x", started_on=date(2025, 3, 1))


def test_a_provider_account_belongs_to_one_provider_organisation(loaded: Engine) -> None:
    refusals = [
        ("provider", None, "must belong"),
        ("provider", "UNI-A", "not the code of a provider"),
        ("coordinator", "TRUST-1", "Only placement provider users"),
    ]
    with session_scope(loaded) as session:
        for role, code, why in refusals:
            with pytest.raises(UserError, match=why):
                create_user(
                    session,
                    username="p1",
                    password="p1 password!",
                    role=role,
                    organisation_code=code,
                )
        create_user(
            session,
            username="p1",
            password="p1 password!",
            role="provider",
            organisation_code="TRUST-1",
        )
    with session_scope(loaded) as session:
        principal = authenticate(session, "p1", "p1 password!", demo_mode=False).principal
    assert principal is not None and principal.is_provider
    assert principal.organisation_id == _provider(loaded, "TRUST-1").organisation_id


def test_a_providers_home_counts_only_its_own_settings_and_places(loaded: Engine) -> None:
    """The home page's setting and place counts are the organisation's own for a provider
    (the system's for staff): TRUST-1 runs two of the examples' settings."""
    with Session(loaded) as session:
        system = headline_counts(session, principal=COORDINATOR)
        trust = headline_counts(session, principal=_provider(loaded, "TRUST-1"))
        settings = session.exec(select(PlacementSetting)).all()
        capacity = session.exec(select(SupervisionCapacity)).all()
        org = session.exec(select(Organisation).where(Organisation.code == "TRUST-1")).one()
    own = {s.id for s in settings if s.organisation_id == org.id and s.active}
    assert trust.active_settings == len(own) == 2 < system.active_settings
    assert trust.places == sum(
        c.practice_supervisors * c.learners_per_supervisor for c in capacity if c.setting_id in own
    )
    assert 0 < trust.places < system.places
