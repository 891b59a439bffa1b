"""Stage 1 with educational audits: places only in blocks an approved, in-date audit covers."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tracker.optimise import allocate
from tracker.optimise.audit_filter import allocate_with_audits
from tracker.optimise.model import InputError

SETTINGS = pd.DataFrame(
    {
        "setting_id": ["S1", "S2"],
        "sector": ["acute", "acute"],
        "programmes": ["*", "ADN;MID"],
        "lat": [52.45, 52.46],
        "lon": [-1.93, -1.92],
        "active": [True, True],
    }
)
CAPACITY = pd.DataFrame(
    {"setting_id": ["S1", "S1", "S2", "S2"], "block": ["1", "2", "1", "2"], "places": [2] * 4}
)
DEMAND = pd.DataFrame(
    {
        "request_id": ["r1", "r2", "r3"],
        "hei": ["H1", "H1", "H2"],
        "programme": ["ADN", "ADN", "MID"],
        "block": ["1", "2", "1"],
        "learners": [2, 2, 2],
        "sector": [None, None, None],
        "lat": [52.48, 52.48, 52.48],
        "lon": [-1.90, -1.90, -1.90],
    }
)
BLOCKS = {"1": (date(2027, 1, 4), date(2027, 2, 26)), "2": (date(2027, 3, 8), date(2027, 4, 30))}
AUDITS = pd.DataFrame(
    {
        "setting_id": ["S1", "S2"],
        "audited_on": ["2025-06-01", "2025-06-01"],
        "expires_on": ["2027-03-01", "2028-06-01"],
        "outcome": ["approved", "approved"],
        "programmes": ["*", "MID"],
    }
)


def _placed(result: object) -> dict[tuple[str, str], int]:
    p = result.placements  # type: ignore[attr-defined]
    return {(r.request_id, r.setting_id): int(r.learners) for r in p.itertuples() if r.learners}


def test_places_only_where_an_audit_covers_the_programme_and_block() -> None:
    result = allocate_with_audits(SETTINGS, CAPACITY, DEMAND, AUDITS, BLOCKS)
    # S1's audit covers block 1 only; S2's audit approves midwifery only
    assert _placed(result) == {("r1", "S1"): 2, ("r3", "S2"): 2}
    assert set(result.placements["programme"]) == {"ADN", "MID"}
    unmet = result.unmet.set_index("request_id")
    assert unmet.loc["r2", "reason_code"] == "audit"
    assert unmet.loc["r2", "programme"] == "ADN"
    assert unmet.loc["r2", "reason"].startswith(
        "educational audit expired / not approved for ADN at S1, S2"
    )


def test_without_the_audits_the_same_instance_places_everyone() -> None:
    assert allocate(SETTINGS, CAPACITY, DEMAND).levels.placed == 6
    covered = AUDITS.assign(expires_on="2028-06-01", programmes="*")
    assert allocate_with_audits(SETTINGS, CAPACITY, DEMAND, covered, BLOCKS).levels.placed == 6


def test_blocks_need_dates() -> None:
    with pytest.raises(InputError, match="block"):
        allocate_with_audits(SETTINGS, CAPACITY, DEMAND, AUDITS, {"1": BLOCKS["1"]})
