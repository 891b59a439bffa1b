"""``python -m tracker assign``: the command-line contract (files, columns, exit codes)."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from tracker.cli import app

PLACEMENTS = """request_id,setting_id,block,learners,start_date,end_date,programme
r1,S1,1,2,2027-01-04,2027-02-26,ADN
r2,S2,1,1,2027-01-04,2027-02-26,PHY
"""
LEARNERS = """learner_id,request_id,programme,field,lat,lon,max_distance_km,sectors_had,ready_until
L1,r1,ADN,Adult Nursing,52.48,-1.90,30,acute,2028-01-01
L2,r1,ADN,adult nursing,52.48,-1.90,,,
L3,r2,PHY,physiotherapy,52.48,-1.90,,,2028-01-01
"""
SETTINGS = """setting_id,sector,programmes,lat,lon,active
S1,acute,*,52.45,-1.93,true
S2,community,*,52.40,-1.50,true
"""
STAFF = """staff_id,setting_id,roles,field,prepared_on,max_learners
A,S1,practice_supervisor;practice_assessor,adult nursing,2024-01-01,2
B,S1,practice_supervisor,,2024-01-01,2
E,S2,practice_educator,Physiotherapy,2024-01-01,1
"""
AUDITS = """setting_id,audited_on,expires_on,outcome,programmes
S1,2025-06-01,2027-06-01,approved,ADN;MID
S2,2025-06-01,2027-06-01,approved with actions,*
"""


def _files(tmp_path: Path, **overrides: str) -> list[str]:
    texts = {
        "placements": PLACEMENTS,
        "learners": LEARNERS,
        "settings": SETTINGS,
        "staff": STAFF,
        "audits": AUDITS,
    }
    texts.update(overrides)
    args: list[str] = ["assign"]
    for name, text in texts.items():
        path = tmp_path / f"{name}.csv"
        path.write_text(text)
        args += [f"--{name}", str(path)]
    return [*args, "--out", str(tmp_path / "out")]


def test_assign_writes_both_files_with_the_contract_columns(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, _files(tmp_path))
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    assignments = pd.read_csv(out / "assignments.csv", dtype=str)
    unassigned = pd.read_csv(out / "unassigned.csv", dtype=str)
    assert list(assignments.columns) == [
        "learner_id",
        "request_id",
        "setting_id",
        "block",
        "practice_supervisor",
        "practice_assessor",
    ]
    assert list(unassigned.columns) == ["learner_id", "reason_code", "reason"]
    rows = {r.learner_id: r for r in assignments.itertuples(index=False)}
    assert (rows["L1"].practice_supervisor, rows["L1"].practice_assessor) == ("B", "A")
    assert pd.isna(rows["L3"].practice_supervisor) and rows["L3"].practice_assessor == "E"
    assert unassigned.to_dict("records") == [
        {
            "learner_id": "L2",
            "reason_code": "not_ready",
            "reason": unassigned["reason"].iat[0],
        }
    ]


def test_assign_without_audits_and_with_nobody_assigned_still_exits_0(tmp_path: Path) -> None:
    args = _files(tmp_path, staff="staff_id,setting_id,roles,field,prepared_on,max_learners\n")
    i = args.index("--audits")
    del args[i : i + 2]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    unassigned = pd.read_csv(tmp_path / "out" / "unassigned.csv", dtype=str)
    assert len(unassigned) == 3


def test_assign_names_the_bad_rows_and_exits_2(tmp_path: Path) -> None:
    bad_staff = STAFF.replace("2024-01-01,1", "last spring,1").replace(
        "practice_supervisor,,", "mentor,,"
    )
    result = CliRunner().invoke(app, _files(tmp_path, staff=bad_staff))
    assert result.exit_code == 2
    assert "staff row 4, column 'prepared_on'" in result.output
    assert "staff row 3, column 'roles'" in result.output
    assert not (tmp_path / "out" / "assignments.csv").exists()


def test_assign_requires_dates_when_audits_are_checked(tmp_path: Path) -> None:
    undated = "request_id,setting_id,block,learners,programme\nr1,S1,1,2,ADN\n"
    result = CliRunner().invoke(app, _files(tmp_path, placements=undated))
    assert result.exit_code == 2
    assert "placements row 2" in result.output and "audits" in result.output


def test_assign_missing_file_exits_2(tmp_path: Path) -> None:
    args = _files(tmp_path)
    args[args.index("--staff") + 1] = str(tmp_path / "nope.csv")
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "file not found" in result.output


def _drop_column(text: str, column: str) -> str:
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    return str(frame.drop(columns=[column]).to_csv(index=False))


def test_every_contract_column_is_required_and_named_when_missing(tmp_path: Path) -> None:
    for table, text, column in (
        ("placements", PLACEMENTS, "programme"),
        ("learners", LEARNERS, "ready_until"),
        ("learners", LEARNERS, "sectors_had"),
        ("settings", SETTINGS, "programmes"),
        ("staff", STAFF, "prepared_on"),
        ("audits", AUDITS, "outcome"),
    ):
        result = CliRunner().invoke(app, _files(tmp_path, **{table: _drop_column(text, column)}))
        assert result.exit_code == 2, (table, column, result.output)
        assert f"'{column}'" in result.output and "required column is missing" in result.output
        assert table in result.output
    # headers are read without regard to case or spacing
    shouted = LEARNERS.replace("ready_until", " Ready_Until ")
    assert CliRunner().invoke(app, _files(tmp_path, learners=shouted)).exit_code == 0


def _without_audits(args: list[str]) -> list[str]:
    i = args.index("--audits")
    return [*args[:i], *args[i + 2 :]]


UNDATED = "request_id,setting_id,block,learners,programme\nr1,S1,1,2,ADN\nr2,S2,1,1,PHY\n"


def test_dates_are_required_where_readiness_or_preparation_dates_are_checked(
    tmp_path: Path,
) -> None:
    # readiness: r1's L1 and r2's L3 have ready_until dates; staff prepared_on dates too
    result = CliRunner().invoke(app, _without_audits(_files(tmp_path, placements=UNDATED)))
    assert result.exit_code == 2
    assert "placements row 2" in result.output and "placements row 3" in result.output
    assert "ready_until" in result.output
    # no readiness dates (everyone not ready): the preparation dates still need the dates
    not_ready = LEARNERS.replace(",2028-01-01", ",")
    result = CliRunner().invoke(
        app, _without_audits(_files(tmp_path, placements=UNDATED, learners=not_ready))
    )
    assert result.exit_code == 2 and "prepared_on" in result.output
    # nothing dated to check: undated placements are fine, and nobody is ready
    unprepared = STAFF.replace("2024-01-01", "")
    result = CliRunner().invoke(
        app,
        _without_audits(_files(tmp_path, placements=UNDATED, learners=not_ready, staff=unprepared)),
    )
    assert result.exit_code == 0, result.output
    unassigned = pd.read_csv(tmp_path / "out" / "unassigned.csv", dtype=str)
    assert set(unassigned["reason_code"]) == {"not_ready"} and len(unassigned) == 3


def test_an_empty_ready_until_means_not_ready_and_fields_ignore_case(tmp_path: Path) -> None:
    learners = LEARNERS.replace("L1,r1,ADN,Adult Nursing", "L1,r1,ADN,ADULT NURSING")
    result = CliRunner().invoke(app, _files(tmp_path, learners=learners))
    assert result.exit_code == 0, result.output
    assignments = pd.read_csv(tmp_path / "out" / "assignments.csv", dtype=str)
    unassigned = pd.read_csv(tmp_path / "out" / "unassigned.csv", dtype=str)
    assert set(assignments["learner_id"]) == {"L1", "L3"}  # L1's field in capitals
    assert unassigned[["learner_id", "reason_code"]].values.tolist() == [["L2", "not_ready"]]
