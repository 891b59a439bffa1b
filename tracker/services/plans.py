"""Adjusting a finished plan by hand: pin a placement, move learners to another setting.

Each function is one transaction with its audit rows, on a finished, unapproved run. A move
is checked by passing the whole adjusted plan as pins to ``optimise.validate`` on the run's
snapshot, so hand edits obey exactly the allocator's rules. Naming the learners (stage 2) is
``services.named_learners``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, col, select

from tracker import optimise
from tracker.access import Principal
from tracker.clock import utcnow
from tracker.models import (
    AllocationRun,
    Placement,
    PlacementSetting,
    PlacementStatus,
)
from tracker.optimise.audit_filter import audited_frames, block_key, plain_message
from tracker.services.allocation import (
    EDITABLE_STATUSES,
    AllocationRefused,
    run_or_refuse,
    run_policy,
    staff_only,
)
from tracker.services.audit import record_audit
from tracker.snapshots import register_code, snapshot_audits, snapshot_frames, snapshot_window


def _editable_placement(session: Session, placement_id: int) -> tuple[Placement, AllocationRun]:
    placement = session.get(Placement, placement_id)
    if placement is None or placement.run_id is None:
        raise AllocationRefused(f"Placement {placement_id} does not exist.")
    run = run_or_refuse(session, placement.run_id, lock=True)
    if run.status not in EDITABLE_STATUSES:
        raise AllocationRefused(
            f"Run {run.id} is {run.status}: only a finished, not yet approved plan can be adjusted."
        )
    if placement.learner_id is not None:
        raise AllocationRefused("Adjust the plan by request, then assign named learners again.")
    return placement, run


def pin_placement(
    session: Session, *, principal: Principal, placement_id: int, pinned: bool = True
) -> None:
    """Fix (or free) a placement so that a re-run keeps it exactly where it is."""
    staff_only(principal, "pin placements")
    placement, run = _editable_placement(session, placement_id)
    if placement.pinned == pinned:
        return
    placement.pinned = pinned
    placement.updated_at = utcnow()
    record_audit(
        session,
        principal,
        "allocation.placement.pin" if pinned else "allocation.placement.unpin",
        entity="placement",
        entity_id=placement_id,
        old={"pinned": not pinned},
        new={"pinned": pinned, "run_id": run.id},
    )


class _Keys:
    """Database ids -> the allocator ids of one run's snapshot (register codes, where a
    setting offering places to several profession groups has one id per group)."""

    def __init__(self, inputs: Mapping[str, Any]) -> None:
        ids = inputs["ids"]
        self.requests = {db: key for key, db in ids["requests"].items()}
        self.blocks = {db: key for key, db in ids["blocks"].items()}
        self._settings: dict[int, list[str]] = {}
        for key, db in ids["settings"].items():
            self._settings.setdefault(db, []).append(key)
        self._hosts = {
            str(r["setting_id"]): set(str(r.get("programmes") or "").split(";"))
            for r in inputs.get("settings", [])
        }
        self._programme = {
            str(r["request_id"]): str(r["programme"]) for r in inputs.get("demand", [])
        }

    def setting(self, setting_id: int, request: str) -> str | None:
        """The setting's allocator id for this request's programme; None if not in the run."""
        keys = self._settings.get(setting_id, [])
        if len(keys) <= 1:
            return keys[0] if keys else None
        programme = self._programme.get(request)
        return next((k for k in keys if programme in self._hosts.get(k, set())), keys[0])


def plan_as_pins(session: Session, run: AllocationRun) -> list[tuple[Placement, optimise.Pin]]:
    keys = _Keys(run.inputs)
    rows = session.exec(
        select(Placement).where(Placement.run_id == run.id, col(Placement.learner_id).is_(None))
    ).all()
    out = []
    for p in rows:
        if p.request_id is None:
            continue
        request = keys.requests[p.request_id]
        setting = keys.setting(p.setting_id, request)
        if setting is None:
            continue
        out.append((p, optimise.Pin(request, setting, keys.blocks[p.block_id], p.learners)))
    return out


def _check_move(
    session: Session,
    run: AllocationRun,
    placement: Placement,
    keys: _Keys,
    to_key: str,
    count: int,
) -> None:
    """Refuse the move unless the whole adjusted plan obeys the allocator's rules, checked as
    pins on the run's snapshot; the refusal names the rules it breaks."""
    if snapshot_window(run.inputs) is not None:  # the allocator checks pins by block only
        raise AllocationRefused(
            "Moving learners by hand works on block runs only: a plan on the programme "
            "calendars is checked day by day, which hand moves are not yet."
        )
    request = keys.requests[placement.request_id or 0]
    block = keys.blocks[placement.block_id]
    pins = [pin for row, pin in plan_as_pins(session, run) if row.id != placement.id]
    pins.append(optimise.Pin(request, to_key, block, count))
    if placement.learners > count:
        from_key = keys.setting(placement.setting_id, request)
        assert from_key is not None
        pins.append(optimise.Pin(request, from_key, block, placement.learners - count))
    settings, capacity, demand = snapshot_frames(run.inputs)
    try:
        unaudited = _audit_refusal(run.inputs, request, to_key, block)
        audits = snapshot_audits(run.inputs)
        if audits is not None:  # the audit rule, written into the programmes hosted
            settings, demand, _ = audited_frames(settings, demand, *audits)
        optimise.validate(settings, capacity, demand, run_policy(run.policy), pins=pins)
    except optimise.InputError as exc:
        texts = [p.message for p in exc.problems] + [to_key]
        names = _setting_names(session, texts, run.inputs["ids"]["settings"])
        reasons = [_sentence(p, names) for p in exc.problems if p.table == "pins"] or [
            str(p) for p in exc.problems
        ]
        unaudited = [f"{text} at {names.get(to_key, register_code(to_key))}" for text in unaudited]
        refusal = "Move refused: " + "; ".join([*unaudited, *reasons]) + "."
        raise AllocationRefused(plain_message(refusal)) from exc


