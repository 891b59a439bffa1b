"""An HEI user names its learners' academic assessors on the academic assessors page, in a
real browser on the demo data: one for every learner without one, then another by hand for
one learner's part; the grid shows only the HEI's own learners."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlmodel import Session, select

from tests.browser.conftest import BrowserPage, LiveApp
from tracker.access import Principal
from tracker.clock import today
from tracker.models import AcademicAssessment, AcademicAssessor, Cohort, Learner, Role, User
from tracker.queries.academic_assessments import academic_assessments

pytestmark = pytest.mark.browser


def _per_hei(live_app: LiveApp) -> Counter[int]:
    """Academic assessments recorded per learner's HEI."""
    with Session(live_app.engine) as session:
        return Counter(
            session.exec(
                select(Cohort.hei_id)
                .join(Learner, Learner.cohort_id == Cohort.id)  # type: ignore[arg-type]
                .join(AcademicAssessment, AcademicAssessment.learner_id == Learner.id)  # type: ignore[arg-type]
            ).all()
        )


def test_an_hei_names_its_learners_academic_assessors(
    browser_page: BrowserPage, live_app: LiveApp
) -> None:
    page = browser_page.page
    before = _per_hei(live_app)
    browser_page.sign_in("hei")
    browser_page.goto("/academic-assessors")
    page.locator(
        "#academic-assessors-learner-grid .ag-center-cols-container .ag-row"
    ).first.wait_for()
    page.click("#academic-assessors-learner-assign-all")
    said = page.locator("#academic-assessors-learner-message")
    said.filter(has_text="given an academic assessor").wait_for()

    with Session(live_app.engine) as session:
        user = session.exec(select(User).where(User.username == "hei")).one()
        hei = Principal("hei", Role.HEI, hei_id=user.hei_id, hei_code="?")
        rows = academic_assessments(session, principal=hei, today=today())
        assessors = session.exec(
            select(AcademicAssessor).where(
                AcademicAssessor.hei_id == user.hei_id,
                AcademicAssessor.active == True,  # noqa: E712
            )
        ).all()
    after = _per_hei(live_app)
    changed = {h for h in after if after[h] != before.get(h, 0)}
    assert changed == {user.hei_id}  # the demo leaves a few to name; only the HEI's own
    named = rows[rows["academic_assessor"] != ""]
    assert len(named) > 0
    # a learner whose part another assessor of the programme may take (not the previous
    # part's: the demo alternates two per programme, so first-year learners have one)
    first, other = next(
        (row, a)
        for row in (named.iloc[i] for i in range(len(named)))
        for a in assessors
        if (a.display_name or a.staff_ref)
        not in (row["academic_assessor"], row["previous_academic_assessor"])
        and (a.programmes == "*" or row["programme"] in a.programmes.split(";"))
    )
    new_name = other.display_name or other.staff_ref

    row = f"#academic-assessors-learner-grid .ag-row[row-id='{first['learner_ref']}']"
    page.evaluate(
        """async ([id, row]) => {
            const api = await dash_ag_grid.getApiAsync(id);
            api.ensureNodeVisible(api.getRowNode(row), 'top');
        }""",
        ["academic-assessors-learner-grid", str(first["learner_ref"])],
    )
    page.locator(f"{row} .ag-selection-checkbox").first.click()
    page.wait_for_function(
        "() => document.querySelector('#academic-assessors-learner-part').value !== ''"
    )
    page.click("#academic-assessors-learner-assessor")
    page.locator(f"[role=option]:has(input[value='{other.id}'])").click()
    page.keyboard.press("Escape")
    page.click("#academic-assessors-learner-name")
    said.filter(has_text=f"is now {first['learner_ref']}'s academic assessor").wait_for()
    cell = page.locator(f"{row} [col-id='academic_assessor']").first
    cell.filter(has_text=new_name).wait_for()
    assert browser_page.console_errors == []
