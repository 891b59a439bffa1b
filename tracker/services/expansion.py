"""Placement growth scenarios on the registers: the shortfall they bring, and the cheapest
expansion of supervision that would host a scenario year's placements.

Read-only (nothing is written, so no audit row): the outlook projects the learners in training
of each scenario year; today's submitted requests, grown per profession group as the learners
in training grow, are that year's requests; capacity is the registers' with the scenario's
capacity changes from their year on. ``tracker.optimise.expansion`` finds the fewest (or
cheapest) supervisors, and the allocator itself checks the answer on the expanded capacity.
Coordinators, collaborative members and administrators may ask; HEI users may not (the plan
spans every HEI's requests and every setting).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
from sqlmodel import Session, select

from tracker.access import Principal, require_role
from tracker.measures import DEFAULT_POLICY, DisclosurePolicy
from tracker.measures.controlled import control_table
from tracker.measures.outlook import Outlook, OutlookOptions, supply_outlook
from tracker.measures.outlook_scenario import PolicyTarget, Scenario, ScenarioError
from tracker.measures.placement_demand import (
    placement_demand,
    placement_pattern,
    shortfall,
    training_now,
    with_policy_target,
)
from tracker.measures.status import learner_status
from tracker.models import Programme, Role
from tracker.optimise import Policy, allocate
from tracker.optimise.expansion import ExpansionOptions, ExpansionPlan, cheapest_expansion
from tracker.queries.allocator_inputs import allocator_inputs
from tracker.queries.outlook import outlook_frames
from tracker.queries.pipeline import PipelineFrames
from tracker.refusals import Refused
from tracker.services.pipeline_reports.common import figures_as_of, has_learners, viewer_policy
from tracker.snapshots import CapacityChange, apply_capacity_changes
from tracker.vocabulary import SECTORS

EXPANSION_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR, Role.COLLABORATIVE})
GROWTH_COLUMNS = ("profession_group", "learners_now", "learners_then", "factor")
#: The furthest ahead a scenario year may be (as the outlook command's --years).
MAX_YEARS_AHEAD = 30
#: Only the expected learners in training are read, never the intervals: few draws will do.
EXPECTED_ONLY = OutlookOptions(draws=20)


@dataclass(frozen=True)
class DatedCapacityChange:
    """A scenario's capacity change from a year on ("+2 supervisors in every care home from
    2027")."""

    from_year: int
    change: CapacityChange


def _check_sectors(sectors: Sequence[str | None], where: str) -> None:
    for sector in sectors:
        if sector is not None and sector not in SECTORS:
            raise ScenarioError(
                f"{where}: {sector!r} is no sector; known sectors are {', '.join(SECTORS)}"
            )


def dated_changes(scenario: Scenario) -> tuple[DatedCapacityChange, ...]:
    """A scenario's capacity changes as the registers take them; ScenarioError names a
    sector code the registers do not know (it would change nothing)."""
    out = []
    for i, step in enumerate(scenario.capacity_change):
        _check_sectors([step.sector], f"capacity_change[{i}].sector")
        change = CapacityChange(sector=step.sector, add_supervisors=step.add_supervisors)
        out.append(DatedCapacityChange(step.from_year, change))
    return tuple(out)


@dataclass(frozen=True)
class ExpansionRequest:
    """Which scenario year to host, on which registers, under what rules and costs."""

    year: int
    blocks: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()
    scenario: Scenario | None = None
    capacity_changes: tuple[DatedCapacityChange, ...] = ()
    target: PolicyTarget | None = None
    options: ExpansionOptions = field(default_factory=ExpansionOptions)
    max_distance_km: float | None = None
    as_of: date | None = None


def expansion_request(
    scenario: Scenario,
    year: int,
    options: ExpansionOptions | None = None,
    *,
    max_distance_km: float | None = None,
) -> ExpansionRequest:
    """The request of a scenario's year: its capacity changes dated, its policy target (the
    sectors checked), the expansion's costs and cap (``options``) and the allocator's
    distance limit (none on the Outlook page)."""
    target = scenario.policy_target
    if target is not None:
        _check_sectors(target.sectors, "policy_target.sectors")
    return ExpansionRequest(
        year=year,
        scenario=scenario,
        capacity_changes=dated_changes(scenario),
        target=target,
        options=options or ExpansionOptions(),
        max_distance_km=max_distance_km,
    )


@dataclass(frozen=True)
class ExpansionReport:
    """The scenario year's expansion plan, checked by the allocator, and what led to it.

    ``growth``: learners in training per group now and in ``year`` (GROWTH_COLUMNS), under
    the viewer's disclosure convention (``exact`` says whether it was exact: they are counts
    from learner records; the requests, places and supervisors are register figures);
    ``shortfall``: placement demand against places per group, outlook year, block and sector
    (``placement_demand.SHORTFALL_COLUMNS``); ``demand``: the year's requests as the
    allocator takes them; ``checked``: the allocator on ``plan.capacity`` placed every
    learner the plan says it can.
    """

    year: int
    as_of: date
    growth: pd.DataFrame
    shortfall: pd.DataFrame
    demand: pd.DataFrame
    plan: ExpansionPlan
    checked: bool
    exact: bool


