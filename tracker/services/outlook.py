"""The supply outlook for one viewer: scoped to what they may read, controlled as they may see it.

An HEI user's outlook is projected from their own HEI's learners and intakes only (the
frames are scoped by ``tracker.access``) and shown exactly, as their own figures are on the
pipeline pages; administrators see every HEI exactly; coordinators and collaborative
members see the deployment's disclosure convention. Projected completions are derived from
learner counts (a field with three learners in training projects about three completions),
so they are protected as counts: rounded, and small ones hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sqlmodel import Session

from tracker.access import Principal
from tracker.measures import DEFAULT_POLICY, DisclosurePolicy
from tracker.measures.controlled import Controlled, control_table
from tracker.measures.outlook import OUTLOOK_COLUMNS, OutlookOptions, supply_outlook
from tracker.measures.outlook_backtest import backtest, mape
from tracker.measures.outlook_scenario import Scenario
from tracker.queries.options import programme_options
from tracker.queries.outlook import outlook_frames
from tracker.services.pipeline_reports.common import (
    figures_as_of,
    has_learners,
    viewer_note,
    viewer_policy,
)

#: Outlook columns protected as learner counts outside exact viewing.
OUTLOOK_COUNTS = ("completions", "completions_low", "completions_high", "local_posts")
OUTLOOK_BY = ("profession_group", "field", "year")
BACKTEST_SUMMARY = ("profession_group", "predicted", "actual", "mape")


@dataclass(frozen=True)
class OutlookReport:
    """The outlook as this viewer may see it, its track record, and the note to show."""

    outlook: Controlled
    track_record: pd.DataFrame
    note: str
    as_of: date | None
    exact: bool
    level: float
    #: The latest event recorded: an outlook as of a later date takes every learner to be
    #: as last recorded, which the caller should say.
    data_to: date | None = None


def _controlled_record(table: pd.DataFrame, policy: DisclosurePolicy) -> pd.DataFrame:
    """MAPE per group; outside exact viewing the totals are rounded and the MAPE hidden
    where fewer than the convention's minimum completions stand behind it."""
    if policy.exact or table.empty:
        return table
    shown = control_table(
        table, by=["profession_group"], policy=policy, counts=("predicted", "actual"), rates={}
    ).numbers
    out = shown.loc[:, list(BACKTEST_SUMMARY)].copy()
    out["mape"] = table["mape"].where(table["actual"] >= policy.min_rate_denominator, np.nan)
    return out


@dataclass(frozen=True)
class OutlookRequest:
    """What the viewer asked for: years ahead, a scenario, the date (default: the latest
    event recorded), the estimation options, and whether to run the backtest too."""

    years: int
    scenario: Scenario | None = None
    as_of: date | None = None
    options: OutlookOptions | None = None
    with_track_record: bool = True


def outlook_report(
    session: Session,
    *,
    principal: Principal,
    request: OutlookRequest,
    policy: DisclosurePolicy = DEFAULT_POLICY,
) -> OutlookReport:
    """The outlook for ``request.years`` from its as-of date, as this viewer may see it.

    Raises ``ScenarioError`` (a ValueError) when the scenario names nothing in the data
    this viewer may read.
    """
    years, scenario, options = request.years, request.scenario, request.options
    data_to = figures_as_of(session)
    as_of = request.as_of or data_to
    frames = outlook_frames(session, principal=principal)
    chosen = viewer_policy(principal, policy)
    empty = pd.DataFrame(columns=list(OUTLOOK_COLUMNS))
    if as_of is None or not has_learners(frames):
        return OutlookReport(
            outlook=control_table(empty, by=OUTLOOK_BY, policy=chosen, counts=OUTLOOK_COUNTS),
            track_record=pd.DataFrame(columns=list(BACKTEST_SUMMARY)),
            note=viewer_note(principal, chosen, policy),
            as_of=as_of,
            exact=chosen.exact,
            level=(options or OutlookOptions()).level,
            data_to=data_to,
        )
    made = supply_outlook(
        frames.learners, frames.events, as_of=as_of, years=years, scenario=scenario, options=options
    )
    record = pd.DataFrame(columns=list(BACKTEST_SUMMARY))
    if request.with_track_record:
        record = mape(backtest(frames.learners, frames.events, as_of=as_of, options=options))
    note = (
        f"{viewer_note(principal, chosen, policy)} Outlook as of {as_of.isoformat()}; the band "
        f"is an {made.level:.0%} interval from the observed rates' uncertainty and chance."
    )
    return OutlookReport(
        outlook=control_table(
            made.table, by=OUTLOOK_BY, policy=chosen, counts=OUTLOOK_COUNTS, rates={}
        ),
        track_record=_controlled_record(record, chosen),
        note=note,
        as_of=as_of,
        exact=chosen.exact,
        level=made.level,
        data_to=data_to,
    )


def outlook_programmes(session: Session, *, principal: Principal) -> pd.DataFrame:
    """The programmes (code, name, profession group) this viewer's outlook covers: those of
    the learners and intakes they may read. An HEI user's intake scenario can name only its
    own programmes, so its editor must not offer (and so name) other HEIs' ones."""
    frames = outlook_frames(session, principal=principal)
    covered = set(frames.learners["programme"].dropna()) | set(frames.cohorts["programme"].dropna())
    programmes = programme_options(session)
    return programmes[programmes["code"].isin(covered)].reset_index(drop=True)
