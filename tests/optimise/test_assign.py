"""Stage 2: named learners swapped between their request's places so own limits hold."""

from __future__ import annotations

import numpy as np
import pandas as pd
from alloc_helpers import at, settings
from scipy.sparse import csr_array
from scipy.sparse.csgraph import maximum_bipartite_matching

from tracker.optimise import assign_learners
from tracker.optimise.model import InputError

# three settings east of the learners' homes, at 0, 20 and 50 km
SETTINGS = settings(
    ("A", "acute", "*", 0), ("B", "care_home", "*", 20), ("C", "community", "*", 50)
)


def plan(*rows: tuple[str, str, int]) -> pd.DataFrame:
    """rows: (request_id, setting_id, learners), all in block 1"""
    return pd.DataFrame(
        [(r, s, "1", n) for r, s, n in rows],
        columns=["request_id", "setting_id", "block", "learners"],
    )


def people(*rows: tuple[str, float | None, str]) -> pd.DataFrame:
    """rows: (learner_id, max_distance_km, sectors_had), all of request r1, living at 0 km"""
    lat, lon = at(0)
    return pd.DataFrame(
        {
            "learner_id": [r[0] for r in rows],
            "request_id": "r1",
            "lat": lat,
            "lon": lon,
            "max_distance_km": [np.nan if r[1] is None else r[1] for r in rows],
            "sectors_had": [r[2] for r in rows],
        }
    )


def test_tight_limit_learner_gets_the_near_place_wherever_listed() -> None:
    # the tight-limit learner comes last and the others would happily take A: the
    # assignment swaps so that everyone is within their own limit
    learners = people(("free", None, ""), ("mid", 30, ""), ("tight", 5, ""))
    out = assign_learners(plan(("r1", "A", 1), ("r1", "B", 1), ("r1", "C", 1)), learners, SETTINGS)
    got = out.set_index("learner_id")["setting_id"].to_dict()
    assert got == {"tight": "A", "mid": "B", "free": "C"}
    assert out["reason"].isna().all()


def test_many_tight_learners_fill_near_places_first() -> None:
    # two tight learners, two near places (A twice) and a far one: both tight learners near
    learners = people(("free1", None, ""), ("tight1", 5, ""), ("tight2", 5, ""))
    out = assign_learners(plan(("r1", "A", 2), ("r1", "C", 1)), learners, SETTINGS)
    got = out.set_index("learner_id")["setting_id"].to_dict()
    assert got == {"tight1": "A", "tight2": "A", "free1": "C"}


def test_own_limit_beats_variety_and_variety_beats_travel() -> None:
    # "tight" has had acute but A is the only place within 5 km: A anyway. "varied" has had
    # acute too and no limit: the care home at 20 km rather than the acute trust next door
    learners = people(("tight", 5, "acute"), ("varied", None, "acute"), ("plain", None, ""))
    out = assign_learners(plan(("r1", "A", 2), ("r1", "B", 1)), learners, SETTINGS)
    got = out.set_index("learner_id")
    assert got.loc["tight", "setting_id"] == "A" and not got.loc["tight", "new_sector"]
    assert got.loc["varied", "setting_id"] == "B" and got.loc["varied", "new_sector"]
    assert got.loc["plain", "setting_id"] == "A"


def test_no_allocated_place_within_own_limit_is_reported_with_the_nearest() -> None:
    learners = people(("tight", 10, ""), ("free", None, ""))
    out = assign_learners(plan(("r1", "B", 1), ("r1", "C", 1)), learners, SETTINGS)
    row = out.set_index("learner_id").loc["tight"]
    assert pd.isna(row["setting_id"])
    assert row["reason_code"] == "beyond_own_limit"
    assert "own 10 km limit" in row["reason"] and "setting B" in row["reason"]
    assert "20.0 km" in row["reason"]
    assert out.set_index("learner_id").loc["free", "setting_id"] in {"B", "C"}


def test_near_place_taken_by_another_tight_learner_is_explained() -> None:
    learners = people(("tight1", 5, ""), ("tight2", 5, ""))
    out = assign_learners(plan(("r1", "A", 1), ("r1", "C", 1)), learners, SETTINGS)
    assert out["setting_id"].notna().sum() == 1
    left = out[out["setting_id"].isna()].iloc[0]
    assert left["reason_code"] == "own_limit_places_taken"
    assert "5 km limit" in left["reason"]


