"""Importers on a real database: each kind, every problem reported, all-or-nothing, idempotent."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, func
from sqlmodel import Session, SQLModel, select

from tracker.access import SYSTEM, AccessDenied, Principal
from tracker.data.importers import (
    KINDS,
    ImportRejected,
    ImportReport,
    UnreadableFile,
    read_table,
    template_csv,
    validate,
)
from tracker.db import session_scope
from tracker.models import (
    AuditLog,
    Cohort,
    Learner,
    LearnerEvent,
    Organisation,
    PlacementBlock,
    PlacementRequest,
    PlacementSetting,
    Programme,
    ProgrammeCalendar,
    Role,
    SettingProgramme,
    SupervisionCapacity,
)
from tracker.services.imports import apply_import

FILES = Path(__file__).parent / "files"
TABLES: tuple[type[SQLModel], ...] = (
    Organisation,
    Programme,
    Cohort,
    Learner,
    LearnerEvent,
    PlacementSetting,
    SettingProgramme,
    PlacementBlock,
    ProgrammeCalendar,
    SupervisionCapacity,
    PlacementRequest,
    AuditLog,
)


def csv(text: str) -> bytes:
    return text.strip().encode() + b"\n"


def run(
    engine: Engine,
    kind: str,
    content: bytes,
    principal: Principal = SYSTEM,
    filename: str | None = None,
) -> ImportReport:
    """Import in its own transaction, as the CLI and the upload page do."""
    frame = read_table(filename or f"{kind}.csv", content)
    with session_scope(engine) as session:
        return apply_import(session, principal, kind, frame)


def rejected(
    engine: Engine,
    kind: str,
    content: bytes,
    principal: Principal = SYSTEM,
    filename: str | None = None,
) -> ImportReport:
    with pytest.raises(ImportRejected) as caught:
        run(engine, kind, content, principal, filename)
    return caught.value.report


def where(report: ImportReport) -> set[tuple[int, str]]:
    return {(p.row, p.column) for p in report.problems}


def counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {m.__name__: session.exec(select(func.count()).select_from(m)).one() for m in TABLES}


def load_examples(engine: Engine, upto: str | None = None) -> None:
    for kind in KINDS:
        run(engine, kind, (FILES / f"{kind}.csv").read_bytes())
        if kind == upto:
            return


def hei_user(engine: Engine, code: str = "UNI-A") -> Principal:
    with Session(engine) as session:
        org = session.exec(select(Organisation).where(Organisation.code == code)).one()
    return Principal(username=f"{code}-user", role=Role.HEI, hei_id=org.id, hei_code=code)


# --- every kind ---------------------------------------------------------------------------------


def test_every_example_file_imports_and_reimporting_changes_nothing(engine: Engine) -> None:
    reports = {kind: run(engine, kind, (FILES / f"{kind}.csv").read_bytes()) for kind in KINDS}
    for kind, report in reports.items():
        assert report.ok and report.added == report.rows > 0, kind
    first = counts(engine)
    assert first["Learner"] == 6 and first["LearnerEvent"] == 11
    assert first["SettingProgramme"] == 4  # CARE1-OAKS hosts any programme: no links
    assert first["AuditLog"] == len(KINDS)

    for kind in KINDS:
        again = run(engine, kind, (FILES / f"{kind}.csv").read_bytes())
        assert (again.added, again.changed, again.unchanged) == (0, 0, again.rows), kind
        assert "0 added, 0 changed" in again.summary()
    second = counts(engine)
    assert second == {**first, "AuditLog": 2 * len(KINDS)}


def test_templates_are_headers_and_comment_rows_that_import_as_nothing(engine: Engine) -> None:
    for kind, spec in KINDS.items():
        text = template_csv(kind)
        header, description = text.splitlines()
        assert header.split(",") == list(spec.names)
        assert description.startswith('"# required') or description.startswith("# required")
        frame = read_table(f"{kind}.csv", text.encode())
        assert list(frame.columns) == list(spec.names) and len(frame) == 0
        with Session(engine) as session:
            assert validate(session, SYSTEM, kind, frame).ok


def test_values_parsed_as_a_coordinator_writes_them(engine: Engine) -> None:
    load_examples(engine, upto="requests")
    with Session(engine) as session:
        oaks = session.exec(select(PlacementSetting).where(PlacementSetting.code == "CARE1-OAKS"))
        assert oaks.one().hosts_any_programme
        ward = session.exec(
            select(SupervisionCapacity)
            .join(PlacementSetting)
            .where(PlacementSetting.code == "T1-WARD12")
        ).one()
        # Places are stored as supervisors with one learner each; the group is inferred.
        assert (ward.profession_group, ward.practice_supervisors, ward.places) == ("nursing", 6, 6)
        request = session.exec(
            select(PlacementRequest).where(PlacementRequest.code == "REQ-B-ADULT-B1")
        ).one()
        cohort = session.get(Cohort, request.cohort_id)
        assert cohort is not None and cohort.intake == "2024-01"  # latest intake by the block
        assert request.required_sector == "care_home" and request.status == "submitted"
        learner = session.exec(select(Learner).where(Learner.learner_ref == "A23-0002")).one()
        assert learner.reasonable_adjustments and learner.max_travel_km == 25
        assert learner.start_date == date(2023, 9, 18)


# --- every problem, nothing written ------------------------------------------------------------


def test_a_file_with_many_bad_rows_reports_every_problem_and_writes_nothing(
    engine: Engine,
) -> None:
    load_examples(engine, upto="cohorts")
    before = counts(engine)
    content = csv(
        """
