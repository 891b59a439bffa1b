"""Each practice-learning rule of the staff assignment: a case that obeys it, one that breaks it."""

from __future__ import annotations

from tests.optimise.staff_helpers import (
    ASS,
    BOTH,
    EDU,
    SUP,
    assigned,
    audit,
    learner,
    person,
    placement,
    reasons,
    run,
)


def test_supervisor_and_assessor_are_different_people() -> None:
    ok = run([placement()], [learner("L1")], [person("A", BOTH), person("B", SUP)])
    assert assigned(ok) == {"L1": ("S1", "B", "A")}
    one_person = run([placement()], [learner("L1")], [person("A", BOTH)])
    assert reasons(one_person) == {"L1": "no_supervisor"}
    assert "A" in one_person.unassigned["reason"].iat[0]


def test_assessor_is_in_the_learners_field_compared_without_case() -> None:
    staff = [person("A", ASS, field="Adult Nursing"), person("B", SUP, field="")]
    assert assigned(run([placement()], [learner("L1", field="adult nursing")], staff)) == {
        "L1": ("S1", "B", "A")
    }
    other = [person("A", ASS, field="mental health nursing"), person("B", SUP)]
    broke = run([placement()], [learner("L1")], other)
    assert reasons(broke) == {"L1": "no_assessor_in_field"}


def test_midwives_assess_midwives() -> None:
    p = [placement(programme="MID")]
    mid = [learner("L1", field="midwifery", programme="MID")]
    good = run(p, mid, [person("M", ASS, field="midwifery"), person("B", SUP)])
    assert assigned(good) == {"L1": ("S1", "B", "M")}
    bad = run(p, mid, [person("A", ASS, field="adult nursing"), person("B", SUP)])
    assert reasons(bad) == {"L1": "no_assessor_in_field"}


def test_staff_prepared_on_or_before_the_placement_starts() -> None:
    on_day = [person("A", ASS, prepared="2027-01-04"), person("B", SUP, prepared="2027-01-04")]
    assert len(run([placement()], [learner("L1")], on_day).assignments) == 1
    late = [person("A", ASS, prepared="2027-01-05"), person("B", SUP)]
    result = run([placement()], [learner("L1")], late)
    assert reasons(result) == {"L1": "staff_not_prepared"}
    assert "2027-01-05" in result.unassigned["reason"].iat[0]
    unrecorded = [person("A", ASS, prepared=None), person("B", SUP)]
    assert reasons(run([placement()], [learner("L1")], unrecorded)) == {"L1": "staff_not_prepared"}


def test_nobody_over_their_learner_limit_while_placements_overlap() -> None:
    staff = [person("A", ASS, limit=1), person("B", SUP, limit=5)]
    overlapping = [
        placement("r1", start="2027-01-04", end="2027-02-26"),
        placement("r2", start="2027-02-01", end="2027-03-26"),
    ]
    people = [learner("L1", "r1"), learner("L2", "r2")]
    result = run(overlapping, people, staff)
    assert len(result.assignments) == 1
    assert set(reasons(result).values()) == {"staff_at_limit"}
    after = [
        placement("r1", start="2027-01-04", end="2027-02-26"),
        placement("r2", start="2027-03-01", end="2027-04-23"),
    ]
    both = run(after, people, staff)
    assert {a[2] for a in assigned(both).values()} == {"A"} and len(both.assignments) == 2


def test_limit_counts_every_role_a_person_plays() -> None:
    staff = [person("A", BOTH, limit=1), person("B", BOTH, limit=1)]
    result = run([placement(learners=2)], [learner("L1"), learner("L2")], staff)
    assert len(result.assignments) == 1  # A supervises and B assesses one learner: both full


