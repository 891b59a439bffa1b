"""Charts never use colour as the only signal (WCAG 1.4.1)."""

from __future__ import annotations

import pandas as pd

from tracker.components import figures as ui


def test_funnel_points_outside_the_limits_differ_in_shape_and_the_legend_says_so() -> None:
    points = pd.DataFrame(
        {
            "hei": ["UNI-A", "UNI-B"],
            "shown_starters": [40, 60],
            "shown_rate": [0.1, 0.4],
            "outside": [False, True],
            "flag": ["", "above the 95% limit"],
        }
    )
    limits = pd.DataFrame({"n": [10, 100]})
    for level in ("95", "99_8"):
        limits[f"upper_{level}"], limits[f"lower_{level}"] = [0.5, 0.3], [0.0, 0.1]
    figure = ui.funnel_figure(points, limits, 0.2, ["hei"])
    markers = {trace.name: trace.marker.symbol for trace in figure.data if trace.mode == "markers"}
    assert markers == {
        "Within limits (circles)": "circle",
        "Outside 95% limits (diamonds)": "diamond",
    }
