"""Pipeline and attrition reports: the figures behind each dashboard and the export.

One function per view. Pages and the command line call the same function, so a download
or an export always carries the figures the page shows, under the same disclosure rules.
Measures come from ``tracker.measures`` (never re-defined here); whether a user sees exact
or controlled figures is decided by ``tracker.access.sees_exact_figures``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

import numpy as np
import pandas as pd
from sqlmodel import Session

from tracker.access import Principal, sees_exact_figures
from tracker.cache import PIPELINE_DATA, ReportCache, cached_for
from tracker.config import Settings
from tracker.measures import (
    ATTRITION_EXPORT_COLUMNS,
    DEFAULT_POLICY,
    EXACT,
    RATE_PARTS,
    TOTAL,
    DisclosurePolicy,
    apply_disclosure,
    cohort_measures,
    disclosure_note,
    funnel_limits,
    funnel_points,
    headline_figures,
    in_year_attrition,
    learner_status,
    make_policy,
    pipeline_flows,
    retention_curves,
    withdrawals_by_reason,
)
from tracker.measures.report_disclosure import control_curves, control_flows, control_headlines
from tracker.queries.pipeline import (
    PipelineFilters,
    PipelineFrames,
    latest_event_date,
    pipeline_frames,
    system_frames,
)

T = TypeVar("T")

#: Columns `attrition_export` may group by (the issue's export contract).
EXPORT_BY = ("hei", "programme", "profession_group", "intake_year")
#: The learner-level status table of the cohort view (exact viewers only), in column order.
LEARNER_STATUS_COLUMNS = (
    "learner_ref",
    "hei",
    "programme",
    "intake",
    "status",
    "status_date",
    "year_of_study",
    "withdrawal_reason",
)
#: Learner counts of a cohort measures table that disclosure control protects.
TABLE_COUNTS = (
    "starters",
    "withdrawn",
    "transferred_out",
    "interrupted",
    "completed",
    "active",
    "due",
    "not_completed_on_time",
    "employed_local",
)
#: Ways the funnel plot can cut the system: programme at an HEI, or a single intake of it.
FUNNEL_UNITS: dict[str, tuple[str, ...]] = {
    "programme": ("hei", "programme"),
    "cohort": ("hei", "programme", "intake_year"),
}
#: How many recent intakes get a retention curve of their own (more is unreadable).
RETENTION_INTAKES = 5


@dataclass(frozen=True)
class Controlled:
    """One table as a chart needs it (numbers, NaN where hidden) and as a table shows it."""

    numbers: pd.DataFrame
    text: pd.DataFrame
    counts: tuple[str, ...]
    rates: tuple[str, ...]

    def download(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The table for a file: numbers where shown, the page's marker where hidden.

        Rates are fractions rounded to 4 places, so a spreadsheet can compute with them
        and they agree with the percentages on the page.
        """
        cols = (
            list(columns)
            if columns is not None
            else [c for c in self.text.columns if c not in ("suppressed", "disclosure_flags")]
        )
        out = pd.DataFrame(index=self.numbers.index)
        for col in cols:
            if col in self.counts or col in self.rates:
                value = self.numbers[col].astype(float)
                if col in self.rates:
                    value = value.round(4)
                marker = self.text[col].astype(object)
                out[col] = [
                    (int(v) if col in self.counts else float(v)) if not np.isnan(v) else (m or "")
                    for v, m in zip(value, marker, strict=True)
                ]
            elif col == "commissioned_places":
                out[col] = self.numbers[col].astype("Float64").round().astype("Int64")
            else:
                out[col] = self.numbers[col]
        return out


@dataclass(frozen=True)
class OverviewReport:
    as_of: date | None
    exact: bool
    note: str
    headlines: pd.DataFrame
    by_intake: Controlled
    flows: pd.DataFrame
    in_year: Controlled
    reasons: Controlled
    retention: pd.DataFrame


