"""Property: no staff assignment ever breaks a hard practice-learning rule, every learner is
either assigned or given a reason, and nobody left out could simply have been added."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.optimise.staff_helpers import SETTINGS, audit, frame
from tracker.optimise.geo import haversine_km
from tracker.optimise.practice import assign_staff

FIELDS = ("adult nursing",) * 4 + ("mental health nursing", "physiotherapy")
ROLES = (
    "practice_supervisor;practice_assessor",
    "practice_supervisor",
    "practice_assessor",
    "practice_educator",
)
DAY0 = date(2027, 1, 4)


@st.composite
def instances(draw: st.DrawFn) -> dict[str, pd.DataFrame]:
    placements, learners, staff = [], [], []
    for r in range(draw(st.integers(1, 4))):
        start = DAY0 + timedelta(days=7 * draw(st.integers(0, 4)))
        for s in draw(st.lists(st.sampled_from(["S1", "S2"]), min_size=1, max_size=2, unique=True)):
            placements.append(
                {
                    "request_id": f"r{r}",
                    "setting_id": s,
                    "block": "1",
                    "learners": str(draw(st.integers(0, 3))),
                    "start_date": start.isoformat(),
                    "end_date": (start + timedelta(days=draw(st.integers(7, 35)))).isoformat(),
                    "programme": draw(st.sampled_from(["ADN", "MID"])),
                }
            )
        for n in range(draw(st.integers(0, 4))):
            ready = DAY0 + timedelta(days=draw(st.integers(40, 200)))
            learners.append(
                {
                    "learner_id": f"L{r}-{n}",
                    "request_id": f"r{r}",
                    "programme": "ADN",
                    "field": draw(st.sampled_from(FIELDS)),
                    "lat": "52.48",
                    "lon": "-1.90",
                    "max_distance_km": draw(st.sampled_from([None, "5", "40"])),
                    "sectors_had": draw(st.sampled_from([None, "acute", "community"])),
                    "ready_until": draw(
                        st.sampled_from([None, ready.isoformat(), ready.isoformat()])
                    ),
                }
            )
    for k in range(draw(st.integers(1, 10))):
        roles = [draw(st.sampled_from(ROLES))]
        staff.append(
            {
                "staff_id": f"P{k}",
                "setting_id": draw(st.sampled_from(["S1", "S2"])),
                "roles": ";".join(roles),
                "field": draw(st.sampled_from(FIELDS)),
                "prepared_on": (DAY0 + timedelta(days=draw(st.integers(-60, 10)))).isoformat(),
                "max_learners": str(draw(st.sampled_from([0, 1, 1, 2, 3]))),
            }
        )
    audits = [
        audit("S1", expires=draw(st.sampled_from(["2027-02-15", "2028-01-01", "2028-01-01"]))),
        audit(
            "S2",
            outcome=draw(st.sampled_from(["approved", "not approved"])),
            programmes=draw(st.sampled_from(["ADN", "*"])),
        ),
    ]
    return {
        "placements": frame(placements),
        "learners": frame(
            learners, list(learners[0]) if learners else ["learner_id", "request_id", "field"]
        ),
        "staff": frame(
            staff, ["staff_id", "setting_id", "roles", "field", "prepared_on", "max_learners"]
        ),
        "audits": pd.DataFrame(audits, dtype=object),
    }


def _day(text: object) -> date:
    return date.fromisoformat(str(text))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_no_assignment_breaks_a_hard_rule(case: dict[str, pd.DataFrame]) -> None:
    result = assign_staff(
        case["placements"], case["learners"], SETTINGS, case["staff"], case["audits"]
    )
    learners = case["learners"].set_index("learner_id", drop=False)
    staff = case["staff"]
    pl = case["placements"]
    out = result.assignments
    assert set(out["learner_id"]) | set(result.unassigned["learner_id"]) == set(learners.index)
    assert not set(out["learner_id"]) & set(result.unassigned["learner_id"])
    load: list[tuple[str, date, date]] = []
    settings_at = SETTINGS.set_index("setting_id")
    for a in out.itertuples(index=False):
        lr = learners.loc[a.learner_id]
        row = pl[(pl.request_id == a.request_id) & (pl.setting_id == a.setting_id)].iloc[0]
        start, end = _day(row.start_date), _day(row.end_date)
        assert int(row.learners) >= 1
        assert lr.ready_until is not None and _day(lr.ready_until) >= end
        km = haversine_km(
            52.48,
            -1.90,
            float(settings_at.loc[a.setting_id, "lat"]),
            float(settings_at.loc[a.setting_id, "lon"]),
        )
        assert lr.max_distance_km is None or km <= float(lr.max_distance_km)
        au = case["audits"].set_index("setting_id").loc[a.setting_id]
        assert au.outcome == "approved" and end <= _day(au.expires_on)
        assert au.programmes in ("*", row.programme)
        here = staff[staff.setting_id == a.setting_id].set_index("staff_id")
        educator = lr.field == "physiotherapy"
        people = [a.practice_assessor] if educator else [a.practice_supervisor, a.practice_assessor]
        if not educator:
            assert a.practice_supervisor != a.practice_assessor
            assert "practice_supervisor" in here.loc[a.practice_supervisor, "roles"]
        role = "practice_educator" if educator else "practice_assessor"
        assert role in here.loc[a.practice_assessor, "roles"]
        assert here.loc[a.practice_assessor, "field"] == lr.field
        for k in people:
            assert _day(here.loc[k, "prepared_on"]) <= start
            load.append((k, start, end))
    limits = dict(zip(staff["staff_id"], staff["max_learners"].astype(int), strict=True))
    for k, start, _ in load:
        at_once = sum(1 for k2, s2, e2 in load if k2 == k and s2 <= start <= e2)
        assert at_once <= limits[k]
    per_place = out.groupby(["request_id", "setting_id"]).size()
    for (rid, sid), n in per_place.items():
        places = pl[(pl.request_id == rid) & (pl.setting_id == sid)]["learners"].astype(int)
        assert n <= int(places.sum())
