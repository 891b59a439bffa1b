"""Small instance builders shared by the optimiser tests."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

# a point in England and offsets roughly in km
LAT0, LON0 = 52.0, -1.5
KM_LAT = 1 / 111.2
KM_LON = 1 / (111.2 * np.cos(np.radians(LAT0)))


def at(east_km: float, north_km: float = 0.0) -> tuple[float, float]:
    return LAT0 + north_km * KM_LAT, LON0 + east_km * KM_LON


def settings(*rows: tuple[Any, ...]) -> pd.DataFrame:
    """rows: (setting_id, sector, programmes, east_km[, active])"""
    out = []
    for r in rows:
        lat, lon = at(r[3]) if r[3] is not None else (None, None)
        out.append(
            {
                "setting_id": r[0],
                "sector": r[1],
                "programmes": r[2],
                "lat": lat,
                "lon": lon,
                "active": r[4] if len(r) > 4 else True,
            }
        )
    return pd.DataFrame(out)


def capacity(*rows: tuple[Any, ...]) -> pd.DataFrame:
    """rows: (setting_id, block, places)"""
    return pd.DataFrame(rows, columns=["setting_id", "block", "places"])


def demand(*rows: tuple[Any, ...]) -> pd.DataFrame:
    """rows: (request_id, hei, programme, block, learners[, sector[, east_km]])"""
    out = []
    for r in rows:
        east = r[6] if len(r) > 6 else 0.0
        lat, lon = at(east) if east is not None else (None, None)
        out.append(
            {
                "request_id": r[0],
                "hei": r[1],
                "programme": r[2],
                "block": r[3],
                "learners": r[4],
                "sector": r[5] if len(r) > 5 else None,
                "lat": lat,
                "lon": lon,
            }
        )
    return pd.DataFrame(out)


def random_instance(
    seed: int,
    *,
    n_settings: int = 8,
    n_requests: int = 10,
    n_blocks: int = 2,
    spread_km: float = 60.0,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A small over-subscribed instance with every feature switched on somewhere."""
    rng = np.random.default_rng(seed)
    sectors = ["acute", "primary_care", "community", "care_home"]
    programmes = ["nursing", "physio", "ot"]
    s_rows = []
    for i in range(n_settings):
        hosted = (
            "*"
            if rng.random() < 0.3
            else ";".join(sorted(set(rng.choice(programmes, size=rng.integers(1, 3)))))
        )
        s_rows.append(
            (
                f"S{i}",
                sectors[rng.integers(len(sectors))],
                hosted,
                float(rng.uniform(0, spread_km)),
                bool(rng.random() > 0.1),
            )
        )
    c_rows = [
        (f"S{i}", b + 1, int(rng.integers(0, 5)))
        for i in range(n_settings)
        for b in range(n_blocks)
        if rng.random() < 0.8
    ]
    c_rows.append(("S0", 1, 1))
    c_rows = list({(r[0], r[1]): r for r in c_rows}.values())
    blocks_offered = sorted({r[1] for r in c_rows})
    d_rows = []
    for j in range(n_requests):
        d_rows.append(
            (
                f"R{j}",
                f"H{rng.integers(3)}",
                programmes[rng.integers(len(programmes))],
                int(rng.choice(blocks_offered)),
                int(rng.integers(0, 7)),
                sectors[rng.integers(len(sectors))] if rng.random() < 0.2 else None,
                float(rng.uniform(0, spread_km)),
            )
        )
    return settings(*s_rows), capacity(*c_rows), demand(*d_rows)
