"""The allocation page's layout: the review card with its tabs (the run form is
``_allocation_form``).

Private to ``tracker/pages/allocation.py`` (Dash skips modules starting with ``_``); the
component ids are the page's (``allocation-<thing>``).
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from tracker import components as ui
from tracker.pages._allocation_explanation import explanation_tab
from tracker.pages._allocation_named import named_tab
from tracker.pages._allocation_tariff import tariff_tab
from tracker.queries.run_review import MAKEUP_COLUMNS
from tracker.queries.runs import RUN_HISTORY_COLUMNS

PAGE = "allocation"

HISTORY = list(RUN_HISTORY_COLUMNS)
PLAN = [
    "placement_id",
    "hei",
    "request",
    "programme",
    "block",
    "start_date",
    "end_date",
    "setting",
    "setting_name",
    "sector",
    "learners",
    "pinned",
    "distance_km",
]
UNMET = ["request_id", "hei", "programme", "block", "learners", "reason"]
BOTTLENECKS = [
    "setting_id",
    "profession_group",
    "block",
    "sector",
    "places",
    "placed",
    "learners_per_supervisor",
    "extra_with_1",
    "extra_with_2",
    "extra_with_5",
    "unmet_in_reach",
    "supervisors_to_add",
]
#: The sector a what-if adds supervisors to unless another is chosen.
WHAT_IF_SECTOR = "care_home"


def _actions() -> Any:
    return dbc.Row(
        [
            dbc.Col(
                [
                    ui.button(
                        "Re-run close to this plan",
                        f"{PAGE}-rerun",
                        outline=True,
                        class_name="me-2 mb-1",
                    ),
                    ui.button(
                        "Assign named learners",
                        f"{PAGE}-assign",
                        outline=True,
                        class_name="me-2 mb-1",
                    ),
                    ui.button(
                        "Approve and publish", f"{PAGE}-approve", "success", class_name="me-2 mb-1"
                    ),
                    dbc.Checkbox(
                        id=f"{PAGE}-supersede",
                        label="supersede an approved run",
                        value=False,
                        className="d-inline-block small",
                    ),
                    ui.confirm_dialog(
                        f"{PAGE}-approve",
                        "Approve and publish this plan?",
                        "Approve and publish",
                        "success",
                    ),
                ],
                md=12,
            ),
        ]
    )


def _what_if() -> Any:
    return dbc.Row(
        [
            ui.field(
                "What-if: sector",
                dcc.Dropdown(
                    id=f"{PAGE}-whatif-sector",
                    value=WHAT_IF_SECTOR,
                    clearable=False,
                    options=ui.sector_options(),
                ),
                3,
            ),
            ui.field(
                "Supervisors to add per setting",
                dbc.Input(id=f"{PAGE}-whatif-add", type="number", value=1, step=1),
                3,
            ),
            dbc.Col(
                ui.button("Run what-if on a copy", f"{PAGE}-whatif", "secondary", outline=True),
                md=3,
                className="d-flex align-items-end mb-2",
            ),
        ]
    )


def _plan_tab() -> Any:
    return html.Div(
        [
            ui.grid(f"{PAGE}-plan", PLAN, height=380, row_id="placement_id", selectable=True),
            dbc.Row(
                [
                    dbc.Col(
                        ui.button("Pin / unpin selected", f"{PAGE}-pin", "secondary", outline=True),
                        md=2,
                        className="d-flex align-items-end mb-2",
                    ),
                    ui.field(
                        "Move selected learners to",
                        dcc.Dropdown(id=f"{PAGE}-move-to", placeholder="Setting"),
                        5,
                    ),
                    ui.field(
                        "Learners",
                        dbc.Input(id=f"{PAGE}-move-n", type="number", min=1, step=1, value=1),
                        2,
                    ),
                    dbc.Col(
                        ui.button("Move", f"{PAGE}-move", "secondary", outline=True),
                        md=2,
                        className="d-flex align-items-end mb-2",
                    ),
                ],
                className="mt-2",
            ),
        ]
    )


def _compare_tab() -> Any:
    return dbc.Tab(
        [
            dcc.Dropdown(
                id=f"{PAGE}-compare-with", placeholder="Compare with run…", className="mb-2"
            ),
            html.Div(id=f"{PAGE}-compare-summary"),
            ui.grid(
                f"{PAGE}-compare-figures",
                [
                    "run_id",
                    "name",
                    "requested",
                    "placed",
                    "min_hei_fill",
                    "max_sector_utilisation",
                    "learner_km",
                    "unmet",
                ],
                height=130,
            ),
            html.H3("What changed", className="h6 mt-3"),
            ui.grid(
                f"{PAGE}-compare-changes",
                ["hei", "request", "block", "setting", "sector", "a", "b", "change"],
                height=280,
            ),
            html.H3("Named learners who moved", className="h6 mt-3"),
            ui.grid(
                f"{PAGE}-compare-named",
                ["learner", "hei", "setting_a", "setting_b"],
                height=200,
            ),
        ],
        label="Compare",
        tab_id="compare",
    )


def _chart_tab(name: str, label: str, filename: str, columns: list[str]) -> Any:
    """A tab of one chart above the figures it draws: ``<page>-<name>-chart`` and
    ``<page>-<name>-grid``."""
    return dbc.Tab(
        [
            ui.graph(f"{PAGE}-{name}-chart", filename=filename),
            ui.grid(f"{PAGE}-{name}-grid", columns, height=250),
        ],
        label=label,
        tab_id=name,
    )


def _hei_tab() -> Any:
    """Fill per HEI, with its make-up hours learners placed, and below it every request
    with make-up hours learners (``<page>-makeup-grid``)."""
    columns = ["hei", "requested", "placed", "fill_ratio", "makeup_learners", "makeup_placed"]
    return dbc.Tab(
        [
            ui.graph(f"{PAGE}-hei-chart", filename="hei-fill"),
            ui.grid(f"{PAGE}-hei-grid", columns, height=250),
            html.H3("Make-up hours learners by request", className="h6 mt-3"),
            html.P(
                "Requests with learners making up practice hours: they are placed first "
                "within their HEI's share, so another HEI's fill never changes for them.",
                className="small text-muted",
            ),
            ui.grid(f"{PAGE}-makeup-grid", MAKEUP_COLUMNS, height=200),
        ],
        label="By HEI",
        tab_id="hei",
    )


def _grid_tab(
    name: str, label: str, columns: list[str], *, tab_id: str | None = None, note: str = ""
) -> Any:
    """A tab of one grid of the plan, ``<page>-<name>-grid``, under a line saying what it
    lists (when there is more to say than the tab's label)."""
    said = [html.P(note, className="small text-muted")] if note else []
    grid = ui.grid(f"{PAGE}-{name}-grid", columns, height=360)
    return dbc.Tab([*said, grid], label=label, tab_id=tab_id or name)


def _tabs() -> Any:
    return dbc.Tabs(
        [
            dbc.Tab(_plan_tab(), label="Plan", tab_id="plan"),
            explanation_tab(),
            _hei_tab(),
            _chart_tab(
                "sector",
                "By sector",
                "sector-utilisation",
                ["sector", "places", "placed", "utilisation"],
            ),
            _grid_tab(
                "setting",
                "By setting",
                ["setting", "sector", "block", "places", "placed", "utilisation"],
            ),
            _grid_tab("unmet", "Unmet", UNMET),
            _grid_tab(
                "bottleneck",
                "Bottlenecks",
                BOTTLENECKS,
                tab_id="bottlenecks",
                note="Full settings where more supervisors would place more learners: how "
                "many one, two or five more would place there (each worked out on the whole "
                "plan, exactly as a re-run would), most placed by one more first, and how "
                "many it takes to place every unmet learner who could go there.",
            ),
            named_tab(),
            tariff_tab(),
            _compare_tab(),
        ],
        id=f"{PAGE}-tabs",
        active_tab="plan",
    )


def review() -> Any:
    """The review card: summary, actions on the chosen run, and its plan in tabs."""
    return ui.card(
        "Review",
        [
            html.Div(id=f"{PAGE}-summary"),
            _actions(),
            _what_if(),
            html.Div(id=f"{PAGE}-action-message"),
            _tabs(),
        ],
        card_id=f"{PAGE}-plan-review",
    )