@dataclass(frozen=True)
class ConcernsReport:
    as_of: date | None
    exact: bool
    note: str
    unit: tuple[str, ...]
    system_rate: float
    points: pd.DataFrame
    limits: pd.DataFrame
    table: Controlled
    flagged: pd.DataFrame
    hidden_units: int


@dataclass(frozen=True)
class CohortReport:
    as_of: date | None
    exact: bool
    note: str
    system_exact: bool
    system_note: str
    by_intake: Controlled
    system_by_intake: Controlled
    comparison: pd.DataFrame
    retention: pd.DataFrame
    learners: pd.DataFrame | None


@dataclass(frozen=True)
class ExportTable:
    frame: pd.DataFrame
    note: str
    exact: bool


def disclosure_policy(settings: Settings) -> DisclosurePolicy:
    """The convention configured for this deployment (HESA unless set otherwise)."""
    return make_policy(
        settings.disclosure,
        rounding_base=settings.disclosure_rounding,
        small_max=settings.disclosure_small_max,
        min_rate_denominator=settings.disclosure_min_rate_denominator,
    )


def policy_for(
    principal: Principal,
    owning_hei_id: int | None = None,
    *,
    policy: DisclosurePolicy = DEFAULT_POLICY,
) -> DisclosurePolicy:
    """Exact figures for administrators and the owning HEI, `policy` for everyone else."""
    return EXACT if sees_exact_figures(principal, owning_hei_id) else policy


def figures_as_of(session: Session) -> date | None:
    return latest_event_date(session)


def control_table(
    table: pd.DataFrame,
    *,
    by: Sequence[str],
    policy: DisclosurePolicy,
    counts: Sequence[str] = TABLE_COUNTS,
    rates: dict[str, tuple[str, str]] | None = None,
) -> Controlled:
    """Both faces of one disclosure-controlled table (the same cells hidden in each)."""
    present = tuple(c for c in counts if c in table.columns)
    rate_map = (
        rates if rates is not None else {k: v for k, v in RATE_PARTS.items() if k in table.columns}
    )
    kwargs = {"counts": present, "rates": rate_map, "by": list(by), "policy": policy}
    return Controlled(
        numbers=apply_disclosure(table, as_text=False, **kwargs),  # type: ignore[arg-type]
        text=apply_disclosure(table, as_text=True, **kwargs),  # type: ignore[arg-type]
        counts=present,
        rates=tuple(rate_map),
    )


def _cached(
    cache: ReportCache,
    session: Session,
    principal: Principal,
    name: str,
    parts: tuple[object, ...],
    compute: Callable[[], T],
) -> T:
    """The report from the shared cache: reports are pure functions of their arguments, what
    the viewer may see and the learner data, so its version is all the invalidation needed."""
    return cached_for(cache, session, principal, name, parts, PIPELINE_DATA, compute)


def _has_learners(frames: PipelineFrames) -> bool:
    return not frames.learners.empty and not frames.events.empty


# --- system overview --------------------------------------------------------------------------


