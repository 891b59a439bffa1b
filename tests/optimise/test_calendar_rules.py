"""The calendar engine's two input rules: educational audits checked on each request's own
dates, and make-up hours learners first within their HEI's own share."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.optimise.alloc_helpers import settings
from tests.optimise.test_calendar import _cli, cap, dem, got, week
from tracker.optimise import InputError, allocate
from tracker.optimise.audit_filter import allocate_with_audits


def _audits(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    """rows: (setting_id, audited_on, expires_on, outcome); every programme."""
    return pd.DataFrame(
        [(s, a, e, o, "*") for s, a, e, o in rows],
        columns=["setting_id", "audited_on", "expires_on", "outcome", "programmes"],
    )


def _ward_and_clinic() -> tuple[pd.DataFrame, pd.DataFrame]:
    s = settings(("W", "acute", "*", 0), ("C", "acute", "*", 5))
    return s, cap(("W", 1, 12, 2), ("C", 1, 12, 2))


def test_an_audit_expiring_before_a_requests_end_keeps_it_from_that_setting() -> None:
    s, c = _ward_and_clinic()
    # W's audit ends in week 6: the week 1-4 request may go there, the week 5-8 one may not
    d = dem(("early", "A", 2, 1, 4, 0), ("late", "A", 2, 5, 4, 0), ("late2", "B", 2, 5, 4, 0))
    audits = _audits(
        ("W", "2026-01-05", week(6)[1], "approved"), ("C", "2026-01-05", "2029-01-01", "approved")
    )
    result = allocate_with_audits(s, c, d, audits, {})
    assert result.status == "optimal"
    p = result.placements
    late = p[p["request_id"].isin(["late", "late2"]) & (p["learners"] > 0)]
    assert set(late["setting_id"]) == {"C"}  # only C for weeks 5-8: 2 places for 4 learners
    assert got(result, "early") == 2 and got(result, "late") + got(result, "late2") == 2
    unmet = result.unmet.set_index("request_id")
    assert unmet["reason_code"].eq("audit").all()
    assert (
        unmet["reason"]
        .str.startswith("educational audit expired / not approved for nursing at W")
        .all()
    )
    # without the audit rule W takes weeks 5-8 too and everyone is placed
    assert allocate(s, c, d).levels.placed == 6


def test_an_audit_made_after_a_request_starts_does_not_cover_it() -> None:
    s, c = _ward_and_clinic()
    d = dem(("r", "A", 4, 1, 4, 0))
    audits = _audits(
        ("W", week(2)[0], "2029-01-01", "approved"), ("C", "2026-01-05", "2029-01-01", "approved")
    )
    result = allocate_with_audits(s, c, d, audits, {})
    assert got(result, "r") == 2
    assert set(result.placements.loc[result.placements["learners"] > 0, "setting_id"]) == {"C"}
    assert result.unmet.iloc[0]["reason_code"] == "audit"


def test_a_dated_request_needs_no_block_dates_but_an_undated_one_does() -> None:
    s, c = _ward_and_clinic()
    d = dem(("r", "A", 1, 1, 4, 0)).assign(start_date=[None], end_date=[None], block=["1"])
    audits = _audits(("W", "2026-01-05", "2029-01-01", "approved"))
    with pytest.raises(InputError, match="the block's dates are needed"):
        allocate_with_audits(s, c, d, audits, {})


def _makeup_case() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    s = settings(("W", "acute", "*", 0))
    c = cap(("W", 1, 12, 2))
    d = dem(
        ("near", "A", 2, 1, 4, 0),
        ("far", "A", 2, 1, 4, 5),
        ("b", "B", 2, 3, 4, 0),
    )
    return s, c, d


def test_make_up_learners_go_first_within_their_heis_places_on_the_calendar() -> None:
    s, c, d = _makeup_case()
    plain = allocate(s, c, d)
    # weeks 3-4 are shared by A (weeks 1-4) and B (weeks 3-6): 2 places, one each by leximin
    assert got(plain, "near") == 1 and got(plain, "far") == 0 and got(plain, "b") == 1
    first = allocate(s, c, d.assign(makeup_learners=[0, 2, 0]))
    assert first.status == "optimal"
    # A keeps its one place; it goes to the make-up request although "near" travels less
    assert got(first, "near") == 0 and got(first, "far") == 1
    assert got(first, "b") == 1  # B's fair share is untouched
    assert first.levels.placed == plain.levels.placed
    assert any("make-up hours learners placed first" in m for m in first.messages)
    assert "1 of 2" in " ".join(first.messages)


def test_make_up_learners_never_take_another_heis_share_even_with_room_on_other_days() -> None:
    s = settings(("W", "acute", "*", 0))
    c = cap(("W", 1, 12, 1))
    # A's make-up request overlaps B's; A's other request fits before B's dates
    d = dem(("a_mk", "A", 1, 3, 4, 0), ("a", "A", 1, 1, 2, 0), ("b", "B", 1, 3, 4, 0))
    first = allocate(s, c, d.assign(makeup_learners=[1, 0, 0]))
    plain = allocate(s, c, d)
    assert got(first, "b") == got(plain, "b") == 1
    assert got(first, "a_mk") == 0 and got(first, "a") == 1


def _day_use(result, c: pd.DataFrame) -> bool:  # type: ignore[no-untyped-def]
    """Whether every setting keeps within its places on every day."""
    p = result.placements[result.placements["learners"] > 0]
    for sid, rows in p.groupby("setting_id"):
        caprows = c[c["setting_id"] == sid]
        for day in pd.date_range(rows["start_date"].min(), rows["end_date"].max()):
            here = rows[(pd.to_datetime(rows["start_date"]) <= day)]
            here = here[pd.to_datetime(here["end_date"]) >= day]
            on = caprows[
                (pd.to_datetime(caprows["start_date"]) <= day)
                & (pd.to_datetime(caprows["end_date"]) >= day)
            ]
            if int(here["learners"].sum()) > int(on["places"].sum()):
                return False
    return True


@hsettings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000))
def test_make_up_priority_keeps_every_heis_fill_and_every_days_places(seed: int) -> None:
    rng = np.random.default_rng(seed)
    s = settings(("W", "acute", "*", 0), ("X", "community", "*", 3), ("Y", "acute", "*", 6))
    c = cap(*[(sid, 1, 12, int(rng.integers(1, 4))) for sid in ("W", "X", "Y")])
    rows = []
    for i in range(6):
        n = int(rng.integers(1, 4))
        rows.append((f"r{i}", "AB"[i % 2], n, int(rng.integers(1, 8)), int(rng.integers(2, 6)), 0))
    d = dem(*rows)
    makeup = [int(rng.integers(0, n + 1)) for n in d["learners"]]
    plain, first = allocate(s, c, d), allocate(s, c, d.assign(makeup_learners=makeup))
    assert first.status == plain.status == "optimal"
    fill = plain.hei_fill.set_index("hei")["placed"]
    assert (first.hei_fill.set_index("hei")["placed"] == fill).all()
    assert _day_use(first, c)
    placed = first.placements.groupby("request_id")["learners"].sum()
    got_makeup = sum(
        min(int(placed.get(r, 0)), m) for r, m in zip(d["request_id"], makeup, strict=True)
    )
    plain_placed = plain.placements.groupby("request_id")["learners"].sum()
    before = sum(
        min(int(plain_placed.get(r, 0)), m) for r, m in zip(d["request_id"], makeup, strict=True)
    )
    assert got_makeup >= before


def _files(tmp_path, s, c, d, **extra: pd.DataFrame) -> list[str]:  # type: ignore[no-untyped-def]
    args = []
    for name, frame in {"settings": s, "capacity": c, "demand": d, **extra}.items():
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
        args += [f"--{name}", str(tmp_path / f"{name}.csv")]
    return [*args, "--out", str(tmp_path / "out")]


def test_command_line_checks_audits_on_a_requests_dates(tmp_path) -> None:  # type: ignore[no-untyped-def]
    s, c = _ward_and_clinic()
    d = dem(("early", "A", 2, 1, 4, 0), ("late", "A", 4, 5, 4, 0))
    audits = _audits(
        ("W", "2026-01-05", week(6)[1], "approved"), ("C", "2026-01-05", "2029-01-01", "approved")
    )
    result = _cli(_files(tmp_path, s, c, d, audits=audits))
    assert result.exit_code == 0, result.output
    plan = pd.read_csv(tmp_path / "out" / "placements.csv")
    late = plan[(plan["request_id"] == "late") & (plan["learners"] > 0)]
    assert list(late["setting_id"]) == ["C"] and list(late["start_date"]) == [week(5)[0]]
    unmet = pd.read_csv(tmp_path / "out" / "unmet.csv").set_index("request_id")
    assert unmet.loc["late", "reason"].startswith("educational audit expired / not approved")
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["status"] == "optimal"


def test_command_line_places_make_up_learners_first_on_dates(tmp_path) -> None:  # type: ignore[no-untyped-def]
    s, c, d = _makeup_case()
    result = _cli(_files(tmp_path, s, c, d.assign(makeup_learners=[0, 2, 0])))
    assert result.exit_code == 0, result.output
    plan = pd.read_csv(tmp_path / "out" / "placements.csv")
    by_request = plan.groupby("request_id")["learners"].sum()
    assert by_request.get("far", 0) == 1 and by_request.get("near", 0) == 0
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["hei_fill"] == {"A": 0.25, "B": 0.5}


def test_command_line_refuses_more_make_up_learners_than_learners_on_dates(tmp_path) -> None:  # type: ignore[no-untyped-def]
    s, c, d = _makeup_case()
    result = _cli(_files(tmp_path, s, c, d.assign(makeup_learners=[0, 3, 0])))
    assert result.exit_code == 2
    assert "makeup_learners" in result.output


def test_dated_audit_run_with_a_wrong_date_is_an_input_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    s, c = _ward_and_clinic()
    d = dem(("r", "A", 1, 1, 4, 0)).assign(end_date=["31/01/2027"])
    audits = _audits(("W", "2026-01-05", "2029-01-01", "approved"))
    result = _cli(_files(tmp_path, s, c, d, audits=audits))
    assert result.exit_code == 2
    assert "end_date" in result.output
