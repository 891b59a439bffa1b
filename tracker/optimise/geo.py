"""Straight-line (great-circle) distances, vectorised, and a chord radius for k-d tree pruning."""

from __future__ import annotations

from typing import Any

import numpy as np

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Great-circle distance in km; NaN where a location is missing."""
    p1 = np.radians(np.asarray(lat1, dtype=float))
    p2 = np.radians(np.asarray(lat2, dtype=float))
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points on the unit sphere, so that a Euclidean k-d tree can find neighbours."""
    p = np.radians(lat)
    lam = np.radians(lon)
    return np.column_stack((np.cos(p) * np.cos(lam), np.cos(p) * np.sin(lam), np.sin(p)))


def chord_for_km(km: float) -> float:
    """Chord length on the unit sphere matching a great-circle distance, with a safety margin."""
    return float(2 * np.sin(min(km / EARTH_RADIUS_KM, np.pi) / 2)) * (1 + 1e-9) + 1e-12
