"""Capacity derived from named staff: hand-worked figures, and the guarantee that stage 2 can
staff every place it counts (whatever mix of fields, requests and dates fills them)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.optimise.staff_helpers import ASS, BOTH, EDU, SUP, frame, person
from tests.optimise.staff_helpers import SETTINGS as SETTING_FRAME
from tracker.optimise.practice import assign_staff
from tracker.optimise.staff import canonical_field
from tracker.optimise.staff_capacity import (
    CountedStaff,
    field_places,
    named_block_places,
    offered_fields,
    shares,
)

DAY0 = date(2027, 1, 4)
ADULT, MENTAL = "adult nursing", "mental health nursing"
PREPARED = date(2026, 1, 1)


def counted(roles: str, field: str = ADULT, share: int = 1, prepared: date | None = PREPARED):
    return CountedStaff(frozenset(roles.split(";")), canonical_field(field), prepared, share)


def test_nmc_field_needs_a_different_supervisor_and_assessor() -> None:
    # one person in both roles can never be both for the same learner
    assert field_places([counted(BOTH, share=3)], ADULT, DAY0) == 0
    # two such people supervise each other's assessees: min of the pair's room
    assert field_places([counted(BOTH, share=2), counted(BOTH, share=2)], ADULT, DAY0) == 2
    # supervisors 3 learners, assessors 1: one place
    assert field_places([counted(SUP, share=3), counted(ASS, share=1)], ADULT, DAY0) == 1
    # an assessor in another field assesses nobody here
    assert field_places([counted(SUP, share=3), counted(ASS, MENTAL, 3)], ADULT, DAY0) == 0


def test_educator_fields_add_up_their_educators_shares() -> None:
    people = [counted(EDU, "physiotherapy", 2), counted(EDU, "physiotherapy", 1)]
    assert field_places(people, "physiotherapy", DAY0) == 3
    assert field_places(people, "occupational therapy", DAY0) == 0


def test_staff_not_prepared_by_the_first_day_or_without_room_do_not_count() -> None:
    late = counted(ASS, share=2, prepared=DAY0 + timedelta(days=1))
    never = counted(ASS, share=2, prepared=None)
    full = counted(ASS, share=0)
    sup = counted(SUP, share=2)
    assert field_places([sup, late, never, full], ADULT, DAY0) == 0
    on_the_day = counted(ASS, share=2, prepared=DAY0)
    assert field_places([sup, on_the_day], ADULT, DAY0) == 2


def test_a_limit_is_shared_between_a_persons_settings() -> None:
    assert shares(5, ["S2", "S1"]) == {"S1": 3, "S2": 2}
    assert shares(1, ["S1", "S2", "S3"]) == {"S1": 1, "S2": 0, "S3": 0}
    assert shares(3, []) == {}


def test_a_field_nobody_can_assess_is_not_offered_and_does_not_close_the_others() -> None:
    people = [counted(SUP, share=2), counted(ASS, share=2)]
    assert offered_fields(people, ["Adult", "Nursing (Mental health)"]) == [ADULT]
    fields, places = named_block_places(people, ["adult nursing", MENTAL], {"1": DAY0})
    assert fields == [ADULT] and places == {"1": 2}
    # with a mental health assessor who has no room yet, the field is offered and binds
    people.append(counted(ASS, MENTAL, share=0))
    fields, places = named_block_places(people, [ADULT, MENTAL], {"1": DAY0})
    assert fields == [ADULT, MENTAL] and places == {"1": 0}


FIELDS = (ADULT, MENTAL, "physiotherapy")
ROLE_SETS = (BOTH, SUP, ASS, EDU)


@st.composite
def staffed_settings(draw: st.DrawFn) -> tuple[list[dict[str, str | None]], list[str]]:
    """Staff at S1 (some also at S2) and the fields S1 hosts."""
    nmc = draw(st.booleans())
    hosted = draw(
        st.lists(st.sampled_from(FIELDS[:2] if nmc else FIELDS[2:]), min_size=1, unique=True)
    )
    staff = []
    for k in range(draw(st.integers(2, 8))):
        roles = draw(st.sampled_from(ROLE_SETS[:3] if nmc else ROLE_SETS[3:]))
        staff.append(
            person(
                f"P{k}",
                roles,
                field=draw(st.sampled_from(hosted)),
                setting=draw(st.sampled_from(["S1", "S1", "S1;S2"])),
                prepared=draw(st.sampled_from(["2026-01-01", "2026-01-01", "2027-01-20", None])),
                limit=draw(st.sampled_from([0, 1, 2, 2, 3, 4])),
            )
        )
    return staff, hosted


def _counted_at(staff: list[dict[str, str | None]], setting: str) -> list[CountedStaff]:
    out = []
    for p in staff:
        where = str(p["setting_id"]).split(";")
        if setting in where:
            prepared = None if p["prepared_on"] is None else date.fromisoformat(p["prepared_on"])
            share = shares(int(str(p["max_learners"])), where)[setting]
            out.append(counted(str(p["roles"]), str(p["field"]), share, prepared))
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(staffed_settings(), st.data())
def test_stage_2_staffs_every_place_the_named_staff_give(
    instance: tuple[list[dict[str, str | None]], list[str]], data: st.DataObject
) -> None:
    """Fill each setting's derived places with learners of its offered fields, from several
    requests on dates inside the block: stage 2 names a supervisor and assessor (or an
    educator) for every one of them."""
    staff, hosted = instance
    placements, learners = [], []
    for setting in ("S1", "S2"):
        fields, places = named_block_places(_counted_at(staff, setting), hosted, {"B": DAY0})
        requests: dict[int, int] = {}
        for _ in range(places["B"]):
            r = data.draw(st.integers(0, 2))
            requests[r] = requests.get(r, 0) + 1
        for r, count in requests.items():
            start = DAY0 + timedelta(days=7 * data.draw(st.integers(0, 3)))
            end = start + timedelta(days=data.draw(st.integers(7, 28)))
            placements.append(
                {
                    "request_id": f"{setting}-r{r}",
                    "setting_id": setting,
                    "block": "B",
                    "learners": str(count),
                    "start_date": start.isoformat(),
                    "end_date": end.isoformat(),
                    "programme": "P",
                }
            )
            learners += [
                {
                    "learner_id": f"{setting}-r{r}-L{n}",
                    "request_id": f"{setting}-r{r}",
                    "programme": "P",
                    "field": data.draw(st.sampled_from(fields)),
                    "lat": None,
                    "lon": None,
                    "max_distance_km": None,
                    "sectors_had": None,
                    "ready_until": "2028-01-01",
                }
                for n in range(count)
            ]
    if not learners:
        return
    result = assign_staff(frame(placements), frame(learners), SETTING_FRAME, frame(staff))
    assert result.unassigned.empty, result.unassigned.to_dict("records")
    assert len(result.assignments) == len(learners)
