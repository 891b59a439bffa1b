"""Home: the system's headline numbers, read from the database, and where to go next."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import html

from tracker import clock
from tracker import components as ui
from tracker.access import Principal, can_view_page
from tracker.queries.audits import audits_due
from tracker.queries.overview import headline_counts
from tracker.queries.readiness import readiness_attention
from tracker.queries.staff import fields_without_assessor, staff_not_prepared
from tracker.services.pipeline_reports import learners_on_record

dash.register_page(__name__, path="/", name="Home", order=0, access="home")

_NEXT_STEPS = [
    ("pipeline", "/pipeline", "System overview", "Recruitment, attrition and retention trends."),
    ("concerns", "/concerns", "Areas of concern", "Funnel plot of attrition by HEI and programme."),
    ("cohorts", "/cohorts", "Cohorts", "One cohort over time against the system."),
    ("capacity-demand", "/capacity-demand", "Capacity and demand", "Places against requests."),
    ("audits", "/audits", "Educational audits", "Which settings are approved, and until when."),
    (
        "practice-staff",
        "/practice-staff",
        "Practice supervisors and assessors",
        "Named staff at each setting, their roles, field and preparation.",
    ),
    (
        "academic-assessors",
        "/academic-assessors",
        "Academic assessors",
        "Each HEI's academic assessors and the programmes they assess.",
    ),
    ("readiness", "/readiness", "Learner readiness", "DBS, occupational health and training."),
    ("allocation", "/allocation", "Allocation", "Run, review and publish fair allocations."),
    ("placements", "/placements", "Placements", "Confirmed placements and who is coming."),
    ("quality", "/quality", "Placement quality", "Learners' evaluations of settings."),
    ("tariff", "/tariff", "Tariff", "Eligible placement weeks and the expected tariff."),
]


@ui.page_guard("home")
def layout(principal: Principal, **_query: Any) -> Any:
    with ui.reading() as session:
        counts = headline_counts(session, principal=principal)
    scope_note = (
        f"Learner figures for {counts.scoped_to} only." if counts.scoped_to else "Whole system."
    )
    # the learner pipeline's figures only for those who read its pages (not providers)
    pipeline = (
        [
            ui.stat_card(
                "Learners on record",
                learners_on_record(
                    counts.learners,
                    principal=principal,
                    policy=ui.app_disclosure_policy(),
                    own_hei=counts.scoped_to is not None,
                ),
                scope_note,
                card_id="home-learners",
            ),
            ui.stat_card(
                "Cohorts",
                ui.format_count(counts.cohorts),
                f"{counts.programmes} programmes, {counts.heis} HEIs",
                card_id="home-cohorts",
            ),
        ]
        if can_view_page(principal, "cohorts")
        else []
    )
    cards = [
        *pipeline,
        ui.stat_card(
            "Your active placement settings"
            if principal.is_provider
            else "Active placement settings",
            ui.format_count(counts.active_settings),
            f"{counts.blocks} placement blocks",
            card_id="home-settings",
        ),
        _places_card(principal, counts.places, counts.requested),
    ]
    if can_view_page(principal, "audits"):
        cards.append(_audits_card(principal))
    if can_view_page(principal, "practice-staff"):
        cards.append(_staff_card(principal))
    if principal.is_hei:
        cards.append(_readiness_card(principal))
    steps = [
        dbc.Col(
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H2(dbc.CardLink(title, href=href), className="h6"),
                        html.P(text, className="text-muted small mb-0"),
                    ]
                ),
                className="h-100",
            ),
            xs=12,
            md=6,
            lg=4,
            className="mb-3",
        )
        for key, href, title, text in _NEXT_STEPS
        if can_view_page(principal, key)
        and any(p.get("access") == key for p in dash.page_registry.values())
    ]
    return html.Div(
        [
            ui.page_header(
                "Placement & Pipeline Tracker",
                "Learner pipeline, placement capacity and fair allocation across the system.",
            ),
            ui.stat_row(cards),
            dbc.Row(steps),
        ]
    )


def _places_card(principal: Principal, places: int, requested: int) -> Any:
    """Places against learners requested; a placement provider's own places only, since the
    requests it is measured against are the whole system's."""
    if principal.is_provider:
        return ui.stat_card(
            "Places offered",
            ui.format_count(places),
            "Supervised places across blocks at your organisation's settings",
            card_id="home-places",
        )
    return ui.stat_card(
        "Places offered vs requested",
        _two_counts(places, requested),
        "Supervised places across blocks against learners requested",
        card_id="home-places",
    )


def _audits_card(principal: Principal) -> Any:
    """Audits overdue and due within 90 days: a lapsed audit takes a setting out of allocation."""
    with ui.reading() as session:
        due = audits_due(session, principal=principal, today=clock.today())
    return _marked_card("audits", due["audit_status"] == "overdue")


def _staff_card(principal: Principal) -> Any:
    """Named staff not yet prepared for their role, and settings lacking an assessor in a
    field they offer places in: either leaves learners without a named assessor."""
    with ui.reading() as session:
        unprepared = staff_not_prepared(session, principal=principal, today=clock.today())
        missing = fields_without_assessor(session, principal=principal)
    return ui.stat_card(
        "Staff not prepared / settings lacking an assessor",
        _two_counts(len(unprepared), missing["setting_id"].nunique()),
        "Active staff with no preparation date, and settings with named staff but no practice "
        "assessor in a field they offer (see Practice supervisors and assessors)",
        card_id="home-staff",
    )


def _readiness_card(principal: Principal) -> Any:
    """An HEI's learners not ready or whose checks lapse in the next 60 days: a learner not
    ready through a placement's end may not start it."""
    with ui.reading() as session:
        attention = readiness_attention(session, principal=principal, today=clock.today())
    return _marked_card("readiness", attention["readiness_status"] == "not_ready")


def _two_counts(first: int, second: int) -> str:
    """A card's "first / second" value, each count formatted the house way."""
    return f"{ui.format_count(first)} / {ui.format_count(second)}"


_MARKED_CARDS = MappingProxyType(
    {
        "audits": (
            "Educational audits overdue / due",
            "Latest audits lapsed, or lapsing in the next 90 days (see Educational audits)",
        ),
        "readiness": (
            "Learners not ready / expiring",
            "Checks missing or lapsed, or lapsing in the next 60 days (see Learner readiness)",
        ),
    }
)


def _marked_card(key: str, marked: Any) -> Any:
    """The card ``home-<key>``: the rows ``marked`` (a boolean column) / the other rows, as
    overdue / due or not ready / expiring."""
    title, note = _MARKED_CARDS[key]
    those = int(marked.sum())
    return ui.stat_card(title, _two_counts(those, len(marked) - those), note, card_id=f"home-{key}")