def test_more_learners_than_places_and_request_without_places() -> None:
    learners = pd.concat(
        [
            people(("a", None, ""), ("b", None, ""), ("c", None, "")),
            people(("z", None, "")).assign(request_id="r2"),
        ],
        ignore_index=True,
    )
    out = assign_learners(plan(("r1", "A", 1), ("r1", "B", 1)), learners, SETTINGS)
    codes = out.set_index("learner_id")["reason_code"]
    assert sorted(codes.dropna().tolist()) == ["more_learners_than_places", "no_place"]
    assert codes["z"] == "no_place"
    assert out["setting_id"].notna().sum() == 2


def test_no_learner_is_ever_sent_beyond_their_limit() -> None:
    rng = np.random.default_rng(7)
    for _ in range(20):
        n = int(rng.integers(1, 9))
        counts = rng.integers(0, 4, size=3)
        learners = people(
            *[
                (f"L{i}", float(rng.choice([5, 25, 60])) if rng.random() < 0.7 else None, "")
                for i in range(n)
            ]
        )
        p = plan(*[("r1", s, int(k)) for s, k in zip("ABC", counts, strict=True) if k])
        if p.empty:
            continue
        out = assign_learners(p, learners, SETTINGS).merge(
            learners[["learner_id", "max_distance_km"]], on="learner_id"
        )
        on = out[out["setting_id"].notna()]
        assert (on["distance_km"].astype(float) <= on["max_distance_km"].fillna(np.inf)).all()
        allocated = p.set_index("setting_id")["learners"]
        used = on.groupby("setting_id").size().reindex(allocated.index, fill_value=0)
        assert (used <= allocated).all()
        assert out.loc[out["setting_id"].isna(), "reason"].notna().all()
        # as many learners within their limits as an independent maximum matching allows
        slot_km = np.repeat(
            np.array([0.0, 20.0, 50.0])[[ord(x) - 65 for x in p["setting_id"]]],
            p["learners"].to_numpy(),
        )
        ok = slot_km[None, :] <= learners["max_distance_km"].fillna(np.inf).to_numpy()[:, None]
        match = maximum_bipartite_matching(csr_array(ok.astype(np.int8)), perm_type="column")
        assert len(on) == int((match >= 0).sum())


def test_learners_behind_on_hours_are_placed_first() -> None:
    """Two places, three learners: the two behind on hours get them, whatever their order;
    without the column the first two in the file would (the tie is broken by position)."""
    learners = people(("a", None, ""), ("b", None, ""), ("c", None, ""))
    two = plan(("r1", "A", 1), ("r1", "B", 1))
    plain = assign_learners(two, learners, SETTINGS).set_index("learner_id")["setting_id"]
    left_out = plain[plain.isna()].index.tolist()
    assert len(left_out) == 1
    behind = learners.assign(behind_on_hours=learners["learner_id"].eq(left_out[0]))
    placed = assign_learners(two, behind, SETTINGS).set_index("learner_id")
    assert pd.notna(placed.loc[left_out[0], "setting_id"])
    assert placed["setting_id"].notna().sum() == 2  # behind first costs nobody a place


def test_behind_first_within_own_limits_and_without_losing_a_place() -> None:
    """A behind learner with a tight limit takes the near place; the learner who could go
    anywhere takes the far one; a learner behind never goes beyond their own limit."""
    learners = people(("tight", 25.0, ""), ("free", None, ""), ("far", 10.0, "")).assign(
        behind_on_hours=["yes", "no", "yes"]
    )
    out = assign_learners(plan(("r1", "B", 1), ("r1", "C", 1)), learners, SETTINGS)
    where = out.set_index("learner_id")
    assert where.loc["tight", "setting_id"] == "B" and where.loc["free", "setting_id"] == "C"
    assert where.loc["far", "reason_code"] == "beyond_own_limit"


def test_behind_on_hours_must_be_yes_or_no() -> None:
    learners = people(("a", None, "")).assign(behind_on_hours="perhaps")
    try:
        assign_learners(plan(("r1", "A", 1)), learners, SETTINGS)
    except InputError as error:
        assert [p.column for p in error.problems] == ["behind_on_hours"]
    else:  # pragma: no cover - the assertion is the test
        raise AssertionError("a bad behind_on_hours cell was accepted")
