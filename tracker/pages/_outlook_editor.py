"""The Outlook page's scenario editor: a few labelled numbers and the buttons that apply them.

What the editor holds is ``services.outlook_scenarios.ScenarioEdits``: one intake change, one
withdrawals change, one local employment change and one capacity change, each zero until
typed. The page keeps the applied numbers in a store and nothing else.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from tracker import components as ui
from tracker.vocabulary import PROFESSION_GROUPS, SECTORS

PAGE = "outlook"
Layout = Any
#: The editor's fields, in the order the apply callback reads them (ScenarioEdits' names).
FIELDS = (
    "intake_for",
    "intake_percent",
    "intake_by",
    "withdrawal_points",
    "local_points",
    "change_from",
    "sector",
    "supervisors",
    "capacity_from",
    "intake_shape",
    "target_per_learner",
    "cap_per_setting",
    *(f"cost_{sector}" for sector in SECTORS),
)


def _number(name: str, label_text: str, value: float | None, *, step: float = 1) -> Layout:
    control = dbc.Input(
        id=f"{PAGE}-{name}", type="number", value=value, step=step, size="sm", debounce=True
    )
    return ui.field(label_text, control, width=2)


def intake_targets(programmes: pd.DataFrame) -> list[dict[str, str]]:
    """Every programme, a profession group or one programme: what an intake change names."""
    groups = [
        {"label": f"All {text.lower()} programmes", "value": code}
        for code, text in PROFESSION_GROUPS.items()
    ]
    named = [
        {"label": f"{row.name} ({row.code})", "value": row.code}
        for row in programmes.itertuples(index=False)
    ]
    return [{"label": "Every programme", "value": "*"}, *groups, *named]


def _capacity_fields(first_year: int, *, placements: bool) -> Layout:
    """Extra supervisors, the policy target and the cheapest expansion's costs and cap: shown
    only to those who may plan placements (kept, hidden, for the others' callbacks)."""
    hidden = None if placements else {"display": "none"}
    return html.Div(
        [
            dbc.Row(
                [
                    ui.choice_field(
                        "Extra supervisors in",
                        f"{PAGE}-sector",
                        ui.sector_options(),
                        "Every sector",
                        width=4,
                    ),
                    _number("supervisors", "Extra supervisors per setting", 0),
                    _number("capacity_from", "From (year)", first_year),
                    _number(
                        "target_per_learner",
                        "Community or care-home placements per learner a year, at least",
                        0,
                        step=0.5,
                    ),
                ]
            ),
            dbc.Row(
                [
                    *(
                        _number(f"cost_{code}", f"Cost per supervisor: {name}", None, step=0.1)
                        for code, name in SECTORS.items()
                    ),
                    _number("cap_per_setting", "Most supervisors added per setting", None),
                ]
            ),
        ],
        style=hidden,
    )


def editor(programmes: pd.DataFrame, first_year: int, *, placements: bool) -> Layout:
    """The editor card: intake, withdrawals and local employment changes, and (for those who
    may plan placements) extra supervisors in a sector."""
    by_year = first_year + 4
    rows = [
        dbc.Row(
            [
                ui.choice_field(
                    "Intake change applies to",
                    f"{PAGE}-intake_for",
                    intake_targets(programmes),
                    value="*",
                    width=4,
                ),
                _number("intake_percent", "Intake change (%)", 0),
                _number("intake_by", "Reached by (year)", by_year),
                ui.choice_field(
                    "Shape",
                    f"{PAGE}-intake_shape",
                    [
                        {"label": "Linear: a little more each year", "value": "linear"},
                        {"label": "Step: all of it from that year", "value": "step"},
                    ],
                    value="linear",
                    width=3,
                ),
            ]
        ),
        dbc.Row(
            [
                _number("withdrawal_points", "Withdrawals change (points)", 0, step=0.5),
                _number("local_points", "Local employment change (points)", 0, step=0.5),
                _number("change_from", "Both from (year)", first_year),
            ]
        ),
    ]
    capacity = _capacity_fields(first_year, placements=placements)
    return ui.card(
        "Scenario",
        html.Div(
            [
                *rows,
                capacity,
                html.Div(
                    [
                        ui.button("Apply scenario", f"{PAGE}-apply"),
                        ui.button(
                            "Back to the baseline", f"{PAGE}-reset", "secondary", outline=True
                        ),
                    ],
                    className="d-flex gap-2",
                ),
                html.Div(id=f"{PAGE}-scenario-message", className="mt-2", role="status"),
            ]
        ),
        note=(
            "Changes are against the baseline (the observed rates, the last intake carried "
            "forward). Withdrawals and local employment changes apply to every programme"
            + (
                "; extra supervisors and the policy target change only the placement figures, "
                "costs (empty: 1 per supervisor) and the cap only the cheapest expansion"
                if placements
                else ""
            )
            + ". Save the applied scenario below to keep it."
        ),
    )


def editor_values(stored: dict[str, Any]) -> list[Any]:
    """The editor's field values (FIELDS, in order) of a stored scenario."""
    costs = stored.get("costs") or {}
    return [
        costs.get(name.removeprefix("cost_")) if name.startswith("cost_") else stored.get(name)
        for name in FIELDS
    ]


def describe(edits: Any) -> str:
    """The applied scenario in one sentence."""
    if edits.is_baseline() and not (edits.costs or edits.cap_per_setting is not None):
        return "Showing the baseline: no change applied."
    parts = []
    if edits.intake_percent:
        whom = (
            "every programme"
            if edits.intake_for == "*"
            else PROFESSION_GROUPS.get(edits.intake_for, edits.intake_for)
        )
        parts.append(
            f"intakes {edits.intake_percent:+g}% for {whom} by {edits.intake_by} "
            f"({edits.intake_shape})"
        )
    if edits.withdrawal_points:
        parts.append(f"withdrawals {edits.withdrawal_points:+g} points from {edits.change_from}")
    if edits.local_points:
        parts.append(f"local employment {edits.local_points:+g} points from {edits.change_from}")
    if edits.supervisors:
        where = SECTORS.get(edits.sector or "", "every sector").lower()
        parts.append(
            f"+{edits.supervisors} supervisors per setting in {where} from {edits.capacity_from}"
        )
    if edits.target_per_learner:
        parts.append(
            f"at least {edits.target_per_learner:g} community or care-home placements per "
            "learner a year"
        )
    if edits.costs:
        priced = ", ".join(f"{SECTORS[s].lower()} {c:g}" for s, c in edits.costs)
        parts.append(f"costs per supervisor {priced}")
    if edits.cap_per_setting is not None:
        parts.append(f"at most {edits.cap_per_setting} supervisors added per setting")
    return "Scenario applied: " + "; ".join(parts) + "."