def overview_report(
    session: Session,
    *,
    principal: Principal,
    filters: PipelineFilters,
    as_of: date | None = None,
    policy: DisclosurePolicy = DEFAULT_POLICY,
    cache: ReportCache | None = None,
) -> OverviewReport:
    """Headlines, recruitment, flows, trends, reasons and retention for the selection."""
    if cache is not None:
        return _cached(
            cache,
            session,
            principal,
            "overview_report",
            (filters, as_of, policy),
            lambda: overview_report(
                session, principal=principal, filters=filters, as_of=as_of, policy=policy
            ),
        )
    as_of = as_of or figures_as_of(session)
    frames = pipeline_frames(session, principal=principal, filters=filters)
    owning = principal.hei_id if principal.is_hei else None
    chosen = policy_for(principal, owning, policy=policy)
    empty = Controlled(pd.DataFrame(), pd.DataFrame(), (), ())
    if as_of is None or not _has_learners(frames):
        return OverviewReport(
            as_of,
            chosen.exact,
            disclosure_note(chosen),
            pd.DataFrame(),
            empty,
            pd.DataFrame(),
            empty,
            empty,
            pd.DataFrame(),
        )
    learners, events, cohorts = frames.learners, frames.events, frames.cohorts
    # The event log is replayed once for every measure of the report (the slow part).
    status = learner_status(learners, events, as_of=as_of)
    headlines = control_headlines(
        headline_figures(learners, events, cohorts, as_of=as_of, status=status), chosen
    )
    by_intake = control_table(
        cohort_measures(
            learners, events, cohorts, by=["intake_year"], as_of=as_of, margins=True, status=status
        ),
        by=["intake_year"],
        policy=chosen,
    )
    flows = control_flows(pipeline_flows(learners, events, as_of=as_of, status=status), chosen)
    in_year = control_table(
        in_year_attrition(learners, events, as_of=as_of, status=status),
        by=[],
        policy=chosen,
        counts=("at_risk", "withdrawn_in_year"),
    )
    reasons = _reasons(learners, events, as_of=as_of, policy=chosen, status=status)
    recent = sorted(learners["intake"].unique())
    recent_years = sorted({_intake_year(i) for i in recent})[-RETENTION_INTAKES:]
    shown = learners["intake"].map(_intake_year).isin(recent_years).to_numpy()
    curves = retention_curves(
        learners.loc[shown],
        events,
        by=["intake_year"],
        as_of=as_of,
        status=status.loc[shown].reset_index(drop=True),  # status has one row per learner
    )
    return OverviewReport(
        as_of=as_of,
        exact=chosen.exact,
        note=disclosure_note(chosen),
        headlines=headlines,
        by_intake=by_intake,
        flows=flows,
        in_year=in_year,
        reasons=reasons,
        retention=control_curves(curves, chosen),
    )


def _intake_year(intake: str) -> str:
    year, month = int(intake[:4]), int(intake[5:7])
    first = year if month >= 9 else year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def _reasons(
    learners: pd.DataFrame,
    events: pd.DataFrame,
    *,
    as_of: date,
    policy: DisclosurePolicy,
    status: pd.DataFrame | None = None,
) -> Controlled:
    """Withdrawals by reason with a total row, so the reasons are protected against it."""
    table = withdrawals_by_reason(learners, events, as_of=as_of, status=status)
    total = int(table["withdrawn"].sum())
    table = pd.concat(
        [table, pd.DataFrame({"reason": [TOTAL], "withdrawn": [total], "share": [1.0]})],
        ignore_index=True,
    )
    table["all_withdrawn"] = total
    return control_table(
        table,
        by=["reason"],
        policy=policy,
        counts=("withdrawn",),
        rates={"share": ("withdrawn", "all_withdrawn")},
    )


# --- areas of concern -------------------------------------------------------------------------