learner_ref,hei,programme,intake,start_date,max_travel_km,notes
# comment rows are skipped but still counted
OK-1,UNI-A,BSC-ADULT,2023-09,2023-09-18,,fine
BAD-1,UNI-Z,BSC-ADULT,2023-09,2023-09-18,,unknown hei
BAD-2,UNI-A,NOPE,2023-09,2023-09-18,,unknown programme
BAD-3,UNI-A,BSC-ADULT,2023-9,2023-09-18,,bad intake

BAD-4,UNI-A,BSC-ADULT,2023-09,18/09/2023,,bad date
BAD-5,UNI-A,BSC-ADULT,2024-09,2024-09-18,,no such cohort
OK-1,UNI-A,BSC-ADULT,2023-09,2023-09-18,,duplicate reference
BAD-6,TRUST-1,BSC-ADULT,2023-09,2023-09-18,,not an hei
BAD-7,UNI-A,BSC-ADULT,2023-09,2020-01-01,,start before the intake
BAD-8,UNI-A,BSC-ADULT,2023-09,2023-09-18,-3,negative distance
,UNI-A,BSC-ADULT,2023-09,2023-09-18,,missing reference
"""
    )
    report = rejected(engine, "learners", content)
    assert where(report) == {
        (4, "hei"),
        (5, "programme"),
        (6, "intake"),
        (8, "start_date"),
        (9, "intake"),
        (10, "learner_ref"),
        (11, "hei"),
        (12, "start_date"),
        (13, "max_travel_km"),
        (14, "learner_ref"),
    }
    assert report.ignored_columns == ("notes",)
    by_row = {p.row: p for p in report.problems}
    assert by_row[10].message == "duplicate learner reference: already on row 3"
    assert by_row[6].value == "2023-9"
    assert "nothing was written" in report.summary()
    assert counts(engine) == before


@pytest.mark.parametrize(
    ("kind", "content", "expected"),
    [
        (
            "organisations",
            "code,name,kind,place\nX1,Name,hospital,Here\n,Name,hei,Here\nX2,,vcse,"
            + "\nX3,Name,NHS Trust,There\nX4,"
            + "n" * 201
            + ",hei,P",
            {(2, "kind"), (3, "code"), (4, "name"), (4, "place"), (6, "name")},
        ),
        (
            "programmes",
            "code,name,profession_group,field,route,years\n"
            "P1,N,dentistry,f,degree,3\nP2,N,nursing,f,online,3\nP3,N,ahp,f,degree,0\n"
            "P4,N,ahp,f,degree,three\nP5,N,ahp,f,degree,nan",
            {(2, "profession_group"), (3, "route"), (4, "years"), (5, "years"), (6, "years")},
        ),
        (
            "settings",
            "setting_id,organisation,name,sector,programmes,lat,lon\n"
            "S1,NOPE,N,acute,BSC-ADULT,,\nS2,TRUST-1,N,hospital,BSC-ADULT,,\n"
            "S3,TRUST-1,N,acute,BSC-ADULT;XX,,\nS4,TRUST-1,N,acute,*;BSC-ADULT,,\n"
            "S5,TRUST-1,N,acute,BSC-ADULT,53.8,\nS6,TRUST-1,N,acute,BSC-ADULT,-1.5,53.8\n"
            "S7,TRUST-1,N,acute,,,",
            {
                (2, "organisation"),
                (3, "sector"),
                (4, "programmes"),
                (5, "programmes"),
                (6, "lon"),
                (7, "lat"),
                (7, "lon"),
                (8, "programmes"),
            },
        ),
        (
            "placement-blocks",
            "block,name,start_date,end_date\nB1,N,2025-03-01,2025-02-01\nB2,N,2025-02-30,"
            "2025-03-01\nB3,N,2205-01-01,2205-02-01\nB3,N,2025-01-01,2025-02-01",
            {(2, "end_date"), (3, "start_date"), (4, "start_date"), (4, "end_date"), (5, "block")},
        ),
        (
            "capacity",
            "setting_id,block,profession_group,places,supervisors,learners_per_supervisor\n"
            "NOPE,2025-B1,nursing,1,,\nT1-WARD12,NOPE,nursing,1,,\n"
            "T1-WARD12,2025-B1,ahp,1,,\nCARE1-OAKS,2025-B1,,1,,\n"
            "T1-WARD12,2025-B1,nursing,1,2,1\nT1-WARD12,2025-B1,nursing,,,\n"
            "T1-WARD12,2025-B1,nursing,,2,0\nT1-WARD12,2025-B2,nursing,1.5,,\n"
            "T1-WARD12,2025-B2,,3,,\nT1-WARD12,2025-B2,nursing,4,,",
            {
                (2, "setting_id"),
                (3, "block"),
                (4, "profession_group"),
                (5, "profession_group"),
                (6, "places"),
                (7, "places"),
                (8, "learners_per_supervisor"),
                (9, "places"),
                (11, "setting_id"),
            },
        ),
        (
            "requests",
            "request_id,hei,programme,block,learners,sector,intake\n"
            "R1,UNI-A,BSC-ADULT,2025-B1,0,,\nR2,UNI-A,BSC-ADULT,2025-B1,2,moon,\n"
            "R3,UNI-A,BSC-ADULT,2025-B1,2,,2030-09\nR4,UNI-B,BSC-PHYSIO,2025-B1,2,,\n"
            "R5,TRUST-1,BSC-ADULT,NOPE,2,,\nR1,UNI-A,BSC-ADULT,2025-B1,3,,",
            {
                (2, "learners"),
                (3, "sector"),
                (4, "intake"),
                (5, "intake"),
                (6, "hei"),
                (6, "block"),
                (7, "request_id"),
            },
        ),
        (
            "calendar",
            "hei,programme,block,year_of_study,start_date,end_date\n"
            "UNI-A,BSC-ADULT,2025-B1,7,2025-01-06,2025-01-31\n"
            "UNI-A,BSC-ADULT,2025-B1,1,2024-12-30,2025-01-31\n"
            "UNI-A,BSC-ADULT,2025-B9,1,2025-01-06,2025-01-31\n",
            {(2, "year_of_study"), (3, "start_date"), (4, "block")},
        ),
    ],
)
def test_bad_rows_of_every_register_are_each_reported(
    engine: Engine, kind: str, content: str, expected: set[tuple[int, str]]
) -> None:
    load_examples(engine, upto="capacity")
    before = counts(engine)
    assert where(rejected(engine, kind, content.encode())) == expected
    assert counts(engine) == before


def test_header_problems_and_forgiving_header_names(engine: Engine) -> None:
    report = rejected(engine, "organisations", csv("Code,Name,kind,kind\nX,Y,hei,hei"))
    assert {(p.row, p.column, p.message) for p in report.problems} == {
        (1, "place", "required column missing from the header row"),
        (1, "kind", "column appears twice"),
    }
    ok = run(engine, "organisations", csv("CODE, Name ,Kind,Place\nX,Y,HEI,Z"))
    assert ok.added == 1
    cap = rejected(engine, "capacity", csv("setting_id,block\nS,B"))
    assert where(cap) == {(1, "places")}


def test_changes_are_reported_and_audited(engine: Engine) -> None:
    load_examples(engine, upto="requests")
    text = (FILES / "settings.csv").read_text()
    text = text.replace("BSC-ADULT;NA-APP", "NA-APP").replace("Ward 12 (respiratory)", "Ward 12")
    report = run(engine, "settings", text.encode())
    assert (report.added, report.changed, report.unchanged) == (0, 2, 2)
    changes = {c.key: c for c in report.changes}
    assert changes["GP1-MAIN"].old == {"programmes": "BSC-ADULT;NA-APP"}
    assert changes["GP1-MAIN"].new == {"programmes": "NA-APP"}
    assert changes["T1-WARD12"].new == {"name": "Ward 12"}
    with Session(engine) as session:
        gp = session.exec(select(PlacementSetting).where(PlacementSetting.code == "GP1-MAIN"))
        setting = gp.one()
        assert setting.version == 2
        links = session.exec(
            select(SettingProgramme).where(SettingProgramme.setting_id == setting.id)
        ).all()
        assert len(links) == 1
        audit = session.exec(select(AuditLog).order_by(AuditLog.id.desc())).first()  # type: ignore[union-attr]
        assert audit is not None and audit.action == "import" and audit.entity == "settings"
        assert audit.old == {"changes": {k: c.old for k, c in changes.items()}}
        assert audit.new is not None and audit.new["changed"] == 2
        assert audit.username == "system"


def test_places_keep_an_equivalent_supervisor_model(engine: Engine) -> None:
    load_examples(engine, upto="capacity")
    # 2 supervisors x 2 learners = 4 places: restating 4 places changes nothing ...
    same = run(engine, "capacity", csv("setting_id,block,places\nT1-PHYSIO,2025-B1,4"))
    assert same.unchanged == 1
    # ... while 5 places replace the model with 5 supervisors of 1 learner each.
    more = run(engine, "capacity", csv("setting_id,block,places\nT1-PHYSIO,2025-B1,5"))
    assert more.changes[0].new == {"practice_supervisors": 5, "learners_per_supervisor": 1}


# --- learner events ----------------------------------------------------------------------------


def test_events_after_a_withdrawal_are_rejected_in_the_file(engine: Engine) -> None:
    load_examples(engine, upto="learners")
    before = counts(engine)
    report = rejected(
        engine,
        "learner-events",
        csv(
            """
