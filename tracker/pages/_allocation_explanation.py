"""The allocation review's Summary tab: why the chosen plan is as fair as it is, in words.

It says how far the solve proved its plan (every level proven best, or stopped by the time
limit with each level's proven gap), every HEI's fill, every sector's utilisation, and round
by round which HEIs (then sectors) the fairness levels held at which value and the full
places that held them. Private to ``pages/allocation.py``; the words are the vocabulary's.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from tracker.queries.run_explanation import FairnessExplanation, HeldPlace, HeldRound
from tracker.vocabulary import (
    FAIRNESS_POLICIES,
    HELD_REASONS,
    PLAN_LEVELS,
    PROFESSION_GROUPS,
    SECTORS,
    SOLVE_STATUSES,
)

PAGE = "allocation"
_PLACES_NAMED = 8  # full places named per round; the Bottlenecks tab lists them all


def explanation_tab() -> Any:
    """The tab the chosen run's explanation is drawn into (``allocation-explanation``)."""
    return dbc.Tab(html.Div(id=f"{PAGE}-explanation"), label="Summary", tab_id="summary")


def explanation_view(expl: FairnessExplanation | None) -> Any:
    """The explanation of a finished run; a line saying there is none for other runs."""
    if expl is None or not expl.status:
        return html.P("This run has no finished plan to explain.", className="text-muted")
    return html.Div(
        [
            html.P(
                [html.Strong(SOLVE_STATUSES.get(expl.status, expl.status) + ". "), _policy(expl)],
                id=f"{PAGE}-explanation-status",
            ),
            _gaps(expl),
            html.H3("Fill per HEI", className="h6 mt-3"),
            html.Ul([html.Li(_hei_line(r)) for r in expl.heis.itertuples()], id=f"{PAGE}-fills"),
            html.H3("Use of places per sector", className="h6 mt-3"),
            html.Ul(
                [html.Li(_sector_line(r)) for r in expl.sectors.itertuples()],
                id=f"{PAGE}-sector-use",
            ),
            html.H3("Who the fair shares held, and why", className="h6 mt-3"),
            html.Ol([html.Li(_held_line(h)) for h in expl.held], id=f"{PAGE}-held")
            if expl.held
            else html.P(
                "No HEI or sector was held: one HEI only, or nothing to share.",
                className="small text-muted",
                id=f"{PAGE}-held",
            ),
        ],
        className="small",
    )


def _policy(expl: FairnessExplanation) -> str:
    return f"Fairness asked for: {FAIRNESS_POLICIES.get(expl.fairness, expl.fairness)}."


def _gaps(expl: FairnessExplanation) -> Any:
    """Each level with what was proven about it."""
    items = []
    for level, gap in expl.gaps:
        if gap is None:
            said = "not proven: the time limit came before any bound"
        elif gap <= 0:
            said = "proven best"
        else:
            said = f"proven within {gap:.2%} of the best possible"
        items.append(html.Li(f"{PLAN_LEVELS.get(level, level)}: {said}"))
    if not items:
        return html.P("No level's proof was recorded for this run.", className="text-muted")
    return html.Ul(items, id=f"{PAGE}-gaps")


def _hei_line(row: Any) -> str:
    fill = float(row.fill_ratio) if row.fill_ratio == row.fill_ratio else 0.0
    return f"{row.hei}: {int(row.placed):,} of {int(row.requested):,} learners placed ({fill:.0%})"


def _sector_line(row: Any) -> str:
    use = float(row.utilisation) if row.utilisation == row.utilisation else 0.0
    return f"{SECTORS.get(str(row.sector), str(row.sector))}: {use:.0%} of places used"


def _place(place: HeldPlace) -> str:
    said = f"{place.name} ({place.code})"
    if place.group:
        said += f", {PROFESSION_GROUPS.get(place.group, place.group).lower()} places"
    if place.block:
        said += f", block {place.block}"
    return said


def _held_line(held: HeldRound) -> str:
    """One round: 'Fair share between HEIs, round 1: A at 50%, B at 50% held: <why>: <where>.'"""
    if held.level == "fair_share_between_sectors":
        who = ", ".join(f"{SECTORS.get(s, s)} at {v:.0%}" for s, v in held.members)
    else:
        who = ", ".join(f"{h} at {v:.0%}" for h, v in held.members)
    line = f"{PLAN_LEVELS.get(held.level, held.level)}, round {held.round}: {who} held; "
    line += HELD_REASONS.get(held.reason, held.reason)
    if held.places:
        named = "; ".join(_place(p) for p in held.places[:_PLACES_NAMED])
        more = len(held.places) - _PLACES_NAMED
        line += f": {named}" + (f" and {more} more" if more > 0 else "")
    return line + "."
