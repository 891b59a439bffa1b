"""Practice hours: each learner's progress against their programme's requirement, the
position expected today, and who is behind by more than the programme's margin.

HEI users see their own learners only (``queries.hours`` scopes every read through
``access.hei_scope``); coordinators and administrators see every HEI's, to know who is behind
before placing. The collaborative role, aggregate only, opens the hours-behind page instead.
Pick a learner's row for their progress by year of study. Hours are recorded by import
(``practice-hours``) or the hours service; this page reads.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import dash
from dash import Input, callback, html
from typing_extensions import TypedDict

from tracker import clock, vocabulary
from tracker import components as ui
from tracker.access import Principal
from tracker.queries.hours import (
    PROGRESS_REGISTER,
    behind_summary,
    hours_as_of,
    hours_progress_register,
    hours_year_register,
)
from tracker.queries.options import organisation_options, programme_options

PAGE = "practice-hours"
dash.register_page(__name__, path="/practice-hours", name="Practice hours", order=34, access=PAGE)

#: Who, whether behind, and by how much, first; what makes it up after.
SHOWN = [
    "learner_ref",
    "hei",
    "programme",
    "hours_status",
    "unit",
    "year_of_study",
    "required",
    "expected",
    "completed",
    "shortfall",
    "signed_off",
    "queried",
    "intake",
]
assert set(SHOWN) == set(PROGRESS_REGISTER)
YEAR_SHOWN = ["unit", "year_of_study", "required", "expected", "completed"]


class LearnerRow(TypedDict):
    """What the year-of-study view reads of a picked row (the guard checks the type)."""

    learner_ref: str


def _filters(principal: Principal) -> Any:
    with ui.reading() as session:
        heis = organisation_options(session, heis=True)
        programmes = programme_options(session)
    own = principal.hei_code if principal.is_hei else None
    return ui.learner_filters(
        PAGE,
        "Learner, programme…",
        (heis, programmes),
        ("Hours", vocabulary.options(vocabulary.HOURS_STATUSES)),
        own_hei=own,
    )


def _as_of() -> date:
    with ui.reading() as session:
        return hours_as_of(session, today=clock.today())


def _summary(principal: Principal) -> Any:
    as_of = _as_of()
    with ui.reading() as session:
        register = hours_progress_register(session, principal=principal, today=as_of)
    learners, behind = behind_summary(register)
    return ui.stat_row(
        [
            ui.stat_card(
                "Learners with a requirement",
                f"{learners:,}",
                f"in training on {as_of:%d %B %Y}, the latest week recorded",
                card_id=f"{PAGE}-learners",
            ),
            ui.stat_card(
                "Behind by more than the margin",
                f"{behind:,}",
                "on any requirement of their programme",
                card_id=f"{PAGE}-behind",
            ),
        ]
    )


@ui.page_guard(PAGE)
def layout(principal: Principal, **_query: Any) -> Any:
    scope = (
        f"Your HEI's learners ({principal.hei_code}) only."
        if principal.is_hei
        else "Every HEI's learners."
    )
    header = ui.page_header(
        "Practice hours",
        "Each learner's practice hours (days, births) against their programme's requirement, "
        "and where they should be by the latest week recorded: behind means below that by "
        "more than the "
        "programme's margin.",
    )
    return ui.register_layout(
        PAGE,
        header,
        _filters(principal),
        _summary(principal),
        ui.card(
            "Learners in training",
            ui.grid(f"{PAGE}-grid", SHOWN, height=420, selectable=True),
            download=f"{PAGE}-table",
            note=f"{scope} Expected by now: the requirement pro rata over the time on "
            "programme (each year's share where the programme splits it by year of study). "
            "Completed counts signed-off and pending weeks; queried ones are shown apart and "
            "do not count. Furthest behind first; pick a row for the learner's years of study.",
        ),
        ui.card(
            "By year of study",
            html.Div(
                [
                    html.P("Pick a learner above.", id=f"{PAGE}-year-title"),
                    ui.grid(f"{PAGE}-years", YEAR_SHOWN, height=220),
                ]
            ),
        ),
    )


def _read(
    principal: Principal,
    hei: list[str] | None,
    programme: list[str] | None,
    status: list[str] | None,
) -> Any:
    with ui.reading() as session:
        return hours_progress_register(
            session,
            principal=principal,
            today=_as_of(),
            hei=hei or [],
            programme=programme or [],
            status=status or [],
        )


TABLE = ui.RegisterTable(
    PAGE,
    {"hei": list[str] | None, "programme": list[str] | None, "status": list[str] | None},
    _read,
)
TABLE.follow_edits("load_practice_hours")
TABLE.download("download_practice_hours", SHOWN, "practice-hours", note="Practice hours.")


@callback(
    *ui.grid_rows(PAGE, "years"),
    *ui.children(PAGE, "year-title"),
    Input(f"{PAGE}-grid", "selectedRows"),
    prevent_initial_call=True,
)
def show_years(selected: list[LearnerRow] | None) -> Any:
    """The picked learner's progress by year of study (nothing for a learner this user may
    not read: the query scopes it)."""
    if not selected:
        return [], "Pick a learner above."
    ref = selected[0]["learner_ref"]
    with ui.reading() as session:
        years = hours_year_register(
            session, principal=ui.callback_principal(PAGE), today=_as_of(), learner_ref=ref
        )
    if years.empty:  # not this user's learner (or none with a requirement): name no one
        return [], "No progress by year of study to show for that row."
    return ui.records(years[YEAR_SHOWN]), f"{ref}: progress by year of study."