def concerns_report(
    session: Session,
    *,
    principal: Principal,
    filters: PipelineFilters,
    unit: str = "programme",
    as_of: date | None = None,
    policy: DisclosurePolicy = DEFAULT_POLICY,
    cache: ReportCache | None = None,
) -> ConcernsReport:
    """Cohort attrition of every unit against funnel limits around the system rate.

    Flags are decided on exact figures; a user who sees controlled figures is shown only
    units whose rate may be shown (enough starters), so the plot never reveals a rate the
    tables would hide. `hidden_units` says how many were left out for that reason.
    """
    if cache is not None:
        return _cached(
            cache,
            session,
            principal,
            "concerns_report",
            (filters, unit, as_of, policy),
            lambda: concerns_report(
                session,
                principal=principal,
                filters=filters,
                unit=unit,
                as_of=as_of,
                policy=policy,
            ),
        )
    if unit not in FUNNEL_UNITS:
        raise ValueError(f"unknown unit {unit!r}; choose from {sorted(FUNNEL_UNITS)}")
    by = list(FUNNEL_UNITS[unit])
    as_of = as_of or figures_as_of(session)
    frames = pipeline_frames(session, principal=principal, filters=filters)
    owning = principal.hei_id if principal.is_hei else None
    chosen = policy_for(principal, owning, policy=policy)
    if as_of is None or not _has_learners(frames):
        empty = Controlled(pd.DataFrame(), pd.DataFrame(), (), ())
        return ConcernsReport(
            as_of,
            chosen.exact,
            disclosure_note(chosen),
            tuple(by),
            np.nan,
            pd.DataFrame(),
            pd.DataFrame(),
            empty,
            pd.DataFrame(),
            0,
        )
    units = cohort_measures(frames.learners, frames.events, frames.cohorts, by=by, as_of=as_of)
    points = funnel_points(units, numerator="withdrawn", denominator="starters")
    starters = float(units["starters"].sum())
    system_rate = float(units["withdrawn"].sum()) / starters if starters else 0.0
    # Only what the funnel is about, and no totals: the system figure is shown as a rate
    # only, and every count is rounded, so no hidden unit can be found by subtraction.
    # Other outcomes or subtotals would pull most withdrawals into secondary suppression
    # and empty the plot for the people it is meant for.
    table = units.loc[:, [*by, "starters", "withdrawn", "attrition_rate"]]
    controlled = control_table(
        table, by=by, policy=chosen, rates={"attrition_rate": RATE_PARTS["attrition_rate"]}
    )
    points = points.merge(
        controlled.numbers[[*by, "starters", "attrition_rate"]].rename(
            columns={"starters": "shown_starters", "attrition_rate": "shown_rate"}
        ),
        on=by,
        how="left",
    )
    visible = points["shown_rate"].notna() & points["shown_starters"].notna()
    hidden_units = int((~visible).sum())
    points = points.loc[visible].reset_index(drop=True)
    limits = funnel_limits(
        np.arange(1, int(max(points["starters"].max() if len(points) else 0, 10) * 1.1) + 2),
        system_rate,
    )
    flagged = points.loc[points["outside"], [*by, "flag"]].merge(
        controlled.text.drop(columns=["suppressed", "disclosure_flags"]), on=by, how="left"
    )
    flagged = flagged.sort_values("flag").reset_index(drop=True)
    return ConcernsReport(
        as_of=as_of,
        exact=chosen.exact,
        note=disclosure_note(chosen),
        unit=tuple(by),
        system_rate=system_rate,
        points=points,
        limits=limits,
        table=controlled,
        flagged=flagged,
        hidden_units=hidden_units,
    )


# --- cohort view ------------------------------------------------------------------------------