@dataclass(frozen=True)
class _Registers:
    """What every scenario's shortfall and expansion start from: the learner frames,
    today's learners in training and the registers as the allocator takes them."""

    as_of: date
    frames: PipelineFrames
    now: pd.DataFrame
    settings: pd.DataFrame
    capacity: pd.DataFrame
    demand: pd.DataFrame
    group_of: dict[str, str]

    def outlook(self, request: ExpansionRequest) -> Outlook:
        """The scenario's expected learners in training to ``request.year``."""
        years = request.year - self.as_of.year
        if years < 1:
            raise Refused(
                f"Choose a year after {self.as_of.year}: the data is as of "
                f"{self.as_of.isoformat()}."
            )
        if years > MAX_YEARS_AHEAD:
            raise Refused(
                f"Choose a year at most {MAX_YEARS_AHEAD} after {self.as_of.year}, the year "
                "the data is as of."
            )
        return supply_outlook(
            self.frames.learners,
            self.frames.events,
            as_of=self.as_of,
            years=years,
            scenario=request.scenario,
            options=EXPECTED_ONLY,
        )

    def today(self, request: ExpansionRequest) -> pd.DataFrame:
        """Today's requested learners by group, block and sector (one allocator run)."""
        rules = Policy(max_distance_km=request.max_distance_km)
        return todays_placements(self.settings, self.capacity, self.demand, rules, self.group_of)


def _registers(session: Session, principal: Principal, request: ExpansionRequest) -> _Registers:
    require_role(principal, EXPANSION_ROLES, "plan placement expansion")
    as_of = request.as_of or figures_as_of(session)
    frames = outlook_frames(session, principal=principal)
    if as_of is None or not has_learners(frames):
        raise Refused("There are no learner records to project placements from.")
    now = training_now(learner_status(frames.learners, frames.events, as_of=as_of))
    settings, capacity, demand = allocator_inputs(
        session, blocks=list(request.blocks), programmes=list(request.programmes)
    )
    if demand.empty:
        raise Refused("There are no submitted requests for the chosen blocks and programmes.")
    group_of = {p.code: p.profession_group for p in session.exec(select(Programme)).all()}
    return _Registers(as_of, frames, now, settings, capacity, demand, group_of)


def _shortfall(
    r: _Registers, made: Outlook, today: pd.DataFrame, request: ExpansionRequest
) -> pd.DataFrame:
    """Placement demand against places per group, outlook year, block and sector."""
    pattern = placement_pattern(today, r.now)
    if request.target is not None:
        pattern = with_policy_target(
            pattern, sectors=request.target.sectors, per_learner=request.target.per_learner
        )
    places = pd.concat(
        [
            sector_places(
                capacity_in(r.capacity, r.settings, request.capacity_changes, y), r.settings
            ).assign(year=y)
            for y in made.labels
        ],
        ignore_index=True,
    )
    demand = placement_demand(made.in_training(), pattern)
    return shortfall(demand, _grouped(places, r.group_of))


def placement_shortfalls(
    session: Session, *, principal: Principal, requests: Sequence[ExpansionRequest]
) -> list[pd.DataFrame]:
    """Each scenario's placement shortfall to its year without the expansion (what a
    comparison of scenarios needs: the expansion's integer programme takes seconds), the
    registers read and today's placements allocated once for all of them (the requests
    share blocks, programmes and distance limit). Exact:
    ``services.outlook_scenarios.placement_cells`` controls them for a viewer."""
    if not requests:
        return []
    first = requests[0]
    shared = ("blocks", "programmes", "max_distance_km", "as_of")
    if any(getattr(q, a) != getattr(first, a) for q in requests for a in shared):
        raise ValueError("Scenarios compared together share blocks, programmes and rules.")
    r = _registers(session, principal, first)
    today = r.today(first)
    return [_shortfall(r, r.outlook(q), today, q) for q in requests]


def plan_expansion(
    session: Session,
    *,
    principal: Principal,
    request: ExpansionRequest,
    policy: DisclosurePolicy = DEFAULT_POLICY,
) -> ExpansionReport:
    """The cheapest expansion that hosts ``request.year``'s placements, on today's registers.

    Raises ``AccessDenied`` for HEI users and ``Refused`` when there is nothing to project
    from or the year is not after the data's as-of date.
    """
    r = _registers(session, principal, request)
    made = r.outlook(request)
    chosen = viewer_policy(principal, policy)
    growth = growth_table(r.now, made.in_training(), request.year)
    grown = grow_requests(r.demand, growth, r.group_of)
    rules = Policy(max_distance_km=request.max_distance_km)
    then = capacity_in(r.capacity, r.settings, request.capacity_changes, request.year)
    plan = cheapest_expansion(r.settings, then, grown, rules, options=request.options)
    checked = allocate(r.settings, plan.capacity, grown, rules).levels.placed == plan.placeable
    return ExpansionReport(
        year=request.year,
        as_of=r.as_of,
        growth=control_table(
            growth,
            by=["profession_group"],
            policy=chosen,
            counts=("learners_now", "learners_then"),
            rates={},
        ).numbers,
        shortfall=_shortfall(r, made, r.today(request), request),
        demand=grown,
        plan=plan,
        checked=checked,
        exact=chosen.exact,
    )