def test_limit_per_block_without_dates() -> None:
    staff = [person("A", ASS, limit=1, prepared=None), person("B", SUP, prepared=None)]
    staff = [{k: v for k, v in s.items() if k != "prepared_on"} for s in staff]
    people = [learner("L1", "r1", ready=None), learner("L2", "r2", ready=None)]
    people = [{k: v for k, v in p.items() if k != "ready_until"} for p in people]
    same = [
        placement("r1", start=None, end=None, block="1"),
        placement("r2", start=None, end=None, block="1"),
    ]
    assert len(run(same, people, staff).assignments) == 1
    apart = [
        placement("r1", start=None, end=None, block="1"),
        placement("r2", start=None, end=None, block="2"),
    ]
    assert len(run(apart, people, staff).assignments) == 2


def test_learner_ready_through_the_placements_end() -> None:
    staff = [person("A", ASS), person("B", SUP)]
    assert len(run([placement()], [learner("L1", ready="2027-02-26")], staff).assignments) == 1
    early = run([placement()], [learner("L1", ready="2027-01-31")], staff)
    assert reasons(early) == {"L1": "not_ready"}
    assert "2027-01-31" in early.unassigned["reason"].iat[0]
    assert "2027-02-26" in early.unassigned["reason"].iat[0]
    assert reasons(run([placement()], [learner("L1", ready=None)], staff)) == {"L1": "not_ready"}


def test_learners_own_travel_limit() -> None:
    staff = [person("A", ASS), person("B", SUP)]
    assert len(run([placement()], [learner("L1", limit="10")], staff).assignments) == 1
    far = run([placement()], [learner("L1", limit="1")], staff)
    assert reasons(far) == {"L1": "beyond_travel_limit"}


def test_audit_approved_and_in_date_for_the_programme() -> None:
    staff = [person("A", ASS), person("B", SUP)]
    p, people = [placement(programme="ADN")], [learner("L1")]
    for ok in (
        audit(programmes="ADN;MID"),
        audit(programmes="*", outcome="approved with actions"),
        audit(programmes="adn", outcome="Approved"),
    ):
        assert len(run(p, people, staff, [ok]).assignments) == 1
    cases = {
        "audit_expired": audit(expires="2027-02-01"),
        "audit_not_approved": audit(outcome="not approved"),
    }
    for code, bad in cases.items():
        assert reasons(run(p, people, staff, [bad])) == {"L1": code}
    other_programme = run(p, people, staff, [audit(programmes="MID")])
    assert reasons(other_programme) == {"L1": "audit_not_approved"}
    none_for_setting = run(p, people, staff, [audit(setting="S2")])
    assert reasons(none_for_setting) == {"L1": "audit_not_approved"}
    expired = run(p, people, staff, [audit(expires="2027-02-01")])
    assert "2027-02-01" in expired.unassigned["reason"].iat[0]


def test_later_refused_audit_supersedes_an_approval() -> None:
    staff = [person("A", ASS), person("B", SUP)]
    audits = [audit(), audit(audited="2026-06-01", outcome="not approved")]
    result = run([placement()], [learner("L1")], staff, audits)
    assert reasons(result) == {"L1": "audit_not_approved"}


def test_practice_educator_for_allied_health_and_social_work() -> None:
    p = [placement(programme="PHY")]
    physio = [learner("L1", field="Physiotherapy", programme="PHY")]
    ok = run(p, physio, [person("E", EDU, field="physiotherapy")])
    assert assigned(ok) == {"L1": ("S1", None, "E")}
    wrong_field = run(p, physio, [person("E", EDU, field="occupational therapy")])
    assert reasons(wrong_field) == {"L1": "no_educator_in_field"}
    social = [learner("L1", field="social work", programme="SWD")]
    assert reasons(run(p, social, [person("A", BOTH)])) == {"L1": "no_educator_in_field"}


