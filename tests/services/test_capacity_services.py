"""Register and request writes on both databases: validation, all-or-nothing, audit, locking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from tracker.access import AccessDenied, Principal
from tracker.db import session_scope
from tracker.models import (
    AuditLog,
    Cohort,
    Organisation,
    Placement,
    PlacementBlock,
    PlacementRequest,
    PlacementSetting,
    Programme,
    ProgrammeCalendar,
    Role,
    SettingProgramme,
    SupervisionCapacity,
)
from tracker.services.calendar import save_calendar_entry
from tracker.services.capacity import bulk_adjust_capacity, save_capacity_rows
from tracker.services.registers import STALE, SaveRefused, StaleEdit
from tracker.services.requests import submit_request, withdraw_request
from tracker.services.settings import SettingInput, deactivate_setting, delete_setting, save_setting

COORDINATOR = Principal("coord", Role.COORDINATOR)
COLLABORATIVE = Principal("collab", Role.COLLABORATIVE)


@dataclass(frozen=True)
class Registers:
    h1: Principal
    h2: Principal


def build_registers(session: Session) -> Registers:
    """Two HEIs, a trust and a care home provider, three blocks, hand-checkable capacity.

    Capacity (supervisors x learners each = places):
      S1 acute (trust T1, hosts NUR and PHY):  nursing B1..B3 3x1=3, ahp B1..B3 1x2=2
      S2 care home (C1, hosts NUR):            nursing B1..B3 1x1=1
      S3 care home (C1, hosts any programme):  nursing B3 2x1=2
    Requests (submitted): H1/NUR B1 4 learners (any sector); H2/NUR B1 2 (care home);
      H1/PHY B1 3; H2/NUR B2 1 withdrawn.
    """
    t1 = Organisation(code="T1", name="Trust One", kind="nhs_trust", place="Leeds")
    c1 = Organisation(code="C1", name="Care Homes Ltd", kind="care_home_provider", place="Leeds")
    h1 = Organisation(code="H1", name="First University", kind="hei", place="Leeds")
    h2 = Organisation(code="H2", name="Second University", kind="hei", place="York")
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
    session.add_all([t1, c1, h1, h2, nur, phy])
    session.flush()
    blocks = [
        PlacementBlock(code=f"2026-B{i}", name=f"Block {i}", start_date=start, end_date=end)
        for i, (start, end) in enumerate(
            [
                (date(2026, 9, 7), date(2026, 11, 27)),
                (date(2027, 1, 4), date(2027, 3, 26)),
                (date(2027, 4, 19), date(2027, 7, 9)),
            ],
            start=1,
        )
    ]
    s1 = PlacementSetting(
        code="S1", organisation_id=t1.id, name="Ward 1", sector="acute", lat=53.80, lon=-1.55
    )
    s2 = PlacementSetting(
        code="S2", organisation_id=c1.id, name="Oak House", sector="care_home", lat=53.82, lon=-1.60
    )
    s3 = PlacementSetting(
        code="S3",
        organisation_id=c1.id,
        name="Elm House",
        sector="care_home",
        hosts_any_programme=True,
    )
    session.add_all([*blocks, s1, s2, s3])
    session.flush()
    session.add_all(
        [
            SettingProgramme(setting_id=s1.id, programme_id=nur.id),
            SettingProgramme(setting_id=s1.id, programme_id=phy.id),
            SettingProgramme(setting_id=s2.id, programme_id=nur.id),
        ]
    )
    for block in blocks:
        session.add_all(
            [
                SupervisionCapacity(
                    setting_id=s1.id,
                    block_id=block.id,
                    profession_group="nursing",
                    practice_supervisors=3,
                    practice_assessors=1,
                ),
                SupervisionCapacity(
                    setting_id=s1.id,
                    block_id=block.id,
                    profession_group="ahp",
                    practice_supervisors=1,
                    learners_per_supervisor=2,
                ),
                SupervisionCapacity(
                    setting_id=s2.id,
                    block_id=block.id,
                    profession_group="nursing",
                    practice_supervisors=1,
                ),
            ]
        )
    session.add(
        SupervisionCapacity(
            setting_id=s3.id,
            block_id=blocks[2].id,
            profession_group="nursing",
            practice_supervisors=2,
        )
    )
    cohorts = {
        key: Cohort(hei_id=hei.id, programme_id=prog.id, intake_year=2025, intake_month=9)
        for key, hei, prog in (("H1NUR", h1, nur), ("H2NUR", h2, nur), ("H1PHY", h1, phy))
    }
    session.add_all(cohorts.values())
    session.flush()
    session.add_all(
        [
            PlacementRequest(
                code="R1",
                cohort_id=cohorts["H1NUR"].id,
                block_id=blocks[0].id,
                learners=4,
                lat=53.79,
                lon=-1.54,
            ),
            PlacementRequest(
                code="R2",
                cohort_id=cohorts["H2NUR"].id,
                block_id=blocks[0].id,
                learners=2,
                required_sector="care_home",
            ),
            PlacementRequest(
                code="R3", cohort_id=cohorts["H1PHY"].id, block_id=blocks[0].id, learners=3
            ),
            PlacementRequest(
                code="R4",
                cohort_id=cohorts["H2NUR"].id,
                block_id=blocks[1].id,
                learners=1,
                status="withdrawn",
            ),
        ]
    )
    session.commit()
    return Registers(
        h1=Principal("h1user", Role.HEI, hei_id=h1.id, hei_code="H1"),
        h2=Principal("h2user", Role.HEI, hei_id=h2.id, hei_code="H2"),
    )


@pytest.fixture
def registers(engine: Engine) -> Registers:
    with Session(engine, expire_on_commit=False) as session:
        return build_registers(session)


def _capacity(session: Session, setting: str, block: str, group: str) -> SupervisionCapacity:
    return session.exec(
        select(SupervisionCapacity)
        .join(PlacementSetting)
        .join(PlacementBlock)
        .where(
            PlacementSetting.code == setting,
            PlacementBlock.code == block,
            SupervisionCapacity.profession_group == group,
        )
    ).one()


def _edit(row: SupervisionCapacity, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "id": row.id,
        "version": row.version,
        "practice_supervisors": row.practice_supervisors,
        "learners_per_supervisor": row.learners_per_supervisor,
        "practice_assessors": row.practice_assessors,
        "practice_educators": row.practice_educators,
    }
    data.update(changes)
    return data


def _audit(session: Session, action: str) -> list[AuditLog]:
    return list(
        session.exec(
            select(AuditLog).where(AuditLog.action == action).order_by(col(AuditLog.id))
        ).all()
    )


# --- capacity grid -------------------------------------------------------------------------------


def test_capacity_batch_saves_changes_with_audit_and_new_versions(
    engine: Engine, registers: Registers
) -> None:
    with Session(engine) as s:
        a = _capacity(s, "S1", "2026-B1", "nursing")
        b = _capacity(s, "S2", "2026-B1", "nursing")
        unchanged = _capacity(s, "S1", "2026-B1", "ahp")
    rows = [
        _edit(a, practice_supervisors=5.0),
        _edit(b, learners_per_supervisor=2),
        _edit(unchanged),
    ]
    with session_scope(engine) as s:
        assert save_capacity_rows(s, principal=COORDINATOR, rows=rows) == 2
    with Session(engine) as s:
        a2 = _capacity(s, "S1", "2026-B1", "nursing")
        assert (a2.practice_supervisors, a2.places, a2.version) == (5, 5, a.version + 1)
        assert _capacity(s, "S2", "2026-B1", "nursing").places == 2
        assert _capacity(s, "S1", "2026-B1", "ahp").version == unchanged.version
        audit = _audit(s, "save_capacity")
        assert [r.entity_id for r in audit] == ["S1/2026-B1/nursing", "S2/2026-B1/nursing"]
        assert audit[0].username == "coord"
        assert audit[0].old == {"practice_supervisors": 3, "places": 3}
        assert audit[0].new == {"practice_supervisors": 5, "places": 5}


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("practice_supervisors", -1, "between 0 and"),
        ("practice_supervisors", 2.5, "whole number"),
        ("practice_supervisors", "lots", "whole number"),
        ("practice_supervisors", None, "required"),
        ("learners_per_supervisor", 0, "between 1 and 20"),
        ("practice_assessors", -3, "between 0 and"),
    ],
)
def test_one_invalid_cell_refuses_the_whole_batch(
    engine: Engine, registers: Registers, field: str, value: object, reason: str
) -> None:
    with Session(engine) as s:
        good = _capacity(s, "S1", "2026-B2", "nursing")
        bad = _capacity(s, "S2", "2026-B2", "nursing")
    rows = [_edit(good, practice_supervisors=9), _edit(bad, **{field: value})]
    with pytest.raises(SaveRefused) as refused, session_scope(engine) as s:
        save_capacity_rows(s, principal=COORDINATOR, rows=rows)
    assert len(refused.value.problems) == 1
    assert refused.value.problems[0].startswith("S2/2026-B2/nursing")
    assert reason in refused.value.problems[0]
    with Session(engine) as s:
        assert _capacity(s, "S1", "2026-B2", "nursing").practice_supervisors == 3
        assert _audit(s, "save_capacity") == []


def test_stale_capacity_edit_is_refused_not_overwritten(
    engine: Engine, registers: Registers
) -> None:
    with Session(engine) as s:
        opened = _capacity(s, "S1", "2026-B3", "nursing")
    with session_scope(engine) as s:
        save_capacity_rows(s, principal=COORDINATOR, rows=[_edit(opened, practice_supervisors=4)])
    with pytest.raises(StaleEdit) as refused, session_scope(engine) as s:
        save_capacity_rows(s, principal=COORDINATOR, rows=[_edit(opened, practice_supervisors=7)])
    assert STALE in str(refused.value)
    with Session(engine) as s:
        assert _capacity(s, "S1", "2026-B3", "nursing").practice_supervisors == 4


def test_only_staff_edit_capacity(engine: Engine, registers: Registers) -> None:
    with Session(engine) as s:
        row = _capacity(s, "S1", "2026-B1", "nursing")
    for who in (registers.h1, COLLABORATIVE):
        with pytest.raises(AccessDenied), session_scope(engine) as s:
            save_capacity_rows(s, principal=who, rows=[_edit(row, practice_supervisors=8)])


# --- bulk adjust ---------------------------------------------------------------------------------


def test_bulk_adjust_every_care_home_from_a_block(engine: Engine, registers: Registers) -> None:
    with session_scope(engine) as s:
        result = bulk_adjust_capacity(
            s,
            principal=COORDINATOR,
            sector="care_home",
            from_block="2026-B2",
            delta_supervisors=2,
        )
    # S2 B2, S2 B3 and S3 B3: places 1 + 1 + 2 = 4 -> 3 + 3 + 4 = 10
    assert (result.rows, result.floored, result.places_before, result.places_after) == (3, 0, 4, 10)
    with Session(engine) as s:
        assert _capacity(s, "S2", "2026-B1", "nursing").practice_supervisors == 1
        assert _capacity(s, "S2", "2026-B2", "nursing").practice_supervisors == 3
        assert _capacity(s, "S3", "2026-B3", "nursing").practice_supervisors == 4
        assert _capacity(s, "S1", "2026-B2", "nursing").practice_supervisors == 3
        audit = _audit(s, "bulk_adjust_capacity")
        assert len(audit) == 4  # one per row and a summary
        assert audit[0].old == {"practice_supervisors": 1}
        assert audit[0].new == {"practice_supervisors": 3}
        assert audit[-1].new is not None and audit[-1].new["sector"] == "care_home"


def test_bulk_preview_says_what_the_change_would_do_and_writes_nothing(
    engine: Engine, registers: Registers
) -> None:
    change = {"sector": "care_home", "from_block": "2026-B2", "delta_supervisors": 2}
    with session_scope(engine) as s:
        preview = bulk_adjust_capacity(s, principal=COORDINATOR, preview=True, **change)
    assert preview.summary() == "3 capacity rows would change: places 4 → 10."
    with Session(engine) as s:
        assert _capacity(s, "S2", "2026-B2", "nursing").practice_supervisors == 1
        assert _audit(s, "bulk_adjust_capacity") == []
    with session_scope(engine) as s:
        applied = bulk_adjust_capacity(s, principal=COORDINATOR, **change)
    assert (applied.rows, applied.places_before, applied.places_after) == (3, 4, 10)
    assert applied.summary() == "3 capacity rows changed: places 4 → 10."


def test_bulk_adjust_by_organisation_floors_at_zero(engine: Engine, registers: Registers) -> None:
    with session_scope(engine) as s:
        result = bulk_adjust_capacity(
            s,
            principal=COORDINATOR,
            organisation="T1",
            profession_group="nursing",
            delta_supervisors=-4,
            delta_assessors=1,
        )
    assert (result.rows, result.floored, result.places_after) == (3, 3, 0)
    with Session(engine) as s:
        row = _capacity(s, "S1", "2026-B1", "nursing")
        assert (row.practice_supervisors, row.practice_assessors) == (0, 2)
        assert _capacity(s, "S1", "2026-B1", "ahp").practice_supervisors == 1


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"delta_supervisors": 1}, "organisation or a sector"),
        ({"sector": "acute"}, "nothing to change"),
        ({"sector": "vcse", "delta_supervisors": 1}, "no capacity rows match"),
        ({"sector": "acute", "learners_per_supervisor": 0, "delta_supervisors": 1}, "between 1"),
        ({"organisation": "NOPE", "delta_supervisors": 1}, "no organisation"),
        ({"sector": "acute", "from_block": "1999-B1", "delta_supervisors": 1}, "no placement"),
    ],
)
def test_bulk_adjust_refuses_unclear_requests(
    engine: Engine, registers: Registers, kwargs: dict[str, object], reason: str
) -> None:
    with pytest.raises(SaveRefused, match=reason), session_scope(engine) as s:
        bulk_adjust_capacity(s, principal=COORDINATOR, **kwargs)  # type: ignore[arg-type]


# --- settings ----------------------------------------------------------------------------------


def _setting_input(**changes: object) -> SettingInput:
    values: dict[str, object] = {
        "code": "S9",
        "organisation": "C1",
        "name": "Ash Lodge",
        "sector": "care_home",
        "programmes": ["NUR"],
        "lat": 53.9,
        "lon": -1.5,
        "postcode_district": "ls6",
    }
    values.update(changes)
    return SettingInput(**values)  # type: ignore[arg-type]


def test_add_then_edit_setting_with_audit(engine: Engine, registers: Registers) -> None:
    with session_scope(engine) as s:
        added = save_setting(s, principal=COORDINATOR, setting=_setting_input())
        setting_id, version = added.id, added.version
    assert added.postcode_district == "LS6"
    with session_scope(engine) as s:
        save_setting(
            s,
            principal=COORDINATOR,
            setting_id=setting_id,
            version=version,
            setting=_setting_input(name="Ash Lodge Nursing", programmes=["*"]),
        )
    with Session(engine) as s:
        setting = s.get(PlacementSetting, setting_id)
        assert setting is not None
        assert (setting.name, setting.hosts_any_programme, setting.version) == (
            "Ash Lodge Nursing",
            True,
            version + 1,
        )
        links = s.exec(select(SettingProgramme).where(SettingProgramme.setting_id == setting_id))
        assert links.all() == []
        audit = _audit(s, "save_setting")
        assert audit[0].old is None and audit[0].new["programmes"] == "NUR"  # type: ignore[index]
        assert audit[1].old == {"name": "Ash Lodge", "programmes": "NUR"}
        assert audit[1].new == {"name": "Ash Lodge Nursing", "programmes": "*"}


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"sector": "hospital"}, "sector: not one of"),
        ({"programmes": ["NOPE"]}, "unknown programme codes"),
        ({"programmes": []}, "programmes"),
        ({"lat": 40.0}, "lat: must be between"),
        ({"lon": None}, "give both lat and lon"),
        ({"organisation": "ZZ"}, "no organisation"),
        ({"name": ""}, "name: required"),
        ({"code": "S1"}, "already exists"),
    ],
)
def test_invalid_setting_is_refused_with_the_reason(
    engine: Engine, registers: Registers, changes: dict[str, object], reason: str
) -> None:
    with pytest.raises(SaveRefused, match=reason), session_scope(engine) as s:
        save_setting(s, principal=COORDINATOR, setting=_setting_input(**changes))
    with Session(engine) as s:
        assert s.exec(select(PlacementSetting).where(PlacementSetting.code == "S9")).first() is None
        assert _audit(s, "save_setting") == []


def test_stale_setting_edit_is_refused(engine: Engine, registers: Registers) -> None:
    with Session(engine) as s:
        s1 = s.exec(select(PlacementSetting).where(PlacementSetting.code == "S1")).one()
    base = _setting_input(code="S1", organisation="T1", sector="acute", programmes=["NUR", "PHY"])
    with session_scope(engine) as s:
        save_setting(s, principal=COORDINATOR, setting_id=s1.id, version=s1.version, setting=base)
    with pytest.raises(StaleEdit, match="reload"), session_scope(engine) as s:
        save_setting(
            s,
            principal=COORDINATOR,
            setting_id=s1.id,
            version=s1.version,
            setting=_setting_input(code="S1", organisation="T1", name="Other"),
        )


def test_deactivate_keeps_history_delete_only_without(engine: Engine, registers: Registers) -> None:
    with session_scope(engine) as s:
        s1 = s.exec(select(PlacementSetting).where(PlacementSetting.code == "S1")).one()
        s3 = s.exec(select(PlacementSetting).where(PlacementSetting.code == "S3")).one()
        block = s.exec(select(PlacementBlock)).first()
        assert block is not None
        s.add(Placement(setting_id=s1.id, block_id=block.id, request_id=1, learners=1))
    with pytest.raises(SaveRefused, match="deactivate it instead"), session_scope(engine) as s:
        delete_setting(s, principal=COORDINATOR, setting_id=s1.id or 0, version=s1.version)
    with session_scope(engine) as s:
        deactivate_setting(s, principal=COORDINATOR, setting_id=s1.id or 0, version=s1.version)
    with pytest.raises(StaleEdit), session_scope(engine) as s:
        deactivate_setting(s, principal=COORDINATOR, setting_id=s1.id or 0, version=s1.version)
    with session_scope(engine) as s:
        delete_setting(s, principal=COORDINATOR, setting_id=s3.id or 0, version=s3.version)
    with Session(engine) as s:
        kept = s.get(PlacementSetting, s1.id)
        assert kept is not None and not kept.active
        assert s.get(PlacementSetting, s3.id) is None
        assert (
            s.exec(select(SupervisionCapacity).where(SupervisionCapacity.setting_id == s3.id)).all()
            == []
        )
        assert [a.action for a in _audit(s, "delete_setting")] == ["delete_setting"]
        assert _audit(s, "deactivate_setting")[0].new == {"active": False}


# --- calendar --------------------------------------------------------------------------------


def test_calendar_entry_inside_block_own_hei_only(engine: Engine, registers: Registers) -> None:
    with session_scope(engine) as s:
        save_calendar_entry(
            s,
            principal=registers.h1,
            hei="H1",
            programme="NUR",
            block="2026-B1",
            start_date=date(2026, 9, 14),
            end_date=date(2026, 10, 23),
        )
    with session_scope(engine) as s:  # moving the same entry updates it
        save_calendar_entry(
            s,
            principal=COORDINATOR,
            hei="H1",
            programme="NUR",
            block="2026-B1",
            start_date=date(2026, 9, 21),
            end_date=date(2026, 10, 30),
        )
    with pytest.raises(AccessDenied), session_scope(engine) as s:
        save_calendar_entry(
            s,
            principal=registers.h2,
            hei="H1",
            programme="NUR",
            block="2026-B1",
            start_date=date(2026, 9, 14),
            end_date=date(2026, 10, 23),
        )
    with pytest.raises(SaveRefused, match="outside block"), session_scope(engine) as s:
        save_calendar_entry(
            s,
            principal=registers.h1,
            hei="H1",
            programme="NUR",
            block="2026-B1",
            start_date=date(2026, 8, 1),
            end_date=date(2026, 10, 23),
        )
    with Session(engine) as s:
        entries = s.exec(select(ProgrammeCalendar)).all()
        assert [(e.start_date, e.end_date) for e in entries] == [
            (date(2026, 9, 21), date(2026, 10, 30))
        ]
        audit = _audit(s, "save_calendar_entry")
        assert audit[1].old == {"start_date": "2026-09-14", "end_date": "2026-10-23"}


# --- HEI requests -------------------------------------------------------------------------------


def _cohort_id(session: Session, hei: str, programme: str) -> int:
    return session.exec(
        select(Cohort.id)
        .join(Organisation, col(Organisation.id) == Cohort.hei_id)
        .join(Programme, col(Programme.id) == Cohort.programme_id)
        .where(Organisation.code == hei, Programme.code == programme)
    ).one()  # type: ignore[return-value]


def test_hei_submits_and_withdraws_its_own_requests(engine: Engine, registers: Registers) -> None:
    with Session(engine) as s:
        own, other = _cohort_id(s, "H1", "NUR"), _cohort_id(s, "H2", "NUR")
    with session_scope(engine) as s:
        request = submit_request(
            s,
            principal=registers.h1,
            cohort_id=own,
            block="2026-B2",
            learners=6,
            sector="care_home",
        )
        request_id, version, code = request.id, request.version, request.code
    assert code.startswith("H1-2026-B2-")
    with pytest.raises(AccessDenied), session_scope(engine) as s:
        submit_request(s, principal=registers.h1, cohort_id=other, block="2026-B2", learners=1)
    with pytest.raises(AccessDenied), session_scope(engine) as s:
        withdraw_request(s, principal=registers.h2, request_id=request_id or 0, version=version)
    with session_scope(engine) as s:
        withdrawn = withdraw_request(
            s, principal=registers.h1, request_id=request_id or 0, version=version
        )
        assert withdrawn.status == "withdrawn"
    with pytest.raises(SaveRefused, match="already withdrawn"), session_scope(engine) as s:
        withdraw_request(s, principal=registers.h1, request_id=request_id or 0, version=version + 1)
    with Session(engine) as s:
        assert [a.entity_id for a in _audit(s, "submit_request")] == [code]
        assert _audit(s, "withdraw_request")[0].username == "h1user"


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"learners": 0}, "learners: must be between 1"),
        ({"learners": 2, "sector": "moon"}, "sector: not one of"),
        ({"learners": 2, "block": "1999-B9"}, "no placement block"),
    ],
)
def test_invalid_request_is_refused(
    engine: Engine, registers: Registers, kwargs: dict[str, object], reason: str
) -> None:
    with Session(engine) as s:
        own = _cohort_id(s, "H1", "NUR")
    args: dict[str, object] = {"block": "2026-B2"} | kwargs
    with pytest.raises(SaveRefused, match=reason), session_scope(engine) as s:
        submit_request(s, principal=registers.h1, cohort_id=own, **args)  # type: ignore[arg-type]
    with Session(engine) as s:
        assert len(s.exec(select(PlacementRequest)).all()) == 4


def test_stale_withdrawal_is_refused(engine: Engine, registers: Registers) -> None:
    with Session(engine) as s:
        r1 = s.exec(select(PlacementRequest).where(PlacementRequest.code == "R1")).one()
    with pytest.raises(StaleEdit), session_scope(engine) as s:
        withdraw_request(s, principal=registers.h1, request_id=r1.id or 0, version=r1.version + 5)
