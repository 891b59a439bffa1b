"""The deployment's disclosure convention: presets, overrides, and refusals."""

from __future__ import annotations

import pytest

from tracker.measures import HESA, NHS, make_policy


def test_presets_by_name_and_overrides() -> None:
    assert make_policy() == HESA
    assert make_policy("NHS") == NHS
    stricter = make_policy("hesa", rounding_base=10, min_rate_denominator=50)
    assert (stricter.rounding_base, stricter.min_rate_denominator) == (10, 50)
    assert stricter.small_max == HESA.small_max


@pytest.mark.parametrize(
    ("name", "overrides", "message"),
    [
        ("exact", {}, "Unknown disclosure convention"),
        ("ons", {}, "Unknown disclosure convention"),
        ("hesa", {"rounding_base": 0}, "rounding_base"),
        ("hesa", {"small_max": -1}, "small_max"),
    ],
)
def test_a_convention_that_would_disclose_is_refused(
    name: str, overrides: dict[str, int], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        make_policy(name, **overrides)