def test_requests_at_one_setting_compete_for_staff_and_all_are_maximised() -> None:
    # r1 (adult) can be assessed only by X; r2 (mental health) only by Z. Supervising r1 by Y
    # (the first choice of a request-by-request method) leaves r2 without a supervisor.
    staff = [
        person("X", BOTH, field="adult nursing", limit=1),
        person("Y", SUP, limit=1),
        person("Z", BOTH, field="mental health nursing", limit=2),
    ]
    p = [placement("r1"), placement("r2", programme="MHN")]
    people = [learner("L1", "r1"), learner("L2", "r2", field="mental health nursing")]
    result = run(p, people, staff)
    assert assigned(result) == {"L1": ("S1", "Z", "X"), "L2": ("S1", "Y", "Z")}


def test_more_learners_than_places_and_no_place() -> None:
    staff = [person("A", ASS), person("B", SUP)]
    people = [learner("L1"), learner("L2"), learner("L3", "r9")]
    result = run([placement(learners=1)], people, staff)
    assert len(result.assignments) == 1
    assert sorted(reasons(result).values()) == ["more_learners_than_places", "no_place"]


def test_sector_variety_after_most_assigned() -> None:
    staff = [person("A", ASS), person("B", SUP), person("C", ASS, setting="S2")]
    staff.append(person("D", SUP, setting="S2"))
    p = [placement(setting="S1"), placement(setting="S2")]
    people = [learner("L1", had="acute"), learner("L2", had="community")]
    result = assigned(run(p, people, staff))
    assert result["L1"][0] == "S2" and result["L2"][0] == "S1"


def test_learner_refused_everywhere_gets_each_places_reason() -> None:
    staff = [person("A", ASS, field="mental health nursing"), person("B", SUP)]
    p = [placement(setting="S1"), placement(setting="S2")]
    result = run(p, [learner("L1")], staff)
    assert reasons(result) == {"L1": "no_assessor_in_field"}  # S2 has nobody at all
    text = result.unassigned["reason"].iat[0]
    assert "setting S1" in text and "setting S2" in text


def test_field_spellings_of_one_nmc_field_match_and_others_do_not() -> None:
    from tracker.optimise.staff import canonical_field

    same = ("Adult", "adult nursing", "Nursing (Adult)", "ADULT  NURSING")
    assert {canonical_field(f) for f in same} == {"adult nursing"}
    kids = ("children's nursing", "Child", "Children\u2019s nursing", "child health nursing")
    assert {canonical_field(f) for f in kids} == {"children's nursing"}
    assert canonical_field("Learning Disabilities") == "learning disability nursing"
    assert canonical_field("adult social work") == "adult social work"
    assert canonical_field("mental health nursing") != canonical_field("adult nursing")
    staff = [person("A", ASS, field="Nursing (Adult)"), person("B", SUP)]
    assert len(run([placement()], [learner("L1", field="Adult")], staff).assignments) == 1


def test_uk_written_dates_are_read() -> None:
    staff = [person("A", ASS, prepared="01/01/2024"), person("B", SUP)]
    ok = run([placement()], [learner("L1", ready="26/02/2027")], staff)
    assert len(ok.assignments) == 1
    early = run([placement()], [learner("L1", ready="25/02/2027")], staff)
    assert reasons(early) == {"L1": "not_ready"}


def test_one_person_at_two_settings_has_one_limit() -> None:
    p = [placement("r1", setting="S1"), placement("r2", setting="S2")]
    people = [learner("L1", "r1"), learner("L2", "r2")]
    for shared in (
        [person("A", ASS, setting="S1;S2", limit=1)],
        [person("A", ASS, setting="S1", limit=1), person("A", ASS, setting="S2", limit=1)],
    ):
        staff = [*shared, person("B", SUP), person("C", SUP, setting="S2")]
        assert len(run(p, people, staff).assignments) == 1
    apart = [person("A", ASS, limit=1), person("A2", ASS, setting="S2", limit=1)]
    staff = [*apart, person("B", SUP), person("C", SUP, setting="S2")]
    assert len(run(p, people, staff).assignments) == 2
