"""Placements on real calendars: capacity per day, requests with their own dates, leximin."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.optimise.alloc_helpers import at, random_instance, settings
from tracker.optimise import InputError, Policy, allocate

MONDAY = date(2027, 1, 4)


def week(n: int, weeks: int = 1) -> tuple[str, str]:
    """Start (Monday of week n, counted from 1) and end (Sunday after ``weeks`` weeks)."""
    start = MONDAY + timedelta(weeks=n - 1)
    return start.isoformat(), (start + timedelta(weeks=weeks, days=-1)).isoformat()


def cap(*rows: tuple[str, int, int, int]) -> pd.DataFrame:
    """rows: (setting_id, first week, weeks, places)"""
    return pd.DataFrame(
        [(s, *week(w, n), p) for s, w, n, p in rows],
        columns=["setting_id", "start_date", "end_date", "places"],
    )


def dem(*rows: tuple[str, str, int, int, int, float]) -> pd.DataFrame:
    """rows: (request_id, hei, learners, first week, weeks, east_km)"""
    out = []
    for rid, hei, n, w, weeks, east in rows:
        lat, lon = at(east)
        start, end = week(w, weeks)
        out.append((rid, hei, "nursing", n, start, end, lat, lon))
    return pd.DataFrame(
        out,
        columns=[
            "request_id",
            "hei",
            "programme",
            "learners",
            "start_date",
            "end_date",
            "lat",
            "lon",
        ],
    )


def got(result, request_id: str) -> int:  # type: ignore[no-untyped-def]
    p = result.placements
    return int(p.loc[p["request_id"] == request_id, "learners"].sum())


def test_two_heis_share_a_ward_in_sequence() -> None:
    s = settings(("W", "acute", "*", 0))
    c = cap(("W", 1, 12, 4))
    d = dem(("a", "U1", 4, 1, 8, 0), ("b", "U2", 4, 9, 4, 0), ("c", "U3", 1, 5, 2, 0))
    result = allocate(s, c, d)
    assert result.status == "optimal"
    # weeks 1-8 and 9-12 do not overlap: 8 learners on 4 places; c overlaps a, so no room
    assert got(result, "a") + got(result, "b") + got(result, "c") == 8
    assert result.gaps and all(g == 0 for g in result.gaps.values())
    assert {"start_date", "end_date"} <= set(result.placements.columns)


def test_a_long_placement_blocks_two_short_ones() -> None:
    s = settings(("W", "acute", "*", 0))
    c = cap(("W", 1, 12, 2))
    d = dem(("long", "A", 2, 1, 12, 0), ("s1", "B", 2, 1, 6, 0), ("s2", "B", 2, 7, 6, 0))
    result = allocate(s, c, d, Policy(fair_share_between_heis=False))
    assert result.levels.placed == 4
    assert got(result, "s1") == 2 and got(result, "s2") == 2 and got(result, "long") == 0
    unmet = result.unmet.set_index("request_id")
    assert unmet.loc["long", "learners"] == 2


def test_places_change_over_the_year_and_uncovered_days_leave_a_request_unmet() -> None:
    s = settings(("W", "acute", "*", 0), ("X", "acute", "*", 0))
    c = cap(("W", 1, 4, 3), ("W", 5, 4, 1), ("X", 1, 2, 5))
    d = dem(("r", "A", 3, 3, 4, 0), ("late", "B", 2, 20, 2, 0))
    result = allocate(s, c, d)
    assert got(result, "r") == 1  # weeks 5-6 have one place at W, X has none then
    reasons = result.unmet.set_index("request_id")
    assert reasons.loc["late", "reason_code"] == "no_places_on_dates"
    assert "every day" in reasons.loc["late", "reason"]


def test_independent_parts_are_solved_apart_and_a_coinciding_part_as_a_network() -> None:
    # W (at 0 km): a long placement blocks two short ones, 4 placed. V (200 km east, out of
    # W's learners' reach): every range is one of V's rows and the two never meet, so V
    # gives two parts of one arc each, both networks.
    from tracker.optimise import validate
    from tracker.optimise.calendar_instance import build_calendar_instance
    from tracker.optimise.calendar_parts import parts

    s = settings(("W", "acute", "*", 0), ("V", "acute", "*", 200))
    c = cap(("W", 1, 12, 2), ("V", 1, 4, 3), ("V", 5, 4, 1))
    d = dem(
        ("long", "A", 2, 1, 12, 0),
        ("s1", "B", 2, 1, 6, 0),
        ("s2", "B", 2, 7, 6, 0),
        ("v1", "A", 5, 1, 4, 200),
        ("v2", "B", 2, 5, 4, 200),
    )
    policy = Policy(max_distance_km=40, fair_share_between_heis=False)
    found = parts(build_calendar_instance(validate(s, c, d, policy)))
    assert sorted((len(p.arcs), p.network) for p in found) == [(1, True), (1, True), (3, False)]
    result = allocate(s, c, d, policy)
    assert result.status == "optimal"
    assert result.levels.placed == 8
    assert (got(result, "s1"), got(result, "s2"), got(result, "long")) == (2, 2, 0)
    assert (got(result, "v1"), got(result, "v2")) == (3, 1)


def _leximin_case() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    # A can only use X (1 place): its fill 1/4 is the lowest whatever happens. B and C share
    # Y (5 places); C lives next to Y, B 30 km away.
    s = settings(("X", "acute", "midwifery", 0), ("Y", "community", "nursing", 0))
    c = cap(("X", 1, 4, 1), ("Y", 1, 4, 5))
    d = dem(("a", "A", 4, 1, 4, 0), ("b", "B", 4, 1, 4, 30), ("c", "C", 4, 1, 4, 0))
    d.loc[d["request_id"] == "a", "programme"] = "midwifery"
    return s, c, d


def test_leximin_raises_the_second_lowest_hei_where_max_min_does_not() -> None:
    s, c, d = _leximin_case()
    policy = Policy(max_distance_km=100, fair_share_between_sectors=False)
    lexi = allocate(s, c, d, policy)
    maxmin = allocate(s, c, d, Policy(**{**policy.to_dict(), "fairness": "max_min"}))
    assert lexi.levels.placed == maxmin.levels.placed == 6
    assert (got(maxmin, "b"), got(maxmin, "c")) == (1, 4)  # travel decides after the minimum
    assert (got(lexi, "b"), got(lexi, "c")) == (2, 3)  # the second lowest fill rises to 50%
    assert any("A" in line and "25.0%" in line for line in lexi.explanation)


def test_integer_stall_two_heis_can_each_rise_but_not_both() -> None:
    # one place left after A's; B and C (1 learner each) both want it: exactly one of them
    # rises to 100%, the other stays at 0%, and leximin still finishes with a plan
    s = settings(("W", "acute", "*", 0))
    c = cap(("W", 1, 4, 1))
    d = dem(("b", "B", 1, 1, 4, 0), ("c", "C", 1, 1, 4, 0))
    result = allocate(s, c, d)
    assert result.status == "optimal"
    assert sorted(result.hei_fill["fill_ratio"]) == [0.0, 1.0]


def test_bad_ranges_are_named_by_row() -> None:
    s = settings(("W", "acute", "*", 0))
    c = pd.DataFrame(
        {
            "setting_id": ["W", "W", "W"],
            "start_date": ["2027-01-04", "2027-02-01", "2027-13-01"],
            "end_date": ["2027-02-07", "2027-03-01", "2027-12-01"],
            "places": [1, 1, 1],
        }
    )
    d = dem(("r", "A", 1, 1, 1, 0))
    d.loc[0, "end_date"] = "2026-12-01"
    with pytest.raises(InputError) as caught:
        allocate(s, c, d)
    found = {(p.table, p.row, p.column) for p in caught.value.problems}
    assert ("capacity", 4, "start_date") in found  # not a date
    assert ("capacity", 3, "start_date") in found  # overlaps row 2
    assert ("demand", 2, "end_date") in found  # end before start
    assert "overlaps row 2" in str(caught.value)


def _as_dates(block_instance: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]) -> tuple:  # type: ignore[type-arg]
    s, c, d = block_instance
    c2 = c.copy()
    c2["start_date"], c2["end_date"] = zip(
        *(week(4 * (b - 1) + 1, 4) for b in c["block"]), strict=True
    )
    c2 = c2.drop(columns="block")
    d2 = d.copy()
    d2["start_date"], d2["end_date"] = zip(
        *(week(4 * (b - 1) + 1, 4) for b in d["block"]), strict=True
    )
    return s, c2, d2


@pytest.mark.parametrize("seed", range(6))
def test_block_instances_as_dates_match_todays_engine_under_max_min(seed: int) -> None:
    s, c, d = random_instance(seed, n_blocks=1)
    policy = Policy(max_distance_km=40, fairness="max_min", fair_share_between_sectors=False)
    today = allocate(s, c, d, policy)
    dated = allocate(*_as_dates((s, c, d)), policy)
    assert dated.status == "optimal"
    assert dated.levels.placed == today.levels.placed
    assert dated.levels.min_hei_fill == pytest.approx(today.levels.min_hei_fill)
    assert dated.levels.learner_km == pytest.approx(today.levels.learner_km, abs=0.01)


def _brute_force_leximin(s: pd.DataFrame, c: pd.DataFrame, d: pd.DataFrame) -> tuple:  # type: ignore[type-arg]
    """Every plan of a one-setting instance: most placed, then the best sorted fill vector."""
    places = c.assign(start=pd.to_datetime(c["start_date"]), end=pd.to_datetime(c["end_date"]))
    start, end = pd.to_datetime(d["start_date"]), pd.to_datetime(d["end_date"])
    days = pd.date_range(start.min(), end.max())
    best: tuple = ()  # type: ignore[type-arg]
    for counts in itertools.product(*(range(n + 1) for n in d["learners"])):
        ok = True
        for day in days:
            row = places[(places["start"] <= day) & (places["end"] >= day)]
            have = int(row["places"].sum())
            need = sum(k for k, a, b in zip(counts, start, end, strict=True) if a <= day <= b)
            if need > have:
                ok = False
                break
        if not ok:
            continue
        placed = pd.Series(counts, index=d.index).groupby(d["hei"]).sum()
        asked = d.groupby("hei")["learners"].sum()
        key = (sum(counts), tuple(sorted((placed / asked).round(9))))
        best = max(best, key) if best else key
    return best


@hsettings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.sampled_from("ABC"), st.integers(1, 3), st.integers(1, 6), st.integers(1, 4)),
        min_size=1,
        max_size=4,
    ),
    st.lists(st.integers(0, 3), min_size=3, max_size=3),
)
def test_leximin_equals_brute_force_and_no_day_is_over_its_places(
    requests: list[tuple[str, int, int, int]], places: list[int]
) -> None:
    s = settings(("W", "acute", "*", 0))
    c = cap(("W", 1, 3, places[0]), ("W", 4, 2, places[1]), ("W", 6, 4, places[2]))
    d = dem(*((f"r{i}", h, n, w, k, 0) for i, (h, n, w, k) in enumerate(requests)))
    result = allocate(s, c, d, Policy(fair_share_between_sectors=False))
    plan = result.placements
    cal = c.assign(start=pd.to_datetime(c["start_date"]), end=pd.to_datetime(c["end_date"]))
    for day in pd.date_range("2027-01-04", "2027-04-30"):
        on = (pd.to_datetime(plan["start_date"]) <= day) & (pd.to_datetime(plan["end_date"]) >= day)
        have = int(cal.loc[(cal["start"] <= day) & (cal["end"] >= day), "places"].sum())
        assert int(plan.loc[on, "learners"].sum()) <= have, day
    fills = result.hei_fill.set_index("hei")["fill_ratio"]
    expected = _brute_force_leximin(s, c, d)
    assert (result.levels.placed, tuple(sorted(np.round(fills.to_numpy(), 9)))) == expected


def _cli(args: list[str]):  # type: ignore[no-untyped-def]
    import typer
    from typer.testing import CliRunner

    from tracker.commands.allocate import register

    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)
    return CliRunner().invoke(app, ["allocate", *args])


def test_command_line_plans_on_dates_and_reports_fills_and_gaps(tmp_path) -> None:  # type: ignore[no-untyped-def]
    s, c, d = _leximin_case()
    s.to_csv(tmp_path / "s.csv", index=False)
    c.to_csv(tmp_path / "c.csv", index=False)
    d.to_csv(tmp_path / "d.csv", index=False)
    files = ["--settings", str(tmp_path / "s.csv"), "--capacity", str(tmp_path / "c.csv")]
    result = _cli([*files, "--demand", str(tmp_path / "d.csv"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    plan = pd.read_csv(tmp_path / "out" / "placements.csv")
    assert list(plan.columns) == [
        "request_id",
        "setting_id",
        "block",
        "learners",
        "start_date",
        "end_date",
    ]
    import json

    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["status"] == "optimal"
    assert summary["hei_fill"] == {"A": 0.25, "B": 0.5, "C": 0.75}
    assert set(summary["sector_utilisation"]) == {"acute", "community"}
    assert set(summary["gap"]) >= {"most_learners_placed", "fair_share_between_heis"}
    assert all(g == 0 for g in summary["gap"].values())


def test_command_line_refuses_overlapping_capacity_rows_with_exit_2(tmp_path) -> None:  # type: ignore[no-untyped-def]
    s, c, d = _leximin_case()
    c = pd.concat([c, cap(("Y", 2, 1, 1))])
    s.to_csv(tmp_path / "s.csv", index=False)
    c.to_csv(tmp_path / "c.csv", index=False)
    d.to_csv(tmp_path / "d.csv", index=False)
    files = ["--settings", str(tmp_path / "s.csv"), "--capacity", str(tmp_path / "c.csv")]
    result = _cli([*files, "--demand", str(tmp_path / "d.csv"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "capacity row 4" in result.output and "overlaps row 3" in result.output
    assert not (tmp_path / "out").exists()
