"""Planned intakes of the supply outlook: the last observed intake carried forward, or the
scenario's own plans.

There is no planning table in the database yet, so what is planned comes from the scenario
file; without it, each HEI programme's last intake (per intake month) that started within
a year before ``as_of`` is assumed to recur every year with the same starters, which is how
commissioners roll a plan forward when nothing new is agreed.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from tracker.measures.outlook_rates import PATHWAY
from tracker.measures.outlook_scenario import IntakeChange, Scenario, ScenarioError, pick

INTAKE_COLUMNS = ("hei", "programme", *PATHWAY, "intake", "start", "starters", "source", "period")
#: An intake last seen longer ago than this before as_of is taken to have stopped.
RECENT_DAYS = 400


def period_of(day: pd.Series, as_of: date, years: int) -> pd.Series:
    """Outlook year index (1..years) whose twelve months contain each date; 0 outside."""
    base = pd.Timestamp(as_of)
    out = pd.Series(0, index=day.index, dtype="int64")
    for k in range(years, 0, -1):
        inside = (day > base + pd.DateOffset(years=k - 1)) & (day <= base + pd.DateOffset(years=k))
        out[inside.fillna(False).to_numpy(bool)] = k
    return out


def _last_intakes(status: pd.DataFrame, cutoff: pd.Timestamp) -> pd.DataFrame:
    """Each HEI programme's latest started intake per intake month, if recent."""
    keys = ["hei", "programme", *PATHWAY, "intake"]
    started = status.loc[status["started"] & (status["start_event_date"] <= cutoff)]
    if started.empty:
        return pd.DataFrame(columns=[*keys, "start", "starters"])
    cohorts = (
        started.groupby(keys, sort=True)
        .agg(starters=("learner_id", "size"), start=("start_date", "min"))
        .reset_index()
    )
    cohorts["month"] = cohorts["intake"].astype(str).str[5:7]
    last = cohorts.sort_values("start").groupby(["hei", "programme", "month"]).tail(1)
    return last.loc[last["start"] > cutoff - pd.Timedelta(days=RECENT_DAYS)]


def _factor(change: IntakeChange | None, start: pd.Timestamp, as_of: date) -> float:
    return 1.0 if change is None else change.factor(start.year, as_of.year)


def carried_forward(
    status: pd.DataFrame, *, as_of: date, years: int, scenario: Scenario
) -> list[dict[str, object]]:
    """The last intakes repeated each year after ``as_of``, scaled by the scenario."""
    cutoff = pd.Timestamp(as_of)
    horizon = cutoff + pd.DateOffset(years=years)
    rows: list[dict[str, object]] = []
    for last in _last_intakes(status, cutoff).to_dict("records"):
        change = pick(
            scenario.intake_change, last["programme"], last["field"], last["profession_group"]
        )
        k = 1
        while (start := pd.Timestamp(last["start"]) + pd.DateOffset(years=k)) <= horizon:
            if start > cutoff:
                rows.append(
                    {
                        **{c: last[c] for c in ("hei", "programme", *PATHWAY)},
                        "intake": f"{start.year:04d}-{str(last['intake'])[5:7]}",
                        "start": start,
                        "starters": float(last["starters"]) * _factor(change, start, as_of),
                        "source": "last intake carried forward",
                    }
                )
            k += 1
    return rows


def planned_intakes(
    status: pd.DataFrame, *, as_of: date, years: int, scenario: Scenario
) -> pd.DataFrame:
    """Intakes starting in the outlook's years (INTAKE_COLUMNS).

    A scenario's ``planned_intakes`` replace the carried-forward intake of the same HEI,
    programme and month, and are taken as given (``intake_change`` scales only the
    carried-forward ones, so a plan is not changed twice).
    """
    rows = carried_forward(status, as_of=as_of, years=years, scenario=scenario)
    by_key = {(r["hei"], r["programme"], r["intake"]): r for r in rows}
    programmes = status.drop_duplicates("programme").set_index("programme")
    for plan in scenario.planned_intakes:
        known = by_key.get((plan.hei, plan.programme, plan.intake))
        start = known["start"] if known else pd.Timestamp(f"{plan.intake}-01")
        if pd.Timestamp(str(start)) <= pd.Timestamp(as_of):
            raise ScenarioError(
                f"planned_intakes: intake {plan.intake} of {plan.programme} is not after as_of"
            )
        info = programmes.loc[plan.programme]
        by_key[(plan.hei, plan.programme, plan.intake)] = {
            "hei": plan.hei,
            "programme": plan.programme,
            **{c: info[c] for c in PATHWAY},
            "intake": plan.intake,
            "start": start,
            "starters": plan.starters,
            "source": "scenario",
        }
    frame = pd.DataFrame(list(by_key.values()), columns=list(INTAKE_COLUMNS[:-1]))
    frame["start"] = pd.to_datetime(frame["start"])
    frame["starters"] = frame["starters"].astype(float)
    frame["period"] = period_of(frame["start"], as_of, years)
    frame = frame.loc[frame["period"] > 0]
    return frame.sort_values(["start", "hei", "programme"]).reset_index(drop=True)
