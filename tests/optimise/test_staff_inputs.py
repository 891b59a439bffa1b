"""Invalid practice-learning tables: every bad cell named by table, row and column."""

from __future__ import annotations

import pytest

from tests.optimise.staff_helpers import ASS, SUP, audit, learner, person, placement, run
from tracker.optimise.model import InputError


def _problems(**kw: object) -> list[str]:
    args = {"placements": [placement()], "learners": [learner("L1")]}
    args["staff"] = [person("A", ASS), person("B", SUP)]
    args.update(kw)  # type: ignore[arg-type]
    with pytest.raises(InputError) as info:
        run(**args)  # type: ignore[arg-type]
    return [str(p) for p in info.value.problems]


def test_bad_cells_are_all_named() -> None:
    found = _problems(
        placements=[placement(start="2027-03-01", end="2027-01-01"), placement(setting="S9")],
        learners=[learner("L1", ready="soon"), learner("L1", limit="-3")],
    )
    assert any("placements row 2, column 'end_date': is before start_date" in f for f in found)
    assert any("placements row 3, column 'setting_id'" in f for f in found)
    assert any("learners row 2, column 'ready_until'" in f for f in found)
    assert any("learners row 3, column 'learner_id'" in f and "duplicate" in f for f in found)
    assert any("learners row 3, column 'max_distance_km'" in f for f in found)


def test_staff_rows_of_one_person_must_agree_and_roles_be_known() -> None:
    found = _problems(
        staff=[
            person("A", ASS),
            person("A", SUP, setting="S2", limit=7),
            person("B", "mentor"),
            person("C", ASS, field=""),
        ]
    )
    assert any("staff row 3, column 'max_learners'" in f for f in found)
    assert any("staff row 4, column 'roles'" in f for f in found)
    assert any("staff row 5, column 'field'" in f for f in found)


def test_audit_rows_are_checked() -> None:
    found = _problems(audits=[audit(outcome="pending"), audit(expires="2020-01-01")])
    assert any("audits row 2, column 'outcome'" in f for f in found)
    assert any("audits row 3, column 'expires_on'" in f for f in found)


def test_missing_columns_are_named() -> None:
    found = _problems(learners=[{"learner_id": "L1", "request_id": "r1"}])
    assert any("column 'field': required column is missing" in f for f in found)
