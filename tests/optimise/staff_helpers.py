"""Small practice-learning instances for the staff assignment tests, as text tables."""

from __future__ import annotations

import pandas as pd

from tracker.optimise.practice import StaffAssignment, assign_staff

START, END = "2027-01-04", "2027-02-26"

SETTINGS = pd.DataFrame(
    [
        {"setting_id": "S1", "sector": "acute", "programmes": "*", "lat": "52.45", "lon": "-1.93"},
        {
            "setting_id": "S2",
            "sector": "community",
            "programmes": "*",
            "lat": "52.40",
            "lon": "-1.50",
        },
    ],
    dtype=str,
)


def placement(
    request: str = "r1",
    setting: str = "S1",
    learners: int = 1,
    start: str | None = START,
    end: str | None = END,
    programme: str = "ADN",
    block: str = "1",
) -> dict[str, str | None]:
    return {
        "request_id": request,
        "setting_id": setting,
        "block": block,
        "learners": str(learners),
        "start_date": start,
        "end_date": end,
        "programme": programme,
    }


def learner(
    lid: str,
    request: str = "r1",
    field: str = "adult nursing",
    ready: str | None = "2028-01-01",
    limit: str | None = None,
    had: str | None = None,
    programme: str = "ADN",
) -> dict[str, str | None]:
    return {
        "learner_id": lid,
        "request_id": request,
        "programme": programme,
        "field": field,
        "lat": "52.48",
        "lon": "-1.90",
        "max_distance_km": limit,
        "sectors_had": had,
        "ready_until": ready,
    }


def person(
    sid: str,
    roles: str,
    field: str = "adult nursing",
    setting: str = "S1",
    prepared: str | None = "2024-01-01",
    limit: int = 3,
) -> dict[str, str | None]:
    return {
        "staff_id": sid,
        "setting_id": setting,
        "roles": roles,
        "field": field,
        "prepared_on": prepared,
        "max_learners": str(limit),
    }


SUP = "practice_supervisor"
ASS = "practice_assessor"
EDU = "practice_educator"
BOTH = f"{SUP};{ASS}"


def audit(
    setting: str = "S1",
    audited: str = "2025-06-01",
    expires: str = "2027-06-01",
    outcome: str = "approved",
    programmes: str = "*",
) -> dict[str, str]:
    return {
        "setting_id": setting,
        "audited_on": audited,
        "expires_on": expires,
        "outcome": outcome,
        "programmes": programmes,
    }


def frame(rows: list[dict[str, str | None]], columns: list[str] | None = None) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns, dtype=object)


def run(
    placements: list[dict[str, str | None]],
    learners: list[dict[str, str | None]],
    staff: list[dict[str, str | None]],
    audits: list[dict[str, str]] | None = None,
) -> StaffAssignment:
    return assign_staff(
        frame(placements),
        frame(learners),
        SETTINGS,
        frame(staff),
        None if audits is None else pd.DataFrame(audits, dtype=object),
    )


def reasons(result: StaffAssignment) -> dict[str, str]:
    return dict(zip(result.unassigned["learner_id"], result.unassigned["reason_code"], strict=True))


def assigned(result: StaffAssignment) -> dict[str, tuple[str, str | None, str]]:
    a = result.assignments
    return {
        str(r.learner_id): (
            str(r.setting_id),
            None if pd.isna(r.practice_supervisor) else str(r.practice_supervisor),
            str(r.practice_assessor),
        )
        for r in a.itertuples(index=False)
    }