def growth_table(now: pd.DataFrame, in_training: pd.DataFrame, year: int) -> pd.DataFrame:
    """Learners in training per group now and in ``year``; a group with nobody in training
    now keeps its requests as they are (factor 1)."""
    before = now.groupby("profession_group")["learners"].sum()
    after = in_training[in_training["year"] == year].groupby("profession_group")["learners"].sum()
    groups = sorted(set(before.index) | set(after.index))
    b = before.reindex(groups, fill_value=0.0).to_numpy(float)
    a = after.reindex(groups, fill_value=0.0).to_numpy(float)
    factor = np.divide(a, b, out=np.ones(len(groups)), where=b > 0)
    return pd.DataFrame(
        {"profession_group": groups, "learners_now": b, "learners_then": a, "factor": factor},
        columns=list(GROWTH_COLUMNS),
    )


def grow_requests(
    demand: pd.DataFrame, growth: pd.DataFrame, group_of: dict[str, str]
) -> pd.DataFrame:
    """Today's requests with learners grown by their group's factor, in whole learners that
    add up to the grown total of each group (largest remainders get the spare learners)."""
    factor = growth.set_index("profession_group")["factor"]
    group = demand["programme"].map(group_of)
    exact = demand["learners"].to_numpy(float) * group.map(factor).fillna(1.0).to_numpy(float)
    whole = np.floor(exact + 1e-9)
    for _, rows in pd.Series(np.arange(len(demand))).groupby(group.to_numpy()):
        positions = rows.to_numpy()
        spare = int(np.rint(exact[positions].sum() - whole[positions].sum()))
        order = positions[np.argsort(-(exact[positions] - whole[positions]), kind="stable")]
        whole[order[:spare]] += 1
    return demand.assign(learners=whole.astype(np.int64))


def capacity_in(
    capacity: pd.DataFrame,
    settings: pd.DataFrame,
    changes: Sequence[DatedCapacityChange],
    year: int,
) -> pd.DataFrame:
    """The capacity of ``year``: the scenario's changes that have started by then applied."""
    started = [c.change for c in changes if c.from_year <= year]
    edited = apply_capacity_changes(capacity, settings, started)
    return edited.loc[:, ["setting_id", "block", "places", "learners_per_supervisor"]]


def todays_placements(
    settings: pd.DataFrame,
    capacity: pd.DataFrame,
    demand: pd.DataFrame,
    policy: Policy,
    group_of: dict[str, str],
) -> pd.DataFrame:
    """Today's requested learners by group, block and sector: spread over the sectors as the
    allocator places them today (so learners it cannot place today count where the placed
    ones go); a group and block with nobody placed keeps its learners without a sector."""
    keys = ["profession_group", "block"]
    placed = allocate(settings, capacity, demand, policy).placements
    placed = placed.assign(profession_group=placed["programme"].map(group_of))
    by_sector = placed.groupby([*keys, "sector"], as_index=False)["learners"].sum()
    asked = demand.assign(profession_group=demand["programme"].map(group_of))
    asked = asked.groupby(keys)["learners"].sum()
    got = by_sector.groupby(keys)["learners"].transform("sum")
    wanted = asked.reindex(pd.MultiIndex.from_frame(by_sector[keys])).to_numpy(float)
    by_sector["learners"] = by_sector["learners"] * wanted / got.to_numpy(float)
    nobody = asked[~asked.index.isin(pd.MultiIndex.from_frame(by_sector[keys]))]
    rest = nobody.reset_index().assign(sector=None)
    return pd.concat([by_sector, rest], ignore_index=True).loc[
        :, ["profession_group", "block", "sector", "learners"]
    ]


def sector_places(capacity: pd.DataFrame, settings: pd.DataFrame) -> pd.DataFrame:
    """Places per setting row with its sector and the programmes it hosts (active only)."""
    s = settings.set_index("setting_id")
    rows = capacity.assign(
        sector=s.loc[capacity["setting_id"], "sector"].to_numpy(),
        programmes=s.loc[capacity["setting_id"], "programmes"].to_numpy(),
        active=s.loc[capacity["setting_id"], "active"].to_numpy(),
    )
    return rows[rows["active"].astype(bool)]


def _grouped(places: pd.DataFrame, group_of: dict[str, str]) -> pd.DataFrame:
    """Places per group, year, block and sector: the allocator's settings host one group's
    programmes each (``allocator_inputs`` splits the others), so the first names it."""
    first = places["programmes"].astype(str).str.split(";").str[0]
    out = places.assign(profession_group=first.map(group_of))
    keys = ["profession_group", "year", "block", "sector"]
    return out.groupby(keys, as_index=False)["places"].sum()
