"""Seeded, realistic allocation instances at three sizes.

Settings cluster around towns, with sectors in realistic proportions: acute trusts are few
but hold most places; care homes and GP practices are numerous and small. HEIs sit in some
towns and their learners travel from the HEI town or a nearby zone. Demand is scaled to
slightly exceed the places overall, with midwifery, physiotherapy and paramedic science
over-subscribed and some requests needing a community or primary-care placement.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

SECTOR_MIX = {  # share of settings, places per block (low, high)
    "acute": (0.06, (15, 60)),
    "primary_care": (0.30, (1, 3)),
    "community": (0.10, (3, 10)),
    "mental_health": (0.06, (4, 12)),
    "care_home": (0.38, (1, 2)),
    "social_care": (0.06, (1, 4)),
    "vcse": (0.04, (1, 2)),
}
HOSTS = {
    "acute": "*",
    "primary_care": "nursing_adult;nursing_child;physio;paramedic",
    "community": "nursing_adult;nursing_child;physio;ot;midwifery",
    "mental_health": "nursing_mh;ot;social_work",
    "care_home": "nursing_adult;nursing_mh;social_work",
    "social_care": "social_work;ot",
    "vcse": "social_work;nursing_mh",
}
PROGRAMME_WEIGHT = {  # share of demand; over-subscribed ones get a higher share than supply
    "nursing_adult": 0.36,
    "nursing_mh": 0.12,
    "nursing_child": 0.07,
    "midwifery": 0.09,
    "physio": 0.09,
    "ot": 0.07,
    "paramedic": 0.08,
    "social_work": 0.12,
}


@dataclass(frozen=True)
class Size:
    name: str
    learners: int
    settings: int
    blocks: int
    heis: int
    towns: int
    span_km: float


SIZES = {
    "ics": Size("integrated care system", 5_000, 400, 4, 4, 8, 60),
    "region": Size("region", 30_000, 2_500, 4, 14, 45, 160),
    "nation": Size("nation", 150_000, 10_000, 4, 70, 220, 420),
}


def generate(
    size: Size, seed: int = 7, over: float = 1.08
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    lat0, lon0 = 52.6, -1.4
    km_lat, km_lon = 1 / 111.2, 1 / (111.2 * np.cos(np.radians(lat0)))
    town_xy = rng.uniform(-size.span_km / 2, size.span_km / 2, size=(size.towns, 2))
    town_weight = rng.pareto(1.3, size.towns) + 1
    town_weight /= town_weight.sum()

    def to_latlon(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return lat0 + xy[:, 1] * km_lat, lon0 + xy[:, 0] * km_lon

    sectors = list(SECTOR_MIX)
    shares = np.array([SECTOR_MIX[s][0] for s in sectors])
    sector = rng.choice(sectors, size=size.settings, p=shares / shares.sum())
    town = rng.choice(size.towns, size=size.settings, p=town_weight)
    xy = town_xy[town] + rng.normal(0, 4.0, size=(size.settings, 2))
    lat, lon = to_latlon(xy)
    settings = pd.DataFrame(
        {
            "setting_id": [f"S{i:05d}" for i in range(size.settings)],
            "sector": sector,
            "programmes": [HOSTS[s] for s in sector],
            "lat": lat.round(5),
            "lon": lon.round(5),
            "active": rng.random(size.settings) > 0.02,
        }
    )
    rows = []
    for i, s in enumerate(sector):
        low, high = SECTOR_MIX[s][1]
        for b in range(1, size.blocks + 1):
            if rng.random() < 0.9:
                rows.append((settings["setting_id"].iat[i], b, int(rng.integers(low, high + 1))))
    capacity = pd.DataFrame(rows, columns=["setting_id", "block", "places"])
    # scale the acute trusts' places so that demand exceeds places by the factor ``over``
    is_acute = (
        capacity["setting_id"]
        .map(dict(zip(settings["setting_id"], sector, strict=True)))
        .eq("acute")
        .to_numpy()
    )
    other = int(capacity.loc[~is_acute, "places"].sum())
    factor = max(
        0.2, (size.learners / over - other) / max(int(capacity.loc[is_acute, "places"].sum()), 1)
    )
    capacity.loc[is_acute, "places"] = np.maximum(
        1, np.rint(capacity.loc[is_acute, "places"] * factor)
    ).astype(int)

    # HEIs in the larger towns; each runs most programmes, with cohorts split over blocks
    hei_town = (
        rng.choice(size.towns, size=size.heis, replace=False, p=town_weight)
        if size.heis <= size.towns
        else rng.integers(0, size.towns, size.heis)
    )
    progs = list(PROGRAMME_WEIGHT)
    target = size.learners
    d_rows = []
    hei_share = rng.dirichlet(np.full(size.heis, 3.0))
    for h in range(size.heis):
        offered = [p for p in progs if rng.random() < 0.8] or progs[:1]
        w = np.array([PROGRAMME_WEIGHT[p] for p in offered])
        for p, wp in zip(offered, w / w.sum(), strict=True):
            for b in range(1, size.blocks + 1):
                zones = 3
                for z in range(zones):
                    n = target * hei_share[h] * wp / size.blocks / zones
                    n = int(rng.poisson(max(n, 0.3)))
                    if n == 0:
                        continue
                    origin = town_xy[hei_town[h]] + (rng.normal(0, 10, 2) if z else 0)
                    o_lat, o_lon = to_latlon(np.asarray(origin)[None, :])
                    need = None
                    if p.startswith("nursing") and rng.random() < 0.12:
                        need = "community" if rng.random() < 0.5 else "primary_care"
                    d_rows.append(
                        (
                            f"H{h:02d}-{p}-B{b}-Z{z}",
                            f"HEI{h:02d}",
                            p,
                            b,
                            n,
                            need,
                            round(float(o_lat[0]), 5),
                            round(float(o_lon[0]), 5),
                        )
                    )
    demand = pd.DataFrame(
        d_rows,
        columns=["request_id", "hei", "programme", "block", "learners", "sector", "lat", "lon"],
    )
    return settings, capacity, demand
