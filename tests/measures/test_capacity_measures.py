"""Capacity arithmetic against hand-worked examples."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from tracker.measures.capacity import (
    ALL_SECTORS,
    ANY_SECTOR,
    DEFAULT_LEARNERS_PER_SUPERVISOR,
    adjusted_supervisors,
    calendar_overlaps,
    capacity_against_demand,
    default_learners_per_supervisor,
    matrix,
    places,
    programme_capacity,
    sector_coverage,
    setting_spare,
)


def test_places_are_supervisors_times_learners_each() -> None:
    assert places(pd.Series([3, 0, 2]), pd.Series([1, 2, 2])).tolist() == [3, 0, 4]
    assert places(4, 2).tolist() == [8]


def test_default_ratios_are_read_only_and_documented_values() -> None:
    assert DEFAULT_LEARNERS_PER_SUPERVISOR["nursing"] == 1
    assert DEFAULT_LEARNERS_PER_SUPERVISOR["ahp"] == 2
    assert default_learners_per_supervisor("nursing", coaching=True) == 2
    assert default_learners_per_supervisor("ahp", coaching=True) == 2
    assert default_learners_per_supervisor("unknown") == 1
    with pytest.raises(TypeError):
        DEFAULT_LEARNERS_PER_SUPERVISOR["nursing"] = 5  # type: ignore[index]


@pytest.mark.parametrize(
    ("current", "delta", "expected"),
    [(3, 2, (5, False)), (3, -3, (0, False)), (1, -2, (0, True)), (0, 0, (0, False))],
)
def test_bulk_change_floors_at_zero(current: int, delta: int, expected: tuple[int, bool]) -> None:
    assert adjusted_supervisors(current, delta) == expected


def _sector_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    capacity = pd.DataFrame(
        {
            "sector": ["acute", "acute", "care_home", "acute"],
            "block": ["B1", "B1", "B1", "B2"],
            "places": [4, 6, 2, 5],
        }
    )
    demand = pd.DataFrame(
        {
            "sector": ["acute", "care_home", ANY_SECTOR, "acute"],
            "block": ["B1", "B1", "B1", "B2"],
            "learners": [8, 5, 3, 5],
        }
    )
    return capacity, demand


def test_capacity_against_demand_by_sector_worked_example() -> None:
    capacity, demand = _sector_frames()
    long = capacity_against_demand(
        capacity, demand, key="sector", open_key=ANY_SECTOR, total_label=ALL_SECTORS
    )
    row = long.set_index(["sector", "block"])
    # acute B1: 10 places, 8 requested -> 2 spare, no shortfall, 1.25 places per learner
    assert row.loc[("acute", "B1"), "places"] == 10
    assert row.loc[("acute", "B1"), "spare"] == 2
    assert row.loc[("acute", "B1"), "shortfall"] == 0
    assert row.loc[("acute", "B1"), "places_per_learner"] == pytest.approx(1.25)
    # care homes B1: 2 places, 5 requested -> shortfall 3
    assert row.loc[("care_home", "B1"), "shortfall"] == 3
    # open demand: no places of its own to compare with, so no false shortfall
    assert np.isnan(row.loc[(ANY_SECTOR, "B1"), "places"])
    assert np.isnan(row.loc[(ANY_SECTOR, "B1"), "shortfall"])
    assert row.loc[(ANY_SECTOR, "B1"), "requested"] == 3
    # total B1: 12 places, 16 requested -> shortfall 4
    assert row.loc[(ALL_SECTORS, "B1"), "places"] == 12
    assert row.loc[(ALL_SECTORS, "B1"), "requested"] == 16
    assert row.loc[(ALL_SECTORS, "B1"), "shortfall"] == 4
    # a block with no requests has places but no coverage ratio
    assert row.loc[(ALL_SECTORS, "B2"), "places_per_learner"] == 1


def test_capacity_without_demand_has_no_ratio() -> None:
    capacity = pd.DataFrame({"sector": ["acute"], "block": ["B1"], "places": [3]})
    demand = pd.DataFrame({"sector": [], "block": [], "learners": []})
    long = capacity_against_demand(capacity, demand, key="sector")
    assert long.loc[0, "requested"] == 0
    assert long.loc[0, "spare"] == 3
    assert np.isnan(long.loc[0, "places_per_learner"])
    assert matrix(long, key="sector", value="places").loc["acute", "B1"] == 3


def test_programme_places_come_from_its_profession_group_in_hosting_settings() -> None:
    capacity = pd.DataFrame(
        {
            "setting_id": ["S1", "S1", "S2", "S3"],
            "block": ["B1", "B1", "B1", "B1"],
            "profession_group": ["nursing", "ahp", "nursing", "nursing"],
            "places": [3, 2, 4, 7],
        }
    )
    hosting = pd.DataFrame(
        {
            "setting_id": ["S1", "S1", "S1", "S2"],
            "programme": ["ADULT", "MH", "PHYSIO", "ADULT"],
            "profession_group": ["nursing", "nursing", "ahp", "nursing"],
        }
    )
    out = programme_capacity(capacity, hosting).set_index("programme")["places"]
    # ADULT: S1 nursing 3 + S2 nursing 4; S3 hosts nothing listed; the AHP rows never count
    assert out["ADULT"] == 7
    assert out["MH"] == 3
    assert out["PHYSIO"] == 2


def test_sector_coverage_adds_up_to_the_block_coverage() -> None:
    capacity, demand = _sector_frames()
    cov = sector_coverage(capacity, demand).set_index(["sector", "block"])
    assert cov.loc[("acute", "B1"), "places_per_learner"] == pytest.approx(10 / 16)
    assert cov.loc[("care_home", "B1"), "places_per_learner"] == pytest.approx(2 / 16)
    assert cov.loc[("care_home", "B2"), "places"] == 0
    b1 = cov.xs("B1", level="block")["places_per_learner"].sum()
    assert b1 == pytest.approx(12 / 16)


def test_sector_coverage_without_requests_is_not_infinite() -> None:
    capacity = pd.DataFrame({"sector": ["acute"], "block": ["B1"], "places": [3]})
    demand = pd.DataFrame({"block": pd.Series([], dtype=str), "learners": []})
    cov = sector_coverage(capacity, demand)
    assert np.isnan(cov.loc[0, "places_per_learner"])


def test_setting_spare_counts_placed_learners() -> None:
    capacity = pd.DataFrame({"setting_id": ["S1", "S1", "S2"], "places": [2, 3, 1]})
    placed = pd.DataFrame({"setting_id": ["S1", "S2", "S3"], "learners": [4, 2, 1]})
    out = setting_spare(capacity, placed).set_index("setting_id")
    assert out.loc["S1", "spare"] == 1
    assert out.loc["S2", "spare"] == -1  # over-placed: shown, not hidden
    assert out.loc["S3", "places"] == 0


def test_calendar_overlaps_only_between_heis_in_one_profession_group() -> None:
    calendar = pd.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "hei": ["U1", "U2", "U1", "U3"],
            "programme": ["ADULT", "ADULT", "MH", "PHYSIO"],
            "profession_group": ["nursing", "nursing", "nursing", "ahp"],
            "start_date": [
                date(2026, 9, 7),
                date(2026, 9, 28),
                date(2026, 9, 14),
                date(2026, 9, 7),
            ],
            "end_date": [
                date(2026, 10, 2),
                date(2026, 10, 30),
                date(2026, 10, 9),
                date(2026, 10, 30),
            ],
        }
    )
    out = calendar_overlaps(calendar)
    # 1-2: 28 Sep to 2 Oct = 5 days; 2-3: 28 Sep to 9 Oct = 12 days; 1-3 same HEI; 4 other group
    assert out[["id_a", "id_b", "overlap_days"]].values.tolist() == [[1, 2, 5], [2, 3, 12]]
    assert calendar_overlaps(calendar.iloc[0:0]).empty


def test_places_from_named_staff_are_counted_beside_all_places() -> None:
    capacity = pd.DataFrame(
        {
            "setting_id": ["S1", "S2", "S3"],
            "sector": ["acute", "acute", "care_home"],
            "block": ["B1", "B1", "B1"],
            "profession_group": ["nursing"] * 3,
            "places": [3, 2, 4],
            "capacity_kind": ["named", "unnamed", "named"],
        }
    )
    demand = pd.DataFrame({"sector": ["acute"], "block": ["B1"], "learners": [6]})
    long = capacity_against_demand(capacity, demand, key="sector", total_label=ALL_SECTORS)
    row = long.set_index(["sector", "block"])
    assert row.loc[("acute", "B1"), ["places", "named_places"]].tolist() == [5, 3]
    assert row.loc[(ALL_SECTORS, "B1"), ["places", "named_places"]].tolist() == [9, 7]
    hosting = pd.DataFrame(
        {
            "setting_id": ["S1", "S2"],
            "programme": ["ADULT"] * 2,
            "profession_group": ["nursing"] * 2,
        }
    )
    out = programme_capacity(capacity, hosting).set_index("programme")
    assert out.loc["ADULT", ["places", "named_places"]].tolist() == [5, 3]