def _setting_names(session: Session, texts: list[str], keys: Mapping[str, int]) -> dict[str, str]:
    """The run's allocator setting ids found in the texts -> "Name (CODE)", longest id first,
    so a refusal names the setting as the registers do, never by its internal key."""
    found = {w.strip("'\",.;:()") for t in texts for w in t.split()} & set(keys)
    rows = session.exec(
        select(PlacementSetting).where(col(PlacementSetting.id).in_({keys[k] for k in found}))
    ).all()
    by_id = {r.id: f"{r.name} ({r.code})" for r in rows}
    names = {k: by_id[keys[k]] for k in found if keys[k] in by_id}
    return dict(sorted(names.items(), key=lambda kv: -len(kv[0])))


def _sentence(problem: optimise.Problem, names: Mapping[str, str]) -> str:
    """One pin problem as a coordinator would say it."""
    text = problem.message
    for key, shown in names.items():
        text = text.replace(key, shown)
    text = text.replace("pins put more learners at", "the plan would put more learners at")
    text = text.replace("pins give request", "the plan would give request")
    if problem.column == "setting_id" and problem.row is not None:
        text = f"{names.get(str(problem.value), str(problem.value))} {text}"
    return text


def _audit_refusal(inputs: Mapping[str, Any], request: str, to_key: str, block: str) -> list[str]:
    """The audit reason a move to ``to_key`` breaks, in the run review's words, without the
    setting (the caller names it), or none."""
    audits = snapshot_audits(inputs)
    if audits is None:
        return []
    settings, _, demand = snapshot_frames(inputs)
    asked = demand[demand["request_id"].astype(str) == request].head(1)
    _, _, lost = audited_frames(settings, asked, *audits)
    return [
        f"educational audit expired / not approved for {programme}"
        for (programme, in_block), refused in lost.items()
        if in_block == block_key(block) and to_key in refused
    ]


def move_learners(
    session: Session,
    *,
    principal: Principal,
    placement_id: int,
    to_setting_id: int,
    learners: int | None = None,
) -> int:
    """Move some learners of a placement to another setting in the same block, by hand.

    The whole adjusted plan is checked with the allocator's own rules (supervisor capacity,
    programme hosted, required sector, distance limit, request size) on the run's snapshot,
    so a hand edit can never make a plan the allocator itself would refuse. The moved
    learners are pinned: a re-run close to this plan keeps the coordinator's decision.
    Returns the id of the placement that now holds them.
    """
    staff_only(principal, "move learners")
    placement, run = _editable_placement(session, placement_id)
    count = placement.learners if learners is None else int(learners)
    if count <= 0 or count > placement.learners:
        raise AllocationRefused(f"Choose between 1 and {placement.learners} learners to move.")
    if to_setting_id == placement.setting_id:
        raise AllocationRefused("The learners are already at that setting.")
    keys = _Keys(run.inputs)
    assert placement.request_id is not None
    request = keys.requests[placement.request_id]
    to_key = keys.setting(to_setting_id, request)
    if to_key is None:
        raise AllocationRefused("That setting offers no places in this run's inputs.")
    target = session.exec(
        select(Placement).where(
            Placement.run_id == run.id,
            Placement.request_id == placement.request_id,
            Placement.setting_id == to_setting_id,
            Placement.block_id == placement.block_id,
            col(Placement.learner_id).is_(None),
        )
    ).first()
    _check_move(session, run, placement, keys, to_key, count)
    before = {"setting_id": placement.setting_id, "learners": placement.learners}
    now = utcnow()
    if target is None:
        target = Placement(
            run_id=run.id,
            request_id=placement.request_id,
            setting_id=to_setting_id,
            block_id=placement.block_id,
            learners=count,
            status=PlacementStatus.PROPOSED.value,
            pinned=True,
            updated_at=now,
        )
        session.add(target)
    else:
        target.learners += count
        target.pinned = True
        target.updated_at = now
    if count == placement.learners:
        session.delete(placement)
    else:
        placement.learners -= count
        placement.updated_at = now
    run.figures = {**run.figures, "adjusted": int(run.figures.get("adjusted", 0)) + count}
    session.flush()
    record_audit(
        session,
        principal,
        "allocation.placement.move",
        entity="placement",
        entity_id=placement_id,
        old=before,
        new={"setting_id": to_setting_id, "learners": count, "run_id": run.id},
    )
    assert target.id is not None
    return target.id
