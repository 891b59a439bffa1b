"""Small hand-built pipeline for the query, service and export tests (both databases).

Two HEIs (H1, H2), two programmes (NUR nursing degree, PHY physiotherapy degree, 3 years).
  H1/NUR 2020-09: 30 starters; learners 0-2 withdraw (financial) in 2021, 3 transfers out,
      4 is interrupted, the rest complete on 2023-08-31 (0-9 of them employed locally).
  H1/NUR 2023-09: 10 starters, 1 withdraws (academic) in 2024, the rest study on.
  H2/NUR 2020-09: 30 starters, 12 withdraw (0-5 personal_health, 6-11 financial), rest complete.
  H2/PHY 2021-09: 4 starters, 1 withdraws (academic), rest study on.
Figures are as of 2024-10-01, the last event date.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from tracker.access import Principal
from tracker.models import Cohort, Learner, LearnerEvent, Organisation, Programme, Role

AS_OF = date(2024, 10, 1)
ADMIN = Principal("admin", Role.ADMIN)
COLLABORATIVE = Principal("collab", Role.COLLABORATIVE)


def _cohort(session: Session, hei: Organisation, prog: Programme, year: int, places: int) -> Cohort:
    cohort = Cohort(
        hei_id=hei.id,
        programme_id=prog.id,
        intake_year=year,
        intake_month=9,
        commissioned_places=places,
    )
    session.add(cohort)
    session.flush()
    return cohort


def _learner(session: Session, cohort: Cohort, ref: str, start: date) -> Learner:
    learner = Learner(learner_ref=ref, cohort_id=cohort.id, start_date=start)
    session.add(learner)
    session.flush()
    session.add(LearnerEvent(learner_id=learner.id, event_date=start, event="started"))
    return learner


def _event(
    session: Session, learner: Learner, day: date, event: str, reason: str | None = None
) -> None:
    session.add(LearnerEvent(learner_id=learner.id, event_date=day, event=event, reason=reason))


def build_pipeline(session: Session) -> dict[str, Principal]:
    """Fill the database; returns principals including each HEI's user."""
    h1 = Organisation(code="H1", name="First University", kind="hei", place="Birmingham")
    h2 = Organisation(code="H2", name="Second University", kind="hei", place="Solihull")
    nur = Programme(
        code="NUR",
        name="BSc Adult Nursing",
        profession_group="nursing",
        field="adult nursing",
        route="degree",
        years=3,
    )
    phy = Programme(
        code="PHY",
        name="BSc Physiotherapy",
        profession_group="ahp",
        field="physiotherapy",
        route="degree",
        years=3,
    )
    session.add_all([h1, h2, nur, phy])
    session.flush()
    c1 = _cohort(session, h1, nur, 2020, 32)
    for i in range(30):
        learner = _learner(session, c1, f"H1N20-{i:02d}", date(2020, 9, 21))
        if i < 3:
            _event(session, learner, date(2021, 3, 1), "withdrew", "financial")
        elif i == 3:
            _event(session, learner, date(2022, 2, 1), "transferred_out")
        elif i == 4:
            _event(session, learner, date(2022, 5, 1), "interrupted")
        else:
            _event(session, learner, date(2023, 8, 31), "completed")
            if i < 10:
                _event(session, learner, date(2023, 10, 1), "employed_local")
    c2 = _cohort(session, h1, nur, 2023, 12)
    for i in range(10):
        learner = _learner(session, c2, f"H1N23-{i:02d}", date(2023, 9, 18))
        if i == 0:
            _event(session, learner, date(2024, 1, 10), "withdrew", "academic")
    c3 = _cohort(session, h2, nur, 2020, 30)
    for i in range(30):
        learner = _learner(session, c3, f"H2N20-{i:02d}", date(2020, 9, 21))
        if i < 12:
            reason = "personal_health" if i < 6 else "financial"
            _event(session, learner, date(2021, 6, 1), "withdrew", reason)
        else:
            _event(session, learner, date(2023, 8, 31), "completed")
    c4 = _cohort(session, h2, phy, 2021, 6)
    for i in range(4):
        learner = _learner(session, c4, f"H2P21-{i:02d}", date(2021, 9, 20))
        if i == 0:
            _event(session, learner, date(2022, 1, 5), "withdrew", "academic")
    # The last event of the data set fixes the "as of" date.
    last = session.get(Learner, learner.id)
    assert last is not None
    _event(session, last, AS_OF, "interrupted")
    session.commit()
    return {
        "admin": ADMIN,
        "collaborative": COLLABORATIVE,
        "h1": Principal("h1user", Role.HEI, hei_id=h1.id, hei_code="H1"),
        "h2": Principal("h2user", Role.HEI, hei_id=h2.id, hei_code="H2"),
    }