learner_ref,date,event,reason
A23-0001,2023-09-18,started,
A23-0001,2024-01-10,withdrew,personal_health
A23-0001,2024-02-01,returned,
A23-0002,2023-09-18,started,
A23-0002,2024-03-01,withdrew,
A23-0002,2024-04-01,withdrew,boredom
A23-0003,2023-09-25,started,other
A23-0003,2023-09-24,interrupted,
A23-0003,2023-10-01,returned,
A23-0003,2023-10-02,returned,
A23-0003,2023-10-03,employed_local,
B23-0001,2025-08-29,completed,
B23-0001,2025-09-01,interrupted,
NOBODY,2024-01-01,started,
"""
        ),
    )
    assert where(report) == {
        (4, "event"),  # after withdrawal
        (6, "reason"),  # withdrawal without a reason
        (7, "reason"),  # reason outside the taxonomy
        (7, "event"),  # a second withdrawal
        (8, "reason"),  # reason on a non-withdrawal
        (9, "date"),  # before the learner's start date
        (11, "event"),  # a second return with no interruption
        (12, "event"),  # employment without completion
        (14, "event"),  # nothing but employment after completion
        (15, "learner_ref"),
    }
    assert counts(engine) == before


def test_events_are_checked_against_events_already_stored(engine: Engine) -> None:
    load_examples(engine, upto="learner-events")
    # A23-0003 withdrew on 2024-03-01 (stored): a later event in a file is rejected ...
    late = rejected(
        engine, "learner-events", csv("learner_ref,date,event\nA23-0003,2024-05-01,interrupted")
    )
    assert where(late) == {(2, "event")}
    assert "withdrew on 2024-03-01" in late.problems[0].message
    # ... and so is a withdrawal dated before an event already stored (blamed on the file row).
    early = rejected(
        engine,
        "learner-events",
        csv("learner_ref,date,event,reason\nA23-0002,2024-06-01,withdrew,financial"),
    )
    assert where(early) == {(2, "event")}
    assert "returned on 2024-09-16, already recorded" in early.problems[0].message
    # Stored events are never rewritten: the same event with another reason is a problem.
    rewrite = rejected(
        engine,
        "learner-events",
        csv("learner_ref,date,event,reason\nA23-0003,2024-03-01,withdrew,academic"),
    )
    assert where(rewrite) == {(2, "reason")}
    # New events that fit the history are appended; stored ones are left alone.
    more = run(
        engine,
        "learner-events",
        csv(
            "learner_ref,date,event,reason\nA23-0002,2023-09-18,started,\n"
            "A23-0002,2025-01-10,withdrew,wrong_career_choice"
        ),
    )
    assert (more.added, more.unchanged) == (1, 1)


def test_a_learner_start_date_cannot_move_after_their_events(engine: Engine) -> None:
    load_examples(engine, upto="learner-events")
    text = (
        (FILES / "learners.csv")
        .read_text()
        .replace(
            "A23-0001,UNI-A,BSC-ADULT,2023-09,2023-09-18",
            "A23-0001,UNI-A,BSC-ADULT,2023-09,2023-09-25",
        )
    )
    assert where(rejected(engine, "learners", text.encode())) == {(2, "start_date")}


# --- access ------------------------------------------------------------------------------------


def test_hei_users_import_only_their_own_hei(engine: Engine) -> None:
    load_examples(engine, upto="capacity")
    uni_a = hei_user(engine, "UNI-A")
    before = counts(engine)
    learners = rejected(
        engine,
        "learners",
        csv(
            "learner_ref,hei,programme,intake,start_date\n"
            "A23-0009,UNI-A,BSC-ADULT,2023-09,2023-09-18\n"
            "B24-0009,UNI-B,BSC-ADULT,2024-01,2024-01-22\n"
            "B24-0001,UNI-A,BSC-ADULT,2023-09,2023-09-18"
        ),
        uni_a,
    )
    assert where(learners) == {(3, "hei"), (4, "learner_ref")}
    assert learners.problems[0].message == "you may only import your own HEI's learners"
    events = rejected(
        engine,
        "learner-events",
        csv("learner_ref,date,event\nB24-0001,2024-02-01,interrupted"),
        uni_a,
    )
    assert where(events) == {(2, "learner_ref")}
    assert counts(engine) == before

    own = run(
        engine,
        "learners",
        csv(
            "learner_ref,hei,programme,intake,start_date\n"
            "A23-0009,UNI-A,BSC-ADULT,2023-09,2023-09-18"
        ),
        uni_a,
    )
    assert own.added == 1
    for kind in ("organisations", "programmes", "settings", "capacity", "placement-blocks"):
        with Session(engine) as session, pytest.raises(AccessDenied):
            validate(session, uni_a, kind, read_table("x.csv", template_csv(kind).encode()))
    collaborative = Principal(username="ics", role=Role.COLLABORATIVE)
    with Session(engine) as session, pytest.raises(AccessDenied):
        validate(session, collaborative, "learners", read_table("x.csv", b"learner_ref\n"))
    load_requests = run(engine, "requests", (FILES / "requests.csv").read_bytes(), SYSTEM)
    assert load_requests.added == 4
    theirs = rejected(
        engine,
        "requests",
        csv("request_id,hei,programme,block,learners\nREQ-B-NA-B2,UNI-A,BSC-ADULT,2025-B2,1"),
        uni_a,
    )
    assert where(theirs) == {(2, "request_id")}


# --- files -------------------------------------------------------------------------------------


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_round_trip_matches_the_csv(engine: Engine) -> None:
    load_examples(engine, upto="programmes")
    # Excel turns 2023-09 into a date and stores numbers as floats; both read back as typed.
    cohorts = _xlsx(
        [
            ["hei", "programme", "intake", "commissioned_places"],
            ["# a comment row", None, None, None],
            ["UNI-A", "BSC-ADULT", datetime(2023, 9, 1), 60.0],
            ["UNI-A", "BSC-PHYSIO", "2023-09", 30],
            ["UNI-B", "BSC-ADULT", datetime(2024, 1, 1), 40],
            ["UNI-B", "NA-APP", "2023-09", 20],
            [None, None, None, None],
        ]
    )
    frame = read_table("cohorts.xlsx", cohorts)
    assert list(frame.index) == [3, 4, 5, 6]
    assert frame.loc[3, "intake"] == "2023-09-01" and frame.loc[3, "commissioned_places"] == "60"
    assert run(engine, "cohorts", cohorts, filename="cohorts.xlsx").added == 4
    again = run(engine, "cohorts", (FILES / "cohorts.csv").read_bytes())
    assert again.unchanged == 4
    learners = _xlsx(
        [
            ["learner_ref", "hei", "programme", "intake", "start_date"],
            ["X-1", "UNI-A", "BSC-ADULT", "2023-09", date(2023, 9, 18)],
            ["X-2", "UNI-A", "BSC-ADULT", "2023-09", "not a date"],
        ]
    )
    assert where(rejected(engine, "learners", learners, filename="l.xlsx")) == {(3, "start_date")}


def test_unreadable_files_are_explained() -> None:
    with pytest.raises(UnreadableFile, match=r"\.xls files are not supported"):
        read_table("old.xls", b"whatever")
    with pytest.raises(UnreadableFile, match="cannot be read"):
        read_table("broken.xlsx", b"not a zip file")
    with pytest.raises(UnreadableFile, match="is empty"):
        read_table("empty.csv", b"\n\n")
    with pytest.raises(UnreadableFile, match=r"choose a \.csv or \.xlsx"):
        read_table("data.json", b"{}")
    windows = read_table("w.csv", "code,name\nX,Café\n".encode("cp1252"))
    assert windows.loc[2, "name"] == "Café"


def test_importable_kinds_follow_the_access_rule_the_import_enforces() -> None:
    from tracker.access import Principal
    from tracker.data.importers import KINDS, importable_kinds
    from tracker.models import Role

    coordinator = importable_kinds(Principal("a", Role.COORDINATOR))
    # HEIs vouch for their learners: readiness and practice hours are theirs to import
    assert coordinator == [k for k in KINDS if k not in {"readiness", "practice-hours"}]
    assert importable_kinds(Principal("a", Role.ADMIN)) == list(KINDS)
    hei = importable_kinds(Principal("h", Role.HEI, hei_id=1, hei_code="UNI-A"))
    assert hei == [k for k, spec in KINDS.items() if spec.access == "hei"]
    assert "organisations" not in hei
    assert importable_kinds(Principal("c", Role.COLLABORATIVE)) == []
    assert importable_kinds(Principal("u", Role.HEI)) == []  # HEI account bound to no HEI


def test_every_import_kind_and_audited_record_is_named_in_words() -> None:
    """The Imports page and the audit log show these names; a new kind without one would
    show its code."""
    from tracker.data.importers.kinds import KINDS
    from tracker.vocabulary import AUDIT_ENTITIES, IMPORT_KINDS

    assert list(IMPORT_KINDS) == list(KINDS)
    assert IMPORT_KINDS["learner-events"] == "Learner events"
    assert AUDIT_ENTITIES["placement_setting"] == "Setting"
    assert AUDIT_ENTITIES["practice-staff"] == "Practice staff"
