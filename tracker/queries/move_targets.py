"""Where a coordinator may move learners of a plan by hand: the settings of the run's
snapshot that host the placement's programme in its block, each with its spare places under
the current plan (the move itself is checked by ``services.plans.move_learners``). Staff only.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from tracker.access import Principal
from tracker.models import AllocationRun, Placement, PlacementBlock, PlacementSetting
from tracker.queries.runs import require_reviewer


def settings_for_move(
    session: Session, *, principal: Principal, run_id: int, placement_id: int
) -> list[dict[str, Any]]:
    """Settings in the same block of the run's inputs that host the placement's programme,
    each with its spare places under the current plan, most spare first: a coordinator
    moving learners by hand sees where there is room before the move is checked. Places and
    learners are those of the programme's profession group at the setting (one allocator id
    per group), so another group's learners there do not eat its spare places."""
    require_reviewer(principal)
    run = session.get(AllocationRun, run_id)
    placement = session.get(Placement, placement_id)
    if run is None or placement is None or placement.request_id is None:
        return []
    block = session.get(PlacementBlock, placement.block_id)
    assert block is not None
    hosting = _Hosting(run.inputs)
    programme = hosting.programme(placement.request_id)
    places: dict[str, int] = {}
    for r in run.inputs.get("capacity", []):
        key = str(r["setting_id"])
        if str(r["block"]) == block.code and programme in hosting.hosted.get(key, ()):
            places[key] = places.get(key, 0) + int(r.get("places") or 0)
    taken: dict[str, int] = {}
    for setting_id, request_id, learners in _plan_in_block(session, run_id, placement.block_id):
        key = hosting.key(setting_id, hosting.programme(request_id))
        taken[key] = taken.get(key, 0) + learners
    db_id = run.inputs["ids"]["settings"]
    spare = {db_id[k]: n - taken.get(k, 0) for k, n in places.items() if n > 0}
    settings = session.exec(
        select(PlacementSetting).where(col(PlacementSetting.id).in_(list(spare)))
    ).all()
    ordered = sorted(
        (s for s in settings if s.id != placement.setting_id),
        key=lambda s: (-max(spare[s.id], 0), s.name, s.code),
    )
    return [
        {"label": f"{s.name} ({s.code}) · {_spare_text(spare[s.id])}", "value": s.id}
        for s in ordered
    ]


class _Hosting:
    """A run snapshot's allocator setting ids with the programmes each hosts, and each
    request's programme (database ids in, allocator ids out)."""

    def __init__(self, inputs: dict[str, Any]) -> None:
        ids = inputs["ids"]
        self.hosted = {
            str(r["setting_id"]): str(r.get("programmes") or "").split(";")
            for r in inputs.get("settings", [])
        }
        self._keys: dict[int, list[str]] = {}
        for key, db in ids["settings"].items():
            self._keys.setdefault(int(db), []).append(key)
        code_of = {int(db): code for code, db in ids["requests"].items()}
        asked = {str(r["request_id"]): str(r["programme"]) for r in inputs.get("demand", [])}
        self._programme = {db: asked.get(code, "") for db, code in code_of.items()}

    def programme(self, request_id: int) -> str:
        return self._programme.get(request_id, "")

    def key(self, setting_id: int, programme: str) -> str:
        """The setting's allocator id that hosts ``programme`` (its group's), else its first."""
        keys = self._keys.get(setting_id, [""])
        return next((k for k in keys if programme in self.hosted.get(k, ())), keys[0])


def _plan_in_block(session: Session, run_id: int, block_id: int) -> list[tuple[int, int, int]]:
    """(setting, request, learners) of the run's request-level plan rows in one block."""
    rows = session.exec(
        select(Placement.setting_id, Placement.request_id, Placement.learners).where(
            Placement.run_id == run_id,
            Placement.block_id == block_id,
            col(Placement.learner_id).is_(None),
        )
    ).all()
    return [(int(s), int(r or 0), int(n)) for s, r, n in rows]


def _spare_text(spare: int) -> str:
    if spare <= 0:
        return "full"
    return f"{spare} spare place" + ("" if spare == 1 else "s")