def cohort_report(
    session: Session,
    *,
    principal: Principal,
    filters: PipelineFilters,
    as_of: date | None = None,
    policy: DisclosurePolicy = DEFAULT_POLICY,
    cache: ReportCache | None = None,
) -> CohortReport:
    """The selected cohorts by intake, against the same measures for the whole system.

    The system comparison drops only the HEI filter (same programme, profession group,
    route and intakes: like with like). For anyone but an administrator it is an
    aggregate under disclosure control, so an HEI user learns nothing about another HEI's
    learners from it. Learner-level statuses are listed only for exact viewers.
    """
    if cache is not None:
        return _cached(
            cache,
            session,
            principal,
            "cohort_report",
            (filters, as_of, policy),
            lambda: cohort_report(
                session, principal=principal, filters=filters, as_of=as_of, policy=policy
            ),
        )
    as_of = as_of or figures_as_of(session)
    frames = pipeline_frames(session, principal=principal, filters=filters)
    owning = principal.hei_id if principal.is_hei else None
    chosen = policy_for(principal, owning, policy=policy)
    system_policy = policy_for(principal, None, policy=policy)
    system = system_frames(session, principal=principal, filters=filters.without("hei"))
    empty = Controlled(pd.DataFrame(), pd.DataFrame(), (), ())
    if as_of is None or not _has_learners(frames):
        return CohortReport(
            as_of,
            chosen.exact,
            disclosure_note(chosen),
            system_policy.exact,
            disclosure_note(system_policy),
            empty,
            empty,
            pd.DataFrame(),
            pd.DataFrame(),
            None,
        )
    own_status = learner_status(frames.learners, frames.events, as_of=as_of)
    sys_status = learner_status(system.learners, system.events, as_of=as_of)
    mine = cohort_measures(
        frames.learners,
        frames.events,
        frames.cohorts,
        by=["intake"],
        as_of=as_of,
        margins=True,
        status=own_status,
    )
    theirs = cohort_measures(
        system.learners,
        system.events,
        system.cohorts,
        by=["intake"],
        as_of=as_of,
        margins=True,
        status=sys_status,
    )
    by_intake = control_table(mine, by=["intake"], policy=chosen)
    system_by_intake = control_table(theirs, by=["intake"], policy=system_policy)
    rates = ("attrition_rate", "non_completion_rate", "fill_rate", "local_retention")
    own_total = by_intake.numbers.loc[by_intake.numbers["intake"] == TOTAL].iloc[0]
    sys_total = system_by_intake.numbers.loc[system_by_intake.numbers["intake"] == TOTAL].iloc[0]
    comparison = pd.DataFrame(
        {
            "measure": list(rates),
            "selection": [float(own_total[r]) for r in rates],
            "system": [float(sys_total[r]) for r in rates],
        }
    )
    curves_own = retention_curves(frames.learners, frames.events, as_of=as_of, status=own_status)
    curves_sys = retention_curves(system.learners, system.events, as_of=as_of, status=sys_status)
    retention = pd.concat(
        [
            control_curves(curves_own, chosen).assign(series="Selection"),
            control_curves(curves_sys, system_policy).assign(series="System"),
        ],
        ignore_index=True,
    )
    learners = None
    if chosen.exact:
        learners = (
            own_status.loc[:, list(LEARNER_STATUS_COLUMNS)]
            .sort_values(["intake", "learner_ref"])
            .reset_index(drop=True)
        )
        learners["status_date"] = learners["status_date"].dt.date
    return CohortReport(
        as_of=as_of,
        exact=chosen.exact,
        note=disclosure_note(chosen),
        system_exact=system_policy.exact,
        system_note=disclosure_note(system_policy),
        by_intake=by_intake,
        system_by_intake=system_by_intake,
        comparison=comparison,
        retention=retention,
        learners=learners,
    )


# --- export -----------------------------------------------------------------------------------


def attrition_export(
    session: Session,
    *,
    principal: Principal,
    by: Sequence[str],
    disclosure_control: bool = False,
    filters: PipelineFilters | None = None,
    as_of: date | None = None,
    policy: DisclosurePolicy = DEFAULT_POLICY,
) -> ExportTable:
    """Starters and outcomes per group with subtotals (rows marked 'All').

    Subtotals are included so that, under disclosure control, the secondary suppression
    that protects them is the same as on the pages. Raises ValueError on an unknown column.
    """
    cols = list(by)
    unknown = [c for c in cols if c not in EXPORT_BY]
    if unknown:
        allowed = ", ".join(EXPORT_BY)
        raise ValueError(f"cannot group by {', '.join(unknown)}; choose from {allowed}")
    if len(set(cols)) != len(cols):
        raise ValueError("a column is repeated in --by")
    as_of = as_of or figures_as_of(session)
    frames = pipeline_frames(session, principal=principal, filters=filters or PipelineFilters())
    owning = principal.hei_id if principal.is_hei else None
    chosen = policy if disclosure_control else policy_for(principal, owning, policy=policy)
    if as_of is None or not _has_learners(frames):
        return ExportTable(
            pd.DataFrame(columns=[*cols, *ATTRITION_EXPORT_COLUMNS]),
            disclosure_note(chosen),
            chosen.exact,
        )
    table = cohort_measures(
        frames.learners, frames.events, frames.cohorts, by=cols, as_of=as_of, margins=bool(cols)
    )
    controlled = control_table(table, by=cols, policy=chosen)
    return ExportTable(
        frame=controlled.download([*cols, *ATTRITION_EXPORT_COLUMNS]),
        note=disclosure_note(chosen) + f" Figures as of {as_of.isoformat()}.",
        exact=chosen.exact,
    )
